//! The portfolio file's JSON Schema in the repository (`schemas/portfolio.schema.json`) is the one
//! generated from the types that write portfolio files. Regenerate it after changing them with
//! `GAUNTLET_UPDATE_SCHEMA=1 cargo test -p gauntlet-jobs --test portfolio_schema`.

use std::path::PathBuf;

use gauntlet_jobs::portfolio::portfolio_file_schema;

#[test]
fn the_checked_in_schema_is_current() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas/portfolio.schema.json");
    let generated = portfolio_file_schema();
    if std::env::var("GAUNTLET_UPDATE_SCHEMA").is_ok() {
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{} is out of date; regenerate it with GAUNTLET_UPDATE_SCHEMA=1 cargo test -p gauntlet-jobs --test portfolio_schema",
        path.display()
    );
    let schema: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert_eq!(schema["title"], "PortfolioFile");
    for field in [
        "format",
        "version",
        "members",
        "weighting",
        "validation",
        "holdout",
    ] {
        assert!(schema["properties"][field].is_object(), "no {field}");
    }
}
