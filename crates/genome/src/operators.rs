//! Random genomes and the genetic operators that breed them: chromosome and uniform crossover,
//! Gaussian mutation of continuous genes, discrete mutation of periods on [`PERIOD_GRID`], structural
//! mutation of the rule list, and switching optional exits on or off. Every result is repaired so it
//! validates ([`Genome::validate`]); the property tests in `tests/operators.rs` check that.
//!
//! Operators take any [`rand::Rng`]; the evolution engine hands them a stream derived from (seed,
//! generation, island, index), so a child depends on nothing else.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Normal};
use std::hash::Hasher;

use crate::genome::*;
use crate::random::{
    MAX_EVOLVED_HOLDING_BARS, MAX_EVOLVED_RULES, bounds, grid_period, random_direction,
    random_exit, random_logic, random_rule, random_sizing, uniform, width_on_grid,
};
use crate::template::Template;
use crate::template_operators::{
    crossover_values, jitter_values, mutate_placeholder, refill, shared_template, template_of,
};
use crate::validate::{MAX_RULES, PERIOD_GRID};

/// A random genome with the account `risk` limits (those are the experiment's policy, not genes).
pub fn random_genome<R: Rng + ?Sized>(rng: &mut R, risk: RiskLimits) -> Genome {
    let mut genome = Genome {
        schema: GENOME_SCHEMA,
        name: None,
        entry: EntryChromosome {
            direction: random_direction(rng),
            logic: random_logic(rng),
        },
        exit: random_exit(rng),
        sizing: random_sizing(rng),
        risk,
        lineage: Lineage::default(),
    };
    repair(&mut genome);
    genome
}

/// A random genome whose entry is `template` filled at random ([`random_values`](crate::random_values)), trading the
/// direction its entry sides give, with random exits and sizing and the account `risk` limits.
pub fn random_template_genome<R: Rng + ?Sized>(
    rng: &mut R,
    risk: RiskLimits,
    template: &Template,
) -> Genome {
    let values = crate::template_operators::random_values(template, rng);
    let entry = template
        .fill(&values)
        .expect("random values are within the template's bounds");
    let mut genome = Genome {
        schema: GENOME_SCHEMA,
        name: None,
        entry: EntryChromosome {
            direction: template.direction(),
            logic: EntryLogic::Formula(entry),
        },
        exit: random_exit(rng),
        sizing: random_sizing(rng),
        risk,
        lineage: Lineage::default(),
    };
    repair(&mut genome);
    genome
}

fn pick<'a, T, R: Rng + ?Sized>(rng: &mut R, first: &'a T, second: &'a T) -> &'a T {
    if rng.random_bool(0.5) { first } else { second }
}

/// A child of two parents and the operator's name:
/// - `crossover:chromosome` (half the time): the entry chromosome of one parent, the exits of the
///   other, the sizing of either;
/// - `crossover:uniform`: each gene from either parent: rule slots, combination and direction of
///   the entry (when both use rules; otherwise the whole entry of one), every exit and sizing gene.
///
/// Name and lineage are left empty (the evolution records lineage); account risk limits come from
/// the first parent.
pub fn crossover<R: Rng + ?Sized>(
    first: &Genome,
    second: &Genome,
    rng: &mut R,
) -> (Genome, String) {
    let (mut child, operator) = if rng.random_bool(0.5) {
        let (entry_parent, exit_parent) = if rng.random_bool(0.5) {
            (first, second)
        } else {
            (second, first)
        };
        let child = Genome {
            entry: entry_parent.entry.clone(),
            exit: exit_parent.exit.clone(),
            sizing: *pick(rng, &first.sizing, &second.sizing),
            ..first.clone()
        };
        (child, "crossover:chromosome")
    } else {
        (uniform_crossover(first, second, rng), "crossover:uniform")
    };
    child.name = None;
    child.lineage = Lineage::default();
    repair(&mut child);
    (child, operator.to_string())
}

