"""Key points (要点) a report opens with and the glossary (用語の説明) it ends with.

Every sentence is a function of the ``dxsurvey.stats.prepost`` rows it speaks of: the
numbers stand beside the words, the size words come from the thresholds the methods
name (Cohen 1988: 0.2 / 0.5 / 0.8 for d, d_z and g; 0.1 / 0.3 / 0.5 for r), and a
change whose 95% interval includes 0 is said to be indistinguishable from none, never
"no change".
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from .catalog import text
from .common import _answers, one_wave, resolve_min_cell, with_labels
from .format import (Markup, check_lang, effect_symbol, escape_md, fmt_ci, fmt_num, isna, label, stat_symbol,
                     wave_label)

__all__ = ["EFFECT_THRESHOLDS", "size_word", "one_wave", "level_of", "key_point_sentences", "key_points", "glossary", "glossary_symbols"]

#: Cohen's (1988) benchmarks: small, medium, large, per effect type.
EFFECT_THRESHOLDS = {
    "cohen_dz": (0.2, 0.5, 0.8), "cohen_d": (0.2, 0.5, 0.8), "hedges_g": (0.2, 0.5, 0.8),
    "rank_biserial": (0.1, 0.3, 0.5), "cliffs_delta": (0.1, 0.3, 0.5),
}


def size_word(effect_type, effect) -> str:
    """``negligible`` / ``small`` / ``medium`` / ``large`` for ``|effect|`` by :data:`EFFECT_THRESHOLDS`.

    Examples
    --------
    >>> size_word("cohen_dz", 0.9), size_word("cohen_dz", -0.35), size_word("rank_biserial", 0.05)
    ('large', 'small', 'negligible')
    """
    small, medium, large = EFFECT_THRESHOLDS.get(str(effect_type), EFFECT_THRESHOLDS["cohen_dz"])
    x = abs(float(effect))
    return "large" if x >= large else "medium" if x >= medium else "small" if x >= small else "negligible"


def level_of(study, row) -> tuple[str, float, float, int]:
    """``(wave, mean, sd, n)`` of a measure answered in one wave of a prepost row, from the
    study's answers (items as answered, constructs as scored), within the row's course
    and audience."""
    from ..scoring import construct_scores, item_values

    wave = row["wave_a"] if _answers(pd.DataFrame([row]), "a").iloc[0] > 0 else row["wave_b"]
    subs = study.submissions[study.submissions["wave"] == wave]
    for col in ("course_id", "audience"):
        if col in row.index and not isna(row[col]):
            subs = subs[subs[col] == row[col]]
    mid = row["measure_id"]
    if row["measure_type"] == "construct":
        scores = construct_scores(study)
        values = scores.loc[scores["submission_id"].isin(subs["submission_id"]), mid]
    else:
        vals = item_values(study)
        values = vals.loc[(vals["item_id"] == mid) & vals["submission_id"].isin(subs["submission_id"]), "value"]
    values = pd.to_numeric(values, errors="coerce").dropna()
    return wave, float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else float("nan"), len(values)


def _shown(pp: pd.DataFrame, limit: int) -> pd.Series:
    n_a = pd.to_numeric(pp["n_a"], errors="coerce").fillna(0)
    n_b = pd.to_numeric(pp["n_b"], errors="coerce").fillna(0)
    return (n_a >= limit) & (n_b >= limit) & pd.to_numeric(pp["diff"], errors="coerce").notna()


def _hidden(pp: pd.DataFrame, limit: int) -> pd.Series:
    n_a = pd.to_numeric(pp["n_a"], errors="coerce").fillna(0)
    n_b = pd.to_numeric(pp["n_b"], errors="coerce").fillna(0)
    return ((n_a >= 1) & (n_a < limit)) | ((n_b >= 1) & (n_b < limit))


def _signed(x) -> str:
    """``+0.68`` / ``-0.20``; ``—`` for NA."""
    return fmt_num(x) if isna(x) else f"{float(x):+.2f}"


def excludes_zero(row) -> bool:
    """True when the difference's interval lies on one side of 0."""
    lo, hi = row["diff_ci_low"], row["diff_ci_high"]
    return not isna(lo) and not isna(hi) and (float(lo) > 0 or float(hi) < 0)


