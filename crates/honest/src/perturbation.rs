//! The validation gate's perturbation tests: the champion retraded on data and execution it did not
//! see, as strategy builders judge their strategies before anyone trades them. Four tests, each on
//! the champion's **validation** part, each with its figure, threshold (`[gate]`, `GateRules`) and
//! check (`robustness::perturbation_checks`):
//!
//! - **Noise test** (Build Alpha's Noise Test, <https://www.buildalpha.com/noise-test/>): `K`
//!   copies of every symbol's validation bars with a share of the opens, highs, lows and closes
//!   moved by up to a fraction of the bar's ATR (Wilder, [`NOISE_ATR_BARS`] bars;
//!   [`gauntlet_data::noise_bars`], bars kept valid). Copy `k` of symbol `s` reads the run's
//!   [`Purpose::NoiseTest`] stream at generation 0, island `s`, index `k`. Each copy's figure is
//!   the annualised Sharpe ratio of the champion's bar returns, averaged over symbols (the figure
//!   the gate's `validation sharpe` check reads); a copy on which a symbol's Sharpe ratio is
//!   undefined (no trade: no variance) counts 0 there (no edge). The check's value is the share of
//!   the original Sharpe ratio the 5th percentile of the copies keeps (`p5 / original`, numpy's
//!   linear percentile), undefined (failing) when the original is not above 0.
//! - **Shifted bars** (Build Alpha's "Vs Shifted"; [`gauntlet_data::shifted_bars`]): the run holds
//!   only the bars it trades, so the shift is a later start ([`gauntlet_data::BarShift::LaterStart`]):
//!   every symbol's validation part started 1, 2, ..., `k` bars later. Indicator warm-up, recursive
//!   indicators and the path of positions move. The value is the worst variant's Sharpe ratio
//!   (mean over symbols) as a share of the original's, undefined when the original is not above 0.
//! - **Degraded execution** (StrategyQuant X's Monte Carlo "randomly skip trades" and "slippage",
//!   <https://strategyquant.com/codebase/monte-carlo-randomly-degrade-execution>): `P` paths of the
//!   validation trades (every symbol's, in exit order, as the Monte Carlo bands), each trade's
//!   entry missed with a probability and each kept trade charged extra slippage on both fills
//!   ([`gauntlet_stats::what_if::degrade_execution`], a model on the trade list; that module says
//!   how it differs from a retest). Path `p` reads the run's [`Purpose::DegradedExecution`] stream
//!   at generation 0, island 0, index `p`. The value is the 5th percentile of the paths' total
//!   returns (compounded returns on equity), a fraction.
//! - **What-if without the best trades** (StrategyQuant X's What If, "omit 5% of the most profitable
//!   trades", <https://strategyquant.com/doc/strategyquant/what-if-simulations/>): the validation
//!   trades without the best `n%` of them by return on equity (`ceil(n% x trades)`,
//!   [`gauntlet_stats::what_if::BestTrades::Share`]), compounded: the total return, a fraction.
//!
//! Every figure is deterministic from the run's seed: the streams above, and copies reduced in copy
//! order whatever the thread count.

use std::sync::Arc;

use gauntlet_backtest::{BacktestConfig, Market, run_backtest};
use gauntlet_core::BarSeries;
use gauntlet_data::{FieldShares, NoiseSettings, noise_bars};
use gauntlet_evolve::{Purpose, stream};
use gauntlet_genome::Genome;
use gauntlet_stats::monte_carlo::path_outcome;
use gauntlet_stats::returns::{percentile, sharpe_ratio};
use gauntlet_stats::what_if::{
    BestTrades, ExecutionDegradation, TradeOnEquity, degrade_execution, without_best_trades,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The perturbation tests' settings: the `[gate]` fields of the same names
/// (`gauntlet_honest::robustness::GateRules`, which documents each with its bounds and source).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerturbationSettings {
    /// Noise-test copies.
    pub noise_copies: usize,
    /// The noise test's largest move, a fraction of the ATR.
    pub noise_max_move_atr_fraction: f64,
    /// The share of each price field the noise test moves, a fraction.
    pub noise_share_of_prices: f64,
    /// Shifted-bars variants (later starts of 1..k bars).
    pub shifted_variants: usize,
    /// Degraded-execution paths.
    pub degraded_paths: usize,
    /// Extra slippage per fill, basis points.
    pub degraded_extra_slippage_bps: f64,
    /// Probability that an entry is missed, percent.
    pub degraded_missed_entry_pct: f64,
    /// Share of best trades removed, percent.
    pub without_best_trades_pct: f64,
}

