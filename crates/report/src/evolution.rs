//! The run report's evolution charts (from `generations.parquet`) and capital section (from
//! `capital.parquet`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use gauntlet_run::tables::{AllocationRow, IslandGenerationRow, Leaderboard};
use serde::Serialize;

use crate::charts::{Figure, Line, LineChart, PALETTE, XAxis, YFormat, line_chart, stacked_area};
use crate::error::ReportError;
use crate::format::{Cell, Style, number};

#[derive(Debug, Serialize)]
pub(crate) struct CapitalView {
    pub(crate) chart: Option<String>,
    pub(crate) tiers: Vec<String>,
    pub(crate) transitions: Vec<(String, Vec<usize>)>,
    pub(crate) generations: Vec<Vec<Cell>>,
}

pub(crate) fn evolution_charts(rows: &[IslandGenerationRow]) -> Result<Vec<Figure>, ReportError> {
    let islands: BTreeSet<u32> = rows.iter().map(|row| row.island).collect();
    let mut figures = Vec::new();
    type Value = fn(&IslandGenerationRow) -> Option<f64>;
    let charts: [(&str, &str, &str, Value); 3] = [
        (
            "best",
            "best in-sample fitness per generation and island",
            "best fitness",
            |row| row.best,
        ),
        (
            "median",
            "median in-sample fitness per generation and island",
            "median fitness",
            |row| row.median,
        ),
        (
            "diversity",
            "diversity per generation and island (share of distinct genomes)",
            "diversity",
            |row| row.diversity,
        ),
    ];
    for (column, title, label, value) in charts {
        let lines = islands
            .iter()
            .enumerate()
            .map(|(index, &number)| Line {
                name: format!("island {number}"),
                points: rows
                    .iter()
                    .filter(|row| row.island == number)
                    .filter_map(|row| value(row).map(|value| (f64::from(row.generation), value)))
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

pub(crate) fn capital_view(rows: &[AllocationRow]) -> Result<CapitalView, ReportError> {
    let generation: Vec<i64> = rows.iter().map(|row| i64::from(row.generation)).collect();
    let agent: Vec<String> = rows.iter().map(|row| row.agent.clone()).collect();
    let share: Vec<Option<f64>> = rows.iter().map(|row| row.share).collect();
    let tier: Vec<String> = rows.iter().map(|row| row.tier.clone()).collect();
    let event: Vec<String> = rows.iter().map(|row| row.event.clone()).collect();
    let generations: BTreeSet<i64> = generation.iter().copied().collect();
    let position: BTreeMap<i64, usize> = generations
        .iter()
        .enumerate()
        .map(|(index, generation)| (*generation, index))
        .collect();
    let count = generations.len();
    // The agents that held the most capital over the run (share summed over generations).
    let mut peak: HashMap<&str, f64> = HashMap::new();
    for row in 0..rows.len() {
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
    for row in 0..rows.len() {
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

/// NSGA-II runs: the first front in the experiment's first two objectives among every genome born
/// up to four generations (the start, a third, two thirds and the end), from the leaderboard's
/// `objective_<name>` columns: how the front moved as the run went. Points are the genomes no
/// genome born by then beats in both objectives (higher is better in each).
pub(crate) fn front_chart(
    leaderboard: &Leaderboard,
    experiment: &gauntlet_run::Experiment,
) -> Result<Option<Figure>, ReportError> {
    let [first, second] = [&experiment.objectives[0], &experiment.objectives[1]];
    let (Some(x), Some(y)) = (
        leaderboard.objective(first.name()),
        leaderboard.objective(second.name()),
    ) else {
        return Ok(None);
    };
    let generation: Vec<i64> = leaderboard
        .rows
        .iter()
        .map(|row| i64::from(row.generation))
        .collect();
    let last = generation.iter().copied().max().unwrap_or(0);
    let mut checkpoints: Vec<i64> = vec![0, last / 3, 2 * last / 3, last];
    checkpoints.dedup();
    let mut groups = Vec::new();
    for (index, &until) in checkpoints.iter().enumerate() {
        let mut points: Vec<(f64, f64)> = (0..generation.len())
            .filter(|&row| generation[row] <= until)
            .filter_map(|row| Some((x[row]?, y[row]?)))
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .collect();
        // Two-objective non-dominated set: by x descending, keep each point above every y so far.
        points.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.total_cmp(&a.1)));
        let mut front = Vec::new();
        let mut best_y = f64::NEG_INFINITY;
        for point in points {
            if point.1 > best_y {
                front.push(point);
                best_y = point.1;
            }
        }
        groups.push(crate::charts::PointGroup {
            name: format!("born by generation {until}"),
            points: front,
            color: PALETTE[[7, 0, 1, 3][index.min(3)]],
            radius: if index + 1 == checkpoints.len() { 4 } else { 3 },
        });
    }
    Ok(crate::charts::scatter_chart(
        "front",
        &groups,
        (first.name(), second.name()),
        (760, 340),
    )?
    .map(|svg| Figure {
        title: format!(
            "The first front in {} and {} (in-sample, higher is better in each) as the run went",
            first.name(),
            second.name()
        ),
        svg,
    }))
}
