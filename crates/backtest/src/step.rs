//! One bar of one account ([`step_bar`], steps 1 to 4 of the engine's order, see
//! [`crate::engine`]), shared by the backtest and the live engine, and where the backtest's bar loop
//! puts each bar's equity.

use serde::{Deserialize, Serialize};

use crate::account::{Book, Ledger, Position};
use crate::trade::{ExitReason, Side};

/// An order decided on a close, to fill at the next open.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) enum Order {
    /// Open a position on this side.
    Entry(Side),
    /// Close the position, for this reason.
    Exit(ExitReason),
}

/// An account's state between bars besides its cash, trades and position: the order waiting for
/// the next open and the risk limits' memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct StepState {
    /// The order decided at the last close, filling at the next open (`next_open`).
    pub(crate) pending: Option<Order>,
    /// The highest marked equity so far (for the drawdown halt).
    pub(crate) peak: f64,
    /// The bar the drawdown halt fired on; no entries after it.
    pub(crate) halted_at_bar: Option<usize>,
    /// The current UTC day (days since the epoch) when the daily loss limit is tracked.
    pub(crate) day: i64,
    /// Equity at the end of the previous day.
    pub(crate) day_start_equity: f64,
    /// The daily loss limit fired today: no entries until tomorrow.
    pub(crate) entries_blocked_today: bool,
}

impl StepState {
    pub(crate) fn new(initial_capital: f64) -> Self {
        Self {
            pending: None,
            peak: initial_capital,
            halted_at_bar: None,
            day: i64::MIN,
            day_start_equity: initial_capital,
            entries_blocked_today: false,
        }
    }
}

/// One bar as the step reads it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BarInput {
    /// The bar's number in the series (0 = first).
    pub(crate) bar: usize,
    pub(crate) open: f64,
    pub(crate) high: f64,
    pub(crate) low: f64,
    pub(crate) close: f64,
    /// The bar's UTC day, when the daily loss limit is tracked.
    pub(crate) day: Option<i64>,
    /// The series' last bar (no order is left pending; `close_at_end` closes the position).
    pub(crate) last_bar: bool,
    /// Equity marked at the previous bar's close (the initial capital before the first).
    pub(crate) previous_equity: f64,
}

/// One bar of one account, steps 1 to 4 of the module's order: fills of the pending order at the
/// open, intrabar protective exits, risk limits on the close, decisions on the close (`entry`
/// gives the side the entry rules select at this close, `exit` the exit decided for the open
/// position). Returns the equity marked at the close. The backtest engine runs it on every bar
/// where something can happen; the live engine on every bar.
// Inlined into the engine's bar loop, as it was before it moved to its own module (a separate
// call costs ~10% of W1's throughput).
#[inline(always)]
pub(crate) fn step_bar(
    state: &mut StepState,
    ledger: &mut Ledger<'_>,
    book: &mut Book<'_>,
    input: &BarInput,
    entry: impl FnOnce() -> Option<Side>,
    exit: impl FnOnce(&Position) -> Option<ExitReason>,
) -> f64 {
    let config = ledger.config;
    let genome = ledger.genome;
    let risk = &genome.risk;
    let fill = config.fill;
    let t = input.bar;
    if let Some(today) = input.day
        && today != state.day
    {
        state.day = today;
        state.day_start_equity = input.previous_equity;
        state.entries_blocked_today = false;
    }

    // 1. Orders decided at the previous close fill at this open.
    match state.pending.take() {
        Some(Order::Exit(reason)) => ledger.close(book, input.open, t, reason),
        Some(Order::Entry(side)) if book.position.is_none() => {
            let volatility = book.volatility_at(t.saturating_sub(1));
            ledger.open(book, side, input.open, t, volatility, ledger.cash, 0.0);
        }
        _ => {}
    }

    // 2. Intrabar protective exits.
    let mut stopped = false;
    if let Some(position) = &mut book.position
        && t >= fill.first_intrabar_bar(position.entry_bar)
    {
        match position.intrabar_exit(input.open, input.high, input.low) {
            Some((price, reason)) => {
                ledger.close(book, price, t, reason);
                stopped = true;
            }
            None => position.track_extreme(input.high, input.low),
        }
    }

    // 3. Risk limits on the close.
    let marked = ledger.cash + book.marked(input.close);
    state.peak = state.peak.max(marked);
    let mut risk_exit = false;
    if state.halted_at_bar.is_none()
        && let Some(limit) = risk.max_drawdown_halt_pct
        && marked <= state.peak * (1.0 - limit / 100.0)
    {
        state.halted_at_bar = Some(t);
        risk_exit = book.position.is_some();
    }
    if let Some(limit) = risk.daily_loss_limit_pct
        && marked <= state.day_start_equity * (1.0 - limit / 100.0)
    {
        state.entries_blocked_today = true;
    }

    // 4. Decisions on the close.
    let decide = !(fill.fills_at_close() && stopped);
    if decide {
        let exit_reason = if risk_exit {
            Some(ExitReason::RiskHalt)
        } else {
            book.position.as_ref().and_then(exit)
        };
        if let Some(reason) = exit_reason {
            if fill.fills_at_close() {
                ledger.close(book, input.close, t, reason);
            } else if !input.last_bar {
                state.pending = Some(Order::Exit(reason));
            }
        } else if book.position.is_none()
            && state.halted_at_bar.is_none()
            && !state.entries_blocked_today
            && risk
                .consecutive_loss_limit
                .is_none_or(|limit| ledger.consecutive_losses < limit)
            && let Some(side) = entry()
        {
            if fill.fills_at_close() {
                let volatility = book.volatility_at(t);
                ledger.open(book, side, input.close, t, volatility, ledger.cash, 0.0);
            } else if !input.last_bar {
                state.pending = Some(Order::Entry(side));
            }
        }
    }
    if input.last_bar && config.close_at_end && book.position.is_some() {
        ledger.close(book, input.close, t, ExitReason::EndOfData);
    }
    ledger.cash + book.marked(input.close)
}

