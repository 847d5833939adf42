//! [`Evolution`]: the population, its islands, the hall of fame and the fitness cache, and one
//! generation's breeding ([`Evolution::step`]).

use std::collections::{BTreeMap, BTreeSet};

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::config::{GaConfig, Selection};
use crate::error::EvolveError;
use crate::nsga2;
use crate::streams::{Purpose, stream};

/// A genome's identity for the fitness cache and the hall of fame: equal genomes must have equal
/// fingerprints (a hash of their genes, not of their name or lineage).
pub type Fingerprint = u64;

/// What the genetic algorithm needs from a problem. Fitness is "higher is better"; `None` means the
/// genome is not eligible (or its fitness is undefined) and ranks below every eligible one.
pub trait Problem: Sync {
    /// The genome type.
    type Genome: Clone + Send + Sync;

    /// A random genome drawn from `rng`.
    fn random(&self, rng: &mut ChaCha8Rng) -> Self::Genome;

    /// A child of two parents, and a short name of the operator used (for lineage).
    fn crossover(
        &self,
        first: &Self::Genome,
        second: &Self::Genome,
        rng: &mut ChaCha8Rng,
    ) -> (Self::Genome, String);

    /// A mutated copy, and a short name of the operator used (for lineage).
    fn mutate(&self, genome: &Self::Genome, rng: &mut ChaCha8Rng) -> (Self::Genome, String);

    /// The genome's [`Fingerprint`].
    fn fingerprint(&self, genome: &Self::Genome) -> Fingerprint;

    /// The genome's niche: the hall of fame keeps the best genome of each niche, so it holds
    /// different ideas rather than near-copies of one. Default: the fingerprint (distinct genomes).
    fn niche(&self, genome: &Self::Genome) -> Fingerprint {
        self.fingerprint(genome)
    }

    /// The fitness of each genome, in order. Called once per generation with every genome not yet
    /// in the cache, so an implementation may score them in parallel; it must return the same values
    /// whatever the thread count. Non-finite values are treated as `None`.
    fn evaluate(&self, genomes: &[Self::Genome]) -> Vec<Option<f64>>;

    /// The objectives of each genome, in order, for [`Selection::Nsga2`]: every list of the same
    /// length, each objective maximised; the first is the genome's fitness (the hall of fame
    /// ranks by it). `None` (or any non-finite objective) means not eligible. Called like
    /// [`Problem::evaluate`]; the default is the fitness as the only objective.
    fn evaluate_objectives(&self, genomes: &[Self::Genome]) -> Vec<Option<Vec<f64>>> {
        self.evaluate(genomes)
            .into_iter()
            .map(|fitness| fitness.map(|value| vec![value]))
            .collect()
    }
}

/// One member of the population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Individual<G> {
    /// `g<generation>-i<island>-<index>` of its birth (`-m<k>` for a migrant's copy).
    pub id: String,
    /// Its genes.
    pub genome: G,
    /// Its fitness; `None` when not eligible.
    pub fitness: Option<f64>,
    /// Its genes' fingerprint.
    pub fingerprint: Fingerprint,
    /// The generation it was born in.
    pub born: u32,
    /// The island it lives on.
    pub island: u32,
    /// Its parents' ids (none for seeds and random genomes).
    pub parents: Vec<String>,
    /// The operators that made it, in order (`seed`, `random`, `copy`, a crossover, a mutation,
    /// `migration`).
    pub operators: Vec<String>,
    /// Its objectives under [`Selection::Nsga2`] (empty otherwise, or when not eligible).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objectives: Vec<f64>,
}

impl<G> Individual<G> {
    /// The sort key: fitness with `None` lowest.
    pub fn rank_key(&self) -> f64 {
        self.fitness.unwrap_or(f64::NEG_INFINITY)
    }
}

/// Summary of one island after a generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IslandStats {
    /// The generation.
    pub generation: u32,
    /// The island.
    pub island: u32,
    /// Best fitness (`None` when no member is eligible).
    pub best: Option<f64>,
    /// Median fitness of the eligible members (the mean of the middle two for an even count).
    pub median: Option<f64>,
    /// Worst fitness of the eligible members.
    pub worst: Option<f64>,
    /// Members with a fitness.
    pub eligible: usize,
    /// Distinct fingerprints / members: 1 when every member differs.
    pub diversity: f64,
    /// Genomes of this island scored for the first time this generation (cache misses).
    pub evaluations: usize,
}

