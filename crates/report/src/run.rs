//! The report of one run folder: the model the `run.html` template renders, built from the run's
//! files (`run.json`, `config.toml` and the Parquet tables).

use std::collections::BTreeMap;
use std::path::Path;

use gauntlet_run::tables::{self, AllocationRow, IslandGenerationRow, read_rows_if_present};
use gauntlet_run::{Experiment, RunFolder, RunManifest, RunStatus};
use gauntlet_tournament::Category;
use serde::Serialize;

use crate::ReportOptions;
use crate::champion::{ChampionPage, LineageIndex, champion_page};
use crate::charts::Figure;
use crate::error::ReportError;
use crate::evolution::{CapitalView, capital_view, evolution_charts};
use crate::format::{Cell, Style, number, show, text};
use crate::price_chart::{ExitLevels, PriceChartData};

/// The KPI badges of the leaderboard: (label, summary metric, threshold, whether above is good).
pub(crate) const BADGES: [(&str, &str, f64, bool); 5] = [
    ("Sharpe > 1.5", "sharpe", 1.5, true),
    ("drawdown < 10%", "max_drawdown", -0.10, true),
    ("win rate > 55%", "win_rate", 0.55, true),
    ("profit factor > 1.5", "profit_factor", 1.5, true),
    ("positive months > 70%", "positive_months", 0.70, true),
];

/// The leaderboard's shown metrics: (summary metric, header, style).
const LEADERBOARD_METRICS: [(&str, &str, Style); 13] = [
    ("sharpe", "Sharpe", Style::Decimal),
    ("sortino", "Sortino", Style::Decimal),
    ("cagr", "CAGR", Style::Percent),
    ("max_drawdown", "max drawdown", Style::Percent),
    ("win_rate", "win rate", Style::Percent),
    ("profit_factor", "profit factor", Style::Decimal),
    ("expectancy", "expectancy", Style::Money),
    ("positive_months", "positive months", Style::Percent),
    ("trades", "trades", Style::Whole),
    ("exposure", "exposure", Style::Percent),
    ("alpha", "alpha", Style::Percent),
    ("beta", "beta", Style::Decimal),
    ("information_ratio", "information ratio", Style::Decimal),
];

#[derive(Debug, Serialize)]
pub(crate) struct RunReport {
    pub(crate) title: String,
    pub(crate) version: &'static str,
    pub(crate) notices: Vec<String>,
    /// The run's verdict: its sentence and the next step.
    pub(crate) verdict: Option<(String, String)>,
    pub(crate) summary: Vec<(String, String)>,
    /// NSGA-II runs: the first front of two objectives as the run went.
    pub(crate) fronts: Option<Figure>,
    pub(crate) datasets: Vec<Vec<Cell>>,
    pub(crate) config: String,
    pub(crate) leaderboards: Vec<Leaderboard>,
    pub(crate) leaderboard_headers: Vec<String>,
    pub(crate) champions: Vec<ChampionPage>,
    pub(crate) evolution_charts: Vec<Figure>,
    pub(crate) capital: Option<CapitalView>,
    /// The champions' price charts' data as JSON (see [`PriceChartData::to_script_json`]).
    pub(crate) price_data: Option<String>,
    /// The charting library and the page's chart script, inlined when there are price charts.
    pub(crate) chart_library: &'static str,
    pub(crate) chart_script: &'static str,
}

#[derive(Debug, Serialize)]
pub(crate) struct Leaderboard {
    pub(crate) category: String,
    pub(crate) formula: String,
    pub(crate) is_run_category: bool,
    pub(crate) eligible: usize,
    pub(crate) rows: Vec<LeaderboardRow>,
}

#[derive(Debug, Serialize)]
pub(crate) struct LeaderboardRow {
    pub(crate) cells: Vec<Cell>,
    pub(crate) badges: Vec<&'static str>,
    pub(crate) rules: String,
}

/// The split in words: the parts' shares of each symbol's bars, or the dates the later parts start.
fn split_text(split: &gauntlet_data::SplitSpec) -> String {
    match split {
        gauntlet_data::SplitSpec::Fractions {
            validation,
            holdout,
        } => format!(
            "in-sample {}, validation {}, holdout {} of each symbol's bars, in time order",
            show(Some(1.0 - validation - holdout), Style::Percent),
            show(Some(*validation), Style::Percent),
            show(Some(*holdout), Style::Percent)
        ),
        gauntlet_data::SplitSpec::Dates {
            validation_start,
            holdout_start,
        } => format!(
            "in-sample before {}, validation from then, holdout from {} (UTC)",
            crate::format::date_time(validation_start.millis()),
            crate::format::date_time(holdout_start.millis())
        ),
    }
}

