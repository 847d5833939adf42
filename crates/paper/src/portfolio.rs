//! A portfolio paper session (`gauntlet paper --portfolio FILE`): several accounts, each a genome
//! trading one symbol with its own capital, costs and fill convention, fed by one feed of several
//! symbols (a bar goes to every account trading its symbol). Each account is the single session's
//! [`LiveEngine`], so each trades exactly as its own backtest does, and the portfolio's equity
//! after a bar is the sum of the accounts' equities (an account before its first bar holds its
//! initial capital): what a backtest of each account, its equity carried forward between its
//! bars and summed on the union of the timestamps, gives.
//!
//! The journal holds the single session's lines, each with an `account` field naming the account
//! it is about, and after each traded bar a `portfolio` line (`time`, `symbol`, `equity`, `cash`).
//! With a state folder every account and the feed position are saved after each feed line; a
//! session killed at any moment and restarted on the same feed ends with the same journal and
//! equity as one never interrupted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use gauntlet_backtest::{BacktestConfig, LiveEngine, Side};
use gauntlet_data::Catalog;
use gauntlet_genome::Genome;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::PaperError;
use crate::feed::FeedItem;
use crate::journal::Journal;
use crate::source::OpenedFeed;
use crate::{
    STATE_FILE, fingerprint, implausible_time, journal_step, jump_warning, pace, side_text,
    time_text, trade_event,
};

/// The portfolio state file's format version.
pub const PORTFOLIO_STATE_FORMAT: u32 = 1;

/// Most accounts one portfolio session trades (a portfolio file's 100 members on a few symbols
/// each).
pub const MAX_PORTFOLIO_ACCOUNTS: usize = 1_000;

/// One account of a portfolio session.
#[derive(Debug, Clone)]
pub struct PortfolioAccount {
    /// Its name in the journal (`<member>/<dataset>`), unique in the portfolio.
    pub label: String,
    /// What it trades.
    pub genome: Genome,
    /// The symbol it trades: the feed's bars naming it.
    pub symbol: String,
    /// Its capital, costs and fill convention.
    pub config: BacktestConfig,
}

/// How a portfolio session runs (the per-account settings are in [`PortfolioAccount`]).
#[derive(Debug, Clone)]
pub struct PortfolioSessionSettings {
    /// The portfolio's name for the journal's `start` line.
    pub name: String,
    /// At the end of the feed or on a stop signal, close every account's position at its last
    /// close (what a backtest does at its last bar).
    pub flatten_on_exit: bool,
    /// Replay paced at this many times real time; `None` as fast as possible.
    pub speed: Option<f64>,
    /// The folder holding `state.json`, saved after every feed line.
    pub state_dir: Option<PathBuf>,
    /// Names the feed in the journal's `start` line.
    pub feed_name: String,
    /// What the feed is (saved, and a session resumed on another feed is refused).
    pub feed_identity: String,
    /// The feed is a stream that goes on across sessions (as [`crate::PaperSettings::live`]).
    pub live: bool,
}

/// One account at the end of a portfolio session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountSummary {
    /// Its label.
    pub label: String,
    /// Its symbol.
    pub symbol: String,
    /// Bars it processed in total.
    pub bars: usize,
    /// Its closed trades in total.
    pub trades: usize,
    /// Its initial capital.
    pub initial_capital: f64,
    /// Its equity at its last close.
    pub final_equity: f64,
    /// Whether its drawdown halt fired.
    pub halted: bool,
}

/// What a portfolio session ends with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortfolioSummary {
    /// Feed bars traded in total (over resumed sessions too; a bar for two accounts counts once).
    pub bars: usize,
    /// Feed lines rejected in this session.
    pub rejected: usize,
    /// Closed trades of all accounts.
    pub trades: usize,
    /// The accounts' initial capital summed.
    pub initial_capital: f64,
    /// The accounts' equity summed.
    pub final_equity: f64,
    /// Each account.
    pub accounts: Vec<AccountSummary>,
    /// The session stopped on a signal before the feed ended.
    pub interrupted: bool,
    /// The feed line this session resumed after, when it resumed from saved state.
    pub resumed_after_line: Option<usize>,
    /// Whether the state is saved.
    pub state_saved: bool,
    /// `warning` lines journalled in this session.
    pub warnings: usize,
}

