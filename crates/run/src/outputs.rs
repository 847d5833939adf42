//! The run's tables: leaderboard, capital, generations and champions, in Parquet (and CSV for the
//! leaderboard).

use std::path::{Path, PathBuf};

use gauntlet_data::{TableColumn, read_table, write_atomically, write_table};
use gauntlet_tournament::{Category, SUMMARY_COLUMNS};
use serde::{Deserialize, Serialize};

use crate::checkpoint::{LeaderboardEntry, Logs};
use crate::error::RunError;
use crate::run_folder::{Champion, RunFolder};

fn float_column(values: impl Iterator<Item = Option<f64>>) -> TableColumn {
    TableColumn::Float(values.collect())
}

fn integer_column(values: impl Iterator<Item = i64>) -> TableColumn {
    TableColumn::Integer(values.collect())
}

fn text_column(values: impl Iterator<Item = String>) -> TableColumn {
    TableColumn::Text(values.collect())
}

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
    let ranked = ranked_leaderboard(&logs.leaderboard);
    let mut columns: Vec<(&str, TableColumn)> = vec![
        ("rank", integer_column(1..=ranked.len() as i64)),
        (
            "id",
            text_column(ranked.iter().map(|entry| entry.id.clone())),
        ),
        (
            "generation",
            integer_column(ranked.iter().map(|entry| i64::from(entry.generation))),
        ),
        (
            "island",
            integer_column(ranked.iter().map(|entry| i64::from(entry.island))),
        ),
        (
            "fingerprint",
            text_column(
                ranked
                    .iter()
                    .map(|entry| format!("{:016x}", entry.fingerprint)),
            ),
        ),
        (
            "eligible",
            TableColumn::Boolean(ranked.iter().map(|entry| entry.fitness.is_some()).collect()),
        ),
        (
            "fitness",
            float_column(ranked.iter().map(|entry| entry.fitness)),
        ),
        (
            "ineligible_because",
            text_column(
                ranked
                    .iter()
                    .map(|entry| entry.ineligible_because.clone().unwrap_or_default()),
            ),
        ),
    ];
    for (index, name) in SUMMARY_COLUMNS.iter().enumerate() {
        columns.push((
            name,
            float_column(ranked.iter().map(|entry| entry.metrics[index])),
        ));
    }
    let fitness_names: Vec<String> = Category::ALL
        .iter()
        .map(|category| format!("fitness_{}", category.name()))
        .collect();
    for (index, name) in fitness_names.iter().enumerate() {
        columns.push((
            name,
            float_column(
                ranked
                    .iter()
                    .map(|entry| entry.category_fitness.get(index).copied().flatten()),
            ),
        ));
    }
    // NSGA-II runs: each objective, and each genome's front and crowding distance among every
    // genome the run scored (front 0: no other genome of the run is better in every objective).
    let objective_names: Vec<String> = logs
        .objectives
        .iter()
        .map(|measure| format!("objective_{}", measure.name()))
        .collect();
    if !objective_names.is_empty() {
        for (index, name) in objective_names.iter().enumerate() {
            columns.push((
                name,
                float_column(
                    ranked
                        .iter()
                        .map(|entry| entry.objectives.get(index).copied().flatten()),
                ),
            ));
        }
        let ranking = run_fronts(&ranked);
        columns.push((
            "front",
            TableColumn::Float(
                ranking
                    .front
                    .iter()
                    .map(|front| front.map(f64::from))
                    .collect(),
            ),
        ));
        columns.push(("crowding", TableColumn::Float(ranking.crowding.clone())));
    }
    columns.push((
        "parents",
        text_column(ranked.iter().map(|entry| entry.parents.join(";"))),
    ));
    columns.push((
        "operators",
        text_column(ranked.iter().map(|entry| entry.operators.join(";"))),
    ));
    columns.push((
        "rules",
        text_column(ranked.iter().map(|entry| entry.rules.clone())),
    ));
    write_table(&folder.join("leaderboard.parquet"), &columns)?;
    write_csv(&folder.join("leaderboard.csv"), &columns)?;

    let capital = &logs.capital;
    write_table(
        &folder.join("capital.parquet"),
        &[
            (
                "generation",
                integer_column(capital.iter().map(|row| i64::from(row.generation))),
            ),
            (
                "agent",
                text_column(capital.iter().map(|row| row.agent.clone())),
            ),
            (
                "rank",
                integer_column(capital.iter().map(|row| row.rank as i64)),
            ),
            (
                "capital_before",
                float_column(capital.iter().map(|row| Some(row.capital_before))),
            ),
            (
                "return",
                float_column(capital.iter().map(|row| Some(row.return_fraction))),
            ),
            (
                "profit",
                float_column(capital.iter().map(|row| Some(row.profit))),
            ),
            (
                "tier",
                text_column(capital.iter().map(|row| {
                    row.tier
                        .map(|tier| tier.name().to_string())
                        .unwrap_or_default()
                })),
            ),
            (
                "factor",
                float_column(capital.iter().map(|row| Some(row.factor))),
            ),
            (
                "capital_after",
                float_column(capital.iter().map(|row| Some(row.capital_after))),
            ),
            (
                "share",
                float_column(capital.iter().map(|row| Some(row.share))),
            ),
            (
                "event",
                text_column(capital.iter().map(|row| row.event.clone())),
            ),
            (
                "reason",
                text_column(capital.iter().map(|row| row.reason.clone())),
            ),
        ],
    )?;

    let rows = &logs.generations;
    write_table(
        &folder.join("generations.parquet"),
        &[
            (
                "generation",
                integer_column(rows.iter().map(|row| i64::from(row.stats.generation))),
            ),
            (
                "island",
                integer_column(rows.iter().map(|row| i64::from(row.stats.island))),
            ),
            ("best", float_column(rows.iter().map(|row| row.stats.best))),
            (
                "median",
                float_column(rows.iter().map(|row| row.stats.median)),
            ),
            (
                "worst",
                float_column(rows.iter().map(|row| row.stats.worst)),
            ),
            (
                "eligible",
                integer_column(rows.iter().map(|row| row.stats.eligible as i64)),
            ),
            (
                "diversity",
                float_column(rows.iter().map(|row| Some(row.stats.diversity))),
            ),
            (
                "evaluations",
                integer_column(rows.iter().map(|row| row.stats.evaluations as i64)),
            ),
            (
                "seconds",
                float_column(rows.iter().map(|row| Some(row.seconds))),
            ),
            (
                "scoring_seconds",
                float_column(rows.iter().map(|row| Some(row.scoring_seconds))),
            ),
            (
                "communication_seconds",
                float_column(rows.iter().map(|row| Some(row.communication_seconds))),
            ),
            (
                "bytes_exchanged",
                integer_column(rows.iter().map(|row| row.bytes_exchanged as i64)),
            ),
        ],
    )?;
    Ok(())
}

