//! The formula language: a typed expression over the blocks, parsed with pest from
//! `formula.pest`, type-checked while its tree is built, printed in one canonical text.

use std::fmt;

use gauntlet_core::BarInterval;
use pest::Parser;
use pest::iterators::Pair;

use crate::block::{Arg, ParamKind};
use crate::blocks::find;
use crate::error::BlocksError;
use crate::timeframe::{TIMEFRAMES_ACCEPTED, accepts, parse_timeframe};

/// The longest formula accepted, in bytes, checked before parsing.
pub const MAX_FORMULA_BYTES: usize = 4_096;
/// The deepest nesting of parentheses and brackets accepted, checked before parsing (so hostile
/// input such as 10,000 opening parentheses is an error, never a stack overflow).
pub const MAX_FORMULA_DEPTH: usize = 32;
/// The most nodes (numbers, names, calls, operators, placeholders) a formula may have, checked
/// while its tree is built.
pub const MAX_FORMULA_NODES: usize = 256;

#[derive(pest_derive::Parser)]
#[grammar = "formula.pest"]
struct FormulaParser;

/// What an expression computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// A number per bar (a price, an indicator value, a constant).
    Number,
    /// A true/false per bar (a rule).
    Condition,
}

impl fmt::Display for Type {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::Number => "a number",
            Self::Condition => "a condition",
        })
    }
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl ArithOp {
    /// The operator's text.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Add => "+",
            Self::Sub => "-",
            Self::Mul => "*",
            Self::Div => "/",
        }
    }

    /// Applies it (IEEE 754: a division by zero gives an infinity or `NaN`).
    pub fn apply(self, lhs: f64, rhs: f64) -> f64 {
        match self {
            Self::Add => lhs + rhs,
            Self::Sub => lhs - rhs,
            Self::Mul => lhs * rhs,
            Self::Div => lhs / rhs,
        }
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// The operator's text.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
        }
    }

    /// Applies it; `None` (unknown) when either side is `NaN`.
    pub fn apply(self, lhs: f64, rhs: f64) -> Option<bool> {
        if lhs.is_nan() || rhs.is_nan() {
            return None;
        }
        Some(match self {
            Self::Lt => lhs < rhs,
            Self::Le => lhs <= rhs,
            Self::Gt => lhs > rhs,
            Self::Ge => lhs >= rhs,
        })
    }
}

