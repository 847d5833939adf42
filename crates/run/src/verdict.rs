//! The plain verdict a finished run ends with: one sentence per champion and one for the run, and
//! the next step that will work (export only what passed the gate; otherwise what to try).
//!
//! The run's sentence weighs three pieces of evidence, in this order: did any champion pass the
//! validation gate, did evolution beat random search chosen the same way (the best of as many
//! random genomes' in-sample leaders, picked on validation) on validation and on the holdout, and
//! the run's Probability of Backtest Overfitting. Only a champion that passed the gate is offered
//! for export.

use std::collections::BTreeMap;

use gauntlet_honest::robustness::RunOverfitting;
use gauntlet_tournament::Category;

use crate::run_folder::{Champion, ChanceComparison, RunVerdict};

/// Whether `ours` beats `theirs` (higher is better); a missing value loses to any value.
fn beats(ours: Option<f64>, theirs: Option<f64>) -> Option<bool> {
    match (ours, theirs) {
        (None, None) => None,
        (Some(_), None) => Some(true),
        (None, Some(_)) => Some(false),
        (Some(ours), Some(theirs)) => Some(ours > theirs),
    }
}

fn figure(value: Option<f64>) -> String {
    value.map_or("none eligible".into(), |value| format!("{value:.4}"))
}

/// How a champion did against buy-and-hold of the same symbols on the holdout: the information
/// ratio (annualised mean of the per-bar return difference over its standard deviation) and
/// Jensen's alpha (annualised), each the mean over symbols of `gauntlet_stats::benchmark`'s
/// figures (empyrical's definitions), with the share of symbols where the information ratio is
/// positive.
pub(crate) fn against_buy_and_hold(champion: &Champion) -> String {
    let summary = &champion.holdout.summary;
    let value = |name: &str| summary.get(name).copied().flatten();
    let ratios: Vec<f64> = champion
        .holdout
        .symbols
        .iter()
        .map(|symbol| symbol.information_ratio)
        .filter(|ratio| !ratio.is_nan())
        .collect();
    let beating = ratios.iter().filter(|&&ratio| ratio > 0.0).count();
    format!(
        "holdout against buy-and-hold: information ratio {}, alpha {} a year (means over symbols), ahead on {beating} of {} symbols",
        value("information_ratio").map_or("undefined".into(), |ratio| format!("{ratio:+.2}")),
        value("alpha").map_or("undefined".into(), |alpha| format!(
            "{:+.2}%",
            alpha * 100.0
        )),
        champion.holdout.symbols.len()
    )
}

