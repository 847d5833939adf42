//! The GA on standard test problems: it converges (OneMax, Rastrigin), beats random search with the
//! same number of evaluations, never scores a genome twice, gives the same result on any number of
//! threads, and resumes from a serialised state bit for bit.

use std::sync::atomic::{AtomicUsize, Ordering};

use gauntlet_evolve::{Evolution, GaConfig, Problem, Purpose, stream};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

const BITS: usize = 64;

/// OneMax: maximise the number of true bits; the optimum is 64.
struct OneMax {
    scored: AtomicUsize,
}

impl Problem for OneMax {
    type Genome = Vec<bool>;
    fn random(&self, rng: &mut ChaCha8Rng) -> Vec<bool> {
        (0..BITS).map(|_| rng.random_bool(0.5)).collect()
    }
    fn crossover(&self, a: &Vec<bool>, b: &Vec<bool>, rng: &mut ChaCha8Rng) -> (Vec<bool>, String) {
        let cut = rng.random_range(1..BITS);
        let child = a[..cut].iter().chain(&b[cut..]).copied().collect();
        (child, "one_point".into())
    }
    fn mutate(&self, genome: &Vec<bool>, rng: &mut ChaCha8Rng) -> (Vec<bool>, String) {
        let mut child = genome.clone();
        let bit = rng.random_range(0..BITS);
        child[bit] = !child[bit];
        (child, "flip".into())
    }
    fn fingerprint(&self, genome: &Vec<bool>) -> u64 {
        genome
            .iter()
            .fold(0, |hash, &bit| (hash << 1) | u64::from(bit))
    }
    fn evaluate(&self, genomes: &[Vec<bool>]) -> Vec<Option<f64>> {
        self.scored.fetch_add(genomes.len(), Ordering::Relaxed);
        genomes
            .iter()
            .map(|genome| Some(genome.iter().filter(|&&bit| bit).count() as f64))
            .collect()
    }
}

const DIMENSIONS: usize = 3;
const BOUND: f64 = 5.12;

/// Rastrigin's function (Rastrigin 1974; Mühlenbein, Schomisch & Born 1991), negated so higher is
/// better: `-(10 n + sum(x_i^2 - 10 cos(2 pi x_i)))` on [-5.12, 5.12]^n, maximum 0 at the origin,
/// with a local optimum at every integer point.
struct Rastrigin;

fn rastrigin(genome: &[f64]) -> f64 {
    let sum: f64 = genome
        .iter()
        .map(|&x| x * x - 10.0 * (2.0 * std::f64::consts::PI * x).cos())
        .sum();
    -(10.0 * genome.len() as f64 + sum)
}

impl Problem for Rastrigin {
    type Genome = Vec<f64>;
    fn random(&self, rng: &mut ChaCha8Rng) -> Vec<f64> {
        (0..DIMENSIONS)
            .map(|_| rng.random_range(-BOUND..BOUND))
            .collect()
    }
    fn crossover(&self, a: &Vec<f64>, b: &Vec<f64>, rng: &mut ChaCha8Rng) -> (Vec<f64>, String) {
        // Blend crossover: a random point on the segment between the parents, gene by gene.
        let child = a
            .iter()
            .zip(b)
            .map(|(&x, &y)| {
                let weight: f64 = rng.random();
                weight * x + (1.0 - weight) * y
            })
            .collect();
        (child, "blend".into())
    }
    fn mutate(&self, genome: &Vec<f64>, rng: &mut ChaCha8Rng) -> (Vec<f64>, String) {
        let mut child = genome.clone();
        let gene = rng.random_range(0..DIMENSIONS);
        // A uniform step whose size is drawn on a log scale, so both jumps between basins and
        // fine-tuning inside one happen.
        let scale = 10f64.powf(rng.random_range(-3.0..0.5));
        child[gene] = (child[gene] + rng.random_range(-scale..scale)).clamp(-BOUND, BOUND);
        (child, "step".into())
    }
    fn fingerprint(&self, genome: &Vec<f64>) -> u64 {
        genome.iter().fold(0xcbf2_9ce4_8422_2325, |hash, value| {
            (hash ^ value.to_bits()).wrapping_mul(0x0100_0000_01b3)
        })
    }
    fn evaluate(&self, genomes: &[Vec<f64>]) -> Vec<Option<f64>> {
        genomes
            .par_iter()
            .map(|genome| Some(rastrigin(genome)))
            .collect()
    }
}

fn rastrigin_config(seed: u64) -> GaConfig {
    GaConfig {
        seed,
        population_size: 120,
        islands: 4,
        tournament_size: 3,
        elitism: 2,
        crossover_rate: 0.6,
        mutation_rate: 0.6,
        immigrant_rate: 0.05,
        migration_interval: 5,
        migrants: 2,
        hall_of_fame_size: 5,
        ..GaConfig::default()
    }
}

