//! Property tests of the genetic operators: random genomes, crossover children and mutants always
//! validate, whatever the seed and parents (including the hand-written seed genomes in `genomes/`).

use std::path::PathBuf;

use gauntlet_genome::*;
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn seed_genomes() -> Vec<Genome> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../genomes");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| Genome::from_json(&std::fs::read_to_string(path).unwrap()).unwrap())
        .collect()
}

fn risk() -> RiskLimits {
    RiskLimits {
        daily_loss_limit_pct: None,
        max_drawdown_halt_pct: Some(25.0),
        consecutive_loss_limit: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_genomes_validate(seed in any::<u64>()) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let genome = random_genome(&mut rng, risk());
        prop_assert!(genome.validate().is_ok(), "{:?}: {}", genome.validate(), genome.to_json());
        prop_assert_eq!(genome.risk, risk());
    }

    #[test]
    fn children_and_mutants_validate(seed in any::<u64>(), generations in 1usize..12) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut pool: Vec<Genome> = seed_genomes();
        pool.extend((0..6).map(|_| random_genome(&mut rng, risk())));
        for _ in 0..generations {
            let mut next = Vec::new();
            for index in 0..pool.len() {
                let other = &pool[(index * 7 + 3) % pool.len()];
                let (child, operator) = crossover(&pool[index], other, &mut rng);
                prop_assert!(operator.starts_with("crossover:"));
                prop_assert!(child.validate().is_ok(), "{operator}: {:?}: {}", child.validate(), child.to_json());
                let (mutant, operator) = mutate(&child, &mut rng);
                prop_assert!(operator.starts_with("mutation:"), "{operator}");
                prop_assert!(mutant.validate().is_ok(), "{operator}: {:?}: {}", mutant.validate(), mutant.to_json());
                next.push(mutant);
            }
            pool = next;
        }
    }
}

#[test]
fn chromosome_crossover_takes_whole_chromosomes_from_the_parents() {
    let seeds = seed_genomes();
    let (first, second) = (&seeds[1], &seeds[3]);
    let mut seen = 0;
    for seed in 0..200 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (child, operator) = crossover(first, second, &mut rng);
        if operator == "crossover:chromosome" {
            seen += 1;
            let entry_from_first = child.entry == first.entry;
            assert!(entry_from_first || child.entry == second.entry);
            // The exits come from the other parent (repair may add a stop for risk sizing).
            let exit_parent = if entry_from_first { second } else { first };
            assert_eq!(child.exit.take_profit_pct, exit_parent.exit.take_profit_pct);
            assert_eq!(child.exit.trailing_stop, exit_parent.exit.trailing_stop);
            assert!(child.sizing == first.sizing || child.sizing == second.sizing);
        }
    }
    // About half of 200 draws; far from 0 and 200.
    assert!((60..140).contains(&seen), "{seen}");
}

#[test]
fn gaussian_mutation_stays_inside_bounds_and_periods_stay_on_the_grid() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let mut genome = random_genome(&mut rng, risk());
    for _ in 0..2_000 {
        genome = mutate(&genome, &mut rng).0;
        if let Some(stop) = genome.exit.stop_loss_pct {
            // Switched on at a random value or moved by Gaussian steps, clamped to 0.5..15.
            assert!((0.5..=15.0).contains(&stop) || stop == 2.0, "{stop}");
        }
        if let EntryLogic::Rules { rules, .. } = &genome.entry.logic {
            assert!(rules.len() <= MAX_EVOLVED_RULES);
            for rule in rules {
                if let Rule::MovingAverageCross { fast, slow, .. } = rule {
                    assert!(PERIOD_GRID.contains(fast) && PERIOD_GRID.contains(slow));
                    assert!(fast < slow);
                }
            }
        }
    }
}

#[test]
fn the_fingerprint_ignores_name_and_lineage_but_not_genes() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let genome = random_genome(&mut rng, risk());
    let mut renamed = genome.clone();
    renamed.name = Some("other".into());
    renamed.lineage.generation = 7;
    assert_eq!(genome.fingerprint(), renamed.fingerprint());
    let mut changed = genome.clone();
    changed.exit.exit_on_opposite_signal = !changed.exit.exit_on_opposite_signal;
    assert_ne!(genome.fingerprint(), changed.fingerprint());
}