/// Writes columns as CSV (with the `csv` crate), atomically; nulls and `NaN` are empty cells.
fn write_csv(path: &Path, columns: &[(&str, TableColumn)]) -> Result<(), RunError> {
    let rows = columns.first().map_or(0, |(_, column)| match column {
        TableColumn::Float(values) => values.len(),
        TableColumn::Integer(values) => values.len(),
        TableColumn::Text(values) => values.len(),
        TableColumn::Boolean(values) => values.len(),
    });
    write_atomically(path, |file| {
        let csv_error = |error: csv::Error| gauntlet_data::DataError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(error.to_string()),
        };
        let mut writer = csv::Writer::from_writer(file);
        writer
            .write_record(columns.iter().map(|(name, _)| *name))
            .map_err(csv_error)?;
        for row in 0..rows {
            let record: Vec<String> = columns
                .iter()
                .map(|(_, column)| match column {
                    // Infinity (a profit factor without a loss) as `inf`, which pandas reads.
                    TableColumn::Float(values) => values[row]
                        .filter(|value| !value.is_nan())
                        .map(|value| value.to_string())
                        .unwrap_or_default(),
                    TableColumn::Integer(values) => values[row].to_string(),
                    TableColumn::Text(values) => values[row].clone(),
                    TableColumn::Boolean(values) => values[row].to_string(),
                })
                .collect();
            writer.write_record(&record).map_err(csv_error)?;
        }
        writer
            .flush()
            .map_err(|source| gauntlet_data::DataError::Io {
                path: path.to_path_buf(),
                source,
            })
    })?;
    Ok(())
}

/// Writes `champions.parquet`: one row per category's champion with its fitness on each part and
/// its robustness (worst symbol's PSR and DSR, Monte Carlo 5th percentile and probability of profit,
/// the gate).
pub(crate) fn write_champions_table(folder: &Path, champions: &[Champion]) -> Result<(), RunError> {
    let worst =
        |champion: &Champion,
         value: &dyn Fn(&gauntlet_honest::robustness::SymbolInference) -> f64| {
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
    let monte =
        |champion: &Champion,
         pick: &dyn Fn(&gauntlet_stats::monte_carlo::MonteCarloSummary) -> f64| {
            champion.robustness.monte_carlo.as_ref().map(pick)
        };
    write_table(
        &folder.join("champions.parquet"),
        &[
            (
                "category",
                text_column(champions.iter().map(|c| c.category.name().to_string())),
            ),
            ("id", text_column(champions.iter().map(|c| c.id.clone()))),
            (
                "in_sample_fitness",
                float_column(champions.iter().map(|c| c.in_sample.fitness)),
            ),
            (
                "validation_fitness",
                float_column(champions.iter().map(|c| c.validation.fitness)),
            ),
            (
                "holdout_fitness",
                float_column(champions.iter().map(|c| c.holdout.fitness)),
            ),
            (
                "trials",
                integer_column(champions.iter().map(|c| c.robustness.trials as i64)),
            ),
            (
                "worst_probabilistic_sharpe_ratio",
                float_column(
                    champions
                        .iter()
                        .map(|c| worst(c, &|s| s.probabilistic_sharpe_ratio)),
                ),
            ),
            (
                "worst_deflated_sharpe_ratio",
                float_column(
                    champions
                        .iter()
                        .map(|c| worst(c, &|s| s.deflated_sharpe_ratio)),
                ),
            ),
            (
                "monte_carlo_p5_return",
                float_column(
                    champions
                        .iter()
                        .map(|c| monte(c, &|m| m.total_return_percentiles[0])),
                ),
            ),
            (
                "monte_carlo_probability_of_profit",
                float_column(
                    champions
                        .iter()
                        .map(|c| monte(c, &|m| m.probability_of_profit)),
                ),
            ),
            (
                "passed_gate",
                TableColumn::Boolean(champions.iter().map(|c| c.robustness.passed).collect()),
            ),
            (
                "rules",
                text_column(champions.iter().map(|c| c.rules.clone())),
            ),
        ],
    )?;
    Ok(())
}

/// One cell of the comparison matrix (a row of `comparison.parquet`): a run's champion scored on
/// one category's measure on one part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonRow {
    /// The category the run bred for (its champion is that category's champion); its run folder is
    /// `<comparison folder>/<category>/`.
    pub champion_category: String,
    /// The champion's genome id.
    pub champion_id: String,
    /// The category whose fitness is measured.
    pub measure: String,
    /// `validation` or `holdout`.
    pub part: String,
    /// The fitness; `None` when the champion is not eligible in that category on that part.
    pub fitness: Option<f64>,
}

