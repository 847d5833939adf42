//! Random conditions for templates' condition placeholders (`?filter`): a [`ConditionFamily`]
//! (which blocks, how deep) draws well-typed conditions from any [`rand::Rng`], so the same
//! stream gives the same condition; [`tunable_numbers`] lists a condition's numbers with their
//! bounds and grid, for mutation and plateau neighbours.
//!
//! A drawn condition is an **atom** or, below the family's depth, two conditions joined by `and`
//! or `or`. An atom compares a block with something on its own scale:
//! - a price-scale block (an average, a band, a channel, `vwap`, `lag`): the close above or below
//!   it, or crossing it (`close > sma(close, 50)`, `crosses_below(close, keltner_lower(20, 2))`);
//! - a price value (`open`, `high`, `low`, `close`): above or below itself n bars ago
//!   (`high > lag(high, 5)`);
//! - a bounded oscillator: above or below a level within its range (`adx(14) > 25`);
//! - `atr` and `stddev`: as a fraction of the close, above or below a level (`atr(14) / close
//!   < 0.02`);
//! - `pct_change`: above or below a level (`pct_change(close, 10) > 0.05`);
//! - any other block (`volume`, `obv`, a new one): above or below its own moving average
//!   (`volume > sma(volume, 20)`).
//!
//! Block parameters are drawn on their grid, periods no longer than the family's `max_period`.

use rand::{Rng, RngExt};

use crate::block::{Arg, Block, Param, ParamKind};
use crate::blocks::{find, registry};
use crate::error::BlocksError;
use crate::formula::{ArithOp, CompareOp, Expr};
use crate::template::snap;

/// The deepest a family's conditions may be (`max_depth`): depth 1 is one atom, depth 3 up to
/// four atoms joined by `and` / `or`.
pub const MAX_CONDITION_DEPTH: usize = 3;

/// The scale of a block's values, which decides what an atom compares it with.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Scale {
    /// Compared with the close (an average, a band).
    Price,
    /// A price value without parameters, compared with itself n bars ago.
    PriceValue,
    /// Compared with a level: `(low, high, step)`.
    Level(f64, f64, f64),
    /// Divided by the close, compared with a level.
    RatioToClose(f64, f64, f64),
    /// Compared with its own simple moving average.
    OwnAverage,
}

/// The scale of the block called `name` (unknown blocks compare with their own average).
fn scale(name: &str) -> Scale {
    match name {
        "open" | "high" | "low" | "close" => Scale::PriceValue,
        "lag" | "highest" | "lowest" | "sma" | "ema" | "bollinger_upper" | "bollinger_lower"
        | "keltner_upper" | "keltner_lower" | "vwap" => Scale::Price,
        "rsi" | "stoch_k" | "stoch_d" | "mfi" => Scale::Level(5.0, 95.0, 1.0),
        "williams_r" => Scale::Level(-95.0, -5.0, 1.0),
        "cci" => Scale::Level(-200.0, 200.0, 5.0),
        "adx" | "plus_di" | "minus_di" => Scale::Level(5.0, 60.0, 1.0),
        "aroon_up" | "aroon_down" => Scale::Level(0.0, 100.0, 5.0),
        "pct_change" => Scale::Level(-0.2, 0.2, 0.005),
        "atr" | "stddev" => Scale::RatioToClose(0.002, 0.1, 0.001),
        _ => Scale::OwnAverage,
    }
}

/// Which blocks a condition placeholder draws from, and how deep its conditions go.
#[derive(Debug, Clone)]
pub struct ConditionFamily {
    blocks: Vec<&'static dyn Block>,
    max_depth: usize,
    max_period: u32,
}

impl std::fmt::Debug for dyn Block {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.name())
    }
}

