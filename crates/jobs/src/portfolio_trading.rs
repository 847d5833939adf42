//! Trading a portfolio file (`gauntlet backtest --portfolio FILE`, `gauntlet paper --portfolio
//! FILE`): one account per member and dataset of the member's run.
//!
//! **The accounts.** A portfolio of capital `C` gives member `m` (weight `w_m`, trading the `n_m`
//! datasets its run was bred on) `n_m` accounts of `C * w_m / n_m` each: the member's symbols side
//! by side with equal shares, the members with their weights, as `gauntlet portfolio` combined
//! their daily returns ([`crate::portfolio`]). Each account trades its member's genome on one
//! dataset with the costs and fill convention the champion was bred with (a flag may replace them)
//! and the dataset's bars per year. `C` defaults to the first member's initial capital.
//!
//! **The backtest** runs each account as `gauntlet backtest` runs one genome on one dataset, and
//! sums the accounts' equity on the union of their timestamps, each account's equity carried
//! forward between its bars (its initial capital before its first): the paper session of
//! [`gauntlet_paper::portfolio`] on the datasets' merged bars gives the same trades and the same
//! sum after each timestamp.

use std::collections::BTreeMap;
use std::path::Path;

use gauntlet_backtest::{BacktestConfig, BacktestResult, Market, Side, run_backtest};
use gauntlet_core::Timestamp;
use gauntlet_data::{Catalog, load_series_between, write_csv_rows, write_time_columns};
use gauntlet_paper::{FeedSource, OpenedFeed, PortfolioAccount, open_datasets_feed, open_feed};
use gauntlet_run::champion_file::TradingConditions;
use serde::Serialize;

use crate::error::JobError;
use crate::portfolio::{PORTFOLIO_FORMAT, PORTFOLIO_VERSION, PortfolioFile};

/// The largest portfolio file read, in bytes (a hundred members' champion files are a few MB).
pub const MAX_PORTFOLIO_FILE_BYTES: u64 = 64 << 20;

/// An account's settings from its champion's own conditions and its dataset's bars per year
/// (the binary's flags over them), with notes on what a flag replaced.
pub type Configure<'a> = dyn Fn(&TradingConditions, f64) -> (BacktestConfig, Vec<String>) + 'a;

/// Reads a portfolio file written by `gauntlet portfolio`.
///
/// # Errors
/// [`JobError::Io`] when it cannot be read; [`JobError::RunFolder`] naming the file when it is
/// larger than [`MAX_PORTFOLIO_FILE_BYTES`], not a portfolio file (its `format`), of another
/// version, malformed (the JSON error's line and column), or holds no member.
pub fn read_portfolio_file(path: &Path) -> Result<PortfolioFile, JobError> {
    let bad = |message: String| JobError::RunFolder {
        path: path.to_path_buf(),
        message,
    };
    let io = |source| JobError::Io {
        path: path.to_path_buf(),
        source,
    };
    gauntlet_core::check_regular_file(path).map_err(io)?;
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_PORTFOLIO_FILE_BYTES {
        return Err(bad(format!(
            "{size} bytes, more than the {MAX_PORTFOLIO_FILE_BYTES} a portfolio file may hold"
        )));
    }
    let text = gauntlet_core::read_regular_file(path).map_err(io)?;
    #[derive(serde::Deserialize)]
    struct Marked {
        format: Option<String>,
        version: Option<u32>,
    }
    let marked: Marked = serde_json::from_str(&text)
        .map_err(|error| bad(format!("not a portfolio file: {error}")))?;
    if marked.format.as_deref() != Some(PORTFOLIO_FORMAT) {
        return Err(bad(format!(
            "format is {:?}, not {PORTFOLIO_FORMAT:?}: write one with `gauntlet portfolio`",
            marked.format
        )));
    }
    if marked.version != Some(PORTFOLIO_VERSION) {
        return Err(bad(format!(
            "version {:?}; this Gauntlet reads version {PORTFOLIO_VERSION}",
            marked.version
        )));
    }
    let file: PortfolioFile =
        serde_json::from_str(&text).map_err(|error| bad(format!("malformed: {error}")))?;
    if file.members.is_empty() {
        return Err(bad("the portfolio has no member".into()));
    }
    Ok(file)
}

