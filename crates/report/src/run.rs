//! The report of one run folder: the model the `run.html` template renders, built from the run's
//! files (`run.json`, `config.toml` and the Parquet tables).

use std::collections::BTreeMap;
use std::path::Path;

use gauntlet_tournament::Category;
use serde::Serialize;
use serde_json::Value;

use crate::ReportOptions;
use crate::champion::{ChampionPage, LineageIndex, champion_page};
use crate::error::ReportError;
use crate::evolution::{CapitalView, capital_view, evolution_charts};
use crate::format::{Cell, Style, number, show, text};
use crate::tables::Table;

/// The KPI badges of the leaderboard: (label, metric column, threshold, whether above is good).
pub(crate) const BADGES: [(&str, &str, f64, bool); 5] = [
    ("Sharpe > 1.5", "sharpe", 1.5, true),
    ("drawdown < 10%", "max_drawdown", -0.10, true),
    ("win rate > 55%", "win_rate", 0.55, true),
    ("profit factor > 1.5", "profit_factor", 1.5, true),
    ("positive months > 70%", "positive_months", 0.70, true),
];

/// The leaderboard's shown metric columns: (column, header, style).
const LEADERBOARD_METRICS: [(&str, &str, Style); 10] = [
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
];

#[derive(Debug, Serialize)]
pub(crate) struct RunReport {
    pub(crate) title: String,
    pub(crate) version: &'static str,
    pub(crate) notices: Vec<String>,
    pub(crate) summary: Vec<(String, String)>,
    pub(crate) datasets: Vec<Vec<Cell>>,
    pub(crate) config: String,
    pub(crate) leaderboards: Vec<Leaderboard>,
    pub(crate) leaderboard_headers: Vec<String>,
    pub(crate) champions: Vec<ChampionPage>,
    pub(crate) evolution_charts: Vec<Figure>,
    pub(crate) capital: Option<CapitalView>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Figure {
    pub(crate) title: String,
    pub(crate) svg: String,
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

pub(crate) fn read_json_file(path: &Path) -> Result<Option<Value>, ReportError> {
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(path).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|error| ReportError::Unreadable {
            path: path.to_path_buf(),
            message: error.to_string(),
        })
}

pub(crate) fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => "–".to_string(),
        other => other.to_string(),
    }
}

