//! `gauntlet export --format nautilus|freqtrade`, verified trade for trade in the platforms' own
//! backtesters: NautilusTrader's `BacktestEngine` and `freqtrade backtesting` (offline), for the
//! seed genomes and the bundled quickstart champion on three datasets, 105 random genomes (every
//! rule kind, exit, sizing method, direction and account limit) on one of them each, the formula
//! seed `genomes/formulas/rsi-2-formula.json` on each, and 30 random formula genomes (#35; every
//! block, entry and exit formulas) on one of them each: daily S&P 500, hourly EUR/USD (weekend
//! gaps, daily loss limits over UTC days) and hourly BTC/USD; and tf(...) (#29): the seed
//! `genomes/formulas/daily-trend-pullback.json` on EUR/USD and 8 random formulas over 4-hour and
//! daily periods on the hourly data.
//! `scripts/verify_platform_export.py` runs each module's backtest and compares its trades with
//! what `gauntlet backtest --trades-out` says Gauntlet traded (times equal, prices to 1e-9 relative
//! after the platform's documented cost difference, quantities Gauntlet's rounded down to the
//! platform's step, exit reasons equal).
//!
//! Two sizes ([`Scale`]): by default (CI) the seeds and the champion trade the last 3,000 bars of
//! each dataset and the random genomes the last 1,000 of theirs; `GAUNTLET_PLATFORM_CHECK=full`
//! (`scripts/verify-platform-exports.sh`) trades every rule strategy on its whole dataset. At both,
//! the formula seed trades the last 1,000 bars and the random formula genomes the last 500
//! (NautilusTrader's strategy evaluates a formula over the whole history on each bar).
//!
//! Each platform needs its pinned requirements (`scripts/nautilus-requirements.txt`,
//! `scripts/freqtrade-requirements.txt`) in the Python named by `$GAUNTLET_NAUTILUS_PYTHON` or
//! `$GAUNTLET_FREQTRADE_PYTHON` (default `python3`). Each test is skipped without its platform,
//! unless `GAUNTLET_REQUIRE_NAUTILUS` or `GAUNTLET_REQUIRE_FREQTRADE` is set (as in CI, whose
//! `.ci/run` installs both in virtual environments).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use gauntlet_genome::{EntryLogic, Genome, RiskLimits, Rule, SizingMethod};
use rand::SeedableRng;

mod common;
use common::{command, ok, repository};

/// The Python with `package` at `version` named by `$variable` (default `python3`), or `None`
/// (after checking that CI does not require it through `$required`).
fn platform_python(
    variable: &str,
    package: &str,
    version: &str,
    required: &str,
) -> Option<PathBuf> {
    let interpreter = std::env::var_os(variable).map_or("python3".into(), PathBuf::from);
    let check = format!(
        "import importlib.metadata as m, sys; sys.exit(m.version('{package}') != '{version}')"
    );
    let found = Command::new(&interpreter)
        .args(["-c", &check])
        .output()
        .is_ok_and(|output| output.status.success());
    if found {
        return Some(interpreter);
    }
    assert!(
        std::env::var_os(required).is_none(),
        "{required} is set but {} has no {package} {version}",
        interpreter.display()
    );
    eprintln!(
        "skipped: no {package} {version} for {} (see README, 'Export to NautilusTrader and freqtrade')",
        interpreter.display()
    );
    None
}

/// A bundled dataset as CSV (its last `bars` bars when given) and its bars per year.
struct Data {
    csv: PathBuf,
    bars_per_year: f64,
    /// `btcusd-1h (last 1000 bars)`, for the cases' labels.
    label: String,
}

