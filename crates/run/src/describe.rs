//! What `gauntlet evolve` and `gauntlet study` print when they finish, as text: the run's
//! champions and evolution against chance, a walk-forward's windows, a study's seeds.

use std::fmt::Write;
use std::path::Path;

use gauntlet_core::Timestamp;

use crate::finish::RunSummary;
use crate::run_folder::{Study, WalkForwardSummary};

/// A fitness with four decimals, or `not eligible`.
fn fitness(value: Option<f64>) -> String {
    value.map_or("not eligible".into(), |value| format!("{value:.4}"))
}

impl RunSummary {
    /// The finished run for the terminal: where its files are, each champion (rules, fitness on
    /// every part, the validation gate and the worst symbol's DSR), evolution against chance, and
    /// how to export a champion. Lines end with a newline.
    pub fn describe(&self) -> String {
        let mut text = String::new();
        let folder = self.folder.display();
        let _ = writeln!(
            text,
            "Evolved in {:.1} s ({} genomes scored), then chose and tested champions and ran the random baseline in {:.1} s. Results in {folder}/:",
            self.seconds, self.evaluations, self.finishing_seconds
        );
        text.push_str(
            "  leaderboard.csv / leaderboard.parquet, capital.parquet, generations.parquet, run.json, champions/\n\n",
        );
        for champion in &self.champions {
            let marker = if champion.category == self.category {
                " (the run's category)"
            } else {
                ""
            };
            let _ = writeln!(
                text,
                "Champion, {}{marker}: {}\n  {}",
                champion.category.name(),
                champion.id,
                champion.rules
            );
            let _ = writeln!(
                text,
                "  fitness: in-sample {}, validation {} (chosen here), holdout {} (never used to choose)",
                fitness(champion.in_sample.fitness),
                fitness(champion.validation.fitness),
                fitness(champion.holdout.fitness)
            );
            let robustness = &champion.robustness;
            let failed: Vec<String> = robustness
                .gate
                .iter()
                .filter(|check| !check.passed)
                .map(gauntlet_honest::robustness::Check::describe)
                .collect();
            let worst_dsr = robustness
                .symbols
                .iter()
                .map(|symbol| symbol.deflated_sharpe_ratio)
                .fold(f64::INFINITY, f64::min);
            let _ = writeln!(
                text,
                "  validation gate: {} | deflated Sharpe ratio (worst symbol, {} trials) {worst_dsr:.3}",
                if robustness.passed {
                    "passed".to_string()
                } else {
                    format!("FAILED ({})", failed.join("; "))
                },
                robustness.trials
            );
            if let Some(perturbations) = &robustness.perturbations {
                let _ = writeln!(text, "  perturbed: {}", perturbations.summary());
            }
        }
        let chance = &self.chance;
        let _ = writeln!(
            text,
            "\nEvolution against chance ({}, {} random genomes as the run scored):",
            self.category.name(),
            chance.random_genomes
        );
        let _ = writeln!(
            text,
            "  validation: champion {} | best random genome by in-sample fitness {} | best of the {} random in-sample leaders chosen on validation like the champion {}",
            fitness(chance.champion_validation_fitness),
            fitness(chance.random_in_sample_best_validation_fitness),
            chance.finalists,
            fitness(chance.random_validation_fitness)
        );
        let _ = writeln!(
            text,
            "  holdout: champion {} | random search's pick {}",
            fitness(chance.champion_holdout_fitness),
            fitness(chance.random_holdout_fitness)
        );
        let verdict = &self.verdict;
        let _ = writeln!(text, "\nVerdict: {}", verdict.run);
        for (category, sentence) in &verdict.champions {
            let _ = writeln!(text, "  {category}: {sentence}");
        }
        if let Some(sentence) = &verdict.against_buy_and_hold {
            let _ = writeln!(text, "  buy-and-hold: {sentence}");
        }
        let _ = writeln!(text, "Next: {}", verdict.next_step);
        text
    }
}