/// Builds the report model of the run in `folder`.
pub(crate) fn build(folder: &Path, options: &ReportOptions) -> Result<RunReport, ReportError> {
    let run_folder = RunFolder::new(folder);
    if !run_folder.manifest_path().is_file() {
        return Err(ReportError::NotAFolder {
            path: folder.to_path_buf(),
            expected: "run",
            message: "no run.json (a run writes it after its first generation)".into(),
        });
    }
    let manifest = run_folder.read_manifest()?;
    let experiment = run_folder.read_experiment()?;
    let config =
        std::fs::read_to_string(run_folder.config_path()).map_err(|source| ReportError::Io {
            path: run_folder.config_path(),
            source,
        })?;
    let initial_capital = experiment.costs.initial_capital;

    let mut notices = Vec::new();
    if manifest.status != RunStatus::Finished {
        notices.push(format!(
            "This run is {} (generation {} of {}): the tables show what it had written; champions appear when it finishes (resume it with gauntlet evolve --resume).",
            manifest.status.name(),
            manifest.generations_done,
            manifest.generations
        ));
    }

    let leaderboard = match run_folder.leaderboard_path() {
        path if path.exists() => Some(tables::Leaderboard::read(&path)?),
        _ => None,
    };
    let generations: Option<Vec<IslandGenerationRow>> =
        read_rows_if_present(&run_folder.generations_path())?;
    let capital: Option<Vec<AllocationRow>> = read_rows_if_present(&run_folder.capital_path())?;

    let mut champions = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let lineage_index = match &leaderboard {
        Some(table) => LineageIndex::new(table),
        None => LineageIndex::default(),
    };
    let mut price_data = PriceChartData::default();
    for category in Category::ALL {
        let Some(champion) = run_folder.read_champion(category)? else {
            continue;
        };
        let mut page = champion_page(
            &run_folder,
            &champion,
            &mut seen,
            &lineage_index,
            initial_capital,
            options,
        )?;
        let verdict = manifest
            .verdict
            .as_ref()
            .and_then(|verdict| verdict.champions.get(category.name()).cloned());
        if page.same_as.is_none() {
            let exit = &champion.genome.exit;
            page.price_symbols = price_data.add_champion(
                category.name(),
                &ExitLevels {
                    stop_loss_pct: exit.stop_loss_pct,
                    take_profit_pct: exit.take_profit_pct,
                    trail_activation_pct: exit.trailing_stop.map(|trail| trail.activation_pct),
                },
                &run_folder.champion_equity_path(category),
                &run_folder.champion_trades_path(category),
                initial_capital,
                options,
            )?;
        }
        champions.push(ChampionPage { verdict, ..page });
    }
    let price_data = if price_data.champions.is_empty() {
        None
    } else {
        Some(price_data.to_script_json()?)
    };

    Ok(RunReport {
        title: manifest.name.clone(),
        version: env!("CARGO_PKG_VERSION"),
        notices,
        verdict: manifest
            .verdict
            .as_ref()
            .map(|verdict| (verdict.run.clone(), verdict.next_step.clone())),
        summary: summary(&manifest, &experiment),
        fronts: match &leaderboard {
            Some(table) if experiment.objectives.len() >= 2 => {
                crate::evolution::front_chart(table, &experiment)?
            }
            _ => None,
        },
        datasets: manifest
            .datasets
            .iter()
            .map(|dataset| {
                vec![
                    text(dataset.name.clone()),
                    text(dataset.symbol.clone()),
                    number(Some(dataset.bars as f64), Style::Whole),
                    text(dataset.content_xxh64.clone()),
                ]
            })
            .collect(),
        config,
        leaderboard_headers: std::iter::once("rank")
            .chain(["id", "generation", "island", "fitness"])
            .chain(LEADERBOARD_METRICS.iter().map(|(_, header, _)| *header))
            .map(str::to_string)
            .collect(),
        leaderboards: match &leaderboard {
            Some(table) => leaderboards(table, manifest.category, options.leaderboard_rows)?,
            None => Vec::new(),
        },
        champions,
        evolution_charts: match &generations {
            Some(table) => evolution_charts(table)?,
            None => Vec::new(),
        },
        capital: match &capital {
            Some(table) => Some(capital_view(table)?),
            None => None,
        },
        price_data,
        chart_library: include_str!(
            "../vendor/lightweight-charts/lightweight-charts.standalone.production.js"
        ),
        chart_script: include_str!("../templates/price_chart.js"),
    })
}

