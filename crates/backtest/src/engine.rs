//! The engine: one genome on one symbol's bars.
//!
//! Each bar t, in this order:
//! 1. (`next_open`) an order decided at bar t-1's close fills at bar t's open;
//! 2. an open position's protective exits are checked intrabar: the stop (the higher of stop-loss and
//!    an armed trailing stop, for a long) first, then the take-profit; a level gapped through fills at
//!    the open, a level inside the bar's range fills at the level. With `next_open` the entry bar is
//!    checked too; with `close` checks start the bar after entry. The trailing stop uses the best price
//!    of earlier bars, then is updated with this bar's extreme (never the same bar's high and low in an
//!    order the data cannot show);
//! 3. equity is marked at the close and account risk limits are checked;
//! 4. exits and entries are decided on bar t's close: they fill at bar t+1's open (`next_open`) or at
//!    bar t's close (`close`, where a bar on which a stop fired does nothing else).
//!
//! Close-only data has open = high = low = close, so fills and stops happen on closes; the result says
//! so. Equity is `cash + quantity * close` at every bar (quantity negative for a short).

use std::sync::Arc;

use gauntlet_core::{BarSeries, PriceFields};
use gauntlet_genome::{Direction, Genome, RiskLimits, SizingMethod};
use gauntlet_indicators::{IndicatorCache, IndicatorColumn};
use serde::Serialize;

use crate::account::{Book, Ledger, Position};
use crate::config::{BacktestConfig, FillConvention};
use crate::error::BacktestError;
use crate::signals::{Column, EntrySignals};
pub(crate) use crate::step::Order;
use crate::step::{BarInput, EquitySink, FinalEquity, StepState, step_bar};
use crate::trade::{ExitReason, Side, Trade};

use gauntlet_core::MILLIS_PER_DAY as MS_PER_DAY;

/// The Donchian exit channel: lowest lows and highest highs of the last N bars.
pub(crate) type Channel = (Arc<[f64]>, Arc<[f64]>);

/// One symbol's bars with their shared indicator cache.
#[derive(Debug, Clone)]
pub struct Market {
    /// The instrument's symbol, shared by its trades.
    pub symbol: Arc<str>,
    /// Indicator columns of the bars, shared by every genome.
    pub cache: Arc<IndicatorCache>,
}

impl Market {
    /// A market over `series`, with an empty cache.
    pub fn new(symbol: impl Into<Arc<str>>, series: BarSeries) -> Self {
        Self {
            symbol: symbol.into(),
            cache: Arc::new(IndicatorCache::new(Arc::new(series))),
        }
    }

    /// The bars.
    pub fn series(&self) -> &BarSeries {
        self.cache.series()
    }
}

/// What a backtest produced.
#[derive(Debug, Clone, Serialize)]
pub struct BacktestResult {
    /// Closed trades, in exit order.
    pub trades: Vec<Trade>,
    /// Equity at each bar's close (after that bar's fills), quote currency.
    pub equity: Vec<f64>,
    /// Equity before the first bar.
    pub initial_capital: f64,
    /// Buy fills (long entries and short covers).
    pub buys: usize,
    /// Sell fills (long exits and short entries).
    pub sells: usize,
    /// Bars that closed with a position open.
    pub bars_in_market: usize,
    /// Whether the data was close-only, so fills and stops used closes.
    pub close_only: bool,
    /// The bar at which the maximum drawdown halt stopped trading, if it did.
    pub halted_at_bar: Option<usize>,
}

impl BacktestResult {
    /// Equity after the last bar.
    pub fn final_equity(&self) -> f64 {
        self.equity.last().copied().unwrap_or(self.initial_capital)
    }

    /// Exits of one reason.
    pub fn exits(&self, reason: ExitReason) -> usize {
        self.trades
            .iter()
            .filter(|trade| trade.exit_reason == reason)
            .count()
    }
}

/// What a genome reads from one market's indicator cache: its entry signals, the exit channel and
/// the volatility column for volatility-target sizing.
pub(crate) struct GenomeColumns {
    pub(crate) signals: EntrySignals,
    pub(crate) channel: Option<Channel>,
    pub(crate) volatility: Option<Arc<[f64]>>,
}

