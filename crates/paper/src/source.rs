//! Where `gauntlet paper` reads its bars: standard input, a CSV, JSON-lines or Parquet file (told
//! apart by the extension), or a catalog dataset.

use std::io::BufReader;
use std::path::Path;

use gauntlet_data::{Catalog, is_parquet_path, read_parquet};

use crate::PaperSummary;
use crate::error::PaperError;
use crate::feed::{FeedItem, LineFeed, LineFormat, series_feed};

/// A feed of bars (or rejected lines) as the session reads them.
pub type Feed = Box<dyn Iterator<Item = Result<FeedItem, std::io::Error>>>;

/// What the user named as the feed.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedSource {
    /// Lines on standard input, in this format.
    Stdin(LineFormat),
    /// A file (`.parquet`; `.jsonl` or `.json` for JSON lines; anything else CSV), or else a
    /// catalog dataset of that name.
    Named(String),
}

impl FeedSource {
    /// `--stdin csv|jsonl|json`.
    ///
    /// # Errors
    /// [`PaperError::Feed`] for another format.
    pub fn stdin(format: &str) -> Result<Self, PaperError> {
        match format {
            "csv" => Ok(Self::Stdin(LineFormat::Csv)),
            "jsonl" | "json" => Ok(Self::Stdin(LineFormat::JsonLines)),
            other => Err(PaperError::Feed {
                feed: "stdin".into(),
                message: format!("--stdin takes csv or jsonl, not '{other}'"),
            }),
        }
    }
}

/// An opened feed and what it tells about itself.
pub struct OpenedFeed {
    /// The items.
    pub feed: Feed,
    /// Its name for the journal (`stdin`, the file or the dataset as given).
    pub name: String,
    /// The symbol its first bar names, else the file's stem or the dataset's symbol.
    pub default_symbol: Option<String>,
    /// The dataset's bars per year, when it is a catalog dataset.
    pub bars_per_year: Option<f64>,
    /// What the feed is, to tell it from another when a session resumes (`stdin`, `file
    /// /abs/path.csv`, `dataset sp500-1d`).
    pub identity: String,
    /// Whether the feed is a stream that goes on across sessions (standard input): a resumed
    /// session reads new lines, so it continues by timestamp. A file or a dataset is replayed
    /// from its start, so a resumed session passes over what it already traded.
    pub live: bool,
}

/// Opens `source`; a name that is not a file is looked up in the catalog in `datasets_dir`.
///
/// # Errors
/// [`PaperError::Io`] when a file cannot be opened; [`PaperError::Data`] when a Parquet file or
/// the dataset cannot be read; [`PaperError::Feed`] when the name is neither a file nor a dataset.
pub fn open_feed(source: &FeedSource, datasets_dir: &Path) -> Result<OpenedFeed, PaperError> {
    let name = match source {
        FeedSource::Stdin(format) => {
            let feed: Feed = Box::new(LineFeed::new(BufReader::new(std::io::stdin()), *format));
            let (symbol, feed) = first_symbol(feed);
            return Ok(OpenedFeed {
                feed,
                name: "stdin".into(),
                default_symbol: symbol.or(Some("stdin".into())),
                bars_per_year: None,
                identity: "stdin".into(),
                live: true,
            });
        }
        FeedSource::Named(name) => name,
    };
    let path = Path::new(name);
    if path.exists() && !path.is_dir() {
        // A named pipe blocks in open() until a writer comes; standard input is for streams.
        gauntlet_core::check_regular_file(path).map_err(|source| PaperError::Feed {
            feed: name.clone(),
            message: format!("{source}; for bars that arrive as a stream use --stdin"),
        })?;
        let identity = format!(
            "file {}",
            std::fs::canonicalize(path)
                .unwrap_or_else(|_| path.to_path_buf())
                .display()
        );
        let stem = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned());
        if is_parquet_path(path) {
            let (series, _) = read_parquet(path)?;
            let items: Vec<_> = series_feed(&series).collect();
            return Ok(OpenedFeed {
                feed: Box::new(items.into_iter()),
                name: name.clone(),
                default_symbol: stem,
                bars_per_year: None,
                identity,
                live: false,
            });
        }
        let json_lines = path.extension().is_some_and(|extension| {
            extension.eq_ignore_ascii_case("jsonl") || extension.eq_ignore_ascii_case("json")
        });
        let format = if json_lines {
            LineFormat::JsonLines
        } else {
            LineFormat::Csv
        };
        let file = gauntlet_core::open_regular_file(path).map_err(|source| PaperError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let feed: Feed = Box::new(LineFeed::new(BufReader::new(file), format));
        let (symbol, feed) = first_symbol(feed);
        return Ok(OpenedFeed {
            feed,
            name: name.clone(),
            default_symbol: symbol.or(stem),
            bars_per_year: None,
            identity,
            live: false,
        });
    }
    let not_found = |message: String| PaperError::Feed {
        feed: name.clone(),
        message,
    };
    let catalog = Catalog::open(datasets_dir).map_err(|error| {
        not_found(format!(
            "not a file; cannot open the datasets in {}: {error}",
            datasets_dir.display()
        ))
    })?;
    let (entry, series) = catalog
        .load(name)
        .map_err(|error| not_found(format!("neither a file nor a dataset: {error}")))?;
    let items: Vec<_> = series_feed(&series).collect();
    Ok(OpenedFeed {
        feed: Box::new(items.into_iter()),
        name: name.clone(),
        default_symbol: Some(entry.symbol.clone()),
        bars_per_year: Some(entry.bars_per_year),
        identity: format!("dataset {}", entry.name),
        live: false,
    })
}

/// Pulls items until the first bar to learn the feed's symbol; returns it and the feed with those
/// items put back in front.
fn first_symbol(mut feed: Feed) -> (Option<String>, Feed) {
    let mut buffered = Vec::new();
    let mut symbol = None;
    for item in feed.by_ref() {
        let is_bar = matches!(item, Ok(FeedItem::Bar { .. }) | Err(_));
        if let Ok(FeedItem::Bar {
            symbol: Some(named),
            ..
        }) = &item
        {
            symbol = Some(named.clone());
        }
        buffered.push(item);
        if is_bar {
            break;
        }
    }
    (symbol, Box::new(buffered.into_iter().chain(feed)))
}

impl PaperSummary {
    /// One line on the session for the terminal: bars, trades, rejected lines and the account.
    pub fn describe(&self, symbol: &str) -> String {
        format!(
            "paper {symbol}: {} bars{}, {} trades, {} lines rejected{}; equity {:.2} (cash {:.2}, realised P&L {:.2}, unrealised {:.2}){}{}",
            self.bars,
            self.resumed_after_bar
                .map_or(String::new(), |bar| format!(" (resumed after bar {bar})")),
            self.trades,
            self.rejected,
            match self.warnings {
                0 => String::new(),
                count => format!(", {count} warnings (see the journal)"),
            },
            self.final_equity,
            self.cash,
            self.realised_pnl,
            self.unrealised_pnl,
            if self.halted {
                "; drawdown halt fired"
            } else {
                ""
            },
            match (self.interrupted, self.state_saved) {
                (true, true) => "; stopped on a signal, state saved",
                (true, false) => "; stopped on a signal (no --state: nothing saved to resume from)",
                (false, _) => "",
            },
        )
    }
}
