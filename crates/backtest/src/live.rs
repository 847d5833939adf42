//! The live engine: one genome trading one symbol one bar at a time, for the paper trader.
//!
//! Each bar runs the backtest's own step ([`crate::engine`]: fills at the open, intrabar exits, risk
//! limits, decisions on the close), with every indicator column the genome reads computed by its
//! streaming form ([`StreamingColumn`], the same values as the batch columns) and handed to the
//! same compiled entry and exit rules as their last two values. So a feed of the same bars gives
//! exactly the backtest's trades: a decision at bar t uses bars up to t only, and fills at bar t+1
//! (`next_open`) or at bar t's close (`close`). The whole state serialises (JSON with exact floats),
//! so a paper trader can save it after every bar and resume.

use std::sync::Arc;

use gauntlet_blocks::{Formula, StreamingFormula};
use gauntlet_core::{Bar, Timestamp};
use gauntlet_genome::{EntryLogic, Genome};
use gauntlet_indicators::{IndicatorColumn, StreamingColumn};
use serde::{Deserialize, Serialize};

use crate::account::{Book, Counters, Ledger, Position};
use crate::config::BacktestConfig;
use crate::engine::{ExitContext, GenomeColumns, Order, entry_side};
use crate::error::BacktestError;
use crate::signals::{Column, Explanation};
use crate::step::{BarInput, StepState, step_bar};
use crate::trade::{ExitReason, Side, Trade};

use gauntlet_core::MILLIS_PER_DAY as MS_PER_DAY;

/// One indicator column with its last two values (`None` during warm-up).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LiveColumn {
    streaming: StreamingColumn,
    previous: Option<f64>,
    current: Option<f64>,
}

/// One formula of a formula genome, evaluated bar by bar, with its last two values.
#[derive(Debug, Clone)]
struct LiveFormula {
    streaming: StreamingFormula,
    previous: bool,
    current: bool,
}

/// A formula genome's formulas (`long`, `short`, `exit_long`, `exit_short`; `None` for one it
/// does not have), streaming. Their state does not serialise: a saved engine of a formula genome
/// that has seen bars cannot go on (see [`LiveEngine::on_bar`]).
type LiveFormulas = [Option<LiveFormula>; 4];

/// The streaming formulas of `genome`, or `None` when it is not a formula genome.
fn live_formulas(genome: &Genome) -> Result<Option<LiveFormulas>, BacktestError> {
    let EntryLogic::Formula(entry) = &genome.entry.logic else {
        return Ok(None);
    };
    let streaming = |field: &str, text: &Option<String>| {
        text.as_deref()
            .map(|text| {
                Formula::parse(text)
                    .and_then(|formula| StreamingFormula::new(&formula))
                    .map(|streaming| LiveFormula {
                        streaming,
                        previous: false,
                        current: false,
                    })
                    .map_err(|error| BacktestError::Formula(format!("{field}: {error}")))
            })
            .transpose()
    };
    Ok(Some([
        streaming("long", &entry.long)?,
        streaming("short", &entry.short)?,
        streaming("exit_long", &entry.exit_long)?,
        streaming("exit_short", &entry.exit_short)?,
    ]))
}

/// An open position as the paper trader shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PositionView {
    /// Long or short.
    pub side: Side,
    /// Units held (positive).
    pub quantity: f64,
    /// Entry fill price (after spread and slippage).
    pub entry_price: f64,
    /// Open time of the bar the entry filled in.
    pub entry_time: Timestamp,
    /// The stop-loss level, if any.
    pub stop: Option<f64>,
    /// The take-profit level, if any.
    pub target: Option<f64>,
    /// `(close - entry) * quantity`, sign-adjusted for shorts, at the last close, quote currency.
    pub unrealised_pnl: f64,
}

