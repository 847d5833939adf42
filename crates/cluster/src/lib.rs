//! # gauntlet-cluster
//!
//! Gauntlet beyond one machine (layer L6 of `DESIGN.md`): the ranks of an MPI job (Open MPI or
//! MPICH, launched by `mpirun`, Slurm's `srun` or a Kubernetes MPI operator) split the scoring of
//! every generation, through the [`mpi`](https://docs.rs/mpi) crate (rsmpi). How the work is split
//! and why the results stay byte-identical at any rank count is in
//! [`gauntlet_tournament::cluster`]; this crate only provides the transport, behind the cargo
//! feature `mpi` (off by default: building without it needs no MPI library).
//!
//! ```text
//! cargo build --release --features mpi
//! mpirun -np 4 target/release/gauntlet evolve --out reports/on-four-ranks
//! ```
#![warn(missing_docs)]

/// What can stop a process from joining a cluster job.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// MPI was initialised already, or could not give the threading level Gauntlet needs.
    #[error("MPI: {0}")]
    Mpi(String),
    /// The tournament layer refused the cluster.
    #[error(transparent)]
    Tournament(#[from] gauntlet_tournament::TournamentError),
}

#[cfg(feature = "mpi")]
mod mpi_cluster;

#[cfg(feature = "mpi")]
pub use mpi_cluster::{MpiJob, join_mpi};
