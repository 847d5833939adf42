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
