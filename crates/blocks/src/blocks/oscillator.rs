//! Oscillators of the bars: Williams %R (gauntlet-indicators' [`WilliamsR`]).

use gauntlet_core::Bar;
use gauntlet_indicators::{WilliamsR, batch};

use crate::block::{Arg, BatchInput, Block, Param, StreamingBlock};
use crate::error::BlocksError;

use super::{bars, bars_text, stepper};

/// `williams_r(n)`: Williams %R, -100 to 0.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WilliamsRBlock;

impl Block for WilliamsRBlock {
    fn name(&self) -> &'static str {
        "williams_r"
    }
    fn args(&self) -> &'static [Arg] {
        const ARGS: &[Arg] = &[Arg::Param(Param::period("period", 2, 500))];
        ARGS
    }
    fn summary(&self) -> &'static str {
        "Williams %R, -100 to 0: -100 * (highest high - close) / (highest high - lowest low) over n bars (TA-Lib WILLR; 0 on a flat window)."
    }
    fn english(&self, args: &[String]) -> String {
        format!("the {} Williams %R", bars_text(&args[0]))
    }
    fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError> {
        Ok(batch::williams_r(input.series, bars(input.params[0]))?)
    }
    fn streaming(&self, params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError> {
        Ok(stepper(
            WilliamsR::new(bars(params[0]))?,
            |williams, bar: &Bar, _| williams.update(bar.high, bar.low, bar.close),
        ))
    }
    fn python(&self, args: &[String]) -> String {
        format!("gb_williams_r(high, low, close, {})", args[0])
    }
    fn python_helpers(&self) -> &'static str {
        "def gb_williams_r(high, low, close, n):
    out = np.full(len(close), np.nan)
    for t in range(n - 1, len(close)):
        highest = max(high[t - n + 1:t + 1])
        lowest = min(low[t - n + 1:t + 1])
        if abs(highest - lowest) <= 1e-14 * (abs(highest) + abs(lowest)):
            out[t] = 0.0
        else:
            out[t] = min(max((highest - close[t]) / (highest - lowest) * -100.0, -100.0), 0.0)
    return out
"
    }
    fn pine(&self, args: &[String]) -> String {
        format!("gb_williams_r({})", args[0])
    }
    fn pine_helpers(&self) -> &'static str {
        "gb_williams_r(int n) =>
    float highest = ta.highest(high, n)
    float lowest = ta.lowest(low, n)
    float result = na
    if bar_index >= n - 1
        result := math.abs(highest - lowest) <= 1e-14 * (math.abs(highest) + math.abs(lowest)) ? 0.0 : math.min(math.max((highest - close) / (highest - lowest) * -100.0, -100.0), 0.0)
    result
"
    }
}
