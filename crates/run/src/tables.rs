//! The Parquet tables of Gauntlet's folders: one Rust type per table, its columns' names and
//! types spelt once, here, and used by every writer and every reader (the run, the jobs, the
//! report, the exports). No other module looks a table's column up by name.
//!
//! | file | row type |
//! |---|---|
//! | `leaderboard.parquet` (and `leaderboard.csv`) | [`LeaderboardRow`] in a [`Leaderboard`] |
//! | `capital.parquet` | [`AllocationRow`] |
//! | `generations.parquet` | [`IslandGenerationRow`] |
//! | `champions.parquet` | [`ChampionRow`] |
//! | `champions/<category>-equity.parquet` | [`EquityRow`] |
//! | `champions/<category>-trades.parquet` | [`TradeRow`] |
//! | `walk_forward.parquet` | [`WalkForwardRow`] |
//! | `comparison.parquet` | [`ComparisonRow`] |
//!
//! Each row type's `COLUMNS` lists its columns in file order with their Parquet type; the arrow
//! schema is derived from it (float64 columns nullable, a non-finite float written as null; int64,
//! utf8 and boolean columns without nulls), through gauntlet-data's [`write_table`], so the files
//! are the ones Gauntlet wrote before these types (byte for byte). Reading a table whose column
//! is missing or of another type is a [`RunError::RunFolder`] naming the file and the column. A
//! few columns were added after folders existed; their types say so ("absent in folders written
//! before ...") and read as `None` when absent, as the report always showed them.
//!
//! Why not `serde_arrow`: the schema it traces (large strings, NaN kept as NaN, nullability from
//! `Option`) differs from the files Gauntlet has always written, the leaderboard's columns depend
//! on the run (its NSGA-II objectives), and arrow stays in gauntlet-data alone (`DESIGN.md`).

use std::path::{Path, PathBuf};

use gauntlet_data::{TableColumn, read_table, write_table};

use crate::error::RunError;

mod leaderboard;

pub use leaderboard::{Leaderboard, LeaderboardRow};

/// A column's Parquet type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// float64, nullable: `Option<f64>`, a non-finite value written as null (read as `None`).
    Float,
    /// int64.
    Integer,
    /// utf8.
    Text,
    /// boolean.
    Boolean,
}

impl ColumnType {
    /// The type's name in Parquet's and arrow's words (`float64`, `int64`, `utf8`, `boolean`).
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Float => "float64",
            ColumnType::Integer => "int64",
            ColumnType::Text => "utf8",
            ColumnType::Boolean => "boolean",
        }
    }

    fn of(column: &TableColumn) -> Self {
        match column {
            TableColumn::Float(_) => ColumnType::Float,
            TableColumn::Integer(_) => ColumnType::Integer,
            TableColumn::Text(_) => ColumnType::Text,
            TableColumn::Boolean(_) => ColumnType::Boolean,
        }
    }
}

/// A Rust type a column holds: how a field of a row type becomes a column and back.
pub trait ColumnValue: Sized + Clone {
    /// The column's Parquet type.
    const TYPE: ColumnType;
    /// The column of these values.
    fn column(values: Vec<Self>) -> TableColumn;
    /// The values of a column of [`ColumnValue::TYPE`]; a message when one does not fit the Rust
    /// type (a negative count).
    fn values(column: TableColumn) -> Result<Vec<Self>, String>;
}

fn integers<T: TryFrom<i64>>(column: TableColumn) -> Result<Vec<T>, String> {
    match column {
        TableColumn::Integer(values) => values
            .into_iter()
            .map(|value| T::try_from(value).map_err(|_| format!("holds {value}, out of range")))
            .collect(),
        other => Err(format!("is {}", ColumnType::of(&other).name())),
    }
}

macro_rules! integer_column {
    ($($type:ty),*) => {$(
        impl ColumnValue for $type {
            const TYPE: ColumnType = ColumnType::Integer;
            fn column(values: Vec<Self>) -> TableColumn {
                TableColumn::Integer(values.into_iter().map(|value| value as i64).collect())
            }
            fn values(column: TableColumn) -> Result<Vec<Self>, String> {
                integers(column)
            }
        }
    )*};
}

