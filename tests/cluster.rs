//! `gauntlet evolve` as an MPI job (`--features mpi`; README, "On a cluster"), through `mpirun` and
//! the real binary: the same bytes as one process at 2, 3 and 4 ranks, a killed rank ends the job
//! and `--resume` finishes it byte-identically, a rank that cannot read its data stops the job
//! with one line naming it. Needs Open MPI's `mpirun` (the CI installs it); built without the
//! feature, this file is empty.
#![cfg(feature = "mpi")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{assert_same_results, ok, repository, small_experiment, tiny_matrix_experiment};
use gauntlet_run::{RunFolder, RunStatus};

/// `mpirun -np RANKS gauntlet ARGUMENTS` (ranks may outnumber cores; root may run it).
fn mpirun(ranks: usize, arguments: &[&str]) -> Command {
    let mut command = Command::new("mpirun");
    command
        .args(["--oversubscribe", "-np", &ranks.to_string()])
        .arg(env!("CARGO_BIN_EXE_gauntlet"))
        .args(arguments)
        .arg("--datasets-dir")
        .arg(repository().join("datasets"))
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        // One thread per rank: ranks share this machine's cores.
        .env("RAYON_NUM_THREADS", "1");
    command
}

fn single(arguments: &[&str]) -> Output {
    common::command(arguments)
        .output()
        .expect("the binary runs")
}

/// The tiny experiment of the thread-count test, as an NSGA-II run over every kind of measure
/// (so plateau neighbours are scored on the ranks too).
fn experiment(folder: &Path, generations: u32, population: usize) -> PathBuf {
    let path = small_experiment(
        folder,
        "cluster",
        5,
        generations,
        population,
        &["sp500-1d", "eurusd-1h"],
    );
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "category = \"monthly_performance\"\n",
        "category = \"monthly_performance\"\nselection = \"nsga2\"\nobjectives = [\"monthly_performance\", \"plateau\", \"worst_symbol\", \"complexity\"]\n",
    ) + "\n[plateau]\nneighbours = 2\n";
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn two_three_and_four_ranks_give_the_bytes_of_one_process() {
    let folder = tempfile::tempdir().unwrap();
    let config = experiment(folder.path(), 3, 24);
    let config = config.to_str().unwrap();
    let alone = folder.path().join("alone");
    ok(&single(&[
        "evolve",
        "--config",
        config,
        "--out",
        alone.to_str().unwrap(),
        "--quiet",
        "--threads",
        "2",
    ]));
    let private = tempfile::tempdir().unwrap();
    for ranks in [2, 3, 4] {
        let run = folder.path().join(format!("ranks-{ranks}"));
        let output = mpirun(
            ranks,
            &[
                "evolve",
                "--config",
                config,
                "--out",
                run.to_str().unwrap(),
                "--quiet",
            ],
        )
        .env("TMPDIR", private.path())
        .output()
        .unwrap();
        let stdout = ok(&output);
        // Rank 0 alone prints: one summary, not one per rank.
        assert_eq!(
            stdout.matches("Evolution against chance").count(),
            1,
            "{stdout}"
        );
        assert_same_results(&alone, &run);
        let manifest = RunFolder::new(&run).read_manifest().unwrap();
        assert_eq!((manifest.ranks, manifest.threads), (ranks, 1));
        let timings = manifest.timings.unwrap();
        assert!(timings.bytes_exchanged > 0 && timings.communication > 0.0);
        // The other ranks wrote nothing beside the run folder, and removed their private folders.
        let entries = std::fs::read_dir(folder.path()).unwrap().count();
        assert_eq!(entries, 1 + ranks, "files in {}", folder.path().display());
        assert_eq!(std::fs::read_dir(private.path()).unwrap().count(), 0);
    }
    let manifest = RunFolder::new(&alone).read_manifest().unwrap();
    assert_eq!(manifest.ranks, 1);
    assert_eq!(manifest.timings.unwrap().bytes_exchanged, 0);
}

