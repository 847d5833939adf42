//! Goodness of fit: the one-sample Kolmogorov-Smirnov test of a sample against the uniform
//! distribution on [0, 1], for checking that a test's p-values are calibrated (under the null,
//! p-values are uniform).
//!
//! The statistic is `D = sup |F_n(x) − x|` (Kolmogorov, 1933); the p-value is twice the exact
//! one-sided tail probability of Birnbaum & Tingey ("One-sided confidence contours for probability
//! distribution functions", Annals of Mathematical Statistics 22(4), 1951), both computed by
//! `statrs` (`stats_tests::ks_test::ks_onesample`, `TwoSidedApproximate`). That is SciPy's
//! `scipy.stats.kstest(sample, "uniform", method="approx")`; against SciPy's default exact
//! two-sided p-value (Simard & L'Ecuyer 2011) it differs by under 1e-6 where p ≤ 0.05 and grows
//! to about 0.07 near p = 0.8 (it is never smaller), which is what a calibration check (is
//! p above 0.01?) needs. statrs' exact two-sided method needs its `nalgebra` feature and refuses
//! more than 169 values or any tie; the asymptotic one ignores the sample size.

use statrs::distribution::Uniform;
use statrs::stats_tests::NaNPolicy;
use statrs::stats_tests::ks_test::{KSOneSampleAlternativeMethod, ks_onesample};

use crate::StatsError;

/// Most values a Kolmogorov-Smirnov test takes: beyond about a thousand the Birnbaum-Tingey sum's
/// binomial coefficients overflow a double.
pub const MAX_KOLMOGOROV_SMIRNOV_SAMPLE: usize = 1_000;

/// The two-sided one-sample Kolmogorov-Smirnov test of `sample` against the uniform distribution
/// on [0, 1]: the statistic `D` and its p-value (module documentation). Values outside [0, 1]
/// are allowed (they make `D` large).
///
/// # Errors
/// [`StatsError::Invalid`] when the sample has fewer than two values or a `NaN`;
/// [`StatsError::OverLimit`] when it has more than [`MAX_KOLMOGOROV_SMIRNOV_SAMPLE`].
pub fn kolmogorov_smirnov_uniform(sample: &[f64]) -> Result<(f64, f64), StatsError> {
    if sample.len() > MAX_KOLMOGOROV_SMIRNOV_SAMPLE {
        return Err(StatsError::OverLimit {
            quantity: "Kolmogorov-Smirnov sample",
            value: sample.len(),
            maximum: MAX_KOLMOGOROV_SMIRNOV_SAMPLE,
        });
    }
    if sample.len() < 2 {
        return Err(StatsError::Invalid(
            "the Kolmogorov-Smirnov test needs at least two values".into(),
        ));
    }
    if sample.iter().any(|value| value.is_nan()) {
        return Err(StatsError::Invalid(
            "the Kolmogorov-Smirnov test cannot take NaN".into(),
        ));
    }
    let uniform = Uniform::new(0.0, 1.0)
        .map_err(|error| StatsError::Invalid(format!("uniform distribution: {error}")))?;
    ks_onesample(
        sample.to_vec(),
        &uniform,
        KSOneSampleAlternativeMethod::TwoSidedApproximate,
        NaNPolicy::Error,
    )
    .map_err(|error| StatsError::Invalid(format!("Kolmogorov-Smirnov test: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand computation: for (0.1, 0.4, 0.7) the empirical distribution's steps above the
    /// uniform's are 1/3 − 0.1, 2/3 − 0.4 and 1 − 0.7, and below it 0.1, 0.4 − 1/3 and 0.7 − 2/3;
    /// D = 1 − 0.7 = 0.3.
    #[test]
    fn the_statistic_matches_a_hand_computation() {
        let (statistic, p_value) = kolmogorov_smirnov_uniform(&[0.7, 0.1, 0.4]).unwrap();
        assert!((statistic - 0.3).abs() < 1e-15, "{statistic}");
        assert!(p_value > 0.5);
    }

    #[test]
    fn bad_samples_are_refused() {
        assert!(kolmogorov_smirnov_uniform(&[0.5]).is_err());
        assert!(kolmogorov_smirnov_uniform(&[0.5, f64::NAN]).is_err());
        let error = kolmogorov_smirnov_uniform(&vec![0.5; 1_001]).unwrap_err();
        assert!(matches!(error, StatsError::OverLimit { .. }), "{error}");
    }
}