/// A number of a condition that mutation and plateau neighbours may move: its bounds and grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tunable {
    /// Its value now.
    pub value: f64,
    /// Smallest value allowed.
    pub low: f64,
    /// Largest value allowed.
    pub high: f64,
    /// Grid step.
    pub step: f64,
    /// The top of the range drawn from (a period's `max_period`; `high` otherwise): a mutation's
    /// spread is a tenth of `drawn_high - low`.
    pub drawn_high: f64,
}

impl ConditionFamily {
    /// The family of the blocks named in `blocks` (every registered block when empty), conditions
    /// of depth 1 to `max_depth` (at most [`MAX_CONDITION_DEPTH`]), periods drawn from 2 (or the
    /// parameter's minimum) to `max_period` bars.
    ///
    /// # Errors
    /// [`BlocksError::Family`] naming an unknown block, a depth outside 1 to
    /// [`MAX_CONDITION_DEPTH`] or a `max_period` below 2.
    pub fn new(blocks: &[String], max_depth: usize, max_period: u32) -> Result<Self, BlocksError> {
        let family = |message: String| BlocksError::Family { message };
        if !(1..=MAX_CONDITION_DEPTH).contains(&max_depth) {
            return Err(family(format!(
                "max_depth must be 1 to {MAX_CONDITION_DEPTH}, got {max_depth}"
            )));
        }
        if max_period < 2 {
            return Err(family(format!(
                "max_period must be at least 2 bars, got {max_period}"
            )));
        }
        let blocks = if blocks.is_empty() {
            registry().to_vec()
        } else {
            let mut found: Vec<&'static dyn Block> = Vec::new();
            for name in blocks {
                let block = find(name).ok_or_else(|| {
                    family(format!(
                        "unknown block `{name}` (`gauntlet blocks` lists them)"
                    ))
                })?;
                if !found.iter().any(|seen| seen.name() == block.name()) {
                    found.push(block);
                }
            }
            found
        };
        Ok(Self {
            blocks,
            max_depth,
            max_period,
        })
    }

