//! Entry signals compiled from a genome: each rule reads shared indicator columns at bar t (and t-1
//! for crosses), so deciding at bar t uses data up to bar t's close only.

use std::cell::Cell;
use std::sync::Arc;

use gauntlet_blocks::ColumnCache;
use gauntlet_genome::{AverageKind, Combine, EntryLogic, FactorScore, FormulaEntry, Rule};
use gauntlet_indicators::{Crossing, Crossings, IndicatorCache, IndicatorColumn};

use crate::error::BacktestError;

/// A column shared from the cache (`NaN` during warm-up; any comparison with it is false).
pub(crate) type Column = Arc<[f64]>;

/// One rule, ready to evaluate.
#[derive(Debug, Clone)]
enum CompiledRule {
    /// `a` crosses above / below `b`.
    Cross { a: Column, b: Column },
    /// A genome's only rule, a crossover, answered from the cache's list of its crossing bars (the
    /// flat phase jumps from crossing to crossing; the columns themselves are not needed, so a
    /// backtest takes one shared `Arc` instead of three). `cursor` is where the last lookup ended
    /// (see [`seek`]).
    CrossList {
        crossings: Arc<Crossings>,
        cursor: Cell<usize>,
    },
    /// Close above / below `level`.
    CloseVersus { level: Column },
    /// Close below `lower` (long) / above `upper` (short).
    CloseOutside { lower: Column, upper: Column },
    /// Close beyond the previous bar's channel.
    Breakout { lower: Column, upper: Column },
    /// `value` below `low` (long) / above `high` (short), or crossing them.
    Threshold {
        value: Column,
        low: f64,
        high: f64,
        crossing: bool,
    },
    /// `value` above `fraction` (long) / below `-fraction` (short).
    Momentum { value: Column, fraction: f64 },
    /// `100 * atr / close` within `[min, max]` (both sides).
    VolatilityBand { atr: Column, min: f64, max: f64 },
    /// Close above a rising `average` (long) / below a falling one (short).
    Trend { average: Column },
}

/// The close prices the rules compare against.
#[derive(Debug, Clone, Copy)]
struct Bars<'a> {
    close: &'a [f64],
}

impl CompiledRule {
    #[inline(always)]
    fn signal(&self, bars: Bars<'_>, t: usize) -> (bool, bool) {
        let close = bars.close[t];
        match self {
            Self::CrossList { crossings, cursor } => {
                let events = &crossings.events;
                match events.get(seek(events, cursor, t)) {
                    Some(crossing) if crossing.bar() == t => (crossing.above(), !crossing.above()),
                    _ => (false, false),
                }
            }
            Self::Cross { a, b } => {
                if t == 0 {
                    return (false, false);
                }
                let (now_a, now_b, before_a, before_b) = (a[t], b[t], a[t - 1], b[t - 1]);
                (
                    now_a > now_b && before_a <= before_b,
                    now_a < now_b && before_a >= before_b,
                )
            }
            Self::CloseVersus { level } => (close > level[t], close < level[t]),
            Self::CloseOutside { lower, upper } => (close < lower[t], close > upper[t]),
            Self::Breakout { lower, upper } => {
                if t == 0 {
                    return (false, false);
                }
                (close > upper[t - 1], close < lower[t - 1])
            }
            Self::Threshold {
                value,
                low,
                high,
                crossing,
            } => {
                let now = value[t];
                if *crossing {
                    if t == 0 {
                        return (false, false);
                    }
                    let before = value[t - 1];
                    (now < *low && before >= *low, now > *high && before <= *high)
                } else {
                    (now < *low, now > *high)
                }
            }
            Self::Momentum { value, fraction } => (value[t] > *fraction, value[t] < -*fraction),
            Self::VolatilityBand { atr, min, max } => {
                let percent = 100.0 * atr[t] / close;
                let inside = percent >= *min && percent <= *max;
                (inside, inside)
            }
            Self::Trend { average } => {
                if t == 0 {
                    return (false, false);
                }
                let (now, before) = (average[t], average[t - 1]);
                (close > now && now > before, close < now && now < before)
            }
        }
    }
}

