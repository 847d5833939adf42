//! Shares of independent runs for the tasks of a job array ([`Shard`]): a comparison's categories
//! or a walk-forward's windows split over a scheduler's tasks without MPI, each task writing its
//! runs into one shared folder, then a merge step.

/// The most tasks a job array's runs are split into ([`Shard`]).
pub const MAX_SHARDS: usize = 1_000;

/// One share of independent runs, for a task of a job array (Slurm `--array`, a Kubernetes
/// Indexed Job) on a scheduler without MPI: the runs at positions `index`, `index + count`,
/// `index + 2 count`... of a comparison's categories or of a walk-forward's windows. Every task
/// writes its runs into the same folder; a merge step then assembles the result
/// ([`crate::comparison::merge_comparison`], or resuming the walk-forward).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This task's share, `0..count`.
    pub index: usize,
    /// Shares in all, 1 to [`MAX_SHARDS`].
    pub count: usize,
}

impl Shard {
    /// The whole comparison in one task.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Reads `I/N` (share I of N, 0-based), or `env/N`: I from the scheduler, Slurm's
    /// `SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN` or Kubernetes' `JOB_COMPLETION_INDEX`.
    ///
    /// # Errors
    /// A message when the text is not of that form, N is 0 or above [`MAX_SHARDS`], I is not
    /// below N, or `env` finds neither variable.
    pub fn parse(text: &str) -> Result<Self, String> {
        let environment = |name: &str| std::env::var(name).ok();
        Self::parse_with(text, &environment)
    }

    fn parse_with(
        text: &str,
        environment: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        let malformed = || format!("expected I/N or env/N (share I of N, from 0), got {text}");
        let (index, count) = text.split_once('/').ok_or_else(malformed)?;
        let count: usize = count.trim().parse().map_err(|_| malformed())?;
        if count == 0 || count > MAX_SHARDS {
            return Err(format!("N must be 1 to {MAX_SHARDS}, got {count}"));
        }
        let number = |name: &str| -> Result<Option<usize>, String> {
            environment(name)
                .map(|value| {
                    value
                        .trim()
                        .parse()
                        .map_err(|_| format!("{name} is not a task index: {value}"))
                })
                .transpose()
        };
        let index = match index.trim() {
            "env" => match (
                number("SLURM_ARRAY_TASK_ID")?,
                number("JOB_COMPLETION_INDEX")?,
            ) {
                (Some(task), _) => task
                    .checked_sub(number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0))
                    .ok_or("SLURM_ARRAY_TASK_ID is below SLURM_ARRAY_TASK_MIN")?,
                (None, Some(index)) => index,
                (None, None) => {
                    return Err(
                        "env/N needs SLURM_ARRAY_TASK_ID (Slurm) or JOB_COMPLETION_INDEX (Kubernetes)"
                            .into(),
                    );
                }
            },
            index => index.parse().map_err(|_| malformed())?,
        };
        if index >= count {
            return Err(format!("share {index} of {count}: I must be below N"));
        }
        Ok(Self { index, count })
    }

    /// Whether the run at `position` of the category list is this share's.
    pub fn takes(&self, position: usize) -> bool {
        position % self.count == self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shard_reads_from_its_text_or_the_scheduler() {
        let none = |_: &str| None;
        assert_eq!(
            Shard::parse_with("2/6", &none),
            Ok(Shard { index: 2, count: 6 })
        );
        // Slurm: `--array=1-6` numbers tasks from 1.
        let slurm = |name: &str| match name {
            "SLURM_ARRAY_TASK_ID" => Some("4".to_string()),
            "SLURM_ARRAY_TASK_MIN" => Some("1".to_string()),
            _ => None,
        };
        assert_eq!(
            Shard::parse_with("env/6", &slurm),
            Ok(Shard { index: 3, count: 6 })
        );
        let kubernetes = |name: &str| (name == "JOB_COMPLETION_INDEX").then(|| "5".to_string());
        assert_eq!(
            Shard::parse_with("env/6", &kubernetes),
            Ok(Shard { index: 5, count: 6 })
        );
        for (text, message) in [
            ("6/6", "I must be below N"),
            ("1/0", "N must be 1 to 1000"),
            ("0/1001", "N must be 1 to 1000"),
            ("3", "expected I/N"),
            ("x/2", "expected I/N"),
            ("env/2", "needs SLURM_ARRAY_TASK_ID"),
        ] {
            let error = Shard::parse_with(text, &none).unwrap_err();
            assert!(error.contains(message), "{text}: {error}");
        }
        // Shares 0 and 1 of 2 take alternate categories, together all of them.
        let first = Shard { index: 0, count: 2 };
        let second = Shard { index: 1, count: 2 };
        assert!((0..6).all(|position| first.takes(position) != second.takes(position)));
        assert!((0..6).all(|position| Shard::WHOLE.takes(position)));
    }
}