/// An order decided on a close that fills at the next bar's open (`next_open`), or a fill at this
/// close (`close`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveOrder {
    /// `entry` or `exit`.
    pub kind: &'static str,
    /// The side of the trade the order makes: buy or sell.
    pub side: Side,
    /// For an entry, the side of the position it opens; for an exit, the position's side.
    pub position_side: Side,
    /// Why: `signal` for an entry, the exit reason for an exit.
    pub reason: &'static str,
    /// Units for an exit; for an entry the units it would buy at this close (the fill sizes on the
    /// fill price, so the filled quantity may differ).
    pub quantity: f64,
    /// The close it was decided on.
    pub decided_at_price: f64,
}

/// A fill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveFill {
    /// `entry` or `exit`.
    pub kind: &'static str,
    /// Buy or sell.
    pub side: Side,
    /// Units.
    pub quantity: f64,
    /// Fill price after spread and slippage.
    pub price: f64,
    /// Why it filled (`signal`, `stop_loss`, `take_profit`, ...).
    pub reason: &'static str,
}

/// The entry rules that hold at a close, as a signal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveSignal {
    /// The side the rules select.
    pub side: Side,
    /// The rules that fired, in plain English (or the factor score).
    pub reasons: Vec<String>,
    /// How strongly they hold, 0 to 1: the share of the genome's rules that fired (1 for an
    /// always-in genome; the score's distance past its threshold over 1 for a factor score, capped).
    pub confidence: f64,
    /// Whether the account acted on it: it was flat, not halted or blocked, so the entry was
    /// ordered (or filled at this close).
    pub acted: bool,
}

/// A risk limit firing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskEvent {
    /// `max_drawdown_halt`, `daily_loss_limit` or `consecutive_loss_limit`.
    pub limit: &'static str,
    /// What it does.
    pub message: String,
}

/// What happened on one bar.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveStep {
    /// The bar's number (0 = the first bar the engine saw).
    pub bar: usize,
    /// Its open time.
    pub timestamp: Timestamp,
    /// Fills on this bar, in order.
    pub fills: Vec<LiveFill>,
    /// Trades closed on this bar.
    pub closed: Vec<Trade>,
    /// The entry signal at this close, if the rules select a side.
    pub signal: Option<LiveSignal>,
    /// The order decided at this close for the next open, if any.
    pub order: Option<LiveOrder>,
    /// Risk limits that fired on this bar.
    pub risk_events: Vec<RiskEvent>,
    /// Equity marked at the close.
    pub equity: f64,
    /// Cash after this bar.
    pub cash: f64,
    /// The open position after this bar.
    pub position: Option<PositionView>,
}

/// One genome on one symbol, one bar at a time (see the module documentation).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LiveEngine {
    genome: Genome,
    config: BacktestConfig,
    symbol: String,
    columns: Vec<LiveColumn>,
    bars_seen: usize,
    previous_bar: Option<Bar>,
    last_bar: Option<Bar>,
    account: Counters,
    position: Option<Position>,
    state: StepState,
    equity: f64,
    realised_pnl: f64,
    trades: usize,
    /// A formula genome's formulas (not saved: see [`LiveFormulas`]).
    #[serde(skip)]
    formulas: Option<LiveFormulas>,
}

impl LiveEngine {
    /// A flat account of `config.initial_capital` trading `genome` on `symbol`, no bar seen yet.
    ///
    /// # Errors
    /// [`BacktestError::Genome`] for an invalid genome, [`BacktestError::Config`] for invalid
    /// settings, [`BacktestError::Indicator`] for indicator parameters that cannot be computed.
    pub fn new(
        genome: Genome,
        symbol: impl Into<String>,
        config: BacktestConfig,
    ) -> Result<Self, BacktestError> {
        genome.validate()?;
        config.validate()?;
        // The columns the genome reads: whatever the shared compiler asks for.
        let mut wanted: Vec<IndicatorColumn> = Vec::new();
        GenomeColumns::prepare_with(&genome, &mut |column| {
            if !wanted.contains(&column) {
                wanted.push(column);
            }
            Ok(Arc::from(vec![f64::NAN]))
        })?;
        let columns = wanted
            .into_iter()
            .map(|column| {
                Ok(LiveColumn {
                    streaming: StreamingColumn::new(column)?,
                    previous: None,
                    current: None,
                })
            })
            .collect::<Result<Vec<_>, BacktestError>>()?;
        let formulas = live_formulas(&genome)?;
        Ok(Self {
            genome,
            config,
            symbol: symbol.into(),
            columns,
            bars_seen: 0,
            previous_bar: None,
            last_bar: None,
            account: Counters::new(config.initial_capital),
            position: None,
            state: StepState::new(config.initial_capital),
            equity: config.initial_capital,
            realised_pnl: 0.0,
            trades: 0,
            formulas,
        })
    }

