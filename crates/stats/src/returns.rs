//! Metrics of a series of simple, non-cumulative, per-period returns, as empyrical defines them.
//!
//! Conventions (empyrical 0.5.5 / empyrical-reloaded 0.7.1): a return is a fraction per period (0.01 is
//! +1%); `risk_free` and `required_return` of Sharpe, Sortino and downside risk are per period;
//! standard deviations use `ddof = 1`; drawdowns are measured from the starting value (a start of 1.0
//! before the first return); percentiles interpolate linearly (numpy's default). `annualization` is the
//! number of periods per year (252 for exchange daily bars, 365 for 24/7 daily bars). A metric that is
//! undefined (too few returns, zero deviation) is `NaN`, as in empyrical.

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.iter().sum::<f64>() / values.len() as f64
}

/// Sample standard deviation (`ddof = 1`); `NaN` for fewer than two values.
pub fn sample_std(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return f64::NAN;
    }
    let average = mean(values);
    let squares: f64 = values.iter().map(|value| (value - average).powi(2)).sum();
    (squares / (values.len() - 1) as f64).sqrt()
}

/// Linear-interpolation percentile (numpy's default), `percent` in 0..=100; `NaN` when empty.
pub fn percentile(values: &[f64], percent: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    // The two order statistics around the position, found by selection (O(n)) rather than a sort:
    // the same values a sorted copy would hold at those ranks.
    let mut scratch = values.to_vec();
    let position = percent / 100.0 * (scratch.len() - 1) as f64;
    let lower = position.floor() as usize;
    let upper = position.ceil() as usize;
    let (_, lower_value, above) = scratch.select_nth_unstable_by(lower, f64::total_cmp);
    let lower_value = *lower_value;
    let upper_value = if upper == lower {
        lower_value
    } else {
        above
            .iter()
            .copied()
            .min_by(f64::total_cmp)
            .unwrap_or(lower_value)
    };
    lower_value + (upper_value - lower_value) * (position - lower as f64)
}

/// Cumulative return after each period: `prod(1 + r[..=t]) - 1`.
pub fn cumulative_returns(returns: &[f64]) -> Vec<f64> {
    let mut growth = 1.0;
    returns
        .iter()
        .map(|value| {
            growth *= 1.0 + value;
            growth - 1.0
        })
        .collect()
}

/// Total compounded return: `prod(1 + r) - 1` (empyrical `cum_returns_final`); 0 when empty.
pub fn total_return(returns: &[f64]) -> f64 {
    returns
        .iter()
        .fold(1.0, |growth, value| growth * (1.0 + value))
        - 1.0
}

/// Compound annual growth rate: `(1 + total_return)^(annualization / n) - 1` (empyrical
/// `annual_return`, alias `cagr`).
pub fn annual_return(returns: &[f64], annualization: f64) -> f64 {
    if returns.is_empty() {
        return f64::NAN;
    }
    let years = returns.len() as f64 / annualization;
    (1.0 + total_return(returns)).powf(1.0 / years) - 1.0
}

/// Annualised volatility: `std(r, ddof=1) * sqrt(annualization)` (empyrical `annual_volatility`).
pub fn annual_volatility(returns: &[f64], annualization: f64) -> f64 {
    sample_std(returns) * annualization.sqrt()
}

/// Annualised Sharpe ratio: `mean(r - rf) / std(r - rf, ddof=1) * sqrt(annualization)`, `risk_free`
/// per period (empyrical `sharpe_ratio`; Sharpe 1966/1994).
pub fn sharpe_ratio(returns: &[f64], risk_free: f64, annualization: f64) -> f64 {
    let excess: Vec<f64> = returns.iter().map(|value| value - risk_free).collect();
    mean(&excess) / sample_std(&excess) * annualization.sqrt()
}

/// Annualised downside deviation below `required_return` (per period):
/// `sqrt(mean(min(r - required, 0)^2)) * sqrt(annualization)` (empyrical `downside_risk`).
pub fn downside_risk(returns: &[f64], required_return: f64, annualization: f64) -> f64 {
    let squares: Vec<f64> = returns
        .iter()
        .map(|value| (value - required_return).min(0.0).powi(2))
        .collect();
    mean(&squares).sqrt() * annualization.sqrt()
}

/// Annualised Sortino ratio: `mean(r - required) * annualization / downside_risk` (empyrical
/// `sortino_ratio`; Sortino & Price 1994). `required_return` is per period.
pub fn sortino_ratio(returns: &[f64], required_return: f64, annualization: f64) -> f64 {
    let excess: Vec<f64> = returns
        .iter()
        .map(|value| value - required_return)
        .collect();
    mean(&excess) * annualization / downside_risk(returns, required_return, annualization)
}

