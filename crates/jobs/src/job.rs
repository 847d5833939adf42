//! One entry point for `gauntlet evolve`: an experiment becomes a plain run or, with a
//! `[walk_forward]` table, a walk-forward analysis; a folder of either kind resumes.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use gauntlet_data::Catalog;

use gauntlet_tournament::cluster::RankFolder;

use crate::error::JobError;
use crate::shard::Shard;
use crate::walk_forward::run_walk_forward;
use crate::walk_forward_matrix::run_walk_forward_matrix;
use gauntlet_run::Experiment;
use gauntlet_run::RunFolder;
use gauntlet_run::{
    CHECKPOINT_STATE, Observer, RunOutcome, WalkForwardMatrixSummary, WalkForwardSummary,
};
use gauntlet_run::{FOLDER_LOCK_FILE, FolderLock, holds_nothing_but_its_lock};

/// What `gauntlet evolve` produced.
#[derive(Debug, Clone)]
pub enum Evolved {
    /// A plain run, finished or interrupted.
    Run(RunOutcome),
    /// A share of a walk-forward's windows (`--shard`) in `folder`; the stitching waits for every
    /// share (then `gauntlet evolve --resume` the folder).
    Share {
        /// The walk-forward folder.
        folder: PathBuf,
        /// The share made.
        shard: Shard,
        /// Whether a stop signal ended it early.
        interrupted: bool,
    },
    /// A walk-forward analysis in `folder`.
    WalkForward {
        /// The walk-forward folder.
        folder: PathBuf,
        /// Its windows and stitched results.
        summary: WalkForwardSummary,
    },
    /// A walk-forward matrix in `folder`.
    WalkForwardMatrix {
        /// The matrix folder.
        folder: PathBuf,
        /// Its cells and verdict.
        summary: WalkForwardMatrixSummary,
    },
}

/// Evolves `experiment` into `folder`, which must not exist yet or be empty (a user's files are
/// never overwritten; a run continues with [`resume`]): a walk-forward when it has
/// `[walk_forward]`, else one run. In a cluster job every rank calls it; rank 0 writes `folder`,
/// the others a private folder ([`gauntlet_tournament::cluster::RankFolder`]) that is gone when it returns.
///
/// A `shard` of several (a task of a job array) makes that share of a walk-forward's windows in
/// `folder`, which may then hold the other tasks' windows of the same experiment.
///
/// # Errors
/// [`JobError::RunFolder`] when `folder` holds anything (with a shard: another
/// experiment); [`gauntlet_run::RunError::FolderLocked`] (inside [`JobError::Run`]) when another
/// process is writing `folder` (a shard of several takes no lock: the tasks of a job array fill
/// one folder together); [`JobError::Config`] for a shard of a plain run; as [`gauntlet_run::start`] and
/// [`run_walk_forward`].
pub fn evolve(
    experiment: Experiment,
    catalog: &Catalog,
    folder: &Path,
    shard: Shard,
    observer: &dyn Observer,
    stop: &AtomicBool,
) -> Result<Evolved, JobError> {
    let shared = shard.count > 1;
    if shared {
        if experiment.walk_forward.is_none() {
            return Err(JobError::Config {
                field: "shard".into(),
                message: "splits a walk-forward's windows (or a comparison's runs); this experiment has no [walk_forward]".into(),
            });
        }
        let run_folder = RunFolder::new(folder);
        if run_folder.config_path().is_file() && run_folder.read_experiment()? != experiment {
            return Err(JobError::RunFolder {
                path: folder.to_path_buf(),
                message: "holds another experiment's walk-forward; give every share the same --config and --out".into(),
            });
        }
    }
    // Rank 0 checks, before and again under the folder's lock (one writer at a time; the shares
    // of a job array write one folder together by design): the other ranks would see the folder
    // it is filling. A user's folder that holds anything is refused before the lock file is made.
    let root = gauntlet_tournament::cluster::is_root() && !shared;
    let created = root && !folder.exists();
    if root && !holds_nothing_but_its_lock(folder)? {
        // A folder being written: name its writer (the lock file exists; nothing is created).
        if folder.join(FOLDER_LOCK_FILE).is_file() {
            drop(FolderLock::acquire(folder)?);
        }
        return Err(not_empty(folder));
    }
    let lock = match root {
        true => Some(FolderLock::acquire(folder)?),
        false => None,
    };
    if lock.is_some() && !holds_nothing_but_its_lock(folder)? {
        return Err(not_empty(folder));
    }
    // A share's folder may hold windows already: the other ranks start from a copy.
    let rank_folder = RankFolder::for_rank(folder, shared)?;
    let evolved = evolve_into(
        experiment,
        catalog,
        rank_folder.path(),
        shard,
        observer,
        stop,
    );
    // A run refused before it wrote anything (a bad setting found by the run) leaves no folder.
    if evolved.is_err() && created {
        drop(lock);
        if holds_nothing_but_its_lock(folder).unwrap_or(false) {
            std::fs::remove_file(folder.join(FOLDER_LOCK_FILE)).ok();
            std::fs::remove_dir(folder).ok();
        }
    }
    evolved
}