    /// The genome.
    pub fn genome(&self) -> &Genome {
        &self.genome
    }

    /// The symbol it trades.
    pub fn symbol(&self) -> &str {
        &self.symbol
    }

    /// The settings.
    pub fn config(&self) -> &BacktestConfig {
        &self.config
    }

    /// Bars processed so far.
    pub fn bars_seen(&self) -> usize {
        self.bars_seen
    }

    /// The last bar processed.
    pub fn last_bar(&self) -> Option<&Bar> {
        self.last_bar.as_ref()
    }

    /// Cash, quote currency.
    pub fn cash(&self) -> f64 {
        self.account.cash
    }

    /// Equity marked at the last close.
    pub fn equity(&self) -> f64 {
        self.equity
    }

    /// Net P&L of the closed trades.
    pub fn realised_pnl(&self) -> f64 {
        self.realised_pnl
    }

    /// Closed trades so far.
    pub fn trade_count(&self) -> usize {
        self.trades
    }

    /// Whether the drawdown halt has fired (no new entries).
    pub fn halted(&self) -> bool {
        self.state.halted_at_bar.is_some()
    }

    /// The open position, marked at the last close.
    pub fn position(&self) -> Option<PositionView> {
        let close = self.last_bar.map_or(f64::NAN, |bar| bar.close);
        self.position.as_ref().map(|position| PositionView {
            side: position.side,
            quantity: position.quantity,
            entry_price: position.entry_price,
            entry_time: position.entry_time,
            stop: position.stop_level,
            target: position.target_level,
            unrealised_pnl: (close - position.entry_price)
                * position.quantity
                * position.side.sign(),
        })
    }

    /// The order waiting for the next open, if any.
    pub fn pending_order(&self) -> Option<LiveOrder> {
        let close = self.last_bar.map_or(f64::NAN, |bar| bar.close);
        self.state
            .pending
            .map(|order| self.describe_order(order, close))
    }

    fn describe_order(&self, order: Order, close: f64) -> LiveOrder {
        match order {
            Order::Entry(side) => {
                // An estimate: the fill sizes on the fill price.
                let estimate = self.estimate_quantity(close);
                LiveOrder {
                    kind: "entry",
                    side,
                    position_side: side,
                    reason: "signal",
                    quantity: estimate,
                    decided_at_price: close,
                }
            }
            Order::Exit(reason) => {
                let (side, quantity) = self
                    .position
                    .as_ref()
                    .map_or((Side::Long, 0.0), |p| (p.side, p.quantity));
                LiveOrder {
                    kind: "exit",
                    side: match side {
                        Side::Long => Side::Short,
                        Side::Short => Side::Long,
                    },
                    position_side: side,
                    reason: reason.name(),
                    quantity,
                    decided_at_price: close,
                }
            }
        }
    }