impl PortfolioSummary {
    /// The terminal's lines: the portfolio, then one line per account.
    pub fn describe(&self) -> String {
        let mut text = format!(
            "paper portfolio: {} accounts, {} bars{}, {} trades, {} lines rejected{}; equity {:.2} of {:.2} ({:+.2}%){}\n",
            self.accounts.len(),
            self.bars,
            self.resumed_after_line
                .map_or(String::new(), |line| format!(
                    " (resumed after line {line})"
                )),
            self.trades,
            self.rejected,
            match self.warnings {
                0 => String::new(),
                count => format!(", {count} warnings (see the journal)"),
            },
            self.final_equity,
            self.initial_capital,
            (self.final_equity / self.initial_capital - 1.0) * 100.0,
            match (self.interrupted, self.state_saved) {
                (true, true) => "; stopped on a signal, state saved",
                (true, false) => "; stopped on a signal (no --state: nothing saved to resume from)",
                (false, _) => "",
            },
        );
        for account in &self.accounts {
            text.push_str(&format!(
                "  {} ({}): {} bars, {} trades, equity {:.2} of {:.2}{}\n",
                account.label,
                account.symbol,
                account.bars,
                account.trades,
                account.final_equity,
                account.initial_capital,
                if account.halted {
                    "; drawdown halt fired"
                } else {
                    ""
                }
            ));
        }
        text
    }
}

/// Everything a portfolio session saves after each feed line.
#[derive(Debug, Serialize, Deserialize)]
struct SavedPortfolio {
    format: u32,
    /// `label symbol fingerprint` of every account, in order.
    accounts: Vec<String>,
    engines: Vec<LiveEngine>,
    bars: usize,
    lines_consumed: usize,
    journal_bytes: u64,
    feed: String,
}

/// [`SavedPortfolio`] as written, borrowing the engines.
#[derive(Serialize)]
struct SavingPortfolio<'a> {
    format: u32,
    accounts: Vec<String>,
    engines: &'a [LiveEngine],
    bars: usize,
    lines_consumed: usize,
    journal_bytes: u64,
    feed: String,
}

fn account_key(account: &PortfolioAccount) -> String {
    format!(
        "{} {} {}",
        account.label,
        account.symbol,
        fingerprint(&account.genome)
    )
}

/// Opens one feed of several catalog datasets: their bars merged in time order (bars of the same
/// time in the order the datasets are given), each naming its dataset's symbol, numbered 1, 2, ...
/// in that order. Two datasets of the same symbol are refused (their bars could not be told
/// apart).
///
/// # Errors
/// [`PaperError::Feed`] when a dataset is unknown, none is given or two share a symbol;
/// [`PaperError::Data`] when one cannot be read.
pub fn open_datasets_feed(names: &[String], datasets_dir: &Path) -> Result<OpenedFeed, PaperError> {
    let feed_name = names.join(",");
    let refuse = |message: String| PaperError::Feed {
        feed: feed_name.clone(),
        message,
    };
    if names.is_empty() {
        return Err(refuse("no dataset to replay".into()));
    }
    let catalog = Catalog::open(datasets_dir).map_err(|error| {
        refuse(format!(
            "cannot open the datasets in {}: {error}",
            datasets_dir.display()
        ))
    })?;
    let mut bars = Vec::new();
    let mut symbols: BTreeMap<String, String> = BTreeMap::new();
    for (index, name) in names.iter().enumerate() {
        let (entry, series) = catalog
            .load(name)
            .map_err(|error| refuse(format!("dataset {name}: {error}")))?;
        if let Some(other) = symbols.insert(entry.symbol.clone(), name.clone()) {
            return Err(refuse(format!(
                "datasets {other} and {name} both trade {}: a feed of several symbols tells bars \
                 apart by symbol",
                entry.symbol
            )));
        }
        bars.extend(
            series
                .bars()
                .map(|bar| (bar.timestamp, index, entry.symbol.clone(), bar)),
        );
    }
    // Stable: bars of one dataset keep their order.
    bars.sort_by_key(|(time, index, _, _)| (*time, *index));
    let items: Vec<Result<FeedItem, std::io::Error>> = bars
        .into_iter()
        .enumerate()
        .map(|(line, (_, _, symbol, bar))| {
            Ok(FeedItem::Bar {
                line: line + 1,
                symbol: Some(symbol),
                bar,
            })
        })
        .collect();
    Ok(OpenedFeed {
        feed: Box::new(items.into_iter()),
        name: feed_name.clone(),
        default_symbol: None,
        bars_per_year: None,
        identity: format!("datasets {feed_name}"),
        live: false,
    })
}

