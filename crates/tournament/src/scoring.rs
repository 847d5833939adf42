//! Scoring genomes on a universe of symbols: each symbol's bars split into in-sample, validation and
//! holdout parts, every genome backtested on each symbol's part separately (same starting capital on
//! each), in parallel across genomes with rayon and collected in input order.

use gauntlet_backtest::{
    BacktestConfig, BacktestError, CostModel, FillConvention, Market, Metrics, ScoredBacktest,
    run_backtest_scored,
};
use gauntlet_core::{AssetClass, BarSeries};
use gauntlet_data::{DatasetEntry, SplitSpec, split};
use gauntlet_genome::Genome;
use gauntlet_indicators::{CacheBudget, IndicatorCache};
use gauntlet_stats::{BenchmarkRelative, PreparedBenchmark};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use crate::error::TournamentError;

/// The leaderboard's metric columns: [`GenomeScore::summary`]'s names, in order: each metric's
/// mean over symbols, except `trades` (summed) and the trade ratios `win_rate`, `profit_factor`,
/// `expectancy` and `average_trade_bars`, pooled over every symbol's trades (see
/// [`GenomeScore::summary`]).
pub const SUMMARY_COLUMNS: [&str; 26] = [
    "final_equity",
    "total_return",
    "cagr",
    "annual_volatility",
    "sharpe",
    "sortino",
    "max_drawdown",
    "max_drawdown_bars",
    "calmar",
    "omega",
    "tail_ratio",
    "stability",
    "trades",
    "win_rate",
    "profit_factor",
    "expectancy",
    "expectancy_r",
    "average_trade_bars",
    "median_trade_bars",
    "exposure",
    "positive_months",
    "high_volatility_return",
    "alpha",
    "beta",
    "information_ratio",
    "tracking_error",
];

/// One of a split's three parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Breeding: fitness and capital come from here.
    InSample,
    /// Choosing champions.
    Validation,
    /// Reported once at the end, never used to choose.
    Holdout,
}

impl Part {
    /// The three parts in time order.
    pub const ALL: [Part; 3] = [Part::InSample, Part::Validation, Part::Holdout];

    fn index(self) -> usize {
        self as usize
    }

    /// The snake_case name used in files: `in_sample`, `validation`, `holdout`.
    pub fn name(self) -> &'static str {
        match self {
            Part::InSample => "in_sample",
            Part::Validation => "validation",
            Part::Holdout => "holdout",
        }
    }
}

/// One symbol of the universe with its three parts.
#[derive(Debug)]
pub struct SymbolMarket {
    /// The catalog dataset name.
    pub dataset: String,
    /// The instrument's asset class.
    pub asset_class: AssetClass,
    /// Bars per year, for annualisation.
    pub bars_per_year: f64,
    parts: [Market; 3],
    /// Per part and bar: whether bar t is in a high-volatility regime, i.e. the
    /// [`crate::REGIME_VOLATILITY_BARS`]-bar realised volatility (or the volatility index's close) known at
    /// bar t-1's close is in the top third of its values over the part (the `high` label of
    /// [`crate::regimes::regime_labels`]).
    high_volatility: [Vec<bool>; 3],
    /// Per part and bar: buy-and-hold's return, the close-to-close change (0 on the part's first
    /// bar, as the strategy's first return, which starts from the initial capital): the benchmark
    /// of [`SymbolScore`]'s alpha, beta, information ratio and tracking error.
    buy_and_hold_returns: [PreparedBenchmark; 3],
}

impl SymbolMarket {
    /// The market of one part.
    pub fn market(&self, part: Part) -> &Market {
        &self.parts[part.index()]
    }

    /// Buy-and-hold's per-bar returns on one part (fractions per bar, the close-to-close change,
    /// 0 on the part's first bar): the benchmark of the strategy's returns on the same bars.
    pub fn buy_and_hold_returns(&self, part: Part) -> &[f64] {
        self.buy_and_hold_returns[part.index()].returns()
    }
}