impl Default for PerturbationSettings {
    /// The defaults of `[gate]`: 100 copies moved by up to 0.25 ATR on half the prices, 3 later
    /// starts, 1,000 paths with 5 bps and 10% of entries missed, the best 5% of trades removed.
    fn default() -> Self {
        Self {
            noise_copies: 100,
            noise_max_move_atr_fraction: 0.25,
            noise_share_of_prices: 0.5,
            shifted_variants: 3,
            degraded_paths: 1_000,
            degraded_extra_slippage_bps: 5.0,
            degraded_missed_entry_pct: 10.0,
            without_best_trades_pct: 5.0,
        }
    }
}

/// Bars of Wilder's average true range that scales the noise test's moves (Wilder's own 14).
pub const NOISE_ATR_BARS: usize = 14;

/// One symbol's validation bars and backtest settings, as the perturbation tests read them.
#[derive(Debug, Clone)]
pub struct SymbolBars<'a> {
    /// The instrument's symbol (the trades' label).
    pub symbol: Arc<str>,
    /// The validation bars.
    pub series: &'a BarSeries,
    /// How the symbol is backtested (costs, fills, bars per year).
    pub config: BacktestConfig,
}

/// The noise test's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoiseTest {
    /// Copies of every symbol's bars.
    pub copies: usize,
    /// Largest move, a fraction of the bar's ATR.
    pub max_move_atr_fraction: f64,
    /// Share of each price field moved, a fraction.
    pub share_of_prices: f64,
    /// The champion's annualised Sharpe ratio on the original bars, mean over symbols (`None` when
    /// undefined).
    pub original_sharpe: Option<f64>,
    /// The 5th percentile of the copies' Sharpe ratios (mean over symbols each).
    pub p5_sharpe: f64,
    /// The median of the copies' Sharpe ratios.
    pub median_sharpe: f64,
    /// `p5_sharpe / original_sharpe`, `None` when the original is not above 0.
    pub kept: Option<f64>,
}

/// The shifted-bars test's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShiftedBarsTest {
    /// The champion's Sharpe ratio on the original bars, mean over symbols.
    pub original_sharpe: Option<f64>,
    /// Per variant: bars dropped from the start, and the Sharpe ratio (mean over symbols; a symbol
    /// without a defined Sharpe ratio counts 0).
    pub variants: Vec<(usize, f64)>,
    /// The worst variant's Sharpe ratio over the original's, `None` when the original is not above 0.
    pub kept: Option<f64>,
}

/// The degraded-execution test's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DegradedExecutionTest {
    /// Paths drawn.
    pub paths: usize,
    /// Extra slippage per side, basis points of the fill price.
    pub extra_slippage_bps: f64,
    /// Probability that an entry is missed, percent.
    pub missed_entry_pct: f64,
    /// Validation trades.
    pub trades: usize,
    /// The 5th percentile of the paths' total returns, a fraction.
    pub p5_return: f64,
    /// The median of the paths' total returns, a fraction.
    pub median_return: f64,
}

/// The what-if test's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WithoutBestTradesTest {
    /// Validation trades.
    pub trades: usize,
    /// Trades removed (the best by return on equity).
    pub removed: usize,
    /// Total return of every trade, compounded, a fraction.
    pub total_return: f64,
    /// Total return without the removed trades, a fraction.
    pub total_return_without_best: f64,
}

/// Every perturbation test's figures (a test is `None` when it could not run: no validation trade,
/// or a backtest failed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Perturbations {
    /// The noise test.
    pub noise: Option<NoiseTest>,
    /// The shifted-bars test.
    pub shifted_bars: Option<ShiftedBarsTest>,
    /// Degraded execution.
    pub degraded_execution: Option<DegradedExecutionTest>,
    /// Without the best trades.
    pub without_best_trades: Option<WithoutBestTradesTest>,
}