/// A typed expression. Number expressions: [`Expr::Number`], [`Expr::Call`], [`Expr::Neg`],
/// [`Expr::Arith`], [`Expr::Placeholder`] and [`Expr::Tf`] of a number; the others are
/// conditions.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A constant.
    Number(f64),
    /// A block with its arguments in the block's order (parameters are [`Expr::Number`] or
    /// [`Expr::Placeholder`]); a price such as `close` is a call without arguments.
    Call {
        /// The registered block's name.
        block: &'static str,
        /// Its arguments.
        args: Vec<Expr>,
    },
    /// Unary minus.
    Neg(Box<Expr>),
    /// `lhs op rhs` on numbers.
    Arith {
        /// The operator.
        op: ArithOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `lhs op rhs`: a condition, unknown (false) where either side is `NaN`.
    Compare {
        /// The operator.
        op: CompareOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// Both conditions.
    And(Box<Expr>, Box<Expr>),
    /// Either condition.
    Or(Box<Expr>, Box<Expr>),
    /// The condition's negation.
    Not(Box<Expr>),
    /// `crosses_above(a, b)` (`above`) at t: `a[t] > b[t]` and `a[t-1] <= b[t-1]`;
    /// `crosses_below(a, b)`: `a[t] < b[t]` and `a[t-1] >= b[t-1]`.
    Cross {
        /// Above or below.
        above: bool,
        /// The crossing series.
        a: Box<Expr>,
        /// The series crossed.
        b: Box<Expr>,
    },
    /// `?name[lo..hi]`: a number a template leaves to evolution, a whole number when it is a
    /// block's period (see [`crate::PlaceholderKind`]).
    Placeholder {
        /// Its name.
        name: String,
        /// Smallest value.
        lo: f64,
        /// Largest value.
        hi: f64,
    },
    /// `?name` in condition position: a condition a template draws later from a block family.
    ConditionPlaceholder(String),
    /// `tf("1d", inner)`: `inner` (a number or a condition) on bars of a higher timeframe, read
    /// from the last completed period only (see the `timeframe` module's semantics: at a bar of
    /// period k, `inner`'s value on period k-1's bar). Never nested.
    Tf {
        /// The higher timeframe: one of [`crate::TIMEFRAMES_ACCEPTED`].
        timeframe: BarInterval,
        /// What is read on it.
        inner: Box<Expr>,
    },
}

impl Expr {
    /// What it computes.
    pub fn kind(&self) -> Type {
        match self {
            Self::Number(_)
            | Self::Call { .. }
            | Self::Neg(_)
            | Self::Arith { .. }
            | Self::Placeholder { .. } => Type::Number,
            Self::Tf { inner, .. } => inner.kind(),
            _ => Type::Condition,
        }
    }

    /// Its direct sub-expressions.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Self::Number(_) | Self::Placeholder { .. } | Self::ConditionPlaceholder(_) => {
                Vec::new()
            }
            Self::Call { args, .. } => args.iter().collect(),
            Self::Neg(inner) | Self::Not(inner) | Self::Tf { inner, .. } => vec![inner],
            Self::Arith { lhs, rhs, .. } | Self::Compare { lhs, rhs, .. } => vec![lhs, rhs],
            Self::And(lhs, rhs) | Self::Or(lhs, rhs) => vec![lhs, rhs],
            Self::Cross { a, b, .. } => vec![a, b],
        }
    }

    /// Its node count (itself and every sub-expression).
    pub fn nodes(&self) -> usize {
        1 + self
            .children()
            .iter()
            .map(|child| child.nodes())
            .sum::<usize>()
    }

    /// The placeholders' names, in order of first appearance.
    pub fn placeholders(&self) -> Vec<String> {
        let mut names = Vec::new();
        self.collect_placeholders(&mut names);
        names
    }

    fn collect_placeholders(&self, names: &mut Vec<String>) {
        match self {
            Self::Placeholder { name, .. } | Self::ConditionPlaceholder(name) => {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
            _ => {
                for child in self.children() {
                    child.collect_placeholders(names);
                }
            }
        }
    }

    /// Precedence for printing: higher binds tighter.
    pub(crate) fn precedence(&self) -> u8 {
        match self {
            Self::Or(..) => 1,
            Self::And(..) => 2,
            Self::Not(_) => 3,
            Self::Compare { .. } => 4,
            Self::Arith {
                op: ArithOp::Add | ArithOp::Sub,
                ..
            } => 5,
            Self::Arith { .. } => 6,
            Self::Neg(_) => 7,
            Self::Number(value) if *value < 0.0 || value.is_sign_negative() => 7,
            _ => 8,
        }
    }

    /// Parses an expression of either type (see [`Formula::parse`] for a condition).
    ///
    /// # Errors
    /// As [`Formula::parse`].
    pub fn parse(text: &str) -> Result<Self, BlocksError> {
        check_bounds(text)?;
        let mut pairs = FormulaParser::parse(Rule::formula, text).map_err(syntax_error)?;
        let formula = pairs.next().expect("the formula rule matched");
        let root = formula
            .into_inner()
            .next()
            .expect("a formula holds an expression");
        let mut builder = Builder {
            nodes: 0,
            inside_tf: false,
        };
        Ok(builder.expr(root)?.0)
    }
}

/// Writes a number so that it parses back to the same `f64`: whole numbers without a fraction
/// (`200`), others in Rust's shortest round-trip form (`0.5`, `1e-7`).
pub fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value:?}")
    }
}

/// A condition formula: the rule a strategy enters or exits on.
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    root: Expr,
}

