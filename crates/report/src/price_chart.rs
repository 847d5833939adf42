//! The interactive price chart of a champion's pages: per symbol, the bars as candles (a line for a
//! close-only dataset) with a marker at every trade's entry and exit, the account's equity and
//! buy-and-hold below on the same time axis, split boundaries marked. The page draws it with
//! TradingView's Lightweight Charts (inlined, see `vendor/lightweight-charts/`); this module builds
//! the data it draws, from `champions/<category>-equity.parquet` and `-trades.parquet`.
//!
//! Long series are shown with merged candles: at most [`ReportOptions::price_chart_candles`] per
//! symbol, each merging `bars_per_candle` consecutive bars of one part (open of the first, highest
//! high, lowest low, close of the last; equity at the last bar's close). Markers sit on the candle
//! holding the fill's bar; the trade's exact times and prices are in its details.

use std::collections::BTreeMap;
use std::path::Path;

use gauntlet_run::tables::{EquityRow, TradeRow, read_rows_if_present};
use serde::Serialize;

use crate::ReportOptions;
use crate::error::ReportError;
use crate::format::date_time;

/// One symbol's bars as the chart shows them (shared by every champion: the same universe).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PriceBars {
    /// Bars merged into each candle (1: every bar is a candle).
    pub(crate) bars_per_candle: usize,
    /// Whether the dataset has real open, high and low prices (candles); otherwise a close line.
    pub(crate) ohlc: bool,
    /// Candle open times, seconds since the Unix epoch, UTC (what the library's time scale takes).
    pub(crate) time: Vec<i64>,
    pub(crate) open: Vec<f64>,
    pub(crate) high: Vec<f64>,
    pub(crate) low: Vec<f64>,
    pub(crate) close: Vec<f64>,
    /// Buy-and-hold growth of 1 at each candle's close (close over the first bar's close).
    pub(crate) buy_and_hold: Vec<f64>,
    /// Where each part starts: (candle open time in seconds, part name).
    pub(crate) parts: Vec<(i64, String)>,
}

/// One trade as the chart marks it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct TradeMark {
    pub(crate) side: String,
    pub(crate) part: String,
    /// The candle (open time, seconds) holding the entry fill's bar, and the exit fill's.
    pub(crate) entry_candle: i64,
    pub(crate) exit_candle: i64,
    /// Exact fill times as text (UTC) and prices.
    pub(crate) entry: String,
    pub(crate) exit: String,
    pub(crate) entry_price: f64,
    pub(crate) exit_price: f64,
    /// Net return of the trade, a fraction of the entry value.
    pub(crate) return_fraction: f64,
    pub(crate) exit_reason: String,
    /// The initial stop, target and trailing-stop activation levels (quote currency), as the
    /// engine sets them at entry from the genome's exits: `entry × (1 − s × stop)`,
    /// `entry × (1 + s × target)`, `entry × (1 + s × activation)` with `s` = +1 long, −1 short.
    pub(crate) stop: Option<f64>,
    pub(crate) target: Option<f64>,
    pub(crate) trail_activation: Option<f64>,
}

/// One champion's side of the chart on one symbol.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ChampionSeries {
    /// Growth of 1 at each candle's close, the three parts chained as one account.
    pub(crate) equity: Vec<f64>,
    pub(crate) trades: Vec<TradeMark>,
}

/// Everything the page's price charts draw: bars per symbol, and per champion category and
/// symbol its equity and trades.
#[derive(Debug, Default, Serialize)]
pub(crate) struct PriceChartData {
    pub(crate) symbols: BTreeMap<String, PriceBars>,
    pub(crate) champions: BTreeMap<String, BTreeMap<String, ChampionSeries>>,
}

impl PriceChartData {
    /// The data as JSON to embed in a `<script type="application/json">` element: every `<` is
    /// written `\u003c`, so no dataset name can close the element.
    pub(crate) fn to_script_json(&self) -> Result<String, ReportError> {
        let json = serde_json::to_string(self).map_err(|error| ReportError::Template {
            name: "price chart data".into(),
            message: error.to_string(),
        })?;
        Ok(json.replace('<', "\\u003c"))
    }

