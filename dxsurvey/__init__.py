"""dxsurvey: evaluate municipal DX trainings from raw questionnaire exports."""
from __future__ import annotations

import sys as _sys

__version__ = "0.1.0"

# jsonschema, which nbformat (papermill, nbconvert, the audit of notebooks) imports, registers
# an optional IRI-syntax format check when the package rfc3987-syntax is installed (it is, as
# part of jsonschema[format-nongpl] for jupyter-events); that package compiles 38 Lark grammars
# at import, about 4 s of CPU before a run's first notebook could start.  No schema dxsurvey
# validates (nbformat's) uses an IRI format, so the check is left out: the import is marked
# as unavailable, which jsonschema handles as not installed.  Only when jsonschema has not
# been imported yet (otherwise the cost is paid and nothing changes).
if "jsonschema" not in _sys.modules and "rfc3987_syntax" not in _sys.modules:
    _sys.modules["rfc3987_syntax"] = None


def __getattr__(name: str):
    # imported on first use: `import dxsurvey` (and the `dxsurvey` command's start) stays
    # free of pandas, so a run's kernels start before the parent loads the scientific stack
    if name in ("CodebookError", "load_codebook"):
        from . import codebook
        return getattr(codebook, name)
    if name == "Study":
        from .study import Study
        return Study
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_study(path="data", **kwargs):
    """Read a study folder (survey.yaml, courses.csv, raw/) into a :class:`Study`."""
    from .ingest import load_study as _load
    return _load(path, **kwargs)


__all__ = ["__version__", "CodebookError", "Study", "load_codebook", "load_study"]
