//! Strategy source code for the tools traders already use: a genome (or an exported champion) as one
//! self-contained Python module with a backtesting.py `Strategy` (`templates/backtesting_strategy.py`).
//!
//! The module computes its indicators with the same definitions and the same floating-point
//! operations, in the same order, as gauntlet-indicators (so every comparison at a threshold or a
//! crossing comes out the same), and replays Gauntlet's bar order (fills at the open, intrabar stops,
//! risk limits on the close, decisions on the close) with its own ledger beside backtesting.py's
//! broker, checking on every bar that the two agree. The generated part is the genome: its
//! indicator columns and each entry rule as a readable Python condition; the engine part is fixed
//! text in the template.

use std::path::{Path, PathBuf};

use gauntlet_genome::{Direction, Genome, SizingMethod};
use gauntlet_run::champion_file::{ChampionFile, ExportSource};
use minijinja::Environment;
use serde::Serialize;

use crate::error::ReportError;
use crate::strategy_rules::{Dialect, EntryCode, Indicator, docstring, entry_and_channel_code};

/// The template's name (also its file under `templates/`).
const TEMPLATE: &str = "backtesting_strategy.py";

/// The formulas' numpy code and `formula_conditions` (a template every Python export includes):
/// gauntlet-blocks' generated helpers and one expression per formula of the genome.
pub(crate) const FORMULA_CONDITIONS: &str = "formula_conditions.py";

/// backtesting.py's version the module is written for and verified against in CI
/// (`scripts/export-requirements.txt` pins it).
pub const BACKTESTING_PY_VERSION: &str = "0.6.6";

/// What a strategy module is made from.
#[derive(Debug, Clone)]
pub struct StrategySource<'a> {
    /// A short name for the header and the usage line (`<run>-<category>`, or the genome file's stem).
    pub name: &'a str,
    /// The genome to export (validated by whoever read it).
    pub genome: &'a Genome,
    /// The champion file it comes from, when it is a run's champion: provenance, costs and the
    /// validation gate for the header.
    pub champion: Option<&'a ChampionFile>,
    /// The file name the module will have, for its usage line.
    pub file_name: &'a str,
    /// The default bars per year (to annualise volatility-target sizing) of the data it is meant
    /// for; the module's `--bars-per-year` flag overrides it.
    pub bars_per_year: f64,
    /// The Gauntlet version writing it.
    pub gauntlet_version: &'a str,
}

/// Trading conditions a module defaults to without a champion's: those of `gauntlet backtest`
/// (commission 10 bps per side, no spread, slippage 5 bps, capital 100,000).
const DEFAULT_COSTS: (f64, f64, f64, f64) = (10.0, 0.0, 5.0, 100_000.0);

/// A Python float literal that reads back as exactly `value` (Rust's shortest round-trip form;
/// Python's `float()` rounds correctly). Genomes and costs are finite.
pub(crate) fn float(value: f64) -> String {
    format!("{value:?}")
}

/// A Python literal for an optional number (`None` when absent).
pub(crate) fn optional(value: Option<f64>) -> String {
    value.map_or_else(|| "None".to_string(), float)
}

/// The Python expression computing `indicator` over the price lists (`close`, `high`, `low`), with
/// the module's functions.
fn python_expression(indicator: Indicator) -> String {
    match indicator {
        Indicator::Sma(period) => format!("sma(close, {period})"),
        Indicator::Ema(period) => format!("ema(close, {period})"),
        Indicator::Rsi(period) => format!("rsi(close, {period})"),
        Indicator::Roc(period) => format!("roc(close, {period})"),
        Indicator::StdDev(period) => format!("stddev(close, {period})"),
        // Bands, z-scores and MACD from the columns computed before them.
        Indicator::BollingerUpper(period, hundredths) => {
            format!(
                "bollinger_upper(self.sma_{period}, self.stddev_{period}, {hundredths} / 100.0)"
            )
        }
        Indicator::BollingerLower(period, hundredths) => {
            format!(
                "bollinger_lower(self.sma_{period}, self.stddev_{period}, {hundredths} / 100.0)"
            )
        }
        Indicator::ZScore(period) => {
            format!("zscore(close, self.sma_{period}, self.stddev_{period})")
        }
        Indicator::Atr(period) => format!("atr(high, low, close, {period})"),
        Indicator::Volatility(period) => format!("volatility(close, {period})"),
        Indicator::MacdLine(fast, slow, _) => {
            format!("macd_line(self.ema_{fast}, self.ema_{slow})")
        }
        Indicator::MacdSignal(fast, slow, signal) => {
            format!("ema(self.macd_line_{fast}_{slow}_{signal}, {signal})")
        }
        Indicator::DonchianUpper(period) => format!("donchian_upper(high, {period})"),
        Indicator::DonchianLower(period) => format!("donchian_lower(low, {period})"),
    }
}

