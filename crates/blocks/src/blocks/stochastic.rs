//! The slow stochastic oscillator, %K and %D (gauntlet-indicators' [`Stochastic`]).

use gauntlet_core::Bar;
use gauntlet_indicators::{Stochastic, batch};

use crate::block::{Arg, BatchInput, Block, Param, StreamingBlock};
use crate::error::BlocksError;

use super::{bars, bars_text, stepper};

const ARGS: &[Arg] = &[
    Arg::Param(Param::period("period", 2, 200)),
    Arg::Param(Param::period("k_smoothing", 1, 20)),
    Arg::Param(Param::period("d_period", 1, 20)),
];

/// `stoch_k(n, k_smoothing, d_period)` and `stoch_d(n, k_smoothing, d_period)`, 0 to 100.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StochasticBlock {
    k: bool,
}

/// Slow %K.
pub(crate) const K: StochasticBlock = StochasticBlock { k: true };
/// Slow %D.
pub(crate) const D: StochasticBlock = StochasticBlock { k: false };

impl Block for StochasticBlock {
    fn name(&self) -> &'static str {
        if self.k { "stoch_k" } else { "stoch_d" }
    }
    fn args(&self) -> &'static [Arg] {
        ARGS
    }
    fn summary(&self) -> &'static str {
        if self.k {
            "Slow stochastic %K, 0 to 100: the k_smoothing-bar SMA of 100 * (close - lowest low) / (highest high - lowest low) over n bars, from the bar %D starts (TA-Lib STOCH, SMA smoothing)."
        } else {
            "Slow stochastic %D, 0 to 100: the d_period-bar SMA of slow %K (TA-Lib STOCH, SMA smoothing)."
        }
    }
    fn english(&self, args: &[String]) -> String {
        format!(
            "the {} stochastic {} (smoothed {}, {})",
            bars_text(&args[0]),
            if self.k { "%K" } else { "%D" },
            args[1],
            args[2]
        )
    }
    fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError> {
        let [k, d] = batch::stochastic(
            input.series,
            bars(input.params[0]),
            bars(input.params[1]),
            bars(input.params[2]),
        )?;
        Ok(if self.k { k } else { d })
    }
    fn streaming(&self, params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError> {
        let state = (
            Stochastic::new(bars(params[0]), bars(params[1]), bars(params[2]))?,
            self.k,
        );
        Ok(stepper(state, |(stochastic, k), bar: &Bar, _| {
            let k = *k;
            stochastic
                .update(bar.high, bar.low, bar.close)
                .map(|value| if k { value.k } else { value.d })
        }))
    }
    fn python(&self, args: &[String]) -> String {
        format!(
            "gb_stochastic(high, low, close, {}, {}, {}, {})",
            args[0],
            args[1],
            args[2],
            if self.k { "True" } else { "False" }
        )
    }
    fn python_helpers(&self) -> &'static str {
        "def gb_stochastic(high, low, close, n, k_smoothing, d_period, want_k):
    out = np.full(len(close), np.nan)
    k_window = collections.deque()
    k_newer = 0.0
    d_window = collections.deque()
    d_newer = 0.0
    for t in range(n - 1, len(close)):
        highest = max(high[t - n + 1:t + 1])
        lowest = min(low[t - n + 1:t + 1])
        if abs(highest - lowest) <= 1e-14 * (abs(highest) + abs(lowest)):
            fast_k = 0.0
        else:
            fast_k = (close[t] - lowest) / (highest - lowest) * 100.0
        k_window.append(fast_k)
        if len(k_window) < k_smoothing:
            k_newer += fast_k
            continue
        k_total = k_newer + fast_k
        k_newer = k_total - k_window.popleft()
        k = k_total / k_smoothing
        d_window.append(k)
        if len(d_window) < d_period:
            d_newer += k
            continue
        d_total = d_newer + k
        d_newer = d_total - d_window.popleft()
        out[t] = k if want_k else d_total / d_period
    return out
"
    }
    fn pine(&self, args: &[String]) -> String {
        format!(
            "gb_stochastic({}, {}, {}, {})",
            args[0],
            args[1],
            args[2],
            if self.k { "true" } else { "false" }
        )
    }
    fn pine_helpers(&self) -> &'static str {
        "gb_stochastic(int n, int k_smoothing, int d_period, bool want_k) =>
    var float[] k_window = array.new_float()
    var float k_newer = 0.0
    var float[] d_window = array.new_float()
    var float d_newer = 0.0
    float highest = ta.highest(high, n)
    float lowest = ta.lowest(low, n)
    float result = na
    if bar_index >= n - 1
        float fast_k = math.abs(highest - lowest) <= 1e-14 * (math.abs(highest) + math.abs(lowest)) ? 0.0 : (close - lowest) / (highest - lowest) * 100.0
        array.push(k_window, fast_k)
        if array.size(k_window) < k_smoothing
            k_newer += fast_k
        else
            float k_total = k_newer + fast_k
            k_newer := k_total - array.shift(k_window)
            float k = k_total / k_smoothing
            array.push(d_window, k)
            if array.size(d_window) < d_period
                d_newer += k
            else
                float d_total = d_newer + k
                d_newer := d_total - array.shift(d_window)
                result := want_k ? k : d_total / d_period
    result
"
    }
}
