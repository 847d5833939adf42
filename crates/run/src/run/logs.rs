//! The checkpoint's append-only logs: leaderboard entries, capital rows and generation rows, one
//! JSON object a line. The checkpoint records how many lines of each it covers, so lines a killed
//! generation wrote after it are ignored on resume.

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use gauntlet_data::write_atomically;
use gauntlet_evolve::Fingerprint;
use gauntlet_tournament::{CapitalRow, SUMMARY_COLUMNS};
use serde::Serialize;

use super::{GenerationRow, LeaderboardEntry, io_error};
use crate::error::RunError;

pub(super) const LEADERBOARD_LOG: &str = "checkpoint/leaderboard.jsonl";
pub(super) const CAPITAL_LOG: &str = "checkpoint/capital.jsonl";
pub(super) const GENERATIONS_LOG: &str = "checkpoint/generations.jsonl";

/// The rows written so far (the checkpoint's logs, read back on resume).
#[derive(Default)]
pub(super) struct Logs {
    pub(super) leaderboard: Vec<LeaderboardEntry>,
    pub(super) capital: Vec<CapitalRow>,
    pub(super) generations: Vec<GenerationRow>,
    /// Each leaderboard genome's in-sample CAGR (mean over symbols, 0 where undefined), by
    /// fingerprint: which genomes are already listed, and what capital they earn per generation.
    pub(super) cagr: BTreeMap<Fingerprint, f64>,
    /// The run's NSGA-II objectives (empty for a tournament run): the leaderboard's
    /// `objective_<name>`, `front` and `crowding` columns.
    pub(super) objectives: Vec<gauntlet_tournament::objectives::Measure>,
}

impl Logs {
    /// Reads the first `committed` lines of each log (lines after them were written by a generation
    /// that never reached its checkpoint).
    pub(super) fn read(folder: &Path, committed: [usize; 3]) -> Result<Self, RunError> {
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
    pub(super) fn add_entries(&mut self, entries: &[LeaderboardEntry]) {
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

    pub(super) fn counts(&self) -> [usize; 3] {
        [
            self.leaderboard.len(),
            self.capital.len(),
            self.generations.len(),
        ]
    }
}

/// Rewrites the log at `path` with exactly the lines of `all`, atomically (on resume: drops lines a
/// killed generation wrote past the checkpoint).
pub(super) fn append_log<T: Serialize>(path: &Path, all: &[T]) -> Result<(), RunError> {
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
pub(super) fn append_lines<T: Serialize>(path: &Path, rows: &[T]) -> Result<(), RunError> {
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