/// Python over bar `t`: columns are the strategy's lists.
pub(crate) const PYTHON: Dialect = Dialect {
    value: |name, before| {
        if before {
            format!("self.{name}[t - 1]")
        } else {
            format!("self.{name}[t]")
        }
    },
    close: "close[t]",
    after_first_bar: "t > 0",
    number: float,
    compare: |a, op, b| format!("{a} {op} {b}"),
    formulas: gauntlet_blocks::python_expressions,
};

/// Everything the template reads.
#[derive(Serialize)]
struct Context {
    name: String,
    file_name: String,
    gauntlet_version: String,
    backtesting_version: &'static str,
    rules_text: String,
    genome_json: String,
    /// `passed`, `failed` or `unknown`.
    gate: &'static str,
    failed_checks: Vec<String>,
    provenance: Vec<(String, String)>,
    commission_bps: String,
    spread_bps: String,
    slippage_bps: String,
    initial_capital: String,
    bars_per_year: String,
    direction: &'static str,
    /// `rules`, `score` or `always`.
    columns: Vec<(String, String)>,
    #[serde(flatten)]
    entry: EntryCode,
    stop_loss_pct: String,
    take_profit_pct: String,
    trail_activation_pct: String,
    trail_pct: String,
    max_holding_bars: String,
    channel: Option<(String, String)>,
    exit_on_opposite_signal: bool,
    sizing: &'static str,
    sizing_pct: String,
    volatility_column: Option<String>,
    max_position_pct: String,
    leverage_cap: String,
    daily_loss_limit_pct: String,
    max_drawdown_halt_pct: String,
    consecutive_loss_limit: String,
}

/// What every export's header says: name, rules, the gate, provenance, costs.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub(crate) name: String,
    pub(crate) rules_text: String,
    /// `passed`, `failed` or `unknown`.
    pub(crate) gate: &'static str,
    pub(crate) failed_checks: Vec<String>,
    pub(crate) provenance: Vec<(String, String)>,
    /// (commission, spread, slippage) in basis points, and the initial capital: the run's, or
    /// `gauntlet backtest`'s defaults.
    pub(crate) costs: (f64, f64, f64, f64),
}

/// The header of an export of `source`.
///
/// # Errors
/// [`ReportError::Export`] when the champion's run filled orders at the signal bar's close (the
/// exports reproduce next-open fills only).
pub(crate) fn header(source: &StrategySource<'_>) -> Result<Header, ReportError> {
    if let Some(champion) = source.champion
        && champion.provenance.fill != "next_open"
    {
        return Err(ReportError::Export {
            message: format!(
                "the run filled orders at '{}'; exports reproduce next-open fills only (run the \
                 experiment with fill = \"next_open\")",
                champion.provenance.fill
            ),
        });
    }
    let costs = source.champion.map_or(DEFAULT_COSTS, |file| {
        let costs = &file.provenance.costs;
        (
            costs.commission_bps,
            costs.spread_bps,
            costs.slippage_bps,
            costs.initial_capital,
        )
    });
    let (gate, failed_checks) = match source.champion.and_then(|file| file.validation.as_ref()) {
        Some(validation) if validation.passed => ("passed", Vec::new()),
        Some(validation) => (
            "failed",
            validation
                .gate
                .iter()
                .filter(|check| !check.passed)
                .map(|check| {
                    docstring(&format!(
                        "{} (value {})",
                        check.check,
                        check
                            .value
                            .map_or("null".to_string(), |value| value.to_string())
                    ))
                })
                .collect(),
        ),
        None => ("unknown", Vec::new()),
    };
    Ok(Header {
        name: docstring(source.name),
        rules_text: docstring(&source.genome.describe()),
        gate,
        failed_checks,
        provenance: source.champion.map(provenance_lines).unwrap_or_default(),
        costs,
    })
}