impl GenomeColumns {
    /// Takes every column `genome` needs from `market`'s cache.
    pub(crate) fn prepare(genome: &Genome, market: &Market) -> Result<Self, BacktestError> {
        let cache = &market.cache;
        let (channel, volatility) = Self::exit_and_sizing(genome, &mut |column| {
            cache.get(column).map_err(BacktestError::Indicator)
        })?;
        Ok(Self {
            signals: EntrySignals::compile(&genome.entry.logic, cache)?,
            channel,
            volatility,
        })
    }

    /// Takes every column `genome` needs from `get` (the live engine's last two values of each).
    pub(crate) fn prepare_with(
        genome: &Genome,
        get: &mut dyn FnMut(IndicatorColumn) -> Result<Column, BacktestError>,
    ) -> Result<Self, BacktestError> {
        let (channel, volatility) = Self::exit_and_sizing(genome, get)?;
        Ok(Self {
            signals: EntrySignals::compile_with(&genome.entry.logic, get)?,
            channel,
            volatility,
        })
    }

    /// The exit channel and the volatility column for sizing, when the genome uses them.
    fn exit_and_sizing(
        genome: &Genome,
        get: &mut dyn FnMut(IndicatorColumn) -> Result<Column, BacktestError>,
    ) -> Result<(Option<Channel>, Option<Column>), BacktestError> {
        let channel = match genome.exit.channel_exit_bars {
            Some(period) => Some((
                get(IndicatorColumn::DonchianLower { period })?,
                get(IndicatorColumn::DonchianUpper { period })?,
            )),
            None => None,
        };
        let volatility = match genome.sizing.method {
            SizingMethod::VolatilityTarget { lookback, .. } => {
                Some(get(IndicatorColumn::Volatility { period: lookback })?)
            }
            _ => None,
        };
        Ok((channel, volatility))
    }
}

/// The side to enter given the entry conditions: a both-ways genome enters only when exactly one
/// side fires.
pub(crate) fn entry_side(direction: Direction, long: bool, short: bool) -> Option<Side> {
    match direction {
        Direction::Long => long.then_some(Side::Long),
        Direction::Short => short.then_some(Side::Short),
        Direction::Both => match (long, short) {
            (true, false) => Some(Side::Long),
            (false, true) => Some(Side::Short),
            _ => None,
        },
    }
}

/// Runs `genome` on `market`'s bars.
///
/// # Errors
/// [`BacktestError::Genome`] for an invalid genome, [`BacktestError::Config`] for invalid settings,
/// [`BacktestError::TooFewBars`] for fewer than two bars, [`BacktestError::Indicator`] when an indicator
/// column cannot be computed.
pub fn run_backtest(
    genome: &Genome,
    market: &Market,
    config: &BacktestConfig,
) -> Result<BacktestResult, BacktestError> {
    let mut equity = Vec::with_capacity(market.series().len());
    let run = simulate(genome, market, config, &mut equity)?;
    Ok(BacktestResult {
        trades: run.trades,
        equity,
        initial_capital: config.initial_capital,
        buys: run.buys,
        sells: run.sells,
        bars_in_market: run.bars_in_market,
        close_only: market.series().price_fields() == PriceFields::CloseOnly,
        halted_at_bar: run.halted_at_bar,
    })
}

/// What [`run_backtest_orders`] returns: the orders' outcome without the equity curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrdersResult {
    /// Closed trades, in exit order.
    pub trades: Vec<Trade>,
    /// Equity marked at the last bar's close (cash after `close_at_end`), quote currency.
    pub final_equity: f64,
    /// Buy fills.
    pub buys: usize,
    /// Sell fills.
    pub sells: usize,
    /// Bars with an open position at the close.
    pub bars_in_market: usize,
    /// The bar the drawdown halt fired on, if it did.
    pub halted_at_bar: Option<usize>,
}

/// [`run_backtest`] without recording the equity curve: the same trades, fills and final equity,
/// for callers that need only those (vectorbt's `Portfolio.from_signals` likewise simulates the
/// orders and leaves the value series for later). Metrics need the curve: use [`run_backtest`].
///
/// # Errors
/// As [`run_backtest`].
pub fn run_backtest_orders(
    genome: &Genome,
    market: &Market,
    config: &BacktestConfig,
) -> Result<OrdersResult, BacktestError> {
    let mut equity = FinalEquity::default();
    let run = simulate(genome, market, config, &mut equity)?;
    Ok(OrdersResult {
        trades: run.trades,
        final_equity: equity.last.unwrap_or(config.initial_capital),
        buys: run.buys,
        sells: run.sells,
        bars_in_market: run.bars_in_market,
        halted_at_bar: run.halted_at_bar,
    })
}

