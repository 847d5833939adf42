//! The walk-forward matrix (`[walk_forward_matrix]`): the experiment's walk-forward run once per
//! cell of a grid of in-sample lengths (rows) and out-of-sample lengths (columns), each cell a
//! whole walk-forward in `<folder>/cell-RR-CC/` ([`crate::walk_forward`]), and the grid judged by
//! the neighbourhood rule ([`gauntlet_stats::walk_forward_grid::neighbourhood_pass`]; what makes
//! a cell good is [`gauntlet_run::WalkForwardMatrix`]'s to say). Writes
//! `walk_forward_matrix.json` ([`WalkForwardMatrixSummary`]).
//!
//! Every window of every cell is planned, and the windows of all cells together bounded by
//! [`MAX_WALK_FORWARD_WINDOWS`], before any run starts. The cells shard as a walk-forward's
//! windows do: a job array's task `i` of `n` makes the windows whose position in the matrix's
//! order (cell by cell, row-major, window by window) is `i` modulo `n`; resuming the folder then
//! reads every window and judges the grid, byte for byte as a matrix made in one go. Under MPI
//! every rank runs each window together, as for one walk-forward.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use gauntlet_data::Catalog;
use gauntlet_run::{
    Experiment, MAX_WALK_FORWARD_WINDOWS, MatrixCell, Observer, RunFolder, WalkForward,
    WalkForwardMatrixSummary, WalkForwardSummary,
};
use gauntlet_stats::walk_forward_grid::{
    NeighbourRequirement, NeighbourhoodRule, neighbourhood_pass,
};

use crate::error::JobError;
use crate::shard::Shard;
use crate::walk_forward::{data_span, plan_windows, run_walk_forward};

/// The experiment of the cell with `in_sample_days` and `out_of_sample_days`: the matrix's
/// `[walk_forward]` with those lengths, stepping by the out-of-sample length.
fn cell_experiment(
    experiment: &Experiment,
    in_sample_days: u32,
    out_of_sample_days: u32,
) -> Experiment {
    let mut cell = experiment.clone();
    cell.walk_forward_matrix = None;
    cell.walk_forward = experiment.walk_forward.map(|walk| WalkForward {
        in_sample_days,
        out_of_sample_days,
        step_days: None,
        ..walk
    });
    cell.name = format!(
        "{}-is{in_sample_days}-oos{out_of_sample_days}",
        experiment.name
    );
    cell
}

/// `cell-RR-CC`.
pub fn cell_folder_name(row: usize, column: usize) -> String {
    format!("cell-{row:02}-{column:02}")
}

/// The shard of one cell whose first window is at position `offset` of the matrix's windows:
/// window `w` of the cell is taken when `offset + w` is `shard.index` modulo `shard.count`.
fn cell_shard(shard: Shard, offset: usize) -> Shard {
    Shard {
        index: (shard.index + shard.count - offset % shard.count) % shard.count,
        count: shard.count,
    }
}

/// The mean of the datasets' stitched out-of-sample total returns, over the datasets that traded
/// out of sample (`None` when none did).
fn stitched_return(summary: &WalkForwardSummary) -> Option<f64> {
    let traded: Vec<f64> = summary
        .stitched
        .iter()
        .filter(|(_, total, bars)| *bars > 0 && total.is_finite())
        .map(|(_, total, _)| *total)
        .collect();
    (!traded.is_empty()).then(|| traded.iter().sum::<f64>() / traded.len() as f64)
}

