use std::convert::Infallible;

use gauntlet_core::{Bar, BarColumns, Timestamp};
use proptest::prelude::*;
use rand::{SeedableRng, TryRng};
use rand_chacha::ChaCha8Rng;

use super::*;

/// A stream that hands out the given uniforms (each a multiple of 2^-53, so that rand's
/// `StandardUniform` gives it back exactly) and then panics.
struct Scripted {
    draws: Vec<u64>,
    next: usize,
}

impl Scripted {
    fn new(uniforms: &[f64]) -> Self {
        let draws = uniforms
            .iter()
            .map(|&uniform| {
                let top = uniform * (1u64 << 53) as f64;
                assert!(top.fract() == 0.0 && (0.0..1.0).contains(&uniform));
                (top as u64) << 11
            })
            .collect();
        Self { draws, next: 0 }
    }
}

impl TryRng for Scripted {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        unreachable!("the noise draws 64-bit uniforms")
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let value = self.draws[self.next];
        self.next += 1;
        Ok(value)
    }

    fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Infallible> {
        unreachable!("the noise draws 64-bit uniforms")
    }
}

fn series(bars: &[(f64, f64, f64, f64)]) -> BarSeries {
    let mut columns = BarColumns::default();
    for (day, &(open, high, low, close)) in bars.iter().enumerate() {
        columns.push(Bar {
            timestamp: Timestamp(day as i64 * 86_400_000),
            open,
            high,
            low,
            close,
            volume: 10.0 + day as f64,
        });
    }
    BarSeries::new(columns, true).unwrap()
}

#[test]
fn moves_each_field_as_drawn_and_widens_the_range_by_hand() {
    let original = series(&[
        (100.0, 104.0, 98.0, 102.0),
        (102.0, 103.0, 101.0, 102.5),
        (50.0, 51.0, 49.0, 50.5),
    ]);
    let settings = NoiseSettings {
        max_move_atr_fraction: 0.5,
        shares: FieldShares::all(0.5),
    };
    // Per bar: (selector, amount) for the open, high, low and close.
    let mut rng = Scripted::new(
        &[
            // Bar 0, ATR 4, scale 2: the open moves (0.25 < 0.5) by (2 * 0.75 - 1) * 2 = +1 to 101;
            // the high moves by -2 to 102; the low by -2 to 96; the close by (2 * 0.9375 - 1) * 2 =
            // +1.75 to 103.75, above the moved high, which is widened to 103.75.
            0.25, 0.75, 0.25, 0.0, 0.0, 0.0, 0.25, 0.9375, //
            // Bar 1, ATR NaN: draws that would move every field, taken and ignored.
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, //
            // Bar 2, ATR 2, scale 1: only the open moves (0.5 is not below 0.5), by -1 to 49; the
            // low stays 49.
            0.0, 0.0, 0.5, 0.0, 0.75, 0.0, 0.999, 0.0,
        ]
        .map(|uniform: f64| (uniform * 1024.0).floor() / 1024.0),
    );
    let noisy = noise_bars(&original, &[4.0, f64::NAN, 2.0], &settings, &mut rng).unwrap();
    assert_eq!(rng.next, 24, "8 draws per bar");
    assert_eq!(noisy.open(), &[101.0, 102.0, 49.0]);
    assert_eq!(noisy.high(), &[103.75, 103.0, 51.0]);
    assert_eq!(noisy.low(), &[96.0, 101.0, 49.0]);
    assert_eq!(noisy.close(), &[103.75, 102.5, 50.5]);
    assert_eq!(noisy.timestamps(), original.timestamps());
    assert_eq!(noisy.volume(), original.volume());
}

#[test]
fn a_move_to_zero_or_below_is_not_made() {
    // A price of 1 with an ATR of 10: a full-ATR move down (-10) would leave it at -9.
    let original = series(&[(1.0, 1.5, 0.5, 1.2)]);
    let settings = NoiseSettings {
        max_move_atr_fraction: 1.0,
        shares: FieldShares::all(1.0),
    };
    let mut rng = Scripted::new(&[0.0; 8]);
    let noisy = noise_bars(&original, &[10.0], &settings, &mut rng).unwrap();
    assert_eq!(noisy, original);
}

#[test]
fn a_close_only_series_moves_its_closes_only() {
    let original = BarSeries::close_only(
        vec![Timestamp(0), Timestamp(86_400_000)],
        vec![10.0, 11.0],
        None,
    )
    .unwrap();
    let settings = NoiseSettings {
        max_move_atr_fraction: 0.5,
        shares: FieldShares::all(1.0),
    };
    // Bar 0: the open, high and low draws would move them (ignored); the close moves by
    // (2 * 0.75 - 1) * 0.5 * 1 = +0.25. Bar 1: the close moves by -0.5.
    let mut rng = Scripted::new(&[
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.75, //
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    ]);
    let noisy = noise_bars(&original, &[1.0, 1.0], &settings, &mut rng).unwrap();
    assert_eq!(noisy.price_fields(), PriceFields::CloseOnly);
    assert_eq!(noisy.close(), &[10.25, 10.5]);
    assert_eq!(noisy.open(), noisy.close());
    assert!(!noisy.has_volume());
}

