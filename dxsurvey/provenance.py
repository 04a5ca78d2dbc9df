"""What a run was made from: input files with SHA-256, package versions.

One place for the reproducibility facts that both the run's index page
(:mod:`dxsurvey.pipeline`) and the research report's appendix show.  File sizes
are deliberately left out: a size is a small number that can collide with a
respondent code in the privacy audit, and the hash already identifies the file.
"""
from __future__ import annotations

import hashlib
import platform
from importlib import metadata
from pathlib import Path

import pandas as pd

__all__ = ["VERSION_PACKAGES", "sha256_file", "input_files", "package_versions"]

#: Packages whose versions a run records.
VERSION_PACKAGES = ("dxsurvey", "pandas", "numpy", "scipy", "statsmodels", "matplotlib", "seaborn",
                    "papermill", "nbconvert", "openpyxl", "pyarrow")


def sha256_file(path: str | Path) -> str:
    """SHA-256 hex digest of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def input_files(study) -> pd.DataFrame:
    """Every input of a study (survey.yaml, courses.csv, each source, and the optional
    ideas.csv and sections.csv when present) with its SHA-256.

    Returns
    -------
    DataFrame
        ``file`` (relative to the study folder), ``sha256`` ("" when the file is absent).
    """
    root = Path(study.root)
    files = ["survey.yaml", "courses.csv"] + [s.file for s in study.codebook.sources]
    files += [f for f in ("ideas.csv", "sections.csv") if (root / f).is_file()]
    rows = []
    for rel in dict.fromkeys(files):
        p = root / rel
        rows.append((rel, sha256_file(p) if p.is_file() else ""))
    return pd.DataFrame(rows, columns=["file", "sha256"])


def package_versions() -> pd.DataFrame:
    """Python and package versions as a ``package, version`` table ("" when not installed)."""
    rows = [("python", platform.python_version())]
    for pkg in VERSION_PACKAGES:
        try:
            rows.append((pkg, metadata.version(pkg)))
        except metadata.PackageNotFoundError:
            rows.append((pkg, ""))
    return pd.DataFrame(rows, columns=["package", "version"])