    /// The deepest condition it draws.
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }

    /// A random condition of depth 1 to the family's `max_depth`: at each level below the
    /// deepest, two conditions joined by `and` or `or` with probability 1/2, else an atom.
    pub fn random<R: Rng + ?Sized>(&self, rng: &mut R) -> Expr {
        self.random_at(rng, self.max_depth)
    }

    fn random_at<R: Rng + ?Sized>(&self, rng: &mut R, depth: usize) -> Expr {
        if depth > 1 && rng.random_bool(0.5) {
            let lhs = Box::new(self.random_at(rng, depth - 1));
            let rhs = Box::new(self.random_at(rng, depth - 1));
            return if rng.random_bool(0.5) {
                Expr::And(lhs, rhs)
            } else {
                Expr::Or(lhs, rhs)
            };
        }
        let block = self.blocks[rng.random_range(0..self.blocks.len())];
        self.atom(block, rng)
    }

    /// A call of `block` with `close` for its series and parameters drawn on their grid.
    fn call<R: Rng + ?Sized>(&self, block: &'static dyn Block, series: Expr, rng: &mut R) -> Expr {
        let args = block
            .args()
            .iter()
            .map(|arg| match arg {
                Arg::Series(_) => series.clone(),
                Arg::Param(param) => Expr::Number(self.draw(param, rng)),
            })
            .collect();
        Expr::Call {
            block: block.name(),
            args,
        }
    }

    /// A parameter value on its grid, a period no longer than `max_period`.
    fn draw<R: Rng + ?Sized>(&self, param: &Param, rng: &mut R) -> f64 {
        let (low, high) = drawn_range(param, self.max_period);
        let steps = ((high - low) / param.step).floor().max(0.0) as u64;
        snap(
            low + rng.random_range(0..=steps) as f64 * param.step,
            param.min,
            param.max,
            param.step,
        )
    }

    fn atom<R: Rng + ?Sized>(&self, block: &'static dyn Block, rng: &mut R) -> Expr {
        let close = || Expr::Call {
            block: "close",
            args: Vec::new(),
        };
        let compare = |rng: &mut R, lhs: Expr, rhs: Expr| Expr::Compare {
            op: if rng.random_bool(0.5) {
                CompareOp::Gt
            } else {
                CompareOp::Lt
            },
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        };
        let level = |rng: &mut R, low: f64, high: f64, step: f64| {
            let steps = ((high - low) / step).round() as u64;
            Expr::Number(snap(
                low + rng.random_range(0..=steps) as f64 * step,
                low,
                high,
                step,
            ))
        };
        match scale(block.name()) {
            Scale::Price => {
                let value = self.call(block, close(), rng);
                match rng.random_range(0..4) {
                    0 | 1 => compare(rng, close(), value),
                    kind => Expr::Cross {
                        above: kind == 2,
                        a: Box::new(close()),
                        b: Box::new(value),
                    },
                }
            }
            Scale::PriceValue => {
                let lag = find("lag").expect("lag is registered");
                let value = self.call(block, close(), rng);
                let before = self.call(lag, value.clone(), rng);
                compare(rng, value, before)
            }
            Scale::Level(low, high, step) => {
                let value = self.call(block, close(), rng);
                let level = level(rng, low, high, step);
                compare(rng, value, level)
            }
            Scale::RatioToClose(low, high, step) => {
                let value = Expr::Arith {
                    op: ArithOp::Div,
                    lhs: Box::new(self.call(block, close(), rng)),
                    rhs: Box::new(close()),
                };
                let level = level(rng, low, high, step);
                compare(rng, value, level)
            }
            Scale::OwnAverage => {
                let sma = find("sma").expect("sma is registered");
                let value = self.call(block, close(), rng);
                let average = self.call(sma, value.clone(), rng);
                compare(rng, value, average)
            }
        }
    }

    /// Whether `condition` is one this family could draw the shape of: every block it calls is
    /// the family's (or a price value, `lag` or `sma`, which atoms use around them) and it is no
    /// deeper than `max_depth`.
    ///
    /// # Errors
    /// A message naming the block outside the family, or the depth.
    pub fn check(&self, condition: &Expr) -> Result<(), String> {
        let depth = condition_depth(condition);
        if depth > self.max_depth {
            return Err(format!(
                "is {depth} conditions deep, more than the family's max_depth {}",
                self.max_depth
            ));
        }
        let mut outside = None;
        visit(condition, &mut |expr| {
            if let Expr::Call { block, .. } = expr
                && !matches!(
                    *block,
                    "open" | "high" | "low" | "close" | "volume" | "lag" | "sma"
                )
                && !self.blocks.iter().any(|known| known.name() == *block)
                && outside.is_none()
            {
                outside = Some(*block);
            }
        });
        match outside {
            Some(block) => Err(format!("calls `{block}`, which is not in the family")),
            None => Ok(()),
        }
    }

    /// The most nodes a condition it draws can have (for the template's bounds, checked before
    /// work).
    pub fn max_nodes(&self) -> usize {
        let atom = self
            .blocks
            .iter()
            .map(|block| worst_atom(*block).nodes())
            .max()
            .unwrap_or(1);
        let atoms = 1usize << (self.max_depth - 1);
        atoms * atom + (atoms - 1)
    }

    /// The most bytes of canonical text a condition it draws can have, with room for the
    /// parentheses around it.
    pub fn max_bytes(&self) -> usize {
        let atom = self
            .blocks
            .iter()
            .map(|block| worst_atom(*block).to_string().len())
            .max()
            .unwrap_or(1);
        let atoms = 1usize << (self.max_depth - 1);
        // Each join adds ` and ` and at most a pair of parentheses on either side.
        atoms * atom + (atoms - 1) * 9 + 2
    }

    /// The deepest nesting of parentheses a condition it draws can have.
    pub fn max_nesting(&self) -> usize {
        let atom = self
            .blocks
            .iter()
            .map(|block| nesting(&worst_atom(*block).to_string()))
            .max()
            .unwrap_or(0);
        atom + self.max_depth
    }
}

