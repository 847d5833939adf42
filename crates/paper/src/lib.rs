//! # gauntlet-paper
//!
//! The paper trader (layer L5 of `DESIGN.md`): a genome traded one bar at a time on a replayed
//! file or bars arriving on standard input, with the backtest's own order, fill, cost and risk logic
//! ([`gauntlet_backtest::LiveEngine`]), so the same bars give exactly the backtest's trades.
//!
//! A session writes a [`journal`] (JSON lines: bars, signals, broker-shaped orders, fills, trades,
//! positions, equity, risk events, rejected feed lines) and, with a state folder, saves the whole
//! account and indicator state atomically after every feed line: a session killed at any moment
//! and restarted with the same state and feed ends with the same journal and equity as one never
//! interrupted. A bad feed line (malformed, out of order, duplicate, another symbol, a price that
//! fails the bar checks) is journalled as `rejected` and skipped; the account never sees it.
#![warn(missing_docs)]

mod error;
pub mod feed;
pub mod journal;
pub mod portfolio;
mod source;
mod state_lock;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use gauntlet_backtest::{
    BacktestConfig, FillConvention, LiveEngine, LiveOrder, LiveStep, Side, Trade,
};
use gauntlet_genome::Genome;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub use error::PaperError;
pub use feed::{FeedItem, LineFeed, LineFormat, parse_timestamp, series_feed};
pub use journal::Journal;
pub use portfolio::{
    PortfolioAccount, PortfolioSessionSettings, PortfolioSummary, open_datasets_feed,
    run_portfolio_session,
};
pub use source::{Feed, FeedSource, OpenedFeed, open_feed};
pub use state_lock::{STATE_LOCK_FILE, StateLock};

/// The state file's name inside the state folder.
pub const STATE_FILE: &str = "state.json";
/// The state file's format version.
pub const STATE_FORMAT: u32 = 1;

/// How a session trades.
#[derive(Debug, Clone)]
pub struct PaperSettings {
    /// The symbol traded; feed lines naming another are rejected.
    pub symbol: String,
    /// Capital, costs and fill convention (as `gauntlet backtest`).
    pub config: BacktestConfig,
    /// At the end of the feed or on a stop signal, close the open position at the last close and
    /// cancel the pending order (what a backtest does at its last bar).
    pub flatten_on_exit: bool,
    /// Replay paced at this many times real time (the gap between bars' timestamps divided by it);
    /// `None` as fast as possible.
    pub speed: Option<f64>,
    /// The folder holding `state.json`, saved after every feed line; a session finding one there
    /// resumes from it.
    pub state_dir: Option<PathBuf>,
    /// Names the feed in the journal's `start` line.
    pub feed_name: String,
    /// What the feed is ([`OpenedFeed::identity`]): saved with the state, and a session resumed on
    /// another feed is refused.
    pub feed_identity: String,
    /// The feed is a stream that goes on across sessions ([`OpenedFeed::live`], standard input):
    /// a resumed session skips nothing and numbers its lines after the saved ones (a CSV stream's
    /// repeated header aside), so a stream split in two and fed to two sessions journals as one
    /// session on the whole stream. A replayed feed (a file or dataset, `false`) passes over the
    /// lines the saved state consumed, by timestamp: a bar newer than the saved last bar is traded
    /// wherever it is in the file.
    pub live: bool,
}

/// The most time a bar may follow the previous one: 366 days. No market closes for a year; a bar
/// further ahead is a wrong date (a placeholder 9999-12-31, a unit misread), and trading it would
/// reject every real bar after it as out of order. Such a bar is rejected.
pub const MAX_BAR_GAP_MS: i64 = 366 * 86_400_000;

/// A close this many times the previous one, or this many times smaller, gets a `warning` line in
/// the journal (a change of units such as cents for dollars, a bad tick, an unadjusted split):
/// the bar is traded, but a person should look.
pub const JUMP_WARNING_FACTOR: f64 = 10.0;

