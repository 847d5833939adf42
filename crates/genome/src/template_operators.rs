//! The operators on template genomes' placeholders: random fills, mutation, uniform crossover of
//! values and plateau-neighbour jitter. Exits and sizing breed as for any genome
//! (`operators.rs`), which calls these for a genome whose entry is a [`TemplateFill`].
//!
//! Every draw comes from the [`rand::Rng`] handed in (the evolution engine's streams), so a fill
//! depends on nothing else.

use std::collections::BTreeMap;

use gauntlet_blocks::{Formula, PlaceholderKind, snap, tunable_numbers, with_tunable_numbers};
use rand::{Rng, RngExt};
use rand_distr::{Distribution, Normal};

use crate::genome::*;
use crate::template::{Slot, Template};

/// Placeholder values by name.
pub(crate) type Values = BTreeMap<String, PlaceholderValue>;

/// A uniform draw of every placeholder: a number on its grid within its bounds, a condition from
/// its family ([`gauntlet_blocks::ConditionFamily::random`]).
pub fn random_values<R: Rng + ?Sized>(template: &Template, rng: &mut R) -> Values {
    template
        .slots()
        .iter()
        .map(|slot| (slot.spec.name.clone(), random_value(slot, rng)))
        .collect()
}

fn random_value<R: Rng + ?Sized>(slot: &Slot, rng: &mut R) -> PlaceholderValue {
    match (&slot.family, slot.spec.kind) {
        (Some(family), _) => PlaceholderValue::Condition(family.random(rng).to_string()),
        (
            None,
            PlaceholderKind::Number {
                low, high, step, ..
            },
        ) => {
            let steps = ((high - low) / step).floor().max(0.0) as u64;
            let value = low + rng.random_range(0..=steps) as f64 * step;
            PlaceholderValue::Number(snap(value, low, high, step).max(low))
        }
        (None, PlaceholderKind::Condition) => {
            unreachable!("a condition placeholder always has a family")
        }
    }
}

/// The checked template and the values of a template genome (`None` for any other genome, or a
/// template that no longer checks).
pub(crate) fn template_of(genome: &Genome) -> Option<(Template, Values)> {
    match &genome.entry.logic {
        EntryLogic::Formula(FormulaEntry {
            template: Some(fill),
            ..
        }) => Template::new(&fill.template, "template")
            .ok()
            .map(|template| (template, fill.values.clone())),
        _ => None,
    }
}

/// Puts `values` into `genome`'s entry (the template filled again); leaves the entry as it was
/// if they do not fill it.
pub(crate) fn refill(genome: &mut Genome, template: &Template, values: &Values) {
    if let Ok(entry) = template.fill(values) {
        genome.entry.logic = EntryLogic::Formula(entry);
    }
}

/// A Gaussian step of spread `spread` (0 when the spread is not positive).
fn gaussian<R: Rng + ?Sized>(rng: &mut R, spread: f64) -> f64 {
    Normal::new(0.0, spread).map_or(0.0, |normal| normal.sample(rng))
}

/// Mutates one placeholder of a template genome, chosen uniformly, and returns the operator's
/// name: a number moves by N(0, (0.1 (high - low))^2), clamped to its bounds and snapped to its
/// grid (`mutation:placeholder:<name>`); a condition is redrawn from its family half the time
/// (`mutation:placeholder:<name>:redraw`), else one of its numbers ([`tunable_numbers`]) moves
/// the same way within its bounds (`mutation:placeholder:<name>:number`; redrawn when it has
/// none).
pub(crate) fn mutate_placeholder<R: Rng + ?Sized>(
    genome: &mut Genome,
    template: &Template,
    values: &Values,
    rng: &mut R,
) -> Option<String> {
    if template.slots().is_empty() {
        return None;
    }
    let slot = &template.slots()[rng.random_range(0..template.slots().len())];
    let name = &slot.spec.name;
    let mut next = values.clone();
    let operator = match (&slot.family, slot.spec.kind, values.get(name)) {
        (
            None,
            PlaceholderKind::Number {
                low, high, step, ..
            },
            Some(PlaceholderValue::Number(value)),
        ) => {
            let moved = value + gaussian(rng, 0.1 * (high - low));
            next.insert(
                name.clone(),
                PlaceholderValue::Number(snap(moved.clamp(low, high), low, high, step)),
            );
            format!("mutation:placeholder:{name}")
        }
        (Some(family), _, Some(PlaceholderValue::Condition(text))) => {
            let numbers = Formula::parse(text)
                .map(|formula| (tunable_numbers(formula.root(), slot.max_period), formula))
                .ok();
            match numbers {
                Some((tunables, formula)) if !tunables.is_empty() && rng.random_bool(0.5) => {
                    let index = rng.random_range(0..tunables.len());
                    let tunable = tunables[index];
                    let moved =
                        tunable.value + gaussian(rng, 0.1 * (tunable.drawn_high - tunable.low));
                    let mut numbers: Vec<f64> =
                        tunables.iter().map(|tunable| tunable.value).collect();
                    numbers[index] = snap(
                        moved.clamp(tunable.low, tunable.high),
                        tunable.low,
                        tunable.high,
                        tunable.step,
                    );
                    let condition = with_tunable_numbers(formula.root(), &numbers);
                    next.insert(
                        name.clone(),
                        PlaceholderValue::Condition(condition.to_string()),
                    );
                    format!("mutation:placeholder:{name}:number")
                }
                _ => {
                    next.insert(
                        name.clone(),
                        PlaceholderValue::Condition(family.random(rng).to_string()),
                    );
                    format!("mutation:placeholder:{name}:redraw")
                }
            }
        }
        // A value of the wrong kind (validation refuses it): draw a new one.
        _ => {
            next.insert(name.clone(), random_value(slot, rng));
            format!("mutation:placeholder:{name}:redraw")
        }
    };
    refill(genome, template, &next);
    Some(operator)
}

