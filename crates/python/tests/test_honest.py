"""gauntlet.validate and gauntlet.study against the CLI's `validate --json` and `study`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import gauntlet
from conftest import REPOSITORY, run_cli


def test_validate_is_the_cli_validate_json(cli: Path) -> None:
    genome = REPOSITORY / "genomes" / "sma-50-200-crossover.json"
    expected = json.loads(
        run_cli(cli, "validate", "--genome", str(genome), "--dataset", "sp500-1d,msft-1d",
                "--trials", "100", "--trial-sharpe-std", "0.02", "--commission-bps", "3", "--json")
    )
    mine = gauntlet.validate(
        genome, ["sp500-1d", "msft-1d"], trials=100, trial_sharpe_std=0.02, commission_bps=3
    )
    assert mine == expected
    with pytest.raises(gauntlet.GauntletError, match="together"):
        gauntlet.validate(genome, "sp500-1d", trials=100)


def test_study_is_the_cli_study(
    cli: Path, experiment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPOSITORY)
    run_cli(cli, "study", "--config", str(experiment), "--seeds", "2", "--generations", "2",
            "--out", str(tmp_path / "cli"))
    folder, summary = gauntlet.study(experiment, seeds=2, generations=2, out=tmp_path / "python")
    assert folder == tmp_path / "python"
    assert len(summary["seeds"]) == 2
    expected = json.loads((tmp_path / "cli" / "study.json").read_text())
    assert summary["p_value"] == expected["p_value"]
    assert summary["verdict"] == expected["verdict"]
    for seed in ("seed-1", "seed-2"):
        left, right = tmp_path / "cli" / seed, folder / seed
        assert (left / "leaderboard.csv").read_bytes() == (right / "leaderboard.csv").read_bytes()
    assert gauntlet.Run.open(folder / "seed-1").verdict is not None
