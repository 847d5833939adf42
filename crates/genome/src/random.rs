//! Random genes: every one drawn from its range ([`CONTINUOUS_BOUNDS`]) or from the period grid
//! ([`PERIOD_GRID`]). `operators.rs` puts them together into random genomes (repaired so they
//! validate, [`Genome::validate`]) and its mutations draw from the same ranges.
//!
//! Draws take any [`rand::Rng`]; the evolution engine hands them a stream derived from (seed,
//! generation, island, index), so a genome depends on nothing else.

use rand::{Rng, RngExt};

use crate::genome::*;
use crate::validate::PERIOD_GRID;

/// Most rules a random genome or a structural mutation gives an entry (below
/// [`MAX_RULES`](crate::MAX_RULES), so evolved strategies stay readable).
pub const MAX_EVOLVED_RULES: usize = 3;

/// The ranges random genomes draw continuous genes from, and Gaussian mutation clamps them to:
/// `(field, low, high)`, in the field's unit (percent, standard deviations, RSI points, score
/// points). Narrower than [`Genome::validate`]'s bounds, which also admit hand-written genomes.
pub const CONTINUOUS_BOUNDS: [(&str, f64, f64); 18] = [
    ("exit.stop_loss_pct", 0.5, 15.0),
    ("exit.take_profit_pct", 0.5, 40.0),
    ("exit.trailing_stop.activation_pct", 0.0, 10.0),
    ("exit.trailing_stop.trail_pct", 0.5, 10.0),
    ("sizing.method.fraction_pct", 5.0, 100.0),
    ("sizing.method.risk_pct", 0.1, 5.0),
    ("sizing.method.annual_volatility_pct", 2.0, 60.0),
    ("sizing.max_position_pct", 5.0, 100.0),
    ("rsi.lower", 5.0, 45.0),
    ("rsi.upper", 55.0, 95.0),
    ("bollinger.width", 0.5, 4.0),
    ("roc.threshold_pct", 0.0, 10.0),
    ("zscore.threshold", 0.25, 4.0),
    ("volatility_band.pct", 0.0, 10.0),
    ("score.weight", 0.0, 60.0),
    ("score.threshold", 0.0, 100.0),
    ("score.scale_pct", 0.25, 20.0),
    ("score.volatility_max_pct", 0.5, 10.0),
];

pub(crate) fn bounds(name: &str) -> (f64, f64) {
    CONTINUOUS_BOUNDS
        .iter()
        .find(|(field, _, _)| *field == name)
        .map(|&(_, low, high)| (low, high))
        .unwrap_or((0.0, 100.0))
}

/// Longest holding period a random genome or mutation gives, bars.
pub const MAX_EVOLVED_HOLDING_BARS: u32 = 250;

pub(crate) fn uniform<R: Rng + ?Sized>(rng: &mut R, name: &str) -> f64 {
    let (low, high) = bounds(name);
    rng.random_range(low..=high)
}

pub(crate) fn grid_period<R: Rng + ?Sized>(rng: &mut R, shortest: u32) -> u32 {
    let first = PERIOD_GRID
        .iter()
        .position(|&period| period >= shortest)
        .unwrap_or(0);
    PERIOD_GRID[rng.random_range(first..PERIOD_GRID.len())]
}

/// Bollinger widths are kept on a grid of [`BOLLINGER_WIDTH_STEP`] deviations: the width picks the
/// indicator column, and a grid lets genomes share columns (as periods do).
pub const BOLLINGER_WIDTH_STEP: f64 = 0.25;

pub(crate) fn width_on_grid(width: f64) -> f64 {
    let (low, high) = bounds("bollinger.width");
    ((width / BOLLINGER_WIDTH_STEP).round() * BOLLINGER_WIDTH_STEP).clamp(low, high)
}

/// Two different grid periods, shorter first.
fn grid_pair<R: Rng + ?Sized>(rng: &mut R, shortest: u32) -> (u32, u32) {
    loop {
        let (a, b) = (grid_period(rng, shortest), grid_period(rng, shortest));
        if a != b {
            return (a.min(b), a.max(b));
        }
    }
}

fn average<R: Rng + ?Sized>(rng: &mut R) -> AverageKind {
    if rng.random_bool(0.5) {
        AverageKind::Sma
    } else {
        AverageKind::Ema
    }
}

