//! The report of one run folder: the model the `run.html` template renders, built from the run's
//! files (`run.json`, `config.toml` and the Parquet tables).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::Path;

use gauntlet_core::Timestamp;
use gauntlet_stats::monthly_returns;
use gauntlet_tournament::Category;
use serde::Serialize;
use serde_json::Value;

use crate::ReportOptions;
use crate::charts::{Line, LineChart, PALETTE, XAxis, YFormat, line_chart, stacked_area};
use crate::downsample::min_max_downsample;
use crate::error::ReportError;
use crate::format::{Cell, Style, date_time, heat_colour, number, show, text};
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

/// Per-symbol metrics shown on champion pages: (field of the champion file, header, style).
const SYMBOL_METRICS: [(&str, &str, Style); 9] = [
    ("total_return", "return", Style::Percent),
    ("cagr", "CAGR", Style::Percent),
    ("sharpe", "Sharpe", Style::Decimal),
    ("sortino", "Sortino", Style::Decimal),
    ("max_drawdown", "max drawdown", Style::Percent),
    ("trades", "trades", Style::Whole),
    ("win_rate", "win rate", Style::Percent),
    ("profit_factor", "profit factor", Style::Decimal),
    ("positive_months", "positive months", Style::Percent),
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

#[derive(Debug, Serialize)]
pub(crate) struct ChampionPage {
    pub(crate) category: String,
    pub(crate) formula: String,
    pub(crate) id: String,
    pub(crate) rules: String,
    pub(crate) chosen: String,
    pub(crate) same_as: Option<String>,
    pub(crate) fitness: Vec<(String, String)>,
    pub(crate) gate_passed: bool,
    pub(crate) gate: Vec<(String, String, bool)>,
    pub(crate) robustness: Vec<(String, String)>,
    /// Per symbol and regime (in-sample): symbol, kind, label, bars, annualised mean return, Sharpe.
    pub(crate) regimes: Vec<Vec<Cell>>,
    pub(crate) symbol_headers: Vec<&'static str>,
    pub(crate) symbols: Vec<Vec<Cell>>,
    pub(crate) charts: Vec<Figure>,
    pub(crate) heat_maps: Vec<HeatMap>,
    pub(crate) trade_headers: Vec<&'static str>,
    pub(crate) trades: Vec<Vec<Cell>>,
    pub(crate) trades_note: String,
    pub(crate) lineage: Vec<LineageNode>,
}

#[derive(Debug, Serialize)]
pub(crate) struct HeatMap {
    pub(crate) dataset: String,
    pub(crate) years: Vec<HeatYear>,
}

#[derive(Debug, Serialize)]
pub(crate) struct HeatYear {
    pub(crate) year: i32,
    /// Twelve months: (text, exact value, background colour); empty text for a month without bars.
    pub(crate) months: Vec<(String, String, String)>,
    pub(crate) total: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct LineageNode {
    pub(crate) depth: usize,
    pub(crate) id: String,
    pub(crate) generation: String,
    pub(crate) operators: String,
    pub(crate) fitness: String,
    pub(crate) rules: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct CapitalView {
    pub(crate) chart: Option<String>,
    pub(crate) tiers: Vec<String>,
    pub(crate) transitions: Vec<(String, Vec<usize>)>,
    pub(crate) generations: Vec<Vec<Cell>>,
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

/// One leaderboard genome as lineage shows it: generation, parents' ids, operators, in-sample
/// fitness in the run's category, rules.
type Ancestor = (i64, Vec<String>, String, Option<f64>, String);

/// The leaderboard's lineage columns by genome id.
#[derive(Default)]
struct LineageIndex {
    by_id: HashMap<String, Ancestor>,
}

impl LineageIndex {
    fn new(table: &Table) -> Result<Self, ReportError> {
        if !table.has("parents") {
            return Ok(Self::default());
        }
        let ids = table.text("id")?;
        let generation = table.integer("generation")?;
        let parents = table.text("parents")?;
        let operators = table.text("operators")?;
        let fitness = table.float("fitness")?;
        let rules = table.text("rules")?;
        let by_id = (0..table.rows())
            .map(|row| {
                let parent_ids = parents[row]
                    .split(';')
                    .filter(|id| !id.is_empty())
                    .map(str::to_string)
                    .collect();
                (
                    ids[row].clone(),
                    (
                        generation[row],
                        parent_ids,
                        operators[row].replace(';', " + "),
                        fitness[row],
                        rules[row].clone(),
                    ),
                )
            })
            .collect();
        Ok(Self { by_id })
    }

    /// The champion and its ancestors, breadth first, `depth` generations of parents back (at most
    /// 40 genomes).
    fn ancestors(&self, champion: &Value, depth_limit: usize) -> Vec<LineageNode> {
        let lineage = &champion["genome"]["lineage"];
        let id = value_text(&champion["id"]);
        let parents: Vec<String> = lineage["parents"]
            .as_array()
            .map(|parents| parents.iter().map(value_text).collect())
            .unwrap_or_default();
        let operators = lineage["operators"]
            .as_array()
            .map(|operators| {
                operators
                    .iter()
                    .map(value_text)
                    .collect::<Vec<_>>()
                    .join(" + ")
            })
            .unwrap_or_default();
        let mut nodes = vec![LineageNode {
            depth: 0,
            id: id.clone(),
            generation: value_text(&lineage["generation"]),
            operators,
            fitness: show(champion["in_sample"]["fitness"].as_f64(), Style::Decimal),
            rules: value_text(&champion["rules"]),
        }];
        let mut queue: VecDeque<(String, usize)> =
            parents.into_iter().map(|parent| (parent, 1)).collect();
        let mut visited = BTreeSet::from([id]);
        while let Some((id, depth)) = queue.pop_front() {
            if depth > depth_limit || nodes.len() >= 40 || !visited.insert(id.clone()) {
                continue;
            }
            match self.by_id.get(&id) {
                Some((generation, parents, operators, fitness, rules)) => {
                    nodes.push(LineageNode {
                        depth,
                        id,
                        generation: generation.to_string(),
                        operators: operators.clone(),
                        fitness: show(*fitness, Style::Decimal),
                        rules: rules.clone(),
                    });
                    queue.extend(parents.iter().map(|parent| (parent.clone(), depth + 1)));
                }
                None => nodes.push(LineageNode {
                    depth,
                    id,
                    generation: "–".into(),
                    operators: "–".into(),
                    fitness: "–".into(),
                    rules: "not in the leaderboard (its genes were first scored under another id)"
                        .into(),
                }),
            }
        }
        nodes
    }
}

/// One symbol's curves: chained growth of the strategy and of buy-and-hold, per bar.
pub(crate) struct SymbolCurves {
    pub(crate) dataset: String,
    pub(crate) times: Vec<i64>,
    pub(crate) strategy: Vec<f64>,
    pub(crate) buy_and_hold: Vec<f64>,
    pub(crate) part_starts: Vec<(i64, String)>,
}

/// Reads `champions/<category>-equity.parquet` into chained growth curves per symbol: each part
/// was backtested from the same initial capital, so part k's growth is multiplied by the growth at
/// the end of part k-1 (the three parts as one account); buy-and-hold is the close over the first
/// close.
pub(crate) fn symbol_curves(
    path: &Path,
    initial_capital: f64,
) -> Result<Vec<SymbolCurves>, ReportError> {
    let Some(table) = Table::read_if_present(path)? else {
        return Ok(Vec::new());
    };
    let datasets = table.text("dataset")?;
    let parts = table.text("part")?;
    let times = table.integer("time_ms")?;
    let closes = table.float("close")?;
    let equity = table.float("equity")?;
    let mut curves: Vec<SymbolCurves> = Vec::new();
    let mut factor = 1.0;
    let mut first_close = f64::NAN;
    for row in 0..table.rows() {
        let new_symbol = curves
            .last()
            .is_none_or(|curve| curve.dataset != datasets[row]);
        if new_symbol {
            curves.push(SymbolCurves {
                dataset: datasets[row].clone(),
                times: Vec::new(),
                strategy: Vec::new(),
                buy_and_hold: Vec::new(),
                part_starts: Vec::new(),
            });
            factor = 1.0;
            first_close = closes[row].unwrap_or(f64::NAN);
        }
        let Some(curve) = curves.last_mut() else {
            continue;
        };
        if curve
            .part_starts
            .last()
            .is_none_or(|(_, part)| *part != parts[row])
        {
            if let Some(&last) = curve.strategy.last() {
                factor = last;
            }
            curve.part_starts.push((times[row], parts[row].clone()));
        }
        curve.times.push(times[row]);
        curve
            .strategy
            .push(factor * equity[row].unwrap_or(f64::NAN) / initial_capital);
        curve
            .buy_and_hold
            .push(closes[row].unwrap_or(f64::NAN) / first_close);
    }
    Ok(curves)
}

#[allow(clippy::too_many_arguments)]
fn champion_page(
    folder: &Path,
    category: Category,
    champion: &Value,
    seen: &mut BTreeMap<String, String>,
    lineage: &LineageIndex,
    initial_capital: f64,
    options: &ReportOptions,
) -> Result<ChampionPage, ReportError> {
    let id = value_text(&champion["id"]);
    let same_as = seen.get(&id).cloned();
    seen.entry(id.clone())
        .or_insert_with(|| category.name().to_string());
    let parts = [
        ("in-sample", "in_sample"),
        ("validation", "validation"),
        ("holdout", "holdout"),
    ];
    let fitness = parts
        .iter()
        .map(|(label, key)| {
            (
                label.to_string(),
                show(champion[*key]["fitness"].as_f64(), Style::Decimal),
            )
        })
        .collect();
    let robustness_value = &champion["robustness"];
    let gate = robustness_value["gate"]
        .as_array()
        .map(|checks| {
            checks
                .iter()
                .map(|check| {
                    (
                        value_text(&check["check"]),
                        match check["value"].as_f64() {
                            Some(value) => format!("{value:.4}"),
                            None => "–".into(),
                        },
                        check["passed"].as_bool().unwrap_or(false),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut robustness = Vec::new();
    if let Some(symbols) = robustness_value["symbols"].as_array() {
        for symbol in symbols {
            robustness.push((
                format!("{}: PSR / DSR", value_text(&symbol["dataset"])),
                format!(
                    "{} / {} (minimum track record {} bars)",
                    show(
                        symbol["probabilistic_sharpe_ratio"].as_f64(),
                        Style::Decimal
                    ),
                    show(symbol["deflated_sharpe_ratio"].as_f64(), Style::Decimal),
                    show(symbol["minimum_track_record_bars"].as_f64(), Style::Whole)
                ),
            ));
        }
    }
    let monte_carlo = &robustness_value["monte_carlo"];
    if !monte_carlo.is_null() {
        robustness.push((
            "Monte Carlo (validation trades)".into(),
            format!(
                "{} paths; 5th percentile return {}; probability of profit {}; median max drawdown {}",
                value_text(&monte_carlo["paths"]),
                show(
                    monte_carlo["total_return_percentiles"][0].as_f64(),
                    Style::Percent
                ),
                show(monte_carlo["probability_of_profit"].as_f64(), Style::Percent),
                show(monte_carlo["median_max_drawdown"].as_f64(), Style::Percent)
            ),
        ));
    }
    let mut regimes = Vec::new();
    for entry in robustness_value["regimes"].as_array().into_iter().flatten() {
        let dataset = value_text(&entry[0]);
        for regime in entry[1].as_array().into_iter().flatten() {
            regimes.push(vec![
                text(dataset.clone()),
                text(value_text(&regime["kind"])),
                text(value_text(&regime["label"])),
                number(regime["bars"].as_f64(), Style::Whole),
                number(regime["annual_mean_return"].as_f64(), Style::Percent),
                number(regime["sharpe"].as_f64(), Style::Decimal),
            ]);
        }
    }
    let mut symbols = Vec::new();
    for (label, key) in parts {
        for symbol in champion[key]["symbols"].as_array().into_iter().flatten() {
            let mut row = vec![text(value_text(&symbol["dataset"])), text(label)];
            for (field, _, style) in SYMBOL_METRICS {
                row.push(number(symbol["metrics"][field].as_f64(), style));
            }
            symbols.push(row);
        }
    }
    let (charts, heat_maps, trades, trades_note) = if same_as.is_some() {
        (Vec::new(), Vec::new(), Vec::new(), String::new())
    } else {
        let curves = symbol_curves(
            &folder
                .join("champions")
                .join(format!("{}-equity.parquet", category.name())),
            initial_capital,
        )?;
        let (charts, heat_maps) = curve_figures(&curves, category, options)?;
        let (trades, note) = trade_rows(
            &folder
                .join("champions")
                .join(format!("{}-trades.parquet", category.name())),
            category,
            options.trades_per_part,
        )?;
        (charts, heat_maps, trades, note)
    };
    Ok(ChampionPage {
        category: category.name().to_string(),
        formula: category.formula().to_string(),
        id,
        rules: value_text(&champion["rules"]),
        chosen: value_text(&champion["chosen"]),
        same_as,
        fitness,
        gate_passed: robustness_value["passed"].as_bool().unwrap_or(false),
        gate,
        robustness,
        regimes,
        symbol_headers: std::iter::once("symbol")
            .chain(std::iter::once("part"))
            .chain(SYMBOL_METRICS.iter().map(|(_, header, _)| *header))
            .collect(),
        symbols,
        charts,
        heat_maps,
        trade_headers: vec![
            "symbol",
            "part",
            "side",
            "entry",
            "entry price",
            "exit",
            "exit price",
            "quantity",
            "net P&L",
            "return",
            "bars",
            "exit reason",
        ],
        trades,
        trades_note,
        lineage: lineage.ancestors(champion, 4),
    })
}

fn curve_figures(
    curves: &[SymbolCurves],
    category: Category,
    options: &ReportOptions,
) -> Result<(Vec<Figure>, Vec<HeatMap>), ReportError> {
    let mut figures = Vec::new();
    let mut heat_maps = Vec::new();
    for curve in curves {
        let points = |values: &[f64]| -> Vec<(f64, f64)> {
            let points: Vec<(f64, f64)> = curve
                .times
                .iter()
                .zip(values)
                .filter(|(_, value)| value.is_finite())
                .map(|(time, value)| (*time as f64, *value))
                .collect();
            min_max_downsample(&points, options.curve_points)
        };
        let markers: Vec<(f64, String)> = curve
            .part_starts
            .iter()
            .skip(1)
            .map(|(time, part)| (*time as f64, part.clone()))
            .collect();
        let name = format!("{} equity {}", category.name(), curve.dataset);
        if let Some(svg) = line_chart(&LineChart {
            name: &name,
            x_axis: XAxis::Time,
            y_format: YFormat::LogGrowth,
            y_label: "growth of 1 (log scale)",
            lines: vec![
                Line {
                    name: "strategy".into(),
                    points: points(&curve.strategy),
                    color: PALETTE[0],
                    width: 2,
                },
                Line {
                    name: "buy and hold".into(),
                    points: points(&curve.buy_and_hold),
                    color: PALETTE[7],
                    width: 1,
                },
            ],
            markers: markers.clone(),
            fill_to_zero: false,
            size: (860, 300),
        })? {
            figures.push(Figure {
                title: format!(
                    "{}: equity against buy-and-hold (in-sample | validation | holdout)",
                    curve.dataset
                ),
                svg,
            });
        }
        let mut peak = f64::NEG_INFINITY;
        let drawdown: Vec<f64> = curve
            .strategy
            .iter()
            .map(|value| {
                peak = peak.max(*value);
                value / peak - 1.0
            })
            .collect();
        let name = format!("{} drawdown {}", category.name(), curve.dataset);
        if let Some(svg) = line_chart(&LineChart {
            name: &name,
            x_axis: XAxis::Time,
            y_format: YFormat::Percent,
            y_label: "drawdown",
            lines: vec![Line {
                name: "drawdown".into(),
                points: points(&drawdown),
                color: PALETTE[3],
                width: 1,
            }],
            markers,
            fill_to_zero: true,
            size: (860, 180),
        })? {
            figures.push(Figure {
                title: format!("{}: drawdown", curve.dataset),
                svg,
            });
        }
        let timestamps: Vec<Timestamp> = curve.times.iter().map(|time| Timestamp(*time)).collect();
        let months = monthly_returns(&timestamps, &curve.strategy, 1.0);
        let mut years: BTreeMap<i32, Vec<Option<f64>>> = BTreeMap::new();
        for month in &months {
            let row = years.entry(month.year).or_insert_with(|| vec![None; 12]);
            if let Some(slot) = row.get_mut(month.month as usize - 1) {
                *slot = Some(month.return_fraction);
            }
        }
        heat_maps.push(HeatMap {
            dataset: curve.dataset.clone(),
            years: years
                .into_iter()
                .map(|(year, months)| {
                    let total = months
                        .iter()
                        .flatten()
                        .fold(1.0, |growth, value| growth * (1.0 + value))
                        - 1.0;
                    HeatYear {
                        year,
                        months: months
                            .iter()
                            .map(|value| match value {
                                Some(value) => (
                                    format!("{:.1}", value * 100.0),
                                    format!("{value}"),
                                    heat_colour(*value),
                                ),
                                None => (String::new(), String::new(), "#f4f4f4".into()),
                            })
                            .collect(),
                        total: show(Some(total), Style::Percent),
                    }
                })
                .collect(),
        });
    }
    Ok((figures, heat_maps))
}

fn trade_rows(
    path: &Path,
    category: Category,
    per_part: usize,
) -> Result<(Vec<Vec<Cell>>, String), ReportError> {
    let Some(table) = Table::read_if_present(path)? else {
        return Ok((Vec::new(), "no trade table".into()));
    };
    let datasets = table.text("dataset")?;
    let parts = table.text("part")?;
    let sides = table.text("side")?;
    let entry_time = table.integer("entry_time_ms")?;
    let entry_price = table.float("entry_price")?;
    let exit_time = table.integer("exit_time_ms")?;
    let exit_price = table.float("exit_price")?;
    let quantity = table.float("quantity")?;
    let net_pnl = table.float("net_pnl")?;
    let returns = table.float("return")?;
    let bars = table.integer("bars")?;
    let reasons = table.text("exit_reason")?;
    let mut rows = Vec::new();
    let mut counts = Vec::new();
    for part in ["in_sample", "validation", "holdout"] {
        let mut indices: Vec<usize> = (0..table.rows())
            .filter(|&row| parts[row] == part)
            .collect();
        let total = indices.len();
        indices.sort_by_key(|&row| (exit_time[row], row));
        let shown = &indices[total.saturating_sub(per_part)..];
        counts.push(format!("{} of {} {part}", shown.len(), total));
        for &row in shown {
            rows.push(vec![
                text(datasets[row].clone()),
                text(parts[row].clone()),
                text(sides[row].clone()),
                Cell {
                    text: date_time(entry_time[row]),
                    value: Some(entry_time[row].to_string()),
                },
                number(entry_price[row], Style::Decimal),
                Cell {
                    text: date_time(exit_time[row]),
                    value: Some(exit_time[row].to_string()),
                },
                number(exit_price[row], Style::Decimal),
                number(quantity[row], Style::Decimal),
                number(net_pnl[row], Style::Money),
                number(returns[row], Style::Percent),
                number(Some(bars[row] as f64), Style::Whole),
                text(reasons[row].clone()),
            ]);
        }
    }
    Ok((
        rows,
        format!(
            "the last trades of each part, by exit time ({}); every trade is in champions/{}-trades.parquet",
            counts.join(", "),
            category.name()
        ),
    ))
}

fn evolution_charts(table: &Table) -> Result<Vec<Figure>, ReportError> {
    let generation = table.integer("generation")?;
    let island = table.integer("island")?;
    let islands: BTreeSet<i64> = island.iter().copied().collect();
    let mut figures = Vec::new();
    for (column, title, label) in [
        (
            "best",
            "best in-sample fitness per generation and island",
            "best fitness",
        ),
        (
            "median",
            "median in-sample fitness per generation and island",
            "median fitness",
        ),
        (
            "diversity",
            "diversity per generation and island (share of distinct genomes)",
            "diversity",
        ),
    ] {
        let values = table.float(column)?;
        let lines = islands
            .iter()
            .enumerate()
            .map(|(index, &number)| Line {
                name: format!("island {number}"),
                points: (0..table.rows())
                    .filter(|&row| island[row] == number)
                    .filter_map(|row| values[row].map(|value| (generation[row] as f64, value)))
                    .collect(),
                color: PALETTE[index % PALETTE.len()],
                width: 2,
            })
            .collect();
        if let Some(svg) = line_chart(&LineChart {
            name: column,
            x_axis: XAxis::Generation,
            y_format: YFormat::Number,
            y_label: label,
            lines,
            markers: Vec::new(),
            fill_to_zero: false,
            size: (860, 260),
        })? {
            figures.push(Figure {
                title: title.to_string(),
                svg,
            });
        }
    }
    Ok(figures)
}

const TIERS: [&str; 5] = ["excellent", "good", "average", "poor", "critical"];

fn capital_view(table: &Table) -> Result<CapitalView, ReportError> {
    let generation = table.integer("generation")?;
    let agent = table.text("agent")?;
    let share = table.float("share")?;
    let tier = table.text("tier")?;
    let event = table.text("event")?;
    let generations: BTreeSet<i64> = generation.iter().copied().collect();
    let position: BTreeMap<i64, usize> = generations
        .iter()
        .enumerate()
        .map(|(index, generation)| (*generation, index))
        .collect();
    let count = generations.len();
    // The agents that held the most capital over the run (share summed over generations).
    let mut peak: HashMap<&str, f64> = HashMap::new();
    for row in 0..table.rows() {
        *peak.entry(agent[row].as_str()).or_insert(0.0) += share[row].unwrap_or(0.0);
    }
    let mut leaders: Vec<(&str, f64)> = peak.into_iter().collect();
    leaders.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    leaders.truncate(10);
    let leader_index: HashMap<&str, usize> = leaders
        .iter()
        .enumerate()
        .map(|(index, (agent, _))| (*agent, index))
        .collect();
    let mut layers: Vec<(String, Vec<f64>)> = leaders
        .iter()
        .map(|(agent, _)| (agent.to_string(), vec![0.0; count]))
        .collect();
    let mut per_generation: Vec<[usize; 8]> = vec![[0; 8]; count];
    let mut previous_tier: HashMap<&str, (i64, usize)> = HashMap::new();
    let mut transitions = [[0usize; 5]; 5];
    for row in 0..table.rows() {
        let index = position[&generation[row]];
        let value = share[row].unwrap_or(0.0);
        if let Some(&layer) = leader_index.get(agent[row].as_str()) {
            layers[layer].1[index] += value;
        }
        let counts = &mut per_generation[index];
        match event[row].as_str() {
            "born" => counts[0] += 1,
            "retired" => counts[1] += 1,
            _ => counts[2] += 1,
        }
        if let Some(tier_index) = TIERS.iter().position(|name| *name == tier[row]) {
            counts[3 + tier_index] += 1;
            if let Some((previous_generation, previous)) = previous_tier.get(agent[row].as_str())
                && previous_generation + 1 == generation[row]
            {
                transitions[*previous][tier_index] += 1;
            }
            previous_tier.insert(agent[row].as_str(), (generation[row], tier_index));
        }
    }
    let x: Vec<f64> = generations.iter().map(|value| *value as f64).collect();
    let chart = stacked_area(
        "capital shares",
        &x,
        &layers,
        "share of capital",
        (860, 320),
    )?;
    Ok(CapitalView {
        chart,
        tiers: TIERS.iter().map(|tier| tier.to_string()).collect(),
        transitions: TIERS
            .iter()
            .zip(transitions)
            .map(|(tier, row)| (tier.to_string(), row.to_vec()))
            .collect(),
        generations: generations
            .iter()
            .zip(&per_generation)
            .map(|(generation, counts)| {
                std::iter::once(number(Some(*generation as f64), Style::Whole))
                    .chain(
                        counts
                            .iter()
                            .map(|count| number(Some(*count as f64), Style::Whole)),
                    )
                    .collect()
            })
            .collect(),
    })
}
