//! Measures a search can optimise beside the categories' fitness: the objectives of an NSGA-II
//! experiment (`selection = "nsga2"`, `objectives = [...]`), every one "higher is better":
//!
//! - a category's name: its fitness ([`Category::judge`]);
//! - `plateau`: robustness to parameter perturbation, a low quantile of the run category's
//!   fitness over K jittered neighbours ([`gauntlet_genome::jitter`]), as StrategyQuant X's System
//!   Parameter Permutation / optimisation profile (see [`PlateauRules`]);
//! - `worst_symbol` and `median_symbol`: multi-market consistency, the run category's fitness on
//!   each symbol alone (with the per-symbol eligibility rules), its lowest and its median;
//! - `complexity`: minus the genome's rules and parameters ([`gauntlet_genome::complexity`]), so
//!   simpler is better.
//!
//! A measure that is undefined (not eligible, a neighbourhood mostly ineligible) leaves the genome
//! without objectives: NSGA-II ranks it after every front.

use gauntlet_evolve::{Purpose, keyed_stream};
use gauntlet_genome::Genome;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::category::{Category, Eligibility};
use crate::scoring::{GenomeScore, Part, Universe};

/// Most neighbours a plateau may score per genome (each costs one in-sample backtest per symbol).
pub const MAX_PLATEAU_NEIGHBOURS: usize = 64;

/// One measure (see the module's text). Written as its name in experiments and files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Measure {
    /// A category's fitness.
    Category(Category),
    /// The [`PlateauRules::quantile`] of the run category's fitness over jittered neighbours.
    Plateau,
    /// The lowest of the run category's fitness on each symbol alone.
    WorstSymbol,
    /// The median of the run category's fitness on each symbol alone (the mean of the middle two
    /// for an even count).
    MedianSymbol,
    /// Minus (rules + parameters).
    Complexity,
}

impl Measure {
    /// The name used in experiments and files (`monthly_performance`, `plateau`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Measure::Category(category) => category.name(),
            Measure::Plateau => "plateau",
            Measure::WorstSymbol => "worst_symbol",
            Measure::MedianSymbol => "median_symbol",
            Measure::Complexity => "complexity",
        }
    }

    /// The measure named `name`.
    ///
    /// # Errors
    /// A message listing the valid names.
    pub fn from_name(name: &str) -> Result<Self, String> {
        match name {
            "plateau" => Ok(Measure::Plateau),
            "worst_symbol" => Ok(Measure::WorstSymbol),
            "median_symbol" => Ok(Measure::MedianSymbol),
            "complexity" => Ok(Measure::Complexity),
            other => Category::from_name(other).map(Measure::Category).map_err(|_| {
                let categories: Vec<&str> = Category::ALL.iter().map(|c| c.name()).collect();
                format!(
                    "'{other}' is not a measure; expected a category ({}) or plateau, worst_symbol, median_symbol, complexity",
                    categories.join(", ")
                )
            }),
        }
    }
}

impl TryFrom<String> for Measure {
    type Error = String;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        Measure::from_name(&name)
    }
}

impl From<Measure> for String {
    fn from(measure: Measure) -> Self {
        measure.name().to_string()
    }
}

/// How the `plateau` measure and the champions' neighbourhoods are computed (`[plateau]`; any
/// field left out takes its default).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlateauRules {
    /// Neighbours scored per genome, 1 to [`MAX_PLATEAU_NEIGHBOURS`] (default 8).
    pub neighbours: usize,
    /// How far continuous genes move, percent of their value (default 10: each scaled by a factor
    /// in [0.9, 1.1]); periods move one step of the period grid either way.
    pub jitter_pct: f64,
    /// The quantile of the neighbours' fitness that is the plateau, 0..1 (default 0.25: three
    /// neighbours in four do at least this well). Ineligible neighbours count as the lowest.
    pub quantile: f64,
}

impl Default for PlateauRules {
    fn default() -> Self {
        Self {
            neighbours: 8,
            jitter_pct: 10.0,
            quantile: 0.25,
        }
    }
}

impl PlateauRules {
    /// Checks the settings.
    ///
    /// # Errors
    /// The field's name and what is allowed.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.neighbours == 0 || self.neighbours > MAX_PLATEAU_NEIGHBOURS {
            return Err((
                "neighbours",
                format!(
                    "must be 1 to {MAX_PLATEAU_NEIGHBOURS}, got {}",
                    self.neighbours
                ),
            ));
        }
        if !(0.0..=100.0).contains(&self.jitter_pct) {
            return Err((
                "jitter_pct",
                format!("must be 0 to 100 percent, got {}", self.jitter_pct),
            ));
        }
        if !(0.0..=1.0).contains(&self.quantile) {
            return Err((
                "quantile",
                format!("must be a fraction in [0, 1], got {}", self.quantile),
            ));
        }
        Ok(())
    }

    /// The `neighbours` jittered neighbours of `genome`, drawn from its [`neighbour_stream`]: the
    /// same genome always gets the same neighbours, whatever the thread or the order it is scored
    /// in.
    pub fn neighbours_of(&self, genome: &Genome, seed: u64) -> Vec<Genome> {
        let mut rng = neighbour_stream(seed, genome.fingerprint());
        (0..self.neighbours)
            .map(|_| gauntlet_genome::jitter(genome, &mut rng, self.jitter_pct / 100.0))
            .collect()
    }

    /// The plateau of neighbours' fitness values: the empirical quantile (Hyndman & Fan 1996,
    /// definition 1: the smallest value with at least `quantile` of the values at or below it)
    /// with ineligible neighbours (`None`) lowest; `None` when that lands on an ineligible one.
    pub fn plateau(&self, fitness: &[Option<f64>]) -> Option<f64> {
        if fitness.is_empty() {
            return None;
        }
        let mut sorted: Vec<f64> = fitness
            .iter()
            .map(|value| value.unwrap_or(f64::NEG_INFINITY))
            .collect();
        sorted.sort_by(f64::total_cmp);
        let rank = (self.quantile * sorted.len() as f64).ceil() as usize;
        let value = sorted[rank.clamp(1, sorted.len()) - 1];
        value.is_finite().then_some(value)
    }
}

