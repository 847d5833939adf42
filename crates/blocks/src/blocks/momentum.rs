//! Momentum of any series: Wilder's RSI (gauntlet-indicators' [`Rsi`]).

use gauntlet_core::Bar;
use gauntlet_indicators::{Rsi, batch};

use crate::block::{Arg, BatchInput, Block, Param, StreamingBlock};
use crate::error::BlocksError;

use super::{bars, bars_text, stepper};

/// `rsi(x, n)`: Wilder's relative strength index, 0 to 100.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RsiBlock;

impl Block for RsiBlock {
    fn name(&self) -> &'static str {
        "rsi"
    }
    fn args(&self) -> &'static [Arg] {
        const ARGS: &[Arg] = &[
            Arg::Series("x"),
            Arg::Param(Param::period("period", 2, 200)),
        ];
        ARGS
    }
    fn summary(&self) -> &'static str {
        "Wilder's relative strength index, 0 to 100: 100 * gain / (gain + loss) of Wilder-smoothed changes, seeded with their mean over the first n (TA-Lib RSI; 0 where both are 0)."
    }
    fn english(&self, args: &[String]) -> String {
        format!("the {} RSI of {}", bars_text(&args[1]), args[0])
    }
    fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError> {
        Ok(batch::rsi(input.inputs[0], bars(input.params[0]))?)
    }
    fn streaming(&self, params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError> {
        Ok(stepper(
            Rsi::new(bars(params[0]))?,
            |rsi, _: &Bar, inputs| rsi.update(inputs[0]),
        ))
    }
    fn python(&self, args: &[String]) -> String {
        format!("gb_rsi({}, {})", args[0], args[1])
    }
    fn python_helpers(&self) -> &'static str {
        "def gb_rsi(x, n):
    out = np.full(len(x), np.nan)
    start = gb_first(x)
    gain_mean = 0.0
    loss_mean = 0.0
    changes = 0
    for t in range(start + 1, len(x)):
        change = x[t] - x[t - 1]
        gain, loss = (change, 0.0) if change > 0.0 else (0.0, -change)
        changes += 1
        if changes <= n:
            gain_mean += gain
            loss_mean += loss
            if changes < n:
                continue
            gain_mean /= n
            loss_mean /= n
        else:
            gain_mean = (gain_mean * (n - 1.0) + gain) / n
            loss_mean = (loss_mean * (n - 1.0) + loss) / n
        total = gain_mean + loss_mean
        out[t] = 0.0 if total == 0.0 else 100.0 * gain_mean / total
    return out
"
    }
    fn pine(&self, args: &[String]) -> String {
        format!("gb_rsi({}, {})", args[0], args[1])
    }
    fn pine_helpers(&self) -> &'static str {
        "gb_rsi(float x, int n) =>
    var int seen = 0
    var float gain_mean = 0.0
    var float loss_mean = 0.0
    float result = na
    if seen > 0 or not na(x)
        seen += 1
        if seen > 1
            float change = x - x[1]
            float gain = change > 0.0 ? change : 0.0
            float loss = change > 0.0 ? 0.0 : -change
            int changes = seen - 1
            if changes <= n
                gain_mean += gain
                loss_mean += loss
                if changes == n
                    gain_mean /= n
                    loss_mean /= n
            else
                gain_mean := (gain_mean * (n - 1.0) + gain) / n
                loss_mean := (loss_mean * (n - 1.0) + loss) / n
            if changes >= n
                float total = gain_mean + loss_mean
                result := total == 0.0 ? 0.0 : 100.0 * gain_mean / total
    result
"
    }
}
