//! The Probability of Backtest Overfitting by combinatorially symmetric cross-validation (CSCV;
//! Bailey, Borwein, López de Prado & Zhu, "The Probability of Backtest Overfitting", Journal of
//! Computational Finance 20(4), 2017).
//!
//! The input is a T x N matrix of per-period returns: one row per period, one column per trial (a
//! strategy configuration tried during the search). Conventions (pypbo's, which
//! `tests/overfitting.rs` matches from `tests/reference/pbo_vectors.json`): when T is not a multiple
//! of the block count S, the first `T mod S` rows are dropped; the S blocks are contiguous; each of
//! the C(S, S/2) combinations (in lexicographic order) takes its blocks, concatenated in time order,
//! as in-sample and the rest as out-of-sample; the metric is the per-period Sharpe ratio of each
//! column (`mean / std`, `ddof = 1`); the in-sample best `n*` is the first column with the highest
//! in-sample metric; its out-of-sample rank among the N columns is scipy's `rankdata` "average" rank
//! (1 = worst); `w = rank / (N + 1)` and `logit = ln(w / (1 - w))`.

use serde::Serialize;

use crate::error::StatsError;

/// One of the C(S, S/2) splits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CscvSplit {
    /// The blocks used in-sample (0-based, ascending).
    pub in_sample_blocks: Vec<usize>,
    /// The in-sample best column `n*` (0-based).
    pub best: usize,
    /// `n*`'s in-sample metric.
    pub in_sample_metric: f64,
    /// `n*`'s out-of-sample metric.
    pub out_of_sample_metric: f64,
    /// `n*`'s out-of-sample rank among all columns (1 = worst, ties averaged).
    pub out_of_sample_rank: f64,
    /// `rank / (N + 1)`.
    pub relative_rank: f64,
    /// `ln(w / (1 - w))`: negative when the in-sample best is below the out-of-sample median.
    pub logit: f64,
}

/// A least-squares line `y = slope x + intercept` with Pearson's correlation `r`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LinearFit {
    /// The slope.
    pub slope: f64,
    /// The intercept.
    pub intercept: f64,
    /// The correlation coefficient.
    pub correlation: f64,
}

/// The result of CSCV.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overfitting {
    /// The Probability of Backtest Overfitting: the share of splits whose logit is <= 0 (the
    /// in-sample best ranks at or below the out-of-sample median).
    pub probability_of_overfitting: f64,
    /// The share of splits where the in-sample best's out-of-sample metric is below `threshold`.
    pub probability_of_loss: f64,
    /// The mean logit.
    pub mean_logit: f64,
    /// Performance degradation: the out-of-sample metric of `n*` regressed on its in-sample metric
    /// (a negative slope: the better in-sample, the worse out-of-sample).
    pub degradation: LinearFit,
    /// Every split, in lexicographic order of its in-sample blocks.
    pub splits: Vec<CscvSplit>,
}

/// The per-period Sharpe ratio (`mean / std`, `ddof = 1`) of each column over `rows`.
///
/// Row by row: every column's sums run over the rows in their order, exactly as a column-by-column
/// sum would (the same additions in the same order, so the same bits), but the matrix is read in
/// the order it is stored and the columns' additions are independent, so they run side by side.
fn column_sharpes(rows: &[&[f64]], columns: usize) -> Vec<f64> {
    let count = rows.len() as f64;
    let mut sums = vec![0.0; columns];
    for row in rows {
        for (sum, value) in sums.iter_mut().zip(&row[..columns]) {
            *sum += value;
        }
    }
    let means: Vec<f64> = sums.iter().map(|sum| sum / count).collect();
    let mut squares = vec![0.0; columns];
    for row in rows {
        for ((square, value), mean) in squares.iter_mut().zip(&row[..columns]).zip(&means) {
            *square += (value - mean).powi(2);
        }
    }
    means
        .iter()
        .zip(&squares)
        .map(|(mean, square)| mean / (square / (count - 1.0)).sqrt())
        .collect()
}

/// Every `size`-subset of `0..items` in lexicographic order.
fn combinations(items: usize, size: usize) -> Vec<Vec<usize>> {
    fn extend(
        start: usize,
        items: usize,
        size: usize,
        current: &mut Vec<usize>,
        all: &mut Vec<Vec<usize>>,
    ) {
        if current.len() == size {
            all.push(current.clone());
            return;
        }
        for next in start..items {
            if items - next < size - current.len() {
                break;
            }
            current.push(next);
            extend(next + 1, items, size, current, all);
            current.pop();
        }
    }
    let mut all = Vec::new();
    extend(0, items, size, &mut Vec::with_capacity(size), &mut all);
    all
}

/// Least squares of `y` on `x` with Pearson's r (scipy `linregress`).
pub fn linear_fit(x: &[f64], y: &[f64]) -> LinearFit {
    let n = x.len() as f64;
    let (mean_x, mean_y) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxx += (a - mean_x).powi(2);
        syy += (b - mean_y).powi(2);
        sxy += (a - mean_x) * (b - mean_y);
    }
    let slope = sxy / sxx;
    LinearFit {
        slope,
        intercept: mean_y - slope * mean_x,
        correlation: sxy / (sxx * syy).sqrt(),
    }
}

