"""Formula strings as genomes (gauntlet.backtest) and gauntlet.export to the code formats, against
the CLI: the same trades as `gauntlet backtest` on the same genome, the same module text as
`gauntlet export --format F --to -`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import gauntlet
from conftest import REPOSITORY, run_cli

GENOMES = REPOSITORY / "genomes"
RSI_2 = "rsi(close, 2) < 10 and close > sma(close, 200)"


def written_genome(folder: Path, formula: str) -> Path:
    """The genome gauntlet.backtest's documentation says a bare formula makes, written by hand as a
    genome file for the CLI: long only, the formula as entry, its negation as exit, no stops,
    fixed fraction 100%, no leverage."""
    genome = {
        "schema": 1,
        "name": "formula",
        "entry": {
            "direction": "long",
            "logic": {"kind": "formula", "long": formula, "exit_long": f"not ({formula})"},
        },
        "exit": {},
        "sizing": {
            "method": {"method": "fixed_fraction", "fraction_pct": 100.0},
            "max_position_pct": 100.0,
            "leverage_cap": 1.0,
            "max_positions": 1,
        },
    }
    path = folder / "bare-formula.json"
    path.write_text(json.dumps(genome))
    return path


def cli_report(cli: Path, genome: Path) -> dict[str, object]:
    report: dict[str, object] = json.loads(
        run_cli(cli, "backtest", "--dataset", "sp500-1d", "--genome", str(genome), "--json")
    )["datasets"][0]
    return report


def test_a_formula_string_trades_as_the_cli_trades_the_genome_it_documents(cli: Path, tmp_path: Path) -> None:
    expected = cli_report(cli, written_genome(tmp_path, RSI_2))
    result = gauntlet.backtest(gauntlet.load("sp500-1d"), RSI_2)
    assert isinstance(result, gauntlet.BacktestResult)
    mine = result.report
    assert (mine["buys"], mine["sells"]) == (expected["buys"], expected["sells"])
    assert int(mine["buys"]) > 10
    assert mine["metrics"] == expected["metrics"]  # final equity, return, drawdown ... exactly
    reasons = set(result.trades["exit_reason"].to_list())
    assert reasons <= {"formula", "end_of_data"} and "formula" in reasons


def test_a_formula_genome_as_a_dict_trades_as_the_cli_on_its_file(cli: Path) -> None:
    path = GENOMES / "formulas" / "rsi-2-formula.json"
    expected = cli_report(cli, path)
    result = gauntlet.backtest(gauntlet.load("sp500-1d"), json.loads(path.read_text()))
    assert isinstance(result, gauntlet.BacktestResult)
    assert (result.report["buys"], result.report["sells"]) == (expected["buys"], expected["sells"])
    assert result.report["metrics"] == expected["metrics"]
    # The same file given as a path string (ending in .json: a file, not a formula).
    by_path = gauntlet.backtest(gauntlet.load("sp500-1d"), str(path))
    assert isinstance(by_path, gauntlet.BacktestResult)
    assert by_path.report["metrics"] == expected["metrics"]


def test_a_malformed_formula_is_a_genome_error_with_the_cli_message(cli: Path, tmp_path: Path) -> None:
    bad = "rsi(close, 2) < and 3"
    done = subprocess.run(
        [str(cli), "backtest", "--dataset", "sp500-1d", "--genome", str(written_genome(tmp_path, bad))],
        capture_output=True, text=True, check=False, cwd=REPOSITORY,
    )
    assert done.returncode != 0
    # The CLI's words after the file name: `entry.logic.long: formula L:C: ...`.
    message = done.stderr.strip().split(": ", 2)[-1].split(".json: ", 1)[-1]
    assert message.startswith("entry.logic.long: formula 1:"), done.stderr
    with pytest.raises(gauntlet.GenomeError) as raised:
        gauntlet.backtest(gauntlet.load("sp500-1d"), bad)
    assert message in str(raised.value)
    with pytest.raises(gauntlet.GenomeError, match="no such file"):
        gauntlet.backtest(gauntlet.load("sp500-1d"), "no-such-genome.json")


@pytest.mark.parametrize("format", ["python", "pine", "nautilus", "freqtrade"])
@pytest.mark.parametrize(
    "genome", ["champions/quickstart-monthly_performance.json", "formulas/rsi-2-formula.json"]
)
def test_export_gives_the_cli_module(cli: Path, tmp_path: Path, format: str, genome: str) -> None:
    path = GENOMES / genome
    expected = run_cli(cli, "export", "--genome", str(path), "--format", format, "--to", "-", "--force")
    text = gauntlet.export(genome=path, format=format, force=True)  # type: ignore[call-overload]
    assert isinstance(text, str) and text == expected
    # Into a file: the CLI's file of the same name.
    suffix = ".pine" if format == "pine" else ".py"
    cli_file, our_file = tmp_path / "cli" / f"strategy{suffix}", tmp_path / f"strategy{suffix}"
    cli_file.parent.mkdir()
    run_cli(cli, "export", "--genome", str(path), "--format", format, "--to", str(cli_file), "--force")
    written = gauntlet.export(genome=path, format=format, to=our_file, force=True)  # type: ignore[call-overload]
    assert written == our_file and our_file.read_text() == cli_file.read_text()


def test_export_refuses_a_failed_champion_and_an_existing_file(tmp_path: Path) -> None:
    champion = GENOMES / "champions" / "quickstart-monthly_performance.json"
    with pytest.raises(gauntlet.RunError, match="failed the validation gate"):
        gauntlet.export(genome=champion, format="nautilus")
    target = tmp_path / "formula_freqtrade.py"
    target.write_text("mine")
    with pytest.raises(gauntlet.RunError, match="already exists"):
        gauntlet.export(genome=RSI_2, format="freqtrade", to=target)
    assert target.read_text() == "mine"


def test_a_formula_string_exports_as_the_genome_it_makes() -> None:
    code = gauntlet.export(genome=RSI_2, format="nautilus")
    assert code.startswith("#!/usr/bin/env python3\n")
    assert '"long": "rsi(close, 2) < 10 and close > sma(close, 200)"' in code
    assert "FORMULA_EXITS = True" in code and "def gb_rsi(x, n):" in code
