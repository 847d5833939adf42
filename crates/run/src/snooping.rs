//! Is the best of everything the run tried better than simply holding the stocks, once the
//! trying is accounted for? White's Reality Check (Econometrica 68(5), 2000) and Hansen's test of
//! Superior Predictive Ability (JBES 23(4), 2005) of the run's champion candidates (the hall of
//! fame, the NSGA-II first front and every generation's island bests, [`champion_candidates`])
//! against buy-and-hold, on the validation part, with the stationary bootstrap (Politis and
//! Romano 1994) of `gauntlet_stats::data_snooping`.
//!
//! Each candidate's per-bar relative performance is its strategy return minus buy-and-hold's
//! return of the same symbol on the same bar (fractions per bar, costs included on the strategy's
//! side; buy-and-hold's first bar, like the strategy's, returns 0). Over several symbols:
//! - when every symbol's validation part has the same timestamps (a shared calendar), the
//!   difference at bar `t` is the mean over symbols: an equal-weight book of the candidate on
//!   every symbol against an equal-weight book of buy-and-hold, so the bootstrap keeps the
//!   symbols' cross-correlation ([`SymbolPooling::EqualWeight`]);
//! - otherwise the symbols' series are put end to end ([`SymbolPooling::Stacked`]): the mean is
//!   each symbol's mean weighted by its bars, but dependence between symbols on the same date is
//!   not resampled together, so the p-values may be too small when the symbols move together.
//!
//! Defaults and bounds: `[gate] data_snooping_draws` draws (10,000 by default, at most
//! `gauntlet_stats::data_snooping::MAX_BOOTSTRAP_DRAWS`, 0 switches the tests off); the mean
//! block length is arch's default `⌊√T⌋` bars; the test is skipped, with the reason recorded,
//! when the candidates or bars exceed `gauntlet_stats::data_snooping`'s limits (checked before
//! any backtest) or the validation part has fewer than its `MIN_BARS` bars. The draws come from
//! the run's [`Purpose::DataSnooping`] stream, so the p-values are the same on any number of
//! threads.

use gauntlet_evolve::{Purpose, stream};
use gauntlet_genome::Genome;
use gauntlet_stats::data_snooping::{
    BootstrapSettings, DataSnoopingReport, MAX_BARS, MAX_CANDIDATES, MAX_CELLS, MIN_BARS,
    RelativePerformance, data_snooping_tests,
};
use gauntlet_tournament::{Part, Universe};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::experiment::Experiment;

/// How the symbols' per-bar differences were put into one series (see the module's text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SymbolPooling {
    /// A shared calendar: the mean over symbols at each bar.
    EqualWeight,
    /// Different calendars: each symbol's bars after the previous symbol's.
    Stacked,
}

/// The data-snooping tests of a run (`run.json`'s `data_snooping`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataSnoopingSummary {
    /// What the candidates were compared with, on which part, in words.
    pub benchmark: String,
    /// How the symbols were pooled (`None` when the test was skipped before pooling).
    pub pooling: Option<SymbolPooling>,
    /// The candidates' ids (`g<generation>-i<island>-<index>`), in the order of the test's
    /// candidate indices (candidates whose backtest failed are left out).
    pub candidate_ids: Vec<String>,
    /// The Reality Check's and the SPA's figures (`None` when skipped): statistics per bar in
    /// fractions of return; `reality_check.p_value` is White's p-value, `spa.consistent` Hansen's.
    pub test: Option<DataSnoopingReport>,
    /// Why there is no test (switched off, over a limit, too few bars, no candidate).
    pub skipped_because: Option<String>,
}

impl DataSnoopingSummary {
    fn skipped(reason: String) -> Self {
        Self {
            benchmark: BENCHMARK.to_string(),
            pooling: None,
            candidate_ids: Vec::new(),
            test: None,
            skipped_because: Some(reason),
        }
    }