/// One account of a portfolio, with where its bars come from.
#[derive(Debug, Clone)]
pub struct PlannedAccount {
    /// The member's position in the portfolio file (0-based).
    pub member: usize,
    /// The member's weight.
    pub weight: f64,
    /// The catalog dataset it trades.
    pub dataset: String,
    /// The account (label `<champion name>/<dataset>`, genome, symbol, settings).
    pub account: PortfolioAccount,
}

/// A portfolio file's accounts.
#[derive(Debug, Clone)]
pub struct PortfolioPlan {
    /// The portfolio's capital, quote currency (the accounts' capitals add up to it).
    pub capital: f64,
    /// The accounts, member by member, each member's datasets in its run's order.
    pub accounts: Vec<PlannedAccount>,
    /// Notes on flags that replaced a champion's own costs or fill (one per member and flag).
    pub notes: Vec<String>,
}

impl PortfolioPlan {
    /// The catalog datasets the accounts trade, each once, in the accounts' order.
    pub fn datasets(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for planned in &self.accounts {
            if !names.contains(&planned.dataset) {
                names.push(planned.dataset.clone());
            }
        }
        names
    }

    /// The accounts as the paper session takes them.
    pub fn paper_accounts(&self) -> Vec<PortfolioAccount> {
        self.accounts
            .iter()
            .map(|planned| planned.account.clone())
            .collect()
    }
}

