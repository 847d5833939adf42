//! Inference on Sharpe ratios: the Probabilistic Sharpe Ratio, the Deflated Sharpe Ratio, the
//! Minimum Track Record Length and the Minimum Backtest Length.
//!
//! Conventions (those of the papers and of pypbo / mlfinlab, whose outputs the tests in
//! `tests/sharpe_inference.rs` match from `tests/reference/psr_dsr_vectors.json`):
//! - Sharpe ratios are **per period** (not annualised) and of the same frequency as the number of
//!   observations `T`, unless a name says `annual`;
//! - `skewness` is the third standardised moment and `kurtosis` the fourth, **not excess** (a normal
//!   distribution has 3); [`SharpeMoments::of`] computes them with the biased (population) estimators,
//!   as `scipy.stats.skew` and `scipy.stats.kurtosis(fisher=False)` do;
//! - the Sharpe ratio of a return series is `mean / std` with `ddof = 1`.
//!
//! Sources: Bailey & López de Prado, "The Sharpe Ratio Efficient Frontier", Journal of Risk 15(2),
//! 2012 (PSR, MinTRL); Bailey & López de Prado, "The Deflated Sharpe Ratio: Correcting for Selection
//! Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio Management 40(5), 2014 (DSR,
//! expected maximum Sharpe ratio); Bailey, Borwein, López de Prado & Zhu, "Pseudo-Mathematics and
//! Financial Charlatanism", Notices of the AMS 61(5), 2014 (MinBTL).

use statrs::distribution::{ContinuousCDF, Normal};

/// The Euler-Mascheroni constant.
const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;

fn standard_normal() -> Normal {
    // Mean 0 and standard deviation 1 are valid parameters.
    Normal::standard()
}

/// Whether every value of `values` is the same (zero variance: the Sharpe ratio is undefined).
pub fn is_constant(values: &[f64]) -> bool {
    values.windows(2).all(|pair| pair[0] == pair[1])
}

/// The note reports carry for a series of equal values: its Sharpe ratio and what rests on it
/// (PSR, MinTRL, DSR) are undefined (`null`), not numbers.
pub const ZERO_VARIANCE_NOTE: &str = "the returns do not vary (zero variance): the Sharpe ratio and \
     everything computed from it are undefined";

/// A return series' per-period Sharpe ratio and the shape of its distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SharpeMoments {
    /// `mean / std (ddof = 1)`, per period.
    pub sharpe: f64,
    /// Biased sample skewness.
    pub skewness: f64,
    /// Biased sample kurtosis, not excess (normal = 3).
    pub kurtosis: f64,
    /// Number of returns `T`.
    pub observations: usize,
}

impl SharpeMoments {
    /// The moments of `returns` (`NaN` fields for fewer than two returns or zero variance: a
    /// series whose values are all equal has no Sharpe ratio, however its floating-point mean
    /// rounds; without this a constant 0.1% a day gave a Sharpe ratio of 2.4e16 and a PSR of 1).
    pub fn of(returns: &[f64]) -> Self {
        if is_constant(returns) {
            return Self {
                sharpe: f64::NAN,
                skewness: f64::NAN,
                kurtosis: f64::NAN,
                observations: returns.len(),
            };
        }
        let count = returns.len();
        let n = count as f64;
        let mean = returns.iter().sum::<f64>() / n;
        let central = |power: i32| {
            returns
                .iter()
                .map(|value| (value - mean).powi(power))
                .sum::<f64>()
                / n
        };
        let (second, third, fourth) = (central(2), central(3), central(4));
        let sample_std = (second * n / (n - 1.0)).sqrt();
        Self {
            sharpe: if count < 2 {
                f64::NAN
            } else {
                mean / sample_std
            },
            skewness: third / second.powf(1.5),
            kurtosis: fourth / (second * second),
            observations: count,
        }
    }
}