    /// One sentence for the verdict: the p-values and what they mean at the 5% level.
    pub fn sentence(&self) -> String {
        let Some(test) = &self.test else {
            return format!(
                "Reality Check and SPA against buy-and-hold not run: {}",
                self.skipped_because
                    .as_deref()
                    .unwrap_or("no reason recorded")
            );
        };
        let best = self
            .candidate_ids
            .get(test.reality_check.best_candidate)
            .map_or("?", String::as_str);
        let spa = if test.spa.consistent.is_nan() {
            "undefined (no candidate has a standard error)".to_string()
        } else {
            format!("{:.3}", test.spa.consistent)
        };
        let significant = test.reality_check.p_value < 0.05
            || (!test.spa.consistent.is_nan() && test.spa.consistent < 0.05);
        format!(
            "against buy-and-hold on validation, the best of {} candidates ({best}, {:+.3}% a bar) has Reality Check p = {:.3} and SPA p = {spa} ({} draws): {}",
            test.candidates,
            test.reality_check.statistic * 100.0,
            test.reality_check.p_value,
            test.draws,
            if significant {
                "an edge over buy-and-hold that survives the search, at the 5% level"
            } else {
                "no edge over buy-and-hold once the search is accounted for"
            }
        )
    }
}

const BENCHMARK: &str = "buy-and-hold of each symbol, validation part, per-bar return differences";

/// Pools each symbol's per-bar differences (strategy minus buy-and-hold) into one series:
/// the mean over symbols at each bar when `shared_calendar` (every series then has the same
/// length), otherwise the symbols end to end.
pub(crate) fn pool(per_symbol: &[Vec<f64>], shared_calendar: bool) -> (Vec<f64>, SymbolPooling) {
    if shared_calendar && per_symbol.len() > 1 {
        let bars = per_symbol.first().map_or(0, Vec::len);
        let count = per_symbol.len() as f64;
        let pooled = (0..bars)
            .map(|bar| per_symbol.iter().map(|series| series[bar]).sum::<f64>() / count)
            .collect();
        (pooled, SymbolPooling::EqualWeight)
    } else if per_symbol.len() == 1 {
        (per_symbol[0].clone(), SymbolPooling::EqualWeight)
    } else {
        (per_symbol.concat(), SymbolPooling::Stacked)
    }
}

/// Whether every symbol's `part` has the same timestamps.
fn shared_calendar(universe: &Universe, part: Part) -> bool {
    let mut symbols = universe.symbols.iter();
    let Some(first) = symbols.next() else {
        return true;
    };
    let timestamps = first.market(part).series().timestamps();
    symbols.all(|symbol| symbol.market(part).series().timestamps() == timestamps)
}

/// The per-bar differences of `genome` against buy-and-hold on `part`, pooled; `None` when a
/// backtest fails.
fn differences(universe: &Universe, genome: &Genome, part: Part, shared: bool) -> Option<Vec<f64>> {
    let mut per_symbol = Vec::with_capacity(universe.symbols.len());
    for symbol in &universe.symbols {
        let result =
            gauntlet_backtest::run_backtest(genome, symbol.market(part), &universe.config(symbol))
                .ok()?;
        let returns = result.returns();
        let benchmark = symbol.buy_and_hold_returns(part);
        if returns.len() != benchmark.len() {
            return None;
        }
        per_symbol.push(
            returns
                .iter()
                .zip(benchmark)
                .map(|(strategy, held)| strategy - held)
                .collect(),
        );
    }
    Some(pool(&per_symbol, shared).0)
}

/// The run's data-snooping tests (see the module's text).
///
/// Never fails: what the statistics refuse is recorded as the skip reason, so the run's other
/// results never depend on this test.
pub(crate) fn data_snooping(
    experiment: &Experiment,
    universe: &Universe,
    candidates: &[&gauntlet_evolve::Individual<Genome>],
) -> DataSnoopingSummary {
    let candidates: Vec<(&str, &Genome)> = candidates
        .iter()
        .map(|member| (member.id.as_str(), &member.genome))
        .collect();
    against_buy_and_hold(
        universe,
        &candidates,
        experiment.gate.data_snooping_draws,
        experiment.seed,
    )
}

