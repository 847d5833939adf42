//! A portfolio of champions across runs and categories (`gauntlet portfolio`): the champions whose
//! daily returns on validation correlate at most `R` pairwise, picked greedily, weighted, and
//! written as a versioned portfolio file ([`PortfolioFile`], `format = "gauntlet-portfolio"`,
//! JSON Schema `schemas/portfolio.schema.json`) that holds each member's champion file (what
//! `gauntlet export` writes) and its weight.
//!
//! **A member's daily returns.** A champion trades each of its run's symbols from the same initial
//! capital (`champions/<category>-equity.parquet`); its account is those sub-accounts side by side
//! with equal shares: each symbol's equity gives daily returns
//! ([`gauntlet_stats::portfolio::daily_returns_from_equity`]), and the sub-accounts' sum gives the
//! champion's, on every day any symbol has (a sub-account is idle, return 0, on days it has no bar:
//! a run's symbols may cover different years, so their validation parts need not overlap). Then the
//! champions are put on a common calendar ([`gauntlet_stats::portfolio::align_daily_returns`]).
//! Validation and holdout are computed apart (each part was backtested from the initial capital).
//!
//! **The pick** ([`gauntlet_stats::portfolio::select_uncorrelated`]): greedy by each champion's
//! **validation Sharpe ratio** (its run's `validation sharpe`, annualised, mean over symbols),
//! highest first, each taken when its validation daily returns correlate at most `R` with every
//! member already taken, until `max_members`. The Sharpe ratio rather than the category's fitness,
//! because fitnesses of different categories have different units (a drawdown, a share of positive
//! months) and cannot rank one champion against another. The same genome chosen by two categories
//! correlates 1 with itself and is taken once (for any `R` below 1).
//!
//! **Weights**: equal or inverse volatility of the validation daily returns
//! ([`gauntlet_stats::portfolio::portfolio_weights`]); the portfolio's daily returns are
//! buy-and-hold weights of the members' sub-accounts (that module says why). The holdout figures
//! use the same members and weights on the holdout days: never used to choose.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gauntlet_core::Timestamp;
use gauntlet_run::champion_file::{ChampionFile, champion_file};
use gauntlet_run::tables::{EquityRow, read_rows};
use gauntlet_run::{Champion, RunFolder};
use gauntlet_stats::monte_carlo::path_outcome;
use gauntlet_stats::portfolio::{
    AlignedReturns, DailyReturns, Decision, Weighting, align_daily_returns, correlation_matrix,
    daily_returns_from_equity, max_pairwise_correlation, portfolio_returns, portfolio_weights,
    select_uncorrelated,
};
use gauntlet_stats::returns::sharpe_ratio;
use gauntlet_tournament::{Category, Part};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::JobError;

/// Always `gauntlet-portfolio`.
pub const PORTFOLIO_FORMAT: &str = "gauntlet-portfolio";

/// The portfolio file's layout version.
pub const PORTFOLIO_VERSION: u32 = 1;

/// Most run folders one portfolio reads (each holds up to six champions: 384 candidates, under
/// gauntlet-stats' 1,000).
pub const MAX_PORTFOLIO_RUNS: usize = 64;

/// Most members a portfolio may hold.
pub const MAX_PORTFOLIO_MEMBERS: usize = 100;

/// How the members are weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PortfolioWeighting {
    /// `1 / n` each.
    Equal,
    /// Inverse volatility of the validation daily returns.
    InverseVolatility,
}

impl PortfolioWeighting {
    fn stats(self) -> Weighting {
        match self {
            PortfolioWeighting::Equal => Weighting::Equal,
            PortfolioWeighting::InverseVolatility => Weighting::InverseVolatility,
        }
    }

    /// `equal` or `inverse_volatility`.
    pub fn name(self) -> &'static str {
        match self {
            PortfolioWeighting::Equal => "equal",
            PortfolioWeighting::InverseVolatility => "inverse_volatility",
        }
    }
}

/// What `gauntlet portfolio` is asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioRequest {
    /// Run folders, 1 to [`MAX_PORTFOLIO_RUNS`].
    pub runs: Vec<PathBuf>,
    /// The largest pairwise correlation of members' validation daily returns, in [-1, 1].
    pub max_correlation: f64,
    /// How members are weighted.
    pub weighting: PortfolioWeighting,
    /// Most members, 1 to [`MAX_PORTFOLIO_MEMBERS`].
    pub max_members: usize,
}

