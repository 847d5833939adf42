//! What every strategy export shares: the indicator columns a genome needs (the engine's
//! `IndicatorColumn`s, by name, dependencies first) and each entry rule as a condition in the target
//! language ([`Dialect`]: Python over bar `t`, Pine Script over the current bar), with the same
//! comparisons, in the same order, as the engine's compiled signals.

use gauntlet_blocks::{BlocksError, Formula, GeneratedCodes};
use gauntlet_genome::{AverageKind, Combine, EntryLogic, FormulaEntry, Genome, Rule};
use serde::Serialize;

use crate::error::ReportError;

/// An indicator column an export computes, with gauntlet-indicators' definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Indicator {
    Sma(u32),
    Ema(u32),
    Rsi(u32),
    Roc(u32),
    /// Rolling population standard deviation of the close.
    StdDev(u32),
    /// (period, width in hundredths of a deviation), as the engine's cache keys it.
    BollingerUpper(u32, u32),
    BollingerLower(u32, u32),
    ZScore(u32),
    Atr(u32),
    /// Sample standard deviation of simple returns (volatility-target sizing).
    Volatility(u32),
    MacdLine(u32, u32, u32),
    MacdSignal(u32, u32, u32),
    DonchianUpper(u32),
    DonchianLower(u32),
}

impl Indicator {
    /// The column's variable name in exported code (`sma_50`, `bollinger_upper_20_200`).
    pub(crate) fn name(self) -> String {
        match self {
            Self::Sma(period) => format!("sma_{period}"),
            Self::Ema(period) => format!("ema_{period}"),
            Self::Rsi(period) => format!("rsi_{period}"),
            Self::Roc(period) => format!("roc_{period}"),
            Self::StdDev(period) => format!("stddev_{period}"),
            Self::BollingerUpper(period, hundredths) => {
                format!("bollinger_upper_{period}_{hundredths}")
            }
            Self::BollingerLower(period, hundredths) => {
                format!("bollinger_lower_{period}_{hundredths}")
            }
            Self::ZScore(period) => format!("zscore_{period}"),
            Self::Atr(period) => format!("atr_{period}"),
            Self::Volatility(period) => format!("volatility_{period}"),
            Self::MacdLine(fast, slow, signal) => format!("macd_line_{fast}_{slow}_{signal}"),
            Self::MacdSignal(fast, slow, signal) => format!("macd_signal_{fast}_{slow}_{signal}"),
            Self::DonchianUpper(period) => format!("donchian_upper_{period}"),
            Self::DonchianLower(period) => format!("donchian_lower_{period}"),
        }
    }

    /// The columns this one is computed from (Pine computes each once, in order).
    fn dependencies(self) -> Vec<Indicator> {
        match self {
            Self::BollingerUpper(period, _)
            | Self::BollingerLower(period, _)
            | Self::ZScore(period) => {
                vec![Self::Sma(period), Self::StdDev(period)]
            }
            Self::MacdLine(fast, slow, _) => vec![Self::Ema(fast), Self::Ema(slow)],
            Self::MacdSignal(fast, slow, signal) => vec![Self::MacdLine(fast, slow, signal)],
            _ => Vec::new(),
        }
    }
}

/// The indicator columns an export computes, each once, dependencies before their users.
#[derive(Debug, Default)]
pub(crate) struct Columns(pub(crate) Vec<Indicator>);

impl Columns {
    /// Adds `indicator` (after what it depends on) and returns its name.
    pub(crate) fn add(&mut self, indicator: Indicator) -> String {
        for dependency in indicator.dependencies() {
            self.add(dependency);
        }
        if !self.0.contains(&indicator) {
            self.0.push(indicator);
        }
        indicator.name()
    }

    fn average(&mut self, kind: AverageKind, period: u32) -> String {
        self.add(match kind {
            AverageKind::Sma => Indicator::Sma(period),
            AverageKind::Ema => Indicator::Ema(period),
        })
    }
}

