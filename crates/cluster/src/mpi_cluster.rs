//! The MPI transport: [`join_mpi`] initialises MPI and makes this process a rank of the job.

use gauntlet_tournament::cluster::Cluster;
use mpi::Count;
use mpi::datatype::PartitionMut;
use mpi::environment::Universe;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

use crate::ClusterError;

/// MPI, initialised: keep it alive until the command ends (dropping it finalises MPI, which waits
/// for every rank).
pub struct MpiJob {
    _universe: Universe,
    rank: usize,
    size: usize,
}

impl MpiJob {
    /// This process's rank.
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// The job's rank count.
    pub fn size(&self) -> usize {
        self.size
    }
}

/// The ranks of `MPI_COMM_WORLD`. Holds no MPI handle itself (the world communicator is taken per
/// call), so it can live in the tournament layer's process-wide slot.
struct World {
    rank: usize,
    size: usize,
    version: String,
}

impl Cluster for World {
    fn rank(&self) -> usize {
        self.rank
    }

    fn size(&self) -> usize {
        self.size
    }

    /// `MPI_Allgather` of the byte counts (its time is the wait for the last rank), then
    /// `MPI_Allgatherv` of the bytes.
    fn all_gather(&self, mine: &[u8]) -> (Vec<Vec<u8>>, f64) {
        let world = SimpleCommunicator::world();
        let length = match Count::try_from(mine.len()) {
            Ok(length) => length,
            Err(_) => {
                eprintln!(
                    "error: rank {} has {} bytes of results to send, more than one MPI message holds (2 GiB); use a smaller population per generation",
                    self.rank,
                    mine.len()
                );
                world.abort(2)
            }
        };
        let mut counts: Vec<Count> = vec![0; self.size];
        let arriving = std::time::Instant::now();
        world.all_gather_into(&length, &mut counts[..]);
        let waiting = arriving.elapsed().as_secs_f64();
        let mut displacements = Vec::with_capacity(self.size);
        let mut total: usize = 0;
        for &count in &counts {
            displacements.push(Count::try_from(total).unwrap_or_else(|_| {
                eprintln!(
                    "error: rank {}: the ranks' results together exceed 2 GiB, more than one MPI collective holds",
                    self.rank
                );
                world.abort(2)
            }));
            total += count as usize;
        }
        let mut buffer = vec![0u8; total];
        // Nothing to move (and MPI refuses the empty buffer's pointer).
        if total > 0 {
            let mut partition = PartitionMut::new(&mut buffer[..], &counts[..], &displacements[..]);
            world.all_gather_varcount_into(mine, &mut partition);
        }
        let parts = counts
            .iter()
            .zip(&displacements)
            .map(|(&count, &start)| buffer[start as usize..(start + count) as usize].to_vec())
            .collect();
        (parts, waiting)
    }

    fn abort(&self, code: i32) -> ! {
        SimpleCommunicator::world().abort(code)
    }

    fn describe(&self) -> String {
        format!("MPI, {} ranks ({})", self.size, self.version)
    }
}

/// Initialises MPI with funnelled threading (rayon's threads never call MPI; the thread that calls
/// this one does, and must run the command) and joins the job as one of its ranks. A process
/// started without `mpirun` is a job of one rank, which runs exactly like a build without MPI.
///
/// # Errors
/// [`ClusterError::Mpi`] when MPI was initialised already or offers less than funnelled
/// threading; [`ClusterError::Tournament`] when a cluster was joined already.
pub fn join_mpi() -> Result<MpiJob, ClusterError> {
    let (universe, threading) = mpi::initialize_with_threading(mpi::Threading::Funneled)
        .ok_or_else(|| ClusterError::Mpi("MPI was initialised already".into()))?;
    if threading < mpi::Threading::Funneled {
        return Err(ClusterError::Mpi(format!(
            "the MPI library offers {threading:?} threading; Gauntlet needs Funneled (its scoring threads never call MPI)"
        )));
    }
    let world = universe.world();
    let (rank, size) = (world.rank() as usize, world.size() as usize);
    let version = mpi::environment::library_version()
        .ok()
        .and_then(|text| text.lines().next().map(|line| line.trim().to_string()))
        .unwrap_or_else(|| "unknown MPI library".into());
    gauntlet_tournament::cluster::join(Box::new(World {
        rank,
        size,
        version,
    }))?;
    Ok(MpiJob {
        _universe: universe,
        rank,
        size,
    })
}