    /// The units an entry would get at `price` now, sized like the engine's fill.
    fn estimate_quantity(&self, price: f64) -> f64 {
        let mut ledger = Ledger::resume(&self.genome, &self.config, self.account);
        let timestamps = [self.last_bar.map_or(Timestamp(0), |bar| bar.timestamp)];
        let mut book = Book {
            symbol: Arc::from(self.symbol.as_str()),
            timestamps: &timestamps,
            first_bar: 0,
            volatility: None,
            position: None,
        };
        let volatility = self.volatility_now();
        ledger.open(
            &mut book,
            Side::Long,
            price,
            0,
            volatility,
            self.account.cash,
            0.0,
        );
        book.position.map_or(0.0, |position| position.quantity)
    }

    fn volatility_now(&self) -> f64 {
        match self.genome.sizing.method {
            gauntlet_genome::SizingMethod::VolatilityTarget { lookback, .. } => self
                .columns
                .iter()
                .find(|column| {
                    column.streaming.column() == IndicatorColumn::Volatility { period: lookback }
                })
                .and_then(|column| column.current)
                .unwrap_or(f64::NAN),
            _ => f64::NAN,
        }
    }

    /// Processes the next bar. `last` marks the feed's last bar: like the backtest's last bar, no
    /// order is left pending and, with `config.close_at_end`, the position closes at its close.
    ///
    /// # Errors
    /// [`BacktestError::RejectedBar`] when the bar fails the bar checks or does not come after the
    /// last one; the engine is then unchanged.
    pub fn on_bar(&mut self, bar: Bar, last: bool) -> Result<LiveStep, BacktestError> {
        if let Err(problem) = bar.check() {
            return Err(BacktestError::RejectedBar {
                timestamp: bar.timestamp,
                reason: problem.to_string(),
            });
        }
        if let Some(previous) = &self.last_bar
            && bar.timestamp <= previous.timestamp
        {
            return Err(BacktestError::RejectedBar {
                timestamp: bar.timestamp,
                reason: if bar.timestamp == previous.timestamp {
                    "a duplicate of the last bar's time".into()
                } else {
                    format!("out of order: before the last bar ({})", previous.timestamp)
                },
            });
        }
        let t = self.bars_seen;
        if self.formulas.is_none() {
            // A formula genome's streaming state is not saved: a restored engine can only start
            // from its first bar.
            self.formulas = live_formulas(&self.genome)?;
            if self.formulas.is_some() && t > 0 {
                self.formulas = None;
                return Err(BacktestError::Formula(format!(
                    "a formula genome's saved state after {t} bars cannot go on (its indicator \
                     state is not saved); start a new session on the whole history"
                )));
            }
        }
        for formula in self.formulas.iter_mut().flatten().flatten() {
            formula.previous = formula.current;
            formula.current = formula.streaming.update(&bar);
        }
        for column in &mut self.columns {
            let value = column.streaming.update(&bar);
            column.previous = column.current;
            column.current = value.is_finite().then_some(value);
        }
        self.previous_bar = self.last_bar.replace(bar);
        self.bars_seen += 1;

        // The last two bars as columns, read at index `now` (0 on the first bar).
        let window = |previous: Option<f64>, current: Option<f64>| -> Column {
            let value = |value: Option<f64>| value.unwrap_or(f64::NAN);
            if t == 0 {
                Arc::from(vec![value(current)])
            } else {
                Arc::from(vec![value(previous), value(current)])
            }
        };
        let columns = &self.columns;
        let GenomeColumns {
            signals,
            channel,
            volatility,
        } = GenomeColumns::prepare_with(&self.genome, &mut |wanted| {
            columns
                .iter()
                .find(|column| column.streaming.column() == wanted)
                .map(|column| window(column.previous, column.current))
                .ok_or(BacktestError::Config {
                    field: "genome",
                    message: format!("{wanted:?} was not prepared"),
                })
        })?;
        let signals = match &self.formulas {
            Some(formulas) => signals.with_formula_values(formulas.each_ref().map(|formula| {
                formula.as_ref().map(|formula| -> Arc<[bool]> {
                    if t == 0 {
                        Arc::from([formula.current])
                    } else {
                        Arc::from([formula.previous, formula.current])
                    }
                })
            })),
            None => signals,
        };
        let now = usize::from(t > 0);
        let close: Vec<f64> = match (t, self.previous_bar) {
            (0, _) | (_, None) => vec![bar.close],
            (_, Some(previous)) => vec![previous.close, bar.close],
        };
        let timestamps: Vec<Timestamp> = match (t, self.previous_bar) {
            (0, _) | (_, None) => vec![bar.timestamp],
            (_, Some(previous)) => vec![previous.timestamp, bar.timestamp],
        };

        let before = self.position.clone();
        let halted_before = self.state.halted_at_bar.is_some();
        let blocked_before = self.state.entries_blocked_today;
        let losses_before = self.account.consecutive_losses;
        let mut ledger = Ledger::resume(&self.genome, &self.config, self.account);
        let mut book = Book {
            symbol: Arc::from(self.symbol.as_str()),
            timestamps: &timestamps,
            first_bar: t + 1 - timestamps.len(),
            volatility,
            position: self.position.take(),
        };
        let direction = self.genome.entry.direction;
        let exit_context = ExitContext {
            signals: &signals,
            close: &close,
            channel: channel.as_ref(),
            exits: &self.genome.exit,
            fill: self.config.fill,
        };
        let pending_before = self.state.pending;
        let input = BarInput {
            bar: t,
            open: bar.open,
            high: bar.high,
            low: bar.low,
            close: bar.close,
            day: self
                .genome
                .risk
                .daily_loss_limit_pct
                .is_some()
                .then(|| bar.timestamp.millis().div_euclid(MS_PER_DAY)),
            last_bar: last,
            previous_equity: self.equity,
        };
        let mut entry_asked = false;
        let equity = step_bar(
            &mut self.state,
            &mut ledger,
            &mut book,
            &input,
            || {
                entry_asked = true;
                let (long, short) = signals.at(&close, now);
                entry_side(direction, long, short)
            },
            |position| exit_context.exit_signal(position, now, t),
        );

        // What happened, from the state before and after: every fill, in order. A position that
        // entered at this bar's open and was stopped out in the same bar appears only as a closed
        // trade, so its entry fill comes from the trade.
        let mut fills = Vec::new();
        let mut closed = Vec::new();
        let entry_fill = |side: Side, quantity: f64, price: f64| LiveFill {
            kind: "entry",
            side,
            quantity,
            price,
            reason: "signal",
        };
        for trade in &ledger.trades {
            if trade.entry_bar == t {
                fills.push(entry_fill(trade.side, trade.quantity, trade.entry_price));
            }
            fills.push(LiveFill {
                kind: "exit",
                side: match trade.side {
                    Side::Long => Side::Short,
                    Side::Short => Side::Long,
                },
                quantity: trade.quantity,
                price: trade.exit_price,
                reason: trade.exit_reason.name(),
            });
            self.realised_pnl += trade.net_pnl;
            closed.push(trade.clone());
        }
        if let Some(position) = &book.position
            && position.entry_bar == t
            && before
                .as_ref()
                .is_none_or(|old| old.entry_bar != position.entry_bar)
        {
            let entry = entry_fill(position.side, position.quantity, position.entry_price);
            // A next-open entry fills before any exit of the same bar; a close entry after.
            if matches!(pending_before, Some(Order::Entry(_))) {
                fills.insert(0, entry);
            } else {
                fills.push(entry);
            }
        }
        self.trades += ledger.trades.len();
        self.account = ledger.counters();
        self.position = book.position.take();
        self.equity = equity;

        let mut risk_events = Vec::new();
        if !halted_before && self.state.halted_at_bar.is_some() {
            risk_events.push(RiskEvent {
                limit: "max_drawdown_halt",
                message: format!(
                    "equity {:.2} is {}% below its peak {:.2}: positions closed, no new entries",
                    equity,
                    self.genome.risk.max_drawdown_halt_pct.unwrap_or(0.0),
                    self.state.peak
                ),
            });
        }
        if !blocked_before && self.state.entries_blocked_today {
            risk_events.push(RiskEvent {
                limit: "daily_loss_limit",
                message: format!(
                    "equity {:.2} is {}% below the day's start {:.2}: no new entries today",
                    equity,
                    self.genome.risk.daily_loss_limit_pct.unwrap_or(0.0),
                    self.state.day_start_equity
                ),
            });
        }
        if let Some(limit) = self.genome.risk.consecutive_loss_limit
            && losses_before < limit
            && self.account.consecutive_losses >= limit
        {
            risk_events.push(RiskEvent {
                limit: "consecutive_loss_limit",
                message: format!("{limit} losing trades in a row: no new entries"),
            });
        }

        let signal = self.signal_at(&signals, &close, now, entry_asked);
        // The pending order of the last close filled at this open, so any order now is new.
        let order = self
            .state
            .pending
            .map(|order| self.describe_order(order, bar.close));
        Ok(LiveStep {
            bar: t,
            timestamp: bar.timestamp,
            fills,
            closed,
            signal,
            order,
            risk_events,
            equity,
            cash: self.account.cash,
            position: self.position(),
        })
    }