/// What the bar loop leaves besides the equity.
pub(crate) struct Simulated {
    pub(crate) trades: Vec<Trade>,
    pub(crate) buys: usize,
    pub(crate) sells: usize,
    pub(crate) bars_in_market: usize,
    pub(crate) halted_at_bar: Option<usize>,
}

/// What the full step's daily loss limit would have left in `state` after stepping through
/// `skipped`, bars of an open position with no order, exit or halt (the engine's fast path):
/// each bar's day starts, as in `step_bar`, from the previous bar's equity, and blocks entries
/// once a bar's equity is at or below that start less the limit. Only the last day of `skipped`
/// can leave a trace, so only its bars are read. `day_and_equity` gives a bar's day and marked
/// equity; `equity_before` is the equity of the bar before `skipped` (timestamps ascend, so days
/// never decrease).
fn settle_days(
    state: &mut StepState,
    risk: &RiskLimits,
    skipped: std::ops::Range<usize>,
    equity_before: f64,
    day_and_equity: impl Fn(usize) -> (i64, f64),
) {
    let Some(limit) = risk.daily_loss_limit_pct else {
        return;
    };
    let last_day = day_and_equity(skipped.end - 1).0;
    let mut day_start = skipped.end - 1;
    while day_start > skipped.start && day_and_equity(day_start - 1).0 == last_day {
        day_start -= 1;
    }
    if last_day != state.day {
        state.day = last_day;
        state.day_start_equity = if day_start > skipped.start {
            day_and_equity(day_start - 1).1
        } else {
            equity_before
        };
        state.entries_blocked_today = false;
    }
    if !state.entries_blocked_today {
        let floor = state.day_start_equity * (1.0 - limit / 100.0);
        state.entries_blocked_today =
            (day_start..skipped.end).any(|bar| day_and_equity(bar).1 <= floor);
    }
}

