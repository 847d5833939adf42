//! The trading problem the generic GA evolves: genomes scored in-sample on a universe, judged
//! in the run's category, with the NSGA-II objectives when the experiment has some.

use std::collections::BTreeMap;
use std::hash::Hasher;
use std::sync::Mutex;
use std::time::Instant;

use gauntlet_evolve::{Fingerprint, Problem};
use gauntlet_genome::{
    Genome, RiskLimits, Template, crossover, mutate, random_genome, random_template_genome,
};
use gauntlet_tournament::objectives::{Measure, PlateauRules, symbol_fitness, worst_and_median};
use gauntlet_tournament::{Category, Eligibility, GenomeScore, Part, Universe, Verdict};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::RunError;
use crate::experiment::Experiment;

/// What scoring one genome gave (it crosses between the ranks of a cluster job).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Scored {
    pub(crate) verdict: Verdict,
    pub(crate) score: Option<GenomeScore>,
    /// The NSGA-II objectives' values (empty for a tournament run).
    pub(crate) objectives: Vec<Option<f64>>,
}

/// A genome's fitness and its NSGA-II objectives' values, as a batch returns them.
type FitnessAndObjectives = (Option<f64>, Vec<Option<f64>>);

/// The trading problem the generic GA evolves.
pub(crate) struct TradingProblem<'a> {
    pub(crate) universe: &'a Universe,
    pub(crate) category: Category,
    pub(crate) eligibility: Eligibility,
    pub(crate) risk: RiskLimits,
    /// The experiment's template (`[template]`): every random genome is a fill of it.
    pub(crate) template: Option<Template>,
    /// The NSGA-II objectives (empty for a tournament run).
    pub(crate) objectives: Vec<Measure>,
    pub(crate) plateau: PlateauRules,
    pub(crate) seed: u64,
    /// In-sample fitness in the run's category of plateau neighbours, by fingerprint.
    pub(crate) neighbour_fitness: Mutex<BTreeMap<Fingerprint, Option<f64>>>,
    pub(crate) scored: Mutex<BTreeMap<Fingerprint, Scored>>,
    pub(crate) scoring_seconds: Mutex<f64>,
    /// CPU seconds of this generation's scoring: indicators, backtests (indicators included until
    /// the end of the generation), metrics, fitness.
    pub(crate) scoring_clock: Mutex<[f64; 4]>,
    /// Why the last batch could not be scored (a cluster failure), for [`TradingProblem::failed`].
    pub(crate) failure: Mutex<Option<RunError>>,
    /// The cluster's communication counters when the last generation was recorded.
    pub(crate) communication_seen: Mutex<gauntlet_tournament::cluster::Communication>,
}

impl TradingProblem<'_> {
    /// The values of a batch, or none after remembering why scoring failed.
    fn keep_failure<T>(&self, batch: Result<Vec<T>, RunError>) -> Vec<T> {
        batch.unwrap_or_else(|error| {
            *lock(&self.failure) = Some(error);
            Vec::new()
        })
    }

    /// The GA's `result`, with a scoring failure's own cause in place of the count error it made
    /// the GA return.
    pub(crate) fn failed<T>(
        &self,
        result: Result<T, gauntlet_evolve::EvolveError>,
    ) -> Result<T, RunError> {
        result.map_err(|error| lock(&self.failure).take().unwrap_or(error.into()))
    }

    pub(crate) fn judge(&self, genome: &Genome, part: Part) -> Scored {
        self.judge_timed(genome, part).0
    }

    /// [`TradingProblem::judge`] and its CPU seconds: backtests (with indicators), metrics,
    /// fitness.
    fn judge_timed(&self, genome: &Genome, part: Part) -> (Scored, [f64; 3]) {
        let (score, [engine, metrics]) = self.universe.score_timed(genome, part);
        let judged = Instant::now();
        let scored = match score {
            Ok(score) => Scored {
                verdict: self.category.judge(&score, &self.eligibility),
                score: Some(score),
                objectives: Vec::new(),
            },
            Err(error) => Scored {
                verdict: Verdict {
                    fitness: None,
                    ineligible_because: Some(format!("backtest failed: {error}")),
                },
                score: None,
                objectives: Vec::new(),
            },
        };
        (scored, [engine, metrics, judged.elapsed().as_secs_f64()])
    }

    /// The in-sample fitness of a plateau neighbour in the run's category (cached: a pure
    /// function of the genome, so the cache never changes a result).
    fn neighbour_fitness(&self, genome: &Genome) -> Option<f64> {
        let fingerprint = genome.fingerprint();
        if let Some(fitness) = lock(&self.neighbour_fitness).get(&fingerprint) {
            return *fitness;
        }
        let fitness = self
            .universe
            .score(genome, Part::InSample)
            .ok()
            .and_then(|score| self.category.judge(&score, &self.eligibility).fitness);
        lock(&self.neighbour_fitness).insert(fingerprint, fitness);
        fitness
    }

    /// The NSGA-II objectives of a scored genome (see [`gauntlet_tournament::objectives`]).
    fn measures(&self, genome: &Genome, scored: &Scored) -> Vec<Option<f64>> {
        let Some(score) = &scored.score else {
            return vec![None; self.objectives.len()];
        };
        let per_symbol = if self
            .objectives
            .iter()
            .any(|measure| matches!(measure, Measure::WorstSymbol | Measure::MedianSymbol))
        {
            worst_and_median(&symbol_fitness(self.category, score, &self.eligibility))
        } else {
            None
        };
        self.objectives
            .iter()
            .map(|measure| match measure {
                Measure::Category(category) => category.judge(score, &self.eligibility).fitness,
                // Neighbours only for genomes the category ranks: an ineligible genome has no
                // objectives anyway.
                Measure::Plateau => scored.verdict.fitness.and_then(|_| {
                    let fitness: Vec<Option<f64>> = self
                        .plateau
                        .neighbours_of(genome, self.seed)
                        .iter()
                        .map(|neighbour| self.neighbour_fitness(neighbour))
                        .collect();
                    self.plateau.plateau(&fitness)
                }),
                Measure::WorstSymbol => per_symbol.map(|(worst, _)| worst),
                Measure::MedianSymbol => per_symbol.map(|(_, median)| median),
                Measure::Complexity => Some(-(gauntlet_genome::complexity(genome) as f64)),
            })
            .collect()
    }

    /// Scores `genomes` in-sample in parallel, over the ranks of a cluster job when there is one
    /// (with their objectives when `objectives`), records them for the leaderboard and the clock,
    /// and returns them in order. The CPU seconds of every rank count in the clock.
    ///
    /// # Errors
    /// [`RunError::Cluster`] when the ranks' results cannot be put together.
    fn score_batch(
        &self,
        genomes: &[Genome],
        objectives: bool,
    ) -> Result<Vec<FitnessAndObjectives>, RunError> {
        let started = Instant::now();
        let indicators_before = self.universe.indicator_seconds();
        let timed: Vec<(Scored, [f64; 3])> =
            gauntlet_tournament::cluster::map(genomes.len(), |index| {
                let genome = &genomes[index];
                let (mut scored, seconds) = self.judge_timed(genome, Part::InSample);
                if objectives {
                    scored.objectives = self.measures(genome, &scored);
                }
                (scored, seconds)
            })?;
        {
            let mut clock = lock(&self.scoring_clock);
            clock[0] += self.universe.indicator_seconds() - indicators_before;
            for (_, [engine, metrics, fitness]) in &timed {
                clock[1] += engine;
                clock[2] += metrics;
                clock[3] += fitness;
            }
        }
        let results: Vec<Scored> = timed.into_iter().map(|(scored, _)| scored).collect();
        let values = results
            .iter()
            .map(|scored| (scored.verdict.fitness, scored.objectives.clone()))
            .collect();
        let mut map = lock(&self.scored);
        for (genome, scored) in genomes.iter().zip(results) {
            map.insert(genome.fingerprint(), scored);
        }
        *lock(&self.scoring_seconds) += started.elapsed().as_secs_f64();
        Ok(values)
    }
}

