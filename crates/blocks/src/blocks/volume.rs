//! Volume: on-balance volume, the money flow index and the rolling VWAP (gauntlet-indicators'
//! [`Obv`], [`Mfi`], [`RollingVwap`]).

use gauntlet_core::Bar;
use gauntlet_indicators::{Mfi, Obv, RollingVwap, batch};

use crate::block::{Arg, BatchInput, Block, Param, StreamingBlock};
use crate::error::BlocksError;

use super::{bars, bars_text, stepper};

/// `obv`: on-balance volume, in volume units.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ObvBlock;

impl Block for ObvBlock {
    fn name(&self) -> &'static str {
        "obv"
    }
    fn args(&self) -> &'static [Arg] {
        &[]
    }
    fn summary(&self) -> &'static str {
        "On-balance volume: the first bar's volume, then plus the volume on an up close, minus it on a down close (TA-Lib OBV)."
    }
    fn english(&self, _args: &[String]) -> String {
        "the on-balance volume".to_string()
    }
    fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError> {
        Ok(batch::obv(input.series))
    }
    fn streaming(&self, _params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError> {
        Ok(stepper(Obv::new(), |obv, bar: &Bar, _| {
            Some(obv.update(bar.close, bar.volume))
        }))
    }
    fn python(&self, _args: &[String]) -> String {
        "gb_obv(close, volume)".to_string()
    }
    fn python_helpers(&self) -> &'static str {
        "def gb_obv(close, volume):
    out = np.full(len(close), np.nan)
    value = 0.0
    for t in range(len(close)):
        if t == 0:
            value = volume[t]
        elif close[t] > close[t - 1]:
            value += volume[t]
        elif close[t] < close[t - 1]:
            value -= volume[t]
        out[t] = value
    return out
"
    }
    fn pine(&self, _args: &[String]) -> String {
        "gb_obv()".to_string()
    }
    fn pine_helpers(&self) -> &'static str {
        "gb_obv() =>
    var float value = 0.0
    if bar_index == 0
        value := volume
    else if close > close[1]
        value += volume
    else if close < close[1]
        value -= volume
    value
"
    }
}

/// `mfi(n)`: the money flow index, 0 to 100.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MfiBlock;

impl Block for MfiBlock {
    fn name(&self) -> &'static str {
        "mfi"
    }
    fn args(&self) -> &'static [Arg] {
        const ARGS: &[Arg] = &[Arg::Param(Param::period("period", 2, 500))];
        ARGS
    }
    fn summary(&self) -> &'static str {
        "The money flow index, 0 to 100: 100 * positive / (positive + negative) money flow (typical price times volume) over n bars (TA-Lib MFI; 0 without flow)."
    }
    fn english(&self, args: &[String]) -> String {
        format!("the {} money flow index", bars_text(&args[0]))
    }
    fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError> {
        Ok(batch::mfi(input.series, bars(input.params[0]))?)
    }
    fn streaming(&self, params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError> {
        Ok(stepper(Mfi::new(bars(params[0]))?, |mfi, bar: &Bar, _| {
            mfi.update(bar.high, bar.low, bar.close, bar.volume)
        }))
    }
    fn python(&self, args: &[String]) -> String {
        format!("gb_mfi(high, low, close, volume, {})", args[0])
    }
    fn python_helpers(&self) -> &'static str {
        "def gb_mfi(high, low, close, volume, n):
    out = np.full(len(close), np.nan)
    flows = collections.deque()
    positive_sum = 0.0
    negative_sum = 0.0
    quiet = 0
    for t in range(1, len(close)):
        typical = (high[t] + low[t] + close[t]) / 3.0
        previous = (high[t - 1] + low[t - 1] + close[t - 1]) / 3.0
        change = typical - previous
        unmoved = abs(change) <= 1e-14 * (abs(typical) + abs(previous))
        money_flow = 0.0 if unmoved else typical * volume[t]
        flow = (0.0, money_flow) if change < 0.0 else (money_flow, 0.0)
        while len(flows) >= n:
            positive, negative = flows.popleft()
            positive_sum -= positive
            negative_sum -= negative
        flows.append(flow)
        positive_sum += flow[0]
        negative_sum += flow[1]
        quiet = quiet + 1 if money_flow == 0.0 else 0
        if quiet >= n:
            quiet = n
            positive_sum = 0.0
            negative_sum = 0.0
        if len(flows) < n:
            continue
        total = positive_sum + negative_sum
        if total <= 0.0:
            out[t] = 0.0
            continue
        positive = 0.0 if positive_sum < 0.0 else (total if positive_sum > total else positive_sum)
        out[t] = 100.0 * (positive / total)
    return out
"
    }
    fn pine(&self, args: &[String]) -> String {
        format!("gb_mfi({})", args[0])
    }
    fn pine_helpers(&self) -> &'static str {
        "gb_mfi(int n) =>
    var float[] positives = array.new_float()
    var float[] negatives = array.new_float()
    var float positive_sum = 0.0
    var float negative_sum = 0.0
    var int quiet = 0
    float previous = (high[1] + low[1] + close[1]) / 3.0
    float result = na
    if bar_index > 0
        float typical = (high + low + close) / 3.0
        float change = typical - previous
        bool unmoved = math.abs(change) <= 1e-14 * (math.abs(typical) + math.abs(previous))
        float money_flow = unmoved ? 0.0 : typical * volume
        float up = change < 0.0 ? 0.0 : money_flow
        float down = change < 0.0 ? money_flow : 0.0
        while array.size(positives) >= n
            positive_sum -= array.shift(positives)
            negative_sum -= array.shift(negatives)
        array.push(positives, up)
        array.push(negatives, down)
        positive_sum += up
        negative_sum += down
        quiet := money_flow == 0.0 ? quiet + 1 : 0
        if quiet >= n
            quiet := n
            positive_sum := 0.0
            negative_sum := 0.0
        if array.size(positives) >= n
            float total = positive_sum + negative_sum
            float positive = positive_sum < 0.0 ? 0.0 : positive_sum > total ? total : positive_sum
            result := total <= 0.0 ? 0.0 : 100.0 * (positive / total)
    result
