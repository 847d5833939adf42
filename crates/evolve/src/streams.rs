//! The one layout of a run's random streams: every stream is derived here, from (seed, purpose,
//! generation, island, index), so results never depend on thread scheduling or the order in which
//! work is done, and two uses of randomness never draw the same numbers.
//!
//! A stream is ChaCha8 keyed by the run's master `seed` ([`rand_chacha`]'s `seed_from_u64`) on the
//! 64-bit stream number
//!
//! ```text
//! bits 63..60  purpose     (Purpose as u64: 16 purposes at most)
//! bits 59..40  generation  (below MAX_GENERATIONS = 2^20)
//! bits 39..24  island      (below MAX_ISLANDS = 2^16)
//! bits 23..0   index       (below MAX_ISLAND_SIZE = 2^24)
//! ```
//!
//! ChaCha's stream parameter gives each number its own independent sequence (Bernstein, "ChaCha,
//! a variant of Salsa20", 2008; `rand_chacha`'s `set_stream`), so any stream can be replayed alone,
//! on any thread; streams of different purposes differ in their top four bits and never meet.
//! Breeding is purpose 0, so its streams are the ones Gauntlet used before purposes existed.
//!
//! Each purpose documents what its generation, island and index mean ([`Purpose`]).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Most islands a run may have (the island takes 16 bits of the stream number).
pub const MAX_ISLANDS: u32 = 1 << 16;
/// Most individuals an island may hold (the index takes 24 bits of the stream number).
pub const MAX_ISLAND_SIZE: u32 = 1 << 24;
/// Most generations a run may have (the generation takes 20 bits of the stream number).
pub const MAX_GENERATIONS: u32 = 1 << 20;

/// What a random stream is for. The purpose is the stream number's top four bits, so streams of
/// two purposes are never the same; within a purpose, (generation, island, index) as each variant
/// says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Purpose {
    /// The GA's births: the initial population (generation 0) and every later generation's
    /// children, one stream per (generation, island, index of the birth on the island).
    Breeding,
    /// The random-search baseline a run is compared with: random genome `i` of the baseline on
    /// generation 0, island `i >> 24`, index `i & 0xFF_FFFF`.
    RandomBaseline,
    /// A genome's plateau neighbours (the `plateau` objective and each champion's neighbourhood):
    /// one stream per genome, its fingerprint's low 60 bits as (generation, island, index)
    /// ([`keyed_stream`]), so the same genome always gets the same neighbours.
    PlateauNeighbours,
    /// Monte Carlo resampling of a champion's trades: path `p` on generation 0, island 0, index
    /// `p` (paths are below 2^24).
    MonteCarlo,
    /// The validation gate's noise test: perturbed copy `c` of symbol `s`'s bars on generation 0,
    /// island `s`, index `c`.
    NoiseTest,
    /// The permutation test of the whole search: permutation `p` of the universe's in-sample bars
    /// on generation 0, island 0, index `p` (`p` from 1; every calendar's permutations drawn from
    /// it in the order of the calendars' first symbols, see `gauntlet_data::permute_bars`).
    PermutationTest,
    /// The stationary bootstrap of a run's data-snooping tests (White's Reality Check and
    /// Hansen's SPA of its champion candidates against buy-and-hold): one stream on generation 0,
    /// island 0, index 0, every draw taken from it in draw order.
    DataSnooping,
    /// The validation gate's degraded-execution test: path `p` of missed entries on generation 0,
    /// island 0, index `p`.
    DegradedExecution,
}

impl Purpose {
    /// Every purpose, in stream-number order.
    pub const ALL: [Purpose; 8] = [
        Purpose::Breeding,
        Purpose::RandomBaseline,
        Purpose::PlateauNeighbours,
        Purpose::MonteCarlo,
        Purpose::NoiseTest,
        Purpose::PermutationTest,
        Purpose::DataSnooping,
        Purpose::DegradedExecution,
    ];

    /// The purpose's four bits at the top of the stream number.
    pub fn bits(self) -> u64 {
        match self {
            Purpose::Breeding => 0,
            Purpose::RandomBaseline => 1,
            Purpose::PlateauNeighbours => 2,
            Purpose::MonteCarlo => 3,
            Purpose::NoiseTest => 4,
            Purpose::PermutationTest => 5,
            Purpose::DataSnooping => 6,
            Purpose::DegradedExecution => 7,
        }
    }
}

/// The stream number of (purpose, generation, island, index) (see the module's layout).
///
/// `generation` must be below [`MAX_GENERATIONS`], `island` below [`MAX_ISLANDS`] and `index`
/// below [`MAX_ISLAND_SIZE`] (checked by [`crate::GaConfig::validate`] for breeding); larger values
/// would spill into the next field.
pub fn stream_number(purpose: Purpose, generation: u32, island: u32, index: u32) -> u64 {
    debug_assert!(generation < MAX_GENERATIONS && island < MAX_ISLANDS && index < MAX_ISLAND_SIZE);
    (purpose.bits() << 60)
        | (u64::from(generation) << 40)
        | (u64::from(island) << 24)
        | u64::from(index)
}

