//! The walk-forward matrix file's JSON Schema in the repository
//! (`schemas/walk-forward-matrix.schema.json`) is the one generated from the type that writes
//! `walk_forward_matrix.json`. Regenerate it after changing the type with
//! `GAUNTLET_UPDATE_SCHEMA=1 cargo test -p gauntlet-jobs --test walk_forward_matrix_schema`.

use std::path::PathBuf;

use gauntlet_jobs::walk_forward_matrix::walk_forward_matrix_schema;

#[test]
fn the_checked_in_schema_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../schemas/walk-forward-matrix.schema.json");
    let generated = walk_forward_matrix_schema();
    if std::env::var("GAUNTLET_UPDATE_SCHEMA").is_ok() {
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{} is out of date; regenerate it with GAUNTLET_UPDATE_SCHEMA=1 cargo test -p gauntlet-jobs --test walk_forward_matrix_schema",
        path.display()
    );
    let schema: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert_eq!(schema["title"], "WalkForwardMatrixSummary");
    for field in [
        "in_sample_days",
        "out_of_sample_days",
        "cells",
        "passes",
        "verdict",
    ] {
        assert!(schema["properties"][field].is_object(), "no {field}");
    }
}