fn uniform_crossover<R: Rng + ?Sized>(first: &Genome, second: &Genome, rng: &mut R) -> Genome {
    let logic = match (&first.entry.logic, &second.entry.logic) {
        (
            EntryLogic::Rules {
                rules: first_rules,
                combine: first_combine,
            },
            EntryLogic::Rules {
                rules: second_rules,
                combine: second_combine,
            },
        ) => {
            let length = pick(rng, &first_rules.len(), &second_rules.len()).to_owned();
            let rules = (0..length)
                .map(
                    |slot| match (first_rules.get(slot), second_rules.get(slot)) {
                        (Some(a), Some(b)) => pick(rng, a, b).clone(),
                        (Some(only), None) | (None, Some(only)) => only.clone(),
                        (None, None) => unreachable!("slot below the longer list's length"),
                    },
                )
                .collect();
            EntryLogic::Rules {
                rules,
                combine: *pick(rng, first_combine, second_combine),
            }
        }
        (a, b) => match shared_template(a, b) {
            Some((fill, other)) => {
                let template = Template::new(&fill.template, "template").ok();
                let values = template.as_ref().map(|template| {
                    (
                        template,
                        crossover_values(template, &fill.values, &other.values, rng),
                    )
                });
                values
                    .and_then(|(template, values)| template.fill(&values).ok())
                    .map_or_else(|| a.clone(), EntryLogic::Formula)
            }
            None => pick(rng, a, b).clone(),
        },
    };
    let (a, b) = (&first.exit, &second.exit);
    let exit = ExitChromosome {
        stop_loss_pct: *pick(rng, &a.stop_loss_pct, &b.stop_loss_pct),
        take_profit_pct: *pick(rng, &a.take_profit_pct, &b.take_profit_pct),
        trailing_stop: *pick(rng, &a.trailing_stop, &b.trailing_stop),
        max_holding_bars: *pick(rng, &a.max_holding_bars, &b.max_holding_bars),
        channel_exit_bars: *pick(rng, &a.channel_exit_bars, &b.channel_exit_bars),
        exit_on_opposite_signal: *pick(rng, &a.exit_on_opposite_signal, &b.exit_on_opposite_signal),
    };
    let (a, b) = (&first.sizing, &second.sizing);
    let sizing = SizingChromosome {
        method: *pick(rng, &a.method, &b.method),
        max_position_pct: *pick(rng, &a.max_position_pct, &b.max_position_pct),
        leverage_cap: *pick(rng, &a.leverage_cap, &b.leverage_cap),
        max_positions: *pick(rng, &a.max_positions, &b.max_positions),
    };
    Genome {
        entry: EntryChromosome {
            direction: *pick(rng, &first.entry.direction, &second.entry.direction),
            logic,
        },
        exit,
        sizing,
        ..first.clone()
    }
}

/// A continuous gene: its path, a mutable reference and its bounds.
struct ContinuousGene<'a> {
    path: String,
    value: &'a mut f64,
    low: f64,
    high: f64,
}

fn gene<'a>(path: String, value: &'a mut f64, bound: &str) -> ContinuousGene<'a> {
    let (low, high) = bounds(bound);
    ContinuousGene {
        path,
        value,
        low,
        high,
    }
}

