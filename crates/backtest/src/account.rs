//! One account's books: the open [`Position`] of a symbol ([`Book`]), the cash, trade record and
//! counters ([`Ledger`]), and the fills that open and close positions with the genome's sizing,
//! costs and protective levels. Shared by the backtest engine ([`crate::engine`]), the portfolio
//! engine and the live engine.

use std::sync::Arc;

use gauntlet_core::Timestamp;
use gauntlet_genome::{Genome, SizingMethod};
use serde::{Deserialize, Serialize};

use crate::config::BacktestConfig;
use crate::trade::{ExitReason, Side, Trade};

/// Orders for fewer units than this are rejected (vectorbt's minimum size).
const MINIMUM_QUANTITY: f64 = 1e-8;

/// An open position: its fill, size, costs so far and protective levels (absolute prices).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Position {
    pub(crate) side: Side,
    pub(crate) quantity: f64,
    pub(crate) entry_price: f64,
    pub(crate) entry_bar: usize,
    pub(crate) entry_time: Timestamp,
    pub(crate) entry_commission: f64,
    pub(crate) stop_level: Option<f64>,
    pub(crate) target_level: Option<f64>,
    pub(crate) trail_activation_level: Option<f64>,
    pub(crate) trail_fraction: f64,
    pub(crate) best_price: f64,
    pub(crate) initial_risk: Option<f64>,
}

impl Position {
    #[inline]
    pub(crate) fn signed_quantity(&self) -> f64 {
        self.side.sign() * self.quantity
    }

    /// The protective level in force this bar and its reason: the tighter of stop-loss and an armed
    /// trailing stop.
    #[inline]
    fn protective_level(&self) -> Option<(f64, ExitReason)> {
        let armed = self
            .trail_activation_level
            .is_some_and(|activation| match self.side {
                Side::Long => self.best_price >= activation,
                Side::Short => self.best_price <= activation,
            });
        let trail = armed.then_some(match self.side {
            Side::Long => self.best_price * (1.0 - self.trail_fraction),
            Side::Short => self.best_price * (1.0 + self.trail_fraction),
        });
        match (self.stop_level, trail) {
            (Some(stop), Some(trail)) => {
                let trail_is_tighter = match self.side {
                    Side::Long => trail > stop,
                    Side::Short => trail < stop,
                };
                Some(if trail_is_tighter {
                    (trail, ExitReason::TrailingStop)
                } else {
                    (stop, ExitReason::StopLoss)
                })
            }
            (Some(stop), None) => Some((stop, ExitReason::StopLoss)),
            (None, Some(trail)) => Some((trail, ExitReason::TrailingStop)),
            (None, None) => None,
        }
    }

    /// The (lower, upper) protective levels of a position without a trailing stop, infinite where
    /// absent: a long's stop and target, a short's target and stop.
    #[inline]
    pub(crate) fn fixed_levels(&self) -> (f64, f64) {
        let stop = self.stop_level;
        let target = self.target_level;
        match self.side {
            Side::Long => (
                stop.unwrap_or(f64::NEG_INFINITY),
                target.unwrap_or(f64::INFINITY),
            ),
            Side::Short => (
                target.unwrap_or(f64::NEG_INFINITY),
                stop.unwrap_or(f64::INFINITY),
            ),
        }
    }

    /// Folds this bar's extreme into the best price since entry (for the trailing stop).
    #[inline]
    pub(crate) fn track_extreme(&mut self, high: f64, low: f64) {
        self.best_price = match self.side {
            Side::Long => self.best_price.max(high),
            Side::Short => self.best_price.min(low),
        };
    }

    /// The intrabar exit of this bar, if any: stop first, then target; gaps fill at the open.
    #[inline]
    pub(crate) fn intrabar_exit(
        &self,
        open: f64,
        high: f64,
        low: f64,
    ) -> Option<(f64, ExitReason)> {
        let long = self.side == Side::Long;
        if let Some((level, reason)) = self.protective_level() {
            let gapped = if long { open <= level } else { open >= level };
            let touched = if long { low <= level } else { high >= level };
            if gapped {
                return Some((open, reason));
            }
            if touched {
                return Some((level, reason));
            }
        }
        if let Some(level) = self.target_level {
            let gapped = if long { open >= level } else { open <= level };
            let touched = if long { high >= level } else { low <= level };
            if gapped {
                return Some((open, ExitReason::TakeProfit));
            }
            if touched {
                return Some((level, ExitReason::TakeProfit));
            }
        }
        None
    }
}

/// What [`Ledger::open`] reads from the genome on every entry, worked out once per account:
/// percentages as fractions, in the same operations as on the genome's fields, so every fill and
/// level is the same bit for bit (`sign * target / 100` equals `sign * (target / 100)` for a sign of
/// +-1). Reading a few words of the ledger instead of the genome's scattered fields on each entry
/// keeps the entry off the genome's cache lines.
#[derive(Debug, Clone, Copy)]
struct EntryPlan {
    sizing: SizingPlan,
    /// The position cap as a fraction of equity: `max_position_pct / 100`, at most the leverage cap.
    cap_fraction: f64,
    /// Gross exposure allowed, as a multiple of equity.
    leverage_cap: f64,
    /// A long may not spend more than the cash (leverage cap at most 1).
    long_limited_by_cash: bool,
    /// The stop-loss distance, a fraction of the entry fill.
    stop_fraction: Option<f64>,
    /// The take-profit distance, a fraction of the entry fill.
    target_fraction: Option<f64>,
    /// The trailing stop's activation gain and trail distance, fractions.
    trail: Option<(f64, f64)>,
}