/// Builds the report model of the run in `folder`.
pub(crate) fn build(folder: &Path, options: &ReportOptions) -> Result<RunReport, ReportError> {
    let manifest_path = folder.join("run.json");
    let Some(manifest) = read_json_file(&manifest_path)? else {
        return Err(ReportError::NotAFolder {
            path: folder.to_path_buf(),
            expected: "run",
            message: "no run.json (a run writes it after its first generation)".into(),
        });
    };
    let config = std::fs::read_to_string(folder.join("config.toml")).unwrap_or_default();
    let config_value: toml::Table = config.parse().unwrap_or_default();
    let initial_capital = config_value
        .get("costs")
        .and_then(|costs| costs.get("initial_capital"))
        .and_then(toml::Value::as_float)
        .unwrap_or(100_000.0);
    let run_category = manifest["category"].as_str().unwrap_or("").to_string();
    let name = manifest["name"].as_str().unwrap_or("run").to_string();
    let status = manifest["status"].as_str().unwrap_or("unknown").to_string();

    let mut notices = Vec::new();
    if status != "finished" {
        notices.push(format!(
            "This run is {status} (generation {} of {}): the tables show what it had written; champions appear when it finishes (resume it with gauntlet evolve --resume).",
            value_text(&manifest["generations_done"]),
            value_text(&manifest["generations"])
        ));
    }

    let leaderboard = Table::read_if_present(&folder.join("leaderboard.parquet"))?;
    let generations = Table::read_if_present(&folder.join("generations.parquet"))?;
    let capital = Table::read_if_present(&folder.join("capital.parquet"))?;

    let mut champions = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let lineage_index = match &leaderboard {
        Some(table) => LineageIndex::new(table)?,
        None => LineageIndex::default(),
    };
    for category in Category::ALL {
        let path = folder
            .join("champions")
            .join(format!("{}.json", category.name()));
        let Some(champion) = read_json_file(&path)? else {
            continue;
        };
        let page = champion_page(
            folder,
            category,
            &champion,
            &mut seen,
            &lineage_index,
            initial_capital,
            options,
        )?;
        champions.push(page);
    }

    Ok(RunReport {
        title: name,
        version: env!("CARGO_PKG_VERSION"),
        notices,
        summary: summary(&manifest, &config_value, &run_category),
        datasets: manifest["datasets"]
            .as_array()
            .map(|datasets| {
                datasets
                    .iter()
                    .map(|dataset| {
                        vec![
                            text(value_text(&dataset["name"])),
                            text(value_text(&dataset["symbol"])),
                            number(dataset["bars"].as_f64(), Style::Whole),
                            text(value_text(&dataset["content_xxh64"])),
                        ]
                    })
                    .collect()
            })
            .unwrap_or_default(),
        config,
        leaderboard_headers: std::iter::once("rank")
            .chain(["id", "generation", "island", "fitness"])
            .chain(LEADERBOARD_METRICS.iter().map(|(_, header, _)| *header))
            .map(str::to_string)
            .collect(),
        leaderboards: match &leaderboard {
            Some(table) => leaderboards(table, &run_category, options.leaderboard_rows)?,
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
    })
}

fn summary(manifest: &Value, config: &toml::Table, run_category: &str) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut push = |label: &str, value: String| rows.push((label.to_string(), value));
    push("run", value_text(&manifest["name"]));
    push(
        "status",
        format!(
            "{} ({} of {} generations)",
            value_text(&manifest["status"]),
            value_text(&manifest["generations_done"]),
            value_text(&manifest["generations"])
        ),
    );
    let formula = Category::from_name(run_category)
        .map(Category::formula)
        .unwrap_or("");
    push("category", format!("{run_category}: {formula}"));
    push("seed", value_text(&manifest["seed"]));
    push(
        "population",
        format!(
            "{} on {} islands",
            value_text(&manifest["population"]),
            value_text(&manifest["islands"])
        ),
    );
    push(
        "universe",
        manifest["datasets"]
            .as_array()
            .map(|datasets| {
                datasets
                    .iter()
                    .map(|dataset| value_text(&dataset["name"]))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default(),
    );
    if let Some(split) = config.get("split") {
        push(
            "split (in-sample / validation / holdout)",
            split.to_string().replace('\n', "; "),
        );
    }
    if let Some(costs) = config.get("costs") {
        push("costs", costs.to_string().replace('\n', "; "));
    }
    push(
        "started / finished (UTC)",
        format!(
            "{} / {}",
            value_text(&manifest["started_at"]),
            manifest["finished_at"]
                .as_str()
                .map_or("not finished".to_string(), str::to_string)
        ),
    );
    push(
        "duration",
        format!(
            "{} s evolving, {} s scoring",
            show(manifest["seconds"].as_f64(), Style::Money),
            show(manifest["scoring_seconds"].as_f64(), Style::Money)
        ),
    );
    push(
        "evaluations",
        format!(
            "{} ({} trials for the Deflated Sharpe Ratio)",
            value_text(&manifest["evaluations"]),
            value_text(&manifest["trials"])
        ),
    );
    push("threads", value_text(&manifest["threads"]));
    let overfitting = &manifest["probability_of_backtest_overfitting"];
    if !overfitting.is_null() {
        push(
            "Probability of Backtest Overfitting",
            format!(
                "{} (mean over symbols; {} blocks, {} trials)",
                show(overfitting["mean"].as_f64(), Style::Percent),
                value_text(&overfitting["blocks"]),
                value_text(&overfitting["trials"])
            ),
        );
    }
    let chance = &manifest["evolution_vs_chance"];
    if !chance.is_null() {
        push(
            "evolution against chance (validation fitness)",
            format!(
                "champion {} | best random genome by in-sample fitness {} | best of {} random in-sample leaders chosen on validation {}",
                show(
                    chance["champion_validation_fitness"].as_f64(),
                    Style::Decimal
                ),
                show(
                    chance["random_in_sample_best_validation_fitness"].as_f64(),
                    Style::Decimal
                ),
                value_text(&chance["finalists"]),
                show(chance["random_validation_fitness"].as_f64(), Style::Decimal)
            ),
        );
    }
    push(
        "Gauntlet version",
        value_text(&manifest["gauntlet_version"]),
    );
    rows
}

fn leaderboards(
    table: &Table,
    run_category: &str,
    top: usize,
) -> Result<Vec<Leaderboard>, ReportError> {
    let ids = table.text("id")?;
    let generation = table.integer("generation")?;
    let island = table.integer("island")?;
    let rules = table.text("rules")?;
    let metrics: Vec<&[Option<f64>]> = LEADERBOARD_METRICS
        .iter()
        .map(|(column, _, _)| table.float(column))
        .collect::<Result<_, _>>()?;
    let badge_columns: Vec<&[Option<f64>]> = BADGES
        .iter()
        .map(|(_, column, _, _)| table.float(column))
        .collect::<Result<_, _>>()?;
    let mut boards = Vec::new();
    for category in Category::ALL {
        let column = format!("fitness_{}", category.name());
        let fitness = if table.has(&column) {
            table.float(&column)?
        } else if category.name() == run_category {
            table.float("fitness")?
        } else {
            continue;
        };
        let mut order: Vec<usize> = (0..table.rows())
            .filter(|&row| fitness[row].is_some_and(f64::is_finite))
            .collect();
        let eligible = order.len();
        order.sort_by(|&a, &b| {
            fitness[b]
                .unwrap_or(f64::NEG_INFINITY)
                .total_cmp(&fitness[a].unwrap_or(f64::NEG_INFINITY))
                .then(generation[a].cmp(&generation[b]))
                .then(ids[a].cmp(&ids[b]))
        });
        order.truncate(top);
        let rows = order
            .iter()
            .enumerate()
            .map(|(rank, &row)| {
                let mut cells = vec![
                    number(Some(rank as f64 + 1.0), Style::Whole),
                    text(ids[row].clone()),
                    number(Some(generation[row] as f64), Style::Whole),
                    number(Some(island[row] as f64), Style::Whole),
                    number(fitness[row], Style::Decimal),
                ];
                for ((_, _, style), column) in LEADERBOARD_METRICS.iter().zip(&metrics) {
                    cells.push(number(column[row], *style));
                }
                let badges = BADGES
                    .iter()
                    .zip(&badge_columns)
                    .filter(|((_, _, threshold, _), column)| {
                        column[row].is_some_and(|value| value > *threshold)
                    })
                    .map(|((label, _, _, _), _)| *label)
                    .collect();
                LeaderboardRow {
                    cells,
                    badges,
                    rules: rules[row].clone(),
                }
            })
            .collect();
        boards.push(Leaderboard {
            category: category.name().to_string(),
            formula: category.formula().to_string(),
            is_run_category: category.name() == run_category,
            eligible,
            rows,
        });
    }
    Ok(boards)
}