/// The replay speeds `--speed` accepts (times real time): from a thousandth (a daily bar every 2.7
/// years) to 10^12 (no pause worth the name). Outside, the pause between two bars would be
/// meaningless or overflow.
pub const SPEEDS: std::ops::RangeInclusive<f64> = 1e-3..=1e12;

/// A replay speed from text (`--speed`), within [`SPEEDS`].
///
/// # Errors
/// A message naming the text otherwise.
pub fn parse_speed(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(speed) if SPEEDS.contains(&speed) => Ok(speed),
        _ => Err(format!(
            "must be a speed from {} to {} (times real time), got {text}",
            SPEEDS.start(),
            SPEEDS.end()
        )),
    }
}

/// What a session ends with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaperSummary {
    /// Bars the engine processed in total (over resumed sessions too).
    pub bars: usize,
    /// Feed lines rejected in this session.
    pub rejected: usize,
    /// Closed trades in total.
    pub trades: usize,
    /// Equity marked at the last close.
    pub final_equity: f64,
    /// Cash.
    pub cash: f64,
    /// Net P&L of the closed trades.
    pub realised_pnl: f64,
    /// P&L of the open position at the last close.
    pub unrealised_pnl: f64,
    /// Whether the drawdown halt fired.
    pub halted: bool,
    /// The session stopped on a signal (SIGINT/SIGTERM) before the feed ended.
    pub interrupted: bool,
    /// The bar number this session resumed after, when it resumed from saved state.
    pub resumed_after_bar: Option<usize>,
    /// Whether the state is saved (a `--state` folder was given).
    pub state_saved: bool,
    /// `warning` lines journalled in this session (closes that jump by
    /// [`JUMP_WARNING_FACTOR`] or more).
    pub warnings: usize,
}

/// Everything saved after each feed line.
#[derive(Debug, Serialize, Deserialize)]
struct SavedState {
    format: u32,
    fingerprint: String,
    engine: LiveEngine,
    lines_consumed: usize,
    journal_bytes: u64,
    /// The feed's identity ([`PaperSettings::feed_identity`]); absent in states saved before it was
    /// recorded, which are then not checked.
    #[serde(default)]
    feed: Option<String>,
}

fn fingerprint(genome: &Genome) -> String {
    format!("{:016x}", genome.fingerprint())
}

fn read_state(path: &Path, genome: &Genome) -> Result<Option<SavedState>, PaperError> {
    if !path.exists() {
        return Ok(None);
    }
    let error = |message: String| PaperError::State {
        path: path.to_path_buf(),
        message,
    };
    let text = gauntlet_core::read_regular_file(path).map_err(|source| PaperError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let state: SavedState =
        serde_json::from_str(&text).map_err(|problem| error(format!("unreadable ({problem})")))?;
    if state.format != STATE_FORMAT {
        return Err(error(format!(
            "format {} (this Gauntlet reads {STATE_FORMAT})",
            state.format
        )));
    }
    if state.fingerprint != fingerprint(genome) {
        return Err(error(format!(
            "saved for genome {} but --genome is {}; use another --state folder",
            state.fingerprint,
            fingerprint(genome)
        )));
    }
    Ok(Some(state))
}

fn time_text(timestamp: gauntlet_core::Timestamp) -> String {
    timestamp.to_string()
}

fn side_text(side: Side) -> &'static str {
    match side {
        Side::Long => "buy",
        Side::Short => "sell",
    }
}

/// A stop or target level `pct` percent from `price` on `side`'s losing (`-1`) or winning (`+1`)
/// side.
fn level(price: f64, side: Side, pct: Option<f64>, direction: f64) -> Option<f64> {
    pct.map(|pct| price * (1.0 + direction * side.sign() * pct / 100.0))
}