/// The range periods are drawn from: 2 (or the parameter's minimum, when larger) to
/// `max_period` (or the parameter's maximum, when smaller); a real parameter's whole range.
fn drawn_range(param: &Param, max_period: u32) -> (f64, f64) {
    match param.kind {
        ParamKind::Period => {
            let low = param.min.max(2.0).min(param.max);
            (low, param.max.min(f64::from(max_period)).max(low))
        }
        ParamKind::Real => (param.min, param.max),
    }
}

/// The longest atom of `block`'s kind (numbers at 24 characters, the longest an `f64` prints),
/// for the bounds.
fn worst_atom(block: &'static dyn Block) -> Expr {
    let long = Expr::Number(-1.234_567_890_123_456_7e-300);
    let close = Expr::Call {
        block: "close",
        args: Vec::new(),
    };
    let call = |block: &'static dyn Block, series: Expr| Expr::Call {
        block: block.name(),
        args: block
            .args()
            .iter()
            .map(|arg| match arg {
                Arg::Series(_) => series.clone(),
                Arg::Param(_) => long.clone(),
            })
            .collect(),
    };
    let compare = |lhs: Expr, rhs: Expr| Expr::Compare {
        op: CompareOp::Gt,
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
    };
    match scale(block.name()) {
        Scale::Price => Expr::Cross {
            above: false,
            a: Box::new(close.clone()),
            b: Box::new(call(block, close)),
        },
        Scale::PriceValue => {
            let value = call(block, close);
            compare(
                value.clone(),
                call(find("lag").expect("lag is registered"), value),
            )
        }
        Scale::Level(..) => compare(call(block, close), long.clone()),
        Scale::RatioToClose(..) => compare(
            Expr::Arith {
                op: ArithOp::Div,
                lhs: Box::new(call(block, close.clone())),
                rhs: Box::new(close),
            },
            long.clone(),
        ),
        Scale::OwnAverage => {
            let value = call(block, close);
            compare(
                value.clone(),
                call(find("sma").expect("sma is registered"), value),
            )
        }
    }
}

