//! Every random stream of a run comes from gauntlet-evolve's one stream layout
//! (`gauntlet_evolve::streams`) under its own purpose: the streams that breeding, the random-search
//! baseline, plateau neighbours and Monte Carlo draw from, each taken from the function its call
//! site uses, never meet. (Before purposes, Monte Carlo path i drew from the stream of island 0's
//! first-generation genome i.)

use std::collections::HashMap;

use gauntlet_evolve::birth_stream;
use gauntlet_honest::robustness::monte_carlo_stream;
use gauntlet_run::random_baseline_stream;
use gauntlet_tournament::objectives::neighbour_stream;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// A stream's first four draws: two streams that agree on them are the same stream.
fn first_draws(mut rng: ChaCha8Rng) -> [u64; 4] {
    [rng.random(), rng.random(), rng.random(), rng.random()]
}

#[test]
fn a_runs_uses_of_randomness_never_share_a_stream() {
    for seed in [1, 42] {
        let mut owner: HashMap<[u64; 4], &str> = HashMap::new();
        let mut claim = |rng: ChaCha8Rng, user: &'static str| {
            if let Some(other) = owner.insert(first_draws(rng), user) {
                assert_eq!(
                    other, user,
                    "{user} and {other} share a stream (seed {seed})"
                );
            }
        };
        // The positions each use reaches first, where a shared layout would make them meet:
        // births of the first generations, the first random genomes, Monte Carlo paths,
        // neighbours of genomes with small fingerprints (and a few large ones).
        for generation in 0..3 {
            for island in 0..3 {
                for index in 0..300 {
                    claim(birth_stream(seed, generation, island, index), "breeding");
                }
            }
        }
        for index in 0..3_000 {
            claim(random_baseline_stream(seed, index), "the random baseline");
        }
        for path in 0..3_000 {
            claim(monte_carlo_stream(seed, path), "Monte Carlo");
        }
        for fingerprint in (0..3_000).chain([u64::MAX, 1 << 40, 0xdead_beef_0000_0001]) {
            claim(neighbour_stream(seed, fingerprint), "plateau neighbours");
        }
        assert_eq!(owner.len(), 3 * 3 * 300 + 3_000 + 3_000 + 3_003);
    }
}
