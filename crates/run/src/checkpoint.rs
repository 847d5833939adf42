//! The checkpoint: the state a run resumes from bit for bit (`checkpoint/state.json`, [`RunState`])
//! and its append-only logs of leaderboard entries, capital rows and generation rows, one JSON
//! object a line. The state records how many lines of each log it covers, so lines a killed
//! generation wrote after it are ignored on resume.

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use gauntlet_data::write_atomically;
use gauntlet_evolve::{Evolution, Fingerprint};
use gauntlet_genome::Genome;
use gauntlet_tournament::{CapitalBook, CapitalRow, SUMMARY_COLUMNS};
use serde::{Deserialize, Serialize};

use crate::error::{RunError, io_error};
use crate::experiment::Experiment;
use crate::run_folder::{DatasetRecord, RunTimings};

/// The checkpoint's state file, inside the run folder.
pub const CHECKPOINT_STATE: &str = "checkpoint/state.json";
/// One genome's line of the leaderboard (every genome scored once, by fingerprint).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaderboardEntry {
    /// The id of the agent that first had these genes.
    pub id: String,
    /// The generation it was born in.
    pub generation: u32,
    /// Its island.
    pub island: u32,
    /// The genes' fingerprint.
    pub fingerprint: Fingerprint,
    /// In-sample fitness in the run's category; `None` when not eligible.
    pub fitness: Option<f64>,
    /// Why it is not eligible, if it is not.
    pub ineligible_because: Option<String>,
    /// In-sample metrics in [`gauntlet_tournament::SUMMARY_COLUMNS`] order (`None` where undefined; a profit
    /// factor without a losing trade is infinite, `"inf"` in JSON).
    #[serde(with = "gauntlet_core::json_float::infinite_list")]
    pub metrics: Vec<Option<f64>>,
    /// The rules in plain English.
    pub rules: String,
    /// Its parents' ids (none for seeds and random genomes; one for a copy, a mutation or a
    /// migrant).
    #[serde(default)]
    pub parents: Vec<String>,
    /// The operators that made it from its parents, in order (`seed`, `random`, `copy`, a crossover,
    /// a mutation, `migration`, `immigrant`).
    #[serde(default)]
    pub operators: Vec<String>,
    /// In-sample fitness in every category, in [`gauntlet_tournament::Category::ALL`] order (`None` where not eligible
    /// in that category): the leaderboard's `fitness_<category>` columns, so it can be ranked by any
    /// category.
    #[serde(default)]
    pub category_fitness: Vec<Option<f64>>,
    /// In-sample values of the run's NSGA-II objectives, in the experiment's order (`None` where
    /// undefined; empty for a tournament run).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        with = "gauntlet_core::json_float::infinite_list"
    )]
    pub objectives: Vec<Option<f64>>,
    /// The genome (kept in the checkpoint's log, not in the tables): the trials the run's
    /// overfitting statistics sample.
    pub genome: Genome,
}

/// One island's line of `generations.parquet`: the GA's island statistics and the generation's
/// timing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationRow {
    /// Best/median/worst fitness, eligible agents, diversity and new evaluations of the island.
    #[serde(flatten)]
    pub stats: gauntlet_evolve::IslandStats,
    /// Wall-clock seconds of the whole generation.
    pub seconds: f64,
    /// Of which scoring genomes (the rest is the GA's own work: breeding, reallocation, files).
    pub scoring_seconds: f64,
    /// Of the scoring, seconds rank 0 spent in the cluster's collectives (0 without a cluster;
    /// [`gauntlet_tournament::cluster`]).
    #[serde(default)]
    pub communication_seconds: f64,
    /// Bytes of results the ranks exchanged in the generation (0 without a cluster).
    #[serde(default)]
    pub bytes_exchanged: u64,
}

/// The checkpoint: everything needed to continue a run bit for bit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunState {
    /// The resolved experiment.
    pub experiment: Experiment,
    /// The datasets and their hashes.
    pub datasets: Vec<DatasetRecord>,
    /// The population, hall of fame and fitness cache.
    pub evolution: Evolution<Genome>,
    /// Capital per agent.
    pub capital: CapitalBook,
    /// Champion candidates beyond the hall of fame: the best agent of every island in every
    /// generation (distinct genomes), so validation can also pick a genome from before in-sample
    /// over-fitting set in (early stopping on the validation part).
    pub candidates: Vec<gauntlet_evolve::Individual<Genome>>,
    /// Lines committed to each log (leaderboard, capital, generations).
    pub committed: [usize; 3],
    /// When the run started (RFC 3339, UTC).
    pub started_at: String,
    /// Seconds spent so far, in total and scoring genomes.
    pub seconds: [f64; 2],
    /// Where the time went so far (absent in checkpoints written before Gauntlet recorded it).
    #[serde(default)]
    pub timings: RunTimings,
}

