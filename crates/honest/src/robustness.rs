//! How hard a run tries to prove its champions wrong: the Deflated Sharpe Ratio with the run's real
//! number of trials, the Probabilistic Sharpe Ratio and Minimum Track Record Length, Monte Carlo
//! bands on the validation trades, the run's Probability of Backtest Overfitting, and the validation
//! gate a champion must pass before export (thresholds from the product's origin, configurable).
//!
//! Per symbol, because symbols have their own calendars: each statistic is computed on one symbol's
//! bar returns and the champion is judged on its worst symbol (its weakest evidence).

use gauntlet_evolve::{Purpose, stream};
use gauntlet_genome::Genome;
use gauntlet_stats::monte_carlo::{MonteCarloSummary, Resampling, monte_carlo_on_streams};
use gauntlet_stats::overfitting::probability_of_backtest_overfitting;
use gauntlet_stats::sharpe_inference::{
    SharpeMoments, deflated_benchmark, deflated_sharpe_ratio, minimum_track_record_length,
    probabilistic_sharpe_ratio,
};
use gauntlet_stats::what_if::TradeOnEquity;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use gauntlet_tournament::{Part, Universe};

use crate::HonestError;
use crate::perturbation::{PerturbationSettings, Perturbations, SymbolBars, perturb};

/// The validation gate (`[gate]` in an experiment; any field left out takes its default). Metrics
/// are the champion's on the validation part, averaged over symbols; Monte Carlo runs on its
/// validation trades; the Deflated Sharpe Ratio is its worst symbol's in-sample one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GateRules {
    /// Lowest annualised Sharpe ratio.
    pub min_sharpe: f64,
    /// Lowest win rate, a fraction.
    pub min_win_rate: f64,
    /// Deepest maximum drawdown allowed, a fraction <= 0 (-0.2: no worse than -20%).
    pub max_drawdown: f64,
    /// Lowest profit factor.
    pub min_profit_factor: f64,
    /// Lowest 5th percentile of the Monte Carlo (bootstrap) total return, a fraction.
    pub min_monte_carlo_p5_return: f64,
    /// Lowest Monte Carlo probability of profit, a fraction.
    pub min_probability_of_profit: f64,
    /// Lowest Deflated Sharpe Ratio.
    pub min_deflated_sharpe: f64,
    /// Monte Carlo paths.
    pub monte_carlo_paths: usize,
    /// CSCV blocks for the run's PBO (even).
    pub pbo_blocks: usize,
    /// Most trials sampled from the leaderboard for the trials' Sharpe dispersion and the PBO.
    pub pbo_trials: usize,
    /// Noise-test copies of every symbol's validation bars (Build Alpha's default: 100), 1 to
    /// [`gauntlet_data::MAX_NOISE_COPIES`] ([`crate::perturbation`]).
    pub noise_copies: usize,
    /// The noise test's largest move, a fraction of the bar's ATR in (0, 1] (Build Alpha's example:
    /// "up to 25% of the average true range").
    pub noise_max_move_atr_fraction: f64,
    /// The share of each of the open, high, low and close moved by the noise test, a fraction in
    /// [0, 1] (0.5; Build Alpha's example moves 40% to 75% per field).
    pub noise_share_of_prices: f64,
    /// Lowest share of the validation Sharpe ratio the noise copies' 5th percentile must keep, a
    /// fraction (0.5: half; our default, no published number).
    pub min_noise_sharpe_kept: f64,
    /// Shifted-bars variants: the validation part started 1..k bars later, 1 to
    /// [`gauntlet_data::MAX_SHIFTED_VARIANTS`].
    pub shifted_variants: usize,
    /// Lowest share of the validation Sharpe ratio the worst shifted variant must keep, a fraction.
    pub min_shifted_sharpe_kept: f64,
    /// Degraded-execution paths, 1 to [`MAX_DEGRADED_PATHS`].
    pub degraded_paths: usize,
    /// Degraded execution's extra slippage on each fill, basis points of the price (0 to 500).
    pub degraded_extra_slippage_bps: f64,
    /// Degraded execution's probability that an entry is missed, percent (0 to 100).
    pub degraded_missed_entry_pct: f64,
    /// Lowest 5th percentile of the degraded paths' total return, a fraction (0: still profitable).
    pub min_degraded_p5_return: f64,
    /// The share of best trades the what-if removes, percent in [0, 100) (StrategyQuant X's
    /// example: 5).
    pub without_best_trades_pct: f64,
    /// Lowest total return of the validation trades without the best ones, a fraction.
    pub min_return_without_best_trades: f64,
    /// Stationary-bootstrap draws of the run's data-snooping tests (White's Reality Check and
    /// Hansen's SPA of the champion candidates against buy-and-hold on validation): 0 to
    /// `gauntlet_stats::data_snooping::MAX_BOOTSTRAP_DRAWS`, 0 switching the tests off; 10,000
    /// (the default) pins a p-value near 0.05 to about ±0.004.
    pub data_snooping_draws: usize,
}