impl Formula {
    /// Parses and type-checks a condition such as `rsi(close, 2) < 10 and close > sma(close, 200)`.
    ///
    /// # Errors
    /// [`BlocksError::TooLong`] beyond [`MAX_FORMULA_BYTES`]; [`BlocksError::Formula`] with the
    /// line and column for nesting beyond [`MAX_FORMULA_DEPTH`], more than [`MAX_FORMULA_NODES`]
    /// nodes, a syntax error, an unknown block, a wrong argument count, a type mismatch
    /// (`expected a number, found a condition`), a parameter that is not a literal within the
    /// block's bounds (the error names the argument), or a number expression where the formula
    /// must be a condition.
    pub fn parse(text: &str) -> Result<Self, BlocksError> {
        let root = Expr::parse(text)?;
        if root.kind() != Type::Condition {
            return Err(BlocksError::Formula {
                line: 1,
                column: 1,
                message: "expected a condition, found a number".to_string(),
            });
        }
        Ok(Self { root })
    }

    /// A formula from a condition expression (a template filled, a generator's draw).
    ///
    /// # Errors
    /// [`BlocksError::Formula`] when `root` is a number, has more than [`MAX_FORMULA_NODES`]
    /// nodes, or a `tf` with a timeframe it does not accept or inside another `tf`.
    pub fn from_expr(root: Expr) -> Result<Self, BlocksError> {
        let problem = if root.kind() != Type::Condition {
            Some("expected a condition, found a number".to_string())
        } else if root.nodes() > MAX_FORMULA_NODES {
            Some(format!("more than {MAX_FORMULA_NODES} nodes"))
        } else {
            timeframe_problem(&root, false)
        };
        match problem {
            Some(message) => Err(BlocksError::Formula {
                line: 1,
                column: 1,
                message,
            }),
            None => Ok(Self { root }),
        }
    }

    /// The condition's tree.
    pub fn root(&self) -> &Expr {
        &self.root
    }

    /// The placeholders' names, in order of first appearance (empty for a formula ready to
    /// evaluate).
    pub fn placeholders(&self) -> Vec<String> {
        self.root.placeholders()
    }

    /// Whether the formula reads a higher timeframe anywhere (`tf(...)`).
    pub fn uses_timeframes(&self) -> bool {
        fn walk(expr: &Expr) -> bool {
            matches!(expr, Expr::Tf { .. }) || expr.children().into_iter().any(walk)
        }
        walk(&self.root)
    }

    /// An error if a placeholder is left.
    pub(crate) fn check_filled(&self) -> Result<(), BlocksError> {
        match self.placeholders().into_iter().next() {
            Some(name) => Err(BlocksError::Unfilled {
                formula: self.to_string(),
                name,
            }),
            None => Ok(()),
        }
    }
}

impl fmt::Display for Formula {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.root)
    }
}

impl std::str::FromStr for Formula {
    type Err = BlocksError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// What is wrong with the `tf` calls of `expr`, if anything: a timeframe `tf` does not accept, or a
/// `tf` inside another (`inside`).
fn timeframe_problem(expr: &Expr, inside: bool) -> Option<String> {
    if let Expr::Tf { timeframe, .. } = expr {
        if inside {
            return Some(NESTED_TF.to_string());
        }
        if !accepts(*timeframe) {
            return Some(format!(
                "unknown timeframe \"{timeframe}\": tf takes {TIMEFRAMES_ACCEPTED}"
            ));
        }
    }
    let inside = inside || matches!(expr, Expr::Tf { .. });
    expr.children()
        .into_iter()
        .find_map(|child| timeframe_problem(child, inside))
}

/// Why a `tf` may not hold another.
const NESTED_TF: &str = "tf cannot be nested: write the inner tf beside the outer one";

/// 1-based line and column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |last| last.chars().count())
        + 1;
    (line, column)
}

