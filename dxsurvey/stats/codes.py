"""Codes with parameters: what the statistics say about a result, without words.

A ``caution`` cell of :func:`~dxsurvey.stats.prepost` or :func:`~dxsurvey.stats.reliability`
holds codes separated by ``"; "``, each ``code`` or ``code(name=value,...)``; the report
layer (:mod:`dxsurvey.reports.catalog`, keys ``caution.<code>``) words them in the
report's language.  :data:`CAUTIONS` lists every code with the names of its parameters.
"""
from __future__ import annotations

import re

__all__ = ["CAUTIONS", "encode", "decode", "join"]

#: Every caution code -> the names of its parameters.
CAUTIONS: dict[str, tuple[str, ...]] = {
    # prepost
    "no_pairs": (),                    # no complete pairs for this measure
    "no_answers": ("waves",),          # no answers in the waves named (joined by "+")
    "suppressed": ("min_cell",),       # n < min_cell: statistics suppressed
    "small_n": ("limit",),             # n < limit: interpret with caution
    "independent_fallback": ("min_cell",),   # fewer than min_cell linked pairs: independent samples
    "all_diffs_zero": (),              # every paired difference is zero
    "no_variance_diffs": (),           # no variance in the differences: t and effect undefined
    "no_variance_scores": (),          # no variance in the scores: t and effect undefined
    # reliability
    "too_few_items": (),               # k < 2
    "too_few_respondents": ("limit",),   # n < limit: reliability not computed
    "no_total_variance": (),
    "negative_alpha": (),              # check reverse coding
    "omega_item_no_variance": (),      # omega not computed: an item has no variance
    # plan.what_worked
    "single_course": (),               # a compared level rests on one course: level and course inseparable
    "careless": ("share", "limit"),    # share of rows flagged careless (straight-lining, too fast) > limit
}

_CODE_RE = re.compile(r"^([a-z_]+)(?:\((.*)\))?$")


def encode(code: str, **params) -> str:
    """``code`` or ``code(name=value,...)``; the code and its parameters must be in :data:`CAUTIONS`.

    Examples
    --------
    >>> encode("small_n", limit=10)
    'small_n(limit=10)'
    >>> encode("no_answers", waves="pre+post")
    'no_answers(waves=pre+post)'
    """
    if code not in CAUTIONS or set(params) != set(CAUTIONS[code]):
        raise ValueError(f"unknown caution {code!r} with parameters {sorted(params)}")
    if not params:
        return code
    return f"{code}({','.join(f'{k}={params[k]}' for k in CAUTIONS[code])})"


def decode(value) -> list[tuple[str, dict[str, str]]]:
    """The ``(code, parameters)`` of a caution cell (``""`` or NA: none).

    Examples
    --------
    >>> decode("small_n(limit=10); negative_alpha")
    [('small_n', {'limit': '10'}), ('negative_alpha', {})]
    """
    if value is None or not isinstance(value, str) or not value.strip():
        return []
    out = []
    for part in value.split(";"):
        m = _CODE_RE.match(part.strip())
        if not m or m.group(1) not in CAUTIONS:
            raise ValueError(f"not a caution code: {part.strip()!r}")
        params = dict(kv.split("=", 1) for kv in m.group(2).split(",")) if m.group(2) else {}
        out.append((m.group(1), params))
    return out


def join(codes) -> str:
    """Encoded codes as one cell."""
    return "; ".join(codes)
