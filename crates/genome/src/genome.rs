//! The genome's types: three chromosomes (entry, exit, sizing) plus risk limits and lineage.
//!
//! Units follow DESIGN.md: in files a rate carries its unit in its name (`stop_loss_pct = 2.0` is 2%);
//! periods are in bars.

use schemars::JsonSchema;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The genome JSON layout version this crate reads and writes.
pub const GENOME_SCHEMA: u32 = 1;

/// Which side a strategy trades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Long positions only.
    Long,
    /// Short positions only.
    Short,
    /// Long on long signals, short on short signals.
    Both,
}

/// The kind of moving average a rule uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AverageKind {
    /// Simple moving average.
    Sma,
    /// Exponential moving average.
    Ema,
}

/// One entry rule from the library of standard signals. Each rule has a long condition and its
/// mirror, the short condition, evaluated on bar t's close from data up to bar t only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// Long when the fast average crosses above the slow one (fast > slow now, fast <= slow on the
    /// bar before); short on the cross below.
    MovingAverageCross {
        /// SMA or EMA.
        average: AverageKind,
        /// Fast period, bars.
        fast: u32,
        /// Slow period, bars (> fast).
        slow: u32,
    },
    /// Long while the close is above the average; short while below.
    PriceVsAverage {
        /// SMA or EMA.
        average: AverageKind,
        /// Period, bars.
        period: u32,
    },
    /// Long when RSI is below `lower` (or, with `crossing`, crosses below it); short when above
    /// `upper` (or crosses above it). RSI is 0-100.
    RsiThreshold {
        /// RSI period, bars.
        period: u32,
        /// Oversold level, 0-100.
        lower: f64,
        /// Overbought level, 0-100 (> lower).
        upper: f64,
        /// Fire on the cross only, not while beyond the level.
        crossing: bool,
    },
    /// Long when the close is below the lower Bollinger band; short when above the upper.
    BollingerTouch {
        /// Period, bars.
        period: u32,
        /// Band width in standard deviations.
        width: f64,
    },
    /// Long when the close breaks above the highest high of the previous `period` bars; short when it
    /// breaks below their lowest low.
    DonchianBreakout {
        /// Channel period, bars.
        period: u32,
    },
    /// Long when the `period`-bar rate of change exceeds `threshold_pct`; short when below minus it.
    RocMomentum {
        /// Period, bars.
        period: u32,
        /// Threshold, percent.
        threshold_pct: f64,
    },
    /// Long when the MACD line crosses above its signal line; short on the cross below.
    MacdCross {
        /// Fast EMA period.
        fast: u32,
        /// Slow EMA period (> fast).
        slow: u32,
        /// Signal EMA period.
        signal: u32,
    },
    /// Long when the close's z-score is below `-threshold`; short when above `threshold`.
    ZScoreReversion {
        /// Period, bars.
        period: u32,
        /// Threshold in standard deviations.
        threshold: f64,
    },
    /// A filter for both sides: ATR as a percentage of the close lies within [min_pct, max_pct].
    VolatilityBand {
        /// ATR period, bars.
        period: u32,
        /// Lowest ATR%, percent of the close.
        min_pct: f64,
        /// Highest ATR%, percent of the close.
        max_pct: f64,
    },
    /// Long while the close is above a rising SMA; short while below a falling one.
    TrendRegime {
        /// SMA period, bars.
        period: u32,
    },
}

/// How a rule list combines into one signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "mode", rename_all = "snake_case", deny_unknown_fields)]
pub enum Combine {
    /// Every rule holds.
    All,
    /// At least one rule holds.
    Any,
    /// At least `count` rules hold.
    AtLeast {
        /// How many.
        count: u32,
    },
}

/// A weighted multi-factor score (the product's origin): trend +/- `trend_weight` by the sign of
/// `SMA(trend_fast) - SMA(trend_slow)`; momentum `momentum_weight * clamp(ROC / momentum_scale, -1, 1)`;
/// volatility `volatility_weight * (1 - min(ATR% / volatility_max_pct, 1))` (0 in wild markets, the full
/// weight in calm ones). Long when the score is above `buy_above`, short when below `sell_below`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FactorScore {
    /// Trend fast SMA period.
    pub trend_fast: u32,
    /// Trend slow SMA period (> fast).
    pub trend_slow: u32,
    /// Points for the trend factor (30 in the origin).
    pub trend_weight: f64,
    /// Momentum ROC period.
    pub momentum_period: u32,
    /// The ROC, percent, at which the momentum factor saturates.
    pub momentum_scale_pct: f64,
    /// Points for the momentum factor (20 in the origin).
    pub momentum_weight: f64,
    /// Volatility ATR period.
    pub volatility_period: u32,
    /// The ATR%, percent of the close, at which the volatility factor reaches 0.
    pub volatility_max_pct: f64,
    /// Points for the volatility factor (10 in the origin).
    pub volatility_weight: f64,
    /// Long when the score is above this (50 in the origin).
    pub buy_above: f64,
    /// Short (or exit a long on an opposite signal) when the score is below this (-50 in the origin).
    pub sell_below: f64,
}

