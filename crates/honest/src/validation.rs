//! `gauntlet validate`: everything Gauntlet can say against one genome on one series. Sharpe-ratio
//! inference (PSR, MinTRL, and the DSR when the user says how many trials the genome was chosen
//! from), Monte Carlo on its trades, the validation gate, the named crash windows the data covers,
//! and its performance by market regime.
//!
//! Synthetic shocks, applied to a copy of the series (the strategy is run again on the copy):
//! - **flash crash**: every price from the middle bar on is multiplied by `1 - 10%` (a gap down at
//!   that bar's open that never recovers);
//! - **volatility x2**: over the middle tenth of the bars each close-to-close return is doubled
//!   (floored at -95%), the bars' prices rescaled with their close, and the rest of the series
//!   shifted to continue from there.
//!
//! Regimes: see [`gauntlet_tournament::regimes`].

use gauntlet_backtest::{
    BacktestConfig, BacktestError, BacktestResult, Market, Metrics, run_backtest,
};
use gauntlet_core::{BarColumns, BarSeries, Timestamp};
use gauntlet_genome::Genome;
use gauntlet_stats::monte_carlo::{MonteCarloSummary, Resampling, monte_carlo_on_streams};
use gauntlet_stats::returns;
use gauntlet_stats::sharpe_inference::{
    SharpeMoments, deflated_sharpe_ratio, minimum_track_record_length, probabilistic_sharpe_ratio,
};
use gauntlet_tournament::regimes::account_trade_returns;
pub use gauntlet_tournament::regimes::{
    RegimeResult, align_volatility_index, regime_labels, regime_table,
};
use serde::Serialize;

use crate::error::HonestError;
use crate::robustness::{Check, GateFigures, GateRules, gate_checks, monte_carlo_stream};

/// A named market stress window (UTC dates, inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CrashWindow {
    /// Its name.
    pub name: &'static str,
    /// First day, `(year, month, day)`.
    pub start: (i32, u32, u32),
    /// Last day.
    pub end: (i32, u32, u32),
}

/// The crash windows scored wherever the data covers them.
pub const CRASH_WINDOWS: [CrashWindow; 5] = [
    CrashWindow {
        name: "1987 October crash",
        start: (1987, 10, 1),
        end: (1987, 10, 31),
    },
    CrashWindow {
        name: "dot-com bust 2000-2002",
        start: (2000, 3, 1),
        end: (2002, 10, 31),
    },
    CrashWindow {
        name: "global financial crisis 2008-2009",
        start: (2008, 9, 1),
        end: (2009, 3, 31),
    },
    CrashWindow {
        name: "covid crash 2020",
        start: (2020, 2, 1),
        end: (2020, 3, 31),
    },
    CrashWindow {
        name: "2022 bear market",
        start: (2022, 1, 1),
        end: (2022, 12, 31),
    },
];

/// The strategy and buy-and-hold inside one crash window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowResult {
    /// The window's name.
    pub window: &'static str,
    /// Bars of the data inside it.
    pub bars: usize,
    /// The strategy's return over the window, a fraction.
    pub strategy_return: f64,
    /// The strategy's deepest drawdown inside the window (from the window's start), <= 0.
    pub strategy_max_drawdown: f64,
    /// Buy-and-hold's return (first close to last close of the window).
    pub buy_and_hold_return: f64,
}

/// The strategy on a shocked copy of the series beside the original.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShockResult {
    /// The shock, in words.
    pub shock: String,
    /// Total return on the shocked copy.
    pub total_return: f64,
    /// Maximum drawdown on the shocked copy.
    pub max_drawdown: f64,
    /// Buy-and-hold's total return on the shocked copy (first to last close).
    pub buy_and_hold_return: f64,
}

/// A copy of `series` with every bar's prices multiplied by its factor.
fn rescaled(series: &BarSeries, factors: &[f64]) -> Option<BarSeries> {
    let mut columns = BarColumns::with_capacity(series.len());
    for (t, &factor) in factors.iter().enumerate() {
        columns.timestamps.push(series.timestamps()[t]);
        columns.open.push(series.open()[t] * factor);
        columns.high.push(series.high()[t] * factor);
        columns.low.push(series.low()[t] * factor);
        columns.close.push(series.close()[t] * factor);
        columns.volume.push(series.volume()[t]);
    }
    BarSeries::from_parts(columns, series.price_fields(), series.has_volume()).ok()
}

