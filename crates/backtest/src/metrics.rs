//! [`Metrics`] of a backtest result, from its equity curve and trades (definitions in gauntlet-stats).

use gauntlet_core::Timestamp;
use gauntlet_stats::{
    CurveMetrics, MonthlyReturn, curve_metrics_with_returns, duration_stats, monthly_returns,
    trade_metrics,
};
use serde::{Deserialize, Serialize};

use crate::engine::BacktestResult;

/// Every metric of one backtest. Fractions unless named otherwise; annualised with the data's bars
/// per year; `NaN` where undefined (no trades, no losing month...).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Equity after the last bar, quote currency.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub final_equity: f64,
    /// `final / initial - 1`.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub total_return: f64,
    /// Compound annual growth rate.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub cagr: f64,
    /// Annualised standard deviation of bar returns.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub annual_volatility: f64,
    /// Annualised Sharpe ratio (risk-free 0).
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub sharpe: f64,
    /// Annualised Sortino ratio (required return 0).
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub sortino: f64,
    /// Maximum drawdown, <= 0.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub max_drawdown: f64,
    /// Longest time under water, bars.
    pub max_drawdown_bars: usize,
    /// CAGR / |maximum drawdown|.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub calmar: f64,
    /// Omega ratio at a 0 threshold.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub omega: f64,
    /// |95th percentile| / |5th percentile| of bar returns.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub tail_ratio: f64,
    /// R² of the cumulative log return against time.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub stability: f64,
    /// Closed trades.
    pub trades: usize,
    /// Winning trades / trades.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub win_rate: f64,
    /// Gross profit / gross loss.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub profit_factor: f64,
    /// Mean net P&L per trade, quote currency.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub expectancy: f64,
    /// Mean P&L per trade in R multiples.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub expectancy_r: f64,
    /// Mean bars held per trade.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub average_trade_bars: f64,
    /// Median bars held per trade.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub median_trade_bars: f64,
    /// Share of bars that closed with a position open.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub exposure: f64,
    /// Share of calendar months with a positive return.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub positive_months: f64,
}

impl Metrics {
    /// Every metric as `(name, value)`, in declaration order (counts as f64): for tables and CSV.
    pub fn named_values(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("final_equity", self.final_equity),
            ("total_return", self.total_return),
            ("cagr", self.cagr),
            ("annual_volatility", self.annual_volatility),
            ("sharpe", self.sharpe),
            ("sortino", self.sortino),
            ("max_drawdown", self.max_drawdown),
            ("max_drawdown_bars", self.max_drawdown_bars as f64),
            ("calmar", self.calmar),
            ("omega", self.omega),
            ("tail_ratio", self.tail_ratio),
            ("stability", self.stability),
            ("trades", self.trades as f64),
            ("win_rate", self.win_rate),
            ("profit_factor", self.profit_factor),
            ("expectancy", self.expectancy),
            ("expectancy_r", self.expectancy_r),
            ("average_trade_bars", self.average_trade_bars),
            ("median_trade_bars", self.median_trade_bars),
            ("exposure", self.exposure),
            ("positive_months", self.positive_months),
        ]
    }
}

impl BacktestResult {
    /// Bar returns: `equity[t] / equity[t-1] - 1`, with the initial capital before bar 0.
    pub fn returns(&self) -> Vec<f64> {
        let mut previous = self.initial_capital;
        self.equity
            .iter()
            .map(|&value| {
                let change = value / previous - 1.0;
                previous = value;
                change
            })
            .collect()
    }

    /// The monthly returns table (UTC calendar months).
    pub fn monthly_returns(&self, timestamps: &[Timestamp]) -> Vec<MonthlyReturn> {
        monthly_returns(timestamps, &self.equity, self.initial_capital)
    }

    /// Every metric, annualised with `bars_per_year`; the return metrics in one pass over the
    /// equity curve ([`gauntlet_stats::CurveAccumulator`], bit-identical to the separate
    /// functions of [`gauntlet_stats::returns`]). `timestamps` has one entry per equity value.
    pub fn metrics(&self, timestamps: &[Timestamp], bars_per_year: f64) -> Metrics {
        self.metrics_and_returns(timestamps, bars_per_year).0
    }

    /// [`BacktestResult::metrics`] and the bar returns ([`BacktestResult::returns`], the same
    /// values), from one pass.
    pub fn metrics_and_returns(
        &self,
        timestamps: &[Timestamp],
        bars_per_year: f64,
    ) -> (Metrics, Vec<f64>) {
        debug_assert_eq!(timestamps.len(), self.equity.len());
        let (curve, returns) = curve_metrics_with_returns(
            timestamps,
            &self.equity,
            self.initial_capital,
            bars_per_year,
        );
        let metrics = assemble(
            &curve,
            &self.trades,
            self.final_equity(),
            self.initial_capital,
            self.bars_in_market,
            self.equity.len(),
        );
        (metrics, returns)
    }
}

/// The [`Metrics`] of a run from its curve metrics, its trades and its counters (shared by
/// [`BacktestResult::metrics`] and the scoring path, [`crate::run_backtest_scored`]).
pub(crate) fn assemble(
    curve: &CurveMetrics,
    trades: &[crate::trade::Trade],
    final_equity: f64,
    initial_capital: f64,
    bars_in_market: usize,
    bars: usize,
) -> Metrics {
    let pnl: Vec<f64> = trades.iter().map(|trade| trade.net_pnl).collect();
    let risks: Option<Vec<f64>> = trades.iter().map(|trade| trade.initial_risk).collect();
    let trade_stats = trade_metrics(&pnl, risks.as_deref());
    let durations: Vec<usize> = trades.iter().map(|trade| trade.bars_held()).collect();
    let (average_trade_bars, median_trade_bars) = duration_stats(&durations);
    Metrics {
        final_equity,
        total_return: final_equity / initial_capital - 1.0,
        cagr: curve.cagr,
        annual_volatility: curve.annual_volatility,
        sharpe: curve.sharpe,
        sortino: curve.sortino,
        max_drawdown: curve.max_drawdown,
        max_drawdown_bars: curve.max_drawdown_bars,
        calmar: curve.calmar,
        omega: curve.omega,
        tail_ratio: curve.tail_ratio,
        stability: curve.stability,
        trades: trade_stats.trades,
        win_rate: trade_stats.win_rate,
        profit_factor: trade_stats.profit_factor,
        expectancy: trade_stats.expectancy,
        expectancy_r: trade_stats.expectancy_r,
        average_trade_bars,
        median_trade_bars,
        exposure: bars_in_market as f64 / bars.max(1) as f64,
        positive_months: curve.positive_months,
    }
}
