//! [`Genome::describe`]: the rules in plain English.

use crate::genome::*;

/// A gene value for reading: at most two decimals, trailing zeros dropped (`2`, `2.5`, `10.25`); the
/// JSON keeps the exact value.
struct Num(f64);

impl std::fmt::Display for Num {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = format!("{:.2}", self.0);
        let text = text.trim_end_matches('0').trim_end_matches('.');
        formatter.write_str(if text == "-0" { "0" } else { text })
    }
}

fn average(kind: AverageKind, period: u32) -> String {
    match kind {
        AverageKind::Sma => format!("SMA({period})"),
        AverageKind::Ema => format!("EMA({period})"),
    }
}

impl Rule {
    /// The rule in plain English for the long side (`long`) or the short side, as in
    /// [`Genome::describe`].
    pub fn describe(&self, long: bool) -> String {
        rule_text(self, long)
    }
}

/// The rule's condition for one side, in words.
fn rule_text(rule: &Rule, long: bool) -> String {
    let (above, below) = if long {
        ("above", "below")
    } else {
        ("below", "above")
    };
    match *rule {
        Rule::MovingAverageCross {
            average: kind,
            fast,
            slow,
        } => format!(
            "{} crosses {above} {}",
            average(kind, fast),
            average(kind, slow)
        ),
        Rule::PriceVsAverage {
            average: kind,
            period,
        } => format!("close is {above} {}", average(kind, period)),
        Rule::RsiThreshold {
            period,
            lower,
            upper,
            crossing,
        } => {
            let (side, level) = if long {
                ("below", lower)
            } else {
                ("above", upper)
            };
            let verb = if crossing { "crosses" } else { "is" };
            format!("RSI({period}) {verb} {side} {}", Num(level))
        }
        Rule::BollingerTouch { period, width } => {
            let band = if long { "lower" } else { "upper" };
            format!(
                "close is {below} the {band} Bollinger band ({period}, {})",
                Num(width)
            )
        }
        Rule::DonchianBreakout { period } => {
            let extreme = if long { "high" } else { "low" };
            format!("close breaks {above} the previous {period}-bar {extreme}")
        }
        Rule::RocMomentum {
            period,
            threshold_pct,
        } => {
            let threshold = if long { threshold_pct } else { -threshold_pct };
            format!(
                "the {period}-bar rate of change is {above} {}%",
                Num(threshold)
            )
        }
        Rule::MacdCross { fast, slow, signal } => {
            format!("MACD({fast},{slow},{signal}) crosses {above} its signal line")
        }
        Rule::ZScoreReversion { period, threshold } => {
            let level = if long { -threshold } else { threshold };
            format!(
                "the {period}-bar z-score of the close is {below} {}",
                Num(level)
            )
        }
        Rule::VolatilityBand {
            period,
            min_pct,
            max_pct,
        } => format!(
            "ATR({period}) is between {}% and {}% of the close",
            Num(min_pct),
            Num(max_pct)
        ),
        Rule::TrendRegime { period } => {
            let slope = if long { "rising" } else { "falling" };
            format!("close is {above} a {slope} SMA({period})")
        }
    }
}

/// A formula in English (`never` when absent).
fn formula_text(text: &Option<String>) -> String {
    match text.as_deref().map(gauntlet_blocks::Formula::parse) {
        Some(Ok(formula)) => gauntlet_blocks::english(&formula),
        Some(Err(error)) => format!("[invalid formula: {error}]"),
        None => "never".to_string(),
    }
}

fn logic_text(logic: &EntryLogic, long: bool) -> String {
    match logic {
        EntryLogic::Rules { rules, combine } => {
            let parts: Vec<String> = rules.iter().map(|rule| rule_text(rule, long)).collect();
            match combine {
                Combine::All => parts.join(" and "),
                Combine::Any => parts.join(" or "),
                Combine::AtLeast { count } => {
                    format!("at least {count} of these hold: {}", parts.join("; "))
                }
            }
        }
        EntryLogic::Formula(entry) => formula_text(if long { &entry.long } else { &entry.short }),
        EntryLogic::MultiFactor(score) => {
            let (lowest, highest) = score.reachable_range();
            let (comparison, level, never) = if long {
                ("above", score.buy_above, score.buy_above >= highest)
            } else {
                ("below", score.sell_below, score.sell_below <= lowest)
            };
            let warning = if never {
                format!(
                    " [never: the score only reaches {} to {}]",
                    Num(lowest),
                    Num(highest)
                )
            } else {
                String::new()
            };
            format!(
                "the factor score is {comparison} {}{warning} (trend ±{} from SMA({}) vs SMA({}), \
                 momentum ±{} from ROC({}) saturating at {}%, volatility 0..{} reaching 0 at \
                 ATR({}) = {}% of the close)",
                Num(level),
                Num(score.trend_weight),
                score.trend_fast,
                score.trend_slow,
                Num(score.momentum_weight),
                score.momentum_period,
                Num(score.momentum_scale_pct),
                Num(score.volatility_weight),
                score.volatility_period,
                Num(score.volatility_max_pct)
            )
        }
        EntryLogic::Always => "on the first bar, and hold".into(),
    }
}

