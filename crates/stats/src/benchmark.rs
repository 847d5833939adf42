//! Benchmark-relative metrics: alpha, beta, information ratio and tracking error of a strategy's
//! per-period simple returns against a benchmark's (in Gauntlet: buy-and-hold of the same symbol,
//! the close-to-close returns of its bars).
//!
//! Definitions are empyrical's (empyrical-reloaded 0.7.1, as quantopian empyrical 0.5.5), checked to
//! 1e-9 against the values `scripts/reference/benchmark_vectors.py` writes to
//! `tests/reference/benchmark_vectors.json`:
//! - beta = cov(r, b) / var(b), both with `ddof = 0` (`empyrical.beta`); undefined (`NaN`) when the
//!   benchmark's variance is below 1e-30;
//! - alpha, annualised = (1 + mean(r − rf − β (b − rf)))^annualization − 1 (`empyrical.alpha`);
//! - tracking error, annualised = std(r − b, `ddof = 1`) × √annualization;
//! - information ratio, annualised = mean(r − b) / std(r − b, `ddof = 1`) × √annualization
//!   (`empyrical.excess_sharpe`, annualised like the Sharpe ratio); a constant active return has
//!   tracking error 0 and an infinite (or, when it is zero, undefined) ratio. Against buy-and-hold
//!   of the same bars this is the excess Sharpe ratio, Sharpe's ex-post ratio of the differential
//!   return (W. F. Sharpe, "The Sharpe Ratio", Journal of Portfolio Management 21(1), 1994):
//!   the measure for ranking strategies by their return beyond simply holding the market.
//!
//! Returns are fractions per period; `risk_free` is per period; `annualization` is periods per year.
//! The strategy and the benchmark must have one return per period each.

use crate::StatsError;

/// A strategy's figures against a benchmark, annualised where noted (serialises `NaN` as `null`).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct BenchmarkRelative {
    /// Annualised alpha, a fraction (0.05 is 5% a year above what beta explains).
    pub alpha: f64,
    /// Beta: the strategy's return per unit of the benchmark's.
    pub beta: f64,
    /// Annualised information ratio: mean active return over its deviation.
    pub information_ratio: f64,
    /// Annualised tracking error: the deviation of the active return, a fraction.
    pub tracking_error: f64,
}

impl BenchmarkRelative {
    /// The four figures of `returns` against `benchmark` (risk-free rate per period `risk_free`),
    /// (the benchmark prepared, then one pass over the strategy).
    ///
    /// # Errors
    /// [`StatsError::Invalid`] when the two series differ in length.
    pub fn of(
        returns: &[f64],
        benchmark: &[f64],
        risk_free: f64,
        annualization: f64,
    ) -> Result<Self, StatsError> {
        Self::against(
            returns,
            &PreparedBenchmark::new(benchmark),
            risk_free,
            annualization,
        )
    }

    /// [`BenchmarkRelative::of`] against a benchmark prepared once for many strategies: one pass
    /// over `returns`.
    ///
    /// # Errors
    /// [`StatsError::Invalid`] when the strategy and the benchmark differ in length.
    pub fn against(
        returns: &[f64],
        benchmark: &PreparedBenchmark,
        risk_free: f64,
        annualization: f64,
    ) -> Result<Self, StatsError> {
        let moments = Moments::against(returns, benchmark)?;
        Ok(Self {
            alpha: moments.alpha(risk_free, annualization),
            beta: moments.beta(),
            information_ratio: moments.information_ratio(annualization),
            tracking_error: moments.tracking_error(annualization),
        })
    }

    /// The figures with their names, in the order tables show them.
    pub fn named_values(&self) -> [(&'static str, f64); 4] {
        [
            ("alpha", self.alpha),
            ("beta", self.beta),
            ("information_ratio", self.information_ratio),
            ("tracking_error", self.tracking_error),
        ]
    }

    /// All four undefined (`NaN`): what a part without bars has.
    pub fn undefined() -> Self {
        Self {
            alpha: f64::NAN,
            beta: f64::NAN,
            information_ratio: f64::NAN,
            tracking_error: f64::NAN,
        }
    }
}

/// A benchmark's per-period returns with what every strategy's figures against it share: their
/// mean, their variance (`ddof = 0`) and their deviations from the mean, computed once.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PreparedBenchmark {
    returns: Vec<f64>,
    centred: Vec<f64>,
    mean: f64,
    variance: f64,
}

