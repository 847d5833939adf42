//! A returns series as a user gives it: from an equity curve or returns, and every metric of it at
//! once (`gauntlet stats metrics`).

use serde::Serialize;

use crate::error::StatsError;
use crate::returns;

/// Simple returns of an equity curve: `equity[t] / equity[t - 1] - 1`, one fewer than the values.
///
/// # Errors
/// [`StatsError::Invalid`] naming the 1-based position of a value that is not positive.
pub fn returns_from_equity(equity: &[f64]) -> Result<Vec<f64>, StatsError> {
    if let Some(bad) = equity
        .iter()
        .position(|value| value.is_nan() || *value <= 0.0)
    {
        return Err(StatsError::Invalid(format!(
            "equity must be positive (value {} is {})",
            bad + 1,
            equity[bad]
        )));
    }
    Ok(equity
        .windows(2)
        .map(|pair| pair[1] / pair[0] - 1.0)
        .collect())
}

/// Checks a series of simple returns before any statistic: at least 2 values, each finite and at
/// least -1 (a return below -100% loses more than everything, which compounding cannot represent:
/// usually a column in percent rather than a fraction).
///
/// # Errors
/// [`StatsError::Invalid`] naming the 1-based position and the value of the first bad return.
pub fn check_returns(returns: &[f64]) -> Result<(), StatsError> {
    if returns.len() < 2 {
        return Err(StatsError::Invalid(format!(
            "need at least 2 returns, got {}",
            returns.len()
        )));
    }
    if let Some(bad) = returns
        .iter()
        .position(|value| !value.is_finite() || *value < -1.0)
    {
        return Err(StatsError::Invalid(format!(
            "return {} is {}: returns must be finite fractions of at least -1 (-100%); is the column in percent?",
            bad + 1,
            returns[bad]
        )));
    }
    Ok(())
}

/// Every metric of one returns series (empyrical's definitions, see [`crate::returns`]; fractions;
/// annualised with `bars_per_year`; `NaN` where undefined, `null` in JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesMetrics {
    /// Returns in the series.
    pub periods: usize,
    /// Periods per year used to annualise.
    pub bars_per_year: f64,
    /// Compounded total return.
    pub total_return: f64,
    /// Compound annual growth rate.
    pub cagr: f64,
    /// Annualised standard deviation.
    pub annual_volatility: f64,
    /// Annualised Sharpe ratio (risk-free 0).
    pub sharpe: f64,
    /// Annualised Sortino ratio (required return 0).
    pub sortino: f64,
    /// Maximum drawdown, <= 0.
    pub max_drawdown: f64,
    /// Longest time under water, periods.
    pub max_drawdown_periods: usize,
    /// CAGR / |maximum drawdown|.
    pub calmar: f64,
    /// Omega ratio at a 0 threshold.
    pub omega: f64,
    /// |95th percentile| / |5th percentile|.
    pub tail_ratio: f64,
    /// R² of the cumulative log return against time.
    pub stability: f64,
    /// 5% historical value at risk (a return, usually negative).
    pub value_at_risk_5pct: f64,
    /// 5% conditional value at risk (expected shortfall).
    pub conditional_value_at_risk_5pct: f64,
    /// Why a figure is undefined (`null`), when one is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl SeriesMetrics {
    /// The metrics of `returns` (fractions per period), annualised with `bars_per_year`.
    pub fn of(returns: &[f64], bars_per_year: f64) -> Self {
        let r = returns;
        // Equal values have no Sharpe ratio, whatever their rounded standard deviation says.
        let constant = crate::sharpe_inference::is_constant(r);
        Self {
            periods: r.len(),
            bars_per_year,
            total_return: returns::total_return(r),
            cagr: returns::annual_return(r, bars_per_year),
            annual_volatility: returns::annual_volatility(r, bars_per_year),
            sharpe: if constant {
                f64::NAN
            } else {
                returns::sharpe_ratio(r, 0.0, bars_per_year)
            },
            sortino: returns::sortino_ratio(r, 0.0, bars_per_year),
            max_drawdown: returns::max_drawdown(r),
            max_drawdown_periods: returns::max_drawdown_duration(r),
            calmar: returns::calmar_ratio(r, bars_per_year),
            omega: returns::omega_ratio(r, 0.0, 0.0, bars_per_year),
            tail_ratio: returns::tail_ratio(r),
            stability: returns::stability_of_timeseries(r),
            value_at_risk_5pct: returns::value_at_risk(r, 0.05),
            conditional_value_at_risk_5pct: returns::conditional_value_at_risk(r, 0.05),
            notes: constant
                .then(|| crate::sharpe_inference::ZERO_VARIANCE_NOTE.to_string())
                .into_iter()
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_below_minus_one_or_not_finite_are_refused() {
        assert!(check_returns(&[0.01, -0.02]).is_ok());
        assert!(check_returns(&[0.01, -1.0]).is_ok());
        let error = check_returns(&[0.01, -5.12, 0.0]).unwrap_err().to_string();
        assert!(error.contains("return 2 is -5.12"), "{error}");
        assert!(check_returns(&[0.01, f64::NAN]).is_err());
        assert!(check_returns(&[0.01]).is_err());
    }

    #[test]
    fn returns_of_an_equity_curve_by_hand() {
        // 100 -> 110 (+10%) -> 99 (-10%) -> 99 (0%).
        let returns = returns_from_equity(&[100.0, 110.0, 99.0, 99.0]).expect("positive");
        let expected = [0.1, -0.1, 0.0];
        for (value, expected) in returns.iter().zip(expected) {
            assert!((value - expected).abs() < 1e-15, "{value} vs {expected}");
        }
        let error = returns_from_equity(&[100.0, 0.0]).expect_err("zero equity");
        assert!(error.to_string().contains("value 2 is 0"), "{error}");
        assert!(returns_from_equity(&[100.0, f64::NAN]).is_err());
    }

    #[test]
    fn two_periods_of_ten_percent_compound() {
        let metrics = SeriesMetrics::of(&[0.1, 0.1], 252.0);
        assert_eq!(metrics.periods, 2);
        assert!((metrics.total_return - 0.21).abs() < 1e-12);
        assert_eq!(metrics.max_drawdown, 0.0);
    }
}
