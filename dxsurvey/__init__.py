"""dxsurvey: evaluate municipal DX trainings from raw questionnaire exports."""
from __future__ import annotations

__version__ = "0.1.0"


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
