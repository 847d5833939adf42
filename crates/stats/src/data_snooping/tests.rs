//! Unit tests of the data-snooping tests: sizes and input checked, degenerate candidates, the
//! chunked maxima against a direct computation.

use super::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn stream() -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(32)
}

#[test]
fn sizes_are_checked_before_work() {
    let bars = [0.0; 1_000];
    let over = |result: Result<RelativePerformance, StatsError>| match result {
        Err(StatsError::OverLimit { quantity, .. }) => quantity,
        other => panic!("{other:?}"),
    };
    let many: Vec<&[f64]> = vec![&bars[..3]; MAX_CANDIDATES + 1];
    assert_eq!(
        over(RelativePerformance::from_differences(&many)),
        "candidates"
    );
    let long = vec![0.0; MAX_BARS + 1];
    assert_eq!(
        over(RelativePerformance::from_differences(&[&long])),
        "bars"
    );
    let wide: Vec<&[f64]> = vec![&bars[..]; MAX_CELLS / 1_000 + 1];
    assert_eq!(
        over(RelativePerformance::from_differences(&wide)),
        "bars × candidates"
    );
    let performance = RelativePerformance::from_differences(&[[0.1, -0.2, 0.3]]).unwrap();
    let prepared = DataSnooping::new(&performance, 1.0).unwrap();
    let error = prepared
        .test(MAX_BOOTSTRAP_DRAWS + 1, &mut stream())
        .unwrap_err();
    assert!(matches!(
        error,
        StatsError::OverLimit {
            quantity: "bootstrap draws",
            ..
        }
    ));
    assert!(
        error.to_string().contains("bootstrap draws: 1000001"),
        "{error}"
    );
    assert!(prepared.test(0, &mut stream()).is_err());
}

#[test]
fn bad_input_is_named() {
    let error = RelativePerformance::from_differences(&[[0.1, 0.2]]).unwrap_err();
    assert!(error.to_string().contains("at least 3 bars"), "{error}");
    let error =
        RelativePerformance::from_returns(&[0.0; 4], &[vec![0.0; 4], vec![0.0; 3]]).unwrap_err();
    assert!(
        error.to_string().contains("candidate 1 has 3 bars"),
        "{error}"
    );
    let error =
        RelativePerformance::from_losses(&[0.0; 4], &[[0.0, 0.0, f64::NAN, 0.0]]).unwrap_err();
    assert!(
        error.to_string().contains("candidate 0 at bar 2"),
        "{error}"
    );
    let error =
        RelativePerformance::from_returns(&[0.0, f64::INFINITY, 0.0], &[[0.0; 3]]).unwrap_err();
    assert!(
        error.to_string().contains("benchmark's value at bar 1"),
        "{error}"
    );
    assert!(RelativePerformance::from_differences::<Vec<f64>>(&[]).is_err());
    let performance = RelativePerformance::from_differences(&[[0.1, -0.2, 0.3]]).unwrap();
    assert!(DataSnooping::new(&performance, 0.5).is_err());
    assert!(DataSnooping::new(&performance, 4.0).is_err());
    let prepared = DataSnooping::new(&performance, 1.0).unwrap();
    let short = [Block {
        start: 0,
        length: 2,
    }];
    assert!(prepared.draw_maxima(&short).is_err());
}

#[test]
fn returns_and_losses_give_the_same_differences() {
    let benchmark = [0.01, -0.02, 0.005, 0.0];
    let candidate = [0.02, -0.01, 0.0, 0.01];
    let from_returns = RelativePerformance::from_returns(&benchmark, &[candidate]).unwrap();
    let losses = |values: &[f64]| values.iter().map(|value| -value).collect::<Vec<_>>();
    let from_losses =
        RelativePerformance::from_losses(&losses(&benchmark), &[losses(&candidate)]).unwrap();
    assert_eq!(from_returns, from_losses);
    assert_eq!(from_returns.candidate(0), &[0.01, 0.01, -0.005, 0.01]);
}

/// With one candidate, studentising divides every value by one positive number: the same
/// p-values.
#[test]
fn one_candidate_studentised_or_not_gives_the_same_p_values() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let series: Vec<f64> = (0..200)
        .map(|_| rand::RngExt::random_range(&mut rng, -1.0..1.2))
        .collect();
    let performance = RelativePerformance::from_differences(&[series]).unwrap();
    let report = data_snooping_tests(
        &performance,
        BootstrapSettings::with_default_block_length(2_000, 200),
        &mut stream(),
    )
    .unwrap();
    assert_eq!(report.mean_block_length, 14.0);
    let (plain, studentised) = (report.spa_unstudentized, report.spa);
    assert_eq!(
        (plain.lower, plain.consistent, plain.upper),
        (studentised.lower, studentised.consistent, studentised.upper)
    );
    assert_eq!(report.reality_check.p_value, plain.upper);
}