/// Most degraded-execution paths a gate may ask for (as the Monte Carlo paths' order of magnitude).
pub const MAX_DEGRADED_PATHS: usize = 100_000;

impl Default for GateRules {
    fn default() -> Self {
        Self {
            min_sharpe: 1.0,
            min_win_rate: 0.5,
            max_drawdown: -0.2,
            min_profit_factor: 1.5,
            min_monte_carlo_p5_return: -0.1,
            min_probability_of_profit: 0.6,
            min_deflated_sharpe: 0.95,
            monte_carlo_paths: 10_000,
            pbo_blocks: 8,
            pbo_trials: 200,
            noise_copies: 100,
            noise_max_move_atr_fraction: 0.25,
            noise_share_of_prices: 0.5,
            min_noise_sharpe_kept: 0.5,
            shifted_variants: 3,
            min_shifted_sharpe_kept: 0.5,
            degraded_paths: 1_000,
            degraded_extra_slippage_bps: 5.0,
            degraded_missed_entry_pct: 10.0,
            min_degraded_p5_return: 0.0,
            without_best_trades_pct: 5.0,
            min_return_without_best_trades: 0.0,
            data_snooping_draws: 10_000,
        }
    }
}

impl GateRules {
    /// The perturbation tests' settings of these rules.
    pub fn perturbation_settings(&self) -> PerturbationSettings {
        PerturbationSettings {
            noise_copies: self.noise_copies,
            noise_max_move_atr_fraction: self.noise_max_move_atr_fraction,
            noise_share_of_prices: self.noise_share_of_prices,
            shifted_variants: self.shifted_variants,
            degraded_paths: self.degraded_paths,
            degraded_extra_slippage_bps: self.degraded_extra_slippage_bps,
            degraded_missed_entry_pct: self.degraded_missed_entry_pct,
            without_best_trades_pct: self.without_best_trades_pct,
        }
    }

