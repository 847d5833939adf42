//! A champion's page in the run report: fitness, gate, robustness, regimes, per-symbol metrics,
//! equity and drawdown charts, monthly heat maps, trades and lineage, from `champions/<category>.json`,
//! `champions/<category>-equity.parquet`, `-trades.parquet` and the leaderboard's lineage columns.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::Path;

use gauntlet_core::Timestamp;
use gauntlet_run::tables::{EquityRow, Leaderboard, TradeRow, read_rows_if_present};
use gauntlet_run::{Champion, RunFolder};
use gauntlet_stats::monthly_returns;
use gauntlet_tournament::Category;
use serde::Serialize;

use crate::ReportOptions;
use crate::charts::Figure;
use crate::charts::{
    Line, LineChart, PALETTE, PointGroup, XAxis, YFormat, line_chart, scatter_chart,
};
use crate::downsample::min_max_downsample;
use crate::error::ReportError;
use crate::format::{Cell, Style, date_time, heat_colour, number, show, text};

/// Per-symbol metrics shown on champion pages: (field of the champion file, header, style).
pub(crate) const SYMBOL_METRICS: [(&str, &str, Style); 13] = [
    ("total_return", "return", Style::Percent),
    ("cagr", "CAGR", Style::Percent),
    ("sharpe", "Sharpe", Style::Decimal),
    ("sortino", "Sortino", Style::Decimal),
    ("max_drawdown", "max drawdown", Style::Percent),
    ("trades", "trades", Style::Whole),
    ("win_rate", "win rate", Style::Percent),
    ("profit_factor", "profit factor", Style::Decimal),
    ("positive_months", "positive months", Style::Percent),
    ("alpha", "alpha", Style::Percent),
    ("beta", "beta", Style::Decimal),
    ("information_ratio", "information ratio", Style::Decimal),
    ("tracking_error", "tracking error", Style::Percent),
];

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
    /// Its parameter neighbourhood (in-sample fitness of jittered neighbours), when recorded.
    pub(crate) neighbourhood: Option<Figure>,
    /// The run verdict's sentence for it.
    pub(crate) verdict: Option<String>,
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
    /// The symbols of its interactive price chart (empty without one).
    pub(crate) price_symbols: Vec<String>,
    /// Past [`ReportOptions::max_symbols`]: how many symbols the page shows and leaves out, and
    /// the champion's files (relative links) that hold every symbol.
    pub(crate) symbols_left_out: Option<(usize, usize, Vec<String>)>,
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

/// One leaderboard genome as lineage shows it: generation, parents' ids, operators, in-sample
/// fitness in the run's category, rules.
type Ancestor = (i64, Vec<String>, String, Option<f64>, String);

/// The leaderboard's lineage columns by genome id.
#[derive(Default)]
pub(crate) struct LineageIndex {
    by_id: HashMap<String, Ancestor>,
}

impl LineageIndex {
    pub(crate) fn new(leaderboard: &Leaderboard) -> Self {
        if !leaderboard.lineage {
            return Self::default();
        }
        let by_id = leaderboard
            .rows
            .iter()
            .map(|row| {
                (
                    row.id.clone(),
                    (
                        i64::from(row.generation),
                        row.parents.clone(),
                        row.operators.join(" + "),
                        row.fitness,
                        row.rules.clone(),
                    ),
                )
            })
            .collect();
        Self { by_id }
    }

