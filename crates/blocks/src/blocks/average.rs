//! Moving averages of any series: simple and exponential (gauntlet-indicators' [`Sma`], [`Ema`]).

use gauntlet_core::Bar;
use gauntlet_indicators::{Ema, Sma, batch};

use crate::block::{Arg, BatchInput, Block, Param, StreamingBlock};
use crate::error::BlocksError;

use super::{bars, bars_text, stepper};

const ARGS: &[Arg] = &[
    Arg::Series("x"),
    Arg::Param(Param::period("period", 1, 1000)),
];

/// `sma(x, n)`: the simple moving average of the last n values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SmaBlock;

impl Block for SmaBlock {
    fn name(&self) -> &'static str {
        "sma"
    }
    fn args(&self) -> &'static [Arg] {
        ARGS
    }
    fn summary(&self) -> &'static str {
        "The simple moving average of the last n values (TA-Lib SMA; a running sum)."
    }
    fn english(&self, args: &[String]) -> String {
        format!(
            "the {} simple moving average of {}",
            bars_text(&args[1]),
            args[0]
        )
    }
    fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError> {
        Ok(batch::sma(input.inputs[0], bars(input.params[0]))?)
    }
    fn streaming(&self, params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError> {
        Ok(stepper(
            Sma::new(bars(params[0]))?,
            |sma, _: &Bar, inputs| sma.update(inputs[0]),
        ))
    }
    fn python(&self, args: &[String]) -> String {
        format!("gb_sma({}, {})", args[0], args[1])
    }
    fn python_helpers(&self) -> &'static str {
        "def gb_sma(x, n):
    out = np.full(len(x), np.nan)
    window = collections.deque()
    total = 0.0
    for t in range(gb_first(x), len(x)):
        total += x[t]
        window.append(x[t])
        if len(window) > n:
            total -= window.popleft()
        if len(window) == n:
            out[t] = total / n
    return out
"
    }
    fn pine(&self, args: &[String]) -> String {
        format!("gb_sma({}, {})", args[0], args[1])
    }
    fn pine_helpers(&self) -> &'static str {
        "gb_sma(float x, int n) =>
    var float[] window = array.new_float()
    var float total = 0.0
    float result = na
    if array.size(window) > 0 or not na(x)
        total += x
        array.push(window, x)
        if array.size(window) > n
            total -= array.shift(window)
        if array.size(window) == n
            result := total / n
    result
"
    }
}

/// `ema(x, n)`: the exponential moving average with smoothing 2 / (n + 1), seeded with the SMA of
/// the first n values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EmaBlock;

impl Block for EmaBlock {
    fn name(&self) -> &'static str {
        "ema"
    }
    fn args(&self) -> &'static [Arg] {
        ARGS
    }
    fn summary(&self) -> &'static str {
        "The exponential moving average, smoothing 2 / (n + 1), seeded with the SMA of the first n values (TA-Lib EMA)."
    }
    fn english(&self, args: &[String]) -> String {
        format!(
            "the {} exponential moving average of {}",
            bars_text(&args[1]),
            args[0]
        )
    }
    fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError> {
        Ok(batch::ema(input.inputs[0], bars(input.params[0]))?)
    }
    fn streaming(&self, params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError> {
        Ok(stepper(
            Ema::new(bars(params[0]))?,
            |ema, _: &Bar, inputs| ema.update(inputs[0]),
        ))
    }
    fn python(&self, args: &[String]) -> String {
        format!("gb_ema({}, {})", args[0], args[1])
    }
    fn python_helpers(&self) -> &'static str {
        "def gb_ema(x, n):
    out = np.full(len(x), np.nan)
    smoothing = 2.0 / (n + 1.0)
    seen = 0
    seed = 0.0
    value = None
    for t in range(gb_first(x), len(x)):
        if value is None:
            seen += 1
            seed += x[t]
            if seen == n:
                value = seed / n
        else:
            value = (x[t] - value) * smoothing + value
        if value is not None:
            out[t] = value
    return out
"
    }
    fn pine(&self, args: &[String]) -> String {
        format!("gb_ema({}, {})", args[0], args[1])
    }
    fn pine_helpers(&self) -> &'static str {
        "gb_ema(float x, int n) =>
    var int seen = 0
    var float seed = 0.0
    var float value = na
    float smoothing = 2.0 / (n + 1.0)
    if seen > 0 or not na(x)
        if na(value)
            seen += 1
            seed += x
            if seen == n
                value := seed / n
        else
            value := (x - value) * smoothing + value
    value
"
    }
}
