//! The run folder's Parquet tables, read by column name.

use std::path::{Path, PathBuf};

use gauntlet_data::{TableColumn, read_table};

use crate::error::ReportError;

/// One table [`gauntlet_data::write_table`] wrote.
pub(crate) struct Table {
    path: PathBuf,
    columns: Vec<(String, TableColumn)>,
}

impl Table {
    /// Reads `path`; `None` when the file does not exist (a run still in its first generation).
    pub(crate) fn read_if_present(path: &Path) -> Result<Option<Self>, ReportError> {
        if !path.exists() {
            return Ok(None);
        }
        Ok(Some(Self {
            path: path.to_path_buf(),
            columns: read_table(path)?,
        }))
    }

    fn column(&self, name: &str) -> Result<&TableColumn, ReportError> {
        self.columns
            .iter()
            .find(|(column, _)| column == name)
            .map(|(_, column)| column)
            .ok_or_else(|| ReportError::Unreadable {
                path: self.path.clone(),
                message: format!("no column `{name}`"),
            })
    }

    fn wrong_type(&self, name: &str, expected: &str) -> ReportError {
        ReportError::Unreadable {
            path: self.path.clone(),
            message: format!("column `{name}` is not {expected}"),
        }
    }

    /// Whether the table has a column of that name.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.columns.iter().any(|(column, _)| column == name)
    }

    /// Number of rows.
    pub(crate) fn rows(&self) -> usize {
        match self.columns.first() {
            Some((_, TableColumn::Float(values))) => values.len(),
            Some((_, TableColumn::Integer(values))) => values.len(),
            Some((_, TableColumn::Text(values))) => values.len(),
            Some((_, TableColumn::Boolean(values))) => values.len(),
            None => 0,
        }
    }

    /// A float64 column (nulls as `None`).
    pub(crate) fn float(&self, name: &str) -> Result<&[Option<f64>], ReportError> {
        match self.column(name)? {
            TableColumn::Float(values) => Ok(values),
            _ => Err(self.wrong_type(name, "float64")),
        }
    }

    /// An int64 column.
    pub(crate) fn integer(&self, name: &str) -> Result<&[i64], ReportError> {
        match self.column(name)? {
            TableColumn::Integer(values) => Ok(values),
            _ => Err(self.wrong_type(name, "int64")),
        }
    }

    /// A utf8 column.
    pub(crate) fn text(&self, name: &str) -> Result<&[String], ReportError> {
        match self.column(name)? {
            TableColumn::Text(values) => Ok(values),
            _ => Err(self.wrong_type(name, "utf8")),
        }
    }
}
