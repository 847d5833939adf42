//! `gauntlet report` and the report `gauntlet evolve` writes, end to end through the real binary:
//! the page's structure and numbers against the run's Parquet tables, escaping of hostile names, no
//! external resource, and (where Chromium is installed; CI installs it and sets
//! `GAUNTLET_REQUIRE_BROWSER=1`) a real headless browser rendering it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use gauntlet_run::tables::{ChampionRow, ComparisonRow, Leaderboard, TradeRow, read_rows};
use gauntlet_tournament::Category;

mod common;
use common::{chromium, headless, ok, repository, small_experiment};

fn gauntlet(datasets: &Path, arguments: &[&str]) -> Output {
    gauntlet_command(datasets, arguments)
        .output()
        .expect("the binary runs")
}

/// The binary with `arguments` and the datasets folder, to run.
fn gauntlet_command(datasets: &Path, arguments: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gauntlet"));
    command.args(arguments).arg("--datasets-dir").arg(datasets);
    command
}

fn experiment(folder: &Path, datasets: &[&str]) -> PathBuf {
    small_experiment(folder, "report-test", 11, 3, 30, datasets)
}

/// One small run shared by the tests of this file: (temporary folder kept alive, run folder).
fn shared_run() -> &'static (tempfile::TempDir, PathBuf) {
    static RUN: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    RUN.get_or_init(|| {
        let folder = tempfile::tempdir().unwrap();
        let config = experiment(folder.path(), &["sp500-1d", "eurusd-1h"]);
        let run = folder.path().join("run");
        let stdout = ok(&gauntlet(
            &repository().join("datasets"),
            &[
                "evolve",
                "--quiet",
                "--config",
                config.to_str().unwrap(),
                "--out",
                run.to_str().unwrap(),
            ],
        ));
        assert!(stdout.contains("Report: "), "{stdout}");
        (folder, run)
    })
}

/// The text between `start` (inclusive) and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start} not found"));
    let rest = &text[from..];
    let to = rest.find(end).unwrap_or(rest.len());
    &rest[..to]
}

/// The `data-value` attributes of one table row, in order.
fn data_values(row: &str) -> Vec<String> {
    row.split("data-value=\"")
        .skip(1)
        .map(|part| part[..part.find('"').unwrap()].to_string())
        .collect()
}

#[test]
fn the_report_shows_the_runs_tables_and_nothing_external() {
    let (_, run) = shared_run();
    let html = std::fs::read_to_string(run.join("index.html")).unwrap();
    for section in [
        "id=\"summary\"",
        "id=\"leaderboard\"",
        "id=\"champions\"",
        "id=\"evolution\"",
        "id=\"capital\"",
        "id=\"lineage\"",
        "id=\"champion-monthly_performance\"",
    ] {
        assert!(html.contains(section), "{section} missing");
    }
    // Self-contained: no address of any kind, no external script, style sheet or image, apart
    // from the vendored charting library, inlined byte for byte (its licence header names the
    // licence's address and its attribution logo links to TradingView; it loads nothing).
    let library = include_str!(
        "../crates/report/vendor/lightweight-charts/lightweight-charts.standalone.production.js"
    );
    assert_eq!(html.matches(library).count(), 1, "the library inlined once");
    let own = html.replace(library, "");
    for forbidden in ["http:", "https:", "<link", " src=", "url(", "@import"] {
        assert!(!own.contains(forbidden), "the page contains {forbidden}");
    }
    assert_eq!(
        own.matches("<script").count(),
        4,
        "the page's script, the library, the price data and the chart script"
    );
    assert_eq!(
        own.matches("<script type=\"application/json\" id=\"price-data\">")
            .count(),
        1
    );
    // Three evolution charts, equity and drawdown for each of two symbols, the capital chart.
    let charts = 3 + 2 * 2 + 1;
    assert!(html.matches("<svg").count() >= charts, "charts missing");

    // The run category's leaderboard rows equal leaderboard.parquet's rows of the same ids,
    // bit for bit, and in its rank order.
    let table = Leaderboard::read(&run.join("leaderboard.parquet")).unwrap();
    let ids: Vec<&String> = table.rows.iter().map(|row| &row.id).collect();
    let fitness = table
        .fitness_in(Category::MonthlyPerformance, Category::MonthlyPerformance)
        .unwrap();
    let sharpe: Vec<Option<f64>> = table.rows.iter().map(|row| row.metric("sharpe")).collect();
    let drawdown: Vec<Option<f64>> = table
        .rows
        .iter()
        .map(|row| row.metric("max_drawdown"))
        .collect();
    let board = between(&html, "data-category=\"monthly_performance\"", "</details>");
    let body = between(board, "<tbody>", "</tbody>");
    let rows: Vec<&str> = body.split("<tr>").skip(1).collect();
    assert_eq!(rows.len(), 25, "the default shows 25 rows");
    let mut previous = f64::INFINITY;
    for row in &rows {
        let id = between(row, "<td class=\"text \">", "</td>")
            .trim_start_matches("<td class=\"text \">")
            .to_string();
        let index = ids.iter().position(|other| **other == id).unwrap();
        let values = data_values(row);
        // rank, generation, island, fitness, then Sharpe, Sortino, CAGR, max drawdown...
        let value = |position: usize| values[position].parse::<f64>().unwrap();
        assert_eq!(Some(value(3)), fitness[index], "fitness of {id}");
        assert_eq!(Some(value(4)), sharpe[index], "Sharpe of {id}");
        assert_eq!(Some(value(7)), drawdown[index], "max drawdown of {id}");
        assert!(value(3) <= previous, "rows in rank order");
        previous = value(3);
    }

    // The champion's trade counts are those of its trade table.
    let trades: Vec<TradeRow> =
        read_rows(&run.join("champions/monthly_performance-trades.parquet")).unwrap();
    let parts: Vec<&str> = trades.iter().map(|trade| trade.part.as_str()).collect();
    let champion = between(&html, "id=\"champion-monthly_performance\"", "</article>");
    for part in ["in_sample", "validation", "holdout"] {
        let count = parts.iter().filter(|other| **other == part).count();
        assert!(
            champion.contains(&format!(" of {count} {part}")),
            "{part}: {count} trades not reported"
        );
    }
    // The champion's validation fitness (champions.parquet) is shown, rounded to 4 decimals.
    let champions: Vec<ChampionRow> = read_rows(&run.join("champions.parquet")).unwrap();
    let row = champions
        .iter()
        .find(|row| row.category == "monthly_performance")
        .unwrap();
    let shown = format!("<td>{:.4}</td>", row.validation_fitness.unwrap());
    assert!(
        champion.contains(&shown),
        "{shown} not in the champion page"
    );
}

