//! The bundled experiment files parse and pass every check against the bundled catalog.

use std::path::PathBuf;

use gauntlet_data::Catalog;
use gauntlet_tournament::{Category, Experiment, TournamentError};

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

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
    let text =
        gauntlet_tournament::QUICKSTART_TOML.replacen("seed = 42", "seed = 42\ncolour = 1", 1);
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
    let text = gauntlet_tournament::QUICKSTART_TOML.replacen(
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
        Err(TournamentError::Config { field, message }) => {
            assert_eq!(field, "datasets[4]");
            assert!(message.contains("nope-1d"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}
