//! CSCV and the Probability of Backtest Overfitting against `tests/reference/pbo_vectors.json`
//! (pypbo's outputs and its per-split intermediate arrays). The split-level values (in-sample
//! blocks, n*, ranks, logits, metrics) are explicit in the vectors and must match exactly (1e-12).

use std::path::PathBuf;

use gauntlet_stats::StatsError;
use gauntlet_stats::overfitting::probability_of_backtest_overfitting;
use gauntlet_testkit::{assert_close, numbers, read_json};
use serde_json::Value;

fn vectors() -> Value {
    read_json(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/reference/pbo_vectors.json"))
}

fn close(actual: f64, expected: f64, what: &str) {
    assert_close(actual, expected, 1e-12, what);
}

#[test]
fn every_case_matches_pypbo_split_by_split() {
    let vectors = vectors();
    for (name, case) in vectors["cases"].as_object().unwrap() {
        let matrix: Vec<Vec<f64>> = case["M"].as_array().unwrap().iter().map(numbers).collect();
        let blocks = case["S"].as_u64().unwrap() as usize;
        let result = probability_of_backtest_overfitting(&matrix, blocks, 0.0).unwrap();
        assert_eq!(
            result.splits.len(),
            case["n_combinations"].as_u64().unwrap() as usize,
            "{name}"
        );
        let expected_blocks = case["combinations_IS_block_indices (itertools.combinations order)"]
            .as_array()
            .unwrap();
        let best = numbers(&case["n_star (0-based IS argmax)"]);
        let ranks = numbers(&case["oos_rank_of_n_star (scipy rankdata average, 1=worst)"]);
        let relative = numbers(&case["w_bar = rank/(N+1)"]);
        let logits = numbers(&case["logits"]);
        let in_sample = numbers(&case["R_n_star (IS metric of n*)"]);
        let out_of_sample = numbers(&case["R_bar_n_star (OOS metric of n*)"]);
        for (index, split) in result.splits.iter().enumerate() {
            let blocks: Vec<usize> = numbers(&expected_blocks[index])
                .iter()
                .map(|&block| block as usize)
                .collect();
            assert_eq!(split.in_sample_blocks, blocks, "{name} split {index}");
            assert_eq!(split.best, best[index] as usize, "{name} split {index}");
            close(split.out_of_sample_rank, ranks[index], name);
            close(split.relative_rank, relative[index], name);
            close(split.logit, logits[index], name);
            close(split.in_sample_metric, in_sample[index], name);
            close(split.out_of_sample_metric, out_of_sample[index], name);
        }
        close(
            result.probability_of_overfitting,
            case["pypbo.pbo"].as_f64().unwrap(),
            name,
        );
        close(
            result.probability_of_loss,
            case["pypbo.prob_oos_loss (threshold=0)"].as_f64().unwrap(),
            name,
        );
        close(
            result.mean_logit,
            case["mean_logit"].as_f64().unwrap(),
            name,
        );
        let fit = &case["degradation_linregress(R_n_star -> R_bar_n_star)"];
        close(
            result.degradation.slope,
            fit["slope"].as_f64().unwrap(),
            name,
        );
        close(
            result.degradation.intercept,
            fit["intercept"].as_f64().unwrap(),
            name,
        );
        close(
            result.degradation.correlation,
            fit["rvalue"].as_f64().unwrap(),
            name,
        );
    }
}

#[test]
fn bad_inputs_are_refused() {
    let matrix = vec![vec![0.01, 0.02]; 16];
    assert!(matches!(
        probability_of_backtest_overfitting(&matrix, 3, 0.0),
        Err(StatsError::Invalid(message)) if message.contains("even")
    ));
    let mut ragged = matrix.clone();
    ragged[5].pop();
    assert_eq!(
        probability_of_backtest_overfitting(&ragged, 4, 0.0).unwrap_err(),
        StatsError::RaggedMatrix {
            row: 5,
            found: 1,
            expected: 2
        }
    );
    assert!(probability_of_backtest_overfitting(&matrix[..6], 4, 0.0).is_err());
}