/// A whole evolution's state: everything needed to continue it, so a checkpoint of this value and
/// the problem resume a run bit for bit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Evolution<G> {
    /// The settings.
    pub config: GaConfig,
    /// The current generation (0 for the initial population).
    pub generation: u32,
    /// Each island's members, best first.
    pub islands: Vec<Vec<Individual<G>>>,
    /// The best distinct individuals seen so far, best first.
    pub hall_of_fame: Vec<Individual<G>>,
    /// Genomes scored so far (cache misses), over the whole run.
    pub evaluations: u64,
    /// Births whose genome was already in the cache, over the whole run.
    pub cache_hits: u64,
    /// The current generation's island summaries.
    pub stats: Vec<IslandStats>,
    fitness_cache: BTreeMap<Fingerprint, Option<f64>>,
    /// Objectives by fingerprint under [`Selection::Nsga2`] (eligible genomes only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    objective_cache: BTreeMap<Fingerprint, Vec<f64>>,
}

/// The random stream of one birth: the [`Purpose::Breeding`] stream of the run's `seed` at
/// (generation, island, index of the birth on its island).
pub fn birth_stream(seed: u64, generation: u32, island: usize, index: usize) -> ChaCha8Rng {
    stream(
        seed,
        Purpose::Breeding,
        generation,
        island as u32,
        index as u32,
    )
}

impl<G: Clone + Send + Sync> Evolution<G> {
    /// Generation 0: `seeds` first (seed k on island `k % islands`), then random genomes, each drawn
    /// from its own breeding stream (seed, breeding, 0, island, index); then scored.
    ///
    /// # Errors
    /// [`EvolveError::Config`] for invalid settings; [`EvolveError::FitnessCount`] when the problem
    /// returns the wrong number of values.
    pub fn start<P: Problem<Genome = G>>(
        config: GaConfig,
        problem: &P,
        seeds: Vec<G>,
    ) -> Result<Self, EvolveError> {
        config.validate()?;
        let islands = config.islands;
        let mut seeds: Vec<Option<G>> = seeds.into_iter().map(Some).collect();
        let mut members: Vec<Vec<Individual<G>>> = Vec::with_capacity(islands);
        for island in 0..islands {
            let size = config.island_size(island);
            let mut list = Vec::with_capacity(size);
            for index in 0..size {
                let seed_index = index * islands + island;
                let (genome, operator) = match seeds.get_mut(seed_index).and_then(Option::take) {
                    Some(genome) => (genome, "seed"),
                    None => {
                        let mut rng = birth_stream(config.seed, 0, island, index);
                        (problem.random(&mut rng), "random")
                    }
                };
                list.push(Individual {
                    id: format!("g0-i{island}-{index}"),
                    fingerprint: problem.fingerprint(&genome),
                    genome,
                    fitness: None,
                    born: 0,
                    island: island as u32,
                    parents: Vec::new(),
                    operators: vec![operator.to_string()],
                    objectives: Vec::new(),
                });
            }
            members.push(list);
        }
        let mut evolution = Self {
            config,
            generation: 0,
            islands: members,
            hall_of_fame: Vec::new(),
            evaluations: 0,
            cache_hits: 0,
            stats: Vec::new(),
            fitness_cache: BTreeMap::new(),
            objective_cache: BTreeMap::new(),
        };
        let new = evolution.score(problem, &|_| true)?;
        evolution.finish_generation(problem, new);
        Ok(evolution)
    }