impl CompiledRule {
    /// How rarely the rule is expected to fire, higher for rarer (a guess by kind, used only to
    /// pick which rule of an `all` list leads the scan: any choice gives the same answers).
    /// Crossings fire on a few bars, levels on stretches, a close against its average on most.
    fn rarity(&self) -> u8 {
        match self {
            Self::CrossList { .. } | Self::Cross { .. } => 4,
            Self::Threshold { crossing: true, .. } => 4,
            Self::Breakout { .. } => 3,
            Self::Threshold { .. } | Self::CloseOutside { .. } | Self::Momentum { .. } => 2,
            Self::VolatilityBand { .. } | Self::Trend { .. } => 1,
            Self::CloseVersus { .. } => 0,
        }
    }

    /// The first bar in `from..to` where [`CompiledRule::signal`] is not `(false, false)`: the
    /// same conditions, one loop per rule kind (no dispatch per bar), each stopping at the first
    /// bar that fires on either side.
    fn first_firing(&self, close: &[f64], from: usize, to: usize) -> Option<usize> {
        // Rules that read bar t-1 are false at bar 0.
        let after_first = from.max(1);
        match self {
            Self::CrossList { .. } => {
                let bars = Bars { close };
                (from..to).find(|&t| self.signal(bars, t) != (false, false))
            }
            Self::Cross { a, b } => (after_first..to).find(|&t| {
                let (now_a, now_b, before_a, before_b) = (a[t], b[t], a[t - 1], b[t - 1]);
                (now_a > now_b && before_a <= before_b) || (now_a < now_b && before_a >= before_b)
            }),
            // Not `!=`: a `NaN` level (warm-up) fires on neither side.
            #[allow(clippy::double_comparisons)]
            Self::CloseVersus { level } => {
                (from..to).find(|&t| close[t] > level[t] || close[t] < level[t])
            }
            Self::CloseOutside { lower, upper } => {
                (from..to).find(|&t| close[t] < lower[t] || close[t] > upper[t])
            }
            Self::Breakout { lower, upper } => {
                (after_first..to).find(|&t| close[t] > upper[t - 1] || close[t] < lower[t - 1])
            }
            Self::Threshold {
                value,
                low,
                high,
                crossing,
            } => {
                let (low, high) = (*low, *high);
                if *crossing {
                    (after_first..to).find(|&t| {
                        let (now, before) = (value[t], value[t - 1]);
                        (now < low && before >= low) || (now > high && before <= high)
                    })
                } else {
                    (from..to).find(|&t| value[t] < low || value[t] > high)
                }
            }
            Self::Momentum { value, fraction } => {
                let fraction = *fraction;
                (from..to).find(|&t| value[t] > fraction || value[t] < -fraction)
            }
            Self::VolatilityBand { atr, min, max } => {
                let (min, max) = (*min, *max);
                (from..to).find(|&t| {
                    let percent = 100.0 * atr[t] / close[t];
                    percent >= min && percent <= max
                })
            }
            Self::Trend { average } => (after_first..to).find(|&t| {
                let (now, before) = (average[t], average[t - 1]);
                (close[t] > now && now > before) || (close[t] < now && now < before)
            }),
        }
    }
}

/// The factor score's columns.
#[derive(Debug, Clone)]
struct CompiledScore {
    trend_fast: Column,
    trend_slow: Column,
    momentum: Column,
    atr: Column,
    score: FactorScore,
}

impl CompiledScore {
    /// The score at bar t, or `NaN` while any input is warming up.
    #[inline]
    fn value(&self, bars: Bars<'_>, t: usize) -> f64 {
        let score = &self.score;
        let trend_gap = self.trend_fast[t] - self.trend_slow[t];
        let trend = if trend_gap > 0.0 {
            score.trend_weight
        } else if trend_gap < 0.0 {
            -score.trend_weight
        } else if trend_gap == 0.0 {
            0.0
        } else {
            return f64::NAN;
        };
        let momentum_fraction = self.momentum[t] / (score.momentum_scale_pct / 100.0);
        let momentum = score.momentum_weight * momentum_fraction.clamp(-1.0, 1.0);
        let atr_percent = 100.0 * self.atr[t] / bars.close[t];
        let calm = 1.0 - (atr_percent / score.volatility_max_pct).min(1.0);
        // NaN inputs propagate: clamp and min keep NaN out only for non-NaN operands.
        if momentum_fraction.is_nan() || atr_percent.is_nan() {
            return f64::NAN;
        }
        trend + momentum + score.volatility_weight * calm
    }
}

