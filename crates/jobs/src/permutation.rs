//! The permutation test of the whole search (T. Masters, *Permutation and Randomization Tests for
//! Trading System Development*, 2020): does this search find structure that it would not find in
//! noise with the same drift, volatility and bar shapes? The experiment's search (same seed,
//! budget and selection) runs on its real data (permutation 0) and on N copies whose in-sample
//! bars were permuted ([`gauntlet_run::prepare_permuted`]); validation and holdout are untouched.
//! For the best in-sample fitness and the chosen champion's validation fitness,
//! `p = (1 + #{permuted >= real}) / (N + 1)`.
//!
//! Each permutation is an independent search: a job array's tasks share them out ([`Shard`]),
//! each writing `permutations/<p>.json` into the study folder, and a merge reads them back; in an
//! MPI job every search's scoring is split over the ranks. Either way the test is the same, bit for
//! bit, as one process's.

use std::path::Path;

use gauntlet_data::Catalog;
use gauntlet_run::{
    Experiment, PermutationRecord, PermutationTest, RunFolder, SearchResult, search_permutation,
};

use crate::error::JobError;
use crate::shard::Shard;

pub use gauntlet_run::MAX_PERMUTATIONS;

/// The permutation p-value `(1 + #{permuted >= real}) / (N + 1)` (Masters 2020; Phipson & Smyth,
/// "Permutation p-values should never be zero", 2010): the real value counts as one of the
/// N + 1 equally likely orderings under the null. A missing value (no eligible genome) ranks
/// lowest, so a missing real value gets p = 1.
pub fn permutation_p_value(real: Option<f64>, permuted: &[Option<f64>]) -> f64 {
    let lowest = |value: Option<f64>| value.unwrap_or(f64::NEG_INFINITY);
    let at_least = permuted
        .iter()
        .filter(|&&value| lowest(value) >= lowest(real))
        .count();
    (1 + at_least) as f64 / (permuted.len() + 1) as f64
}

/// Checks a permutation count before any work.
///
/// # Errors
/// [`JobError::Config`] (field `study.permutations`) above [`MAX_PERMUTATIONS`].
pub fn check_permutations(permutations: u32) -> Result<(), JobError> {
    if permutations > MAX_PERMUTATIONS {
        return Err(JobError::Config {
            field: "study.permutations".into(),
            message: format!("must be at most {MAX_PERMUTATIONS}, got {permutations}"),
        });
    }
    Ok(())
}

/// Runs the searches `0..=permutations` that `shard` takes (position `p` for permutation `p`) of
/// `experiment` (its seed is the search's), writing each into `folder/permutations/<p>.json` when
/// a folder is given, and calling `finished` after each.
///
/// # Errors
/// As [`check_permutations`] and [`search_permutation`]; I/O errors naming the file.
pub fn run_permutations(
    experiment: &Experiment,
    catalog: &Catalog,
    permutations: u32,
    shard: Shard,
    folder: Option<&Path>,
    finished: &mut dyn FnMut(&PermutationRecord),
) -> Result<Vec<PermutationRecord>, JobError> {
    check_permutations(permutations)?;
    let mut records = Vec::new();
    for permutation in 0..=permutations {
        if !shard.takes(permutation as usize) {
            continue;
        }
        let result = search_permutation(experiment, catalog, permutation)?;
        let record = PermutationRecord {
            permutation,
            seed: experiment.seed,
            result,
        };
        if let Some(folder) = folder {
            RunFolder::new(folder).write_permutation(&record)?;
        }
        finished(&record);
        records.push(record);
    }
    Ok(records)
}

/// Reads the searches `0..=permutations` of seed `seed` back from `folder/permutations/`.
///
/// # Errors
/// [`JobError::RunFolder`] naming a missing or malformed file, or one of another seed.
pub fn read_permutations(
    folder: &Path,
    seed: u64,
    permutations: u32,
) -> Result<Vec<PermutationRecord>, JobError> {
    check_permutations(permutations)?;
    let run_folder = RunFolder::new(folder);
    (0..=permutations)
        .map(|permutation| {
            let path = run_folder.permutation_path(permutation);
            let record = run_folder.read_permutation(permutation).map_err(|error| {
                JobError::RunFolder {
                    path: path.clone(),
                    message: format!(
                        "permutation {permutation} is missing or unreadable ({error}): run every share (--shard) to the end before --merge"
                    ),
                }
            })?;
            if record.seed != seed || record.permutation != permutation {
                return Err(JobError::RunFolder {
                    path,
                    message: format!(
                        "holds permutation {} of seed {}, not permutation {permutation} of seed {seed}: another study's file",
                        record.permutation, record.seed
                    ),
                });
            }
            Ok(record)
        })
        .collect()
}

