//! White's Reality Check and Hansen's SPA against arch 8.0.0: the values of
//! `tests/reference/data_snooping_vectors.json`, written by
//! `scripts/reference/data_snooping_vectors.py`.
//!
//! - The parts that do not depend on the draws (each candidate's mean, arch's variance estimate,
//!   which candidates are relevant to the consistent p-value, the statistics) to 1e-9.
//! - Given arch's own index arrays (the replayed case), every draw's maxima to 1e-9 and the
//!   p-values exactly.
//! - With 10,000 draws of our own (a ChaCha8 stream), the p-values within 0.02 of arch's 10,000
//!   (and of the studentised figures the script computes on arch's draws).

use gauntlet_stats::data_snooping::{
    BootstrapSettings, DataSnooping, DataSnoopingReport, RelativePerformance, SpaTest,
    data_snooping_tests,
};
use gauntlet_stats::stationary_bootstrap::blocks_of_indices;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Document {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    form: String,
    block_size: f64,
    bars: usize,
    candidates: usize,
    benchmark: Vec<f64>,
    models: Vec<Vec<f64>>,
    expected: Expected,
    replay: Option<Replay>,
}

#[derive(Deserialize)]
struct Expected {
    means: Vec<f64>,
    variances: Vec<f64>,
    relevant: Vec<bool>,
    unstudentized_statistic: f64,
    best_candidate: usize,
    studentized_statistic: f64,
    arch_draws: usize,
    arch_pvalues: BTreeMap<String, f64>,
    studentized_pvalues: BTreeMap<String, f64>,
}

#[derive(Deserialize)]
struct Replay {
    indices: Vec<Vec<usize>>,
    unstudentized_maxima: Vec<[f64; 3]>,
    studentized_maxima: Vec<[f64; 3]>,
}

fn document() -> Document {
    serde_json::from_str(include_str!("reference/data_snooping_vectors.json")).unwrap()
}

/// The case's matrix as arch saw it: losses (d = benchmark − model), or for the returns case
/// minus the returns it was given, turned back into returns (d = candidate − benchmark, the same
/// floating-point operation).
fn performance(case: &Case) -> RelativePerformance {
    match case.form.as_str() {
        "losses" => RelativePerformance::from_losses(&case.benchmark, &case.models).unwrap(),
        "returns" => {
            let benchmark: Vec<f64> = case.benchmark.iter().map(|value| -value).collect();
            let candidates: Vec<Vec<f64>> = case
                .models
                .iter()
                .map(|model| model.iter().map(|value| -value).collect())
                .collect();
            RelativePerformance::from_returns(&benchmark, &candidates).unwrap()
        }
        other => panic!("unknown form {other}"),
    }
}

fn close(label: &str, got: f64, want: f64, tolerance: f64) {
    let scale = want.abs().max(1.0);
    assert!(
        (got - want).abs() <= tolerance * scale,
        "{label}: {got}, want {want}"
    );
}