/// A candidate identical to the benchmark (`d = 0` everywhere) ties the statistic at every
/// draw: no evidence, p-value 1.
#[test]
fn a_candidate_identical_to_the_benchmark_has_p_value_one() {
    let returns = [0.01, -0.02, 0.005, 0.0, 0.03];
    let performance = RelativePerformance::from_returns(&returns, &[returns]).unwrap();
    let report = data_snooping_tests(
        &performance,
        BootstrapSettings {
            draws: 50,
            mean_block_length: 2.0,
        },
        &mut stream(),
    )
    .unwrap();
    assert_eq!(report.reality_check.statistic, 0.0);
    let plain = report.spa_unstudentized;
    assert_eq!(
        (plain.lower, plain.consistent, plain.upper),
        (1.0, 1.0, 1.0)
    );
}

/// A candidate whose difference from the benchmark is one constant: every resampled mean is
/// that constant. Unstudentised, no draw's recentred maximum (0) beats a positive mean; it has
/// no standard error, so the studentised test is undefined.
#[test]
fn a_constant_difference_has_no_standard_error() {
    let performance = RelativePerformance::from_differences(&[[0.5; 10]]).unwrap();
    let prepared = DataSnooping::new(&performance, 2.0).unwrap();
    assert_eq!(prepared.variances(), &[0.0]);
    assert_eq!(prepared.studentized_statistic(), None);
    let report = prepared.test(100, &mut stream()).unwrap();
    assert_eq!(report.spa_unstudentized.upper, 0.0);
    assert_eq!(report.reality_check.statistic, 0.5);
    assert!(report.spa.statistic.is_nan() && report.spa.consistent.is_nan());
    assert_eq!(report.spa.best_candidate, None);
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.contains("\"consistent\":null"), "{json}");
    let back: DataSnoopingReport = serde_json::from_str(&json).unwrap();
    assert!(back.spa.upper.is_nan());
    assert_eq!(back.reality_check, report.reality_check);
}

/// More candidates than one chunk holds: each draw's maxima from the chunked prefix sums equal
/// a direct computation (resampled means from the index array, recentred, maximised), and the
/// report is the same on any number of threads.
#[test]
fn chunked_maxima_equal_a_direct_computation() {
    use crate::stationary_bootstrap::{indices_of_blocks, stationary_bootstrap_blocks};
    let (bars, candidates) = (40, 150);
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let columns: Vec<Vec<f64>> = (0..candidates)
        .map(|k| {
            (0..bars)
                .map(|_| rand::RngExt::random_range(&mut rng, -1.0..1.0) + 0.004 * k as f64 - 0.3)
                .collect()
        })
        .collect();
    let performance = RelativePerformance::from_differences(&columns).unwrap();
    let prepared = DataSnooping::new(&performance, 3.0).unwrap();
    let size = bars as f64;
    let mut blocks = Vec::new();
    for _ in 0..20 {
        stationary_bootstrap_blocks(bars, 3.0, &mut rng, &mut blocks).unwrap();
        let indices = indices_of_blocks(&blocks, bars);
        let mut want = [[f64::NEG_INFINITY; 3]; 2];
        for (k, column) in columns.iter().enumerate() {
            let mean = indices.iter().map(|&t| column[t]).sum::<f64>() / size;
            let mu = [
                prepared.means()[k].max(0.0),
                if prepared.relevant()[k] {
                    prepared.means()[k]
                } else {
                    0.0
                },
                prepared.means()[k],
            ];
            let scale = size.sqrt() / prepared.variances()[k].sqrt();
            for (way, mu) in mu.iter().enumerate() {
                want[0][way] = want[0][way].max(mean - mu);
                want[1][way] = want[1][way].max((mean - mu) * scale);
            }
        }
        let got = prepared.draw_maxima(&blocks).unwrap();
        for (got, want) in got.unstudentized.iter().zip(want[0]) {
            assert!((got - want).abs() < 1e-12);
        }
        for (got, want) in got.studentized.iter().zip(want[1]) {
            assert!((got - want).abs() < 1e-10);
        }
    }
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| prepared.test(300, &mut stream()).unwrap())
    };
    assert_eq!(on(1), on(3));
}