#[test]
fn one_max_reaches_the_optimum_and_never_scores_a_genome_twice() {
    let problem = OneMax {
        scored: AtomicUsize::new(0),
    };
    let config = GaConfig {
        population_size: 60,
        islands: 2,
        ..GaConfig::default()
    };
    let mut evolution = Evolution::start(config, &problem, Vec::new()).unwrap();
    let start_best = evolution.best().unwrap().fitness.unwrap();
    while evolution.generation < 200 && evolution.best().unwrap().fitness != Some(BITS as f64) {
        evolution.step(&problem).unwrap();
    }
    assert_eq!(evolution.best().unwrap().fitness, Some(BITS as f64));
    // Random 64-bit strings have about 32 true bits; the best of 60 about 41.
    assert!(start_best < 50.0, "{start_best}");
    let scored = problem.scored.load(Ordering::Relaxed);
    assert_eq!(scored as u64, evolution.evaluations);
    let births = 60 + evolution.generation as u64 * (60 - 2);
    assert_eq!(evolution.evaluations + evolution.cache_hits, births);
    assert!(
        evolution.cache_hits > 0,
        "copies and repeats must hit the cache"
    );
    // The hall of fame holds distinct genomes, best first.
    let fame = &evolution.hall_of_fame;
    assert_eq!(fame[0].fitness, Some(BITS as f64));
    assert!(
        fame.windows(2)
            .all(|pair| pair[0].rank_key() >= pair[1].rank_key())
    );
    let mut fingerprints: Vec<u64> = fame.iter().map(|member| member.fingerprint).collect();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), fame.len());
}

#[test]
fn rastrigin_finds_the_global_basin_and_beats_random_search() {
    let problem = Rastrigin;
    let mut evolution = Evolution::start(rastrigin_config(11), &problem, Vec::new()).unwrap();
    for _ in 0..150 {
        evolution.step(&problem).unwrap();
    }
    let best = evolution.best().unwrap();
    // The nearest local optima (one coordinate at +-1) are at -0.995; the global one is 0.
    let value = best.fitness.unwrap();
    assert!(value > -0.05, "best {value} at {:?}", best.genome);
    // Random search with as many evaluations, from streams the GA never uses.
    let evaluations = evolution.evaluations as u32;
    let random_best = (0..evaluations)
        .map(|index| {
            rastrigin(&problem.random(&mut stream(999, Purpose::RandomBaseline, 0, 0, index)))
        })
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(
        value > random_best + 0.5,
        "GA {value}, random {random_best}"
    );
}

#[test]
fn the_thread_count_changes_nothing() {
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut evolution =
                Evolution::start(rastrigin_config(5), &Rastrigin, Vec::new()).unwrap();
            for _ in 0..20 {
                evolution.step(&Rastrigin).unwrap();
            }
            serde_json::to_string(&evolution).unwrap()
        })
    };
    assert_eq!(run(1), run(4));
}

#[test]
fn a_serialised_state_resumes_bit_for_bit() {
    let mut straight = Evolution::start(rastrigin_config(3), &Rastrigin, Vec::new()).unwrap();
    for _ in 0..12 {
        straight.step(&Rastrigin).unwrap();
    }
    let mut first = Evolution::start(rastrigin_config(3), &Rastrigin, Vec::new()).unwrap();
    for _ in 0..7 {
        first.step(&Rastrigin).unwrap();
    }
    let checkpoint = serde_json::to_string(&first).unwrap();
    drop(first);
    let mut resumed: Evolution<Vec<f64>> = serde_json::from_str(&checkpoint).unwrap();
    for _ in 0..5 {
        resumed.step(&Rastrigin).unwrap();
    }
    assert_eq!(
        serde_json::to_string(&resumed).unwrap(),
        serde_json::to_string(&straight).unwrap()
    );
}

#[test]
fn seeds_enter_generation_zero_and_lineage_is_recorded() {
    let seeds = vec![vec![0.0; DIMENSIONS], vec![1.0; DIMENSIONS]];
    let mut evolution = Evolution::start(rastrigin_config(1), &Rastrigin, seeds).unwrap();
    // Seed 0 on island 0, seed 1 on island 1, both index 0.
    assert!(evolution.population().any(|member| member.id == "g0-i0-0"
        && member.operators == ["seed"]
        && member.fitness == Some(0.0)));
    assert!(
        evolution
            .population()
            .any(|member| member.id == "g0-i1-0" && member.operators == ["seed"])
    );
    evolution.step(&Rastrigin).unwrap();
    for member in evolution.population().filter(|member| member.born == 1) {
        match member.operators[0].as_str() {
            "random" => assert!(member.parents.is_empty()),
            "copy" => assert_eq!(member.parents.len(), 1),
            "blend" => assert_eq!(member.parents.len(), 2),
            other => panic!("unexpected first operator {other}"),
        }
        assert!(member.id.starts_with("g1-"));
    }
    // The elite (2 per island) survive with their ids.
    assert!(evolution.population().any(|member| member.id == "g0-i0-0"));
}