#[test]
fn a_walk_forward_matrix_on_two_ranks_gives_the_bytes_of_one_process() {
    let folder = tempfile::tempdir().unwrap();
    let config = tiny_matrix_experiment(folder.path());
    let config = config.to_str().unwrap();
    let alone = folder.path().join("alone");
    ok(&single(&[
        "evolve",
        "--config",
        config,
        "--out",
        alone.to_str().unwrap(),
        "--quiet",
    ]));
    let ranks = folder.path().join("ranks");
    let private = tempfile::tempdir().unwrap();
    let stdout = ok(&mpirun(
        2,
        &[
            "evolve",
            "--config",
            config,
            "--out",
            ranks.to_str().unwrap(),
            "--quiet",
        ],
    )
    .env("TMPDIR", private.path())
    .output()
    .unwrap());
    assert_eq!(
        stdout.matches("Walk-forward matrix:").count(),
        1,
        "{stdout}"
    );
    for file in [
        "walk_forward_matrix.json",
        "cell-00-00/walk_forward.json",
        "cell-01-01/walk_forward.parquet",
    ] {
        assert!(
            std::fs::read(alone.join(file)).unwrap() == std::fs::read(ranks.join(file)).unwrap(),
            "{file} differs between one process and two ranks"
        );
    }
    for cell in ["cell-00-00", "cell-00-01", "cell-01-00", "cell-01-01"] {
        let file = format!("{cell}/window-00/leaderboard.parquet");
        assert!(
            std::fs::read(alone.join(&file)).unwrap() == std::fs::read(ranks.join(&file)).unwrap(),
            "{file} differs between one process and two ranks"
        );
    }
}

/// The processes of this machine whose environment says they are rank `rank` of an Open MPI job
/// and whose command line holds `marker`.
fn rank_process(rank: usize, marker: &str) -> Option<u32> {
    let wanted = format!("OMPI_COMM_WORLD_RANK={rank}");
    std::fs::read_dir("/proc").ok()?.find_map(|entry| {
        let path = entry.ok()?.path();
        let pid: u32 = path.file_name()?.to_str()?.parse().ok()?;
        let command = std::fs::read(path.join("cmdline")).ok()?;
        let environment = std::fs::read(path.join("environ")).ok()?;
        let has = |bytes: &[u8], text: &str| {
            bytes
                .split(|byte| *byte == 0)
                .any(|part| part == text.as_bytes() || part.ends_with(text.as_bytes()))
        };
        (has(&command, marker) && has(&environment, &wanted)).then_some(pid)
    })
}