/// Every continuous gene the genome has switched on.
fn continuous_genes(genome: &mut Genome) -> Vec<ContinuousGene<'_>> {
    let Genome {
        entry,
        exit,
        sizing,
        ..
    } = genome;
    let mut genes: Vec<ContinuousGene<'_>> = Vec::new();
    match &mut entry.logic {
        EntryLogic::Rules { rules, .. } => {
            for (index, rule) in rules.iter_mut().enumerate() {
                let path = |name: &str| format!("entry.logic.rules[{index}].{name}");
                match rule {
                    Rule::RsiThreshold { lower, upper, .. } => {
                        genes.push(gene(path("lower"), lower, "rsi.lower"));
                        genes.push(gene(path("upper"), upper, "rsi.upper"));
                    }
                    Rule::BollingerTouch { width, .. } => {
                        genes.push(gene(path("width"), width, "bollinger.width"));
                    }
                    Rule::RocMomentum { threshold_pct, .. } => {
                        genes.push(gene(
                            path("threshold_pct"),
                            threshold_pct,
                            "roc.threshold_pct",
                        ));
                    }
                    Rule::ZScoreReversion { threshold, .. } => {
                        genes.push(gene(path("threshold"), threshold, "zscore.threshold"));
                    }
                    Rule::VolatilityBand {
                        min_pct, max_pct, ..
                    } => {
                        genes.push(gene(path("min_pct"), min_pct, "volatility_band.pct"));
                        genes.push(gene(path("max_pct"), max_pct, "volatility_band.pct"));
                    }
                    Rule::MovingAverageCross { .. }
                    | Rule::PriceVsAverage { .. }
                    | Rule::DonchianBreakout { .. }
                    | Rule::MacdCross { .. }
                    | Rule::TrendRegime { .. } => {}
                }
            }
        }
        EntryLogic::MultiFactor(score) => {
            let FactorScore {
                trend_weight,
                momentum_scale_pct,
                momentum_weight,
                volatility_max_pct,
                volatility_weight,
                buy_above,
                sell_below,
                ..
            } = score;
            let path = |name: &str| format!("entry.logic.{name}");
            genes.push(gene(path("trend_weight"), trend_weight, "score.weight"));
            genes.push(gene(
                path("momentum_weight"),
                momentum_weight,
                "score.weight",
            ));
            genes.push(gene(
                path("volatility_weight"),
                volatility_weight,
                "score.weight",
            ));
            genes.push(gene(
                path("momentum_scale_pct"),
                momentum_scale_pct,
                "score.scale_pct",
            ));
            genes.push(gene(
                path("volatility_max_pct"),
                volatility_max_pct,
                "score.volatility_max_pct",
            ));
            genes.push(gene(path("buy_above"), buy_above, "score.threshold"));
            let (low, high) = bounds("score.threshold");
            genes.push(ContinuousGene {
                path: path("sell_below"),
                value: sell_below,
                low: -high,
                high: -low,
            });
        }
        // A formula's numbers are fixed (a template's placeholders are what evolution fills).
        EntryLogic::Always | EntryLogic::Formula(_) => {}
    }
    if let Some(stop) = &mut exit.stop_loss_pct {
        genes.push(gene(
            "exit.stop_loss_pct".into(),
            stop,
            "exit.stop_loss_pct",
        ));
    }
    if let Some(target) = &mut exit.take_profit_pct {
        genes.push(gene(
            "exit.take_profit_pct".into(),
            target,
            "exit.take_profit_pct",
        ));
    }
    if let Some(TrailingStop {
        activation_pct,
        trail_pct,
    }) = &mut exit.trailing_stop
    {
        genes.push(gene(
            "exit.trailing_stop.activation_pct".into(),
            activation_pct,
            "exit.trailing_stop.activation_pct",
        ));
        genes.push(gene(
            "exit.trailing_stop.trail_pct".into(),
            trail_pct,
            "exit.trailing_stop.trail_pct",
        ));
    }
    let SizingChromosome {
        method,
        max_position_pct,
        ..
    } = sizing;
    match method {
        SizingMethod::FixedFraction { fraction_pct } => genes.push(gene(
            "sizing.method.fraction_pct".into(),
            fraction_pct,
            "sizing.method.fraction_pct",
        )),
        SizingMethod::RiskPerTrade { risk_pct } => genes.push(gene(
            "sizing.method.risk_pct".into(),
            risk_pct,
            "sizing.method.risk_pct",
        )),
        SizingMethod::VolatilityTarget {
            annual_volatility_pct,
            ..
        } => genes.push(gene(
            "sizing.method.annual_volatility_pct".into(),
            annual_volatility_pct,
            "sizing.method.annual_volatility_pct",
        )),
        SizingMethod::AllIn => {}
    }
    genes.push(gene(
        "sizing.max_position_pct".into(),
        max_position_pct,
        "sizing.max_position_pct",
    ));
    genes
}