/// The verdict of a run in `folder` bred for `category`.
pub(crate) fn run_verdict(
    folder: &std::path::Path,
    category: Category,
    champions: &[Champion],
    chance: &ChanceComparison,
    overfitting: &RunOverfitting,
) -> RunVerdict {
    let mut sentences = BTreeMap::new();
    for champion in champions {
        let gate = &champion.robustness.gate;
        let failed: Vec<String> = gate
            .iter()
            .filter(|check| !check.passed)
            .map(gauntlet_honest::robustness::Check::describe)
            .collect();
        let sentence = if champion.robustness.passed {
            format!(
                "{} passed all {} checks of the validation gate (holdout fitness {}): worth paper trading before any money",
                champion.id,
                gate.len(),
                figure(champion.holdout.fitness)
            )
        } else {
            format!(
                "{} failed {} of {} gate checks ({}): do not trade it",
                champion.id,
                failed.len(),
                gate.len(),
                failed.join("; ")
            )
        };
        let sentence = format!("{sentence}; {}", against_buy_and_hold(champion));
        let sentence = match &champion.robustness.perturbations {
            Some(perturbations) => format!("{sentence}; perturbed: {}", perturbations.summary()),
            None => sentence,
        };
        sentences.insert(champion.category.name().to_string(), sentence);
    }
    let validation = beats(
        chance.champion_validation_fitness,
        chance.random_validation_fitness,
    );
    let holdout = beats(
        chance.champion_holdout_fitness,
        chance.random_holdout_fitness,
    );
    let comparison = |beat: Option<bool>, ours: Option<f64>, theirs: Option<f64>, part: &str| {
        format!(
            "{} random search on {part} ({} vs {})",
            match beat {
                Some(true) => "beat",
                Some(false) => "did not beat",
                None => "could not be compared with",
            },
            figure(ours),
            figure(theirs)
        )
    };
    let against_chance = format!(
        "evolution {} and {}",
        comparison(
            validation,
            chance.champion_validation_fitness,
            chance.random_validation_fitness,
            "validation"
        ),
        comparison(
            holdout,
            chance.champion_holdout_fitness,
            chance.random_holdout_fitness,
            "the holdout"
        )
    );
    let pbo = overfitting.mean.map_or("PBO unknown".into(), |pbo| {
        format!("PBO {:.0}%", pbo * 100.0)
    });
    let passed: Vec<&Champion> = champions
        .iter()
        .filter(|champion| champion.robustness.passed)
        .collect();
    let beat_both = validation == Some(true) && holdout == Some(true);
    let overfit = overfitting.mean.is_some_and(|pbo| pbo >= 0.5);
    let run = match (passed.is_empty(), beat_both && !overfit) {
        (true, _) => format!(
            "No champion passed the validation gate; {against_chance}; {pbo}: treat these champions as noise."
        ),
        (false, true) => format!(
            "{} passed the validation gate and {against_chance}; {pbo}.",
            passed
                .iter()
                .map(|champion| format!("{} ({})", champion.id, champion.category.name()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (false, false) => format!(
            "{} passed the validation gate, but {against_chance}; {pbo}: the search itself is not shown to beat chance, so trust the passing champion{} only after paper trading.",
            passed
                .iter()
                .map(|champion| format!("{} ({})", champion.id, champion.category.name()))
                .collect::<Vec<_>>()
                .join(", "),
            if passed.len() > 1 { "s" } else { "" }
        ),
    };
    let next_step = match passed.first() {
        Some(champion) => format!(
            "gauntlet export {} --category {}",
            folder.display(),
            champion.category.name()
        ),
        None => format!(
            "nothing to export: try more data (a longer history or more symbols), a robust search with a larger budget (selection = \"nsga2\" with objectives = [\"{}\", \"plateau\", \"worst_symbol\"], more generations and a larger population), fewer rules, or `gauntlet study` to see whether evolution beats chance on this experiment at all",
            category.name()
        ),
    };
    RunVerdict {
        run,
        champions: sentences,
        beat_chance_on_validation: validation,
        beat_chance_on_holdout: holdout,
        passed_gate: passed.iter().map(|champion| champion.category).collect(),
        next_step,
        against_buy_and_hold: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_value_loses_and_two_missing_cannot_be_compared() {
        assert_eq!(beats(Some(0.1), None), Some(true));
        assert_eq!(beats(None, Some(-5.0)), Some(false));
        assert_eq!(beats(None, None), None);
        assert_eq!(beats(Some(0.446), Some(0.451)), Some(false));
    }

    #[test]
    fn no_passing_champion_means_noise_and_nothing_to_export() {
        let chance = ChanceComparison {
            random_genomes: 100,
            finalists: 10,
            champion_validation_fitness: Some(0.446),
            random_validation_fitness: Some(0.451),
            random_in_sample_best_validation_fitness: None,
            run_best_in_sample_fitness: Some(1.3),
            random_best_in_sample_fitness: Some(1.09),
            champion_holdout_fitness: Some(0.2),
            random_holdout_fitness: Some(0.1),
            champion_holdout_measure: Some(0.2),
            random_holdout_measure: Some(0.1),
        };
        let overfitting = RunOverfitting {
            trials: 200,
            blocks: 8,
            per_symbol: Vec::new(),
            mean: Some(0.47),
        };
        let verdict = run_verdict(
            std::path::Path::new("reports/quickstart"),
            Category::MonthlyPerformance,
            &[],
            &chance,
            &overfitting,
        );
        assert_eq!(
            verdict.run,
            "No champion passed the validation gate; evolution did not beat random search on validation (0.4460 vs 0.4510) and beat random search on the holdout (0.2000 vs 0.1000); PBO 47%: treat these champions as noise."
        );
        assert!(verdict.next_step.starts_with("nothing to export"));
        assert_eq!(verdict.beat_chance_on_validation, Some(false));
        assert_eq!(verdict.beat_chance_on_holdout, Some(true));
    }
}