/// A series of daily returns summed up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DailyMetrics {
    /// Days on the calendar.
    pub days: usize,
    /// The first day, milliseconds since the epoch UTC (00:00).
    pub first_day_ms: Option<i64>,
    /// The last day.
    pub last_day_ms: Option<i64>,
    /// Compounded return over the days, a fraction.
    pub total_return: Option<f64>,
    /// Annualised Sharpe ratio of the daily returns (risk-free 0), annualised by the calendar's
    /// days per year (`days / (span in days / 365.25)`: about 252 for exchange days, 365 for every
    /// day); `null` where undefined.
    pub sharpe: Option<f64>,
    /// Deepest fall of the compounded value from its running peak, a fraction <= 0.
    pub max_drawdown: Option<f64>,
}

/// One champion considered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PortfolioCandidate {
    /// The run folder, as given.
    pub run: String,
    /// The category it is the champion of.
    pub category: String,
    /// Its id in the run.
    pub id: String,
    /// Its validation Sharpe ratio (the rank); `null` when undefined.
    pub validation_sharpe: Option<f64>,
    /// `selected`, `too_correlated with <run> <category> (r)`, `no_fitness`, `no_variation` or
    /// `portfolio_full`.
    pub decision: String,
}

/// One member of the portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PortfolioMember {
    /// Its share of the capital at the start, a fraction (the weights add up to 1).
    pub weight: f64,
    /// The run folder, as given.
    pub run: String,
    /// Its daily returns on validation.
    pub validation: DailyMetrics,
    /// Its daily returns on holdout.
    pub holdout: DailyMetrics,
    /// Its champion file, as `gauntlet export` writes it.
    pub champion: ChampionFile,
}

/// A portfolio file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PortfolioFile {
    /// Always `gauntlet-portfolio`.
    pub format: String,
    /// The layout version, [`PORTFOLIO_VERSION`].
    pub version: u32,
    /// The bound on members' pairwise correlation of validation daily returns.
    pub max_correlation: f64,
    /// The largest pairwise correlation among the members (`null` with one member).
    pub max_pairwise_correlation: Option<f64>,
    /// How the members are weighted.
    pub weighting: PortfolioWeighting,
    /// How members were chosen, in one sentence.
    pub chosen: String,
    /// The members, in the order they were taken (best validation Sharpe ratio first).
    pub members: Vec<PortfolioMember>,
    /// The portfolio on validation (members' sub-accounts with buy-and-hold weights).
    pub validation: DailyMetrics,
    /// The portfolio on holdout.
    pub holdout: DailyMetrics,
    /// Every champion considered, with the pick's decision.
    pub candidates: Vec<PortfolioCandidate>,
}

fn percent(value: Option<f64>) -> String {
    value.map_or("-".to_string(), |value| format!("{:+.2}%", value * 100.0))
}

impl DailyMetrics {
    /// `return +1.23% sharpe 0.87 max drawdown -4.56% (250 days)`.
    pub fn describe(&self) -> String {
        format!(
            "return {} sharpe {} max drawdown {} ({} days)",
            percent(self.total_return),
            self.sharpe
                .map_or("-".to_string(), |value| format!("{value:.2}")),
            percent(self.max_drawdown),
            self.days
        )
    }
}

impl PortfolioFile {
    /// The terminal's lines: each member's weight, name, run, validation and holdout figures, then
    /// the portfolio's.
    pub fn describe(&self) -> String {
        let mut text = format!(
            "Portfolio of {} of {} champions ({}; largest pairwise correlation {}):\n",
            self.members.len(),
            self.candidates.len(),
            self.weighting.name(),
            self.max_pairwise_correlation
                .map_or("-".to_string(), |value| format!("{value:.3}"))
        );
        for member in &self.members {
            text.push_str(&format!(
                "  {:.1}% {} ({})\n    validation {}\n    holdout    {}\n",
                member.weight * 100.0,
                member.champion.name,
                member.run,
                member.validation.describe(),
                member.holdout.describe()
            ));
        }
        text.push_str(&format!(
            "  portfolio\n    validation {}\n    holdout    {} (never used to choose)\n",
            self.validation.describe(),
            self.holdout.describe()
        ));
        text
    }
}

/// The JSON Schema of [`PortfolioFile`], pretty-printed (what `schemas/portfolio.schema.json`
/// holds).
pub fn portfolio_file_schema() -> String {
    let schema = schemars::schema_for!(PortfolioFile);
    format!(
        "{}\n",
        serde_json::to_string_pretty(&schema).unwrap_or_default()
    )
}

