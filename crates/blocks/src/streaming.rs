//! Streaming evaluation: a [`StreamingFormula`] fed one bar at a time gives, at each bar, the
//! value [`crate::ColumnCache::evaluate`] gives there (for the paper trader).

use gauntlet_core::Bar;

use crate::block::StreamingBlock;
use crate::blocks::find;
use crate::error::BlocksError;
use crate::eval::{combine, cross, params};
use crate::formula::{ArithOp, CompareOp, Expr, Formula};
use crate::timeframe::PeriodBuilder;

/// A number sub-expression's streaming state.
#[derive(Debug, Clone)]
enum NumberNode {
    Constant(f64),
    Block {
        block: Box<dyn StreamingBlock>,
        inputs: Vec<NumberNode>,
        /// Whether every input has had a value (a block over other columns starts there).
        started: bool,
        values: Vec<f64>,
    },
    Neg(Box<NumberNode>),
    Arith(ArithOp, Box<NumberNode>, Box<NumberNode>),
    /// `tf(...)` of a number: the inner node fed each period's bar once it is complete, and its
    /// value on the last one (`NaN` before).
    Tf {
        periods: PeriodBuilder,
        inner: Box<NumberNode>,
        value: f64,
    },
}

impl NumberNode {
    fn new(expr: &Expr) -> Result<Self, BlocksError> {
        Ok(match expr {
            Expr::Number(value) => Self::Constant(*value),
            Expr::Call { block, args } => {
                let block = find(block).expect("the parser checked the block");
                let series_args = block.series_args();
                Self::Block {
                    block: block.streaming(&params(&args[series_args..])?)?,
                    inputs: args[..series_args]
                        .iter()
                        .map(Self::new)
                        .collect::<Result<_, _>>()?,
                    started: series_args == 0,
                    values: Vec::with_capacity(series_args),
                }
            }
            Expr::Neg(inner) => Self::Neg(Box::new(Self::new(inner)?)),
            Expr::Arith { op, lhs, rhs } => {
                Self::Arith(*op, Box::new(Self::new(lhs)?), Box::new(Self::new(rhs)?))
            }
            Expr::Tf { timeframe, inner } => Self::Tf {
                periods: PeriodBuilder::new(*timeframe),
                inner: Box::new(Self::new(inner)?),
                value: f64::NAN,
            },
            Expr::Placeholder { name, .. } => {
                return Err(BlocksError::Unfilled {
                    formula: expr.to_string(),
                    name: name.clone(),
                });
            }
            _ => unreachable!("a number expression"),
        })
    }

    fn update(&mut self, bar: &Bar) -> f64 {
        match self {
            Self::Constant(value) => *value,
            Self::Block {
                block,
                inputs,
                started,
                values,
            } => {
                values.clear();
                values.extend(inputs.iter_mut().map(|input| input.update(bar)));
                if !*started {
                    if values.iter().any(|value| value.is_nan()) {
                        return f64::NAN;
                    }
                    *started = true;
                }
                block.update(bar, values)
            }
            Self::Neg(inner) => -inner.update(bar),
            Self::Arith(op, lhs, rhs) => {
                let lhs = lhs.update(bar);
                op.apply(lhs, rhs.update(bar))
            }
            Self::Tf {
                periods,
                inner,
                value,
            } => {
                if let Some(complete) = periods.push(bar) {
                    *value = inner.update(&complete);
                }
                *value
            }
        }
    }
}

/// A condition sub-expression's streaming state.
#[derive(Debug, Clone)]
enum ConditionNode {
    Compare(CompareOp, NumberNode, NumberNode),
    Combine(bool, Box<ConditionNode>, Box<ConditionNode>),
    Not(Box<ConditionNode>),
    Cross {
        above: bool,
        a: NumberNode,
        b: NumberNode,
        previous: Option<(f64, f64)>,
    },
    /// `tf(...)` of a condition, as [`NumberNode::Tf`] (unknown before the first period ends).
    Tf {
        periods: PeriodBuilder,
        inner: Box<ConditionNode>,
        value: Option<bool>,
    },
}

impl ConditionNode {
    fn new(expr: &Expr) -> Result<Self, BlocksError> {
        Ok(match expr {
            Expr::Compare { op, lhs, rhs } => {
                Self::Compare(*op, NumberNode::new(lhs)?, NumberNode::new(rhs)?)
            }
            Expr::And(lhs, rhs) | Expr::Or(lhs, rhs) => Self::Combine(
                matches!(expr, Expr::And(..)),
                Box::new(Self::new(lhs)?),
                Box::new(Self::new(rhs)?),
            ),
            Expr::Not(inner) => Self::Not(Box::new(Self::new(inner)?)),
            Expr::Cross { above, a, b } => Self::Cross {
                above: *above,
                a: NumberNode::new(a)?,
                b: NumberNode::new(b)?,
                previous: None,
            },
            Expr::Tf { timeframe, inner } => Self::Tf {
                periods: PeriodBuilder::new(*timeframe),
                inner: Box::new(Self::new(inner)?),
                value: None,
            },
            Expr::ConditionPlaceholder(name) => {
                return Err(BlocksError::Unfilled {
                    formula: expr.to_string(),
                    name: name.clone(),
                });
            }
            _ => unreachable!("a condition expression"),
        })
    }

    fn update(&mut self, bar: &Bar) -> Option<bool> {
        match self {
            Self::Compare(op, lhs, rhs) => {
                let lhs = lhs.update(bar);
                op.apply(lhs, rhs.update(bar))
            }
            Self::Combine(and, lhs, rhs) => {
                // Both sides see every bar, whatever the other says.
                let lhs = lhs.update(bar);
                combine(*and, lhs, rhs.update(bar))
            }
            Self::Not(inner) => inner.update(bar).map(|value| !value),
            Self::Cross {
                above,
                a,
                b,
                previous,
            } => {
                let now = (a.update(bar), b.update(bar));
                previous
                    .replace(now)
                    .and_then(|previous| cross(*above, previous, now))
            }
            Self::Tf {
                periods,
                inner,
                value,
            } => {
                if let Some(complete) = periods.push(bar) {
                    *value = inner.update(&complete);
                }
                *value
            }
        }
    }
}

/// A condition formula evaluated one bar at a time: `update(bar)` returns what
/// [`crate::ColumnCache::evaluate`] gives at that bar over the same bars.
///
/// A `tf(...)` builds its period's bar as the bars come and feeds it to its inner formula once a
/// bar of a later period arrives. The stream's bar interval is not known from its first bars, so
/// a timeframe not longer than the bars is not refused here (the batch evaluation refuses it; here
/// each bar is then its own period, read one bar late).
#[derive(Debug, Clone)]
pub struct StreamingFormula {
    root: ConditionNode,
}

impl StreamingFormula {
    /// The formula's streaming state, no bar seen yet.
    ///
    /// # Errors
    /// [`BlocksError::Unfilled`] for a formula with placeholders; [`BlocksError::Indicator`] as
    /// [`crate::Block::streaming`].
    pub fn new(formula: &Formula) -> Result<Self, BlocksError> {
        formula.check_filled()?;
        Ok(Self {
            root: ConditionNode::new(formula.root())?,
        })
    }

    /// Feeds the next bar; whether the formula holds at it (false during warm-up).
    pub fn update(&mut self, bar: &Bar) -> bool {
        self.root.update(bar) == Some(true)
    }
}
