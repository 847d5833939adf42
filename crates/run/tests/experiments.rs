//! The bundled experiment files parse and pass every check against the bundled catalog.

use gauntlet_testkit::repository;

use gauntlet_data::Catalog;
use gauntlet_run::{Experiment, RunError};
use gauntlet_tournament::Category;

#[test]
fn every_bundled_experiment_is_valid() {
    let catalog = Catalog::open(&repository().join("datasets")).unwrap();
    let quickstart = Experiment::quickstart().unwrap();
    quickstart.validate(&catalog).unwrap();
    // At least three asset classes, as the quickstart promises.
    let classes: std::collections::BTreeSet<String> = quickstart
        .datasets
        .iter()
        .map(|name| format!("{:?}", catalog.get(name).unwrap().asset_class))
        .collect();
    assert!(classes.len() >= 3, "{classes:?}");
    for entry in std::fs::read_dir(repository().join("experiments")).unwrap() {
        let path = entry.unwrap().path();
        if path
            .extension()
            .is_some_and(|extension| extension == "toml")
        {
            let experiment = Experiment::load(&path).unwrap();
            experiment.validate(&catalog).unwrap();
            // The resolved config reads back as the same experiment.
            let again = Experiment::from_toml(&experiment.to_toml(), &path).unwrap();
            assert_eq!(again, experiment, "{}", path.display());
        }
    }
}

#[test]
fn unknown_fields_and_categories_are_named() {
    let text = gauntlet_run::QUICKSTART_TOML.replacen("seed = 42", "seed = 42\ncolour = 1", 1);
    let error = Experiment::from_toml(&text, "x.toml".as_ref()).unwrap_err();
    assert!(
        error.to_string().contains("unknown field `colour`"),
        "{error}"
    );
    // One line naming where: the quickstart's `seed = 42` is on line 6, so `colour` is on line 7.
    assert!(
        error
            .to_string()
            .contains("line 7, column 1 (`colour = 1`)"),
        "{error}"
    );
    assert!(!error.to_string().contains('\n'), "{error}");
    let text = gauntlet_run::QUICKSTART_TOML.replacen(
        "category = \"monthly_performance\"",
        "category = \"fastest\"",
        1,
    );
    let error = Experiment::from_toml(&text, "x.toml".as_ref()).unwrap_err();
    assert!(error.to_string().contains("fastest"), "{error}");
    assert!(
        error.to_string().contains("consistency_champion"),
        "{error}"
    );
    assert!(Category::from_name("fastest").is_err());
}

