//! What `gauntlet validate` prints, as text: a validation report.

use std::fmt::Write;

use crate::validation::ValidationReport;

/// A value with four decimals, or `-`.
fn value(number: Option<f64>) -> String {
    number.map_or("-".into(), |number| format!("{number:.4}"))
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