/// Length and nesting depth, checked before any parsing work.
fn check_bounds(text: &str) -> Result<(), BlocksError> {
    if text.len() > MAX_FORMULA_BYTES {
        return Err(BlocksError::TooLong {
            bytes: text.len(),
            max: MAX_FORMULA_BYTES,
        });
    }
    let mut depth = 0usize;
    for (offset, byte) in text.bytes().enumerate() {
        match byte {
            b'(' | b'[' => {
                depth += 1;
                if depth > MAX_FORMULA_DEPTH {
                    let (line, column) = line_column(text, offset);
                    return Err(BlocksError::Formula {
                        line,
                        column,
                        message: format!("nested more than {MAX_FORMULA_DEPTH} deep"),
                    });
                }
            }
            b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn rule_name(rule: &Rule) -> &'static str {
    match rule {
        Rule::EOI => "end of formula",
        Rule::or_op => "`or`",
        Rule::and_op => "`and`",
        Rule::not_op => "`not`",
        Rule::compare_op => "a comparison (< <= > >=)",
        Rule::add_op => "`+` or `-`",
        Rule::mul_op => "`*` or `/`",
        Rule::number | Rule::signed => "a number",
        Rule::ident | Rule::name | Rule::call => "a name",
        Rule::placeholder => "a placeholder",
        Rule::bounds => "bounds [lo..hi]",
        Rule::text | Rule::text_inner => "a quoted timeframe",
        _ => "an expression",
    }
}

fn syntax_error(error: pest::error::Error<Rule>) -> BlocksError {
    let (line, column) = match error.line_col {
        pest::error::LineColLocation::Pos(position)
        | pest::error::LineColLocation::Span(position, _) => position,
    };
    let message = match &error.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } if !positives.is_empty() => {
            let mut names: Vec<&str> = positives.iter().map(rule_name).collect();
            names.dedup();
            format!("expected {}", names.join(" or "))
        }
        _ => "unexpected text".to_string(),
    };
    BlocksError::Formula {
        line,
        column,
        message,
    }
}

/// Builds the typed tree from pest's pairs, counting nodes.
struct Builder {
    nodes: usize,
    /// Whether the expression being built is inside a `tf(...)` (which may not nest).
    inside_tf: bool,
}

/// An expression with its type and where it starts (1-based line, column).
type Built = (Expr, Type, (usize, usize));

fn position(pair: &Pair<'_, Rule>) -> (usize, usize) {
    pair.as_span().start_pos().line_col()
}

fn error_at(at: (usize, usize), message: String) -> BlocksError {
    BlocksError::Formula {
        line: at.0,
        column: at.1,
        message,
    }
}

fn expect(built: &Built, wanted: Type) -> Result<(), BlocksError> {
    if built.1 == wanted {
        Ok(())
    } else {
        Err(error_at(
            built.2,
            format!("expected {wanted}, found {}", built.1),
        ))
    }
}

impl Builder {
    fn node(&mut self, at: (usize, usize)) -> Result<(), BlocksError> {
        self.nodes += 1;
        if self.nodes > MAX_FORMULA_NODES {
            return Err(error_at(at, format!("more than {MAX_FORMULA_NODES} nodes")));
        }
        Ok(())
    }