/// A random rule of any kind, parameters on the period grid and inside [`CONTINUOUS_BOUNDS`].
pub fn random_rule<R: Rng + ?Sized>(rng: &mut R) -> Rule {
    match rng.random_range(0..10) {
        0 => {
            let (fast, slow) = grid_pair(rng, 2);
            Rule::MovingAverageCross {
                average: average(rng),
                fast,
                slow,
            }
        }
        1 => Rule::PriceVsAverage {
            average: average(rng),
            period: grid_period(rng, 5),
        },
        2 => Rule::RsiThreshold {
            period: grid_period(rng, 2).min(30),
            lower: uniform(rng, "rsi.lower"),
            upper: uniform(rng, "rsi.upper"),
            crossing: rng.random_bool(0.5),
        },
        3 => Rule::BollingerTouch {
            period: grid_period(rng, 5),
            width: width_on_grid(uniform(rng, "bollinger.width")),
        },
        4 => Rule::DonchianBreakout {
            period: grid_period(rng, 5),
        },
        5 => Rule::RocMomentum {
            period: grid_period(rng, 2),
            threshold_pct: uniform(rng, "roc.threshold_pct"),
        },
        6 => {
            let (fast, slow) = grid_pair(rng, 3);
            Rule::MacdCross {
                fast,
                slow,
                signal: grid_period(rng, 3).min(30),
            }
        }
        7 => Rule::ZScoreReversion {
            period: grid_period(rng, 5),
            threshold: uniform(rng, "zscore.threshold"),
        },
        8 => {
            let low = uniform(rng, "volatility_band.pct") / 2.0;
            Rule::VolatilityBand {
                period: grid_period(rng, 5),
                min_pct: low,
                max_pct: low + rng.random_range(0.5..5.0),
            }
        }
        _ => Rule::TrendRegime {
            period: grid_period(rng, 20),
        },
    }
}

fn random_score<R: Rng + ?Sized>(rng: &mut R) -> FactorScore {
    let (trend_fast, trend_slow) = grid_pair(rng, 5);
    let buy_above = uniform(rng, "score.threshold") * 0.8;
    FactorScore {
        trend_fast,
        trend_slow,
        trend_weight: uniform(rng, "score.weight"),
        momentum_period: grid_period(rng, 3),
        momentum_scale_pct: uniform(rng, "score.scale_pct"),
        momentum_weight: uniform(rng, "score.weight"),
        volatility_period: grid_period(rng, 5),
        volatility_max_pct: uniform(rng, "score.volatility_max_pct"),
        volatility_weight: uniform(rng, "score.weight"),
        buy_above,
        sell_below: -uniform(rng, "score.threshold") * 0.8,
    }
}

pub(crate) fn random_logic<R: Rng + ?Sized>(rng: &mut R) -> EntryLogic {
    if rng.random_bool(0.15) {
        return EntryLogic::MultiFactor(random_score(rng));
    }
    let count = [1, 1, 2, 2, 3][rng.random_range(0..5)];
    let rules: Vec<Rule> = (0..count).map(|_| random_rule(rng)).collect();
    let combine = if count == 1 {
        Combine::All
    } else {
        match rng.random_range(0..10) {
            0..=5 => Combine::All,
            6..=7 => Combine::Any,
            _ => Combine::AtLeast {
                count: rng.random_range(1..=count as u32),
            },
        }
    };
    EntryLogic::Rules { rules, combine }
}

pub(crate) fn random_direction<R: Rng + ?Sized>(rng: &mut R) -> Direction {
    match rng.random_range(0..10) {
        0..=4 => Direction::Long,
        5..=7 => Direction::Both,
        _ => Direction::Short,
    }
}

pub(crate) fn random_exit<R: Rng + ?Sized>(rng: &mut R) -> ExitChromosome {
    ExitChromosome {
        stop_loss_pct: rng
            .random_bool(0.7)
            .then(|| uniform(rng, "exit.stop_loss_pct")),
        take_profit_pct: rng
            .random_bool(0.5)
            .then(|| uniform(rng, "exit.take_profit_pct")),
        trailing_stop: rng.random_bool(0.3).then(|| TrailingStop {
            activation_pct: uniform(rng, "exit.trailing_stop.activation_pct"),
            trail_pct: uniform(rng, "exit.trailing_stop.trail_pct"),
        }),
        max_holding_bars: rng
            .random_bool(0.3)
            .then(|| rng.random_range(2..=MAX_EVOLVED_HOLDING_BARS)),
        channel_exit_bars: rng.random_bool(0.2).then(|| grid_period(rng, 5)),
        exit_on_opposite_signal: rng.random_bool(0.6),
    }
}

pub(crate) fn random_sizing<R: Rng + ?Sized>(rng: &mut R) -> SizingChromosome {
    let method = match rng.random_range(0..20) {
        0..=7 => SizingMethod::FixedFraction {
            fraction_pct: uniform(rng, "sizing.method.fraction_pct"),
        },
        8..=14 => SizingMethod::RiskPerTrade {
            risk_pct: uniform(rng, "sizing.method.risk_pct"),
        },
        _ => SizingMethod::VolatilityTarget {
            annual_volatility_pct: uniform(rng, "sizing.method.annual_volatility_pct"),
            lookback: grid_period(rng, 5),
        },
    };
    SizingChromosome {
        method,
        max_position_pct: uniform(rng, "sizing.max_position_pct"),
        leverage_cap: 1.0,
        max_positions: 1,
    }
}
