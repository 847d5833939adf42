//! A backtest beside its benchmark, as `gauntlet backtest` reports it: the strategy against
//! buy-and-hold of the same symbol (or, for a shared account over several symbols, against an
//! equal-weight buy-and-hold of them), every metric of both, and the trade list as rows.

use gauntlet_core::Timestamp;
use gauntlet_genome::{Genome, SizingMethod};
use gauntlet_stats::BenchmarkRelative;
use serde::Serialize;

use crate::config::BacktestConfig;
use crate::engine::{BacktestResult, Market, run_backtest};
use crate::error::BacktestError;
use crate::metrics::Metrics;
use crate::portfolio::{PortfolioResult, run_portfolio};
use crate::trade::{ExitReason, Side};

/// A strategy's backtest and its benchmark's on the same bars.
#[derive(Debug, Clone)]
pub struct Compared<R> {
    /// The strategy's run.
    pub strategy: R,
    /// The benchmark's run (buy-and-hold, or equal-weight buy-and-hold for a portfolio).
    pub benchmark: R,
}

/// Backtests `genome` and buy-and-hold ([`Genome::buy_and_hold`]) on `market` with `config`.
///
/// # Errors
/// As [`run_backtest`].
pub fn against_buy_and_hold(
    genome: &Genome,
    market: &Market,
    config: &BacktestConfig,
) -> Result<Compared<BacktestResult>, BacktestError> {
    Ok(Compared {
        strategy: run_backtest(genome, market, config)?,
        benchmark: run_backtest(&Genome::buy_and_hold(), market, config)?,
    })
}

/// Buy-and-hold of `symbols` symbols in one account, each with an equal share of the equity
/// (`100 / symbols` percent, at most `symbols` positions).
pub fn equal_weight_buy_and_hold(symbols: usize) -> Genome {
    let mut genome = Genome::buy_and_hold();
    genome.sizing.max_positions = u32::try_from(symbols).unwrap_or(u32::MAX);
    let share = 100.0 / symbols.max(1) as f64;
    genome.sizing.method = SizingMethod::FixedFraction {
        fraction_pct: share,
    };
    genome.sizing.max_position_pct = share;
    genome
}

/// Backtests `genome` on `markets` in one shared account, and the equal-weight buy-and-hold of the
/// same markets ([`equal_weight_buy_and_hold`]).
///
/// # Errors
/// As [`run_portfolio`].
pub fn portfolio_against_equal_weight(
    genome: &Genome,
    markets: &[Market],
    config: &BacktestConfig,
) -> Result<Compared<PortfolioResult>, BacktestError> {
    Ok(Compared {
        strategy: run_portfolio(genome, markets, config)?,
        benchmark: run_portfolio(&equal_weight_buy_and_hold(markets.len()), markets, config)?,
    })
}

/// One market to backtest, with its settings.
#[derive(Debug, Clone)]
pub struct NamedMarket {
    /// The dataset's name.
    pub name: String,
    /// Its bars.
    pub market: Market,
    /// Costs, fills, capital and bars per year.
    pub config: BacktestConfig,
}

/// One report of [`run_reports`] and the runs behind it.
#[derive(Debug, Clone)]
pub struct ReportedRun {
    /// The report.
    pub report: BacktestReport,
    /// The bars' times (a portfolio's merged timeline).
    pub timestamps: Vec<Timestamp>,
    /// The strategy's run.
    pub strategy: BacktestResult,
    /// The benchmark's run.
    pub benchmark: BacktestResult,
}

