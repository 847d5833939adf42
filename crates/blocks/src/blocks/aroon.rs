//! Aroon up and down: how recent the highest high and the lowest low of the last n + 1 bars are
//! (gauntlet-indicators' [`Aroon`]).

use gauntlet_core::Bar;
use gauntlet_indicators::{Aroon, batch};

use crate::block::{Arg, BatchInput, Block, Param, StreamingBlock};
use crate::error::BlocksError;

use super::{bars, bars_text, stepper};

/// `aroon_up(n)` and `aroon_down(n)`, 0 to 100.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AroonBlock {
    up: bool,
}

/// Aroon up.
pub(crate) const UP: AroonBlock = AroonBlock { up: true };
/// Aroon down.
pub(crate) const DOWN: AroonBlock = AroonBlock { up: false };

impl Block for AroonBlock {
    fn name(&self) -> &'static str {
        if self.up { "aroon_up" } else { "aroon_down" }
    }
    fn args(&self) -> &'static [Arg] {
        const ARGS: &[Arg] = &[Arg::Param(Param::period("period", 2, 500))];
        ARGS
    }
    fn summary(&self) -> &'static str {
        if self.up {
            "Aroon up, 0 to 100: 100 * (n - bars since the highest high of the last n + 1 bars) / n, ties to the latest (TA-Lib AROON)."
        } else {
            "Aroon down, 0 to 100: 100 * (n - bars since the lowest low of the last n + 1 bars) / n, ties to the latest (TA-Lib AROON)."
        }
    }
    fn english(&self, args: &[String]) -> String {
        format!(
            "the {} Aroon {}",
            bars_text(&args[0]),
            if self.up { "up" } else { "down" }
        )
    }
    fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError> {
        let [up, down, _] = batch::aroon(input.series, bars(input.params[0]))?;
        Ok(if self.up { up } else { down })
    }
    fn streaming(&self, params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError> {
        let state = (Aroon::new(bars(params[0]))?, self.up);
        Ok(stepper(state, |(aroon, up), bar: &Bar, _| {
            let up = *up;
            aroon
                .update(bar.high, bar.low)
                .map(|value| if up { value.up } else { value.down })
        }))
    }
    fn python(&self, args: &[String]) -> String {
        if self.up {
            format!("gb_aroon(high, {}, True)", args[0])
        } else {
            format!("gb_aroon(low, {}, False)", args[0])
        }
    }
    fn python_helpers(&self) -> &'static str {
        "def gb_aroon(prices, n, up):
    out = np.full(len(prices), np.nan)
    factor = 100.0 / n
    for t in range(n, len(prices)):
        window = list(prices[t - n:t + 1])
        best = max(window) if up else min(window)
        at = t - n + max(i for i, price in enumerate(window) if price == best)
        out[t] = factor * float(n - (t - at))
    return out
"
    }
    fn pine(&self, args: &[String]) -> String {
        if self.up {
            format!("gb_aroon(high, {}, true)", args[0])
        } else {
            format!("gb_aroon(low, {}, false)", args[0])
        }
    }
    fn pine_helpers(&self) -> &'static str {
        "gb_aroon(float prices, int n, bool up) =>
    float result = na
    if bar_index >= n
        float best = prices[n]
        int best_offset = n
        for offset = n - 1 to 0
            if up ? prices[offset] >= best : prices[offset] <= best
                best := prices[offset]
                best_offset := offset
        result := 100.0 / n * (n - best_offset)
    result
"
    }
}
