//! Scoring spread over the ranks of a cluster job, or done by this process alone.
//!
//! A cluster job (MPI: `mpirun -np N gauntlet evolve ...`, see the `gauntlet-cluster` crate) runs
//! the same command in N processes, the *ranks*. Every rank loads the data itself and runs the
//! whole experiment's control flow: the GA, breeding and every decision are deterministic, so each
//! rank holds the same population at the same point. Only scoring is split: of a batch of genomes,
//! rank `r` scores those whose index `i` has `i % N == r` (interleaved, so costly and cheap genomes
//! spread evenly), with rayon on its own cores; then one collective (an all-gather of the encoded
//! results) gives every rank every result, put back in index order. Scoring is a pure function of
//! the genome, so a run folder is byte-identical at any rank count and thread count. Rank 0 alone
//! writes the run folder: the others work in a private temporary folder ([`RankFolder`]), deleted
//! when they finish.
//!
//! Without a cluster ([`join`] never called) everything here is the plain single-process path.
//!
//! Results cross the wire as MessagePack (`rmp-serde`): floats travel as their 8 bytes, `NaN`
//! (with its sign) and infinities included, so a decoded result equals the computed one bit for
//! bit.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::TournamentError;

/// The transport between ranks: the few collectives Gauntlet needs. Implemented over MPI by the
/// `gauntlet-cluster` crate. Every method is collective where it says so: every rank calls it at
/// the same point of the same control flow, from the thread that joined the cluster.
pub trait Cluster: Send + Sync {
    /// This process's rank, `0..size()`.
    fn rank(&self) -> usize;
    /// How many ranks the job has (>= 1).
    fn size(&self) -> usize;
    /// Collective: every rank's `mine`, in rank order (this rank's own included), and the seconds
    /// this rank waited for the last rank to arrive (the part of the call that is load imbalance,
    /// not transfer).
    fn all_gather(&self, mine: &[u8]) -> (Vec<Vec<u8>>, f64);
    /// Ends every rank of the job with `code` (MPI_Abort): a rank that cannot go on must not leave
    /// the others waiting in a collective.
    fn abort(&self, code: i32) -> !;
    /// The transport in words (`MPI: Open MPI v4.1.4 ...`).
    fn describe(&self) -> String;
}

struct Joined {
    cluster: Box<dyn Cluster>,
    thread: std::thread::ThreadId,
}

static CLUSTER: OnceLock<Joined> = OnceLock::new();

/// Communication so far, this process: seconds in collectives (waiting for the slowest rank
/// included), bytes exchanged, collectives called.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Communication {
    /// Seconds spent in collectives, `waiting` included.
    pub seconds: f64,
    /// Of `seconds`, those spent waiting for the last rank to arrive: load imbalance between the
    /// ranks, not transfer.
    pub waiting: f64,
    /// Bytes every rank contributed to the collectives (what each rank received, its own
    /// share included).
    pub bytes_exchanged: u64,
    /// Collectives called.
    pub collectives: u64,
}

static COMMUNICATION: Mutex<Communication> = Mutex::new(Communication {
    seconds: 0.0,
    waiting: 0.0,
    bytes_exchanged: 0,
    collectives: 0,
});

/// Makes this process a rank of `cluster`: from now on scoring batches are split over the ranks.
/// Call it once, from the thread that will run the command (MPI's funnelled threading: collectives
/// are called from that thread only).
///
/// # Errors
/// [`TournamentError::Config`] when a cluster was already joined.
pub fn join(cluster: Box<dyn Cluster>) -> Result<(), TournamentError> {
    CLUSTER
        .set(Joined {
            cluster,
            thread: std::thread::current().id(),
        })
        .map_err(|_| TournamentError::Config {
            field: "cluster".into(),
            message: "this process already joined a cluster".into(),
        })
}

fn joined() -> Option<&'static Joined> {
    CLUSTER.get().filter(|joined| joined.cluster.size() > 1)
}

