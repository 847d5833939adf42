//! The champion file: what `gauntlet export` writes and `gauntlet paper` and `gauntlet backtest`
//! read. A versioned JSON document (`format = "gauntlet-champion"`, `version` =
//! [`CHAMPION_FILE_VERSION`]) holding the genome, its rules in English, its provenance (run,
//! generation, lineage, Gauntlet version, datasets with content hashes, cost model, fill
//! convention), its in-sample, validation and holdout metrics, and the validation results. Its JSON
//! Schema, generated from these types with `schemars`, is `schemas/champion.schema.json` in the
//! repository (a test keeps it current).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gauntlet_backtest::BacktestConfig;
use gauntlet_data::write_bytes_atomically;
use gauntlet_genome::{Genome, Lineage};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::RunError;
use crate::run_folder::{Champion, PartResult, RunFolder};
use gauntlet_honest::robustness::Robustness;
use gauntlet_tournament::Category;

pub use gauntlet_genome::{CHAMPION_FILE_FORMAT, CHAMPION_FILE_VERSION, read_genome_file};

/// An exported champion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChampionFile {
    /// Always `gauntlet-champion`.
    pub format: String,
    /// The layout version, [`CHAMPION_FILE_VERSION`].
    pub version: u32,
    /// `<run>-<category>`.
    pub name: String,
    /// The rules in plain English.
    pub rules: String,
    /// The genome, ready to backtest or paper-trade (its `lineage` names its parents).
    pub genome: Genome,
    /// Where it comes from.
    pub provenance: Provenance,
    /// Its results on the three parts of the split.
    pub metrics: PartsMetrics,
    /// The validation gate and robustness statistics, when the run computed them.
    pub validation: Option<ValidationResults>,
}

/// Where a champion comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// The run's name.
    pub run: String,
    /// The tournament category it is the champion of.
    pub category: String,
    /// The category the run bred for.
    pub run_category: String,
    /// Its id in the run (`g<generation>-i<island>-<index>`).
    pub champion_id: String,
    /// XXH64 of its genes, hex.
    pub fingerprint: String,
    /// How it was chosen.
    pub chosen: String,
    /// The generation it was born in, its parents and the operators that made it.
    pub lineage: Lineage,
    /// The run's master seed.
    pub seed: u64,
    /// The Gauntlet version that ran it.
    pub gauntlet_version: String,
    /// The datasets it was bred and judged on.
    pub datasets: Vec<DatasetProvenance>,
    /// The in-sample / validation / holdout split, as the experiment gave it (TOML).
    pub split: String,
    /// Costs of the run.
    pub costs: CostProvenance,
    /// When market orders filled: `next_open` or `close`.
    pub fill: String,
}

/// A dataset of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatasetProvenance {
    /// Catalog name.
    pub name: String,
    /// The instrument's symbol.
    pub symbol: String,
    /// Its Parquet file.
    pub file: String,
    /// Bars used.
    pub bars: u64,
    /// XXH64 of the file's bytes, hex.
    pub content_xxh64: String,
}

/// The run's cost model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CostProvenance {
    /// Commission per side, basis points of traded value.
    pub commission_bps: f64,
    /// Full bid-ask spread, basis points (half paid on each fill).
    pub spread_bps: f64,
    /// Slippage per fill, basis points.
    pub slippage_bps: f64,
    /// Starting equity on each symbol, quote currency.
    pub initial_capital: f64,
}

/// Results on the in-sample, validation and holdout parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartsMetrics {
    /// Breeding part.
    pub in_sample: PartMetrics,
    /// Choosing part.
    pub validation: PartMetrics,
    /// Reported once, never used to choose.
    pub holdout: PartMetrics,
}

/// Results on one part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartMetrics {
    /// Fitness in the champion's category; `null` when not eligible.
    pub fitness: Option<f64>,
    /// Why not eligible, if it is not.
    pub ineligible_because: Option<String>,
    /// Every metric's mean over symbols (`trades` summed); fractions, not percent; `null` where
    /// undefined, `"inf"` where infinite (a profit factor without a losing trade).
    #[serde(with = "gauntlet_core::json_float::infinite_map")]
    #[schemars(schema_with = "figure_map_schema")]
    pub summary: BTreeMap<String, Option<f64>>,
    /// Per symbol.
    pub symbols: Vec<SymbolMetrics>,
}

