"""The notebooks open and run as they are, as in JupyterLab from notebooks/ (no parameters passed).

The repo layout is copied to a temporary folder (notebooks/ beside data/demo) so the
defaults ``study = "../data/demo"`` and ``out = "../reports/interactive"`` resolve as
they do for a user who runs ``jupyter lab notebooks/``.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("stem", ["00_validation", "10_course_report"])
def test_notebook_runs_as_it_is_from_the_notebooks_folder(tmp_path, stem):
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    shutil.copytree(ROOT / "data" / "demo", tmp_path / "data" / "demo",
                    ignore=shutil.ignore_patterns(".dxsurvey_key"))
    nb = nbformat.read(tmp_path / "notebooks" / f"{stem}.ipynb", as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path / "notebooks")}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, errors
    out = tmp_path / "reports" / "interactive"
    assert list((out / "tables").glob("*.csv")), "tables written next to the notebooks' ../reports/interactive"
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
             if o.get("output_type") == "display_data" and "text/html" in o.get("data", {})]
    assert any("<table" in o["data"]["text/html"] for o in shown)
    # the tables' style comes with them (an exported report has it in its page head)
    styles = [o for o in shown if "<style>" in "".join(o["data"]["text/html"])]
    assert len(styles) == 1 and "table.dx-table" in "".join(styles[0]["data"]["text/html"])