    /// The entry signal at this close, with its reasons.
    fn signal_at(
        &self,
        signals: &crate::signals::EntrySignals,
        close: &[f64],
        now: usize,
        acted: bool,
    ) -> Option<LiveSignal> {
        let (long, short) = signals.at(close, now);
        let side = entry_side(self.genome.entry.direction, long, short)?;
        let explanation = signals.explain(close, now, side == Side::Long);
        let (reasons, confidence) = match (&explanation, &self.genome.entry.logic) {
            (Explanation::Always, _) => (vec!["always in the market".to_string()], 1.0),
            (Explanation::Score(value), EntryLogic::MultiFactor(score)) => {
                let threshold = if side == Side::Long {
                    score.buy_above
                } else {
                    score.sell_below
                };
                (
                    vec![format!(
                        "factor score {value:.3} {} {threshold}",
                        if side == Side::Long { "above" } else { "below" }
                    )],
                    (value - threshold).abs().min(1.0),
                )
            }
            (Explanation::Rules { fired, .. }, EntryLogic::Rules { rules, .. }) => (
                fired
                    .iter()
                    .filter_map(|index| rules.get(*index))
                    .map(|rule| rule.describe(side == Side::Long))
                    .collect(),
                fired.len() as f64 / rules.len().max(1) as f64,
            ),
            (Explanation::Formula(true), EntryLogic::Formula(entry)) => (
                (if side == Side::Long {
                    &entry.long
                } else {
                    &entry.short
                })
                .iter()
                .map(|text| format!("formula {text}"))
                .collect(),
                1.0,
            ),
            _ => (Vec::new(), 0.0),
        };
        Some(LiveSignal {
            side,
            reasons,
            confidence,
            acted,
        })
    }

    /// Closes the open position at the last close (exit reason `end_of_data`) and cancels the
    /// pending order: what `--flatten-on-exit` does when a feed stops without a last bar. Returns
    /// the trade, if a position was open.
    pub fn flatten(&mut self) -> Option<Trade> {
        self.state.pending = None;
        let bar = self.last_bar?;
        let position = self.position.take()?;
        let t = self.bars_seen - 1;
        let timestamps = [bar.timestamp];
        let mut ledger = Ledger::resume(&self.genome, &self.config, self.account);
        let mut book = Book {
            symbol: Arc::from(self.symbol.as_str()),
            timestamps: &timestamps,
            first_bar: t,
            volatility: None,
            position: Some(position),
        };
        ledger.close(&mut book, bar.close, t, ExitReason::EndOfData);
        self.account = ledger.counters();
        self.equity = self.account.cash;
        let trade = ledger.trades.pop()?;
        self.realised_pnl += trade.net_pnl;
        self.trades += 1;
        Some(trade)
    }
}