/// The deepest nesting of parentheses in `text`.
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for byte in text.bytes() {
        match byte {
            b'(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Calls `action` on `expr` and every sub-expression, parents first.
fn visit(expr: &Expr, action: &mut dyn FnMut(&Expr)) {
    action(expr);
    for child in expr.children() {
        visit(child, action);
    }
}

/// A condition's depth: 1 for an atom (a comparison, a crossing), one more for each `and`, `or`
/// or `not` above it.
pub fn condition_depth(expr: &Expr) -> usize {
    match expr {
        Expr::And(lhs, rhs) | Expr::Or(lhs, rhs) => {
            1 + condition_depth(lhs).max(condition_depth(rhs))
        }
        Expr::Not(inner) => 1 + condition_depth(inner),
        _ => 1,
    }
}

/// The numbers of `condition` that mutation and plateau neighbours may move, in a fixed order
/// (parents first, left to right): every block parameter (its bounds and grid, periods drawn up
/// to `max_period`) and every level compared with a bounded oscillator, a ratio to the close or
/// a percent change (the level ranges of the atoms above).
pub fn tunable_numbers(condition: &Expr, max_period: u32) -> Vec<Tunable> {
    let mut found = Vec::new();
    collect_tunables(condition, max_period, &mut found);
    found
}

fn level_of(expr: &Expr) -> Option<(f64, f64, f64)> {
    match expr {
        Expr::Call { block, .. } => match scale(block) {
            Scale::Level(low, high, step) => Some((low, high, step)),
            _ => None,
        },
        Expr::Arith {
            op: ArithOp::Div,
            lhs,
            rhs,
        } if matches!(**rhs, Expr::Call { block: "close", .. }) => match &**lhs {
            Expr::Call { block, .. } => match scale(block) {
                Scale::RatioToClose(low, high, step) => Some((low, high, step)),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

fn collect_tunables(expr: &Expr, max_period: u32, found: &mut Vec<Tunable>) {
    match expr {
        Expr::Call { block, args } => {
            let specs = find(block).map(|block| block.args()).unwrap_or(&[]);
            for (arg, spec) in args.iter().zip(specs) {
                match (arg, spec) {
                    (Expr::Number(value), Arg::Param(param)) => found.push(Tunable {
                        value: *value,
                        low: param.min,
                        high: param.max,
                        step: param.step,
                        drawn_high: drawn_range(param, max_period).1,
                    }),
                    _ => collect_tunables(arg, max_period, found),
                }
            }
        }
        Expr::Compare { lhs, rhs, .. } => {
            for (side, other) in [(lhs, rhs), (rhs, lhs)] {
                if let (Expr::Number(value), Some((low, high, step))) = (&**side, level_of(other)) {
                    found.push(Tunable {
                        value: *value,
                        low: low.min(*value),
                        high: high.max(*value),
                        step,
                        drawn_high: high,
                    });
                } else {
                    collect_tunables(side, max_period, found);
                }
            }
        }
        _ => {
            for child in expr.children() {
                collect_tunables(child, max_period, found);
            }
        }
    }
}

/// `condition` with its [`tunable_numbers`] set to `values`, in the same order (numbers beyond
/// `values` stay).
pub fn with_tunable_numbers(condition: &Expr, values: &[f64]) -> Expr {
    let mut copy = condition.clone();
    let mut next = values.iter().copied();
    set_tunables(&mut copy, &mut next);
    copy
}

fn set_tunables(expr: &mut Expr, next: &mut dyn Iterator<Item = f64>) {
    match expr {
        Expr::Call { block, args } => {
            let specs = find(block).map(|block| block.args()).unwrap_or(&[]);
            for (arg, spec) in args.iter_mut().zip(specs) {
                match (arg, spec) {
                    (Expr::Number(value), Arg::Param(_)) => {
                        if let Some(new) = next.next() {
                            *value = new;
                        }
                    }
                    (arg, _) => set_tunables(arg, next),
                }
            }
        }
        Expr::Compare { lhs, rhs, .. } => {
            let lhs_level = level_of(rhs).is_some() && matches!(**lhs, Expr::Number(_));
            if lhs_level {
                if let Expr::Number(value) = &mut **lhs
                    && let Some(new) = next.next()
                {
                    *value = new;
                }
            } else {
                set_tunables(lhs, next);
            }
            if level_of(lhs).is_some() && matches!(**rhs, Expr::Number(_)) {
                if let Expr::Number(value) = &mut **rhs
                    && let Some(new) = next.next()
                {
                    *value = new;
                }
            } else {
                set_tunables(rhs, next);
            }
        }
        Expr::Neg(inner) | Expr::Not(inner) | Expr::Tf { inner, .. } => set_tunables(inner, next),
        Expr::Arith { lhs, rhs, .. } | Expr::And(lhs, rhs) | Expr::Or(lhs, rhs) => {
            set_tunables(lhs, next);
            set_tunables(rhs, next);
        }
        Expr::Cross { a, b, .. } => {
            set_tunables(a, next);
            set_tunables(b, next);
        }
        Expr::Number(_) | Expr::Placeholder { .. } | Expr::ConditionPlaceholder(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Formula;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn all(depth: usize) -> ConditionFamily {
        ConditionFamily::new(&[], depth, 200).unwrap()
    }

    #[test]
    fn drawn_conditions_are_well_typed_bounded_and_reparse() {
        let family = all(MAX_CONDITION_DEPTH);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut depths = [0usize; MAX_CONDITION_DEPTH + 1];
        for _ in 0..2_000 {
            let condition = family.random(&mut rng);
            let text = condition.to_string();
            let parsed = Formula::parse(&text).unwrap_or_else(|error| panic!("{text}: {error}"));
            assert_eq!(parsed.root(), &condition, "{text}");
            assert!(condition.nodes() <= family.max_nodes(), "{text}");
            assert!(text.len() <= family.max_bytes(), "{text}");
            assert!(nesting(&text) <= family.max_nesting(), "{text}");
            family.check(&condition).unwrap();
            depths[condition_depth(&condition)] += 1;
        }
        // An atom with probability 1/2 at the top; a join of two atoms (depth 2) with 1/2 x 1/4;
        // depth 3 otherwise: 1,000, 250 and 750 of 2,000 draws expected.
        assert!((900..1_100).contains(&depths[1]), "{depths:?}");
        assert!((190..310).contains(&depths[2]), "{depths:?}");
        assert!((660..840).contains(&depths[3]), "{depths:?}");
    }

    #[test]
    fn the_same_stream_draws_the_same_condition() {
        let family = all(2);
        let draw = |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            (0..20)
                .map(|_| family.random(&mut rng).to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(3), draw(3));
        assert_ne!(draw(3), draw(4));
    }

    #[test]
    fn a_family_draws_only_its_blocks_and_periods_up_to_its_bound() {
        let family = ConditionFamily::new(&["adx".to_string()], 1, 30).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..200 {
            let condition = family.random(&mut rng);
            let Expr::Compare { lhs, rhs, .. } = &condition else {
                panic!("an adx atom is a comparison: {condition}");
            };
            let Expr::Call { block: "adx", args } = &**lhs else {
                panic!("{condition}");
            };
            let Expr::Number(period) = args[0] else {
                panic!()
            };
            assert!((2.0..=30.0).contains(&period) && period.fract() == 0.0);
            let Expr::Number(level) = **rhs else { panic!() };
            assert!((5.0..=60.0).contains(&level) && level.fract() == 0.0);
        }
    }

    #[test]
    fn families_are_checked() {
        let error = ConditionFamily::new(&["nope".to_string()], 2, 200).unwrap_err();
        assert!(
            error.to_string().contains("unknown block `nope`"),
            "{error}"
        );
        assert!(ConditionFamily::new(&[], 0, 200).is_err());
        assert!(ConditionFamily::new(&[], MAX_CONDITION_DEPTH + 1, 200).is_err());
        assert!(ConditionFamily::new(&[], 2, 1).is_err());
        let family = ConditionFamily::new(&["sma".to_string()], 1, 200).unwrap();
        let outside = Formula::parse("adx(14) > 25").unwrap();
        assert!(family.check(outside.root()).unwrap_err().contains("`adx`"));
        let deep = Formula::parse("close > sma(close, 5) and close > sma(close, 9)").unwrap();
        assert!(
            family
                .check(deep.root())
                .unwrap_err()
                .contains("2 conditions deep")
        );
    }

    #[test]
    fn tunable_numbers_are_the_parameters_and_levels_in_order() {
        let formula = Formula::parse(
            "rsi(close, 14) < 30 and atr(10) / close > 0.01 or close > sma(close, 50)",
        )
        .unwrap();
        let numbers = tunable_numbers(formula.root(), 200);
        let values: Vec<f64> = numbers.iter().map(|tunable| tunable.value).collect();
        assert_eq!(values, [14.0, 30.0, 10.0, 0.01, 50.0]);
        // The RSI level's range is 5..95 on a grid of 1; a period's drawn top is max_period.
        assert_eq!(
            (numbers[1].low, numbers[1].high, numbers[1].step),
            (5.0, 95.0, 1.0)
        );
        assert_eq!(numbers[0].drawn_high, 200.0);
        let moved = with_tunable_numbers(formula.root(), &[15.0, 31.0, 11.0, 0.02, 51.0]);
        assert_eq!(
            moved.to_string(),
            "rsi(close, 15) < 31 and atr(11) / close > 0.02 or close > sma(close, 51)"
        );
    }
}
