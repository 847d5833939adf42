//! The champion file: what `gauntlet export` writes and `gauntlet paper` and `gauntlet backtest`
//! read. A versioned JSON document (`format = "gauntlet-champion"`, `version` =
//! [`CHAMPION_FILE_VERSION`]) holding the genome, its rules in English, its provenance (run,
//! generation, lineage, Gauntlet version, datasets with content hashes, cost model, fill
//! convention), its in-sample, validation and holdout metrics, and the validation results. Its JSON
//! Schema, generated from these types with `schemars`, is `schemas/champion.schema.json` in the
//! repository (a test keeps it current).

use std::collections::BTreeMap;
use std::path::Path;

use gauntlet_genome::{Genome, Lineage};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::TournamentError;

/// The `format` field of every champion file.
pub const CHAMPION_FILE_FORMAT: &str = "gauntlet-champion";
/// The layout version this Gauntlet writes and reads.
pub const CHAMPION_FILE_VERSION: u32 = 1;

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
    /// undefined.
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
    /// Every metric of the backtest (see `gauntlet_backtest::Metrics`); `null` where undefined.
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
    /// The value checked; `null` where undefined.
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

/// The JSON Schema of [`ChampionFile`], pretty-printed (what `schemas/champion.schema.json` holds).
pub fn champion_file_schema() -> String {
    let schema = schemars::schema_for!(ChampionFile);
    format!(
        "{}\n",
        serde_json::to_string_pretty(&schema).unwrap_or_default()
    )
}

fn numbers(value: &Value) -> BTreeMap<String, Option<f64>> {
    value
        .as_object()
        .map(|object| {
            object
                .iter()
                .map(|(name, value)| (name.clone(), value.as_f64()))
                .collect()
        })
        .unwrap_or_default()
}

fn text(value: &Value) -> String {
    value.as_str().map_or_else(String::new, str::to_string)
}

