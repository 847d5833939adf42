//! Volume: on-balance volume (gauntlet-indicators' [`Obv`]).

use gauntlet_core::Bar;
use gauntlet_indicators::{Obv, batch};

use crate::block::{Arg, BatchInput, Block, StreamingBlock};
use crate::error::BlocksError;

use super::stepper;

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