    /// Breeds, scores and ranks the next generation: per island, the elite is copied; immigrants are
    /// random; every other child comes from tournament selection, crossover (at `crossover_rate`) and
    /// mutation (at `mutation_rate`), each birth drawing from its own breeding stream (seed, breeding, generation,
    /// island, index). Every `migration_interval` generations each island's best replace the worst
    /// of the next island (a ring).
    ///
    /// Under [`Selection::Nsga2`] every place is bred (no elite copy; immigrants still random), and
    /// the island's members and children then compete for its places: distinct genomes by front
    /// and crowding distance first, duplicates only if places remain.
    ///
    /// # Errors
    /// [`EvolveError::FitnessCount`] when the problem returns the wrong number of values.
    pub fn step<P: Problem<Genome = G>>(&mut self, problem: &P) -> Result<(), EvolveError> {
        let generation = self.generation + 1;
        let config = &self.config;
        let next: Vec<Vec<Individual<G>>> = self
            .islands
            .iter()
            .enumerate()
            .map(|(island, members)| breed(config, problem, generation, island, members))
            .collect();
        let parents = std::mem::replace(&mut self.islands, next);
        self.generation = generation;
        let new = self.score(problem, &|individual| individual.born == generation)?;
        if self.config.selection == Selection::Nsga2 {
            let children = std::mem::take(&mut self.islands);
            self.islands = parents
                .into_iter()
                .zip(children)
                .map(|(parents, children)| {
                    let size = parents.len();
                    survivors(parents.into_iter().chain(children).collect(), size)
                })
                .collect();
        }
        if self.config.islands > 1
            && self.config.migration_interval > 0
            && generation.is_multiple_of(self.config.migration_interval)
        {
            self.migrate();
        }
        self.finish_generation(problem, new);
        Ok(())
    }

    /// Every individual, island by island, best first within an island.
    pub fn population(&self) -> impl Iterator<Item = &Individual<G>> {
        self.islands.iter().flatten()
    }

    /// The best individual of the current population (the first island's on a tie).
    pub fn best(&self) -> Option<&Individual<G>> {
        self.population()
            .filter(|individual| individual.fitness.is_some())
            .fold(
                None,
                |best: Option<&Individual<G>>, individual| match best {
                    Some(current) if current.rank_key() >= individual.rank_key() => Some(current),
                    _ => Some(individual),
                },
            )
    }

    /// Scores the individuals `needs` selects (those born this generation) from the cache or, for
    /// fingerprints not seen before, in one call to the problem. Returns how many were newly scored
    /// on each island.
    fn score<P: Problem<Genome = G>>(
        &mut self,
        problem: &P,
        needs: &dyn Fn(&Individual<G>) -> bool,
    ) -> Result<Vec<usize>, EvolveError> {
        let nsga2 = self.config.selection == Selection::Nsga2;
        let mut pending: Vec<G> = Vec::new();
        let mut pending_fingerprints: Vec<Fingerprint> = Vec::new();
        let mut seen = BTreeSet::new();
        let mut new_per_island = vec![0; self.islands.len()];
        for individual in self.islands.iter().flatten().filter(|member| needs(member)) {
            if self.fitness_cache.contains_key(&individual.fingerprint) {
                self.cache_hits += 1;
            } else if seen.insert(individual.fingerprint) {
                pending.push(individual.genome.clone());
                pending_fingerprints.push(individual.fingerprint);
                new_per_island[individual.island as usize] += 1;
            } else {
                self.cache_hits += 1;
            }
        }
        if !pending.is_empty() && nsga2 {
            let values = problem.evaluate_objectives(&pending);
            if values.len() != pending.len() {
                return Err(EvolveError::FitnessCount {
                    asked: pending.len(),
                    returned: values.len(),
                });
            }
            let mut expected = self.objective_cache.values().next().map(Vec::len);
            for (fingerprint, value) in pending_fingerprints.into_iter().zip(values) {
                let value =
                    value.filter(|objectives| objectives.iter().all(|value| value.is_finite()));
                if let Some(objectives) = &value {
                    let length = *expected.get_or_insert(objectives.len());
                    if objectives.len() != length || length == 0 {
                        return Err(EvolveError::ObjectiveCount {
                            expected: length,
                            returned: objectives.len(),
                        });
                    }
                }
                self.fitness_cache.insert(
                    fingerprint,
                    value
                        .as_ref()
                        .and_then(|objectives| objectives.first().copied()),
                );
                if let Some(objectives) = value {
                    self.objective_cache.insert(fingerprint, objectives);
                }
            }
            self.evaluations += pending.len() as u64;
        } else if !pending.is_empty() {
            let values = problem.evaluate(&pending);
            if values.len() != pending.len() {
                return Err(EvolveError::FitnessCount {
                    asked: pending.len(),
                    returned: values.len(),
                });
            }
            for (fingerprint, value) in pending_fingerprints.into_iter().zip(values) {
                self.fitness_cache
                    .insert(fingerprint, value.filter(|fitness| fitness.is_finite()));
            }
            self.evaluations += pending.len() as u64;
        }
        for individual in self.islands.iter_mut().flatten() {
            if needs(individual) {
                individual.fitness = self.fitness_cache[&individual.fingerprint];
                if nsga2 {
                    individual.objectives = self
                        .objective_cache
                        .get(&individual.fingerprint)
                        .cloned()
                        .unwrap_or_default();
                }
            }
        }
        Ok(new_per_island)
    }

