//! Volatility: Wilder's average true range and the rolling standard deviation
//! (gauntlet-indicators' [`Atr`], [`RollingStdDev`]).

use gauntlet_core::Bar;
use gauntlet_indicators::{Atr, RollingStdDev, batch};

use crate::block::{Arg, BatchInput, Block, Param, StreamingBlock};
use crate::error::BlocksError;

use super::{bars, bars_text, stepper};

/// `atr(n)`: Wilder's average true range of the bars, in price units.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AtrBlock;

impl Block for AtrBlock {
    fn name(&self) -> &'static str {
        "atr"
    }
    fn args(&self) -> &'static [Arg] {
        const ARGS: &[Arg] = &[Arg::Param(Param::period("period", 1, 500))];
        ARGS
    }
    fn summary(&self) -> &'static str {
        "Wilder's average true range in price units: true ranges from the second bar, seeded with their mean over the first n, then Wilder-smoothed (TA-Lib ATR)."
    }
    fn english(&self, args: &[String]) -> String {
        format!("the {} average true range", bars_text(&args[0]))
    }
    fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError> {
        Ok(batch::atr(input.series, bars(input.params[0]))?)
    }
    fn streaming(&self, params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError> {
        Ok(stepper(Atr::new(bars(params[0]))?, |atr, bar: &Bar, _| {
            atr.update(bar.high, bar.low, bar.close)
        }))
    }
    fn python(&self, args: &[String]) -> String {
        format!("gb_atr(high, low, close, {})", args[0])
    }
    fn python_helpers(&self) -> &'static str {
        "def gb_atr(high, low, close, n):
    out = np.full(len(close), np.nan)
    value = 0.0
    for t in range(1, len(close)):
        true_range = max(max(high[t] - low[t], abs(high[t] - close[t - 1])), abs(low[t] - close[t - 1]))
        if t <= n:
            value += true_range
            if t < n:
                continue
            value /= n
        else:
            value = (value * (n - 1.0) + true_range) / n
        out[t] = value
    return out
"
    }
    fn pine(&self, args: &[String]) -> String {
        format!("gb_atr({})", args[0])
    }
    fn pine_helpers(&self) -> &'static str {
        "gb_atr(int n) =>
    var int ranges = 0
    var float value = 0.0
    float result = na
    if bar_index > 0
        float true_range = math.max(math.max(high - low, math.abs(high - close[1])), math.abs(low - close[1]))
        ranges += 1
        if ranges <= n
            value += true_range
            if ranges == n
                value /= n
        else
            value := (value * (n - 1.0) + true_range) / n
        if ranges >= n
            result := value
    result
"
    }
}

/// `stddev(x, n)`: the population standard deviation of the last n values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StdDevBlock;

impl Block for StdDevBlock {
    fn name(&self) -> &'static str {
        "stddev"
    }
    fn args(&self) -> &'static [Arg] {
        const ARGS: &[Arg] = &[
            Arg::Series("x"),
            Arg::Param(Param::period("period", 2, 1000)),
        ];
        ARGS
    }
    fn summary(&self) -> &'static str {
        "The population standard deviation of the last n values (TA-Lib STDDEV), from running sums of values shifted by the first one."
    }
    fn english(&self, args: &[String]) -> String {
        format!(
            "the {} standard deviation of {}",
            bars_text(&args[1]),
            args[0]
        )
    }
    fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError> {
        Ok(batch::stddev(input.inputs[0], bars(input.params[0]))?)
    }
    fn streaming(&self, params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError> {
        Ok(stepper(
            RollingStdDev::new(bars(params[0]))?,
            |deviation, _: &Bar, inputs| deviation.update(inputs[0]),
        ))
    }
    fn python(&self, args: &[String]) -> String {
        format!("gb_stddev({}, {})", args[0], args[1])
    }
    fn python_helpers(&self) -> &'static str {
        "def gb_stddev(x, n):
    out = np.full(len(x), np.nan)
    start = gb_first(x)
    window = collections.deque()
    total = 0.0
    squares = 0.0
    for t in range(start, len(x)):
        shifted = x[t] - x[start]
        window.append(shifted)
        total += shifted
        squares += shifted * shifted
        if len(window) > n:
            leaving = window.popleft()
            total -= leaving
            squares -= leaving * leaving
        if len(window) == n:
            mean = total / n
            out[t] = math.sqrt(max(squares / n - mean * mean, 0.0))
    return out
"
    }
    fn pine(&self, args: &[String]) -> String {
        format!("gb_stddev({}, {})", args[0], args[1])
    }
    fn pine_helpers(&self) -> &'static str {
        "gb_stddev(float x, int n) =>
    var float[] window = array.new_float()
    var float anchor = na
    var float total = 0.0
    var float squares = 0.0
    float result = na
    if not na(anchor) or not na(x)
        if na(anchor)
            anchor := x
        float shifted = x - anchor
        array.push(window, shifted)
        total += shifted
        squares += shifted * shifted
        if array.size(window) > n
            float leaving = array.shift(window)
            total -= leaving
            squares -= leaving * leaving
        if array.size(window) == n
            float mean = total / n
            result := math.sqrt(math.max(squares / n - mean * mean, 0.0))
    result
"
    }
}
