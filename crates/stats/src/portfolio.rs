//! A portfolio of champions whose daily returns do not move together: daily returns on a common
//! calendar, their pairwise correlations, a greedy pick under a maximum correlation, weights, and
//! the portfolio's combined daily returns, so that a user with six champions can ask which of them
//! to run together. StrategyQuant's tools do the same over daily profit and loss: QuantAnalyzer's
//! Portfolio Master filters portfolios by the correlation of their strategies "by day" of "daily
//! Profit/Loss" (<https://strategyquant.com/doc/quantanalyzer/portfolio-correlation-explained/>),
//! and SQX's correlation filter keeps, of two strategies correlated above the threshold, the one
//! with the higher fitness (<https://strategyquant.com/codebase/correlation-filter-custom-analysis>).
//! Gauntlet correlates daily returns (fractions) rather than money, because its accounts compound:
//! the same strategy makes more money per day as its equity grows, and returns do not.
//!
//! **Daily returns.** A member's daily return for UTC day `d` is its equity at the close of its last
//! bar of day `d` over the same at the day before it has, minus 1 (the first day against the
//! starting equity): [`daily_returns_from_equity`], pandas'
//! `equity.resample("1D").last().dropna().pct_change()` with the start prepended.
//!
//! **The common calendar** ([`align_daily_returns`]). Members may trade different markets (an
//! exchange closed at weekends and on its holidays, a crypto market every day) and cover different
//! spans (validation windows of different runs). The common calendar is every day that any member
//! has, within the span that all members cover (from the latest first day to the earliest last
//! day, both included). A member with no return on a day of the calendar (its market was closed)
//! gets 0 for it: its equity did not move that day. Days outside the common span are dropped: a
//! member did not exist there, and a 0 would be invented data.
//!
//! **Correlation** ([`correlation_matrix`]): Pearson's correlation of the aligned daily returns,
//! `sum((x - mean x)(y - mean y)) / sqrt(sum((x - mean x)^2) sum((y - mean y)^2))`, clipped to
//! [-1, 1], as numpy's `corrcoef` and pandas' `DataFrame.corr()` compute it; `NaN` where a member's
//! returns do not vary (it never traded in the span).
//!
//! **Selection** ([`select_uncorrelated`]): greedy by fitness. Candidates are visited from the
//! highest fitness to the lowest (equal fitness: the lower candidate index first); one whose
//! fitness is `NaN` or whose returns do not vary is skipped; each other is taken when its
//! correlation with every member already taken is at most `max_correlation` (a signed bound:
//! negatively correlated members diversify and always pass a bound at or above 0), until
//! `max_members` are taken. The first candidate visited is always taken, so the portfolio holds
//! the best champion; every pair of members correlates at most `max_correlation`.
//!
//! **Weights** ([`portfolio_weights`]): equal (`1 / n`), or inverse volatility,
//! `w_i = (1 / sigma_i) / sum_j (1 / sigma_j)` with `sigma_i` the sample standard deviation
//! (`ddof = 1`, pandas' default) of member `i`'s aligned daily returns: the equal-risk-contribution
//! portfolio when all correlations are equal (Maillard, Roncalli and Teiletche, "The Properties of
//! Equally Weighted Risk Contribution Portfolios", Journal of Portfolio Management 36(4), 2010).
//!
//! **Combined returns** ([`portfolio_returns`]): **buy-and-hold weights**, not daily rebalancing.
//! Member `i` starts with the share `w_i` of the capital in a sub-account of its own and trades it
//! as its backtest does; nothing moves between sub-accounts. The portfolio's value is the sum of
//! the sub-accounts, `V_t = sum_i w_i prod_{s <= t} (1 + r_{i,s})`, and its daily return
//! `V_t / V_{t-1} - 1` (`V_0 = 1`). Why: that is how champions run side by side (each with its own
//! capital and sizing, as `gauntlet paper` runs one), so a paper replay of the portfolio is each
//! member's own trades with quantities scaled by its share, trade for trade; daily rebalancing
//! would move cash between strategies every day, change every later position size, and pay
//! turnover that no member's backtest holds. The weights drift with performance; reweighting is a
//! decision taken between runs (a new portfolio file), not inside one.

use gauntlet_core::{MILLIS_PER_DAY, Timestamp};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::StatsError;
use crate::returns::sample_std;

/// Most candidates a portfolio is picked from (champions across runs and categories; the
/// correlation matrix grows with its square).
pub const MAX_PORTFOLIO_CANDIDATES: usize = 1_000;

/// Most days on a common calendar (about 109 years of calendar days).
pub const MAX_PORTFOLIO_DAYS: usize = 40_000;