/// [`SizingMethod`] with its percentages as fractions.
#[derive(Debug, Clone, Copy)]
enum SizingPlan {
    AllIn,
    FixedFraction(f64),
    RiskPerTrade(f64),
    VolatilityTarget {
        fraction: f64,
        sqrt_bars_per_year: f64,
    },
}

impl EntryPlan {
    fn new(genome: &Genome, config: &BacktestConfig) -> Self {
        let sizing = &genome.sizing;
        let exit = &genome.exit;
        Self {
            sizing: match sizing.method {
                SizingMethod::AllIn => SizingPlan::AllIn,
                SizingMethod::FixedFraction { fraction_pct } => {
                    SizingPlan::FixedFraction(fraction_pct / 100.0)
                }
                SizingMethod::RiskPerTrade { risk_pct } => {
                    SizingPlan::RiskPerTrade(risk_pct / 100.0)
                }
                SizingMethod::VolatilityTarget {
                    annual_volatility_pct,
                    ..
                } => SizingPlan::VolatilityTarget {
                    fraction: annual_volatility_pct / 100.0,
                    sqrt_bars_per_year: config.bars_per_year.sqrt(),
                },
            },
            cap_fraction: (sizing.max_position_pct / 100.0).min(sizing.leverage_cap),
            leverage_cap: sizing.leverage_cap,
            long_limited_by_cash: sizing.leverage_cap <= 1.0,
            stop_fraction: exit.stop_loss_pct.map(|stop| stop / 100.0),
            target_fraction: exit.take_profit_pct.map(|target| target / 100.0),
            trail: exit
                .trailing_stop
                .map(|trail| (trail.activation_pct / 100.0, trail.trail_pct / 100.0)),
        }
    }
}

/// The shared side of an account: cash, the trade record and counters.
pub(crate) struct Ledger<'a> {
    pub(crate) genome: &'a Genome,
    pub(crate) config: &'a BacktestConfig,
    /// `config`'s commission as a fraction of traded value, computed once (a division per fill
    /// otherwise).
    fee: f64,
    /// `config`'s spread and slippage as a fraction of price, computed once.
    adjustment: f64,
    /// What every entry reads from the genome, computed once.
    plan: EntryPlan,
    pub(crate) cash: f64,
    pub(crate) trades: Vec<Trade>,
    pub(crate) buys: usize,
    pub(crate) sells: usize,
    pub(crate) consecutive_losses: u32,
}

/// One symbol's side of an account: its bars' times, the volatility column for sizing, its position.
/// `timestamps` and `volatility` start at bar number `first_bar` (0 over a whole series; the live
/// engine passes its last two bars).
pub(crate) struct Book<'a> {
    pub(crate) symbol: Arc<str>,
    pub(crate) timestamps: &'a [Timestamp],
    pub(crate) first_bar: usize,
    pub(crate) volatility: Option<Arc<[f64]>>,
    pub(crate) position: Option<Position>,
}

impl Book<'_> {
    /// The volatility column at bar number `bar` (`NaN` without one): what volatility-target sizing
    /// reads.
    #[inline]
    pub(crate) fn volatility_at(&self, bar: usize) -> f64 {
        self.volatility
            .as_ref()
            .map_or(f64::NAN, |column| column[bar - self.first_bar])
    }

    /// The open time of bar number `bar`.
    #[inline]
    pub(crate) fn time_at(&self, bar: usize) -> Timestamp {
        self.timestamps[bar - self.first_bar]
    }

    /// The position's value at `price` (negative for a short), 0 when flat.
    #[inline]
    pub(crate) fn marked(&self, price: f64) -> f64 {
        self.position
            .as_ref()
            .map_or(0.0, |position| position.signed_quantity() * price)
    }
}

/// An account's cash and fill counters between bars: what a [`Ledger`] carries besides its trades
/// (the live engine keeps them from one bar to the next).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct Counters {
    pub(crate) cash: f64,
    pub(crate) buys: usize,
    pub(crate) sells: usize,
    pub(crate) consecutive_losses: u32,
}

impl Counters {
    /// A new account: all cash, nothing traded.
    pub(crate) fn new(cash: f64) -> Self {
        Self {
            cash,
            buys: 0,
            sells: 0,
            consecutive_losses: 0,
        }
    }
}

impl<'a> Ledger<'a> {
    /// A new account with all of `config`'s initial capital in cash and room for
    /// `trades_capacity` trades.
    pub(crate) fn new(
        genome: &'a Genome,
        config: &'a BacktestConfig,
        trades_capacity: usize,
    ) -> Self {
        let mut ledger = Self::resume(genome, config, Counters::new(config.initial_capital));
        ledger.trades.reserve_exact(trades_capacity);
        ledger
    }