/// How a universe is backtested (`[costs]`; any field left out takes its default).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Costs {
    /// Commission per side, basis points of the traded value.
    pub commission_bps: f64,
    /// Full bid-ask spread, basis points (half is paid on each fill).
    pub spread_bps: f64,
    /// Slippage per fill, basis points, against us.
    pub slippage_bps: f64,
    /// When market orders fill.
    pub fill: FillConvention,
    /// Starting equity on each symbol, quote currency.
    pub initial_capital: f64,
}

impl Default for Costs {
    fn default() -> Self {
        Self {
            commission_bps: 5.0,
            spread_bps: 2.0,
            slippage_bps: 1.0,
            fill: FillConvention::NextOpen,
            initial_capital: 100_000.0,
        }
    }
}

/// The symbols an experiment trades, split and ready to score.
#[derive(Debug)]
pub struct Universe {
    /// The symbols, in the experiment's order.
    pub symbols: Vec<SymbolMarket>,
    /// The volatility index (VIX) that labels volatility regimes, when the experiment has one (see
    /// `gauntlet-honest`'s `validation`): its whole series, aligned to each part's bars when labelling.
    pub volatility_index: Option<Arc<BarSeries>>,
    costs: Costs,
}

/// One genome on one symbol's part (serialises with `NaN` metrics as `null`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SymbolScore {
    /// The dataset.
    pub dataset: String,
    /// Every metric of the backtest.
    pub metrics: Metrics,
    /// Sum of the winning trades' net P&L, quote currency.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub gross_profit: f64,
    /// Sum of the losing trades' net P&L, as a positive amount.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub gross_loss: f64,
    /// Mean bar return of the strategy over the part's high-volatility bars, times bars per year
    /// (annualised arithmetic mean, a fraction); `NaN` when the part has none.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub high_volatility_return: f64,
    /// Annualised alpha against buy-and-hold of the symbol (its close-to-close returns), a
    /// fraction; [`gauntlet_stats::benchmark`] defines the four figures (empyrical's definitions).
    #[serde(
        default = "undefined",
        deserialize_with = "gauntlet_core::json_float::nan_if_null"
    )]
    pub alpha: f64,
    /// Beta against buy-and-hold of the symbol.
    #[serde(
        default = "undefined",
        deserialize_with = "gauntlet_core::json_float::nan_if_null"
    )]
    pub beta: f64,
    /// Annualised information ratio against buy-and-hold of the symbol.
    #[serde(
        default = "undefined",
        deserialize_with = "gauntlet_core::json_float::nan_if_null"
    )]
    pub information_ratio: f64,
    /// Annualised tracking error against buy-and-hold of the symbol, a fraction.
    #[serde(
        default = "undefined",
        deserialize_with = "gauntlet_core::json_float::nan_if_null"
    )]
    pub tracking_error: f64,
}

impl SymbolScore {
    /// Alpha, beta, information ratio and tracking error against buy-and-hold, with their names.
    pub fn against_buy_and_hold(&self) -> [(&'static str, f64); 4] {
        BenchmarkRelative {
            alpha: self.alpha,
            beta: self.beta,
            information_ratio: self.information_ratio,
            tracking_error: self.tracking_error,
        }
        .named_values()
    }
}

/// A figure files written before it existed lack: undefined.
fn undefined() -> f64 {
    f64::NAN
}

/// One genome on every symbol's part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenomeScore {
    /// Per symbol, in the universe's order.
    pub symbols: Vec<SymbolScore>,
}

impl GenomeScore {
    /// The mean over symbols of one metric.
    pub fn mean(&self, metric: impl Fn(&SymbolScore) -> f64) -> f64 {
        self.symbols.iter().map(metric).sum::<f64>() / self.symbols.len().max(1) as f64
    }