/// The structure key's text, written out by hand from the genome files' JSON: direction, then the
/// combination and the sorted rule tags, or the discriminant of a factor score / buy-and-hold.
#[test]
fn the_structure_key_is_the_documented_text() {
    let read = |name: &str| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../genomes")
            .join(format!("{name}.json"));
        Genome::from_json(&std::fs::read_to_string(path).expect("seed genome")).expect("valid")
    };
    assert_eq!(
        read("rsi-2-mean-reversion").structure_key(),
        r#"LongAll"price_vs_average","rsi_threshold""#
    );
    assert_eq!(
        read("sma-50-200-crossover").structure_key(),
        r#"LongAll"moving_average_cross""#
    );
    assert_eq!(
        read("multi-factor-origin").structure_key(),
        "BothDiscriminant(1)"
    );
    assert_eq!(
        Genome::buy_and_hold().structure_key(),
        "LongDiscriminant(2)"
    );
    let mut at_least = read("rsi-2-mean-reversion");
    if let EntryLogic::Rules { combine, .. } = &mut at_least.entry.logic {
        *combine = Combine::AtLeast { count: 2 };
    }
    assert_eq!(
        at_least.structure_key(),
        r#"LongAtLeast { count: 2 }"price_vs_average","rsi_threshold""#
    );
    // Parameters do not count.
    let mut other = read("sma-50-200-crossover");
    other.exit.stop_loss_pct = Some(3.0);
    assert_eq!(
        other.structure_key(),
        read("sma-50-200-crossover").structure_key()
    );
}

#[test]
fn complexity_counts_rules_and_parameters() {
    let genomes = seed_genomes();
    let sma = genomes
        .iter()
        .find(|genome| genome.name.as_deref() == Some("sma-50-200-crossover"))
        .unwrap();
    // 1 rule, periods 50 and 200, fraction 100%, position cap 100%.
    assert_eq!(complexity(sma), 5);
}

proptest! {
    #[test]
    fn neighbours_keep_the_rules_and_stay_within_one_grid_step(seed in any::<u64>(), pick in 0usize..8) {
        let genomes = seed_genomes();
        let genome = &genomes[pick % genomes.len()];
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let neighbour = jitter(genome, &mut rng, 0.1);
        prop_assert!(neighbour.validate().is_ok());
        prop_assert_eq!(neighbour.structure_key(), genome.structure_key());
        prop_assert_eq!(complexity(&neighbour), complexity(genome));
        // Zero jitter on continuous genes still moves periods by at most one step.
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let still = jitter(genome, &mut rng, 0.0);
        prop_assert!(still.validate().is_ok());
    }
}

#[test]
fn an_unreachable_factor_threshold_is_said_in_the_rules() {
    let mut genome = multi_factor_origin();
    let EntryLogic::MultiFactor(score) = &mut genome.entry.logic else {
        panic!("a factor score")
    };
    // Trend ±30, momentum ±20, volatility 0..10: the score spans -50 to 60.
    assert_eq!(score.reachable_range(), (-50.0, 60.0));
    // The bundled seed can go short (its sell level is inside the range)...
    assert!(
        !genome.describe().contains("never"),
        "{}",
        genome.describe()
    );
    // ...while the origin's -50 could not: the score is never below -50.
    let EntryLogic::MultiFactor(score) = &mut genome.entry.logic else {
        unreachable!()
    };
    score.sell_below = -50.0;
    assert!(
        genome
            .describe()
            .contains("[never: the score never goes below -50]"),
        "{}",
        genome.describe()
    );
}

#[test]
fn a_factor_score_without_weights_is_refused_and_repaired() {
    let mut genome = multi_factor_origin();
    let EntryLogic::MultiFactor(score) = &mut genome.entry.logic else {
        panic!("a factor score")
    };
    score.trend_weight = 0.0;
    score.momentum_weight = 0.0;
    score.volatility_weight = 0.0;
    let error = genome.validate().unwrap_err().to_string();
    assert!(
        error.contains("entry.logic.trend_weight") && error.contains("all 0"),
        "{error}"
    );
    repair(&mut genome);
    assert!(genome.validate().is_ok());
}

fn multi_factor_origin() -> Genome {
    seed_genomes()
        .into_iter()
        .find(|genome| genome.name.as_deref() == Some("multi-factor-origin"))
        .unwrap()
}