/// Every period gene the genome has, with its path.
fn period_genes(genome: &mut Genome) -> Vec<(String, &mut u32)> {
    let Genome {
        entry,
        exit,
        sizing,
        ..
    } = genome;
    let mut genes: Vec<(String, &mut u32)> = Vec::new();
    match &mut entry.logic {
        EntryLogic::Rules { rules, .. } => {
            for (index, rule) in rules.iter_mut().enumerate() {
                let path = |name: &str| format!("entry.logic.rules[{index}].{name}");
                match rule {
                    Rule::MovingAverageCross { fast, slow, .. } => {
                        genes.push((path("fast"), fast));
                        genes.push((path("slow"), slow));
                    }
                    Rule::MacdCross { fast, slow, signal } => {
                        genes.push((path("fast"), fast));
                        genes.push((path("slow"), slow));
                        genes.push((path("signal"), signal));
                    }
                    Rule::PriceVsAverage { period, .. }
                    | Rule::RsiThreshold { period, .. }
                    | Rule::BollingerTouch { period, .. }
                    | Rule::DonchianBreakout { period }
                    | Rule::RocMomentum { period, .. }
                    | Rule::ZScoreReversion { period, .. }
                    | Rule::VolatilityBand { period, .. }
                    | Rule::TrendRegime { period } => genes.push((path("period"), period)),
                }
            }
        }
        EntryLogic::MultiFactor(score) => {
            let FactorScore {
                trend_fast,
                trend_slow,
                momentum_period,
                volatility_period,
                ..
            } = score;
            genes.push(("entry.logic.trend_fast".into(), trend_fast));
            genes.push(("entry.logic.trend_slow".into(), trend_slow));
            genes.push(("entry.logic.momentum_period".into(), momentum_period));
            genes.push(("entry.logic.volatility_period".into(), volatility_period));
        }
        // A formula's numbers are fixed (a template's placeholders are what evolution fills).
        EntryLogic::Always | EntryLogic::Formula(_) => {}
    }
    if let Some(bars) = &mut exit.channel_exit_bars {
        genes.push(("exit.channel_exit_bars".into(), bars));
    }
    if let SizingMethod::VolatilityTarget { lookback, .. } = &mut sizing.method {
        genes.push(("sizing.method.lookback".into(), lookback));
    }
    genes
}

/// The index of the grid period nearest `period`.
fn nearest_grid_index(period: u32) -> usize {
    (0..PERIOD_GRID.len())
        .min_by_key(|&index| PERIOD_GRID[index].abs_diff(period))
        .unwrap_or(0)
}

