//! Wilder's directional movement: ADX, +DI and -DI (gauntlet-indicators' [`Adx`]).

use gauntlet_core::Bar;
use gauntlet_indicators::{Adx, batch};

use crate::block::{Arg, BatchInput, Block, Param, StreamingBlock};
use crate::error::BlocksError;

use super::{bars, bars_text, stepper};

/// `adx(n)` (output 0), `plus_di(n)` (1) and `minus_di(n)` (2), each 0 to 100.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AdxBlock {
    output: usize,
}

/// The average directional index.
pub(crate) const ADX: AdxBlock = AdxBlock { output: 0 };
/// The plus directional indicator.
pub(crate) const PLUS_DI: AdxBlock = AdxBlock { output: 1 };
/// The minus directional indicator.
pub(crate) const MINUS_DI: AdxBlock = AdxBlock { output: 2 };

impl Block for AdxBlock {
    fn name(&self) -> &'static str {
        ["adx", "plus_di", "minus_di"][self.output]
    }
    fn args(&self) -> &'static [Arg] {
        const ARGS: &[Arg] = &[Arg::Param(Param::period("period", 2, 200))];
        ARGS
    }
    fn summary(&self) -> &'static str {
        [
            "Wilder's average directional index, 0 to 100: the Wilder-smoothed DX = 100 * |+DI - -DI| / (+DI + -DI), from bar 2n - 1 (TA-Lib ADX).",
            "Wilder's plus directional indicator, 0 to 100: 100 * smoothed +DM / smoothed true range, from bar n (TA-Lib PLUS_DI).",
            "Wilder's minus directional indicator, 0 to 100: 100 * smoothed -DM / smoothed true range, from bar n (TA-Lib MINUS_DI).",
        ][self.output]
    }
    fn english(&self, args: &[String]) -> String {
        let what = ["ADX", "+DI", "-DI"][self.output];
        format!("the {} {what}", bars_text(&args[0]))
    }
    fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError> {
        let [adx, plus, minus] = batch::adx(input.series, bars(input.params[0]))?;
        Ok(match self.output {
            0 => adx,
            1 => plus,
            _ => minus,
        })
    }
    fn streaming(&self, params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError> {
        let state = (Adx::new(bars(params[0]))?, self.output);
        Ok(stepper(state, |(adx, output), bar: &Bar, _| {
            let value = adx.update(bar.high, bar.low, bar.close)?;
            match output {
                0 => value.adx,
                1 => Some(value.plus_di),
                _ => Some(value.minus_di),
            }
        }))
    }
    fn python(&self, args: &[String]) -> String {
        format!("gb_adx(high, low, close, {}, {})", args[0], self.output)
    }
    fn python_helpers(&self) -> &'static str {
        "def gb_adx(high, low, close, n, output):
    out = np.full(len(close), np.nan)
    steps = 0
    plus_dm = 0.0
    minus_dm = 0.0
    true_range = 0.0
    dx_sum = 0.0
    adx = None
    for t in range(1, len(close)):
        up = high[t] - high[t - 1]
        down = low[t - 1] - low[t]
        if down > 0.0 and up < down:
            plus, minus = 0.0, down
        elif up > 0.0 and up > down:
            plus, minus = up, 0.0
        else:
            plus, minus = 0.0, 0.0
        span = high[t] - low[t]
        to_high = abs(high[t] - close[t - 1])
        if to_high > span:
            span = to_high
        to_low = abs(low[t] - close[t - 1])
        if to_low > span:
            span = to_low
        steps += 1
        if steps < n:
            plus_dm += plus
            minus_dm += minus
            true_range += span
            continue
        minus_dm -= minus_dm / n
        plus_dm -= plus_dm / n
        minus_dm += minus
        plus_dm += plus
        true_range = true_range - true_range / n + span
        dx = None
        if true_range > 0.0:
            minus_di = 100.0 * (minus_dm / true_range)
            plus_di = 100.0 * (plus_dm / true_range)
            total = minus_di + plus_di
            if abs(total) >= 1e-14:
                dx = 100.0 * (abs(minus_di - plus_di) / total)
        else:
            plus_di = 0.0
            minus_di = 0.0
        if adx is None:
            dx_sum += dx if dx is not None else 0.0
            if steps == 2 * n - 1:
                adx = dx_sum / n
        elif dx is not None:
            adx = (adx * (n - 1.0) + dx) / n
        value = (adx, plus_di, minus_di)[output]
        if value is not None:
            out[t] = value
    return out
"
    }
    fn pine(&self, args: &[String]) -> String {
        format!("gb_adx({}, {})", args[0], self.output)
    }
    fn pine_helpers(&self) -> &'static str {
        "gb_adx(int n, int output) =>
    var int steps = 0
    var float plus_dm = 0.0
    var float minus_dm = 0.0
    var float true_range = 0.0
    var float dx_sum = 0.0
    var float adx = na
    float result = na
    float up = high - high[1]
    float down = low[1] - low
    if bar_index > 0
        float plus = down > 0.0 and up < down ? 0.0 : up > 0.0 and up > down ? up : 0.0
        float minus = down > 0.0 and up < down ? down : 0.0
        float span = high - low
        float to_high = math.abs(high - close[1])
        if to_high > span
            span := to_high
        float to_low = math.abs(low - close[1])
        if to_low > span
            span := to_low
        steps += 1
        if steps < n
            plus_dm += plus
            minus_dm += minus
            true_range += span
        else
            minus_dm -= minus_dm / n
            plus_dm -= plus_dm / n
            minus_dm += minus
            plus_dm += plus
            true_range := true_range - true_range / n + span
            float plus_di = 0.0
            float minus_di = 0.0
            float dx = na
            if true_range > 0.0
                minus_di := 100.0 * (minus_dm / true_range)
                plus_di := 100.0 * (plus_dm / true_range)
                float total = minus_di + plus_di
                if math.abs(total) >= 1e-14
                    dx := 100.0 * (math.abs(minus_di - plus_di) / total)
            if na(adx)
                dx_sum += na(dx) ? 0.0 : dx
                if steps == 2 * n - 1
                    adx := dx_sum / n
            else if not na(dx)
                adx := (adx * (n - 1.0) + dx) / n
            result := output == 0 ? adx : output == 1 ? plus_di : minus_di
    result
"
    }
}