    /// The champion and its ancestors, breadth first, `depth` generations of parents back (at most
    /// 40 genomes).
    fn ancestors(&self, champion: &Champion, depth_limit: usize) -> Vec<LineageNode> {
        let lineage = &champion.genome.lineage;
        let id = champion.id.clone();
        let parents: Vec<String> = lineage.parents.clone();
        let operators = lineage.operators.join(" + ");
        let mut nodes = vec![LineageNode {
            depth: 0,
            id: id.clone(),
            generation: lineage.generation.to_string(),
            operators,
            fitness: show(champion.in_sample.fitness, Style::Decimal),
            rules: champion.rules.clone(),
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
    let Some(rows) = read_rows_if_present::<EquityRow>(path)? else {
        return Ok(Vec::new());
    };
    let mut curves: Vec<SymbolCurves> = Vec::new();
    let mut factor = 1.0;
    let mut first_close = f64::NAN;
    for row in &rows {
        let new_symbol = curves
            .last()
            .is_none_or(|curve| curve.dataset != row.dataset);
        if new_symbol {
            curves.push(SymbolCurves {
                dataset: row.dataset.clone(),
                times: Vec::new(),
                strategy: Vec::new(),
                buy_and_hold: Vec::new(),
                part_starts: Vec::new(),
            });
            factor = 1.0;
            first_close = row.close.unwrap_or(f64::NAN);
        }
        let Some(curve) = curves.last_mut() else {
            continue;
        };
        if curve
            .part_starts
            .last()
            .is_none_or(|(_, part)| *part != row.part)
        {
            if let Some(&last) = curve.strategy.last() {
                factor = last;
            }
            curve.part_starts.push((row.time_ms, row.part.clone()));
        }
        curve.times.push(row.time_ms);
        curve
            .strategy
            .push(factor * row.equity.unwrap_or(f64::NAN) / initial_capital);
        curve
            .buy_and_hold
            .push(row.close.unwrap_or(f64::NAN) / first_close);
    }
    Ok(curves)
}

pub(crate) fn champion_page(
    folder: &RunFolder,
    champion: &Champion,
    seen: &mut BTreeMap<String, String>,
    lineage: &LineageIndex,
    initial_capital: f64,
    options: &ReportOptions,
) -> Result<ChampionPage, ReportError> {
    let category = champion.category;
    let id = champion.id.clone();
    // The page shows the first `max_symbols` symbols in full; the tables hold every one.
    let all_symbols: Vec<&str> = champion
        .in_sample
        .symbols
        .iter()
        .map(|symbol| symbol.dataset.as_str())
        .collect();
    let shown: BTreeSet<&str> = all_symbols
        .iter()
        .take(options.max_symbols)
        .copied()
        .collect();
    let is_shown = |dataset: &str| shown.contains(dataset);
    let symbols_left_out = (all_symbols.len() > shown.len()).then(|| {
        let relative = |path: std::path::PathBuf| {
            path.strip_prefix(folder.path())
                .map(|relative| relative.to_string_lossy().into_owned())
                .unwrap_or_else(|_| path.to_string_lossy().into_owned())
        };
        (
            shown.len(),
            all_symbols.len() - shown.len(),
            vec![
                relative(folder.champion_path(category)),
                relative(folder.champion_equity_path(category)),
                relative(folder.champion_trades_path(category)),
            ],
        )
    });
    let same_as = seen.get(&id).cloned();
    seen.entry(id.clone())
        .or_insert_with(|| category.name().to_string());
    let parts = [
        ("in-sample", &champion.in_sample),
        ("validation", &champion.validation),
        ("holdout", &champion.holdout),
    ];
    let fitness = parts
        .iter()
        .map(|(label, part)| (label.to_string(), show(part.fitness, Style::Decimal)))
        .collect();
    let robustness_record = &champion.robustness;
    let gate = robustness_record
        .gate
        .iter()
        .map(|check| {
            (
                check.describe(),
                show(check.value, Style::Decimal),
                check.passed,
            )
        })
        .collect();
    let finite = |value: f64| value.is_finite().then_some(value);
    let mut robustness = Vec::new();
    for symbol in robustness_record
        .symbols
        .iter()
        .filter(|symbol| is_shown(&symbol.dataset))
    {
        robustness.push((
            format!("{}: PSR / DSR", symbol.dataset),
            format!(
                "{} / {} (minimum track record {} bars)",
                show(finite(symbol.probabilistic_sharpe_ratio), Style::Decimal),
                show(finite(symbol.deflated_sharpe_ratio), Style::Decimal),
                show(symbol.minimum_track_record_bars, Style::Whole)
            ),
        ));
    }
    if let Some(monte_carlo) = &robustness_record.monte_carlo {
        robustness.push((
            "Monte Carlo (validation trades)".into(),
            format!(
                "{} paths; 5th percentile return {}; probability of profit {}; median max drawdown {}",
                monte_carlo.paths,
                show(finite(monte_carlo.total_return_percentiles[0]), Style::Percent),
                show(finite(monte_carlo.probability_of_profit), Style::Percent),
                show(finite(monte_carlo.median_max_drawdown), Style::Percent)
            ),
        ));
    }
    let neighbourhood = match &champion.neighbourhood {
        Some(record) => {
            let mut sorted: Vec<f64> = record.neighbours.iter().flatten().copied().collect();
            sorted.sort_by(f64::total_cmp);
            let ineligible = record.neighbours.len() - sorted.len();
            robustness.push((
                "parameter neighbourhood (in-sample)".into(),
                format!(
                    "fitness {}; {} neighbours (periods +-1 grid step, other genes +-{}%): plateau ({}th percentile) {}, median {}, {} not eligible",
                    show(record.fitness, Style::Decimal),
                    record.neighbours.len(),
                    record.rules.jitter_pct,
                    (record.rules.quantile * 100.0).round(),
                    show(record.plateau, Style::Decimal),
                    show(
                        (!sorted.is_empty()).then(|| sorted[sorted.len() / 2]),
                        Style::Decimal
                    ),
                    ineligible
                ),
            ));
            let groups = [
                PointGroup {
                    name: "neighbours (sorted)".into(),
                    points: sorted
                        .iter()
                        .enumerate()
                        .map(|(rank, value)| ((rank + 1) as f64, *value))
                        .collect(),
                    color: PALETTE[0],
                    radius: 4,
                },
                PointGroup {
                    name: "the champion".into(),
                    points: record
                        .fitness
                        .map(|fitness| (0.0, fitness))
                        .into_iter()
                        .collect(),
                    color: PALETTE[3],
                    radius: 5,
                },
            ];
            scatter_chart(
                &format!("{}-neighbourhood", category.name()),
                &groups,
                ("neighbour (0 = the champion)", "in-sample fitness"),
                (860, 280),
            )?
            .map(|svg| Figure {
                title: format!(
                    "Parameter neighbourhood: in-sample {} of the champion and its jittered neighbours",
                    category.name()
                ),
                svg,
            })
        }
        None => None,
    };
    let mut regimes = Vec::new();
    for (dataset, results) in &robustness_record.regimes {
        if !is_shown(dataset) {
            continue;
        }
        for regime in results {
            regimes.push(vec![
                text(dataset.clone()),
                text(regime.kind.clone()),
                text(regime.label.clone()),
                number(Some(regime.bars as f64), Style::Whole),
                number(finite(regime.annual_mean_return), Style::Percent),
                number(finite(regime.sharpe), Style::Decimal),
            ]);
        }
    }
    let mut symbols = Vec::new();
    for (label, part) in parts {
        for symbol in part
            .symbols
            .iter()
            .filter(|symbol| is_shown(&symbol.dataset))
        {
            let mut values = symbol.metrics.named_values();
            values.extend(symbol.against_buy_and_hold());
            let mut row = vec![text(symbol.dataset.clone()), text(label)];
            for (field, _, style) in SYMBOL_METRICS {
                // An infinite profit factor (no losing trade) shows as ∞, not n/a.
                let value = values
                    .iter()
                    .find(|(name, _)| *name == field)
                    .and_then(|(_, value)| (!value.is_nan()).then_some(*value));
                row.push(number(value, style));
            }
            symbols.push(row);
        }
    }
    let (charts, heat_maps, trades, trades_note) = if same_as.is_some() {
        (Vec::new(), Vec::new(), Vec::new(), String::new())
    } else {
        let mut curves = symbol_curves(&folder.champion_equity_path(category), initial_capital)?;
        curves.retain(|curve| is_shown(&curve.dataset));
        let (charts, heat_maps) = curve_figures(&curves, category, options)?;
        let (trades, note) = trade_rows(
            &folder.champion_trades_path(category),
            category,
            options.trades_per_part,
        )?;
        (charts, heat_maps, trades, note)
    };
    Ok(ChampionPage {
        category: category.name().to_string(),
        formula: category.formula().to_string(),
        id,
        rules: champion.rules.clone(),
        chosen: champion.chosen.clone(),
        same_as,
        fitness,
        gate_passed: robustness_record.passed,
        gate,
        robustness,
        neighbourhood,
        verdict: None,
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
        price_symbols: Vec::new(),
        symbols_left_out,
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
                                    crate::format::fixed(value * 100.0, 1),
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
    let Some(trades) = read_rows_if_present::<TradeRow>(path)? else {
        return Ok((Vec::new(), "no trade table".into()));
    };
    let mut rows = Vec::new();
    let mut counts = Vec::new();
    for part in ["in_sample", "validation", "holdout"] {
        let mut indices: Vec<usize> = (0..trades.len())
            .filter(|&row| trades[row].part == part)
            .collect();
        let total = indices.len();
        indices.sort_by_key(|&row| (trades[row].exit_time_ms, row));
        let shown = &indices[total.saturating_sub(per_part)..];
        counts.push(format!("{} of {} {part}", shown.len(), total));
        for trade in shown.iter().map(|&row| &trades[row]) {
            rows.push(vec![
                text(trade.dataset.clone()),
                text(trade.part.clone()),
                text(trade.side.clone()),
                Cell {
                    text: date_time(trade.entry_time_ms),
                    value: Some(trade.entry_time_ms.to_string()),
                },
                number(trade.entry_price, Style::Decimal),
                Cell {
                    text: date_time(trade.exit_time_ms),
                    value: Some(trade.exit_time_ms.to_string()),
                },
                number(trade.exit_price, Style::Decimal),
                number(trade.quantity, Style::Decimal),
                number(trade.net_pnl, Style::Money),
                number(trade.return_fraction, Style::Percent),
                number(Some(trade.bars as f64), Style::Whole),
                text(trade.exit_reason.clone()),
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
