//! # gauntlet-testkit
//!
//! Fixtures the crates' tests and benchmarks share instead of keeping copies: the checkout's path
//! and seed genomes, bar series built from per-bar steps, the W1 moving-average genome, and
//! reading reference vectors with a relative-tolerance check. A dev-dependency only: no library
//! crate depends on it, and it depends only on `gauntlet-core` and `gauntlet-genome` (so those two
//! cannot use it in their own tests).
//!
//! Every helper panics with a message on bad input: they are for tests.
#![warn(missing_docs)]

use std::path::{Path, PathBuf};

use gauntlet_core::{BarColumns, BarSeries, MILLIS_PER_DAY, Timestamp};
use gauntlet_genome::{
    AverageKind, Combine, Direction, EntryChromosome, EntryLogic, ExitChromosome, Genome, Lineage,
    RiskLimits, Rule, SizingChromosome, SizingMethod,
};
use serde_json::Value;

/// The Gauntlet checkout (where `datasets/`, `genomes/` and `experiments/` are).
pub fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The hand-written seed genomes of `genomes/*.json`, sorted by name (at least five).
pub fn seed_genomes() -> Vec<Genome> {
    let mut genomes = Vec::new();
    let folder = repository().join("genomes");
    for entry in std::fs::read_dir(&folder).expect("the genomes folder") {
        let path = entry.expect("a folder entry").path();
        if path
            .extension()
            .is_some_and(|extension| extension == "json")
        {
            let text = std::fs::read_to_string(&path).expect("a readable genome file");
            genomes.push(Genome::from_json(&text).expect("a valid seed genome"));
        }
    }
    genomes.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(genomes.len() >= 5, "seed genomes in {}", folder.display());
    genomes
}

/// Daily bars (00:00 UTC from the epoch) from per-bar steps `(gap, step, up, down)`, starting at a
/// close of 100: each bar opens at the previous close times `1 + gap`, closes at its open times
/// `1 + step`, and reaches `1 + up` above its body's top and `1 - down` below its bottom. Prices
/// are floored at 0.01. The series has OHLC prices and no volume.
pub fn bars_from_steps(steps: &[(f64, f64, f64, f64)]) -> BarSeries {
    let mut columns = BarColumns::default();
    let mut close = 100.0f64;
    for (index, &(gap, step, up, down)) in steps.iter().enumerate() {
        let open = (close * (1.0 + gap)).max(0.01);
        close = (open * (1.0 + step)).max(0.01);
        columns
            .timestamps
            .push(Timestamp(index as i64 * MILLIS_PER_DAY));
        columns.open.push(open);
        columns.close.push(close);
        columns.high.push(open.max(close) * (1.0 + up));
        columns.low.push(open.min(close) * (1.0 - down));
        columns.volume.push(0.0);
    }
    BarSeries::new(columns, false).expect("bars built from steps are valid")
}

/// W1 of the vectorbt comparison: long when SMA(`fast`) crosses above SMA(`slow`), out on the
/// opposite cross, the stop-loss and take-profit given as fractions (`0.02` = 2%), all equity in.
pub fn w1_genome(fast: u32, slow: u32, stop: f64, target: f64) -> Genome {
    Genome {
        schema: 1,
        name: None,
        entry: EntryChromosome {
            direction: Direction::Long,
            logic: EntryLogic::Rules {
                rules: vec![Rule::MovingAverageCross {
                    average: AverageKind::Sma,
                    fast,
                    slow,
                }],
                combine: Combine::All,
            },
        },
        exit: ExitChromosome {
            stop_loss_pct: Some(stop * 100.0),
            take_profit_pct: Some(target * 100.0),
            exit_on_opposite_signal: true,
            ..ExitChromosome::default()
        },
        sizing: SizingChromosome {
            method: SizingMethod::AllIn,
            ..SizingChromosome::all_equity()
        },
        risk: RiskLimits::default(),
        lineage: Lineage::default(),
    }
}

/// The W1 population of the vectorbt comparison (`crates/backtest/tests/reference/w1/
/// population.csv`): 1000 `(fast, slow, stop, target)`, stop and target as fractions.
pub fn w1_population() -> Vec<(u32, u32, f64, f64)> {
    let path = repository().join("crates/backtest/tests/reference/w1/population.csv");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    text.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            let cell = |index: usize| {
                cells
                    .get(index)
                    .unwrap_or_else(|| panic!("{}: short line {line}", path.display()))
            };
            (
                cell(1).parse().expect("fast period"),
                cell(2).parse().expect("slow period"),
                cell(3).parse().expect("stop fraction"),
                cell(4).parse().expect("target fraction"),
            )
        })
        .collect()
}

/// A JSON file, parsed.
pub fn read_json(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// A JSON array of numbers as `f64`s.
pub fn numbers(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|item| {
            item.as_f64()
                .unwrap_or_else(|| panic!("not a number: {item}"))
        })
        .collect()
}

