"""Numbers and coded values as a report shows them: ``fmt_*``, ``label``, ``wave_label``.

Pure functions of their arguments and the catalogue (:mod:`dxsurvey.reports.catalog`).
"""
from __future__ import annotations

import html
import re

import pandas as pd

from ..schema import wave_order
from .catalog import TEXTS, text

__all__ = [
    "DASH", "fmt_num", "fmt_p", "fmt_p_exact", "fmt_ci", "fmt_est_ci", "fmt_pct", "label", "wave_label",
    "measure_labels", "wave_order", "effect_symbol", "stat_symbol", "check_lang", "isna",
    "Markup", "escape_md", "markdown",
]

DASH = "—"


def isna(x) -> bool:
    """True for None, NaN, NA and NaT (False for values pandas cannot judge)."""
    try:
        return x is None or bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def fmt_num(x, digits: int = 2) -> str:
    """A number with ``digits`` decimals; ``—`` for NA.

    Examples
    --------
    >>> fmt_num(0.456), fmt_num(float("nan")), fmt_num(-1.0, 1)
    ('0.46', '—', '-1.0')
    """
    if isna(x):
        return DASH
    return f"{float(x):.{digits}f}"


def fmt_p(p) -> str:
    """APA-style p value: no leading zero, ``< .001`` below 0.001.

    Examples
    --------
    >>> fmt_p(0.0342), fmt_p(0.00001), fmt_p(1.0), fmt_p(None)
    ('.034', '< .001', '1.000', '—')
    """
    if isna(p):
        return DASH
    p = float(p)
    if p < 0.001:
        return "< .001"
    s = f"{p:.3f}"
    return s[1:] if s.startswith("0") else s


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def fmt_p_exact(p) -> str:
    """The exact p value with 3 significant digits, small ones as ``m×10⁻ⁿ`` (no ``e-07``,
    which reads as code in a report); ``""`` for NA.

    Examples
    --------
    >>> fmt_p_exact(0.01234), fmt_p_exact(3.3191e-07), fmt_p_exact(None)
    ('0.0123', '3.32×10⁻⁷', '')
    """
    if isna(p):
        return ""
    p = float(p)
    if p == 0 or p >= 0.001:
        return f"{p:.3g}"
    mantissa, exp = f"{p:.2e}".split("e")
    return f"{mantissa}×10{str(int(exp)).translate(_SUPERSCRIPT)}"


def fmt_ci(low, high, digits: int = 2) -> str:
    """``[low, high]``; ``—`` when either bound is NA.

    Examples
    --------
    >>> fmt_ci(0.123, 0.789)
    '[0.12, 0.79]'
    """
    if isna(low) or isna(high):
        return DASH
    return f"[{fmt_num(low, digits)}, {fmt_num(high, digits)}]"


def fmt_est_ci(est, low, high, digits: int = 2) -> str:
    """``est [low, high]`` (estimate alone when the interval is missing).

    Examples
    --------
    >>> fmt_est_ci(0.45, 0.12, 0.78)
    '0.45 [0.12, 0.78]'
    >>> fmt_est_ci(0.45, None, None)
    '0.45'
    """
    if isna(est):
        return DASH
    ci = fmt_ci(low, high, digits)
    return fmt_num(est, digits) if ci == DASH else f"{fmt_num(est, digits)} {ci}"


def fmt_pct(share, digits: int = 0) -> str:
    """A 0-1 share as a percentage.

    Examples
    --------
    >>> fmt_pct(0.456), fmt_pct(None)
    ('46%', '—')
    """
    if isna(share):
        return DASH
    return f"{100 * float(share):.{digits}f}%"