impl FactorScore {
    /// The lowest and highest values the score can take: `-(trend + momentum weights)` (a falling
    /// trend, momentum at its negative cap, wild volatility) to `trend + momentum + volatility
    /// weights`. A `buy_above` at or above the highest never buys; a `sell_below` at or below the
    /// lowest never sells (the comparisons are strict).
    pub fn reachable_range(&self) -> (f64, f64) {
        let swing = self.trend_weight.abs() + self.momentum_weight.abs();
        (-swing, swing + self.volatility_weight.abs())
    }
}

/// What decides an entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EntryLogic {
    /// Up to [`crate::MAX_RULES`] rules, combined.
    Rules {
        /// The rules.
        rules: Vec<Rule>,
        /// How they combine.
        combine: Combine,
    },
    /// A weighted factor score with thresholds.
    MultiFactor(FactorScore),
    /// Enter on the first bar and hold (buy-and-hold, the benchmark).
    Always,
    /// Conditions written as formulas in gauntlet-blocks' language (`rsi(close, 2) < 10 and close >
    /// sma(close, 200)`), each evaluated at bar t's close from data up to bar t only.
    Formula(FormulaEntry),
}

/// Entry (and optional exit) conditions as formulas of gauntlet-blocks' language
/// ([`gauntlet_blocks::Formula`]). A formula is a condition (true or false at each bar's close);
/// while any of its parts is still warming up it is false. A condition true at bar t's close
/// acts at bar t + 1, as every signal does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FormulaEntry {
    /// When to open a long position; required when the direction is `long` or `both`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long: Option<String>,
    /// When to open a short position; required when the direction is `short` or `both`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short: Option<String>,
    /// When to close an open long position (at the next bar's open), besides the exit chromosome's
    /// stops, target and time limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_long: Option<String>,
    /// When to close an open short position (at the next bar's open).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_short: Option<String>,
    /// The template these formulas fill and the placeholders' values, for a genome an experiment's
    /// `[template]` made (validation checks that the formulas are the template filled with the
    /// values); absent for a hand-written formula genome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<TemplateFill>,
}

impl FormulaEntry {
    /// The formulas present, each with its field name (`long`, `short`, `exit_long`,
    /// `exit_short`), in that order.
    pub fn formulas(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("long", &self.long),
            ("short", &self.short),
            ("exit_long", &self.exit_long),
            ("exit_short", &self.exit_short),
        ]
        .into_iter()
        .filter_map(|(name, text)| text.as_deref().map(|text| (name, text)))
    }
}

/// The entry chromosome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryChromosome {
    /// Which side to trade.
    pub direction: Direction,
    /// What decides an entry.
    pub logic: EntryLogic,
}

/// A trailing stop: once the trade has gained `activation_pct`, exit if the price falls `trail_pct`
/// from the best price since entry (rises, for a short).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrailingStop {
    /// Gain that arms the trail, percent of the entry price (0 arms it at once).
    pub activation_pct: f64,
    /// Distance from the best price, percent.
    pub trail_pct: f64,
}

/// The exit chromosome; every exit may be off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExitChromosome {
    /// Stop-loss distance from the entry price, percent.
    #[serde(default)]
    pub stop_loss_pct: Option<f64>,
    /// Take-profit distance from the entry price, percent.
    #[serde(default)]
    pub take_profit_pct: Option<f64>,
    /// Trailing stop.
    #[serde(default)]
    pub trailing_stop: Option<TrailingStop>,
    /// Exit after holding this many bars.
    #[serde(default)]
    pub max_holding_bars: Option<u32>,
    /// Exit a long when the close breaks below the lowest low of the previous N bars (above the
    /// highest high, for a short): the Turtle / Donchian exit channel.
    #[serde(default)]
    pub channel_exit_bars: Option<u32>,
    /// Exit when the entry logic signals the other side.
    #[serde(default)]
    pub exit_on_opposite_signal: bool,
}

/// How a position's size is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum SizingMethod {
    /// A fixed share of equity per position.
    FixedFraction {
        /// Percent of equity.
        fraction_pct: f64,
    },
    /// Risk a share of equity per trade: quantity = equity x risk / stop distance (needs a stop loss).
    RiskPerTrade {
        /// Percent of equity lost if the stop is hit.
        risk_pct: f64,
    },
    /// Size so the position's annualised volatility is the target: fraction = target / realised.
    VolatilityTarget {
        /// Target annual volatility, percent.
        annual_volatility_pct: f64,
        /// Bars of returns for the realised volatility.
        lookback: u32,
    },
    /// All available cash (the comparison mode of vectorbt's `from_signals`).
    AllIn,
}