    /// Checks the perturbation tests' settings against their documented ranges, before any work.
    ///
    /// # Errors
    /// [`HonestError::Config`] naming the field (`gate.noise_copies`, ...) out of range.
    pub fn validate_perturbations(&self) -> Result<(), HonestError> {
        let fail = |field: &str, message: String| {
            Err(HonestError::Config {
                field: format!("gate.{field}"),
                message,
            })
        };
        let max_copies = gauntlet_data::MAX_NOISE_COPIES;
        if !(1..=max_copies).contains(&self.noise_copies) {
            return fail(
                "noise_copies",
                format!("must be 1 to {max_copies}, got {}", self.noise_copies),
            );
        }
        let fraction = self.noise_max_move_atr_fraction;
        if !(fraction > 0.0 && fraction <= gauntlet_data::MAX_NOISE_ATR_FRACTION) {
            return fail(
                "noise_max_move_atr_fraction",
                format!("must be above 0 and at most 1 (ATR), got {fraction}"),
            );
        }
        if !(0.0..=1.0).contains(&self.noise_share_of_prices) {
            return fail(
                "noise_share_of_prices",
                format!(
                    "must be a fraction in [0, 1], got {}",
                    self.noise_share_of_prices
                ),
            );
        }
        let max_variants = gauntlet_data::MAX_SHIFTED_VARIANTS;
        if !(1..=max_variants).contains(&self.shifted_variants) {
            return fail(
                "shifted_variants",
                format!("must be 1 to {max_variants}, got {}", self.shifted_variants),
            );
        }
        if !(1..=MAX_DEGRADED_PATHS).contains(&self.degraded_paths) {
            return fail(
                "degraded_paths",
                format!(
                    "must be 1 to {MAX_DEGRADED_PATHS}, got {}",
                    self.degraded_paths
                ),
            );
        }
        let max_bps = gauntlet_stats::what_if::MAX_EXTRA_SLIPPAGE * 10_000.0;
        if !(0.0..=max_bps).contains(&self.degraded_extra_slippage_bps) {
            return fail(
                "degraded_extra_slippage_bps",
                format!(
                    "must be 0 to {max_bps} basis points, got {}",
                    self.degraded_extra_slippage_bps
                ),
            );
        }
        if !(0.0..=100.0).contains(&self.degraded_missed_entry_pct) {
            return fail(
                "degraded_missed_entry_pct",
                format!(
                    "must be 0 to 100 percent, got {}",
                    self.degraded_missed_entry_pct
                ),
            );
        }
        if !(0.0..100.0).contains(&self.without_best_trades_pct) {
            return fail(
                "without_best_trades_pct",
                format!(
                    "must be at least 0 and below 100 percent, got {}",
                    self.without_best_trades_pct
                ),
            );
        }
        for (field, value) in [
            ("min_noise_sharpe_kept", self.min_noise_sharpe_kept),
            ("min_shifted_sharpe_kept", self.min_shifted_sharpe_kept),
            ("min_degraded_p5_return", self.min_degraded_p5_return),
            (
                "min_return_without_best_trades",
                self.min_return_without_best_trades,
            ),
        ] {
            if !value.is_finite() {
                return fail(field, format!("must be a finite number, got {value}"));
            }
        }
        Ok(())
    }
}

/// One check of the gate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// What is checked (`sharpe >= 1`).
    pub check: String,
    /// The champion's value (`None` when undefined, which fails; may be infinite, `"inf"` in
    /// JSON, e.g. a profit factor without a losing trade).
    #[serde(with = "gauntlet_core::json_float::infinite")]
    pub value: Option<f64>,
    /// Whether it passed.
    pub passed: bool,
}

impl Check {
    /// The check as one line with its value against its threshold ([`describe_check`]):
    /// `validation sharpe 0.41 < 1`.
    pub fn describe(&self) -> String {
        describe_check(&self.check, self.value, self.passed)
    }
}

/// `value` with as few significant digits (3 to 17) as keep it on its side of `threshold`: a
/// failing 0.99996 against 1 shows as `0.99996`, never `1.00`; tiny and huge magnitudes in
/// scientific notation (`3.49e-20`); infinities as `inf` and `-inf`.
pub fn gate_value(value: f64, threshold: f64) -> String {
    if value.is_infinite() {
        return if value > 0.0 { "inf" } else { "-inf" }.into();
    }
    if value.is_nan() {
        return "undefined".into();
    }
    let passes = value >= threshold;
    let magnitude = if value == 0.0 {
        0
    } else {
        value.abs().log10().floor() as i32
    };
    let mut text = String::new();
    for digits in 3..=17_i32 {
        text = if (-4..15).contains(&magnitude) {
            let decimals = (digits - 1 - magnitude).max(0) as usize;
            let fixed = format!("{value:.decimals$}");
            if fixed.contains('.') {
                fixed
                    .trim_end_matches('0')
                    .trim_end_matches('.')
                    .to_string()
            } else {
                fixed
            }
        } else {
            format!("{value:.precision$e}", precision = (digits - 1) as usize)
        };
        let shown: f64 = text.parse().unwrap_or(value);
        if shown == value || (shown >= threshold) == passes {
            break;
        }
    }
    text
}

