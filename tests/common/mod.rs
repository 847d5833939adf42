//! Helpers shared by the end-to-end tests: the checkout, the binary, and small experiment files.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use gauntlet_testkit::repository;

/// The `gauntlet` binary with `arguments` and the bundled datasets folder.
pub fn command(arguments: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gauntlet"));
    command
        .args(arguments)
        .arg("--datasets-dir")
        .arg(repository().join("datasets"));
    command
}

/// The process's stdout, after asserting it succeeded (printing both streams when not).
pub fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A small experiment file `<folder>/<name>.toml`: `datasets` (catalog names), 20/20 validation
/// and holdout fractions, two islands of `population`, relaxed eligibility (2 trades, 1% exposure);
/// runs go under `<folder>/reports`.
pub fn small_experiment(
    folder: &Path,
    name: &str,
    seed: u64,
    generations: u32,
    population: usize,
    datasets: &[&str],
) -> PathBuf {
    let path = folder.join(format!("{name}.toml"));
    let datasets: Vec<String> = datasets.iter().map(|name| format!("\"{name}\"")).collect();
    let text = format!(
        r#"
name = "{name}"
seed = {seed}
category = "monthly_performance"
generations = {generations}
datasets = [{datasets}]
output_dir = "{output}"

[split.fractions]
validation = 0.2
holdout = 0.2

[population]
size = {population}
islands = 2
elitism = 1
migration_interval = 2
migrants = 1
hall_of_fame = 5

[eligibility]
min_trades = 2
min_exposure = 0.01
"#,
        datasets = datasets.join(", "),
        output = folder.join("reports").display()
    );
    std::fs::write(&path, text).unwrap();
    path
}
