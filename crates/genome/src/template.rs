//! Templates that evolution fills: formulas with placeholders (`rsi(close, ?period[2..30]) <
//! ?level[5..40] and ?filter`), the values that fill them, and the checks that a genome's
//! formulas are the template filled with its values.
//!
//! A genome filled from a template keeps the template and the values beside its filled formulas
//! ([`TemplateFill`] in [`FormulaEntry::template`]), so it is self-contained: the engine, paper
//! trading and the exports read the filled formulas as for any formula genome, and validation,
//! the operators and a later run read the template.

use std::collections::BTreeMap;

use gauntlet_blocks::{
    ConditionFamily, Expr, Formula, MAX_FORMULA_BYTES, MAX_FORMULA_DEPTH, MAX_FORMULA_NODES,
    PlaceholderKind, PlaceholderSpec, format_number,
};

use crate::error::GenomeError;
use crate::genome::{Direction, FormulaEntry, PlaceholderValue, TemplateFill, TemplateFormulas};

/// The most placeholders a template may have (all its formulas together).
pub const MAX_PLACEHOLDERS: usize = 16;

/// One placeholder of a checked template.
#[derive(Debug, Clone)]
pub struct Slot {
    /// Its name and kind (bounds, grid).
    pub spec: PlaceholderSpec,
    /// The family a condition placeholder draws from (`None` for a number).
    pub family: Option<ConditionFamily>,
    /// A condition placeholder's longest drawn period, bars (0 for a number).
    pub max_period: u32,
}

