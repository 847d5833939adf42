//! Gene bounds and [`Genome::validate`].

use std::fmt::Display;

use gauntlet_blocks::Formula;

use crate::error::GenomeError;
use crate::genome::*;
use crate::template::Template;

/// At most this many rules in an entry rule list (K of DESIGN.md).
pub const MAX_RULES: usize = 5;
/// Shortest indicator period, bars.
pub const MIN_PERIOD: u32 = 2;
/// Longest indicator period, bars.
pub const MAX_PERIOD: u32 = 1_000;
/// The discrete period grid random genomes and mutations draw from, bars (so indicator columns are
/// shared by many genomes). Validation accepts any period in bounds, so imported populations such as
/// W1's validate too.
pub const PERIOD_GRID: [u32; 16] = [
    2, 3, 5, 7, 10, 14, 20, 26, 30, 40, 50, 75, 100, 150, 200, 250,
];

/// A field's path, formatted only when a problem is reported (validation runs before every
/// backtest, so the passing path must not allocate).
struct FieldPath<'a>(&'a dyn Display, &'a str);

impl Display for FieldPath<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}.{}", self.0, self.1)
    }
}

struct Checker {
    problems: Option<GenomeError>,
}

impl Checker {
    fn range(&mut self, field: impl Display, value: f64, low: f64, high: f64, open_low: bool) {
        let inside =
            value.is_finite() && value <= high && if open_low { value > low } else { value >= low };
        if !inside && self.problems.is_none() {
            let bracket = if open_low { "(" } else { "[" };
            self.problems = Some(GenomeError::OutOfRange {
                field: field.to_string(),
                value: value.to_string(),
                allowed: format!("{bracket}{low}, {high}]"),
            });
        }
    }

    fn period(&mut self, field: impl Display, value: u32) {
        if !(MIN_PERIOD..=MAX_PERIOD).contains(&value) && self.problems.is_none() {
            self.problems = Some(GenomeError::OutOfRange {
                field: field.to_string(),
                value: value.to_string(),
                allowed: format!("{MIN_PERIOD}..={MAX_PERIOD} bars"),
            });
        }
    }

    fn require(&mut self, condition: bool, field: impl Display, message: impl Display) {
        if !condition && self.problems.is_none() {
            self.problems = Some(GenomeError::Inconsistent {
                field: field.to_string(),
                message: message.to_string(),
            });
        }
    }
}

