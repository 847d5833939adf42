//! [`Trade`]: one closed round trip.

use std::sync::Arc;

use gauntlet_core::Timestamp;
use serde::{Deserialize, Serialize};

/// The side of a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Bought first, sold to close.
    Long,
    /// Sold first, bought back to close.
    Short,
}

impl Side {
    /// +1 for long, -1 for short.
    pub fn sign(self) -> f64 {
        match self {
            Self::Long => 1.0,
            Self::Short => -1.0,
        }
    }
}

/// Why a position was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitReason {
    /// The stop-loss level was hit (or gapped through).
    StopLoss,
    /// The take-profit level was hit (or gapped through).
    TakeProfit,
    /// The trailing stop was hit.
    TrailingStop,
    /// An exit signal: the opposite entry signal or the channel exit.
    Signal,
    /// A formula genome's exit formula (`exit_long` / `exit_short`) held on the close.
    Formula,
    /// The maximum holding time was reached.
    TimeExit,
    /// An account risk limit closed it (maximum drawdown halt).
    RiskHalt,
    /// The data ended.
    EndOfData,
}

impl ExitReason {
    /// The snake_case name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Self::StopLoss => "stop_loss",
            Self::TakeProfit => "take_profit",
            Self::TrailingStop => "trailing_stop",
            Self::Signal => "signal",
            Self::Formula => "formula",
            Self::TimeExit => "time_exit",
            Self::RiskHalt => "risk_halt",
            Self::EndOfData => "end_of_data",
        }
    }
}

/// One closed trade. Prices are fill prices (after spread and slippage), money in the quote currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trade {
    /// The instrument (shared by every trade of a run).
    pub symbol: Arc<str>,
    /// Long or short.
    pub side: Side,
    /// Time of the entry fill (the open time of the bar it filled in).
    pub entry_time: Timestamp,
    /// Entry fill price.
    pub entry_price: f64,
    /// Index of the entry bar.
    pub entry_bar: usize,
    /// Time of the exit fill (the open time of the bar it filled in).
    pub exit_time: Timestamp,
    /// Exit fill price.
    pub exit_price: f64,
    /// Index of the exit bar.
    pub exit_bar: usize,
    /// Units traded (positive).
    pub quantity: f64,
    /// `(exit - entry) * quantity`, sign-adjusted for shorts.
    pub gross_pnl: f64,
    /// Commissions paid on both fills.
    pub commission: f64,
    /// `gross_pnl - commission`.
    pub net_pnl: f64,
    /// `net_pnl / (entry_price * quantity)`, a fraction.
    pub pnl_fraction: f64,
    /// Money at risk at entry (`quantity * entry * stop_loss`), when the genome has a stop loss.
    pub initial_risk: Option<f64>,
    /// Why it closed.
    pub exit_reason: ExitReason,
}

impl Trade {
    /// Bars from entry to exit (0 when both fill in one bar).
    pub fn bars_held(&self) -> usize {
        self.exit_bar - self.entry_bar
    }
}
