//! The champion file's JSON Schema in the repository (`schemas/champion.schema.json`) is the one
//! generated from the types that write and read champion files. Regenerate it after changing them
//! with `GAUNTLET_UPDATE_SCHEMA=1 cargo test -p gauntlet-run --test champion_file`.

use std::path::PathBuf;

use gauntlet_run::champion_file::champion_file_schema;

#[test]
fn the_checked_in_schema_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas/champion.schema.json");
    let generated = champion_file_schema();
    if std::env::var("GAUNTLET_UPDATE_SCHEMA").is_ok() {
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{} is out of date; regenerate it with GAUNTLET_UPDATE_SCHEMA=1 cargo test -p gauntlet-run --test champion_file",
        path.display()
    );
    // It describes what the files hold.
    let schema: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert_eq!(schema["title"], "ChampionFile");
    for field in [
        "format",
        "version",
        "genome",
        "provenance",
        "metrics",
        "validation",
    ] {
        assert!(
            schema["properties"][field].is_object(),
            "no {field} in the schema"
        );
    }
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|value| value.as_str().unwrap())
        .collect();
    assert!(required.contains(&"genome") && required.contains(&"provenance"));
}

#[test]
fn an_export_refusal_shows_each_failed_value_against_its_threshold() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../genomes/champions/quickstart-monthly_performance.json");
    let Err(error) = gauntlet_run::champion_file::genome_for_export(&path, false) else {
        panic!("the quickstart champion failed the gate");
    };
    let message = error.to_string();
    // The file holds 0.4461102696271374, 0.3345872335462048, null and 1.860623769562277e-15;
    // the refusal printed them whole after the thresholds, as if those held.
    for shown in [
        "validation sharpe 0.446 < 1",
        "validation win_rate 0.335 < 0.5",
        "validation profit_factor undefined (needs >= 1.5)",
        "worst symbol's deflated sharpe ratio 1.86e-15 < 0.95",
    ] {
        assert!(message.contains(shown), "'{shown}' not in: {message}");
    }
    assert!(!message.contains("max_drawdown"), "{message}");
}