#[test]
fn gauntlet_report_rebuilds_the_page() {
    let (_, run) = shared_run();
    let copy = tempfile::tempdir().unwrap();
    for name in [
        "run.json",
        "config.toml",
        "leaderboard.parquet",
        "generations.parquet",
        "capital.parquet",
    ] {
        std::fs::copy(run.join(name), copy.path().join(name)).unwrap();
    }
    // A run without champions yet (as while it runs) still gets a page.
    let stdout = ok(&gauntlet(
        &repository().join("datasets"),
        &["report", copy.path().to_str().unwrap(), "--top", "7"],
    ));
    assert!(stdout.contains("index.html"), "{stdout}");
    let html = std::fs::read_to_string(copy.path().join("index.html")).unwrap();
    assert!(html.contains("No champions yet"));
    let board = between(&html, "data-category=\"monthly_performance\"", "</details>");
    assert_eq!(board.matches("<tr>").count(), 8, "a header and 7 rows");

    let missing = gauntlet(
        &repository().join("datasets"),
        &["report", "/nonexistent/run"],
    );
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("/nonexistent/run") && stderr.contains("run.json"),
        "{stderr}"
    );
}

#[test]
fn a_universe_past_the_bound_is_summarised_with_links_to_every_symbol() {
    let (_, run) = shared_run();
    let copy = tempfile::tempdir().unwrap();
    let status = Command::new("cp")
        .arg("-r")
        .arg(run)
        .arg(copy.path().join("run"))
        .status()
        .unwrap();
    assert!(status.success());
    let run = copy.path().join("run");
    // Two symbols, a page bound of one: the second is summarised, its figures left to the tables.
    let options = gauntlet_report::ReportOptions {
        max_symbols: 1,
        ..gauntlet_report::ReportOptions::default()
    };
    let page = gauntlet_report::write_report(&run, &options).unwrap();
    let html = std::fs::read_to_string(page).unwrap();
    assert!(
        html.contains("shows the first 1 symbols in full; 1 more are left out"),
        "no summary"
    );
    // The template escapes `/` as `&#x2f;` inside the link (a browser reads it back as `/`).
    assert!(html.contains("monthly_performance-equity.parquet\">"));
    assert!(html.contains("<option value=\"sp500-1d\">"));
    assert!(!html.contains("<option value=\"eurusd-1h\">"));
    let bounded = html.len();
    let default =
        gauntlet_report::write_report(&run, &gauntlet_report::ReportOptions::default()).unwrap();
    let html = std::fs::read_to_string(default).unwrap();
    assert!(!html.contains("more are left out"));
    assert!(html.contains("<option value=\"eurusd-1h\">"));
    assert!(bounded < html.len(), "the bounded page is the smaller");
}

