//! `gauntlet portfolio`: uncorrelated champions across runs, weighted, written as a portfolio file.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use gauntlet_jobs::portfolio::{PortfolioRequest, PortfolioWeighting, build_portfolio};

/// How the members are weighted.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum WeightsArg {
    /// `1 / n` each.
    Equal,
    /// Inverse volatility of the validation daily returns.
    InverseVolatility,
}

/// `gauntlet portfolio RUN [RUN...] --max-correlation R --out FILE`.
#[derive(Debug, Args)]
pub struct PortfolioArgs {
    /// Run folders whose champions are candidates (1 to 64; a run's six categories each give one).
    #[arg(required = true)]
    runs: Vec<PathBuf>,
    /// The largest correlation of two members' daily returns on validation, in [-1, 1].
    #[arg(long, allow_hyphen_values = true)]
    max_correlation: f64,
    /// How the members are weighted.
    #[arg(long, value_enum, default_value = "equal")]
    weights: WeightsArg,
    /// Most members (1 to 100).
    #[arg(long, default_value_t = 10)]
    max_members: usize,
    /// The portfolio file to write (`-`: standard output).
    #[arg(long)]
    out: PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    force: bool,
}

/// Runs `gauntlet portfolio`.
///
/// # Errors
/// A bound broken, an existing `--out` without `--force`, a run folder missing or malformed.
pub fn run(arguments: PortfolioArgs) -> anyhow::Result<()> {
    gauntlet_data::check_output_file(&arguments.out, arguments.force)?;
    let request = PortfolioRequest {
        runs: arguments.runs,
        max_correlation: arguments.max_correlation,
        weighting: match arguments.weights {
            WeightsArg::Equal => PortfolioWeighting::Equal,
            WeightsArg::InverseVolatility => PortfolioWeighting::InverseVolatility,
        },
        max_members: arguments.max_members,
    };
    let portfolio = build_portfolio(&request)?;
    let text = format!(
        "{}\n",
        serde_json::to_string_pretty(&portfolio).context("writing the portfolio as JSON")?
    );
    let to_stdout = arguments.out == std::path::Path::new("-");
    let report = portfolio.describe();
    if to_stdout {
        std::io::stdout().write_all(text.as_bytes())?;
        eprint!("{report}");
    } else {
        gauntlet_data::write_bytes_atomically(&arguments.out, text.as_bytes())?;
        print!("{report}");
        println!("Written to {}", arguments.out.display());
    }
    Ok(())
}