/// Most bars [`daily_returns_from_equity`] reads: ten years of one-minute bars around the clock.
pub const MAX_EQUITY_BARS: usize = 6_000_000;

/// One member's daily returns: one simple return (a fraction) per UTC day it has, days at 00:00
/// UTC, strictly increasing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DailyReturns {
    /// The days, 00:00 UTC.
    pub days: Vec<Timestamp>,
    /// The return of each day, a fraction (0.01: +1%).
    pub returns: Vec<f64>,
}

/// Daily returns from an equity curve (module documentation): `timestamps` are the bars' open
/// times (strictly increasing), `equity[t]` the equity at bar `t`'s close (positive, account
/// currency), `start_equity` the equity before the first bar.
///
/// # Errors
/// [`StatsError::Invalid`] when the lengths differ, there is no bar, a timestamp does not increase,
/// or an equity is not finite and positive (naming the bar, 0-based); [`StatsError::OverLimit`]
/// above [`MAX_EQUITY_BARS`] bars.
pub fn daily_returns_from_equity(
    timestamps: &[Timestamp],
    equity: &[f64],
    start_equity: f64,
) -> Result<DailyReturns, StatsError> {
    if timestamps.len() > MAX_EQUITY_BARS {
        return Err(StatsError::OverLimit {
            quantity: "equity bars",
            value: timestamps.len(),
            maximum: MAX_EQUITY_BARS,
        });
    }
    if timestamps.len() != equity.len() || timestamps.is_empty() {
        return Err(StatsError::Invalid(format!(
            "an equity curve needs one value per bar and at least one bar, got {} timestamps and \
             {} values",
            timestamps.len(),
            equity.len()
        )));
    }
    let positive = |value: f64| value.is_finite() && value > 0.0;
    if !positive(start_equity) {
        return Err(StatsError::Invalid(format!(
            "the starting equity must be finite and positive, got {start_equity}"
        )));
    }
    if let Some(bar) = equity.iter().position(|&value| !positive(value)) {
        return Err(StatsError::Invalid(format!(
            "the equity at bar {bar} is {}; it must be finite and positive",
            equity[bar]
        )));
    }
    if let Some(bar) = timestamps.windows(2).position(|pair| pair[1] <= pair[0]) {
        return Err(StatsError::Invalid(format!(
            "bar {} opens at {} ms, not after bar {bar}",
            bar + 1,
            timestamps[bar + 1].millis()
        )));
    }
    let mut days = Vec::new();
    let mut closes: Vec<f64> = Vec::new();
    for (time, &value) in timestamps.iter().zip(equity) {
        let day = Timestamp(time.millis().div_euclid(MILLIS_PER_DAY) * MILLIS_PER_DAY);
        if days.last() == Some(&day) {
            *closes.last_mut().expect("a day has a close") = value;
        } else {
            days.push(day);
            closes.push(value);
        }
    }
    let mut previous = start_equity;
    let returns = closes
        .iter()
        .map(|&close| {
            let value = close / previous - 1.0;
            previous = close;
            value
        })
        .collect();
    Ok(DailyReturns { days, returns })
}

/// Members' daily returns on their common calendar (module documentation).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlignedReturns {
    /// The common calendar, 00:00 UTC, strictly increasing.
    pub days: Vec<Timestamp>,
    /// `returns[member][day]`: member-major, one row per member in the input's order, one column
    /// per calendar day; 0 where the member has no return that day.
    pub returns: Vec<Vec<f64>>,
}

/// Checks one member's daily returns.
fn check_member(index: usize, member: &DailyReturns) -> Result<(), StatsError> {
    let invalid = |message: String| StatsError::Invalid(format!("member {index}: {message}"));
    if member.days.len() != member.returns.len() || member.days.is_empty() {
        return Err(invalid(format!(
            "needs one return per day and at least one day, got {} days and {} returns",
            member.days.len(),
            member.returns.len()
        )));
    }
    if member.days.len() > MAX_PORTFOLIO_DAYS {
        return Err(StatsError::OverLimit {
            quantity: "days of a portfolio member",
            value: member.days.len(),
            maximum: MAX_PORTFOLIO_DAYS,
        });
    }
    if let Some(day) = member
        .days
        .iter()
        .position(|day| day.millis().rem_euclid(MILLIS_PER_DAY) != 0)
    {
        return Err(invalid(format!(
            "day {day} is {} ms, not 00:00 UTC",
            member.days[day].millis()
        )));
    }
    if let Some(day) = member.days.windows(2).position(|pair| pair[1] <= pair[0]) {
        return Err(invalid(format!(
            "day {} does not come after day {day}",
            day + 1
        )));
    }
    if let Some(day) = member
        .returns
        .iter()
        .position(|value| !value.is_finite() || *value < -1.0)
    {
        return Err(invalid(format!(
            "the return of day {day} is {}; returns are finite fractions of at least -1",
            member.returns[day]
        )));
    }
    Ok(())
}