    fn expr(&mut self, pair: Pair<'_, Rule>) -> Result<Built, BlocksError> {
        let at = position(&pair);
        match pair.as_rule() {
            Rule::or_expr | Rule::and_expr | Rule::sum | Rule::product | Rule::comparison => {
                let rule = pair.as_rule();
                let mut inner = pair.into_inner();
                let mut lhs = self.expr(inner.next().expect("an operand"))?;
                while let Some(op) = inner.next() {
                    let rhs = self.expr(inner.next().expect("an operand after an operator"))?;
                    self.node(position(&op))?;
                    lhs = self.binary(rule, op.as_str(), lhs, rhs)?;
                }
                Ok(lhs)
            }
            Rule::not_expr => {
                let mut inner: Vec<_> = pair.into_inner().collect();
                let operand = self.expr(inner.pop().expect("a comparison"))?;
                let mut result = operand;
                for not in inner.into_iter().rev() {
                    expect(&result, Type::Condition)?;
                    self.node(position(&not))?;
                    result = (
                        Expr::Not(Box::new(result.0)),
                        Type::Condition,
                        position(&not),
                    );
                }
                Ok(result)
            }
            Rule::unary => {
                let mut inner: Vec<_> = pair.into_inner().collect();
                let mut result = self.expr(inner.pop().expect("a primary"))?;
                for neg in inner.into_iter().rev() {
                    expect(&result, Type::Number)?;
                    let expr = match result.0 {
                        // A literal's sign folds into it, so `-5` is the number -5.
                        Expr::Number(value) => Expr::Number(-value),
                        other => {
                            self.node(position(&neg))?;
                            Expr::Neg(Box::new(other))
                        }
                    };
                    result = (expr, Type::Number, position(&neg));
                }
                Ok(result)
            }
            Rule::number => {
                self.node(at)?;
                let value: f64 = pair
                    .as_str()
                    .parse()
                    .map_err(|_| error_at(at, "not a number".to_string()))?;
                if !value.is_finite() {
                    return Err(error_at(at, format!("{} is too large", pair.as_str())));
                }
                Ok((Expr::Number(value), Type::Number, at))
            }
            Rule::placeholder => {
                self.node(at)?;
                let mut inner = pair.into_inner();
                let name = inner.next().expect("a name").as_str().to_string();
                match inner.next() {
                    None => Ok((Expr::ConditionPlaceholder(name), Type::Condition, at)),
                    Some(bounds) => {
                        let mut values = bounds.into_inner().map(|bound| {
                            let at = position(&bound);
                            bound
                                .as_str()
                                .parse::<f64>()
                                .ok()
                                .filter(|value| value.is_finite())
                                .ok_or_else(|| error_at(at, "bound too large".to_string()))
                        });
                        let lo = values.next().expect("a lower bound")?;
                        let hi = values.next().expect("an upper bound")?;
                        if lo > hi {
                            return Err(error_at(
                                at,
                                format!("placeholder ?{name}'s bounds are reversed"),
                            ));
                        }
                        Ok((Expr::Placeholder { name, lo, hi }, Type::Number, at))
                    }
                }
            }
            Rule::name => {
                let ident = pair.into_inner().next().expect("an identifier");
                self.call(ident.as_str(), Vec::new(), at, false)
            }
            Rule::call => {
                let mut inner = pair.into_inner();
                let name = inner.next().expect("an identifier").as_str().to_string();
                let args: Vec<Pair<'_, Rule>> = inner.collect();
                if name == "tf" {
                    return self.timeframe(args, at);
                }
                if let Some(text) = args.iter().find(|arg| arg.as_rule() == Rule::text) {
                    return Err(error_at(
                        position(text),
                        format!("{name} takes no quoted text: only tf's timeframe is quoted"),
                    ));
                }
                let args = args
                    .into_iter()
                    .map(|arg| self.expr(arg))
                    .collect::<Result<Vec<_>, _>>()?;
                self.call(&name, args, at, true)
            }
            rule => unreachable!("the grammar gives no bare {rule:?} here"),
        }
    }