/// Backtests `genome` on each of `markets` against buy-and-hold, or with `portfolio` on all of
/// them in one shared account against the equal-weight buy-and-hold (the first market's settings,
/// annualised as [`portfolio_bars_per_year`] says).
///
/// # Errors
/// As [`run_backtest`] and [`run_portfolio`]; [`BacktestError::Config`] when `markets` is empty.
pub fn run_reports(
    genome: &Genome,
    markets: &[NamedMarket],
    portfolio: bool,
) -> Result<Vec<ReportedRun>, BacktestError> {
    let Some(first) = markets.first() else {
        return Err(BacktestError::Config {
            field: "markets",
            message: "no market to backtest".into(),
        });
    };
    if portfolio {
        let mut config = first.config;
        config.bars_per_year = portfolio_bars_per_year(markets);
        let shared: Vec<Market> = markets.iter().map(|market| market.market.clone()).collect();
        let run = portfolio_against_equal_weight(genome, &shared, &config)?;
        let names: Vec<&str> = markets.iter().map(|market| market.name.as_str()).collect();
        let report = BacktestReport::new(
            format!("portfolio of {}", names.join(", ")),
            &run.strategy.timestamps,
            &run.strategy.result,
            &run.benchmark.result,
            config.bars_per_year,
        )
        .checked_against(genome);
        return Ok(vec![ReportedRun {
            report,
            timestamps: run.strategy.timestamps,
            strategy: run.strategy.result,
            benchmark: run.benchmark.result,
        }]);
    }
    markets
        .iter()
        .map(|named| {
            let run = against_buy_and_hold(genome, &named.market, &named.config)?;
            let timestamps = named.market.series().timestamps().to_vec();
            Ok(ReportedRun {
                report: BacktestReport::new(
                    named.name.clone(),
                    &timestamps,
                    &run.strategy,
                    &run.benchmark,
                    named.config.bars_per_year,
                )
                .checked_against(genome),
                timestamps,
                strategy: run.strategy,
                benchmark: run.benchmark,
            })
        })
        .collect()
}

/// How a shared account is annualised: the markets' bars per year when they agree; for mixed
/// intervals (`sp500-1d` with `eurusd-1h`) the merged timeline's own rate, its bars over the years
/// it spans (365.25 days each), since the account steps once per bar of the merged timeline and
/// hourly bars cover only part of it (the largest rate, hourly, made a daily decade look like
/// centuries of hours: CAGR 72% for a 4.9% account).
pub fn portfolio_bars_per_year(markets: &[NamedMarket]) -> f64 {
    let rates: Vec<f64> = markets
        .iter()
        .map(|market| market.config.bars_per_year)
        .collect();
    if rates.windows(2).all(|pair| pair[0] == pair[1]) {
        return rates.first().copied().unwrap_or(252.0);
    }
    let mut times: Vec<i64> = markets
        .iter()
        .flat_map(|market| {
            market
                .market
                .series()
                .timestamps()
                .iter()
                .map(|time| time.millis())
        })
        .collect();
    times.sort_unstable();
    times.dedup();
    let (Some(first), Some(last)) = (times.first(), times.last()) else {
        return rates.iter().copied().fold(0.0, f64::max);
    };
    let years = (last - first) as f64 / (365.25 * gauntlet_core::MILLIS_PER_DAY as f64);
    if years > 0.0 && times.len() > 1 {
        (times.len() - 1) as f64 / years
    } else {
        rates.iter().copied().fold(0.0, f64::max)
    }
}

/// The settings line above the reports of [`run_reports`]: the costs and fill convention of the
/// first market, or for a portfolio the shared account and its annualisation.
pub fn settings_line(markets: &[NamedMarket], portfolio: bool) -> String {
    let Some(first) = markets.first() else {
        return String::new();
    };
    let config = &first.config;
    if portfolio {
        return format!(
            "Shared account over {} symbols; buy-and-hold is equal-weight; annualised with {:.1} bars per year",
            markets.len(),
            portfolio_bars_per_year(markets)
        );
    }
    format!(
        "Costs: commission {} bps/side, spread {} bps, slippage {} bps; fills at {}; capital {}",
        config.costs.commission_bps,
        config.costs.spread_bps,
        config.costs.slippage_bps,
        config.fill.describe(),
        config.initial_capital
    )
}

/// One dataset's (or one portfolio's) report: the bars covered, the orders and every metric of the
/// strategy and of its benchmark.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestReport {
    /// The dataset, or `portfolio of a, b, c`.
    pub dataset: String,
    /// Bars.
    pub bars: usize,
    /// The first bar's open, RFC 3339 UTC.
    pub first: Option<String>,
    /// The last bar's open, RFC 3339 UTC.
    pub last: Option<String>,
    /// Whether the data has closes only (fills and stops on closes).
    pub close_only: bool,
    /// Buy orders filled.
    pub buys: usize,
    /// Sell orders filled.
    pub sells: usize,
    /// Exits by the stop-loss.
    pub stop_loss_exits: usize,
    /// Exits by the take-profit.
    pub take_profit_exits: usize,
    /// The strategy's metrics.
    pub metrics: Metrics,
    /// The benchmark's metrics.
    pub buy_and_hold: Metrics,
    /// The strategy's alpha, beta, information ratio and tracking error against the benchmark's
    /// bar returns ([`gauntlet_stats::benchmark`], empyrical's definitions, risk-free 0).
    pub against_buy_and_hold: BenchmarkRelative,
    /// What makes the figures meaningless, if anything (the data is shorter than the genome's
    /// longest indicator).
    pub warnings: Vec<String>,
}