integer_column!(i64, u32, u64, usize);

impl ColumnValue for Option<f64> {
    const TYPE: ColumnType = ColumnType::Float;
    fn column(values: Vec<Self>) -> TableColumn {
        TableColumn::Float(values)
    }
    fn values(column: TableColumn) -> Result<Vec<Self>, String> {
        match column {
            TableColumn::Float(values) => Ok(values),
            other => Err(format!("is {}", ColumnType::of(&other).name())),
        }
    }
}

impl ColumnValue for String {
    const TYPE: ColumnType = ColumnType::Text;
    fn column(values: Vec<Self>) -> TableColumn {
        TableColumn::Text(values)
    }
    fn values(column: TableColumn) -> Result<Vec<Self>, String> {
        match column {
            TableColumn::Text(values) => Ok(values),
            other => Err(format!("is {}", ColumnType::of(&other).name())),
        }
    }
}

impl ColumnValue for bool {
    const TYPE: ColumnType = ColumnType::Boolean;
    fn column(values: Vec<Self>) -> TableColumn {
        TableColumn::Boolean(values)
    }
    fn values(column: TableColumn) -> Result<Vec<Self>, String> {
        match column {
            TableColumn::Boolean(values) => Ok(values),
            other => Err(format!("is {}", ColumnType::of(&other).name())),
        }
    }
}

/// A table file's columns as read, each taken once by name and type.
pub struct TableReader {
    path: PathBuf,
    columns: Vec<(String, TableColumn)>,
    rows: usize,
}

impl TableReader {
    /// Reads the table at `path`.
    ///
    /// # Errors
    /// [`RunError::Data`] when the file cannot be read as a table.
    pub fn open(path: &Path) -> Result<Self, RunError> {
        let columns = read_table(path)?;
        let rows = columns
            .first()
            .map_or(0, |(_, column)| column_length(column));
        Ok(Self {
            path: path.to_path_buf(),
            columns,
            rows,
        })
    }

    /// The table's rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    fn error(&self, message: String) -> RunError {
        RunError::RunFolder {
            path: self.path.clone(),
            message,
        }
    }

    /// The column `name` as `T`s, if the file has it.
    ///
    /// # Errors
    /// [`RunError::RunFolder`] naming the file and the column when it is of another type or a
    /// value does not fit `T`.
    pub fn take_optional<T: ColumnValue>(
        &mut self,
        name: &str,
    ) -> Result<Option<Vec<T>>, RunError> {
        let Some(index) = self.columns.iter().position(|(column, _)| column == name) else {
            return Ok(None);
        };
        let (_, column) = self.columns.remove(index);
        let found = ColumnType::of(&column);
        if found != T::TYPE {
            return Err(self.error(format!(
                "column `{name}` is {}, expected {}",
                found.name(),
                T::TYPE.name()
            )));
        }
        let values = T::values(column)
            .map_err(|message| self.error(format!("column `{name}` {message}")))?;
        if values.len() != self.rows {
            return Err(self.error(format!(
                "column `{name}` has {} rows, the table {}",
                values.len(),
                self.rows
            )));
        }
        Ok(Some(values))
    }

    /// The column `name` as `T`s.
    ///
    /// # Errors
    /// [`RunError::RunFolder`] naming the file and the column when it is missing or of another
    /// type.
    pub fn take<T: ColumnValue>(&mut self, name: &str) -> Result<Vec<T>, RunError> {
        match self.take_optional(name)? {
            Some(values) => Ok(values),
            // A table of no rows reads back without its columns (a Parquet file with no row
            // group): a walk-forward whose windows crowned no champion stitches nothing.
            None if self.rows == 0 => Ok(Vec::new()),
            None => Err(self.error(format!("no column `{name}`"))),
        }
    }

    /// The column `name`, or `missing` in every row when the file (an older one) lacks it.
    ///
    /// # Errors
    /// As [`TableReader::take_optional`].
    pub fn take_or<T: ColumnValue>(&mut self, name: &str, missing: T) -> Result<Vec<T>, RunError> {
        Ok(self
            .take_optional(name)?
            .unwrap_or_else(|| vec![missing; self.rows]))
    }

    /// The names of the columns not taken yet, in file order of what is left.
    pub fn remaining(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|(name, _)| name.as_str())
    }
}