/// How a target language writes a rule's pieces.
pub(crate) struct Dialect {
    /// A column's value on this bar (`false`) or the bar before (`true`).
    pub(crate) value: fn(&str, bool) -> String,
    /// The close of this bar.
    pub(crate) close: &'static str,
    /// True from the second bar on (a rule reading the bar before is false on the first).
    pub(crate) after_first_bar: &'static str,
    /// A number literal that reads back as exactly the value.
    pub(crate) number: fn(f64) -> String,
    /// `a op b` for `op` one of `>`, `>=`, `<`, `<=`, compared exactly.
    pub(crate) compare: fn(&str, &str, &str) -> String,
    /// Formulas as expressions of the language with their shared helpers: gauntlet-blocks'
    /// generated code (the one place each block is written per language).
    pub(crate) formulas: fn(&[&Formula]) -> Result<GeneratedCodes, BlocksError>,
}

/// Bollinger widths are shared in hundredths of a deviation (as the engine's cache keys them).
pub(crate) fn hundredths(width: f64) -> u32 {
    (width * 100.0).round() as u32
}

/// The rule's (long, short) conditions in `dialect`, taking its columns from `columns`: the
/// comparisons of the engine's compiled rule (`gauntlet_backtest`'s signals), one for one.
pub(crate) fn rule_conditions(
    rule: &Rule,
    columns: &mut Columns,
    dialect: &Dialect,
) -> (String, String) {
    let now = |name: &str| (dialect.value)(name, false);
    let before = |name: &str| (dialect.value)(name, true);
    let number = dialect.number;
    let compare = dialect.compare;
    let (close, first) = (dialect.close, dialect.after_first_bar);
    let cross = |a: &str, b: &str| {
        (
            format!(
                "{first} and {} and {}",
                compare(&now(a), ">", &now(b)),
                compare(&before(a), "<=", &before(b))
            ),
            format!(
                "{first} and {} and {}",
                compare(&now(a), "<", &now(b)),
                compare(&before(a), ">=", &before(b))
            ),
        )
    };
    match *rule {
        Rule::MovingAverageCross {
            average,
            fast,
            slow,
        } => {
            let (a, b) = (
                columns.average(average, fast),
                columns.average(average, slow),
            );
            cross(&a, &b)
        }
        Rule::MacdCross { fast, slow, signal } => {
            let a = columns.add(Indicator::MacdLine(fast, slow, signal));
            let b = columns.add(Indicator::MacdSignal(fast, slow, signal));
            cross(&a, &b)
        }
        Rule::PriceVsAverage { average, period } => {
            let level = now(&columns.average(average, period));
            (compare(close, ">", &level), compare(close, "<", &level))
        }
        Rule::RsiThreshold {
            period,
            lower,
            upper,
            crossing,
        } => {
            let name = columns.add(Indicator::Rsi(period));
            let (value, previous) = (now(&name), before(&name));
            let (lower, upper) = (number(lower), number(upper));
            if crossing {
                (
                    format!(
                        "{first} and {} and {}",
                        compare(&value, "<", &lower),
                        compare(&previous, ">=", &lower)
                    ),
                    format!(
                        "{first} and {} and {}",
                        compare(&value, ">", &upper),
                        compare(&previous, "<=", &upper)
                    ),
                )
            } else {
                (compare(&value, "<", &lower), compare(&value, ">", &upper))
            }
        }
        Rule::BollingerTouch { period, width } => {
            let width = hundredths(width);
            let lower = now(&columns.add(Indicator::BollingerLower(period, width)));
            let upper = now(&columns.add(Indicator::BollingerUpper(period, width)));
            (compare(close, "<", &lower), compare(close, ">", &upper))
        }
        Rule::DonchianBreakout { period } => {
            let lower = before(&columns.add(Indicator::DonchianLower(period)));
            let upper = before(&columns.add(Indicator::DonchianUpper(period)));
            (
                format!("{first} and {}", compare(close, ">", &upper)),
                format!("{first} and {}", compare(close, "<", &lower)),
            )
        }
        Rule::RocMomentum {
            period,
            threshold_pct,
        } => {
            let value = now(&columns.add(Indicator::Roc(period)));
            let fraction = format!("({} / 100.0)", number(threshold_pct));
            (
                compare(&value, ">", &fraction),
                compare(&value, "<", &format!("-{fraction}")),
            )
        }
        Rule::ZScoreReversion { period, threshold } => {
            let value = now(&columns.add(Indicator::ZScore(period)));
            let threshold = number(threshold);
            (
                compare(&value, "<", &format!("-{threshold}")),
                compare(&value, ">", &threshold),
            )
        }
        Rule::VolatilityBand {
            period,
            min_pct,
            max_pct,
        } => {
            let atr = now(&columns.add(Indicator::Atr(period)));
            let inside = format!(
                "volatility_band({atr}, {close}, {}, {})",
                number(min_pct),
                number(max_pct)
            );
            (inside.clone(), inside)
        }
        Rule::TrendRegime { period } => {
            let name = columns.add(Indicator::Sma(period));
            let (value, previous) = (now(&name), before(&name));
            (
                format!(
                    "{first} and {} and {}",
                    compare(close, ">", &value),
                    compare(&value, ">", &previous)
                ),
                format!(
                    "{first} and {} and {}",
                    compare(close, "<", &value),
                    compare(&value, "<", &previous)
                ),
            )
        }
    }
}