/// Where the engine puts each bar's equity: a whole curve, or only the last value.
pub(crate) trait EquitySink {
    /// Appends one bar's equity.
    fn push(&mut self, value: f64);
    /// Appends `value` until the curve holds `bars` bars.
    fn fill_to(&mut self, bars: usize, value: f64);
    /// Appends `cash + quantity * close` for each close.
    fn extend_marked(&mut self, closes: &[f64], cash: f64, quantity: f64);
    /// The last equity recorded.
    fn last_equity(&self) -> Option<f64>;
}

impl EquitySink for Vec<f64> {
    #[inline]
    fn push(&mut self, value: f64) {
        Vec::push(self, value);
    }

    #[inline]
    fn fill_to(&mut self, bars: usize, value: f64) {
        self.resize(bars, value);
    }

    #[inline]
    fn extend_marked(&mut self, closes: &[f64], cash: f64, quantity: f64) {
        self.extend(closes.iter().map(|&price| cash + quantity * price));
    }

    #[inline]
    fn last_equity(&self) -> Option<f64> {
        <[f64]>::last(self).copied()
    }
}

/// Keeps only the last equity (see [`run_backtest_orders`]).
#[derive(Default)]
pub(crate) struct FinalEquity {
    pub(crate) last: Option<f64>,
}

impl EquitySink for FinalEquity {
    #[inline]
    fn push(&mut self, value: f64) {
        self.last = Some(value);
    }

    #[inline]
    fn fill_to(&mut self, _bars: usize, value: f64) {
        self.last = Some(value);
    }

    #[inline]
    fn extend_marked(&mut self, closes: &[f64], cash: f64, quantity: f64) {
        if let Some(&price) = closes.last() {
            self.last = Some(cash + quantity * price);
        }
    }

    #[inline]
    fn last_equity(&self) -> Option<f64> {
        self.last
    }
}

/// Feeds each bar's equity straight into the metrics' one pass (see [`crate::run_backtest_scored`]):
/// no equity curve is kept, and a flat stretch is accounted in bulk.
pub(crate) struct AccumulatingEquity<'a> {
    pub(crate) accumulator: gauntlet_stats::CurveAccumulator,
    pub(crate) timestamps: &'a [gauntlet_core::Timestamp],
    pub(crate) bars: usize,
    pub(crate) last: Option<f64>,
}

impl EquitySink for AccumulatingEquity<'_> {
    #[inline]
    fn push(&mut self, value: f64) {
        self.accumulator
            .push(self.timestamps[self.bars].millis(), value);
        self.bars += 1;
        self.last = Some(value);
    }

    #[inline]
    fn fill_to(&mut self, bars: usize, value: f64) {
        if bars > self.bars {
            self.accumulator
                .push_flat(&self.timestamps[self.bars..bars], value);
            self.bars = bars;
            self.last = Some(value);
        }
    }

    #[inline]
    fn extend_marked(&mut self, closes: &[f64], cash: f64, quantity: f64) {
        let Some(&last) = closes.last() else {
            return;
        };
        let end = self.bars + closes.len();
        self.accumulator
            .push_marked(&self.timestamps[self.bars..end], closes, cash, quantity);
        self.bars = end;
        self.last = Some(cash + quantity * last);
    }

    #[inline]
    fn last_equity(&self) -> Option<f64> {
        self.last
    }
}