/// The refusal of a `--out` folder that holds something: a run to resume, or a user's files.
fn not_empty(folder: &Path) -> JobError {
    let what = if folder.join(CHECKPOINT_STATE).exists() {
        "already holds a run; continue it with --resume"
    } else {
        "is not empty; choose a new or empty --out (nothing in it was touched)"
    };
    JobError::RunFolder {
        path: folder.to_path_buf(),
        message: what.into(),
    }
}

/// [`evolve`] without the empty-folder check (a walk-forward resumes into its own folder).
fn evolve_into(
    experiment: Experiment,
    catalog: &Catalog,
    folder: &Path,
    shard: Shard,
    observer: &dyn Observer,
    stop: &AtomicBool,
) -> Result<Evolved, JobError> {
    if experiment.walk_forward_matrix.is_some() {
        let folder = folder.to_path_buf();
        let made = run_walk_forward_matrix(&experiment, catalog, &folder, shard, observer, stop)?;
        return Ok(match made {
            Some(summary) => Evolved::WalkForwardMatrix { folder, summary },
            None => Evolved::Share {
                folder,
                shard,
                interrupted: stop.load(std::sync::atomic::Ordering::SeqCst),
            },
        });
    }
    if experiment.walk_forward.is_some() {
        let folder = folder.to_path_buf();
        return Ok(
            match run_walk_forward(&experiment, catalog, &folder, shard, observer, stop)? {
                Some(summary) => Evolved::WalkForward { folder, summary },
                None => Evolved::Share {
                    folder,
                    shard,
                    interrupted: stop.load(std::sync::atomic::Ordering::SeqCst),
                },
            },
        );
    }
    Ok(Evolved::Run(gauntlet_run::start(
        experiment, catalog, folder, observer, stop,
    )?))
}

/// Resumes the run or walk-forward in `folder`: a folder with a checkpoint is a run; one without a
/// checkpoint but with a walk-forward experiment in its `config.toml` is a walk-forward. In a
/// cluster job (any rank count, whatever the count that started the run) every rank calls it, the
/// others than rank 0 on a private copy of `folder`, which must be readable from every rank.
///
/// # Errors
/// [`JobError::RunFolder`] when the folder holds neither;
/// [`gauntlet_run::RunError::FolderLocked`] (inside [`JobError::Run`]) when another process is
/// writing it; as [`gauntlet_run::resume`] and
/// [`run_walk_forward`].
pub fn resume(
    folder: &Path,
    catalog: &Catalog,
    observer: &dyn Observer,
    stop: &AtomicBool,
) -> Result<Evolved, JobError> {
    if !folder.is_dir() {
        return Err(JobError::RunFolder {
            path: folder.to_path_buf(),
            message: "no such folder; --resume takes the folder a run wrote (its --out)".into(),
        });
    }
    if !folder.join(CHECKPOINT_STATE).exists() && !RunFolder::new(folder).config_path().exists() {
        return Err(JobError::RunFolder {
            path: folder.to_path_buf(),
            message: format!(
                "holds neither a checkpoint ({CHECKPOINT_STATE}) nor a config.toml: nothing to resume (a run is resumed from the folder `gauntlet evolve --out` wrote; a walk-forward needs its config.toml)"
            ),
        });
    }
    // One writer at a time: rank 0 resumes `folder` itself, the other ranks a private copy.
    let _lock = match gauntlet_tournament::cluster::is_root() {
        true => Some(FolderLock::acquire(folder)?),
        false => None,
    };
    let rank_folder = RankFolder::for_rank(folder, true)?;
    let folder = rank_folder.path();
    let run_folder = RunFolder::new(folder);
    if !folder.join(CHECKPOINT_STATE).exists() && run_folder.config_path().is_file() {
        let experiment = run_folder.read_experiment()?;
        if experiment.walk_forward.is_none() {
            return Err(JobError::RunFolder {
                path: folder.to_path_buf(),
                message: "holds no checkpoint and no walk-forward experiment to resume".into(),
            });
        }
        return evolve_into(experiment, catalog, folder, Shard::WHOLE, observer, stop);
    }
    Ok(Evolved::Run(gauntlet_run::resume(
        folder, catalog, observer, stop,
    )?))
}