/// The broker-shaped order (Alpaca's order fields): a market order at the next open (`opg`) or at
/// this close (`cls`), with the entry's stop-loss and take-profit as a bracket.
fn broker_order(
    engine: &LiveEngine,
    order: &LiveOrder,
    bar: usize,
    fill: FillConvention,
) -> serde_json::Value {
    let genome = engine.genome();
    let mut value = json!({
        "symbol": engine.symbol(),
        "side": side_text(order.side),
        "qty": order.quantity,
        "type": "market",
        "time_in_force": match fill {
            FillConvention::NextOpen => "opg",
            FillConvention::Close => "cls",
        },
        "client_order_id": format!("gauntlet-{}-{bar}-{}", fingerprint(genome), order.kind),
    });
    if order.kind == "entry" {
        let stop = level(
            order.decided_at_price,
            order.position_side,
            genome.exit.stop_loss_pct,
            -1.0,
        );
        let target = level(
            order.decided_at_price,
            order.position_side,
            genome.exit.take_profit_pct,
            1.0,
        );
        if stop.is_some() || target.is_some() {
            value["order_class"] = json!("bracket");
            if let Some(stop) = stop {
                value["stop_loss"] = json!({ "stop_price": stop });
            }
            if let Some(target) = target {
                value["take_profit"] = json!({ "limit_price": target });
            }
        }
    }
    value
}

/// The journal lines of one processed bar.
fn journal_step(
    journal: &mut Journal,
    engine: &LiveEngine,
    step: &LiveStep,
    bar: &gauntlet_core::Bar,
) -> Result<(), PaperError> {
    let symbol = engine.symbol();
    let time = time_text(step.timestamp);
    let number = step.bar;
    journal.write(&json!({
        "type": "bar", "bar": number, "time": time, "symbol": symbol,
        "open": bar.open, "high": bar.high, "low": bar.low, "close": bar.close, "volume": bar.volume,
    }))?;
    for fill in &step.fills {
        journal.write(&json!({
            "type": "fill", "bar": number, "time": time, "symbol": symbol, "kind": fill.kind,
            "side": side_text(fill.side), "qty": fill.quantity, "price": fill.price,
            "reason": fill.reason,
        }))?;
    }
    for trade in &step.closed {
        journal.write(&trade_event(number, trade))?;
    }
    for risk in &step.risk_events {
        journal.write(&json!({
            "type": "risk", "bar": number, "time": time, "symbol": symbol, "limit": risk.limit,
            "message": risk.message, "halted": engine.halted(),
        }))?;
    }
    let fill = engine.config().fill;
    // A decision on this close: the order for the next open, or (fill at close) the fill itself.
    let decided: Option<LiveOrder> = step.order.clone().or_else(|| {
        fill.fills_at_close()
            .then(|| {
                step.fills
                    .iter()
                    .rfind(|fill| fill.kind == "entry" || fill.reason == "signal")
                    .map(|filled| LiveOrder {
                        kind: filled.kind,
                        side: filled.side,
                        position_side: if filled.kind == "entry" {
                            filled.side
                        } else {
                            match filled.side {
                                Side::Long => Side::Short,
                                Side::Short => Side::Long,
                            }
                        },
                        reason: filled.reason,
                        quantity: filled.quantity,
                        decided_at_price: bar.close,
                    })
            })
            .flatten()
    });
    if let Some(order) = &decided {
        let genome = engine.genome();
        let (action, target, stop, confidence, reasons) = if order.kind == "entry" {
            let signal = step.signal.as_ref();
            (
                match order.position_side {
                    Side::Long => "BUY",
                    Side::Short => "SELL",
                },
                level(
                    order.decided_at_price,
                    order.position_side,
                    genome.exit.take_profit_pct,
                    1.0,
                ),
                level(
                    order.decided_at_price,
                    order.position_side,
                    genome.exit.stop_loss_pct,
                    -1.0,
                ),
                signal.map_or(0.0, |signal| signal.confidence),
                signal.map_or_else(Vec::new, |signal| signal.reasons.clone()),
            )
        } else {
            ("CLOSE", None, None, 1.0, vec![order.reason.to_string()])
        };
        journal.write(&json!({
            "type": "signal", "bar": number, "time": time, "action": action, "symbol": symbol,
            "price": order.decided_at_price, "target": target, "stop": stop,
            "confidence": confidence, "reason": reasons,
        }))?;
        // The broker-shaped order under `order`, ready to forward to a broker's paper API.
        journal.write(&json!({
            "type": "order", "bar": number, "time": time,
            "order": broker_order(engine, order, number, fill),
        }))?;
    }
    journal.write(&json!({
        "type": "position", "bar": number, "time": time, "symbol": symbol,
        "position": step.position,
    }))?;
    journal.write(&json!({
        "type": "equity", "bar": number, "time": time, "equity": step.equity, "cash": step.cash,
        "realised_pnl": engine.realised_pnl(),
        "unrealised_pnl": step.position.as_ref().map_or(0.0, |position| position.unrealised_pnl),
    }))?;
    Ok(())
}