/// Asserts `|actual - expected| <= tolerance * max(|expected|, 1)` (relative, absolute near
/// zero), naming `what` when it fails.
pub fn assert_close(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tolerance * expected.abs().max(1.0),
        "{what}: {actual} vs {expected} (tolerance {tolerance:e})"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_make_the_bars_they_describe() {
        // Bar 0 opens at 100 (no gap) and closes 10% up at 110; bar 1 gaps 10% down to 99 and
        // closes flat; wicks 1% beyond the bodies.
        let series = bars_from_steps(&[(0.0, 0.1, 0.01, 0.01), (-0.1, 0.0, 0.01, 0.01)]);
        assert_close(series.close()[0], 110.0, 1e-12, "close 0");
        assert_close(series.open()[1], 99.0, 1e-12, "open 1");
        assert_close(series.high()[0], 111.1, 1e-12, "high 0");
        assert_close(series.low()[1], 98.01, 1e-12, "low 1");
        assert_eq!(series.timestamps()[1], Timestamp(86_400_000));
    }

    #[test]
    fn the_w1_genome_is_valid_and_all_in() {
        let genome = w1_genome(10, 50, 0.02, 0.05);
        genome.validate().expect("valid");
        assert_eq!(genome.exit.stop_loss_pct, Some(2.0));
        assert!(matches!(genome.sizing.method, SizingMethod::AllIn));
        assert_eq!(seed_genomes().len(), 5);
        // The population file's first row: id 0, SMA(9) x SMA(160), stop 3%, target 4%.
        let population = w1_population();
        assert_eq!(population.len(), 1000);
        assert_eq!(population[0], (9, 160, 0.03, 0.04));
    }
}

/// The edge [`planted_edge_series`] plants: after a close whose Wilder RSI over `rsi_period` bars
/// is below `oversold`, the next bar's close-to-open move gains `drift` (a fraction): a
/// mean-reversion rule the genome language expresses exactly (`rsi_threshold`, long, entering at
/// the next open).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlantedEdge {
    /// The RSI period, bars (a [`gauntlet_genome::PERIOD_GRID`] value, so genomes can hit it).
    pub rsi_period: u32,
    /// The oversold level, RSI points.
    pub oversold: f64,
    /// The extra open-to-close return of the next bar, a fraction (0.004 is +0.4%).
    pub drift: f64,
}

/// A synthetic daily symbol of `bars` bars built from `source`'s real bars by a moving-block
/// bootstrap (Kunsch, "The jackknife and the bootstrap for general stationary observations", Annals
/// of Statistics 17(3), 1989): blocks of `block` consecutive bars, each kept as its gap
/// (open / previous close), high and low (relative to the open) and body (close / open), drawn with
/// a ChaCha8 stream seeded by `seed` and chained from a close of 100, each body divided by the
/// source's geometric mean close-to-close growth (so the resampled series has no drift of its own
/// and holding it earns nothing on average: only the planted rule does); then `edge` is planted
/// (see [`PlantedEdge`]). Timestamps are consecutive days from 2000-01-03, UTC. With `drift` 0 it
/// is driftless resampled real noise.
///
/// # Panics
/// When `source` has fewer than `block + 2` bars (a test fixture's misuse).
pub fn planted_edge_series(
    source: &BarSeries,
    bars: usize,
    block: usize,
    edge: PlantedEdge,
    seed: u64,
) -> BarSeries {
    use rand::{RngExt, SeedableRng};
    let (open, high, low, close) = (source.open(), source.high(), source.low(), source.close());
    assert!(
        source.len() >= block + 2,
        "the source is shorter than a block"
    );
    // Per source bar t >= 1: (gap, high / open, low / open, close / open).
    let shape = |t: usize| {
        (
            open[t] / close[t - 1],
            high[t] / open[t],
            low[t] / open[t],
            close[t] / open[t],
        )
    };
    let growth = (close[source.len() - 1] / close[0]).powf(1.0 / (source.len() - 1) as f64);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut rsi = gauntlet_indicators::Rsi::new(edge.rsi_period as usize).expect("a valid period");
    let start = Timestamp::from_ymd(2000, 1, 3)
        .expect("a valid date")
        .millis();
    let mut columns = BarColumns::with_capacity(bars);
    let mut previous_close = 100.0;
    let mut oversold = false;
    let mut source_bar = 0;
    for bar in 0..bars {
        if bar % block == 0 {
            source_bar = rng.random_range(1..source.len() - block);
        } else {
            source_bar += 1;
        }
        let (gap, up, down, body) = shape(source_bar);
        let bar_open = previous_close * gap;
        let body = body / growth;
        let body = if oversold {
            body * (1.0 + edge.drift)
        } else {
            body
        };
        let bar_close = bar_open * body;
        columns
            .timestamps
            .push(Timestamp(start + bar as i64 * MILLIS_PER_DAY));
        columns.open.push(bar_open);
        columns
            .high
            .push((bar_open * up).max(bar_open).max(bar_close));
        columns
            .low
            .push((bar_open * down).min(bar_open).min(bar_close));
        columns.close.push(bar_close);
        columns.volume.push(0.0);
        oversold = rsi
            .update(bar_close)
            .is_some_and(|value| value < edge.oversold);
        previous_close = bar_close;
    }
    BarSeries::new(columns, false).expect("valid synthetic bars")
}
