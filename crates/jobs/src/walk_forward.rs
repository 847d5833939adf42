//! Walk-forward analysis: one evolution per in-sample window (each a full run in
//! `<folder>/window-NN/`, its champion chosen on the window's validation share), the champion
//! traded on the next out-of-sample window, and the out-of-sample results stitched together.
//!
//! Writes `walk_forward.json` (the windows, each champion's in-sample and out-of-sample results,
//! the walk-forward efficiency) and `walk_forward.parquet` (the stitched out-of-sample equity of
//! every dataset, starting at 1: `dataset`, `ts` in milliseconds UTC, `window`, `equity`, and
//! `buy_and_hold`, the growth of 1 held over the same bars, close to close).
//!
//! Walk-forward efficiency (Pardo 2008): the champions' mean annualised out-of-sample return over
//! their mean annualised in-sample return (CAGR, mean over symbols).

use std::path::Path;
use std::sync::atomic::AtomicBool;

use gauntlet_data::{Catalog, SplitSpec};

use crate::error::JobError;
use crate::shard::Shard;
use gauntlet_run::tables::{WalkForwardRow, write_rows};
use gauntlet_run::{CHECKPOINT_STATE, Observer, RunOutcome, prepare, resume, start};
use gauntlet_run::{Experiment, MAX_WALK_FORWARD_WINDOWS, WalkForward};
use gauntlet_run::{RunFolder, RunStatus, WalkForwardSummary, WindowOutcome, WindowPlan};
use gauntlet_tournament::Part;

use gauntlet_core::MILLIS_PER_DAY as DAY_MS;

/// The windows between `first` (the latest first bar of the datasets) and `end` (where the
/// earliest last bar's interval ends): the validation share of each in-sample window is rounded to
/// whole days; in-sample windows of `in_sample_days` (anchored ones start at `first` and
/// grow), each followed by `out_of_sample_days`, moving by `step_days`. The last out-of-sample window
/// is cut at `end`; a window with no out-of-sample day left is not planned.
pub fn plan_windows(walk: &WalkForward, first: i64, end: i64) -> Vec<WindowPlan> {
    let step = i64::from(walk.step_days.unwrap_or(walk.out_of_sample_days)) * DAY_MS;
    let in_sample = i64::from(walk.in_sample_days) * DAY_MS;
    let out_of_sample = i64::from(walk.out_of_sample_days) * DAY_MS;
    let limit = walk.max_windows.map_or(usize::MAX, |count| count as usize);
    let mut windows = Vec::new();
    while windows.len() < limit {
        let offset = windows.len() as i64 * step;
        let out_of_sample_start = first + in_sample + offset;
        if out_of_sample_start >= end {
            break;
        }
        let in_sample_start = if walk.anchored { first } else { first + offset };
        // The validation share in whole days, so every boundary falls on the time of day the
        // data starts at (midnight for daily bars).
        let length_days = (out_of_sample_start - in_sample_start) / DAY_MS;
        let validation_days = (length_days as f64 * walk.validation_share).round() as i64;
        windows.push(WindowPlan {
            index: windows.len(),
            in_sample_start,
            validation_start: out_of_sample_start - validation_days * DAY_MS,
            out_of_sample_start,
            out_of_sample_end: (out_of_sample_start + out_of_sample).min(end),
        });
    }
    windows
}