/// The Python module for `source`: a backtesting.py `Strategy` trading the genome as Gauntlet's
/// engine does (fills at the next open), with a header of provenance and the validation gate's
/// result, and a command line (`python FILE.py DATA.csv`).
///
/// # Errors
/// [`ReportError::Export`] when the champion's run filled orders at the signal bar's close (the
/// module reproduces next-open fills only); [`ReportError::Template`] for a bug in the template.
pub fn python_strategy(source: &StrategySource<'_>) -> Result<String, ReportError> {
    let genome = source.genome;
    let header = header(source)?;
    let (mut columns, entry, channel) = entry_and_channel_code(genome, &PYTHON)?;
    let exit = &genome.exit;
    let sizing = &genome.sizing;
    let (method, sizing_pct, volatility_column) = match sizing.method {
        SizingMethod::AllIn => ("all_in", "None".to_string(), None),
        SizingMethod::FixedFraction { fraction_pct } => {
            ("fixed_fraction", float(fraction_pct), None)
        }
        SizingMethod::RiskPerTrade { risk_pct } => ("risk_per_trade", float(risk_pct), None),
        SizingMethod::VolatilityTarget {
            annual_volatility_pct,
            lookback,
        } => (
            "volatility_target",
            float(annual_volatility_pct),
            Some(columns.add(Indicator::Volatility(lookback))),
        ),
    };
    let (commission, spread, slippage, capital) = header.costs;
    let context = Context {
        name: header.name,
        file_name: docstring(source.file_name),
        gauntlet_version: source.gauntlet_version.to_string(),
        backtesting_version: BACKTESTING_PY_VERSION,
        rules_text: header.rules_text,
        genome_json: genome.to_json(),
        gate: header.gate,
        failed_checks: header.failed_checks,
        provenance: header.provenance,
        commission_bps: float(commission),
        spread_bps: float(spread),
        slippage_bps: float(slippage),
        initial_capital: float(capital),
        bars_per_year: float(source.bars_per_year),
        direction: match genome.entry.direction {
            Direction::Long => "long",
            Direction::Short => "short",
            Direction::Both => "both",
        },
        columns: columns
            .0
            .into_iter()
            .map(|indicator| (indicator.name(), python_expression(indicator)))
            .collect(),
        entry,
        stop_loss_pct: optional(exit.stop_loss_pct),
        take_profit_pct: optional(exit.take_profit_pct),
        trail_activation_pct: optional(exit.trailing_stop.map(|trail| trail.activation_pct)),
        trail_pct: optional(exit.trailing_stop.map(|trail| trail.trail_pct)),
        max_holding_bars: exit
            .max_holding_bars
            .map_or_else(|| "None".to_string(), |bars| bars.to_string()),
        channel,
        exit_on_opposite_signal: exit.exit_on_opposite_signal,
        sizing: method,
        sizing_pct,
        volatility_column,
        max_position_pct: float(sizing.max_position_pct),
        leverage_cap: float(sizing.leverage_cap),
        daily_loss_limit_pct: optional(genome.risk.daily_loss_limit_pct),
        max_drawdown_halt_pct: optional(genome.risk.max_drawdown_halt_pct),
        consecutive_loss_limit: genome
            .risk
            .consecutive_loss_limit
            .map_or_else(|| "None".to_string(), |limit| limit.to_string()),
    };
    let mut environment = Environment::new();
    environment.set_keep_trailing_newline(true);
    for (name, text) in [
        (
            FORMULA_CONDITIONS,
            include_str!("../templates/formula_conditions.py"),
        ),
        (
            TEMPLATE,
            include_str!("../templates/backtesting_strategy.py"),
        ),
    ] {
        environment
            .add_template(name, text)
            .map_err(|error| crate::template_error(name, &error))?;
    }
    environment
        .get_template(TEMPLATE)
        .and_then(|template| template.render(&context))
        .map_err(|error| crate::template_error(TEMPLATE, &error))
}

/// The languages a strategy exports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrategyLanguage {
    /// A backtesting.py module ([`python_strategy`]).
    Python,
    /// A Pine Script v6 strategy for TradingView ([`crate::pine_strategy`]).
    Pine,
    /// A NautilusTrader strategy module ([`crate::nautilus_strategy`]).
    Nautilus,
    /// A freqtrade strategy module ([`crate::freqtrade_strategy`]).
    Freqtrade,
}