    /// Adds one champion's symbols from its equity and trade tables; returns the symbols added
    /// (none when the tables are missing).
    ///
    /// # Errors
    /// [`ReportError::Data`] or [`ReportError::Unreadable`] when a table cannot be read or lacks
    /// a column.
    pub(crate) fn add_champion(
        &mut self,
        category: &str,
        levels: &ExitLevels,
        equity_path: &Path,
        trades_path: &Path,
        initial_capital: f64,
        options: &ReportOptions,
    ) -> Result<Vec<String>, ReportError> {
        let Some(equity) = read_rows_if_present::<EquityRow>(equity_path)? else {
            return Ok(Vec::new());
        };
        let trades = read_rows_if_present::<TradeRow>(trades_path)?;
        let mut added = Vec::new();
        let mut start = 0;
        // The page's first `max_symbols` symbols (the tables hold every one).
        while start < equity.len() && added.len() < options.max_symbols {
            let dataset = &equity[start].dataset;
            let end = start
                + equity[start..]
                    .iter()
                    .take_while(|row| row.dataset == *dataset)
                    .count();
            let bars = SymbolBars::read(&equity[start..end]);
            let buckets = bars.buckets(options.price_chart_candles.max(1));
            let series = ChampionSeries {
                equity: bars.equity_at_candles(&buckets, initial_capital),
                trades: match &trades {
                    Some(trades) => trade_marks(trades, dataset, &bars, &buckets, levels),
                    None => Vec::new(),
                },
            };
            self.symbols
                .entry(dataset.clone())
                .or_insert_with(|| bars.price_bars(&buckets));
            self.champions
                .entry(category.to_string())
                .or_default()
                .insert(dataset.clone(), series);
            added.push(dataset.clone());
            start = end;
        }
        Ok(added)
    }
}

/// The genome's exit distances the engine sets at entry, percent of the entry price.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ExitLevels {
    pub(crate) stop_loss_pct: Option<f64>,
    pub(crate) take_profit_pct: Option<f64>,
    pub(crate) trail_activation_pct: Option<f64>,
}

/// One symbol's rows of an equity table.
struct SymbolBars {
    parts: Vec<String>,
    time_ms: Vec<i64>,
    open: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    equity: Vec<f64>,
    ohlc: bool,
}

impl SymbolBars {
    fn read(rows: &[EquityRow]) -> Self {
        let floats = |value: fn(&EquityRow) -> Option<f64>| -> Vec<f64> {
            rows.iter()
                .map(|row| value(row).unwrap_or(f64::NAN))
                .collect()
        };
        let close = floats(|row| row.close);
        // Run folders written before the equity table had open, high and low show a close line.
        let ohlc_columns = rows
            .iter()
            .all(|row| row.open.is_some() && row.high.is_some() && row.low.is_some());
        let (open, high, low) = if ohlc_columns {
            (
                floats(|row| row.open),
                floats(|row| row.high),
                floats(|row| row.low),
            )
        } else {
            (close.clone(), close.clone(), close.clone())
        };
        let ohlc = (0..close.len()).any(|bar| {
            open[bar] != close[bar] || high[bar] != close[bar] || low[bar] != close[bar]
        });
        Self {
            parts: rows.iter().map(|row| row.part.clone()).collect(),
            time_ms: rows.iter().map(|row| row.time_ms).collect(),
            open,
            high,
            low,
            close,
            equity: floats(|row| row.equity),
            ohlc,
        }
    }

    /// The first bar of each candle: runs of at most `ceil(bars / max_candles)` bars, never
    /// across a part boundary.
    fn buckets(&self, max_candles: usize) -> Vec<usize> {
        let size = self.time_ms.len().div_ceil(max_candles).max(1);
        let mut starts = Vec::new();
        let mut run = 0;
        for bar in 0..self.time_ms.len() {
            let new_part = bar == 0 || self.parts[bar] != self.parts[bar - 1];
            if new_part || run == size {
                starts.push(bar);
                run = 0;
            }
            run += 1;
        }
        starts
    }