/// The bar loop of [`run_backtest`], recording equity into `equity_curve`.
pub(crate) fn simulate<S: EquitySink>(
    genome: &Genome,
    market: &Market,
    config: &BacktestConfig,
    equity_curve: &mut S,
) -> Result<Simulated, BacktestError> {
    genome.validate()?;
    config.validate()?;
    let series = market.series();
    let bars = series.len();
    if bars < 2 {
        return Err(BacktestError::TooFewBars { bars });
    }
    let GenomeColumns {
        signals,
        channel,
        volatility,
    } = GenomeColumns::prepare(genome, market)?;
    let (open, high, low, close) = (series.open(), series.high(), series.low(), series.close());
    let timestamps = series.timestamps();
    let exit_context = ExitContext {
        signals: &signals,
        close,
        channel: channel.as_ref(),
        exits: &genome.exit,
        fill: config.fill,
    };
    let risk = &genome.risk;
    // Room for a typical run's trades (W1 on the S&P 500 averages 35), so the list rarely
    // reallocates.
    let mut ledger = Ledger::new(genome, config, 64);
    let mut book = Book {
        // A fresh Arc per run: its trades clone it, and a count shared by every run on every
        // thread would bounce its cache line between the cores on each trade.
        symbol: Arc::from(&*market.symbol),
        timestamps,
        first_bar: 0,
        volatility,
        position: None,
    };
    let mut state = StepState::new(config.initial_capital);
    let mut bars_in_market = 0;
    // What the fast paths below learnt, so the full step need not evaluate it again: the entry
    // signal's bar and side, and (position's entry bar, first bar that may decide an exit).
    let mut known_entry: Option<(usize, Side)> = None;
    let mut quiet: Option<(usize, usize)> = None;

    let direction = genome.entry.direction;
    let wanted = |long: bool, short: bool| entry_side(direction, long, short);
    let day_of = |t: usize| timestamps[t].millis().div_euclid(MS_PER_DAY);
    let tracks_days = risk.daily_loss_limit_pct.is_some();
    let mut t = 0;
    while t < bars {
        let input = BarInput {
            bar: t,
            open: open[t],
            high: high[t],
            low: low[t],
            close: close[t],
            // Days matter only to the daily loss limit (and reading every bar's time costs a cache
            // miss).
            day: tracks_days.then(|| day_of(t)),
            last_bar: t + 1 == bars,
            previous_equity: equity_curve.last_equity().unwrap_or(config.initial_capital),
        };
        let equity = step_bar(
            &mut state,
            &mut ledger,
            &mut book,
            &input,
            || match known_entry {
                Some((bar, side)) if bar == t => Some(side),
                _ => {
                    let (long, short) = signals.at(close, t);
                    wanted(long, short)
                }
            },
            |position| {
                if quiet
                    .is_some_and(|(entry_bar, until)| entry_bar == position.entry_bar && t < until)
                {
                    None
                } else {
                    exit_context.exit_signal(position, t, t)
                }
            },
        );
        if book.position.is_some() {
            bars_in_market += 1;
        }
        equity_curve.push(equity);
        t += 1;

        // Fast-forward while flat with nothing pending: every bar until the next entry signal would
        // do exactly what bar t-1 did (equity stays at cash, so the risk checks give the same answers;
        // a new day only resets the daily block), so jump to that signal's bar and process it in full.
        // Not when cash alone would trip an account limit that bar t-1's checks did not: with fills
        // at the close, t-1 checked its equity before closing the position, costs not yet paid, and
        // bar t is the first to see the cash (the portfolio and live engines check it there too).
        let cash = ledger.cash;
        let limit_trips_on_cash = (state.halted_at_bar.is_none()
            && risk
                .max_drawdown_halt_pct
                .is_some_and(|limit| cash <= state.peak * (1.0 - limit / 100.0)))
            || (!state.entries_blocked_today
                && risk
                    .daily_loss_limit_pct
                    .is_some_and(|limit| cash <= state.day_start_equity * (1.0 - limit / 100.0)));
        if book.position.is_none() && state.pending.is_none() && t < bars && !limit_trips_on_cash {
            let entries_closed = state.halted_at_bar.is_some()
                || risk
                    .consecutive_loss_limit
                    .is_some_and(|limit| ledger.consecutive_losses >= limit);
            let mut from = t;
            if state.entries_blocked_today {
                from = (t..bars)
                    .find(|&next| day_of(next) != state.day)
                    .unwrap_or(bars);
            }
            let next = if entries_closed {
                None
            } else {
                signals.next_entry(close, from, bars, wanted)
            };
            known_entry = next;
            let until = next.map_or(bars, |(signal_bar, _)| signal_bar);
            equity_curve.fill_to(until, ledger.cash);
            t = until;
        }

        // Fast path while a position is open: a bar with no intrabar exit, no exit decision and no
        // drawdown halt only updates the trailing extreme, the equity's peak (for the halt) and
        // marks equity; under a daily loss limit it also moves the day and may block entries,
        // which matters only once the position is closed, so that is settled after the skip.
        // Stop before the first bar where something happens (or the last bar) and let the full
        // step above process it.
        if state.pending.is_none()
            && let Some(position) = &mut book.position
            && t + 1 < bars
        {
            let first = t;
            let (cash, quantity) = (ledger.cash, position.signed_quantity());
            // Step 3 of the full step for a bar with no intrabar exit: the peak takes the marked
            // equity, and the bar halts when the equity is that far below it (then it is left to
            // the full step, the peak not updated). The same arithmetic as `step_bar`. Without a
            // halt to watch (none set, or it already fired) the peak is never read again, so it
            // is not kept.
            let halt_level = risk
                .max_drawdown_halt_pct
                .filter(|_| state.halted_at_bar.is_none())
                .map(|limit| 1.0 - limit / 100.0);
            let mut peak = state.peak;
            let halts = |t: usize, peak: &mut f64| {
                let Some(level) = halt_level else {
                    return false;
                };
                let marked = cash + quantity * close[t];
                let raised = peak.max(marked);
                if marked <= raised * level {
                    return true;
                }
                *peak = raised;
                false
            };
            // The exit decisions are looked for a window at a time (16 bars, doubling up to
            // 1024), and the window's bars then stepped through up to the first decision: a
            // position that a stop closes after a few bars does not pay for scanning the entry
            // rules far beyond it. The last bar is always left to the full step.
            let last = bars - 1;
            let mut window = 16;
            loop {
                let window_end = (t + window).min(last);
                window = (window * 2).min(1024);
                // The first bar that exits intrabar, found first as it is cheap; the entry rules
                // are then scanned for an exit decision only before it. Fixed levels: the first
                // bar that touches either (the best price since entry matters only to a trailing
                // stop, so it is not tracked). A trailing stop: the level moves with the best
                // price, so the bars are stepped through on copies of the position and the peak,
                // up to the first that exits or halts.
                let (touched, probe) = if position.trail_activation_level.is_none() {
                    let (lower, upper) = position.fixed_levels();
                    (first_touch(high, low, t, window_end, lower, upper), None)
                } else {
                    let (mut probe, mut probe_peak) = (position.clone(), peak);
                    let mut touched = t;
                    while touched < window_end
                        && probe
                            .intrabar_exit(open[touched], high[touched], low[touched])
                            .is_none()
                        && !halts(touched, &mut probe_peak)
                    {
                        probe.track_extreme(high[touched], low[touched]);
                        touched += 1;
                    }
                    (touched, Some((probe, probe_peak)))
                };
                // No exit decision before this bar (nor an intrabar exit).
                let quiet_until = exit_context.next_exit_decision(position, t, touched);
                quiet = Some((position.entry_bar, quiet_until));
                t = match probe {
                    // Fixed levels: an earlier halt, if any.
                    None if halt_level.is_some() => (t..quiet_until)
                        .find(|&bar| halts(bar, &mut peak))
                        .unwrap_or(quiet_until),
                    None => quiet_until,
                    // The copies have stepped through exactly these bars.
                    Some((probe, probe_peak)) if quiet_until == touched => {
                        (*position, peak) = (probe, probe_peak);
                        touched
                    }
                    Some(_) => {
                        // An exit decision comes first: step through the bars before it again
                        // (none exits intrabar or halts; the peak still rises). A bar handed back
                        // to the full step must be untracked: its intrabar check uses the extreme
                        // of earlier bars only.
                        while t < quiet_until {
                            let halted = halts(t, &mut peak);
                            debug_assert!(!halted, "the copy found no halt before bar {touched}");
                            position.track_extreme(high[t], low[t]);
                            t += 1;
                        }
                        t
                    }
                };
                // Go on to the next window only when this one ended with nothing happening.
                if t < window_end || window_end == last {
                    break;
                }
            }
            state.peak = peak;
            let equity_before = equity_curve.last_equity().unwrap_or(config.initial_capital);
            equity_curve.extend_marked(&close[first..t], cash, quantity);
            bars_in_market += t - first;
            if tracks_days && t > first {
                settle_days(&mut state, risk, first..t, equity_before, |bar| {
                    (day_of(bar), cash + quantity * close[bar])
                });
            }
        }
    }
    Ok(Simulated {
        trades: ledger.trades,
        buys: ledger.buys,
        sells: ledger.sells,
        bars_in_market,
        halted_at_bar: state.halted_at_bar,
    })
}

