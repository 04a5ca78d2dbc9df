"""Codes with parameters: what the statistics say about a result, without words.

Two families.  A ``caution`` cell of :func:`~dxsurvey.stats.prepost` or :func:`~dxsurvey.stats.reliability`
holds codes separated by ``"; "``, each ``code`` or ``code(name=value,...)``; the report
layer (:mod:`dxsurvey.reports.catalog`, keys ``caution.<code>``) words them in the
report's language.  :data:`CAUTIONS` lists every code with the names of its parameters.

A row of :attr:`dxsurvey.stats.compare.Comparison.notes` holds a code of :data:`NOTES` and a
dict of its parameters (factor and model ids, levels and course ids as the data have them,
numbers, tuples of these): never a word.  The report layer words it with the catalogue keys
``20_comparison.note.<code>``.
"""
from __future__ import annotations

import re

__all__ = ["CAUTIONS", "NOTES", "encode", "decode", "join", "note"]

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

#: Every comparison note code (``compare().notes``) -> the names of its parameters.  Factor and
#: model parameters are ids of ``compare.ALL_FACTORS`` / ``compare.MODELS``; waves are wave ids.
NOTES: dict[str, tuple[str, ...]] = {
    "unknown_all": ("factor",),                  # the factor is blank for every course: left out
    "unknown_some": ("factor", "n", "courses"),  # n rows with a blank factor (in these courses) left out
    "constant": ("factor", "level"),             # every row has this one level: left out
    # the factor is inseparable from ``kept``, left out; confined: ((factor, level, other, other_level), ...)
    "aliased": ("dropped", "kept", "confined"),
    "aliased_combo": ("factor", "others"),       # determined by the combination of other factors
    "alias_none": ("factor",),                   # not estimable even alone
    "alias_wave": ("factor",),                   # a level in one wave only: its change is not estimable
    "hidden": ("factor", "level", "min_cell", "model"),   # n < min_cell: estimate not shown
    "shrunk": ("factor", "level", "n", "small", "model"),  # n < small: shrunk toward the grand mean
    "leverage": ("model",),                      # a level rests on one response (left out of HC3)
    "lord": (),                                  # ANCOVA and gain scores both shown
    "lord_disagree": ("pairs",),                 # ((factor, level_a, level_b), ...): opposite signs
    "mixed_ok": ("var", "icc"),                  # the course random intercept model is kept
    "mixed_none": ("model",),                    # every level is one course: no random intercept
    # the random-intercept model is not used; why: identify, zero_var (detail: the variance),
    # not_converged, singular, error (detail: the fitting library's message)
    "fallback": ("model", "fixed", "why", "detail"),
    "flat_pre": ("wave", "value"),               # every covariate score equal: ANCOVA without it
    "left_out": ("min_cell", "courses"),         # courses with fewer linked pairs left out
    "post_only_courses": ("courses",),           # courses with wave b only: compared post only
    "co_taught": ("levels",),                    # instructor levels that are a co-teaching team
    "no_prepost": ("wave",),                     # no course has both waves: wave b, adjusted for audience
    "no_prepost_plain": ("wave",),               # the same, no audience adjustment
    "unlinked": (),                              # no respondent key: wave x factor model
    "too_few": ("model", "n", "p"),              # n <= number of parameters: not fitted
    "no_scores": ("construct",),                 # no scores for the construct
    # ordinal logit of ``item``: waves (outcome, covariate) or (outcome,), the model's factors,
    # one factor, same (bool): signs agree with OLS; details ((level, reference, ordinal, linear), ...)
    "ordinal_sign": ("item", "waves", "factors", "factor", "same", "details"),
    "ordinal_skip": ("item",),                   # unlinked data: no ordinal check
    "ordinal_too_few": ("item", "n", "categories"),
    "ordinal_fail": ("item", "error"),           # error: the fitting library's message
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


def note(code: str, **params) -> tuple[str, dict]:
    """``(code, params)`` of a comparison note, checked against :data:`NOTES`.

    Examples
    --------
    >>> note("constant", factor="style", level="lecture")
    ('constant', {'factor': 'style', 'level': 'lecture'})
    """
    if code not in NOTES or set(params) != set(NOTES[code]):
        raise ValueError(f"unknown comparison note {code!r} with parameters {sorted(params)}")
    return code, params