/// The flash-crash copy: prices from bar `at` on multiplied by `1 + gap` (`gap` < 0).
pub fn flash_crash(series: &BarSeries, at: usize, gap: f64) -> Option<BarSeries> {
    let factors: Vec<f64> = (0..series.len())
        .map(|t| if t >= at { 1.0 + gap } else { 1.0 })
        .collect();
    rescaled(series, &factors)
}

/// The volatility copy: close-to-close returns of bars in `window` multiplied by `scale` (floored at
/// -95%), every later bar shifted to continue from the new level.
pub fn scale_volatility(
    series: &BarSeries,
    window: std::ops::Range<usize>,
    scale: f64,
) -> Option<BarSeries> {
    let close = series.close();
    let mut factors = vec![1.0; series.len()];
    let mut level = 1.0;
    for t in 1..series.len() {
        if window.contains(&t) {
            let original = close[t] / close[t - 1] - 1.0;
            let shocked = close[t - 1] * level * (1.0 + (scale * original).max(-0.95));
            level = shocked / close[t];
        }
        factors[t] = level;
    }
    rescaled(series, &factors)
}

/// Everything `gauntlet validate` reports for one series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationReport {
    /// Every metric of the backtest.
    pub metrics: Metrics,
    /// Per-bar Sharpe-ratio inference.
    pub observations: usize,
    /// Per-bar Sharpe ratio.
    pub sharpe_per_bar: f64,
    /// Skewness (biased).
    pub skewness: f64,
    /// Kurtosis (biased, not excess).
    pub kurtosis: f64,
    /// Probability that the true Sharpe ratio exceeds 0.
    pub probabilistic_sharpe_ratio: f64,
    /// Bars needed for 95% confidence that the Sharpe ratio exceeds 0.
    pub minimum_track_record_bars: Option<f64>,
    /// The Deflated Sharpe Ratio, when the number of trials and their Sharpe dispersion are given.
    pub deflated_sharpe_ratio: Option<f64>,
    /// Monte Carlo of the trades' returns on the account: bootstrap and shuffled order.
    pub monte_carlo: Vec<MonteCarloSummary>,
    /// The validation gate on the whole series.
    pub gate: Vec<Check>,
    /// Whether every check passed.
    pub passed: bool,
    /// Crash windows the data covers.
    pub crash_windows: Vec<WindowResult>,
    /// Performance by trend and volatility regime.
    pub regimes: Vec<RegimeResult>,
    /// The strategy on synthetically shocked copies of the series.
    pub shocks: Vec<ShockResult>,
}

/// How the Deflated Sharpe Ratio is computed: the genome was the best of `trials` whose per-bar
/// Sharpe ratios had this standard deviation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trials {
    /// Trials (> 1).
    pub count: f64,
    /// Standard deviation of their per-bar Sharpe ratios.
    pub sharpe_std: f64,
}

impl Trials {
    /// `count` trials (more than 1) whose per-bar Sharpe ratios have standard deviation
    /// `sharpe_std` (finite, >= 0).
    ///
    /// # Errors
    /// [`gauntlet_stats::StatsError::Invalid`] naming `--trials` or `--trial-sharpe-std` when out
    /// of range.
    pub fn new(count: f64, sharpe_std: f64) -> Result<Self, gauntlet_stats::StatsError> {
        gauntlet_stats::check_trials(count, sharpe_std)?;
        Ok(Self { count, sharpe_std })
    }
}

fn window_results(market: &Market, result: &BacktestResult) -> Vec<WindowResult> {
    let series = market.series();
    let close = series.close();
    CRASH_WINDOWS
        .iter()
        .filter_map(|window| {
            let (sy, sm, sd) = window.start;
            let (ey, em, ed) = window.end;
            let start = Timestamp::from_ymd(sy, sm, sd).ok()?;
            let end = Timestamp::from_millis(
                Timestamp::from_ymd(ey, em, ed).ok()?.millis() + gauntlet_core::MILLIS_PER_DAY,
            );
            let first = series.index_at_or_after(start);
            let last = series.index_at_or_after(end);
            // Covered: bars inside, and the data starts before the window (so the equity before it
            // is known).
            if last <= first + 1 || first == 0 {
                return None;
            }
            let base = result.equity[first - 1];
            let inside = &result.equity[first..last];
            let mut peak = base;
            let mut deepest = 0.0f64;
            for &value in inside {
                peak = peak.max(value);
                deepest = deepest.min(value / peak - 1.0);
            }
            Some(WindowResult {
                window: window.name,
                bars: last - first,
                strategy_return: inside[inside.len() - 1] / base - 1.0,
                strategy_max_drawdown: deepest,
                buy_and_hold_return: close[last - 1] / close[first - 1] - 1.0,
            })
        })
        .collect()
}

