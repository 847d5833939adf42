//! Scoring a given population on one market (`gauntlet backtest --population`): every genome
//! backtested in parallel with rayon, the rows collected in input order (so the output never
//! depends on the thread count), and a CSV summary of every metric.

use std::path::Path;

use gauntlet_backtest::{BacktestConfig, ExitReason, Market, Metrics, run_backtest};
use gauntlet_data::write_csv_records;
use gauntlet_genome::Genome;
use rayon::prelude::*;

use crate::error::TournamentError;

/// One genome's line of the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationRow {
    /// Its id (the genome's name, or `line-N`).
    pub id: String,
    /// Buy orders filled.
    pub buys: usize,
    /// Sell orders filled.
    pub sells: usize,
    /// Exits by the stop-loss.
    pub stop_loss_exits: usize,
    /// Exits by the take-profit.
    pub take_profit_exits: usize,
    /// Every metric.
    pub metrics: Metrics,
}

/// Backtests every genome of `genomes` (id, genome) on `market` with `config`, in parallel.
///
/// # Errors
/// [`TournamentError::Config`] naming the first genome (in input order) whose backtest fails.
pub fn score_population(
    genomes: &[(String, Genome)],
    market: &Market,
    config: &BacktestConfig,
) -> Result<Vec<PopulationRow>, TournamentError> {
    let timestamps = market.series().timestamps();
    genomes
        .par_iter()
        .map(|(id, genome)| {
            let result =
                run_backtest(genome, market, config).map_err(|error| TournamentError::Config {
                    field: format!("genome {id}"),
                    message: error.to_string(),
                })?;
            Ok(PopulationRow {
                id: id.clone(),
                buys: result.buys,
                sells: result.sells,
                stop_loss_exits: result.exits(ExitReason::StopLoss),
                take_profit_exits: result.exits(ExitReason::TakeProfit),
                metrics: result.metrics(timestamps, config.bars_per_year),
            })
        })
        .collect()
}

/// The best row by final equity (`None` for no rows).
pub fn best_by_final_equity(rows: &[PopulationRow]) -> Option<&PopulationRow> {
    rows.iter()
        .max_by(|a, b| a.metrics.final_equity.total_cmp(&b.metrics.final_equity))
}

/// `gauntlet backtest --population`: scores every genome of the population file at `path` (see
/// [`gauntlet_genome::read_population_file`]) on `market` named `dataset`, writes the summary table
/// to `summary_path` ([`write_population_summary`]) and returns what to print
/// ([`describe_population`]; `None` when no genome could be scored).
///
/// # Errors
/// [`TournamentError::Genome`] naming the file when it cannot be read or holds an invalid genome;
/// as [`score_population`] and [`write_population_summary`].
pub fn run_population_file(
    path: &Path,
    summary_path: &Path,
    (dataset, market, config): (&str, &Market, &BacktestConfig),
    json: bool,
) -> Result<Option<String>, TournamentError> {
    let genomes = gauntlet_genome::read_population_file(path)?;
    let rows = score_population(&genomes, market, config)?;
    write_population_summary(summary_path, &rows)?;
    let bars = market.series().len();
    Ok(describe_population(
        &rows,
        dataset,
        bars,
        summary_path,
        json,
    ))
}

/// What `gauntlet backtest --population` prints: the count, the dataset, the best genome by final
/// equity and where the summary is; one JSON object when `json`. `None` for an empty population.
pub fn describe_population(
    rows: &[PopulationRow],
    dataset: &str,
    bars: usize,
    summary: &std::path::Path,
    json: bool,
) -> Option<String> {
    let best = best_by_final_equity(rows)?;
    Some(if json {
        serde_json::json!({
            "genomes": rows.len(),
            "dataset": dataset,
            "summary": summary.display().to_string(),
            "best": { "id": best.id, "final_equity": best.metrics.final_equity },
        })
        .to_string()
    } else {
        format!(
            "Scored {} genomes on {dataset} ({bars} bars); best {} with final equity {:.2}; summary in {}",
            rows.len(),
            best.id,
            best.metrics.final_equity,
            summary.display()
        )
    })
}

/// Writes the summary CSV: `id`, `buys`, `sells`, `stop_loss_exits`, `take_profit_exits`, then
/// every metric in [`Metrics::named_values`] order (fractions; `NaN` where undefined).
///
/// # Errors
/// [`TournamentError::Data`] naming the file.
pub fn write_population_summary(
    path: &Path,
    rows: &[PopulationRow],
) -> Result<(), TournamentError> {
    let mut header = vec![
        "id",
        "buys",
        "sells",
        "stop_loss_exits",
        "take_profit_exits",
    ];
    if let Some(first) = rows.first() {
        header.extend(first.metrics.named_values().iter().map(|(name, _)| *name));
    }
    let records = rows.iter().map(|row| {
        let mut record = vec![
            row.id.clone(),
            row.buys.to_string(),
            row.sells.to_string(),
            row.stop_loss_exits.to_string(),
            row.take_profit_exits.to_string(),
        ];
        record.extend(
            row.metrics
                .named_values()
                .iter()
                .map(|(_, value)| value.to_string()),
        );
        record
    });
    write_csv_records(path, &header, records)?;
    Ok(())
}