fn export_data(folder: &Path, name: &str, bars: Option<usize>, bars_per_year: f64) -> Data {
    let (csv, label) = match bars {
        Some(bars) => (
            folder.join(format!("{name}-last-{bars}.csv")),
            format!("{name} (last {bars} bars)"),
        ),
        None => (folder.join(format!("{name}.csv")), name.to_string()),
    };
    ok(
        &command(&["data", "export", name, "--to", csv.to_str().unwrap()])
            .output()
            .unwrap(),
    );
    if let Some(bars) = bars {
        let text = std::fs::read_to_string(&csv).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let kept = lines.len().saturating_sub(bars).max(1);
        let mut cut = format!("{}\n", lines[0]);
        for line in &lines[kept..] {
            cut.push_str(line);
            cut.push('\n');
        }
        std::fs::write(&csv, cut).unwrap();
    }
    Data {
        csv,
        bars_per_year,
        label,
    }
}

/// The datasets every scale trades, with their bars per year.
const DATASETS: [(&str, f64); 3] = [
    ("sp500-1d", 252.0),
    ("eurusd-1h", 6_240.0),
    ("btcusd-1h", 8_760.0),
];

/// How much the checks trade.
#[derive(Debug, Clone, Copy)]
struct Scale {
    /// The seeds' and the champion's bars: the last N of each dataset (`None`: all).
    fixed_bars: Option<usize>,
    /// The random genomes' bars: the last N of their dataset (`None`: all).
    random_bars: Option<usize>,
    /// The fewest trades each platform must compare (a floor against comparing nothing).
    minimum_trades: usize,
}

impl Scale {
    /// CI's: the seeds and the champion on the last 3,000 bars (12 years of S&P 500 days, 20
    /// months of EUR/USD hours, 4 months of BTC/USD hours), the random genomes on the last 1,000.
    const CI: Scale = Scale {
        fixed_bars: Some(3_000),
        random_bars: Some(1_000),
        minimum_trades: 2_000,
    };
    /// `GAUNTLET_PLATFORM_CHECK=full`: every strategy on its whole dataset (5,105 S&P 500 days,
    /// 6,225 EUR/USD hours, 20,111 BTC/USD hours).
    const FULL: Scale = Scale {
        fixed_bars: None,
        random_bars: None,
        minimum_trades: 8_000,
    };

    /// The scale `GAUNTLET_PLATFORM_CHECK` names: unset or `ci`, or `full`.
    fn from_environment() -> Scale {
        match std::env::var("GAUNTLET_PLATFORM_CHECK").as_deref() {
            Err(std::env::VarError::NotPresent) | Ok("ci") => Scale::CI,
            Ok("full") => Scale::FULL,
            other => panic!("GAUNTLET_PLATFORM_CHECK is ci or full, not {other:?}"),
        }
    }
}

/// One strategy to verify: a genome on a dataset with costs (commission, spread, slippage in bps).
struct Case {
    label: String,
    genome: Genome,
    data: usize,
    costs: (f64, f64, f64),
}

/// The genome's rule kinds, exits, sizing method, direction and limits, as names (for coverage).
fn features(genome: &Genome) -> Vec<String> {
    let mut names = vec![format!("{:?}", genome.entry.direction)];
    match &genome.entry.logic {
        EntryLogic::Always => names.push("always".into()),
        EntryLogic::Formula(_) => names.push("formula".into()),
        EntryLogic::MultiFactor(_) => names.push("multi_factor".into()),
        EntryLogic::Rules { rules, .. } => {
            for rule in rules {
                let kind = serde_json::to_value(rule).unwrap()["rule"].clone();
                names.push(kind.as_str().unwrap().to_string());
                if let Rule::RsiThreshold { crossing: true, .. } = rule {
                    names.push("rsi_crossing".into());
                }
            }
        }
    }
    let (exit, risk) = (&genome.exit, &genome.risk);
    for (name, present) in [
        ("stop_loss", exit.stop_loss_pct.is_some()),
        ("take_profit", exit.take_profit_pct.is_some()),
        ("trailing_stop", exit.trailing_stop.is_some()),
        ("max_holding_bars", exit.max_holding_bars.is_some()),
        ("channel_exit", exit.channel_exit_bars.is_some()),
        ("opposite_signal", exit.exit_on_opposite_signal),
        ("daily_loss_limit", risk.daily_loss_limit_pct.is_some()),
        ("drawdown_halt", risk.max_drawdown_halt_pct.is_some()),
        ("consecutive_losses", risk.consecutive_loss_limit.is_some()),
    ] {
        if present {
            names.push(name.into());
        }
    }
    names.push(
        match genome.sizing.method {
            SizingMethod::AllIn => "all_in",
            SizingMethod::FixedFraction { .. } => "fixed_fraction",
            SizingMethod::RiskPerTrade { .. } => "risk_per_trade",
            SizingMethod::VolatilityTarget { .. } => "volatility_target",
        }
        .into(),
    );
    names
}