/// Validates `genome` on `market` (volatility regimes by `volatility_index` when given).
///
/// # Errors
/// As [`run_backtest`].
pub fn validate_genome(
    genome: &Genome,
    market: &Market,
    config: &BacktestConfig,
    trials: Option<Trials>,
    rules: &GateRules,
    seed: u64,
    volatility_index: Option<&BarSeries>,
) -> Result<ValidationReport, BacktestError> {
    let result = run_backtest(genome, market, config)?;
    let metrics = result.metrics(market.series().timestamps(), config.bars_per_year);
    let bar_returns = result.returns();
    let moments = SharpeMoments::of(&bar_returns);
    let psr = probabilistic_sharpe_ratio(
        moments.sharpe,
        0.0,
        moments.observations,
        moments.skewness,
        moments.kurtosis,
    );
    let dsr = trials.map(|trials| {
        deflated_sharpe_ratio(
            moments.sharpe,
            trials.sharpe_std,
            trials.count,
            moments.observations,
            moments.skewness,
            moments.kurtosis,
        )
    });
    let trade_returns = account_trade_returns(&result);
    let monte: Vec<MonteCarloSummary> = if trade_returns.is_empty() {
        Vec::new()
    } else {
        [Resampling::Bootstrap, Resampling::Shuffle]
            .into_iter()
            .map(|resampling| {
                monte_carlo_on_streams(
                    &trade_returns,
                    1.0,
                    resampling,
                    rules.monte_carlo_paths,
                    |path| monte_carlo_stream(seed, path),
                )
            })
            .collect()
    };
    let finite = |value: f64| value.is_finite().then_some(value);
    let gate = gate_checks(
        rules,
        &GateFigures {
            scope: "",
            sharpe: finite(metrics.sharpe),
            win_rate: finite(metrics.win_rate),
            max_drawdown: finite(metrics.max_drawdown),
            // Without a losing trade the profit factor is infinite, which passes.
            profit_factor: (!metrics.profit_factor.is_nan()).then_some(metrics.profit_factor),
            monte_carlo: monte.first(),
            deflated_sharpe: dsr.map(|dsr| ("", finite(dsr))),
        },
    );
    let regimes = regime_table(market, &bar_returns, config.bars_per_year, volatility_index);
    let series = market.series();
    let bars = series.len();
    let mut shocks = Vec::new();
    for (shock, copy) in [
        (
            format!(
                "flash crash: -10% gap at bar {} ({})",
                bars / 2,
                series.timestamps()[bars / 2]
            ),
            flash_crash(series, bars / 2, -0.1),
        ),
        (
            format!(
                "volatility x2 over bars {}..{}",
                bars * 9 / 20,
                bars * 11 / 20
            ),
            scale_volatility(series, bars * 9 / 20..bars * 11 / 20, 2.0),
        ),
    ] {
        let Some(copy) = copy else { continue };
        let shocked = Market::new(market.symbol.clone(), copy);
        let result = run_backtest(genome, &shocked, config)?;
        let close = shocked.series().close();
        let shocked_returns = result.returns();
        shocks.push(ShockResult {
            shock,
            total_return: result.final_equity() / result.initial_capital - 1.0,
            max_drawdown: returns::max_drawdown(&shocked_returns),
            buy_and_hold_return: close[close.len() - 1] / close[0] - 1.0,
        });
    }
    Ok(ValidationReport {
        shocks,
        observations: moments.observations,
        sharpe_per_bar: moments.sharpe,
        skewness: moments.skewness,
        kurtosis: moments.kurtosis,
        probabilistic_sharpe_ratio: psr,
        minimum_track_record_bars: finite(minimum_track_record_length(
            moments.sharpe,
            0.0,
            moments.skewness,
            moments.kurtosis,
            0.95,
        )),
        deflated_sharpe_ratio: dsr,
        passed: gate.iter().all(|check| check.passed),
        gate,
        monte_carlo: monte,
        crash_windows: window_results(market, &result),
        regimes,
        metrics,
    })
}

