//! The streaming forms of the trend, oscillator, volume, channel and window indicators give the batch
//! values bar for bit on random valid bar series (with flat bars and bars without volume), and their
//! state saved to JSON and restored at any bar carries on exactly, as a paper trader's state file
//! does. A corrupted saved state is refused when read or gives some value, never a panic.

use gauntlet_core::{BarColumns, BarSeries, Timestamp};
use gauntlet_indicators::{
    Adx, Aroon, Cci, Highest, Keltner, Lag, Lowest, Mfi, Obv, RollingVwap, Stochastic, WilliamsR,
    batch,
};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A bar from the previous close: `(step, up, down, flat, volume)`. A flat bar has open = high = low
/// = close = the previous close.
type Step = (f64, f64, f64, bool, f64);

fn series(steps: &[Step]) -> BarSeries {
    let mut columns = BarColumns::default();
    let mut close = 100.0f64;
    for (index, &(step, up, down, flat, volume)) in steps.iter().enumerate() {
        let open = close;
        let (high, low);
        if flat {
            (high, low) = (open, open);
        } else {
            close = (open * (1.0 + step)).max(0.01);
            high = open.max(close) * (1.0 + up);
            low = open.min(close) * (1.0 - down);
        }
        columns.timestamps.push(Timestamp(index as i64 * 60_000));
        columns.open.push(open);
        columns.high.push(high);
        columns.low.push(low);
        columns.close.push(close);
        columns.volume.push(volume);
    }
    BarSeries::new(columns, true).unwrap()
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let volume = prop_oneof![Just(0.0), 1.0f64..1e6];
    prop::collection::vec(
        (
            -0.05f64..0.05,
            0.0f64..0.02,
            0.0f64..0.02,
            prop::bool::weighted(0.2),
            volume,
        ),
        1..120,
    )
}

/// A JSON round trip of the state, as a paper trader saves and resumes it.
fn resumed<T: Serialize + DeserializeOwned>(indicator: &T) -> T {
    serde_json::from_str(&serde_json::to_string(indicator).unwrap()).unwrap()
}

/// Runs `step` over the bars' (high, low, close, volume), resuming the state from JSON before bar
/// `resume_at`; one row of outputs per bar.
fn stream<T: Serialize + DeserializeOwned, const N: usize>(
    series: &BarSeries,
    mut indicator: T,
    resume_at: usize,
    step: impl Fn(&mut T, f64, f64, f64, f64) -> Option<[f64; N]>,
) -> [Vec<f64>; N] {
    let mut columns: [Vec<f64>; N] = std::array::from_fn(|_| Vec::new());
    for (index, bar) in series.bars().enumerate() {
        if index == resume_at {
            indicator = resumed(&indicator);
        }
        let values =
            step(&mut indicator, bar.high, bar.low, bar.close, bar.volume).unwrap_or([f64::NAN; N]);
        for (column, value) in columns.iter_mut().zip(values) {
            column.push(value);
        }
    }
    columns
}

