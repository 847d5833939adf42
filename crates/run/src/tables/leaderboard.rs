//! `leaderboard.parquet` and `leaderboard.csv`: every genome a run scored, ranked. Its columns
//! depend on the run (the NSGA-II objectives), so its type is written out rather than declared
//! with `table!`.

use std::path::Path;

use gauntlet_data::{TableColumn, write_atomically};
use gauntlet_tournament::{Category, SUMMARY_COLUMNS};

use super::{ColumnValue, TableReader, column_length, write_columns};
use crate::error::RunError;

/// One genome of the leaderboard: a row of `leaderboard.parquet` and `leaderboard.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaderboardRow {
    /// Its rank by fitness, 1 = best (ineligible last).
    pub rank: usize,
    /// The id of the agent that first had these genes.
    pub id: String,
    /// The generation it was born in.
    pub generation: u32,
    /// Its island.
    pub island: u32,
    /// The genes' fingerprint, hex.
    pub fingerprint: String,
    /// Whether it is eligible in the run's category.
    pub eligible: bool,
    /// In-sample fitness in the run's category.
    pub fitness: Option<f64>,
    /// Why it is not eligible (empty when it is).
    pub ineligible_because: String,
    /// In-sample metrics in [`SUMMARY_COLUMNS`] order (`None` where undefined or, in folders
    /// written before a metric existed, absent); see [`LeaderboardRow::metric`].
    pub metrics: Vec<Option<f64>>,
    /// In-sample fitness in every category, [`Category::ALL`] order (`None` where not eligible;
    /// empty in folders written before Gauntlet ranked every category:
    /// [`Leaderboard::every_category`]).
    pub category_fitness: Vec<Option<f64>>,
    /// In-sample values of the run's NSGA-II objectives, in [`Leaderboard::objectives`] order.
    pub objectives: Vec<Option<f64>>,
    /// NSGA-II runs: its non-dominated front among every genome the run scored (0 = none
    /// better in every objective).
    pub front: Option<f64>,
    /// NSGA-II runs: its crowding distance in its front.
    pub crowding: Option<f64>,
    /// Its parents' ids (`;`-separated in the file; empty in folders written before lineage).
    pub parents: Vec<String>,
    /// The operators that made it (`;`-separated in the file).
    pub operators: Vec<String>,
    /// The rules in plain English.
    pub rules: String,
}

impl LeaderboardRow {
    /// The in-sample metric named `name` (one of [`SUMMARY_COLUMNS`]: `sharpe`, `max_drawdown`,
    /// ...); `None` where undefined, absent, or not a summary metric.
    pub fn metric(&self, name: &str) -> Option<f64> {
        SUMMARY_COLUMNS
            .iter()
            .position(|column| *column == name)
            .and_then(|index| self.metrics.get(index).copied().flatten())
    }
}

/// `leaderboard.parquet`: every genome the run scored, in rank order, with the run's NSGA-II
/// objectives (none for a tournament run).
#[derive(Debug, Clone, PartialEq)]
pub struct Leaderboard {
    /// The names of the run's NSGA-II objectives (`objective_<name>` columns), in the
    /// experiment's order; empty for a tournament run.
    pub objectives: Vec<String>,
    /// Whether the table has every category's `fitness_<category>` column (folders written before
    /// Gauntlet ranked every category have only the run category's `fitness`).
    pub every_category: bool,
    /// Whether the table has the lineage columns `parents` and `operators` (folders written
    /// before Gauntlet kept lineage have neither).
    pub lineage: bool,
    /// The genomes, best first.
    pub rows: Vec<LeaderboardRow>,
}

const OBJECTIVE_PREFIX: &str = "objective_";
const FITNESS_PREFIX: &str = "fitness_";

