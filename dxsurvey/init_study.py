"""`dxsurvey init DIR`: a commented template study that validates as it is."""
from __future__ import annotations

import shutil
from pathlib import Path

__all__ = ["init_study", "TEMPLATE"]

TEMPLATE = Path(__file__).parent / "init_template"


def init_study(target: str | Path) -> Path:
    """Copy the template study (survey.yaml, courses.csv, raw/ with two example CSVs) to ``target``.

    Raises
    ------
    FileExistsError
        When ``target`` exists and is not empty: nothing is overwritten.
    """
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target} exists and is not empty; choose a new folder.")
    shutil.copytree(TEMPLATE, target, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", ".dxsurvey_key"))
    return target