impl Problem for TradingProblem<'_> {
    type Genome = Genome;

    fn random(&self, rng: &mut ChaCha8Rng) -> Genome {
        random_run_genome(rng, self.risk, self.template.as_ref())
    }

    fn crossover(&self, first: &Genome, second: &Genome, rng: &mut ChaCha8Rng) -> (Genome, String) {
        crossover(first, second, rng)
    }

    fn mutate(&self, genome: &Genome, rng: &mut ChaCha8Rng) -> (Genome, String) {
        mutate(genome, rng)
    }

    fn fingerprint(&self, genome: &Genome) -> Fingerprint {
        genome.fingerprint()
    }

    /// XXH64 of the entry's structure ([`Genome::structure_key`]: direction, combination and the
    /// kinds of its rules, without their parameters). The hall of fame keeps the best genome of each structure,
    /// so champions are chosen on validation among different ideas, each tuned in-sample, rather than
    /// among near-copies of one.
    fn niche(&self, genome: &Genome) -> Fingerprint {
        let mut hasher = twox_hash::XxHash64::with_seed(0);
        hasher.write(genome.structure_key().as_bytes());
        hasher.finish()
    }

    /// The fitness of each genome; none at all when the cluster's ranks failed (the GA then
    /// stops with a count error, and [`TradingProblem::failed`] gives the cause).
    fn evaluate(&self, genomes: &[Genome]) -> Vec<Option<f64>> {
        self.keep_failure(self.score_batch(genomes, false))
            .into_iter()
            .map(|(fitness, _)| fitness)
            .collect()
    }

    /// The experiment's objectives; a genome with any undefined has none (NSGA-II ranks it after
    /// every front).
    fn evaluate_objectives(&self, genomes: &[Genome]) -> Vec<Option<Vec<f64>>> {
        self.keep_failure(self.score_batch(genomes, true))
            .into_iter()
            .map(|(_, objectives)| objectives.into_iter().collect())
            .collect()
    }
}

/// The trading problem of `experiment` on `universe`.
pub(crate) fn problem<'a>(experiment: &Experiment, universe: &'a Universe) -> TradingProblem<'a> {
    TradingProblem {
        universe,
        category: experiment.category,
        eligibility: experiment.eligibility,
        risk: experiment.risk,
        // Checked before any work (`Experiment::validate`), so it reads here.
        template: experiment.checked_template().ok().flatten(),
        objectives: experiment.objectives.clone(),
        plateau: experiment.plateau,
        seed: experiment.seed,
        neighbour_fitness: Mutex::new(BTreeMap::new()),
        scored: Mutex::new(BTreeMap::new()),
        scoring_seconds: Mutex::new(0.0),
        scoring_clock: Mutex::new([0.0; 4]),
        failure: Mutex::new(None),
        communication_seen: Mutex::new(gauntlet_tournament::cluster::communication()),
    }
}

/// A random genome of a run: a fill of the experiment's template when it has one (exits and
/// sizing random as usual), else a classic random genome.
pub(crate) fn random_run_genome(
    rng: &mut ChaCha8Rng,
    risk: RiskLimits,
    template: Option<&Template>,
) -> Genome {
    match template {
        Some(template) => random_template_genome(rng, risk, template),
        None => random_genome(rng, risk),
    }
}

/// Locks `mutex`, whether or not a thread panicked holding it (the values stay usable).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