/// The Probabilistic Sharpe Ratio: the probability that the true Sharpe ratio exceeds `benchmark`,
/// given an observed `sharpe` over `observations` returns with the given skewness and (non-excess)
/// kurtosis:
/// `PSR = Phi((SR - SR*) sqrt(T - 1) / sqrt(1 - skew SR + (kurt - 1) / 4 SR^2))`
/// (Bailey & López de Prado 2012, eq. 9). Sharpe ratios per period.
pub fn probabilistic_sharpe_ratio(
    sharpe: f64,
    benchmark: f64,
    observations: usize,
    skewness: f64,
    kurtosis: f64,
) -> f64 {
    let spread = 1.0 - skewness * sharpe + (kurtosis - 1.0) / 4.0 * sharpe * sharpe;
    let statistic = (sharpe - benchmark) * ((observations as f64) - 1.0).sqrt() / spread.sqrt();
    standard_normal().cdf(statistic)
}

/// The expected maximum of `trials` independent standard normal draws, by the approximation of
/// Bailey & López de Prado (2014, eq. 4 via the Gumbel limit):
/// `(1 - gamma) Phi^-1(1 - 1/N) + gamma Phi^-1(1 - 1/(N e))`, gamma the Euler-Mascheroni constant.
/// `NaN` for `trials <= 1` (the approximation needs more than one trial).
pub fn expected_maximum_sharpe(trials: f64) -> f64 {
    if trials <= 1.0 {
        return f64::NAN;
    }
    let normal = standard_normal();
    (1.0 - EULER_GAMMA) * normal.inverse_cdf(1.0 - 1.0 / trials)
        + EULER_GAMMA * normal.inverse_cdf(1.0 - 1.0 / (trials * std::f64::consts::E))
}

/// The Deflated Sharpe Ratio's benchmark `SR0 = sqrt(V[SR_n]) E[max_N]`: the Sharpe ratio the best
/// of `trials` skill-less strategies would show, given the standard deviation of the trials' Sharpe
/// ratios (per period; the papers and pypbo assume the trials' mean Sharpe is 0).
pub fn deflated_benchmark(trial_sharpe_std: f64, trials: f64) -> f64 {
    trial_sharpe_std * expected_maximum_sharpe(trials)
}

/// The Deflated Sharpe Ratio: the PSR of the selected strategy against [`deflated_benchmark`], so the
/// number of strategies tried (`trials`) and the dispersion of their Sharpe ratios count against it
/// (Bailey & López de Prado 2014, eq. 2). Sharpe ratios per period.
pub fn deflated_sharpe_ratio(
    sharpe: f64,
    trial_sharpe_std: f64,
    trials: f64,
    observations: usize,
    skewness: f64,
    kurtosis: f64,
) -> f64 {
    probabilistic_sharpe_ratio(
        sharpe,
        deflated_benchmark(trial_sharpe_std, trials),
        observations,
        skewness,
        kurtosis,
    )
}

/// The Minimum Track Record Length: the number of observations needed for the observed `sharpe` to
/// exceed `benchmark` with probability `confidence` (0.95):
/// `MinTRL = 1 + (1 - skew SR + (kurt - 1) / 4 SR^2) (Phi^-1(confidence) / (SR - SR*))^2`
/// (Bailey & López de Prado 2012, eq. 11), in observations; divide by periods per year for years.
/// `NaN` when `sharpe <= benchmark`.
pub fn minimum_track_record_length(
    sharpe: f64,
    benchmark: f64,
    skewness: f64,
    kurtosis: f64,
    confidence: f64,
) -> f64 {
    if sharpe <= benchmark {
        return f64::NAN;
    }
    let spread = 1.0 - skewness * sharpe + (kurtosis - 1.0) / 4.0 * sharpe * sharpe;
    let z = standard_normal().inverse_cdf(confidence);
    1.0 + spread * (z / (sharpe - benchmark)).powi(2)
}

/// The Minimum Backtest Length, in years: how long a backtest must be so that the best of `trials`
/// skill-less configurations is not expected to show an annualised in-sample Sharpe ratio of
/// `annual_sharpe`: `(E[max_N] / SR)^2`, and the upper bound `2 ln(N) / SR^2` (Bailey, Borwein,
/// López de Prado & Zhu 2014). Returns `(MinBTL, upper bound)`.
pub fn minimum_backtest_length(trials: f64, annual_sharpe: f64) -> (f64, f64) {
    (
        (expected_maximum_sharpe(trials) / annual_sharpe).powi(2),
        2.0 * trials.ln() / (annual_sharpe * annual_sharpe),
    )
}