/// Runs the walk-forward matrix of `experiment` (which must have `[walk_forward]` and
/// `[walk_forward_matrix]`) in `folder`, resuming what a previous call left there (finished
/// windows are read, not run again). Returns `None` for a share of several (`shard`), or when a
/// stop signal ended it early; else the judged matrix, also written to `walk_forward_matrix.json`.
///
/// # Errors
/// [`JobError::Config`] when the experiment is invalid, a cell's data is too short for one window
/// or the cells' windows in all exceed [`MAX_WALK_FORWARD_WINDOWS`]; as
/// [`run_walk_forward`] for each cell.
pub fn run_walk_forward_matrix(
    experiment: &Experiment,
    catalog: &Catalog,
    folder: &Path,
    shard: Shard,
    observer: &dyn Observer,
    stop: &AtomicBool,
) -> Result<Option<WalkForwardMatrixSummary>, JobError> {
    let config = |message: String| JobError::Config {
        field: "walk_forward_matrix".into(),
        message,
    };
    let Some(matrix) = experiment.walk_forward_matrix.clone() else {
        return Err(config(
            "the experiment has no [walk_forward_matrix] table".into(),
        ));
    };
    experiment.validate(catalog)?;
    let (first, end) = data_span(experiment, catalog)?;
    // Every cell planned first: the windows of all cells in all, bounded before any run.
    let mut cells = Vec::new();
    let mut total = 0usize;
    for (row, &in_sample_days) in matrix.in_sample_days.iter().enumerate() {
        for (column, &out_of_sample_days) in matrix.out_of_sample_days.iter().enumerate() {
            let cell = cell_experiment(experiment, in_sample_days, out_of_sample_days);
            let walk = cell
                .walk_forward
                .expect("validated: [walk_forward] is there");
            let cap = walk
                .max_windows
                .unwrap_or(MAX_WALK_FORWARD_WINDOWS + 1)
                .min(MAX_WALK_FORWARD_WINDOWS + 1);
            let windows = plan_windows(
                &WalkForward {
                    max_windows: Some(cap),
                    ..walk
                },
                first,
                end,
            )
            .len();
            if windows == 0 {
                return Err(config(format!(
                    "the cell of {in_sample_days} in-sample days and {out_of_sample_days} \
                     out-of-sample days has no window: the datasets' common span ({} to {}) is \
                     shorter than its in-sample length plus out-of-sample data",
                    gauntlet_core::Timestamp(first),
                    gauntlet_core::Timestamp(end)
                )));
            }
            cells.push((row, column, cell, total));
            total += windows;
            if total > MAX_WALK_FORWARD_WINDOWS as usize {
                return Err(config(format!(
                    "the cells' windows are more than {MAX_WALK_FORWARD_WINDOWS} in all, each a \
                     whole run: use fewer or longer lengths, or set walk_forward.max_windows"
                )));
            }
        }
    }
    std::fs::create_dir_all(folder).map_err(|source| JobError::Io {
        path: folder.to_path_buf(),
        source,
    })?;
    RunFolder::new(folder).write_experiment(experiment)?;
    let count = cells.len();
    let mut finished = Vec::with_capacity(count);
    for (index, (row, column, cell, offset)) in cells.into_iter().enumerate() {
        let walk = cell.walk_forward.expect("set above");
        observer.phase(&format!(
            "walk-forward matrix cell {} of {count} ({} in-sample days, {} out-of-sample days)",
            index + 1,
            walk.in_sample_days,
            walk.out_of_sample_days
        ));
        let name = cell_folder_name(row, column);
        let summary = run_walk_forward(
            &cell,
            catalog,
            &folder.join(&name),
            cell_shard(shard, offset),
            observer,
            stop,
        )?;
        if stop.load(Ordering::SeqCst)
            || summary.as_ref().is_some_and(|summary| summary.interrupted)
        {
            return Ok(None);
        }
        if let Some(summary) = summary {
            finished.push((row, column, walk, name, summary));
        }
    }
    if shard.count > 1 {
        return Ok(None); // a share: the judging waits for every window
    }
    let mut good = vec![vec![false; matrix.out_of_sample_days.len()]; matrix.in_sample_days.len()];
    let mut judged: Vec<MatrixCell> = finished
        .into_iter()
        .map(|(row, column, walk, folder, summary)| {
            let stitched = stitched_return(&summary);
            let is_good = stitched.is_some_and(|value| value > 0.0)
                && summary
                    .efficiency
                    .is_some_and(|value| value >= matrix.min_efficiency);
            good[row][column] = is_good;
            MatrixCell {
                row,
                column,
                in_sample_days: walk.in_sample_days,
                out_of_sample_days: walk.out_of_sample_days,
                folder,
                windows: summary.windows.len(),
                windows_with_champion: summary
                    .windows
                    .iter()
                    .filter(|window| window.champion.is_some())
                    .count(),
                efficiency: summary.efficiency.filter(|value| value.is_finite()),
                stitched_return: stitched,
                good: is_good,
                neighbours: 0,
                good_neighbours: 0,
                passes: false,
            }
        })
        .collect();
    let rule = NeighbourhoodRule {
        radius: matrix.radius as usize,
        requirement: matrix
            .min_good_neighbours
            .map_or(NeighbourRequirement::All, |count| {
                NeighbourRequirement::AtLeast(count as usize)
            }),
    };
    let verdict = neighbourhood_pass(&good, rule).map_err(|error| config(error.to_string()))?;
    for cell in &mut judged {
        let judged = verdict.cells[cell.row][cell.column];
        cell.neighbours = judged.neighbours;
        cell.good_neighbours = judged.good_neighbours;
        cell.passes = judged.passes;
    }
    let good_cells = judged.iter().filter(|cell| cell.good).count();
    let needs = match matrix.min_good_neighbours {
        None => "every neighbour".to_string(),
        Some(count) => format!("at least {count} neighbours"),
    };
    let cells = if matrix.radius == 1 { "cell" } else { "cells" };
    let sentence = match verdict.best {
        Some((row, column)) => {
            let best = &judged[row * matrix.out_of_sample_days.len() + column];
            format!(
                "PASS: {good_cells} of {} cells good; the best passing cell ({} in-sample days, {} \
                 out-of-sample days) has {} of {} neighbours good (a cell passes when it is good \
                 and so is {needs} within {} {cells})",
                judged.len(),
                best.in_sample_days,
                best.out_of_sample_days,
                best.good_neighbours,
                best.neighbours,
                matrix.radius
            )
        }
        None => format!(
            "FAIL: {good_cells} of {} cells good; no good cell has {needs} within {} {cells} good: \
             no region of settings where re-optimising works",
            judged.len(),
            matrix.radius
        ),
    };
    let summary = WalkForwardMatrixSummary {
        in_sample_days: matrix.in_sample_days.clone(),
        out_of_sample_days: matrix.out_of_sample_days.clone(),
        min_efficiency: matrix.min_efficiency,
        radius: matrix.radius,
        min_good_neighbours: matrix.min_good_neighbours,
        cells: judged,
        passes: verdict.passes,
        best: verdict.best.map(|(row, column)| [row, column]),
        verdict: sentence,
    };
    RunFolder::new(folder).write_walk_forward_matrix(&summary)?;
    Ok(Some(summary))
}

/// The JSON Schema of [`WalkForwardMatrixSummary`], pretty-printed (what
/// `schemas/walk-forward-matrix.schema.json` holds).
pub fn walk_forward_matrix_schema() -> String {
    let schema = schemars::schema_for!(WalkForwardMatrixSummary);
    format!(
        "{}\n",
        serde_json::to_string_pretty(&schema).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_window_of_the_matrix_goes_to_exactly_one_share() {
        // Three cells of 2, 3 and 1 windows (offsets 0, 2, 5), in 3 shares: positions 0..6 go to
        // share position % 3.
        let offsets = [(0usize, 2usize), (2, 3), (5, 1)];
        for index in 0..3 {
            let shard = Shard { index, count: 3 };
            let mut taken = Vec::new();
            for (offset, windows) in offsets {
                let own = cell_shard(shard, offset);
                taken.extend(
                    (0..windows)
                        .filter(|window| own.takes(*window))
                        .map(|window| offset + window),
                );
            }
            let expected: Vec<usize> = (0..6).filter(|position| position % 3 == index).collect();
            assert_eq!(taken, expected, "share {index}");
        }
    }
}