/// The members' returns on their common calendar (module documentation): the union of their days
/// within the span all of them cover, 0 where a member has no return.
///
/// # Errors
/// [`StatsError::Invalid`] when there is no member, a member is malformed (naming it and the day,
/// both 0-based), or the members' spans do not overlap; [`StatsError::OverLimit`] above
/// [`MAX_PORTFOLIO_CANDIDATES`] members or [`MAX_PORTFOLIO_DAYS`] days (one member's, or the
/// calendar's).
pub fn align_daily_returns(members: &[DailyReturns]) -> Result<AlignedReturns, StatsError> {
    if members.is_empty() {
        return Err(StatsError::Invalid(
            "a portfolio needs at least one member".to_string(),
        ));
    }
    if members.len() > MAX_PORTFOLIO_CANDIDATES {
        return Err(StatsError::OverLimit {
            quantity: "portfolio candidates",
            value: members.len(),
            maximum: MAX_PORTFOLIO_CANDIDATES,
        });
    }
    for (index, member) in members.iter().enumerate() {
        check_member(index, member)?;
    }
    let first = |member: &DailyReturns| member.days[0];
    let last = |member: &DailyReturns| member.days[member.days.len() - 1];
    let start = members.iter().map(first).max().expect("members");
    let end = members.iter().map(last).min().expect("members");
    if start > end {
        let latest = members.iter().position(|member| first(member) == start);
        let earliest = members.iter().position(|member| last(member) == end);
        return Err(StatsError::Invalid(format!(
            "the members' days do not overlap: member {} starts on day {} ms, after member {} \
             ends on day {} ms",
            latest.unwrap_or(0),
            start.millis(),
            earliest.unwrap_or(0),
            end.millis()
        )));
    }
    let mut days: Vec<Timestamp> = members
        .iter()
        .flat_map(|member| member.days.iter().copied())
        .filter(|day| (start..=end).contains(day))
        .collect();
    days.sort_unstable();
    days.dedup();
    if days.len() > MAX_PORTFOLIO_DAYS {
        return Err(StatsError::OverLimit {
            quantity: "days of the common calendar",
            value: days.len(),
            maximum: MAX_PORTFOLIO_DAYS,
        });
    }
    let returns = members
        .iter()
        .map(|member| {
            let mut row = vec![0.0; days.len()];
            let mut column = 0;
            for (day, &value) in member.days.iter().zip(&member.returns) {
                if !(start..=end).contains(day) {
                    continue;
                }
                while days[column] < *day {
                    column += 1;
                }
                row[column] = value;
            }
            row
        })
        .collect();
    Ok(AlignedReturns { days, returns })
}

/// Pearson's correlations of the aligned members (module documentation): a symmetric matrix,
/// `matrix[i][j]` for members `i` and `j`, 1 on the diagonal, `NaN` in the row and column of a
/// member whose returns do not vary (or with fewer than 2 days). Each entry is computed once, for
/// `i < j`, from the two rows alone (rows in parallel with rayon) and mirrored, so the matrix is
/// exactly symmetric and the same on any number of threads.
pub fn correlation_matrix(aligned: &AlignedReturns) -> Vec<Vec<f64>> {
    let days = aligned.days.len();
    // Each member's deviations from its mean and their root sum of squares.
    let centred: Vec<(Vec<f64>, f64)> = aligned
        .returns
        .iter()
        .map(|row| {
            let mean = row.iter().sum::<f64>() / days as f64;
            let deviations: Vec<f64> = row.iter().map(|value| value - mean).collect();
            let norm = dot(&deviations, &deviations).sqrt();
            (deviations, norm)
        })
        .collect();
    let varies = |norm: f64| days >= 2 && norm > 0.0 && norm.is_finite();
    let members = centred.len();
    // The upper triangle, row by row: entries (i, j) for j > i.
    let upper: Vec<Vec<f64>> = (0..members)
        .into_par_iter()
        .map(|i| {
            let (left, left_norm) = &centred[i];
            (i + 1..members)
                .map(|j| {
                    let (right, right_norm) = &centred[j];
                    if varies(*left_norm) && varies(*right_norm) {
                        (dot(left, right) / (left_norm * right_norm)).clamp(-1.0, 1.0)
                    } else {
                        f64::NAN
                    }
                })
                .collect()
        })
        .collect();
    (0..members)
        .map(|i| {
            (0..members)
                .map(|j| match i.cmp(&j) {
                    std::cmp::Ordering::Less => upper[i][j - i - 1],
                    std::cmp::Ordering::Greater => upper[j][i - j - 1],
                    std::cmp::Ordering::Equal if varies(centred[i].1) => 1.0,
                    std::cmp::Ordering::Equal => f64::NAN,
                })
                .collect()
        })
        .collect()
}

