//! `gauntlet evolve` and `gauntlet export` end to end, through the real binary: determinism across
//! thread counts, resuming a killed run, bad configs refused before any work, exported champions.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{
    assert_same_results, command, ok, repository, small_experiment, tiny_matrix_experiment,
};
use gauntlet_run::{RunFolder, RunStatus};

fn gauntlet(arguments: &[&str]) -> Output {
    command(arguments).output().expect("the binary runs")
}

/// A small experiment: two symbols of two asset classes, a few generations.
fn tiny_experiment(folder: &Path, generations: u32) -> PathBuf {
    small_experiment(
        folder,
        "tiny",
        5,
        generations,
        24,
        &["sp500-1d", "eurusd-1h"],
    )
}

/// The tiny experiment as an NSGA-II run over every kind of measure (plateau with 2 neighbours).
fn tiny_nsga2_experiment(folder: &Path, generations: u32) -> PathBuf {
    let tiny = tiny_experiment(folder, generations);
    let text = std::fs::read_to_string(&tiny).unwrap().replace(
        "category = \"monthly_performance\"\n",
        "category = \"monthly_performance\"\nselection = \"nsga2\"\nobjectives = [\"monthly_performance\", \"plateau\", \"worst_symbol\", \"complexity\"]\n",
    ) + "\n[plateau]\nneighbours = 2\n";
    let path = folder.join("tiny-nsga2.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn one_and_two_threads_give_the_same_bytes() {
    let folder = tempfile::tempdir().unwrap();
    // NSGA-II too, with every kind of objective.
    let nsga2 = tiny_nsga2_experiment(folder.path(), 3);
    let mut nsga2_runs = Vec::new();
    for threads in ["1", "2"] {
        let run = folder.path().join(format!("nsga2-{threads}"));
        ok(&gauntlet(&[
            "evolve",
            "--config",
            nsga2.to_str().unwrap(),
            "--out",
            run.to_str().unwrap(),
            "--threads",
            threads,
            "--quiet",
        ]));
        nsga2_runs.push(run);
    }
    assert_same_results(&nsga2_runs[0], &nsga2_runs[1]);
    let leaderboard = std::fs::read_to_string(nsga2_runs[0].join("leaderboard.csv")).unwrap();
    let header = leaderboard.lines().next().unwrap();
    for column in [
        "objective_plateau",
        "objective_worst_symbol",
        "front",
        "crowding",
    ] {
        assert!(header.contains(column), "{header}");
    }

    let config = tiny_experiment(folder.path(), 3);
    let config = config.to_str().unwrap();
    let mut runs = Vec::new();
    for threads in ["1", "2"] {
        let run = folder.path().join(format!("run-{threads}"));
        let stdout = ok(&gauntlet(&[
            "evolve",
            "--config",
            config,
            "--out",
            run.to_str().unwrap(),
            "--threads",
            threads,
            "--quiet",
        ]));
        assert!(
            stdout.contains("Champion, monthly_performance (the run's category)"),
            "{stdout}"
        );
        assert!(stdout.contains("Evolution against chance"), "{stdout}");
        runs.push(run);
    }
    assert_same_results(&runs[0], &runs[1]);
    // The manifest records the thread count and the run's facts.
    let manifest = RunFolder::new(&runs[1]).read_manifest().unwrap();
    assert_eq!(manifest.threads, 2);
    assert_eq!(manifest.status, RunStatus::Finished);
    assert_eq!(manifest.generations_done, 3);
    assert_eq!(manifest.datasets[0].name, "sp500-1d");
    assert!(manifest.evolution_vs_chance.unwrap().random_genomes > 24);
    // Where the time went: every part measured, scoring's parts adding up to its wall time, and
    // the throughput as evaluations x in-sample bars / scoring seconds.
    let timings = manifest.timings.expect("run.json has timings");
    let scoring = timings.indicators + timings.backtests + timings.metrics + timings.fitness;
    assert!(
        (scoring - manifest.scoring_seconds).abs() <= 1e-9 * manifest.scoring_seconds.max(1.0),
        "{timings:?} vs {} s of scoring",
        manifest.scoring_seconds
    );
    assert!(timings.backtests > 0.0 && timings.breeding >= 0.0 && timings.writing > 0.0);
    assert!((0.0..=1.0).contains(&timings.metrics_share));
    let bars = manifest.in_sample_bars.expect("in-sample bars") as f64;
    let rate = manifest.genome_bars_per_second.expect("a throughput");
    let expected = manifest.evaluations as f64 * bars / manifest.scoring_seconds;
    assert!(
        (rate - expected).abs() <= 1e-9 * expected,
        "{rate} vs {expected}"
    );
}

#[test]
fn a_killed_run_resumes_to_the_same_bytes() {
    let folder = tempfile::tempdir().unwrap();
    kill_and_resume(folder.path(), &tiny_experiment(folder.path(), 8), "plain");
}

#[test]
fn a_killed_nsga2_run_resumes_to_the_same_bytes() {
    let folder = tempfile::tempdir().unwrap();
    kill_and_resume(
        folder.path(),
        &tiny_nsga2_experiment(folder.path(), 8),
        "nsga2",
    );
}

/// Runs `config` straight, and again killed after generation 2 and resumed: the same bytes.
fn kill_and_resume(folder: &Path, config: &Path, name: &str) {
    let config = config.to_str().unwrap();
    let straight = folder.join(format!("{name}-straight"));
    ok(&gauntlet(&[
        "evolve",
        "--config",
        config,
        "--out",
        straight.to_str().unwrap(),
        "--quiet",
    ]));

    let killed = folder.join(format!("{name}-killed"));
    let mut child = command(&[
        "evolve",
        "--config",
        config,
        "--out",
        killed.to_str().unwrap(),
        "--quiet",
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    // Kill it (SIGKILL) once generation 2 is checkpointed.
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let done = RunFolder::new(&killed)
            .read_manifest()
            .ok()
            .map(|manifest| manifest.generations_done);
        if done.is_some_and(|generation| generation >= 2) || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let manifest = RunFolder::new(&killed).read_manifest().unwrap();
    assert_eq!(
        manifest.status,
        RunStatus::Running,
        "the run finished before it could be killed"
    );
    // What a kill in the middle of writing leaves: a temporary file beside the checkpoint and log
    // lines past the checkpoint's count. Neither may change the result.
    std::fs::write(
        killed.join("checkpoint/.state.json.half.tmp"),
        "{\"truncated",
    )
    .unwrap();
    let log = killed.join("checkpoint/leaderboard.jsonl");
    let mut text = std::fs::read_to_string(&log).unwrap();
    text.push_str("{\"id\":\"written after the checkpoint\"");
    std::fs::write(&log, text).unwrap();

    // An edited config.toml, or a checkpoint copied from another run, is refused, naming what
    // changed, and touches nothing.
    let resume_refused = |needle: &str| {
        let output = gauntlet(&["evolve", "--resume", killed.to_str().unwrap(), "--quiet"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(needle), "'{needle}' not in {stderr}");
    };
    let config_path = killed.join("config.toml");
    let original = std::fs::read_to_string(&config_path).unwrap();
    let seed_line = original
        .lines()
        .find(|line| line.starts_with("seed = "))
        .unwrap();
    let edited = original.replacen(seed_line, "seed = 4242", 1);
    std::fs::write(&config_path, &edited).unwrap();
    resume_refused("was edited after the run started (seed changed)");
    std::fs::write(&config_path, &original).unwrap();
    let state_path = killed.join("checkpoint/state.json");
    let own_state = std::fs::read(&state_path).unwrap();
    std::fs::copy(straight.join("checkpoint/state.json"), &state_path).unwrap();
    resume_refused("is another run's checkpoint");
    std::fs::write(&state_path, own_state).unwrap();
    // A folder with neither a checkpoint nor a config.toml says there is nothing to resume.
    let empty = folder.join(format!("{name}-empty"));
    std::fs::create_dir_all(&empty).unwrap();
    let output = gauntlet(&["evolve", "--resume", empty.to_str().unwrap(), "--quiet"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("nothing to resume"), "{stderr}");
    assert!(
        std::fs::read_dir(&empty).unwrap().next().is_none(),
        "the refused resume left a file"
    );

    // A deleted config.toml is written again from the checkpoint (the same bytes, below), and
    // the temporary file the kill left is removed.
    std::fs::remove_file(&config_path).unwrap();
    let stdout = ok(&gauntlet(&[
        "evolve",
        "--resume",
        killed.to_str().unwrap(),
        "--quiet",
    ]));
    assert!(stdout.contains("Evolution against chance"), "{stdout}");
    assert!(!killed.join("checkpoint/.state.json.half.tmp").exists());
    assert_same_results(&straight, &killed);
}

#[test]
fn bad_configs_fail_before_any_work_naming_the_field() {
    let folder = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(tiny_experiment(folder.path(), 2)).unwrap();
    let cases = [
        (
            "size = 24",
            "size = 24\nmutaton_rate = 0.3",
            "unknown field `mutaton_rate`",
        ),
        ("size = 24", "size = -5", "size"),
        (
            "category = \"monthly_performance\"",
            "category = \"monthly_perfomance\"",
            "monthly_perfomance",
        ),
        (
            "\"eurusd-1h\"]",
            "\"eurusd-1h\", \"no-such-data\"]",
            "datasets[2]",
        ),
        ("size = 24", "size = 1", "population.size"),
        ("generations = 2", "generations = 0", "generations"),
        (
            "[split.fractions]\nvalidation = 0.2\nholdout = 0.2",
            "[split.dates]\nvalidation_start = 1000\nholdout_start = 2000",
            "split",
        ),
    ];
    for (from, to, expected) in cases {
        assert!(good.contains(from), "{from}");
        let path = folder.path().join("bad.toml");
        std::fs::write(&path, good.replacen(from, to, 1)).unwrap();
        let run = folder.path().join("bad-run");
        let output = gauntlet(&[
            "evolve",
            "--config",
            path.to_str().unwrap(),
            "--out",
            run.to_str().unwrap(),
            "--quiet",
        ]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{to}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{to}: expected '{expected}' in: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            !run.exists(),
            "{to}: a run folder was created before the config was checked"
        );
    }
    // A misspelt category on the command line names the choices.
    let output = gauntlet(&["evolve", "--category", "risk_managment", "--quiet"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("risk_management"), "{stderr}");
}

#[test]
fn an_exported_champion_backtests() {
    let folder = tempfile::tempdir().unwrap();
    let config = tiny_experiment(folder.path(), 2);
    let run = folder.path().join("run");
    ok(&gauntlet(&[
        "evolve",
        "--config",
        config.to_str().unwrap(),
        "--out",
        run.to_str().unwrap(),
        "--quiet",
    ]));
    let genomes = folder.path().join("genomes");
    let champion: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(run.join("champions/monthly_performance.json")).unwrap(),
    )
    .unwrap();
    let robustness = &champion["robustness"];
    // 7 checks of the metrics, Monte Carlo and DSR, and 4 perturbation tests (#33), each figure
    // also in `perturbations`.
    assert_eq!(robustness["gate"].as_array().unwrap().len(), 11);
    let perturbations = &robustness["perturbations"];
    assert_eq!(perturbations["noise"]["copies"], 100);
    assert_eq!(
        perturbations["shifted_bars"]["variants"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert!(robustness["trials"].as_u64().unwrap() > 24);
    assert_eq!(robustness["symbols"].as_array().unwrap().len(), 2);
    let regimes = robustness["regimes"].as_array().unwrap();
    assert_eq!(regimes.len(), 2);
    assert_eq!(regimes[0][1].as_array().unwrap().len(), 6);
    let export = |force: bool| {
        let mut arguments = vec![
            "export",
            run.to_str().unwrap(),
            "--category",
            "monthly_performance",
            "--to",
            genomes.to_str().unwrap(),
        ];
        if force {
            arguments.push("--force");
        }
        gauntlet(&arguments)
    };
    if robustness["passed"] == false {
        // A champion that failed the gate is refused, naming the failed checks, unless --force.
        let refused = export(false);
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(refused.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("failed the validation gate") && stderr.contains("--force"),
            "{stderr}"
        );
        assert!(!genomes.join("run-monthly_performance.json").exists());
    }
    // Named after the run folder (unique in its output folder), not the experiment.
    let stdout = ok(&export(true));
    let exported = genomes.join("run-monthly_performance.json");
    assert!(stdout.contains("run-monthly_performance.json"), "{stdout}");
    // An existing file is not replaced without --force.
    let again = export(false);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&exported).unwrap()).unwrap();
    // The champion file: versioned, the genome with its lineage, provenance, metrics, validation.
    assert_eq!(file["format"], "gauntlet-champion");
    assert_eq!(file["version"], 1);
    let genome = &file["genome"];
    assert_eq!(genome["name"], "tiny-monthly_performance");
    assert!(
        genome["lineage"]["operators"]
            .as_array()
            .is_some_and(|list| !list.is_empty())
    );
    let manifest = RunFolder::new(&run).read_manifest().unwrap();
    let provenance = &file["provenance"];
    assert_eq!(provenance["run"], "tiny");
    assert_eq!(provenance["champion_id"], champion["id"]);
    assert_eq!(provenance["seed"], 5);
    assert_eq!(provenance["fill"], "next_open");
    assert_eq!(provenance["costs"]["commission_bps"], 5.0);
    for (index, dataset) in ["sp500-1d", "eurusd-1h"].iter().enumerate() {
        assert_eq!(provenance["datasets"][index]["name"], *dataset);
        assert_eq!(
            provenance["datasets"][index]["content_xxh64"],
            manifest.datasets[index].content_xxh64.as_str()
        );
    }
    assert_eq!(
        file["metrics"]["holdout"]["fitness"],
        champion["holdout"]["fitness"]
    );
    assert_eq!(
        file["validation"]["gate"].as_array().unwrap().len(),
        robustness["gate"].as_array().unwrap().len()
    );
    // It reads back strictly as the type its schema is generated from.
    let typed: gauntlet_run::champion_file::ChampionFile =
        serde_json::from_value(file.clone()).unwrap();
    assert_eq!(typed.rules, champion["rules"].as_str().unwrap());
    let stdout = ok(&gauntlet(&[
        "backtest",
        "--genome",
        exported.to_str().unwrap(),
        "--dataset",
        "sp500-1d",
    ]));
    assert!(stdout.contains("buy-and-hold"), "{stdout}");
    // A category without a run folder is a one-line error.
    let output = gauntlet(&[
        "export",
        "/no/such/run",
        "--category",
        "monthly_performance",
    ]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn ctrl_c_and_sigterm_checkpoint_and_say_how_to_resume() {
    // 128 + the signal, the shell's convention: 130 for SIGINT (Ctrl-C), 143 for SIGTERM (what
    // `kill`, systemd and Slurm send), so a script can tell a stopped run from a finished one.
    for (signal, code) in [("-INT", 130), ("-TERM", 143)] {
        let folder = tempfile::tempdir().unwrap();
        let config = tiny_experiment(folder.path(), 30);
        let run = folder.path().join("run");
        let child = command(&[
            "evolve",
            "--config",
            config.to_str().unwrap(),
            "--out",
            run.to_str().unwrap(),
            "--quiet",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(300);
        while !run.join("run.json").exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        let status = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(code),
            "{signal}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains("Resume with: gauntlet evolve --resume"),
            "{stdout}"
        );
        let manifest = RunFolder::new(&run).read_manifest().unwrap();
        assert_eq!(manifest.status, RunStatus::Interrupted);
        assert!(manifest.generations_done < 30);
        assert!(run.join("leaderboard.csv").exists() && run.join("checkpoint/state.json").exists());
    }
}

#[test]
fn a_walk_forward_stitches_its_out_of_sample_windows() {
    let folder = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repository().join("experiments/walk-forward-sp500.toml"))
        .unwrap()
        .replace("generations = 10", "generations = 2")
        .replace("size = 200", "size = 16")
        .replace("islands = 2", "islands = 1")
        .replace("hall_of_fame = 20", "hall_of_fame = 4")
        .replace(
            "validation_share = 0.2",
            "validation_share = 0.2\nmax_windows = 2",
        )
        .replace("monte_carlo_paths = 2000", "monte_carlo_paths = 100");
    let config = folder.path().join("wf.toml");
    std::fs::write(&config, text).unwrap();
    let run = folder.path().join("wf");
    let stdout = ok(&gauntlet(&[
        "evolve",
        "--config",
        config.to_str().unwrap(),
        "--out",
        run.to_str().unwrap(),
        "--quiet",
    ]));
    assert!(stdout.contains("Walk-forward: 2 windows"), "{stdout}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("walk_forward.json")).unwrap())
            .unwrap();
    let windows = summary["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 2);
    // Rolling windows a year apart: 2000-01-03 + 1826 days and one year later.
    let day = 86_400_000i64;
    let first = windows[0]["plan"]["out_of_sample_start"].as_i64().unwrap();
    let second = windows[1]["plan"]["out_of_sample_start"].as_i64().unwrap();
    assert_eq!(second - first, 365 * day);
    assert!(run.join("window-00/run.json").exists() && run.join("window-01/run.json").exists());
    // The stitched equity covers every out-of-sample bar of the windows with a champion.
    let stitched = &summary["stitched"][0];
    assert_eq!(stitched[0], "sp500-1d");
    let bars = stitched[2].as_u64().unwrap();
    let with_champion = windows
        .iter()
        .filter(|window| !window["champion"].is_null())
        .count() as u64;
    assert!(
        bars >= with_champion * 240 && bars <= with_champion * 260,
        "{bars}"
    );
    // Boundaries fall on whole days (daily data starts at midnight): no "19:12" validation start.
    for window in windows {
        for field in ["in_sample_start", "validation_start", "out_of_sample_start"] {
            assert_eq!(window["plan"][field].as_i64().unwrap() % day, 0, "{field}");
        }
    }
    // Buy-and-hold over the same stitched bars, from 1.
    let rows: Vec<gauntlet_run::tables::WalkForwardRow> =
        gauntlet_run::tables::read_rows(&run.join("walk_forward.parquet")).unwrap();
    if with_champion > 0 {
        assert_eq!(rows[0].buy_and_hold, Some(1.0));
        assert!(
            rows.iter()
                .all(|row| row.buy_and_hold.is_some_and(|value| value > 0.0))
        );
    }
    // The report: the stitched out-of-sample equity and the efficiency, and each window's page.
    let html = std::fs::read_to_string(run.join("index.html")).unwrap();
    assert!(html.contains("Stitched out-of-sample equity"));
    if with_champion > 0 {
        assert!(html.contains("<svg"), "no stitched equity chart");
    }
    if let Some(efficiency) = summary["efficiency"].as_f64() {
        assert!(
            html.contains(&format!("<dd>{efficiency:.4}</dd>")),
            "efficiency"
        );
    }
    assert!(run.join("window-00/index.html").exists() && run.join("window-01/index.html").exists());

    // Stopped after window 0 (window 1 never started, nothing stitched yet): --resume on the
    // walk-forward folder finishes it exactly as the uninterrupted run did.
    let whole = std::fs::read_to_string(run.join("walk_forward.json")).unwrap();
    std::fs::remove_dir_all(run.join("window-01")).unwrap();
    for file in ["walk_forward.json", "walk_forward.parquet", "index.html"] {
        std::fs::remove_file(run.join(file)).unwrap();
    }
    let stdout = ok(&gauntlet(&[
        "evolve",
        "--resume",
        run.to_str().unwrap(),
        "--quiet",
    ]));
    assert!(stdout.contains("Walk-forward: 2 windows"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(run.join("walk_forward.json")).unwrap(),
        whole
    );
    assert!(run.join("index.html").exists());

    // As a job array without MPI: share 1 of 2 (window 1), then share 0 of 2 (its index from
    // Kubernetes' variable, as an Indexed Job's pod sees it), into one folder; resuming the folder
    // stitches the same walk-forward, byte for byte.
    let shared = folder.path().join("shared");
    let share = |shard: &str, index: Option<&str>| {
        let mut command = command(&[
            "evolve",
            "--config",
            config.to_str().unwrap(),
            "--out",
            shared.to_str().unwrap(),
            "--shard",
            shard,
            "--quiet",
        ]);
        if let Some(index) = index {
            command.env("JOB_COMPLETION_INDEX", index);
        }
        ok(&command.output().unwrap())
    };
    let stdout = share("1/2", None);
    assert!(stdout.contains("Made share 1 of 2"), "{stdout}");
    assert!(shared.join("window-01/run.json").exists() && !shared.join("window-00").exists());
    assert!(
        !shared.join("walk_forward.json").exists(),
        "a share stitches nothing"
    );
    share("env/2", Some("0"));
    ok(&gauntlet(&[
        "evolve",
        "--resume",
        shared.to_str().unwrap(),
        "--quiet",
    ]));
    for file in [
        "walk_forward.json",
        "walk_forward.parquet",
        "window-00/leaderboard.parquet",
    ] {
        assert!(
            std::fs::read(run.join(file)).unwrap() == std::fs::read(shared.join(file)).unwrap(),
            "{file} differs between the walk-forward in one go and its merged shares"
        );
    }
    // A share is refused for a plain run, and in a folder of another experiment.
    let plain = tiny_experiment(folder.path(), 2);
    let refused = gauntlet(&[
        "evolve",
        "--config",
        plain.to_str().unwrap(),
        "--out",
        folder.path().join("plain").to_str().unwrap(),
        "--shard",
        "0/2",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("has no [walk_forward]"));
    let other = std::fs::read_to_string(&config)
        .unwrap()
        .replace("seed = 11", "seed = 12");
    std::fs::write(&config, other).unwrap();
    let refused = gauntlet(&[
        "evolve",
        "--config",
        config.to_str().unwrap(),
        "--out",
        shared.to_str().unwrap(),
        "--shard",
        "0/2",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("another experiment"));
}

#[test]
fn a_walk_forward_matrix_judges_its_cells_and_shards_to_the_same_bytes() {
    let folder = tempfile::tempdir().unwrap();
    let config = tiny_matrix_experiment(folder.path());
    let run = folder.path().join("matrix");
    let stdout = ok(&gauntlet(&[
        "evolve",
        "--config",
        config.to_str().unwrap(),
        "--out",
        run.to_str().unwrap(),
        "--quiet",
    ]));
    assert!(
        stdout.contains("Walk-forward matrix: 2 in-sample x 2"),
        "{stdout}"
    );
    assert!(
        stdout.contains("walk-forward matrix: PASS")
            || stdout.contains("walk-forward matrix: FAIL"),
        "{stdout}"
    );
    let matrix: gauntlet_run::WalkForwardMatrixSummary = serde_json::from_str(
        &std::fs::read_to_string(run.join("walk_forward_matrix.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(matrix.cells.len(), 4);
    // Each cell is the walk-forward of its own lengths, in its own folder, its numbers read back
    // from that folder's walk_forward.json.
    for cell in &matrix.cells {
        let cell_folder = run.join(&cell.folder);
        let walk: gauntlet_run::WalkForwardSummary = serde_json::from_str(
            &std::fs::read_to_string(cell_folder.join("walk_forward.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(walk.windows.len(), 1);
        let plan = walk.windows[0].plan;
        let day = 86_400_000i64;
        assert_eq!(
            (plan.out_of_sample_start - plan.in_sample_start) / day,
            i64::from(cell.in_sample_days)
        );
        assert_eq!(
            (plan.out_of_sample_end - plan.out_of_sample_start) / day,
            i64::from(cell.out_of_sample_days)
        );
        assert_eq!(cell.efficiency, walk.efficiency);
        // Good: a positive stitched return (one dataset here) and an efficiency of at least 0.5.
        let stitched = walk.stitched[0].1;
        let good = walk.stitched[0].2 > 0
            && stitched > 0.0
            && walk.efficiency.is_some_and(|value| value >= 0.5);
        assert_eq!(cell.good, good, "{cell:?}");
        // In a 2 x 2 grid every cell has the other three as neighbours; with radius 1 and all
        // required, a cell passes only when all four are good.
        assert_eq!(cell.neighbours, 3);
        let all_good = matrix.cells.iter().all(|cell| cell.good);
        assert_eq!(cell.passes, all_good);
    }
    assert_eq!(matrix.passes, matrix.cells.iter().all(|cell| cell.good));
    // The report: a heat map of the cells, the verdict, each cell's walk-forward page.
    let html = std::fs::read_to_string(run.join("index.html")).unwrap();
    assert!(
        html.contains("Heat map") && html.contains("<svg"),
        "no heat map"
    );
    assert!(html.contains(&matrix.verdict[..20]));
    assert!(run.join("cell-01-01/index.html").is_file());
    assert!(run.join("cell-01-01/window-00/index.html").is_file());
    // Rendered by a real browser where there is one (CI requires it): the page's script ran and
    // the heat map is in the DOM.
    match common::chromium() {
        Some(browser) => {
            let dom = common::headless(&browser, &["--dump-dom"], &run.join("index.html"));
            let text = String::from_utf8_lossy(&dom.stdout);
            assert!(
                dom.status.success(),
                "{}",
                String::from_utf8_lossy(&dom.stderr)
            );
            assert!(
                text.contains("data-ready=\"yes\""),
                "the script did not run"
            );
            assert!(!text.contains("data-script-errors=\""), "script errors");
            assert!(text.contains("<svg") && text.contains("out-of-sample length"));
        }
        None => assert!(
            std::env::var("GAUNTLET_REQUIRE_BROWSER").is_err(),
            "GAUNTLET_REQUIRE_BROWSER is set but no Chromium was found"
        ),
    }

    // As a job array: shares 0 and 1 of 2, then --resume judges the same matrix, byte for byte.
    let shared = folder.path().join("shared");
    for shard in ["1/2", "0/2"] {
        let stdout = ok(&gauntlet(&[
            "evolve",
            "--config",
            config.to_str().unwrap(),
            "--out",
            shared.to_str().unwrap(),
            "--shard",
            shard,
            "--quiet",
        ]));
        assert!(stdout.contains("share"), "{stdout}");
        assert!(!shared.join("walk_forward_matrix.json").exists());
    }
    // Share 1 made the windows at odd positions of the matrix's order: cells 1 and 3.
    ok(&gauntlet(&[
        "evolve",
        "--resume",
        shared.to_str().unwrap(),
        "--quiet",
    ]));
    for file in [
        "walk_forward_matrix.json",
        "cell-00-01/walk_forward.json",
        "cell-01-00/walk_forward.parquet",
        "cell-01-01/window-00/leaderboard.parquet",
    ] {
        assert!(
            std::fs::read(run.join(file)).unwrap() == std::fs::read(shared.join(file)).unwrap(),
            "{file} differs between the matrix in one go and its merged shares"
        );
    }
    // A matrix without [walk_forward] is refused, naming the table.
    let bare = std::fs::read_to_string(&config)
        .unwrap()
        .replace(
            "[walk_forward]\nin_sample_days = 1826\nout_of_sample_days = 365\nanchored = false\nvalidation_share = 0.2\nmax_windows = 1\n",
            "",
        );
    assert!(!bare.contains("[walk_forward]\n"));
    let bare_config = folder.path().join("bare.toml");
    std::fs::write(&bare_config, bare).unwrap();
    let refused = gauntlet(&[
        "evolve",
        "--config",
        bare_config.to_str().unwrap(),
        "--out",
        folder.path().join("bare").to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("walk_forward_matrix"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