impl Overfitting {
    /// The result of a `periods` x `trials` matrix as `key: value` lines for the terminal (the
    /// splits themselves are in the JSON). Lines end with a newline.
    pub fn describe(&self, periods: usize, trials: usize) -> String {
        format!(
            "trials: {trials}\nperiods: {periods}\nsplits: {}\nprobability_of_backtest_overfitting: {}\nprobability_of_out_of_sample_loss: {}\nmean_logit: {}\ndegradation_slope: {}\n",
            self.splits.len(),
            self.probability_of_overfitting,
            self.probability_of_loss,
            self.mean_logit,
            self.degradation.slope
        )
    }
}

/// Most CSCV blocks: C(20, 10) = 184,756 splits. Each added pair of blocks multiplies the splits by
/// about four (C(40, 20) is 1.4e11, which no machine can enumerate); the literature's S is 8 to 16.
pub const MAX_BLOCKS: usize = 20;

/// CSCV on `matrix` (rows = periods, columns = trials) with `blocks` blocks; `threshold` is the
/// out-of-sample metric below which a split counts as a loss (0 for Sharpe).
///
/// # Errors
/// [`StatsError::RaggedMatrix`] when rows differ in length; [`StatsError::Invalid`] when `blocks` is
/// odd, below 2 or above [`MAX_BLOCKS`], there are fewer than 2 columns, every column is the same
/// (identical trials: PBO undefined), or a block would hold fewer than 2 rows.
pub fn probability_of_backtest_overfitting(
    matrix: &[Vec<f64>],
    blocks: usize,
    threshold: f64,
) -> Result<Overfitting, StatsError> {
    if blocks < 2 || blocks % 2 == 1 || blocks > MAX_BLOCKS {
        return Err(StatsError::Invalid(format!(
            "the block count S must be even, 2 to {MAX_BLOCKS}, got {blocks}"
        )));
    }
    let columns = matrix.first().map_or(0, Vec::len);
    for (row, values) in matrix.iter().enumerate() {
        if values.len() != columns {
            return Err(StatsError::RaggedMatrix {
                row,
                found: values.len(),
                expected: columns,
            });
        }
    }
    if columns < 2 {
        return Err(StatsError::Invalid(format!(
            "PBO needs at least 2 trials (columns), got {columns}"
        )));
    }
    // Identical trials tie on every split: which one is "best" in-sample is arbitrary, so the
    // probability is undefined (a number here would be the tie rule's, not the data's).
    if matrix
        .iter()
        .all(|row| row.windows(2).all(|pair| pair[0] == pair[1]))
    {
        return Err(StatsError::Invalid(format!(
            "all {columns} trials have identical returns: the in-sample best is arbitrary, so \
             PBO is undefined"
        )));
    }
    let rows = &matrix[matrix.len() % blocks..];
    let block_rows = rows.len() / blocks;
    if block_rows < 2 {
        return Err(StatsError::Invalid(format!(
            "{} periods make blocks of {block_rows} rows with S = {blocks}; each block needs at least 2",
            matrix.len()
        )));
    }
    let block = |index: usize| &rows[index * block_rows..(index + 1) * block_rows];
    let mut splits = Vec::new();
    for in_sample_blocks in combinations(blocks, blocks / 2) {
        let mut in_sample: Vec<&[f64]> = Vec::with_capacity(rows.len() / 2);
        let mut out_of_sample: Vec<&[f64]> = Vec::with_capacity(rows.len() / 2);
        for index in 0..blocks {
            let target = if in_sample_blocks.contains(&index) {
                &mut in_sample
            } else {
                &mut out_of_sample
            };
            target.extend(block(index).iter().map(Vec::as_slice));
        }
        let in_metrics = column_sharpes(&in_sample, columns);
        let out_metrics = column_sharpes(&out_of_sample, columns);
        let best = (0..columns).fold(0, |best, column| {
            if in_metrics[column] > in_metrics[best] {
                column
            } else {
                best
            }
        });
        let value = out_metrics[best];
        let below = out_metrics.iter().filter(|&&other| other < value).count() as f64;
        let equal = out_metrics.iter().filter(|&&other| other == value).count() as f64;
        let rank = below + (equal + 1.0) / 2.0;
        let relative_rank = rank / (columns as f64 + 1.0);
        splits.push(CscvSplit {
            in_sample_blocks,
            best,
            in_sample_metric: in_metrics[best],
            out_of_sample_metric: value,
            out_of_sample_rank: rank,
            relative_rank,
            logit: (relative_rank / (1.0 - relative_rank)).ln(),
        });
    }
    let count = splits.len() as f64;
    let share = |test: &dyn Fn(&CscvSplit) -> bool| {
        splits.iter().filter(|split| test(split)).count() as f64 / count
    };
    let x: Vec<f64> = splits.iter().map(|split| split.in_sample_metric).collect();
    let y: Vec<f64> = splits
        .iter()
        .map(|split| split.out_of_sample_metric)
        .collect();
    Ok(Overfitting {
        probability_of_overfitting: share(&|split| split.logit <= 0.0),
        probability_of_loss: share(&|split| split.out_of_sample_metric < threshold),
        mean_logit: splits.iter().map(|split| split.logit).sum::<f64>() / count,
        degradation: linear_fit(&x, &y),
        splits,
    })
}
