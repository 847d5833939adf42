//! [`Experiment`]: an evolution's settings, read from a TOML file in `experiments/` (every field
//! documented below; unknown fields are rejected with their name) and checked before any work starts.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use gauntlet_backtest::{BacktestConfig, CostModel, FillConvention};
use gauntlet_data::{Catalog, SplitSpec};
use gauntlet_evolve::{EvolveError, GaConfig, Selection};
use gauntlet_genome::{Genome, GenomeError, RiskLimits, Template, TemplateFormulas};
use serde::{Deserialize, Serialize};

use crate::error::RunError;
use gauntlet_honest::robustness::GateRules;
use gauntlet_tournament::CapitalRules;
use gauntlet_tournament::Costs;
use gauntlet_tournament::objectives::{Measure, PlateauRules};
use gauntlet_tournament::{Category, Eligibility};

/// The built-in quickstart experiment (`experiments/quickstart.toml`): what `gauntlet evolve` runs
/// with no `--config`.
pub const QUICKSTART_TOML: &str = include_str!("../../../experiments/quickstart.toml");

/// The population and the genetic algorithm's settings (`[population]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationSettings {
    /// Agents in the population (all islands together).
    pub size: usize,
    /// Islands (sub-populations linked by ring migration).
    #[serde(default = "one")]
    pub islands: usize,
    /// Contestants per tournament selection.
    #[serde(default = "three")]
    pub tournament_size: usize,
    /// Best agents of each island kept unchanged each generation.
    #[serde(default = "one")]
    pub elitism: usize,
    /// Probability that a child comes from crossover (else it copies a parent), 0..1.
    #[serde(default = "crossover_rate")]
    pub crossover_rate: f64,
    /// Probability that a child is mutated, 0..1.
    #[serde(default = "mutation_rate")]
    pub mutation_rate: f64,
    /// Share of each generation that is fresh random genomes, 0..1.
    #[serde(default = "immigrant_rate")]
    pub immigrant_rate: f64,
    /// Generations between migrations; 0 disables them.
    #[serde(default = "five")]
    pub migration_interval: u32,
    /// Agents each island sends per migration.
    #[serde(default = "one")]
    pub migrants: usize,
    /// Best distinct genomes kept across the run; champions are chosen among them on validation.
    #[serde(default = "hall_of_fame")]
    pub hall_of_fame: usize,
}

fn one() -> usize {
    1
}
fn three() -> usize {
    3
}
fn five() -> u32 {
    5
}
fn crossover_rate() -> f64 {
    0.7
}
fn mutation_rate() -> f64 {
    0.4
}
fn immigrant_rate() -> f64 {
    0.05
}
fn hall_of_fame() -> usize {
    20
}
/// The first free run folder for `name` under `output_dir`: `<output_dir>/<name>`, else `-2`, `-3`...
pub fn next_run_folder(output_dir: &Path, name: &str) -> PathBuf {
    let first = output_dir.join(name);
    if !first.exists() {
        return first;
    }
    (2..)
        .map(|number| output_dir.join(format!("{name}-{number}")))
        .find(|folder| !folder.exists())
        .unwrap_or(first)
}

fn reports() -> PathBuf {
    PathBuf::from("reports")
}

/// Walk-forward analysis (`[walk_forward]`): evolve on an in-sample window, trade the window's
/// champion on the next out-of-sample window, move on by `step_days`, and stitch the out-of-sample
/// results (Pardo, "The Evaluation and Optimization of Trading Strategies", 2nd ed. 2008, ch. 11).
/// Windows are in calendar days from the latest first bar among the datasets; each in-sample window
/// keeps its last `validation_share` for choosing the champion.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalkForward {
    /// Length of each in-sample window, days.
    pub in_sample_days: u32,
    /// Length of each out-of-sample window, days.
    pub out_of_sample_days: u32,
    /// Days between window starts (default: the out-of-sample length, so out-of-sample windows
    /// tile without overlap); at least `out_of_sample_days` (larger leaves gaps between
    /// out-of-sample windows, which the stitched record skips).
    #[serde(default)]
    pub step_days: Option<u32>,
    /// Anchored: every in-sample window starts at the beginning (and grows); rolling otherwise.
    #[serde(default)]
    pub anchored: bool,
    /// Share of each in-sample window used as its validation part (choosing the champion).
    #[serde(default = "validation_share")]
    pub validation_share: f64,
    /// Most windows to run (from the first), 1 to [`MAX_WALK_FORWARD_WINDOWS`].
    #[serde(default)]
    pub max_windows: Option<u32>,
}

