//! Templates: what a formula's placeholders are ([`PlaceholderSpec`]: a number with bounds and a
//! grid, or a condition) and a template filled with values ([`Expr::substitute`]).

use std::collections::BTreeMap;

use crate::block::{Arg, ParamKind};
use crate::blocks::find;
use crate::formula::{Expr, format_number};

/// What a placeholder stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PlaceholderKind {
    /// A number `?name[low..high]` (both bounds inclusive).
    Number {
        /// Smallest value.
        low: f64,
        /// Largest value.
        high: f64,
        /// Whether it must be a whole number: it is when some use of it is a whole-number
        /// parameter of a block (a period, `rsi(close, ?period[2..30])`); otherwise it is real.
        integer: bool,
        /// The grid that random draws and mutations snap to and that plateau neighbours step
        /// along: 1 for a whole number; the block parameter's step for a real parameter
        /// (`bollinger_upper(close, 20, ?width[1..3])` steps by 0.25); otherwise a hundredth of
        /// the range rounded down to a power of ten (`?level[5..40]`: 0.1).
        step: f64,
    },
    /// A condition `?name`, drawn from a block family.
    Condition,
}

/// One placeholder of a template: its name and kind.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceholderSpec {
    /// The name without the `?`.
    pub name: String,
    /// Number or condition.
    pub kind: PlaceholderKind,
}

/// The grid step of a free real placeholder over `low..=high`: a hundredth of the range rounded
/// down to a power of ten (1 for an empty range).
fn free_step(low: f64, high: f64) -> f64 {
    let range = high - low;
    if range > 0.0 && range.is_finite() {
        10f64.powi(((range / 100.0).log10().floor() as i32).clamp(-12, 12))
    } else {
        1.0
    }
}

/// `value` on the grid of `step` (multiples of `step`) inside `low..=high`. A step below 1 whose
/// inverse is whole (0.1, 0.25) divides by that inverse so the result prints as its short decimal
/// (`12.3`, not `12.299999999999999`).
pub fn snap(value: f64, low: f64, high: f64, step: f64) -> f64 {
    if !(step > 0.0 && step.is_finite() && value.is_finite()) {
        return value.clamp(low, high);
    }
    let inverse = 1.0 / step;
    let snapped = if step < 1.0 && (inverse - inverse.round()).abs() < 1e-9 {
        (value * inverse.round()).round() / inverse.round()
    } else {
        (value / step).round() * step
    };
    snapped.clamp(low, high)
}

impl Expr {
    /// The placeholders of this expression with their kinds, in order of first appearance,
    /// merged into `specs` (so the formulas of one template share names).
    ///
    /// # Errors
    /// A message naming the placeholder when a name is used as a number and as a condition, or
    /// with different bounds.
    pub fn collect_placeholder_specs(
        &self,
        specs: &mut Vec<PlaceholderSpec>,
    ) -> Result<(), String> {
        self.walk_specs(specs, None)
    }

    fn walk_specs(
        &self,
        specs: &mut Vec<PlaceholderSpec>,
        param: Option<&crate::block::Param>,
    ) -> Result<(), String> {
        let found = match self {
            Self::Placeholder { name, lo, hi } => {
                let (integer, step) = match param {
                    Some(param) if param.kind == ParamKind::Period => (true, 1.0),
                    Some(param) => (false, param.step),
                    None => (false, free_step(*lo, *hi)),
                };
                Some(PlaceholderSpec {
                    name: name.clone(),
                    kind: PlaceholderKind::Number {
                        low: *lo,
                        high: *hi,
                        integer,
                        step,
                    },
                })
            }
            Self::ConditionPlaceholder(name) => Some(PlaceholderSpec {
                name: name.clone(),
                kind: PlaceholderKind::Condition,
            }),
            Self::Call { block, args } => {
                let specs_of_args = find(block).map(|found| found.args()).unwrap_or(&[]);
                for (index, arg) in args.iter().enumerate() {
                    let param = match specs_of_args.get(index) {
                        Some(Arg::Param(param)) => Some(param),
                        _ => None,
                    };
                    arg.walk_specs(specs, param)?;
                }
                None
            }
            _ => {
                for child in self.children() {
                    child.walk_specs(specs, None)?;
                }
                None
            }
        };
        let Some(found) = found else {
            return Ok(());
        };
        match specs.iter_mut().find(|spec| spec.name == found.name) {
            None => specs.push(found),
            Some(existing) => match (&mut existing.kind, found.kind) {
                (PlaceholderKind::Condition, PlaceholderKind::Condition) => {}
                (
                    PlaceholderKind::Number {
                        low,
                        high,
                        integer,
                        step,
                    },
                    PlaceholderKind::Number {
                        low: other_low,
                        high: other_high,
                        integer: other_integer,
                        step: other_step,
                    },
                ) => {
                    if *low != other_low || *high != other_high {
                        return Err(format!(
                            "placeholder ?{} is used with bounds [{}..{}] and [{}..{}]: a placeholder used twice takes one value, give it one range",
                            found.name,
                            format_number(*low),
                            format_number(*high),
                            format_number(other_low),
                            format_number(other_high)
                        ));
                    }
                    // A whole-number use makes it whole; otherwise the coarser grid wins.
                    if other_integer || *integer {
                        *integer = true;
                        *step = 1.0;
                    } else {
                        *step = step.max(other_step);
                    }
                }
                _ => {
                    return Err(format!(
                        "placeholder ?{} is used both as a number and as a condition",
                        found.name
                    ));
                }
            },
        }
        Ok(())
    }

