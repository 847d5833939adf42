//! The workspace's shape, checked on its sources (DESIGN.md, "Architecture"): every crate depends
//! only on crates of lower layers and names its layer, no crate holds more than a fifth of the
//! library code, inside every crate the modules form a DAG (no import circles, no module importing
//! its parent wholesale), the binary stays thin, every declared dependency is used, and the run
//! folder's files (JSON and Parquet tables) are read only through their types.
//!
//! The checks read the sources as text: a module's edges are the `crate::other` paths (and
//! `crate::{other, ...}` groups) in its files, comments and `#[cfg(test)]` modules left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use gauntlet_testkit::repository;

/// The binary's budget: `src/` parses arguments, calls one library function per command and
/// prints (#17). 1,300 until #14 added the MPI rank's start and end and the `--shard` and
/// `--merge` flags of `evolve` and `compare` (their logic is in gauntlet-tournament and
/// gauntlet-cluster; moving other logic out of the binary made room for most of their lines), and
/// 1,315 until #16 added `export`'s `--format`, `--genome` and `--bars-per-year` flags (the export
/// itself is in gauntlet-tournament and gauntlet-report), and 1,360 until #30 added `data import`'s
/// column, separator, decimal-comma and time-unit flags, `--force` for `data export` and
/// `backtest`'s three writers, and the refusals the binary alone can say (an import into the
/// checkout, a missing `--merge` folder, the merge command with its `--categories`), and 1,460
/// until main reached 1,592 and #33 added `portfolio`'s flags (79 lines; its work and its text are
/// in gauntlet-jobs), and 1,680 until #32's `study --permutations/--shard/--merge` and #33's
/// `backtest --portfolio FILE` and `paper --portfolio FILE` landed together with #29's `gauntlet
/// blocks` (1,711; their work is in gauntlet-jobs, gauntlet-paper and gauntlet-blocks, the flags and
/// the progress lines here). Next: move the study's progress lines and `TradingArgs::config_over`
/// into the libraries and lower this again.
const BINARY_MAX_LINES: usize = 1_720;

fn rust_files(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// A file's code: comment lines and everything from the first `#[cfg(test)]` on left out.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The identifiers that follow `prefix` in `text` (`crate::` -> `run`, `scoring`, ...), including
/// each name of a `crate::{a, b::c}` group.
fn paths_after(text: &str, prefix: &str) -> BTreeSet<String> {
    let identifier = |rest: &str| -> String {
        rest.chars()
            .take_while(|character| character.is_ascii_alphanumeric() || *character == '_')
            .collect()
    };
    let mut names = BTreeSet::new();
    for (at, _) in text.match_indices(prefix) {
        let rest = &text[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                names.insert(identifier(item.trim()));
            }
        } else {
            names.insert(identifier(rest));
        }
    }
    names
}

/// A cycle in `edges`, if there is one, as the modules along it.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        path.push(node.to_string());
        for next in &edges[node] {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let start = path.iter().position(|item| item == next).unwrap_or(0);
                    let mut cycle = path[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(cycle) = visit(next, edges, state, path) {
                        return Some(cycle);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in edges.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0
            && let Some(cycle) = visit(node, edges, &mut state, &mut Vec::new())
        {
            return Some(cycle);
        }
    }
    None
}

fn source_folders() -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(repository().join("crates"))
        .unwrap()
        .map(|entry| entry.unwrap().path().join("src"))
        .filter(|path| path.is_dir())
        .collect();
    folders.sort();
    folders.push(repository().join("src"));
    folders
}

#[test]
fn every_crates_modules_form_a_dag() {
    for folder in source_folders() {
        // Top-level modules: `a.rs` or `a/` (its files all belong to `a`).
        let mut modules: BTreeMap<String, String> = BTreeMap::new();
        for file in rust_files(&folder) {
            let relative = file.strip_prefix(&folder).unwrap();
            let first = relative.components().next().unwrap().as_os_str();
            let name = first.to_string_lossy().trim_end_matches(".rs").to_string();
            if name == "lib" || name == "main" {
                continue;
            }
            modules.entry(name).or_default().push_str(&code(&file));
        }
        let edges: BTreeMap<String, BTreeSet<String>> = modules
            .iter()
            .map(|(name, text)| {
                let targets = paths_after(text, "crate::")
                    .into_iter()
                    .filter(|target| target != name && modules.contains_key(target))
                    .collect();
                (name.clone(), targets)
            })
            .collect();
        assert_eq!(
            find_cycle(&edges),
            None,
            "an import circle among the modules of {}",
            folder.display()
        );
    }
}

