//! One genome on several symbols with shared equity.
//!
//! The symbols' bars are merged into one timeline (the union of their open times). At each time,
//! every symbol with a bar then goes through the steps of the single-symbol engine, symbol by symbol
//! in the order given: pending orders fill at its open, protective exits are checked intrabar; then
//! the account is marked (each position at its symbol's latest close), account risk limits are
//! checked, and exits and entries are decided on the closes. Entries share the cash: each is sized on
//! the whole account's equity, capped per position (`max_position_pct`), by the room left under the
//! leverage cap beside the other positions, and by `max_positions` (open positions plus entries
//! waiting to fill). With one symbol the result equals [`crate::run_backtest`]'s bit for bit (tested).

use std::sync::Arc;

use gauntlet_core::{PriceFields, Timestamp};
use gauntlet_genome::Genome;
use serde::Serialize;

use crate::account::{Book, Ledger};
use crate::config::BacktestConfig;
use crate::engine::{
    BacktestResult, Channel, ExitContext, GenomeColumns, Market, Order, entry_side,
};
use crate::error::BacktestError;
use crate::signals::EntrySignals;
use crate::trade::ExitReason;

use gauntlet_core::MILLIS_PER_DAY as MS_PER_DAY;

/// A shared-equity backtest's output: the result over the merged timeline, and that timeline.
#[derive(Debug, Clone, Serialize)]
pub struct PortfolioResult {
    /// Trades of every symbol, equity per timeline step, counters.
    pub result: BacktestResult,
    /// The merged timeline: every open time at which at least one symbol has a bar.
    pub timestamps: Vec<Timestamp>,
}

/// Per-symbol state of a portfolio run.
struct Leg<'a> {
    market: &'a Market,
    book: Book<'a>,
    signals: EntrySignals,
    channel: Option<Channel>,
    /// Index of the symbol's next bar on the merged timeline.
    cursor: usize,
    last_close: Option<f64>,
    pending: Option<Order>,
}

