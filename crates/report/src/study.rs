//! The study page: evolution against random search over seeds (`study.json`), rendered into the
//! study folder's `index.html` with the holdout fitness of both searches per seed, the wins, the
//! Mann-Whitney test and the verdict, and the permutation test of the whole search when it ran
//! (histograms of the permuted searches with the real search marked).

use std::path::{Path, PathBuf};

use gauntlet_run::RunFolder;
use serde::Serialize;

use crate::charts::{Figure, PALETTE, PointGroup, scatter_chart};
use crate::error::ReportError;
use crate::format::{Cell, Style, number, show, text};
use crate::{REPORT_FILE, render};

#[derive(Debug, Serialize)]
struct StudyReport {
    title: String,
    version: &'static str,
    category: String,
    verdict: String,
    summary: Vec<(String, String)>,
    rows: Vec<(Vec<Cell>, String)>,
    chart: Option<Figure>,
    permutation: Option<PermutationSection>,
}

/// The permutation test's part of the page.
#[derive(Debug, Serialize)]
struct PermutationSection {
    verdict: String,
    summary: Vec<(String, String)>,
    charts: Vec<Figure>,
}

/// The permutation test's verdict, figures and two histograms (each null distribution with the
/// real search's value marked).
fn permutation_section(
    test: &gauntlet_run::PermutationTest,
    category: &str,
) -> Result<PermutationSection, ReportError> {
    let figure = |value: Option<f64>| show(value, Style::Decimal);
    let mut charts = Vec::new();
    for (name, what, permuted, real) in [
        (
            "permutation-in-sample",
            "best in-sample",
            &test.permuted_best_in_sample,
            test.real_best_in_sample,
        ),
        (
            "permutation-validation",
            "champion's validation",
            &test.permuted_champion_validation,
            test.real_champion_validation,
        ),
    ] {
        let values: Vec<f64> = permuted.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
        let missing = permuted.iter().filter(|value| value.is_none()).count();
        let svg = crate::histogram::histogram_chart(
            name,
            &values,
            real,
            ("permuted searches", "the real search"),
            &format!("{what} {category}"),
            (760, 300),
        )?;
        if let Some(svg) = svg {
            charts.push(Figure {
                title: format!(
                    "{what} {category}: {} permuted searches ({missing} without an eligible genome, left out) and the real search's {}",
                    permuted.len(),
                    figure(real)
                ),
                svg,
            });
        }
    }
    Ok(PermutationSection {
        verdict: test.verdict.clone(),
        summary: vec![
            ("seed".into(), test.seed.to_string()),
            ("permutations".into(), test.permutations.to_string()),
            (
                "evaluations per search".into(),
                test.evaluations.to_string(),
            ),
            (
                "best in-sample fitness".into(),
                format!(
                    "{}, p = {}",
                    figure(test.real_best_in_sample),
                    figure(Some(test.best_in_sample_p_value))
                ),
            ),
            (
                "champion's validation fitness".into(),
                format!(
                    "{}, p = {}",
                    figure(test.real_champion_validation),
                    figure(Some(test.champion_validation_p_value))
                ),
            ),
        ],
        charts,
    })
}

/// Which side of a seed was eligible in the category on the holdout (the measures compared
/// regardless): `both`, `evolution only`, `random only` or `neither`.
fn holdout_eligibility(row: &gauntlet_run::StudySeed) -> &'static str {
    match (
        row.evolution_holdout.is_some(),
        row.random_holdout.is_some(),
    ) {
        (true, true) => "both",
        (true, false) => "evolution only",
        (false, true) => "random only",
        (false, false) => "neither",
    }
}

/// Renders the study in `folder` into `folder/index.html` and returns its path.
///
/// # Errors
/// [`ReportError::RunFolder`] when `study.json` is missing or malformed; [`ReportError::Chart`] or
/// [`ReportError::Template`] if drawing fails; [`ReportError::Data`] when the page cannot be
/// written.
pub fn write_study_report(folder: &Path) -> Result<PathBuf, ReportError> {
    let study = RunFolder::new(folder).read_study()?;
    let lowest = |value: Option<f64>| value.unwrap_or(f64::NAN);
    let groups = [
        PointGroup {
            name: "random search's pick".into(),
            points: study
                .seeds
                .iter()
                .map(|row| {
                    let measure = row.random_holdout_measure.or(row.random_holdout);
                    (row.seed as f64, lowest(measure))
                })
                .collect(),
            color: PALETTE[7],
            radius: 4,
        },
        PointGroup {
            name: "evolution's champion".into(),
            points: study
                .seeds
                .iter()
                .map(|row| {
                    let measure = row.evolution_holdout_measure.or(row.evolution_holdout);
                    (row.seed as f64, lowest(measure))
                })
                .collect(),
            color: PALETTE[0],
            radius: 5,
        },
    ];
    let chart =
        scatter_chart("study", &groups, ("seed", "holdout fitness"), (760, 320))?.map(|svg| {
            Figure {
                title: format!(
                    "Holdout {} per seed (a missing point: no eligible genome)",
                    study.category.name()
                ),
                svg,
            }
        });
    let report = StudyReport {
        title: study.experiment.clone(),
        version: env!("CARGO_PKG_VERSION"),
        category: study.category.name().to_string(),
        verdict: study.verdict.clone(),
        summary: vec![
            (
                "seeds".into(),
                format!(
                    "{} ({} to {})",
                    study.seeds.len(),
                    study.seeds.first().map_or(0, |row| row.seed),
                    study.seeds.last().map_or(0, |row| row.seed)
                ),
            ),
            (
                "evolution won on the holdout".into(),
                format!(
                    "{} of {}",
                    study.evolution_wins_on_holdout,
                    study.seeds.len()
                ),
            ),
            (
                "evolution won on validation".into(),
                format!(
                    "{} of {}",
                    study.evolution_wins_on_validation,
                    study.seeds.len()
                ),
            ),
            (
                "Mann-Whitney U (holdout, one-sided: evolution larger)".into(),
                format!(
                    "U = {}, p = {}",
                    study.mann_whitney_u,
                    show(Some(study.p_value), Style::Decimal)
                ),
            ),
        ],
        rows: study
            .seeds
            .iter()
            .map(|row| {
                (
                    vec![
                        number(Some(row.seed as f64), Style::Whole),
                        number(Some(row.evaluations as f64), Style::Whole),
                        number(row.evolution_validation, Style::Decimal),
                        number(row.random_validation, Style::Decimal),
                        number(
                            row.evolution_holdout_measure.or(row.evolution_holdout),
                            Style::Decimal,
                        ),
                        number(
                            row.random_holdout_measure.or(row.random_holdout),
                            Style::Decimal,
                        ),
                        text(holdout_eligibility(row)),
                        text(if row.any_champion_passed_gate {
                            "yes"
                        } else {
                            "no"
                        }),
                    ],
                    format!("{}/{REPORT_FILE}", row.folder),
                )
            })
            .collect(),
        chart,
        permutation: study
            .permutation_test
            .as_ref()
            .map(|test| permutation_section(test, study.category.name()))
            .transpose()?,
    };
    let html = render("study.html", report)?;
    let path = folder.join(REPORT_FILE);
    gauntlet_data::write_bytes_atomically(&path, html.as_bytes())?;
    Ok(path)
}