#[test]
fn a_dataset_missing_from_the_catalog_is_named_by_position() {
    let catalog = Catalog::open(&repository().join("datasets")).unwrap();
    let mut experiment = Experiment::quickstart().unwrap();
    experiment.datasets.push("nope-1d".into());
    match experiment.validate(&catalog) {
        Err(RunError::Config { field, message }) => {
            assert_eq!(field, "datasets[4]");
            assert!(message.contains("nope-1d"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unknown_volatility_index_is_named() {
    let catalog = Catalog::open(&repository().join("datasets")).unwrap();
    let mut experiment = Experiment::quickstart().unwrap();
    experiment.volatility_index = Some("vox-1d".into());
    match experiment.validate(&catalog) {
        Err(RunError::Config { field, message }) => {
            assert_eq!(field, "volatility_index");
            assert!(message.contains("vox-1d"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

/// Labelled by the bundled VIX (2014-01-03 .. 2019-01-03), the S&P 500's high-volatility days
/// include the August 2015 flash crash (VIX closed at 40.74 on 2015-08-24), the February 2018
/// "Volmageddon" (37.32 on 2018-02-05) and Christmas Eve 2018 (36.07), while 2017 (the calmest year
/// on record, VIX mostly between 9 and 13) is mostly low: the index's upper tertile over 2014-2018 is
/// 15.29 (computed with numpy-style linear percentiles from the exported CSV), which only six 2017
/// closes exceed (15.51 to 16.04, in April, May and August). Days the index does not cover get no
/// label.
#[test]
fn the_vix_labels_the_known_panics_high() {
    use gauntlet_backtest::Market;
    use gauntlet_core::Timestamp;
    use gauntlet_honest::validation::regime_labels;

    let catalog = Catalog::open(&repository().join("datasets")).unwrap();
    let (_, sp500) = catalog.load("sp500-1d").unwrap();
    let (_, vix) = catalog.load("vix-1d").unwrap();
    let market = Market::new("^GSPC", sp500);
    let (_, labels) = regime_labels(&market, Some(&vix));
    let series = market.series();
    let label_on = |year, month, day| {
        let index = series.index_at_or_after(Timestamp::from_ymd(year, month, day).unwrap());
        labels[index]
    };
    assert_eq!(label_on(2015, 8, 24), Some("high"));
    assert_eq!(label_on(2018, 2, 5), Some("high"));
    assert_eq!(label_on(2018, 12, 24), Some("high"));
    assert_eq!(
        label_on(2008, 10, 24),
        None,
        "before the index's first close"
    );
    assert_eq!(label_on(2019, 6, 3), None, "months after its last");
    let start = series.index_at_or_after(Timestamp::from_ymd(2017, 1, 3).unwrap());
    let end = series.index_at_or_after(Timestamp::from_ymd(2018, 1, 1).unwrap());
    assert!(end > start + 200, "2017 is in the data");
    let high = labels[start..end]
        .iter()
        .filter(|label| **label == Some("high"))
        .count();
    assert!(high <= 7, "{high} high-volatility days in 2017");
    assert!(
        labels[start..end]
            .iter()
            .filter(|label| **label == Some("low"))
            .count()
            > 200,
        "2017 is mostly low"
    );
}

#[test]
fn overlapping_walk_forward_windows_and_too_many_windows_are_refused_before_work() {
    let catalog = Catalog::open(&repository().join("datasets")).unwrap();
    let path = repository().join("experiments/walk-forward-sp500.toml");
    let walk_forward = Experiment::load(&path).unwrap();
    let field_of = |experiment: &Experiment| match experiment.validate(&catalog) {
        Err(RunError::Config { field, message }) => (field, message),
        other => panic!("{other:?}"),
    };
    // A step of 30 days under 365-day out-of-sample windows: each day would be out of sample in
    // up to 13 windows, and stitched 13 times.
    let mut overlapping = walk_forward.clone();
    overlapping.walk_forward.as_mut().unwrap().step_days = Some(30);
    let (field, message) = field_of(&overlapping);
    assert_eq!(field, "walk_forward.step_days");
    assert!(
        message.contains("at least out_of_sample_days (365)"),
        "{message}"
    );
    // Equal to the out-of-sample length (tiling) and longer (gaps) are fine.
    for step in [365, 400] {
        let mut tiling = walk_forward.clone();
        tiling.walk_forward.as_mut().unwrap().step_days = Some(step);
        tiling.validate(&catalog).unwrap();
    }
    let mut many = walk_forward.clone();
    many.walk_forward.as_mut().unwrap().max_windows = Some(1_001);
    let (field, message) = field_of(&many);
    assert_eq!(field, "walk_forward.max_windows");
    assert!(message.contains("must be 1 to 1000, got 1001"), "{message}");
}

#[test]
fn seed_genomes_are_found_beside_the_experiment_file_from_any_working_folder() {
    let folder = tempfile::tempdir().unwrap();
    let project = folder.path().join("project");
    std::fs::create_dir_all(project.join("seeds")).unwrap();
    let genome = repository().join("genomes/rsi-2-mean-reversion.json");
    std::fs::copy(&genome, project.join("seeds/mine.json")).unwrap();
    let text = gauntlet_run::QUICKSTART_TOML.replace(
        "seed_genomes = [",
        "seed_genomes = [\n    \"seeds/mine.json\",",
    );
    let config = project.join("experiment.toml");
    std::fs::write(&config, text).unwrap();
    let checkout = repository();
    let experiment = Experiment::load_with(Some(&config), &Default::default(), &checkout).unwrap();
    // Beside the file (the working folder is the test's, where seeds/mine.json is not)...
    assert_eq!(experiment.seed_genomes[0], project.join("seeds/mine.json"));
    // ...and the quickstart's own paths, found in neither place, from the checkout.
    assert_eq!(
        experiment.seed_genomes[1],
        checkout.join("genomes/sma-50-200-crossover.json")
    );
}