#[test]
fn a_hostile_symbol_is_escaped() {
    let folder = tempfile::tempdir().unwrap();
    let datasets = folder.path().join("datasets");
    std::fs::create_dir_all(&datasets).unwrap();
    let csv = folder.path().join("spx.csv");
    ok(&gauntlet(
        &repository().join("datasets"),
        &["data", "export", "sp500-1d", "--to", csv.to_str().unwrap()],
    ));
    let hostile = "<script>alert(1)</script>";
    ok(&gauntlet(
        &datasets,
        &[
            "data",
            "import",
            csv.to_str().unwrap(),
            "--name",
            "hostile-1d",
            "--symbol",
            hostile,
            "--asset-class",
            "index",
        ],
    ));
    let config = experiment(folder.path(), &["hostile-1d"]);
    let run = folder.path().join("run");
    ok(&gauntlet(
        &datasets,
        &[
            "evolve",
            "--quiet",
            "--config",
            config.to_str().unwrap(),
            "--out",
            run.to_str().unwrap(),
        ],
    ));
    let html = std::fs::read_to_string(run.join("index.html")).unwrap();
    assert!(
        !html.contains(hostile),
        "the symbol went into the page unescaped"
    );
    // minijinja's HTML escaping (it also escapes the slash).
    assert!(
        html.contains("<td class=\"text \">&lt;script&gt;alert(1)&lt;&#x2f;script&gt;</td>"),
        "the symbol is not in the universe table, escaped"
    );
    // The page's script, the library, the price data and the chart script: nothing the symbol
    // added.
    assert_eq!(
        html.matches("<script").count(),
        4,
        "only the page's own scripts"
    );
}

#[test]
fn the_report_renders_in_a_real_browser() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var("GAUNTLET_REQUIRE_BROWSER").is_err(),
            "GAUNTLET_REQUIRE_BROWSER is set but no Chromium was found"
        );
        eprintln!("skipped: no Chromium here (CI installs it and requires this test)");
        return;
    };
    let (_, run) = shared_run();
    let page = run.join("index.html");
    // The DOM after the page's script ran: it marks the body ready and counts script errors.
    let dom = headless(&browser, &["--dump-dom"], &page);
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    let stderr = String::from_utf8_lossy(&dom.stderr);
    assert!(dom.status.success(), "{stderr}");
    assert!(
        dom_text.contains("data-ready=\"yes\""),
        "the script did not run: {stderr}"
    );
    assert!(
        !dom_text.contains("data-script-errors=\""),
        "script errors: {stderr}"
    );
    assert!(!stderr.contains("Uncaught"), "console errors: {stderr}");
    assert!(
        dom_text.contains("data-sortable-tables=\""),
        "no sortable tables"
    );
    assert!(
        dom_text.matches("<svg").count() >= 5,
        "charts missing from the DOM"
    );
    // Every champion's price chart drew a marker at the entry and at the exit of each of its
    // trades on the symbol shown: as many trades as its trade table has on that symbol.
    let charts: Vec<&str> = dom_text
        .split("<div class=\"price-chart\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('>').unwrap()])
        .collect();
    assert!(!charts.is_empty(), "no price chart");
    let attribute = |tag: &str, name: &str| -> String {
        let start = tag
            .find(&format!("{name}=\""))
            .unwrap_or_else(|| panic!("{name} missing in {tag}"))
            + name.len()
            + 2;
        tag[start..start + tag[start..].find('"').unwrap()].to_string()
    };
    for tag in &charts {
        let category = attribute(tag, "data-category");
        let symbol = attribute(tag, "data-symbol");
        let trades: Vec<TradeRow> =
            read_rows(&run.join(format!("champions/{category}-trades.parquet"))).unwrap();
        let expected = trades
            .iter()
            .filter(|trade| trade.dataset == symbol)
            .count();
        assert!(expected > 0, "{category} never traded {symbol}");
        assert_eq!(attribute(tag, "data-trades"), expected.to_string(), "{tag}");
        assert_eq!(
            attribute(tag, "data-markers"),
            (2 * expected).to_string(),
            "{tag}"
        );
    }

    let screenshot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-screenshot.png");
    let _ = std::fs::remove_file(&screenshot);
    let shot = headless(
        &browser,
        &[
            &format!("--screenshot={}", screenshot.display()),
            "--window-size=1280,8000",
        ],
        &page,
    );
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&screenshot).expect("a screenshot"),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    assert_eq!((frame.width, frame.height), (1280, 8000));
    let channels = frame.color_type.samples();
    let bytes = &pixels[..frame.buffer_size()];
    let mut colours = std::collections::BTreeSet::new();
    let mut non_white = 0usize;
    // The first champion's candles, in the chart's up and down colours (#26a69a, #ef5350).
    let (mut up_candles, mut down_candles) = (0usize, 0usize);
    for pixel in bytes.chunks(channels) {
        let rgb = (pixel[0], pixel[1], pixel[2]);
        if rgb != (255, 255, 255) {
            non_white += 1;
        }
        up_candles += usize::from(rgb == (0x26, 0xa6, 0x9a));
        down_candles += usize::from(rgb == (0xef, 0x53, 0x50));
        colours.insert(rgb);
    }
    assert!(
        up_candles > 500 && down_candles > 500,
        "no candles drawn: {up_candles} up and {down_candles} down pixels"
    );
    let total = (frame.width * frame.height) as usize;
    assert!(
        non_white * 10 > total,
        "mostly blank: {non_white} of {total} pixels drawn"
    );
    assert!(colours.len() > 50, "only {} colours", colours.len());
    eprintln!("screenshot: {}", screenshot.display());
}