/// The first bar in `from..to` whose range reaches `lower` (at or below) or `upper` (at or above),
/// or `to`: where [`Position::intrabar_exit`] fires for fixed levels, eight bars at a time. A gap
/// through a level needs no test of its own: a [`BarSeries`] guarantees `low <= open <= high`, so an
/// open beyond a level means the low or high is beyond it too.
fn first_touch(high: &[f64], low: &[f64], from: usize, to: usize, lower: f64, upper: f64) -> usize {
    const BLOCK: usize = 8;
    let touches = |t: usize| low[t] <= lower || high[t] >= upper;
    let mut t = from;
    while t + BLOCK <= to {
        let (h, l) = (&high[t..t + BLOCK], &low[t..t + BLOCK]);
        let mut any = false;
        for k in 0..BLOCK {
            any |= (l[k] <= lower) | (h[k] >= upper);
        }
        if any {
            break;
        }
        t += BLOCK;
    }
    (t..to).find(|&t| touches(t)).unwrap_or(to)
}

/// What an exit decision on a close reads besides the position: the entry signals (an exit on
/// the opposite signal), the closes, the channel (a channel exit), the genome's exit chromosome and
/// when orders fill (the bars a position has been held).
pub(crate) struct ExitContext<'a> {
    /// The genome's entry signals.
    pub(crate) signals: &'a EntrySignals,
    /// The closes the signals and the channel are read against.
    pub(crate) close: &'a [f64],
    /// The channel of a channel exit, if the genome has one.
    pub(crate) channel: Option<&'a Channel>,
    /// The genome's exits.
    pub(crate) exits: &'a gauntlet_genome::ExitChromosome,
    /// When orders fill.
    pub(crate) fill: FillConvention,
}