/// A mutated copy and the operator's name (`mutation:<kind>:<field>`). The kind is drawn as:
/// - `gaussian` (40%): one continuous gene plus N(0, (0.1 (high - low))^2) (a Gaussian from
///   `rand_distr`), clamped to its [`CONTINUOUS_BOUNDS`](crate::CONTINUOUS_BOUNDS);
/// - `period` (25%): one period moved 1 or 2 steps along [`PERIOD_GRID`] (from the grid point nearest
///   it, so imported off-grid periods join the grid);
/// - `structural` (20%): add a random rule, remove one, or replace one (a factor score is redrawn);
/// - `switch` (15%): an optional exit switched on (at a random value) or off, the opposite-signal
///   exit flipped, or the direction redrawn.
///
/// A kind with nothing to act on falls through to the next one. The result is repaired to validate.
///
/// A template genome (#29) has one placeholder mutated instead with probability 1/2
/// (`mutation:placeholder:<name>`, see `template_operators.rs`), before the draw above; other
/// genomes draw exactly as before.
pub fn mutate<R: Rng + ?Sized>(genome: &Genome, rng: &mut R) -> (Genome, String) {
    let mut child = genome.clone();
    child.name = None;
    child.lineage = Lineage::default();
    // A template genome's placeholders mutate half the time (its exits and sizing otherwise).
    if let Some((template, values)) = template_of(&child)
        && rng.random_bool(0.5)
        && let Some(operator) = mutate_placeholder(&mut child, &template, &values, rng)
    {
        repair(&mut child);
        return (child, operator);
    }
    let roll = rng.random_range(0..100);
    let order: [u8; 4] = match roll {
        0..=39 => [0, 1, 2, 3],
        40..=64 => [1, 0, 2, 3],
        65..=84 => [2, 0, 1, 3],
        _ => [3, 0, 1, 2],
    };
    let mut operator = String::new();
    for kind in order {
        let done = match kind {
            0 => mutate_continuous(&mut child, rng),
            1 => mutate_period(&mut child, rng),
            2 => mutate_structure(&mut child, rng),
            _ => Some(mutate_switch(&mut child, rng)),
        };
        if let Some(name) = done {
            operator = name;
            break;
        }
    }
    repair(&mut child);
    (child, operator)
}

fn mutate_continuous<R: Rng + ?Sized>(genome: &mut Genome, rng: &mut R) -> Option<String> {
    let mut genes = continuous_genes(genome);
    if genes.is_empty() {
        return None;
    }
    let index = rng.random_range(0..genes.len());
    let gene = &mut genes[index];
    let spread = 0.1 * (gene.high - gene.low);
    let step = Normal::new(0.0, spread).map_or(0.0, |normal| normal.sample(rng));
    *gene.value = (*gene.value + step).clamp(gene.low, gene.high);
    Some(format!("mutation:gaussian:{}", gene.path))
}

fn mutate_period<R: Rng + ?Sized>(genome: &mut Genome, rng: &mut R) -> Option<String> {
    let mut genes = period_genes(genome);
    if genes.is_empty() {
        return None;
    }
    let index = rng.random_range(0..genes.len());
    let (path, value) = &mut genes[index];
    let steps = [-2i64, -1, 1, 2][rng.random_range(0..4)];
    let position =
        (nearest_grid_index(**value) as i64 + steps).clamp(0, PERIOD_GRID.len() as i64 - 1);
    **value = PERIOD_GRID[position as usize];
    Some(format!("mutation:period:{path}"))
}

fn mutate_structure<R: Rng + ?Sized>(genome: &mut Genome, rng: &mut R) -> Option<String> {
    match &mut genome.entry.logic {
        EntryLogic::Rules { rules, .. } => {
            let choice = rng.random_range(0..3);
            if choice == 0 && rules.len() < MAX_EVOLVED_RULES {
                rules.push(random_rule(rng));
                Some("mutation:structural:add_rule".into())
            } else if choice == 1 && rules.len() > 1 {
                let index = rng.random_range(0..rules.len());
                rules.remove(index);
                Some(format!("mutation:structural:remove_rule[{index}]"))
            } else {
                let index = rng.random_range(0..rules.len());
                rules[index] = random_rule(rng);
                Some(format!("mutation:structural:replace_rule[{index}]"))
            }
        }
        EntryLogic::MultiFactor(_) => {
            genome.entry.logic = random_logic(rng);
            Some("mutation:structural:redraw_entry".into())
        }
        EntryLogic::Always | EntryLogic::Formula(_) => None,
    }
}