/// A walk-forward matrix (`[walk_forward_matrix]`, with `[walk_forward]` for the other settings):
/// the walk-forward of `[walk_forward]` run once per cell of a grid of in-sample lengths (rows) and
/// out-of-sample lengths (columns), each cell's windows tiling (a step of its out-of-sample
/// length), and judged by the neighbourhood rule of
/// [`gauntlet_stats::walk_forward_grid::neighbourhood_pass`] (StrategyQuant's Walk-Forward
/// Matrix). A cell is **good** when its stitched out-of-sample return (mean over datasets) is
/// positive and its walk-forward efficiency is at least `min_efficiency`; it **passes** when it is
/// good and its neighbours within `radius` rows and columns are all good (or at least
/// `min_good_neighbours` of them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalkForwardMatrix {
    /// The rows: in-sample lengths, days, 1 to [`MAX_MATRIX_SIDE`] of them, each at least 1.
    pub in_sample_days: Vec<u32>,
    /// The columns: out-of-sample lengths, days, 1 to [`MAX_MATRIX_SIDE`] of them, each at least 1.
    pub out_of_sample_days: Vec<u32>,
    /// The least walk-forward efficiency of a good cell (default 0.5: Pardo 2008's rule of thumb
    /// that a robust strategy keeps at least half its in-sample rate out of sample).
    #[serde(default = "min_efficiency")]
    pub min_efficiency: f64,
    /// How far a cell's neighbourhood reaches, rows and columns (default 1: the 3 x 3 block), 1
    /// to [`MAX_MATRIX_SIDE`].
    #[serde(default = "matrix_radius")]
    pub radius: u32,
    /// Good neighbours a passing cell needs; left out, all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_good_neighbours: Option<u32>,
}

/// The most rows, or columns, of a walk-forward matrix (each cell is a whole walk-forward; the
/// windows of all cells together are bounded by [`MAX_WALK_FORWARD_WINDOWS`]).
pub const MAX_MATRIX_SIDE: usize = 10;

fn min_efficiency() -> f64 {
    0.5
}

fn matrix_radius() -> u32 {
    1
}

/// The most windows a walk-forward may have (`max_windows`, and the windows the data and
/// `step_days` make): each window is a whole evolution run with its own folder, so a step of one day
/// over decades (thousands of runs, gigabytes) is refused before any work.
pub const MAX_WALK_FORWARD_WINDOWS: u32 = 1_000;

fn validation_share() -> f64 {
    0.2
}

/// What `gauntlet study` adds to its seeds (`[study]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudySettings {
    /// Permutations of the permutation test of the whole search (Masters 2020): the experiment's
    /// search rerun on that many copies of its data with the in-sample bars permuted; 0 (the
    /// default) runs none, at most [`MAX_PERMUTATIONS`].
    #[serde(default)]
    pub permutations: u32,
}

/// The most permutations a permutation test may run (`[study] permutations`,
/// `gauntlet study --permutations`): each is a whole search.
pub const MAX_PERMUTATIONS: u32 = 10_000;

fn is_default_study(settings: &StudySettings) -> bool {
    *settings == StudySettings::default()
}