/// The rows of a column.
fn column_length(column: &TableColumn) -> usize {
    match column {
        TableColumn::Float(values) => values.len(),
        TableColumn::Integer(values) => values.len(),
        TableColumn::Text(values) => values.len(),
        TableColumn::Boolean(values) => values.len(),
    }
}

/// A table: its rows' type knows the columns.
pub trait Table: Sized {
    /// The columns of `rows` in file order.
    fn to_columns(rows: &[Self]) -> Vec<(String, TableColumn)>;
    /// The rows of a table file's columns.
    ///
    /// # Errors
    /// [`RunError::RunFolder`] naming the file and the column that is missing or mistyped.
    fn from_columns(reader: &mut TableReader) -> Result<Vec<Self>, RunError>;
}

/// Writes `rows` to `path` as Parquet, atomically.
///
/// # Errors
/// [`RunError::Data`] when the file cannot be written.
pub fn write_rows<T: Table>(path: &Path, rows: &[T]) -> Result<(), RunError> {
    write_columns(path, &T::to_columns(rows))
}

/// Reads the rows of the table at `path`.
///
/// # Errors
/// [`RunError::Data`] when it is not a readable table; [`RunError::RunFolder`] naming the file
/// and the column that is missing or of another type.
pub fn read_rows<T: Table>(path: &Path) -> Result<Vec<T>, RunError> {
    T::from_columns(&mut TableReader::open(path)?)
}

/// Reads the rows of the table at `path`; `None` when there is no such file (a run still in its
/// first generation, a champion without trades yet).
///
/// # Errors
/// As [`read_rows`].
pub fn read_rows_if_present<T: Table>(path: &Path) -> Result<Option<Vec<T>>, RunError> {
    if !path.exists() {
        return Ok(None);
    }
    read_rows(path).map(Some)
}

/// Writes named columns to `path` as Parquet, atomically.
fn write_columns(path: &Path, columns: &[(String, TableColumn)]) -> Result<(), RunError> {
    write_table(path, columns)?;
    Ok(())
}

/// Declares a table's row type: each field with its column's name (the Parquet type follows from
/// the field's Rust type, [`ColumnValue`]); `optional` marks a column older folders lack (read as
/// the type's default, `None`, when absent).
macro_rules! table {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[doc = $doc:literal])*
                $($optional:ident)? $column:literal => $field:ident : $type:ty,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $(
                $(#[doc = $doc])*
                pub $field: $type,
            )*
        }

        impl $name {
            /// The table's columns in file order: name and Parquet type.
            pub const COLUMNS: &'static [(&'static str, ColumnType)] =
                &[$(($column, <$type as ColumnValue>::TYPE),)*];
        }

        impl Table for $name {
            fn to_columns(rows: &[Self]) -> Vec<(String, TableColumn)> {
                vec![$((
                    $column.to_string(),
                    <$type as ColumnValue>::column(
                        rows.iter().map(|row| row.$field.clone()).collect(),
                    ),
                ),)*]
            }

            fn from_columns(reader: &mut TableReader) -> Result<Vec<Self>, RunError> {
                $(let mut $field = take_column!(reader, $column, $type $(, $optional)?).into_iter();)*
                Ok((0..reader.rows())
                    .map(|_| Self {
                        $($field: $field.next().expect("every column holds the table's rows"),)*
                    })
                    .collect())
            }
        }
    };
}