/// The test from its searches: `records[0]` the real data, then permutations 1 to N in order.
///
/// # Errors
/// [`JobError::Config`] when the records are not permutations `0..=N` in order.
pub fn summarise_permutations(records: &[PermutationRecord]) -> Result<PermutationTest, JobError> {
    let in_order = records
        .iter()
        .enumerate()
        .all(|(index, record)| record.permutation as usize == index);
    let (Some(real), true) = (records.first(), in_order) else {
        return Err(JobError::Config {
            field: "study.permutations".into(),
            message: "the permutation test needs the real search and every permutation, in order"
                .into(),
        });
    };
    let permuted: Vec<SearchResult> = records[1..].iter().map(|record| record.result).collect();
    let best: Vec<Option<f64>> = permuted
        .iter()
        .map(|result| result.best_in_sample)
        .collect();
    let validation: Vec<Option<f64>> = permuted
        .iter()
        .map(|result| result.champion_validation)
        .collect();
    let best_p = permutation_p_value(real.result.best_in_sample, &best);
    let validation_p = permutation_p_value(real.result.champion_validation, &validation);
    let count = permuted.len();
    let found = if best_p < 0.05 {
        "the search finds more in the real in-sample bars than in permuted ones with the same drift, volatility and bar shapes"
    } else {
        "the search is not shown to find more in the real in-sample bars than in noise with the same drift, volatility and bar shapes"
    };
    let held = if validation_p < 0.05 {
        "its champion's validation fitness also beats the permuted searches' champions'"
    } else {
        "its champion's validation fitness is not shown to beat the permuted searches' champions'"
    };
    let verdict = format!(
        "Permutation test over {count} permutations: best in-sample fitness p = {best_p:.4}, champion's validation fitness p = {validation_p:.4} (below 0.05 is evidence): {found}; {held}."
    );
    Ok(PermutationTest {
        seed: real.seed,
        permutations: count as u32,
        evaluations: real.result.evaluations,
        real_best_in_sample: real.result.best_in_sample,
        real_champion_validation: real.result.champion_validation,
        permuted_best_in_sample: best,
        permuted_champion_validation: validation,
        best_in_sample_p_value: best_p,
        champion_validation_p_value: validation_p,
        verdict,
    })
}

/// The whole test in memory, one process: `permutations` searches plus the real one of
/// `experiment` (its seed is the search's). For the calibration and power checks.
///
/// # Errors
/// As [`run_permutations`].
pub fn permutation_test(
    experiment: &Experiment,
    catalog: &Catalog,
    permutations: u32,
) -> Result<PermutationTest, JobError> {
    let records = run_permutations(
        experiment,
        catalog,
        permutations,
        Shard::WHOLE,
        None,
        &mut |_| {},
    )?;
    summarise_permutations(&records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_p_value_counts_ties_and_the_real_value_itself() {
        // Real 0.5 among [0.1, 0.5, 0.7, None]: 0.5 and 0.7 are at least as large, so
        // p = (1 + 2) / (4 + 1) = 0.6.
        let permuted = [Some(0.1), Some(0.5), Some(0.7), None];
        assert_eq!(permutation_p_value(Some(0.5), &permuted), 0.6);
        // Above them all: 1 / 5, the smallest p four permutations can give.
        assert_eq!(permutation_p_value(Some(0.8), &permuted), 0.2);
        // No eligible genome in the real search: every permuted value is at least as large.
        assert_eq!(permutation_p_value(None, &permuted), 1.0);
        assert_eq!(permutation_p_value(Some(0.0), &[]), 1.0);
    }

    #[test]
    fn the_bound_is_checked_before_work() {
        assert!(check_permutations(MAX_PERMUTATIONS).is_ok());
        let error = check_permutations(MAX_PERMUTATIONS + 1).unwrap_err();
        assert!(error.to_string().contains("at most 10000"), "{error}");
    }
}
