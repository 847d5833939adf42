//! What-if tests on a trade list: the same strategy without its best trades, and with degraded
//! execution (extra slippage, missed entries). StrategyQuant X runs both as cross-checks: its What
//! If simulations filter "the list of orders produced by the standard backtest" without backtesting
//! again, e.g. omitting "5% of the most profitable trades"
//! (<https://strategyquant.com/doc/strategyquant/what-if-simulations/>), and its Monte Carlo
//! methods skip a random share of trades and worsen fills
//! (<https://strategyquant.com/codebase/monte-carlo-randomly-degrade-execution>,
//! <https://strategyquant.com/codebase/monte-carlo-simulate-parameter-jitter>). An edge that lives
//! in two lucky trades or in perfect fills is no edge.
//!
//! Everything here works on **returns on equity** per trade, as [`crate::monte_carlo`] does: trade
//! `i`'s net P&L divided by the account's equity just before its entry (Gauntlet's
//! `account_trade_returns`), compounded in trade order from a start of 1 by
//! [`crate::monte_carlo::path_outcome`].
//!
//! # When a trade-list what-if is exact
//! Removing trades (the best ones, or missed entries) from the list gives exactly what the backtest
//! engine would give without them when:
//! 1. the account holds one position at a time;
//! 2. each position's size is proportional to the equity at its entry (every Gauntlet sizing:
//!    fixed fraction, risk per trade, volatility target, all-in, with caps that are fractions of
//!    equity), so a trade's P&L scales with the equity and its return on equity does not depend on
//!    the equity level: the other trades keep their returns;
//! 3. no entry signal fires while a removed trade would have been open (the engine, flat again,
//!    would take it: a trade the list does not have);
//! 4. no account rule reads the path (the maximum-drawdown halt, the consecutive-loss limit).
//!
//! Where 3 or 4 fails (or sizing is a fixed quantity, whose P&L adds instead of compounding), the
//! exact figure needs the engine; the draws here are laid out so that an engine-side retest can use
//! the same stream ([`MissedEntryDraws`]).
//!
//! **Extra slippage** on a trade list is a model, not a retest: the same trades with the same
//! quantities, each fill worse by `s` of its price, a cost of `s * (entry value + exit value)`
//! ([`TradeOnEquity::turnover_on_equity`]). An engine retest with `s` more slippage differs in three
//! ways: quantities are sized from the fill (smaller by a factor of about `1 - s`), stop-loss,
//! take-profit and trailing levels are set from the fill (they move by `s` of the price and can
//! change the exit bar), and commission is charged on the changed fill value (a term in `fee * s`).
//! The first and last are of order `s` times the trade's return and `fee * s`; the second needs the
//! engine.
//!
//! # "Trade every other signal" needs the engine
//! It cannot be defined on a trade list: the list holds only the signals that opened a position.
//! When the strategy skips a signal it stays flat, and the next signal (which the original run
//! ignored because a position was open) opens a trade the list does not contain. The engine-side
//! definition: count entry opportunities (a bar where the account is flat and an entry signal fires,
//! the order to fill at the next bar's open); take opportunity `k` when `k % 2 == phase` (phase 0 or
//! 1, both reported); a skipped opportunity leaves the account flat, so the following bar's signal is
//! the next opportunity.

use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

use crate::error::StatsError;
use crate::monte_carlo::{PathOutcome, path_outcome};

/// Most trades a what-if may be given (a run's champion has thousands at most).
pub const MAX_WHAT_IF_TRADES: usize = 10_000_000;

/// The largest extra slippage per side, a fraction of the fill price (0.05: 5%, 500 bps): beyond
/// it the figure says nothing about execution any more.
pub const MAX_EXTRA_SLIPPAGE: f64 = 0.05;

/// Which best trades to remove.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum BestTrades {
    /// The `count` best trades (0 removes none; more than the list holds is an error).
    Count(usize),
    /// The best `share` of the trades, a fraction in [0, 1): `ceil(share * trades)` of them
    /// (0.1 of 25 trades removes 3), the product first rounded to 9 decimals so that 0.07 of 100
    /// removes 7, not the 8 that `ceil(7.000000000000001)` (its value in `f64`) would give.
    Share(f64),
}