/// Every genome feature the cases must cover.
const FEATURES: &[&str] = &[
    "Long",
    "Short",
    "Both",
    "always",
    "multi_factor",
    "moving_average_cross",
    "price_vs_average",
    "rsi_threshold",
    "rsi_crossing",
    "bollinger_touch",
    "donchian_breakout",
    "roc_momentum",
    "macd_cross",
    "z_score_reversion",
    "volatility_band",
    "trend_regime",
    "stop_loss",
    "take_profit",
    "trailing_stop",
    "max_holding_bars",
    "channel_exit",
    "opposite_signal",
    "daily_loss_limit",
    "drawdown_halt",
    "consecutive_losses",
    "all_in",
    "fixed_fraction",
    "risk_per_trade",
    "volatility_target",
    "formula",
];

/// Random genomes in the cases.
const RANDOM_GENOMES: usize = 105;

/// Random formula genomes in the cases: the first of the set tests/export.rs verifies in
/// backtesting.py and PineTS ([`common::random_formula_genomes`]), on the last [`FORMULA_BARS`]
/// bars of one dataset each, at every scale (NautilusTrader's strategy evaluates the formulas over
/// the whole history on each bar: quadratic in the bars).
const FORMULA_GENOMES: usize = 30;
const FORMULA_BARS: usize = 500;
/// Random formula genomes with `tf("4h", ...)` and `tf("1d", ...)` (#29, #35), drawn as
/// tests/export.rs draws those it verifies in backtesting.py, on the last [`FORMULA_SEED_BARS`]
/// hourly bars of EUR/USD and BTC/USD in turn (six weeks: a daily period completes every 24 bars).
const TF_GENOMES: usize = 8;

/// The bars `genomes/formulas/rsi-2-formula.json` trades on each dataset (the last N: its SMA(200)
/// warms up on the first 200).
const FORMULA_SEED_BARS: usize = 1_000;

/// Where each kind of case trades: indices into the exported data, one per dataset of
/// [`DATASETS`].
struct CaseData {
    /// The seed genomes and the quickstart champion.
    fixed: Vec<usize>,
    /// The random genomes.
    random: Vec<usize>,
    /// `rsi-2-formula.json`.
    formula_seed: Vec<usize>,
    /// The random formula genomes.
    formula: Vec<usize>,
}

