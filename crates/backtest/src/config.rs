//! Backtest settings: capital, costs and the fill convention.

use serde::{Deserialize, Serialize};

use crate::error::BacktestError;

/// When a market order decided on bar t's close fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FillConvention {
    /// At bar t+1's open (the default: no lookahead, no trading at a price already gone).
    #[default]
    NextOpen,
    /// At bar t's close, for comparison with engines that fill at the signal bar's close (vectorbt's
    /// `from_signals`). Stops are then checked from the bar after entry, and a bar on which a stop fires
    /// does nothing else.
    Close,
}

impl FillConvention {
    /// `next_open` or `close`, as files and flags spell it.
    pub fn name(self) -> &'static str {
        match self {
            FillConvention::NextOpen => "next_open",
            FillConvention::Close => "close",
        }
    }

    /// Where orders fill, in words (reports): `the next open` or `the signal bar's close`.
    pub fn describe(self) -> &'static str {
        match self {
            FillConvention::NextOpen => "the next open",
            FillConvention::Close => "the signal bar's close",
        }
    }

    /// Whether an order decided on a bar's close fills at that close (`close`), rather than being
    /// kept for the next bar's open (`next_open`).
    pub fn fills_at_close(self) -> bool {
        self == FillConvention::Close
    }

    /// The first bar whose range can stop out a position entered on `entry_bar`: the entry bar
    /// itself when the entry filled at its open, the next bar when it filled at its close (the
    /// entry bar's range was over by then).
    pub fn first_intrabar_bar(self, entry_bar: usize) -> usize {
        match self {
            FillConvention::NextOpen => entry_bar,
            FillConvention::Close => entry_bar + 1,
        }
    }

    /// Bars a position entered on `entry_bar` has been held at the close of bar `now` (`now >=
    /// entry_bar`): the entry bar counts when the entry filled at its open.
    pub fn bars_held(self, entry_bar: usize, now: usize) -> usize {
        now - entry_bar + self.entry_bar_held()
    }

    /// The first bar on whose close a position entered on `entry_bar` has been held `bars` bars:
    /// [`FillConvention::bars_held`] solved for the bar (0 at the least).
    pub fn bar_holding(self, entry_bar: usize, bars: usize) -> usize {
        (entry_bar + bars).saturating_sub(self.entry_bar_held())
    }

    /// 1 when the entry bar counts as held at its own close (filled at its open), else 0.
    fn entry_bar_held(self) -> usize {
        match self {
            FillConvention::NextOpen => 1,
            FillConvention::Close => 0,
        }
    }
}

impl std::str::FromStr for FillConvention {
    type Err = BacktestError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "next_open" | "next-open" => Ok(Self::NextOpen),
            "close" => Ok(Self::Close),
            other => Err(BacktestError::Config {
                field: "fill",
                message: format!("'{other}' is not a fill convention; expected next_open or close"),
            }),
        }
    }
}

/// Trading costs, in basis points (1 bp = 0.01%) of the traded value or price.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CostModel {
    /// Commission per side, bps of the traded value.
    pub commission_bps: f64,
    /// Full bid-ask spread, bps of the price; each fill pays half of it.
    pub spread_bps: f64,
    /// Slippage per fill, bps of the price, always against us.
    pub slippage_bps: f64,
}

impl CostModel {
    /// Costs from commission per side, full spread and slippage per fill, all in basis points.
    pub fn bps(commission_bps: f64, spread_bps: f64, slippage_bps: f64) -> Self {
        Self {
            commission_bps,
            spread_bps,
            slippage_bps,
        }
    }

    /// The fraction a fill price moves against us: `(spread / 2 + slippage) / 10,000`.
    pub fn price_adjustment(&self) -> f64 {
        (self.spread_bps / 2.0 + self.slippage_bps) / 10_000.0
    }

    /// Commission as a fraction of traded value.
    pub fn commission_rate(&self) -> f64 {
        self.commission_bps / 10_000.0
    }
}

/// Everything a backtest needs besides the genome and the bars.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BacktestConfig {
    /// Starting cash, in the quote currency.
    pub initial_capital: f64,
    /// Costs.
    pub costs: CostModel,
    /// When market orders fill.
    pub fill: FillConvention,
    /// Close an open position at the last bar's close (exit reason `end_of_data`). Off, it stays open
    /// and is marked to market (vectorbt's final value).
    pub close_at_end: bool,
    /// Bars per year of the data, to annualise volatility-target sizing.
    pub bars_per_year: f64,
}

impl Default for BacktestConfig {
    fn default() -> Self {
        Self {
            initial_capital: 100_000.0,
            costs: CostModel::default(),
            fill: FillConvention::NextOpen,
            close_at_end: true,
            bars_per_year: 252.0,
        }
    }
}

/// The largest starting capital a backtest accepts, quote currency (10^15: a thousand trillion,
/// about ten times the world's stock markets; `1e308` would overflow the first position's value).
pub const MAX_INITIAL_CAPITAL: f64 = 1e15;

impl BacktestConfig {
    /// Checks every setting.
    ///
    /// # Errors
    /// [`BacktestError::Config`] naming the setting: capital not positive or above
    /// [`MAX_INITIAL_CAPITAL`], a negative or non-finite cost, non-positive bars per year.
    pub fn validate(&self) -> Result<(), BacktestError> {
        let positive = |field, value: f64| {
            if value.is_finite() && value > 0.0 {
                Ok(())
            } else {
                Err(BacktestError::Config {
                    field,
                    message: format!("must be a positive number, got {value}"),
                })
            }
        };
        positive("initial_capital", self.initial_capital)?;
        // Quantities, fills and P&L multiply the capital by prices: keep them far from overflow.
        if self.initial_capital > MAX_INITIAL_CAPITAL {
            return Err(BacktestError::Config {
                field: "initial_capital",
                message: format!(
                    "must be at most {MAX_INITIAL_CAPITAL:e}, got {:e}",
                    self.initial_capital
                ),
            });
        }
        positive("bars_per_year", self.bars_per_year)?;
        for (field, value) in [
            ("commission_bps", self.costs.commission_bps),
            ("spread_bps", self.costs.spread_bps),
            ("slippage_bps", self.costs.slippage_bps),
        ] {
            if !(value.is_finite() && (0.0..1_000.0).contains(&value)) {
                return Err(BacktestError::Config {
                    field,
                    message: format!("must be between 0 and 1000 bps, got {value}"),
                });
            }
        }
        Ok(())
    }
}
