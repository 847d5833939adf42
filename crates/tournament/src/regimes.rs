//! Market regimes: labels per bar and a strategy's returns grouped by them, for the champion
//! reports, `gauntlet validate` and the `volatility_adaptation` fitness.
//!
//! Regime labels (documented rules, computed from the series itself):
//! - **trend** at bar t: `bull` when the close is above its 200-bar SMA and the SMA is above its value
//!   20 bars earlier; `bear` when the close is below the SMA and the SMA is below its value 20 bars
//!   earlier; `sideways` otherwise; none during the SMA's warm-up;
//! - **volatility** at bar t: the 20-bar realised volatility ranked against the whole series' values:
//!   `low` in the bottom third, `high` in the top third, `normal` between. With a volatility index
//!   (VIX; the experiment's `volatility_index`, or a `^VIX` dataset in the universe) the index's
//!   close known at bar t's close is ranked instead, against its values over the same bars: the
//!   close of the last index bar that had closed by then (an index bar opening at `s` with spacing
//!   `d` closes at `s + d`, bar t at `t_open + its spacing`; spacing = the smallest gap between two
//!   consecutive timestamps of the series), none where the index has no close in the last seven of its
//!   bar spacings. (A labelling for reports and for the
//!   `volatility_adaptation` fitness, which sees the whole part; it is never used to decide a trade.)

use gauntlet_backtest::{BacktestResult, Market};
use gauntlet_core::BarSeries;
use gauntlet_indicators::IndicatorColumn;
use gauntlet_stats::returns;
use serde::{Deserialize, Serialize};

/// Bars of the realised-volatility window that defines high-volatility regimes.
pub const REGIME_VOLATILITY_BARS: u32 = 20;

/// The strategy's bar returns inside one regime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegimeResult {
    /// `trend` or `volatility`.
    pub kind: String,
    /// The label (`bull`, `bear`, `sideways`, `low`, `normal`, `high`).
    pub label: String,
    /// Bars with this label.
    pub bars: usize,
    /// Mean bar return x bars per year (annualised arithmetic mean), a fraction.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub annual_mean_return: f64,
    /// Annualised Sharpe ratio of those bars' returns.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub sharpe: f64,
}

/// The trades' returns on the account (net P&L over the equity before entry), in exit order.
pub fn account_trade_returns(result: &BacktestResult) -> Vec<f64> {
    result
        .trades
        .iter()
        .map(|trade| {
            let before = trade
                .entry_bar
                .checked_sub(1)
                .map_or(result.initial_capital, |bar| result.equity[bar]);
            trade.net_pnl / before
        })
        .collect()
}

fn regime_result(
    kind: &'static str,
    label: &'static str,
    returns: &[f64],
    bars_per_year: f64,
) -> RegimeResult {
    let mean = if returns.is_empty() {
        f64::NAN
    } else {
        returns.iter().sum::<f64>() / returns.len() as f64
    };
    RegimeResult {
        kind: kind.to_string(),
        label: label.to_string(),
        bars: returns.len(),
        annual_mean_return: mean * bars_per_year,
        sharpe: returns::sharpe_ratio(returns, 0.0, bars_per_year),
    }
}

/// The strategy's bar returns (`returns[t]` earned over bar t) grouped by the regime labels of
/// `market`'s bars: bull, bear, sideways, then low, normal, high volatility (by `volatility_index`
/// when given, see [`regime_labels`]).
pub fn regime_table(
    market: &Market,
    returns: &[f64],
    bars_per_year: f64,
    volatility_index: Option<&BarSeries>,
) -> Vec<RegimeResult> {
    let (trend, volatility) = regime_labels(market, volatility_index);
    let mut regimes = Vec::new();
    for (kind, labels, names) in [
        ("trend", &trend, ["bull", "bear", "sideways"]),
        ("volatility", &volatility, ["low", "normal", "high"]),
    ] {
        for name in names {
            let picked: Vec<f64> = returns
                .iter()
                .zip(labels)
                .filter(|(_, label)| **label == Some(name))
                .map(|(value, _)| *value)
                .collect();
            regimes.push(regime_result(kind, name, &picked, bars_per_year));
        }
    }
    regimes
}

/// The smallest gap between consecutive timestamps, milliseconds (a bar's nominal length); one
/// day for a series of fewer than two bars.
fn bar_spacing(series: &BarSeries) -> i64 {
    series
        .timestamps()
        .windows(2)
        .map(|pair| pair[1].millis() - pair[0].millis())
        .filter(|gap| *gap > 0)
        .min()
        .unwrap_or(gauntlet_core::MILLIS_PER_DAY)
}

/// Per bar of `series`, the close of `index` known at that bar's close: the last index bar that
/// closed by then (see the module's rules); `NaN` before the index's first close, and where that
/// close is older than seven index bars (past the index's end, or a hole in it).
pub fn align_volatility_index(series: &BarSeries, index: &BarSeries) -> Vec<f64> {
    let (own, theirs) = (bar_spacing(series), bar_spacing(index));
    let index_times = index.timestamps();
    let index_close = index.close();
    let mut next = 0;
    series
        .timestamps()
        .iter()
        .map(|timestamp| {
            let closes_by = timestamp.millis() + own;
            while next < index_times.len() && index_times[next].millis() + theirs <= closes_by {
                next += 1;
            }
            let stale =
                |last: usize| closes_by - (index_times[last].millis() + theirs) > 7 * theirs;
            if next == 0 || stale(next - 1) {
                f64::NAN
            } else {
                index_close[next - 1]
            }
        })
        .collect()
}

/// `low` / `normal` / `high` by tertile of the finite values; `None` where not finite.
fn tertile_labels(values: &[f64]) -> Vec<Option<&'static str>> {
    let mut known: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    known.sort_by(f64::total_cmp);
    let third = |share: f64| returns::percentile(&known, share);
    let (low, high) = (third(100.0 / 3.0), third(200.0 / 3.0));
    values
        .iter()
        .map(|&value| {
            value.is_finite().then_some(if value < low {
                "low"
            } else if value > high {
                "high"
            } else {
                "normal"
            })
        })
        .collect()
}

/// Trend and volatility regime labels per bar (see the module's rules; volatility by
/// `volatility_index` when given); `None` where undefined.
pub fn regime_labels(
    market: &Market,
    volatility_index: Option<&BarSeries>,
) -> (Vec<Option<&'static str>>, Vec<Option<&'static str>>) {
    let close = market.series().close();
    let bars = close.len();
    let trend = match market.cache.get(IndicatorColumn::Sma { period: 200 }) {
        Ok(sma) => (0..bars)
            .map(|t| {
                if t < 20 || !sma[t].is_finite() || !sma[t - 20].is_finite() {
                    return None;
                }
                let rising = sma[t] > sma[t - 20];
                let falling = sma[t] < sma[t - 20];
                Some(if close[t] > sma[t] && rising {
                    "bull"
                } else if close[t] < sma[t] && falling {
                    "bear"
                } else {
                    "sideways"
                })
            })
            .collect(),
        Err(_) => vec![None; bars],
    };
    let volatility = match volatility_index {
        Some(index) => tertile_labels(&align_volatility_index(market.series(), index)),
        None => match market.cache.get(IndicatorColumn::Volatility {
            period: REGIME_VOLATILITY_BARS,
        }) {
            Ok(values) => tertile_labels(&values),
            Err(_) => vec![None; bars],
        },
    };
    (trend, volatility)
}