fn trade_event(bar: usize, trade: &Trade) -> serde_json::Value {
    json!({
        "type": "trade", "bar": bar, "symbol": &*trade.symbol,
        "side": match trade.side { Side::Long => "long", Side::Short => "short" },
        "entry_time": time_text(trade.entry_time), "entry_price": trade.entry_price,
        "exit_time": time_text(trade.exit_time), "exit_price": trade.exit_price,
        "quantity": trade.quantity, "net_pnl": trade.net_pnl, "commission": trade.commission,
        "return": trade.pnl_fraction, "exit_reason": trade.exit_reason.name(),
    })
}

/// Runs a session: `genome` on `feed` (items in feed order), journalled to `journal`, until the
/// feed ends or `stop` is set (checked after every line; the line in progress is finished and
/// saved first).
///
/// # Errors
/// [`PaperError::Backtest`] for an invalid genome or settings; [`PaperError::State`] for saved
/// state that cannot be used; [`PaperError::StateLocked`] when another session holds the state
/// folder; [`PaperError::Io`] when the journal or state cannot be written;
/// [`PaperError::Feed`] when the feed itself cannot be read. A bad line is not an error.
pub fn run_session(
    genome: Genome,
    settings: &PaperSettings,
    feed: impl Iterator<Item = Result<FeedItem, std::io::Error>>,
    journal_path: Option<&Path>,
    journal_writer: Option<Box<dyn std::io::Write>>,
    stop: &AtomicBool,
) -> Result<PaperSummary, PaperError> {
    let state_path = settings
        .state_dir
        .as_ref()
        .map(|folder| folder.join(STATE_FILE));
    if let Some(folder) = settings
        .state_dir
        .as_ref()
        .filter(|folder| folder.is_file())
    {
        return Err(PaperError::State {
            path: folder.clone(),
            message: "is a file; --state takes a folder (made when missing)".into(),
        });
    }
    // One session per state folder, for the whole session (released when it returns).
    let _lock = match &settings.state_dir {
        Some(folder) => Some(state_lock::StateLock::acquire(folder)?),
        None => None,
    };
    let saved = match &state_path {
        Some(path) => read_state(path, &genome)?,
        None => None,
    };
    // A resumed session trades on with the saved account's settings: refuse different ones
    // rather than ignore them silently.
    // (Flattening on exit is this session's choice, not the account's.)
    if let (Some(state), Some(path)) = (&saved, &state_path)
        && (BacktestConfig {
            close_at_end: settings.config.close_at_end,
            ..*state.engine.config()
        }) != settings.config
    {
        let (saved, given) = (state.engine.config(), &settings.config);
        return Err(PaperError::State {
            path: path.clone(),
            message: format!(
                "saved with capital {}, costs {}/{}/{} bps (commission/spread/slippage) and fills at {:?}, but this session asks for capital {}, costs {}/{}/{} bps and fills at {:?}; use the saved settings or another --state folder",
                saved.initial_capital,
                saved.costs.commission_bps,
                saved.costs.spread_bps,
                saved.costs.slippage_bps,
                saved.fill,
                given.initial_capital,
                given.costs.commission_bps,
                given.costs.spread_bps,
                given.costs.slippage_bps,
                given.fill
            ),
        });
    }
    // Nor another instrument or feed: MSFT prices on S&P 500 indicators would be nonsense.
    if let (Some(state), Some(path)) = (&saved, &state_path) {
        let refuse = |message: String| PaperError::State {
            path: path.clone(),
            message,
        };
        if state.engine.symbol() != settings.symbol {
            return Err(refuse(format!(
                "saved trading {} but this session trades {} (--symbol, or the feed's symbol); \
                 use --symbol {} or another --state folder",
                state.engine.symbol(),
                settings.symbol,
                state.engine.symbol()
            )));
        }
        if let Some(feed) = state
            .feed
            .as_ref()
            .filter(|feed| **feed != settings.feed_identity)
        {
            return Err(refuse(format!(
                "saved reading {feed} but this session reads {}; resume on the same feed or use \
                 another --state folder",
                settings.feed_identity
            )));
        }
    }
    let resumed_after_bar = saved
        .as_ref()
        .and_then(|state| state.engine.bars_seen().checked_sub(1));
    let resumed = saved.is_some();
    let (mut engine, mut lines_consumed, keep_bytes) = match saved {
        Some(state) => (
            state.engine,
            state.lines_consumed,
            Some(state.journal_bytes),
        ),
        None => (
            LiveEngine::new(genome.clone(), settings.symbol.clone(), settings.config)?,
            0,
            None,
        ),
    };
    let mut journal = match (journal_path, journal_writer) {
        (Some(path), _) => Journal::to_file(path, keep_bytes)?,
        (None, Some(writer)) => Journal::to_writer(writer),
        (None, None) => Journal::to_writer(Box::new(std::io::sink())),
    };
    if let Some(folder) = &settings.state_dir {
        std::fs::create_dir_all(folder).map_err(|source| PaperError::Io {
            path: folder.clone(),
            source,
        })?;
    }
    let save =
        |engine: &LiveEngine, lines: usize, journal: &mut Journal| -> Result<(), PaperError> {
            journal.flush()?;
            if let Some(path) = &state_path {
                let state = SavedState {
                    format: STATE_FORMAT,
                    fingerprint: fingerprint(engine.genome()),
                    engine: engine.clone(),
                    lines_consumed: lines,
                    journal_bytes: journal.bytes(),
                    feed: Some(settings.feed_identity.clone()),
                };
                let text = serde_json::to_string(&state).map_err(|error| PaperError::State {
                    path: path.clone(),
                    message: error.to_string(),
                })?;
                gauntlet_data::write_bytes_atomically(path, text.as_bytes())?;
            }
            Ok(())
        };
    if !resumed {
        let config = engine.config();
        journal.write(&json!({
            "type": "start",
            "genome": engine.genome().name,
            "fingerprint": fingerprint(engine.genome()),
            "rules": engine.genome().describe(),
            "symbol": engine.symbol(),
            "feed": settings.feed_name,
            "initial_capital": config.initial_capital,
            "commission_bps": config.costs.commission_bps,
            "spread_bps": config.costs.spread_bps,
            "slippage_bps": config.costs.slippage_bps,
            "fill": config.fill.name(),
            "gauntlet_version": env!("CARGO_PKG_VERSION"),
        }))?;
        save(&engine, 0, &mut journal)?;
    }
    let mut rejected = 0usize;
    let mut warnings = 0usize;
    let mut interrupted = false;
    let mut previous_time: Option<i64> = engine.last_bar().map(|bar| bar.timestamp.millis());
    // Where the saved state stopped: a replay passes over what it consumed up to there, a live
    // stream numbers its lines after it.
    let saved_lines = lines_consumed;
    let saved_last_time = engine.last_bar().map(|bar| bar.timestamp);
    // A live stream's own CSV header: its lines are numbered from there after the saved ones.
    let mut header_line = 0usize;
    let mut started = false;
    for item in feed {
        if stop.load(Ordering::SeqCst) {
            interrupted = true;
            break;
        }
        let item = item.map_err(|error| PaperError::Feed {
            feed: settings.feed_name.clone(),
            message: error.to_string(),
        })?;
        let own_line = item.line();
        let line = if settings.live && saved_lines > 0 {
            (saved_lines + own_line).saturating_sub(header_line)
        } else {
            own_line
        };
        match item {
            FeedItem::Header { .. } => {
                if settings.live && saved_lines > 0 {
                    // The repeated header of a resumed stream is not a line of the stream.
                    header_line = own_line;
                } else {
                    lines_consumed = line;
                }
                started = true;
                continue;
            }
            FeedItem::Blank { .. } => {
                // Blank lines before a resumed stream's first line are not its lines either.
                if started || !(settings.live && saved_lines > 0) {
                    lines_consumed = line;
                }
                continue;
            }
            _ => started = true,
        }
        // A replay of what the saved state already consumed: passed over, but never a bar newer
        // than the saved last one (the file changed there, and that bar is new).
        if resumed && !settings.live && own_line <= saved_lines {
            let traded = match &item {
                FeedItem::Bar { bar, .. } => {
                    saved_last_time.is_none_or(|last| bar.timestamp <= last)
                }
                _ => true,
            };
            if traded {
                lines_consumed = lines_consumed.max(line);
                continue;
            }
        }
        match item {
            FeedItem::Header { .. } | FeedItem::Blank { .. } => unreachable!("handled above"),
            FeedItem::Bad { text, reason, .. } => {
                rejected += 1;
                journal.write(&json!({
                    "type": "rejected", "line": line, "text": text, "reason": reason,
                }))?;
            }
            FeedItem::Bar { symbol, bar, .. } => {
                let reject = |reason: String| {
                    json!({
                        "type": "rejected", "line": line,
                        "time": time_text(bar.timestamp), "reason": reason,
                    })
                };
                if let Some(symbol) = symbol.filter(|symbol| *symbol != settings.symbol) {
                    rejected += 1;
                    journal.write(&reject(format!(
                        "unknown symbol {symbol} (this session trades {})",
                        settings.symbol
                    )))?;
                } else if let Some(reason) = implausible_time(&bar, previous_time) {
                    rejected += 1;
                    journal.write(&reject(reason))?;
                } else {
                    if let (Some(speed), Some(previous)) = (settings.speed, previous_time) {
                        pace(bar.timestamp.millis() - previous, speed, stop);
                    }
                    let previous_close = engine.last_bar().map(|bar| bar.close);
                    match engine.on_bar(bar, false) {
                        Ok(step) => {
                            previous_time = Some(bar.timestamp.millis());
                            journal_step(&mut journal, &engine, &step, &bar)?;
                            if let Some(warning) = jump_warning(&step, &bar, previous_close) {
                                warnings += 1;
                                journal.write(&warning)?;
                            }
                        }
                        Err(gauntlet_backtest::BacktestError::RejectedBar { reason, .. }) => {
                            rejected += 1;
                            journal.write(&reject(reason))?;
                        }
                        Err(other) => return Err(other.into()),
                    }
                }
            }
        }
        lines_consumed = line;
        save(&engine, lines_consumed, &mut journal)?;
    }
    // Blank lines after the last bar are lines of the stream too.
    save(&engine, lines_consumed, &mut journal)?;
    if settings.flatten_on_exit
        && let Some(trade) = engine.flatten()
    {
        let bar = engine.bars_seen().saturating_sub(1);
        let time = time_text(trade.exit_time);
        journal.write(&json!({
            "type": "fill", "bar": bar, "time": time, "symbol": engine.symbol(), "kind": "exit",
            "side": side_text(match trade.side { Side::Long => Side::Short, Side::Short => Side::Long }),
            "qty": trade.quantity, "price": trade.exit_price, "reason": trade.exit_reason.name(),
        }))?;
        journal.write(&trade_event(bar, &trade))?;
        journal.write(&json!({
            "type": "equity", "bar": bar, "time": time, "equity": engine.equity(),
            "cash": engine.cash(), "realised_pnl": engine.realised_pnl(), "unrealised_pnl": 0.0,
        }))?;
        save(&engine, lines_consumed, &mut journal)?;
    }
    let position = engine.position();
    let summary = PaperSummary {
        bars: engine.bars_seen(),
        rejected,
        trades: engine.trade_count(),
        final_equity: engine.equity(),
        cash: engine.cash(),
        realised_pnl: engine.realised_pnl(),
        unrealised_pnl: position
            .as_ref()
            .map_or(0.0, |position| position.unrealised_pnl),
        halted: engine.halted(),
        interrupted,
        resumed_after_bar,
        state_saved: state_path.is_some(),
        warnings,
    };
    // Not covered by the saved state: a resumed session cuts it off and writes its own.
    journal.write(&json!({
        "type": "stop",
        "reason": if interrupted { "signal" } else { "end of feed" },
        "bars": summary.bars,
        "trades": summary.trades,
        "final_equity": summary.final_equity,
        "flattened": settings.flatten_on_exit,
    }))?;
    journal.flush()?;
    Ok(summary)
}