#[test]
fn compare_runs_each_category_and_cross_scores_the_champions() {
    let folder = tempfile::tempdir().unwrap();
    let config = experiment(folder.path(), &["sp500-1d", "eurusd-1h"]);
    let out = folder.path().join("compare");
    let stdout = ok(&gauntlet(
        &repository().join("datasets"),
        &[
            "compare",
            "--config",
            config.to_str().unwrap(),
            "--categories",
            "monthly_performance,risk_management",
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    assert!(stdout.contains("Comparison report: "), "{stdout}");
    let table: Vec<ComparisonRow> = read_rows(&out.join("comparison.parquet")).unwrap();
    // Two champions x seven measures (the seven categories, #32's excess over buy-and-hold the
    // seventh) x two parts.
    assert_eq!(table.len(), 2 * 7 * 2);
    for category in ["monthly_performance", "risk_management"] {
        let run = out.join(category);
        assert!(run.join("index.html").is_file(), "{category} has no report");
        // Re-scored on its own measure, a champion has the validation and holdout fitness its run
        // reported when it chose it.
        let champions: Vec<ChampionRow> = read_rows(&run.join("champions.parquet")).unwrap();
        let row = champions
            .iter()
            .find(|row| row.category == category)
            .unwrap();
        for (part_name, expected) in [
            ("validation", row.validation_fitness),
            ("holdout", row.holdout_fitness),
        ] {
            let cell = table
                .iter()
                .find(|cell| {
                    cell.champion_category == category
                        && cell.measure == category
                        && cell.part == part_name
                })
                .unwrap();
            assert_eq!(cell.fitness, expected, "{category} on {part_name}");
        }
    }
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    for section in ["id=\"matrix\"", "id=\"equity\"", "id=\"rules\""] {
        assert!(html.contains(section), "{section} missing");
    }
    assert_eq!(
        html.matches("data-part=").count(),
        2,
        "validation and holdout"
    );
    assert!(
        html.matches("<svg").count() >= 2,
        "an equity chart per symbol"
    );
    assert!(!html.contains("http:") && !html.contains("https:"));

    let bad = gauntlet(
        &repository().join("datasets"),
        &["compare", "--categories", "monthly_performance,speed"],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("speed"));

    // The same comparison as a job array without MPI: share 1 of 2, then share 0 of 2 (its index
    // from Slurm's variables, as an array task sees them), each into the shared folder; then the
    // merge writes the same comparison table, byte for byte.
    let sharded = folder.path().join("sharded");
    let compare = |extra: &[&str]| {
        let mut arguments = vec![
            "compare",
            "--config",
            config.to_str().unwrap(),
            "--categories",
            "monthly_performance,risk_management",
        ];
        arguments.extend_from_slice(extra);
        gauntlet_command(&repository().join("datasets"), &arguments)
    };
    let stdout = ok(
        &compare(&["--shard", "1/2", "--out", sharded.to_str().unwrap()])
            .output()
            .unwrap(),
    );
    assert!(stdout.contains("Share 1 of 2 done"), "{stdout}");
    assert!(sharded.join("risk_management/index.html").is_file());
    assert!(!sharded.join("monthly_performance").exists());
    assert!(!sharded.join("comparison.parquet").exists());
    // Merging before every share is done names the missing run.
    let early = compare(&["--merge", sharded.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&early.stderr);
    assert_eq!(early.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("monthly_performance run is missing"),
        "{stderr}"
    );
    ok(
        &compare(&["--shard", "env/2", "--out", sharded.to_str().unwrap()])
            .env("SLURM_ARRAY_TASK_ID", "1")
            .env("SLURM_ARRAY_TASK_MIN", "1")
            .output()
            .unwrap(),
    );
    let stdout = ok(&compare(&["--merge", sharded.to_str().unwrap()])
        .output()
        .unwrap());
    assert!(stdout.contains("Comparison report: "), "{stdout}");
    for file in [
        "comparison.parquet",
        "monthly_performance/leaderboard.parquet",
        "risk_management/champions.parquet",
    ] {
        assert!(
            std::fs::read(out.join(file)).unwrap() == std::fs::read(sharded.join(file)).unwrap(),
            "{file} differs between the comparison in one go and the merged shards"
        );
    }
    assert!(sharded.join("index.html").is_file());
    // A share needs the shared folder named.
    let no_out = compare(&["--shard", "0/2"]).output().unwrap();
    assert!(!no_out.status.success());
    assert!(String::from_utf8_lossy(&no_out.stderr).contains("--out"));
}

#[test]
fn a_study_with_permutations_shows_the_test_and_its_shares_merge_to_the_same_bytes() {
    let folder = tempfile::tempdir().unwrap();
    let config = small_experiment(folder.path(), "perm-test", 3, 2, 16, &["sp500-1d"]);
    // 2010 to 2015 (about 1,500 bars) and a light gate: the seed's run finishes in moments.
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "output_dir",
        "data_window = [1262304000000, 1420070400000]\noutput_dir",
    ) + "\n[gate]\nmonte_carlo_paths = 50\npbo_trials = 10\nnoise_copies = 2\ndegraded_paths = 10\ndata_snooping_draws = 0\n";
    std::fs::write(&config, text).unwrap();
    let study = |extra: &[&str]| {
        let mut arguments = vec![
            "study",
            "--config",
            config.to_str().unwrap(),
            "--seeds",
            "1",
            "--first-seed",
            "3",
        ];
        arguments.extend_from_slice(extra);
        gauntlet_command(&repository().join("datasets"), &arguments)
    };
    let whole = folder.path().join("whole");
    let stdout = ok(
        &study(&["--permutations", "3", "--out", whole.to_str().unwrap()])
            .output()
            .unwrap(),
    );
    assert!(stdout.contains("permutation 3 of 3:"), "{stdout}");
    assert!(
        stdout.contains("Permutation test (seed 3, 3 permutations"),
        "{stdout}"
    );
    let html = std::fs::read_to_string(whole.join("index.html")).unwrap();
    let section = between(&html, "<section id=\"permutation\">", "</section>");
    // Two histograms (best in-sample, champion's validation), the real search marked in each.
    assert_eq!(section.matches("<svg").count(), 2, "{section}");
    assert!(section.contains("the real search"));

    // As a job array: share 1 of 2, share 0 of 2, then the merge: the same study.json.
    let sharded = folder.path().join("sharded");
    for share in ["1/2", "0/2"] {
        let stdout = ok(&study(&[
            "--permutations",
            "3",
            "--shard",
            share,
            "--out",
            sharded.to_str().unwrap(),
        ])
        .output()
        .unwrap());
        assert!(stdout.contains("gauntlet study --merge"), "{stdout}");
    }
    assert!(!sharded.join("study.json").exists());
    let stdout = ok(&study(&["--merge", sharded.to_str().unwrap()])
        .output()
        .unwrap());
    assert!(stdout.contains("Permutation test (seed 3"), "{stdout}");
    assert_eq!(
        std::fs::read(whole.join("study.json")).unwrap(),
        std::fs::read(sharded.join("study.json")).unwrap()
    );
    // Above the documented maximum: refused before any work, the flag named.
    let refused = study(&[
        "--permutations",
        "10001",
        "--out",
        folder.path().join("no").to_str().unwrap(),
    ])
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("study.permutations") && stderr.contains("10000"),
        "{stderr}"
    );
    assert!(!folder.path().join("no").exists());
}
