//! Bollinger Bands of any series: the SMA plus or minus a width of population standard
//! deviations (gauntlet-indicators' [`Bollinger`]).

use gauntlet_core::Bar;
use gauntlet_indicators::{Bollinger, batch};

use crate::block::{Arg, BatchInput, Block, Param, StreamingBlock};
use crate::error::BlocksError;

use super::{bars, bars_text, stepper};

const ARGS: &[Arg] = &[
    Arg::Series("x"),
    Arg::Param(Param::period("period", 2, 500)),
    Arg::Param(Param::real("width", 0.25, 5.0, 0.25, "standard deviations")),
];

/// `bollinger_upper(x, n, width)` and `bollinger_lower(x, n, width)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BollingerBlock {
    upper: bool,
}

/// The upper band.
pub(crate) const UPPER: BollingerBlock = BollingerBlock { upper: true };
/// The lower band.
pub(crate) const LOWER: BollingerBlock = BollingerBlock { upper: false };

impl Block for BollingerBlock {
    fn name(&self) -> &'static str {
        if self.upper {
            "bollinger_upper"
        } else {
            "bollinger_lower"
        }
    }
    fn args(&self) -> &'static [Arg] {
        ARGS
    }
    fn summary(&self) -> &'static str {
        if self.upper {
            "The upper Bollinger Band: SMA(x, n) + width * population standard deviation (TA-Lib BBANDS)."
        } else {
            "The lower Bollinger Band: SMA(x, n) - width * population standard deviation (TA-Lib BBANDS)."
        }
    }
    fn english(&self, args: &[String]) -> String {
        format!(
            "the {} {}-deviation {} Bollinger Band of {}",
            bars_text(&args[1]),
            args[2],
            if self.upper { "upper" } else { "lower" },
            args[0]
        )
    }
    fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError> {
        let [upper, _, lower] =
            batch::bollinger(input.inputs[0], bars(input.params[0]), input.params[1])?;
        Ok(if self.upper { upper } else { lower })
    }
    fn streaming(&self, params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError> {
        let state = (Bollinger::new(bars(params[0]), params[1])?, self.upper);
        Ok(stepper(state, |(bands, upper), _: &Bar, inputs| {
            let upper = *upper;
            bands
                .update(inputs[0])
                .map(|band| if upper { band.upper } else { band.lower })
        }))
    }
    fn python(&self, args: &[String]) -> String {
        let sign = if self.upper { "+" } else { "-" };
        format!(
            "(gb_sma({x}, {n}) {sign} {w} * gb_stddev({x}, {n}))",
            x = args[0],
            n = args[1],
            w = args[2]
        )
    }
    fn python_helpers(&self) -> &'static str {
        ""
    }
    fn pine(&self, args: &[String]) -> String {
        let sign = if self.upper { "+" } else { "-" };
        format!(
            "(gb_sma({x}, {n}) {sign} {w} * gb_stddev({x}, {n}))",
            x = args[0],
            n = args[1],
            w = args[2]
        )
    }
    fn pine_helpers(&self) -> &'static str {
        ""
    }
    fn requires(&self) -> &'static [&'static str] {
        &["sma", "stddev"]
    }
}