/// One symbol's metrics on one part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SymbolMetrics {
    /// The dataset.
    pub dataset: String,
    /// Every metric of the backtest (see `gauntlet_backtest::Metrics`); `null` where undefined,
    /// `"inf"` where infinite (a profit factor without a losing trade).
    #[serde(with = "gauntlet_core::json_float::infinite_map")]
    #[schemars(schema_with = "figure_map_schema")]
    pub metrics: BTreeMap<String, Option<f64>>,
}

/// The validation gate and robustness statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidationResults {
    /// Whether every gate check passed.
    pub passed: bool,
    /// Distinct genomes the run scored: the Deflated Sharpe Ratio's number of trials.
    pub trials: u64,
    /// Each check with its value.
    pub gate: Vec<GateCheckResult>,
    /// Sharpe-ratio inference per symbol (in-sample).
    pub symbols: Vec<SharpeInference>,
    /// Monte Carlo of the validation trades, when it had trades.
    pub monte_carlo: Option<MonteCarloResult>,
}

/// One gate check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GateCheckResult {
    /// The check, e.g. `validation sharpe >= 1`.
    pub check: String,
    /// The value checked; `null` where undefined, `"inf"` where infinite (a profit factor
    /// without a losing trade, which passes its check).
    #[serde(default, with = "gauntlet_core::json_float::infinite")]
    #[schemars(schema_with = "figure_schema")]
    pub value: Option<f64>,
    /// Whether it passed.
    pub passed: bool,
}

/// Sharpe-ratio inference on one symbol (Bailey & Lopez de Prado).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SharpeInference {
    /// The dataset.
    pub dataset: String,
    /// Probabilistic Sharpe Ratio against 0, a probability.
    pub probabilistic_sharpe_ratio: Option<f64>,
    /// Deflated Sharpe Ratio with the run's trials, a probability.
    pub deflated_sharpe_ratio: Option<f64>,
    /// Minimum Track Record Length, bars.
    pub minimum_track_record_bars: Option<f64>,
}

/// Monte Carlo bands of the validation trades.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MonteCarloResult {
    /// Paths drawn.
    pub paths: u64,
    /// Percentiles (5, 25, 50, 75, 95) of the total return, fractions.
    pub total_return_percentiles: Vec<Option<f64>>,
    /// Median of the paths' maximum drawdowns, a negative fraction.
    pub median_max_drawdown: Option<f64>,
    /// Share of paths ending in profit.
    pub probability_of_profit: Option<f64>,
}

/// The schema of a figure that may be infinite (`gauntlet_core::json_float::infinite`): a
/// number, `"inf"`, `"-inf"` or `null`.
fn figure_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "anyOf": [
            {"type": ["number", "null"]},
            {"type": "string", "enum": ["inf", "-inf"]}
        ]
    })
}

/// The schema of a map of figures that may be infinite (`gauntlet_core::json_float::infinite_map`).
fn figure_map_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "additionalProperties": figure_schema(generator)
    })
}

/// The JSON Schema of [`ChampionFile`], pretty-printed (what `schemas/champion.schema.json` holds).
pub fn champion_file_schema() -> String {
    let schema = schemars::schema_for!(ChampionFile);
    format!(
        "{}\n",
        serde_json::to_string_pretty(&schema).unwrap_or_default()
    )
}

fn part(result: &PartResult) -> PartMetrics {
    PartMetrics {
        fitness: result.fitness,
        ineligible_because: result.ineligible_because.clone(),
        summary: result.summary.clone(),
        symbols: result
            .symbols
            .iter()
            .map(|symbol| SymbolMetrics {
                dataset: symbol.dataset.clone(),
                metrics: symbol
                    .metrics
                    .named_values()
                    .into_iter()
                    .chain(symbol.against_buy_and_hold())
                    .map(|(name, value)| (name.to_string(), defined(value)))
                    .collect(),
            })
            .collect(),
    }
}

fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

/// `None` for `NaN` (undefined); infinities kept (a profit factor without a losing trade).
fn defined(value: f64) -> Option<f64> {
    (!value.is_nan()).then_some(value)
}