fn p_values(test: &SpaTest) -> [(&'static str, f64); 3] {
    [
        ("lower", test.lower),
        ("consistent", test.consistent),
        ("upper", test.upper),
    ]
}

#[test]
fn the_deterministic_parts_match_arch() {
    let document = document();
    assert_eq!(document.cases.len(), 5);
    for case in &document.cases {
        let performance = performance(case);
        assert_eq!(
            (performance.bars(), performance.candidates()),
            (case.bars, case.candidates)
        );
        let prepared = DataSnooping::new(&performance, case.block_size).unwrap();
        let expected = &case.expected;
        for k in 0..case.candidates {
            let label = format!("{} candidate {k}", case.name);
            close(
                &format!("{label} mean"),
                prepared.means()[k],
                expected.means[k],
                1e-9,
            );
            close(
                &format!("{label} variance"),
                prepared.variances()[k],
                expected.variances[k],
                1e-9,
            );
        }
        assert_eq!(prepared.relevant(), &expected.relevant[..], "{}", case.name);
        let (statistic, best) = prepared.unstudentized_statistic();
        close(
            &case.name,
            statistic,
            expected.unstudentized_statistic,
            1e-9,
        );
        assert_eq!(best, expected.best_candidate, "{}", case.name);
        let (studentized, _) = prepared.studentized_statistic().unwrap();
        close(
            &case.name,
            studentized,
            expected.studentized_statistic,
            1e-9,
        );
    }
}

#[test]
fn arch_s_own_draws_give_arch_s_maxima_and_p_values() {
    let document = document();
    let case = document
        .cases
        .iter()
        .find(|case| case.replay.is_some())
        .unwrap();
    let replay = case.replay.as_ref().unwrap();
    let prepared = DataSnooping::new(&performance(case), case.block_size).unwrap();
    let resamples: Vec<_> = replay
        .indices
        .iter()
        .map(|indices| blocks_of_indices(indices, case.bars).unwrap())
        .collect();
    assert_eq!(resamples.len(), case.expected.arch_draws);
    for (draw, blocks) in resamples.iter().enumerate() {
        let maxima = prepared.draw_maxima(blocks).unwrap();
        for way in 0..3 {
            let label = format!("draw {draw} way {way}");
            close(
                &label,
                maxima.unstudentized[way],
                replay.unstudentized_maxima[draw][way],
                1e-9,
            );
            close(
                &label,
                maxima.studentized[way],
                replay.studentized_maxima[draw][way],
                1e-9,
            );
        }
    }
    let report = prepared.test_resamples(&resamples).unwrap();
    for (name, got) in p_values(&report.spa_unstudentized) {
        assert_eq!(got, case.expected.arch_pvalues[name], "arch's {name}");
    }
    for (name, got) in p_values(&report.spa) {
        assert_eq!(
            got, case.expected.studentized_pvalues[name],
            "studentised {name}"
        );
    }
    assert_eq!(
        report.reality_check.p_value,
        case.expected.arch_pvalues["upper"]
    );
}

fn our_report(case: &Case, seed: u64) -> DataSnoopingReport {
    let settings = BootstrapSettings {
        draws: 10_000,
        mean_block_length: case.block_size,
    };
    let mut stream = ChaCha8Rng::seed_from_u64(seed);
    data_snooping_tests(&performance(case), settings, &mut stream).unwrap()
}

#[test]
fn our_p_values_agree_with_arch_s_within_two_hundredths() {
    let document = document();
    for case in document
        .cases
        .iter()
        .filter(|case| case.expected.arch_draws == 10_000)
    {
        let report = our_report(case, 32);
        for (name, got) in p_values(&report.spa_unstudentized) {
            let want = case.expected.arch_pvalues[name];
            println!("{}: {name} ours {got:.4} arch {want:.4}", case.name);
            assert!(
                (got - want).abs() <= 0.02,
                "{} {name}: {got}, arch {want}",
                case.name
            );
        }
        for (name, got) in p_values(&report.spa) {
            let want = case.expected.studentized_pvalues[name];
            println!(
                "{}: studentised {name} ours {got:.4} reference {want:.4}",
                case.name
            );
            assert!(
                (got - want).abs() <= 0.02,
                "{} studentised {name}: {got}, {want}",
                case.name
            );
        }
        assert_eq!(report.reality_check.p_value, report.spa_unstudentized.upper);
        assert_eq!(
            report.reality_check.best_candidate,
            case.expected.best_candidate
        );
    }
}

#[test]
fn the_report_is_the_same_on_any_number_of_threads() {
    let document = document();
    let case = &document.cases[0];
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let mut stream = ChaCha8Rng::seed_from_u64(9);
                DataSnooping::new(&performance(case), case.block_size)
                    .unwrap()
                    .test(1_000, &mut stream)
                    .unwrap()
            })
    };
    let one = on(1);
    assert_eq!(one, on(2));
    assert_eq!(one, on(5));
}