impl ExitContext<'_> {
    /// The exit decided on the close of bar number `now` for an open position, if any; `close`,
    /// `signals` and `channel` are read at index `t` (the same bar: `t == now` over a whole
    /// series, the last index of a window in the live engine).
    pub(crate) fn exit_signal(
        &self,
        position: &Position,
        t: usize,
        now: usize,
    ) -> Option<ExitReason> {
        let close = self.close;
        if self.exits.exit_on_opposite_signal {
            let (long, short) = self.signals.at(close, t);
            let opposite = match position.side {
                Side::Long => short,
                Side::Short => long,
            };
            if opposite {
                return Some(ExitReason::Signal);
            }
        }
        if self.signals.exit_at(t, position.side == Side::Long) {
            return Some(ExitReason::Formula);
        }
        if let Some((lower, upper)) = self.channel
            && t > 0
        {
            let broken = match position.side {
                Side::Long => close[t] < lower[t - 1],
                Side::Short => close[t] > upper[t - 1],
            };
            if broken {
                return Some(ExitReason::Signal);
            }
        }
        if let Some(limit) = self.exits.max_holding_bars
            && self.fill.bars_held(position.entry_bar, now) >= limit as usize
        {
            return Some(ExitReason::TimeExit);
        }
        None
    }

    /// The first bar in `from..to` on whose close [`ExitContext::exit_signal`] decides an exit,
    /// or `to` (over a whole series: `t == now`).
    fn next_exit_decision(&self, position: &Position, from: usize, to: usize) -> usize {
        let close = self.close;
        let mut until = to;
        if let Some(limit) = self.exits.max_holding_bars {
            // `bars_held >= limit` in exit_signal, solved for the bar.
            let due = self.fill.bar_holding(position.entry_bar, limit as usize);
            until = until.min(due.max(from));
        }
        if self.exits.exit_on_opposite_signal
            && let Some(bar) =
                self.signals
                    .next_opposite(close, from, until, position.side == Side::Long)
        {
            until = bar;
        }
        let is_long = position.side == Side::Long;
        if self.signals.has_exit(is_long)
            && let Some(bar) = (from..until).find(|&t| self.signals.exit_at(t, is_long))
        {
            until = bar;
        }
        if let Some((lower, upper)) = self.channel {
            let broken = |t: usize| match position.side {
                Side::Long => close[t] < lower[t - 1],
                Side::Short => close[t] > upper[t - 1],
            };
            until = (from.max(1)..until).find(|&t| broken(t)).unwrap_or(until);
        }
        until
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Settling a skipped stretch at once leaves the daily loss limit's state as stepping
        /// through it bar by bar does, as `step_bar` steps: a new day starts from the previous
        /// bar's equity and clears the block; a bar at or below the day's start less the limit
        /// sets it.
        #[test]
        fn settling_days_at_once_is_stepping_bar_by_bar(
            day_lengths in prop::collection::vec(1usize..5, 1..8),
            moves in prop::collection::vec(-0.02f64..0.02, 40),
            skipped_from in 0usize..6,
            known_day in any::<bool>(),
            blocked in any::<bool>(),
        ) {
            let days: Vec<i64> = day_lengths
                .iter()
                .enumerate()
                .flat_map(|(day, &bars)| std::iter::repeat_n(day as i64 + 100, bars))
                .collect();
            let mut equity = vec![10_000.0];
            for bar in 1..=days.len() {
                equity.push(equity[bar - 1] * (1.0 + moves[bar % moves.len()]));
            }
            // equity[bar + 1] is bar's equity; equity[0] the equity before the first bar.
            let skipped = skipped_from.min(days.len() - 1)..days.len();
            let risk = RiskLimits { daily_loss_limit_pct: Some(1.0), ..RiskLimits::default() };
            let mut state = StepState::new(10_000.0);
            state.day = if known_day { days[skipped.start] } else { days[skipped.start] - 1 };
            state.day_start_equity = 9_950.0;
            state.entries_blocked_today = blocked;

            let mut stepped = state.clone();
            for bar in skipped.clone() {
                if days[bar] != stepped.day {
                    stepped.day = days[bar];
                    stepped.day_start_equity = equity[bar];
                    stepped.entries_blocked_today = false;
                }
                if equity[bar + 1] <= stepped.day_start_equity * (1.0 - 1.0 / 100.0) {
                    stepped.entries_blocked_today = true;
                }
            }
            settle_days(&mut state, &risk, skipped.clone(), equity[skipped.start], |bar| {
                (days[bar], equity[bar + 1])
            });
            prop_assert_eq!(state, stepped);
        }
    }
}
