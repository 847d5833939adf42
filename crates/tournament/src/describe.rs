//! What `gauntlet evolve` and `gauntlet validate` print when they finish, as text: the run's
//! champions and evolution against chance, a walk-forward's windows, a validation report.

use std::fmt::Write;
use std::path::Path;

use gauntlet_core::Timestamp;

use crate::job::Evolved;
use crate::run::{RunOutcome, RunSummary};
use crate::validation::ValidationReport;
use crate::walk_forward::WalkForwardSummary;

/// A fitness with four decimals, or `not eligible`.
fn fitness(value: Option<f64>) -> String {
    value.map_or("not eligible".into(), |value| format!("{value:.4}"))
}

/// A value with four decimals, or `-`.
fn value(number: Option<f64>) -> String {
    number.map_or("-".into(), |number| format!("{number:.4}"))
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
            let failed: Vec<&str> = robustness
                .gate
                .iter()
                .filter(|check| !check.passed)
                .map(|check| check.check.as_str())
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
        let _ = writeln!(text, "Next: {}", verdict.next_step);
        text
    }
}

impl Evolved {
    /// Whether a run stopped early (SIGINT/SIGTERM) after a checkpoint.
    pub fn interrupted(&self) -> bool {
        matches!(
            self,
            Evolved::Run(RunOutcome::Interrupted { .. })
                | Evolved::Share {
                    interrupted: true,
                    ..
                }
        )
    }

    /// The folder it wrote (a run or a walk-forward).
    pub fn folder(&self) -> &Path {
        match self {
            Evolved::WalkForward { folder, .. }
            | Evolved::Share { folder, .. }
            | Evolved::Run(RunOutcome::Interrupted { folder, .. }) => folder,
            Evolved::Run(RunOutcome::Finished(summary)) => &summary.folder,
        }
    }

    /// What `gauntlet evolve` prints when it ends: the finished run or walk-forward, or where an
    /// interrupted run stopped and how to resume it. Lines end with a newline.
    pub fn describe(&self) -> String {
        match self {
            Evolved::WalkForward { folder, summary } => summary.describe(folder),
            Evolved::Share {
                folder,
                shard,
                interrupted,
            } => format!(
                "{} share {} of {} of the walk-forward's windows (shares count from 0) in {}.\nOnce every share is done, stitch them with: gauntlet evolve --resume {}\n",
                if *interrupted { "Interrupted" } else { "Made" },
                shard.index,
                shard.count,
                folder.display(),
                folder.display()
            ),
            Evolved::Run(RunOutcome::Interrupted { folder, generation }) => format!(
                "Interrupted after generation {generation}; everything up to it is in {}.\nResume with: gauntlet evolve --resume {}\n",
                folder.display(),
                folder.display()
            ),
            Evolved::Run(RunOutcome::Finished(summary)) => summary.describe(),
        }
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

impl ValidationReport {
    /// The report on dataset `name` for the terminal: metrics, PSR/MinTRL/DSR, Monte Carlo, crash
    /// windows, shocks, regimes and the gate's checks. Lines end with a newline.
    pub fn describe(&self, name: &str) -> String {
        let mut text = String::new();
        let metrics = &self.metrics;
        let _ = writeln!(text, "== {name}");
        let _ = writeln!(
            text,
            "  total return {:.4}, CAGR {:.4}, Sharpe {:.3}, max drawdown {:.4}, trades {}, win rate {:.3}, profit factor {:.3}",
            metrics.total_return,
            metrics.cagr,
            metrics.sharpe,
            metrics.max_drawdown,
            metrics.trades,
            metrics.win_rate,
            metrics.profit_factor
        );
        let _ = writeln!(
            text,
            "  PSR (true Sharpe > 0) {:.4}; minimum track record {} bars of {}; DSR {}",
            self.probabilistic_sharpe_ratio,
            value(self.minimum_track_record_bars),
            self.observations,
            value(self.deflated_sharpe_ratio)
        );
        for summary in &self.monte_carlo {
            let _ = writeln!(
                text,
                "  Monte Carlo {:?} ({} paths): total return p5 {:.4} / median {:.4} / p95 {:.4}; max drawdown p5 {:.4}; P(profit) {:.3}",
                summary.resampling,
                summary.paths,
                summary.total_return_percentiles[0],
                summary.total_return_percentiles[2],
                summary.total_return_percentiles[4],
                summary.max_drawdown_5th_percentile,
                summary.probability_of_profit
            );
        }
        for window in &self.crash_windows {
            let _ = writeln!(
                text,
                "  {}: strategy {:.4} (max drawdown {:.4}), buy-and-hold {:.4} over {} bars",
                window.window,
                window.strategy_return,
                window.strategy_max_drawdown,
                window.buy_and_hold_return,
                window.bars
            );
        }
        for shock in &self.shocks {
            let _ = writeln!(
                text,
                "  {}: strategy {:.4} (max drawdown {:.4}), buy-and-hold {:.4}",
                shock.shock, shock.total_return, shock.max_drawdown, shock.buy_and_hold_return
            );
        }
        for regime in &self.regimes {
            let _ = writeln!(
                text,
                "  {} {}: {} bars, annual mean return {:.4}, Sharpe {:.3}",
                regime.kind, regime.label, regime.bars, regime.annual_mean_return, regime.sharpe
            );
        }
        for check in &self.gate {
            let _ = writeln!(
                text,
                "  [{}] {} (value {})",
                if check.passed { "pass" } else { "FAIL" },
                check.check,
                value(check.value)
            );
        }
        let _ = writeln!(
            text,
            "  gate: {}",
            if self.passed { "passed" } else { "failed" }
        );
        text
    }
}
