//! The scoring path: a backtest whose equity goes straight into the metrics' one pass.

use std::time::Instant;

use gauntlet_genome::Genome;
use gauntlet_stats::CurveAccumulator;

use crate::config::BacktestConfig;
use crate::engine::{Market, simulate};
use crate::error::BacktestError;
use crate::metrics::{Metrics, assemble};
use crate::step::AccumulatingEquity;
use crate::trade::Trade;

/// What the scoring of a genome reads of its backtest ([`run_backtest_scored`]): every metric, the
/// bar returns and the trades, without the equity curve.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredBacktest {
    /// Every metric, the same values [`crate::BacktestResult::metrics`] gives.
    pub metrics: Metrics,
    /// The bar returns, the same values [`crate::BacktestResult::returns`] gives.
    pub returns: Vec<f64>,
    /// Closed trades, in exit order.
    pub trades: Vec<Trade>,
    /// Seconds on this thread in the bar loop (including indicator columns computed on first
    /// use) and in the metrics' finish: where a genome's scoring time goes (`run.json`'s
    /// `timings`). Not part of the result: the same genome gives other times on other runs.
    pub seconds: [f64; 2],
}

/// [`crate::run_backtest`] and [`crate::BacktestResult::metrics_and_returns`] in one: each bar's equity goes
/// straight into the metrics' one pass ([`gauntlet_stats::CurveAccumulator`]) instead of a curve,
/// and a stretch without a position is accounted in bulk. The metrics and returns are
/// bit-identical to the two-step path; what is saved is the curve and the per-bar work on flat
/// bars. For scoring many genomes; reports that draw the curve use [`crate::run_backtest`].
///
/// # Errors
/// As [`crate::run_backtest`].
pub fn run_backtest_scored(
    genome: &Genome,
    market: &Market,
    config: &BacktestConfig,
) -> Result<ScoredBacktest, BacktestError> {
    let started = Instant::now();
    let timestamps = market.series().timestamps();
    let mut sink = AccumulatingEquity {
        accumulator: CurveAccumulator::new(config.initial_capital, timestamps.len()),
        timestamps,
        bars: 0,
        last: None,
    };
    let run = simulate(genome, market, config, &mut sink)?;
    let simulated = Instant::now();
    let bars = sink.bars;
    let final_equity = sink.last.unwrap_or(config.initial_capital);
    let (curve, returns) = sink.accumulator.finish_with_returns(config.bars_per_year);
    let metrics = assemble(
        &curve,
        &run.trades,
        final_equity,
        config.initial_capital,
        run.bars_in_market,
        bars,
    );
    let finished = Instant::now();
    Ok(ScoredBacktest {
        metrics,
        returns,
        trades: run.trades,
        seconds: [
            (simulated - started).as_secs_f64(),
            (finished - simulated).as_secs_f64(),
        ],
    })
}