    /// The bars of candle `index`.
    fn candle(&self, buckets: &[usize], index: usize) -> std::ops::Range<usize> {
        buckets[index]
            ..buckets
                .get(index + 1)
                .copied()
                .unwrap_or(self.time_ms.len())
    }

    fn price_bars(&self, buckets: &[usize]) -> PriceBars {
        let candles = buckets.len();
        let mut bars = PriceBars {
            bars_per_candle: self.time_ms.len().div_ceil(candles.max(1)),
            ohlc: self.ohlc,
            time: Vec::with_capacity(candles),
            open: Vec::with_capacity(candles),
            high: Vec::with_capacity(candles),
            low: Vec::with_capacity(candles),
            close: Vec::with_capacity(candles),
            buy_and_hold: Vec::with_capacity(candles),
            parts: Vec::new(),
        };
        let first_close = self.close.first().copied().unwrap_or(f64::NAN);
        for index in 0..candles {
            let range = self.candle(buckets, index);
            let (first, last) = (range.start, range.end - 1);
            let time = self.time_ms[first].div_euclid(1000);
            if bars
                .parts
                .last()
                .is_none_or(|(_, part)| *part != self.parts[first])
            {
                bars.parts.push((time, self.parts[first].clone()));
            }
            bars.time.push(time);
            bars.open.push(significant(self.open[first]));
            bars.high.push(significant(
                self.high[range.clone()]
                    .iter()
                    .fold(f64::NEG_INFINITY, |high, value| high.max(*value)),
            ));
            bars.low.push(significant(
                self.low[range]
                    .iter()
                    .fold(f64::INFINITY, |low, value| low.min(*value)),
            ));
            bars.close.push(significant(self.close[last]));
            bars.buy_and_hold
                .push(significant(self.close[last] / first_close));
        }
        bars
    }

    /// The chained growth of 1 at each candle's last bar: each part was backtested from the same
    /// initial capital, so part k's growth is multiplied by the growth at the end of part k−1.
    fn equity_at_candles(&self, buckets: &[usize], initial_capital: f64) -> Vec<f64> {
        let mut growth = Vec::with_capacity(self.equity.len());
        let mut factor = 1.0;
        for bar in 0..self.equity.len() {
            if bar > 0 && self.parts[bar] != self.parts[bar - 1] {
                factor = growth[bar - 1];
            }
            growth.push(factor * self.equity[bar] / initial_capital);
        }
        (0..buckets.len())
            .map(|index| significant(growth[self.candle(buckets, index).end - 1]))
            .collect()
    }

    /// The open time (seconds) of the candle holding the bar that opened at `time_ms` (the last
    /// bar at or before it).
    fn candle_time(&self, buckets: &[usize], time_ms: i64) -> i64 {
        let bar = self
            .time_ms
            .partition_point(|time| *time <= time_ms)
            .saturating_sub(1);
        let index = buckets
            .partition_point(|start| *start <= bar)
            .saturating_sub(1);
        self.time_ms[buckets[index]].div_euclid(1000)
    }
}

/// Rounds to 7 significant digits: what a chart can show, in a fraction of the page's bytes.
fn significant(value: f64) -> f64 {
    if !value.is_finite() || value == 0.0 {
        return value;
    }
    let scale = 10f64.powi(6 - value.abs().log10().floor() as i32);
    if !scale.is_finite() || scale == 0.0 {
        return value;
    }
    (value * scale).round() / scale
}