impl BestTrades {
    /// How many of `trades` trades this removes.
    ///
    /// # Errors
    /// [`StatsError::Invalid`] when a share is outside [0, 1) or a count is above `trades`.
    pub fn count_of(self, trades: usize) -> Result<usize, StatsError> {
        match self {
            Self::Count(count) if count <= trades => Ok(count),
            Self::Count(count) => Err(StatsError::Invalid(format!(
                "cannot remove the best {count} trades of a list of {trades}"
            ))),
            Self::Share(share) if (0.0..1.0).contains(&share) => {
                let exact = share * trades as f64;
                let rounded = (exact * 1e9).round() / 1e9;
                Ok((rounded.ceil() as usize).min(trades))
            }
            Self::Share(share) => Err(StatsError::Invalid(format!(
                "the share of best trades to remove must be in [0, 1), got {share}"
            ))),
        }
    }
}

/// Checks a list of per-trade values: at most [`MAX_WHAT_IF_TRADES`], each finite.
fn check_values(values: &[f64], what: &str) -> Result<(), StatsError> {
    if values.len() > MAX_WHAT_IF_TRADES {
        return Err(StatsError::OverLimit {
            quantity: "trades",
            value: values.len(),
            maximum: MAX_WHAT_IF_TRADES,
        });
    }
    if let Some(bad) = values.iter().position(|value| !value.is_finite()) {
        return Err(StatsError::Invalid(format!(
            "trade {} has a {what} of {}; it must be finite",
            bad + 1,
            values[bad]
        )));
    }
    Ok(())
}

/// The indices of the best trades of `values` (one value per trade, in trade order: the net P&L,
/// or the return on equity, whichever ranks them), best first. "Best" is the largest value; among
/// equal values the earlier trade ranks first (and is removed first).
///
/// # Errors
/// [`StatsError::OverLimit`] above [`MAX_WHAT_IF_TRADES`]; [`StatsError::Invalid`] naming the first
/// non-finite value (1-based), or as [`BestTrades::count_of`] says.
pub fn best_trades(values: &[f64], best: BestTrades) -> Result<Vec<usize>, StatsError> {
    check_values(values, "value")?;
    let count = best.count_of(values.len())?;
    let mut order: Vec<usize> = (0..values.len()).collect();
    // A stable sort on the value, largest first: equal values keep their trade order.
    order.sort_by(|&left, &right| values[right].total_cmp(&values[left]));
    order.truncate(count);
    Ok(order)
}

/// The indices of the trades that remain once [`best_trades`] are removed, in trade order: what
/// the caller keeps of its own trade list.
///
/// # Errors
/// As [`best_trades`].
pub fn without_best_trades(values: &[f64], best: BestTrades) -> Result<Vec<usize>, StatsError> {
    let mut removed = vec![false; values.len()];
    for index in best_trades(values, best)? {
        removed[index] = true;
    }
    Ok((0..values.len()).filter(|&index| !removed[index]).collect())
}

/// One trade as degraded execution sees it (module documentation), both figures relative to the
/// account's equity just before the entry.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TradeOnEquity {
    /// Net P&L over the equity before entry, a fraction (0.01: the trade made 1% of the account).
    pub return_on_equity: f64,
    /// The value traded on both fills over the equity before entry:
    /// `quantity * (entry_price + exit_price) / equity` (0.4 for a position of 20% of the account
    /// that closed near its entry price). A slippage of `s` per side costs `s` times this.
    pub turnover_on_equity: f64,
}

impl TradeOnEquity {
    /// From a closed trade: its net P&L, fill prices and quantity (positive), and the account's
    /// equity just before its entry (positive), all in the account currency.
    pub fn from_fills(
        net_pnl: f64,
        entry_price: f64,
        exit_price: f64,
        quantity: f64,
        equity_before_entry: f64,
    ) -> Self {
        Self {
            return_on_equity: net_pnl / equity_before_entry,
            turnover_on_equity: quantity * (entry_price + exit_price) / equity_before_entry,
        }
    }
}

/// How execution is degraded.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecutionDegradation {
    /// Extra slippage on each fill, a fraction of the fill price in [0, [`MAX_EXTRA_SLIPPAGE`]]
    /// (0.0005: 5 bps on the entry and 5 on the exit).
    pub extra_slippage_per_side: f64,
    /// The probability that an entry is missed (the order not filled), a fraction in [0, 1].
    pub missed_entry_probability: f64,
}

