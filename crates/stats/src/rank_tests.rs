//! Rank tests for comparing two searches without assuming normal fitness: the one-sided
//! Mann-Whitney U test (Mann & Whitney, "On a test of whether one of two random variables is
//! stochastically larger than the other", Annals of Mathematical Statistics 18(1), 1947), computed
//! by `statrs` (`stats_tests::mannwhitneyu`, aligned with `scipy.stats.mannwhitneyu`) with the
//! normal approximation, tie correction and continuity correction (SciPy's
//! `method="asymptotic"`). statrs 0.19.1's exact method returns the complement of the one-sided
//! p-value when the first sample is not larger than the second (equal sizes included, as in a
//! study), so it is not used.

use statrs::stats_tests::Alternative;
use statrs::stats_tests::mannwhitneyu::{MannWhitneyUMethod, mannwhitneyu};

use crate::error::StatsError;

/// The one-sided test that `first` tends to be larger than `second`: the U statistic of `first`
/// (the number of pairs where `first`'s value is larger, ties counting one half) and the p-value
/// (`scipy.stats.mannwhitneyu(first, second, alternative="greater", method="asymptotic")`).
/// Infinite values rank as
/// the extremes (an ineligible outcome can be passed as negative infinity).
///
/// # Errors
/// [`StatsError::Invalid`] when either sample is empty or holds `NaN`.
pub fn mann_whitney_greater(first: &[f64], second: &[f64]) -> Result<(f64, f64), StatsError> {
    if first.is_empty() || second.is_empty() {
        return Err(StatsError::Invalid(
            "the Mann-Whitney U test needs at least one value in each sample".into(),
        ));
    }
    if first.iter().chain(second).any(|value| value.is_nan()) {
        return Err(StatsError::Invalid(
            "the Mann-Whitney U test cannot rank NaN".into(),
        ));
    }
    mannwhitneyu(
        first,
        second,
        MannWhitneyUMethod::AsymptoticInclContinuityCorrection,
        Alternative::Greater,
    )
    .map_err(|error| StatsError::Invalid(format!("Mann-Whitney U test: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values from `scipy.stats.mannwhitneyu(x, y, alternative="greater", method="asymptotic")`
    /// (SciPy 1.16); within 1e-10, the two normal CDFs' (statrs' erfc and SciPy's ndtr) difference.
    #[test]
    fn matches_scipy() {
        // SciPy's documentation example: U = 17 (exact p 1/18).
        let (u, p) =
            mann_whitney_greater(&[19.0, 22.0, 16.0, 29.0, 24.0], &[20.0, 11.0, 17.0, 12.0])
                .unwrap();
        assert_eq!(u, 17.0);
        assert!((p - 0.055673443266570206).abs() < 1e-10, "{p}");
        // Eight against eight, no ties: U = 57 (exact p 0.0035).
        let (u, p) = mann_whitney_greater(
            &[0.31, 0.12, 0.55, 0.47, 0.2, 0.61, 0.05, 0.38],
            &[0.1, -0.2, 0.22, 0.03, -0.05, 0.15, 0.0, 0.09],
        )
        .unwrap();
        assert_eq!(u, 57.0);
        assert!((p - 0.005040846941929832).abs() < 1e-10, "{p}");
        // 21 against 21 with a tie: U = 385.5.
        let first = [
            0.31, 0.12, 0.55, 0.47, 0.2, 0.61, 0.05, 0.38, 0.09, 0.7, 0.33, 0.41, 0.27, 0.5, 0.18,
            0.66, 0.42, 0.36, 0.24, 0.58, 0.15,
        ];
        let second = [
            0.1, -0.2, 0.22, 0.03, -0.05, 0.15, 0.0, 0.09, 0.13, 0.3, 0.25, -0.1, 0.06, 0.02, 0.19,
            0.11, 0.07, -0.02, 0.04, 0.21, 0.33,
        ];
        let (u, p) = mann_whitney_greater(&first, &second).unwrap();
        assert_eq!(u, 385.5);
        assert!((p - 1.7469878484490533e-05).abs() < 1e-10, "{p}");
    }

    #[test]
    fn empty_or_nan_samples_are_refused() {
        assert!(mann_whitney_greater(&[], &[1.0]).is_err());
        assert!(mann_whitney_greater(&[f64::NAN], &[1.0]).is_err());
        // Negative infinity (no eligible champion) ranks lowest.
        let (u, p) = mann_whitney_greater(&[f64::NEG_INFINITY], &[0.0]).unwrap();
        assert_eq!(u, 0.0);
        assert!((p - 0.9772498680518208).abs() < 1e-10, "{p}");
    }
}