/// A checked template, ready to fill: its parsed formulas and placeholders.
#[derive(Debug, Clone)]
pub struct Template {
    formulas: TemplateFormulas,
    parsed: Vec<(&'static str, Formula)>,
    slots: Vec<Slot>,
}

fn inconsistent(field: String, message: impl std::fmt::Display) -> GenomeError {
    GenomeError::Inconsistent {
        field,
        message: message.to_string(),
    }
}

/// The deepest nesting of brackets in `text`.
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for byte in text.bytes() {
        match byte {
            b'(' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

impl Template {
    /// Checks `formulas` before any work: at least one entry side; each formula parses, with its
    /// position (`template.long: formula 1:17: ...`); a placeholder keeps one kind and one range;
    /// no empty range; at most [`MAX_PLACEHOLDERS`]; each condition family is known
    /// ([`ConditionOptions`](crate::ConditionOptions) for placeholders the template has); and the largest filled formula
    /// stays within the formula bounds ([`MAX_FORMULA_NODES`], [`MAX_FORMULA_BYTES`],
    /// [`MAX_FORMULA_DEPTH`]), so every fill parses. `prefix` starts the fields' paths in errors
    /// (`template`, `entry.logic.template.template`).
    ///
    /// # Errors
    /// [`GenomeError::Inconsistent`] naming the field.
    pub fn new(formulas: &TemplateFormulas, prefix: &str) -> Result<Self, GenomeError> {
        let field = |name: &str| format!("{prefix}.{name}");
        if formulas.long.is_none() && formulas.short.is_none() {
            return Err(inconsistent(
                prefix.to_string(),
                "needs a long or a short formula (the entry sides given decide the direction)",
            ));
        }
        let mut parsed = Vec::new();
        let mut specs: Vec<PlaceholderSpec> = Vec::new();
        for (name, text) in formulas.formulas() {
            let formula = Formula::parse(text).map_err(|error| inconsistent(field(name), error))?;
            formula
                .root()
                .collect_placeholder_specs(&mut specs)
                .map_err(|message| inconsistent(field(name), message))?;
            parsed.push((name, formula));
        }
        if specs.len() > MAX_PLACEHOLDERS {
            return Err(inconsistent(
                prefix.to_string(),
                format!(
                    "has {} placeholders, more than the {MAX_PLACEHOLDERS} allowed",
                    specs.len()
                ),
            ));
        }
        for name in formulas.conditions.keys() {
            let known = specs
                .iter()
                .any(|spec| spec.name == *name && spec.kind == PlaceholderKind::Condition);
            if !known {
                return Err(inconsistent(
                    field(&format!("conditions.{name}")),
                    format!("the template has no condition placeholder ?{name}"),
                ));
            }
        }
        let mut slots = Vec::with_capacity(specs.len());
        for spec in specs {
            let (family, max_period) = match spec.kind {
                PlaceholderKind::Number { low, high, .. } => {
                    if low >= high {
                        return Err(inconsistent(
                            prefix.to_string(),
                            format!(
                                "placeholder ?{} has the empty range [{}..{}]: give a lower bound below the upper",
                                spec.name,
                                format_number(low),
                                format_number(high)
                            ),
                        ));
                    }
                    (None, 0)
                }
                PlaceholderKind::Condition => {
                    let options = formulas
                        .conditions
                        .get(&spec.name)
                        .cloned()
                        .unwrap_or_default();
                    let family = ConditionFamily::new(
                        &options.blocks,
                        options.max_depth,
                        options.max_period,
                    )
                    .map_err(|error| {
                        inconsistent(field(&format!("conditions.{}", spec.name)), error)
                    })?;
                    (Some(family), options.max_period)
                }
            };
            slots.push(Slot {
                spec,
                family,
                max_period,
            });
        }
        let template = Self {
            formulas: formulas.clone(),
            parsed,
            slots,
        };
        template.check_largest_fill(prefix)?;
        Ok(template)
    }

    /// The largest fill's size: every number at 24 characters (the longest an `f64` prints),
    /// every condition at its family's most nodes, bytes and nesting.
    fn check_largest_fill(&self, prefix: &str) -> Result<(), GenomeError> {
        // Numbers as `0` (their 24 characters counted below); conditions left as `?name`.
        let zeros: BTreeMap<String, Expr> = self
            .slots
            .iter()
            .filter(|slot| slot.family.is_none())
            .map(|slot| (slot.spec.name.clone(), Expr::Number(0.0)))
            .collect();
        for (name, formula) in &self.parsed {
            let root = formula.root();
            let text = root.substitute(&zeros).to_string();
            let (mut nodes, mut bytes, mut deepest) = (root.nodes(), text.len(), 0usize);
            for slot in &self.slots {
                let count = root.occurrences(&slot.spec.name);
                match &slot.family {
                    Some(family) => {
                        nodes += count * (family.max_nodes() - 1);
                        bytes += count * family.max_bytes();
                        bytes -= count * (slot.spec.name.len() + 1);
                        if count > 0 {
                            deepest = deepest.max(family.max_nesting() + 1);
                        }
                    }
                    None => bytes += count * 23,
                }
            }
            let nested = nesting(&text) + deepest;
            let problem = if nodes > MAX_FORMULA_NODES {
                Some(format!(
                    "a fill may have {nodes} nodes, more than the {MAX_FORMULA_NODES} a formula may have: shorten the formula or lower the conditions' max_depth"
                ))
            } else if bytes > MAX_FORMULA_BYTES {
                Some(format!(
                    "a fill may be {bytes} bytes long, more than the {MAX_FORMULA_BYTES} a formula may be: shorten the formula or lower the conditions' max_depth"
                ))
            } else if nested > MAX_FORMULA_DEPTH {
                Some(format!(
                    "a fill may nest {nested} deep, more than the {MAX_FORMULA_DEPTH} a formula may: shorten the formula or lower the conditions' max_depth"
                ))
            } else {
                None
            };
            if let Some(message) = problem {
                return Err(inconsistent(format!("{prefix}.{name}"), message));
            }
        }
        Ok(())
    }

    /// The template's formulas as given.
    pub fn formulas(&self) -> &TemplateFormulas {
        &self.formulas
    }

    /// Its placeholders, in order of first appearance (long, short, exit_long, exit_short).
    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    /// The direction its entry sides give: long only, short only, or both.
    pub fn direction(&self) -> Direction {
        match (self.formulas.long.is_some(), self.formulas.short.is_some()) {
            (true, false) => Direction::Long,
            (false, true) => Direction::Short,
            _ => Direction::Both,
        }
    }

    /// The formula entry of `values`: the template's formulas filled (canonical text) with the
    /// fill kept beside them.
    ///
    /// # Errors
    /// As [`Template::check_values`].
    pub fn fill(
        &self,
        values: &BTreeMap<String, PlaceholderValue>,
    ) -> Result<FormulaEntry, GenomeError> {
        let exprs = self.check_values(values, "values")?;
        let mut entry = FormulaEntry {
            long: None,
            short: None,
            exit_long: None,
            exit_short: None,
            template: Some(TemplateFill {
                template: self.formulas.clone(),
                values: values.clone(),
            }),
        };
        for (name, formula) in &self.parsed {
            let text = formula.root().substitute(&exprs).to_string();
            let slot = match *name {
                "long" => &mut entry.long,
                "short" => &mut entry.short,
                "exit_long" => &mut entry.exit_long,
                _ => &mut entry.exit_short,
            };
            *slot = Some(text);
        }
        Ok(entry)
    }

    /// Checks `values` against the placeholders: one value per placeholder, no other; a number
    /// within its bounds (whole where it must be); a condition that parses, has no placeholder and
    /// is one its family draws ([`ConditionFamily::check`]). Returns the values as expressions.
    ///
    /// # Errors
    /// [`GenomeError::Inconsistent`] naming `<prefix>.<placeholder>`.
    pub fn check_values(
        &self,
        values: &BTreeMap<String, PlaceholderValue>,
        prefix: &str,
    ) -> Result<BTreeMap<String, Expr>, GenomeError> {
        let field = |name: &str| format!("{prefix}.{name}");
        if let Some(extra) = values
            .keys()
            .find(|name| !self.slots.iter().any(|slot| slot.spec.name == **name))
        {
            return Err(inconsistent(
                field(extra),
                format!("the template has no placeholder ?{extra}"),
            ));
        }
        let mut exprs = BTreeMap::new();
        for slot in &self.slots {
            let name = &slot.spec.name;
            let value = values.get(name).ok_or_else(|| {
                inconsistent(field(name), "is missing: every placeholder needs a value")
            })?;
            let expr = match (slot.spec.kind, value) {
                (
                    PlaceholderKind::Number {
                        low, high, integer, ..
                    },
                    PlaceholderValue::Number(number),
                ) => {
                    let whole = !integer || number.fract() == 0.0;
                    if !(number.is_finite() && *number >= low && *number <= high && whole) {
                        return Err(GenomeError::OutOfRange {
                            field: field(name),
                            value: number.to_string(),
                            allowed: format!(
                                "{} from {} to {}",
                                if integer {
                                    "a whole number"
                                } else {
                                    "a number"
                                },
                                format_number(low),
                                format_number(high)
                            ),
                        });
                    }
                    Expr::Number(*number)
                }
                (PlaceholderKind::Condition, PlaceholderValue::Condition(text)) => {
                    let formula =
                        Formula::parse(text).map_err(|error| inconsistent(field(name), error))?;
                    if !formula.placeholders().is_empty() {
                        return Err(inconsistent(
                            field(name),
                            "a condition value cannot hold placeholders",
                        ));
                    }
                    if let Some(family) = &slot.family {
                        family
                            .check(formula.root())
                            .map_err(|message| inconsistent(field(name), message))?;
                    }
                    formula.root().clone()
                }
                (PlaceholderKind::Condition, PlaceholderValue::Number(_)) => {
                    return Err(inconsistent(
                        field(name),
                        "is a condition placeholder: its value is a condition's text",
                    ));
                }
                (PlaceholderKind::Number { .. }, PlaceholderValue::Condition(_)) => {
                    return Err(inconsistent(
                        field(name),
                        "is a number placeholder: its value is a number",
                    ));
                }
            };
            exprs.insert(name.clone(), expr);
        }
        Ok(exprs)
    }

    /// Checks that `entry`'s formulas are this template filled with its values.
    ///
    /// # Errors
    /// As [`Template::check_values`] (fields under `entry.logic.template.values`), and
    /// [`GenomeError::Inconsistent`] naming the formula that differs from the fill.
    pub fn check_entry(
        &self,
        entry: &FormulaEntry,
        values: &BTreeMap<String, PlaceholderValue>,
    ) -> Result<(), GenomeError> {
        self.check_values(values, "entry.logic.template.values")?;
        let filled = self.fill(values)?;
        for (name, own, expected) in [
            ("long", &entry.long, &filled.long),
            ("short", &entry.short, &filled.short),
            ("exit_long", &entry.exit_long, &filled.exit_long),
            ("exit_short", &entry.exit_short, &filled.exit_short),
        ] {
            if own != expected {
                return Err(inconsistent(
                    format!("entry.logic.{name}"),
                    format!(
                        "is not the template filled with its values: expected {}",
                        expected.as_deref().unwrap_or("no formula")
                    ),
                ));
            }
        }
        Ok(())
    }
}