def change_sentence(row, lang: str) -> str:
    """One change in words with its numbers: size word and direction when the interval
    excludes 0, else "could not be told apart from zero"."""
    common = dict(measure=escape_md(row["label"]), wave_a=wave_label(row["wave_a"], lang),
                  wave_b=wave_label(row["wave_b"], lang), mean_a=fmt_num(row["mean_a"]),
                  mean_b=fmt_num(row["mean_b"]), diff=_signed(row["diff"]),
                  ci=fmt_ci(row["diff_ci_low"], row["diff_ci_high"]))
    if not excludes_zero(row):
        return text("keypoint.unclear", lang, **common)
    size = size_word(row["effect_type"], row["effect"]) if not isna(row["effect"]) else "negligible"
    up = float(row["diff"]) > 0
    return text("keypoint.change", lang, **common, symbol=effect_symbol(row["effect_type"]),
                effect=fmt_num(row["effect"]), size=text(f"keypoint.size.{size}", lang),
                how=text(f"keypoint.{'up' if up else 'down'}.{size}", lang))


def level_sentence(rows: pd.DataFrame, study, lang: str) -> str:
    """Measures with answers in one wave only, as levels: ``label (wave) mean (n)``."""
    parts = []
    for _, r in rows.iterrows():
        wave, mean, _, n = level_of(study, r)
        parts.append(text("keypoint.level_item", lang, measure=escape_md(r["label"]), wave=wave_label(wave, lang),
                          mean=fmt_num(mean), n=int(n)))
    return text("keypoint.levels", lang, levels=text("keypoint.list_sep", lang).join(parts))


def _group_name(row, lang: str, with_course: bool) -> str:
    who = [str(row["course_id"])] if with_course and not isna(row.get("course_id")) else []
    if not isna(row.get("audience")):
        who.append(label("audience", row["audience"], lang))
    return " ".join(who) if who else text("narrative.all_respondents", lang)


def key_point_sentences(pooled: pd.DataFrame, study, *, by_group: pd.DataFrame | None = None, lang: str = "ja",
               min_cell: int | None = None, later: Sequence[pd.DataFrame] = ()) -> list[str]:
    """3–6 plain sentences from the numbers (escaped Markdown).

    Parameters
    ----------
    pooled : DataFrame
        ``prepost`` of the report's scope as one group (``by=()``): what changed — the
        largest and the smallest change of the constructs (items when there are none).
    by_group : DataFrame, optional
        ``prepost`` by audience (and course): for whom it changed more, and which groups
        were hidden (fewer than ``min_cell``).
    later : sequence of DataFrame
        ``prepost`` of later wave pairs (post → follow-up ...): the largest fall is named.
    """
    check_lang(lang)
    limit = resolve_min_cell(study, min_cell)
    part = with_labels(pooled, study, lang).reset_index(drop=True)
    mtype = "construct" if ((part["measure_type"] == "construct") & _shown(part, limit)).any() else "item"
    rows = part[(part["measure_type"] == mtype) & _shown(part, limit)]
    lines = []
    if len(rows):
        size = pd.to_numeric(rows["effect"], errors="coerce").abs().fillna(0)
        top = rows.loc[size.idxmax()]
        lines.append(change_sentence(top, lang))
        if len(rows) > 1:
            low = rows.loc[size.idxmin()]
            lines.append(change_sentence(low, lang))
        falls = rows[(pd.to_numeric(rows["diff"]) < 0) & rows.apply(excludes_zero, axis=1)]
        falls = falls[~falls.index.isin([top.name] + ([low.name] if len(rows) > 1 else []))]
        if len(falls):
            lines.append(change_sentence(falls.iloc[0], lang))
    else:
        lines.append(text("narrative.no_prepost", lang))
    if by_group is not None and len(by_group):
        grp = with_labels(by_group, study, lang).reset_index(drop=True)
        with_course = "course_id" in grp.columns and grp["course_id"].nunique() > 1
        who = _for_whom(grp[(grp["measure_type"] == mtype) & _shown(grp, limit)], lang, with_course)
        if who:
            lines.append(who)
        hidden = grp[(grp["measure_type"] == mtype) & _hidden(grp, limit)]
        if len(hidden):
            names = list(dict.fromkeys(_group_name(r, lang, with_course) for _, r in hidden.iterrows()))
            lines.append(text("keypoint.hidden", lang, groups=escape_md(text("keypoint.list_sep", lang).join(names)),
                              min_cell=limit))
    for frame in later:
        lat = with_labels(frame, study, lang).reset_index(drop=True)
        lat = lat[(lat["measure_type"] == mtype) & _shown(lat, limit)]
        if len(lat):
            lines.append(change_sentence(lat.loc[pd.to_numeric(lat["diff"]).idxmin()], lang))
    levels = part[one_wave(part) & (pd.concat([_answers(part, "a"), _answers(part, "b")], axis=1).max(axis=1) >= limit)]
    if len(levels):
        lines.append(level_sentence(levels, study, lang))
    return list(dict.fromkeys(lines))[:6]


