//! Batch evaluation: a formula over a whole [`BarSeries`] to one bool per bar, through a
//! [`ColumnCache`] that computes each number sub-expression once, keyed by its canonical text.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use gauntlet_core::{BarInterval, BarSeries};
use gauntlet_indicators::{CacheBudget, DEFAULT_CACHE_BUDGET_BYTES};

use crate::block::BatchInput;
use crate::blocks::find;
use crate::error::BlocksError;
use crate::formula::{Expr, Formula};
use crate::timeframe::{check_spacing, periods, previous_period, spacing};

/// Number columns of one series, keyed by the canonical text of their expression
/// (`sma(close, 200)`), computed on first use and shared read-only (an `Arc`) by every formula
/// and thread, within a memory budget shared with gauntlet-indicators' caches: past the budget a
/// column is computed and returned but not kept.
///
/// A `tf("1d", x)` is evaluated on the series aggregated into the timeframe's periods, through a
/// cache of its own (one per timeframe, under the same budget) kept beside the columns, and mapped
/// back to the bars from completed periods only (see [`crate::Expr::Tf`]).
#[derive(Debug)]
pub struct ColumnCache {
    series: Arc<BarSeries>,
    budget: Arc<CacheBudget>,
    columns: Mutex<HashMap<String, Arc<[f64]>>>,
    retained_bytes: Mutex<usize>,
    timeframes: Mutex<HashMap<BarInterval, Arc<Periods>>>,
    spacing: OnceLock<Option<i64>>,
    conditions: Mutex<HashMap<String, Arc<[bool]>>>,
}

/// The series aggregated into one timeframe's periods, with its own column cache, and the period
/// of each bar of the series.
#[derive(Debug)]
struct Periods {
    cache: ColumnCache,
    index: Vec<usize>,
}

impl ColumnCache {
    /// A cache with its own budget of [`DEFAULT_CACHE_BUDGET_BYTES`].
    pub fn new(series: Arc<BarSeries>) -> Self {
        Self::with_budget(
            series,
            Arc::new(CacheBudget::new(DEFAULT_CACHE_BUDGET_BYTES)),
        )
    }

    /// A cache drawing on a shared budget.
    pub fn with_budget(series: Arc<BarSeries>, budget: Arc<CacheBudget>) -> Self {
        Self {
            series,
            budget,
            columns: Mutex::new(HashMap::new()),
            retained_bytes: Mutex::new(0),
            timeframes: Mutex::new(HashMap::new()),
            spacing: OnceLock::new(),
            conditions: Mutex::new(HashMap::new()),
        }
    }

    /// The series the columns are computed on.
    pub fn series(&self) -> &BarSeries {
        &self.series
    }

    /// How many columns are kept.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no column is kept.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Arc<[f64]>>> {
        self.columns
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The periods of `timeframe` for the `tf` call `expr`, aggregated on first use.
    fn periods(&self, expr: &Expr, timeframe: BarInterval) -> Result<Arc<Periods>, BlocksError> {
        let spacing = *self
            .spacing
            .get_or_init(|| spacing(self.series.timestamps()));
        check_spacing(&expr.to_string(), timeframe, spacing)?;
        let lock = || {
            self.timeframes
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(periods) = lock().get(&timeframe) {
            return Ok(Arc::clone(periods));
        }
        let (bars, index) =
            periods(&self.series, timeframe).map_err(|message| BlocksError::Timeframe {
                expression: expr.to_string(),
                message,
            })?;
        let made = Arc::new(Periods {
            cache: Self::with_budget(Arc::new(bars), Arc::clone(&self.budget)),
            index,
        });
        Ok(Arc::clone(lock().entry(timeframe).or_insert(made)))
    }

    /// The values of a number expression, one per bar (`NaN` where it has none).
    ///
    /// # Errors
    /// [`BlocksError::Unfilled`] for a placeholder; [`BlocksError::Indicator`] as
    /// [`crate::Block::batch`]; [`BlocksError::Timeframe`] for a `tf` whose timeframe is not
    /// longer than the series' bars (the shortest gap between two consecutive bars).
    ///
    /// # Panics
    /// Never for expressions the parser built; a condition given here is a caller's bug.
    pub fn column(&self, expr: &Expr) -> Result<Arc<[f64]>, BlocksError> {
        let bars = self.series.len();
        match expr {
            Expr::Number(value) => return Ok(vec![*value; bars].into()),
            Expr::Placeholder { name, .. } => {
                return Err(BlocksError::Unfilled {
                    formula: expr.to_string(),
                    name: name.clone(),
                });
            }
            _ => {}
        }
        let key = expr.to_string();
        if let Some(values) = self.lock().get(&key) {
            return Ok(Arc::clone(values));
        }
        let computed: Arc<[f64]> = self.compute(expr)?.into();
        let bytes = std::mem::size_of_val(&*computed);
        let mut columns = self.lock();
        if let Some(values) = columns.get(&key) {
            return Ok(Arc::clone(values));
        }
        if !self.budget.reserve(bytes) {
            return Ok(computed);
        }
        *self
            .retained_bytes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) += bytes;
        Ok(Arc::clone(columns.entry(key).or_insert(computed)))
    }