/// The accounts of `file` (module documentation): capital `capital` (default the first member's
/// initial capital), each member's datasets looked up in `catalog` (their symbols and bars per
/// year), and each account's settings from `configure(champion's conditions, bars per year)`
/// (the binary's flags over the champion's own; returns notes on what a flag replaced), its
/// capital then set to its share.
///
/// # Errors
/// [`JobError::Config`] (`capital`) when the capital is not positive and finite;
/// [`JobError::Run`] when a member's provenance names an unknown fill; [`JobError::Data`] when a
/// member's dataset is not in the catalog; [`JobError::RunFolder`] when a member lists no dataset.
pub fn plan_portfolio(
    file: &PortfolioFile,
    capital: Option<f64>,
    catalog: &Catalog,
    configure: &Configure<'_>,
) -> Result<PortfolioPlan, JobError> {
    let first = file.members.first().ok_or_else(|| JobError::RunFolder {
        path: "portfolio".into(),
        message: "the portfolio has no member".into(),
    })?;
    let capital = match capital {
        Some(capital) => capital,
        None => first.champion.trading()?.capital,
    };
    if !(capital.is_finite() && capital > 0.0) {
        return Err(JobError::Config {
            field: "capital".into(),
            message: format!("must be positive and finite, got {capital}"),
        });
    }
    let mut accounts = Vec::new();
    let mut notes = Vec::new();
    for (member_index, member) in file.members.iter().enumerate() {
        let champion = &member.champion;
        // The portfolio's capital as the member's own: a `--capital` flag is the portfolio's,
        // not a change to the champion's conditions (the account's share is set below).
        let conditions = TradingConditions {
            capital,
            ..champion.trading()?
        };
        let datasets = &champion.provenance.datasets;
        if datasets.is_empty() {
            return Err(JobError::RunFolder {
                path: champion.name.clone().into(),
                message: "the champion lists no dataset".into(),
            });
        }
        for dataset in datasets {
            let entry = catalog.get(&dataset.name)?;
            let (mut config, flagged) = configure(&conditions, entry.bars_per_year);
            config.initial_capital = capital * member.weight / datasets.len() as f64;
            for note in flagged {
                let note = format!("{}: {note}", champion.name);
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
            accounts.push(PlannedAccount {
                member: member_index,
                weight: member.weight,
                dataset: dataset.name.clone(),
                account: PortfolioAccount {
                    label: format!("{}/{}", champion.name, dataset.name),
                    genome: champion.genome.clone(),
                    symbol: entry.symbol.clone(),
                    config,
                },
            });
        }
    }
    Ok(PortfolioPlan {
        capital,
        accounts,
        notes,
    })
}

/// What `gauntlet paper --portfolio FILE` trades: the accounts of the portfolio file at `path`
/// ([`read_portfolio_file`], [`plan_portfolio`] with the catalog in `datasets_dir`), the feed
/// (`source`, else the accounts' datasets merged in time order,
/// [`gauntlet_paper::open_datasets_feed`]) and the notes on what flags replaced.
///
/// # Errors
/// As [`read_portfolio_file`] and [`plan_portfolio`]; [`JobError::Data`] when the catalog cannot
/// be opened; [`JobError::Paper`] when the feed cannot be opened.
pub fn open_portfolio_paper(
    path: &Path,
    source: Option<&FeedSource>,
    datasets_dir: &Path,
    capital: Option<f64>,
    configure: &Configure<'_>,
) -> Result<(Vec<PortfolioAccount>, OpenedFeed, Vec<String>), JobError> {
    let file = read_portfolio_file(path)?;
    let catalog = Catalog::open(datasets_dir)?;
    let plan = plan_portfolio(&file, capital, &catalog, configure)?;
    let opened = match source {
        Some(source) => open_feed(source, datasets_dir)?,
        None => open_datasets_feed(&plan.datasets(), datasets_dir)?,
    };
    Ok((plan.paper_accounts(), opened, plan.notes))
}

/// `gauntlet backtest --portfolio FILE`: the portfolio file at `path` read, planned
/// ([`plan_portfolio`], the catalog in `datasets_dir`) and backtested ([`backtest_portfolio`]);
/// returns the backtest and the notes on what flags replaced.
///
/// # Errors
/// As [`read_portfolio_file`], [`plan_portfolio`] and [`backtest_portfolio`].
pub fn backtest_portfolio_file(
    path: &Path,
    datasets_dir: &Path,
    capital: Option<f64>,
    window: (Option<Timestamp>, Option<Timestamp>),
    configure: &Configure<'_>,
) -> Result<(PortfolioBacktest, Vec<String>), JobError> {
    let file = read_portfolio_file(path)?;
    let plan = plan_portfolio(&file, capital, &Catalog::open(datasets_dir)?, configure)?;
    let run = backtest_portfolio(&plan, datasets_dir, window.0, window.1)?;
    Ok((run, plan.notes))
}

/// One account's backtest.
#[derive(Debug, Clone)]
pub struct AccountBacktest {
    /// The account's label.
    pub label: String,
    /// Its dataset.
    pub dataset: String,
    /// Its bars' times.
    pub timestamps: Vec<Timestamp>,
    /// Its backtest.
    pub result: BacktestResult,
}

/// A portfolio file's backtest.
#[derive(Debug, Clone)]
pub struct PortfolioBacktest {
    /// The portfolio's capital.
    pub capital: f64,
    /// Each account.
    pub accounts: Vec<AccountBacktest>,
    /// The union of the accounts' bar times, ascending.
    pub timestamps: Vec<Timestamp>,
    /// The accounts' equity summed at each of `timestamps` (each carried forward between its
    /// bars, its initial capital before its first).
    pub equity: Vec<f64>,
}

/// A closed trade of a portfolio backtest, as `--trades-out` writes it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PortfolioTradeRow {
    /// The account (`<champion name>/<dataset>`).
    pub account: String,
    /// The symbol.
    pub symbol: String,
    /// `long` or `short`.
    pub side: String,
    /// Entry fill time (ISO 8601, UTC).
    pub entry_time: String,
    /// Entry fill price.
    pub entry_price: f64,
    /// Exit fill time.
    pub exit_time: String,
    /// Exit fill price.
    pub exit_price: f64,
    /// Units traded.
    pub quantity: f64,
    /// Profit after commissions, quote currency.
    pub net_pnl: f64,
    /// Commissions of both fills.
    pub commission: f64,
    /// Why it closed.
    pub exit_reason: String,
}