/// The random stream the plateau neighbours of the genome with `fingerprint` are drawn from: the
/// run's [`Purpose::PlateauNeighbours`] stream keyed by the fingerprint ([`keyed_stream`]).
pub fn neighbour_stream(seed: u64, fingerprint: u64) -> ChaCha8Rng {
    keyed_stream(seed, Purpose::PlateauNeighbours, fingerprint)
}

/// A champion's parameter neighbourhood on the in-sample part: its neighbours' fitness in its
/// category and the plateau (shown in the report like SQX's optimisation profile).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Neighbourhood {
    /// The rules the neighbours were drawn with.
    pub rules: PlateauRules,
    /// The champion's own in-sample fitness.
    #[serde(with = "gauntlet_core::json_float::infinite")]
    pub fitness: Option<f64>,
    /// Each neighbour's in-sample fitness (`None` where not eligible), in draw order.
    #[serde(with = "gauntlet_core::json_float::infinite_list")]
    pub neighbours: Vec<Option<f64>>,
    /// The [`PlateauRules::plateau`] of the neighbours.
    #[serde(with = "gauntlet_core::json_float::infinite")]
    pub plateau: Option<f64>,
}

/// The run category's fitness on each symbol alone: each symbol judged as a one-symbol universe
/// with the per-symbol eligibility rules as its totals.
pub fn symbol_fitness(
    category: Category,
    score: &GenomeScore,
    eligibility: &Eligibility,
) -> Vec<Option<f64>> {
    let alone = Eligibility {
        min_trades: eligibility.min_trades_per_symbol,
        min_exposure: eligibility.min_exposure_per_symbol,
        ..*eligibility
    };
    score
        .symbols
        .iter()
        .map(|symbol| {
            let single = GenomeScore {
                symbols: vec![symbol.clone()],
            };
            category.judge(&single, &alone).fitness
        })
        .collect()
}

/// The lowest and the median of per-symbol values; `None` when any is `None`.
pub fn worst_and_median(values: &[Option<f64>]) -> Option<(f64, f64)> {
    let mut sorted: Vec<f64> = values.iter().copied().collect::<Option<Vec<f64>>>()?;
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let count = sorted.len();
    let median = if count % 2 == 1 {
        sorted[count / 2]
    } else {
        (sorted[count / 2 - 1] + sorted[count / 2]) / 2.0
    };
    Some((sorted[0], median))
}

/// The neighbourhood of `genome` in `category` on the in-sample part.
pub fn neighbourhood(
    universe: &Universe,
    genome: &Genome,
    category: Category,
    eligibility: &Eligibility,
    rules: &PlateauRules,
    seed: u64,
) -> Neighbourhood {
    let judge = |genome: &Genome| {
        universe
            .score(genome, Part::InSample)
            .ok()
            .and_then(|score| category.judge(&score, eligibility).fitness)
    };
    let neighbours: Vec<Option<f64>> = rules
        .neighbours_of(genome, seed)
        .iter()
        .map(judge)
        .collect();
    Neighbourhood {
        rules: *rules,
        fitness: judge(genome),
        plateau: rules.plateau(&neighbours),
        neighbours,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plateau_is_the_lower_quartile_with_ineligible_neighbours_lowest() {
        let rules = PlateauRules::default();
        // 8 values: the quantile 0.25 is the 2nd smallest (ceil(0.25 x 8) = 2).
        let values = [0.9, 0.1, 0.5, 0.7, 0.3, 0.8, 0.6, 0.4].map(Some);
        assert_eq!(rules.plateau(&values), Some(0.3));
        // One ineligible neighbour is the lowest: the 2nd smallest is now 0.1.
        let mut values = values;
        values[2] = None;
        assert_eq!(rules.plateau(&values), Some(0.1));
        // Two ineligible: the quartile is ineligible, so no plateau.
        values[3] = None;
        assert_eq!(rules.plateau(&values), None);
    }

    #[test]
    fn worst_and_median_over_symbols() {
        assert_eq!(
            worst_and_median(&[Some(0.4), Some(-0.2), Some(1.0), Some(0.6)]),
            Some((-0.2, 0.5))
        );
        assert_eq!(worst_and_median(&[Some(0.4), None]), None);
    }

    #[test]
    fn measures_round_trip_by_name() {
        for name in [
            "plateau",
            "worst_symbol",
            "median_symbol",
            "complexity",
            "risk_management",
        ] {
            assert_eq!(Measure::from_name(name).unwrap().name(), name);
        }
        let message = Measure::from_name("plateu").unwrap_err();
        assert!(message.contains("plateau, worst_symbol"), "{message}");
    }
}
