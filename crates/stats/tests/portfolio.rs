//! The portfolio of champions against pandas 3.1.1 and numpy 2.4.6 on real members: daily returns
//! of simple rules on the bundled AAPL, AMD, BAC, CVX (New York), AZN (London) and BTC/USD (every
//! day) bars over different spans, a member held throughout and one that never trades
//! (`tests/reference/portfolio_vectors.json`, written by `scripts/reference/portfolio_vectors.py`):
//! the common calendar, the correlation matrix (to 1e-12), the greedy selection under seven bounds
//! (decision by decision), the weights and the buy-and-hold portfolio's returns (to 1e-12), and
//! daily returns from 1,000 of the bundled BTC/USD hourly closes taken as an equity curve.

use gauntlet_core::Timestamp;
use gauntlet_stats::portfolio::{
    DailyReturns, Decision, Weighting, align_daily_returns, correlation_matrix,
    daily_returns_from_equity, max_pairwise_correlation, portfolio_returns, portfolio_weights,
    select_uncorrelated,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Document {
    members: Vec<Member>,
    fitness: Vec<f64>,
    aligned: Aligned,
    correlation: Vec<Vec<Option<f64>>>,
    selections: Vec<Selection>,
    equity_to_daily: EquityToDaily,
}

#[derive(Deserialize)]
struct Member {
    name: String,
    days_ms: Vec<i64>,
    returns: Vec<f64>,
}

#[derive(Deserialize)]
struct Aligned {
    days_ms: Vec<i64>,
    returns: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
struct Selection {
    max_correlation: f64,
    max_members: usize,
    members: Vec<usize>,
    decisions: Vec<serde_json::Value>,
    equal_weights: Vec<f64>,
    equal_weight_returns: Vec<f64>,
    inverse_volatility_weights: Vec<f64>,
    inverse_volatility_returns: Vec<f64>,
}

#[derive(Deserialize)]
struct EquityToDaily {
    start_equity: f64,
    timestamps_ms: Vec<i64>,
    equity: Vec<f64>,
    days_ms: Vec<i64>,
    returns: Vec<f64>,
}

fn document() -> Document {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/portfolio_vectors.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn timestamps(millis: &[i64]) -> Vec<Timestamp> {
    millis.iter().copied().map(Timestamp).collect()
}

fn close(label: &str, found: &[f64], expected: &[f64]) {
    assert_eq!(found.len(), expected.len(), "{label}: lengths");
    for (index, (found, expected)) in found.iter().zip(expected).enumerate() {
        assert!(
            (found - expected).abs() <= 1e-12,
            "{label}[{index}]: {found} against {expected}"
        );
    }
}

fn decision(value: &serde_json::Value) -> Decision {
    match value["decision"].as_str().unwrap() {
        "selected" => Decision::Selected {
            position: value["position"].as_u64().unwrap() as usize,
        },
        "too_correlated" => Decision::TooCorrelated {
            with: value["with"].as_u64().unwrap() as usize,
            correlation: value["correlation"].as_f64().unwrap(),
        },
        "no_fitness" => Decision::NoFitness,
        "no_variation" => Decision::NoVariation,
        "portfolio_full" => Decision::PortfolioFull,
        other => panic!("unknown decision {other}"),
    }
}

#[test]
fn the_portfolio_matches_pandas_on_members_of_three_calendars() {
    let document = document();
    let members: Vec<DailyReturns> = document
        .members
        .iter()
        .map(|member| DailyReturns {
            days: timestamps(&member.days_ms),
            returns: member.returns.clone(),
        })
        .collect();
    let aligned = align_daily_returns(&members).unwrap();
    assert_eq!(aligned.days, timestamps(&document.aligned.days_ms));
    for (member, (found, expected)) in aligned
        .returns
        .iter()
        .zip(&document.aligned.returns)
        .enumerate()
    {
        assert_eq!(found, expected, "{}", document.members[member].name);
    }
    let matrix = correlation_matrix(&aligned);
    for (i, row) in document.correlation.iter().enumerate() {
        for (j, expected) in row.iter().enumerate() {
            match expected {
                None => assert!(matrix[i][j].is_nan(), "({i}, {j}) is {}", matrix[i][j]),
                Some(expected) => assert!(
                    (matrix[i][j] - expected).abs() <= 1e-12,
                    "({i}, {j}): {} against {expected}",
                    matrix[i][j]
                ),
            }
        }
    }
    assert_eq!(document.selections.len(), 7);
    for case in &document.selections {
        let label = format!("R = {}, {} members", case.max_correlation, case.max_members);
        let selection = select_uncorrelated(
            &document.fitness,
            &matrix,
            case.max_correlation,
            case.max_members,
        )
        .unwrap();
        assert_eq!(selection.members, case.members, "{label}");
        for (candidate, expected) in case.decisions.iter().enumerate() {
            match (selection.decisions[candidate], decision(expected)) {
                (
                    Decision::TooCorrelated { with, correlation },
                    Decision::TooCorrelated {
                        with: expected_with,
                        correlation: expected_correlation,
                    },
                ) => {
                    assert_eq!(with, expected_with, "{label}, candidate {candidate}");
                    assert!((correlation - expected_correlation).abs() <= 1e-12);
                }
                (found, expected) => assert_eq!(found, expected, "{label}, candidate {candidate}"),
            }
        }
        let highest = max_pairwise_correlation(&matrix, &selection.members);
        assert!(selection.members.len() < 2 || highest <= case.max_correlation);
        let equal = portfolio_weights(&aligned, &selection.members, Weighting::Equal).unwrap();
        close(
            &format!("{label} equal weights"),
            &equal,
            &case.equal_weights,
        );
        close(
            &format!("{label} equal-weight returns"),
            &portfolio_returns(&aligned, &selection.members, &equal).unwrap(),
            &case.equal_weight_returns,
        );
        let inverse =
            portfolio_weights(&aligned, &selection.members, Weighting::InverseVolatility).unwrap();
        close(
            &format!("{label} inverse-volatility weights"),
            &inverse,
            &case.inverse_volatility_weights,
        );
        close(
            &format!("{label} inverse-volatility returns"),
            &portfolio_returns(&aligned, &selection.members, &inverse).unwrap(),
            &case.inverse_volatility_returns,
        );
    }
}

#[test]
fn daily_returns_of_an_hourly_equity_curve_match_pandas() {
    let reference = document().equity_to_daily;
    assert_eq!(reference.equity.len(), 1_000);
    let daily = daily_returns_from_equity(
        &timestamps(&reference.timestamps_ms),
        &reference.equity,
        reference.start_equity,
    )
    .unwrap();
    assert_eq!(daily.days, timestamps(&reference.days_ms));
    close("daily returns", &daily.returns, &reference.returns);
}