#[test]
fn refuses_settings_and_columns_out_of_range_before_drawing() {
    let original = series(&[(100.0, 104.0, 98.0, 102.0)]);
    let good = NoiseSettings {
        max_move_atr_fraction: 0.25,
        shares: FieldShares::all(0.5),
    };
    let mut rng = Scripted::new(&[]);
    let mut check = |settings: NoiseSettings, atr: &[f64], field: &str| match noise_bars(
        &original, atr, &settings, &mut rng,
    ) {
        Err(DataError::InvalidField { field: found, .. }) => assert_eq!(found, field),
        other => panic!("expected an error on {field}, got {other:?}"),
    };
    for fraction in [0.0, -0.1, 1.01, f64::NAN] {
        let settings = NoiseSettings {
            max_move_atr_fraction: fraction,
            ..good
        };
        check(settings, &[1.0], "max_move_atr_fraction");
    }
    let mut shares = good;
    shares.shares.low = 1.5;
    check(shares, &[1.0], "shares.low");
    shares.shares.low = f64::NAN;
    check(shares, &[1.0], "shares.low");
    check(good, &[1.0, 1.0], "atr");
    check(good, &[-1.0], "atr");
    check(good, &[f64::INFINITY], "atr");
    let stream = |_| ChaCha8Rng::seed_from_u64(1);
    for copies in [0, MAX_NOISE_COPIES + 1] {
        assert!(noise_copies(&original, &[1.0], &good, copies, stream).is_err());
    }
    let long = series(&vec![(100.0, 104.0, 98.0, 102.0); 2_001]);
    let error = noise_copies(&long, &vec![1.0; 2_001], &good, MAX_NOISE_COPIES, stream);
    assert!(
        error.unwrap_err().to_string().contains("one at a time"),
        "10,000 copies of 2,001 bars are over the memory bound"
    );
}

/// A valid random walk of `bars` bars from `seed`, with an ATR-like column (NaN for the first 3).
fn walk(bars: usize, seed: u64) -> (BarSeries, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut columns = BarColumns::with_capacity(bars);
    let mut close = 50.0f64;
    for day in 0..bars {
        let open = close * (1.0 + rng.random_range(-0.01..0.01));
        close = open * (1.0 + rng.random_range(-0.03..0.03));
        columns.push(Bar {
            timestamp: Timestamp(day as i64 * 86_400_000),
            open,
            high: open.max(close) * (1.0 + rng.random_range(0.0..0.02)),
            low: open.min(close) * (1.0 - rng.random_range(0.0..0.02)),
            close,
            volume: rng.random_range(0.0..1e6),
        });
    }
    let series = BarSeries::new(columns, true).unwrap();
    let atr = (0..bars)
        .map(|bar| {
            if bar < 3 {
                f64::NAN
            } else {
                series.high()[bar] - series.low()[bar]
            }
        })
        .collect();
    (series, atr)
}

fn bits(series: &BarSeries) -> Vec<u64> {
    let columns = series.columns();
    [
        &columns.open,
        &columns.high,
        &columns.low,
        &columns.close,
        &columns.volume,
    ]
    .into_iter()
    .flatten()
    .map(|value| value.to_bits())
    .chain(columns.timestamps.iter().map(|time| time.millis() as u64))
    .collect()
}

#[test]
fn copies_are_byte_identical_on_any_number_of_threads() {
    let (original, atr) = walk(2_000, 11);
    let settings = NoiseSettings {
        max_move_atr_fraction: 0.3,
        shares: FieldShares {
            open: 0.4,
            high: 0.6,
            low: 0.5,
            close: 0.75,
        },
    };
    let stream = |copy: usize| {
        let mut rng = ChaCha8Rng::seed_from_u64(20_261_201);
        rng.set_stream(copy as u64);
        rng
    };
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| noise_copies(&original, &atr, &settings, 24, stream).unwrap())
    };
    let one: Vec<Vec<u64>> = on(1).iter().map(bits).collect();
    assert_eq!(one, on(4).iter().map(bits).collect::<Vec<_>>());
    assert_eq!(one, on(3).iter().map(bits).collect::<Vec<_>>());
    // Copy k is noise_bars on stream k alone, whatever the other copies.
    let alone = noise_bars(&original, &atr, &settings, &mut stream(17)).unwrap();
    assert_eq!(one[17], bits(&alone));
    assert_ne!(one[16], one[17], "copies differ");
}