/// A genome's entry logic, ready to evaluate bar by bar.
///
/// Compile one per backtest: a lone crossover rule keeps a cursor into its crossing list (lookups in
/// bar order are then a step or two each), so the value is `Send` but not `Sync`. Answers never
/// depend on the order of the lookups.
#[derive(Debug, Clone)]
pub struct EntrySignals {
    logic: CompiledLogic,
}

#[derive(Debug, Clone)]
enum CompiledLogic {
    Rules {
        rules: Vec<CompiledRule>,
        combine: Combine,
    },
    Score {
        score: Box<CompiledScore>,
        buy_above: f64,
        sell_below: f64,
    },
    Always,
    Formula(Box<FormulaConditions>),
}

/// A formula genome's conditions, one value per bar of the series (false where a formula is
/// absent or still warming up), from gauntlet-blocks' batch evaluation: the value at bar t reads
/// bars up to t only.
#[derive(Debug, Clone)]
struct FormulaConditions {
    long: Option<Arc<[bool]>>,
    short: Option<Arc<[bool]>>,
    exit_long: Option<Arc<[bool]>>,
    exit_short: Option<Arc<[bool]>>,
}

impl FormulaConditions {
    /// Evaluates each formula of `entry` over the cache's series, its number columns and its
    /// condition (by the formula's text) taken from (and kept in) the formula column cache that
    /// `cache` holds beside its indicator columns, under the same memory budget: every genome of a
    /// run shares them, and a formula seen before is neither parsed nor evaluated again.
    fn evaluate(entry: &FormulaEntry, cache: &IndicatorCache) -> Result<Self, BacktestError> {
        let columns = cache.companion(ColumnCache::with_budget).ok_or_else(|| {
            BacktestError::Formula("the indicator cache holds another companion cache".into())
        })?;
        let condition = |field: &str, text: &Option<String>| {
            text.as_deref()
                .map(|text| {
                    columns
                        .evaluate_text(text)
                        .map_err(|error| BacktestError::Formula(format!("{field}: {error}")))
                })
                .transpose()
        };
        Ok(Self {
            long: condition("long", &entry.long)?,
            short: condition("short", &entry.short)?,
            exit_long: condition("exit_long", &entry.exit_long)?,
            exit_short: condition("exit_short", &entry.exit_short)?,
        })
    }
}

/// The value of an optional condition at bar `t` (false when absent).
#[inline]
fn holds(condition: &Option<Arc<[bool]>>, t: usize) -> bool {
    condition.as_ref().is_some_and(|values| values[t])
}

fn average_column(kind: AverageKind, period: u32) -> IndicatorColumn {
    match kind {
        AverageKind::Sma => IndicatorColumn::Sma { period },
        AverageKind::Ema => IndicatorColumn::Ema { period },
    }
}

/// The two columns a crossover rule compares (`a` crosses `b`, as [`EntrySignals::compile_with`]
/// reads them); `None` for other rules.
fn cross_keys(rule: &Rule) -> Option<(IndicatorColumn, IndicatorColumn)> {
    match *rule {
        Rule::MovingAverageCross {
            average,
            fast,
            slow,
        } => Some((average_column(average, fast), average_column(average, slow))),
        Rule::MacdCross { fast, slow, signal } => Some((
            IndicatorColumn::MacdLine { fast, slow, signal },
            IndicatorColumn::MacdSignal { fast, slow, signal },
        )),
        _ => None,
    }
}

/// Bollinger widths are cached in hundredths of a deviation.
fn hundredths(width: f64) -> u32 {
    (width * 100.0).round() as u32
}

impl EntrySignals {
    /// Compiles `logic`, taking every indicator column it needs from `cache`.
    ///
    /// # Errors
    /// [`BacktestError::Indicator`] when a column cannot be computed (invalid parameters).
    /// [`BacktestError::Formula`] when a formula does not parse or its columns cannot be computed.
    pub fn compile(logic: &EntryLogic, cache: &IndicatorCache) -> Result<Self, BacktestError> {
        if let EntryLogic::Formula(entry) = logic {
            return Ok(Self {
                logic: CompiledLogic::Formula(Box::new(FormulaConditions::evaluate(entry, cache)?)),
            });
        }
        if let EntryLogic::Rules { rules, combine } = logic
            && let [only] = rules.as_slice()
            && let Some(keys) = cross_keys(only)
        {
            let crossings = cache
                .crossings(keys.0, keys.1)
                .map_err(BacktestError::Indicator)?;
            return Ok(Self {
                logic: CompiledLogic::Rules {
                    rules: vec![CompiledRule::CrossList {
                        crossings,
                        cursor: Cell::new(0),
                    }],
                    combine: *combine,
                },
            });
        }
        Self::compile_with(logic, &mut |column| {
            cache.get(column).map_err(BacktestError::Indicator)
        })
    }