/// Why a bar that passed its own checks cannot be traded after the previous accepted bar (at
/// `previous` ms), or `None`: a time outside the years 1900-2200, or more than
/// [`MAX_BAR_GAP_MS`] after the previous bar. Bars that fail the bar checks or come out of order
/// are left to the engine, whose reasons say so.
fn implausible_time(bar: &gauntlet_core::Bar, previous: Option<i64>) -> Option<String> {
    if bar.check().is_err() || previous.is_some_and(|previous| bar.timestamp.millis() <= previous) {
        return None;
    }
    if !bar.timestamp.is_plausible() {
        return Some(format!(
            "{} is outside the years {}",
            bar.timestamp,
            gauntlet_core::PLAUSIBLE_YEARS
        ));
    }
    let previous = previous?;
    let gap = bar.timestamp.millis() - previous;
    (gap > MAX_BAR_GAP_MS).then(|| {
        format!(
            "{} days after the previous bar ({}): more than the {} days a bar may follow \
             another; a wrong date?",
            gap / 86_400_000,
            gauntlet_core::Timestamp(previous),
            MAX_BAR_GAP_MS / 86_400_000
        )
    })
}

/// A `warning` line when the close moved by [`JUMP_WARNING_FACTOR`] or more against the
/// previous bar's close.
fn jump_warning(
    step: &LiveStep,
    bar: &gauntlet_core::Bar,
    previous_close: Option<f64>,
) -> Option<serde_json::Value> {
    let previous = previous_close?;
    let ratio = bar.close / previous;
    (ratio >= JUMP_WARNING_FACTOR || ratio <= 1.0 / JUMP_WARNING_FACTOR).then(|| {
        json!({
            "type": "warning", "bar": step.bar, "time": time_text(step.timestamp),
            "message": format!(
                "the close {} is {ratio:.4}x the previous close {previous}: a change of units \
                 (cents?), a bad tick or an unadjusted split? The bar was traded",
                bar.close
            ),
        })
    })
}