/// One experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    /// The run's name: its folder is `<output_dir>/<name>` (`-2`, `-3`... when taken). Lower-case
    /// letters, digits, `-`, `_`, `.`.
    pub name: String,
    /// The master seed: the same experiment and seed give the same results on any thread count.
    pub seed: u64,
    /// The tournament category agents are ranked by (`monthly_performance`, `drawdown_resistance`,
    /// `volatility_adaptation`, `diversification_master`, `risk_management`,
    /// `consistency_champion`).
    pub category: Category,
    /// How parents are selected: `tournament` (default: single-objective, on the category's
    /// fitness) or `nsga2` (multi-objective NSGA-II over `objectives`; see
    /// [`gauntlet_evolve::Selection`]).
    #[serde(default, skip_serializing_if = "is_tournament")]
    pub selection: Selection,
    /// The NSGA-II objectives (`selection = "nsga2"` only), each maximised: category names,
    /// `plateau`, `worst_symbol`, `median_symbol`, `complexity` ([`Measure`]). The first ranks the
    /// hall of fame; `plateau`, `worst_symbol` and `median_symbol` use the run's `category`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objectives: Vec<Measure>,
    /// How the `plateau` measure and every champion's parameter neighbourhood are computed.
    #[serde(default, skip_serializing_if = "is_default_plateau")]
    pub plateau: PlateauRules,
    /// Generations to breed after the initial population.
    pub generations: u32,
    /// The universe: catalog dataset names (`gauntlet data list`).
    pub datasets: Vec<String>,
    /// Where run folders go.
    #[serde(default = "reports")]
    pub output_dir: PathBuf,
    /// How each dataset is split: `[split.fractions]` with `validation` and `holdout` shares, or
    /// `[split.dates]` with `validation_start` and `holdout_start` (milliseconds since the epoch).
    pub split: SplitSpec,
    /// Population and genetic-algorithm settings.
    pub population: PopulationSettings,
    /// Costs, fill convention and starting capital per symbol.
    #[serde(default)]
    pub costs: Costs,
    /// Account risk limits given to every genome (policy, not evolved).
    #[serde(default)]
    pub risk: RiskLimits,
    /// Activity an agent needs before it is ranked.
    #[serde(default)]
    pub eligibility: Eligibility,
    /// Capital reallocation rules.
    #[serde(default)]
    pub capital: CapitalRules,
    /// Genome JSON files put into the first generation. A relative path is taken from the
    /// experiment file's folder when the file is there, else from the working folder
    /// ([`Experiment::resolve_seed_genomes`]).
    #[serde(default)]
    pub seed_genomes: Vec<PathBuf>,
    /// The validation gate a champion must pass before export, and the robustness statistics
    /// settings.
    #[serde(default)]
    pub gate: GateRules,
    /// Use only bars opening in `[start, end)` of every dataset (milliseconds since the epoch, UTC);
    /// walk-forward sets it for each window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_window: Option<[i64; 2]>,
    /// Walk-forward analysis instead of one run (see [`WalkForward`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub walk_forward: Option<WalkForward>,
    /// A walk-forward matrix instead of one walk-forward (see [`WalkForwardMatrix`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub walk_forward_matrix: Option<WalkForwardMatrix>,
    /// Memory for retained indicator columns, all symbols and parts together, MiB. Beyond it columns
    /// are recomputed per genome: slower, same results.
    #[serde(default = "indicator_cache_mib")]
    pub indicator_cache_mib: usize,
    /// A catalog dataset of a volatility index (e.g. `vix-1d`) whose close labels the volatility
    /// regimes of every symbol (the `volatility_adaptation` fitness and the champions' regime
    /// tables) instead of each symbol's own realised volatility; it is not traded. Left out, a
    /// dataset of the universe whose symbol is `^VIX` plays that part when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volatility_index: Option<String>,
    /// `gauntlet study`'s settings (`[study]`); a run ignores them.
    #[serde(default, skip_serializing_if = "is_default_study")]
    pub study: StudySettings,
    /// A template that evolution fills (`[template]`, #29): `long`, `short`, `exit_long` and
    /// `exit_short` formulas with placeholders (`?period[2..30]` a number within its bounds,
    /// `?filter` a condition), at least one entry side (the sides given decide the direction),
    /// and `[template.conditions]` saying what each condition placeholder draws from
    /// (`filter = { blocks = ["sma", "adx"], max_depth = 2, max_period = 200 }`; left out: every
    /// block, depth 2, periods up to 200 bars). With it every genome of the run (random, bred,
    /// the random-search baseline) has its entry filled from the template, and exits and sizing
    /// evolve as usual; seed genomes must be fills of the same template. Checked before any work
    /// ([`gauntlet_genome::Template::new`]: positions of formula errors, at most
    /// [`gauntlet_genome::MAX_PLACEHOLDERS`] placeholders, no empty range, every fill within the
    /// formula bounds). Left out, the classic genome evolves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<TemplateFormulas>,
}