#[test]
fn the_cycle_finder_finds_a_planted_circle() {
    let edges: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(name, targets)| {
        (
            name.to_string(),
            targets.into_iter().map(str::to_string).collect(),
        )
    })
    .collect();
    let cycle = find_cycle(&edges).expect("a -> b -> c -> a");
    assert_eq!(cycle.first(), cycle.last());
    assert_eq!(cycle.len(), 4);
    assert_eq!(
        paths_after("use crate::{run::X, scoring};", "crate::"),
        BTreeSet::from(["run".to_string(), "scoring".to_string()])
    );
}

#[test]
fn the_binary_stays_thin() {
    let lines: usize = rust_files(&repository().join("src"))
        .iter()
        .map(|file| std::fs::read_to_string(file).unwrap().lines().count())
        .sum();
    assert!(
        lines <= BINARY_MAX_LINES,
        "src/ has {lines} lines; move logic into the crates (at most {BINARY_MAX_LINES})"
    );
}

/// The `[dependencies]` of a Cargo.toml, as Rust identifiers (`gauntlet-core` -> `gauntlet_core`).
fn dependencies(manifest: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let table: toml::Table = text.parse().unwrap();
    table
        .get("dependencies")
        .and_then(toml::Value::as_table)
        .map(|dependencies| {
            dependencies
                .keys()
                .map(|name| name.replace('-', "_"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_declared_dependency_is_used() {
    let mut packages: Vec<(PathBuf, PathBuf)> = std::fs::read_dir(repository().join("crates"))
        .unwrap()
        .map(|entry| {
            let folder = entry.unwrap().path();
            (folder.join("Cargo.toml"), folder.join("src"))
        })
        .collect();
    packages.push((repository().join("Cargo.toml"), repository().join("src")));
    for (manifest, sources) in packages {
        let text: String = rust_files(&sources)
            .iter()
            .map(|file| std::fs::read_to_string(file).unwrap())
            .collect();
        for dependency in dependencies(&manifest) {
            let used = [
                format!("{dependency}::"),
                format!("use {dependency}"),
                format!("{dependency}!"),
            ]
            .iter()
            .any(|pattern| text.contains(pattern.as_str()));
            assert!(
                used,
                "{} declares {dependency} but its sources never use it",
                manifest.display()
            );
        }
    }
}

/// Every folder of library code a run folder's reader may live in, and the binary's.
fn reader_folders() -> Vec<PathBuf> {
    source_folders()
        .into_iter()
        .filter(|folder| !folder.starts_with(repository().join("crates/data")))
        .collect()
}

#[test]
fn the_run_folder_is_read_only_through_its_types() {
    // Outside `run_folder.rs`, the crates that read run folders never look keys up in untyped JSON
    // nor spell a run-folder file's name.
    for folder in reader_folders() {
        for file in rust_files(&folder) {
            if file.ends_with("run_folder.rs") {
                continue;
            }
            let text = code(&file);
            let untyped = text.contains("serde_json::Value")
                || paths_after(&text, "serde_json::").contains("Value");
            // The crates that read run folders (paper writes its journal as JSON values).
            let json_reader = [
                "crates/tournament/src",
                "crates/honest/src",
                "crates/run/src",
                "crates/jobs/src",
                "crates/report/src",
                "src",
            ]
            .iter()
            .any(|reader| folder == repository().join(reader));
            assert!(
                !(untyped && json_reader),
                "{} handles untyped JSON; read run-folder files with RunFolder",
                file.display()
            );
            if let Some(name) = RUN_FOLDER_FILES.iter().find(|name| text.contains(*name)) {
                panic!(
                    "{} spells the run-folder file name {name}; use RunFolder's paths",
                    file.display()
                );
            }
        }
    }
}

/// The run-folder files whose names only `run_folder.rs` spells, quoted as code would.
const RUN_FOLDER_FILES: [&str; 12] = [
    "\"run.json\"",
    "\"walk_forward.json\"",
    "\"walk_forward_matrix.json\"",
    "\"study.json\"",
    "\"leaderboard.parquet\"",
    "\"leaderboard.csv\"",
    "\"capital.parquet\"",
    "\"generations.parquet\"",
    "\"champions.parquet\"",
    "\"walk_forward.parquet\"",
    "\"comparison.parquet\"",
    "\"-equity.parquet\"",
];

/// The first sign in `text` of a table read or written by column name rather than through its
/// row type: gauntlet-data's untyped table API, or `gauntlet_run::tables`' column reader.
fn untyped_table_access(text: &str) -> Option<&'static str> {
    [
        "read_table(",
        "write_table(",
        "TableColumn",
        "TableReader",
        ".take(\"",
        ".take_optional(\"",
        ".take_or(\"",
    ]
    .into_iter()
    .find(|pattern| text.contains(pattern))
}

#[test]
fn run_folder_tables_are_read_only_through_their_types() {
    // Every Parquet table of a run, walk-forward or comparison folder has one row type in
    // `gauntlet_run::tables`; no other module looks a column up by name (gauntlet-data, which
    // implements tables, aside).
    let tables_module = repository().join("crates/run/src/tables.rs");
    let tables_folder = repository().join("crates/run/src/tables");
    for folder in reader_folders() {
        for file in rust_files(&folder) {
            if file == tables_module || file.starts_with(&tables_folder) {
                continue;
            }
            if let Some(pattern) = untyped_table_access(&code(&file)) {
                panic!(
                    "{} reads or writes a table by column name ({pattern}); use the row types of gauntlet_run::tables",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn the_table_check_finds_a_planted_lookup() {
    for planted in [
        "let columns = gauntlet_data::read_table(&path)?;",
        "let ids = reader.take(\"id\")?;",
        "match column { TableColumn::Float(values) => values, _ => todo!() }",
    ] {
        assert!(untyped_table_access(planted).is_some(), "{planted}");
    }
    assert_eq!(
        untyped_table_access("let rows: Vec<TradeRow> = read_rows(&path)?;"),
        None
    );
}

/// Whether `file` is a test module in its own file: `tests.rs` beside `<module>.rs` (or in a folder
/// with `mod.rs`) that declares it with `#[cfg(test)] mod tests;`.
fn is_test_module_file(file: &Path) -> bool {
    if file.file_stem().and_then(|stem| stem.to_str()) != Some("tests") {
        return false;
    }
    let Some(folder) = file.parent() else {
        return false;
    };
    let parents = [folder.with_extension("rs"), folder.join("mod.rs")];
    parents.iter().any(|parent| {
        std::fs::read_to_string(parent).is_ok_and(|text| {
            text.split("#[cfg(test)]")
                .skip(1)
                .any(|after| after.trim_start().starts_with("mod tests;"))
        })
    })
}

#[test]
fn no_module_imports_its_parent_wholesale() {
    // `use super::*` glues files back into one namespace; library modules import what they use
    // (test modules may take their parent's items wholesale).
    for folder in source_folders() {
        for file in rust_files(&folder) {
            if is_test_module_file(&file) {
                continue;
            }
            assert!(
                !code(&file).contains("use super::*"),
                "{} imports its parent module wholesale (use super::*); import what it uses",
                file.display()
            );
        }
    }
}

/// DESIGN.md's layers: a crate depends only on crates of lower layers (gauntlet-testkit, a
/// dev-dependency, sits where its own dependencies allow).
const LAYERS: [(&str, u8); 17] = [
    ("gauntlet-core", 0),
    ("gauntlet-data", 1),
    ("gauntlet-indicators", 1),
    ("gauntlet-stats", 1),
    ("gauntlet-evolve", 1),
    ("gauntlet-blocks", 2),
    ("gauntlet-genome", 3),
    ("gauntlet-backtest", 4),
    ("gauntlet-testkit", 4),
    ("gauntlet-tournament", 5),
    ("gauntlet-paper", 5),
    ("gauntlet-honest", 6),
    ("gauntlet-cluster", 6),
    ("gauntlet-run", 7),
    ("gauntlet-jobs", 8),
    ("gauntlet-report", 8),
    ("gauntlet-python", 9),
];

fn layer(name: &str) -> Option<u8> {
    LAYERS
        .iter()
        .find(|(crate_name, _)| *crate_name == name)
        .map(|(_, layer)| *layer)
}

/// The crates of `crates/`: (package name, folder).
fn crates() -> Vec<(String, PathBuf)> {
    let mut crates: Vec<(String, PathBuf)> = std::fs::read_dir(repository().join("crates"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|folder| folder.join("Cargo.toml").is_file())
        .map(|folder| {
            let table: toml::Table = std::fs::read_to_string(folder.join("Cargo.toml"))
                .unwrap()
                .parse()
                .unwrap();
            let name = table["package"]["name"].as_str().unwrap().to_string();
            (name, folder)
        })
        .collect();
    crates.sort();
    crates
}

/// The gauntlet crates among `dependencies` that are not in a layer below `own`.
fn upward_dependencies(own: u8, dependencies: &[String]) -> Vec<String> {
    dependencies
        .iter()
        .filter(|dependency| dependency.starts_with("gauntlet_"))
        .filter(|dependency| {
            layer(&dependency.replace('_', "-")).is_none_or(|theirs| theirs >= own)
        })
        .cloned()
        .collect()
}

#[test]
fn every_crate_depends_only_on_lower_layers_and_names_its_layer() {
    for (name, folder) in crates() {
        let own = layer(&name).unwrap_or_else(|| panic!("{name} has no layer in LAYERS"));
        let upward = upward_dependencies(own, &dependencies(&folder.join("Cargo.toml")));
        assert!(
            upward.is_empty(),
            "{name} (L{own}) depends on {upward:?}, not in a lower layer"
        );
        if name != "gauntlet-testkit" {
            let lib = std::fs::read_to_string(folder.join("src/lib.rs")).unwrap();
            assert!(
                lib.contains(&format!("//! # {name}\n//!\n"))
                    && lib.contains(&format!("layer L{own} ")),
                "{name}'s lib.rs does not open with its purpose naming layer L{own} of DESIGN.md"
            );
        }
    }
}

#[test]
fn the_layer_check_finds_a_planted_upward_dependency() {
    let dependencies = ["gauntlet_core".to_string(), "gauntlet_run".to_string()];
    assert_eq!(upward_dependencies(4, &dependencies), ["gauntlet_run"]);
    assert!(upward_dependencies(8, &dependencies).is_empty());
}

/// Lines of library code per crate: every line of the `.rs` files under `crates/<name>/src`,
/// unit tests and comments included (gauntlet-testkit, a dev-dependency, left out).
fn library_lines() -> BTreeMap<String, usize> {
    crates()
        .into_iter()
        .filter(|(name, _)| name != "gauntlet-testkit")
        .map(|(name, folder)| {
            let lines = rust_files(&folder.join("src"))
                .iter()
                .map(|file| std::fs::read_to_string(file).unwrap().lines().count())
                .sum();
            (name, lines)
        })
        .collect()
}

/// The most a crate may hold of the library code, a fraction (#31: room to grow, and no crate
/// every change lands in).
const LARGEST_CRATE_SHARE: f64 = 0.20;

#[test]
fn no_crate_holds_more_than_a_fifth_of_the_library_code() {
    let lines = library_lines();
    let total: usize = lines.values().sum();
    for (name, count) in &lines {
        let share = *count as f64 / total as f64;
        assert!(
            share <= LARGEST_CRATE_SHARE,
            "{name} holds {count} of {total} lines of library code ({:.1}%, at most {:.0}%); split it by responsibility",
            share * 100.0,
            LARGEST_CRATE_SHARE * 100.0
        );
    }
}