impl Leaderboard {
    /// The table's columns in file order: `rank`, `id`, `generation`, `island`, `fingerprint`,
    /// `eligible`, `fitness`, `ineligible_because`, every [`SUMMARY_COLUMNS`] metric,
    /// `fitness_<category>` for every category, then for an NSGA-II run `objective_<name>` for each
    /// objective, `front` and `crowding`, and last `parents`, `operators` and `rules`.
    pub fn columns(&self) -> Vec<(String, TableColumn)> {
        let rows = &self.rows;
        let column = |name: &str, values: TableColumn| (name.to_string(), values);
        let mut columns = vec![
            column(
                "rank",
                usize::column(rows.iter().map(|row| row.rank).collect()),
            ),
            column(
                "id",
                String::column(rows.iter().map(|row| row.id.clone()).collect()),
            ),
            column(
                "generation",
                u32::column(rows.iter().map(|row| row.generation).collect()),
            ),
            column(
                "island",
                u32::column(rows.iter().map(|row| row.island).collect()),
            ),
            column(
                "fingerprint",
                String::column(rows.iter().map(|row| row.fingerprint.clone()).collect()),
            ),
            column(
                "eligible",
                bool::column(rows.iter().map(|row| row.eligible).collect()),
            ),
            column("fitness", floats(rows.iter().map(|row| row.fitness))),
            column(
                "ineligible_because",
                String::column(
                    rows.iter()
                        .map(|row| row.ineligible_because.clone())
                        .collect(),
                ),
            ),
        ];
        for (index, name) in SUMMARY_COLUMNS.iter().enumerate() {
            columns.push(column(
                name,
                floats(
                    rows.iter()
                        .map(|row| row.metrics.get(index).copied().flatten()),
                ),
            ));
        }
        for (index, category) in Category::ALL.iter().enumerate() {
            if !self.every_category {
                break;
            }
            columns.push((
                format!("{FITNESS_PREFIX}{}", category.name()),
                floats(
                    rows.iter()
                        .map(|row| row.category_fitness.get(index).copied().flatten()),
                ),
            ));
        }
        if !self.objectives.is_empty() {
            for (index, name) in self.objectives.iter().enumerate() {
                columns.push((
                    format!("{OBJECTIVE_PREFIX}{name}"),
                    floats(
                        rows.iter()
                            .map(|row| row.objectives.get(index).copied().flatten()),
                    ),
                ));
            }
            columns.push(column("front", floats(rows.iter().map(|row| row.front))));
            columns.push(column(
                "crowding",
                floats(rows.iter().map(|row| row.crowding)),
            ));
        }
        if self.lineage {
            for (name, values) in [
                (
                    "parents",
                    rows.iter().map(|row| row.parents.join(";")).collect(),
                ),
                (
                    "operators",
                    rows.iter().map(|row| row.operators.join(";")).collect(),
                ),
            ] {
                columns.push(column(name, String::column(values)));
            }
        }
        columns.push(column(
            "rules",
            String::column(rows.iter().map(|row| row.rules.clone()).collect()),
        ));
        columns
    }

    /// Writes `leaderboard.parquet` at `parquet` and `leaderboard.csv` at `csv`, atomically.
    ///
    /// # Errors
    /// [`RunError::Data`] when a file cannot be written.
    pub fn write(&self, parquet: &Path, csv: &Path) -> Result<(), RunError> {
        let columns = self.columns();
        write_columns(parquet, &columns)?;
        write_csv(csv, &columns)
    }

    /// Reads `leaderboard.parquet`.
    ///
    /// # Errors
    /// As [`super::read_rows`].
    pub fn read(path: &Path) -> Result<Self, RunError> {
        let mut reader = TableReader::open(path)?;
        let rank: Vec<usize> = reader.take("rank")?;
        let id: Vec<String> = reader.take("id")?;
        let generation: Vec<u32> = reader.take("generation")?;
        let island: Vec<u32> = reader.take("island")?;
        let fingerprint: Vec<String> = reader.take("fingerprint")?;
        let eligible: Vec<bool> = reader.take("eligible")?;
        let fitness: Vec<Option<f64>> = reader.take("fitness")?;
        let ineligible_because: Vec<String> = reader.take("ineligible_because")?;
        // Metrics added after folders existed (alpha, beta...) read as `None` where absent.
        let metrics: Vec<Vec<Option<f64>>> = SUMMARY_COLUMNS
            .iter()
            .map(|name| reader.take_or(name, None))
            .collect::<Result<_, _>>()?;
        let category_fitness: Vec<Option<Vec<Option<f64>>>> = Category::ALL
            .iter()
            .map(|category| reader.take_optional(&format!("{FITNESS_PREFIX}{}", category.name())))
            .collect::<Result<_, _>>()?;
        let objectives: Vec<String> = reader
            .remaining()
            .filter_map(|name| name.strip_prefix(OBJECTIVE_PREFIX))
            .map(str::to_string)
            .collect();
        let objective_values: Vec<Vec<Option<f64>>> = objectives
            .iter()
            .map(|name| reader.take(&format!("{OBJECTIVE_PREFIX}{name}")))
            .collect::<Result<_, _>>()?;
        let (front, crowding): (Vec<Option<f64>>, Vec<Option<f64>>) = if objectives.is_empty() {
            (vec![None; reader.rows()], vec![None; reader.rows()])
        } else {
            (reader.take("front")?, reader.take("crowding")?)
        };
        let parents: Option<Vec<String>> = reader.take_optional("parents")?;
        let operators: Option<Vec<String>> = reader.take_optional("operators")?;
        let lineage = parents.is_some() && operators.is_some();
        let (parents, operators) = (
            parents.unwrap_or_else(|| vec![String::new(); reader.rows()]),
            operators.unwrap_or_else(|| vec![String::new(); reader.rows()]),
        );
        let rules: Vec<String> = reader.take("rules")?;
        let split = |text: &str| -> Vec<String> {
            text.split(';')
                .filter(|part| !part.is_empty())
                .map(str::to_string)
                .collect()
        };
        let every_category = category_fitness.iter().all(Option::is_some);
        let rows = (0..reader.rows())
            .map(|row| LeaderboardRow {
                rank: rank[row],
                id: id[row].clone(),
                generation: generation[row],
                island: island[row],
                fingerprint: fingerprint[row].clone(),
                eligible: eligible[row],
                fitness: fitness[row],
                ineligible_because: ineligible_because[row].clone(),
                metrics: metrics.iter().map(|column| column[row]).collect(),
                category_fitness: if every_category {
                    category_fitness
                        .iter()
                        .map(|column| column.as_ref().and_then(|values| values[row]))
                        .collect()
                } else {
                    Vec::new()
                },
                objectives: objective_values.iter().map(|column| column[row]).collect(),
                front: front[row],
                crowding: crowding[row],
                parents: split(&parents[row]),
                operators: split(&operators[row]),
                rules: rules[row].clone(),
            })
            .collect();
        Ok(Self {
            objectives,
            every_category,
            lineage,
            rows,
        })
    }