# ---------------------------------------------------------------------- labels
def label(kind: str, value, lang: str) -> str:
    """Display name of a coded value (``label("format", "online", "ja")`` -> オンライン).

    Codes without a catalogue entry (``value.<kind>.<code>``) are shown as written: the
    open vocabularies of a study (an audience 係長, a format 対面 declared in survey.yaml)
    keep their own words.  The result is plain text: a table cell escapes it as HTML, and
    Markdown built from it escapes it with :func:`escape_md`.

    Examples
    --------
    >>> label("audience", "manager", "en"), label("audience", "係長", "en"), label("format", "対面", "ja")
    ('managers', '係長', '対面')
    """
    if isna(value):
        return DASH
    entry = TEXTS.get(f"value.{kind}.{value}")
    return text(f"value.{kind}.{value}", lang) if entry is not None else str(value)


def wave_label(wave: str, lang: str) -> str:
    """事前 / 事後 / 追跡 / 振り返り (``pre`` ... ``then``)."""
    return label("wave", wave, lang)


def check_lang(lang: str) -> str:
    """``lang`` if it is ja or en, else ValueError."""
    if lang not in ("ja", "en"):
        raise ValueError(f"lang must be one of ja, en; got {lang!r}")
    return lang

def measure_labels(study) -> dict[str, str]:
    """measure_id -> display label for every construct and scale item of the codebook."""
    out = {it.id: it.display for it in study.codebook.items}
    out.update({c.id: c.label for c in study.codebook.constructs.values()})
    return out



_STAT_SYMBOL = {"paired_t": "t", "welch_t": "t", "t": "t", "wilcoxon": "V", "mannwhitney": "W",
                "mann_whitney": "W", "mwu": "W"}


#: APA-style symbols of prepost's effect types, for text, APA tables and axis labels.
_EFFECT_SYMBOL = {"cohen_dz": "d_z", "hedges_g": "g", "rank_biserial": "r_rb"}


def effect_symbol(effect_type) -> str:
    """``cohen_dz`` -> ``d_z``, ``hedges_g`` -> ``g``, ``rank_biserial`` -> ``r_rb`` (others as written)."""
    return DASH if isna(effect_type) else _EFFECT_SYMBOL.get(str(effect_type), str(effect_type))


def stat_symbol(test) -> str:
    """APA symbol of a test: t (t tests), V (Wilcoxon), W (Mann-Whitney)."""
    if isna(test):
        return "stat"
    t = str(test).lower()
    if t in _STAT_SYMBOL:
        return _STAT_SYMBOL[t]
    if "wilcoxon" in t or "signed" in t:
        return "V"
    if "mann" in t or "whitney" in t or t in ("u", "w"):
        return "W"
    if "t" in t.split("_") or t.endswith("t") or "ttest" in t:
        return "t"
    return str(test)


# ---------------------------------------------------------------------- escaping
class Markup(str):
    """Markdown a report function built from catalogue templates with escaped values.

    :meth:`dxsurvey.reports.Context.md` inserts it as it is; any other value is escaped.
    """


#: Markdown punctuation that may start or end a construct (CommonMark's escapable ASCII,
#: less the characters html.escape turns into entities).
_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-.!|~=:^$%@])")


def escape_md(value) -> str:
    """A study's value as literal text inside Markdown that is rendered to HTML.

    Markdown punctuation is backslash-escaped, then ``< > & " '`` become HTML character
    references, and line breaks become spaces: the value can open no tag, link,
    emphasis, heading, list or table.  NA is ``—``.

    Examples
    --------
    >>> escape_md("<b>x</b> [a](javascript:b)")
    '&lt;b&gt;x&lt;/b&gt; \\\\[a\\\\]\\\\(javascript\\\\:b\\\\)'
    >>> escape_md("DXの必要性")
    'DXの必要性'
    """
    if isinstance(value, Markup):
        return value
    if not isinstance(value, str) and isna(value):
        return DASH
    s = re.sub(r"[\r\n\u2028\u2029]+", " ", str(value))
    return html.escape(_MD_PUNCT.sub(r"\\\1", s), quote=True)


def markdown(key: str, lang: str, /, **fmt) -> Markup:
    """Catalogue text ``key`` as :class:`Markup`, every value escaped (Markup values kept)."""
    return Markup(text(key, lang, **{k: escape_md(v) for k, v in fmt.items()}))