pub(crate) const LEADERBOARD_LOG: &str = "checkpoint/leaderboard.jsonl";
pub(crate) const CAPITAL_LOG: &str = "checkpoint/capital.jsonl";
pub(crate) const GENERATIONS_LOG: &str = "checkpoint/generations.jsonl";

/// The rows written so far (the checkpoint's logs, read back on resume).
#[derive(Default)]
pub(crate) struct Logs {
    pub(crate) leaderboard: Vec<LeaderboardEntry>,
    pub(crate) capital: Vec<CapitalRow>,
    pub(crate) generations: Vec<GenerationRow>,
    /// Each leaderboard genome's in-sample CAGR (mean over symbols, 0 where undefined), by
    /// fingerprint: which genomes are already listed, and what capital they earn per generation.
    pub(crate) cagr: BTreeMap<Fingerprint, f64>,
    /// The run's NSGA-II objectives (empty for a tournament run): the leaderboard's
    /// `objective_<name>`, `front` and `crowding` columns.
    pub(crate) objectives: Vec<gauntlet_tournament::objectives::Measure>,
}

impl Logs {
    /// Reads the first `committed` lines of each log (lines after them were written by a generation
    /// that never reached its checkpoint).
    pub(crate) fn read(folder: &Path, committed: [usize; 3]) -> Result<Self, RunError> {
        fn read_log<T: serde::de::DeserializeOwned>(
            path: &Path,
            lines: usize,
        ) -> Result<Vec<T>, RunError> {
            let file = std::fs::File::open(path).map_err(io_error(path))?;
            let mut rows = Vec::with_capacity(lines);
            for (number, line) in BufReader::new(file).lines().take(lines).enumerate() {
                let line = line.map_err(io_error(path))?;
                rows.push(
                    serde_json::from_str(&line).map_err(|error| RunError::RunFolder {
                        path: path.to_path_buf(),
                        message: format!("line {}: {error}", number + 1),
                    })?,
                );
            }
            if rows.len() < lines {
                return Err(RunError::RunFolder {
                    path: path.to_path_buf(),
                    message: format!("has {} lines, the checkpoint needs {lines}", rows.len()),
                });
            }
            Ok(rows)
        }
        let mut logs = Self {
            capital: read_log(&folder.join(CAPITAL_LOG), committed[1])?,
            generations: read_log(&folder.join(GENERATIONS_LOG), committed[2])?,
            ..Self::default()
        };
        let leaderboard: Vec<LeaderboardEntry> =
            read_log(&folder.join(LEADERBOARD_LOG), committed[0])?;
        logs.add_entries(&leaderboard);
        Ok(logs)
    }

    /// Adds leaderboard entries and indexes them.
    pub(crate) fn add_entries(&mut self, entries: &[LeaderboardEntry]) {
        let cagr = SUMMARY_COLUMNS
            .iter()
            .position(|name| *name == "cagr")
            .unwrap_or(2);
        for entry in entries {
            self.cagr
                .insert(entry.fingerprint, entry.metrics[cagr].unwrap_or(0.0));
        }
        self.leaderboard.extend(entries.iter().cloned());
    }

    pub(crate) fn counts(&self) -> [usize; 3] {
        [
            self.leaderboard.len(),
            self.capital.len(),
            self.generations.len(),
        ]
    }
}

/// Rewrites the log at `path` with exactly the lines of `all`, atomically (on resume: drops lines a
/// killed generation wrote past the checkpoint).
pub(crate) fn append_log<T: Serialize>(path: &Path, all: &[T]) -> Result<(), RunError> {
    write_atomically(path, |file| {
        let mut writer = std::io::BufWriter::new(file);
        for row in all {
            let line = serde_json::to_string(row).unwrap_or_default();
            writeln!(writer, "{line}").map_err(|source| gauntlet_data::DataError::Io {
                path: path.to_path_buf(),
                source,
            })?;
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

/// Appends `rows` to the log at `path` (the file holds exactly the committed lines before).
pub(crate) fn append_lines<T: Serialize>(path: &Path, rows: &[T]) -> Result<(), RunError> {
    let mut file = OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(io_error(path))?;
    let mut text = String::new();
    for row in rows {
        text.push_str(&serde_json::to_string(row).unwrap_or_default());
        text.push('\n');
    }
    file.write_all(text.as_bytes()).map_err(io_error(path))?;
    file.sync_all().map_err(io_error(path))
}
