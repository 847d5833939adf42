//! Windows over a series: the value n bars ago, the highest and lowest of the last n bars, and the
//! percent change over n bars (gauntlet-indicators' [`Lag`], [`Highest`], [`Lowest`], [`Roc`]).

use gauntlet_core::Bar;
use gauntlet_indicators::{Highest, Lag, Lowest, Roc, batch};

use crate::block::{Arg, BatchInput, Block, Param, StreamingBlock};
use crate::error::BlocksError;

use super::{bars, bars_text, stepper};

const ARGS: &[Arg] = &[
    Arg::Series("x"),
    Arg::Param(Param::period("period", 1, 1000)),
];

/// `lag(x, n)`: the value of `x` n bars ago.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LagBlock;

impl Block for LagBlock {
    fn name(&self) -> &'static str {
        "lag"
    }
    fn args(&self) -> &'static [Arg] {
        ARGS
    }
    fn summary(&self) -> &'static str {
        "The value n bars ago: lag(x, n)[t] = x[t - n]."
    }
    fn english(&self, args: &[String]) -> String {
        format!("{} {} bars ago", args[0], args[1])
    }
    fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError> {
        Ok(batch::lag(input.inputs[0], bars(input.params[0]))?)
    }
    fn streaming(&self, params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError> {
        Ok(stepper(
            Lag::new(bars(params[0]))?,
            |lag, _: &Bar, inputs| lag.update(inputs[0]),
        ))
    }
    fn python(&self, args: &[String]) -> String {
        format!("gb_lag({}, {})", args[0], args[1])
    }
    fn python_helpers(&self) -> &'static str {
        "def gb_lag(x, n):
    out = np.full(len(x), np.nan)
    start = gb_first(x)
    for t in range(start + n, len(x)):
        out[t] = x[t - n]
    return out
"
    }
    fn pine(&self, args: &[String]) -> String {
        format!("gb_lag({}, {})", args[0], args[1])
    }
    fn pine_helpers(&self) -> &'static str {
        "gb_lag(float x, int n) =>
    var int seen = 0
    if seen > 0 or not na(x)
        seen += 1
    seen > n ? x[n] : na
"
    }
}

/// `highest(x, n)`: the highest value of `x` over the last n bars, this one included.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HighestBlock;

impl Block for HighestBlock {
    fn name(&self) -> &'static str {
        "highest"
    }
    fn args(&self) -> &'static [Arg] {
        ARGS
    }
    fn summary(&self) -> &'static str {
        "The highest value of the last n bars, this bar included (TA-Lib MAX)."
    }
    fn english(&self, args: &[String]) -> String {
        format!("the highest {} of the last {} bars", args[0], args[1])
    }
    fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError> {
        Ok(batch::highest(input.inputs[0], bars(input.params[0]))?)
    }
    fn streaming(&self, params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError> {
        Ok(stepper(
            Highest::new(bars(params[0]))?,
            |highest, _: &Bar, inputs| highest.update(inputs[0]),
        ))
    }
    fn python(&self, args: &[String]) -> String {
        format!("gb_highest({}, {})", args[0], args[1])
    }
    fn python_helpers(&self) -> &'static str {
        "def gb_highest(x, n):
    out = np.full(len(x), np.nan)
    start = gb_first(x)
    for t in range(start + n - 1, len(x)):
        out[t] = max(x[t - n + 1:t + 1])
    return out
"
    }
    fn pine(&self, args: &[String]) -> String {
        format!("gb_highest({}, {})", args[0], args[1])
    }
    fn pine_helpers(&self) -> &'static str {
        "gb_highest(float x, int n) =>
    var int seen = 0
    if seen > 0 or not na(x)
        seen += 1
    seen >= n ? ta.highest(x, n) : na
"
    }
}

/// `lowest(x, n)`: the lowest value of `x` over the last n bars, this one included.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LowestBlock;

impl Block for LowestBlock {
    fn name(&self) -> &'static str {
        "lowest"
    }
    fn args(&self) -> &'static [Arg] {
        ARGS
    }
    fn summary(&self) -> &'static str {
        "The lowest value of the last n bars, this bar included (TA-Lib MIN)."
    }
    fn english(&self, args: &[String]) -> String {
        format!("the lowest {} of the last {} bars", args[0], args[1])
    }
    fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError> {
        Ok(batch::lowest(input.inputs[0], bars(input.params[0]))?)
    }
    fn streaming(&self, params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError> {
        Ok(stepper(
            Lowest::new(bars(params[0]))?,
            |lowest, _: &Bar, inputs| lowest.update(inputs[0]),
        ))
    }
    fn python(&self, args: &[String]) -> String {
        format!("gb_lowest({}, {})", args[0], args[1])
    }
    fn python_helpers(&self) -> &'static str {
        "def gb_lowest(x, n):
    out = np.full(len(x), np.nan)
    start = gb_first(x)
    for t in range(start + n - 1, len(x)):
        out[t] = min(x[t - n + 1:t + 1])
    return out
"
    }
    fn pine(&self, args: &[String]) -> String {
        format!("gb_lowest({}, {})", args[0], args[1])
    }
    fn pine_helpers(&self) -> &'static str {
        "gb_lowest(float x, int n) =>
    var int seen = 0
    if seen > 0 or not na(x)
        seen += 1
    seen >= n ? ta.lowest(x, n) : na
"
    }
}

/// `pct_change(x, n)`: the change of `x` over n bars as a fraction.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PctChange;

impl Block for PctChange {
    fn name(&self) -> &'static str {
        "pct_change"
    }
    fn args(&self) -> &'static [Arg] {
        ARGS
    }
    fn summary(&self) -> &'static str {
        "The change over n bars as a fraction, x[t] / x[t - n] - 1 (TA-Lib ROCP, pandas pct_change)."
    }
    fn english(&self, args: &[String]) -> String {
        format!(
            "the {} change of {} as a fraction",
            bars_text(&args[1]),
            args[0]
        )
    }
    fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError> {
        Ok(batch::roc(input.inputs[0], bars(input.params[0]))?)
    }
    fn streaming(&self, params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError> {
        Ok(stepper(
            Roc::new(bars(params[0]))?,
            |roc, _: &Bar, inputs| roc.update(inputs[0]),
        ))
    }
    fn python(&self, args: &[String]) -> String {
        format!("gb_pct_change({}, {})", args[0], args[1])
    }
    fn python_helpers(&self) -> &'static str {
        "def gb_pct_change(x, n):
    out = np.full(len(x), np.nan)
    start = gb_first(x)
    for t in range(start + n, len(x)):
        out[t] = x[t] / x[t - n] - 1.0
    return out
"
    }
    fn pine(&self, args: &[String]) -> String {
        format!("gb_pct_change({}, {})", args[0], args[1])
    }
    fn pine_helpers(&self) -> &'static str {
        "gb_pct_change(float x, int n) =>
    var int seen = 0
    if seen > 0 or not na(x)
        seen += 1
    seen > n ? x / x[n] - 1.0 : na
"
    }
}
