//! The Keltner channel: the EMA of the close plus or minus a multiple of the EMA of the true
//! range (gauntlet-indicators' [`Keltner`], pandas-ta's `kc` with `mamode="ema"`).

use gauntlet_core::Bar;
use gauntlet_indicators::{Keltner, batch};

use crate::block::{Arg, BatchInput, Block, Param, StreamingBlock};
use crate::error::BlocksError;

use super::{bars, bars_text, stepper};

const ARGS: &[Arg] = &[
    Arg::Param(Param::period("period", 1, 500)),
    Arg::Param(Param::real(
        "multiplier",
        0.25,
        5.0,
        0.25,
        "average true ranges",
    )),
];

/// `keltner_upper(n, multiplier)` and `keltner_lower(n, multiplier)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeltnerBlock {
    upper: bool,
}

/// The upper line.
pub(crate) const UPPER: KeltnerBlock = KeltnerBlock { upper: true };
/// The lower line.
pub(crate) const LOWER: KeltnerBlock = KeltnerBlock { upper: false };

impl Block for KeltnerBlock {
    fn name(&self) -> &'static str {
        if self.upper {
            "keltner_upper"
        } else {
            "keltner_lower"
        }
    }
    fn args(&self) -> &'static [Arg] {
        ARGS
    }
    fn summary(&self) -> &'static str {
        if self.upper {
            "The upper Keltner line: EMA(close, n) + multiplier * EMA(true range, n), the true range from the second bar (pandas-ta kc, mamode ema)."
        } else {
            "The lower Keltner line: EMA(close, n) - multiplier * EMA(true range, n), the true range from the second bar (pandas-ta kc, mamode ema)."
        }
    }
    fn english(&self, args: &[String]) -> String {
        format!(
            "the {} {} Keltner line at {} true ranges",
            bars_text(&args[0]),
            if self.upper { "upper" } else { "lower" },
            args[1]
        )
    }
    fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError> {
        let [upper, _, lower] =
            batch::keltner(input.series, bars(input.params[0]), input.params[1])?;
        Ok(if self.upper { upper } else { lower })
    }
    fn streaming(&self, params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError> {
        let state = (Keltner::new(bars(params[0]), params[1])?, self.upper);
        Ok(stepper(state, |(channel, upper), bar: &Bar, _| {
            let upper = *upper;
            channel
                .update(bar.high, bar.low, bar.close)
                .map(|line| if upper { line.upper } else { line.lower })
        }))
    }
    fn python(&self, args: &[String]) -> String {
        let sign = if self.upper { "+" } else { "-" };
        format!(
            "(gb_ema(close, {n}) {sign} {m} * gb_ema(gb_true_range(high, low, close), {n}))",
            n = args[0],
            m = args[1]
        )
    }
    fn python_helpers(&self) -> &'static str {
        "def gb_true_range(high, low, close):
    out = np.full(len(close), np.nan)
    for t in range(1, len(close)):
        out[t] = max(max(high[t] - low[t], abs(high[t] - close[t - 1])), abs(low[t] - close[t - 1]))
    return out
"
    }
    fn pine(&self, args: &[String]) -> String {
        let sign = if self.upper { "+" } else { "-" };
        format!(
            "(gb_ema(close, {n}) {sign} {m} * gb_ema(gb_true_range(), {n}))",
            n = args[0],
            m = args[1]
        )
    }
    fn pine_helpers(&self) -> &'static str {
        "gb_true_range() =>
    bar_index > 0 ? math.max(math.max(high - low, math.abs(high - close[1])), math.abs(low - close[1])) : na
"
    }
    fn requires(&self) -> &'static [&'static str] {
        &["ema"]
    }
}
