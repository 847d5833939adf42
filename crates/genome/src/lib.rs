//! # gauntlet-genome
//!
//! The strategy genome (layer L3 of `DESIGN.md`): three chromosomes so crossover can take one
//! parent's entries and another's exits.
//!
//! - **entry** ([`EntryChromosome`]): a direction and up to [`MAX_RULES`] rules from a library of
//!   standard signals ([`Rule`]) combined by all / any / at-least-k, or a weighted multi-factor score
//!   ([`FactorScore`]), or buy-and-hold;
//! - **exit** ([`ExitChromosome`]): stop-loss, take-profit, trailing stop, maximum holding bars, exit on
//!   the opposite signal; each may be off;
//! - **sizing** ([`SizingChromosome`]): fixed fraction, risk per trade, volatility target or all-in;
//!   position cap, leverage cap, most concurrent positions; plus account [`RiskLimits`].
//!
//! A formula entry may carry the template it fills ([`TemplateFill`]: a [`Template`]'s formulas
//! with placeholders and their values, #29); the operators then breed the placeholders
//! ([`random_template_genome`], and `mutate`, `crossover`, `jitter` on the values).
//!
//! Every genome validates against gene bounds ([`Genome::validate`], naming the offending field),
//! renders as plain English ([`Genome::describe`]) and round-trips through JSON with a `schema`
//! version and its [`Lineage`]. Rates in files carry their unit in their name (`stop_loss_pct`).
#![warn(missing_docs)]

mod describe;
mod error;
mod files;
mod genome;
mod operators;
mod random;
mod template;
mod template_operators;
mod validate;

pub use error::GenomeError;
pub use files::{
    CHAMPION_FILE_FORMAT, CHAMPION_FILE_VERSION, read_genome_file, read_genome_text,
    read_population_file,
};
pub use genome::*;
pub use operators::{
    complexity, crossover, jitter, longest_period, mutate, random_genome, random_template_genome,
    repair,
};
pub use random::{
    BOLLINGER_WIDTH_STEP, CONTINUOUS_BOUNDS, MAX_EVOLVED_HOLDING_BARS, MAX_EVOLVED_RULES,
    random_rule,
};
pub use template::{MAX_PLACEHOLDERS, Slot, Template};
pub use template_operators::random_values;
pub use validate::{MAX_PERIOD, MAX_RULES, MIN_PERIOD, PERIOD_GRID};

impl Genome {
    /// The buy-and-hold benchmark: all equity long on the first bar, held to the end (the same
    /// strategy as `genomes/buy-and-hold.json`).
    pub fn buy_and_hold() -> Self {
        Genome {
            schema: GENOME_SCHEMA,
            name: Some("buy-and-hold".into()),
            entry: EntryChromosome {
                direction: Direction::Long,
                logic: EntryLogic::Always,
            },
            exit: ExitChromosome::default(),
            sizing: SizingChromosome::all_equity(),
            risk: RiskLimits::default(),
            lineage: Lineage {
                generation: 0,
                parents: Vec::new(),
                operators: vec!["seed".into()],
            },
        }
    }

    /// Reads a genome from JSON and validates it.
    ///
    /// # Errors
    /// [`GenomeError::Json`] for malformed JSON, an unknown field or a missing one (serde's message
    /// names it, with line and column); the validation errors of [`Genome::validate`].
    pub fn from_json(text: &str) -> Result<Self, GenomeError> {
        // A UTF-8 byte-order mark (Windows editors) is not JSON: skip it.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let genome: Genome =
            serde_json::from_str(text).map_err(|error| GenomeError::Json(error.to_string()))?;
        genome.validate()?;
        Ok(genome)
    }

    /// The genome as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a genome always serialises")
    }
}