macro_rules! take_column {
    ($reader:ident, $column:literal, $type:ty) => {
        $reader.take::<$type>($column)?
    };
    ($reader:ident, $column:literal, $type:ty, optional) => {
        $reader.take_or::<$type>($column, Default::default())?
    };
}

table! {
    /// One agent's capital in one generation: a row of `capital.parquet` (from
    /// [`gauntlet_tournament::CapitalRow`]).
    pub struct AllocationRow {
        /// The generation (0 = the initial population).
        "generation" => generation: u32,
        /// The agent's id.
        "agent" => agent: String,
        /// Its fitness rank, 1 = best.
        "rank" => rank: usize,
        /// Capital before the reallocation, quote currency.
        "capital_before" => capital_before: Option<f64>,
        /// The return it earned this generation, a fraction.
        "return" => return_fraction: Option<f64>,
        /// Its profit, quote currency.
        "profit" => profit: Option<f64>,
        /// Its tier's name (`excellent` ... `critical`), empty when not ranked.
        "tier" => tier: String,
        /// The tier's factor.
        "factor" => factor: Option<f64>,
        /// Capital after the reallocation, quote currency.
        "capital_after" => capital_after: Option<f64>,
        /// Its share of the system's capital, a fraction.
        "share" => share: Option<f64>,
        /// `born`, `survived` or `retired`.
        "event" => event: String,
        /// Why, in words.
        "reason" => reason: String,
    }
}

table! {
    /// One island in one generation: a row of `generations.parquet`.
    pub struct IslandGenerationRow {
        /// The generation (0 = the initial population).
        "generation" => generation: u32,
        /// The island.
        "island" => island: u32,
        /// Best in-sample fitness of the island (`None`: nobody eligible).
        "best" => best: Option<f64>,
        /// Median in-sample fitness among the eligible.
        "median" => median: Option<f64>,
        /// Worst in-sample fitness among the eligible.
        "worst" => worst: Option<f64>,
        /// Eligible agents.
        "eligible" => eligible: usize,
        /// Share of distinct genomes, a fraction.
        "diversity" => diversity: Option<f64>,
        /// New evaluations.
        "evaluations" => evaluations: usize,
        /// Wall-clock seconds of the whole generation.
        "seconds" => seconds: Option<f64>,
        /// Of which scoring genomes.
        "scoring_seconds" => scoring_seconds: Option<f64>,
        /// Of the scoring, seconds rank 0 spent in the cluster's collectives (0 without one).
        "communication_seconds" => communication_seconds: Option<f64>,
        /// Bytes of results the ranks exchanged in the generation (0 without a cluster).
        "bytes_exchanged" => bytes_exchanged: u64,
    }
}

table! {
    /// One category's champion: a row of `champions.parquet`.
    pub struct ChampionRow {
        /// The category's name.
        "category" => category: String,
        /// The champion's id.
        "id" => id: String,
        /// Its in-sample fitness.
        "in_sample_fitness" => in_sample_fitness: Option<f64>,
        /// Its validation fitness (where it was chosen).
        "validation_fitness" => validation_fitness: Option<f64>,
        /// Its holdout fitness (scored once).
        "holdout_fitness" => holdout_fitness: Option<f64>,
        /// The trials its Deflated Sharpe Ratio deflates by.
        "trials" => trials: u64,
        /// The lowest Probabilistic Sharpe Ratio over its symbols.
        "worst_probabilistic_sharpe_ratio" => worst_probabilistic_sharpe_ratio: Option<f64>,
        /// The lowest Deflated Sharpe Ratio over its symbols.
        "worst_deflated_sharpe_ratio" => worst_deflated_sharpe_ratio: Option<f64>,
        /// The 5th percentile of its validation trades' Monte Carlo total return, a fraction.
        "monte_carlo_p5_return" => monte_carlo_p5_return: Option<f64>,
        /// The share of Monte Carlo paths ending with a profit.
        "monte_carlo_probability_of_profit" => monte_carlo_probability_of_profit: Option<f64>,
        /// Whether it passed the validation gate.
        "passed_gate" => passed_gate: bool,
        /// Its rules in plain English.
        "rules" => rules: String,
    }
}

