//! An experiment's data: its datasets loaded (with their content hashes, so a resumed run refuses
//! changed data), split into a [`Universe`], and its seed genomes read.

use std::hash::Hasher;
use std::path::Path;

use gauntlet_data::Catalog;
use gauntlet_genome::{EntryLogic, FormulaEntry, Genome, Lineage};
use gauntlet_tournament::{Part, Universe};

use crate::error::{RunError, io_error};
use crate::experiment::Experiment;
use crate::run_folder::DatasetRecord;

/// The symbol of the CBOE Volatility Index: a universe dataset with it labels volatility regimes.
pub const VIX_SYMBOL: &str = "^VIX";

/// XXH64 of a file's bytes, hex.
fn content_hash(path: &Path) -> Result<String, RunError> {
    let bytes = std::fs::read(path).map_err(io_error(path))?;
    let mut hasher = twox_hash::XxHash64::with_seed(0);
    hasher.write(&bytes);
    Ok(format!("{:016x}", hasher.finish()))
}

/// XXH64 of a series' bars (timestamps, then open, high, low, close and volume, each value's bits
/// little-endian, bar by bar): equal for two datasets holding the same bars, whatever their files'
/// names, metadata or encoding (the file hash of [`content_hash`] differs there).
fn bars_hash(series: &gauntlet_core::BarSeries) -> u64 {
    let mut hasher = twox_hash::XxHash64::with_seed(0);
    let columns = series.columns();
    for index in 0..series.len() {
        hasher.write(&columns.timestamps[index].0.to_le_bytes());
        for column in [
            &columns.open,
            &columns.high,
            &columns.low,
            &columns.close,
            &columns.volume,
        ] {
            hasher.write(&column[index].to_bits().to_le_bytes());
        }
    }
    hasher.finish()
}

/// One line for each dataset of `loaded` whose bars equal an earlier one's (same timestamps and
/// OHLCV, see [`bars_hash`]): such a universe counts one market twice, which weighs it double in
/// every cross-symbol measure. The bars are compared value by value after the hashes match, so a
/// hash collision never warns.
fn duplicate_warnings(
    loaded: &[(gauntlet_data::DatasetEntry, gauntlet_core::BarSeries)],
) -> Vec<String> {
    let hashes: Vec<u64> = loaded.iter().map(|(_, series)| bars_hash(series)).collect();
    let mut warnings = Vec::new();
    for (later, (entry, series)) in loaded.iter().enumerate() {
        let earlier = (0..later).find(|&earlier| {
            hashes[earlier] == hashes[later] && loaded[earlier].1.columns() == series.columns()
        });
        if let Some(earlier) = earlier {
            warnings.push(format!(
                "datasets {} and {} hold identical bars ({} bars, XXH64 {:016x}): the universe \
                 counts one market twice",
                loaded[earlier].0.name,
                entry.name,
                series.len(),
                hashes[later]
            ));
        }
    }
    warnings
}

/// Loads the experiment's datasets (checking it first) and builds its universe; also returns the
/// datasets' records (file, bars, content hash) as `run.json` lists them.
///
/// # Errors
/// As [`Experiment::validate`], [`Catalog::load`] and [`Universe::new`].
pub fn prepare(
    experiment: &Experiment,
    catalog: &Catalog,
) -> Result<(Universe, Vec<DatasetRecord>), RunError> {
    prepare_with(experiment, catalog, None).map(|(universe, records, _)| (universe, records))
}

/// [`prepare`], also returning a warning line for each dataset whose bars equal an earlier
/// dataset's (after the experiment's `data_window`): two names for one market.
///
/// # Errors
/// As [`prepare`].
pub fn prepare_with_warnings(
    experiment: &Experiment,
    catalog: &Catalog,
) -> Result<(Universe, Vec<DatasetRecord>, Vec<String>), RunError> {
    prepare_with(experiment, catalog, None)
}