impl WalkForwardSummary {
    /// The walk-forward in `folder` for the terminal: each window's dates, CAGRs and champion, the
    /// stitched out-of-sample returns and the walk-forward efficiency. Lines end with a newline.
    pub fn describe(&self, folder: &Path) -> String {
        let mut text = String::new();
        let _ = writeln!(
            text,
            "Walk-forward: {} windows in {}/ (each a run in window-NN/; walk_forward.json and walk_forward.parquet hold the stitched out-of-sample results).",
            self.windows.len(),
            folder.display()
        );
        for window in &self.windows {
            let plan = &window.plan;
            let _ = writeln!(
                text,
                "  window {}: in-sample {} .. {}, out-of-sample .. {}: CAGR in-sample {}, out-of-sample {}",
                plan.index,
                Timestamp(plan.in_sample_start),
                Timestamp(plan.out_of_sample_start),
                Timestamp(plan.out_of_sample_end),
                fitness(window.in_sample_cagr),
                fitness(window.out_of_sample_cagr)
            );
            if let Some((id, rules)) = &window.champion {
                let _ = writeln!(text, "    champion {id}: {rules}");
            }
        }
        for (dataset, total, bars) in &self.stitched {
            let _ = writeln!(
                text,
                "  stitched out-of-sample {dataset}: total return {total:.4} over {bars} bars"
            );
        }
        let _ = writeln!(
            text,
            "  walk-forward efficiency (out-of-sample CAGR / in-sample CAGR): {}",
            fitness(self.efficiency)
        );
        if self.interrupted {
            let _ = writeln!(
                text,
                "  interrupted: the windows above are complete; continue with gauntlet evolve --resume {}",
                folder.display()
            );
        }
        text
    }
}

impl Study {
    /// The study for the terminal: a line per seed, the wins, the test and the verdict. Lines end
    /// with a newline.
    pub fn describe(&self) -> String {
        let figure = |value: Option<f64>| value.map_or("none".to_string(), |v| format!("{v:.4}"));
        let mut text = format!(
            "Study of {} ({}), {} seeds: holdout fitness of evolution's champion against random search's pick\n",
            self.experiment,
            self.category.name(),
            self.seeds.len()
        );
        // The holdout's measure whatever the eligibility, marked where it was not eligible.
        let holdout = |measure: Option<f64>, fitness: Option<f64>| match (measure, fitness) {
            (Some(measure), None) => format!("{measure:.4} (not eligible)"),
            (measure, fitness) => figure(measure.or(fitness)),
        };
        for row in &self.seeds {
            text.push_str(&format!(
                "  seed {}: evolution {} vs random {} (validation {} vs {})\n",
                row.seed,
                holdout(row.evolution_holdout_measure, row.evolution_holdout),
                holdout(row.random_holdout_measure, row.random_holdout),
                figure(row.evolution_validation),
                figure(row.random_validation)
            ));
        }
        text.push_str(&format!(
            "Wins: {} of {} on the holdout, {} on validation; Mann-Whitney U {} (one-sided p = {:.4})\n{}\n",
            self.evolution_wins_on_holdout,
            self.seeds.len(),
            self.evolution_wins_on_validation,
            self.mann_whitney_u,
            self.p_value,
            self.verdict
        ));
        if let Some(test) = &self.permutation_test {
            text.push_str(&format!(
                "Permutation test (seed {}, {} permutations of the in-sample bars, {} evaluations each):\n  best in-sample fitness {} (p = {:.4}), champion's validation fitness {} (p = {:.4})\n{}\n",
                test.seed,
                test.permutations,
                test.evaluations,
                figure(test.real_best_in_sample),
                test.best_in_sample_p_value,
                figure(test.real_champion_validation),
                test.champion_validation_p_value,
                test.verdict
            ));
        }
        text
    }
}
