//! What `gauntlet evolve` prints when it ends, as text: a run, a walk-forward, a walk-forward
//! matrix or a share of one.

use std::path::Path;

use gauntlet_run::{RunOutcome, WalkForwardMatrixSummary};

use crate::job::Evolved;

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
            | Evolved::WalkForwardMatrix { folder, .. }
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
            Evolved::WalkForwardMatrix { folder, summary } => describe_matrix(summary, folder),
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

/// The walk-forward matrix in `folder` for the terminal: one line per row of cells (each cell's
/// stitched out-of-sample return and efficiency, `*` where it passes), then the verdict.
fn describe_matrix(summary: &WalkForwardMatrixSummary, folder: &Path) -> String {
    let percent = |value: Option<f64>| {
        value.map_or("-".to_string(), |value| format!("{:+.1}%", value * 100.0))
    };
    let mut text = format!(
        "Walk-forward matrix: {} in-sample x {} out-of-sample lengths in {}/ (each cell a walk-forward in cell-RR-CC/; walk_forward_matrix.json holds every cell).\n",
        summary.in_sample_days.len(),
        summary.out_of_sample_days.len(),
        folder.display()
    );
    for row in summary
        .cells
        .chunks(summary.out_of_sample_days.len().max(1))
    {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| {
                format!(
                    "{}d: {} (efficiency {}){}",
                    cell.out_of_sample_days,
                    percent(cell.stitched_return),
                    cell.efficiency
                        .map_or("-".to_string(), |value| format!("{value:.2}")),
                    if cell.passes { " *" } else { "" }
                )
            })
            .collect();
        let in_sample = row.first().map_or(0, |cell| cell.in_sample_days);
        text.push_str(&format!(
            "  in-sample {in_sample}d | {}\n",
            cells.join(" | ")
        ));
    }
    text.push_str(&format!("  walk-forward matrix: {}\n", summary.verdict));
    text
}
