//! What a run reports as it goes: the phases, every generation's progress and the steps of its
//! finish (the binary draws a progress bar from them).

/// What a run reports as it goes (the binary draws a progress bar from it).
pub trait Observer: Sync {
    /// A phase starts (loading data, choosing champions...).
    fn phase(&self, _message: &str) {}
    /// A generation finished.
    fn generation(&self, _progress: &GenerationProgress) {}
    /// Work inside a phase after evolving: `done` of `total` units (categories whose champion is
    /// chosen and tested, random genomes scored) of the phase named `phase`.
    fn step(&self, _phase: &str, _done: u64, _total: u64) {}
    /// Something the user should know that does not stop the run, in one line without the
    /// `warning: ` prefix (two datasets with identical bars, ...).
    fn warning(&self, _message: &str) {}
}

/// An observer that ignores everything.
pub struct Silent;

impl Observer for Silent {}

/// Progress after one generation.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationProgress {
    /// The generation just finished (0 = the initial population).
    pub generation: u32,
    /// The last generation of the run.
    pub generations: u32,
    /// The best in-sample fitness of the population.
    pub best: Option<f64>,
    /// Genomes scored per second in this generation.
    pub evaluations_per_second: f64,
    /// In-sample genome-bars scored per second of scoring in this generation (new evaluations x
    /// in-sample bars / scoring seconds).
    pub genome_bars_per_second: f64,
}

impl GenerationProgress {
    /// The progress bar's message: `best 1.2345 | 310 evaluations/s | 70.1M genome-bars/s`, and
    /// `| 4 MPI ranks` in a cluster job.
    pub fn describe(&self) -> String {
        let best = self
            .best
            .map_or("none eligible".to_string(), |best| format!("{best:.4}"));
        let ranks = gauntlet_tournament::cluster::ranks();
        format!(
            "best {best} | {:.0} evaluations/s | {:.1}M genome-bars/s{}",
            self.evaluations_per_second,
            self.genome_bars_per_second / 1e6,
            if ranks > 1 {
                format!(" | {ranks} MPI ranks")
            } else {
                String::new()
            }
        )
    }
}