fn summary(manifest: &RunManifest, experiment: &Experiment) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut push = |label: &str, value: String| rows.push((label.to_string(), value));
    push("run", manifest.name.clone());
    push(
        "status",
        format!(
            "{} ({} of {} generations)",
            manifest.status.name(),
            manifest.generations_done,
            manifest.generations
        ),
    );
    push(
        "category",
        format!(
            "{}: {}",
            manifest.category.name(),
            manifest.category.formula()
        ),
    );
    push("seed", manifest.seed.to_string());
    push(
        "population",
        format!("{} on {} islands", manifest.population, manifest.islands),
    );
    push(
        "universe",
        manifest
            .datasets
            .iter()
            .map(|dataset| dataset.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    );
    push("split", split_text(&experiment.split));
    let costs = &experiment.costs;
    push(
        "costs",
        format!(
            "commission {} bps, spread {} bps, slippage {} bps per fill; fills at {}; initial capital {} per symbol",
            costs.commission_bps,
            costs.spread_bps,
            costs.slippage_bps,
            costs.fill.name().replace('_', " "),
            show(Some(costs.initial_capital), Style::Money)
        ),
    );
    push(
        "started / finished (UTC)",
        format!(
            "{} / {}",
            manifest.started_at,
            manifest
                .finished_at
                .clone()
                .unwrap_or_else(|| "not finished".to_string())
        ),
    );
    push(
        "duration",
        format!(
            "{} s evolving, {} s scoring",
            show(Some(manifest.seconds), Style::Money),
            show(Some(manifest.scoring_seconds), Style::Money)
        ),
    );
    push(
        "evaluations",
        format!(
            "{} ({} trials for the Deflated Sharpe Ratio)",
            manifest.evaluations, manifest.trials
        ),
    );
    push("threads", manifest.threads.to_string());
    if let Some(overfitting) = &manifest.probability_of_backtest_overfitting {
        push(
            "Probability of Backtest Overfitting",
            format!(
                "{} (mean over symbols; {} blocks, {} trials)",
                show(overfitting.mean, Style::Percent),
                overfitting.blocks,
                overfitting.trials
            ),
        );
    }
    if let Some(chance) = &manifest.evolution_vs_chance {
        push(
            "evolution against chance",
            format!(
                "validation: champion {} | best random genome by in-sample fitness {} | best of {} random in-sample leaders chosen on validation {}; holdout: champion {} | random search's pick {}",
                show(chance.champion_validation_fitness, Style::Decimal),
                show(
                    chance.random_in_sample_best_validation_fitness,
                    Style::Decimal
                ),
                chance.finalists,
                show(chance.random_validation_fitness, Style::Decimal),
                show(chance.champion_holdout_fitness, Style::Decimal),
                show(chance.random_holdout_fitness, Style::Decimal)
            ),
        );
    }
    if let Some(snooping) = &manifest.data_snooping {
        push(
            "Reality Check and SPA against buy-and-hold",
            match &snooping.test {
                Some(test) => format!(
                    "White's Reality Check p = {:.3}; Hansen's SPA p = {} (lower {}, upper {}); best of {} candidates {:+.4}% a bar over buy-and-hold on validation; {} stationary-bootstrap draws, mean block {} bars",
                    test.reality_check.p_value,
                    show(
                        Some(test.spa.consistent).filter(|value| !value.is_nan()),
                        Style::Decimal
                    ),
                    show(
                        Some(test.spa.lower).filter(|value| !value.is_nan()),
                        Style::Decimal
                    ),
                    show(
                        Some(test.spa.upper).filter(|value| !value.is_nan()),
                        Style::Decimal
                    ),
                    test.candidates,
                    test.reality_check.statistic * 100.0,
                    test.draws,
                    test.mean_block_length
                ),
                None => format!(
                    "not run: {}",
                    snooping
                        .skipped_because
                        .as_deref()
                        .unwrap_or("no reason recorded")
                ),
            },
        );
    }
    push("Gauntlet version", manifest.gauntlet_version.clone());
    rows
}

fn leaderboards(
    table: &tables::Leaderboard,
    run_category: Category,
    top: usize,
) -> Result<Vec<Leaderboard>, ReportError> {
    let rows = &table.rows;
    let mut boards = Vec::new();
    for category in Category::ALL {
        let Some(fitness) = table.fitness_in(category, run_category) else {
            continue;
        };
        let mut order: Vec<usize> = (0..rows.len())
            .filter(|&row| fitness[row].is_some_and(f64::is_finite))
            .collect();
        let eligible = order.len();
        order.sort_by(|&a, &b| {
            fitness[b]
                .unwrap_or(f64::NEG_INFINITY)
                .total_cmp(&fitness[a].unwrap_or(f64::NEG_INFINITY))
                .then(rows[a].generation.cmp(&rows[b].generation))
                .then(rows[a].id.cmp(&rows[b].id))
        });
        order.truncate(top);
        let board_rows = order
            .iter()
            .enumerate()
            .map(|(rank, &index)| {
                let row = &rows[index];
                let mut cells = vec![
                    number(Some(rank as f64 + 1.0), Style::Whole),
                    text(row.id.clone()),
                    number(Some(f64::from(row.generation)), Style::Whole),
                    number(Some(f64::from(row.island)), Style::Whole),
                    number(fitness[index], Style::Decimal),
                ];
                // A leaderboard written before a metric existed (alpha, beta...) shows it as n/a.
                for (metric, _, style) in LEADERBOARD_METRICS {
                    cells.push(number(row.metric(metric), style));
                }
                let badges = BADGES
                    .iter()
                    .filter(|(_, metric, threshold, _)| {
                        row.metric(metric).is_some_and(|value| value > *threshold)
                    })
                    .map(|(label, _, _, _)| *label)
                    .collect();
                LeaderboardRow {
                    cells,
                    badges,
                    rules: row.rules.clone(),
                }
            })
            .collect();
        boards.push(Leaderboard {
            category: category.name().to_string(),
            formula: category.formula().to_string(),
            is_run_category: category == run_category,
            eligible,
            rows: board_rows,
        });
    }
    Ok(boards)
}