impl StrategyLanguage {
    /// The file extension: `py` or `pine`.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pine => "pine",
            Self::Python | Self::Nautilus | Self::Freqtrade => "py",
        }
    }

    /// The language `gauntlet export --format` names: `python`, `pine`, `nautilus` or
    /// `freqtrade` (None for another name).
    pub fn from_format(format: &str) -> Option<Self> {
        Some(match format {
            "python" => Self::Python,
            "pine" => Self::Pine,
            "nautilus" => Self::Nautilus,
            "freqtrade" => Self::Freqtrade,
            _ => return None,
        })
    }

    /// The default file under `genomes/` for an export named `name`: `<name>.py`, `<name>.pine`,
    /// `<name>_nautilus.py` or `<name>_freqtrade.py`.
    pub fn default_file_name(self, name: &str) -> String {
        match self {
            Self::Nautilus => format!("{name}_nautilus.py"),
            Self::Freqtrade => format!("{name}_freqtrade.py"),
            Self::Python | Self::Pine => format!("{name}.{}", self.extension()),
        }
    }

    /// The platform the export's notes speak of (`note: in <platform>, ...`).
    pub fn platform(self) -> &'static str {
        match self {
            Self::Python => "backtesting.py",
            Self::Pine => "TradingView",
            Self::Nautilus => "NautilusTrader",
            Self::Freqtrade => "freqtrade",
        }
    }
}

/// Writes `source` as `language` to `to` (default `genomes/` and
/// [`StrategyLanguage::default_file_name`]; a folder gets that file name in it; `-` is standard
/// output), through links and atomically. Returns the path written and, for Pine, NautilusTrader
/// and freqtrade, what the platform trades differently from Gauntlet (see [`crate::pine_strategy`],
/// [`crate::nautilus_strategy`] and [`crate::freqtrade_strategy`]).
///
/// # Errors
/// [`ReportError::Export`] when the file exists and not `force`, or as [`python_strategy`] and
/// [`crate::pine_strategy`]; [`ReportError::Data`] when it cannot be written.
pub fn write_strategy(
    language: StrategyLanguage,
    source: &ExportSource,
    to: Option<&Path>,
    bars_per_year: f64,
    force: bool,
) -> Result<(PathBuf, Vec<String>), ReportError> {
    // A folder (existing, or written with a trailing `/`) gets the strategy's own file name.
    let file_name = language.default_file_name(&source.name);
    let to = match to {
        None => PathBuf::from("genomes").join(file_name),
        Some(folder) if folder.is_dir() || folder.as_os_str().to_string_lossy().ends_with('/') => {
            folder.join(file_name)
        }
        Some(path) => path.to_path_buf(),
    };
    let standard_output = to == Path::new("-");
    if !standard_output && to.exists() && !force {
        return Err(ReportError::Export {
            message: format!(
                "{} already exists; choose another --to, or replace it with --force",
                to.display()
            ),
        });
    }
    let file_name = match to.file_name() {
        Some(name) if !standard_output => name.to_string_lossy().into_owned(),
        _ => format!("strategy.{}", language.extension()),
    };
    let (code, approximations) = strategy_code(language, source, &file_name, bars_per_year)?;
    gauntlet_data::write_bytes_atomically(&to, code.as_bytes())?;
    Ok((to, approximations))
}

/// `source` as `language`'s code for a file named `file_name` (its usage line; `gauntlet export
/// --to -` names it `strategy.py` or `strategy.pine`): what [`write_strategy`] writes, and, for
/// Pine, NautilusTrader and freqtrade, what the platform trades differently from Gauntlet.
///
/// # Errors
/// As [`python_strategy`], [`crate::pine_strategy`], [`crate::nautilus_strategy`] and
/// [`crate::freqtrade_strategy`].
pub fn strategy_code(
    language: StrategyLanguage,
    source: &ExportSource,
    file_name: &str,
    bars_per_year: f64,
) -> Result<(String, Vec<String>), ReportError> {
    let strategy = StrategySource {
        name: &source.name,
        genome: &source.genome,
        champion: source.champion.as_ref(),
        file_name,
        bars_per_year,
        gauntlet_version: env!("CARGO_PKG_VERSION"),
    };
    match language {
        StrategyLanguage::Python => Ok((python_strategy(&strategy)?, Vec::new())),
        StrategyLanguage::Pine => crate::pine_strategy(&strategy),
        StrategyLanguage::Nautilus => crate::nautilus_strategy(&strategy),
        StrategyLanguage::Freqtrade => crate::freqtrade_strategy(&strategy),
    }
}

