//! What `gauntlet evolve` prints when it ends, as text: a run, a walk-forward or a share of one.

use std::path::Path;

use gauntlet_run::RunOutcome;

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