/// The figures of `returns` on `days`.
pub fn daily_metrics(days: &[Timestamp], returns: &[f64]) -> DailyMetrics {
    let finite = |value: f64| value.is_finite().then_some(value);
    let outcome = path_outcome(1.0, returns.iter().copied());
    let span_days = match (days.first(), days.last()) {
        (Some(first), Some(last)) => (last.millis() - first.millis()) as f64 / 86_400_000.0 + 1.0,
        _ => f64::NAN,
    };
    let per_year = days.len() as f64 / (span_days / 365.25);
    DailyMetrics {
        days: days.len(),
        first_day_ms: days.first().map(|day| day.millis()),
        last_day_ms: days.last().map(|day| day.millis()),
        total_return: (!returns.is_empty())
            .then_some(outcome.total_return)
            .and_then(finite),
        sharpe: finite(sharpe_ratio(returns, 0.0, per_year)),
        max_drawdown: (!returns.is_empty())
            .then_some(outcome.max_drawdown)
            .and_then(finite),
    }
}

/// One champion's daily returns on `part`: its symbols' sub-accounts combined with equal weights
/// (module documentation).
fn champion_daily_returns(
    rows: &[EquityRow],
    part: Part,
    initial_capital: f64,
    path: &Path,
) -> Result<DailyReturns, JobError> {
    let mut symbols: BTreeMap<&str, (Vec<Timestamp>, Vec<f64>)> = BTreeMap::new();
    for row in rows.iter().filter(|row| row.part == part.name()) {
        let equity = row.equity.ok_or_else(|| JobError::RunFolder {
            path: path.to_path_buf(),
            message: format!("{} at {} has no equity", row.dataset, row.time_ms),
        })?;
        let entry = symbols.entry(row.dataset.as_str()).or_default();
        entry.0.push(Timestamp(row.time_ms));
        entry.1.push(equity);
    }
    let bad = |error: gauntlet_stats::StatsError| JobError::RunFolder {
        path: path.to_path_buf(),
        message: format!("{} part: {error}", part.name()),
    };
    let daily: Vec<DailyReturns> = symbols
        .values()
        .map(|(times, equity)| daily_returns_from_equity(times, equity, initial_capital))
        .collect::<Result<_, _>>()
        .map_err(bad)?;
    if daily.is_empty() {
        return Err(JobError::RunFolder {
            path: path.to_path_buf(),
            message: format!("no {} bars", part.name()),
        });
    }
    Ok(side_by_side(&daily))
}

/// Sub-accounts with equal shares side by side, each idle (return 0) on the days it has no bar,
/// before its first and after its last included: the daily returns of their sum on every day any
/// of them has. (Symbols of one run may cover different years: a forex pair's hourly data and an
/// index's daily data; their validation parts need not overlap.)
fn side_by_side(daily: &[DailyReturns]) -> DailyReturns {
    let mut by_day: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    for (index, member) in daily.iter().enumerate() {
        for (day, value) in member.days.iter().zip(&member.returns) {
            by_day
                .entry(day.millis())
                .or_insert_with(|| vec![0.0; daily.len()])[index] = *value;
        }
    }
    let mut values = vec![1.0 / daily.len() as f64; daily.len()];
    let mut total = 1.0;
    let mut days = Vec::with_capacity(by_day.len());
    let mut returns = Vec::with_capacity(by_day.len());
    for (day, day_returns) in by_day {
        for (value, daily_return) in values.iter_mut().zip(&day_returns) {
            *value *= 1.0 + daily_return;
        }
        let next: f64 = values.iter().sum();
        days.push(Timestamp(day));
        returns.push(next / total - 1.0);
        total = next;
    }
    DailyReturns { days, returns }
}

struct Candidate {
    run: String,
    champion: Champion,
    file: ChampionFile,
    validation: DailyReturns,
    holdout: DailyReturns,
}

fn flag_error(flag: &str, message: String) -> JobError {
    JobError::Flag {
        flag: flag.to_string(),
        message,
    }
}