fn read_saved(
    path: &Path,
    accounts: &[PortfolioAccount],
    feed_identity: &str,
) -> Result<Option<SavedPortfolio>, PaperError> {
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
    let state: SavedPortfolio = serde_json::from_str(&text).map_err(|problem| {
        error(format!(
            "unreadable as a portfolio session's state ({problem}); use another --state folder"
        ))
    })?;
    if state.format != PORTFOLIO_STATE_FORMAT {
        return Err(error(format!(
            "format {} (this Gauntlet reads {PORTFOLIO_STATE_FORMAT})",
            state.format
        )));
    }
    let given: Vec<String> = accounts.iter().map(account_key).collect();
    if state.accounts != given || state.engines.len() != accounts.len() {
        return Err(error(format!(
            "saved for the accounts [{}] but this portfolio has [{}]; use another --state folder",
            state.accounts.join(", "),
            given.join(", ")
        )));
    }
    for (engine, account) in state.engines.iter().zip(accounts) {
        let saved = BacktestConfig {
            close_at_end: account.config.close_at_end,
            ..*engine.config()
        };
        if saved != account.config {
            return Err(error(format!(
                "account {} was saved with capital {}, costs {}/{}/{} bps and fills at {}, but \
                 this session asks for capital {}, costs {}/{}/{} bps and fills at {}; use the \
                 saved settings or another --state folder",
                account.label,
                saved.initial_capital,
                saved.costs.commission_bps,
                saved.costs.spread_bps,
                saved.costs.slippage_bps,
                saved.fill.name(),
                account.config.initial_capital,
                account.config.costs.commission_bps,
                account.config.costs.spread_bps,
                account.config.costs.slippage_bps,
                account.config.fill.name()
            )));
        }
    }
    if state.feed != feed_identity {
        return Err(error(format!(
            "saved reading {} but this session reads {feed_identity}; resume on the same feed or \
             use another --state folder",
            state.feed
        )));
    }
    Ok(Some(state))
}

