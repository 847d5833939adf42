//! `gauntlet.export` to the code formats: a genome, a formula or a run's champion as a
//! backtesting.py, Pine Script, NautilusTrader or freqtrade module, as `gauntlet export --format`
//! writes it.

use std::path::PathBuf;

use gauntlet_report::{StrategyLanguage, strategy_code, write_strategy};
use gauntlet_run::champion_file::{ExportSource, champion_for_export, genome_for_export};
use gauntlet_tournament::Category;
use pyo3::prelude::*;

use crate::backtest::{GenomeSource, read_genome};
use crate::{Failure, Kind, without_gil};

/// What to export: a run's champion of a category, or a genome.
fn export_source(
    run: Option<PathBuf>,
    category: Option<String>,
    genome: Option<GenomeSource>,
    force: bool,
) -> Result<ExportSource, Failure> {
    let run_error = |error: gauntlet_run::RunError| Failure::new(Kind::Run, &error);
    match (genome, run, category) {
        // A file: as `gauntlet export --genome FILE` (its stem names it; a champion file that
        // failed the gate is refused without `force`).
        (Some(GenomeSource::File(path)), ..) => genome_for_export(&path, force).map_err(run_error),
        // A dict or a formula: named by the genome's name (`genome` without one).
        (Some(source), ..) => {
            let (genome, _) = read_genome(&source)?;
            Ok(ExportSource {
                name: genome.name.clone().unwrap_or_else(|| "genome".to_string()),
                genome,
                champion: None,
            })
        }
        (None, Some(run), Some(category)) => {
            let category = category
                .parse::<Category>()
                .map_err(|error| Failure::text(Kind::Run, format!("category: {error}")))?;
            champion_for_export(&run, category, force).map_err(run_error)
        }
        _ => Err(Failure::text(
            Kind::Run,
            "give a run folder and a category, or a genome",
        )),
    }
}

/// Exports a run's champion of `category` (or `genome`, of `genome_kind` as `backtest` takes it)
/// as `format` (`python`, `pine`, `nautilus` or `freqtrade`), as `gauntlet export --format` does:
/// into the file `to` (a folder gets the default file name; refused when it exists, unless
/// `force`), or, without `to`, as text (the module `gauntlet export --to -` prints). A champion
/// that failed the validation gate is refused unless `force`. `bars_per_year` annualises
/// volatility-target sizing (the CLI's `--bars-per-year`). Returns (the path written or None, the
/// code or None, the platform's notes: what it trades differently from Gauntlet).
#[pyfunction]
#[pyo3(signature = (format, run, category, genome_kind, genome, to, bars_per_year, force))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn export_code(
    py: Python<'_>,
    format: String,
    run: Option<PathBuf>,
    category: Option<String>,
    genome_kind: Option<String>,
    genome: Option<String>,
    to: Option<PathBuf>,
    bars_per_year: f64,
    force: bool,
) -> PyResult<(Option<String>, Option<String>, Vec<String>)> {
    let language = StrategyLanguage::from_format(&format).ok_or_else(|| {
        Failure::text(
            Kind::Any,
            format!("format {format:?}: expected json, python, pine, nautilus or freqtrade"),
        )
        .into_py()
    })?;
    let genome = match (genome_kind, genome) {
        (Some(kind), Some(text)) => Some(GenomeSource::new(&kind, text).map_err(Failure::into_py)?),
        _ => None,
    };
    without_gil(py, move || {
        if !(bars_per_year.is_finite() && bars_per_year > 0.0) {
            return Err(Failure::text(
                Kind::Any,
                format!("bars_per_year {bars_per_year}: expected a positive number"),
            ));
        }
        let source = export_source(run, category, genome, force)?;
        let report_error = |error: gauntlet_report::ReportError| Failure::new(Kind::Run, &error);
        match to {
            Some(to) => {
                let (path, notes) =
                    write_strategy(language, &source, Some(&to), bars_per_year, force)
                        .map_err(report_error)?;
                Ok((Some(path.display().to_string()), None, notes))
            }
            None => {
                let file_name = format!("strategy.{}", language.extension());
                let (code, notes) = strategy_code(language, &source, &file_name, bars_per_year)
                    .map_err(report_error)?;
                Ok((None, Some(code), notes))
            }
        }
    })
}
