//! The canonical text of an expression: what [`Expr`] prints, the key of the column cache.

use std::fmt;

use crate::formula::{Expr, format_number};

fn wrap(formatter: &mut fmt::Formatter<'_>, expr: &Expr, parenthesise: bool) -> fmt::Result {
    if parenthesise {
        write!(formatter, "({expr})")
    } else {
        write!(formatter, "{expr}")
    }
}

/// The canonical text: single spaces around binary operators, `, ` between arguments, minimal
/// parentheses, numbers as [`format_number`]. Parsing it gives the same expression, and it is the
/// key of the column cache.
impl fmt::Display for Expr {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let own = self.precedence();
        match self {
            Self::Number(value) => formatter.write_str(&format_number(*value)),
            Self::Call { block, args } => {
                formatter.write_str(block)?;
                if !args.is_empty() {
                    formatter.write_str("(")?;
                    for (index, arg) in args.iter().enumerate() {
                        if index > 0 {
                            formatter.write_str(", ")?;
                        }
                        write!(formatter, "{arg}")?;
                    }
                    formatter.write_str(")")?;
                }
                Ok(())
            }
            Self::Neg(inner) => {
                formatter.write_str("-")?;
                wrap(formatter, inner, inner.precedence() < own)
            }
            Self::Not(inner) => {
                formatter.write_str("not ")?;
                wrap(formatter, inner, inner.precedence() < own)
            }
            Self::Arith { op, lhs, rhs } => {
                wrap(formatter, lhs, lhs.precedence() < own)?;
                write!(formatter, " {} ", op.symbol())?;
                wrap(formatter, rhs, rhs.precedence() <= own)
            }
            Self::Compare { op, lhs, rhs } => {
                wrap(formatter, lhs, lhs.precedence() <= own)?;
                write!(formatter, " {} ", op.symbol())?;
                wrap(formatter, rhs, rhs.precedence() <= own)
            }
            Self::And(lhs, rhs) | Self::Or(lhs, rhs) => {
                wrap(formatter, lhs, lhs.precedence() < own)?;
                formatter.write_str(if matches!(self, Self::And(..)) {
                    " and "
                } else {
                    " or "
                })?;
                wrap(formatter, rhs, rhs.precedence() <= own)
            }
            Self::Cross { above, a, b } => {
                let name = if *above {
                    "crosses_above"
                } else {
                    "crosses_below"
                };
                write!(formatter, "{name}({a}, {b})")
            }
            Self::Placeholder { name, lo, hi } => write!(
                formatter,
                "?{name}[{}..{}]",
                format_number(*lo),
                format_number(*hi)
            ),
            Self::ConditionPlaceholder(name) => write!(formatter, "?{name}"),
            Self::Tf { timeframe, inner } => write!(formatter, "tf(\"{timeframe}\", {inner})"),
        }
    }
}