fn mutate_switch<R: Rng + ?Sized>(genome: &mut Genome, rng: &mut R) -> String {
    let exit = &mut genome.exit;
    let field = match rng.random_range(0..7) {
        0 => {
            exit.stop_loss_pct = match exit.stop_loss_pct {
                Some(_) => None,
                None => Some(uniform(rng, "exit.stop_loss_pct")),
            };
            "exit.stop_loss_pct"
        }
        1 => {
            exit.take_profit_pct = match exit.take_profit_pct {
                Some(_) => None,
                None => Some(uniform(rng, "exit.take_profit_pct")),
            };
            "exit.take_profit_pct"
        }
        2 => {
            exit.trailing_stop = match exit.trailing_stop {
                Some(_) => None,
                None => Some(TrailingStop {
                    activation_pct: uniform(rng, "exit.trailing_stop.activation_pct"),
                    trail_pct: uniform(rng, "exit.trailing_stop.trail_pct"),
                }),
            };
            "exit.trailing_stop"
        }
        3 => {
            exit.max_holding_bars = match exit.max_holding_bars {
                Some(_) => None,
                None => Some(rng.random_range(2..=MAX_EVOLVED_HOLDING_BARS)),
            };
            "exit.max_holding_bars"
        }
        4 => {
            exit.channel_exit_bars = match exit.channel_exit_bars {
                Some(_) => None,
                None => Some(grid_period(rng, 5)),
            };
            "exit.channel_exit_bars"
        }
        5 => {
            exit.exit_on_opposite_signal = !exit.exit_on_opposite_signal;
            "exit.exit_on_opposite_signal"
        }
        _ => {
            genome.entry.direction = random_direction(rng);
            "entry.direction"
        }
    };
    format!("mutation:switch:{field}")
}

/// A parameter neighbour of `genome` for robustness tests (the optimisation profile of
/// StrategyQuant X's System Parameter Permutation; Pardo 2008, ch. 7, "the robustness of the
/// optimum"): the same rules, every period moved -1, 0 or +1 step along [`PERIOD_GRID`] (each
/// equally likely) and every continuous gene scaled by a uniform factor in
/// `[1 - relative, 1 + relative]` (`relative` a fraction, e.g. 0.1 for +-10%), clamped to its
/// [`CONTINUOUS_BOUNDS`](crate::CONTINUOUS_BOUNDS); then repaired, so it validates. Draws only from `rng`.
pub fn jitter<R: Rng + ?Sized>(genome: &Genome, rng: &mut R, relative: f64) -> Genome {
    let mut neighbour = genome.clone();
    neighbour.name = None;
    neighbour.lineage = Lineage::default();
    let relative = if relative.is_finite() {
        relative.clamp(0.0, 1.0)
    } else {
        0.0
    };
    for (_, period) in period_genes(&mut neighbour) {
        let steps = rng.random_range(-1i64..=1);
        let position =
            (nearest_grid_index(*period) as i64 + steps).clamp(0, PERIOD_GRID.len() as i64 - 1);
        *period = PERIOD_GRID[position as usize];
    }
    for gene in continuous_genes(&mut neighbour) {
        let factor = 1.0 + rng.random_range(-relative..=relative);
        *gene.value = (*gene.value * factor).clamp(gene.low, gene.high);
    }
    if let Some((template, values)) = template_of(&neighbour) {
        let values = jitter_values(&template, &values, rng, relative);
        refill(&mut neighbour, &template, &values);
    }
    repair(&mut neighbour);
    neighbour
}

/// The longest period among the genome's indicators and exits (bars), 0 when it has none: with
/// fewer bars than this a backtest can never see the indicator's first value, so it never trades.
pub fn longest_period(genome: &Genome) -> u32 {
    let mut copy = genome.clone();
    period_genes(&mut copy)
        .into_iter()
        .map(|(_, period)| *period)
        .max()
        .unwrap_or(0)
}