    /// The smallest value over symbols of one metric (`NaN` if any is `NaN`).
    pub fn worst(&self, metric: impl Fn(&SymbolScore) -> f64) -> f64 {
        self.symbols
            .iter()
            .map(metric)
            .fold(f64::INFINITY, |worst, value| {
                if value.is_nan() || worst.is_nan() {
                    f64::NAN
                } else {
                    worst.min(value)
                }
            })
    }

    /// Closed trades over every symbol.
    pub fn total_trades(&self) -> usize {
        self.symbols
            .iter()
            .map(|symbol| symbol.metrics.trades)
            .sum()
    }

    /// The profit factor of every symbol's trades pooled: total gross profit / total gross loss
    /// (each symbol backtested from the same initial capital, so amounts add up); infinite with
    /// profits and no loss, `NaN` with neither (the definition of
    /// [`gauntlet_stats::trade_metrics`], over the pooled list).
    pub fn pooled_profit_factor(&self) -> f64 {
        let profit: f64 = self.symbols.iter().map(|symbol| symbol.gross_profit).sum();
        let loss: f64 = self.symbols.iter().map(|symbol| symbol.gross_loss).sum();
        if loss > 0.0 {
            profit / loss
        } else if profit > 0.0 {
            f64::INFINITY
        } else {
            f64::NAN
        }
    }

    /// A per-trade figure pooled over every symbol's trades: the trade-weighted mean of each
    /// symbol's `figure` (a mean over that symbol's trades), symbols without trades left out; `NaN`
    /// without any trade.
    fn pooled_per_trade(&self, figure: impl Fn(&Metrics) -> f64) -> f64 {
        let trades = self.total_trades();
        if trades == 0 {
            return f64::NAN;
        }
        self.symbols
            .iter()
            .filter(|symbol| symbol.metrics.trades > 0)
            .map(|symbol| figure(&symbol.metrics) * symbol.metrics.trades as f64)
            .sum::<f64>()
            / trades as f64
    }