    /// Copies each island's best `migrants` over the next island's worst (from a snapshot taken
    /// before any island changes).
    fn migrate(&mut self) {
        sort_best_first(&mut self.islands, self.config.selection);
        let count = self.config.migrants;
        let generation = self.generation;
        let islands = self.islands.len();
        let emigrants: Vec<Vec<Individual<G>>> = self
            .islands
            .iter()
            .map(|members| members[..count].to_vec())
            .collect();
        for (source, group) in emigrants.into_iter().enumerate() {
            let target = (source + 1) % islands;
            let members = &mut self.islands[target];
            let first_replaced = members.len() - count;
            for (offset, migrant) in group.into_iter().enumerate() {
                members[first_replaced + offset] = Individual {
                    id: format!("g{generation}-i{target}-m{offset}"),
                    parents: vec![migrant.id.clone()],
                    operators: vec!["migration".to_string()],
                    born: generation,
                    island: target as u32,
                    ..migrant
                };
            }
        }
    }

    /// Sorts the islands, records their statistics and updates the hall of fame (the best
    /// individual of each niche).
    fn finish_generation<P: Problem<Genome = G>>(
        &mut self,
        problem: &P,
        new_per_island: Vec<usize>,
    ) {
        sort_best_first(&mut self.islands, self.config.selection);
        self.stats = self
            .islands
            .iter()
            .enumerate()
            .map(|(island, members)| {
                island_stats(self.generation, island, members, new_per_island[island])
            })
            .collect();
        let mut candidates: Vec<Individual<G>> = self.hall_of_fame.clone();
        candidates.extend(
            self.population()
                .filter(|individual| individual.fitness.is_some())
                .cloned(),
        );
        // Best first; among equals the earliest born, then the smallest id, so the choice is fixed.
        candidates.sort_by(|a, b| {
            b.rank_key()
                .total_cmp(&a.rank_key())
                .then(a.born.cmp(&b.born))
                .then(a.id.cmp(&b.id))
        });
        let mut niches = BTreeSet::new();
        candidates.retain(|individual| niches.insert(problem.niche(&individual.genome)));
        candidates.truncate(self.config.hall_of_fame_size);
        self.hall_of_fame = candidates;
    }
}

/// Sorts each island best first: by fitness (a stable sort, so equal fitness keeps birth order),
/// or under [`Selection::Nsga2`] in crowded-comparison order ([`nsga2::rank`]).
fn sort_best_first<G>(islands: &mut [Vec<Individual<G>>], selection: Selection) {
    for members in islands {
        match selection {
            Selection::Tournament => {
                members.sort_by(|a, b| b.rank_key().total_cmp(&a.rank_key()));
            }
            Selection::Nsga2 => {
                let order = crowded_order(members);
                let mut slots: Vec<Option<Individual<G>>> =
                    std::mem::take(members).into_iter().map(Some).collect();
                *members = order
                    .into_iter()
                    .filter_map(|index| slots[index].take())
                    .collect();
            }
        }
    }
}

/// Members' indices in NSGA-II crowded-comparison order; members without objectives last.
fn crowded_order<G>(members: &[Individual<G>]) -> Vec<usize> {
    let points: Vec<Option<&[f64]>> = members
        .iter()
        .map(|member| (!member.objectives.is_empty()).then_some(member.objectives.as_slice()))
        .collect();
    nsga2::rank(&points).order
}