/// Drawdown after each period, a fraction <= 0, measured from the running peak of the value curve
/// that starts at 1 before the first return (empyrical's anchoring).
pub fn drawdown_series(returns: &[f64]) -> Vec<f64> {
    let mut value = 1.0f64;
    let mut peak = 1.0f64;
    returns
        .iter()
        .map(|ret| {
            value *= 1.0 + ret;
            peak = peak.max(value);
            (value - peak) / peak
        })
        .collect()
}

/// Maximum drawdown, a fraction <= 0 (-0.2 is a 20% fall from a peak; empyrical `max_drawdown`).
pub fn max_drawdown(returns: &[f64]) -> f64 {
    drawdown_series(returns).into_iter().fold(0.0, f64::min)
}

/// The longest stretch, in periods, spent below a previous peak (from the first period under water to
/// the recovery, or to the end when never recovered).
pub fn max_drawdown_duration(returns: &[f64]) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for drawdown in drawdown_series(returns) {
        if drawdown < 0.0 {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

/// Calmar ratio: `annual_return / |max_drawdown|`; `NaN` without a drawdown (empyrical
/// `calmar_ratio`; Young 1991).
pub fn calmar_ratio(returns: &[f64], annualization: f64) -> f64 {
    let drawdown = max_drawdown(returns);
    if drawdown < 0.0 {
        annual_return(returns, annualization) / drawdown.abs()
    } else {
        f64::NAN
    }
}

/// Omega ratio (Keating & Shadwick 2002; empyrical `omega_ratio`): the sum of returns above the
/// threshold over the sum below it, with threshold `(1 + required_return)^(1 / annualization) - 1`
/// (`required_return` **annual**) plus `risk_free` (**per period**). `NaN` with nothing below.
pub fn omega_ratio(
    returns: &[f64],
    risk_free: f64,
    required_return: f64,
    annualization: f64,
) -> f64 {
    if required_return <= -1.0 {
        return f64::NAN;
    }
    let threshold = if annualization == 1.0 {
        required_return
    } else {
        (1.0 + required_return).powf(1.0 / annualization) - 1.0
    };
    let (mut above, mut below) = (0.0, 0.0);
    for value in returns {
        let excess = value - risk_free - threshold;
        if excess > 0.0 {
            above += excess;
        } else {
            below -= excess;
        }
    }
    if below > 0.0 { above / below } else { f64::NAN }
}

/// Tail ratio: `|95th percentile| / |5th percentile|` of the returns (empyrical `tail_ratio`).
pub fn tail_ratio(returns: &[f64]) -> f64 {
    percentile(returns, 95.0).abs() / percentile(returns, 5.0).abs()
}

/// [`tail_ratio`] for a series with many zero returns (a strategy out of the market): the same
/// order statistics, found by selection among the negative and the positive returns only (the
/// zeros sit between them), from one copy of the non-zero returns in a buffer reused per thread.
/// The same value as [`tail_ratio`] (a zero's sign aside, which the absolute values drop).
pub(crate) fn tail_ratio_sparse(returns: &[f64]) -> f64 {
    if returns.is_empty() {
        return f64::NAN;
    }
    thread_local! {
        static SCRATCH: std::cell::RefCell<(Vec<i64>, Vec<i64>)> =
            const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
    }
    SCRATCH.with_borrow_mut(|(below, above)| {
        // Without branches: every value is written to both buffers and each buffer's length
        // advances only when the value belongs there (the signs of returns are unpredictable, so
        // an `if` per value costs a mispredicted branch half the time). Same contents, same order.
        // The buffers only ever grow: what an earlier series left past this one's counts is never
        // read, so they need no clearing (zeroing both per series cost as much as the split).
        // They end up holding each value's `total_cmp` key (see [`from_total_order_key`]), so the
        // selections below compare integers.
        if below.len() < returns.len() {
            below.resize(returns.len(), 0);
            above.resize(returns.len(), 0);
        }
        // In `total_cmp` order the zeros (-0.0 and 0.0) sit between the values below them (those
        // with the sign bit set: negative numbers and a negative `NaN`) and those above (positive
        // numbers and a positive `NaN`). Read as integers, a value's bits are negative below the
        // zeros (-0.0 is `i64::MIN`) and positive above them.
        let (mut below_count, mut above_count) = (0, 0);
        for &value in returns {
            let bits = value.to_bits() as i64;
            below[below_count] = bits;
            below_count += usize::from(bits < 0 && bits != i64::MIN);
            above[above_count] = bits;
            above_count += usize::from(bits > 0);
        }
        let (below, above) = (&mut below[..below_count], &mut above[..above_count]);
        // Bits to `total_cmp` keys: the sign bit set flips the others; clear, nothing changes.
        for bits in below.iter_mut() {
            *bits ^= i64::MAX;
        }
        let zeros = returns.len() - below.len() - above.len();
        let mut percentile = |percent: f64| {
            let position = percent / 100.0 * (returns.len() - 1) as f64;
            let lower = position.floor() as usize;
            let (lower_value, next_value) = ranked_pair(below, zeros, above, lower);
            let upper_value = if position.ceil() as usize == lower {
                lower_value
            } else {
                next_value
            };
            lower_value + (upper_value - lower_value) * (position - lower as f64)
        };
        let high = percentile(95.0);
        let low = percentile(5.0);
        high.abs() / low.abs()
    })
}

/// The value whose `total_cmp` key is `key`. The key is the integer whose order is
/// `f64::total_cmp`'s order of the values (the transformation the standard library's `total_cmp`
/// applies before comparing): a value's bits as an `i64`, all but the sign flipped when the sign
/// is set, so that larger magnitudes sort lower. The transformation is its own inverse.
#[inline(always)]
fn from_total_order_key(key: i64) -> f64 {
    f64::from_bits((key ^ ((((key >> 63) as u64) >> 1) as i64)) as u64)
}

/// The values at `rank` and `rank + 1` (the latter `NaN` past the end) of the series whose
/// values below zero are `below` (a negative `NaN` among them), then `zeros` zeros, then the
/// values above zero `above` (a positive `NaN` among them), each held as its `total_cmp` key (see
/// [`from_total_order_key`]), in `f64::total_cmp` order: one selection in the group holding
/// `rank`, then the smallest value after it.
fn ranked_pair(below: &mut [i64], zeros: usize, above: &mut [i64], rank: usize) -> (f64, f64) {
    let smallest = |keys: &[i64]| keys.iter().copied().min().map(from_total_order_key);
    if rank < below.len() {
        let (_, key, rest) = below.select_nth_unstable(rank);
        let value = from_total_order_key(*key);
        let next = match smallest(rest) {
            Some(next) => next,
            None if zeros > 0 => 0.0,
            None => smallest(above).unwrap_or(f64::NAN),
        };
        (value, next)
    } else if rank < below.len() + zeros {
        let next = if rank + 1 < below.len() + zeros {
            0.0
        } else {
            smallest(above).unwrap_or(f64::NAN)
        };
        (0.0, next)
    } else {
        let (_, key, rest) = above.select_nth_unstable(rank - below.len() - zeros);
        (
            from_total_order_key(*key),
            smallest(rest).unwrap_or(f64::NAN),
        )
    }
}

/// Stability: R² of a least-squares line through the cumulative log returns `cumsum(ln(1 + r))`
/// against the period index (empyrical `stability_of_timeseries`, via scipy `linregress`).
pub fn stability_of_timeseries(returns: &[f64]) -> f64 {
    if returns.len() < 2 {
        return f64::NAN;
    }
    let mut total = 0.0;
    let cumulative: Vec<f64> = returns
        .iter()
        .map(|value| {
            total += value.ln_1p();
            total
        })
        .collect();
    r_squared_against_index(&cumulative)
}

/// R² of a least-squares line through `values` against their index (scipy `linregress`'s
/// `rvalue` squared, two-pass sums); `NaN` for fewer than two values or a flat series.
pub(crate) fn r_squared_against_index(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return f64::NAN;
    }
    r_squared_about(values, mean(values))
}

/// [`r_squared_against_index`] given the mean of `values` (`mean_y`, computed as
/// `values.iter().sum() / len`), for a caller that has summed them in another pass.
pub(crate) fn r_squared_about(values: &[f64], mean_y: f64) -> f64 {
    if values.len() < 2 {
        return f64::NAN;
    }
    let count = values.len() as f64;
    let mean_x = (count - 1.0) / 2.0;
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for (index, y) in values.iter().enumerate() {
        let dx = index as f64 - mean_x;
        let dy = y - mean_y;
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    r_squared_from_sums(sxx, syy, sxy)
}

/// R² from the sums of [`r_squared_about`]'s loop: Σ dx², Σ dy², Σ dx·dy about the means (at
/// least two values); `NaN` when either variable is constant.
pub(crate) fn r_squared_from_sums(sxx: f64, syy: f64, sxy: f64) -> f64 {
    if sxx == 0.0 || syy == 0.0 {
        return f64::NAN;
    }
    let correlation = (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0);
    correlation * correlation
}

/// Historical value at risk: the `cutoff` percentile of the returns (0.05 for 95% VaR; empyrical
/// `value_at_risk`), a fraction, negative for a loss.
pub fn value_at_risk(returns: &[f64], cutoff: f64) -> f64 {
    percentile(returns, 100.0 * cutoff)
}

/// Conditional value at risk (expected shortfall): the mean of the `floor((n - 1) * cutoff) + 1`
/// worst returns (empyrical `conditional_value_at_risk`).
pub fn conditional_value_at_risk(returns: &[f64], cutoff: f64) -> f64 {
    if returns.is_empty() {
        return f64::NAN;
    }
    let mut sorted = returns.to_vec();
    sorted.sort_by(f64::total_cmp);
    let worst = ((returns.len() - 1) as f64 * cutoff) as usize + 1;
    mean(&sorted[..worst])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawdown_duration_by_hand() {
        // Values 1.1, 0.55, 0.66, 1.32, 1.188: under the 1.1 peak for 2 periods, then under 1.32 for 1.
        let returns = [0.1, -0.5, 0.2, 1.0, -0.1];
        assert_eq!(max_drawdown_duration(&returns), 2);
        assert!((max_drawdown(&returns) + 0.5).abs() < 1e-15);
        assert_eq!(max_drawdown_duration(&[0.01, 0.02]), 0);
    }

    #[test]
    fn percentiles_interpolate_linearly() {
        // numpy.percentile([1, 2, 3, 4], 25) = 1.75.
        assert_eq!(percentile(&[4.0, 1.0, 3.0, 2.0], 25.0), 1.75);
        assert!(percentile(&[], 50.0).is_nan());
        // numpy.percentile([5, 1, 9, 3, 7], 95) = 8.6; of a single value, that value.
        assert!((percentile(&[5.0, 1.0, 9.0, 3.0, 7.0], 95.0) - 8.6).abs() < 1e-12);
        assert_eq!(percentile(&[2.5], 5.0), 2.5);
    }

    proptest::proptest! {
        /// Selection gives the values a sorted copy holds at the same ranks.
        #[test]
        fn selection_matches_sorting(
            values in proptest::collection::vec(-1.0f64..1.0, 1..200),
            percent in 0.0f64..=100.0,
        ) {
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let position = percent / 100.0 * (sorted.len() - 1) as f64;
            let (lower, upper) = (position.floor() as usize, position.ceil() as usize);
            let expected = sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower as f64);
            proptest::prop_assert_eq!(percentile(&values, percent).to_bits(), expected.to_bits());
        }

        /// The sparse tail ratio is the tail ratio, bit for bit, with many, few or no zeros.
        #[test]
        fn sparse_tail_ratio_is_the_tail_ratio(
            values in proptest::collection::vec(
                proptest::prop_oneof![3 => proptest::strategy::Just(0.0f64), 2 => -0.2f64..0.2],
                1..300,
            ),
        ) {
            proptest::prop_assert_eq!(
                tail_ratio_sparse(&values).to_bits(),
                tail_ratio(&values).to_bits()
            );
        }

        /// The same with the values a broken input can hold: `NaN` (of either sign), infinities
        /// and negative zeros, whose place in `total_cmp`'s order the selections must keep.
        #[test]
        fn sparse_tail_ratio_orders_special_values_as_the_tail_ratio(
            values in proptest::collection::vec(
                proptest::prop_oneof![
                    3 => proptest::strategy::Just(0.0f64),
                    1 => proptest::strategy::Just(-0.0f64),
                    1 => proptest::strategy::Just(f64::NAN),
                    1 => proptest::strategy::Just(-f64::NAN),
                    1 => proptest::strategy::Just(f64::INFINITY),
                    1 => proptest::strategy::Just(f64::NEG_INFINITY),
                    4 => -0.2f64..0.2,
                ],
                1..300,
            ),
        ) {
            let (sparse, full) = (tail_ratio_sparse(&values), tail_ratio(&values));
            proptest::prop_assert!(
                sparse.to_bits() == full.to_bits() || (sparse.is_nan() && full.is_nan()),
                "{} against {}", sparse, full
            );
        }
    }

    #[test]
    fn sparse_tail_ratio_edge_cases() {
        // All zero: 0 / 0. One sign only: a zero tail on the other side.
        assert!(tail_ratio_sparse(&[0.0; 5]).is_nan() && tail_ratio(&[0.0; 5]).is_nan());
        let positive = [0.01, 0.0, 0.02, 0.0, 0.03];
        assert_eq!(tail_ratio_sparse(&positive), tail_ratio(&positive));
        let negative = [-0.01, -0.02, 0.0];
        assert_eq!(tail_ratio_sparse(&negative), tail_ratio(&negative));
        assert!(tail_ratio_sparse(&[]).is_nan());
    }
}