#[test]
fn the_share_of_moved_prices_and_the_moves_follow_the_settings() {
    // 20,000 bars, closes moved with probability 0.3 by a uniform amount on [-0.5, 0.5) ATR.
    let (original, _) = walk(20_000, 5);
    let atr = vec![2.0; original.len()];
    let settings = NoiseSettings {
        max_move_atr_fraction: 0.5,
        shares: FieldShares {
            open: 0.0,
            high: 0.0,
            low: 0.0,
            close: 0.3,
        },
    };
    let noisy = noise_bars(
        &original,
        &atr,
        &settings,
        &mut ChaCha8Rng::seed_from_u64(8),
    )
    .unwrap();
    assert_eq!(noisy.open(), original.open(), "a share of 0 moves nothing");
    let moves: Vec<f64> = noisy
        .close()
        .iter()
        .zip(original.close())
        .map(|(after, before)| after - before)
        .filter(|change| *change != 0.0)
        .collect();
    // Binomial(20,000, 0.3): mean 6,000, standard deviation sqrt(20,000 * 0.3 * 0.7) = 64.8.
    assert!(
        (moves.len() as f64 - 6_000.0).abs() < 4.0 * 64.8,
        "{} closes moved",
        moves.len()
    );
    // Uniform on [-1, 1): every move within one price unit, mean 0 (standard error
    // sqrt(1/3 / 6,000) = 0.0075), a quarter of them beyond +0.5.
    assert!(moves.iter().all(|change| change.abs() <= 1.0));
    let mean = moves.iter().sum::<f64>() / moves.len() as f64;
    assert!(mean.abs() < 4.0 * 0.0075, "mean move {mean}");
    let upper = moves.iter().filter(|change| **change > 0.5).count() as f64 / moves.len() as f64;
    assert!((upper - 0.25).abs() < 0.03, "share above +0.5: {upper}");
}

#[test]
fn a_larger_share_moves_a_superset_by_the_same_amounts() {
    let (original, atr) = walk(3_000, 9);
    let with = |share: f64| {
        let settings = NoiseSettings {
            max_move_atr_fraction: 0.4,
            shares: FieldShares::all(share),
        };
        noise_bars(
            &original,
            &atr,
            &settings,
            &mut ChaCha8Rng::seed_from_u64(4),
        )
        .unwrap()
    };
    let (small, large) = (with(0.2), with(0.6));
    let mut moved_by_small = 0;
    // Opens and closes are never widened, so a move is the moved value itself.
    for (field, before) in [(0, original.open()), (1, original.close())] {
        let pick = |series: &BarSeries| {
            if field == 0 {
                series.open().to_vec()
            } else {
                series.close().to_vec()
            }
        };
        let (small, large) = (pick(&small), pick(&large));
        for bar in 0..before.len() {
            if small[bar] != before[bar] {
                moved_by_small += 1;
                assert_eq!(small[bar], large[bar], "field {field}, bar {bar}");
            }
        }
    }
    assert!(moved_by_small > 500);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the series, ATR and settings, every copy is a valid bar series: low <= min(open,
    /// close), max(open, close) <= high, all finite and above 0, with the original timestamps and
    /// volumes; opens and closes move by at most the largest move; unmoved (NaN ATR) bars stay.
    #[test]
    fn every_copy_holds_valid_bars(
        seed in any::<u64>(),
        bars in 1usize..300,
        fraction in 0.001f64..=1.0,
        shares in prop::array::uniform4(0.0f64..=1.0),
        atr_scale in 0.0f64..5.0,
    ) {
        let (original, mut atr) = walk(bars, seed);
        for value in atr.iter_mut().filter(|value| !value.is_nan()) {
            *value *= atr_scale;
        }
        let settings = NoiseSettings {
            max_move_atr_fraction: fraction,
            shares: FieldShares { open: shares[0], high: shares[1], low: shares[2], close: shares[3] },
        };
        let noisy = noise_bars(&original, &atr, &settings, &mut ChaCha8Rng::seed_from_u64(seed ^ 1))
            .unwrap();
        prop_assert_eq!(noisy.timestamps(), original.timestamps());
        prop_assert_eq!(noisy.volume(), original.volume());
        for (bar, &bar_atr) in atr.iter().enumerate() {
            let (open, high, low, close) =
                (noisy.open()[bar], noisy.high()[bar], noisy.low()[bar], noisy.close()[bar]);
            for price in [open, high, low, close] {
                prop_assert!(price.is_finite() && price > 0.0);
            }
            prop_assert!(low <= open.min(close) && open.max(close) <= high);
            let limit = fraction * bar_atr * (1.0 + 1e-12);
            if bar_atr.is_nan() {
                prop_assert_eq!(noisy.bar(bar), original.bar(bar));
            } else {
                prop_assert!((open - original.open()[bar]).abs() <= limit);
                prop_assert!((close - original.close()[bar]).abs() <= limit);
            }
        }
    }
}