    /// Compiles `logic` with columns from `get` (the live engine passes each column's last two
    /// values); no crossing lists.
    ///
    /// # Errors
    /// What `get` returns.
    pub(crate) fn compile_with(
        logic: &EntryLogic,
        get: &mut dyn FnMut(IndicatorColumn) -> Result<Column, BacktestError>,
    ) -> Result<Self, BacktestError> {
        let logic = match logic {
            EntryLogic::Always => CompiledLogic::Always,
            // The live engine evaluates formulas itself and hands their values over with
            // `with_formula_values`; until then every condition is absent (false).
            EntryLogic::Formula(_) => CompiledLogic::Formula(Box::new(FormulaConditions {
                long: None,
                short: None,
                exit_long: None,
                exit_short: None,
            })),
            EntryLogic::MultiFactor(score) => CompiledLogic::Score {
                score: Box::new(CompiledScore {
                    trend_fast: get(IndicatorColumn::Sma {
                        period: score.trend_fast,
                    })?,
                    trend_slow: get(IndicatorColumn::Sma {
                        period: score.trend_slow,
                    })?,
                    momentum: get(IndicatorColumn::Roc {
                        period: score.momentum_period,
                    })?,
                    atr: get(IndicatorColumn::Atr {
                        period: score.volatility_period,
                    })?,
                    score: score.clone(),
                }),
                buy_above: score.buy_above,
                sell_below: score.sell_below,
            },
            EntryLogic::Rules { rules, combine } => {
                let mut compiled = Vec::with_capacity(rules.len());
                for rule in rules {
                    compiled.push(match *rule {
                        Rule::MovingAverageCross {
                            average,
                            fast,
                            slow,
                        } => CompiledRule::Cross {
                            a: get(average_column(average, fast))?,
                            b: get(average_column(average, slow))?,
                        },
                        Rule::MacdCross { fast, slow, signal } => CompiledRule::Cross {
                            a: get(IndicatorColumn::MacdLine { fast, slow, signal })?,
                            b: get(IndicatorColumn::MacdSignal { fast, slow, signal })?,
                        },
                        Rule::PriceVsAverage { average, period } => CompiledRule::CloseVersus {
                            level: get(average_column(average, period))?,
                        },
                        Rule::RsiThreshold {
                            period,
                            lower,
                            upper,
                            crossing,
                        } => CompiledRule::Threshold {
                            value: get(IndicatorColumn::Rsi { period })?,
                            low: lower,
                            high: upper,
                            crossing,
                        },
                        Rule::BollingerTouch { period, width } => CompiledRule::CloseOutside {
                            lower: get(IndicatorColumn::BollingerLower {
                                period,
                                width_hundredths: hundredths(width),
                            })?,
                            upper: get(IndicatorColumn::BollingerUpper {
                                period,
                                width_hundredths: hundredths(width),
                            })?,
                        },
                        Rule::DonchianBreakout { period } => CompiledRule::Breakout {
                            lower: get(IndicatorColumn::DonchianLower { period })?,
                            upper: get(IndicatorColumn::DonchianUpper { period })?,
                        },
                        Rule::RocMomentum {
                            period,
                            threshold_pct,
                        } => CompiledRule::Momentum {
                            value: get(IndicatorColumn::Roc { period })?,
                            fraction: threshold_pct / 100.0,
                        },
                        Rule::ZScoreReversion { period, threshold } => CompiledRule::Threshold {
                            value: get(IndicatorColumn::ZScore { period })?,
                            low: -threshold,
                            high: threshold,
                            crossing: false,
                        },
                        Rule::VolatilityBand {
                            period,
                            min_pct,
                            max_pct,
                        } => CompiledRule::VolatilityBand {
                            atr: get(IndicatorColumn::Atr { period })?,
                            min: min_pct,
                            max: max_pct,
                        },
                        Rule::TrendRegime { period } => CompiledRule::Trend {
                            average: get(IndicatorColumn::Sma { period })?,
                        },
                    });
                }
                CompiledLogic::Rules {
                    rules: compiled,
                    combine: *combine,
                }
            }
        };
        Ok(Self { logic })
    }