def key_points(pooled: pd.DataFrame, study, **kwargs) -> Markup:
    """:func:`key_point_sentences` as a Markdown list (the report's 要点)."""
    return Markup("\n".join(f"- {s}" for s in key_point_sentences(pooled, study, **kwargs)))


def _for_whom(rows: pd.DataFrame, lang: str, with_course: bool) -> str:
    """The construct whose change differs most between groups, both changes beside."""
    best = None
    for _, g in rows.groupby("measure_id", sort=False):
        if len(g) < 2:
            continue
        d = pd.to_numeric(g["diff"])
        gap = float(d.max() - d.min())
        if best is None or gap > best[0]:
            best = (gap, g.loc[d.idxmax()], g.loc[d.idxmin()])
    if best is None:
        return ""
    _, hi, lo = best
    return text("keypoint.for_whom", lang, measure=escape_md(hi["label"]),
                hi=escape_md(_group_name(hi, lang, with_course)), hi_diff=_signed(hi["diff"]),
                lo=escape_md(_group_name(lo, lang, with_course)), lo_diff=_signed(lo["diff"]))


# ---------------------------------------------------------------------- glossary
#: Glossary entries in the order they are listed.
GLOSSARY = ("n", "m_sd", "diff", "ci95", "t", "V", "W", "p", "holm", "d_z", "g", "r_rb", "size",
            "alpha", "omega", "top2", "min_cell")


def glossary_symbols(*frames: pd.DataFrame | None, reliability: pd.DataFrame | None = None) -> list[str]:
    """The symbols a report used: always n, M (SD), difference, 95% CI, p, Holm, size words
    and min_cell; the test and effect symbols of the prepost frames; α and ω when a
    reliability table is shown."""
    used = {"n", "m_sd", "diff", "ci95", "p", "holm", "size", "min_cell"}
    for f in frames:
        if f is None or not len(f):
            continue
        used |= {stat_symbol(t) for t in f["test"].dropna()}
        used |= {effect_symbol(t) for t in f["effect_type"].dropna()}
        if "top2_a" in f.columns and f["top2_a"].notna().any():
            used.add("top2")
    if reliability is not None and len(reliability):
        used |= {"alpha"} | ({"omega"} if any("omega" in str(c) for c in reliability.columns) else set())
    return [s for s in GLOSSARY if s in used]


def glossary(symbols: Iterable[str], lang: str = "ja", *, min_cell: int = 5) -> Markup:
    """``用語の説明`` / ``Glossary``: one line per symbol, in :data:`GLOSSARY` order."""
    check_lang(lang)
    wanted = set(symbols)
    lines = [text(f"glossary.{s}", lang, min_cell=min_cell) if s == "min_cell" else text(f"glossary.{s}", lang)
             for s in GLOSSARY if s in wanted]
    return Markup(text("glossary.heading", lang) + "\n\n" + "\n".join(f"- {line}" for line in lines))