/// The sizing chromosome.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SizingChromosome {
    /// How the size is chosen.
    pub method: SizingMethod,
    /// Cap on one position's value, percent of equity.
    pub max_position_pct: f64,
    /// Cap on gross exposure / equity (1.0: no leverage).
    pub leverage_cap: f64,
    /// Most positions open at once (across symbols).
    pub max_positions: u32,
}

impl SizingChromosome {
    /// One position of all the equity, unlevered: a fixed fraction of 100%, capped at 100% of
    /// equity, leverage 1 (buy-and-hold's sizing).
    pub fn all_equity() -> Self {
        Self {
            method: SizingMethod::FixedFraction {
                fraction_pct: 100.0,
            },
            max_position_pct: 100.0,
            leverage_cap: 1.0,
            max_positions: 1,
        }
    }
}

/// Account-level risk limits; each may be off.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskLimits {
    /// Stop opening positions for the rest of the UTC day once equity is down this much from the
    /// day's start, percent.
    #[serde(default)]
    pub daily_loss_limit_pct: Option<f64>,
    /// Close everything and stop trading once equity is this far below its peak, percent.
    #[serde(default)]
    pub max_drawdown_halt_pct: Option<f64>,
    /// Stop opening positions after this many losing trades in a row.
    #[serde(default)]
    pub consecutive_loss_limit: Option<u32>,
}

/// Where a genome came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lineage {
    /// The generation it was born in (0 for seeds and random immigrants).
    pub generation: u32,
    /// Its parents' ids.
    #[serde(default)]
    pub parents: Vec<String>,
    /// The operators that made it (`seed`, `random`, `crossover:entry`, `mutation:gaussian`...).
    #[serde(default)]
    pub operators: Vec<String>,
}

/// A strategy genome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Genome {
    /// Layout version ([`GENOME_SCHEMA`]).
    pub schema: u32,
    /// A short name (`sma-50-200-crossover`), optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Entry chromosome.
    pub entry: EntryChromosome,
    /// Exit chromosome.
    pub exit: ExitChromosome,
    /// Sizing chromosome.
    pub sizing: SizingChromosome,
    /// Account risk limits.
    #[serde(default)]
    pub risk: RiskLimits,
    /// Where it came from.
    #[serde(default)]
    pub lineage: Lineage,
}

/// Which blocks a condition placeholder draws from (`[template.conditions] filter = { blocks =
/// ["sma", "adx"], max_depth = 2 }`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionOptions {
    /// The blocks' names (`gauntlet blocks` lists them); empty or left out: every block.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<String>,
    /// How deep a drawn condition goes: 1 is one comparison, 2 up to two joined by `and` / `or`,
    /// 3 up to four (default 2, at most [`gauntlet_blocks::MAX_CONDITION_DEPTH`]).
    #[serde(default = "default_depth")]
    pub max_depth: usize,
    /// The longest period drawn, bars (default 200; block parameters keep their own bounds).
    #[serde(default = "default_max_period")]
    pub max_period: u32,
}

fn default_depth() -> usize {
    2
}

fn default_max_period() -> u32 {
    200
}

impl Default for ConditionOptions {
    fn default() -> Self {
        Self {
            blocks: Vec::new(),
            max_depth: default_depth(),
            max_period: default_max_period(),
        }
    }
}

/// A template: formulas of gauntlet-blocks' language with placeholders (`?name[low..high]` a
/// number, `?name` a condition). The entry sides given decide the direction (`long` only: long;
/// `short` only: short; both: both). A placeholder used in several places (or formulas) takes one
/// value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateFormulas {
    /// When to open a long position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long: Option<String>,
    /// When to open a short position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short: Option<String>,
    /// When to close a long position (at the next bar's open).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_long: Option<String>,
    /// When to close a short position (at the next bar's open).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_short: Option<String>,
    /// What each condition placeholder draws from, by name without the `?`; a condition
    /// placeholder not listed draws from every block with the defaults of [`ConditionOptions`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub conditions: BTreeMap<String, ConditionOptions>,
}

impl TemplateFormulas {
    /// The formulas present with their field names, in the order `long`, `short`, `exit_long`,
    /// `exit_short`.
    pub fn formulas(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("long", &self.long),
            ("short", &self.short),
            ("exit_long", &self.exit_long),
            ("exit_short", &self.exit_short),
        ]
        .into_iter()
        .filter_map(|(name, text)| text.as_deref().map(|text| (name, text)))
    }
}

/// A placeholder's value: a number, or a condition's text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PlaceholderValue {
    /// A number placeholder's value.
    Number(f64),
    /// A condition placeholder's value: a condition of the formula language without placeholders.
    Condition(String),
}

/// A template and the values that fill it (beside the filled formulas of a [`FormulaEntry`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateFill {
    /// The template.
    pub template: TemplateFormulas,
    /// Each placeholder's value, by name without the `?`.
    pub values: BTreeMap<String, PlaceholderValue>,
}
