//! [`GaConfig`]: the genetic algorithm's settings.

use serde::{Deserialize, Serialize};

use crate::error::EvolveError;
use crate::streams::{MAX_GENERATIONS, MAX_ISLAND_SIZE, MAX_ISLANDS};

/// How parents are selected and survivors kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// Single-objective: tournament selection on fitness, the elite copied, the rest of the next
    /// generation replaced by children (generational with elitism).
    #[default]
    Tournament,
    /// Multi-objective NSGA-II (Deb et al. 2002): the problem's objectives
    /// ([`crate::Problem::evaluate_objectives`]); parents by crowded tournament (the best of
    /// `tournament_size` draws in crowded-comparison order); an island's parents and as many
    /// children compete for its places by non-dominated front, then crowding distance
    /// ((mu + lambda) survival, so `elitism` is not used). Fitness is the first objective (the
    /// hall of fame ranks by it).
    Nsga2,
}

/// The settings of one evolution. Rates are fractions (0.7 = 70%).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GaConfig {
    /// The master seed every random stream derives from.
    pub seed: u64,
    /// Individuals in the whole population, split evenly over the islands (the first islands take
    /// one more when it does not divide).
    pub population_size: usize,
    /// Islands: sub-populations bred apart and linked by migration. 1 disables migration.
    pub islands: usize,
    /// Contestants per tournament selection (k); 1 is random selection.
    pub tournament_size: usize,
    /// Best individuals of each island copied unchanged into its next generation.
    pub elitism: usize,
    /// Probability that a child is bred by crossover of two parents (else it copies one).
    pub crossover_rate: f64,
    /// Probability that a child is mutated after crossover or copying.
    pub mutation_rate: f64,
    /// Share of each island's next generation that is fresh random genomes (immigrants).
    pub immigrant_rate: f64,
    /// Generations between ring migrations (island i sends to island i+1); 0 disables migration.
    pub migration_interval: u32,
    /// Individuals each island sends per migration (its best), replacing the receiver's worst.
    pub migrants: usize,
    /// Best distinct individuals (by fingerprint) kept across the whole run.
    pub hall_of_fame_size: usize,
    /// Single-objective tournaments or NSGA-II (absent in checkpoints written before NSGA-II:
    /// tournament).
    #[serde(default, skip_serializing_if = "is_tournament")]
    pub selection: Selection,
}

fn is_tournament(selection: &Selection) -> bool {
    *selection == Selection::Tournament
}

impl Default for GaConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            population_size: 100,
            islands: 1,
            tournament_size: 3,
            elitism: 1,
            crossover_rate: 0.7,
            mutation_rate: 0.3,
            immigrant_rate: 0.05,
            migration_interval: 5,
            migrants: 1,
            hall_of_fame_size: 10,
            selection: Selection::Tournament,
        }
    }
}

impl GaConfig {
    /// The number of individuals on `island`.
    pub fn island_size(&self, island: usize) -> usize {
        self.population_size / self.islands
            + usize::from(island < self.population_size % self.islands)
    }

    /// Immigrants per generation on an island of `size`: `immigrant_rate * size`, rounded, leaving
    /// room for the elite.
    pub fn immigrants(&self, size: usize) -> usize {
        ((self.immigrant_rate * size as f64).round() as usize)
            .min(size.saturating_sub(self.elitism))
    }

    /// Checks every setting.
    ///
    /// # Errors
    /// [`EvolveError::Config`] naming the first setting out of range.
    pub fn validate(&self) -> Result<(), EvolveError> {
        let fail =
            |field: &'static str, message: String| Err(EvolveError::Config { field, message });
        if self.islands == 0 || self.islands >= MAX_ISLANDS as usize {
            return fail(
                "islands",
                format!("must be 1 to {}, got {}", MAX_ISLANDS - 1, self.islands),
            );
        }
        if self.population_size < 2 * self.islands {
            return fail(
                "population_size",
                format!(
                    "must be at least {} (2 per island, {} islands), got {}",
                    2 * self.islands,
                    self.islands,
                    self.population_size
                ),
            );
        }
        if self.island_size(0) >= MAX_ISLAND_SIZE as usize {
            return fail(
                "population_size",
                format!("at most {} per island", MAX_ISLAND_SIZE - 1),
            );
        }
        let smallest = self.island_size(self.islands - 1);
        if self.tournament_size == 0 || self.tournament_size > smallest {
            return fail(
                "tournament_size",
                format!(
                    "must be 1 to the smallest island's size ({smallest}), got {}",
                    self.tournament_size
                ),
            );
        }
        if self.elitism >= smallest {
            return fail(
                "elitism",
                format!(
                    "must be below the island size ({smallest}), got {}",
                    self.elitism
                ),
            );
        }
        for (field, rate) in [
            ("crossover_rate", self.crossover_rate),
            ("mutation_rate", self.mutation_rate),
            ("immigrant_rate", self.immigrant_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return fail(field, format!("must be a fraction in [0, 1], got {rate}"));
            }
        }
        if self.islands > 1 && self.migration_interval > 0 && self.migrants >= smallest {
            return fail(
                "migrants",
                format!(
                    "must be below the island size ({smallest}), got {}",
                    self.migrants
                ),
            );
        }
        if self.hall_of_fame_size == 0 {
            return fail("hall_of_fame_size", "must be at least 1".into());
        }
        Ok(())
    }

    /// Checks that `generations` fit the random-stream layout.
    ///
    /// # Errors
    /// [`EvolveError::Config`] for `generations` when 0 or too many.
    pub fn validate_generations(generations: u32) -> Result<(), EvolveError> {
        if generations == 0 || generations >= MAX_GENERATIONS {
            return Err(EvolveError::Config {
                field: "generations",
                message: format!("must be 1 to {}, got {generations}", MAX_GENERATIONS - 1),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn islands_share_the_population_evenly() {
        let config = GaConfig {
            population_size: 10,
            islands: 3,
            ..GaConfig::default()
        };
        let sizes: Vec<usize> = (0..3).map(|island| config.island_size(island)).collect();
        assert_eq!(sizes, [4, 3, 3]);
    }

    #[test]
    fn bad_settings_name_their_field() {
        let cases = [
            (
                GaConfig {
                    islands: 0,
                    ..GaConfig::default()
                },
                "islands",
            ),
            (
                GaConfig {
                    population_size: 1,
                    ..GaConfig::default()
                },
                "population_size",
            ),
            (
                GaConfig {
                    tournament_size: 0,
                    ..GaConfig::default()
                },
                "tournament_size",
            ),
            (
                GaConfig {
                    elitism: 100,
                    ..GaConfig::default()
                },
                "elitism",
            ),
            (
                GaConfig {
                    crossover_rate: 1.5,
                    ..GaConfig::default()
                },
                "crossover_rate",
            ),
            (
                GaConfig {
                    mutation_rate: -0.1,
                    ..GaConfig::default()
                },
                "mutation_rate",
            ),
            (
                GaConfig {
                    immigrant_rate: f64::NAN,
                    ..GaConfig::default()
                },
                "immigrant_rate",
            ),
            (
                GaConfig {
                    hall_of_fame_size: 0,
                    ..GaConfig::default()
                },
                "hall_of_fame_size",
            ),
        ];
        for (config, expected) in cases {
            match config.validate() {
                Err(EvolveError::Config { field, .. }) => assert_eq!(field, expected),
                other => panic!("{expected}: {other:?}"),
            }
        }
        assert!(GaConfig::default().validate().is_ok());
    }
}