impl Perturbations {
    /// One line for the terminal and the verdict: each test's figure (`-` where it could not run),
    /// e.g. `noise p5 keeps 0.83 of the sharpe, shifted bars keep 0.95, degraded execution p5
    /// return +3.10%, without the best 1 of 20 trades +2.00%`.
    pub fn summary(&self) -> String {
        let ratio =
            |value: Option<f64>| value.map_or("-".to_string(), |value| format!("{value:.2}"));
        let percent = |value: Option<f64>| {
            value.map_or("-".to_string(), |value| format!("{:+.2}%", value * 100.0))
        };
        let best = self.without_best_trades.as_ref();
        format!(
            "noise p5 keeps {} of the sharpe, shifted bars keep {}, degraded execution p5 return {}, without the best {} of {} trades {}",
            ratio(self.noise.as_ref().and_then(|noise| noise.kept)),
            ratio(self.shifted_bars.as_ref().and_then(|shifted| shifted.kept)),
            percent(
                self.degraded_execution
                    .as_ref()
                    .map(|degraded| degraded.p5_return)
            ),
            best.map_or(0, |what_if| what_if.removed),
            best.map_or(0, |what_if| what_if.trades),
            percent(best.map(|what_if| what_if.total_return_without_best)),
        )
    }
}

/// The annualised Sharpe ratio of `genome`'s bar returns on `series`; `None` when the backtest
/// fails, `Some(NaN)` when the ratio is undefined.
fn sharpe_on(genome: &Genome, symbol: &SymbolBars<'_>, series: BarSeries) -> Option<f64> {
    let market = Market::new(Arc::clone(&symbol.symbol), series);
    let result = run_backtest(genome, &market, &symbol.config).ok()?;
    Some(sharpe_ratio(
        &result.returns(),
        0.0,
        symbol.config.bars_per_year,
    ))
}