impl PreparedBenchmark {
    /// Prepares `returns` (fractions per period).
    pub fn new(returns: &[f64]) -> Self {
        let size = returns.len().max(1) as f64;
        let mean = returns.iter().sum::<f64>() / size;
        let centred: Vec<f64> = returns.iter().map(|value| value - mean).collect();
        let variance = centred.iter().map(|value| value * value).sum::<f64>() / size;
        Self {
            returns: returns.to_vec(),
            centred,
            mean,
            variance,
        }
    }

    /// The benchmark's returns.
    pub fn returns(&self) -> &[f64] {
        &self.returns
    }
}

/// What every figure is made of: the strategy's mean return and its cross sum with the centred
/// benchmark, the benchmark's mean and variance (prepared once), the active returns' squared
/// deviations and whether they are all equal.
struct Moments {
    count: usize,
    returns_mean: f64,
    benchmark_mean: f64,
    /// mean((b − mean b) × r) and mean((b − mean b)²): covariance and variance, `ddof = 0`.
    covariance: f64,
    variance: f64,
    /// Σ (a − mean a)² of the active returns a = r − b, and whether they are all equal.
    active_squares: f64,
    active_constant: bool,
}

impl Moments {
    fn of(returns: &[f64], benchmark: &[f64]) -> Result<Self, StatsError> {
        Self::against(returns, &PreparedBenchmark::new(benchmark))
    }

    /// One pass over the strategy's returns: their sum, their cross sum with the centred benchmark,
    /// and the active returns' squared deviations, from a shift (the first active return) so that
    /// Σ (a − mean a)² = Σ (a − k)² − n (mean a − k)² keeps its precision.
    fn against(returns: &[f64], benchmark: &PreparedBenchmark) -> Result<Self, StatsError> {
        if returns.len() != benchmark.returns.len() {
            return Err(StatsError::Invalid(format!(
                "the strategy has {} returns and the benchmark {}: they must cover the same periods",
                returns.len(),
                benchmark.returns.len()
            )));
        }
        let count = returns.len();
        let size = count.max(1) as f64;
        let shift = returns
            .first()
            .zip(benchmark.returns.first())
            .map_or(0.0, |(r, b)| r - b);
        let (mut sum, mut cross, mut shifted, mut shifted_squares) = (0.0, 0.0, 0.0, 0.0);
        let mut active_constant = true;
        for ((r, b), centred) in returns
            .iter()
            .zip(&benchmark.returns)
            .zip(&benchmark.centred)
        {
            sum += r;
            cross += centred * r;
            let deviation = (r - b) - shift;
            shifted += deviation;
            shifted_squares += deviation * deviation;
            active_constant &= deviation == 0.0;
        }
        let returns_mean = sum / size;
        Ok(Self {
            count,
            returns_mean,
            benchmark_mean: benchmark.mean,
            covariance: cross / size,
            variance: benchmark.variance,
            active_squares: (shifted_squares - shifted * shifted / size).max(0.0),
            active_constant,
        })
    }

    fn beta(&self) -> f64 {
        if self.count < 2 || self.variance < 1.0e-30 {
            f64::NAN
        } else {
            self.covariance / self.variance
        }
    }

    fn alpha(&self, risk_free: f64, annualization: f64) -> f64 {
        if self.count < 2 {
            return f64::NAN;
        }
        let excess =
            (self.returns_mean - risk_free) - self.beta() * (self.benchmark_mean - risk_free);
        (excess + 1.0).powf(annualization) - 1.0
    }

    /// The active returns' sample deviation (`ddof = 1`), exactly 0 when they are all equal
    /// (empyrical's `_zero_dispersion_std`: the floating-point mean of equal values may differ from
    /// them in the last bit); `NaN` for fewer than two.
    fn active_deviation(&self) -> f64 {
        if self.count < 2 {
            f64::NAN
        } else if self.active_constant {
            0.0
        } else {
            (self.active_squares / (self.count - 1) as f64).sqrt()
        }
    }