fn validation(robustness: &Robustness) -> ValidationResults {
    ValidationResults {
        passed: robustness.passed,
        trials: robustness.trials,
        gate: robustness
            .gate
            .iter()
            .map(|check| GateCheckResult {
                check: check.check.clone(),
                value: check.value,
                passed: check.passed,
            })
            .collect(),
        symbols: robustness
            .symbols
            .iter()
            .map(|symbol| SharpeInference {
                dataset: symbol.dataset.clone(),
                probabilistic_sharpe_ratio: finite(symbol.probabilistic_sharpe_ratio),
                deflated_sharpe_ratio: finite(symbol.deflated_sharpe_ratio),
                minimum_track_record_bars: symbol.minimum_track_record_bars,
            })
            .collect(),
        monte_carlo: robustness
            .monte_carlo
            .as_ref()
            .map(|monte| MonteCarloResult {
                paths: monte.paths as u64,
                total_return_percentiles: monte
                    .total_return_percentiles
                    .iter()
                    .map(|value| finite(*value))
                    .collect(),
                median_max_drawdown: finite(monte.median_max_drawdown),
                probability_of_profit: finite(monte.probability_of_profit),
            }),
    }
}

/// Builds the champion file of `champion` from the run in `folder`, with the provenance its
/// `run.json` and `config.toml` give.
///
/// # Errors
/// [`RunError::RunFolder`] naming the file that is missing or malformed.
pub fn champion_file(folder: &Path, champion: &Champion) -> Result<ChampionFile, RunError> {
    let run_folder = RunFolder::new(folder);
    let manifest = run_folder.read_manifest()?;
    let experiment = run_folder.read_experiment()?;
    let category = champion.category.name();
    let genome = champion.genome.clone();
    let costs = &experiment.costs;
    let split = toml::Value::try_from(experiment.split).map_err(|error| RunError::RunFolder {
        path: run_folder.config_path(),
        message: format!("the split cannot be written back as TOML: {error}"),
    })?;
    let run = manifest.name;
    Ok(ChampionFile {
        format: CHAMPION_FILE_FORMAT.into(),
        version: CHAMPION_FILE_VERSION,
        name: genome
            .name
            .clone()
            .unwrap_or_else(|| format!("{run}-{category}")),
        rules: champion.rules.clone(),
        provenance: Provenance {
            run,
            category: category.to_string(),
            run_category: manifest.category.name().to_string(),
            champion_id: champion.id.clone(),
            fingerprint: champion.fingerprint.clone(),
            chosen: champion.chosen.clone(),
            lineage: genome.lineage.clone(),
            seed: manifest.seed,
            gauntlet_version: manifest.gauntlet_version,
            datasets: manifest
                .datasets
                .into_iter()
                .map(|dataset| DatasetProvenance {
                    name: dataset.name,
                    symbol: dataset.symbol,
                    file: dataset.file,
                    bars: dataset.bars as u64,
                    content_xxh64: dataset.content_xxh64,
                })
                .collect(),
            split: split.to_string().trim().replace('\n', "; "),
            costs: CostProvenance {
                commission_bps: costs.commission_bps,
                spread_bps: costs.spread_bps,
                slippage_bps: costs.slippage_bps,
                initial_capital: costs.initial_capital,
            },
            fill: costs.fill.name().to_string(),
        },
        metrics: PartsMetrics {
            in_sample: part(&champion.in_sample),
            validation: part(&champion.validation),
            holdout: part(&champion.holdout),
        },
        validation: Some(validation(&champion.robustness)),
        genome,
    })
}

/// What `gauntlet export` exports: a genome, under a name, with the champion file it comes from
/// when it is a run's champion.
#[derive(Debug, Clone)]
pub struct ExportSource {
    /// `<run folder>-<category>` for a run's champion, the file's stem for a genome file.
    pub name: String,
    /// The genome (validated).
    pub genome: Genome,
    /// The champion file (provenance, metrics, validation), when it is a champion.
    pub champion: Option<ChampionFile>,
}

