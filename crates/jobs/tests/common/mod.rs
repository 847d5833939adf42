//! Helpers shared by the tournament crate's scenario tests.

use gauntlet_core::{AssetClass, BarInterval, BarSeries};
use gauntlet_data::{Catalog, DataSource, DatasetEntry};

/// Adds `series` to `catalog` as a daily stock dataset `name` (symbol `NAME`, 252 bars a year).
pub fn add_daily_dataset(catalog: &mut Catalog, name: &str, series: &BarSeries) {
    let entry = DatasetEntry {
        name: name.into(),
        file: format!("{name}.parquet"),
        symbol: name.to_uppercase(),
        asset_class: AssetClass::Stock,
        interval: "1d".parse::<BarInterval>().unwrap(),
        bars_per_year: 252.0,
        description: "synthetic".into(),
        licence: "test".into(),
        notes: String::new(),
        source: DataSource::default(),
    };
    catalog.add(entry, series, false).unwrap();
}