/// The universe of [`prepare`] with every symbol's in-sample bars permuted: permutation
/// `permutation` of the permutation test of the whole search. Each dataset's in-sample part (as
/// the experiment's split cuts it) is rebuilt by [`gauntlet_data::permute_bars`] (Masters' bar
/// permutation: gaps and bar shapes shuffled as units; symbols whose in-sample parts share a
/// calendar get the same permutation), drawn from the stream
/// `(experiment.seed, Purpose::PermutationTest, 0, 0, permutation)`; validation and holdout are
/// left as they are, and so is the volatility index. Permutation 0 is the unpermuted data.
///
/// # Errors
/// As [`prepare`]; [`RunError::Config`] (field `study.permutations`) when a permuted price
/// leaves the range a bar may hold, or `permutation` is at or above
/// [`gauntlet_evolve::streams::MAX_ISLAND_SIZE`].
pub fn prepare_permuted(
    experiment: &Experiment,
    catalog: &Catalog,
    permutation: u32,
) -> Result<Universe, RunError> {
    let permutation = (permutation > 0).then_some(permutation);
    Ok(prepare_with(experiment, catalog, permutation)?.0)
}

/// Replaces each series' in-sample part (the experiment's split) with its permutation number
/// `permutation` (see [`prepare_permuted`]).
fn permute_in_sample(
    experiment: &Experiment,
    loaded: &mut [(gauntlet_data::DatasetEntry, gauntlet_core::BarSeries)],
    permutation: u32,
) -> Result<(), RunError> {
    use gauntlet_evolve::streams::{MAX_ISLAND_SIZE, Purpose, stream};
    let invalid = |message: String| RunError::Config {
        field: "study.permutations".into(),
        message,
    };
    if permutation >= MAX_ISLAND_SIZE {
        return Err(invalid(format!(
            "permutation {permutation} is beyond the stream layout's {MAX_ISLAND_SIZE}"
        )));
    }
    let mut ranges = Vec::with_capacity(loaded.len());
    for (entry, series) in loaded.iter() {
        let range = gauntlet_data::split(series, experiment.split)
            .map_err(|error| invalid(format!("dataset {}: {error}", entry.name)))?
            .in_sample;
        ranges.push(range);
    }
    let in_sample: Vec<gauntlet_core::BarSeries> = loaded
        .iter()
        .zip(&ranges)
        .map(|((_, series), range)| series.slice(range.clone()))
        .collect();
    let parts: Vec<&gauntlet_core::BarSeries> = in_sample.iter().collect();
    let mut rng = stream(experiment.seed, Purpose::PermutationTest, 0, 0, permutation);
    let permuted = gauntlet_data::permute_bars(&parts, &mut rng)
        .map_err(|error| invalid(format!("permutation {permutation}: {error}")))?;
    for (((entry, series), range), part) in loaded.iter_mut().zip(ranges).zip(permuted) {
        let rest = series.slice(range.end..series.len());
        let (price_fields, has_volume) = (series.price_fields(), series.has_volume());
        let mut columns = part.into_columns();
        let tail = rest.columns();
        columns.timestamps.extend_from_slice(&tail.timestamps);
        columns.open.extend_from_slice(&tail.open);
        columns.high.extend_from_slice(&tail.high);
        columns.low.extend_from_slice(&tail.low);
        columns.close.extend_from_slice(&tail.close);
        columns.volume.extend_from_slice(&tail.volume);
        *series = gauntlet_core::BarSeries::from_parts(columns, price_fields, has_volume)
            .map_err(|error| invalid(format!("dataset {}: {error}", entry.name)))?;
    }
    Ok(())
}