/// The span every dataset of `experiment` covers, milliseconds UTC: from the latest first bar to
/// where the earliest last bar's interval ends (a whole day after a daily bar).
///
/// # Errors
/// [`JobError::Data`] when a dataset cannot be loaded.
pub(crate) fn data_span(
    experiment: &Experiment,
    catalog: &Catalog,
) -> Result<(i64, i64), JobError> {
    let (mut first, mut end) = (i64::MIN, i64::MAX);
    for name in &experiment.datasets {
        let (entry, series) = catalog.load(name)?;
        if let (Some(start), Some(last)) = (series.first_timestamp(), series.last_timestamp()) {
            first = first.max(start.millis());
            end = end.min(last.millis() + entry.interval.nominal_millis().max(1));
        }
    }
    Ok((first, end))
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let values: Vec<f64> = values.filter(|value| value.is_finite()).collect();
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Runs the walk-forward analysis of `experiment` (which must have `[walk_forward]`) in `folder`.
/// Started again on the same folder (after an interruption or a crash), it resumes: a finished
/// window is read from its files (its champion file), a window folder holding a checkpoint is
/// resumed from it, the others start, so the analysis ends as if never stopped.
///
/// With a `shard` of several (a task of a job array), only that share's windows are made (the
/// windows other tasks finished are left alone) and `None` is returned: once every share is done,
/// running it again with [`Shard::WHOLE`] (`gauntlet evolve --resume`) reads every window and
/// stitches them, as a walk-forward made in one go.
///
/// # Errors
/// [`JobError::Config`] when the experiment is invalid or the data is too short for one
/// window; as [`start`] for each window.
pub fn run_walk_forward(
    experiment: &Experiment,
    catalog: &Catalog,
    folder: &Path,
    shard: Shard,
    observer: &dyn Observer,
    stop: &AtomicBool,
) -> Result<Option<WalkForwardSummary>, JobError> {
    let Some(walk) = experiment.walk_forward else {
        return Err(JobError::Config {
            field: "walk_forward".into(),
            message: "the experiment has no [walk_forward] table".into(),
        });
    };
    experiment.validate(catalog)?;
    let (first, end) = data_span(experiment, catalog)?;
    // One more than the bound is planned at most, so a tiny step over decades costs nothing.
    let plans = plan_windows(
        &WalkForward {
            max_windows: Some(
                walk.max_windows
                    .unwrap_or(MAX_WALK_FORWARD_WINDOWS + 1)
                    .min(MAX_WALK_FORWARD_WINDOWS + 1),
            ),
            ..walk
        },
        first,
        end,
    );
    if plans.len() > MAX_WALK_FORWARD_WINDOWS as usize {
        return Err(JobError::Config {
            field: "walk_forward".into(),
            message: format!(
                "the data and step_days ({} days) make more than {MAX_WALK_FORWARD_WINDOWS} windows, each a whole run: use a longer step_days or set max_windows",
                walk.step_days.unwrap_or(walk.out_of_sample_days)
            ),
        });
    }
    if plans.is_empty() {
        return Err(JobError::Config {
            field: "walk_forward".into(),
            message: format!(
                "the datasets' common span ({} to {}) is shorter than one in-sample window of {} days plus out-of-sample data",
                gauntlet_core::Timestamp(first),
                gauntlet_core::Timestamp(end),
                walk.in_sample_days
            ),
        });
    }
    std::fs::create_dir_all(folder).map_err(|source| JobError::Io {
        path: folder.to_path_buf(),
        source,
    })?;
    RunFolder::new(folder).write_experiment(experiment)?;
    let mut windows = Vec::with_capacity(plans.len());
    let mut equity: Vec<f64> = vec![1.0; experiment.datasets.len()];
    let mut bars = vec![0usize; experiment.datasets.len()];
    let mut rows: Vec<WalkForwardRow> = Vec::new();
    // Buy-and-hold over the stitched bars: growth of 1 and the last close seen, per dataset.
    let mut hold: Vec<(f64, Option<f64>)> = vec![(1.0, None); experiment.datasets.len()];
    let mut interrupted = false;
    for plan in &plans {
        observer.phase(&format!(
            "walk-forward window {} of {}",
            plan.index + 1,
            plans.len()
        ));
        let mut window = experiment.clone();
        window.walk_forward = None;
        window.name = format!("{}-window-{:02}", experiment.name, plan.index);
        window.data_window = Some([plan.in_sample_start, plan.out_of_sample_end]);
        window.split = SplitSpec::Dates {
            validation_start: gauntlet_core::Timestamp(plan.validation_start),
            holdout_start: gauntlet_core::Timestamp(plan.out_of_sample_start),
        };
        let name = format!("window-{:02}", plan.index);
        let window_folder = folder.join(&name);
        let window_run = RunFolder::new(&window_folder);
        let finished = window_run
            .read_manifest()
            .is_ok_and(|manifest| manifest.status == RunStatus::Finished);
        let champion = if finished {
            window_run.read_champion(experiment.category)?
        } else if !shard.takes(plan.index) {
            continue; // another task's window
        } else {
            let outcome = if window_folder.join(CHECKPOINT_STATE).exists() {
                resume(&window_folder, catalog, observer, stop)?
            } else {
                start(window.clone(), catalog, &window_folder, observer, stop)?
            };
            match outcome {
                RunOutcome::Finished(summary) => summary
                    .champions
                    .into_iter()
                    .find(|champion| champion.category == experiment.category),
                RunOutcome::Interrupted { .. } => {
                    interrupted = true;
                    break;
                }
            }
        };
        let champion = champion.as_ref();
        let cagr =
            |result: &gauntlet_run::PartResult| result.summary.get("cagr").copied().flatten();
        if let Some(champion) = champion {
            // Stitch: the champion's out-of-sample bar returns on every dataset.
            let (universe, _) = prepare(&window, catalog)?;
            for (index, symbol) in universe.symbols.iter().enumerate() {
                let market = symbol.market(Part::Holdout);
                let result = gauntlet_backtest::run_backtest(
                    &champion.genome,
                    market,
                    &universe.config(symbol),
                )?;
                let close = market.series().close();
                for (bar, (time, value)) in market
                    .series()
                    .timestamps()
                    .iter()
                    .zip(result.returns())
                    .enumerate()
                {
                    let (growth, last_close) = &mut hold[index];
                    if let Some(previous) = last_close {
                        *growth *= close[bar] / *previous;
                    }
                    *last_close = Some(close[bar]);
                    equity[index] *= 1.0 + value;
                    bars[index] += 1;
                    rows.push(WalkForwardRow {
                        dataset: symbol.dataset.clone(),
                        time_ms: time.millis(),
                        window: plan.index as i64,
                        equity: Some(equity[index]),
                        buy_and_hold: Some(*growth),
                    });
                }
            }
        }
        windows.push(WindowOutcome {
            plan: *plan,
            folder: name,
            champion: champion.map(|champion| (champion.id.clone(), champion.rules.clone())),
            in_sample_fitness: champion.and_then(|champion| champion.in_sample.fitness),
            out_of_sample_fitness: champion.and_then(|champion| champion.holdout.fitness),
            in_sample_cagr: champion.and_then(|champion| cagr(&champion.in_sample)),
            out_of_sample_cagr: champion.and_then(|champion| cagr(&champion.holdout)),
        });
    }
    if shard.count > 1 {
        return Ok(None); // a share: the stitching waits for every window
    }
    let efficiency = match (
        mean(
            windows
                .iter()
                .filter_map(|window| window.out_of_sample_cagr),
        ),
        mean(windows.iter().filter_map(|window| window.in_sample_cagr)),
    ) {
        (Some(out), Some(inside)) if inside != 0.0 => Some(out / inside),
        _ => None,
    };
    let summary = WalkForwardSummary {
        windows,
        efficiency,
        stitched: experiment
            .datasets
            .iter()
            .enumerate()
            .map(|(index, name)| (name.clone(), equity[index] - 1.0, bars[index]))
            .collect(),
        interrupted,
    };
    write_rows(&RunFolder::new(folder).walk_forward_table_path(), &rows)?;
    RunFolder::new(folder).write_walk_forward(&summary)?;
    Ok(Some(summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(anchored: bool) -> WalkForward {
        WalkForward {
            in_sample_days: 10,
            out_of_sample_days: 5,
            step_days: None,
            anchored,
            validation_share: 0.2,
            max_windows: None,
        }
    }

    #[test]
    fn rolling_and_anchored_windows_by_hand() {
        // 32 days of data: out-of-sample windows start on days 10, 15, 20, 25, 30 (the last cut at
        // day 32); day 35 would have no data.
        let rolling = plan_windows(&walk(false), 0, 32 * DAY_MS);
        let starts: Vec<(i64, i64, i64, i64)> = rolling
            .iter()
            .map(|plan| {
                (
                    plan.in_sample_start / DAY_MS,
                    plan.out_of_sample_start / DAY_MS,
                    plan.out_of_sample_end / DAY_MS,
                    plan.validation_start / DAY_MS,
                )
            })
            .collect();
        assert_eq!(
            starts,
            [
                (0, 10, 15, 8),
                (5, 15, 20, 13),
                (10, 20, 25, 18),
                (15, 25, 30, 23),
                (20, 30, 32, 28)
            ]
        );
        let anchored = plan_windows(&walk(true), 0, 32 * DAY_MS);
        assert!(anchored.iter().all(|plan| plan.in_sample_start == 0));
        // The anchored in-sample of window 2 is 20 days, so its validation share starts at day 16.
        assert_eq!(anchored[2].validation_start, 16 * DAY_MS);
        let capped = plan_windows(
            &WalkForward {
                max_windows: Some(2),
                ..walk(false)
            },
            0,
            32 * DAY_MS,
        );
        assert_eq!(capped.len(), 2);
        assert!(plan_windows(&walk(false), 0, 10 * DAY_MS).is_empty());
        // A share that is not a whole number of days (0.3 of 10 = 3, of 15 = 4.5) is rounded to
        // days: no boundary at 12:00 (or 19:12).
        let uneven = plan_windows(
            &WalkForward {
                validation_share: 0.3,
                ..walk(true)
            },
            0,
            32 * DAY_MS,
        );
        let validation_days: Vec<i64> = uneven
            .iter()
            .map(|plan| (plan.out_of_sample_start - plan.validation_start) / DAY_MS)
            .collect();
        assert_eq!(validation_days, [3, 5, 6, 8, 9]);
        assert!(
            uneven
                .iter()
                .all(|plan| plan.validation_start % DAY_MS == 0)
        );
    }

    #[test]
    fn a_one_day_step_over_decades_plans_one_window_past_the_bound_and_no_more() {
        // 1-day windows over 50 years would be 18,262 runs; planning stops at the bound plus one.
        let daily = WalkForward {
            in_sample_days: 1,
            out_of_sample_days: 1,
            step_days: None,
            anchored: false,
            validation_share: 0.2,
            max_windows: Some(MAX_WALK_FORWARD_WINDOWS + 1),
        };
        let plans = plan_windows(&daily, 0, 50 * 365 * DAY_MS);
        assert_eq!(plans.len(), 1_001);
        assert_eq!(plans[1_000].out_of_sample_start, 1_001 * DAY_MS);
    }
}