/// This process's rank (0 without a cluster).
pub fn rank() -> usize {
    CLUSTER.get().map_or(0, |joined| joined.cluster.rank())
}

/// The job's rank count (1 without a cluster).
pub fn ranks() -> usize {
    CLUSTER.get().map_or(1, |joined| joined.cluster.size())
}

/// Whether this process writes results and prints: rank 0, or the only process.
pub fn is_root() -> bool {
    rank() == 0
}

/// The transport in words, when a cluster was joined.
pub fn describe() -> Option<String> {
    CLUSTER.get().map(|joined| joined.cluster.describe())
}

/// A command's end on an error, for the binary: says `error: TEXT` on standard error and returns
/// the exit code, 2. In a job of several ranks the line names the rank (`error (rank 2 of 4):
/// TEXT`) and the whole job ends ([`abort_job`]), so no rank is left waiting for this one. A rank
/// other than 0 first waits 2 seconds: when every rank fails alike (a bad experiment), rank 0's
/// line is the one shown, its abort ending the others; when one rank alone fails (its data cannot
/// be read), its line is the one.
pub fn fail(text: &str) -> u8 {
    if ranks() == 1 {
        eprintln!("error: {text}");
        return 2;
    }
    if !is_root() {
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
    eprintln!("error (rank {} of {}): {text}", rank(), ranks());
    abort_job(2);
    2
}

/// Ends the whole job with `code` when this process is a rank of a job of several (so no rank is
/// left waiting); returns otherwise.
pub fn abort_job(code: i32) {
    if let Some(joined) = joined() {
        joined.cluster.abort(code);
    }
}

/// Communication so far (zero without a cluster).
pub fn communication() -> Communication {
    *COMMUNICATION
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn collective(joined: &Joined, mine: &[u8]) -> Vec<Vec<u8>> {
    // A collective from another thread would break MPI's funnelled threading and, worse, leave
    // the ranks' collectives out of step: a bug, caught here rather than as a hang.
    assert_eq!(
        std::thread::current().id(),
        joined.thread,
        "cluster collectives must be called from the thread that joined the cluster"
    );
    let started = Instant::now();
    let (all, waiting) = joined.cluster.all_gather(mine);
    let mut communication = COMMUNICATION
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    communication.seconds += started.elapsed().as_secs_f64();
    communication.waiting += waiting;
    communication.bytes_exchanged += all.iter().map(|bytes| bytes.len() as u64).sum::<u64>();
    communication.collectives += 1;
    all
}

/// This rank was asked to stop: the request travels with its next results.
static STOP_HERE: AtomicBool = AtomicBool::new(false);
/// A rank's results of an exchange carried a stop request.
static STOP_SEEN: AtomicBool = AtomicBool::new(false);

/// Whether to stop now, the same answer on every rank. Without a cluster: `stop`. In a cluster
/// job: whether any rank had been asked to stop when the ranks last exchanged results; `stop`
/// set here travels with this rank's next results. So a signal to any rank stops every rank at
/// the same generation (the next but one), without a collective of its own.
pub fn stop_agreed(stop: bool) -> bool {
    if joined().is_none() {
        return stop;
    }
    if stop {
        STOP_HERE.store(true, Ordering::SeqCst);
    }
    STOP_SEEN.load(Ordering::SeqCst)
}

/// Collective: `compute(i)` for every `i` in `0..count`, in order. Without a cluster, in parallel
/// with rayon; in a cluster, each rank computes its interleaved share (`i % ranks == rank`) in
/// parallel, then every rank receives every value. `compute` must be a pure function of `i` (the
/// same value on every rank), as scoring is.
///
/// # Errors
/// [`TournamentError::Cluster`] when a rank's values cannot be decoded (ranks running different
/// builds of Gauntlet).
pub fn map<T, F>(count: usize, compute: F) -> Result<Vec<T>, TournamentError>
where
    T: Serialize + DeserializeOwned + Send,
    F: Fn(usize) -> T + Sync + Send,
{
    let Some(joined) = joined() else {
        return Ok((0..count).into_par_iter().map(compute).collect());
    };
    let (rank, size) = (joined.cluster.rank(), joined.cluster.size());
    let mine: Vec<T> = (rank..count)
        .step_by(size)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(&compute)
        .collect();
    // One byte of stop request (see [`stop_agreed`]), then the values.
    let mut encoded = vec![u8::from(STOP_HERE.load(Ordering::SeqCst))];
    rmp_serde::encode::write(&mut encoded, &mine).map_err(|error| TournamentError::Cluster {
        message: format!("rank {rank} cannot encode its results: {error}"),
    })?;
    drop(mine);
    let all = collective(joined, &encoded);
    let mut shares: Vec<std::vec::IntoIter<T>> = Vec::with_capacity(size);
    for (from, message) in all.iter().enumerate() {
        let Some((&stop, bytes)) = message.split_first() else {
            return Err(TournamentError::Cluster {
                message: format!("rank {from} sent an empty message"),
            });
        };
        if stop == 1 {
            STOP_SEEN.store(true, Ordering::SeqCst);
        }
        let values: Vec<T> =
            rmp_serde::from_slice(bytes).map_err(|error| TournamentError::Cluster {
                message: format!(
                    "rank {rank} cannot decode rank {from}'s results ({error}); do all ranks run the same gauntlet build?"
                ),
            })?;
        let expected = (from..count).step_by(size).len();
        if values.len() != expected {
            return Err(TournamentError::Cluster {
                message: format!(
                    "rank {from} sent {} results, {expected} expected",
                    values.len()
                ),
            });
        }
        shares.push(values.into_iter());
    }
    Ok((0..count)
        .map(|index| {
            shares[index % size]
                .next()
                .expect("each share holds exactly its indices")
        })
        .collect())
}

/// Where this rank writes a run: rank 0 (or the only process) writes the user's folder; the other
/// ranks of a job write a private temporary folder that is deleted when this value is dropped
/// (they compute the same files, which nobody reads).
#[derive(Debug)]
pub struct RankFolder {
    path: PathBuf,
    _private: Option<tempfile::TempDir>,
}

impl RankFolder {
    /// The folder for `folder` on this rank. With `copy_existing` (resuming), a non-root rank's
    /// private folder starts as a copy of `folder`, which must then be readable from every rank (a
    /// shared file system); every rank then waits until every copy is made (a collective), so rank
    /// 0 changes nothing in `folder` while another rank copies it.
    ///
    /// # Errors
    /// [`TournamentError::Io`] when the private folder cannot be made or `folder` cannot be
    /// copied.
    pub fn for_rank(folder: &Path, copy_existing: bool) -> Result<Self, TournamentError> {
        let rank_folder = Self::make(folder, copy_existing)?;
        if copy_existing && let Some(joined) = joined() {
            collective(joined, &[1]); // every copy is made
        }
        Ok(rank_folder)
    }

    fn make(folder: &Path, copy_existing: bool) -> Result<Self, TournamentError> {
        if is_root() {
            return Ok(Self {
                path: folder.to_path_buf(),
                _private: None,
            });
        }
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| TournamentError::Io { path, source }
        };
        let private = tempfile::Builder::new()
            .prefix(&format!("gauntlet-rank-{}-", rank()))
            .tempdir()
            .map_err(io(&std::env::temp_dir()))?;
        let path = private.path().join("run");
        if copy_existing {
            copy_tree(folder, &path)?;
        }
        Ok(Self {
            path,
            _private: Some(private),
        })
    }

    /// The folder this rank writes.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Copies the files and folders under `from` to `to` (symbolic links are skipped, and so is a file
/// that is gone by the time it is copied: another task's temporary file, renamed meanwhile).
fn copy_tree(from: &Path, to: &Path) -> Result<(), TournamentError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| TournamentError::Io { path, source }
    };
    std::fs::create_dir_all(to).map_err(io(to))?;
    if !from.exists() {
        return Ok(()); // nothing written yet: an empty folder
    }
    for entry in std::fs::read_dir(from).map_err(io(from))? {
        let entry = entry.map_err(io(from))?;
        let kind = entry.file_type().map_err(io(&entry.path()))?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            match std::fs::copy(entry.path(), &target) {
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                copied => {
                    copied.map_err(io(&entry.path()))?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::scoring::SymbolScore;

    #[test]
    fn without_a_cluster_map_is_an_ordered_parallel_map() {
        let values = map(1000, |index| index * 3).unwrap();
        assert_eq!(values, (0..1000).map(|index| index * 3).collect::<Vec<_>>());
        assert_eq!((rank(), ranks(), is_root()), (0, 1, true));
        assert!(stop_agreed(true) && !stop_agreed(false));
    }

    #[test]
    fn the_wire_format_keeps_every_float_bit() {
        // The values scoring produces that JSON would change: NaN of either sign, infinities,
        // the smallest subnormal, and a value whose shortest text form is long.
        let specials = [
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::from_bits(1),
            0.1 + 0.2,
            -0.0,
        ];
        let encoded = rmp_serde::to_vec(&specials.to_vec()).unwrap();
        let decoded: Vec<f64> = rmp_serde::from_slice(&encoded).unwrap();
        assert_eq!(
            decoded
                .iter()
                .map(|value| value.to_bits())
                .collect::<Vec<_>>(),
            specials
                .iter()
                .map(|value| value.to_bits())
                .collect::<Vec<_>>()
        );
        // A symbol score, whose fields read `null` as NaN from JSON, keeps its NaNs' bits too.
        let json = r#"{"dataset":"x","metrics":{"final_equity":1.0,"total_return":null,"cagr":null,
            "annual_volatility":null,"sharpe":null,"sortino":null,"max_drawdown":null,
            "max_drawdown_bars":0,"calmar":null,"omega":null,"tail_ratio":null,"stability":null,
            "trades":0,"win_rate":null,"profit_factor":null,"expectancy":null,"expectancy_r":null,
            "average_trade_bars":null,"median_trade_bars":null,"exposure":0.0,"positive_months":null},
            "gross_profit":0.0,"gross_loss":0.0,"high_volatility_return":null}"#;
        let mut score: SymbolScore = serde_json::from_str(json).unwrap();
        score.metrics.sharpe = -f64::NAN;
        score.metrics.calmar = f64::INFINITY;
        let decoded: SymbolScore =
            rmp_serde::from_slice(&rmp_serde::to_vec(&score).unwrap()).unwrap();
        assert_eq!(decoded.metrics.sharpe.to_bits(), (-f64::NAN).to_bits());
        assert_eq!(decoded.metrics.calmar, f64::INFINITY);
        assert!(decoded.metrics.total_return.is_nan() && decoded.alpha.is_nan());
    }

    #[test]
    fn the_root_writes_the_users_folder() {
        let folder = tempfile::tempdir().unwrap();
        let rank_folder = RankFolder::for_rank(folder.path(), true).unwrap();
        assert_eq!(rank_folder.path(), folder.path());
    }

    #[test]
    fn a_tree_copies_with_its_subfolders() {
        let from = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(from.path().join("checkpoint")).unwrap();
        std::fs::write(from.path().join("checkpoint/state.json"), "{}").unwrap();
        std::fs::write(from.path().join("config.toml"), "x = 1").unwrap();
        let to = tempfile::tempdir().unwrap();
        copy_tree(from.path(), &to.path().join("copy")).unwrap();
        assert_eq!(
            std::fs::read_to_string(to.path().join("copy/checkpoint/state.json")).unwrap(),
            "{}"
        );
        assert_eq!(
            std::fs::read_to_string(to.path().join("copy/config.toml")).unwrap(),
            "x = 1"
        );
    }
}