impl ExecutionDegradation {
    /// Checks the settings against their ranges.
    ///
    /// # Errors
    /// [`StatsError::Invalid`] naming the setting out of range (or not a number).
    pub fn validate(&self) -> Result<(), StatsError> {
        let slippage = self.extra_slippage_per_side;
        if !(0.0..=MAX_EXTRA_SLIPPAGE).contains(&slippage) {
            return Err(StatsError::Invalid(format!(
                "extra_slippage_per_side must be in [0, {MAX_EXTRA_SLIPPAGE}] (a fraction of the \
                 price), got {slippage}"
            )));
        }
        let probability = self.missed_entry_probability;
        if !(0.0..=1.0).contains(&probability) {
            return Err(StatsError::Invalid(format!(
                "missed_entry_probability must be in [0, 1], got {probability}"
            )));
        }
        Ok(())
    }
}

/// The missed-entry draws of one degraded path, one per entry in order: entry `k` is missed when
/// the `k`-th uniform draw of the stream (rand's `StandardUniform` for `f64`, on [0, 1)) is below
/// the probability. [`degrade_execution`] draws through it, one draw per trade; an engine-side
/// retest that asks it once per entry fill, on the same stream, misses the same entries as long as
/// the entries line up. With the same stream a higher probability misses a superset of the entries.
#[derive(Debug)]
pub struct MissedEntryDraws<R> {
    rng: R,
    probability: f64,
}

impl<R: Rng> MissedEntryDraws<R> {
    /// Draws from `rng` with `probability`, a fraction in [0, 1] (checked by
    /// [`ExecutionDegradation::validate`]).
    pub fn new(rng: R, probability: f64) -> Self {
        Self { rng, probability }
    }

    /// Whether the next entry is missed (one draw).
    pub fn next_missed(&mut self) -> bool {
        let draw: f64 = self.rng.random();
        draw < self.probability
    }
}

/// One degraded path of a trade list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DegradedTrades {
    /// Per trade, in trade order: whether its entry was missed.
    pub missed: Vec<bool>,
    /// Per trade: its degraded return on equity, `return - slippage * turnover`, 0 when missed.
    pub returns: Vec<f64>,
    /// The path compounded from a start of 1 ([`path_outcome`]): final equity as a multiple of the
    /// start, total return and maximum drawdown, fractions.
    pub outcome: PathOutcome,
}

/// `trades` with degraded execution (module documentation): each entry missed with the
/// probability (one draw per trade from `rng`, the caller's seeded stream, through
/// [`MissedEntryDraws`]), each trade that stays charged `extra_slippage_per_side` on both fills.
///
/// # Errors
/// [`StatsError::Invalid`] when the settings are out of range or a trade's figures are not finite
/// (a turnover must also be at least 0); [`StatsError::OverLimit`] above [`MAX_WHAT_IF_TRADES`].
/// Checked before any draw.
pub fn degrade_execution<R: Rng + ?Sized>(
    trades: &[TradeOnEquity],
    degradation: &ExecutionDegradation,
    rng: &mut R,
) -> Result<DegradedTrades, StatsError> {
    degradation.validate()?;
    let returns: Vec<f64> = trades.iter().map(|trade| trade.return_on_equity).collect();
    check_values(&returns, "return on equity")?;
    let turnover: Vec<f64> = trades
        .iter()
        .map(|trade| trade.turnover_on_equity)
        .collect();
    check_values(&turnover, "turnover on equity")?;
    if let Some(bad) = turnover.iter().position(|value| *value < 0.0) {
        return Err(StatsError::Invalid(format!(
            "trade {} has a turnover on equity of {}; it must be at least 0",
            bad + 1,
            turnover[bad]
        )));
    }
    let mut draws = MissedEntryDraws::new(rng, degradation.missed_entry_probability);
    let missed: Vec<bool> = trades.iter().map(|_| draws.next_missed()).collect();
    let degraded: Vec<f64> = trades
        .iter()
        .zip(&missed)
        .map(|(trade, &missed)| {
            if missed {
                0.0
            } else {
                trade.return_on_equity
                    - degradation.extra_slippage_per_side * trade.turnover_on_equity
            }
        })
        .collect();
    let outcome = path_outcome(1.0, degraded.iter().copied());
    Ok(DegradedTrades {
        missed,
        returns: degraded,
        outcome,
    })
}

#[cfg(test)]
mod tests;
