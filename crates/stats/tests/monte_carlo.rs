//! Monte Carlo against `tests/reference/montecarlo_vectors.json`: every path given by explicit index
//! arrays (permutations, bootstrap indices, skip masks, extra costs) reproduced exactly (1e-12
//! relative: numpy compounds with cumprod, we with a running product); the 10,000-path summaries,
//! which depend on numpy's random generator, matched statistically.

use std::path::PathBuf;

use gauntlet_stats::monte_carlo::*;
use gauntlet_testkit::{assert_close, numbers, read_json};
use serde_json::Value;

fn vectors() -> Value {
    read_json(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/reference/montecarlo_vectors.json"),
    )
}

fn close(actual: f64, expected: f64, what: &str) {
    assert_close(actual, expected, 1e-12, what);
}

fn check(outcome: PathOutcome, expected: &Value, what: &str) {
    close(
        outcome.final_equity,
        expected["final_equity"].as_f64().unwrap(),
        what,
    );
    close(
        outcome.total_return,
        expected["total_return"].as_f64().unwrap(),
        what,
    );
    close(
        outcome.max_drawdown,
        expected["max_dd_pct"].as_f64().unwrap(),
        what,
    );
    close(
        outcome.max_drawdown_amount,
        expected["max_dd_abs"].as_f64().unwrap(),
        what,
    );
}

#[test]
fn explicit_paths_are_reproduced_exactly() {
    let vectors = vectors();
    let start = vectors["start_equity"].as_f64().unwrap();
    let sims = &vectors["explicit_sims"];
    let trades = numbers(&sims["original"]["trades"]);
    check(
        path_outcome(start, trades.iter().copied()),
        &sims["original"],
        "original",
    );
    for path in sims["shuffle"].as_array().unwrap() {
        let order = numbers(&path["perm"]);
        check(
            path_outcome(start, order.iter().map(|&index| trades[index as usize])),
            path,
            "shuffle",
        );
    }
    for path in sims["bootstrap_with_replacement"].as_array().unwrap() {
        let picks = numbers(&path["idx"]);
        check(
            path_outcome(start, picks.iter().map(|&index| trades[index as usize])),
            path,
            "bootstrap",
        );
    }
    for path in sims["skip_trades_p0.10"].as_array().unwrap() {
        let mask: Vec<bool> = path["skipped_mask"]
            .as_array()
            .unwrap()
            .iter()
            .map(|flag| flag.as_bool().unwrap())
            .collect();
        check(
            path_outcome(
                start,
                trades
                    .iter()
                    .zip(&mask)
                    .map(|(&value, &skip)| if skip { 0.0 } else { value }),
            ),
            path,
            "skip",
        );
    }
    for path in sims["slippage_uniform_0_to_0.002"].as_array().unwrap() {
        let costs = numbers(&path["extra_cost"]);
        check(
            path_outcome(
                start,
                trades.iter().zip(&costs).map(|(value, cost)| value - cost),
            ),
            path,
            "slippage",
        );
    }
}

/// 10,000 paths: percentiles within 1.5 percentage points of numpy's run (sampling error of a
/// 5th percentile over 10,000 paths is about 0.1-0.3 points here), probabilities within 0.02.
#[test]
fn summaries_match_statistically() {
    let vectors = vectors();
    let start = vectors["start_equity"].as_f64().unwrap();
    let trades = numbers(&vectors["explicit_sims"]["original"]["trades"]);
    let reference = &vectors["large_run_summaries_rng2024"];
    for (key, resampling) in [
        ("shuffle", Resampling::Shuffle),
        ("bootstrap", Resampling::Bootstrap),
        ("skip_0.10", Resampling::SkipTrades { probability: 0.1 }),
        ("slippage", Resampling::ExtraSlippage { max_cost: 0.002 }),
    ] {
        let expected = &reference[key];
        let summary = monte_carlo(&trades, start, resampling, 10_000, 2024);
        let near = |actual: f64, field: &str, tolerance: f64| {
            let theirs = expected[field].as_f64().unwrap();
            assert!(
                (actual - theirs).abs() <= tolerance,
                "{key} {field}: {actual} vs {theirs}"
            );
        };
        near(
            summary.total_return_percentiles[0],
            "p5_total_return",
            0.015,
        );
        near(
            summary.total_return_percentiles[2],
            "median_total_return",
            0.015,
        );
        near(
            summary.probability_of_profit,
            "prob_profit (total_return>0)",
            0.02,
        );
        near(summary.median_max_drawdown, "median_max_dd_pct", 0.015);
        near(
            summary.max_drawdown_5th_percentile,
            "p95_worst_max_dd_pct (5th pct of signed dd)",
            0.015,
        );
        near(
            summary.max_drawdown_1st_percentile,
            "p99_worst_max_dd_pct",
            0.015,
        );
    }
}

#[test]
fn the_thread_count_changes_nothing() {
    let trades: Vec<f64> = (0..200)
        .map(|index| ((index * 37 % 23) as f64 - 10.0) / 1_000.0)
        .collect();
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| monte_carlo(&trades, 1_000.0, Resampling::Bootstrap, 2_000, 9))
    };
    assert_eq!(run(1), run(3));
    assert_ne!(
        run(1),
        monte_carlo(&trades, 1_000.0, Resampling::Bootstrap, 2_000, 10)
    );
}