/// Text for docstrings and comments of exported code: one line, without a triple quote that would
/// end a Python docstring or a backslash that Python or Pine would read as an escape.
pub(crate) fn docstring(text: &str) -> String {
    text.replace('\\', "/")
        .replace("\"\"\"", "\" \" \"")
        .replace(['\n', '\r'], " ")
}

/// One entry rule as conditions for each side, with its words (for a comment).
#[derive(Debug, Serialize)]
pub(crate) struct RuleCode {
    pub(crate) long_text: String,
    pub(crate) short_text: String,
    pub(crate) long: String,
    pub(crate) short: String,
}

/// The factor score's columns and parameters, as literals of the dialect.
#[derive(Debug, Serialize)]
pub(crate) struct ScoreCode {
    trend_fast: String,
    trend_slow: String,
    momentum: String,
    atr: String,
    trend_weight: String,
    momentum_scale_pct: String,
    momentum_weight: String,
    volatility_max_pct: String,
    volatility_weight: String,
    buy_above: String,
    sell_below: String,
}

/// A formula genome's conditions as expressions of the dialect (absent: never true), with the
/// formulas' text for comments and the helpers the expressions call (gauntlet-blocks' code).
#[derive(Debug, Serialize)]
pub(crate) struct FormulaCode {
    /// (field, formula text, expression) of each formula present: `long`, `short`, `exit_long`,
    /// `exit_short`, in that order.
    pub(crate) conditions: Vec<(&'static str, String, String)>,
    /// The definitions the expressions call, to paste once before them.
    pub(crate) helpers: String,
    /// Whether an exit formula is present.
    pub(crate) exits: bool,
}

/// A genome's entry logic as the templates read it: `logic` is `rules` (each rule's conditions,
/// `needed` of them must hold), `score` (the factor score), `formula` (the formulas' expressions)
/// or `always`.
#[derive(Debug, Serialize)]
pub(crate) struct EntryCode {
    logic: &'static str,
    rules: Vec<RuleCode>,
    needed: usize,
    score: Option<ScoreCode>,
    pub(crate) formula: Option<FormulaCode>,
}

/// The formulas of `entry` in `dialect` (the genome was checked at load; a formula that does not
/// parse is an export error naming its field).
fn formula_code(entry: &FormulaEntry, dialect: &Dialect) -> Result<FormulaCode, ReportError> {
    let mut parsed = Vec::new();
    for (field, text) in entry.formulas() {
        let formula = Formula::parse(text).map_err(|error| ReportError::Export {
            message: format!("entry.logic.{field}: {error}"),
        })?;
        parsed.push((field, formula));
    }
    let formulas: Vec<&Formula> = parsed.iter().map(|(_, formula)| formula).collect();
    let code = (dialect.formulas)(&formulas).map_err(|error| ReportError::Export {
        message: error.to_string(),
    })?;
    Ok(FormulaCode {
        exits: entry.exit_long.is_some() || entry.exit_short.is_some(),
        conditions: parsed
            .iter()
            .zip(code.expressions)
            .map(|((field, formula), expression)| {
                (*field, docstring(&formula.to_string()), expression)
            })
            .collect(),
        helpers: code.helpers,
    })
}

/// What [`entry_and_channel_code`] gives: the columns, the entry's code and the channel exit's
/// (lower, upper) columns.
pub(crate) type EntryAndChannel = (Columns, EntryCode, Option<(String, String)>);

/// A genome's entry logic and its channel exit's (lower, upper) Donchian columns in `dialect`,
/// with every column they read (the entry's first, in the order the code reads them): what both
/// exported languages start from.
pub(crate) fn entry_and_channel_code(
    genome: &Genome,
    dialect: &Dialect,
) -> Result<EntryAndChannel, ReportError> {
    let mut columns = Columns::default();
    let mut entry = entry_code(&genome.entry.logic, &mut columns, dialect);
    if let EntryLogic::Formula(formulas) = &genome.entry.logic {
        entry.formula = Some(formula_code(formulas, dialect)?);
    }
    let channel = genome.exit.channel_exit_bars.map(|period| {
        (
            columns.add(Indicator::DonchianLower(period)),
            columns.add(Indicator::DonchianUpper(period)),
        )
    });
    Ok((columns, entry, channel))
}

/// `logic` in `dialect`, taking its columns from `columns` (the engine's `EntrySignals::at`: a
/// lone rule decides alone, whatever the combination says).
pub(crate) fn entry_code(
    logic: &EntryLogic,
    columns: &mut Columns,
    dialect: &Dialect,
) -> EntryCode {
    match logic {
        EntryLogic::Always => EntryCode {
            logic: "always",
            rules: Vec::new(),
            needed: 0,
            score: None,
            formula: None,
        },
        // The formulas' code is added by `entry_and_channel_code` (it can fail).
        EntryLogic::Formula(_) => EntryCode {
            logic: "formula",
            rules: Vec::new(),
            needed: 0,
            score: None,
            formula: None,
        },
        EntryLogic::Rules { rules, combine } => EntryCode {
            logic: "rules",
            rules: rules
                .iter()
                .map(|rule| {
                    let (long, short) = rule_conditions(rule, columns, dialect);
                    RuleCode {
                        long_text: docstring(&rule.describe(true)),
                        short_text: docstring(&rule.describe(false)),
                        long,
                        short,
                    }
                })
                .collect(),
            needed: match combine {
                Combine::All => rules.len(),
                Combine::Any => 1,
                Combine::AtLeast { count } => *count as usize,
            },
            score: None,
            formula: None,
        },
        EntryLogic::MultiFactor(factor) => {
            let number = dialect.number;
            EntryCode {
                logic: "score",
                rules: Vec::new(),
                needed: 0,
                score: Some(ScoreCode {
                    trend_fast: columns.add(Indicator::Sma(factor.trend_fast)),
                    trend_slow: columns.add(Indicator::Sma(factor.trend_slow)),
                    momentum: columns.add(Indicator::Roc(factor.momentum_period)),
                    atr: columns.add(Indicator::Atr(factor.volatility_period)),
                    trend_weight: number(factor.trend_weight),
                    momentum_scale_pct: number(factor.momentum_scale_pct),
                    momentum_weight: number(factor.momentum_weight),
                    volatility_max_pct: number(factor.volatility_max_pct),
                    volatility_weight: number(factor.volatility_weight),
                    buy_above: number(factor.buy_above),
                    sell_below: number(factor.sell_below),
                }),
                formula: None,
            }
        }
    }
}
