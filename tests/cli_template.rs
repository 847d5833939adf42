//! Templates that evolution fills (#29), through the real binary: a template run gives the same
//! bytes on 1 and 2 threads and every champion is a fill of the template; malformed templates and
//! seeds that are not fills are refused before any work, naming the field (and the position).

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::{assert_same_results, command, ok, repository, small_experiment};
use gauntlet_genome::{EntryLogic, FormulaEntry, Genome, PlaceholderValue};

fn gauntlet(arguments: &[&str]) -> Output {
    command(arguments).output().expect("the binary runs")
}

const TEMPLATE: &str = r#"
[template]
long = "rsi(close, ?period[2..30]) < ?level[5..40] and ?filter"
exit_long = "rsi(close, ?period[2..30]) > ?exit[50..90]"

[template.conditions.filter]
blocks = ["sma", "adx", "atr"]
max_depth = 2
max_period = 100
"#;

/// The tiny experiment of `cli_evolve.rs` (two symbols, two islands of 24) with the template.
fn template_experiment(folder: &Path, generations: u32) -> PathBuf {
    let path = small_experiment(
        folder,
        "tiny-template",
        5,
        generations,
        24,
        &["sp500-1d", "eurusd-1h"],
    );
    let text = std::fs::read_to_string(&path).unwrap() + TEMPLATE;
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_template_run_gives_the_same_bytes_on_1_and_2_threads_and_its_champions_fill_it() {
    let folder = tempfile::tempdir().unwrap();
    let config = template_experiment(folder.path(), 3);
    let mut runs = Vec::new();
    for threads in ["1", "2"] {
        let run = folder.path().join(format!("run-{threads}"));
        ok(&gauntlet(&[
            "evolve",
            "--config",
            config.to_str().unwrap(),
            "--out",
            run.to_str().unwrap(),
            "--threads",
            threads,
            "--quiet",
        ]));
        runs.push(run);
    }
    assert_same_results(&runs[0], &runs[1]);
    let champion =
        std::fs::read_to_string(runs[0].join("champions/monthly_performance.json")).unwrap();
    let champion: serde_json::Value = serde_json::from_str(&champion).unwrap();
    let genome = Genome::from_json(&champion["genome"].to_string()).unwrap();
    let EntryLogic::Formula(FormulaEntry {
        long: Some(long),
        template: Some(fill),
        ..
    }) = &genome.entry.logic
    else {
        panic!("the champion is not a template fill: {}", genome.to_json());
    };
    // The filled formula starts with the RSI of the fill's period and level.
    let number = |name: &str| match &fill.values[name] {
        PlaceholderValue::Number(value) => gauntlet_blocks::format_number(*value),
        other => panic!("{name}: {other:?}"),
    };
    let start = format!(
        "rsi(close, {}) < {} and ",
        number("period"),
        number("level")
    );
    assert!(
        long.starts_with(&start),
        "{long} does not start with {start}"
    );
    assert!(!long.contains('?'), "{long}");
    // Every scored genome of the leaderboard is a fill: its entry is an RSI below a level.
    let leaderboard = std::fs::read_to_string(runs[0].join("leaderboard.csv")).unwrap();
    assert!(leaderboard.lines().count() > 24, "{leaderboard}");
}

#[test]
fn malformed_templates_and_foreign_seeds_are_refused_before_any_work() {
    let folder = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(template_experiment(folder.path(), 2)).unwrap();
    let seed = repository().join("genomes/formulas/rsi-2-formula.json");
    let many: Vec<String> = (0..17)
        .map(|index| format!("close > ?p{index}[1..2]"))
        .collect();
    let cases = [
        (
            "long = \"rsi(close, ?period[2..30]) < ?level[5..40] and ?filter\"",
            "long = \"rsi(close, ?p[2..30]) < 10 and close\"".to_string(),
            // `close` is the 32nd character: a number where `and` needs a condition.
            "template.long: formula 1:32: expected a condition, found a number".to_string(),
        ),
        (
            "?exit[50..90]",
            "?exit[50..50]".to_string(),
            "?exit has the empty range [50..50]".to_string(),
        ),
        (
            "long = \"rsi(close, ?period[2..30]) < ?level[5..40] and ?filter\"",
            format!("long = \"{}\"", many.join(" and ")),
            "has 19 placeholders, more than the 16 allowed".to_string(),
        ),
        (
            "blocks = [\"sma\", \"adx\", \"atr\"]",
            "blocks = [\"sma\", \"nope\"]".to_string(),
            "template.conditions.filter: condition family: unknown block `nope`".to_string(),
        ),
        (
            "[split.fractions]",
            format!(
                "seed_genomes = [\"{}\"]\n\n[split.fractions]",
                seed.display()
            ),
            "seed_genomes[0]".to_string(),
        ),
    ];
    for (from, to, expected) in cases {
        assert!(good.contains(from), "{from}");
        let path = folder.path().join("bad.toml");
        std::fs::write(&path, good.replacen(from, &to, 1)).unwrap();
        let run = folder.path().join("bad-run");
        let output = gauntlet(&[
            "evolve",
            "--config",
            path.to_str().unwrap(),
            "--out",
            run.to_str().unwrap(),
            "--quiet",
        ]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{to}: {stderr}");
        assert!(
            stderr.contains(&expected),
            "{to}: expected '{expected}' in: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        if expected == "seed_genomes[0]" {
            assert!(
                stderr.contains("is not a fill of the experiment's [template]"),
                "{stderr}"
            );
        } else {
            assert!(
                !run.exists(),
                "{to}: a run folder was created before the check"
            );
        }
    }
}