/// The champion's provenance as (field, value) lines for the header.
fn provenance_lines(file: &ChampionFile) -> Vec<(String, String)> {
    let provenance = &file.provenance;
    let mut lines = vec![
        ("run".to_string(), provenance.run.clone()),
        ("category".to_string(), provenance.category.clone()),
        ("champion id".to_string(), provenance.champion_id.clone()),
        (
            "fingerprint (XXH64 of the genes)".to_string(),
            provenance.fingerprint.clone(),
        ),
        ("chosen".to_string(), provenance.chosen.clone()),
        ("seed".to_string(), provenance.seed.to_string()),
        (
            "bred by Gauntlet".to_string(),
            provenance.gauntlet_version.clone(),
        ),
        ("split".to_string(), provenance.split.replace('\n', " ")),
        ("fills".to_string(), provenance.fill.clone()),
    ];
    for dataset in &provenance.datasets {
        lines.push((
            format!("dataset {}", dataset.name),
            format!(
                "{} ({} bars of {}, XXH64 {})",
                dataset.symbol, dataset.bars, dataset.file, dataset.content_xxh64
            ),
        ));
    }
    lines
        .into_iter()
        .map(|(key, value)| (docstring(&key), docstring(&value)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(name: &str) -> Genome {
        let path = format!("{}/../../genomes/{name}.json", env!("CARGO_MANIFEST_DIR"));
        gauntlet_genome::read_genome_file(Path::new(&path)).unwrap()
    }

    fn source(genome: &Genome) -> StrategySource<'_> {
        StrategySource {
            name: "test",
            genome,
            champion: None,
            file_name: "test.py",
            bars_per_year: 252.0,
            gauntlet_version: "0.0.0",
        }
    }

    #[test]
    fn a_rule_becomes_a_readable_condition_on_the_same_columns_as_the_engine() {
        let genome = seed("rsi-2-mean-reversion");
        let code = python_strategy(&source(&genome)).unwrap();
        // RSI(2) below 10 and close above SMA(200), both rules needed: the genome file's genes.
        assert!(code.contains("self.rsi_2 = rsi(close, 2)"), "{code}");
        assert!(code.contains("self.sma_200 = sma(close, 200)"));
        assert!(code.contains("long_1 = self.rsi_2[t] < 10.0"));
        assert!(code.contains("long_2 = close[t] > self.sma_200[t]"));
        assert!(code.contains("needed = 2"));
        assert!(code.contains("Validation gate: NOT CHECKED"));
    }

    #[test]
    fn a_champion_of_a_run_that_filled_at_the_close_is_not_exported() {
        let path = format!(
            "{}/../../genomes/champions/quickstart-monthly_performance.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let mut file: ChampionFile =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let genome = file.genome.clone();
        let code = python_strategy(&StrategySource {
            champion: Some(&file),
            ..source(&genome)
        })
        .unwrap();
        assert!(code.contains("THIS CHAMPION FAILED GAUNTLET'S VALIDATION GATE"));
        assert!(
            code.contains("COMMISSION_BPS = 5.0"),
            "the run's costs are the defaults"
        );
        file.provenance.fill = "close".into();
        let refused = python_strategy(&StrategySource {
            champion: Some(&file),
            ..source(&genome)
        });
        assert!(
            matches!(&refused, Err(ReportError::Export { message }) if message.contains("next-open")),
            "{refused:?}"
        );
    }

    #[test]
    fn header_text_cannot_end_the_docstring() {
        assert_eq!(docstring("a\"\"\"b\\c\nd"), "a\" \" \"b/c d");
    }

    #[test]
    fn a_float_literal_reads_back_to_the_same_bits() {
        for value in [0.1, 1e-7, 12.49, 1.0 / 3.0, 1e21] {
            assert_eq!(
                float(value).parse::<f64>().unwrap().to_bits(),
                value.to_bits()
            );
        }
    }
}
