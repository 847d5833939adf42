"""The README's "From Python" example runs (its evolve made small, its folders temporary)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import gauntlet
from conftest import REPOSITORY


def test_the_readme_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (REPOSITORY / "README.md").read_text()
    section = readme[readme.index("## From Python") :]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None
    lines = code.group(1).strip().splitlines()
    assert len(lines) <= 12, "the README's example is meant to be about ten lines"
    evolve, export = gauntlet.evolve, gauntlet.export

    def small_evolve(experiment: Any, **arguments: Any) -> gauntlet.Run:
        arguments.update(out=tmp_path / "run", generations=2, population=40, progress=False)
        return evolve(experiment, **arguments)

    def export_here(run: Any, category: str, **arguments: Any) -> Path:
        return export(run, category, to=tmp_path / "genomes")

    monkeypatch.setattr(gauntlet, "evolve", small_evolve)
    monkeypatch.setattr(gauntlet, "export", export_here)
    monkeypatch.chdir(REPOSITORY)
    exec(compile(code.group(1), "README.md", "exec"), {})