    fn compute(&self, expr: &Expr) -> Result<Vec<f64>, BlocksError> {
        Ok(match expr {
            Expr::Call { block, args } => {
                let block = find(block).expect("the parser checked the block");
                let series_args = block.series_args();
                let inputs = args[..series_args]
                    .iter()
                    .map(|arg| self.column(arg))
                    .collect::<Result<Vec<_>, _>>()?;
                let params = params(&args[series_args..])?;
                // A block over other columns starts at the first bar where they all have a
                // value, as its streaming form does.
                let start = first_known(&inputs, self.series.len());
                let sliced: Vec<&[f64]> = inputs.iter().map(|input| &input[start..]).collect();
                let values = block.batch(&BatchInput {
                    series: &self.series,
                    inputs: &sliced,
                    params: &params,
                })?;
                if start == 0 {
                    values
                } else {
                    let mut padded = vec![f64::NAN; start];
                    padded.extend(values);
                    padded
                }
            }
            Expr::Tf { timeframe, inner } => {
                let periods = self.periods(expr, *timeframe)?;
                let values = periods.cache.column(inner)?;
                previous_period(&periods.index, &values, f64::NAN)
            }
            Expr::Neg(inner) => self.column(inner)?.iter().map(|value| -value).collect(),
            Expr::Arith { op, lhs, rhs } => {
                let (lhs, rhs) = (self.column(lhs)?, self.column(rhs)?);
                lhs.iter()
                    .zip(rhs.iter())
                    .map(|(&lhs, &rhs)| op.apply(lhs, rhs))
                    .collect()
            }
            _ => unreachable!("a number expression"),
        })
    }

    /// The condition per bar: true, false or unknown (`None`: a `NaN` operand, as in warm-up).
    fn condition(&self, expr: &Expr) -> Result<Vec<Option<bool>>, BlocksError> {
        let bars = self.series.len();
        Ok(match expr {
            Expr::Compare { op, lhs, rhs } => {
                let (lhs, rhs) = (self.column(lhs)?, self.column(rhs)?);
                lhs.iter()
                    .zip(rhs.iter())
                    .map(|(&lhs, &rhs)| op.apply(lhs, rhs))
                    .collect()
            }
            Expr::And(lhs, rhs) | Expr::Or(lhs, rhs) => {
                let and = matches!(expr, Expr::And(..));
                let (lhs, rhs) = (self.condition(lhs)?, self.condition(rhs)?);
                lhs.iter()
                    .zip(&rhs)
                    .map(|(&lhs, &rhs)| combine(and, lhs, rhs))
                    .collect()
            }
            Expr::Not(inner) => self
                .condition(inner)?
                .into_iter()
                .map(|value| value.map(|value| !value))
                .collect(),
            Expr::Cross { above, a, b } => {
                let (a, b) = (self.column(a)?, self.column(b)?);
                (0..bars)
                    .map(|t| {
                        if t == 0 {
                            return None;
                        }
                        cross(*above, (a[t - 1], b[t - 1]), (a[t], b[t]))
                    })
                    .collect()
            }
            Expr::Tf { timeframe, inner } => {
                let periods = self.periods(expr, *timeframe)?;
                let values = periods.cache.condition(inner)?;
                previous_period(&periods.index, &values, None)
            }
            Expr::ConditionPlaceholder(name) => {
                return Err(BlocksError::Unfilled {
                    formula: expr.to_string(),
                    name: name.clone(),
                });
            }
            _ => unreachable!("a condition expression"),
        })
    }