impl Genome {
    /// Checks every gene against its bounds and the genes against each other.
    ///
    /// # Errors
    /// The first problem found, as [`GenomeError::OutOfRange`] or [`GenomeError::Inconsistent`] naming
    /// the field by its path (`entry.logic.rules[1].slow`, `exit.stop_loss_pct`, ...).
    pub fn validate(&self) -> Result<(), GenomeError> {
        let mut check = Checker { problems: None };
        check.require(
            self.schema == GENOME_SCHEMA,
            "schema",
            format_args!(
                "schema {} is not supported (expected {GENOME_SCHEMA})",
                self.schema
            ),
        );
        match &self.entry.logic {
            EntryLogic::Rules { rules, combine } => {
                check.require(
                    (1..=MAX_RULES).contains(&rules.len()),
                    "entry.logic.rules",
                    format_args!("needs 1 to {MAX_RULES} rules, has {}", rules.len()),
                );
                if let Combine::AtLeast { count } = combine {
                    check.require(
                        *count >= 1 && (*count as usize) <= rules.len(),
                        "entry.logic.combine.count",
                        format_args!(
                            "must be between 1 and the number of rules ({})",
                            rules.len()
                        ),
                    );
                }
                for (index, rule) in rules.iter().enumerate() {
                    check_rule(
                        &mut check,
                        &format_args!("entry.logic.rules[{index}]"),
                        rule,
                    );
                }
            }
            EntryLogic::MultiFactor(score) => {
                let field = |name| FieldPath(&"entry.logic", name);
                check.period(field("trend_fast"), score.trend_fast);
                check.period(field("trend_slow"), score.trend_slow);
                check.require(
                    score.trend_fast < score.trend_slow,
                    field("trend_fast"),
                    "must be shorter than trend_slow",
                );
                check.period(field("momentum_period"), score.momentum_period);
                check.period(field("volatility_period"), score.volatility_period);
                check.range(
                    field("momentum_scale_pct"),
                    score.momentum_scale_pct,
                    0.0,
                    100.0,
                    true,
                );
                check.range(
                    field("volatility_max_pct"),
                    score.volatility_max_pct,
                    0.0,
                    100.0,
                    true,
                );
                for (name, weight) in [
                    ("trend_weight", score.trend_weight),
                    ("momentum_weight", score.momentum_weight),
                    ("volatility_weight", score.volatility_weight),
                ] {
                    check.range(field(name), weight, 0.0, 100.0, false);
                }
                check.require(
                    score.trend_weight + score.momentum_weight + score.volatility_weight > 0.0,
                    field("trend_weight"),
                    "trend, momentum and volatility weights are all 0: the score is always 0",
                );
                check.range(field("buy_above"), score.buy_above, -300.0, 300.0, false);
                check.range(field("sell_below"), score.sell_below, -300.0, 300.0, false);
                check.require(
                    score.sell_below < score.buy_above,
                    field("sell_below"),
                    "must be below buy_above",
                );
            }
            EntryLogic::Always => {}
            EntryLogic::Formula(entry) => {
                let (long, short) = match self.entry.direction {
                    Direction::Long => (true, false),
                    Direction::Short => (false, true),
                    Direction::Both => (true, true),
                };
                check.require(
                    entry.long.is_some() || !long,
                    "entry.logic.long",
                    "a formula strategy that trades long needs a long formula",
                );
                check.require(
                    entry.short.is_some() || !short,
                    "entry.logic.short",
                    "a formula strategy that trades short needs a short formula",
                );
                if let Some(fill) = &entry.template {
                    match Template::new(&fill.template, "entry.logic.template.template") {
                        Ok(template) => {
                            check.require(
                                self.entry.direction == template.direction(),
                                "entry.direction",
                                format_args!(
                                    "a template genome trades the direction its entry sides give ({:?})",
                                    template.direction()
                                ),
                            );
                            if let Err(error) = template.check_entry(entry, &fill.values)
                                && check.problems.is_none()
                            {
                                check.problems = Some(error);
                            }
                        }
                        Err(error) => {
                            if check.problems.is_none() {
                                check.problems = Some(error);
                            }
                        }
                    }
                }
                for (name, text) in entry.formulas() {
                    let field = FieldPath(&"entry.logic", name);
                    match Formula::parse(text) {
                        Ok(formula) => check.require(
                            formula.placeholders().is_empty(),
                            field,
                            format_args!(
                                "holds the template placeholders {:?}: a genome's formulas must be filled",
                                formula.placeholders()
                            ),
                        ),
                        Err(error) => check.require(false, field, error),
                    }
                }
            }
        }
        let exit = &self.exit;
        if let Some(stop) = exit.stop_loss_pct {
            check.range("exit.stop_loss_pct", stop, 0.0, 99.0, true);
        }
        if let Some(target) = exit.take_profit_pct {
            check.range("exit.take_profit_pct", target, 0.0, 10_000.0, true);
        }
        if let Some(trail) = exit.trailing_stop {
            check.range(
                "exit.trailing_stop.activation_pct",
                trail.activation_pct,
                0.0,
                10_000.0,
                false,
            );
            check.range(
                "exit.trailing_stop.trail_pct",
                trail.trail_pct,
                0.0,
                99.0,
                true,
            );
        }
        if let Some(bars) = exit.channel_exit_bars {
            check.period("exit.channel_exit_bars", bars);
        }
        if let Some(bars) = exit.max_holding_bars {
            check.require(bars >= 1, "exit.max_holding_bars", "must be at least 1 bar");
        }
        let sizing = &self.sizing;
        match sizing.method {
            SizingMethod::FixedFraction { fraction_pct } => {
                check.range(
                    "sizing.method.fraction_pct",
                    fraction_pct,
                    0.0,
                    10_000.0,
                    true,
                );
            }
            SizingMethod::RiskPerTrade { risk_pct } => {
                check.range("sizing.method.risk_pct", risk_pct, 0.0, 100.0, true);
                check.require(
                    exit.stop_loss_pct.is_some(),
                    "sizing.method",
                    "risk_per_trade sizing needs exit.stop_loss_pct (the risk is the stop distance)",
                );
            }
            SizingMethod::VolatilityTarget {
                annual_volatility_pct,
                lookback,
            } => {
                check.range(
                    "sizing.method.annual_volatility_pct",
                    annual_volatility_pct,
                    0.0,
                    1_000.0,
                    true,
                );
                check.period("sizing.method.lookback", lookback);
            }
            SizingMethod::AllIn => {}
        }
        check.range(
            "sizing.max_position_pct",
            sizing.max_position_pct,
            0.0,
            10_000.0,
            true,
        );
        check.range("sizing.leverage_cap", sizing.leverage_cap, 0.0, 100.0, true);
        check.require(
            sizing.max_positions >= 1,
            "sizing.max_positions",
            "must be at least 1",
        );
        if let Some(limit) = self.risk.daily_loss_limit_pct {
            check.range("risk.daily_loss_limit_pct", limit, 0.0, 100.0, true);
        }
        if let Some(limit) = self.risk.max_drawdown_halt_pct {
            check.range("risk.max_drawdown_halt_pct", limit, 0.0, 100.0, true);
        }
        if let Some(limit) = self.risk.consecutive_loss_limit {
            check.require(
                limit >= 1,
                "risk.consecutive_loss_limit",
                "must be at least 1",
            );
        }
        match check.problems {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }
}

fn check_rule(check: &mut Checker, path: &dyn Display, rule: &Rule) {
    let field = |name| FieldPath(path, name);
    match *rule {
        Rule::MovingAverageCross { fast, slow, .. } => {
            check.period(field("fast"), fast);
            check.period(field("slow"), slow);
            check.require(
                fast < slow,
                field("fast"),
                format_args!("must be shorter than slow ({slow})"),
            );
        }
        Rule::PriceVsAverage { period, .. }
        | Rule::DonchianBreakout { period }
        | Rule::TrendRegime { period } => check.period(field("period"), period),
        Rule::RsiThreshold {
            period,
            lower,
            upper,
            ..
        } => {
            check.period(field("period"), period);
            check.range(field("lower"), lower, 0.0, 100.0, true);
            check.range(field("upper"), upper, 0.0, 100.0, true);
            check.require(
                lower < upper,
                field("lower"),
                format_args!("must be below upper ({upper})"),
            );
        }
        Rule::BollingerTouch { period, width } => {
            check.period(field("period"), period);
            check.range(field("width"), width, 0.0, 10.0, true);
        }
        Rule::RocMomentum {
            period,
            threshold_pct,
        } => {
            check.period(field("period"), period);
            check.range(field("threshold_pct"), threshold_pct, 0.0, 100.0, false);
        }
        Rule::MacdCross { fast, slow, signal } => {
            check.period(field("fast"), fast);
            check.period(field("slow"), slow);
            check.period(field("signal"), signal);
            check.require(
                fast < slow,
                field("fast"),
                format_args!("must be shorter than slow ({slow})"),
            );
        }
        Rule::ZScoreReversion { period, threshold } => {
            check.period(field("period"), period);
            check.range(field("threshold"), threshold, 0.0, 10.0, true);
        }
        Rule::VolatilityBand {
            period,
            min_pct,
            max_pct,
        } => {
            check.period(field("period"), period);
            check.range(field("min_pct"), min_pct, 0.0, 100.0, false);
            check.range(field("max_pct"), max_pct, 0.0, 100.0, true);
            check.require(
                min_pct < max_pct,
                field("min_pct"),
                format_args!("must be below max_pct ({max_pct})"),
            );
        }
    }
}