/// Runs `genome` on every market at once with one account.
///
/// # Errors
/// As [`crate::run_backtest`], plus [`BacktestError::Config`] for an empty list of markets.
pub fn run_portfolio(
    genome: &Genome,
    markets: &[Market],
    config: &BacktestConfig,
) -> Result<PortfolioResult, BacktestError> {
    genome.validate()?;
    config.validate()?;
    if markets.is_empty() {
        return Err(BacktestError::Config {
            field: "markets",
            message: "a portfolio needs at least one market".into(),
        });
    }
    let mut legs = Vec::with_capacity(markets.len());
    for market in markets {
        let series = market.series();
        if series.len() < 2 {
            return Err(BacktestError::TooFewBars { bars: series.len() });
        }
        let columns = GenomeColumns::prepare(genome, market)?;
        legs.push(Leg {
            market,
            book: Book {
                // A fresh Arc per run: its trades clone it, and a count shared by every run on every
                // thread would bounce its cache line between the cores on each trade.
                symbol: Arc::from(&*market.symbol),
                timestamps: series.timestamps(),
                first_bar: 0,
                volatility: columns.volatility,
                position: None,
            },
            signals: columns.signals,
            channel: columns.channel,
            cursor: 0,
            last_close: None,
            pending: None,
        });
    }
    let mut timeline: Vec<Timestamp> = markets
        .iter()
        .flat_map(|market| market.series().timestamps().iter().copied())
        .collect();
    timeline.sort_unstable();
    timeline.dedup();

    let fill = config.fill;
    let risk = &genome.risk;
    let direction = genome.entry.direction;
    let wanted = |long: bool, short: bool| entry_side(direction, long, short);
    let mut ledger = Ledger::new(genome, config, 0);
    let mut equity_curve = Vec::with_capacity(timeline.len());
    let mut peak = config.initial_capital;
    let mut halted_at_bar = None;
    let mut day = i64::MIN;
    let mut day_start_equity = config.initial_capital;
    let mut entries_blocked_today = false;
    let mut bars_in_market = 0;
    // The bar index each leg has at the current step, if it has one.
    let mut active: Vec<Option<usize>> = vec![None; legs.len()];

    for (step, &time) in timeline.iter().enumerate() {
        let today = time.millis().div_euclid(MS_PER_DAY);
        if today != day {
            day = today;
            day_start_equity = equity_curve
                .last()
                .copied()
                .unwrap_or(config.initial_capital);
            entries_blocked_today = false;
        }
        for (leg, slot) in legs.iter_mut().zip(active.iter_mut()) {
            let times = leg.market.series().timestamps();
            *slot = (leg.cursor < times.len() && times[leg.cursor] == time).then_some(leg.cursor);
        }

        // 1. Orders decided at each symbol's previous close fill at its open.
        for index in 0..legs.len() {
            let Some(bar) = active[index] else { continue };
            let open = legs[index].market.series().open()[bar];
            match legs[index].pending.take() {
                Some(Order::Exit(reason)) => ledger.close(&mut legs[index].book, open, bar, reason),
                Some(Order::Entry(side)) if legs[index].book.position.is_none() => {
                    let (equity, gross) = account_value(&ledger, &legs);
                    let volatility = legs[index].book.volatility_at(bar - 1);
                    ledger.open(
                        &mut legs[index].book,
                        side,
                        open,
                        bar,
                        volatility,
                        equity,
                        gross,
                    );
                }
                _ => {}
            }
        }

        // 2. Intrabar protective exits.
        let mut stopped = vec![false; legs.len()];
        for (index, leg) in legs.iter_mut().enumerate() {
            let Some(bar) = active[index] else { continue };
            let series = leg.market.series();
            if let Some(position) = &mut leg.book.position
                && bar >= fill.first_intrabar_bar(position.entry_bar)
            {
                match position.intrabar_exit(
                    series.open()[bar],
                    series.high()[bar],
                    series.low()[bar],
                ) {
                    Some((price, reason)) => {
                        ledger.close(&mut leg.book, price, bar, reason);
                        stopped[index] = true;
                    }
                    None => position.track_extreme(series.high()[bar], series.low()[bar]),
                }
            }
            leg.last_close = Some(series.close()[bar]);
        }

        // 3. Account risk limits on the closes.
        let (marked, _) = account_value(&ledger, &legs);
        peak = peak.max(marked);
        let mut risk_exit = false;
        if halted_at_bar.is_none()
            && let Some(limit) = risk.max_drawdown_halt_pct
            && marked <= peak * (1.0 - limit / 100.0)
        {
            halted_at_bar = Some(step);
            risk_exit = true;
        }
        if let Some(limit) = risk.daily_loss_limit_pct
            && marked <= day_start_equity * (1.0 - limit / 100.0)
        {
            entries_blocked_today = true;
        }

        // 4. Decisions on the closes, symbol by symbol.
        for index in 0..legs.len() {
            let Some(bar) = active[index] else { continue };
            if fill.fills_at_close() && stopped[index] {
                continue;
            }
            let close = legs[index].market.series().close();
            let last_bar = bar + 1 == close.len();
            let leg = &legs[index];
            let exit_reason = match &leg.book.position {
                Some(_) if risk_exit => Some(ExitReason::RiskHalt),
                Some(position) => ExitContext {
                    signals: &leg.signals,
                    close,
                    channel: leg.channel.as_ref(),
                    exits: &genome.exit,
                    fill,
                }
                .exit_signal(position, bar, bar),
                None => None,
            };
            if let Some(reason) = exit_reason {
                if fill.fills_at_close() {
                    ledger.close(&mut legs[index].book, close[bar], bar, reason);
                } else if !last_bar {
                    legs[index].pending = Some(Order::Exit(reason));
                }
                continue;
            }
            let committed = legs
                .iter()
                .filter(|leg| {
                    leg.book.position.is_some() || matches!(leg.pending, Some(Order::Entry(_)))
                })
                .count();
            let may_enter = leg.book.position.is_none()
                && halted_at_bar.is_none()
                && !entries_blocked_today
                && committed < genome.sizing.max_positions as usize
                && risk
                    .consecutive_loss_limit
                    .is_none_or(|limit| ledger.consecutive_losses < limit);
            if !may_enter {
                continue;
            }
            let (long, short) = leg.signals.at(close, bar);
            if let Some(side) = wanted(long, short) {
                if fill.fills_at_close() {
                    let (equity, gross) = account_value(&ledger, &legs);
                    let volatility = legs[index].book.volatility_at(bar);
                    ledger.open(
                        &mut legs[index].book,
                        side,
                        close[bar],
                        bar,
                        volatility,
                        equity,
                        gross,
                    );
                } else if !last_bar {
                    legs[index].pending = Some(Order::Entry(side));
                }
            }
        }

        // End of each symbol's data; counters; the account's equity at this step.
        for (index, leg) in legs.iter_mut().enumerate() {
            let Some(bar) = active[index] else { continue };
            let close = leg.market.series().close();
            if bar + 1 == close.len() && config.close_at_end && leg.book.position.is_some() {
                ledger.close(&mut leg.book, close[bar], bar, ExitReason::EndOfData);
            }
            leg.cursor += 1;
        }
        if legs.iter().any(|leg| leg.book.position.is_some()) {
            bars_in_market += 1;
        }
        equity_curve.push(account_value(&ledger, &legs).0);
    }
    Ok(PortfolioResult {
        result: BacktestResult {
            trades: ledger.trades,
            equity: equity_curve,
            initial_capital: config.initial_capital,
            buys: ledger.buys,
            sells: ledger.sells,
            bars_in_market,
            close_only: markets
                .iter()
                .any(|market| market.series().price_fields() == PriceFields::CloseOnly),
            halted_at_bar,
        },
        timestamps: timeline,
    })
}

/// The account's equity (cash plus every position at its symbol's latest close) and the gross value
/// of its positions.
fn account_value(ledger: &Ledger<'_>, legs: &[Leg<'_>]) -> (f64, f64) {
    let mut positions = 0.0;
    let mut gross = 0.0;
    for leg in legs {
        if let (Some(position), Some(price)) = (&leg.book.position, leg.last_close) {
            let value = position.signed_quantity() * price;
            positions += value;
            gross += value.abs();
        }
    }
    (ledger.cash + positions, gross)
}