    /// Every row's in-sample fitness in `category` (`None` where not eligible); for a table written
    /// before every category was ranked, the run's own fitness when `category` is `run_category`,
    /// and `None` (no such column) for the others.
    pub fn fitness_in(
        &self,
        category: Category,
        run_category: Category,
    ) -> Option<Vec<Option<f64>>> {
        if self.every_category {
            let index = Category::ALL.iter().position(|other| *other == category)?;
            Some(
                self.rows
                    .iter()
                    .map(|row| row.category_fitness.get(index).copied().flatten())
                    .collect(),
            )
        } else if category == run_category {
            Some(self.rows.iter().map(|row| row.fitness).collect())
        } else {
            None
        }
    }

    /// The values of the objective named `name` (`None` per row where undefined); `None` when the
    /// run had no such objective.
    pub fn objective(&self, name: &str) -> Option<Vec<Option<f64>>> {
        let index = self
            .objectives
            .iter()
            .position(|objective| objective == name)?;
        Some(
            self.rows
                .iter()
                .map(|row| row.objectives.get(index).copied().flatten())
                .collect(),
        )
    }
}

fn floats(values: impl Iterator<Item = Option<f64>>) -> TableColumn {
    TableColumn::Float(values.collect())
}

/// Writes columns as CSV (with the `csv` crate), atomically; nulls and `NaN` are empty cells,
/// infinity `inf` (which pandas reads).
fn write_csv(path: &Path, columns: &[(String, TableColumn)]) -> Result<(), RunError> {
    let rows = columns
        .first()
        .map_or(0, |(_, column)| column_length(column));
    write_atomically(path, |file| {
        let csv_error = |error: csv::Error| gauntlet_data::DataError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(error.to_string()),
        };
        let mut writer = csv::Writer::from_writer(file);
        writer
            .write_record(columns.iter().map(|(name, _)| name.as_str()))
            .map_err(csv_error)?;
        for row in 0..rows {
            let record: Vec<String> = columns
                .iter()
                .map(|(_, column)| match column {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_leaderboard_round_trips_with_its_objectives() {
        let folder = tempfile::tempdir().unwrap();
        let (parquet, csv) = (
            folder.path().join("leaderboard.parquet"),
            folder.path().join("leaderboard.csv"),
        );
        let mut metrics = vec![None; SUMMARY_COLUMNS.len()];
        metrics[4] = Some(1.25); // sharpe
        metrics[14] = Some(f64::INFINITY); // profit factor without a losing trade
        let row = LeaderboardRow {
            rank: 1,
            id: "g3-i1-7".into(),
            generation: 3,
            island: 1,
            fingerprint: "00000000deadbeef".into(),
            eligible: true,
            fitness: Some(0.5),
            ineligible_because: String::new(),
            metrics,
            category_fitness: vec![Some(0.5), None, None, None, None, Some(0.1)],
            objectives: vec![Some(0.5), Some(-3.0)],
            front: Some(0.0),
            crowding: Some(f64::INFINITY),
            parents: vec!["g2-i1-1".into(), "g2-i1-4".into()],
            operators: vec!["uniform".into(), "jitter".into()],
            rules: "long when RSI(2) < 10".into(),
        };
        let leaderboard = Leaderboard {
            objectives: vec!["monthly_performance".into(), "complexity".into()],
            every_category: true,
            lineage: true,
            rows: vec![row.clone()],
        };
        leaderboard.write(&parquet, &csv).unwrap();
        let read = Leaderboard::read(&parquet).unwrap();
        assert_eq!(read.objectives, leaderboard.objectives);
        assert_eq!(read.rows[0].metric("sharpe"), Some(1.25));
        // Non-finite floats are written as null in Parquet (`inf` in the CSV).
        assert_eq!(read.rows[0].metric("profit_factor"), None);
        assert_eq!(read.rows[0].crowding, None);
        assert_eq!(read.rows[0].parents, row.parents);
        assert_eq!(read.objective("complexity"), Some(vec![Some(-3.0)]));
        assert_eq!(
            read.fitness_in(Category::ConsistencyChampion, Category::MonthlyPerformance),
            Some(vec![Some(0.1)])
        );
        let text = std::fs::read_to_string(&csv).unwrap();
        assert!(text.starts_with("rank,id,generation,island,fingerprint,eligible,fitness,"));
        assert!(
            text.contains(",objective_monthly_performance,objective_complexity,front,crowding,")
        );
    }
}