table! {
    /// A champion at one bar of one part of one symbol: a row of
    /// `champions/<category>-equity.parquet`.
    pub struct EquityRow {
        /// The dataset.
        "dataset" => dataset: String,
        /// `in_sample`, `validation` or `holdout`.
        "part" => part: String,
        /// The bar's open time, milliseconds since the Unix epoch, UTC.
        "time_ms" => time_ms: i64,
        /// The bar's open, quote currency (absent in folders written before Gauntlet drew
        /// candles).
        optional "open" => open: Option<f64>,
        /// The bar's high (absent in the same older folders).
        optional "high" => high: Option<f64>,
        /// The bar's low (absent in the same older folders).
        optional "low" => low: Option<f64>,
        /// The bar's close (a close-only dataset repeats it in open, high and low).
        "close" => close: Option<f64>,
        /// The strategy's equity at the bar's close, quote currency (each part backtested from
        /// the same initial capital).
        "equity" => equity: Option<f64>,
    }
}

table! {
    /// A champion's closed trade: a row of `champions/<category>-trades.parquet`.
    pub struct TradeRow {
        /// The dataset.
        "dataset" => dataset: String,
        /// The part it was traded on.
        "part" => part: String,
        /// `long` or `short`.
        "side" => side: String,
        /// The entry fill's bar time, milliseconds since the Unix epoch, UTC.
        "entry_time_ms" => entry_time_ms: i64,
        /// The entry price, quote currency.
        "entry_price" => entry_price: Option<f64>,
        /// The exit fill's bar time, milliseconds since the Unix epoch, UTC.
        "exit_time_ms" => exit_time_ms: i64,
        /// The exit price, quote currency.
        "exit_price" => exit_price: Option<f64>,
        /// Units traded.
        "quantity" => quantity: Option<f64>,
        /// Net profit or loss after costs, quote currency.
        "net_pnl" => net_pnl: Option<f64>,
        /// Net return as a fraction of the entry value.
        "return" => return_fraction: Option<f64>,
        /// Bars held.
        "bars" => bars: i64,
        /// Why it closed (`stop_loss`, `take_profit`, ...).
        "exit_reason" => exit_reason: String,
    }
}

table! {
    /// The stitched out-of-sample equity at one bar of one dataset: a row of
    /// `walk_forward.parquet`.
    pub struct WalkForwardRow {
        /// The dataset.
        "dataset" => dataset: String,
        /// The bar's open time, milliseconds since the Unix epoch, UTC.
        "ts" => time_ms: i64,
        /// The window whose champion traded the bar.
        "window" => window: i64,
        /// The stitched equity, starting at 1.
        "equity" => equity: Option<f64>,
        /// The growth of 1 held over the same bars, close to close (absent in folders written
        /// before Gauntlet compared with buy-and-hold).
        optional "buy_and_hold" => buy_and_hold: Option<f64>,
    }
}