/// The tests of `candidates` (id, genome) against buy-and-hold on `universe`'s validation part
/// with `draws` bootstrap draws (0: skipped) from `seed`'s [`Purpose::DataSnooping`] stream.
fn against_buy_and_hold(
    universe: &Universe,
    candidates: &[(&str, &Genome)],
    draws: usize,
    seed: u64,
) -> DataSnoopingSummary {
    if draws == 0 {
        return DataSnoopingSummary::skipped(
            "switched off ([gate] data_snooping_draws = 0)".into(),
        );
    }
    let part = Part::Validation;
    let shared = shared_calendar(universe, part);
    let bars: usize = if shared {
        universe
            .symbols
            .first()
            .map_or(0, |symbol| symbol.market(part).series().len())
    } else {
        universe
            .symbols
            .iter()
            .map(|symbol| symbol.market(part).series().len())
            .sum()
    };
    // Bounds first, before any backtest.
    let cells = bars.saturating_mul(candidates.len());
    if candidates.len() > MAX_CANDIDATES || bars > MAX_BARS || cells > MAX_CELLS {
        return DataSnoopingSummary::skipped(format!(
            "{} candidates over {bars} bars exceed the limits ({MAX_CANDIDATES} candidates, {MAX_BARS} bars, {MAX_CELLS} cells)",
            candidates.len()
        ));
    }
    if bars < MIN_BARS {
        return DataSnoopingSummary::skipped(format!(
            "the validation part has {bars} bars, fewer than the {MIN_BARS} the tests need"
        ));
    }
    let series: Vec<Option<Vec<f64>>> = candidates
        .par_iter()
        .map(|(_, genome)| differences(universe, genome, part, shared))
        .collect();
    let (ids, columns): (Vec<String>, Vec<Vec<f64>>) = candidates
        .iter()
        .zip(series)
        .filter_map(|((id, _), series)| series.map(|series| (id.to_string(), series)))
        .unzip();
    if columns.is_empty() {
        return DataSnoopingSummary::skipped(
            "no candidate could be backtested on the validation part".into(),
        );
    }
    let outcome = RelativePerformance::from_differences(&columns).and_then(|performance| {
        let settings = BootstrapSettings::with_default_block_length(draws, performance.bars());
        let mut rng = stream(seed, Purpose::DataSnooping, 0, 0, 0);
        data_snooping_tests(&performance, settings, &mut rng)
    });
    match outcome {
        Ok(report) => DataSnoopingSummary {
            benchmark: BENCHMARK.to_string(),
            pooling: Some(if shared || universe.symbols.len() == 1 {
                SymbolPooling::EqualWeight
            } else {
                SymbolPooling::Stacked
            }),
            candidate_ids: ids,
            test: Some(report),
            skipped_because: None,
        },
        Err(error) => DataSnoopingSummary::skipped(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_data::Catalog;
    use gauntlet_testkit::repository;

    fn universe(names: &[&str]) -> Universe {
        let experiment = crate::Experiment::from_toml(crate::QUICKSTART_TOML, &repository())
            .expect("quickstart");
        let catalog = Catalog::open(&repository().join("datasets")).expect("catalog");
        let loaded = names
            .iter()
            .map(|name| catalog.load(name).expect("bundled"))
            .collect();
        Universe::new(loaded, experiment.split, experiment.costs, 1 << 26, None).expect("universe")
    }

    fn genome(file: &str) -> Genome {
        Genome::from_json(
            &std::fs::read_to_string(repository().join("genomes").join(file)).expect("genome"),
        )
        .expect("valid")
    }

    /// The differences by hand: each backtest's validation returns minus the close-to-close
    /// change of the same bars (0 on the first), symbols end to end.
    fn by_hand(universe: &Universe, genome: &Genome) -> Vec<f64> {
        let mut all = Vec::new();
        for symbol in &universe.symbols {
            let market = symbol.market(Part::Validation);
            let returns = gauntlet_backtest::run_backtest(genome, market, &universe.config(symbol))
                .expect("backtest")
                .returns();
            let close = market.series().close();
            let mut held = vec![0.0];
            held.extend(close.windows(2).map(|pair| pair[1] / pair[0] - 1.0));
            all.extend(
                returns
                    .iter()
                    .zip(&held)
                    .map(|(ours, theirs)| ours - theirs),
            );
        }
        all
    }

    #[test]
    fn the_candidates_validation_returns_are_compared_with_buy_and_hold_of_the_same_bars() {
        let universe = universe(&["sp500-1d", "eurusd-1h"]);
        let (first, second) = (
            genome("sma-50-200-crossover.json"),
            genome("rsi-2-mean-reversion.json"),
        );
        let summary = against_buy_and_hold(&universe, &[("a", &first), ("b", &second)], 2_000, 11);
        assert_eq!(summary.pooling, Some(SymbolPooling::Stacked));
        assert_eq!(
            summary.candidate_ids,
            vec!["a".to_string(), "b".to_string()]
        );
        let test = summary.test.expect("run");
        let columns = [by_hand(&universe, &first), by_hand(&universe, &second)];
        let means: Vec<f64> = columns
            .iter()
            .map(|column| column.iter().sum::<f64>() / column.len() as f64)
            .collect();
        assert_eq!(test.bars, columns[0].len());
        let best = if means[1] > means[0] { 1 } else { 0 };
        assert_eq!(test.reality_check.best_candidate, best);
        assert!(
            (test.reality_check.statistic - means[best]).abs() < 1e-12,
            "{} against {means:?}",
            test.reality_check.statistic
        );
        // The same draws from the run's stream on the hand-made matrix give the same p-values.
        let performance = RelativePerformance::from_differences(&columns).expect("matrix");
        let settings = BootstrapSettings::with_default_block_length(2_000, performance.bars());
        let want = data_snooping_tests(
            &performance,
            settings,
            &mut stream(11, Purpose::DataSnooping, 0, 0, 0),
        )
        .expect("test");
        assert!((test.reality_check.p_value - want.reality_check.p_value).abs() < 1e-12);
        assert!((test.spa.consistent - want.spa.consistent).abs() < 1e-12);
        // Switched off: nothing is run.
        let off = against_buy_and_hold(&universe, &[("a", &first)], 0, 11);
        assert!(off.test.is_none() && off.skipped_because.is_some());
    }

    #[test]
    fn a_shared_calendar_averages_the_symbols_bar_by_bar_and_different_calendars_stack_them() {
        // Hand computation: bar 1 (0.01 + 0.03) / 2 = 0.02, bar 2 (−0.02 + 0.00) / 2 = −0.01.
        let per_symbol = vec![vec![0.0, 0.01, -0.02], vec![0.0, 0.03, 0.0]];
        let (pooled, pooling) = pool(&per_symbol, true);
        assert_eq!(pooling, SymbolPooling::EqualWeight);
        assert_eq!(pooled.len(), 3);
        for (value, expected) in pooled.iter().zip([0.0, 0.02, -0.01]) {
            assert!((value - expected).abs() < 1e-15, "{pooled:?}");
        }
        let (stacked, pooling) = pool(&per_symbol, false);
        assert_eq!(pooling, SymbolPooling::Stacked);
        assert_eq!(stacked, vec![0.0, 0.01, -0.02, 0.0, 0.03, 0.0]);
    }

    #[test]
    fn the_sentence_names_the_p_values_and_reads_them_at_five_percent() {
        use gauntlet_stats::data_snooping::{RealityCheck, SpaTest};
        let spa = SpaTest {
            statistic: 2.5,
            best_candidate: Some(1),
            lower: 0.01,
            consistent: 0.02,
            upper: 0.03,
        };
        let mut summary = DataSnoopingSummary {
            benchmark: BENCHMARK.into(),
            pooling: Some(SymbolPooling::EqualWeight),
            candidate_ids: vec!["g0-i0-1".into(), "g3-i1-7".into()],
            test: Some(DataSnoopingReport {
                bars: 500,
                candidates: 2,
                draws: 10_000,
                mean_block_length: 22.0,
                reality_check: RealityCheck {
                    statistic: 0.0004,
                    best_candidate: 1,
                    p_value: 0.2,
                },
                spa,
                spa_unstudentized: spa,
            }),
            skipped_because: None,
        };
        assert_eq!(
            summary.sentence(),
            "against buy-and-hold on validation, the best of 2 candidates (g3-i1-7, +0.040% a bar) has Reality Check p = 0.200 and SPA p = 0.020 (10000 draws): an edge over buy-and-hold that survives the search, at the 5% level"
        );
        if let Some(test) = &mut summary.test {
            test.spa.consistent = 0.06;
        }
        assert!(
            summary
                .sentence()
                .ends_with("once the search is accounted for")
        );
    }
}
