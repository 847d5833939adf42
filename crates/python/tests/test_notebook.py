"""examples/quickstart.ipynb runs from top to bottom (a small run: 2 generations of 40)."""

from __future__ import annotations

import os

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPOSITORY


def test_the_quickstart_notebook_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    path = REPOSITORY / "examples" / "quickstart.ipynb"
    notebook = nbformat.read(path, as_version=4)
    monkeypatch.setenv("GAUNTLET_NOTEBOOK_GENERATIONS", os.environ.get("GAUNTLET_NOTEBOOK_GENERATIONS", "2"))
    monkeypatch.setenv("GAUNTLET_NOTEBOOK_POPULATION", os.environ.get("GAUNTLET_NOTEBOOK_POPULATION", "40"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    assert any("monthly_performance" in str(output) or "json" in str(output) for output in outputs)