fn assert_same_bits(name: &str, streamed: &[Vec<f64>], batch: &[Vec<f64>]) {
    assert_eq!(streamed.len(), batch.len(), "{name}");
    for (column, (streamed, batch)) in streamed.iter().zip(batch).enumerate() {
        assert_eq!(streamed.len(), batch.len(), "{name} column {column}");
        for (index, (a, b)) in streamed.iter().zip(batch).enumerate() {
            assert!(
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                "{name} column {column} bar {index}: streamed {a}, batch {b}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn streaming_forms_give_the_batch_bits_and_resume_from_json(
        steps in steps(),
        period in 2usize..9,
        smoothing in 1usize..5,
        resume_at in 0usize..120,
    ) {
        let series = series(&steps);
        let n = period;

        let streamed = stream(&series, Adx::new(n).unwrap(), resume_at, |it, h, l, c, _| {
            let value = it.update(h, l, c)?;
            Some([value.adx.unwrap_or(f64::NAN), value.plus_di, value.minus_di])
        });
        assert_same_bits("ADX", &streamed, &batch::adx(&series, n).unwrap());

        let streamed = stream(&series, Aroon::new(n).unwrap(), resume_at, |it, h, l, _, _| {
            let value = it.update(h, l)?;
            Some([value.up, value.down, value.oscillator])
        });
        assert_same_bits("Aroon", &streamed, &batch::aroon(&series, n).unwrap());

        let stochastic = Stochastic::new(n, smoothing, smoothing + 1).unwrap();
        let streamed = stream(&series, stochastic, resume_at, |it, h, l, c, _| {
            let value = it.update(h, l, c)?;
            Some([value.k, value.d])
        });
        let expected = batch::stochastic(&series, n, smoothing, smoothing + 1).unwrap();
        assert_same_bits("stochastic", &streamed, &expected);

        let streamed = stream(&series, Cci::new(n).unwrap(), resume_at, |it, h, l, c, _| {
            it.update(h, l, c).map(|value| [value])
        });
        assert_same_bits("CCI", &streamed, &[batch::cci(&series, n).unwrap()]);

        let streamed = stream(&series, WilliamsR::new(n).unwrap(), resume_at, |it, h, l, c, _| {
            it.update(h, l, c).map(|value| [value])
        });
        assert_same_bits("Williams %R", &streamed, &[batch::williams_r(&series, n).unwrap()]);

        let streamed = stream(&series, Mfi::new(n).unwrap(), resume_at, |it, h, l, c, v| {
            it.update(h, l, c, v).map(|value| [value])
        });
        assert_same_bits("MFI", &streamed, &[batch::mfi(&series, n).unwrap()]);

        let streamed = stream(&series, Obv::new(), resume_at, |it, _, _, c, v| {
            Some([it.update(c, v)])
        });
        assert_same_bits("OBV", &streamed, &[batch::obv(&series)]);

        let streamed = stream(&series, RollingVwap::new(n).unwrap(), resume_at, |it, h, l, c, v| {
            it.update(h, l, c, v).map(|value| [value])
        });
        assert_same_bits("rolling VWAP", &streamed, &[batch::rolling_vwap(&series, n).unwrap()]);

        let streamed = stream(&series, Keltner::new(n, 1.5).unwrap(), resume_at, |it, h, l, c, _| {
            let channel = it.update(h, l, c)?;
            Some([channel.upper, channel.middle, channel.lower])
        });
        assert_same_bits("Keltner", &streamed, &batch::keltner(&series, n, 1.5).unwrap());

        let streamed = stream(&series, Highest::new(n).unwrap(), resume_at, |it, h, _, _, _| {
            it.update(h).map(|value| [value])
        });
        assert_same_bits("highest", &streamed, &[batch::highest(series.high(), n).unwrap()]);

        let streamed = stream(&series, Lowest::new(n).unwrap(), resume_at, |it, _, l, _, _| {
            it.update(l).map(|value| [value])
        });
        assert_same_bits("lowest", &streamed, &[batch::lowest(series.low(), n).unwrap()]);

        let streamed = stream(&series, Lag::new(n).unwrap(), resume_at, |it, _, _, c, _| {
            it.update(c).map(|value| [value])
        });
        assert_same_bits("lag", &streamed, &[batch::lag(series.close(), n).unwrap()]);
    }

    /// Outputs stay in their documented ranges, and no indicator panics, on any valid series.
    #[test]
    fn outputs_stay_in_their_ranges(steps in steps(), period in 2usize..9) {
        let series = series(&steps);
        let in_range = |values: &[f64], low: f64, high: f64| {
            values.iter().all(|&x| x.is_nan() || (low..=high).contains(&x))
        };
        let [adx, plus, minus] = batch::adx(&series, period).unwrap();
        prop_assert!(in_range(&adx, 0.0, 100.0) && in_range(&plus, 0.0, 100.0));
        prop_assert!(in_range(&minus, 0.0, 100.0));
        let [up, down, oscillator] = batch::aroon(&series, period).unwrap();
        prop_assert!(in_range(&up, 0.0, 100.0) && in_range(&down, 0.0, 100.0));
        prop_assert!(in_range(&oscillator, -100.0, 100.0));
        let [k, d] = batch::stochastic(&series, period, 3, 3).unwrap();
        prop_assert!(in_range(&k, -1e-9, 100.0 + 1e-9) && in_range(&d, -1e-9, 100.0 + 1e-9));
        prop_assert!(in_range(&batch::williams_r(&series, period).unwrap(), -100.0, 0.0));
        prop_assert!(in_range(&batch::mfi(&series, period).unwrap(), 0.0, 100.0));
        prop_assert!(batch::cci(&series, period).unwrap().iter().all(|x| !x.is_infinite()));
        let vwap = batch::rolling_vwap(&series, period).unwrap();
        let lowest = batch::lowest(series.low(), period).unwrap();
        let highest = batch::highest(series.high(), period).unwrap();
        for index in 0..series.len() {
            if !vwap[index].is_nan() {
                // The typical price is within each bar's range, so the VWAP within the window's.
                prop_assert!(vwap[index] >= lowest[index] * (1.0 - 1e-12));
                prop_assert!(vwap[index] <= highest[index] * (1.0 + 1e-12));
            }
        }
    }
}

/// Replaces the integers of a saved state (periods, counters, indices) with hostile ones, chosen by
/// `picks` in turn: what a corrupted or hand-edited paper state file could hold.
fn corrupt(value: &mut serde_json::Value, picks: &mut impl Iterator<Item = u64>) {
    match value {
        serde_json::Value::Number(number) if number.is_u64() => {
            if let Some(pick) = picks.next() {
                const HOSTILE: [u64; 6] = [0, 1, 2, 7, 1 << 40, u64::MAX];
                if let Some(&replacement) = HOSTILE.get(pick as usize) {
                    *number = replacement.into();
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|item| corrupt(item, picks)),
        serde_json::Value::Object(fields) => {
            fields.values_mut().for_each(|field| corrupt(field, picks))
        }
        _ => {}
    }
}

/// Feeds `bars` to `indicator`, saves its state, corrupts it with `picks`, and when the corrupted
/// state still reads back, feeds the bars again: it may give any value, but must not panic.
fn survives_corruption<T: Serialize + DeserializeOwned>(
    series: &BarSeries,
    mut indicator: T,
    picks: &[u64],
    step: impl Fn(&mut T, f64, f64, f64, f64),
) {
    for bar in series.bars() {
        step(&mut indicator, bar.high, bar.low, bar.close, bar.volume);
    }
    let mut state = serde_json::to_value(&indicator).unwrap();
    corrupt(&mut state, &mut picks.iter().copied());
    if let Ok(mut indicator) = serde_json::from_value::<T>(state) {
        for bar in series.bars() {
            step(&mut indicator, bar.high, bar.low, bar.close, bar.volume);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// A corrupted saved state never makes an indicator panic (paper trading reads its state back).
    #[test]
    fn corrupted_states_never_panic(
        steps in steps(),
        picks in prop::collection::vec(0u64..12, 0..40),
    ) {
        let series = series(&steps);
        let s = &series;
        survives_corruption(s, Adx::new(3).unwrap(), &picks, |it, h, l, c, _| {
            it.update(h, l, c);
        });
        survives_corruption(s, Aroon::new(3).unwrap(), &picks, |it, h, l, _, _| {
            it.update(h, l);
        });
        survives_corruption(s, Stochastic::new(3, 2, 2).unwrap(), &picks, |it, h, l, c, _| {
            it.update(h, l, c);
        });
        survives_corruption(s, Cci::new(3).unwrap(), &picks, |it, h, l, c, _| {
            it.update(h, l, c);
        });
        survives_corruption(s, WilliamsR::new(3).unwrap(), &picks, |it, h, l, c, _| {
            it.update(h, l, c);
        });
        survives_corruption(s, Mfi::new(3).unwrap(), &picks, |it, h, l, c, v| {
            it.update(h, l, c, v);
        });
        survives_corruption(s, Obv::new(), &picks, |it, _, _, c, v| {
            it.update(c, v);
        });
        survives_corruption(s, RollingVwap::new(3).unwrap(), &picks, |it, h, l, c, v| {
            it.update(h, l, c, v);
        });
        survives_corruption(s, Keltner::new(3, 2.0).unwrap(), &picks, |it, h, l, c, _| {
            it.update(h, l, c);
        });
        survives_corruption(s, Highest::new(3).unwrap(), &picks, |it, h, _, _, _| {
            it.update(h);
        });
        survives_corruption(s, Lowest::new(3).unwrap(), &picks, |it, _, l, _, _| {
            it.update(l);
        });
        survives_corruption(s, Lag::new(3).unwrap(), &picks, |it, _, _, c, _| {
            it.update(c);
        });
    }
}

#[test]
fn a_saved_state_with_a_period_below_the_minimum_is_refused_when_read() {
    let mut state = serde_json::to_value(Adx::new(3).unwrap()).unwrap();
    state["period"] = 1.into();
    let error = serde_json::from_value::<Adx>(state).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("a period of 1, below the minimum of 2"),
        "{error}"
    );
}