/// The seed genomes and the bundled quickstart champion on every dataset (`fixed`), the random
/// genomes on one dataset each (`random`; a tenth of them all-in, which evolution never draws),
/// the formula seed on every dataset (`formula_seed`), and [`FORMULA_GENOMES`] random formula
/// genomes on one dataset each (`formula`; those whose numbers reach an infinity or NaN after their
/// warm-up are left out, as in tests/export.rs).
fn cases(case_data: &CaseData, data: &[Data]) -> Vec<Case> {
    let (fixed_data, random_data) = (&case_data.fixed, &case_data.random);
    let costs = [(0.0, 0.0, 0.0), (10.0, 0.0, 5.0), (5.0, 2.0, 1.0)];
    let mut cases = Vec::new();
    let champion = repository().join("genomes/champions/quickstart-monthly_performance.json");
    let mut fixed = gauntlet_testkit::seed_genomes();
    fixed.push(gauntlet_genome::read_genome_file(&champion).unwrap());
    for (index, genome) in fixed.into_iter().enumerate() {
        for (dataset, &data_index) in fixed_data.iter().enumerate() {
            cases.push(Case {
                label: format!(
                    "{} on {}",
                    genome.name.clone().unwrap_or("quickstart champion".into()),
                    data[data_index].label
                ),
                genome: genome.clone(),
                data: data_index,
                costs: costs[(index + dataset) % costs.len()],
            });
        }
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(35);
    for index in 0..RANDOM_GENOMES {
        let risk = RiskLimits {
            daily_loss_limit_pct: [0, 3].contains(&(index % 5)).then_some(1.5),
            max_drawdown_halt_pct: [1, 3].contains(&(index % 5)).then_some(12.0),
            consecutive_loss_limit: [2, 3].contains(&(index % 5)).then_some(3),
        };
        let mut genome = gauntlet_genome::random_genome(&mut rng, risk);
        genome.name = Some(format!("random-{index}"));
        if index % 10 == 9 {
            genome.sizing.method = SizingMethod::AllIn;
        }
        let data_index = random_data[index % random_data.len()];
        cases.push(Case {
            label: format!("random {index} on {}", data[data_index].label),
            genome,
            data: data_index,
            costs: costs[index % costs.len()],
        });
    }
    let formula_seed = repository().join("genomes/formulas/rsi-2-formula.json");
    let formula_seed = gauntlet_genome::read_genome_file(&formula_seed).unwrap();
    for (dataset, &data_index) in case_data.formula_seed.iter().enumerate() {
        cases.push(Case {
            label: format!("rsi-2-formula on {}", data[data_index].label),
            genome: formula_seed.clone(),
            data: data_index,
            costs: costs[dataset % costs.len()],
        });
    }
    let (mut kept, mut left_out) = (0, Vec::new());
    for (index, genome) in common::random_formula_genomes(FORMULA_GENOMES * 3 / 2)
        .into_iter()
        .enumerate()
    {
        if kept == FORMULA_GENOMES {
            break;
        }
        let data_index = case_data.formula[index % case_data.formula.len()];
        if common::undefined_after_warm_up(&genome, &data[data_index].csv) {
            left_out.push(index);
            continue;
        }
        kept += 1;
        cases.push(Case {
            label: format!("formula {index} on {}", data[data_index].label),
            genome,
            data: data_index,
            costs: costs[index % costs.len()],
        });
    }
    eprintln!(
        "{kept} random formula genomes; {} left out for an infinity or NaN after warm-up: {left_out:?}",
        left_out.len()
    );
    assert_eq!(kept, FORMULA_GENOMES, "too many formulas left out");
    // tf(...) (#29, #35): the daily-trend-pullback seed on EUR/USD hours (the fixed cases' bars),
    // and random formulas over 4-hour and daily periods on hourly data.
    let trend = repository().join("genomes/formulas/daily-trend-pullback.json");
    cases.push(Case {
        label: format!("daily-trend-pullback on {}", data[fixed_data[1]].label),
        genome: gauntlet_genome::read_genome_file(&trend).unwrap(),
        data: fixed_data[1],
        costs: costs[1],
    });
    let hourly = gauntlet_blocks::testing::formula_with_timeframes(vec![
        gauntlet_core::BarInterval::Hours(4),
        gauntlet_core::BarInterval::DAILY,
    ]);
    let (mut kept, mut left_out) = (0, Vec::new());
    let tf_data = &case_data.formula_seed[1..];
    for (index, genome) in
        common::random_formula_genomes_from(TF_GENOMES * 2, 20_261_209, "tf-formula", |_| {
            hourly.clone()
        })
        .into_iter()
        .enumerate()
    {
        if kept == TF_GENOMES {
            break;
        }
        let data_index = tf_data[index % tf_data.len()];
        // The generator may draw formulas without tf: those verify nothing new here.
        let uses_timeframes = match &genome.entry.logic {
            EntryLogic::Formula(entry) => entry.formulas().any(|(_, text)| {
                gauntlet_blocks::Formula::parse(text).is_ok_and(|formula| formula.uses_timeframes())
            }),
            _ => false,
        };
        if !uses_timeframes || common::undefined_after_warm_up(&genome, &data[data_index].csv) {
            left_out.push(index);
            continue;
        }
        kept += 1;
        cases.push(Case {
            label: format!("tf formula {index} on {}", data[data_index].label),
            genome,
            data: data_index,
            costs: costs[index % costs.len()],
        });
    }
    eprintln!(
        "{kept} random tf formula genomes; {} left out without tf or for an infinity or NaN after \
         warm-up: {left_out:?}",
        left_out.len()
    );
    assert_eq!(kept, TF_GENOMES, "too many tf formulas left out");
    let covered: BTreeSet<String> = cases
        .iter()
        .flat_map(|case| features(&case.genome))
        .collect();
    for feature in FEATURES {
        assert!(covered.contains(*feature), "no genome covers {feature}");
    }
    cases
}

/// The cases with their genome files, data and Gauntlet's trades, made once for both tests in
/// `target/tmp/export-platforms` (emptied first; left there to look at after a failure).
struct Prepared {
    folder: PathBuf,
    scale: Scale,
    cases: Vec<Case>,
    data: Vec<Data>,
}

fn prepared() -> &'static Prepared {
    static PREPARED: OnceLock<Prepared> = OnceLock::new();
    PREPARED.get_or_init(|| {
        let scale = Scale::from_environment();
        let folder = Path::new(env!("CARGO_TARGET_TMPDIR")).join("export-platforms");
        if folder.exists() {
            std::fs::remove_dir_all(&folder).unwrap();
        }
        std::fs::create_dir_all(&folder).unwrap();
        // Each (dataset, bars) exported once: the fixed and the random cases share it when equal.
        let mut data: Vec<Data> = Vec::new();
        let mut exported: Vec<(&str, Option<usize>)> = Vec::new();
        let mut data_for = |bars: Option<usize>| -> Vec<usize> {
            DATASETS
                .iter()
                .map(|&(name, bars_per_year)| {
                    if let Some(index) = exported.iter().position(|&key| key == (name, bars)) {
                        return index;
                    }
                    exported.push((name, bars));
                    data.push(export_data(&folder, name, bars, bars_per_year));
                    data.len() - 1
                })
                .collect()
        };
        let case_data = CaseData {
            fixed: data_for(scale.fixed_bars),
            random: data_for(scale.random_bars),
            formula_seed: data_for(Some(FORMULA_SEED_BARS)),
            formula: data_for(Some(FORMULA_BARS)),
        };
        let cases = cases(&case_data, &data);
        per_case(&cases, |index, case| {
            let stem = folder.join(format!("case-{index}"));
            std::fs::write(stem.with_extension("json"), case.genome.to_json()).unwrap();
            gauntlet_trades(&stem, case, &data[case.data]);
        });
        Prepared {
            folder,
            scale,
            cases,
            data,
        }
    })
}