impl BacktestReport {
    /// The report of `strategy` and `benchmark` run on bars at `timestamps`, annualised with
    /// `bars_per_year`.
    pub fn new(
        dataset: String,
        timestamps: &[Timestamp],
        strategy: &BacktestResult,
        benchmark: &BacktestResult,
        bars_per_year: f64,
    ) -> Self {
        Self {
            dataset,
            bars: timestamps.len(),
            first: timestamps.first().map(ToString::to_string),
            last: timestamps.last().map(ToString::to_string),
            close_only: strategy.close_only,
            buys: strategy.buys,
            sells: strategy.sells,
            stop_loss_exits: strategy.exits(ExitReason::StopLoss),
            take_profit_exits: strategy.exits(ExitReason::TakeProfit),
            metrics: strategy.metrics(timestamps, bars_per_year),
            buy_and_hold: benchmark.metrics(timestamps, bars_per_year),
            against_buy_and_hold: BenchmarkRelative::of(
                &strategy.returns(),
                &benchmark.returns(),
                0.0,
                bars_per_year,
            )
            .unwrap_or_else(|_| BenchmarkRelative::undefined()),
            warnings: Vec::new(),
        }
    }

    /// The report with a warning when `genome`'s longest indicator needs more bars than the data
    /// has (it can then never trade).
    pub fn checked_against(mut self, genome: &Genome) -> Self {
        let longest = gauntlet_genome::longest_period(genome) as usize;
        if longest >= self.bars {
            self.warnings.push(format!(
                "the genome's longest indicator needs {longest} bars and the data has {}: it can never trade",
                self.bars
            ));
        }
        self
    }

    /// The metrics as a table: (label, strategy, benchmark), percentages with two decimals,
    /// ratios and amounts with two decimals, `inf` and `n/a` where infinite or undefined.
    pub fn metric_rows(&self) -> Vec<(&'static str, String, String)> {
        let (strategy, benchmark) = (&self.metrics, &self.buy_and_hold);
        let row = |label, value: fn(&Metrics) -> f64, show: fn(f64) -> String| {
            (label, show(value(strategy)), show(value(benchmark)))
        };
        let count = |label, value: fn(&Metrics) -> usize| {
            (
                label,
                value(strategy).to_string(),
                value(benchmark).to_string(),
            )
        };
        vec![
            row("final equity", |m| m.final_equity, number),
            row("total return", |m| m.total_return, percent),
            row("CAGR", |m| m.cagr, percent),
            row("annual volatility", |m| m.annual_volatility, percent),
            row("Sharpe", |m| m.sharpe, number),
            row("Sortino", |m| m.sortino, number),
            row("max drawdown", |m| m.max_drawdown, percent),
            count("longest drawdown (bars)", |m| m.max_drawdown_bars),
            row("Calmar", |m| m.calmar, number),
            count("trades", |m| m.trades),
            row("win rate", |m| m.win_rate, percent),
            row("profit factor", |m| m.profit_factor, number),
            row("expectancy per trade", |m| m.expectancy, number),
            row("expectancy (R)", |m| m.expectancy_r, number),
            row("average trade (bars)", |m| m.average_trade_bars, number),
            row("exposure", |m| m.exposure, percent),
            row("positive months", |m| m.positive_months, percent),
            // Against buy-and-hold: the benchmark against itself has beta 1 and no alpha.
            (
                "alpha (vs buy and hold)",
                percent(self.against_buy_and_hold.alpha),
                percent(0.0),
            ),
            ("beta", number(self.against_buy_and_hold.beta), number(1.0)),
            (
                "information ratio",
                number(self.against_buy_and_hold.information_ratio),
                "n/a".into(),
            ),
            (
                "tracking error",
                percent(self.against_buy_and_hold.tracking_error),
                percent(0.0),
            ),
        ]
    }
}