fn is_tournament(selection: &Selection) -> bool {
    *selection == Selection::Tournament
}

fn is_default_plateau(rules: &PlateauRules) -> bool {
    *rules == PlateauRules::default()
}

fn indicator_cache_mib() -> usize {
    1024
}

/// Most trials the run's PBO samples (`[gate] pbo_trials`): their in-sample returns are held in
/// memory together (trials x symbols x bars).
pub const MAX_PBO_TRIALS: usize = 1_000;

/// Command-line overrides of an experiment's fields (`gauntlet evolve --seed ...`); `None` keeps
/// the file's value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    /// The master seed.
    pub seed: Option<u64>,
    /// Generations to evolve.
    pub generations: Option<u32>,
    /// Population size.
    pub population: Option<usize>,
    /// The category to breed for.
    pub category: Option<Category>,
}

impl Experiment {
    /// Where a command writes this experiment's output: `out` when given, else the first free
    /// `<output_dir>/<name><suffix>` (`-2`, `-3`... when taken; see
    /// [`next_run_folder`]). `suffix` is `""` for a run, `"-compare"`, `"-study"`.
    pub fn output_folder(&self, out: Option<&std::path::Path>, suffix: &str) -> PathBuf {
        out.map(std::path::Path::to_path_buf)
            .unwrap_or_else(|| next_run_folder(&self.output_dir, &format!("{}{suffix}", self.name)))
    }

    /// Parses an experiment from TOML text; `origin` names the file in errors.
    ///
    /// # Errors
    /// [`RunError::ConfigFile`] for a syntax error, an unknown or missing field, a wrong type
    /// or an unknown category, naming the field and line.
    pub fn from_toml(text: &str, origin: &Path) -> Result<Self, RunError> {
        toml::from_str(text).map_err(|error| {
            // One line: where, what, and the offending line's text.
            let location = error.span().map(|span| {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.len() - before.rfind('\n').map_or(0, |at| at + 1) + 1;
                let source = text.lines().nth(line - 1).unwrap_or("").trim();
                format!("line {line}, column {column} (`{source}`): ")
            });
            // serde's words for an enum given as a table of tables (`[split]`) say nothing to a
            // user: say which tables are meant.
            let message = error.message().trim_end().replace('\n', " ");
            let message = match message.as_str() {
                "wanted exactly 1 element, more than 1 element" => {
                    "give exactly one of its tables (for [split]: [split.fractions] or \
                     [split.dates]), not several"
                        .to_string()
                }
                "wanted exactly 1 element, found 0 elements" => {
                    "give one of its tables (for [split]: [split.fractions] or [split.dates])"
                        .to_string()
                }
                _ => message,
            };
            RunError::ConfigFile {
                path: origin.to_path_buf(),
                message: format!("{}{message}", location.unwrap_or_default()),
            }
        })
    }