/// `gauntlet backtest` of `<stem>.json` on `data` with the case's costs into `<stem>-trades.csv`.
fn gauntlet_trades(stem: &Path, case: &Case, data: &Data) {
    let (commission, spread, slippage) = case.costs;
    let number = |value: f64| value.to_string();
    let genome = stem.with_extension("json");
    let trades = PathBuf::from(format!("{}-trades.csv", stem.display()));
    ok(&command(&[
        "backtest",
        "--genome",
        genome.to_str().unwrap(),
        "--data",
        data.csv.to_str().unwrap(),
        "--bars-per-year",
        &number(data.bars_per_year),
        "--commission-bps",
        &number(commission),
        "--spread-bps",
        &number(spread),
        "--slippage-bps",
        &number(slippage),
        "--trades-out",
        trades.to_str().unwrap(),
    ])
    .output()
    .unwrap());
}

/// Runs `make` over the cases, two threads at a time, in case order.
fn per_case<T: Send>(cases: &[Case], make: impl Fn(usize, &Case) -> T + Sync) -> Vec<T> {
    std::thread::scope(|scope| {
        let make = &make;
        let size = cases.len().div_ceil(2);
        let workers: Vec<_> = cases
            .chunks(size)
            .enumerate()
            .map(|(worker, chunk)| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .enumerate()
                        .map(|(index, case)| make(worker * size + index, case))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap())
            .collect()
    })
}

