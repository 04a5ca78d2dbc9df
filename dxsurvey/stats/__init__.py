"""Statistics on a :class:`dxsurvey.study.Study`: reliability, pre/post change, comparisons.

Each module is imported only if present, so a module under construction does not
break the others.
"""
from __future__ import annotations

import importlib.util

__all__: list[str] = []

if importlib.util.find_spec(f"{__name__}.reliability") is not None:
    from .reliability import item_stats, reliability  # noqa: F401
    __all__ += ["reliability", "item_stats"]

if importlib.util.find_spec(f"{__name__}.prepost") is not None:
    from .prepost import prepost  # noqa: F401
    __all__ += ["prepost"]

if importlib.util.find_spec(f"{__name__}.compare") is not None:
    from .compare import compare  # noqa: F401
    __all__ += ["compare"]

if importlib.util.find_spec(f"{__name__}.distributions") is not None:
    from .distributions import likert_distribution  # noqa: F401
    __all__ += ["likert_distribution"]