    /// Reads and parses an experiment file.
    ///
    /// # Errors
    /// [`RunError::Io`] when it cannot be read; as [`Experiment::from_toml`].
    pub fn load(path: &Path) -> Result<Self, RunError> {
        let text = std::fs::read_to_string(path).map_err(|source| RunError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_toml(&text, path)
    }

    /// The built-in quickstart.
    ///
    /// # Errors
    /// Only if the bundled file is broken (a test keeps it parsing).
    pub fn quickstart() -> Result<Self, RunError> {
        Self::from_toml(QUICKSTART_TOML, Path::new("experiments/quickstart.toml"))
    }

    /// The experiment in `config` (or the built-in quickstart without one) with `overrides`
    /// applied and its seed genomes resolved against the file's folder, then the working folder,
    /// then `checkout` ([`Experiment::resolve_seed_genomes`]): what `gauntlet evolve` and
    /// `gauntlet compare` run.
    ///
    /// # Errors
    /// As [`Experiment::load`].
    pub fn load_with(
        config: Option<&Path>,
        overrides: &Overrides,
        checkout: &Path,
    ) -> Result<Self, RunError> {
        let mut experiment = match config {
            Some(path) => Self::load(path)?,
            None => Self::quickstart()?,
        }
        .with_overrides(overrides);
        let folder = config
            .and_then(Path::parent)
            .filter(|folder| !folder.as_os_str().is_empty());
        experiment.resolve_seed_genomes(folder, checkout);
        Ok(experiment)
    }

    /// The experiment with `overrides` applied.
    pub fn with_overrides(mut self, overrides: &Overrides) -> Self {
        if let Some(seed) = overrides.seed {
            self.seed = seed;
        }
        if let Some(generations) = overrides.generations {
            self.generations = generations;
        }
        if let Some(size) = overrides.population {
            self.population.size = size;
        }
        if let Some(category) = overrides.category {
            self.category = category;
        }
        self
    }

    /// Resolves relative seed genome paths: against `file_folder` (the experiment file's folder)
    /// when the genome is there, so an experiment and its genomes move together and run from any
    /// working folder; else as given (relative to the working folder); else under `checkout` (the
    /// Gauntlet checkout a binary was built from), so the quickstart's seed genomes are found from
    /// any folder. A path found nowhere is left as it is (loading it then names it).
    pub fn resolve_seed_genomes(&mut self, file_folder: Option<&Path>, checkout: &Path) {
        for path in &mut self.seed_genomes {
            if path.is_absolute() {
                continue;
            }
            if let Some(beside) = file_folder
                .map(|folder| folder.join(&*path))
                .filter(|beside| beside.exists())
            {
                *path = beside;
            } else if !path.exists() && checkout.join(&*path).exists() {
                *path = checkout.join(&*path);
            }
        }
    }

    /// The experiment as TOML (the resolved `config.toml` of a run).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// The genetic algorithm's settings.
    pub fn ga_config(&self) -> GaConfig {
        let population = &self.population;
        GaConfig {
            seed: self.seed,
            population_size: population.size,
            islands: population.islands,
            tournament_size: population.tournament_size,
            elitism: population.elitism,
            crossover_rate: population.crossover_rate,
            mutation_rate: population.mutation_rate,
            immigrant_rate: population.immigrant_rate,
            migration_interval: population.migration_interval,
            migrants: population.migrants,
            hall_of_fame_size: population.hall_of_fame,
            selection: self.selection,
        }
    }

    /// The experiment's template, checked (`None` without `[template]`).
    ///
    /// # Errors
    /// [`RunError::Config`] naming the template's field (`template.long`,
    /// `template.conditions.filter`) and what is wrong.
    pub fn checked_template(&self) -> Result<Option<Template>, RunError> {
        self.template
            .as_ref()
            .map(|formulas| {
                Template::new(formulas, "template").map_err(|error| match error {
                    GenomeError::Inconsistent { field, message } => {
                        RunError::Config { field, message }
                    }
                    other => RunError::Config {
                        field: "template".into(),
                        message: other.to_string(),
                    },
                })
            })
            .transpose()
    }

    /// Checks every setting that can be checked without loading bars: names, the catalog, the
    /// genetic algorithm, costs, risk limits, eligibility and capital rules. (Splits are checked when
    /// the universe is built, before the first generation.)
    ///
    /// # Errors
    /// [`RunError::Config`] naming the first bad field by its path in the file.
    pub fn validate(&self, catalog: &Catalog) -> Result<(), RunError> {
        let fail = |field: &str, message: String| {
            Err(RunError::Config {
                field: field.to_string(),
                message,
            })
        };
        if let Err(error) = gauntlet_data::validate_dataset_name(&self.name) {
            return fail("name", error.to_string());
        }
        self.checked_template()?;
        if self.study.permutations > MAX_PERMUTATIONS {
            return fail(
                "study.permutations",
                format!(
                    "must be at most {MAX_PERMUTATIONS}, got {}",
                    self.study.permutations
                ),
            );
        }
        GaConfig::validate_generations(self.generations).map_err(|error| match error {
            EvolveError::Config { message, .. } => RunError::Config {
                field: "generations".into(),
                message,
            },
            other => other.into(),
        })?;
        if self.datasets.is_empty() {
            return fail("datasets", "needs at least one dataset".into());
        }
        let mut seen = BTreeSet::new();
        for (index, name) in self.datasets.iter().enumerate() {
            if !seen.insert(name) {
                return fail(
                    &format!("datasets[{index}]"),
                    format!("'{name}' is listed twice"),
                );
            }
            if catalog.get(name).is_err() {
                return fail(
                    &format!("datasets[{index}]"),
                    format!(
                        "'{name}' is not in the catalog {} (`gauntlet data list` shows the names)",
                        catalog.catalog_path().display()
                    ),
                );
            }
        }
        if let Some(name) = &self.volatility_index
            && catalog.get(name).is_err()
        {
            return fail(
                "volatility_index",
                format!(
                    "'{name}' is not in the catalog {} (`gauntlet data list` shows the names)",
                    catalog.catalog_path().display()
                ),
            );
        }
        self.ga_config().validate().map_err(|error| match error {
            EvolveError::Config { field, message } => RunError::Config {
                field: format!(
                    "population.{}",
                    match field {
                        "population_size" => "size",
                        "hall_of_fame_size" => "hall_of_fame",
                        other => other,
                    }
                ),
                message,
            },
            other => other.into(),
        })?;
        let config = BacktestConfig {
            initial_capital: self.costs.initial_capital,
            costs: CostModel {
                commission_bps: self.costs.commission_bps,
                spread_bps: self.costs.spread_bps,
                slippage_bps: self.costs.slippage_bps,
            },
            fill: FillConvention::NextOpen,
            close_at_end: true,
            bars_per_year: 252.0,
        };
        if let Err(gauntlet_backtest::BacktestError::Config { field, message }) = config.validate()
        {
            return fail(&format!("costs.{field}"), message);
        }
        let mut probe = Genome::buy_and_hold();
        probe.risk = self.risk;
        match probe.validate() {
            Err(GenomeError::OutOfRange {
                field,
                value,
                allowed,
            }) => {
                return fail(&field, format!("{value} is outside {allowed}"));
            }
            Err(GenomeError::Inconsistent { field, message }) => return fail(&field, message),
            Err(other) => return fail("risk", other.to_string()),
            Ok(()) => {}
        }
        match (self.selection, self.objectives.len()) {
            (Selection::Nsga2, 0) => {
                return fail(
                    "objectives",
                    "selection = \"nsga2\" needs at least one objective (e.g. [\"monthly_performance\", \"plateau\", \"worst_symbol\"])".into(),
                );
            }
            (Selection::Tournament, count) if count > 0 => {
                return fail(
                    "objectives",
                    "objectives are used by selection = \"nsga2\" only; add it, or remove them"
                        .into(),
                );
            }
            _ => {}
        }
        for (index, measure) in self.objectives.iter().enumerate() {
            if self.objectives[..index].contains(measure) {
                return fail(
                    &format!("objectives[{index}]"),
                    format!("'{}' is listed twice", measure.name()),
                );
            }
        }
        if let Err((field, message)) = self.plateau.validate() {
            return fail(&format!("plateau.{field}"), message);
        }
        for (field, value) in [
            ("min_exposure", self.eligibility.min_exposure),
            (
                "min_exposure_per_symbol",
                self.eligibility.min_exposure_per_symbol,
            ),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return fail(
                    &format!("eligibility.{field}"),
                    format!("must be a fraction in [0, 1], got {value}"),
                );
            }
        }
        if !(0.0..=1.0).contains(&self.eligibility.min_exposure) {
            return fail(
                "eligibility.min_exposure",
                format!(
                    "must be a fraction in [0, 1], got {}",
                    self.eligibility.min_exposure
                ),
            );
        }
        self.capital.validate()?;
        let gate = &self.gate;
        let max_blocks = gauntlet_stats::overfitting::MAX_BLOCKS;
        if gate.pbo_blocks < 2 || gate.pbo_blocks % 2 == 1 || gate.pbo_blocks > max_blocks {
            return fail(
                "gate.pbo_blocks",
                format!("must be even, 2 to {max_blocks}, got {}", gate.pbo_blocks),
            );
        }
        if !(2..=MAX_PBO_TRIALS).contains(&gate.pbo_trials) {
            return fail(
                "gate.pbo_trials",
                format!("must be 2 to {MAX_PBO_TRIALS}, got {}", gate.pbo_trials),
            );
        }
        if let Err(gauntlet_honest::HonestError::Config { field, message }) =
            gate.validate_perturbations()
        {
            return fail(&field, message);
        }
        let max_draws = gauntlet_stats::data_snooping::MAX_BOOTSTRAP_DRAWS;
        if gate.data_snooping_draws > max_draws {
            return fail(
                "gate.data_snooping_draws",
                format!(
                    "must be 0 (off) to {max_draws}, got {}",
                    gate.data_snooping_draws
                ),
            );
        }
        let max_paths = gauntlet_stats::monte_carlo::MAX_PATHS;
        if !(1..=max_paths).contains(&gate.monte_carlo_paths) {
            return fail(
                "gate.monte_carlo_paths",
                format!("must be 1 to {max_paths}, got {}", gate.monte_carlo_paths),
            );
        }
        if let Some(matrix) = &self.walk_forward_matrix {
            let Some(walk) = self.walk_forward else {
                return fail(
                    "walk_forward_matrix",
                    "needs a [walk_forward] table for the other walk-forward settings".into(),
                );
            };
            for (field, lengths) in [
                ("in_sample_days", &matrix.in_sample_days),
                ("out_of_sample_days", &matrix.out_of_sample_days),
            ] {
                if !(1..=MAX_MATRIX_SIDE).contains(&lengths.len()) {
                    return fail(
                        &format!("walk_forward_matrix.{field}"),
                        format!(
                            "must list 1 to {MAX_MATRIX_SIDE} lengths, got {}",
                            lengths.len()
                        ),
                    );
                }
                if let Some(index) = lengths.iter().position(|days| *days == 0) {
                    return fail(
                        &format!("walk_forward_matrix.{field}[{index}]"),
                        "must be at least 1 day".into(),
                    );
                }
            }
            if walk.step_days.is_some() {
                return fail(
                    "walk_forward.step_days",
                    "a walk-forward matrix's cells step by their out-of-sample length; leave                      step_days out"
                        .into(),
                );
            }
            if !(matrix.min_efficiency.is_finite() && matrix.min_efficiency.abs() <= 1e6) {
                return fail(
                    "walk_forward_matrix.min_efficiency",
                    format!("must be a finite number, got {}", matrix.min_efficiency),
                );
            }
            if !(1..=MAX_MATRIX_SIDE as u32).contains(&matrix.radius) {
                return fail(
                    "walk_forward_matrix.radius",
                    format!("must be 1 to {MAX_MATRIX_SIDE}, got {}", matrix.radius),
                );
            }
            let most = (2 * matrix.radius + 1).pow(2) - 1;
            if let Some(count) = matrix.min_good_neighbours
                && count > most
            {
                return fail(
                    "walk_forward_matrix.min_good_neighbours",
                    format!(
                        "a neighbourhood of radius {} holds at most {most} neighbours, got {count}",
                        matrix.radius
                    ),
                );
            }
        }
        if let Some(walk) = &self.walk_forward {
            if walk.in_sample_days == 0 {
                return fail("walk_forward.in_sample_days", "must be at least 1".into());
            }
            if walk.out_of_sample_days == 0 {
                return fail(
                    "walk_forward.out_of_sample_days",
                    "must be at least 1".into(),
                );
            }
            if let Some(step) = walk.step_days
                && step < walk.out_of_sample_days
            {
                // Overlapping out-of-sample windows would put some days in the stitched
                // out-of-sample record twice (walk_forward.parquet ran backwards and compounded
                // days up to 3x, #30).
                return fail(
                    "walk_forward.step_days",
                    format!(
                        "must be at least out_of_sample_days ({}), got {step}: overlapping out-of-sample windows would count days twice when stitched",
                        walk.out_of_sample_days
                    ),
                );
            }
            if let Some(count) = walk.max_windows
                && !(1..=MAX_WALK_FORWARD_WINDOWS).contains(&count)
            {
                return fail(
                    "walk_forward.max_windows",
                    format!("must be 1 to {MAX_WALK_FORWARD_WINDOWS}, got {count}"),
                );
            }
            if !(walk.validation_share > 0.0 && walk.validation_share < 1.0) {
                return fail(
                    "walk_forward.validation_share",
                    format!(
                        "must be a fraction in (0, 1), got {}",
                        walk.validation_share
                    ),
                );
            }
        }
        Ok(())
    }
}