/// Backtests every account of `plan` on its dataset (cut to `from`..=`to` when given): each
/// account as `gauntlet backtest` runs one genome on one dataset, with `config.close_at_end` as
/// the plan's settings say.
///
/// # Errors
/// [`JobError::Data`] when a dataset cannot be loaded or holds fewer than 2 bars in the window;
/// [`JobError::Backtest`] when a backtest cannot run.
pub fn backtest_portfolio(
    plan: &PortfolioPlan,
    datasets_dir: &Path,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
) -> Result<PortfolioBacktest, JobError> {
    let mut series = BTreeMap::new();
    for dataset in plan.datasets() {
        let loaded =
            load_series_between(datasets_dir, None, std::slice::from_ref(&dataset), from, to)?
                .into_iter()
                .next()
                .ok_or_else(|| JobError::RunFolder {
                    path: dataset.clone().into(),
                    message: "the dataset gave no series".into(),
                })?;
        series.insert(dataset, loaded.series);
    }
    let mut accounts = Vec::with_capacity(plan.accounts.len());
    for planned in &plan.accounts {
        let bars = &series[&planned.dataset];
        let market = Market::new(planned.account.symbol.as_str(), bars.clone());
        let result = run_backtest(&planned.account.genome, &market, &planned.account.config)?;
        accounts.push(AccountBacktest {
            label: planned.account.label.clone(),
            dataset: planned.dataset.clone(),
            timestamps: bars.timestamps().to_vec(),
            result,
        });
    }
    let mut timestamps: Vec<Timestamp> = accounts
        .iter()
        .flat_map(|account| account.timestamps.iter().copied())
        .collect();
    timestamps.sort();
    timestamps.dedup();
    let mut equity = Vec::with_capacity(timestamps.len());
    let mut carried: Vec<f64> = accounts
        .iter()
        .map(|account| account.result.initial_capital)
        .collect();
    let mut next = vec![0usize; accounts.len()];
    for time in &timestamps {
        for (index, account) in accounts.iter().enumerate() {
            while next[index] < account.timestamps.len() && account.timestamps[next[index]] <= *time
            {
                carried[index] = account.result.equity[next[index]];
                next[index] += 1;
            }
        }
        equity.push(carried.iter().sum());
    }
    Ok(PortfolioBacktest {
        capital: plan.capital,
        accounts,
        timestamps,
        equity,
    })
}

impl PortfolioBacktest {
    /// The portfolio's equity after its last timestamp.
    pub fn final_equity(&self) -> f64 {
        self.equity.last().copied().unwrap_or(self.capital)
    }

    /// Writes the closed trades (CSV, [`PortfolioBacktest::trade_rows`]) to `trades` and the
    /// summed equity (`time`, `equity`; CSV or Parquet by the extension) to `equity`, each when
    /// given, atomically.
    ///
    /// # Errors
    /// [`JobError::Data`] when a file cannot be written.
    pub fn write_outputs(
        &self,
        trades: Option<&Path>,
        equity: Option<&Path>,
    ) -> Result<(), JobError> {
        if let Some(path) = trades {
            write_csv_rows(path, &self.trade_rows())?;
        }
        if let Some(path) = equity {
            write_time_columns(path, &self.timestamps, &[("equity", &self.equity)])?;
        }
        Ok(())
    }

    /// Closed trades of every account, account by account.
    pub fn trade_rows(&self) -> Vec<PortfolioTradeRow> {
        self.accounts
            .iter()
            .flat_map(|account| {
                account.result.trades.iter().map(|trade| PortfolioTradeRow {
                    account: account.label.clone(),
                    symbol: trade.symbol.to_string(),
                    side: match trade.side {
                        Side::Long => "long",
                        Side::Short => "short",
                    }
                    .into(),
                    entry_time: trade.entry_time.to_string(),
                    entry_price: trade.entry_price,
                    exit_time: trade.exit_time.to_string(),
                    exit_price: trade.exit_price,
                    quantity: trade.quantity,
                    net_pnl: trade.net_pnl,
                    commission: trade.commission,
                    exit_reason: trade.exit_reason.name().into(),
                })
            })
            .collect()
    }

    /// The terminal's lines: the portfolio's return and maximum drawdown, then each account's.
    pub fn describe(&self) -> String {
        let returns: Vec<f64> = std::iter::once(self.capital)
            .chain(self.equity.iter().copied())
            .collect::<Vec<_>>()
            .windows(2)
            .map(|pair| pair[1] / pair[0] - 1.0)
            .collect();
        let drawdown = gauntlet_stats::returns::max_drawdown(&returns);
        let trades: usize = self
            .accounts
            .iter()
            .map(|account| account.result.trades.len())
            .sum();
        let mut text = format!(
            "portfolio: {} accounts, {} timestamps, {trades} trades; equity {:.2} of {:.2} ({:+.2}%), max drawdown {:.2}%\n",
            self.accounts.len(),
            self.timestamps.len(),
            self.final_equity(),
            self.capital,
            (self.final_equity() / self.capital - 1.0) * 100.0,
            drawdown * 100.0
        );
        for account in &self.accounts {
            let result = &account.result;
            text.push_str(&format!(
                "  {}: {} bars, {} trades, equity {:.2} of {:.2} ({:+.2}%)\n",
                account.label,
                account.timestamps.len(),
                result.trades.len(),
                result.final_equity(),
                result.initial_capital,
                (result.final_equity() / result.initial_capital - 1.0) * 100.0
            ));
        }
        text
    }
}