/// The mean over symbols of the Sharpe ratio on the bars `bars(symbol index)` gives, an undefined
/// ratio counting 0; `None` when a backtest or a series fails.
fn mean_sharpe(
    genome: &Genome,
    symbols: &[SymbolBars<'_>],
    bars: impl Fn(usize) -> Option<BarSeries>,
) -> Option<f64> {
    let mut sum = 0.0;
    for (index, symbol) in symbols.iter().enumerate() {
        let value = sharpe_on(genome, symbol, bars(index)?)?;
        sum += if value.is_finite() { value } else { 0.0 };
    }
    Some(sum / symbols.len().max(1) as f64)
}

/// The champion's Sharpe ratio on the original bars (mean over symbols); `None` when a symbol's is
/// undefined or a backtest fails.
fn original_sharpe(genome: &Genome, symbols: &[SymbolBars<'_>]) -> Option<f64> {
    let mut sum = 0.0;
    for symbol in symbols {
        let value = sharpe_on(genome, symbol, symbol.series.clone())?;
        if !value.is_finite() {
            return None;
        }
        sum += value;
    }
    Some(sum / symbols.len().max(1) as f64)
}

fn kept(value: f64, original: Option<f64>) -> Option<f64> {
    original
        .filter(|original| *original > 0.0)
        .map(|original| value / original)
}

/// The noise test (module documentation) with `rules`' settings and the run's `seed`; `None` when
/// there is no symbol, the settings are out of range or a backtest fails.
pub fn noise_test(
    genome: &Genome,
    symbols: &[SymbolBars<'_>],
    rules: &PerturbationSettings,
    seed: u64,
) -> Option<NoiseTest> {
    if symbols.is_empty() || rules.noise_copies == 0 {
        return None;
    }
    let settings = NoiseSettings {
        max_move_atr_fraction: rules.noise_max_move_atr_fraction,
        shares: FieldShares::all(rules.noise_share_of_prices),
    };
    settings.validate().ok()?;
    let atrs: Vec<Vec<f64>> = symbols
        .iter()
        .map(|symbol| gauntlet_indicators::batch::atr(symbol.series, NOISE_ATR_BARS).ok())
        .collect::<Option<_>>()?;
    let copies: Vec<Option<f64>> = (0..rules.noise_copies)
        .into_par_iter()
        .map(|copy| {
            mean_sharpe(genome, symbols, |index| {
                let mut rng = stream(seed, Purpose::NoiseTest, 0, index as u32, copy as u32);
                noise_bars(symbols[index].series, &atrs[index], &settings, &mut rng).ok()
            })
        })
        .collect();
    let copies: Vec<f64> = copies.into_iter().collect::<Option<_>>()?;
    let original_sharpe = original_sharpe(genome, symbols);
    let p5_sharpe = percentile(&copies, 5.0);
    Some(NoiseTest {
        copies: rules.noise_copies,
        max_move_atr_fraction: rules.noise_max_move_atr_fraction,
        share_of_prices: rules.noise_share_of_prices,
        original_sharpe,
        p5_sharpe,
        median_sharpe: percentile(&copies, 50.0),
        kept: kept(p5_sharpe, original_sharpe),
    })
}

/// The shifted-bars test (module documentation); `None` when there is no symbol or variant, or a
/// variant leaves no bar.
pub fn shifted_bars_test(
    genome: &Genome,
    symbols: &[SymbolBars<'_>],
    rules: &PerturbationSettings,
) -> Option<ShiftedBarsTest> {
    if symbols.is_empty() || rules.shifted_variants == 0 {
        return None;
    }
    let variants: Vec<(usize, f64)> = (1..=rules.shifted_variants)
        .map(|bars| {
            mean_sharpe(genome, symbols, |index| {
                let series = symbols[index].series;
                (bars < series.len()).then(|| series.slice(bars..series.len()))
            })
            .map(|sharpe| (bars, sharpe))
        })
        .collect::<Option<_>>()?;
    let original_sharpe = original_sharpe(genome, symbols);
    let worst = variants
        .iter()
        .map(|(_, sharpe)| *sharpe)
        .fold(f64::INFINITY, f64::min);
    Some(ShiftedBarsTest {
        original_sharpe,
        kept: kept(worst, original_sharpe),
        variants,
    })
}

/// Degraded execution of `trades` (the validation trades, in exit order) with `rules`' settings and
/// the run's `seed`; `None` without trades or with settings out of range.
pub fn degraded_execution_test(
    trades: &[TradeOnEquity],
    rules: &PerturbationSettings,
    seed: u64,
) -> Option<DegradedExecutionTest> {
    if trades.is_empty() || rules.degraded_paths == 0 {
        return None;
    }
    let degradation = ExecutionDegradation {
        extra_slippage_per_side: rules.degraded_extra_slippage_bps / 10_000.0,
        missed_entry_probability: rules.degraded_missed_entry_pct / 100.0,
    };
    let returns: Vec<f64> = (0..rules.degraded_paths)
        .into_par_iter()
        .map(|path| {
            let mut rng = stream(seed, Purpose::DegradedExecution, 0, 0, path as u32);
            degrade_execution(trades, &degradation, &mut rng)
                .ok()
                .map(|degraded| degraded.outcome.total_return)
        })
        .collect::<Option<_>>()?;
    Some(DegradedExecutionTest {
        paths: rules.degraded_paths,
        extra_slippage_bps: rules.degraded_extra_slippage_bps,
        missed_entry_pct: rules.degraded_missed_entry_pct,
        trades: trades.len(),
        p5_return: percentile(&returns, 5.0),
        median_return: percentile(&returns, 50.0),
    })
}

/// The validation trades' `returns` on equity (in exit order) without the best
/// `rules.without_best_trades_pct` percent of them; `None` without trades or with a share out of
/// range.
pub fn without_best_trades_test(
    returns: &[f64],
    rules: &PerturbationSettings,
) -> Option<WithoutBestTradesTest> {
    if returns.is_empty() {
        return None;
    }
    let kept = without_best_trades(
        returns,
        BestTrades::Share(rules.without_best_trades_pct / 100.0),
    )
    .ok()?;
    Some(WithoutBestTradesTest {
        trades: returns.len(),
        removed: returns.len() - kept.len(),
        total_return: path_outcome(1.0, returns.iter().copied()).total_return,
        total_return_without_best: path_outcome(1.0, kept.iter().map(|&index| returns[index]))
            .total_return,
    })
}

/// Every perturbation test of `genome` on `symbols` (validation bars) and its validation `trades`.
pub fn perturb(
    genome: &Genome,
    symbols: &[SymbolBars<'_>],
    trades: &[TradeOnEquity],
    rules: &PerturbationSettings,
    seed: u64,
) -> Perturbations {
    let returns: Vec<f64> = trades.iter().map(|trade| trade.return_on_equity).collect();
    Perturbations {
        noise: noise_test(genome, symbols, rules, seed),
        shifted_bars: shifted_bars_test(genome, symbols, rules),
        degraded_execution: degraded_execution_test(trades, rules, seed),
        without_best_trades: without_best_trades_test(&returns, rules),
    }
}

#[cfg(test)]
mod tests;