/// A gate check (`validation sharpe >= 1`, as [`gate_checks`] names it) as one line with its
/// value against its threshold: `validation sharpe 1.23 >= 1` when it passed,
/// `validation sharpe 0.41 < 1` when it failed, `validation sharpe undefined (needs >= 1)` without
/// a value. The value is rounded so that it never looks as if it fell on the other side
/// ([`gate_value`]).
pub fn describe_check(check: &str, value: Option<f64>, passed: bool) -> String {
    let Some((measure, threshold_text)) = check.rsplit_once(" >= ") else {
        let value = value.map_or("undefined".into(), |value| gate_value(value, value));
        return format!("{check}: {value}");
    };
    let threshold: f64 = threshold_text.trim().parse().unwrap_or(f64::NAN);
    match value {
        None => format!("{measure} undefined (needs >= {threshold_text})"),
        Some(value) if value.is_nan() => format!("{measure} undefined (needs >= {threshold_text})"),
        Some(value) => format!(
            "{measure} {} {} {threshold_text}",
            gate_value(value, threshold),
            if passed { ">=" } else { "<" }
        ),
    }
}

/// Sharpe-ratio inference on one symbol's in-sample bar returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SymbolInference {
    /// The dataset.
    pub dataset: String,
    /// Bars.
    pub observations: usize,
    /// Per-bar Sharpe ratio.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub sharpe_per_bar: f64,
    /// Skewness (biased).
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub skewness: f64,
    /// Kurtosis (biased, not excess).
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub kurtosis: f64,
    /// Probability that the true Sharpe ratio exceeds 0.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub probabilistic_sharpe_ratio: f64,
    /// Bars needed for 95% confidence that the Sharpe ratio exceeds 0 (`None` when it is not
    /// positive).
    pub minimum_track_record_bars: Option<f64>,
    /// Standard deviation of the sampled trials' per-bar Sharpe ratios on this symbol.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub trial_sharpe_std: f64,
    /// The Sharpe ratio the best of the run's trials would show by luck alone, per bar.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub deflated_benchmark: f64,
    /// The Deflated Sharpe Ratio with the run's number of trials.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub deflated_sharpe_ratio: f64,
}

/// The figures the gate judges; `None` values fail their check.
#[derive(Debug, Clone, Copy)]
pub struct GateFigures<'a> {
    /// Prefix of the checks' names (`validation `, or empty).
    pub scope: &'static str,
    /// Annualised Sharpe ratio.
    pub sharpe: Option<f64>,
    /// Win rate, a fraction.
    pub win_rate: Option<f64>,
    /// Maximum drawdown, <= 0.
    pub max_drawdown: Option<f64>,
    /// Profit factor.
    pub profit_factor: Option<f64>,
    /// The Monte Carlo summary whose 5th percentile and probability of profit are checked.
    pub monte_carlo: Option<&'a MonteCarloSummary>,
    /// The Deflated Sharpe Ratio with a name prefix; the check is left out when `None`.
    pub deflated_sharpe: Option<(&'static str, Option<f64>)>,
}

/// The gate's checks of `figures` against `rules`, each with its value and verdict.
pub fn gate_checks(rules: &GateRules, figures: &GateFigures<'_>) -> Vec<Check> {
    let check = |name: String, value: Option<f64>, threshold: f64| Check {
        check: name,
        value,
        passed: value.is_some_and(|value| value >= threshold),
    };
    let scope = figures.scope;
    let mut checks = vec![
        check(
            format!("{scope}sharpe >= {}", rules.min_sharpe),
            figures.sharpe,
            rules.min_sharpe,
        ),
        check(
            format!("{scope}win_rate >= {}", rules.min_win_rate),
            figures.win_rate,
            rules.min_win_rate,
        ),
        check(
            format!("{scope}max_drawdown >= {}", rules.max_drawdown),
            figures.max_drawdown,
            rules.max_drawdown,
        ),
        check(
            format!("{scope}profit_factor >= {}", rules.min_profit_factor),
            figures.profit_factor,
            rules.min_profit_factor,
        ),
        check(
            format!(
                "monte carlo 5th percentile return >= {}",
                rules.min_monte_carlo_p5_return
            ),
            figures
                .monte_carlo
                .map(|summary| summary.total_return_percentiles[0]),
            rules.min_monte_carlo_p5_return,
        ),
        check(
            format!(
                "monte carlo probability of profit >= {}",
                rules.min_probability_of_profit
            ),
            figures
                .monte_carlo
                .map(|summary| summary.probability_of_profit),
            rules.min_probability_of_profit,
        ),
    ];
    if let Some((prefix, value)) = figures.deflated_sharpe {
        checks.push(check(
            format!(
                "{prefix}deflated sharpe ratio >= {}",
                rules.min_deflated_sharpe
            ),
            value,
            rules.min_deflated_sharpe,
        ));
    }
    checks
}