    /// A ledger continuing an account, with no trades recorded yet.
    pub(crate) fn resume(
        genome: &'a Genome,
        config: &'a BacktestConfig,
        counters: Counters,
    ) -> Self {
        Self {
            genome,
            config,
            fee: config.costs.commission_rate(),
            adjustment: config.costs.price_adjustment(),
            plan: EntryPlan::new(genome, config),
            cash: counters.cash,
            trades: Vec::new(),
            buys: counters.buys,
            sells: counters.sells,
            consecutive_losses: counters.consecutive_losses,
        }
    }

    /// Its cash and counters now.
    pub(crate) fn counters(&self) -> Counters {
        Counters {
            cash: self.cash,
            buys: self.buys,
            sells: self.sells,
            consecutive_losses: self.consecutive_losses,
        }
    }

    /// Opens a position in `book` at `price` (before costs) on bar `bar`, sizing with the account's
    /// `equity`, the `gross_exposure` of its other positions and, for volatility-target sizing,
    /// `decision_volatility`: the per-bar volatility column at the bar the entry was decided on.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn open(
        &mut self,
        book: &mut Book<'_>,
        side: Side,
        price: f64,
        bar: usize,
        decision_volatility: f64,
        equity: f64,
        gross_exposure: f64,
    ) {
        let (adjustment, fee) = (self.adjustment, self.fee);
        let fill = price * (1.0 + side.sign() * adjustment);
        let plan = &self.plan;
        let mut quantity = match plan.sizing {
            SizingPlan::AllIn => self.cash / (1.0 + fee) / fill,
            SizingPlan::FixedFraction(fraction) => equity * fraction / fill,
            SizingPlan::RiskPerTrade(risk) => match plan.stop_fraction {
                Some(stop) => equity * risk / (fill * stop),
                None => 0.0,
            },
            SizingPlan::VolatilityTarget {
                fraction,
                sqrt_bars_per_year,
            } => {
                let annual = decision_volatility * sqrt_bars_per_year;
                equity * fraction / annual / fill
            }
        };
        let cap_value = equity * plan.cap_fraction;
        quantity = quantity.min(cap_value / fill);
        // Room left under the leverage cap beside the other positions.
        quantity = quantity.min((equity * plan.leverage_cap - gross_exposure) / fill);
        if side == Side::Long && plan.long_limited_by_cash {
            quantity = quantity.min(self.cash / (1.0 + fee) / fill);
        }
        if !(quantity.is_finite() && quantity >= MINIMUM_QUANTITY) {
            return;
        }
        let value = quantity * fill;
        let commission = value * fee;
        match side {
            Side::Long => {
                self.cash -= value + commission;
                self.buys += 1;
            }
            Side::Short => {
                self.cash += value - commission;
                self.sells += 1;
            }
        }
        let sign = side.sign();
        book.position = Some(Position {
            side,
            quantity,
            entry_price: fill,
            entry_bar: bar,
            entry_time: book.time_at(bar),
            entry_commission: commission,
            stop_level: plan.stop_fraction.map(|stop| fill * (1.0 - sign * stop)),
            target_level: plan
                .target_fraction
                .map(|target| fill * (1.0 + sign * target)),
            trail_activation_level: plan
                .trail
                .map(|(activation, _)| fill * (1.0 + sign * activation)),
            trail_fraction: plan.trail.map_or(0.0, |(_, trail)| trail),
            best_price: fill,
            initial_risk: plan.stop_fraction.map(|stop| quantity * fill * stop),
        });
    }

    /// Closes `book`'s position at `price` (before costs) on bar `bar`.
    pub(crate) fn close(
        &mut self,
        book: &mut Book<'_>,
        price: f64,
        bar: usize,
        reason: ExitReason,
    ) {
        let Some(position) = book.position.take() else {
            return;
        };
        let (adjustment, fee) = (self.adjustment, self.fee);
        let fill = price * (1.0 - position.side.sign() * adjustment);
        let value = position.quantity * fill;
        let commission = value * fee;
        match position.side {
            Side::Long => {
                self.cash += value - commission;
                self.sells += 1;
            }
            Side::Short => {
                self.cash -= value + commission;
                self.buys += 1;
            }
        }
        let gross_pnl = (fill - position.entry_price) * position.quantity * position.side.sign();
        let total_commission = position.entry_commission + commission;
        let net_pnl = gross_pnl - total_commission;
        if net_pnl < 0.0 {
            self.consecutive_losses += 1;
        } else {
            self.consecutive_losses = 0;
        }
        self.trades.push(Trade {
            symbol: Arc::clone(&book.symbol),
            side: position.side,
            entry_time: position.entry_time,
            entry_price: position.entry_price,
            entry_bar: position.entry_bar,
            exit_time: book.time_at(bar),
            exit_price: fill,
            exit_bar: bar,
            quantity: position.quantity,
            gross_pnl,
            commission: total_commission,
            net_pnl,
            pnl_fraction: net_pnl / (position.entry_price * position.quantity),
            initial_risk: position.initial_risk,
            exit_reason: reason,
        });
    }
}
