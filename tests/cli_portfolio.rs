//! `gauntlet portfolio` end to end: over a run on the quickstart's four datasets and a category
//! comparison, every pair of members correlates at most the bound, the weights add up to 1, the
//! file is refused without --force, and bad bounds fail before any work with exit code 2. The
//! portfolio paper-traded on the merged datasets (`paper --portfolio`) makes the trades of its
//! backtest (`backtest --portfolio`), trade for trade, and the same equity at every timestamp.

mod common;

use std::path::Path;

use common::{command, ok, small_experiment};

/// Pearson's correlation, written out here (not the library's): sum of co-deviations over the
/// square root of the product of the sums of squared deviations.
fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean_x = x.iter().sum::<f64>() / n;
    let mean_y = y.iter().sum::<f64>() / n;
    let mut covariance = 0.0;
    let mut variance_x = 0.0;
    let mut variance_y = 0.0;
    for (a, b) in x.iter().zip(y) {
        covariance += (a - mean_x) * (b - mean_y);
        variance_x += (a - mean_x).powi(2);
        variance_y += (b - mean_y).powi(2);
    }
    covariance / (variance_x * variance_y).sqrt()
}

fn evolve(folder: &Path, name: &str, seed: u64) -> std::path::PathBuf {
    let config = small_experiment(
        folder,
        name,
        seed,
        3,
        40,
        &["sp500-1d", "msft-1d", "eurusd-1h", "wti-1d"],
    );
    let out = folder.join(name);
    ok(&command(&[
        "evolve",
        "--config",
        config.to_str().unwrap(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ])
    .output()
    .unwrap());
    out
}

#[test]
fn a_portfolio_keeps_every_pair_of_members_under_the_bound() {
    let folder = tempfile::tempdir().unwrap();
    let first = evolve(folder.path(), "first", 42);
    let second = evolve(folder.path(), "second", 7);
    let file = folder.path().join("portfolio.json");
    let bound = 0.5;
    let stdout = ok(&command(&[
        "portfolio",
        first.to_str().unwrap(),
        second.to_str().unwrap(),
        "--max-correlation",
        &bound.to_string(),
        "--weights",
        "inverse-volatility",
        "--out",
        file.to_str().unwrap(),
    ])
    .output()
    .unwrap());
    assert!(
        stdout.contains("portfolio") && stdout.contains("holdout"),
        "{stdout}"
    );
    let portfolio: gauntlet_jobs::portfolio::PortfolioFile =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(portfolio.format, "gauntlet-portfolio");
    assert!(!portfolio.members.is_empty());
    let weights: f64 = portfolio.members.iter().map(|member| member.weight).sum();
    assert!((weights - 1.0).abs() < 1e-9);
    // Each member's daily returns on validation, read again from its run folder; every pair
    // correlates at most the bound (Pearson computed here).
    let aligned = gauntlet_jobs::portfolio::member_validation_returns(&portfolio).unwrap();
    for i in 0..aligned.returns.len() {
        for j in i + 1..aligned.returns.len() {
            let correlation = pearson(&aligned.returns[i], &aligned.returns[j]);
            assert!(
                correlation <= bound + 1e-12,
                "members {i} and {j}: {correlation}"
            );
        }
    }
    paper_replay_equals_backtest(folder.path(), &first, &second);
    // With a bound of 1 the same genome chosen by two categories is still one candidate each, so
    // the portfolio holds at least as many members.
    let loose = folder.path().join("loose.json");
    ok(&command(&[
        "portfolio",
        first.to_str().unwrap(),
        second.to_str().unwrap(),
        "--max-correlation",
        "1",
        "--out",
        loose.to_str().unwrap(),
    ])
    .output()
    .unwrap());
    let loose: gauntlet_jobs::portfolio::PortfolioFile =
        serde_json::from_str(&std::fs::read_to_string(&loose).unwrap()).unwrap();
    assert!(loose.members.len() >= portfolio.members.len());
    // An existing file is refused without --force; a bound out of range fails before any work.
    let again = command(&[
        "portfolio",
        first.to_str().unwrap(),
        "--max-correlation",
        "0.5",
        "--out",
        file.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    let bad = command(&[
        "portfolio",
        first.to_str().unwrap(),
        "--max-correlation",
        "1.5",
        "--out",
        folder.path().join("bad.json").to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    // The refusal names the flag the user gave (#30), not an experiment setting.
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("--max-correlation"), "{stderr}");
}

/// A closed trade as both commands write it: account, side, entry and exit time, entry and exit
/// price, quantity (the numbers as written).
type TradeKey = (String, String, String, String, String, String, String);

/// A portfolio of up to three members of the two runs (a loose bound, so several members trade
/// at once), backtested and paper-traded on the merged datasets.
fn paper_replay_equals_backtest(folder: &Path, first: &Path, second: &Path) {
    let file = folder.join("three.json");
    ok(&command(&[
        "portfolio",
        first.to_str().unwrap(),
        second.to_str().unwrap(),
        "--max-correlation",
        "0.9",
        "--max-members",
        "3",
        "--weights",
        "inverse-volatility",
        "--out",
        file.to_str().unwrap(),
    ])
    .output()
    .unwrap());
    let portfolio: gauntlet_jobs::portfolio::PortfolioFile =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(
        portfolio.members.len() >= 2,
        "{} members",
        portfolio.members.len()
    );
    let file = file.as_path();
    let trades = folder.join("portfolio-trades.csv");
    let equity = folder.join("portfolio-equity.csv");
    let stdout = ok(&command(&[
        "backtest",
        "--portfolio",
        file.to_str().unwrap(),
        "--keep-open-at-end",
        "--trades-out",
        trades.to_str().unwrap(),
        "--equity-out",
        equity.to_str().unwrap(),
    ])
    .output()
    .unwrap());
    assert!(stdout.contains("portfolio:"), "{stdout}");
    let journal = folder.join("portfolio-paper.jsonl");
    ok(&command(&[
        "paper",
        "--portfolio",
        file.to_str().unwrap(),
        "--journal",
        journal.to_str().unwrap(),
    ])
    .output()
    .unwrap());
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&journal)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    // The accounts: each member on each of its run's four datasets with a quarter of its weight
    // of the first member's capital.
    let capital = portfolio.members[0]
        .champion
        .provenance
        .costs
        .initial_capital;
    let accounts = lines[0]["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), portfolio.members.len() * 4);
    for (index, account) in accounts.iter().enumerate() {
        let member = &portfolio.members[index / 4];
        let expected = capital * member.weight / 4.0;
        let given = account["initial_capital"].as_f64().unwrap();
        assert!((given - expected).abs() < 1e-9 * capital, "{account}");
        assert!(
            account["account"]
                .as_str()
                .unwrap()
                .starts_with(&member.champion.name)
        );
    }
    let mut paper: Vec<TradeKey> = lines
        .iter()
        .filter(|line| line["type"] == "trade")
        .map(|line| {
            let number = |field: &str| line[field].as_f64().unwrap().to_string();
            (
                line["account"].as_str().unwrap().to_string(),
                line["side"].as_str().unwrap().to_string(),
                line["entry_time"].as_str().unwrap().to_string(),
                line["exit_time"].as_str().unwrap().to_string(),
                number("entry_price"),
                number("exit_price"),
                number("quantity"),
            )
        })
        .collect();
    let mut reader = csv::Reader::from_path(&trades).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|header| header == name).unwrap();
    let mut backtest: Vec<TradeKey> = reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            let number = |name: &str| record[column(name)].parse::<f64>().unwrap().to_string();
            (
                record[column("account")].to_string(),
                record[column("side")].to_string(),
                record[column("entry_time")].to_string(),
                record[column("exit_time")].to_string(),
                number("entry_price"),
                number("exit_price"),
                number("quantity"),
            )
        })
        .collect();
    paper.sort();
    backtest.sort();
    assert!(!backtest.is_empty(), "no trade to compare");
    assert_eq!(paper, backtest);
    // The equity after the last bar of every timestamp.
    let mut paper_equity: std::collections::BTreeMap<String, f64> = Default::default();
    for line in lines.iter().filter(|line| line["type"] == "portfolio") {
        paper_equity.insert(
            line["time"].as_str().unwrap().to_string(),
            line["equity"].as_f64().unwrap(),
        );
    }
    let mut reader = csv::Reader::from_path(&equity).unwrap();
    let mut compared = 0;
    for record in reader.records() {
        let record = record.unwrap();
        assert_eq!(
            paper_equity.get(&record[0]),
            Some(&record[1].parse::<f64>().unwrap()),
            "equity at {}",
            &record[0]
        );
        compared += 1;
    }
    assert_eq!(compared, paper_equity.len());
}
