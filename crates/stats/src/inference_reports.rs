//! Sharpe-ratio inference on one returns series as `gauntlet stats psr`, `mintrl` and `dsr` report
//! it: the series' moments beside each statistic (formulas in [`crate::sharpe_inference`]; Bailey &
//! Lopez de Prado 2012 and 2014). Sharpe ratios here are per period, not annualised.

use serde::Serialize;

use crate::error::StatsError;
use crate::sharpe_inference::{
    SharpeMoments, ZERO_VARIANCE_NOTE, deflated_benchmark, deflated_sharpe_ratio, is_constant,
    minimum_track_record_length, probabilistic_sharpe_ratio,
};

/// Checks a DSR's trial count (more than 1) and the trials' Sharpe standard deviation (finite,
/// >= 0), naming the command-line flag at fault.
///
/// # Errors
/// [`StatsError::Invalid`] naming `--trials` or `--trial-sharpe-std`.
pub fn check_trials(trials: f64, trial_sharpe_std: f64) -> Result<(), StatsError> {
    if trials.is_nan() || trials <= 1.0 {
        return Err(StatsError::Invalid(format!(
            "--trials must be more than 1, got {trials}"
        )));
    }
    if !(trial_sharpe_std.is_finite() && trial_sharpe_std >= 0.0) {
        return Err(StatsError::Invalid(format!(
            "--trial-sharpe-std must be a non-negative number, got {trial_sharpe_std}"
        )));
    }
    Ok(())
}

/// The Probabilistic Sharpe Ratio and the Minimum Track Record Length of a series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PsrReport {
    /// Returns in the series.
    pub observations: usize,
    /// Its Sharpe ratio, per period.
    pub sharpe_per_period: f64,
    /// Biased skewness.
    pub skewness: f64,
    /// Biased kurtosis (normal = 3).
    pub kurtosis_non_excess: f64,
    /// The benchmark SR*, per period.
    pub benchmark_sharpe_per_period: f64,
    /// Probability that the true Sharpe ratio exceeds the benchmark.
    pub probabilistic_sharpe_ratio: f64,
    /// Confidence of the track record length.
    pub confidence: f64,
    /// Periods needed to exceed the benchmark with that confidence.
    pub minimum_track_record_length_periods: f64,
    /// Why a figure is undefined (`null`), when one is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl PsrReport {
    /// The report of `returns` against `benchmark` (per period) at `confidence`.
    pub fn of(returns: &[f64], benchmark: f64, confidence: f64) -> Self {
        let moments = SharpeMoments::of(returns);
        Self {
            observations: moments.observations,
            sharpe_per_period: moments.sharpe,
            skewness: moments.skewness,
            kurtosis_non_excess: moments.kurtosis,
            benchmark_sharpe_per_period: benchmark,
            probabilistic_sharpe_ratio: probabilistic_sharpe_ratio(
                moments.sharpe,
                benchmark,
                moments.observations,
                moments.skewness,
                moments.kurtosis,
            ),
            confidence,
            minimum_track_record_length_periods: minimum_track_record_length(
                moments.sharpe,
                benchmark,
                moments.skewness,
                moments.kurtosis,
                confidence,
            ),
            notes: notes(returns),
        }
    }
}

/// [`ZERO_VARIANCE_NOTE`] for a series of equal values.
fn notes(returns: &[f64]) -> Vec<String> {
    is_constant(returns)
        .then(|| ZERO_VARIANCE_NOTE.to_string())
        .into_iter()
        .collect()
}

/// The Minimum Track Record Length of a series, in periods and years.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MintrlReport {
    /// Returns in the series.
    pub observations: usize,
    /// Its Sharpe ratio, per period.
    pub sharpe_per_period: f64,
    /// The benchmark SR*, per period.
    pub benchmark_sharpe_per_period: f64,
    /// The confidence asked for.
    pub confidence: f64,
    /// Periods needed.
    pub minimum_track_record_periods: f64,
    /// The same in years (`periods / bars_per_year`).
    pub minimum_track_record_years: f64,
    /// Whether the series already has that many periods.
    pub long_enough: bool,
    /// Why a figure is undefined (`null`), when one is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl MintrlReport {
    /// The report of `returns` against `benchmark` at `confidence`, years from `bars_per_year`.
    ///
    /// # Errors
    /// [`StatsError::Invalid`] when `confidence` is not in (0, 1).
    pub fn of(
        returns: &[f64],
        benchmark: f64,
        confidence: f64,
        bars_per_year: f64,
    ) -> Result<Self, StatsError> {
        if !(confidence > 0.0 && confidence < 1.0) {
            return Err(StatsError::Invalid(format!(
                "--confidence must be a probability in (0, 1), got {confidence}"
            )));
        }
        let moments = SharpeMoments::of(returns);
        let periods = minimum_track_record_length(
            moments.sharpe,
            benchmark,
            moments.skewness,
            moments.kurtosis,
            confidence,
        );
        Ok(Self {
            observations: moments.observations,
            sharpe_per_period: moments.sharpe,
            benchmark_sharpe_per_period: benchmark,
            confidence,
            minimum_track_record_periods: periods,
            minimum_track_record_years: periods / bars_per_year,
            long_enough: (moments.observations as f64) >= periods,
            notes: notes(returns),
        })
    }
}

/// The Deflated Sharpe Ratio of the selected strategy's series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DsrReport {
    /// Returns in the series.
    pub observations: usize,
    /// Its Sharpe ratio, per period.
    pub sharpe_per_period: f64,
    /// Independent trials of the search.
    pub trials: f64,
    /// Standard deviation of the trials' per-period Sharpe ratios.
    pub trial_sharpe_std: f64,
    /// The Sharpe ratio the best trial would show by luck alone, per period.
    pub deflated_benchmark_per_period: f64,
    /// The Deflated Sharpe Ratio.
    pub deflated_sharpe_ratio: f64,
    /// Why a figure is undefined (`null`), when one is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl DsrReport {
    /// The report of `returns` chosen from `trials` trials whose Sharpe ratios have standard
    /// deviation `trial_sharpe_std`.
    ///
    /// # Errors
    /// As [`check_trials`].
    pub fn of(returns: &[f64], trials: f64, trial_sharpe_std: f64) -> Result<Self, StatsError> {
        check_trials(trials, trial_sharpe_std)?;
        let moments = SharpeMoments::of(returns);
        Ok(Self {
            observations: moments.observations,
            sharpe_per_period: moments.sharpe,
            trials,
            trial_sharpe_std,
            deflated_benchmark_per_period: deflated_benchmark(trial_sharpe_std, trials),
            deflated_sharpe_ratio: deflated_sharpe_ratio(
                moments.sharpe,
                trial_sharpe_std,
                trials,
                moments.observations,
                moments.skewness,
                moments.kurtosis,
            ),
            notes: notes(returns),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trial_settings_are_checked_with_the_flag_named() {
        assert!(check_trials(10.0, 0.1).is_ok());
        assert!(
            check_trials(1.0, 0.1)
                .unwrap_err()
                .to_string()
                .contains("--trials")
        );
        assert!(
            check_trials(10.0, -0.1)
                .unwrap_err()
                .to_string()
                .contains("--trial-sharpe-std")
        );
        assert!(MintrlReport::of(&[0.1, 0.2], 0.0, 1.0, 252.0).is_err());
    }
}
