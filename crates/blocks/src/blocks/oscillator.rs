//! Oscillators of the bars: Williams %R and the commodity channel index (gauntlet-indicators'
//! [`WilliamsR`], [`Cci`]).

use gauntlet_core::Bar;
use gauntlet_indicators::{Cci, WilliamsR, batch};

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

/// `cci(n)`: the commodity channel index of the typical price.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CciBlock;

impl Block for CciBlock {
    fn name(&self) -> &'static str {
        "cci"
    }
    fn args(&self) -> &'static [Arg] {
        const ARGS: &[Arg] = &[Arg::Param(Param::period("period", 2, 500))];
        ARGS
    }
    fn summary(&self) -> &'static str {
        "The commodity channel index: (typical price - its n-bar mean) / (0.015 * mean absolute deviation), typical price (high + low + close) / 3 (TA-Lib CCI; 0 where either is negligible)."
    }
    fn english(&self, args: &[String]) -> String {
        format!("the {} commodity channel index", bars_text(&args[0]))
    }
    fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError> {
        Ok(batch::cci(input.series, bars(input.params[0]))?)
    }
    fn streaming(&self, params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError> {
        Ok(stepper(Cci::new(bars(params[0]))?, |cci, bar: &Bar, _| {
            cci.update(bar.high, bar.low, bar.close)
        }))
    }
    fn python(&self, args: &[String]) -> String {
        format!("gb_cci(high, low, close, {})", args[0])
    }
    fn python_helpers(&self) -> &'static str {
        "def gb_cci(high, low, close, n):
    out = np.full(len(close), np.nan)
    slots = []
    slot = 0
    for t in range(len(close)):
        typical = (high[t] + low[t] + close[t]) / 3.0
        if len(slots) < n:
            slots.append(typical)
        else:
            slots[slot % n] = typical
        slot = (slot % n + 1) % n
        if len(slots) < n:
            continue
        average = sum(slots) / n
        deviation = sum(abs(price - average) for price in slots) / n
        distance = typical - average
        scale = 1e-14 * abs(average)
        out[t] = distance / (0.015 * deviation) if abs(distance) > scale and abs(deviation) > scale else 0.0
    return out
"
    }
    fn pine(&self, args: &[String]) -> String {
        format!("gb_cci({})", args[0])
    }
    fn pine_helpers(&self) -> &'static str {
        "gb_cci(int n) =>
    var float[] slots = array.new_float()
    var int slot = 0
    float typical = (high + low + close) / 3.0
    if array.size(slots) < n
        array.push(slots, typical)
    else
        array.set(slots, slot % n, typical)
    slot := (slot % n + 1) % n
    float result = na
    if array.size(slots) == n
        float total = 0.0
        for price in slots
            total += price
        float average = total / n
        float spread = 0.0
        for price in slots
            spread += math.abs(price - average)
        float deviation = spread / n
        float distance = typical - average
        float scale = 1e-14 * math.abs(average)
        result := math.abs(distance) > scale and math.abs(deviation) > scale ? distance / (0.015 * deviation) : 0.0
    result
"
    }
}
