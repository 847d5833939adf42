//! Masters' permutation of bars: the rebuilt bars are valid, keep the first bar, end at the
//! original's last close, and hold the original's gaps and shapes (each as a unit) in another
//! order; series on one calendar share the permutation; close-only series stay close-only. Checked
//! on random series (proptest) and on the bundled S&P 500 and Nasdaq daily bars.

use gauntlet_core::{Bar, BarColumns, BarSeries, PriceFields, Timestamp};
use gauntlet_data::{BarPermutation, apply_permutation, permute_bars, read_parquet};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Each bar after the first: its gap `ln open − ln previous close`.
fn gaps(series: &BarSeries) -> Vec<f64> {
    (1..series.len())
        .map(|t| series.open()[t].ln() - series.close()[t - 1].ln())
        .collect()
}

/// Each bar after the first: its shape (high, low, close against the open, in logs) and volume.
fn shapes(series: &BarSeries) -> Vec<[f64; 4]> {
    (1..series.len())
        .map(|t| {
            let base = series.open()[t].ln();
            [
                series.high()[t].ln() - base,
                series.low()[t].ln() - base,
                series.close()[t].ln() - base,
                series.volume()[t],
            ]
        })
        .collect()
}

fn assert_valid(series: &BarSeries) {
    for bar in series.bars() {
        for price in [bar.open, bar.high, bar.low, bar.close] {
            assert!(price.is_finite() && price > 0.0, "{bar:?}");
        }
        assert!(bar.low <= bar.open.min(bar.close), "{bar:?}");
        assert!(bar.open.max(bar.close) <= bar.high, "{bar:?}");
    }
}

/// The permuted series is the original's pieces in the permutation's order: gap `i` of the output
/// is the original's gap `permutation.gaps[i]`, shape `i` its shape `permutation.shapes[i]`.
fn assert_pieces_moved(original: &BarSeries, permuted: &BarSeries, permutation: &BarPermutation) {
    let (before_gaps, after_gaps) = (gaps(original), gaps(permuted));
    let (before_shapes, after_shapes) = (shapes(original), shapes(permuted));
    for i in 0..after_gaps.len() {
        let gap = before_gaps[permutation.gaps[i] - 1];
        assert!(
            (after_gaps[i] - gap).abs() < 1e-9,
            "gap {i}: {} vs {gap}",
            after_gaps[i]
        );
        let shape = before_shapes[permutation.shapes[i] - 1];
        for part in 0..3 {
            assert!(
                (after_shapes[i][part] - shape[part]).abs() < 1e-9,
                "shape {i} part {part}: {:?} vs {shape:?}",
                after_shapes[i]
            );
        }
        assert_eq!(after_shapes[i][3], shape[3], "volume {i}");
    }
}

fn sorted(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    values
}