/// [`validate_genome`] on each of the catalog's `datasets` in turn, with the default
/// [`GateRules`], `config(bars_per_year)` giving each dataset's settings, and volatility regimes by
/// the catalog dataset `volatility_index` when named. Returns (dataset, report) in the given order.
///
/// # Errors
/// [`HonestError::Data`] when a dataset cannot be loaded; [`HonestError::Config`] naming the
/// dataset whose backtest fails.
pub fn validate_on_catalog(
    genome: &Genome,
    catalog: &gauntlet_data::Catalog,
    datasets: &[String],
    config: impl Fn(f64) -> BacktestConfig,
    trials: Option<Trials>,
    seed: u64,
    volatility_index: Option<&str>,
) -> Result<Vec<(String, ValidationReport)>, HonestError> {
    let index = match volatility_index {
        Some(name) => Some(catalog.load(name)?.1),
        None => None,
    };
    datasets
        .iter()
        .map(|name| {
            let (entry, series) = catalog.load(name)?;
            let market = Market::new(entry.symbol.clone(), series);
            let report = validate_genome(
                genome,
                &market,
                &config(entry.bars_per_year),
                trials,
                &GateRules::default(),
                seed,
                index.as_ref(),
            )
            .map_err(|error| HonestError::Config {
                field: format!("dataset {name}"),
                message: error.to_string(),
            })?;
            Ok((name.clone(), report))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_core::{BarColumns, BarSeries};

    /// Daily closes from 2007-01-01 growing (or shrinking) by `step` a day; open = close.
    fn daily(step: f64, days: usize) -> Market {
        let start = Timestamp::from_ymd(2007, 1, 1).unwrap().millis();
        let mut columns = BarColumns::with_capacity(days);
        let mut close = 100.0;
        for day in 0..days {
            columns.timestamps.push(Timestamp(
                start + day as i64 * gauntlet_core::MILLIS_PER_DAY,
            ));
            columns.open.push(close);
            columns.high.push(close);
            columns.low.push(close);
            columns.close.push(close);
            columns.volume.push(0.0);
            close *= 1.0 + step;
        }
        Market::new("X", BarSeries::new(columns, false).unwrap())
    }

    #[test]
    fn shocks_by_hand() {
        // Closes 100, 101, 102.01, ... (+1% a bar).
        let market = daily(0.01, 6);
        let series = market.series();
        let crashed = flash_crash(series, 3, -0.1).unwrap();
        assert_eq!(crashed.close()[2], series.close()[2]);
        assert!((crashed.close()[3] - series.close()[3] * 0.9).abs() < 1e-12);
        assert!((crashed.open()[5] - series.open()[5] * 0.9).abs() < 1e-12);
        // Doubling the returns of bars 2 and 3: +2% each there, +1% elsewhere.
        let wild = scale_volatility(series, 2..4, 2.0).unwrap();
        let expected = [
            100.0,
            101.0,
            101.0 * 1.02,
            101.0 * 1.02 * 1.02,
            101.0 * 1.02 * 1.02 * 1.01,
        ];
        for (t, value) in expected.iter().enumerate() {
            assert!(
                (wild.close()[t] - value).abs() < 1e-9,
                "bar {t}: {}",
                wild.close()[t]
            );
        }
    }

    #[test]
    fn regimes_follow_their_rules() {
        let (trend, volatility) = regime_labels(&daily(0.001, 400), None);
        // The 200-bar SMA first exists at bar 199, and 20 bars later it can be compared.
        assert_eq!(trend[218], None);
        assert_eq!(trend[219], Some("bull"));
        assert_eq!(trend[399], Some("bull"));
        let (trend, _) = regime_labels(&daily(-0.001, 400), None);
        assert_eq!(trend[300], Some("bear"));
        // Constant growth: every 20-bar volatility is the same, so every labelled bar is normal
        // (neither below the lower third nor above the upper third).
        assert!(
            volatility[30..]
                .iter()
                .all(|label| *label == Some("normal"))
        );
    }

    /// An hourly series from 2007-01-02 00:00 UTC, `hours` bars.
    fn hourly(hours: usize) -> BarSeries {
        let start = Timestamp::from_ymd(2007, 1, 2).unwrap().millis();
        let mut columns = BarColumns::with_capacity(hours);
        for hour in 0..hours {
            columns
                .timestamps
                .push(Timestamp(start + hour as i64 * 3_600_000));
            for column in [
                &mut columns.open,
                &mut columns.high,
                &mut columns.low,
                &mut columns.close,
            ] {
                column.push(100.0);
            }
            columns.volume.push(0.0);
        }
        BarSeries::new(columns, false).unwrap()
    }

    #[test]
    fn a_volatility_index_is_used_only_once_it_has_closed() {
        // Daily index bars from 2007-01-01, closes 10, 11, 12, ... (day k closes at 10 + k).
        let index = daily(0.0, 30);
        let mut columns = index.series().columns().clone();
        for (day, close) in columns.close.iter_mut().enumerate() {
            *close = 10.0 + day as f64;
        }
        for (day, open) in columns.open.iter_mut().enumerate() {
            *open = 10.0 + day as f64;
            columns.high[day] = *open;
            columns.low[day] = *open;
        }
        let index = BarSeries::new(columns, false).unwrap();
        // Daily bars on the same dates: day k's close is known at day k's close.
        let same_days = align_volatility_index(daily(0.0, 30).series(), &index);
        assert_eq!(same_days[0], 10.0);
        assert_eq!(same_days[29], 39.0);
        // Hourly bars from 2007-01-02 00:00: the 2007-01-01 bar (close 10) has closed at
        // 2007-01-02 00:00, so hours 0..=22 (closing up to 23:00) see 10; the hour opening at 23:00
        // closes at 2007-01-03 00:00, when the 2007-01-02 bar (close 11) has closed.
        let intraday = align_volatility_index(&hourly(48), &index);
        assert!(
            intraday[..23].iter().all(|value| *value == 10.0),
            "{intraday:?}"
        );
        assert_eq!(intraday[23], 11.0);
        assert_eq!(intraday[47], 12.0);
        // Before the index's first close, and a week after its last: unknown.
        let early = align_volatility_index(&index, &hourly(48));
        assert!(early[0].is_nan());
        let late = align_volatility_index(daily(0.0, 60).series(), &index);
        assert_eq!(late[29 + 7], 39.0, "seven days after the last close");
        assert!(late[29 + 8].is_nan(), "eight days after");
    }

    #[test]
    fn volatility_labels_follow_the_index_when_given() {
        // A steady market whose own volatility is flat, labelled by an index that rises through
        // the series: bottom third low, top third high.
        let market = daily(0.001, 90);
        let mut columns = daily(0.0, 90).series().columns().clone();
        for day in 0..90 {
            let level = 10.0 + day as f64;
            columns.open[day] = level;
            columns.high[day] = level;
            columns.low[day] = level;
            columns.close[day] = level;
        }
        let index = BarSeries::new(columns, false).unwrap();
        let (_, labels) = regime_labels(&market, Some(&index));
        assert_eq!(labels[0], Some("low"));
        assert_eq!(labels[45], Some("normal"));
        assert_eq!(labels[89], Some("high"));
        assert_eq!(
            labels
                .iter()
                .filter(|label| **label == Some("high"))
                .count(),
            30
        );
    }

    #[test]
    fn a_crash_window_of_buy_and_hold_matches_the_market() {
        // Buy-and-hold without costs holds units x close, so inside any window its return is the
        // market's: close at the window's last bar over the close before its first bar.
        let market = daily(-0.0005, 1_400);
        let config = BacktestConfig {
            initial_capital: 100_000.0,
            costs: gauntlet_backtest::CostModel::default(),
            fill: gauntlet_backtest::FillConvention::NextOpen,
            close_at_end: false,
            bars_per_year: 365.0,
        };
        let report = validate_genome(
            &Genome::buy_and_hold(),
            &market,
            &config,
            None,
            &GateRules::default(),
            1,
            None,
        )
        .unwrap();
        let windows: Vec<&str> = report
            .crash_windows
            .iter()
            .map(|window| window.window)
            .collect();
        assert_eq!(windows, ["global financial crisis 2008-2009"]);
        let window = &report.crash_windows[0];
        // 2008-09-01 .. 2009-03-31: 212 daily bars.
        assert_eq!(window.bars, 212);
        let expected = 0.9995f64.powi(212) - 1.0;
        assert!(
            (window.buy_and_hold_return - expected).abs() < 1e-12,
            "{}",
            window.buy_and_hold_return
        );
        assert!(
            (window.strategy_return - expected).abs() < 1e-12,
            "{}",
            window.strategy_return
        );
        assert!((window.strategy_max_drawdown - expected).abs() < 1e-12);
        // Without a trial count there is no DSR check.
        assert_eq!(report.gate.len(), 6);
        assert!(report.deflated_sharpe_ratio.is_none());
    }
}
