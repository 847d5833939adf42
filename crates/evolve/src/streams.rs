//! Random streams derived from (seed, generation, island, index), so results never depend on thread
//! scheduling or the order in which work is done.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Most islands a run may have (the island takes 16 bits of the stream number).
pub const MAX_ISLANDS: u32 = 1 << 16;
/// Most individuals an island may hold (the index takes 24 bits of the stream number).
pub const MAX_ISLAND_SIZE: u32 = 1 << 24;
/// Most generations a run may have (the generation takes 24 bits of the stream number).
pub const MAX_GENERATIONS: u32 = 1 << 24;

/// The random stream of one birth: ChaCha8 keyed by the run's `seed`, on the stream numbered
/// `generation << 40 | island << 24 | index`. ChaCha's 64-bit stream parameter gives each
/// (generation, island, index) its own independent sequence (Bernstein, "ChaCha, a variant of Salsa20",
/// 2008; `rand_chacha`'s `set_stream`), so any birth can be replayed alone, on any thread.
///
/// `island` must be below [`MAX_ISLANDS`], `index` below [`MAX_ISLAND_SIZE`] and `generation` below
/// [`MAX_GENERATIONS`] (checked by [`crate::GaConfig::validate`]); larger values would share streams.
pub fn stream(seed: u64, generation: u32, island: u32, index: u32) -> ChaCha8Rng {
    debug_assert!(generation < MAX_GENERATIONS && island < MAX_ISLANDS && index < MAX_ISLAND_SIZE);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream((u64::from(generation) << 40) | (u64::from(island) << 24) | u64::from(index));
    rng
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let draw = |mut rng: ChaCha8Rng| -> Vec<u64> { (0..4).map(|_| rng.random()).collect() };
        assert_eq!(draw(stream(7, 3, 1, 9)), draw(stream(7, 3, 1, 9)));
        let base = draw(stream(7, 3, 1, 9));
        for other in [
            stream(8, 3, 1, 9),
            stream(7, 4, 1, 9),
            stream(7, 3, 2, 9),
            stream(7, 3, 1, 10),
        ] {
            assert_ne!(draw(other), base);
        }
    }
}