    /// Every metric over symbols as `(name, value)` in [`SUMMARY_COLUMNS`] order (the
    /// leaderboard's columns): `trades` summed; `profit_factor` pooled
    /// ([`GenomeScore::pooled_profit_factor`]); `win_rate` (winning trades / trades), `expectancy`
    /// (net P&L / trades, quote currency) and `average_trade_bars` pooled over every symbol's
    /// trades; every other metric the mean over symbols.
    pub fn summary(&self) -> Vec<(&'static str, f64)> {
        let Some(first) = self.symbols.first() else {
            return Vec::new();
        };
        let names: Vec<&'static str> = first
            .metrics
            .named_values()
            .iter()
            .map(|(name, _)| *name)
            .collect();
        let mut summary: Vec<(&'static str, f64)> = names
            .iter()
            .enumerate()
            .map(|(index, name)| {
                let value = match *name {
                    "trades" => self.total_trades() as f64,
                    "profit_factor" => self.pooled_profit_factor(),
                    "win_rate" => self.pooled_per_trade(|metrics| metrics.win_rate),
                    "expectancy" => self.pooled_per_trade(|metrics| metrics.expectancy),
                    "average_trade_bars" => {
                        self.pooled_per_trade(|metrics| metrics.average_trade_bars)
                    }
                    _ => self.mean(|symbol| symbol.metrics.named_values()[index].1),
                };
                (*name, value)
            })
            .collect();
        summary.push((
            "high_volatility_return",
            self.mean(|symbol| symbol.high_volatility_return),
        ));
        summary.push(("alpha", self.mean(|symbol| symbol.alpha)));
        summary.push(("beta", self.mean(|symbol| symbol.beta)));
        summary.push((
            "information_ratio",
            self.mean(|symbol| symbol.information_ratio),
        ));
        summary.push(("tracking_error", self.mean(|symbol| symbol.tracking_error)));
        summary
    }
}

impl Universe {
    /// Splits each dataset's `series` as `spec` says and prepares its three markets, whose indicator
    /// caches share one memory budget of `cache_budget_bytes` (beyond it, columns are computed per
    /// request and not retained: slower, same values). Volatility regimes are labelled by
    /// `volatility_index` when given, else by each part's own realised volatility.
    ///
    /// # Errors
    /// [`TournamentError::Data`] when a split is invalid or leaves a part empty (naming the dataset).
    pub fn new(
        datasets: Vec<(DatasetEntry, BarSeries)>,
        spec: SplitSpec,
        costs: Costs,
        cache_budget_bytes: usize,
        volatility_index: Option<BarSeries>,
    ) -> Result<Self, TournamentError> {
        let volatility_index = volatility_index.map(Arc::new);
        let budget = Arc::new(CacheBudget::new(cache_budget_bytes));
        let mut symbols = Vec::with_capacity(datasets.len());
        for (entry, series) in datasets {
            let ranges = split(&series, spec).map_err(|error| TournamentError::Config {
                field: "split".into(),
                message: format!("dataset {}: {error}", entry.name),
            })?;
            for (part, range) in
                Part::ALL
                    .iter()
                    .zip([&ranges.in_sample, &ranges.validation, &ranges.holdout])
            {
                if range.len() < 2 {
                    return Err(TournamentError::Config {
                        field: "split".into(),
                        message: format!(
                            "dataset {}: the {part:?} part has {} bars; every part needs at least 2",
                            entry.name,
                            range.len()
                        ),
                    });
                }
            }
            let [in_sample, validation, holdout] = ranges.apply(&series);
            let parts = [in_sample, validation, holdout].map(|part| Market {
                symbol: Arc::from(entry.symbol.as_str()),
                cache: Arc::new(IndicatorCache::with_shared_budget(
                    Arc::new(part),
                    Arc::clone(&budget),
                )),
            });
            let high_volatility = [0, 1, 2]
                .map(|index| high_volatility_bars(&parts[index], volatility_index.as_deref()));
            let buy_and_hold_returns = [0, 1, 2].map(|index| {
                let close = parts[index].series().close();
                let returns: Vec<f64> = std::iter::once(0.0)
                    .chain(close.windows(2).map(|pair| pair[1] / pair[0] - 1.0))
                    .take(close.len())
                    .collect();
                PreparedBenchmark::new(&returns)
            });
            symbols.push(SymbolMarket {
                dataset: entry.name.clone(),
                asset_class: entry.asset_class,
                bars_per_year: entry.bars_per_year,
                parts,
                high_volatility,
                buy_and_hold_returns,
            });
        }
        Ok(Self {
            symbols,
            volatility_index,
            costs,
        })
    }

    /// The backtest settings of one symbol.
    pub fn config(&self, symbol: &SymbolMarket) -> BacktestConfig {
        BacktestConfig {
            initial_capital: self.costs.initial_capital,
            costs: CostModel {
                commission_bps: self.costs.commission_bps,
                spread_bps: self.costs.spread_bps,
                slippage_bps: self.costs.slippage_bps,
            },
            fill: self.costs.fill,
            close_at_end: true,
            bars_per_year: symbol.bars_per_year,
        }
    }

    /// Backtests `genome` on every symbol's `part`.
    ///
    /// # Errors
    /// [`BacktestError`] when the genome is invalid or an indicator cannot be computed.
    pub fn score(&self, genome: &Genome, part: Part) -> Result<GenomeScore, BacktestError> {
        self.score_timed(genome, part).0
    }

    /// Bars of `part`, summed over the symbols.
    pub fn bars(&self, part: Part) -> usize {
        self.symbols
            .iter()
            .map(|symbol| symbol.market(part).series().len())
            .sum()
    }

    /// Seconds spent computing indicator columns in every symbol's caches so far (CPU time over
    /// every thread).
    pub fn indicator_seconds(&self) -> f64 {
        self.symbols
            .iter()
            .flat_map(|symbol| symbol.parts.iter())
            .map(|market| market.cache.computing_seconds())
            .sum()
    }

