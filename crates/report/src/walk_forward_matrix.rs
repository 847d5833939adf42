//! The walk-forward matrix report: the grid of cells as a heat map of stitched out-of-sample
//! returns (passing cells outlined), the verdict, and a table of the cells with a link to each
//! cell's walk-forward report, from `walk_forward_matrix.json`.

use std::path::{Path, PathBuf};

use serde::Serialize;

use gauntlet_run::{RunFolder, WALK_FORWARD_MATRIX_FILE};

use crate::charts::{Figure, HeatCell, heat_map};
use crate::error::ReportError;
use crate::format::{Cell, Style, number, show};
use crate::walk_forward::write_walk_forward_report;
use crate::{REPORT_FILE, ReportOptions, render};

#[derive(Debug, Serialize)]
struct MatrixReport {
    title: String,
    version: &'static str,
    verdict: String,
    passes: bool,
    summary: Vec<(String, String)>,
    heat_map: Option<Figure>,
    headers: Vec<&'static str>,
    cells: Vec<CellRow>,
}

#[derive(Debug, Serialize)]
struct CellRow {
    cells: Vec<Cell>,
    verdict: &'static str,
    report: Option<String>,
}

/// Renders the walk-forward matrix folder `folder` into `folder/index.html`, after each cell's
/// walk-forward report (`cell-RR-CC/index.html`, [`write_walk_forward_report`]): the verdict, the
/// rule, a heat map of the cells' stitched out-of-sample returns (mean over datasets; passing
/// cells outlined, each cell also giving its walk-forward efficiency) and a table of the cells.
///
/// # Errors
/// [`ReportError::NotAFolder`] without `walk_forward_matrix.json`; read errors naming the file;
/// as [`write_walk_forward_report`] for a cell; [`ReportError::Chart`] or
/// [`ReportError::Template`] if drawing fails; [`ReportError::Data`] when the page cannot be
/// written.
pub fn write_walk_forward_matrix_report(
    folder: &Path,
    options: &ReportOptions,
) -> Result<PathBuf, ReportError> {
    let run_folder = RunFolder::new(folder);
    if !run_folder.walk_forward_matrix_path().is_file() {
        return Err(ReportError::NotAFolder {
            path: folder.to_path_buf(),
            expected: "walk-forward matrix",
            message: format!("no {WALK_FORWARD_MATRIX_FILE}"),
        });
    }
    let summary = run_folder.read_walk_forward_matrix()?;
    let mut rows = Vec::new();
    let mut grid: Vec<Vec<HeatCell>> = summary
        .in_sample_days
        .iter()
        .map(|_| Vec::with_capacity(summary.out_of_sample_days.len()))
        .collect();
    for cell in &summary.cells {
        let cell_folder = folder.join(&cell.folder);
        for window in RunFolder::new(&cell_folder).runs_inside() {
            crate::write_run_report(window.path(), options)?;
        }
        write_walk_forward_report(&cell_folder, options)?;
        if let Some(row) = grid.get_mut(cell.row) {
            row.push(HeatCell {
                value: cell.stitched_return,
                label: format!(
                    "{}\neff. {}",
                    show(cell.stitched_return, Style::Percent),
                    show(cell.efficiency, Style::Money)
                ),
                outlined: cell.passes,
            });
        }
        rows.push(CellRow {
            cells: vec![
                number(Some(f64::from(cell.in_sample_days)), Style::Whole),
                number(Some(f64::from(cell.out_of_sample_days)), Style::Whole),
                number(Some(cell.windows as f64), Style::Whole),
                number(Some(cell.windows_with_champion as f64), Style::Whole),
                number(cell.stitched_return, Style::Percent),
                number(cell.efficiency, Style::Decimal),
                number(Some(cell.good_neighbours as f64), Style::Whole),
                number(Some(cell.neighbours as f64), Style::Whole),
            ],
            verdict: match (cell.passes, cell.good) {
                (true, _) => "passes",
                (false, true) => "good",
                (false, false) => "not good",
            },
            report: Some(format!("{}/{REPORT_FILE}", cell.folder)),
        });
    }
    let labels = |days: &[u32], what: &str| -> Vec<String> {
        days.iter()
            .map(|days| format!("{days} days {what}"))
            .collect()
    };
    let heat = heat_map(
        "walk-forward matrix",
        &grid,
        &labels(&summary.in_sample_days, "in-sample"),
        &labels(&summary.out_of_sample_days, "out-of-sample"),
        ("in-sample length", "out-of-sample length"),
        (150, 48),
    )?
    .map(|svg| Figure {
        title: "Stitched out-of-sample return per cell (mean over datasets) and walk-forward \
                efficiency; green above 0, red below; passing cells outlined"
            .to_string(),
        svg,
    });
    let report = MatrixReport {
        title: folder
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "walk-forward matrix".into()),
        version: env!("CARGO_PKG_VERSION"),
        verdict: summary.verdict.clone(),
        passes: summary.passes,
        summary: vec![
            (
                "a good cell".into(),
                format!(
                    "stitched out-of-sample return above 0 and walk-forward efficiency at least {}",
                    summary.min_efficiency
                ),
            ),
            (
                "a passing cell".into(),
                format!(
                    "good, with {} within {} rows and columns good",
                    summary
                        .min_good_neighbours
                        .map_or("all its neighbours".to_string(), |count| format!(
                            "at least {count} of its neighbours"
                        )),
                    summary.radius
                ),
            ),
            ("cells".into(), summary.cells.len().to_string()),
        ],
        heat_map: heat,
        headers: vec![
            "in-sample days",
            "out-of-sample days",
            "windows",
            "with a champion",
            "stitched return",
            "efficiency",
            "good neighbours",
            "neighbours",
        ],
        cells: rows,
    };
    let html = render("walk_forward_matrix.html", report)?;
    let path = folder.join(REPORT_FILE);
    gauntlet_data::write_bytes_atomically(&path, html.as_bytes())?;
    Ok(path)
}