    /// The expression with each placeholder named in `values` replaced by its value (a number
    /// placeholder by an [`Expr::Number`], a condition placeholder by a condition); placeholders
    /// not named stay.
    pub fn substitute(&self, values: &BTreeMap<String, Expr>) -> Expr {
        match self {
            Self::Placeholder { name, .. } | Self::ConditionPlaceholder(name) => {
                values.get(name).cloned().unwrap_or_else(|| self.clone())
            }
            Self::Number(_) => self.clone(),
            Self::Call { block, args } => Self::Call {
                block,
                args: args.iter().map(|arg| arg.substitute(values)).collect(),
            },
            Self::Neg(inner) => Self::Neg(Box::new(inner.substitute(values))),
            Self::Not(inner) => Self::Not(Box::new(inner.substitute(values))),
            Self::Tf { timeframe, inner } => Self::Tf {
                timeframe: *timeframe,
                inner: Box::new(inner.substitute(values)),
            },
            Self::Arith { op, lhs, rhs } => Self::Arith {
                op: *op,
                lhs: Box::new(lhs.substitute(values)),
                rhs: Box::new(rhs.substitute(values)),
            },
            Self::Compare { op, lhs, rhs } => Self::Compare {
                op: *op,
                lhs: Box::new(lhs.substitute(values)),
                rhs: Box::new(rhs.substitute(values)),
            },
            Self::And(lhs, rhs) => Self::And(
                Box::new(lhs.substitute(values)),
                Box::new(rhs.substitute(values)),
            ),
            Self::Or(lhs, rhs) => Self::Or(
                Box::new(lhs.substitute(values)),
                Box::new(rhs.substitute(values)),
            ),
            Self::Cross { above, a, b } => Self::Cross {
                above: *above,
                a: Box::new(a.substitute(values)),
                b: Box::new(b.substitute(values)),
            },
        }
    }

    /// How many times the placeholder `name` occurs.
    pub fn occurrences(&self, name: &str) -> usize {
        match self {
            Self::Placeholder { name: own, .. } | Self::ConditionPlaceholder(own) => {
                usize::from(own == name)
            }
            _ => self
                .children()
                .iter()
                .map(|child| child.occurrences(name))
                .sum(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Formula;

    fn specs(text: &str) -> Result<Vec<PlaceholderSpec>, String> {
        let formula = Formula::parse(text).map_err(|error| error.to_string())?;
        let mut specs = Vec::new();
        formula.root().collect_placeholder_specs(&mut specs)?;
        Ok(specs)
    }

    #[test]
    fn a_period_placeholder_is_whole_and_a_level_is_real_on_a_tenth() {
        let found = specs("rsi(close, ?period[2..30]) < ?level[5..40] and ?filter").unwrap();
        assert_eq!(found.len(), 3);
        assert_eq!(
            found[0].kind,
            PlaceholderKind::Number {
                low: 2.0,
                high: 30.0,
                integer: true,
                step: 1.0
            }
        );
        // A range of 35: a hundredth is 0.35, rounded down to a power of ten 0.1.
        assert_eq!(
            found[1].kind,
            PlaceholderKind::Number {
                low: 5.0,
                high: 40.0,
                integer: false,
                step: 0.1
            }
        );
        assert_eq!(found[2].kind, PlaceholderKind::Condition);
    }

    #[test]
    fn a_real_parameter_placeholder_takes_the_parameter_grid() {
        let found = specs("close < bollinger_lower(close, 20, ?width[1..3])").unwrap();
        assert!(matches!(
            found[0].kind,
            PlaceholderKind::Number {
                step: 0.25,
                integer: false,
                ..
            }
        ));
    }

    #[test]
    fn conflicting_uses_are_refused_by_name() {
        let error = specs("rsi(close, ?p[2..30]) < ?p[5..40]").unwrap_err();
        assert!(
            error.contains("?p") && error.contains("one range"),
            "{error}"
        );
        let error = specs("?x and close > ?x[1..2]").unwrap_err();
        assert!(
            error.contains("both as a number and as a condition"),
            "{error}"
        );
    }

    #[test]
    fn substitution_fills_every_use() {
        let formula =
            Formula::parse("rsi(close, ?p[2..30]) < 10 or rsi(close, ?p[2..30]) > 90").unwrap();
        let values = BTreeMap::from([("p".to_string(), Expr::Number(2.0))]);
        assert_eq!(
            formula.root().substitute(&values).to_string(),
            "rsi(close, 2) < 10 or rsi(close, 2) > 90"
        );
        assert_eq!(formula.root().occurrences("p"), 2);
    }

    #[test]
    fn snapping_gives_short_decimals_inside_the_bounds() {
        assert_eq!(snap(12.345, 5.0, 40.0, 0.1).to_string(), "12.3");
        assert_eq!(snap(1.13, 1.0, 3.0, 0.25), 1.25);
        assert_eq!(snap(41.0, 5.0, 40.0, 1.0), 40.0);
        assert_eq!(snap(2.6, 2.0, 30.0, 1.0), 3.0);
    }
}