fn part(value: &Value) -> PartMetrics {
    PartMetrics {
        fitness: value["fitness"].as_f64(),
        ineligible_because: value["ineligible_because"].as_str().map(str::to_string),
        summary: numbers(&value["summary"]),
        symbols: value["symbols"]
            .as_array()
            .map(|symbols| {
                symbols
                    .iter()
                    .map(|symbol| SymbolMetrics {
                        dataset: text(&symbol["dataset"]),
                        metrics: numbers(&symbol["metrics"]),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn validation(robustness: &Value) -> Option<ValidationResults> {
    robustness.as_object()?;
    Some(ValidationResults {
        passed: robustness["passed"].as_bool().unwrap_or(false),
        trials: robustness["trials"].as_u64().unwrap_or(0),
        gate: robustness["gate"]
            .as_array()
            .map(|checks| {
                checks
                    .iter()
                    .map(|check| GateCheckResult {
                        check: text(&check["check"]),
                        value: check["value"].as_f64(),
                        passed: check["passed"].as_bool().unwrap_or(false),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        symbols: robustness["symbols"]
            .as_array()
            .map(|symbols| {
                symbols
                    .iter()
                    .map(|symbol| SharpeInference {
                        dataset: text(&symbol["dataset"]),
                        probabilistic_sharpe_ratio: symbol["probabilistic_sharpe_ratio"].as_f64(),
                        deflated_sharpe_ratio: symbol["deflated_sharpe_ratio"].as_f64(),
                        minimum_track_record_bars: symbol["minimum_track_record_bars"].as_f64(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        monte_carlo: robustness["monte_carlo"].as_object().map(|_| {
            let monte = &robustness["monte_carlo"];
            MonteCarloResult {
                paths: monte["paths"].as_u64().unwrap_or(0),
                total_return_percentiles: monte["total_return_percentiles"]
                    .as_array()
                    .map(|values| values.iter().map(Value::as_f64).collect())
                    .unwrap_or_default(),
                median_max_drawdown: monte["median_max_drawdown"].as_f64(),
                probability_of_profit: monte["probability_of_profit"].as_f64(),
            }
        }),
    })
}

/// Builds the champion file of `category` from the run in `folder`: its
/// `champions/<category>.json`, `run.json` and `config.toml`.
///
/// # Errors
/// [`TournamentError::RunFolder`] naming the file that is missing or unreadable, or a genome that
/// does not read back.
pub fn champion_file(
    folder: &Path,
    champion: &Value,
    category: &str,
) -> Result<ChampionFile, TournamentError> {
    let read = |name: &str| {
        let path = folder.join(name);
        std::fs::read_to_string(&path).map_err(|error| TournamentError::RunFolder {
            path: path.clone(),
            message: error.to_string(),
        })
    };
    let manifest: Value =
        serde_json::from_str(&read("run.json")?).map_err(|error| TournamentError::RunFolder {
            path: folder.join("run.json"),
            message: error.to_string(),
        })?;
    let config: toml::Table = read("config.toml")?
        .parse()
        .map_err(|error: toml::de::Error| TournamentError::RunFolder {
            path: folder.join("config.toml"),
            message: error.to_string(),
        })?;
    let genome: Genome = serde_json::from_value(champion["genome"].clone()).map_err(|error| {
        TournamentError::RunFolder {
            path: folder.join("champions"),
            message: format!("the {category} champion's genome is unreadable: {error}"),
        }
    })?;
    let costs = config.get("costs");
    let cost = |name: &str, default: f64| {
        costs
            .and_then(|costs| costs.get(name))
            .and_then(toml::Value::as_float)
            .unwrap_or(default)
    };
    let run = text(&manifest["name"]);
    Ok(ChampionFile {
        format: CHAMPION_FILE_FORMAT.into(),
        version: CHAMPION_FILE_VERSION,
        name: genome
            .name
            .clone()
            .unwrap_or_else(|| format!("{run}-{category}")),
        rules: text(&champion["rules"]),
        provenance: Provenance {
            run,
            category: category.to_string(),
            run_category: text(&manifest["category"]),
            champion_id: text(&champion["id"]),
            fingerprint: text(&champion["fingerprint"]),
            chosen: text(&champion["chosen"]),
            lineage: genome.lineage.clone(),
            seed: manifest["seed"].as_u64().unwrap_or(0),
            gauntlet_version: text(&manifest["gauntlet_version"]),
            datasets: manifest["datasets"]
                .as_array()
                .map(|datasets| {
                    datasets
                        .iter()
                        .map(|dataset| DatasetProvenance {
                            name: text(&dataset["name"]),
                            symbol: text(&dataset["symbol"]),
                            file: text(&dataset["file"]),
                            bars: dataset["bars"].as_u64().unwrap_or(0),
                            content_xxh64: text(&dataset["content_xxh64"]),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            split: config
                .get("split")
                .map(|split| split.to_string().trim().replace('\n', "; "))
                .unwrap_or_default(),
            costs: CostProvenance {
                commission_bps: cost("commission_bps", 5.0),
                spread_bps: cost("spread_bps", 2.0),
                slippage_bps: cost("slippage_bps", 1.0),
                initial_capital: cost("initial_capital", 100_000.0),
            },
            fill: costs
                .and_then(|costs| costs.get("fill"))
                .and_then(toml::Value::as_str)
                .unwrap_or("next_open")
                .to_string(),
        },
        metrics: PartsMetrics {
            in_sample: part(&champion["in_sample"]),
            validation: part(&champion["validation"]),
            holdout: part(&champion["holdout"]),
        },
        validation: validation(&champion["robustness"]),
        genome,
    })
}

/// Reads a genome from a genome file or a champion file (told apart by the champion file's
/// `format` field).
///
/// # Errors
/// [`TournamentError::RunFolder`] naming the file when it is neither, or a champion file of another
/// version; the genome's own errors when it is invalid.
pub fn read_genome_file(path: &Path) -> Result<Genome, TournamentError> {
    let fail = |message: String| TournamentError::RunFolder {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|error| fail(error.to_string()))?;
    let value: Value = serde_json::from_str(&text).map_err(|error| fail(error.to_string()))?;
    if value["format"] == CHAMPION_FILE_FORMAT {
        let file: ChampionFile = serde_json::from_value(value)
            .map_err(|error| fail(format!("not a valid champion file: {error}")))?;
        if file.version != CHAMPION_FILE_VERSION {
            return Err(fail(format!(
                "champion file version {} (this Gauntlet reads {CHAMPION_FILE_VERSION})",
                file.version
            )));
        }
        file.genome.validate()?;
        return Ok(file.genome);
    }
    let genome = Genome::from_json(&text).map_err(|error| fail(error.to_string()))?;
    Ok(genome)
}