/// Exports every case to `format`, checking the export's `note:` lines, and runs the verifier with
/// `python`; asserts every strategy traded as in Gauntlet, with enough trades and every exit reason.
fn verify(python: &Path, format: &str) {
    let prepared = prepared();
    let folder = prepared.folder.as_path();
    let lines = per_case(&prepared.cases, |index, case| {
        let stem = folder.join(format!("case-{index}"));
        let data = &prepared.data[case.data];
        let module = folder.join(format!("case-{index}_{format}.py"));
        let output = command(&[
            "export",
            "--genome",
            stem.with_extension("json").to_str().unwrap(),
            "--format",
            format,
            "--to",
            module.to_str().unwrap(),
            "--bars-per-year",
            &data.bars_per_year.to_string(),
            "--force",
        ])
        .output()
        .unwrap();
        ok(&output);
        // The module declares its data's timeframe (freqtrade's, from the bars per year): `1h`
        // for `eurusd-1h`, as the runner reads it from the bars' spacing.
        if format == "freqtrade" {
            let declared = data
                .label
                .split(' ')
                .next()
                .unwrap()
                .rsplit('-')
                .next()
                .unwrap();
            let code = std::fs::read_to_string(&module).unwrap();
            assert!(
                code.contains(&format!("TIMEFRAME = \"{declared}\"")),
                "{}: not {declared}",
                case.label
            );
        }
        let notes = String::from_utf8_lossy(&output.stderr);
        assert!(
            notes
                .lines()
                .filter(|line| line.starts_with("note: in "))
                .count()
                >= 5,
            "{notes}"
        );
        let (commission, spread, slippage) = case.costs;
        serde_json::json!({
            "label": case.label,
            "module": module,
            "data": data.csv,
            "trades": PathBuf::from(format!("{}-trades.csv", stem.display())),
            "parameters": {
                "commission_bps": commission,
                "spread_bps": spread,
                "slippage_bps": slippage,
                "initial_capital": 100_000.0,
                "bars_per_year": data.bars_per_year,
            },
        })
        .to_string()
    });
    let manifest = folder.join(format!("{format}-manifest.jsonl"));
    std::fs::write(&manifest, lines.join("\n")).unwrap();
    let output = Command::new(python)
        .arg(repository().join("scripts/verify_platform_export.py"))
        .args(["--platform", format, "--jobs", "2"])
        .arg(&manifest)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    eprintln!("{report}{}", String::from_utf8_lossy(&output.stderr));
    let total = lines.len();
    assert!(
        output.status.success()
            && report.contains(&format!(
                "{total} of {total} exported strategies traded as in Gauntlet"
            )),
        "{format} disagreed with Gauntlet (modules, data and trades in {}): {report}",
        folder.display()
    );
    let trades: usize = report
        .split(" trades compared")
        .next()
        .and_then(|head| head.rsplit(' ').next())
        .and_then(|count| count.parse().ok())
        .unwrap_or(0);
    let minimum = prepared.scale.minimum_trades;
    assert!(
        trades >= minimum,
        "only {trades} trades compared ({minimum} at least)"
    );
    let by_reason = report
        .lines()
        .find(|line| line.starts_with("exits compared by reason:"))
        .unwrap_or_default();
    for reason in [
        "stop_loss",
        "take_profit",
        "trailing_stop",
        "signal",
        "time_exit",
        "risk_halt",
        "end_of_data",
        "formula",
    ] {
        assert!(
            by_reason.contains(&format!("{reason} ")),
            "no {reason} exit compared: {report}"
        );
    }
}