/// Writes `comparison.parquet` in `folder` (columns `champion_category`, `champion_id`, `measure`,
/// `part`, `fitness`), atomically; returns its path.
///
/// # Errors
/// [`RunError::Data`] when the file cannot be written.
pub fn write_comparison_table(folder: &Path, rows: &[ComparisonRow]) -> Result<PathBuf, RunError> {
    let path = RunFolder::new(folder).comparison_table_path();
    let texts = |field: fn(&ComparisonRow) -> &String| {
        TableColumn::Text(rows.iter().map(|row| field(row).clone()).collect())
    };
    write_table(
        &path,
        &[
            ("champion_category", texts(|row| &row.champion_category)),
            ("champion_id", texts(|row| &row.champion_id)),
            ("measure", texts(|row| &row.measure)),
            ("part", texts(|row| &row.part)),
            (
                "fitness",
                TableColumn::Float(rows.iter().map(|row| row.fitness).collect()),
            ),
        ],
    )?;
    Ok(path)
}

/// Reads `comparison.parquet` from `folder`.
///
/// # Errors
/// [`RunError::Data`] when it cannot be read; [`RunError::RunFolder`] naming the
/// column that is missing or of another type.
pub fn read_comparison_table(folder: &Path) -> Result<Vec<ComparisonRow>, RunError> {
    let path = RunFolder::new(folder).comparison_table_path();
    let mut columns = read_table(&path)?;
    let mut take = |name: &str| {
        columns
            .iter()
            .position(|(column, _)| column == name)
            .map(|index| columns.swap_remove(index).1)
            .ok_or_else(|| RunError::RunFolder {
                path: path.clone(),
                message: format!("no column `{name}`"),
            })
    };
    let texts = |column: TableColumn, name: &str| match column {
        TableColumn::Text(values) => Ok(values),
        _ => Err(RunError::RunFolder {
            path: path.clone(),
            message: format!("column `{name}` is not text"),
        }),
    };
    let champion_category = texts(take("champion_category")?, "champion_category")?;
    let champion_id = texts(take("champion_id")?, "champion_id")?;
    let measure = texts(take("measure")?, "measure")?;
    let part = texts(take("part")?, "part")?;
    let TableColumn::Float(fitness) = take("fitness")? else {
        return Err(RunError::RunFolder {
            path: path.clone(),
            message: "column `fitness` is not float64".into(),
        });
    };
    Ok(champion_category
        .into_iter()
        .zip(champion_id)
        .zip(measure)
        .zip(part)
        .zip(fitness)
        .map(
            |((((champion_category, champion_id), measure), part), fitness)| ComparisonRow {
                champion_category,
                champion_id,
                measure,
                part,
                fitness,
            },
        )
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_reads_back_what_was_written() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let rows = vec![
            ComparisonRow {
                champion_category: "risk_management".into(),
                champion_id: "g1-i0-3".into(),
                measure: "drawdown_resistance".into(),
                part: "holdout".into(),
                fitness: Some(-0.125),
            },
            ComparisonRow {
                champion_category: "risk_management".into(),
                champion_id: "g1-i0-3".into(),
                measure: "monthly_performance".into(),
                part: "validation".into(),
                fitness: None,
            },
        ];
        write_comparison_table(folder.path(), &rows).expect("written");
        assert_eq!(read_comparison_table(folder.path()).expect("read"), rows);
        assert_eq!(
            RunFolder::new(folder.path()).kind().expect("a comparison"),
            crate::run_folder::FolderKind::Comparison
        );
    }
}