/// Runs a portfolio session: `accounts` on `feed`, journalled to `journal_path` (else
/// `journal_writer`, else nowhere), until the feed ends or `stop` is set. A bar naming no symbol
/// is traded only when every account trades one symbol; a bar of a symbol no account trades is
/// rejected.
///
/// # Errors
/// [`PaperError::Feed`] for no account, more than [`MAX_PORTFOLIO_ACCOUNTS`] or two with one
/// label; [`PaperError::Backtest`] for an invalid genome or settings; [`PaperError::State`] for
/// saved state that cannot be used; [`PaperError::Io`] when the journal or state cannot be written.
pub fn run_portfolio_session(
    accounts: &[PortfolioAccount],
    settings: &PortfolioSessionSettings,
    feed: impl Iterator<Item = Result<FeedItem, std::io::Error>>,
    journal_path: Option<&Path>,
    journal_writer: Option<Box<dyn std::io::Write>>,
    stop: &AtomicBool,
) -> Result<PortfolioSummary, PaperError> {
    let refuse = |message: String| PaperError::Feed {
        feed: settings.feed_name.clone(),
        message,
    };
    if accounts.is_empty() || accounts.len() > MAX_PORTFOLIO_ACCOUNTS {
        return Err(refuse(format!(
            "a portfolio session trades 1 to {MAX_PORTFOLIO_ACCOUNTS} accounts, got {}",
            accounts.len()
        )));
    }
    let mut by_symbol: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, account) in accounts.iter().enumerate() {
        if accounts[..index]
            .iter()
            .any(|other| other.label == account.label)
        {
            return Err(refuse(format!("two accounts are named {}", account.label)));
        }
        by_symbol.entry(&account.symbol).or_default().push(index);
    }
    let symbols: Vec<&str> = by_symbol.keys().copied().collect();
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
    let saved = match &state_path {
        Some(path) => read_saved(path, accounts, &settings.feed_identity)?,
        None => None,
    };
    let resumed = saved.is_some();
    let (mut engines, mut bars, mut lines_consumed, keep_bytes) = match saved {
        Some(state) => (
            state.engines,
            state.bars,
            state.lines_consumed,
            Some(state.journal_bytes),
        ),
        None => (
            accounts
                .iter()
                .map(|account| {
                    LiveEngine::new(
                        account.genome.clone(),
                        account.symbol.clone(),
                        account.config,
                    )
                })
                .collect::<Result<Vec<_>, _>>()?,
            0,
            0,
            None,
        ),
    };
    let resumed_after_line = resumed.then_some(lines_consumed);
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
    let save = |engines: &[LiveEngine],
                bars: usize,
                lines: usize,
                journal: &mut Journal|
     -> Result<(), PaperError> {
        journal.flush()?;
        if let Some(path) = &state_path {
            let state = SavingPortfolio {
                format: PORTFOLIO_STATE_FORMAT,
                accounts: accounts.iter().map(account_key).collect(),
                engines,
                bars,
                lines_consumed: lines,
                journal_bytes: journal.bytes(),
                feed: settings.feed_identity.clone(),
            };
            let text = serde_json::to_string(&state).map_err(|error| PaperError::State {
                path: path.clone(),
                message: error.to_string(),
            })?;
            gauntlet_data::write_bytes_atomically(path, text.as_bytes())?;
        }
        Ok(())
    };
    let totals = |engines: &[LiveEngine]| -> (f64, f64) {
        engines.iter().fold((0.0, 0.0), |(equity, cash), engine| {
            (equity + engine.equity(), cash + engine.cash())
        })
    };
    let initial_capital: f64 = accounts
        .iter()
        .map(|account| account.config.initial_capital)
        .sum();
    if !resumed {
        let listed: Vec<serde_json::Value> = accounts
            .iter()
            .map(|account| {
                json!({
                    "account": account.label, "symbol": account.symbol,
                    "genome": account.genome.name, "fingerprint": fingerprint(&account.genome),
                    "rules": account.genome.describe(),
                    "initial_capital": account.config.initial_capital,
                    "commission_bps": account.config.costs.commission_bps,
                    "spread_bps": account.config.costs.spread_bps,
                    "slippage_bps": account.config.costs.slippage_bps,
                    "fill": account.config.fill.name(),
                })
            })
            .collect();
        journal.write(&json!({
            "type": "start", "portfolio": settings.name, "feed": settings.feed_name,
            "initial_capital": initial_capital, "accounts": listed,
            "gauntlet_version": env!("CARGO_PKG_VERSION"),
        }))?;
        save(&engines, bars, 0, &mut journal)?;
    }
    // Each symbol's last traded bar time (every account of a symbol sees the same bars).
    let last_time = |engines: &[LiveEngine], symbol: &str| -> Option<i64> {
        by_symbol.get(symbol).and_then(|indices| {
            engines[indices[0]]
                .last_bar()
                .map(|bar| bar.timestamp.millis())
        })
    };
    let saved_last: BTreeMap<&str, Option<i64>> = symbols
        .iter()
        .map(|symbol| (*symbol, last_time(&engines, symbol)))
        .collect();
    let mut previous_any: Option<i64> = saved_last.values().flatten().max().copied();
    let saved_lines = lines_consumed;
    let mut rejected = 0usize;
    let mut warnings = 0usize;
    let mut interrupted = false;
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
                    header_line = own_line;
                } else {
                    lines_consumed = line;
                }
                started = true;
                continue;
            }
            FeedItem::Blank { .. } => {
                if started || !(settings.live && saved_lines > 0) {
                    lines_consumed = line;
                }
                continue;
            }
            _ => started = true,
        }
        // The symbol a bar is for: the one it names, or the portfolio's only one.
        let routed = |symbol: &Option<String>| -> Result<String, String> {
            match symbol {
                Some(symbol) if by_symbol.contains_key(symbol.as_str()) => Ok(symbol.clone()),
                Some(symbol) => Err(format!(
                    "unknown symbol {symbol} (this portfolio trades {})",
                    symbols.join(", ")
                )),
                None if symbols.len() == 1 => Ok(symbols[0].to_string()),
                None => Err(format!(
                    "the line names no symbol; this portfolio trades {}, so each line needs one",
                    symbols.join(", ")
                )),
            }
        };
        // A replay passes over what the saved state consumed, but never a bar newer than its
        // symbol's saved last one.
        if resumed && !settings.live && own_line <= saved_lines {
            let traded = match &item {
                FeedItem::Bar { bar, symbol, .. } => match routed(symbol) {
                    Ok(symbol) => saved_last
                        .get(symbol.as_str())
                        .copied()
                        .flatten()
                        .is_none_or(|last| bar.timestamp.millis() <= last),
                    Err(_) => true,
                },
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
                match routed(&symbol) {
                    Err(reason) => {
                        rejected += 1;
                        journal.write(&reject(reason))?;
                    }
                    Ok(symbol) => {
                        let previous = last_time(&engines, &symbol);
                        if let Some(reason) = implausible_time(&bar, previous) {
                            rejected += 1;
                            journal.write(&reject(reason))?;
                        } else {
                            if let (Some(speed), Some(before)) = (settings.speed, previous_any)
                                && bar.timestamp.millis() > before
                            {
                                pace(bar.timestamp.millis() - before, speed, stop);
                            }
                            match trade_bar(
                                &mut engines,
                                &by_symbol[symbol.as_str()],
                                accounts,
                                &bar,
                                &mut journal,
                            )? {
                                Err(reason) => {
                                    rejected += 1;
                                    journal.write(&reject(reason))?;
                                }
                                Ok(warned) => {
                                    warnings += warned;
                                    bars += 1;
                                    previous_any = Some(
                                        previous_any
                                            .unwrap_or(i64::MIN)
                                            .max(bar.timestamp.millis()),
                                    );
                                    let (equity, cash) = totals(&engines);
                                    journal.write(&json!({
                                        "type": "portfolio", "line": line,
                                        "time": time_text(bar.timestamp), "symbol": symbol,
                                        "equity": equity, "cash": cash,
                                    }))?;
                                }
                            }
                        }
                    }
                }
            }
        }
        lines_consumed = line;
        save(&engines, bars, lines_consumed, &mut journal)?;
    }
    save(&engines, bars, lines_consumed, &mut journal)?;
    if settings.flatten_on_exit {
        let mut flattened = false;
        for (engine, account) in engines.iter_mut().zip(accounts) {
            if let Some(trade) = engine.flatten() {
                flattened = true;
                let bar = engine.bars_seen().saturating_sub(1);
                let time = time_text(trade.exit_time);
                journal.set_account(Some(&account.label));
                journal.write(&json!({
                    "type": "fill", "bar": bar, "time": time, "symbol": engine.symbol(),
                    "kind": "exit",
                    "side": side_text(match trade.side { Side::Long => Side::Short, Side::Short => Side::Long }),
                    "qty": trade.quantity, "price": trade.exit_price,
                    "reason": trade.exit_reason.name(),
                }))?;
                journal.write(&trade_event(bar, &trade))?;
                journal.write(&json!({
                    "type": "equity", "bar": bar, "time": time, "equity": engine.equity(),
                    "cash": engine.cash(), "realised_pnl": engine.realised_pnl(),
                    "unrealised_pnl": 0.0,
                }))?;
                journal.set_account(None);
            }
        }
        if flattened {
            let (equity, cash) = totals(&engines);
            journal.write(&json!({
                "type": "portfolio", "line": lines_consumed, "flattened": true,
                "equity": equity, "cash": cash,
            }))?;
        }
        save(&engines, bars, lines_consumed, &mut journal)?;
    }
    let summaries: Vec<AccountSummary> = engines
        .iter()
        .zip(accounts)
        .map(|(engine, account)| AccountSummary {
            label: account.label.clone(),
            symbol: account.symbol.clone(),
            bars: engine.bars_seen(),
            trades: engine.trade_count(),
            initial_capital: account.config.initial_capital,
            final_equity: engine.equity(),
            halted: engine.halted(),
        })
        .collect();
    let summary = PortfolioSummary {
        bars,
        rejected,
        trades: summaries.iter().map(|account| account.trades).sum(),
        initial_capital,
        final_equity: totals(&engines).0,
        accounts: summaries,
        interrupted,
        resumed_after_line,
        state_saved: state_path.is_some(),
        warnings,
    };
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