/// The random stream of `purpose` at (generation, island, index), keyed by the run's `seed`: the
/// only place a run's random numbers come from.
pub fn stream(seed: u64, purpose: Purpose, generation: u32, island: u32, index: u32) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream_number(purpose, generation, island, index));
    rng
}

/// [`stream`] at the position a 64-bit `key` names (a genome's fingerprint): its low 60 bits as
/// generation (bits 59..40), island (39..24) and index (23..0). Keys equal in their low 60 bits
/// share a stream.
pub fn keyed_stream(seed: u64, purpose: Purpose, key: u64) -> ChaCha8Rng {
    stream(
        seed,
        purpose,
        ((key >> 40) & u64::from(MAX_GENERATIONS - 1)) as u32,
        ((key >> 24) & u64::from(MAX_ISLANDS - 1)) as u32,
        (key & u64::from(MAX_ISLAND_SIZE - 1)) as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    fn draw(mut rng: ChaCha8Rng) -> Vec<u64> {
        (0..4).map(|_| rng.random()).collect()
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let at = |seed, generation, island, index| {
            draw(stream(seed, Purpose::Breeding, generation, island, index))
        };
        assert_eq!(at(7, 3, 1, 9), at(7, 3, 1, 9));
        let base = at(7, 3, 1, 9);
        for other in [
            at(8, 3, 1, 9),
            at(7, 4, 1, 9),
            at(7, 3, 2, 9),
            at(7, 3, 1, 10),
        ] {
            assert_ne!(other, base);
        }
    }

    #[test]
    fn breeding_keeps_the_streams_of_the_layout_before_purposes() {
        // Before purposes, a birth's stream was ChaCha8 keyed by the seed on stream
        // generation << 40 | island << 24 | index: breeding (purpose 0) draws exactly that.
        let mut before = ChaCha8Rng::seed_from_u64(42);
        before.set_stream((5 << 40) | (2 << 24) | 17);
        assert_eq!(draw(stream(42, Purpose::Breeding, 5, 2, 17)), draw(before));
    }

    #[test]
    fn two_purposes_never_share_a_stream() {
        // The purposes' bits differ, and every field's extreme values stay inside its field.
        let bits: std::collections::BTreeSet<u64> =
            Purpose::ALL.iter().map(|purpose| purpose.bits()).collect();
        assert_eq!(
            bits.len(),
            Purpose::ALL.len(),
            "two purposes share their bits"
        );
        assert!(bits.iter().all(|&bits| bits < 16));
        let corners = [
            (0, 0, 0),
            (MAX_GENERATIONS - 1, MAX_ISLANDS - 1, MAX_ISLAND_SIZE - 1),
            (MAX_GENERATIONS - 1, 0, 0),
            (0, MAX_ISLANDS - 1, 0),
            (0, 0, MAX_ISLAND_SIZE - 1),
            (3, 1, 9),
        ];
        let mut numbers = std::collections::BTreeMap::new();
        for purpose in Purpose::ALL {
            for &(generation, island, index) in &corners {
                let number = stream_number(purpose, generation, island, index);
                assert_eq!(
                    number >> 60,
                    purpose.bits(),
                    "{purpose:?} spills out of its bits"
                );
                if let Some(other) = numbers.insert(number, purpose) {
                    assert_eq!(
                        other, purpose,
                        "{other:?} and {purpose:?} share stream {number}"
                    );
                }
            }
        }
        // And the draws differ: the same position under every purpose gives distinct numbers.
        for &(generation, island, index) in &corners {
            let draws: std::collections::BTreeSet<Vec<u64>> = Purpose::ALL
                .iter()
                .map(|&purpose| draw(stream(7, purpose, generation, island, index)))
                .collect();
            assert_eq!(draws.len(), Purpose::ALL.len());
        }
    }

    #[test]
    fn a_key_names_a_position_of_its_purpose() {
        let key = 0xABCD_EF01_2345_6789_u64;
        let by_key = draw(keyed_stream(3, Purpose::PlateauNeighbours, key));
        let by_position = draw(stream(
            3,
            Purpose::PlateauNeighbours,
            ((key >> 40) & 0xF_FFFF) as u32,
            ((key >> 24) & 0xFFFF) as u32,
            (key & 0xFF_FFFF) as u32,
        ));
        assert_eq!(by_key, by_position);
        assert_ne!(by_key, draw(keyed_stream(3, Purpose::Breeding, key)));
    }
}
