//! The run's tables from its logs and champions: the leaderboard (Parquet and CSV), capital,
//! generations and champions tables, as the row types of [`crate::tables`].

use std::path::Path;

use gauntlet_honest::robustness::SymbolInference;
use gauntlet_stats::monte_carlo::MonteCarloSummary;

use crate::checkpoint::{LeaderboardEntry, Logs};
use crate::error::RunError;
use crate::run_folder::{Champion, RunFolder};
use crate::tables::{
    AllocationRow, ChampionRow, IslandGenerationRow, Leaderboard, LeaderboardRow, write_rows,
};

/// The leaderboard in rank order: fitness (ineligible last), then generation, then id.
fn ranked_leaderboard(entries: &[LeaderboardEntry]) -> Vec<&LeaderboardEntry> {
    let mut ranked: Vec<&LeaderboardEntry> = entries.iter().collect();
    ranked.sort_by(|a, b| {
        let key = |entry: &LeaderboardEntry| entry.fitness.unwrap_or(f64::NEG_INFINITY);
        key(b)
            .total_cmp(&key(a))
            .then(a.generation.cmp(&b.generation))
            .then(a.id.cmp(&b.id))
    });
    ranked
}

/// The NSGA-II ranking of leaderboard entries by their objectives (entries with an undefined
/// objective have no front).
pub(crate) fn run_fronts(entries: &[&LeaderboardEntry]) -> gauntlet_evolve::nsga2::Ranking {
    let complete: Vec<Option<Vec<f64>>> = entries
        .iter()
        .map(|entry| {
            entry
                .objectives
                .iter()
                .copied()
                .collect::<Option<Vec<f64>>>()
                .filter(|values| !values.is_empty() && values.iter().all(|v| v.is_finite()))
        })
        .collect();
    let points: Vec<Option<&[f64]>> = complete.iter().map(|values| values.as_deref()).collect();
    gauntlet_evolve::nsga2::rank(&points)
}

/// Writes `leaderboard.parquet`, `leaderboard.csv`, `capital.parquet` and `generations.parquet`.
pub(crate) fn write_outputs(folder: &Path, logs: &Logs) -> Result<(), RunError> {
    let run_folder = RunFolder::new(folder);
    let ranked = ranked_leaderboard(&logs.leaderboard);
    // NSGA-II runs: each genome's front and crowding distance among every genome the run scored
    // (front 0: no other genome of the run is better in every objective).
    let ranking = (!logs.objectives.is_empty()).then(|| run_fronts(&ranked));
    let leaderboard = Leaderboard {
        objectives: logs
            .objectives
            .iter()
            .map(|measure| measure.name().to_string())
            .collect(),
        every_category: true,
        lineage: true,
        rows: ranked
            .iter()
            .enumerate()
            .map(|(index, entry)| LeaderboardRow {
                rank: index + 1,
                id: entry.id.clone(),
                generation: entry.generation,
                island: entry.island,
                fingerprint: format!("{:016x}", entry.fingerprint),
                eligible: entry.fitness.is_some(),
                fitness: entry.fitness,
                ineligible_because: entry.ineligible_because.clone().unwrap_or_default(),
                metrics: entry.metrics.clone(),
                category_fitness: entry.category_fitness.clone(),
                objectives: entry.objectives.clone(),
                front: ranking
                    .as_ref()
                    .and_then(|ranking| ranking.front[index].map(f64::from)),
                crowding: ranking.as_ref().and_then(|ranking| ranking.crowding[index]),
                parents: entry.parents.clone(),
                operators: entry.operators.clone(),
                rules: entry.rules.clone(),
            })
            .collect(),
    };
    leaderboard.write(
        &run_folder.leaderboard_path(),
        &run_folder.leaderboard_csv_path(),
    )?;
    let capital: Vec<AllocationRow> = logs
        .capital
        .iter()
        .map(|row| AllocationRow {
            generation: row.generation,
            agent: row.agent.clone(),
            rank: row.rank,
            capital_before: Some(row.capital_before),
            return_fraction: Some(row.return_fraction),
            profit: Some(row.profit),
            tier: row
                .tier
                .map(|tier| tier.name().to_string())
                .unwrap_or_default(),
            factor: Some(row.factor),
            capital_after: Some(row.capital_after),
            share: Some(row.share),
            event: row.event.clone(),
            reason: row.reason.clone(),
        })
        .collect();
    write_rows(&run_folder.capital_path(), &capital)?;
    let generations: Vec<IslandGenerationRow> = logs
        .generations
        .iter()
        .map(|row| IslandGenerationRow {
            generation: row.stats.generation,
            island: row.stats.island,
            best: row.stats.best,
            median: row.stats.median,
            worst: row.stats.worst,
            eligible: row.stats.eligible,
            diversity: Some(row.stats.diversity),
            evaluations: row.stats.evaluations,
            seconds: Some(row.seconds),
            scoring_seconds: Some(row.scoring_seconds),
            communication_seconds: Some(row.communication_seconds),
            bytes_exchanged: row.bytes_exchanged,
        })
        .collect();
    write_rows(&run_folder.generations_path(), &generations)
}

/// Writes `champions.parquet`: one row per category's champion with its fitness on each part and
/// its robustness (worst symbol's PSR and DSR, Monte Carlo 5th percentile and probability of profit,
/// the gate).
pub(crate) fn write_champions_table(folder: &Path, champions: &[Champion]) -> Result<(), RunError> {
    let worst = |champion: &Champion, value: &dyn Fn(&SymbolInference) -> f64| {
        champion
            .robustness
            .symbols
            .iter()
            .map(value)
            .filter(|value| value.is_finite())
            .fold(None, |worst: Option<f64>, value| {
                Some(worst.map_or(value, |w| w.min(value)))
            })
    };
    let monte = |champion: &Champion, pick: &dyn Fn(&MonteCarloSummary) -> f64| {
        champion.robustness.monte_carlo.as_ref().map(pick)
    };
    let rows: Vec<ChampionRow> = champions
        .iter()
        .map(|champion| ChampionRow {
            category: champion.category.name().to_string(),
            id: champion.id.clone(),
            in_sample_fitness: champion.in_sample.fitness,
            validation_fitness: champion.validation.fitness,
            holdout_fitness: champion.holdout.fitness,
            trials: champion.robustness.trials,
            worst_probabilistic_sharpe_ratio: worst(champion, &|symbol| {
                symbol.probabilistic_sharpe_ratio
            }),
            worst_deflated_sharpe_ratio: worst(champion, &|symbol| symbol.deflated_sharpe_ratio),
            monte_carlo_p5_return: monte(champion, &|summary| summary.total_return_percentiles[0]),
            monte_carlo_probability_of_profit: monte(champion, &|summary| {
                summary.probability_of_profit
            }),
            passed_gate: champion.robustness.passed,
            rules: champion.rules.clone(),
        })
        .collect();
    write_rows(&RunFolder::new(folder).champions_table_path(), &rows)
}