    /// `tf("1d", x)`: a quoted timeframe `tf` accepts, then a number or a condition without a `tf`.
    fn timeframe(
        &mut self,
        args: Vec<Pair<'_, Rule>>,
        at: (usize, usize),
    ) -> Result<Built, BlocksError> {
        self.node(at)?;
        if self.inside_tf {
            return Err(error_at(at, NESTED_TF.to_string()));
        }
        let [text, inner]: [Pair<'_, Rule>; 2] = args.try_into().map_err(|args: Vec<_>| {
            error_at(
                at,
                format!("tf takes 2 arguments (timeframe, x), found {}", args.len()),
            )
        })?;
        if text.as_rule() != Rule::text {
            return Err(error_at(
                position(&text),
                "tf's first argument must be a quoted timeframe such as \"1d\"".to_string(),
            ));
        }
        let literal = text
            .clone()
            .into_inner()
            .next()
            .map_or("", |inner| inner.as_str());
        let timeframe =
            parse_timeframe(literal).map_err(|message| error_at(position(&text), message))?;
        if inner.as_rule() == Rule::text {
            return Err(error_at(
                position(&inner),
                "tf's second argument must be a number or a condition, not a quoted text"
                    .to_string(),
            ));
        }
        self.inside_tf = true;
        let built = self.expr(inner);
        self.inside_tf = false;
        let (inner, kind, _) = built?;
        Ok((
            Expr::Tf {
                timeframe,
                inner: Box::new(inner),
            },
            kind,
            at,
        ))
    }

    fn binary(
        &mut self,
        rule: Rule,
        op: &str,
        lhs: Built,
        rhs: Built,
    ) -> Result<Built, BlocksError> {
        let at = lhs.2;
        let (operand, result) = match rule {
            Rule::or_expr | Rule::and_expr => (Type::Condition, Type::Condition),
            Rule::comparison => (Type::Number, Type::Condition),
            _ => (Type::Number, Type::Number),
        };
        expect(&lhs, operand)?;
        expect(&rhs, operand)?;
        let (lhs, rhs) = (Box::new(lhs.0), Box::new(rhs.0));
        let expr = match (rule, op) {
            (Rule::or_expr, _) => Expr::Or(lhs, rhs),
            (Rule::and_expr, _) => Expr::And(lhs, rhs),
            (Rule::comparison, symbol) => Expr::Compare {
                op: match symbol {
                    "<" => CompareOp::Lt,
                    "<=" => CompareOp::Le,
                    ">" => CompareOp::Gt,
                    _ => CompareOp::Ge,
                },
                lhs,
                rhs,
            },
            (_, symbol) => Expr::Arith {
                op: match symbol {
                    "+" => ArithOp::Add,
                    "-" => ArithOp::Sub,
                    "*" => ArithOp::Mul,
                    _ => ArithOp::Div,
                },
                lhs,
                rhs,
            },
        };
        Ok((expr, result, at))
    }

    fn call(
        &mut self,
        name: &str,
        args: Vec<Built>,
        at: (usize, usize),
        parenthesised: bool,
    ) -> Result<Built, BlocksError> {
        self.node(at)?;
        if name == "crosses_above" || name == "crosses_below" {
            let [a, b]: [Built; 2] = args.try_into().map_err(|args: Vec<Built>| {
                error_at(
                    at,
                    format!("{name} takes 2 arguments (a, b), found {}", args.len()),
                )
            })?;
            expect(&a, Type::Number)?;
            expect(&b, Type::Number)?;
            let expr = Expr::Cross {
                above: name == "crosses_above",
                a: Box::new(a.0),
                b: Box::new(b.0),
            };
            return Ok((expr, Type::Condition, at));
        }
        let block = find(name).ok_or_else(|| error_at(at, format!("unknown block `{name}`")))?;
        let specs = block.args();
        if args.len() != specs.len() || (!parenthesised && !specs.is_empty()) {
            let names: Vec<&str> = specs.iter().map(|spec| spec.name()).collect();
            return Err(error_at(
                at,
                format!(
                    "{name} takes {} argument{} ({}), found {}",
                    specs.len(),
                    if specs.len() == 1 { "" } else { "s" },
                    names.join(", "),
                    args.len()
                ),
            ));
        }
        let mut exprs = Vec::with_capacity(args.len());
        for (arg, spec) in args.into_iter().zip(specs) {
            expect(&arg, Type::Number)?;
            if let Arg::Param(param) = spec {
                let whole = |value: f64| value.fract() == 0.0;
                let kind = match param.kind {
                    ParamKind::Period => "a whole number",
                    ParamKind::Real => "a number",
                };
                let wanted = format!(
                    "{name}'s {} must be {kind} from {} to {}",
                    param.name,
                    format_number(param.min),
                    format_number(param.max)
                );
                match &arg.0 {
                    Expr::Number(value) if !param.admits(*value) => {
                        return Err(error_at(
                            arg.2,
                            format!("{wanted}, found {}", format_number(*value)),
                        ));
                    }
                    Expr::Number(_) => {}
                    Expr::Placeholder { lo, hi, .. } => {
                        let integer = whole(*lo) && whole(*hi);
                        if (param.kind == ParamKind::Period && !integer)
                            || !param.admits(*lo)
                            || !param.admits(*hi)
                        {
                            return Err(error_at(
                                arg.2,
                                format!(
                                    "{wanted}, found a placeholder over {}..{}",
                                    format_number(*lo),
                                    format_number(*hi)
                                ),
                            ));
                        }
                    }
                    _ => {
                        return Err(error_at(
                            arg.2,
                            format!("{wanted}: a literal or a placeholder, not an expression"),
                        ));
                    }
                }
            }
            exprs.push(arg.0);
        }
        Ok((
            Expr::Call {
                block: block.name(),
                args: exprs,
            },
            Type::Number,
            at,
        ))
    }
}