/// The gate's four perturbation checks of `figures` against `rules`; a test that could not run
/// fails its check (value `None`).
pub fn perturbation_checks(rules: &GateRules, figures: &Perturbations) -> Vec<Check> {
    let check = |name: String, value: Option<f64>, threshold: f64| Check {
        check: name,
        value,
        passed: value.is_some_and(|value| value >= threshold),
    };
    vec![
        check(
            format!(
                "noise test: 5th percentile sharpe over {} copies / original >= {}",
                rules.noise_copies, rules.min_noise_sharpe_kept
            ),
            figures.noise.as_ref().and_then(|noise| noise.kept),
            rules.min_noise_sharpe_kept,
        ),
        check(
            format!(
                "shifted bars: worst sharpe of {} later starts / original >= {}",
                rules.shifted_variants, rules.min_shifted_sharpe_kept
            ),
            figures
                .shifted_bars
                .as_ref()
                .and_then(|shifted| shifted.kept),
            rules.min_shifted_sharpe_kept,
        ),
        check(
            format!(
                "degraded execution ({} bps slippage, {}% missed entries): 5th percentile return >= {}",
                rules.degraded_extra_slippage_bps,
                rules.degraded_missed_entry_pct,
                rules.min_degraded_p5_return
            ),
            figures
                .degraded_execution
                .as_ref()
                .map(|degraded| degraded.p5_return),
            rules.min_degraded_p5_return,
        ),
        check(
            format!(
                "without the best {}% of trades: return >= {}",
                rules.without_best_trades_pct, rules.min_return_without_best_trades
            ),
            figures
                .without_best_trades
                .as_ref()
                .map(|what_if| what_if.total_return_without_best),
            rules.min_return_without_best_trades,
        ),
    ]
}

/// A champion's robustness report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Robustness {
    /// Distinct genomes the run scored: the number of trials the DSR deflates by.
    pub trials: u64,
    /// Per symbol, in-sample.
    pub symbols: Vec<SymbolInference>,
    /// Per symbol, the champion's in-sample returns by trend and volatility regime.
    pub regimes: Vec<(String, Vec<gauntlet_tournament::regimes::RegimeResult>)>,
    /// Bootstrap Monte Carlo of the validation trades' returns on the account (net P&L over the
    /// equity before entry; all symbols, in exit order).
    pub monte_carlo: Option<MonteCarloSummary>,
    /// The perturbation tests' figures ([`crate::perturbation`]; `None` in files written before
    /// they existed).
    #[serde(default)]
    pub perturbations: Option<Perturbations>,
    /// The gate's checks.
    pub gate: Vec<Check>,
    /// Whether every check passed.
    pub passed: bool,
}

/// The run's Probability of Backtest Overfitting per symbol (CSCV over sampled trials' in-sample
/// bar returns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunOverfitting {
    /// Trials in the matrix.
    pub trials: usize,
    /// Blocks.
    pub blocks: usize,
    /// Per dataset: PBO, or `None` when the symbol has too few bars for the blocks.
    pub per_symbol: Vec<(String, Option<f64>)>,
    /// The mean over symbols with a value.
    pub mean: Option<f64>,
}

/// The random stream of Monte Carlo path `path` of a run (or a validation) with master `seed`:
/// its [`Purpose::MonteCarlo`] stream at generation 0, island 0, index `path` (paths are fewer
/// than 2^24: [`gauntlet_stats::monte_carlo::MAX_PATHS`]).
pub fn monte_carlo_stream(seed: u64, path: usize) -> ChaCha8Rng {
    stream(seed, Purpose::MonteCarlo, 0, 0, path as u32)
}

