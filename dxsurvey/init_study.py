"""`dxsurvey init DIR [--lang en]`: a commented template study that validates as it is."""
from __future__ import annotations

import shutil
from pathlib import Path

__all__ = ["init_study", "TEMPLATE", "TEMPLATES"]

#: The template study of each language (survey.yaml with every option shown, courses.csv, raw/).
TEMPLATES = {lang: Path(__file__).parent / "init_template" / lang for lang in ("ja", "en")}
TEMPLATE = TEMPLATES["ja"]


def init_study(target: str | Path, *, language: str = "ja") -> Path:
    """Copy the template study (survey.yaml, courses.csv, raw/ with two example CSVs) to ``target``.

    Parameters
    ----------
    target : path
        A new or empty folder.
    language : {"ja", "en"}
        The template's language: its comments, headers, labels and report language.

    Raises
    ------
    FileExistsError
        When ``target`` exists and is not empty: nothing is overwritten.
    ValueError
        When ``language`` is not ja or en.
    """
    if language not in TEMPLATES:
        raise ValueError(f"language must be one of {', '.join(TEMPLATES)}, not {language!r}.")
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target} exists and is not empty; choose a new folder.")
    shutil.copytree(TEMPLATES[language], target, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", ".dxsurvey_key"))
    return target