/// A genome's complexity: its entry rules (a factor score counts as its three factors) plus its
/// parameters (every period and every switched-on continuous gene, sizing included). The
/// SMA(50/200) crossover of `genomes/` with fixed-fraction sizing is 1 rule + 2 periods + the
/// fraction + the position cap = 5. A formula counts one rule per formula, plus one parameter per
/// placeholder of the template it fills.
pub fn complexity(genome: &Genome) -> usize {
    let rules = match &genome.entry.logic {
        EntryLogic::Rules { rules, .. } => rules.len(),
        EntryLogic::MultiFactor(_) => 3,
        EntryLogic::Always => 0,
        // A template's placeholders are its parameters.
        EntryLogic::Formula(entry) => {
            entry.formulas().count() + entry.template.as_ref().map_or(0, |fill| fill.values.len())
        }
    };
    let mut copy = genome.clone();
    let periods = period_genes(&mut copy).len();
    let continuous = continuous_genes(&mut copy).len();
    rules + periods + continuous
}

/// Makes `genome` consistent so it validates: crossover and mutation may combine genes that only
/// made sense together (a risk-per-trade size without a stop, a fast period above the slow one, a
/// factor score whose weights all reached 0).
/// Sorted pairs are swapped (equal ones pushed one grid step apart), rule lists are deduplicated and
/// cut to [`MAX_RULES`], `at_least` counts clamped to the rule count, an ATR band or RSI pair widened
/// when empty, a missing stop for risk sizing set to 2%, and a non-finite continuous gene set to its lower bound.
pub fn repair(genome: &mut Genome) {
    if let EntryLogic::Rules { rules, combine } = &mut genome.entry.logic {
        let mut unique: Vec<Rule> = Vec::with_capacity(rules.len());
        for rule in rules.drain(..) {
            if !unique.contains(&rule) {
                unique.push(rule);
            }
        }
        unique.truncate(MAX_RULES);
        *rules = unique;
        for rule in rules.iter_mut() {
            match rule {
                Rule::MovingAverageCross { fast, slow, .. }
                | Rule::MacdCross { fast, slow, .. } => {
                    order_periods(fast, slow);
                }
                Rule::RsiThreshold { lower, upper, .. } => {
                    if *lower >= *upper {
                        std::mem::swap(lower, upper);
                    }
                    if *upper - *lower < 1.0 {
                        *lower = (*lower - 1.0).max(1.0);
                        *upper = (*lower + 2.0).min(99.0);
                    }
                }
                Rule::VolatilityBand {
                    min_pct, max_pct, ..
                } => {
                    if *min_pct > *max_pct {
                        std::mem::swap(min_pct, max_pct);
                    }
                    if *max_pct - *min_pct < 0.1 {
                        *max_pct = *min_pct + 0.1;
                    }
                }
                _ => {}
            }
        }
        if let Combine::AtLeast { count } = combine {
            *count = (*count).clamp(1, rules.len() as u32);
        }
        for rule in rules.iter_mut() {
            if let Rule::BollingerTouch { width, .. } = rule
                && width.is_finite()
            {
                *width = width_on_grid(*width);
            }
        }
    }
    if let EntryLogic::MultiFactor(score) = &mut genome.entry.logic {
        order_periods(&mut score.trend_fast, &mut score.trend_slow);
        // A score of all-zero weights is always 0: give the trend its smallest weight back.
        if score.trend_weight + score.momentum_weight + score.volatility_weight <= 0.0 {
            score.trend_weight = 1.0;
        }
        if score.sell_below >= score.buy_above {
            std::mem::swap(&mut score.sell_below, &mut score.buy_above);
            if score.sell_below >= score.buy_above {
                score.sell_below = score.buy_above - 1.0;
            }
        }
    }
    // A template genome trades the direction its entry sides give (a mutation may redraw it).
    if let EntryLogic::Formula(FormulaEntry {
        template: Some(fill),
        ..
    }) = &genome.entry.logic
    {
        genome.entry.direction = match (fill.template.long.is_some(), fill.template.short.is_some())
        {
            (true, false) => Direction::Long,
            (false, true) => Direction::Short,
            _ => Direction::Both,
        };
    }
    if matches!(genome.sizing.method, SizingMethod::RiskPerTrade { .. })
        && genome.exit.stop_loss_pct.is_none()
    {
        genome.exit.stop_loss_pct = Some(2.0);
    }
    for gene in continuous_genes(genome) {
        if !gene.value.is_finite() {
            *gene.value = gene.low;
        }
    }
}