"
    }
}

/// `vwap(n)`: the rolling volume-weighted average typical price, in price units.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VwapBlock;

impl Block for VwapBlock {
    fn name(&self) -> &'static str {
        "vwap"
    }
    fn args(&self) -> &'static [Arg] {
        const ARGS: &[Arg] = &[Arg::Param(Param::period("period", 1, 500))];
        ARGS
    }
    fn summary(&self) -> &'static str {
        "The rolling VWAP: the sum of typical price times volume over the last n bars divided by their volume (pandas-ta vwap over a window; no value where the window has no volume)."
    }
    fn english(&self, args: &[String]) -> String {
        format!("the {} volume-weighted average price", bars_text(&args[0]))
    }
    fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError> {
        Ok(batch::rolling_vwap(input.series, bars(input.params[0]))?)
    }
    fn streaming(&self, params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError> {
        Ok(stepper(
            RollingVwap::new(bars(params[0]))?,
            |vwap, bar: &Bar, _| vwap.update(bar.high, bar.low, bar.close, bar.volume),
        ))
    }
    fn python(&self, args: &[String]) -> String {
        format!("gb_vwap(high, low, close, volume, {})", args[0])
    }
    fn python_helpers(&self) -> &'static str {
        "def gb_vwap(high, low, close, volume, n):
    out = np.full(len(close), np.nan)
    weights = collections.deque()
    weight_newer = 0.0
    volumes = collections.deque()
    volume_newer = 0.0
    with_volume = 0
    for t in range(len(close)):
        weight = (high[t] + low[t] + close[t]) / 3.0 * volume[t]
        weights.append(weight)
        weight_sum = None
        if len(weights) < n:
            weight_newer += weight
        else:
            weight_sum = weight_newer + weight
            weight_newer = weight_sum - weights.popleft()
        volumes.append(volume[t])
        volume_sum = None
        if len(volumes) < n:
            volume_newer += volume[t]
        else:
            volume_sum = volume_newer + volume[t]
            volume_newer = volume_sum - volumes.popleft()
        if volume[t] > 0.0:
            with_volume += 1
        if t >= n and volume[t - n] > 0.0:
            with_volume -= 1
        if with_volume == 0:
            weight_newer = 0.0
            volume_newer = 0.0
            continue
        if weight_sum is None or volume_sum is None:
            continue
        out[t] = (weight_sum / n) / (volume_sum / n)
    return out
"
    }
    fn pine(&self, args: &[String]) -> String {
        format!("gb_vwap({})", args[0])
    }
    fn pine_helpers(&self) -> &'static str {
        "gb_vwap(int n) =>
    var float[] weights = array.new_float()
    var float weight_newer = 0.0
    var float[] volumes = array.new_float()
    var float volume_newer = 0.0
    var int with_volume = 0
    float leaving = volume[n]
    float weight = (high + low + close) / 3.0 * volume
    float weight_sum = na
    float volume_sum = na
    array.push(weights, weight)
    if array.size(weights) < n
        weight_newer += weight
    else
        weight_sum := weight_newer + weight
        weight_newer := weight_sum - array.shift(weights)
    array.push(volumes, volume)
    if array.size(volumes) < n
        volume_newer += volume
    else
        volume_sum := volume_newer + volume
        volume_newer := volume_sum - array.shift(volumes)
    if volume > 0.0
        with_volume += 1
    if bar_index >= n and leaving > 0.0
        with_volume -= 1
    float result = na
    if with_volume == 0
        weight_newer := 0.0
        volume_newer := 0.0
    else if not na(weight_sum) and not na(volume_sum)
        result := (weight_sum / n) / (volume_sum / n)
    result
"
    }
}