/// In-sample bar returns of `genome` on every symbol (empty where the backtest fails).
fn in_sample_returns(universe: &Universe, genome: &Genome) -> Vec<Vec<f64>> {
    universe
        .symbols
        .iter()
        .map(|symbol| {
            let market = symbol.market(Part::InSample);
            gauntlet_backtest::run_backtest(genome, market, &universe.config(symbol))
                .map(|result| result.returns())
                .unwrap_or_default()
        })
        .collect()
}

/// Every `ceil(len / count)`-th genome, in order: a deterministic, spread-out sample of the trials.
pub fn sample_trials(genomes: &[Genome], count: usize) -> Vec<&Genome> {
    let step = genomes.len().div_ceil(count.max(1)).max(1);
    genomes.iter().step_by(step).collect()
}

/// The sampled trials' in-sample returns: `[trial][symbol][bar]`.
pub fn trial_returns(universe: &Universe, trials: &[&Genome]) -> Vec<Vec<Vec<f64>>> {
    trials
        .par_iter()
        .map(|genome| in_sample_returns(universe, genome))
        .collect()
}

fn sample_std(values: &[f64]) -> f64 {
    let finite: Vec<f64> = values
        .iter()
        .copied()
        .filter(|value| value.is_finite())
        .collect();
    let n = finite.len() as f64;
    let mean = finite.iter().sum::<f64>() / n;
    (finite
        .iter()
        .map(|value| (value - mean).powi(2))
        .sum::<f64>()
        / (n - 1.0))
        .sqrt()
}

/// The run's PBO from the sampled trials' returns.
pub fn run_overfitting(
    universe: &Universe,
    returns: &[Vec<Vec<f64>>],
    blocks: usize,
) -> RunOverfitting {
    let per_symbol: Vec<(String, Option<f64>)> = universe
        .symbols
        .iter()
        .enumerate()
        .map(|(index, symbol)| {
            let columns: Vec<&Vec<f64>> = returns
                .iter()
                .map(|trial| &trial[index])
                .filter(|series| !series.is_empty())
                .collect();
            let bars = columns.first().map_or(0, |series| series.len());
            let matrix: Vec<Vec<f64>> = (0..bars)
                .map(|bar| columns.iter().map(|series| series[bar]).collect())
                .collect();
            let value = probability_of_backtest_overfitting(&matrix, blocks, 0.0)
                .ok()
                .map(|result| result.probability_of_overfitting)
                .filter(|value| value.is_finite());
            (symbol.dataset.clone(), value)
        })
        .collect();
    let values: Vec<f64> = per_symbol.iter().filter_map(|(_, value)| *value).collect();
    RunOverfitting {
        trials: returns.len(),
        blocks,
        mean: (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64),
        per_symbol,
    }
}