table! {
    /// One cell of the comparison matrix: a run's champion scored on one category's measure on
    /// one part, a row of `comparison.parquet`.
    pub struct ComparisonRow {
        /// The category the run bred for (its champion is that category's champion); its run
        /// folder is `<comparison folder>/<category>/`.
        "champion_category" => champion_category: String,
        /// The champion's genome id.
        "champion_id" => champion_id: String,
        /// The category whose fitness is measured.
        "measure" => measure: String,
        /// `validation` or `holdout`.
        "part" => part: String,
        /// The fitness; `None` when the champion is not eligible in that category on that part.
        "fitness" => fitness: Option<f64>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comparison_rows() -> Vec<ComparisonRow> {
        vec![
            ComparisonRow {
                champion_category: "risk_management".into(),
                champion_id: "g1-i0-3".into(),
                measure: "drawdown_resistance".into(),
                part: "holdout".into(),
                fitness: Some(-0.125),
            },
            ComparisonRow {
                champion_category: "risk_management".into(),
                champion_id: "g1-i0-3".into(),
                measure: "monthly_performance".into(),
                part: "validation".into(),
                fitness: None,
            },
        ]
    }

    #[test]
    fn a_table_reads_back_what_was_written() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("comparison.parquet");
        let rows = comparison_rows();
        write_rows(&path, &rows).unwrap();
        assert_eq!(read_rows::<ComparisonRow>(&path).unwrap(), rows);
        assert_eq!(
            ComparisonRow::COLUMNS,
            &[
                ("champion_category", ColumnType::Text),
                ("champion_id", ColumnType::Text),
                ("measure", ColumnType::Text),
                ("part", ColumnType::Text),
                ("fitness", ColumnType::Float),
            ]
        );
    }

    #[test]
    fn a_table_of_no_rows_reads_back_empty() {
        // A walk-forward whose windows crowned no champion writes walk_forward.parquet empty.
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("walk_forward.parquet");
        write_rows::<WalkForwardRow>(&path, &[]).unwrap();
        assert_eq!(read_rows::<WalkForwardRow>(&path).unwrap(), Vec::new());
    }

    #[test]
    fn a_missing_or_mistyped_column_names_the_file_and_the_column() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("comparison.parquet");
        // No `measure` column.
        write_table(
            &path,
            &[
                ("champion_category", TableColumn::Text(vec!["a".into()])),
                ("champion_id", TableColumn::Text(vec!["b".into()])),
                ("part", TableColumn::Text(vec!["holdout".into()])),
                ("fitness", TableColumn::Float(vec![Some(1.0)])),
            ],
        )
        .unwrap();
        let error = read_rows::<ComparisonRow>(&path).unwrap_err().to_string();
        assert!(
            error.contains("comparison.parquet") && error.contains("no column `measure`"),
            "{error}"
        );
        // `fitness` as text.
        write_table(
            &path,
            &[
                ("champion_category", TableColumn::Text(vec!["a".into()])),
                ("champion_id", TableColumn::Text(vec!["b".into()])),
                ("measure", TableColumn::Text(vec!["c".into()])),
                ("part", TableColumn::Text(vec!["holdout".into()])),
                ("fitness", TableColumn::Text(vec!["high".into()])),
            ],
        )
        .unwrap();
        let error = read_rows::<ComparisonRow>(&path).unwrap_err().to_string();
        assert!(
            error.contains("comparison.parquet")
                && error.contains("column `fitness` is utf8, expected float64"),
            "{error}"
        );
        // A count that cannot be negative.
        let capital = folder.path().join("capital.parquet");
        let mut columns = AllocationRow::to_columns(&[AllocationRow {
            generation: 1,
            agent: "a".into(),
            rank: 1,
            capital_before: Some(1.0),
            return_fraction: Some(0.0),
            profit: Some(0.0),
            tier: "good".into(),
            factor: Some(1.2),
            capital_after: Some(1.2),
            share: Some(1.0),
            event: "survived".into(),
            reason: String::new(),
        }]);
        columns[2].1 = TableColumn::Integer(vec![-3]);
        write_columns(&capital, &columns).unwrap();
        let error = read_rows::<AllocationRow>(&capital)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("column `rank` holds -3, out of range"),
            "{error}"
        );
    }

    #[test]
    fn an_optional_column_absent_from_an_older_file_reads_as_none() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("walk_forward.parquet");
        write_table(
            &path,
            &[
                ("dataset", TableColumn::Text(vec!["sp500-1d".into()])),
                ("ts", TableColumn::Integer(vec![86_400_000])),
                ("window", TableColumn::Integer(vec![0])),
                ("equity", TableColumn::Float(vec![Some(1.01)])),
            ],
        )
        .unwrap();
        let rows = read_rows::<WalkForwardRow>(&path).unwrap();
        assert_eq!(
            rows,
            [WalkForwardRow {
                dataset: "sp500-1d".into(),
                time_ms: 86_400_000,
                window: 0,
                equity: Some(1.01),
                buy_and_hold: None,
            }]
        );
    }
}