    fn tracking_error(&self, annualization: f64) -> f64 {
        self.active_deviation() * annualization.sqrt()
    }

    fn information_ratio(&self, annualization: f64) -> f64 {
        if self.count < 2 {
            return f64::NAN;
        }
        (self.returns_mean - self.benchmark_mean) / self.active_deviation() * annualization.sqrt()
    }
}

/// Beta of `returns` against `benchmark`: cov / var with `ddof = 0`; `NaN` for fewer than two
/// returns or a benchmark whose variance is below 1e-30 (`empyrical.beta`).
///
/// # Errors
/// [`StatsError::Invalid`] when the two series differ in length.
pub fn beta(returns: &[f64], benchmark: &[f64]) -> Result<f64, StatsError> {
    Ok(Moments::of(returns, benchmark)?.beta())
}

/// Annualised alpha: (1 + mean(r − rf − β (b − rf)))^annualization − 1; `NaN` for fewer than two
/// returns or an undefined beta (`empyrical.alpha`).
///
/// # Errors
/// [`StatsError::Invalid`] when the two series differ in length.
pub fn alpha(
    returns: &[f64],
    benchmark: &[f64],
    risk_free: f64,
    annualization: f64,
) -> Result<f64, StatsError> {
    Ok(Moments::of(returns, benchmark)?.alpha(risk_free, annualization))
}

/// Annualised tracking error: std(r − b, `ddof = 1`) × √annualization; `NaN` for fewer than two
/// returns.
///
/// # Errors
/// [`StatsError::Invalid`] when the two series differ in length.
pub fn tracking_error(
    returns: &[f64],
    benchmark: &[f64],
    annualization: f64,
) -> Result<f64, StatsError> {
    Ok(Moments::of(returns, benchmark)?.tracking_error(annualization))
}

/// Annualised information ratio: mean(r − b) / std(r − b, `ddof = 1`) × √annualization
/// (`empyrical.excess_sharpe` × √annualization); `NaN` for fewer than two returns.
///
/// # Errors
/// [`StatsError::Invalid`] when the two series differ in length.
pub fn information_ratio(
    returns: &[f64],
    benchmark: &[f64],
    annualization: f64,
) -> Result<f64, StatsError> {
    Ok(Moments::of(returns, benchmark)?.information_ratio(annualization))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hand_computed_case() {
        // r = 2 b exactly: beta 2, no alpha; active = b, mean 0.005, sample deviation of
        // (0.01, 0, 0.01, 0) = sqrt(4 * 0.005^2 / 3).
        let benchmark = [0.01, 0.0, 0.01, 0.0];
        let returns = [0.02, 0.0, 0.02, 0.0];
        let figures = BenchmarkRelative::of(&returns, &benchmark, 0.0, 1.0).unwrap();
        assert!((figures.beta - 2.0).abs() < 1e-15);
        assert!(figures.alpha.abs() < 1e-15);
        let deviation = (4.0 * 0.005f64.powi(2) / 3.0).sqrt();
        assert!((figures.tracking_error - deviation).abs() < 1e-15);
        assert!((figures.information_ratio - 0.005 / deviation).abs() < 1e-12);
    }

    #[test]
    fn lengths_must_agree() {
        let error = beta(&[0.01, 0.02], &[0.01]).unwrap_err();
        assert!(error.to_string().contains("2 returns and the benchmark 1"));
    }

    #[test]
    fn a_constant_active_return_has_no_tracking_error() {
        // Binary fractions, so every difference is exactly 0.0625.
        let benchmark = [0.5, -0.25, 0.125];
        let returns = [0.5625, -0.1875, 0.1875];
        assert_eq!(tracking_error(&returns, &benchmark, 252.0).unwrap(), 0.0);
        assert_eq!(
            information_ratio(&returns, &benchmark, 252.0).unwrap(),
            f64::INFINITY
        );
    }
}