fn prepare_with(
    experiment: &Experiment,
    catalog: &Catalog,
    permutation: Option<u32>,
) -> Result<(Universe, Vec<DatasetRecord>, Vec<String>), RunError> {
    experiment.validate(catalog)?;
    let mut loaded = Vec::with_capacity(experiment.datasets.len());
    let mut records = Vec::with_capacity(experiment.datasets.len());
    for name in &experiment.datasets {
        let (entry, series) = catalog.load(name)?;
        let series = match experiment.data_window {
            Some([start, end]) => series.slice(
                series.index_at_or_after(gauntlet_core::Timestamp(start))
                    ..series.index_at_or_after(gauntlet_core::Timestamp(end)),
            ),
            None => series,
        };
        let path = catalog.file_path(&entry);
        records.push(DatasetRecord {
            name: name.clone(),
            symbol: entry.symbol.clone(),
            file: entry.file.clone(),
            bars: series.len(),
            content_xxh64: content_hash(&path)?,
        });
        loaded.push((entry, series));
    }
    // The volatility index: the experiment's, loaded whole (recorded like a dataset, so a resumed
    // run refuses a changed one), else a `^VIX` dataset of the universe.
    let volatility_index = match &experiment.volatility_index {
        Some(name) => {
            let (entry, series) = catalog.load(name)?;
            records.push(DatasetRecord {
                name: name.clone(),
                symbol: entry.symbol.clone(),
                file: entry.file.clone(),
                bars: series.len(),
                content_xxh64: content_hash(&catalog.file_path(&entry))?,
            });
            Some(series)
        }
        None => loaded
            .iter()
            .find(|(entry, _)| entry.symbol == VIX_SYMBOL)
            .map(|(_, series)| series.clone()),
    };
    let warnings = duplicate_warnings(&loaded);
    if let Some(permutation) = permutation {
        permute_in_sample(experiment, &mut loaded, permutation)?;
    }
    let universe = Universe::new(
        loaded,
        experiment.split,
        experiment.costs,
        experiment.indicator_cache_mib.saturating_mul(1 << 20),
        volatility_index,
    )?;
    // A trade takes at least a bar: more trades than bars rank nobody, after hours of evolving.
    let eligibility = &experiment.eligibility;
    let bars = universe.bars(Part::InSample);
    let fewest = universe
        .symbols
        .iter()
        .map(|symbol| symbol.market(Part::InSample).series().len())
        .min()
        .unwrap_or(0);
    for (field, wanted, available, what) in [
        (
            "min_trades",
            eligibility.min_trades,
            bars,
            "in-sample bars in all",
        ),
        (
            "min_trades_per_symbol",
            eligibility.min_trades_per_symbol,
            fewest,
            "in-sample bars on the shortest symbol",
        ),
    ] {
        if wanted > available {
            return Err(RunError::Config {
                field: format!("eligibility.{field}"),
                message: format!(
                    "{wanted} trades cannot fit in {available} {what}: no genome could be ranked"
                ),
            });
        }
    }
    Ok((universe, records, warnings))
}

/// The experiment's seed genomes, read and checked with its risk limits.
pub(crate) fn load_seed_genomes(experiment: &Experiment) -> Result<Vec<Genome>, RunError> {
    experiment
        .seed_genomes
        .iter()
        .enumerate()
        .map(|(index, path)| {
            let field = format!("seed_genomes[{index}]");
            let text = std::fs::read_to_string(path).map_err(|error| RunError::Config {
                field: field.clone(),
                message: format!("{}: {error}", path.display()),
            })?;
            let mut genome = Genome::from_json(&text).map_err(|error| RunError::Config {
                field: field.clone(),
                message: format!("{}: {error}", path.display()),
            })?;
            genome.risk = experiment.risk;
            genome.lineage = Lineage::default();
            genome.validate().map_err(|error| RunError::Config {
                field: field.clone(),
                message: format!(
                    "{} with the experiment's risk limits: {error}",
                    path.display()
                ),
            })?;
            if let Some(template) = &experiment.template {
                let fills_it = matches!(
                    &genome.entry.logic,
                    EntryLogic::Formula(FormulaEntry { template: Some(fill), .. })
                        if fill.template == *template
                );
                if !fills_it {
                    return Err(RunError::Config {
                        field,
                        message: format!(
                            "{} is not a fill of the experiment's [template]: with a template every genome's entry is the template filled (its `entry.logic.template` the same template); remove the seed or the template",
                            path.display()
                        ),
                    });
                }
            }
            Ok(genome)
        })
        .collect()
}