/// The values of a child of two fills of one template: each placeholder's value from either
/// parent with probability 1/2 (uniform crossover).
pub(crate) fn crossover_values<R: Rng + ?Sized>(
    template: &Template,
    first: &Values,
    second: &Values,
    rng: &mut R,
) -> Values {
    template
        .slots()
        .iter()
        .filter_map(|slot| {
            let name = &slot.spec.name;
            let chosen = if rng.random_bool(0.5) {
                first.get(name)
            } else {
                second.get(name)
            };
            chosen
                .or_else(|| first.get(name))
                .map(|value| (name.clone(), value.clone()))
        })
        .collect()
}

/// The template fill both entries share, when both are fills of the same template.
pub(crate) fn shared_template<'a>(
    first: &'a EntryLogic,
    second: &'a EntryLogic,
) -> Option<(&'a TemplateFill, &'a TemplateFill)> {
    match (first, second) {
        (
            EntryLogic::Formula(FormulaEntry {
                template: Some(a), ..
            }),
            EntryLogic::Formula(FormulaEntry {
                template: Some(b), ..
            }),
        ) if a.template == b.template => Some((a, b)),
        _ => None,
    }
}

/// A plateau neighbour's values: a whole-number placeholder moved -1, 0 or +1 (as periods move
/// one grid step), a real one scaled by a uniform factor in `[1 - relative, 1 + relative]` (as
/// continuous genes are) and snapped to its grid, each within its bounds; every number of a
/// condition ([`tunable_numbers`]) moved -1, 0 or +1 step of its grid.
pub(crate) fn jitter_values<R: Rng + ?Sized>(
    template: &Template,
    values: &Values,
    rng: &mut R,
    relative: f64,
) -> Values {
    let mut next = values.clone();
    for slot in template.slots() {
        let name = &slot.spec.name;
        match (slot.spec.kind, values.get(name)) {
            (
                PlaceholderKind::Number {
                    low,
                    high,
                    integer,
                    step,
                },
                Some(PlaceholderValue::Number(value)),
            ) => {
                let moved = if integer {
                    value + rng.random_range(-1i64..=1) as f64 * step
                } else {
                    value * (1.0 + rng.random_range(-relative..=relative))
                };
                next.insert(
                    name.clone(),
                    PlaceholderValue::Number(snap(moved.clamp(low, high), low, high, step)),
                );
            }
            (PlaceholderKind::Condition, Some(PlaceholderValue::Condition(text))) => {
                let Ok(formula) = Formula::parse(text) else {
                    continue;
                };
                let numbers: Vec<f64> = tunable_numbers(formula.root(), slot.max_period)
                    .iter()
                    .map(|tunable| {
                        let moved =
                            tunable.value + rng.random_range(-1i64..=1) as f64 * tunable.step;
                        snap(
                            moved.clamp(tunable.low, tunable.high),
                            tunable.low,
                            tunable.high,
                            tunable.step,
                        )
                    })
                    .collect();
                let condition = with_tunable_numbers(formula.root(), &numbers);
                next.insert(
                    name.clone(),
                    PlaceholderValue::Condition(condition.to_string()),
                );
            }
            _ => {}
        }
    }
    next
}