/// What `gauntlet backtest --json` prints: the genome, the trading settings and every report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestOutput {
    /// The genome's name.
    pub genome: Option<String>,
    /// Its rules in English.
    pub rules: String,
    /// When orders filled.
    pub fill: crate::config::FillConvention,
    /// Costs.
    pub costs: crate::config::CostModel,
    /// Starting capital, quote currency.
    pub capital: f64,
    /// One report per dataset, or one for the portfolio.
    pub datasets: Vec<BacktestReport>,
}

impl BacktestReport {
    /// The lines above the metrics table: dataset, bars, range, close-only note, and any warning.
    pub fn heading(&self) -> String {
        let mut text = format!(
            "\n{}: {} bars, {} .. {}{}",
            self.dataset,
            self.bars,
            self.first.as_deref().unwrap_or(""),
            self.last.as_deref().unwrap_or(""),
            if self.close_only {
                " (close-only data: fills and stops on closes)"
            } else {
                ""
            }
        );
        for warning in &self.warnings {
            text.push_str(&format!("\nwarning: {warning}"));
        }
        text
    }

    /// The line below the metrics table: the orders and exits.
    pub fn order_counts(&self) -> String {
        format!(
            "buys {}, sells {}, stop-loss exits {}, take-profit exits {}",
            self.buys, self.sells, self.stop_loss_exits, self.take_profit_exits
        )
    }
}

/// A fraction as a percentage with two decimals (`0.1234` -> `12.34%`), `n/a` when not finite.
pub fn percent(value: f64) -> String {
    if value.is_finite() {
        format!("{:.2}%", value * 100.0)
    } else {
        "n/a".into()
    }
}

/// A number with two decimals, `inf` when infinite, `n/a` when undefined.
pub fn number(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.2}")
    } else if value.is_infinite() {
        "inf".into()
    } else {
        "n/a".into()
    }
}

/// One closed trade as a row (`gauntlet backtest --trades-out`): times RFC 3339 UTC, prices and
/// amounts in quote currency, `pnl_pct` in percent of the entry value.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TradeRecord<'a> {
    /// The instrument.
    pub symbol: &'a str,
    /// `long` or `short`.
    pub side: &'a str,
    /// Entry fill time.
    pub entry_time: String,
    /// Entry fill price.
    pub entry_price: f64,
    /// Exit fill time.
    pub exit_time: String,
    /// Exit fill price.
    pub exit_price: f64,
    /// Units.
    pub quantity: f64,
    /// P&L before commission.
    pub gross_pnl: f64,
    /// Commission of both fills.
    pub commission: f64,
    /// P&L after commission.
    pub net_pnl: f64,
    /// Net P&L in percent of the entry value.
    pub pnl_pct: f64,
    /// Bars held.
    pub bars_held: usize,
    /// Why it closed (`stop_loss`, `take_profit`, ...).
    pub exit_reason: &'a str,
}

/// The closed trades of `result` as rows.
pub fn trade_records(result: &BacktestResult) -> Vec<TradeRecord<'_>> {
    result
        .trades
        .iter()
        .map(|trade| TradeRecord {
            symbol: &trade.symbol,
            side: match trade.side {
                Side::Long => "long",
                Side::Short => "short",
            },
            entry_time: trade.entry_time.to_string(),
            entry_price: trade.entry_price,
            exit_time: trade.exit_time.to_string(),
            exit_price: trade.exit_price,
            quantity: trade.quantity,
            gross_pnl: trade.gross_pnl,
            commission: trade.commission,
            net_pnl: trade.net_pnl,
            pnl_pct: trade.pnl_fraction * 100.0,
            bars_held: trade.bars_held(),
            exit_reason: trade.exit_reason.name(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_percentages_as_the_table_shows_them() {
        assert_eq!(percent(0.1234), "12.34%");
        assert_eq!(percent(f64::NAN), "n/a");
        assert_eq!(number(1.005_f64), "1.00");
        assert_eq!(number(f64::INFINITY), "inf");
        assert_eq!(number(f64::NAN), "n/a");
    }

    #[test]
    fn equal_weight_splits_the_equity_evenly() {
        let genome = equal_weight_buy_and_hold(4);
        assert_eq!(genome.sizing.max_positions, 4);
        assert_eq!(genome.sizing.max_position_pct, 25.0);
        assert!(matches!(
            genome.sizing.method,
            SizingMethod::FixedFraction { fraction_pct } if fraction_pct == 25.0
        ));
    }
}