/// `sum(a[k] * b[k])` over four running sums (`k mod 4`), added pairwise at the end and then the
/// remainder: a fixed order (the same result on every machine and thread count) that lets the
/// compiler use vector instructions, which one running sum forbids.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut lanes = [0.0f64; 4];
    let (a_chunks, a_rest) = a.as_chunks::<4>();
    let (b_chunks, b_rest) = b.as_chunks::<4>();
    for (x, y) in a_chunks.iter().zip(b_chunks) {
        lanes = [
            lanes[0] + x[0] * y[0],
            lanes[1] + x[1] * y[1],
            lanes[2] + x[2] * y[2],
            lanes[3] + x[3] * y[3],
        ];
    }
    let rest: f64 = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + rest
}

/// What the greedy selection decided for one candidate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Taken, as the `position`-th member (0: the first, the best fitness).
    Selected {
        /// Its place in the selection order.
        position: usize,
    },
    /// Left out: its correlation with a member already taken is above the bound; `with` is the
    /// member it correlates with most (the earliest taken on a tie).
    TooCorrelated {
        /// The candidate index of that member.
        with: usize,
        /// Their correlation.
        correlation: f64,
    },
    /// Left out: its fitness is `NaN`.
    NoFitness,
    /// Left out: its daily returns do not vary on the common calendar (it never traded there), so
    /// no correlation is defined.
    NoVariation,
    /// Left out: the portfolio was full before its turn came.
    PortfolioFull,
}

/// The result of [`select_uncorrelated`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Selection {
    /// The members taken (candidate indices), in the order they were taken (best fitness first).
    pub members: Vec<usize>,
    /// One decision per candidate, in the candidates' order.
    pub decisions: Vec<Decision>,
}

/// Greedy selection by fitness under a maximum pairwise correlation (module documentation).
/// `fitness[i]` is candidate `i`'s fitness (larger is better); `correlations` is
/// [`correlation_matrix`]'s matrix over the same candidates.
///
/// # Errors
/// [`StatsError::Invalid`] when `max_correlation` is outside [-1, 1], `max_members` is 0, the
/// matrix is not `n x n` for `n` fitness values, or there are no candidates;
/// [`StatsError::OverLimit`] above [`MAX_PORTFOLIO_CANDIDATES`].
pub fn select_uncorrelated(
    fitness: &[f64],
    correlations: &[Vec<f64>],
    max_correlation: f64,
    max_members: usize,
) -> Result<Selection, StatsError> {
    let candidates = fitness.len();
    if candidates > MAX_PORTFOLIO_CANDIDATES {
        return Err(StatsError::OverLimit {
            quantity: "portfolio candidates",
            value: candidates,
            maximum: MAX_PORTFOLIO_CANDIDATES,
        });
    }
    if candidates == 0 {
        return Err(StatsError::Invalid(
            "a portfolio needs at least one candidate".to_string(),
        ));
    }
    if !(-1.0..=1.0).contains(&max_correlation) {
        return Err(StatsError::Invalid(format!(
            "the maximum correlation must be in [-1, 1], got {max_correlation}"
        )));
    }
    if max_members == 0 {
        return Err(StatsError::Invalid(
            "a portfolio needs room for at least one member".to_string(),
        ));
    }
    if correlations.len() != candidates || correlations.iter().any(|row| row.len() != candidates) {
        return Err(StatsError::Invalid(format!(
            "the correlation matrix must be {candidates} x {candidates}, one row and column per \
             candidate"
        )));
    }
    let mut order: Vec<usize> = (0..candidates).collect();
    // Stable: equal fitness keeps the lower index first.
    order.sort_by(|&left, &right| fitness[right].total_cmp(&fitness[left]));
    let mut decisions = vec![Decision::NoFitness; candidates];
    let mut members: Vec<usize> = Vec::new();
    for candidate in order {
        decisions[candidate] = if fitness[candidate].is_nan() {
            Decision::NoFitness
        } else if correlations[candidate][candidate].is_nan() {
            Decision::NoVariation
        } else if members.len() == max_members {
            Decision::PortfolioFull
        } else {
            let closest = members.iter().copied().fold(None, |best, member| {
                let correlation = correlations[candidate][member];
                match best {
                    Some((_, highest)) if correlation <= highest => best,
                    _ => Some((member, correlation)),
                }
            });
            match closest {
                Some((with, correlation)) if correlation > max_correlation => {
                    Decision::TooCorrelated { with, correlation }
                }
                _ => {
                    members.push(candidate);
                    Decision::Selected {
                        position: members.len() - 1,
                    }
                }
            }
        };
    }
    Ok(Selection { members, decisions })
}