/// A random walk of OHLC bars: log changes drawn per bar, the high and low around open and close.
fn walk_strategy() -> impl Strategy<Value = BarSeries> {
    (2usize..120, any::<bool>()).prop_flat_map(|(length, close_only)| {
        (
            prop::collection::vec(
                (
                    -0.05f64..0.05,
                    -0.08f64..0.08,
                    0.0f64..0.04,
                    0.0f64..0.04,
                    0.0f64..1e6,
                ),
                length,
            ),
            1.0f64..1_000.0,
            Just(close_only),
        )
            .prop_map(|(steps, start, close_only)| {
                let mut columns = BarColumns::with_capacity(steps.len());
                let mut close = start;
                for (t, (gap, body, above, below, volume)) in steps.into_iter().enumerate() {
                    let open = close * gap.exp();
                    close = open * body.exp();
                    columns.push(Bar {
                        timestamp: Timestamp(t as i64 * 86_400_000),
                        open,
                        high: open.max(close) * (1.0 + above),
                        low: open.min(close) / (1.0 + below),
                        close,
                        volume,
                    });
                }
                if close_only {
                    BarSeries::close_only(columns.timestamps, columns.close, Some(columns.volume))
                        .unwrap()
                } else {
                    BarSeries::new(columns, true).unwrap()
                }
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn permuted_bars_are_valid_and_keep_the_pieces(series in walk_strategy(), seed in any::<u64>()) {
        let permuted = permute_bars(&[&series], &mut ChaCha8Rng::seed_from_u64(seed)).unwrap();
        let permuted = &permuted[0];
        assert_valid(permuted);
        prop_assert_eq!(permuted.timestamps(), series.timestamps());
        prop_assert_eq!(permuted.bar(0), series.bar(0));
        prop_assert_eq!(permuted.price_fields(), series.price_fields());
        let (last, original) = (permuted.close()[series.len() - 1], series.close()[series.len() - 1]);
        prop_assert!((last / original - 1.0).abs() < 1e-12, "last close {} vs {}", last, original);
        // The multisets: sorted gaps, and each part of the sorted shapes, equal to rounding.
        for (after, before) in sorted(gaps(permuted)).iter().zip(sorted(gaps(&series))) {
            prop_assert!((after - before).abs() < 1e-9);
        }
        for part in 0..4 {
            let pick = |series: &BarSeries| sorted(shapes(series).iter().map(|shape| shape[part]).collect());
            for (after, before) in pick(permuted).iter().zip(pick(&series)) {
                prop_assert!((after - before).abs() < 1e-9, "part {}: {} vs {}", part, after, before);
            }
        }
        // And as units: the same draw, replayed, says where each piece went.
        let permutation = BarPermutation::draw(series.len(), &mut ChaCha8Rng::seed_from_u64(seed));
        assert_pieces_moved(&series, permuted, &permutation);
    }
}

#[test]
fn a_permutation_is_two_independent_shuffles_of_the_bars_after_the_first() {
    let permutation = BarPermutation::draw(300, &mut ChaCha8Rng::seed_from_u64(4));
    let every: Vec<usize> = (1..300).collect();
    let mut gaps = permutation.gaps.clone();
    gaps.sort_unstable();
    let mut shapes = permutation.shapes.clone();
    shapes.sort_unstable();
    assert_eq!((gaps, shapes), (every.clone(), every.clone()));
    assert_ne!(permutation.gaps, every, "the gaps are shuffled");
    assert_ne!(permutation.shapes, every, "the shapes are shuffled");
    assert_ne!(permutation.gaps, permutation.shapes, "by separate draws");
    // Degenerate lengths: nothing to permute.
    assert_eq!(
        BarPermutation::draw(1, &mut ChaCha8Rng::seed_from_u64(4)).gaps,
        Vec::<usize>::new()
    );
    assert_eq!(
        BarPermutation::draw(0, &mut ChaCha8Rng::seed_from_u64(4)).gaps,
        Vec::<usize>::new()
    );
}

fn bundled(name: &str) -> BarSeries {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../datasets")
        .join(name);
    read_parquet(&path).unwrap().0
}

/// Pearson correlation of two equally long series.
fn correlation(first: &[f64], second: &[f64]) -> f64 {
    let size = first.len() as f64;
    let (mean_a, mean_b) = (
        first.iter().sum::<f64>() / size,
        second.iter().sum::<f64>() / size,
    );
    let (mut cross, mut square_a, mut square_b) = (0.0, 0.0, 0.0);
    for (a, b) in first.iter().zip(second) {
        cross += (a - mean_a) * (b - mean_b);
        square_a += (a - mean_a).powi(2);
        square_b += (b - mean_b).powi(2);
    }
    cross / (square_a * square_b).sqrt()
}

#[test]
fn symbols_on_one_calendar_share_the_permutation_and_keep_their_correlation() {
    // The S&P 500 and the Nasdaq Composite, cut to the dates both have.
    let (sp500, nasdaq) = (
        bundled("sp500-1d.parquet"),
        bundled("nasdaq-composite-1d.parquet"),
    );
    let common: Vec<Timestamp> = sp500
        .timestamps()
        .iter()
        .filter(|time| nasdaq.timestamps().binary_search(time).is_ok())
        .copied()
        .collect();
    assert!(common.len() > 1_000, "{} common dates", common.len());
    let on_common = |series: &BarSeries| {
        let mut columns = BarColumns::with_capacity(common.len());
        for bar in series
            .bars()
            .filter(|bar| common.binary_search(&bar.timestamp).is_ok())
        {
            columns.push(bar);
        }
        BarSeries::from_parts(columns, series.price_fields(), series.has_volume()).unwrap()
    };
    let (first, second) = (on_common(&sp500), on_common(&nasdaq));
    // A third series on another calendar: the S&P 500's first 500 bars.
    let other = sp500.slice(0..500);
    let universe = [&first, &other, &second];
    let permuted = permute_bars(&universe, &mut ChaCha8Rng::seed_from_u64(77)).unwrap();
    // Draws in calendar order: the shared calendar's first, then the other calendar's.
    let mut replay = ChaCha8Rng::seed_from_u64(77);
    let shared = BarPermutation::draw(first.len(), &mut replay);
    let own = BarPermutation::draw(other.len(), &mut replay);
    assert_eq!(permuted[0], apply_permutation(&first, &shared).unwrap());
    assert_eq!(permuted[2], apply_permutation(&second, &shared).unwrap());
    assert_eq!(permuted[1], apply_permutation(&other, &own).unwrap());
    for (original, permuted) in [
        (&first, &permuted[0]),
        (&second, &permuted[2]),
        (&other, &permuted[1]),
    ] {
        assert_valid(permuted);
        let (last, want) = (
            permuted.close()[original.len() - 1],
            original.close()[original.len() - 1],
        );
        assert!((last / want - 1.0).abs() < 1e-12, "{last} vs {want}");
    }
    // The gaps' and the closes' cross-correlations between the two symbols are unchanged (each
    // pair of pieces moved together); the serial order is not.
    let close_parts = |series: &BarSeries| {
        shapes(series)
            .iter()
            .map(|shape| shape[2])
            .collect::<Vec<_>>()
    };
    for (pieces, name) in [
        (gaps as fn(&BarSeries) -> Vec<f64>, "gaps"),
        (close_parts, "bodies"),
    ] {
        let before = correlation(&pieces(&first), &pieces(&second));
        let after = correlation(&pieces(&permuted[0]), &pieces(&permuted[2]));
        assert!((before - after).abs() < 1e-9, "{name}: {before} vs {after}");
    }
    assert_ne!(permuted[0].close(), first.close());
}

#[test]
fn a_close_only_series_permutes_its_close_to_close_changes() {
    let series = bundled("aapl-close-1d.parquet");
    assert_eq!(series.price_fields(), PriceFields::CloseOnly);
    let permuted = permute_bars(&[&series], &mut ChaCha8Rng::seed_from_u64(3)).unwrap();
    let permuted = &permuted[0];
    assert_eq!(permuted.price_fields(), PriceFields::CloseOnly);
    let changes = |series: &BarSeries| -> Vec<f64> {
        series
            .close()
            .windows(2)
            .map(|pair| (pair[1] / pair[0]).ln())
            .collect()
    };
    for (after, before) in sorted(changes(permuted))
        .iter()
        .zip(sorted(changes(&series)))
    {
        assert!((after - before).abs() < 1e-9);
    }
    let last = series.len() - 1;
    assert!((permuted.close()[last] / series.close()[last] - 1.0).abs() < 1e-12);
    assert_ne!(changes(permuted), changes(&series));
}

#[test]
fn the_identity_permutation_rebuilds_the_series() {
    let series = bundled("sp500-1d.parquet");
    let rebuilt = apply_permutation(&series, &BarPermutation::identity(series.len())).unwrap();
    for (after, before) in rebuilt.bars().zip(series.bars()) {
        for (a, b) in [
            (after.open, before.open),
            (after.high, before.high),
            (after.low, before.low),
            (after.close, before.close),
        ] {
            assert!((a / b - 1.0).abs() < 1e-12, "{after:?} vs {before:?}");
        }
    }
}

#[test]
fn a_path_that_leaves_the_price_range_is_an_error_naming_the_series() {
    // Two enormous gaps: in the original one goes up and the next comes back down; a permutation
    // that puts both ups first overshoots MAX_PRICE.
    let closes = [1.0, 1e11, 1.0, 1e11, 1.0];
    let series = BarSeries::close_only(
        (0..5).map(|day| Timestamp(day * 86_400_000)).collect(),
        closes.to_vec(),
        None,
    )
    .unwrap();
    let permutation = BarPermutation {
        gaps: vec![1, 3, 2, 4],
        shapes: vec![1, 2, 3, 4],
    };
    assert!(apply_permutation(&series, &permutation).is_err());
    let error = (0..200)
        .find_map(|seed| {
            permute_bars(&[&series, &series], &mut ChaCha8Rng::seed_from_u64(seed)).err()
        })
        .expect("some permutation overshoots");
    assert!(error.to_string().contains("permuting series 0"), "{error}");
}
