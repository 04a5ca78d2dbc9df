"""Reports: one module per report notebook, the notebook Context, the one catalogue.

``from dxsurvey import reports`` gives the :class:`~dxsurvey.reports.context.Context`
and :class:`~dxsurvey.reports.context.ReportTable` and, on first use, the modules
``catalog`` (the ONE ja/en catalogue), ``format`` (numbers, labels, escaping),
``export`` (figures, HTML, tables.xlsx, atomic writes), ``common`` (frames several
reports show) and one module per report: ``validation``, ``course``, ``comparison``,
``research``, ``freetext``.  Submodules are imported lazily: ``dxsurvey run`` imports the catalogue
before its kernels start, without pandas.
"""
from __future__ import annotations

import importlib

__all__ = ["Context", "ReportTable", "catalog", "format", "export", "common", "context",
           "validation", "course", "comparison", "research", "freetext", "plan"]

_MODULES = {"catalog", "format", "export", "common", "context", "validation", "course", "comparison", "research",
            "freetext", "plan"}


def __getattr__(name: str):
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in ("Context", "ReportTable"):
        return getattr(importlib.import_module(f"{__name__}.context"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