/// The validation gate's verdict on `file`: an error naming the failed checks when it failed and
/// not `force`.
fn check_gate(file: &ChampionFile, path: &Path, force: bool) -> Result<(), RunError> {
    let Some(validation) = &file.validation else {
        return Ok(());
    };
    if validation.passed || force {
        return Ok(());
    }
    let failed: Vec<String> = validation
        .gate
        .iter()
        .filter(|check| !check.passed)
        .map(|check| {
            gauntlet_honest::robustness::describe_check(&check.check, check.value, check.passed)
        })
        .collect();
    Err(RunError::RunFolder {
        path: path.to_path_buf(),
        message: format!(
            "the {} champion failed the validation gate: {}; export it anyway with --force",
            file.provenance.category,
            if failed.is_empty() {
                "no gate results".to_string()
            } else {
                failed.join("; ")
            }
        ),
    })
}

/// The champion of `category` from the run in `folder`, for export: refused when it failed the
/// validation gate, unless `force`.
///
/// # Errors
/// [`RunError::RunFolder`] when the run has no champion file for the category, it does not
/// hold a valid genome, or the champion failed the gate (naming the failed checks) without `force`.
pub fn champion_for_export(
    folder: &Path,
    category: Category,
    force: bool,
) -> Result<ExportSource, RunError> {
    let (name, file) = run_champion(folder, category)?;
    check_gate(
        &file,
        &RunFolder::new(folder).champion_path(category),
        force,
    )?;
    Ok(ExportSource {
        name,
        genome: file.genome.clone(),
        champion: Some(file),
    })
}

