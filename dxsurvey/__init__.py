"""dxsurvey: evaluate municipal DX trainings from raw questionnaire exports."""
from __future__ import annotations

__version__ = "0.1.0"

from .codebook import CodebookError, load_codebook  # noqa: E402
from .study import Study  # noqa: E402


def load_study(path="data", **kwargs):
    """Read a study folder (survey.yaml, courses.csv, raw/) into a :class:`Study`."""
    from .ingest import load_study as _load
    return _load(path, **kwargs)


__all__ = ["__version__", "CodebookError", "Study", "load_codebook", "load_study"]