    /// The first bar `t` in `from..to` whose entry conditions select a side: `wanted` maps `(long,
    /// short)` to the side to enter, if any, and must give `None` for `(false, false)`. The same answer as calling [`EntrySignals::at`] bar by
    /// bar, in a loop specialised for each rule kind (the engine's flat phase).
    #[inline]
    pub fn next_entry<S: Copy>(
        &self,
        close: &[f64],
        from: usize,
        to: usize,
        wanted: impl Fn(bool, bool) -> Option<S>,
    ) -> Option<(usize, S)> {
        fn scan<S>(
            from: usize,
            to: usize,
            signal: impl Fn(usize) -> (bool, bool),
            wanted: &impl Fn(bool, bool) -> Option<S>,
        ) -> Option<(usize, S)> {
            (from..to).find_map(|t| {
                let (long, short) = signal(t);
                wanted(long, short).map(|side| (t, side))
            })
        }
        let bars = Bars { close };
        match &self.logic {
            CompiledLogic::Rules { rules, .. } if rules.len() == 1 => match &rules[0] {
                CompiledRule::CrossList { crossings, cursor } => {
                    next_crossing(&crossings.events, cursor, from, to, wanted)
                }
                CompiledRule::Cross { a, b } => {
                    let (a, b) = (&a[..to], &b[..to]);
                    scan(
                        from.max(1),
                        to,
                        |t| {
                            let (now_a, now_b, before_a, before_b) =
                                (a[t], b[t], a[t - 1], b[t - 1]);
                            (
                                now_a > now_b && before_a <= before_b,
                                now_a < now_b && before_a >= before_b,
                            )
                        },
                        &wanted,
                    )
                }
                CompiledRule::CloseVersus { level } => {
                    let level = &level[..to];
                    scan(
                        from,
                        to,
                        |t| (close[t] > level[t], close[t] < level[t]),
                        &wanted,
                    )
                }
                rule => {
                    let mut start = from;
                    while start < to {
                        let candidate = rule.first_firing(close, start, to)?;
                        let (long, short) = rule.signal(bars, candidate);
                        if let Some(side) = wanted(long, short) {
                            return Some((candidate, side));
                        }
                        start = candidate + 1;
                    }
                    None
                }
            },
            // Every rule must fire on a side, so only bars where one of them (the leader, the
            // rarest kind) fires on some side can enter: scan with that rule alone, and weigh all
            // of them only there (a bar where the leader fires on neither side is `(false,
            // false)`, which `wanted` never takes).
            CompiledLogic::Rules {
                rules,
                combine: Combine::All,
            } if !rules.is_empty() => {
                let leader = rules
                    .iter()
                    .rev()
                    .max_by_key(|rule| rule.rarity())
                    .unwrap_or(&rules[0]);
                let mut start = from;
                while start < to {
                    let candidate = leader.first_firing(close, start, to)?;
                    let (long, short) = self.at(close, candidate);
                    if let Some(side) = wanted(long, short) {
                        return Some((candidate, side));
                    }
                    start = candidate + 1;
                }
                None
            }
            _ => scan(from, to, |t| self.at(close, t), &wanted),
        }
    }

    /// The first bar in `from..to` where a long (`Side::Long` position: `short` condition) or short
    /// position's opposite signal fires: [`EntrySignals::next_entry`] for the other side.
    #[inline]
    pub fn next_opposite(
        &self,
        close: &[f64],
        from: usize,
        to: usize,
        position_is_long: bool,
    ) -> Option<usize> {
        self.next_entry(close, from, to, |long, short| {
            (if position_is_long { short } else { long }).then_some(())
        })
        .map(|(bar, ())| bar)
    }

    /// A formula genome's signals with the values of its formulas (`long`, `short`, `exit_long`,
    /// `exit_short`, in that order; `None` for one the genome does not have), one per bar of the
    /// window the other columns cover; other genomes' signals are returned unchanged. The live
    /// engine's path: it evaluates the formulas bar by bar.
    pub(crate) fn with_formula_values(mut self, values: [Option<Arc<[bool]>>; 4]) -> Self {
        if let CompiledLogic::Formula(conditions) = &mut self.logic {
            let [long, short, exit_long, exit_short] = values;
            **conditions = FormulaConditions {
                long,
                short,
                exit_long,
                exit_short,
            };
        }
        self
    }