/// `<run folder>-<category>` and the champion file of `category` in the run in `folder` (its gate
/// not checked).
fn run_champion(folder: &Path, category: Category) -> Result<(String, ChampionFile), RunError> {
    let run_folder = RunFolder::new(folder);
    let path = run_folder.champion_path(category);
    let Some(champion) = run_folder.read_champion(category)? else {
        return Err(RunError::RunFolder {
            path,
            message: format!(
                "no champion for {} (no such file); is the run finished?",
                category.name()
            ),
        });
    };
    let run_name = folder
        .canonicalize()
        .ok()
        .and_then(|path| {
            path.file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "run".to_string());
    let file = champion_file(folder, &champion)?;
    file.genome.validate()?;
    Ok((format!("{run_name}-{}", category.name()), file))
}

/// A genome file or an exported champion file, for export: a champion that failed the validation
/// gate is refused unless `force`.
///
/// # Errors
/// [`RunError::Genome`] when the file cannot be read or holds no valid genome;
/// [`RunError::RunFolder`] naming the file when a champion file is malformed or its champion
/// failed the gate without `force`.
pub fn genome_for_export(path: &Path, force: bool) -> Result<ExportSource, RunError> {
    let genome = read_genome_file(path)?;
    let name = path.file_stem().map_or_else(
        || "genome".to_string(),
        |stem| stem.to_string_lossy().into_owned(),
    );
    let text = std::fs::read_to_string(path).map_err(|error| RunError::RunFolder {
        path: path.to_path_buf(),
        message: error.to_string(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    #[derive(Deserialize)]
    struct Format {
        format: Option<String>,
    }
    let is_champion = serde_json::from_str::<Format>(text)
        .is_ok_and(|format| format.format.as_deref() == Some(CHAMPION_FILE_FORMAT));
    let champion = if is_champion {
        let file: ChampionFile =
            serde_json::from_str(text).map_err(|error| RunError::RunFolder {
                path: path.to_path_buf(),
                message: format!("not a valid champion file: {error}"),
            })?;
        check_gate(&file, path, force)?;
        Some(file)
    } else {
        None
    };
    Ok(ExportSource {
        name,
        genome,
        champion,
    })
}

/// Exports the champion of `category` from the run in `folder` to `<to>/<run folder>-<category>.json`
/// (the run folder's name is unique in its output folder, so two runs of one experiment never
/// share a file) as a champion file ([`crate::champion_file::ChampionFile`]: the genome with its
/// provenance, metrics and validation results), for `gauntlet backtest --genome` and `gauntlet
/// paper`. A champion that failed the validation gate, or an existing file, is refused unless
/// `force`.
///
/// # Errors
/// [`RunError::RunFolder`] when the run has no champion file for the category, it does not
/// hold a valid genome, the champion failed the gate (naming the failed checks) or the file exists,
/// without `force`; I/O errors naming the file.
pub fn export_champion(
    folder: &Path,
    category: Category,
    to: &Path,
    force: bool,
) -> Result<PathBuf, RunError> {
    let (name, file) = run_champion(folder, category)?;
    let target = to.join(format!("{name}.json"));
    if target.exists() && !force {
        return Err(RunError::RunFolder {
            path: target,
            message: "already exists; choose another --to, or replace it with --force".into(),
        });
    }
    check_gate(
        &file,
        &RunFolder::new(folder).champion_path(category),
        force,
    )?;
    let text = serde_json::to_string_pretty(&file).map_err(|error| RunError::RunFolder {
        path: target.clone(),
        message: error.to_string(),
    })?;
    write_bytes_atomically(&target, format!("{text}\n").as_bytes())?;
    Ok(target)
}

/// The trading conditions a champion file records (its `provenance`): what it was bred and judged
/// with, and what `gauntlet paper` and `gauntlet backtest` trade it with unless a flag says
/// otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TradingConditions {
    /// Commission per side, basis points of traded value.
    pub commission_bps: f64,
    /// Full bid-ask spread, basis points (half paid on each fill).
    pub spread_bps: f64,
    /// Slippage per fill, basis points.
    pub slippage_bps: f64,
    /// When orders fill.
    pub fill: gauntlet_backtest::FillConvention,
    /// Starting equity, quote currency.
    pub capital: f64,
}

/// Trading conditions a caller sets (a CLI flag, a Python keyword argument), each `None` where
/// left to the base conditions (a champion's own, or [`TradingConditions::DEFAULT`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TradingOverrides {
    /// Commission per side, basis points of traded value.
    pub commission_bps: Option<f64>,
    /// Full bid-ask spread, basis points.
    pub spread_bps: Option<f64>,
    /// Slippage per fill, basis points.
    pub slippage_bps: Option<f64>,
    /// When orders fill.
    pub fill: Option<gauntlet_backtest::FillConvention>,
    /// Starting equity, quote currency.
    pub capital: Option<f64>,
}

impl TradingConditions {
    /// These conditions with each of `overrides` that is set put in their place, and a note for
    /// each that differs from this value (`--fill close overrides the champion's next_open`;
    /// settings are named as the CLI's flags).
    pub fn overridden(&self, overrides: &TradingOverrides) -> (Self, Vec<String>) {
        let mut notes = Vec::new();
        let mut pick = |flag: &str, given: Option<f64>, own: f64| match given {
            Some(value) if value != own => {
                notes.push(format!("--{flag} {value} overrides the champion's {own}"));
                value
            }
            Some(value) => value,
            None => own,
        };
        let commission_bps = pick(
            "commission-bps",
            overrides.commission_bps,
            self.commission_bps,
        );
        let spread_bps = pick("spread-bps", overrides.spread_bps, self.spread_bps);
        let slippage_bps = pick("slippage-bps", overrides.slippage_bps, self.slippage_bps);
        let capital = pick("capital", overrides.capital, self.capital);
        let fill = match overrides.fill {
            Some(fill) if fill != self.fill => {
                notes.push(format!(
                    "--fill {} overrides the champion's {}",
                    fill.name(),
                    self.fill.name()
                ));
                fill
            }
            Some(fill) => fill,
            None => self.fill,
        };
        let conditions = Self {
            commission_bps,
            spread_bps,
            slippage_bps,
            fill,
            capital,
        };
        (conditions, notes)
    }

    /// The backtest settings of these conditions: positions closed at the last bar when
    /// `close_at_end`, annualised with `bars_per_year`.
    pub fn backtest_config(&self, close_at_end: bool, bars_per_year: f64) -> BacktestConfig {
        BacktestConfig {
            initial_capital: self.capital,
            costs: gauntlet_backtest::CostModel::bps(
                self.commission_bps,
                self.spread_bps,
                self.slippage_bps,
            ),
            fill: self.fill,
            close_at_end,
            bars_per_year,
        }
    }

    /// Gauntlet's defaults when no champion says otherwise: 10 bps commission, no spread, 5 bps
    /// slippage, fills at the next open, 100,000 of capital.
    pub const DEFAULT: Self = Self {
        commission_bps: 10.0,
        spread_bps: 0.0,
        slippage_bps: 5.0,
        fill: gauntlet_backtest::FillConvention::NextOpen,
        capital: 100_000.0,
    };
}

impl ChampionFile {
    /// The costs, fill convention and capital it was bred and judged with (its provenance).
    ///
    /// # Errors
    /// [`RunError::RunFolder`] naming the champion when its `fill` is neither `next_open` nor
    /// `close`.
    pub fn trading(&self) -> Result<TradingConditions, RunError> {
        let costs = &self.provenance.costs;
        let fill = self
            .provenance
            .fill
            .parse()
            .map_err(|error| RunError::RunFolder {
                path: self.name.clone().into(),
                message: format!("provenance.fill: {error}"),
            })?;
        Ok(TradingConditions {
            commission_bps: costs.commission_bps,
            spread_bps: costs.spread_bps,
            slippage_bps: costs.slippage_bps,
            fill,
            capital: costs.initial_capital,
        })
    }
}

/// The trading conditions recorded in the genome file at `path` when it is a champion file (a
/// run's `champions/<category>.json` or `gauntlet export`'s copy), `None` for a plain genome file
/// or a file that is not JSON (the genome reader names what is wrong with it).
///
/// # Errors
/// [`RunError::Io`] when the file cannot be read; [`RunError::RunFolder`] naming the file when it
/// has a `provenance` whose costs or fill cannot be read.
pub fn champion_trading(path: &Path) -> Result<Option<TradingConditions>, RunError> {
    let text = gauntlet_core::read_regular_file(path).map_err(|source| RunError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    champion_trading_text(&text, path)
}

/// [`champion_trading`] of a genome or champion file's text, `origin` naming it in messages (a
/// path, or `genome` for a caller's in-memory document).
///
/// # Errors
/// [`RunError::RunFolder`] naming `origin` when the text has a `provenance` whose costs or fill
/// cannot be read.
pub fn champion_trading_text(
    text: &str,
    origin: &Path,
) -> Result<Option<TradingConditions>, RunError> {
    let path = origin;
    /// Whether the file is a champion file at all.
    #[derive(Deserialize)]
    struct Marked {
        provenance: Option<serde::de::IgnoredAny>,
    }
    /// The part of a champion file that says how it traded (other fields are ignored here).
    #[derive(Deserialize)]
    struct TradedAs {
        provenance: TradedWith,
    }
    #[derive(Deserialize)]
    struct TradedWith {
        costs: CostProvenance,
        fill: gauntlet_backtest::FillConvention,
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if !serde_json::from_str::<Marked>(text).is_ok_and(|marked| marked.provenance.is_some()) {
        return Ok(None);
    }
    let traded: TradedAs = serde_json::from_str(text).map_err(|error| RunError::RunFolder {
        path: path.to_path_buf(),
        message: format!("the champion's provenance (costs, fill) is unreadable: {error}"),
    })?;
    let own = traded.provenance;
    Ok(Some(TradingConditions {
        commission_bps: own.costs.commission_bps,
        spread_bps: own.costs.spread_bps,
        slippage_bps: own.costs.slippage_bps,
        fill: own.fill,
        capital: own.costs.initial_capital,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_infinite_profit_factor_is_written_as_inf_and_read_back() {
        // A part on which every trade won: its profit factor is infinite, not undefined.
        let part = PartMetrics {
            fitness: Some(0.1),
            ineligible_because: None,
            summary: BTreeMap::from([
                ("profit_factor".to_string(), Some(f64::INFINITY)),
                ("sharpe".to_string(), None),
            ]),
            symbols: vec![SymbolMetrics {
                dataset: "sp500-1d".into(),
                metrics: BTreeMap::from([("profit_factor".to_string(), defined(f64::INFINITY))]),
            }],
        };
        let text = serde_json::to_string(&part).unwrap();
        assert_eq!(
            text,
            r#"{"fitness":0.1,"ineligible_because":null,"summary":{"profit_factor":"inf","sharpe":null},"symbols":[{"dataset":"sp500-1d","metrics":{"profit_factor":"inf"}}]}"#
        );
        assert_eq!(serde_json::from_str::<PartMetrics>(&text).unwrap(), part);
        let check = GateCheckResult {
            check: "validation profit_factor >= 1.5".into(),
            value: Some(f64::INFINITY),
            passed: true,
        };
        let text = serde_json::to_string(&check).unwrap();
        assert!(text.contains(r#""value":"inf""#), "{text}");
        assert_eq!(
            serde_json::from_str::<GateCheckResult>(&text).unwrap(),
            check
        );
        assert_eq!(defined(f64::NAN), None);
    }
}