/// Trades `bar` on the accounts `indices` (all of one symbol): `Ok(Err(reason))` when the engine
/// rejects it (the same checks for every account of the symbol, so the first one decides and no
/// account has seen it), else the warnings journalled.
fn trade_bar(
    engines: &mut [LiveEngine],
    indices: &[usize],
    accounts: &[PortfolioAccount],
    bar: &gauntlet_core::Bar,
    journal: &mut Journal,
) -> Result<Result<usize, String>, PaperError> {
    let mut warnings = 0;
    for (position, &index) in indices.iter().enumerate() {
        let engine = &mut engines[index];
        let previous_close = engine.last_bar().map(|bar| bar.close);
        let step = match engine.on_bar(*bar, false) {
            Ok(step) => step,
            Err(gauntlet_backtest::BacktestError::RejectedBar { reason, .. }) if position == 0 => {
                return Ok(Err(reason));
            }
            Err(other) => return Err(other.into()),
        };
        journal.set_account(Some(&accounts[index].label));
        let written = journal_step(journal, engine, &step, bar).and_then(|()| {
            match jump_warning(&step, bar, previous_close) {
                // One warning per bar, not per account.
                Some(warning) if position == 0 => {
                    warnings += 1;
                    journal.write(&warning)
                }
                _ => Ok(()),
            }
        });
        journal.set_account(None);
        written?;
    }
    Ok(Ok(warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal;
    use gauntlet_testkit::repository;

    fn genome(name: &str) -> Genome {
        gauntlet_genome::read_genome_file(&repository().join(format!("genomes/{name}.json")))
            .unwrap()
    }

    /// Three accounts on two symbols: two genomes on the S&P 500, one on WTI.
    fn accounts() -> Vec<PortfolioAccount> {
        let config = |capital: f64| BacktestConfig {
            initial_capital: capital,
            ..BacktestConfig::default()
        };
        vec![
            PortfolioAccount {
                label: "rsi/sp500".into(),
                genome: genome("rsi-2-mean-reversion"),
                symbol: "^GSPC".into(),
                config: config(50_000.0),
            },
            PortfolioAccount {
                label: "donchian/sp500".into(),
                genome: genome("donchian-20-10-breakout"),
                symbol: "^GSPC".into(),
                config: config(30_000.0),
            },
            PortfolioAccount {
                label: "rsi/wti".into(),
                genome: genome("rsi-2-mean-reversion"),
                symbol: "WTI".into(),
                config: config(20_000.0),
            },
        ]
    }

    /// 700 lines of the two datasets merged, the 301st renamed to an unknown symbol.
    fn feed() -> (Vec<FeedItem>, String) {
        let opened = open_datasets_feed(
            &["sp500-1d".to_string(), "wti-1d".to_string()],
            &repository().join("datasets"),
        )
        .unwrap();
        // From the first S&P 500 bar (WTI starts years earlier), numbered from 1.
        let mut items: Vec<FeedItem> = opened
            .feed
            .map(Result::unwrap)
            .skip_while(|item| !matches!(item, FeedItem::Bar { symbol: Some(symbol), .. } if symbol == "^GSPC"))
            .take(700)
            .enumerate()
            .map(|(index, item)| match item {
                FeedItem::Bar { symbol, bar, .. } => FeedItem::Bar {
                    line: index + 1,
                    symbol,
                    bar,
                },
                other => other,
            })
            .collect();
        if let FeedItem::Bar { line, bar, .. } = items[300].clone() {
            items[300] = FeedItem::Bar {
                line,
                symbol: Some("MSFT".into()),
                bar,
            };
        }
        (items, opened.identity)
    }

    fn settings(identity: &str, state: Option<PathBuf>) -> PortfolioSessionSettings {
        PortfolioSessionSettings {
            name: "test".into(),
            flatten_on_exit: true,
            speed: None,
            state_dir: state,
            feed_name: "sp500-1d,wti-1d".into(),
            feed_identity: identity.into(),
            live: false,
        }
    }

    #[test]
    fn the_merged_feed_is_in_time_order_and_names_each_symbol() {
        let (items, _) = feed();
        let mut previous = i64::MIN;
        let mut symbols = std::collections::BTreeSet::new();
        for item in &items {
            let FeedItem::Bar { symbol, bar, .. } = item else {
                panic!("not a bar")
            };
            assert!(bar.timestamp.millis() >= previous);
            previous = bar.timestamp.millis();
            symbols.insert(symbol.clone().unwrap());
        }
        assert_eq!(
            symbols.into_iter().collect::<Vec<_>>(),
            ["MSFT".to_string(), "WTI".to_string(), "^GSPC".to_string()]
        );
    }

    #[test]
    fn a_stopped_session_resumes_to_the_same_journal_and_equity() {
        let (items, identity) = feed();
        let folder = tempfile::tempdir().unwrap();
        let whole = folder.path().join("whole.jsonl");
        let never = AtomicBool::new(false);
        let accounts = accounts();
        let summary = run_portfolio_session(
            &accounts,
            &settings(&identity, None),
            items.clone().into_iter().map(Ok),
            Some(&whole),
            None,
            &never,
        )
        .unwrap();
        // The MSFT line is rejected; every other line is a bar of one of the two symbols.
        assert_eq!(summary.rejected, 1);
        assert_eq!(summary.bars, 699);
        let sp500 = items
            .iter()
            .filter(|item| matches!(item, FeedItem::Bar { symbol: Some(symbol), .. } if symbol == "^GSPC"))
            .count();
        assert_eq!(summary.accounts[0].bars, sp500);
        assert_eq!(summary.accounts[1].bars, sp500);
        assert_eq!(summary.accounts[2].bars, 699 - sp500);
        assert_eq!(summary.initial_capital, 100_000.0);
        let lines = journal::read_lines(&whole).unwrap();
        let rejected: Vec<_> = lines
            .iter()
            .filter(|line| line["type"] == "rejected")
            .collect();
        assert_eq!(rejected.len(), 1);
        assert!(
            rejected[0]["reason"]
                .as_str()
                .unwrap()
                .contains("unknown symbol MSFT")
        );
        assert!(summary.trades > 0, "no trade to compare");
        // The last `portfolio` line is the sum of the accounts' last equity lines.
        let last_equity = |account: &str| {
            lines
                .iter()
                .rev()
                .find(|line| line["type"] == "equity" && line["account"] == account)
                .unwrap()["equity"]
                .as_f64()
                .unwrap()
        };
        let sum: f64 = accounts
            .iter()
            .map(|account| last_equity(&account.label))
            .sum();
        let portfolio = lines
            .iter()
            .rev()
            .find(|line| line["type"] == "portfolio")
            .unwrap()["equity"]
            .as_f64()
            .unwrap();
        assert!((portfolio - sum).abs() < 1e-6 * sum, "{portfolio} vs {sum}");

        // Stopped after 250 lines (the signal flag set by the feed), then resumed with the state.
        let state = folder.path().join("state");
        let resumed = folder.path().join("resumed.jsonl");
        let stop = AtomicBool::new(false);
        let counted = items.clone().into_iter().enumerate().map(|(index, item)| {
            if index == 250 {
                stop.store(true, Ordering::SeqCst);
            }
            Ok(item)
        });
        let first = run_portfolio_session(
            &accounts,
            &PortfolioSessionSettings {
                flatten_on_exit: false,
                ..settings(&identity, Some(state.clone()))
            },
            counted,
            Some(&resumed),
            None,
            &stop,
        )
        .unwrap();
        assert!(first.interrupted);
        let second = run_portfolio_session(
            &accounts,
            &settings(&identity, Some(state.clone())),
            items.clone().into_iter().map(Ok),
            Some(&resumed),
            None,
            &never,
        )
        .unwrap();
        assert_eq!(second.resumed_after_line, Some(250));
        assert_eq!(second.final_equity, summary.final_equity);
        assert_eq!(
            std::fs::read_to_string(&resumed).unwrap(),
            std::fs::read_to_string(&whole).unwrap()
        );
        // Another portfolio on the same state is refused, naming both.
        let error = run_portfolio_session(
            &accounts[..2],
            &settings(&identity, Some(state)),
            items.into_iter().map(Ok),
            Some(&resumed),
            None,
            &never,
        )
        .unwrap_err();
        assert!(error.to_string().contains("rsi/wti"), "{error}");
    }
}