/// Puts a (fast, slow) pair in order, moving an equal pair one grid step apart.
fn order_periods(fast: &mut u32, slow: &mut u32) {
    if *fast > *slow {
        std::mem::swap(fast, slow);
    }
    if fast == slow {
        let index = nearest_grid_index(*slow);
        if index + 1 < PERIOD_GRID.len() && PERIOD_GRID[index + 1] > *fast {
            *slow = PERIOD_GRID[index + 1];
        } else {
            *fast = PERIOD_GRID[index.saturating_sub(1)].min(*slow - 1).max(1);
        }
    }
}

impl Genome {
    /// The entry's structure, without parameters: direction, combination and the sorted kinds of
    /// its rules (a factor score or buy-and-hold is one kind). Two genomes with the same key are
    /// variations of one idea; the hall of fame keeps the best genome of each key (its niche).
    ///
    /// The text is a stable format (its hash is saved in checkpoints): `Long`/`Short`/`Both`, then
    /// `All`, `Any` or `AtLeast { count: N }` and the rules' JSON tags quoted and comma-separated
    /// (`"rsi_threshold","sma_cross"`), or `Discriminant(1)` for a factor score and
    /// `Discriminant(2)` for buy-and-hold. (These spellings are the ones earlier versions took from
    /// `Debug`; they are now written out here so no derive can change them.)
    pub fn structure_key(&self) -> String {
        let direction = match self.entry.direction {
            crate::Direction::Long => "Long",
            crate::Direction::Short => "Short",
            crate::Direction::Both => "Both",
        };
        let logic = match &self.entry.logic {
            EntryLogic::Rules { rules, combine } => {
                let combine = match combine {
                    crate::Combine::All => "All".to_string(),
                    crate::Combine::Any => "Any".to_string(),
                    crate::Combine::AtLeast { count } => format!("AtLeast {{ count: {count} }}"),
                };
                let mut kinds: Vec<String> = rules
                    .iter()
                    .map(|rule| {
                        serde_json::to_value(rule)
                            .ok()
                            .and_then(|value| value.get("rule").map(ToString::to_string))
                            .unwrap_or_default()
                    })
                    .collect();
                kinds.sort();
                format!("{combine}{}", kinds.join(","))
            }
            EntryLogic::MultiFactor(_) => "Discriminant(1)".to_string(),
            EntryLogic::Always => "Discriminant(2)".to_string(),
            EntryLogic::Formula(entry) => {
                let texts: Vec<String> = entry
                    .formulas()
                    .map(|(name, text)| format!("{name}: {text}"))
                    .collect();
                format!("Formula({})", texts.join("; "))
            }
        };
        format!("{direction}{logic}")
    }

    /// The genes' fingerprint: XXH64 (seed 0, the `twox-hash` crate) of the JSON of the entry, exit,
    /// sizing and risk chromosomes. Name and lineage do not count, so two agents with the same genes
    /// share one fitness-cache entry. Stable across runs, threads and platforms.
    pub fn fingerprint(&self) -> u64 {
        let genes = (&self.entry, &self.exit, &self.sizing, &self.risk);
        let mut hasher = twox_hash::XxHash64::with_seed(0);
        // Serialising plain data to memory cannot fail.
        if let Ok(bytes) = serde_json::to_vec(&genes) {
            hasher.write(&bytes);
        }
        hasher.finish()
    }
}
