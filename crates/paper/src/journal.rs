//! The journal: one JSON object per line, appended as the session goes: `start`, then for every
//! bar `bar`, its `fill`s, closed `trade`s, `risk` events, the `signal` and the broker-shaped
//! `order` decided on its close, `position` and `equity`; `rejected` for a bad feed line; `stop` at
//! the end.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::PaperError;

/// Where journal lines go.
pub struct Journal {
    writer: Box<dyn Write>,
    path: Option<PathBuf>,
    bytes: u64,
    account: Option<String>,
}

impl Journal {
    /// A journal appended to `path` (created if missing), cut back to its first `keep_bytes` bytes
    /// when given (a resumed session drops lines written after its last saved state).
    ///
    /// # Errors
    /// [`PaperError::Io`] naming the file.
    pub fn to_file(path: &Path, keep_bytes: Option<u64>) -> Result<Self, PaperError> {
        let io = |source| PaperError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(io)?;
        let mut bytes = file.metadata().map_err(io)?.len();
        if let Some(keep) = keep_bytes
            && keep < bytes
        {
            file.set_len(keep).map_err(io)?;
            bytes = keep;
        }
        Ok(Self {
            writer: Box::new(std::io::BufWriter::new(file)),
            path: Some(path.to_path_buf()),
            bytes,
            account: None,
        })
    }

    /// A journal written to any writer (standard output, a buffer, a sink).
    pub fn to_writer(writer: Box<dyn Write>) -> Self {
        Self {
            writer,
            path: None,
            bytes: 0,
            account: None,
        }
    }

    /// Bytes written so far (for a file: its length).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    fn io_error(&self, source: std::io::Error) -> PaperError {
        PaperError::Io {
            path: self
                .path
                .clone()
                .unwrap_or_else(|| PathBuf::from("<journal>")),
            source,
        }
    }

    /// Names the account of a portfolio session that the next lines are about: each object
    /// written gets an `account` field with this label, until it is set to `None`.
    pub fn set_account(&mut self, account: Option<&str>) {
        self.account = account.map(str::to_string);
    }

    /// Appends one event as a JSON line (with `account` when [`Journal::set_account`] named one).
    ///
    /// # Errors
    /// [`PaperError::Io`] when the write fails.
    pub fn write(&mut self, event: &impl Serialize) -> Result<(), PaperError> {
        let text = match &self.account {
            None => serde_json::to_string(event),
            Some(account) => serde_json::to_value(event).and_then(|mut value| {
                if let serde_json::Value::Object(fields) = &mut value {
                    fields.insert("account".into(), account.clone().into());
                }
                serde_json::to_string(&value)
            }),
        };
        let mut line = text.map_err(|error| self.io_error(std::io::Error::from(error)))?;
        line.push('\n');
        self.writer
            .write_all(line.as_bytes())
            .map_err(|error| self.io_error(error))?;
        self.bytes += line.len() as u64;
        Ok(())
    }

    /// Pushes what was written to the file (before the state that points past it is saved).
    ///
    /// # Errors
    /// [`PaperError::Io`] when the flush fails.
    pub fn flush(&mut self) -> Result<(), PaperError> {
        self.writer.flush().map_err(|error| self.io_error(error))
    }
}

/// Reads a journal file back as JSON values, one per line.
///
/// # Errors
/// [`PaperError::Io`] when it cannot be read; [`PaperError::State`] for a line that is not JSON.
pub fn read_lines(path: &Path) -> Result<Vec<serde_json::Value>, PaperError> {
    let text = std::fs::read_to_string(path).map_err(|source| PaperError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    text.lines()
        .map(|line| {
            serde_json::from_str(line).map_err(|error| PaperError::State {
                path: path.to_path_buf(),
                message: format!("journal line {line}: {error}"),
            })
        })
        .collect()
}
