//! # gauntlet-evolve
//!
//! A generic genetic algorithm (layer L1 of `DESIGN.md`); it knows nothing of trading. A [`Problem`]
//! supplies random genomes, crossover, mutation, a fingerprint and a batch fitness function;
//! [`Evolution`] keeps the population on islands and breeds it:
//!
//! - **tournament selection** of size k (Goldberg & Deb, "A comparative analysis of selection schemes
//!   used in genetic algorithms", 1991), **elitism**, **crossover** and **mutation** rates, fresh
//!   random **immigrants**;
//! - **islands** with **ring migration** every m generations (the island model of Whitley, Rana &
//!   Heckendorn, "The island model genetic algorithm", 1999);
//! - a **hall of fame** of the best distinct individuals, and a **fitness cache** by fingerprint, so
//!   the same genome is never scored twice;
//! - **NSGA-II** as the other selection mode ([`Selection::Nsga2`]; Deb, Pratap, Agarwal &
//!   Meyarivan, 2002): non-dominated fronts, crowding distance, crowded tournament and (mu + lambda)
//!   survival over the problem's objectives ([`nsga2`]);
//! - every random stream of a run derived in one place from (seed, purpose, generation, island,
//!   index) ([`streams`]), so a run's result never depends on thread scheduling and no two uses
//!   of randomness share numbers; the whole state serialises for checkpoints.
//!
//! ```
//! use gauntlet_evolve::{Evolution, GaConfig, Problem};
//! use rand::RngExt;
//! use rand_chacha::ChaCha8Rng;
//!
//! /// Maximise the number of true bits (OneMax).
//! struct OneMax;
//! impl Problem for OneMax {
//!     type Genome = Vec<bool>;
//!     fn random(&self, rng: &mut ChaCha8Rng) -> Vec<bool> {
//!         (0..32).map(|_| rng.random_bool(0.5)).collect()
//!     }
//!     fn crossover(&self, a: &Vec<bool>, b: &Vec<bool>, rng: &mut ChaCha8Rng) -> (Vec<bool>, String) {
//!         let child = a.iter().zip(b).map(|(&x, &y)| if rng.random_bool(0.5) { x } else { y });
//!         (child.collect(), "uniform".into())
//!     }
//!     fn mutate(&self, genome: &Vec<bool>, rng: &mut ChaCha8Rng) -> (Vec<bool>, String) {
//!         let mut child = genome.clone();
//!         let bit = rng.random_range(0..child.len());
//!         child[bit] = !child[bit];
//!         (child, "flip".into())
//!     }
//!     fn fingerprint(&self, genome: &Vec<bool>) -> u64 {
//!         genome.iter().fold(0, |hash, &bit| hash << 1 | u64::from(bit))
//!     }
//!     fn evaluate(&self, genomes: &[Vec<bool>]) -> Vec<Option<f64>> {
//!         genomes.iter().map(|genome| Some(genome.iter().filter(|&&bit| bit).count() as f64)).collect()
//!     }
//! }
//!
//! let config = GaConfig { population_size: 40, ..GaConfig::default() };
//! let mut evolution = Evolution::start(config, &OneMax, Vec::new())?;
//! for _ in 0..60 {
//!     evolution.step(&OneMax)?;
//! }
//! assert_eq!(evolution.best().unwrap().fitness, Some(32.0));
//! # Ok::<(), gauntlet_evolve::EvolveError>(())
//! ```
#![warn(missing_docs)]

mod config;
mod error;
mod evolution;
pub mod nsga2;
pub mod streams;

pub use config::{GaConfig, Selection};
pub use error::EvolveError;
pub use evolution::{Evolution, Fingerprint, Individual, IslandStats, Problem, birth_stream};
pub use streams::{MAX_GENERATIONS, MAX_ISLAND_SIZE, MAX_ISLANDS, Purpose, keyed_stream, stream};