#[test]
fn a_killed_rank_ends_the_job_and_resume_finishes_it_to_the_same_bytes() {
    let folder = tempfile::tempdir().unwrap();
    let config = experiment(folder.path(), 12, 40);
    let config = config.to_str().unwrap();
    let straight = folder.path().join("straight");
    ok(&single(&[
        "evolve",
        "--config",
        config,
        "--out",
        straight.to_str().unwrap(),
        "--quiet",
    ]));

    let killed = folder.path().join("killed");
    let killed_text = killed.to_str().unwrap();
    let job = mpirun(
        3,
        &[
            "evolve",
            "--config",
            config,
            "--out",
            killed_text,
            "--quiet",
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    // SIGKILL rank 1 once generation 2 is checkpointed.
    let deadline = Instant::now() + Duration::from_secs(300);
    let pid = loop {
        let done = RunFolder::new(&killed)
            .read_manifest()
            .ok()
            .map(|manifest| manifest.generations_done);
        if done.is_some_and(|generation| generation >= 2)
            && let Some(pid) = rank_process(1, killed_text)
        {
            break pid;
        }
        assert!(
            Instant::now() < deadline,
            "the job never reached generation 2"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    let status = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    // The job ends (MPI's model: a dead rank ends the job), with an error, well before it would
    // have finished.
    let output = job.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("signal 9") || stderr.contains("Killed"),
        "mpirun says which rank died: {stderr}"
    );
    let manifest = RunFolder::new(&killed).read_manifest().unwrap();
    assert_eq!(
        manifest.status,
        RunStatus::Running,
        "the run finished before it could be killed"
    );

    // Resumed on another rank count, it finishes with the bytes of the uninterrupted run.
    let stdout = ok(&mpirun(2, &["evolve", "--resume", killed_text, "--quiet"])
        .output()
        .unwrap());
    assert!(stdout.contains("Evolution against chance"), "{stdout}");
    assert_same_results(&straight, &killed);
}

#[test]
fn a_rank_that_cannot_read_its_data_stops_the_job_with_one_line() {
    let folder = tempfile::tempdir().unwrap();
    let config = experiment(folder.path(), 3, 24);
    // Rank 1 sees a datasets folder whose eurusd-1h file is not there (a node without the shared
    // file system mounted, say).
    let broken = folder.path().join("broken-datasets");
    std::fs::create_dir_all(&broken).unwrap();
    let datasets = repository().join("datasets");
    for entry in std::fs::read_dir(&datasets).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_file() && !name.starts_with("eurusd-1h") {
            std::fs::copy(entry.path(), broken.join(&name)).unwrap();
        }
    }
    let run = folder.path().join("run");
    let arguments = |datasets: &Path| {
        vec![
            "-np".to_string(),
            "1".to_string(),
            env!("CARGO_BIN_EXE_gauntlet").to_string(),
            "evolve".to_string(),
            "--config".to_string(),
            config.to_str().unwrap().to_string(),
            "--out".to_string(),
            run.to_str().unwrap().to_string(),
            "--quiet".to_string(),
            "--datasets-dir".to_string(),
            datasets.to_str().unwrap().to_string(),
        ]
    };
    let started = Instant::now();
    // MPMD: rank 0 with the good folder, rank 1 with the broken one.
    let output = Command::new("mpirun")
        .arg("--oversubscribe")
        .args(arguments(&datasets))
        .arg(":")
        .args(arguments(&broken))
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "the job hung for {:?}",
        started.elapsed()
    );
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("error"))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("error (rank 1 of 2):") && lines[0].contains("eurusd-1h"),
        "{stderr}"
    );
}

#[test]
fn a_study_with_permutations_on_two_ranks_gives_the_bytes_of_one_process() {
    let folder = tempfile::tempdir().unwrap();
    let config = experiment(folder.path(), 2, 16);
    let config = config.to_str().unwrap();
    let arguments = |out: &Path| {
        [
            "study",
            "--config",
            config,
            "--seeds",
            "1",
            "--permutations",
            "2",
            "--out",
            out.to_str().unwrap(),
        ]
        .map(String::from)
    };
    let alone = folder.path().join("alone");
    let arguments_alone = arguments(&alone);
    let arguments_alone: Vec<&str> = arguments_alone.iter().map(String::as_str).collect();
    ok(&single(&arguments_alone));
    let ranks = folder.path().join("ranks");
    let arguments_ranks = arguments(&ranks);
    let arguments_ranks: Vec<&str> = arguments_ranks.iter().map(String::as_str).collect();
    let stdout = ok(&mpirun(2, &arguments_ranks).output().unwrap());
    // Rank 0 alone prints.
    assert_eq!(
        stdout.matches("Permutation test (seed").count(),
        1,
        "{stdout}"
    );
    for file in [
        "study.json",
        "permutations/00000.json",
        "permutations/00002.json",
    ] {
        assert_eq!(
            std::fs::read(alone.join(file)).unwrap(),
            std::fs::read(ranks.join(file)).unwrap(),
            "{file}"
        );
    }
    assert_same_results(&alone.join("seed-1"), &ranks.join("seed-1"));
}
