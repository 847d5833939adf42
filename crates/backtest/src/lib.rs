//! # gauntlet-backtest
//!
//! The backtest engine (layer L4 of `DESIGN.md`): runs a [`gauntlet_genome::Genome`] on a
//! [`Market`]'s bars following the execution conventions of DESIGN.md: decisions on bar t's close,
//! market fills at bar t+1's open adjusted by half the spread and the slippage against us, commission
//! per side, stops and targets checked intrabar from high/low (gaps fill at the open, the stop wins
//! when both are inside one bar), close-only data handled on closes, sizing and caps of the genome's
//! sizing chromosome, and account risk limits (maximum drawdown halt, daily loss limit, consecutive
//! losses). The output is the trade list, the equity curve per bar and, on demand, every [`Metrics`].
//!
//! [`run_portfolio`] runs one genome on several symbols with shared equity.
//!
//! [`FillConvention::Close`] fills at the signal bar's close instead, to compare with engines that do
//! (vectorbt's `from_signals`); `tests/w1_vectorbt.rs` checks 1000 genomes against vectorbt to 1e-9.
#![warn(missing_docs)]

mod account;
mod config;
mod engine;
mod error;
mod live;
mod metrics;
mod portfolio;
pub mod report;
mod scored;
mod signals;
mod step;
mod trade;

pub use config::{BacktestConfig, CostModel, FillConvention, MAX_INITIAL_CAPITAL};
pub use engine::{BacktestResult, Market, OrdersResult, run_backtest, run_backtest_orders};
pub use error::BacktestError;
pub use live::{LiveEngine, LiveFill, LiveOrder, LiveSignal, LiveStep, PositionView, RiskEvent};
pub use metrics::Metrics;
pub use portfolio::{PortfolioResult, run_portfolio};
pub use scored::{ScoredBacktest, run_backtest_scored};
pub use signals::EntrySignals;
pub use trade::{ExitReason, Side, Trade};
