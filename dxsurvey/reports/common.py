"""Frames and figures more than one report shows: Likert and forest figures, APA tables,
reliability and course-by-course tables, and the min_cell a report uses."""
from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import plots
from ..stats.codes import decode
from ..stats.distributions import likert_distribution, wave_order
from .catalog import text
from .context import ReportTable
from .format import (DASH, check_lang, effect_symbol, fmt_est_ci, fmt_num, fmt_p, fmt_pct, isna, label, measure_labels,
                     stat_symbol, wave_label)

__all__ = ["resolve_min_cell", "no_data_figure", "likert_figure", "course_prepost", "with_labels",
           "caution_text", "effect_rows", "forest_figure", "course_by_course", "apa_prepost_table",
           "reliability_table", "suppressed_rows"]


def resolve_min_cell(study, min_cell) -> int:
    """``min_cell`` when given (> 0), else the codebook's."""
    return int(min_cell) if min_cell else int(study.codebook.min_cell)


def no_data_figure(lang: str = "ja"):
    """A small figure that says there is nothing to draw."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 1.2), layout="constrained")
    ax.axis("off")
    ax.text(0.5, 0.5, text("narrative.no_data", lang), ha="center", va="center")
    return fig


def likert_figure(study, *, items: Sequence[str] | None = None, level: str | None = None,
                  waves: Sequence[str] | None = None, lang: str = "ja", min_cell: int | None = None,
                  exclude_level: str | None = None, wrap: int = 24):
    """Likert bars (item x wave) for one study or one course, one panel per scale: centred on
    the middle for a scale between two opposites (agree, satisfied: ``Scale.bipolar``), stacked
    from 0 for any other (a frequency, a knowledge level, a numbered scale).

    Parameters
    ----------
    study : Study
        Typically ``course_study(study, course_id)``.
    items, level : optional
        Which scale items (see :func:`likert_distribution`).
    waves : sequence of str, optional
        Waves to show, in this order (default every wave present).
    exclude_level : str, optional
        Leave out items of this Kirkpatrick level (``reaction`` in a pre/post figure).
    lang : {"ja", "en"}
    min_cell : int, optional
    wrap : int
        Wrap item labels at this many characters.

    Returns
    -------
    Figure
        One :func:`dxsurvey.plots.likert_bars` panel per scale; a figure saying
        "no data" when nothing is left to draw.
    """
    import matplotlib.pyplot as plt



    check_lang(lang)
    dist = likert_distribution(study, items=items, level=level, by=("wave",), min_cell=min_cell)
    if waves is not None:
        order = {m: i for i, m in enumerate(dict.fromkeys(dist["measure_id"]))}     # codebook order
        dist = dist[dist["wave"].isin(list(waves))]
        dist = dist.assign(_w=dist["wave"].map({w: i for i, w in enumerate(waves)}))
        dist = dist.sort_values(["_w"], kind="mergesort").drop(columns="_w")
        dist = dist.assign(_i=dist["measure_id"].map(order)).sort_values("_i", kind="mergesort").drop(columns="_i")
    if exclude_level is not None:
        keep = {it.id for it in study.codebook.items if it.level != exclude_level}
        dist = dist[dist["measure_id"].isin(keep)]
    if not len(dist):
        return no_data_figure(lang)
    dist = dist.assign(label=[textwrap.fill(str(s), wrap) for s in dist["label"]])
    scales = list(dict.fromkeys(dist["scale"]))
    heights = [dist[dist["scale"] == s].groupby(["measure_id", "wave"]).ngroups for s in scales]
    fig, axes = plt.subplots(len(scales), 1, figsize=(9, 1.6 * len(scales) + 0.55 * sum(heights)),
                             height_ratios=[h + 2 for h in heights], layout="constrained", squeeze=False)
    limit = resolve_min_cell(study, min_cell)
    waves_present = dist["wave"].unique()
    for ax, s in zip(axes[:, 0], scales):
        scale = study.codebook.scales[s]
        plots.likert_bars(dist[dist["scale"] == s], levels=scale.values,
                          labels=[scale.label_of(v) for v in scale.values], ax=ax,
                          wave_labels={w: wave_label(w, lang) for w in waves_present},
                          hidden_label=text("narrative.hidden", lang, min_cell=limit),
                          xlabel=text("narrative.percent", lang), diverging=scale.bipolar)
    return fig



def course_prepost(pp: pd.DataFrame, course_id: str | None = None) -> pd.DataFrame:
    """Rows of a ``prepost`` table for one course (all rows when ``course_id`` is None)."""
    if course_id is None or "course_id" not in pp.columns:
        return pp.reset_index(drop=True)
    return pp[pp["course_id"] == course_id].reset_index(drop=True)


def with_labels(pp: pd.DataFrame, study, lang: str) -> pd.DataFrame:
    names = measure_labels(study)
    out = pp.copy()
    out["label"] = [names.get(m, m) for m in out["measure_id"]]
    return out



def caution_text(value, lang: str) -> str:
    """A ``caution`` cell of prepost or reliability (codes, :mod:`dxsurvey.stats.codes`) in ``lang``."""
    parts = []
    for code, params in decode(value):
        if "waves" in params:
            params["waves"] = text("caution.wave_sep", lang).join(wave_label(w, lang) for w in params["waves"].split("+"))
        parts.append(text(f"caution.{code}", lang, **params))
    return text("caution.sep", lang).join(parts)


def _answers(pp: pd.DataFrame, side: str) -> pd.Series:
    """Valid answers in wave a or b: used ones plus (paired) those without a partner."""
    n = pd.to_numeric(pp[f"n_{side}"], errors="coerce").fillna(0)
    if f"n_unmatched_{side}" not in pp.columns or "design" not in pp.columns:
        return n
    extra = pd.to_numeric(pp[f"n_unmatched_{side}"], errors="coerce").fillna(0)
    return n + extra.where(pp["design"] == "paired", 0)


def one_wave(pp: pd.DataFrame) -> pd.Series:
    """Rows with answers in one of the two waves only (a level, not a change)."""
    a, b = _answers(pp, "a"), _answers(pp, "b")
    return (a == 0) != (b == 0)


def no_change(pp: pd.DataFrame) -> pd.Series:
    """Rows that hold no change: answers in one wave only (a level) or in neither."""
    a, b = _answers(pp, "a"), _answers(pp, "b")
    return (a == 0) | (b == 0)


def _small(n, limit) -> bool:
    return isna(n) or int(n) < limit


def effect_rows(pp: pd.DataFrame, study, *, course_id: str | None = None, lang: str = "ja",
                measure_type: str | None = None, min_cell: int | None = None) -> pd.DataFrame:
    """Rows for :func:`dxsurvey.plots.forest`: label, effect and its CI, suppressed.

    ``measure_type`` None = constructs when the table has any, else items.  The label
    carries the audience when the course has several.  Groups with ``n_a`` or ``n_b``
    below ``min_cell`` keep their row with NaN numbers.
    """
    check_lang(lang)
    limit = resolve_min_cell(study, min_cell)
    part = with_labels(course_prepost(pp, course_id), study, lang)
    if measure_type is None:
        measure_type = "construct" if (part["measure_type"] == "construct").any() else "item"
    part = part[part["measure_type"] == measure_type].reset_index(drop=True)
    several = part["audience"].nunique(dropna=False) > 1
    labels = [f"{lab}（{label('audience', a, lang)}）" if several else lab
              for lab, a in zip(part["label"], part["audience"])]
    out = pd.DataFrame({"label": labels, "measure_type": measure_type,
                        "effect_type": part["effect_type"].to_numpy()})
    for col in ("effect", "effect_ci_low", "effect_ci_high"):
        out[col] = pd.to_numeric(part[col], errors="coerce").to_numpy(dtype=float)
    hide = [(_small(a, limit) or _small(b, limit)) for a, b in zip(part["n_a"], part["n_b"])]
    out.loc[hide, ["effect", "effect_ci_low", "effect_ci_high"]] = np.nan
    return out


def forest_figure(pp: pd.DataFrame, study, *, course_id: str | None = None, lang: str = "ja",
                  measure_type: str | None = None, min_cell: int | None = None):
    """Forest plot of pre/post effect sizes (see :func:`effect_rows`); returns the Figure."""


    rows = effect_rows(pp, study, course_id=course_id, lang=lang, measure_type=measure_type,
                       min_cell=min_cell)
    types = ", ".join(effect_symbol(t) for t in dict.fromkeys(rows["effect_type"].dropna()))
    ax = plots.forest(rows, xlabel=text("narrative.effect_axis", lang, types=types or DASH))
    return ax.figure


def course_by_course(pp: pd.DataFrame, study, *, lang: str = "ja") -> pd.DataFrame:
    """Construct change per course (and audience) with its CI, beside the course's factors.

    Returns
    -------
    DataFrame
        ``construct, course_id, title, instructor, format, style, audience, design,
        n_a, n_b, mean_a, mean_b, diff, ci_low, ci_high, effect_type, effect``; pass
        ``n_cols=("n_a", "n_b")`` to ``ctx.table``.
    """
    check_lang(lang)
    part = with_labels(pp[pp["measure_type"] == "construct"], study, lang)
    courses = study.courses.set_index("course_id")
    cols = ["construct", "course_id", "title", "instructor", "format", "style", "audience", "design",
            "n_a", "n_b", "mean_a", "mean_b", "diff", "ci_low", "ci_high", "effect_type", "effect"]
    if not len(part) or "course_id" not in part.columns:
        return pd.DataFrame(columns=cols)
    order = {c: i for i, c in enumerate(study.codebook.constructs)}
    part = part.assign(_o=part["measure_id"].map(order)).sort_values(["_o", "course_id"], kind="mergesort")

    def course_field(cid, f):
        return courses.loc[cid, f] if cid in courses.index else pd.NA

    out = pd.DataFrame({
        "construct": part["label"].to_numpy(),
        "course_id": part["course_id"].to_numpy(),
        "title": [course_field(c, "title") for c in part["course_id"]],
        "instructor": [course_field(c, "instructor") for c in part["course_id"]],
        "format": [label("format", course_field(c, "format"), lang) for c in part["course_id"]],
        "style": [label("style", course_field(c, "style"), lang) for c in part["course_id"]],
        "audience": [label("audience", a, lang) for a in part["audience"]],
        "design": [label("design", d, lang) for d in part["design"]],
    })
    for col in ("n_a", "n_b"):
        out[col] = pd.array(pd.to_numeric(part[col], errors="coerce").to_numpy(), dtype="Int64")
    for col, src in (("mean_a", "mean_a"), ("mean_b", "mean_b"), ("diff", "diff"),
                     ("ci_low", "diff_ci_low"), ("ci_high", "diff_ci_high"), ("effect", "effect")):
        out[col] = pd.to_numeric(part[src], errors="coerce").to_numpy(dtype=float)
    out["effect_type"] = [label("effect_type", t, lang) for t in part["effect_type"]]
    return out[cols].reset_index(drop=True)


# ---------------------------------------------------------------------- research report
def suppressed_rows(pp: pd.DataFrame, limit: int) -> np.ndarray:
    n_a = pd.to_numeric(pp["n_a"], errors="coerce")
    n_b = pd.to_numeric(pp["n_b"], errors="coerce")
    return (((n_a >= 1) & (n_a < limit)) | ((n_b >= 1) & (n_b < limit))).to_numpy(dtype=bool)



def apa_prepost_table(pp: pd.DataFrame, study, *, lang: str = "ja", measure_type: str = "construct",
                      min_cell: int | None = None) -> pd.DataFrame:
    """An APA-style table of pre/post change: M (SD) per wave, statistic, p, effect [95% CI].

    Only measures with answers in both waves: one asked in one wave is a level, which
    the key points and results say in words.

    Rows whose group has 1 .. min_cell - 1 respondents in a wave show "—" in every
    number (the table is pre-formatted text, so suppression happens here).

    Returns
    -------
    DataFrame
        ``[course_id, audience,] measure, design, n, <wave_a>, <wave_b>, diff, statistic, p,
        effect`` (the M (SD) columns are named after the table's two waves:
        ``pre, post``; ``post, followup``; ``pre, then`` ...), ``top2`` (share of the two
        highest levels in wave a → wave b) with text cells (``3.21 (0.84)``, ``t = 4.10``, ``< .001``,
        ``d = 0.62 [0.31, 0.93]``); ``course_id``/``audience`` only when the table has
        more than one of them; then ``suppressed`` (bool), so that the report adds
        its footnote explaining "—".
    """
    check_lang(lang)
    if measure_type not in ("construct", "item"):
        raise ValueError(f"measure_type must be construct or item; got {measure_type!r}")
    limit = resolve_min_cell(study, min_cell)
    part = pp[pp["measure_type"] == measure_type]
    # a measure asked in one wave is a level (said in words), not a row of "—" in a table of changes
    part = with_labels(part[~no_change(part)], study, lang).reset_index(drop=True)
    hide = suppressed_rows(part, limit)
    # the M (SD) columns are named after the waves they hold: pre/post, post/followup, pre/then ...
    col_a, col_b = ((str(part["wave_a"].iloc[0]), str(part["wave_b"].iloc[0])) if len(part) else ("pre", "post"))
    rows = []
    for i, r in part.iterrows():
        row = {}
        if "course_id" in part.columns and part["course_id"].nunique() > 1:
            row["course_id"] = r["course_id"]
        if "audience" in part.columns and part["audience"].nunique(dropna=False) > 1:
            row["audience"] = label("audience", r["audience"], lang)
        row["measure"] = r["label"]
        row["design"] = label("design", r["design"], lang)
        row["suppressed"] = bool(hide[i])
        if hide[i]:
            row.update({k: DASH for k in ("n", col_a, col_b, "top2", "diff", "statistic", "p", "effect")})
        else:
            n = r["n_pairs"] if r["design"] == "paired" and not isna(r.get("n_pairs")) else None
            row["n"] = str(int(n)) if n is not None else f"{fmt_num(r['n_a'], 0)} / {fmt_num(r['n_b'], 0)}"
            row[col_a] = f"{fmt_num(r['mean_a'])} ({fmt_num(r['sd_a'])})"
            row[col_b] = f"{fmt_num(r['mean_b'])} ({fmt_num(r['sd_b'])})"
            row["top2"] = f"{fmt_pct(r['top2_a'])} → {fmt_pct(r['top2_b'])}"
            row["diff"] = fmt_est_ci(r["diff"], r["diff_ci_low"], r["diff_ci_high"])
            row["statistic"] = f"{stat_symbol(r['test'])} = {fmt_num(r['statistic'])}"
            row["p"] = fmt_p(r["p_adj"] if not isna(r.get("p_adj")) else r["p_val"])
            row["effect"] = f"{effect_symbol(r['effect_type'])} = {_effect_text(r, lang)}"
            why = [(c, kw) for c, kw in decode(r.get("caution")) if c in _DEGENERATE]
            if why and isna(r["effect"]):
                # no pair changed (V = 0 of nothing), or no spread: no test to show, and why
                row["statistic"], row["p"] = DASH, DASH
                row["effect"] = text("caution.sep", lang).join(text(f"caution.{c}", lang, **kw) for c, kw in why)
        rows.append(row)
    cols = [c for c in ("course_id", "audience") if rows and c in rows[0]] + \
        ["measure", "design", "n", col_a, col_b, "top2", "diff", "statistic", "p", "effect", "suppressed"]
    return pd.DataFrame(rows, columns=cols)


#: Caution codes of a change with no test statistic to show (no pair changed, no spread).
_DEGENERATE = ("all_diffs_zero", "no_variance_diffs", "no_variance_scores")


def _effect_text(r, lang: str) -> str:
    """``0.62 [0.25, 0.91]``; a degenerate effect (r_rb = ±1: every pair changed the same
    way, its bootstrap interval a single point) is said in words, without the interval."""
    e, lo, hi = r["effect"], r["effect_ci_low"], r["effect_ci_high"]
    if r["effect_type"] == "rank_biserial" and not isna(e) and abs(float(e)) == 1:
        return f"{fmt_num(e)}（{text('narrative.all_one_way', lang)}）" if lang == "ja" else \
            f"{fmt_num(e)} ({text('narrative.all_one_way', lang)})"
    return fmt_est_ci(e, lo, hi)


def first_column(frame: pd.DataFrame, *names):
    """The first of ``names`` that is a column of ``frame`` (None if none is)."""
    return next((n for n in names if n in frame.columns), None)


def reliability_table(rel: pd.DataFrame, study, *, lang: str = "ja", course_id: str | None = None,
                      min_cell: int | None = None) -> pd.DataFrame:
    """The reliability table with construct labels, for one course or all.

    Keeps the group columns (``course_id``, ``wave``, ``audience``) and the statistics
    the reliability table has (n, k, alpha with its CI, omega); pass ``n_cols=("n",)``.
    Within a construct (and course, audience) the waves are in time order.  The
    reliability cautions (few respondents, negative alpha, ...) come last, in the
    report language; a row with fewer than ``min_cell`` respondents (default: the
    study's), which the report hides, gets none (they would narrow down its n).
    """
    check_lang(lang)
    if rel is None or not len(rel):
        return pd.DataFrame(columns=["construct", "n", "alpha", "omega"])
    part = rel
    if course_id is not None and "course_id" in part.columns:
        part = part[part["course_id"] == course_id]
    cid = first_column(part, "construct", "construct_id", "measure_id")
    if "wave" in part.columns and len(part):   # waves in time order (pre, post, followup, then)
        groups = [c for c in (cid, "course_id", "audience") if c and c in part.columns]
        waves = {w: i for i, w in enumerate(wave_order(part["wave"].dropna().unique()))}
        part = (part.assign(_g=part.groupby(groups, sort=False, dropna=False).ngroup() if groups else 0,
                            _w=part["wave"].map(waves))
                .sort_values(["_g", "_w"], kind="mergesort").drop(columns=["_g", "_w"]))
    if "n" in part.columns:   # a wave an item was never asked in has no reliability row
        part = part[pd.to_numeric(part["n"], errors="coerce").fillna(0) > 0]
    names = measure_labels(study)
    out = pd.DataFrame({"construct": [names.get(c, c) for c in part[cid]]}) if cid else pd.DataFrame(index=range(len(part)))
    for col in ("course_id", "audience", "wave"):
        if col in part.columns and part[col].notna().any():
            out[col] = [label(col, v, lang) if col != "course_id" else v for v in part[col]]
    keep = [c for c in part.columns if c not in ("construct", "construct_id", "measure_id", "course_id",
                                                  "audience", "wave")
            and pd.api.types.is_numeric_dtype(part[c])]
    for c in keep:
        out[c] = part[c].to_numpy()
    if "caution" in part.columns:
        limit = resolve_min_cell(study, min_cell)
        n = pd.to_numeric(part["n"], errors="coerce").to_numpy() if "n" in part.columns else None
        out["caution"] = ["" if n is not None and 1 <= n[i] < limit else caution_text(c, lang)
                          for i, c in enumerate(part["caution"])]
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------- report tables
def table_apa(ctx, pp: pd.DataFrame, name: str, *, measure_type: str = "construct",
              caption: str = "") -> ReportTable:
    """:func:`apa_prepost_table` at the report's min_cell: formatted text, rows of small groups
    already hidden (marked in its ``suppressed`` column, which ctx.table honours)."""
    key = caption or ("report.cap_apa_constructs" if measure_type == "construct" else "report.cap_apa_items")
    frame = apa_prepost_table(pp, ctx.study, lang=ctx.language, measure_type=measure_type, min_cell=ctx.min_cell)
    return ReportTable(frame, name, key, n_cols=())


def table_reliability(ctx, rel: pd.DataFrame, caption: str, *, name: str = "reliability") -> ReportTable:
    """:func:`reliability_table`; ``n`` counts people per construct x wave."""
    frame = reliability_table(rel, ctx.study, lang=ctx.language, min_cell=ctx.min_cell)
    groups = tuple(c for c in ("construct", "wave") if c in frame.columns)
    return ReportTable(frame, name, caption, n_cols=("n",) if "n" in frame.columns else (),
                       group_cols=groups or None)


def table_course_by_course(ctx, pp: pd.DataFrame, name: str, caption: str) -> ReportTable:
    """:func:`course_by_course`; ``n_a``, ``n_b`` count people per construct x course x audience."""
    return ReportTable(course_by_course(pp, ctx.study, lang=ctx.language), name, caption,
                       n_cols=("n_a", "n_b"), group_cols=("construct", "course_id", "audience"))


# ---------------------------------------------------------------------- at the report's settings
def prepost(ctx, study=None, **kwargs) -> pd.DataFrame:
    """:func:`dxsurvey.stats.prepost` of ``study`` (default the report's) at the report's min_cell."""
    from ..stats import prepost as _prepost
    return _prepost(ctx.study if study is None else study, min_cell=ctx.min_cell, **kwargs)


def figure_likert(ctx, study=None, **kwargs):
    """:func:`likert_figure` in the report's language and min_cell."""
    return likert_figure(ctx.study if study is None else study, lang=ctx.language, min_cell=ctx.min_cell, **kwargs)


def figure_forest(ctx, pp: pd.DataFrame, **kwargs):
    """:func:`forest_figure` in the report's language and min_cell."""
    return forest_figure(pp, ctx.study, lang=ctx.language, min_cell=ctx.min_cell, **kwargs)


def reliability(ctx, study=None, **kwargs) -> pd.DataFrame:
    """:func:`dxsurvey.stats.reliability` of ``study`` (default the report's), per wave by default."""
    from ..stats import reliability as _reliability
    kwargs.setdefault("by", ("wave",))
    return _reliability(ctx.study if study is None else study, **kwargs)


def show_forest(ctx, pp: pd.DataFrame, name: str, caption_key: str, **kwargs) -> None:
    """The forest figure of :func:`forest_figure`, or (no effect size to show) one sentence
    saying why, instead of an empty figure with an axis "Effect size (—)"."""
    rows = effect_rows(pp, ctx.study, lang=ctx.language, min_cell=ctx.min_cell,
                       **{k: v for k, v in kwargs.items() if k in ("course_id", "measure_type")})
    if not len(rows) or rows["effect"].isna().all():
        ctx.md("section.no_effects")
        return
    ctx.figure(figure_forest(ctx, pp, **kwargs), name, caption=ctx.t(caption_key))


def show_apa(ctx, pp: pd.DataFrame, name: str, *, measure_type: str = "construct", caption: str = "") -> None:
    """The APA table of :func:`table_apa`, or (no measure with answers in both waves) one sentence
    saying so, instead of an empty table."""
    table = table_apa(ctx, pp, name, measure_type=measure_type, caption=caption)
    if len(table.frame):
        ctx.table(table)
    else:
        ctx.md(f"section.no_changes.{measure_type}")


def show_likert(ctx, heading_key: str | None, name: str, caption_key: str, study=None, **kwargs) -> None:
    """A heading (``heading_key``; None for none) and the Likert figure of :func:`likert_figure`, or
    (nothing to draw) one sentence saying why, instead of a heading above a figure reading "no data"."""
    st = ctx.study if study is None else study
    dist = likert_distribution(st, items=kwargs.get("items"), level=kwargs.get("level"), by=("wave",),
                               min_cell=ctx.min_cell)
    if kwargs.get("waves") is not None:
        dist = dist[dist["wave"].isin(list(kwargs["waves"]))]
    if kwargs.get("exclude_level") is not None:
        dist = dist[dist["measure_id"].isin({it.id for it in st.codebook.items if it.level != kwargs["exclude_level"]})]
    if not len(dist):
        ctx.md("section.no_likert")
        return
    if heading_key:
        ctx.md(heading_key)
    ctx.figure(figure_likert(ctx, st, **kwargs), name, caption=ctx.t(caption_key))


def show_table(ctx, heading_key: str, table: ReportTable) -> None:
    """A section heading (catalogue ``heading_key``) and its one table, in one notebook line."""
    ctx.md(heading_key)
    ctx.table(table)