/// The largest correlation between two of `members` (candidate indices into `correlations`);
/// `NaN` for fewer than two members. A selection's value is at most its bound.
pub fn max_pairwise_correlation(correlations: &[Vec<f64>], members: &[usize]) -> f64 {
    let mut highest = f64::NAN;
    for (position, &i) in members.iter().enumerate() {
        for &j in &members[position + 1..] {
            highest = highest.max(correlations[i][j]);
        }
    }
    highest
}

/// How members are weighted (module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weighting {
    /// `1 / n` each.
    Equal,
    /// Inversely to each member's daily volatility (sample standard deviation).
    InverseVolatility,
}

/// Checks a list of members (candidate indices) against the aligned rows.
fn check_members(aligned: &AlignedReturns, members: &[usize]) -> Result<(), StatsError> {
    if members.is_empty() {
        return Err(StatsError::Invalid(
            "a portfolio needs at least one member".to_string(),
        ));
    }
    if let Some(&bad) = members
        .iter()
        .find(|&&member| member >= aligned.returns.len())
    {
        return Err(StatsError::Invalid(format!(
            "member {bad} is not one of the {} aligned candidates",
            aligned.returns.len()
        )));
    }
    Ok(())
}

/// The weights of `members` (candidate indices into `aligned`), in the same order, adding up to 1
/// (module documentation).
///
/// # Errors
/// [`StatsError::Invalid`] when `members` is empty or names a row `aligned` does not have, or (inverse
/// volatility) a member's volatility is 0 or undefined (fewer than 2 days), naming it.
pub fn portfolio_weights(
    aligned: &AlignedReturns,
    members: &[usize],
    weighting: Weighting,
) -> Result<Vec<f64>, StatsError> {
    check_members(aligned, members)?;
    match weighting {
        Weighting::Equal => Ok(vec![1.0 / members.len() as f64; members.len()]),
        Weighting::InverseVolatility => {
            let mut inverse = Vec::with_capacity(members.len());
            for &member in members {
                let volatility = sample_std(&aligned.returns[member]);
                if !(volatility > 0.0 && volatility.is_finite()) {
                    return Err(StatsError::Invalid(format!(
                        "member {member} has a daily volatility of {volatility}: inverse-volatility \
                         weights need returns that vary"
                    )));
                }
                inverse.push(1.0 / volatility);
            }
            let total: f64 = inverse.iter().sum();
            Ok(inverse.iter().map(|value| value / total).collect())
        }
    }
}

/// The portfolio's daily returns on `aligned`'s calendar with buy-and-hold weights (module
/// documentation): member `members[k]` starts with `weights[k]` of the capital.
///
/// # Errors
/// [`StatsError::Invalid`] when `members` is empty or names a missing row, the weights are not one
/// per member, or a weight is negative or not finite, or they do not add up to 1 (within 1e-9).
pub fn portfolio_returns(
    aligned: &AlignedReturns,
    members: &[usize],
    weights: &[f64],
) -> Result<Vec<f64>, StatsError> {
    check_members(aligned, members)?;
    if weights.len() != members.len()
        || weights
            .iter()
            .any(|weight| !(weight.is_finite() && *weight >= 0.0))
        || (weights.iter().sum::<f64>() - 1.0).abs() > 1e-9
    {
        return Err(StatsError::Invalid(format!(
            "a portfolio of {} members needs as many weights, each finite and at least 0, adding \
             up to 1, got {weights:?}",
            members.len()
        )));
    }
    let mut values: Vec<f64> = weights.to_vec();
    let mut total = 1.0;
    Ok((0..aligned.days.len())
        .map(|day| {
            for (value, &member) in values.iter_mut().zip(members) {
                *value *= 1.0 + aligned.returns[member][day];
            }
            let next: f64 = values.iter().sum();
            let daily = next / total - 1.0;
            total = next;
            daily
        })
        .collect())
}

#[cfg(test)]
mod tests;