/// Builds the portfolio `request` asks for from the champions of its runs.
///
/// # Errors
/// [`JobError::Flag`] (`RUN_DIR`, `--max-correlation`, `--max-members`) when a bound is broken, checked
/// before any file is read; [`JobError::RunFolder`] or [`JobError::Run`] naming a run's file that
/// is missing or malformed, or when the runs hold no champion; `RunFolder` when the champions'
/// validation spans do not overlap.
pub fn build_portfolio(request: &PortfolioRequest) -> Result<PortfolioFile, JobError> {
    if request.runs.is_empty() || request.runs.len() > MAX_PORTFOLIO_RUNS {
        return Err(flag_error(
            "RUN_DIR",
            format!(
                "a portfolio reads 1 to {MAX_PORTFOLIO_RUNS} run folders, got {}",
                request.runs.len()
            ),
        ));
    }
    if !(-1.0..=1.0).contains(&request.max_correlation) {
        return Err(flag_error(
            "--max-correlation",
            format!("must be in [-1, 1], got {}", request.max_correlation),
        ));
    }
    if !(1..=MAX_PORTFOLIO_MEMBERS).contains(&request.max_members) {
        return Err(flag_error(
            "--max-members",
            format!(
                "must be 1 to {MAX_PORTFOLIO_MEMBERS}, got {}",
                request.max_members
            ),
        ));
    }
    let mut candidates: Vec<Candidate> = Vec::new();
    for run in &request.runs {
        let folder = RunFolder::new(run);
        let experiment = folder.read_experiment()?;
        let capital = experiment.costs.initial_capital;
        for category in Category::ALL {
            let Some(champion) = folder.read_champion(category)? else {
                continue;
            };
            let equity_path = folder.champion_equity_path(category);
            let rows: Vec<EquityRow> = read_rows(&equity_path)?;
            let validation =
                champion_daily_returns(&rows, Part::Validation, capital, &equity_path)?;
            let holdout = champion_daily_returns(&rows, Part::Holdout, capital, &equity_path)?;
            let file = champion_file(run, &champion)?;
            candidates.push(Candidate {
                run: run.display().to_string(),
                champion,
                file,
                validation,
                holdout,
            });
        }
    }
    if candidates.is_empty() {
        return Err(JobError::RunFolder {
            path: request.runs[0].clone(),
            message: "the runs hold no champion (unfinished, or no eligible candidate)".into(),
        });
    }
    let stats_error = |part: &'static str| {
        let path = request.runs[0].clone();
        move |error: gauntlet_stats::StatsError| JobError::RunFolder {
            path,
            message: format!("the champions' {part} daily returns: {error}"),
        }
    };
    let validation: Vec<DailyReturns> = candidates
        .iter()
        .map(|candidate| candidate.validation.clone())
        .collect();
    let aligned = align_daily_returns(&validation).map_err(stats_error("validation"))?;
    let correlations = correlation_matrix(&aligned);
    let sharpe: Vec<f64> = candidates
        .iter()
        .map(|candidate| {
            candidate
                .champion
                .validation
                .summary
                .get("sharpe")
                .copied()
                .flatten()
                .unwrap_or(f64::NAN)
        })
        .collect();
    let selection = select_uncorrelated(
        &sharpe,
        &correlations,
        request.max_correlation,
        request.max_members,
    )
    .map_err(stats_error("validation"))?;
    let weights = portfolio_weights(&aligned, &selection.members, request.weighting.stats())
        .map_err(stats_error("validation"))?;
    let validation_returns = portfolio_returns(&aligned, &selection.members, &weights)
        .map_err(stats_error("validation"))?;
    let holdout: Vec<DailyReturns> = selection
        .members
        .iter()
        .map(|&member| candidates[member].holdout.clone())
        .collect();
    let holdout_aligned = align_daily_returns(&holdout).map_err(stats_error("holdout"))?;
    let positions: Vec<usize> = (0..holdout.len()).collect();
    let holdout_returns = portfolio_returns(&holdout_aligned, &positions, &weights)
        .map_err(stats_error("holdout"))?;
    let label = |index: usize| {
        format!(
            "{} {}",
            candidates[index].run,
            candidates[index].champion.category.name()
        )
    };
    let candidate_lines = candidates
        .iter()
        .enumerate()
        .map(|(index, candidate)| PortfolioCandidate {
            run: candidate.run.clone(),
            category: candidate.champion.category.name().to_string(),
            id: candidate.champion.id.clone(),
            validation_sharpe: sharpe[index].is_finite().then_some(sharpe[index]),
            decision: match selection.decisions[index] {
                Decision::Selected { .. } => "selected".to_string(),
                Decision::TooCorrelated { with, correlation } => {
                    format!("too_correlated with {} ({correlation:.3})", label(with))
                }
                Decision::NoFitness => "no_fitness".to_string(),
                Decision::NoVariation => "no_variation".to_string(),
                Decision::PortfolioFull => "portfolio_full".to_string(),
            },
        })
        .collect();
    let members = selection
        .members
        .iter()
        .zip(&weights)
        .map(|(&member, &weight)| {
            let candidate = &candidates[member];
            PortfolioMember {
                weight,
                run: candidate.run.clone(),
                validation: daily_metrics(
                    &candidate.validation.days,
                    &candidate.validation.returns,
                ),
                holdout: daily_metrics(&candidate.holdout.days, &candidate.holdout.returns),
                champion: candidate.file.clone(),
            }
        })
        .collect();
    let highest = max_pairwise_correlation(&correlations, &selection.members);
    Ok(PortfolioFile {
        format: PORTFOLIO_FORMAT.to_string(),
        version: PORTFOLIO_VERSION,
        max_correlation: request.max_correlation,
        max_pairwise_correlation: highest.is_finite().then_some(highest),
        weighting: request.weighting,
        chosen: format!(
            "greedy by validation Sharpe ratio among {} champions of {} runs, each taken when its \
             validation daily returns correlate at most {} with every member already taken, at \
             most {} members; {} weights",
            candidates.len(),
            request.runs.len(),
            request.max_correlation,
            request.max_members,
            request.weighting.name()
        ),
        members,
        validation: daily_metrics(&aligned.days, &validation_returns),
        holdout: daily_metrics(&holdout_aligned.days, &holdout_returns),
        candidates: candidate_lines,
    })
}