    /// Whether a formula genome's exit formula for an open long (`position_is_long`) or short
    /// position holds at bar `t`'s close; false for other genomes and when the genome has none.
    #[inline]
    pub fn exit_at(&self, t: usize, position_is_long: bool) -> bool {
        match &self.logic {
            CompiledLogic::Formula(conditions) => holds(
                if position_is_long {
                    &conditions.exit_long
                } else {
                    &conditions.exit_short
                },
                t,
            ),
            _ => false,
        }
    }

    /// Whether [`EntrySignals::exit_at`] can ever hold for this side: the genome is a formula
    /// genome with an exit formula for it.
    #[inline]
    pub fn has_exit(&self, position_is_long: bool) -> bool {
        match &self.logic {
            CompiledLogic::Formula(conditions) => {
                if position_is_long {
                    conditions.exit_long.is_some()
                } else {
                    conditions.exit_short.is_some()
                }
            }
            _ => false,
        }
    }

    /// `(long, short)` entry conditions at bar `t`, from closes and indicator values up to bar t.
    // Always inlined: the bar-by-bar scans call it in their inner loop.
    #[inline(always)]
    pub fn at(&self, close: &[f64], t: usize) -> (bool, bool) {
        let bars = Bars { close };
        match &self.logic {
            CompiledLogic::Always => (true, true),
            CompiledLogic::Formula(conditions) => {
                (holds(&conditions.long, t), holds(&conditions.short, t))
            }
            CompiledLogic::Score {
                score,
                buy_above,
                sell_below,
            } => {
                let value = score.value(bars, t);
                (value > *buy_above, value < *sell_below)
            }
            CompiledLogic::Rules { rules, combine } => {
                if let [only] = rules.as_slice() {
                    return only.signal(bars, t);
                }
                let needed = match combine {
                    Combine::All => rules.len(),
                    Combine::Any => 1,
                    Combine::AtLeast { count } => *count as usize,
                };
                let (mut longs, mut shorts) = (0usize, 0usize);
                for (index, rule) in rules.iter().enumerate() {
                    let (long, short) = rule.signal(bars, t);
                    longs += usize::from(long);
                    shorts += usize::from(short);
                    // Stop once the rules left can change neither side's answer: both sides
                    // already reached `needed`, or neither can reach it any more.
                    let left = rules.len() - index - 1;
                    let settled = |count: usize| count >= needed || count + left < needed;
                    if settled(longs) && settled(shorts) {
                        break;
                    }
                }
                (longs >= needed, shorts >= needed)
            }
        }
    }

    /// Why the entry conditions of one side hold or not at bar `t`: for rules, the indices of the
    /// rules that fire on that side and how many are needed; for a factor score, its value. The
    /// live engine's signal reasons.
    pub(crate) fn explain(&self, close: &[f64], t: usize, long: bool) -> Explanation {
        let bars = Bars { close };
        match &self.logic {
            CompiledLogic::Always => Explanation::Always,
            CompiledLogic::Formula(conditions) => Explanation::Formula(if long {
                holds(&conditions.long, t)
            } else {
                holds(&conditions.short, t)
            }),
            CompiledLogic::Score { score, .. } => Explanation::Score(score.value(bars, t)),
            CompiledLogic::Rules { rules, combine } => Explanation::Rules {
                fired: rules
                    .iter()
                    .enumerate()
                    .filter(|(_, rule)| {
                        let (on_long, on_short) = rule.signal(bars, t);
                        if long { on_long } else { on_short }
                    })
                    .map(|(index, _)| index)
                    .collect(),
                needed: match combine {
                    Combine::All => rules.len(),
                    Combine::Any => 1,
                    Combine::AtLeast { count } => *count as usize,
                },
            },
        }
    }
}

/// See [`EntrySignals::explain`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Explanation {
    /// Always in the market.
    Always,
    /// The factor score's value.
    Score(f64),
    /// The rules that fired (indices in the genome's order) and how many must.
    Rules { fired: Vec<usize>, needed: usize },
    /// Whether the side's entry formula holds.
    Formula(bool),
}

