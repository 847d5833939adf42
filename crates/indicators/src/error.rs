//! [`IndicatorError`]: the errors of gauntlet-indicators.

/// What can go wrong when building an indicator.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IndicatorError {
    /// A period is zero or too small for the indicator.
    #[error("{indicator}: the period must be at least {minimum}, got {period}")]
    InvalidPeriod {
        /// The indicator (`SMA`, `RSI`, ...).
        indicator: &'static str,
        /// The period given.
        period: usize,
        /// The smallest period the indicator accepts.
        minimum: usize,
    },
    /// A parameter other than a period is out of range.
    #[error("{indicator}: {message}")]
    InvalidParameter {
        /// The indicator.
        indicator: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// Reads a period from a saved state and refuses one below `MINIMUM`, as the constructors do, so a
/// corrupted state file is an error when read, never a panic later (`#[serde(deserialize_with =
/// "crate::error::period_at_least::<_, 2>")]`).
pub(crate) fn period_at_least<'de, D, const MINIMUM: usize>(
    deserializer: D,
) -> Result<usize, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let period = <usize as serde::Deserialize>::deserialize(deserializer)?;
    if period < MINIMUM {
        return Err(serde::de::Error::custom(format!(
            "a period of {period}, below the minimum of {MINIMUM}"
        )));
    }
    Ok(period)
}

pub(crate) fn check_period(
    indicator: &'static str,
    period: usize,
    minimum: usize,
) -> Result<(), IndicatorError> {
    if period < minimum {
        Err(IndicatorError::InvalidPeriod {
            indicator,
            period,
            minimum,
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::{Bollinger, Macd, Sma, ZScore};

    #[test]
    fn refuses_invalid_parameters_with_the_indicator_named() {
        assert_eq!(
            Sma::new(0).unwrap_err().to_string(),
            "SMA: the period must be at least 1, got 0"
        );
        assert!(ZScore::new(1).is_err());
        assert!(
            Macd::new(26, 12, 9)
                .unwrap_err()
                .to_string()
                .contains("shorter")
        );
        assert!(Bollinger::new(20, f64::NAN).is_err());
        assert!(Bollinger::new(20, -1.0).is_err());
    }
}