fn trade_marks(
    trades: &[TradeRow],
    dataset: &str,
    bars: &SymbolBars,
    buckets: &[usize],
    levels: &ExitLevels,
) -> Vec<TradeMark> {
    let mut marks = Vec::new();
    for trade in trades.iter().filter(|trade| trade.dataset == dataset) {
        let sign = if trade.side == "short" { -1.0 } else { 1.0 };
        let entry = trade.entry_price.unwrap_or(f64::NAN);
        let level = |percent: Option<f64>, direction: f64| {
            percent.map(|percent| entry * (1.0 + direction * sign * percent / 100.0))
        };
        marks.push(TradeMark {
            side: trade.side.clone(),
            part: trade.part.clone(),
            entry_candle: bars.candle_time(buckets, trade.entry_time_ms),
            exit_candle: bars.candle_time(buckets, trade.exit_time_ms),
            entry: date_time(trade.entry_time_ms),
            exit: date_time(trade.exit_time_ms),
            entry_price: entry,
            exit_price: trade.exit_price.unwrap_or(f64::NAN),
            return_fraction: trade.return_fraction.unwrap_or(f64::NAN),
            exit_reason: trade.exit_reason.clone(),
            stop: level(levels.stop_loss_pct, -1.0),
            target: level(levels.take_profit_pct, 1.0),
            trail_activation: level(levels.trail_activation_pct, 1.0),
        });
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars(parts: &[&str], close: &[f64]) -> SymbolBars {
        let count = close.len();
        SymbolBars {
            parts: parts.iter().map(|part| part.to_string()).collect(),
            time_ms: (0..count as i64).map(|bar| bar * 86_400_000).collect(),
            open: close.to_vec(),
            high: close.iter().map(|value| value + 1.0).collect(),
            low: close.iter().map(|value| value - 1.0).collect(),
            close: close.to_vec(),
            equity: close.iter().map(|value| value * 10.0).collect(),
            ohlc: true,
        }
    }

    #[test]
    fn candles_merge_bars_within_a_part_only() {
        // Seven bars, at most three candles: runs of ceil(7 / 3) = 3 bars, restarted at the
        // validation part's first bar (bar 4).
        let parts = ["in_sample"; 4]
            .into_iter()
            .chain(["validation"; 3])
            .collect::<Vec<_>>();
        let symbol = bars(&parts, &[10.0, 12.0, 11.0, 13.0, 20.0, 18.0, 19.0]);
        let buckets = symbol.buckets(3);
        assert_eq!(buckets, vec![0, 3, 4]);
        let price = symbol.price_bars(&buckets);
        assert_eq!(price.time, vec![0, 3 * 86_400, 4 * 86_400]);
        assert_eq!(price.open, vec![10.0, 13.0, 20.0]);
        assert_eq!(price.high, vec![13.0, 14.0, 21.0]);
        assert_eq!(price.low, vec![9.0, 12.0, 17.0]);
        assert_eq!(price.close, vec![11.0, 13.0, 19.0]);
        assert_eq!(price.buy_and_hold, vec![1.1, 1.3, 1.9]);
        assert_eq!(
            price.parts,
            vec![
                (0, "in_sample".to_string()),
                (4 * 86_400, "validation".into())
            ]
        );
        // Equity 10x the close, initial capital 100: in-sample growth 1.1 and 1.3 at the end
        // of its candles; validation starts from 1.3 and grows by 190 / 100 = 1.9: 2.47.
        assert_eq!(
            symbol.equity_at_candles(&buckets, 100.0),
            vec![1.1, 1.3, 2.47]
        );
        // A fill on bar 2 sits on the first candle; on bar 5 on the third.
        assert_eq!(symbol.candle_time(&buckets, 2 * 86_400_000), 0);
        assert_eq!(symbol.candle_time(&buckets, 5 * 86_400_000), 4 * 86_400);
    }

    #[test]
    fn seven_significant_digits() {
        assert_eq!(significant(1234.56789), 1234.568);
        assert_eq!(significant(0.000123456789), 0.0001234568);
        assert_eq!(significant(-98765432.1), -98765430.0);
        assert_eq!(significant(0.0), 0.0);
    }

    #[test]
    fn the_json_cannot_close_its_script_element() {
        let mut data = PriceChartData::default();
        data.champions
            .entry("</script><script>alert(1)</script>".into())
            .or_default();
        let json = data.to_script_json().unwrap();
        assert!(!json.contains('<'), "{json}");
        #[derive(serde::Deserialize)]
        struct Back {
            champions: BTreeMap<String, BTreeMap<String, String>>,
        }
        let parsed: Back = serde_json::from_str(&json).unwrap();
        assert!(
            parsed
                .champions
                .contains_key("</script><script>alert(1)</script>")
        );
    }
}