#[test]
fn exported_strategies_trade_as_in_gauntlet_in_nautilus_trader() {
    let Some(python) = platform_python(
        "GAUNTLET_NAUTILUS_PYTHON",
        "nautilus_trader",
        gauntlet_report::NAUTILUS_VERSION,
        "GAUNTLET_REQUIRE_NAUTILUS",
    ) else {
        return;
    };
    verify(&python, "nautilus");
}

#[test]
fn exported_strategies_trade_as_in_gauntlet_in_freqtrade() {
    let Some(python) = platform_python(
        "GAUNTLET_FREQTRADE_PYTHON",
        "freqtrade",
        gauntlet_report::FREQTRADE_VERSION,
        "GAUNTLET_REQUIRE_FREQTRADE",
    ) else {
        return;
    };
    verify(&python, "freqtrade");
}

/// Both formats keep the other exports' rules: a champion that failed the validation gate is
/// refused without `--force` (and carries the warning with it), a file is not replaced without
/// `--force`, `-` is standard output, and files are written through links with the umask's mode.
#[cfg(unix)]
#[test]
fn platform_exports_keep_the_gate_and_the_file_rules() {
    use std::os::unix::fs::PermissionsExt;
    let folder = tempfile::tempdir().unwrap();
    let champion = repository().join("genomes/champions/quickstart-monthly_performance.json");
    let seed = repository().join("genomes/rsi-2-mean-reversion.json");
    for format in ["nautilus", "freqtrade"] {
        let module = folder.path().join(format!("champion_{format}.py"));
        let export = |genome: &Path, extra: &[&str]| {
            let arguments = [
                "export",
                "--genome",
                genome.to_str().unwrap(),
                "--format",
                format,
                "--to",
                module.to_str().unwrap(),
            ];
            command(&[&arguments[..], extra].concat()).output().unwrap()
        };
        let refused = export(&champion, &[]);
        let message = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(refused.status.code(), Some(2), "{message}");
        assert!(
            message.contains("failed the validation gate") && message.contains("--force"),
            "{message}"
        );
        assert!(!module.exists());
        let forced = export(&champion, &["--force"]);
        ok(&forced);
        let code = std::fs::read_to_string(&module).unwrap();
        assert!(code.contains("THIS CHAMPION FAILED GAUNTLET'S VALIDATION GATE"));
        assert!(code.contains("Provenance:") && code.contains("fingerprint"));
        // Not replaced without --force.
        let again = export(&seed, &[]);
        assert_eq!(again.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
        assert!(std::fs::read_to_string(&module).unwrap().contains("FAILED"));
        // `-`: the module on standard output, the notes on standard error, no file.
        let output = command(&[
            "export",
            "--genome",
            seed.to_str().unwrap(),
            "--format",
            format,
            "--to",
            "-",
        ])
        .output()
        .unwrap();
        let stdout = ok(&output);
        assert!(
            stdout.starts_with("#!/usr/bin/env python3\n"),
            "{stdout:.80}"
        );
        assert!(stdout.contains("Validation gate: NOT CHECKED"));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.lines().all(|line| line.starts_with("note: in ")),
            "{stderr}"
        );
        // A new file takes the umask's mode; through a link, the link stays and its target (which
        // keeps its own mode) gets the module.
        let fresh = folder.path().join(format!("fresh_{format}.py"));
        let real = folder.path().join(format!("real_{format}.py"));
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = folder.path().join(format!("link_{format}.py"));
        std::os::unix::fs::symlink(&real, &link).unwrap();
        for (to, force) in [(&fresh, ""), (&link, "--force")] {
            let output = Command::new("sh")
                .arg("-c")
                .arg(format!(
                    "umask 027; '{}' export --genome '{}' --format {format} --to '{}' {force}",
                    env!("CARGO_BIN_EXE_gauntlet"),
                    seed.display(),
                    to.display()
                ))
                .output()
                .unwrap();
            ok(&output);
        }
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&fresh), 0o640, "{:o}", mode(&fresh));
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(
            std::fs::read_to_string(&real)
                .unwrap()
                .contains("rsi-2-mean-reversion")
        );
        assert_eq!(mode(&real), 0o600, "{:o}", mode(&real));
    }
}