    /// [`Universe::score`] and the seconds it spent on this thread in the backtests' bar loops
    /// (indicators computed on first use included) and in their metrics.
    pub fn score_timed(
        &self,
        genome: &Genome,
        part: Part,
    ) -> (Result<GenomeScore, BacktestError>, [f64; 2]) {
        let mut seconds = [0.0; 2];
        let score = self.score_counting(genome, part, &mut seconds);
        (score, seconds)
    }

    fn score_counting(
        &self,
        genome: &Genome,
        part: Part,
        seconds: &mut [f64; 2],
    ) -> Result<GenomeScore, BacktestError> {
        let mut symbols = Vec::with_capacity(self.symbols.len());
        for symbol in &self.symbols {
            let market = symbol.market(part);
            let ScoredBacktest {
                metrics,
                returns,
                trades,
                seconds: [engine, metrics_seconds],
            } = run_backtest_scored(genome, market, &self.config(symbol))?;
            seconds[0] += engine;
            // The figures below are metrics too: their time counts as such.
            let metrics_started = std::time::Instant::now();
            let high = &symbol.high_volatility[part.index()];
            let (sum, count) = returns
                .iter()
                .zip(high)
                .filter(|(_, high)| **high)
                .fold((0.0, 0usize), |(sum, count), (value, _)| {
                    (sum + value, count + 1)
                });
            let high_volatility_return = if count == 0 {
                f64::NAN
            } else {
                sum / count as f64 * symbol.bars_per_year
            };
            let (gross_profit, gross_loss) =
                trades.iter().fold((0.0, 0.0), |(profit, loss), trade| {
                    if trade.net_pnl > 0.0 {
                        (profit + trade.net_pnl, loss)
                    } else {
                        (profit, loss - trade.net_pnl)
                    }
                });
            let against = BenchmarkRelative::against(
                &returns,
                &symbol.buy_and_hold_returns[part.index()],
                0.0,
                symbol.bars_per_year,
            )
            .unwrap_or_else(|_| BenchmarkRelative::undefined());
            gauntlet_stats::recycle_returns(returns);
            seconds[1] += metrics_seconds + metrics_started.elapsed().as_secs_f64();
            symbols.push(SymbolScore {
                dataset: symbol.dataset.clone(),
                metrics,
                gross_profit,
                gross_loss,
                high_volatility_return,
                alpha: against.alpha,
                beta: against.beta,
                information_ratio: against.information_ratio,
                tracking_error: against.tracking_error,
            });
        }
        Ok(GenomeScore { symbols })
    }

    /// [`Universe::score`] for many genomes, in input order, `None` where the backtest failed (an
    /// invalid genome). In parallel across genomes with rayon and, in a cluster job, spread over
    /// its ranks ([`crate::cluster`]): a collective then, called by every rank alike.
    ///
    /// # Errors
    /// [`TournamentError::Cluster`] when the ranks' results cannot be put together.
    pub fn score_all(
        &self,
        genomes: &[Genome],
        part: Part,
    ) -> Result<Vec<Option<GenomeScore>>, TournamentError> {
        crate::cluster::map(genomes.len(), |index| {
            self.score(&genomes[index], part).ok()
        })
    }
}

/// Which bars of a market are in a high-volatility regime (see [`SymbolMarket`]): bar t when bar
/// t-1 carries the `high` volatility label of [`crate::regimes::regime_labels`] (the top third of
/// the part's 20-bar realised volatility, or of the volatility index), so the regime is known before
/// the bar's return.
fn high_volatility_bars(market: &Market, volatility_index: Option<&BarSeries>) -> Vec<bool> {
    let (_, volatility) = crate::regimes::regime_labels(market, volatility_index);
    (0..volatility.len())
        .map(|t| t > 0 && volatility[t - 1] == Some("high"))
        .collect()
}