/// NSGA-II survival: `size` of `combined` (an island's members, then its children), distinct
/// genomes in crowded-comparison order first, then duplicates (in the same order) if places remain.
fn survivors<G>(combined: Vec<Individual<G>>, size: usize) -> Vec<Individual<G>> {
    let mut seen = BTreeSet::new();
    let (distinct, duplicates): (Vec<_>, Vec<_>) = combined
        .into_iter()
        .partition(|member| seen.insert(member.fingerprint));
    let mut kept = Vec::with_capacity(size);
    for mut group in [distinct, duplicates] {
        let order = crowded_order(&group);
        let mut slots: Vec<Option<Individual<G>>> = group.drain(..).map(Some).collect();
        for index in order {
            if kept.len() == size {
                break;
            }
            if let Some(member) = slots[index].take() {
                kept.push(member);
            }
        }
    }
    kept
}

/// Tournament selection on a best-first island: the best of `size` uniform draws, which is the
/// smallest index drawn.
fn tournament(members_len: usize, size: usize, rng: &mut ChaCha8Rng) -> usize {
    (0..size)
        .map(|_| rng.random_range(0..members_len))
        .min()
        .unwrap_or(0)
}

/// One island's next generation from its best-first `members`.
fn breed<P: Problem>(
    config: &GaConfig,
    problem: &P,
    generation: u32,
    island: usize,
    members: &[Individual<P::Genome>],
) -> Vec<Individual<P::Genome>> {
    let size = members.len();
    let immigrants = config.immigrants(size);
    // NSGA-II keeps its elite by (mu + lambda) survival instead of copying it.
    let elite = match config.selection {
        Selection::Tournament => config.elitism,
        Selection::Nsga2 => 0,
    };
    let mut next: Vec<Individual<P::Genome>> = members[..elite].to_vec();
    for index in elite..size {
        let mut rng = birth_stream(config.seed, generation, island, index);
        let (genome, parents, mut operators) = if index >= size - immigrants {
            (
                problem.random(&mut rng),
                Vec::new(),
                vec!["random".to_string()],
            )
        } else {
            let first = &members[tournament(size, config.tournament_size, &mut rng)];
            if rng.random_bool(config.crossover_rate) {
                let second = &members[tournament(size, config.tournament_size, &mut rng)];
                let (child, operator) = problem.crossover(&first.genome, &second.genome, &mut rng);
                (
                    child,
                    vec![first.id.clone(), second.id.clone()],
                    vec![operator],
                )
            } else {
                (
                    first.genome.clone(),
                    vec![first.id.clone()],
                    vec!["copy".to_string()],
                )
            }
        };
        let genome = if !parents.is_empty() && rng.random_bool(config.mutation_rate) {
            let (mutated, operator) = problem.mutate(&genome, &mut rng);
            operators.push(operator);
            mutated
        } else {
            genome
        };
        next.push(Individual {
            id: format!("g{generation}-i{island}-{index}"),
            fingerprint: problem.fingerprint(&genome),
            genome,
            fitness: None,
            born: generation,
            island: island as u32,
            parents,
            operators,
            objectives: Vec::new(),
        });
    }
    next
}

fn island_stats<G>(
    generation: u32,
    island: usize,
    members: &[Individual<G>],
    evaluations: usize,
) -> IslandStats {
    // Best first by fitness (under NSGA-II members are in crowded order, not fitness order).
    let mut values: Vec<f64> = members.iter().filter_map(|member| member.fitness).collect();
    values.sort_by(|a, b| b.total_cmp(a));
    let median = match values.len() {
        0 => None,
        count if count % 2 == 1 => Some(values[count / 2]),
        count => Some((values[count / 2 - 1] + values[count / 2]) / 2.0),
    };
    let distinct: BTreeSet<Fingerprint> = members.iter().map(|member| member.fingerprint).collect();
    IslandStats {
        generation,
        island: island as u32,
        best: values.first().copied(),
        median,
        worst: values.last().copied(),
        eligible: values.len(),
        diversity: distinct.len() as f64 / members.len().max(1) as f64,
        evaluations,
    }
}