/// Sleeps `gap_ms / speed` milliseconds in slices, returning early when `stop` is set. The pause
/// is at most [`MAX_BAR_GAP_MS`] of real time, whatever the speed.
fn pace(gap_ms: i64, speed: f64, stop: &AtomicBool) {
    if speed.is_nan() || speed <= 0.0 || gap_ms <= 0 {
        return;
    }
    let seconds = (gap_ms as f64 / 1000.0 / speed).min(MAX_BAR_GAP_MS as f64 / 1000.0);
    let mut left = Duration::try_from_secs_f64(seconds).unwrap_or(Duration::ZERO);
    let slice = Duration::from_millis(50);
    while !left.is_zero() && !stop.load(Ordering::SeqCst) {
        let nap = left.min(slice);
        std::thread::sleep(nap);
        left = left.saturating_sub(nap);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_core::{Bar, Timestamp};
    use gauntlet_genome::{Genome, RiskLimits};

    /// A steady fall of 1% a day for 80 days after 5 flat days.
    fn falling_feed() -> Vec<Result<FeedItem, std::io::Error>> {
        let mut close = 100.0;
        (0..85)
            .map(|day| {
                if day >= 5 {
                    close *= 0.99;
                }
                Ok(FeedItem::Bar {
                    line: day + 1,
                    symbol: None,
                    bar: Bar {
                        timestamp: Timestamp(1_577_836_800_000 + day as i64 * 86_400_000),
                        open: close,
                        high: close,
                        low: close,
                        close,
                        volume: 0.0,
                    },
                })
            })
            .collect()
    }

    #[test]
    fn a_drawdown_halt_is_journalled_and_stops_new_entries() {
        // Always in the market, all in, halting at a 20% drawdown: the fall from 100 reaches -20%
        // after ln(0.8)/ln(0.99) = 22.2 falling days, so on the 23rd (bar 27).
        let mut genome = Genome::buy_and_hold();
        genome.risk = RiskLimits {
            daily_loss_limit_pct: None,
            max_drawdown_halt_pct: Some(20.0),
            consecutive_loss_limit: None,
        };
        let settings = PaperSettings {
            symbol: "FALL".into(),
            config: BacktestConfig {
                costs: gauntlet_backtest::CostModel {
                    commission_bps: 0.0,
                    spread_bps: 0.0,
                    slippage_bps: 0.0,
                },
                ..BacktestConfig::default()
            },
            flatten_on_exit: false,
            speed: None,
            state_dir: None,
            feed_name: "test".into(),
            feed_identity: "test".into(),
            live: false,
        };
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("journal.jsonl");
        let summary = run_session(
            genome,
            &settings,
            falling_feed().into_iter(),
            Some(&path),
            None,
            &AtomicBool::new(false),
        )
        .unwrap();
        assert!(summary.halted);
        let lines = journal::read_lines(&path).unwrap();
        let risk: Vec<&serde_json::Value> =
            lines.iter().filter(|line| line["type"] == "risk").collect();
        assert_eq!(risk.len(), 1);
        assert_eq!(risk[0]["limit"], "max_drawdown_halt");
        assert_eq!(risk[0]["bar"], 27);
        // The exit fills at the next open; no entry ever after the halt.
        let entries_after: usize = lines
            .iter()
            .filter(|line| line["type"] == "fill" && line["kind"] == "entry")
            .filter(|line| line["bar"].as_u64().unwrap() > 27)
            .count();
        assert_eq!(entries_after, 0);
        let exit = lines
            .iter()
            .find(|line| line["type"] == "fill" && line["kind"] == "exit")
            .unwrap();
        assert_eq!(
            (exit["bar"].clone(), exit["reason"].clone()),
            (28.into(), "risk_halt".into())
        );
        assert_eq!(summary.trades, 1);
    }

    #[test]
    fn a_second_session_on_one_state_folder_is_refused_naming_the_first() {
        let folder = tempfile::tempdir().unwrap();
        let state = folder.path().join("state");
        // The first session, as another process would hold it.
        let _first = state_lock::StateLock::acquire(&state).unwrap();
        let settings = PaperSettings {
            symbol: "FALL".into(),
            config: BacktestConfig::default(),
            flatten_on_exit: false,
            speed: None,
            state_dir: Some(state.clone()),
            feed_name: "test".into(),
            feed_identity: "test".into(),
            live: false,
        };
        let error = run_session(
            Genome::buy_and_hold(),
            &settings,
            falling_feed().into_iter(),
            None,
            None,
            &AtomicBool::new(false),
        )
        .unwrap_err();
        assert!(
            error.to_string().contains(&format!(
                "in use by another paper session (process {})",
                std::process::id()
            )),
            "{error}"
        );
        // Nothing was saved by the refused session.
        assert!(!state.join(STATE_FILE).exists());
    }
}