    /// The formula per bar: true where it holds, false where it does not or has no value
    /// (warm-up, a `NaN` operand). The value at bar t uses bars up to t only.
    ///
    /// # Errors
    /// [`BlocksError::Unfilled`] for a formula with placeholders; as [`ColumnCache::column`]
    /// (a `tf` whose timeframe is not longer than the series' bars included).
    pub fn evaluate(&self, formula: &Formula) -> Result<Vec<bool>, BlocksError> {
        formula.check_filled()?;
        Ok(self
            .condition(formula.root())?
            .into_iter()
            .map(|value| value == Some(true))
            .collect())
    }
}

impl ColumnCache {
    /// The formula written `text`, evaluated as [`ColumnCache::evaluate`] does, and kept by its
    /// text (one byte per bar, under the same budget as the columns): the next call with the same
    /// text neither parses nor evaluates again. A run's genomes ask for the same few formulas on
    /// each backtest (the RSI(2) formula bench: 98 µs per backtest re-evaluating, see CHANGELOG).
    ///
    /// # Errors
    /// As [`Formula::parse`] and [`ColumnCache::evaluate`].
    pub fn evaluate_text(&self, text: &str) -> Result<Arc<[bool]>, BlocksError> {
        let lock = || {
            self.conditions
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(values) = lock().get(text) {
            return Ok(Arc::clone(values));
        }
        let values: Arc<[bool]> = self.evaluate(&Formula::parse(text)?)?.into();
        let bytes = values.len() + text.len();
        let mut conditions = lock();
        if let Some(kept) = conditions.get(text) {
            return Ok(Arc::clone(kept));
        }
        if !self.budget.reserve(bytes) {
            return Ok(values);
        }
        *self
            .retained_bytes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) += bytes;
        Ok(Arc::clone(
            conditions.entry(text.to_string()).or_insert(values),
        ))
    }
}

impl Drop for ColumnCache {
    fn drop(&mut self) {
        let bytes = *self
            .retained_bytes
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.budget.release(bytes);
    }
}

/// `and`/`or` of two conditions, unknown when either is (a formula has no value until all its
/// parts have one).
pub(crate) fn combine(and: bool, lhs: Option<bool>, rhs: Option<bool>) -> Option<bool> {
    let (lhs, rhs) = (lhs?, rhs?);
    Some(if and { lhs && rhs } else { lhs || rhs })
}

/// A crossing at t from (a, b) at t-1 and t: above when `a[t] > b[t]` and `a[t-1] <= b[t-1]`,
/// below when `a[t] < b[t]` and `a[t-1] >= b[t-1]`; unknown when any of the four is `NaN`.
pub(crate) fn cross(above: bool, previous: (f64, f64), now: (f64, f64)) -> Option<bool> {
    if [previous.0, previous.1, now.0, now.1]
        .iter()
        .any(|value| value.is_nan())
    {
        return None;
    }
    Some(if above {
        now.0 > now.1 && previous.0 <= previous.1
    } else {
        now.0 < now.1 && previous.0 >= previous.1
    })
}

/// The parameter values of a call (the parser made them literals or placeholders).
pub(crate) fn params(args: &[Expr]) -> Result<Vec<f64>, BlocksError> {
    args.iter()
        .map(|arg| match arg {
            Expr::Number(value) => Ok(*value),
            Expr::Placeholder { name, .. } => Err(BlocksError::Unfilled {
                formula: arg.to_string(),
                name: name.clone(),
            }),
            _ => unreachable!("the parser allows only literals and placeholders as parameters"),
        })
        .collect()
}

/// The first bar at which every input has a value (`bars` if none does).
fn first_known(inputs: &[Arc<[f64]>], bars: usize) -> usize {
    (0..bars)
        .find(|&t| inputs.iter().all(|input| !input[t].is_nan()))
        .unwrap_or(bars)
}