/// The members' validation daily returns, read again from their run folders and put on one
/// calendar ([`align_daily_returns`]): what a test correlates itself to check the bound.
///
/// # Errors
/// As [`build_portfolio`] when a run folder's files cannot be read.
pub fn member_validation_returns(file: &PortfolioFile) -> Result<AlignedReturns, JobError> {
    let mut daily = Vec::new();
    for member in &file.members {
        let folder = RunFolder::new(&member.run);
        let category = Category::ALL
            .into_iter()
            .find(|category| category.name() == member.champion.provenance.category)
            .ok_or_else(|| JobError::RunFolder {
                path: PathBuf::from(&member.run),
                message: format!("unknown category {}", member.champion.provenance.category),
            })?;
        let capital = folder.read_experiment()?.costs.initial_capital;
        let path = folder.champion_equity_path(category);
        let rows: Vec<EquityRow> = read_rows(&path)?;
        daily.push(champion_daily_returns(
            &rows,
            Part::Validation,
            capital,
            &path,
        )?);
    }
    align_daily_returns(&daily).map_err(|error| JobError::RunFolder {
        path: PathBuf::from(
            file.members
                .first()
                .map_or("", |member| member.run.as_str()),
        ),
        message: error.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_bound_names_its_flag_not_an_experiment_setting() {
        let request = |max_correlation: f64, max_members: usize, runs: usize| PortfolioRequest {
            runs: vec![PathBuf::from("no-such-run"); runs],
            max_correlation,
            weighting: PortfolioWeighting::Equal,
            max_members,
        };
        for (request, expected) in [
            (
                request(1.5, 10, 1),
                "invalid --max-correlation: must be in [-1, 1], got 1.5",
            ),
            (request(0.5, 0, 1), "invalid --max-members: must be 1 to"),
            (
                request(0.5, 10, 0),
                "invalid RUN_DIR: a portfolio reads 1 to",
            ),
        ] {
            let message = build_portfolio(&request).unwrap_err().to_string();
            assert!(message.starts_with(expected), "{message}");
            assert!(!message.contains("experiment setting"), "{message}");
        }
    }

    #[test]
    fn symbols_side_by_side_by_hand() {
        // Half the capital each. A: +10% on day 1, 0 on day 2; B: +20% on day 3 only.
        // Day 1: 0.55 + 0.5 = 1.05 (+5%); day 2: 1.05 (0); day 3: 0.55 + 0.6 = 1.15
        // (1.15 / 1.05 - 1 = +9.5238%).
        let day = |d: i64| Timestamp(d * 86_400_000);
        let a = DailyReturns {
            days: vec![day(1), day(2)],
            returns: vec![0.1, 0.0],
        };
        let b = DailyReturns {
            days: vec![day(3)],
            returns: vec![0.2],
        };
        let combined = side_by_side(&[a, b]);
        assert_eq!(combined.days, vec![day(1), day(2), day(3)]);
        let expected = [0.05, 0.0, 1.15 / 1.05 - 1.0];
        for (value, expected) in combined.returns.iter().zip(expected) {
            assert!((value - expected).abs() < 1e-12, "{value} vs {expected}");
        }
    }
}