impl Genome {
    /// The genome's rules in plain English, e.g. "Go long when RSI(14) crosses below 30 and close is
    /// above SMA(200); stop 2%, target 4%, trail 1% once 2% in profit; risk 1% of equity per trade."
    pub fn describe(&self) -> String {
        let logic = &self.entry.logic;
        let always = matches!(logic, EntryLogic::Always);
        let entry = match (self.entry.direction, always) {
            (Direction::Long, true) => "Buy on the first bar and hold".to_string(),
            (Direction::Short, true) => "Sell short on the first bar and hold".to_string(),
            (Direction::Both, true) => "Buy on the first bar and hold".to_string(),
            (Direction::Long, false) => format!("Go long when {}", logic_text(logic, true)),
            (Direction::Short, false) => format!("Go short when {}", logic_text(logic, false)),
            (Direction::Both, false) => match logic {
                EntryLogic::MultiFactor(score) => format!(
                    "Go long when {}; go short when it is below {}{}",
                    logic_text(logic, true),
                    score.sell_below,
                    if score.sell_below <= score.reachable_range().0 {
                        format!(
                            " [never: the score never goes below {}]",
                            Num(score.reachable_range().0)
                        )
                    } else {
                        String::new()
                    }
                ),
                _ => format!(
                    "Go long when {}; go short when {}",
                    logic_text(logic, true),
                    logic_text(logic, false)
                ),
            },
        };
        let exit = &self.exit;
        let mut exits = Vec::new();
        if let Some(stop) = exit.stop_loss_pct {
            exits.push(format!("stop {}%", Num(stop)));
        }
        if let Some(target) = exit.take_profit_pct {
            exits.push(format!("target {}%", Num(target)));
        }
        if let Some(trail) = exit.trailing_stop {
            if trail.activation_pct > 0.0 {
                exits.push(format!(
                    "trail {}% once {}% in profit",
                    Num(trail.trail_pct),
                    Num(trail.activation_pct)
                ));
            } else {
                exits.push(format!("trail {}%", Num(trail.trail_pct)));
            }
        }
        if let Some(bars) = exit.max_holding_bars {
            exits.push(format!("exit after {bars} bars"));
        }
        if let Some(bars) = exit.channel_exit_bars {
            exits.push(format!(
                "exit on a break of the previous {bars}-bar low (high, short)"
            ));
        }
        if exit.exit_on_opposite_signal {
            exits.push("exit on the opposite signal".into());
        }
        if let EntryLogic::Formula(entry) = logic {
            for (side, text) in [("long", &entry.exit_long), ("short", &entry.exit_short)] {
                if text.is_some() {
                    exits.push(format!("close a {side} when {}", formula_text(text)));
                }
            }
        }
        if exits.is_empty() {
            exits.push("no exit rule (held to the end)".into());
        }
        let sizing = &self.sizing;
        let mut sizes = vec![match sizing.method {
            SizingMethod::FixedFraction { fraction_pct } => {
                format!("invest {}% of equity per position", Num(fraction_pct))
            }
            SizingMethod::RiskPerTrade { risk_pct } => {
                format!("risk {}% of equity per trade", Num(risk_pct))
            }
            SizingMethod::VolatilityTarget {
                annual_volatility_pct,
                lookback,
            } => format!(
                "size to {}% annual volatility ({lookback}-bar lookback)",
                Num(annual_volatility_pct)
            ),
            SizingMethod::AllIn => "invest all cash".into(),
        }];
        if sizing.max_position_pct < 100.0 {
            sizes.push(format!(
                "capped at {}% of equity per position",
                Num(sizing.max_position_pct)
            ));
        }
        if sizing.leverage_cap != 1.0 {
            sizes.push(format!("leverage up to {}x", Num(sizing.leverage_cap)));
        }
        if sizing.max_positions > 1 {
            sizes.push(format!("at most {} positions", sizing.max_positions));
        }
        let mut parts = vec![entry, exits.join(", "), sizes.join(", ")];
        let risk = &self.risk;
        let mut limits = Vec::new();
        if let Some(limit) = risk.max_drawdown_halt_pct {
            limits.push(format!("halt at {}% drawdown", Num(limit)));
        }
        if let Some(limit) = risk.daily_loss_limit_pct {
            limits.push(format!("no new entries after a {}% daily loss", Num(limit)));
        }
        if let Some(limit) = risk.consecutive_loss_limit {
            limits.push(format!("stop entering after {limit} losses in a row"));
        }
        if !limits.is_empty() {
            parts.push(limits.join(", "));
        }
        format!("{}.", parts.join("; "))
    }
}