/// The index in `events` of the first crossing at or after bar `from`, searched from `cursor`
/// (where the previous lookup ended), which it then moves there. A backtest asks about bars in
/// order, so the answer is almost always the cursor itself or a step or two past it: a few
/// comparisons instead of a binary search per lookup. A `from` before the cursor's crossing, or
/// far past it, falls back to a binary search; the answer never depends on the cursor.
#[inline]
fn seek(events: &[Crossing], cursor: &Cell<usize>, from: usize) -> usize {
    const LINEAR_STEPS: usize = 4;
    let mut index = cursor.get().min(events.len());
    if index > 0 && events[index - 1].bar() >= from {
        index = events[..index].partition_point(|crossing| crossing.bar() < from);
    } else {
        let mut steps = 0;
        while index < events.len() && events[index].bar() < from {
            index += 1;
            steps += 1;
            if steps == LINEAR_STEPS {
                index += events[index..].partition_point(|crossing| crossing.bar() < from);
                break;
            }
        }
    }
    cursor.set(index);
    index
}

/// [`EntrySignals::next_entry`] for a single crossover rule from its crossing bars: crossings above
/// are `(true, false)`, crossings below `(false, true)`, every other bar `(false, false)` (which
/// `wanted` never turns into an entry).
#[inline]
fn next_crossing<S>(
    events: &[Crossing],
    cursor: &Cell<usize>,
    from: usize,
    to: usize,
    wanted: impl Fn(bool, bool) -> Option<S>,
) -> Option<(usize, S)> {
    for crossing in &events[seek(events, cursor, from)..] {
        if crossing.bar() >= to {
            return None;
        }
        if let Some(side) = wanted(crossing.above(), !crossing.above()) {
            return Some((crossing.bar(), side));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_core::{BarColumns, BarSeries, Timestamp};

    fn cache() -> IndicatorCache {
        // A wave with drift, so fast and slow averages cross many times.
        let mut columns = BarColumns::with_capacity(400);
        for index in 0..400 {
            let close = 100.0 + f64::from(index) * 0.05 + (f64::from(index) / 9.0).sin() * 6.0;
            columns
                .timestamps
                .push(Timestamp(i64::from(index) * 60_000));
            columns.open.push(close);
            columns.high.push(close);
            columns.low.push(close);
            columns.close.push(close);
            columns.volume.push(0.0);
        }
        IndicatorCache::new(Arc::new(BarSeries::new(columns, false).unwrap()))
    }

    /// `fewest` to 4 random rules of any kind, combined at random: `all`, `any`, or at least 0 to
    /// one more than the list holds.
    fn random_rule_list(
        rng: &mut rand_chacha::ChaCha8Rng,
        fewest: usize,
        cache: &IndicatorCache,
    ) -> EntrySignals {
        use rand::RngExt;
        let count = rng.random_range(fewest..=4);
        let rules: Vec<Rule> = (0..count)
            .map(|_| gauntlet_genome::random_rule(rng))
            .collect();
        let combine = match rng.random_range(0..3) {
            0 => Combine::All,
            1 => Combine::Any,
            _ => Combine::AtLeast {
                count: rng.random_range(0..=count as u32 + 1),
            },
        };
        EntrySignals::compile(&EntryLogic::Rules { rules, combine }, cache).unwrap()
    }

    /// [`EntrySignals::at`] stops evaluating rules once the rest cannot change its answer; it must
    /// answer as counting every rule does ([`EntrySignals::explain`] evaluates each), for random
    /// rule lists of every size and every combination, including counts of 0 and above the list.
    #[test]
    fn stopping_early_answers_as_counting_every_rule() {
        use rand::SeedableRng;
        let cache = cache();
        let close = cache.series().close();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let (mut longs, mut shorts, mut bars) = (0, 0, 0);
        for _ in 0..300 {
            let signals = random_rule_list(&mut rng, 2, &cache);
            for t in 0..close.len() {
                let counted = [true, false].map(|long| match signals.explain(close, t, long) {
                    Explanation::Rules { fired, needed } => fired.len() >= needed,
                    other => panic!("{other:?}"),
                });
                assert_eq!(
                    signals.at(close, t),
                    (counted[0], counted[1]),
                    "{signals:?} bar {t}"
                );
                longs += usize::from(counted[0]);
                shorts += usize::from(counted[1]);
                bars += 1;
            }
        }
        // Both answers must be common enough for the comparison to mean something.
        assert!(
            longs > bars / 20 && shorts > bars / 20,
            "{longs} {shorts} of {bars}"
        );
    }

    /// [`EntrySignals::next_entry`]'s scans (the first rule's alone for `all`) find the same bar and
    /// side as asking [`EntrySignals::at`] bar by bar, for random rule lists of every kind and size,
    /// every combination and random ranges (from bar 0 too).
    #[test]
    fn scans_find_what_bar_by_bar_finds() {
        use rand::{RngExt, SeedableRng};
        let cache = cache();
        let close = cache.series().close();
        let bars = close.len();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let either = |long: bool, short: bool| match (long, short) {
            (true, false) => Some('L'),
            (false, true) => Some('S'),
            _ => None,
        };
        let short_only = |_: bool, short: bool| short.then_some('S');
        let (mut found, mut cases) = (0, 0);
        for _ in 0..300 {
            let signals = random_rule_list(&mut rng, 1, &cache);
            let reference =
                |from: usize, to: usize, wanted: &dyn Fn(bool, bool) -> Option<char>| {
                    (from..to).find_map(|t| {
                        let (long, short) = signals.at(close, t);
                        wanted(long, short).map(|side| (t, side))
                    })
                };
            for _ in 0..20 {
                let from = if rng.random_bool(0.2) {
                    0
                } else {
                    rng.random_range(0..bars)
                };
                let to = rng.random_range(from..=bars);
                let got = signals.next_entry(close, from, to, either);
                assert_eq!(
                    got,
                    reference(from, to, &either),
                    "{signals:?} {from}..{to}"
                );
                assert_eq!(
                    signals.next_entry(close, from, to, short_only),
                    reference(from, to, &short_only)
                );
                cases += 1;
                found += usize::from(got.is_some());
            }
        }
        // The comparison means something only if entries are found often, and missed often.
        assert!(
            found > cases / 5 && found < cases * 4 / 5,
            "{found} of {cases}"
        );
    }

    /// A single crossover rule answers from its crossing bars; the same rule twice with `All` (the
    /// same conditions) is evaluated bar by bar. Both must agree at every bar and in every scan.
    #[test]
    fn crossing_lists_answer_like_the_columns() {
        let cache = cache();
        let rule = Rule::MovingAverageCross {
            average: AverageKind::Ema,
            fast: 5,
            slow: 20,
        };
        let sparse = EntrySignals::compile(
            &EntryLogic::Rules {
                rules: vec![rule.clone()],
                combine: Combine::All,
            },
            &cache,
        )
        .unwrap();
        let dense = EntrySignals::compile(
            &EntryLogic::Rules {
                rules: vec![rule.clone(), rule],
                combine: Combine::All,
            },
            &cache,
        )
        .unwrap();
        assert!(matches!(
            &sparse.logic,
            CompiledLogic::Rules { rules, .. }
                if matches!(rules[0], CompiledRule::CrossList { .. })
        ));
        let close = cache.series().close();
        let bars = close.len();
        let mut fired = 0;
        for t in 0..bars {
            assert_eq!(sparse.at(close, t), dense.at(close, t), "bar {t}");
            fired += usize::from(sparse.at(close, t) != (false, false));
        }
        assert!(fired >= 10, "only {fired} crossings");
        let long_only = |long: bool, _: bool| long.then_some('L');
        let either = |long: bool, short: bool| match (long, short) {
            (true, false) => Some('L'),
            (false, true) => Some('S'),
            _ => None,
        };
        for from in (0..bars).step_by(7) {
            for to in [from, from + 13, from + 60, bars] {
                let to = to.min(bars);
                assert_eq!(
                    sparse.next_entry(close, from, to, long_only),
                    dense.next_entry(close, from, to, long_only)
                );
                assert_eq!(
                    sparse.next_entry(close, from, to, either),
                    dense.next_entry(close, from, to, either)
                );
                for long in [true, false] {
                    assert_eq!(
                        sparse.next_opposite(close, from, to, long),
                        dense.next_opposite(close, from, to, long)
                    );
                }
            }
        }
        // Lookups out of order (the crossing list's cursor moves back and far ahead): bars in a
        // scrambled order (97 is coprime with the 400 bars, so every bar comes once).
        assert_eq!(bars, 400);
        for step in 0..bars {
            let t = step * 97 % bars;
            assert_eq!(sparse.at(close, t), dense.at(close, t), "bar {t}");
            assert_eq!(
                sparse.next_entry(close, t, bars, either),
                dense.next_entry(close, t, bars, either),
                "from bar {t}"
            );
        }
    }
}