/// A champion's robustness: DSR per symbol with `trials` and the sampled trials' Sharpe dispersion,
/// Monte Carlo on its validation trades, and the gate on its validation metrics.
pub fn assess(
    universe: &Universe,
    genome: &Genome,
    trials: u64,
    trial_returns: &[Vec<Vec<f64>>],
    validation_summary: &[(&str, Option<f64>)],
    rules: &GateRules,
    seed: u64,
) -> Robustness {
    let own = in_sample_returns(universe, genome);
    let regimes = universe
        .symbols
        .iter()
        .zip(&own)
        .map(|(symbol, returns)| {
            (
                symbol.dataset.clone(),
                gauntlet_tournament::regimes::regime_table(
                    symbol.market(Part::InSample),
                    returns,
                    symbol.bars_per_year,
                    universe.volatility_index.as_deref(),
                ),
            )
        })
        .collect();
    let symbols: Vec<SymbolInference> = universe
        .symbols
        .iter()
        .enumerate()
        .map(|(index, symbol)| {
            let moments = SharpeMoments::of(&own[index]);
            let trial_sharpes: Vec<f64> = trial_returns
                .iter()
                .map(|trial| SharpeMoments::of(&trial[index]).sharpe)
                .collect();
            let spread = sample_std(&trial_sharpes);
            SymbolInference {
                dataset: symbol.dataset.clone(),
                observations: moments.observations,
                sharpe_per_bar: moments.sharpe,
                skewness: moments.skewness,
                kurtosis: moments.kurtosis,
                probabilistic_sharpe_ratio: probabilistic_sharpe_ratio(
                    moments.sharpe,
                    0.0,
                    moments.observations,
                    moments.skewness,
                    moments.kurtosis,
                ),
                minimum_track_record_bars: Some(minimum_track_record_length(
                    moments.sharpe,
                    0.0,
                    moments.skewness,
                    moments.kurtosis,
                    0.95,
                ))
                .filter(|bars| bars.is_finite()),
                trial_sharpe_std: spread,
                deflated_benchmark: deflated_benchmark(spread, trials as f64),
                deflated_sharpe_ratio: deflated_sharpe_ratio(
                    moments.sharpe,
                    spread,
                    trials as f64,
                    moments.observations,
                    moments.skewness,
                    moments.kurtosis,
                ),
            }
        })
        .collect();
    // Validation trades of every symbol, in exit-time order.
    let mut trades: Vec<(i64, TradeOnEquity)> = Vec::new();
    for symbol in &universe.symbols {
        let market = symbol.market(Part::Validation);
        if let Ok(result) =
            gauntlet_backtest::run_backtest(genome, market, &universe.config(symbol))
        {
            trades.extend(result.trades.iter().map(|trade| {
                let before = trade
                    .entry_bar
                    .checked_sub(1)
                    .map_or(result.initial_capital, |bar| result.equity[bar]);
                (
                    trade.exit_time.millis(),
                    TradeOnEquity::from_fills(
                        trade.net_pnl,
                        trade.entry_price,
                        trade.exit_price,
                        trade.quantity.abs(),
                        before,
                    ),
                )
            }));
        }
    }
    trades.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.return_on_equity.total_cmp(&b.1.return_on_equity))
    });
    let trades: Vec<TradeOnEquity> = trades.into_iter().map(|(_, trade)| trade).collect();
    let trade_returns: Vec<f64> = trades.iter().map(|trade| trade.return_on_equity).collect();
    let monte = (!trade_returns.is_empty()).then(|| {
        monte_carlo_on_streams(
            &trade_returns,
            1.0,
            Resampling::Bootstrap,
            rules.monte_carlo_paths,
            |path| monte_carlo_stream(seed, path),
        )
    });
    let metric = |name: &str| {
        validation_summary
            .iter()
            .find(|(key, _)| *key == name)
            .and_then(|(_, value)| *value)
    };
    let worst_dsr = symbols
        .iter()
        .map(|symbol| symbol.deflated_sharpe_ratio)
        .fold(None, |worst: Option<f64>, value| {
            if value.is_finite() {
                Some(worst.map_or(value, |current| current.min(value)))
            } else {
                worst
            }
        });
    let gate = gate_checks(
        rules,
        &GateFigures {
            scope: "validation ",
            sharpe: metric("sharpe"),
            win_rate: metric("win_rate"),
            max_drawdown: metric("max_drawdown"),
            profit_factor: metric("profit_factor"),
            monte_carlo: monte.as_ref(),
            deflated_sharpe: Some(("worst symbol's ", worst_dsr)),
        },
    );
    let validation_bars: Vec<SymbolBars<'_>> = universe
        .symbols
        .iter()
        .map(|symbol| {
            let market = symbol.market(Part::Validation);
            SymbolBars {
                symbol: std::sync::Arc::clone(&market.symbol),
                series: market.series(),
                config: universe.config(symbol),
            }
        })
        .collect();
    let perturbations = perturb(
        genome,
        &validation_bars,
        &trades,
        &rules.perturbation_settings(),
        seed,
    );
    let mut gate = gate;
    gate.extend(perturbation_checks(rules, &perturbations));
    let passed = gate.iter().all(|check| check.passed);
    Robustness {
        trials,
        symbols,
        regimes,
        monte_carlo: monte,
        perturbations: Some(perturbations),
        gate,
        passed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::perturbation::{
        DegradedExecutionTest, NoiseTest, ShiftedBarsTest, WithoutBestTradesTest,
    };

    /// Figures just at and just under each default threshold (0.5, 0.5, 0, 0).
    fn figures(kept: f64, shifted: f64, degraded: f64, without: f64) -> Perturbations {
        Perturbations {
            noise: Some(NoiseTest {
                copies: 100,
                max_move_atr_fraction: 0.25,
                share_of_prices: 0.5,
                original_sharpe: Some(2.0),
                p5_sharpe: 2.0 * kept,
                median_sharpe: 2.0,
                kept: Some(kept),
            }),
            shifted_bars: Some(ShiftedBarsTest {
                original_sharpe: Some(1.0),
                variants: vec![(1, shifted)],
                kept: Some(shifted),
            }),
            degraded_execution: Some(DegradedExecutionTest {
                paths: 1_000,
                extra_slippage_bps: 5.0,
                missed_entry_pct: 10.0,
                trades: 20,
                p5_return: degraded,
                median_return: degraded,
            }),
            without_best_trades: Some(WithoutBestTradesTest {
                trades: 20,
                removed: 1,
                total_return: 0.1,
                total_return_without_best: without,
            }),
        }
    }

    #[test]
    fn a_check_reads_as_its_value_against_its_threshold_never_rounded_across_it() {
        assert_eq!(
            describe_check("validation sharpe >= 1", Some(0.41), false),
            "validation sharpe 0.41 < 1"
        );
        assert_eq!(
            describe_check("validation sharpe >= 1", Some(1.2345678), true),
            "validation sharpe 1.23 >= 1"
        );
        // 0.99996 is 1.00 to three digits: more are shown until it reads below 1.
        assert_eq!(
            describe_check("validation win_rate >= 1", Some(0.99996), false),
            "validation win_rate 0.99996 < 1"
        );
        assert_eq!(
            describe_check("validation max_drawdown >= -0.2", Some(-0.2000001), false),
            "validation max_drawdown -0.2000001 < -0.2"
        );
        // What `export` printed as 0.000000000000000000034860939709227806.
        assert_eq!(
            describe_check(
                "worst symbol's deflated sharpe ratio >= 0.95",
                Some(3.4860939709227806e-20),
                false
            ),
            "worst symbol's deflated sharpe ratio 3.49e-20 < 0.95"
        );
        assert_eq!(
            describe_check("validation profit_factor >= 1.5", Some(f64::INFINITY), true),
            "validation profit_factor inf >= 1.5"
        );
        assert_eq!(
            describe_check("validation sharpe >= 1", None, false),
            "validation sharpe undefined (needs >= 1)"
        );
        assert_eq!(gate_value(0.0, 0.0), "0");
        assert_eq!(gate_value(123456.0, 1.0), "123456");
    }

    #[test]
    fn perturbation_checks_pass_at_their_thresholds_and_fail_below() {
        let rules = GateRules::default();
        let at = perturbation_checks(&rules, &figures(0.5, 0.5, 0.0, 0.0));
        assert!(at.iter().all(|check| check.passed), "{at:?}");
        let below = perturbation_checks(&rules, &figures(0.49, 0.49, -1e-9, -1e-9));
        assert!(below.iter().all(|check| !check.passed), "{below:?}");
        let none = Perturbations {
            noise: None,
            shifted_bars: None,
            degraded_execution: None,
            without_best_trades: None,
        };
        let missing = perturbation_checks(&rules, &none);
        assert_eq!(missing.len(), 4);
        assert!(
            missing
                .iter()
                .all(|check| !check.passed && check.value.is_none())
        );
    }

    #[test]
    fn perturbation_settings_out_of_range_name_their_field() {
        let bad = GateRules {
            noise_copies: 0,
            ..GateRules::default()
        };
        let message = bad.validate_perturbations().unwrap_err().to_string();
        assert!(message.contains("gate.noise_copies"), "{message}");
        let bad = GateRules {
            without_best_trades_pct: 100.0,
            ..GateRules::default()
        };
        let message = bad.validate_perturbations().unwrap_err().to_string();
        assert!(
            message.contains("gate.without_best_trades_pct"),
            "{message}"
        );
        assert!(GateRules::default().validate_perturbations().is_ok());
    }
}
