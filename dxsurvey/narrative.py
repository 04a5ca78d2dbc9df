"""Result tables -> report-ready frames, figures and sentences.

The report notebooks hold no logic: every number a report shows in text or in a
table comes through a function here, from the aggregate tables of
:mod:`dxsurvey.stats` (``prepost``, ``reliability``, ``compare``) or from counts of
a :class:`~dxsurvey.study.Study`.  Sentences are assembled from the catalogue
(:mod:`dxsurvey.texts`) in the report language, with numbers formatted from the
frames, never typed.

Privacy: every frame returned here is an aggregate.  Counts below ``min_cell`` are
replaced by NA (and statistics of such groups with them) before they leave this
module; :meth:`dxsurvey.report.Context.table` applies ``privacy.suppress`` again.
"""
from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import provenance
from .schema import WAVES
from .texts import text

__all__ = [
    "fmt_num", "fmt_p", "fmt_ci", "fmt_est_ci", "fmt_pct",
    "label", "wave_label", "measure_labels", "resolve_course", "course_study",
    "likert_distribution", "likert_figure",
    "source_table", "problem_counts", "problem_examples", "linkage_rates",
    "course_facts", "course_prepost", "change_table", "effect_rows", "reliability_table",
    "cautions", "quotes",
    "ComparisonSection", "LaterChange", "later_changes", "comparison_sections", "comparison_notes", "course_by_course",
    "apa_prepost_table", "abstract", "methods", "results_text",
    "parameters_table", "package_versions", "input_hashes",
]

DASH = "—"


# ---------------------------------------------------------------------- formatting
def _isna(x) -> bool:
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
    if _isna(x):
        return DASH
    return f"{float(x):.{digits}f}"


def fmt_p(p) -> str:
    """APA-style p value: no leading zero, ``< .001`` below 0.001.

    Examples
    --------
    >>> fmt_p(0.0342), fmt_p(0.00001), fmt_p(1.0), fmt_p(None)
    ('.034', '< .001', '1.000', '—')
    """
    if _isna(p):
        return DASH
    p = float(p)
    if p < 0.001:
        return "< .001"
    s = f"{p:.3f}"
    return s[1:] if s.startswith("0") else s


def fmt_ci(low, high, digits: int = 2) -> str:
    """``[low, high]``; ``—`` when either bound is NA.

    Examples
    --------
    >>> fmt_ci(0.123, 0.789)
    '[0.12, 0.79]'
    """
    if _isna(low) or _isna(high):
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
    if _isna(est):
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
    if _isna(share):
        return DASH
    return f"{100 * float(share):.{digits}f}%"


# ---------------------------------------------------------------------- labels
def label(kind: str, value, lang: str) -> str:
    """Display name of a coded value (``label("format", "online", "ja")`` -> オンライン).

    Codes without a catalogue entry (``value.<kind>.<code>``) are shown as written.
    """
    if _isna(value):
        return DASH
    key = f"value.{kind}.{value}"
    try:
        return text(key, lang)
    except KeyError:
        return str(value)


def wave_label(wave: str, lang: str) -> str:
    """事前 / 事後 / 追跡 / 振り返り (``pre`` ... ``then``)."""
    return label("wave", wave, lang)


def _check_lang(lang: str) -> str:
    if lang not in ("ja", "en"):
        raise ValueError(f"lang must be one of ja, en; got {lang!r}")
    return lang


def measure_labels(study) -> dict[str, str]:
    """measure_id -> display label for every construct and scale item of the codebook."""
    out = {it.id: it.display for it in study.codebook.items}
    out.update({c.id: c.label for c in study.codebook.constructs.values()})
    return out


def _min_cell(study, min_cell) -> int:
    return int(min_cell) if min_cell else int(study.codebook.min_cell)


# ---------------------------------------------------------------------- study subsets
def resolve_course(study, course_id: str = "") -> str:
    """The course a course report is about: ``course_id``, or ("") the first course with data.

    Raises
    ------
    ValueError
        If ``course_id`` is not in courses.csv, or no course has submissions.
    """
    courses = list(study.courses["course_id"])
    if course_id:
        if course_id not in courses:
            raise ValueError(f"course_id {course_id!r} is not in courses.csv; courses: {', '.join(courses)}.")
        return course_id
    with_data = set(study.submissions["course_id"])
    for cid in courses:
        if cid in with_data:
            return cid
    raise ValueError("no course has submissions; check the validation report.")


def course_study(study, course_id: str):
    """A copy of ``study`` restricted to one course (submissions, answers, texts, choices, linkage)."""
    from dataclasses import replace

    subs = study.submissions[study.submissions["course_id"] == course_id]
    ids = set(subs["submission_id"])

    def keep(frame):
        if frame is None or not len(frame) or "submission_id" not in frame.columns:
            return frame
        return frame[frame["submission_id"].isin(ids)].reset_index(drop=True)

    link = study.linkage
    if link is not None and len(link) and "course_id" in link.columns:
        link = link[link["course_id"] == course_id].reset_index(drop=True)
    return replace(study, submissions=subs.reset_index(drop=True), answers=keep(study.answers),
                   texts=keep(study.texts), choices=keep(study.choices), linkage=link,
                   courses=study.courses[study.courses["course_id"] == course_id].reset_index(drop=True))


# ---------------------------------------------------------------------- Likert distributions
def _wave_order(waves) -> list:
    known = [w for w in WAVES if w in set(waves)]
    return known + sorted(set(waves) - set(known), key=str)


def likert_distribution(study, *, items: Sequence[str] | None = None, by: Sequence[str] = ("wave",),
                        level: str | None = None, min_cell: int | None = None,
                        suppress: str = "group") -> pd.DataFrame:
    """Counts per item x group x scale level, over the full level set, suppressed.

    Parameters
    ----------
    study : Study
    items : sequence of str, optional
        Scale item ids (default every scale item, codebook order).
    by : sequence of str
        Submission columns to group by (``wave``, ``course_id``, ``audience``).
    level : str, optional
        Only items of this Kirkpatrick level (``reaction``, ``learning``, ...).
    min_cell : int, optional
        Groups with fewer answering respondents get NA ``count`` and ``n``
        (default: the codebook's min_cell).
    suppress : {"group", "cell"}
        ``group``: hide the counts of an item x group answered by 1 .. min_cell - 1
        people (the shares of a larger group are shown, as in the figures).
        ``cell``: :func:`dxsurvey.privacy.suppress_counts` on each item x group's
        level counts (with the group total as margin); a group with any hidden
        cell gets NA ``n`` too.  Use it for tables of raw level counts.

    Returns
    -------
    DataFrame
        ``*by, measure_id, label, scale, level, level_label, count, n`` (``count`` and
        ``n`` nullable Int64; ``n`` = non-missing answers of the item in the group).
        Every scale level appears, with 0 when nobody chose it.  Rows are in
        codebook item order, then wave order (pre, post, followup, then), then level.

    Examples
    --------
    >>> import sys; sys.path.insert(0, "tests")
    >>> from statsdata import tiny_study
    >>> d = likert_distribution(tiny_study(), items=["q1"], min_cell=1)
    >>> d[d.wave == "pre"][["level", "count", "n"]].values.tolist()
    [[1, 0, 3], [2, 1, 3], [3, 1, 3], [4, 1, 3], [5, 0, 3]]
    """
    if suppress not in ("group", "cell"):
        raise ValueError(f"suppress must be group or cell; got {suppress!r}")
    by = list(by)
    bad = [b for b in by if b not in study.submissions.columns]
    if bad:
        raise ValueError(f"by must name submission columns (e.g. wave, course_id, audience); got {bad[0]!r}.")
    cb = study.codebook
    scale_items = [it for it in cb.items if it.type == "scale"]
    if items is not None:
        known = {it.id: it for it in scale_items}
        missing = [i for i in items if i not in known]
        if missing:
            raise ValueError(f"not a scale item: {missing[0]!r}; scale items: {', '.join(known)}.")
        scale_items = [known[i] for i in items]
    if level is not None:
        scale_items = [it for it in scale_items if it.level == level]
    limit = _min_cell(study, min_cell)
    columns = by + ["measure_id", "label", "scale", "level", "level_label", "count", "n"]
    ans = study.answers.merge(study.submissions[["submission_id"] + by], on="submission_id", how="inner")
    part = ans[ans["item_id"].isin([it.id for it in scale_items]) & ans["value"].notna()]
    if not len(part):
        return pd.DataFrame({c: pd.Series(dtype="Int64" if c in ("count", "n") else object) for c in columns})
    # every scale level of every item (zero when nobody chose it), with its labels
    levels = pd.DataFrame([(it.id, v, cb.scales[it.scale].label_of(v), it.scale, it.display)
                           for it in scale_items for v in cb.scales[it.scale].values],
                          columns=["item_id", "level", "level_label", "scale", "label"])
    # counts per group x item (rows) and answered value (columns); n = all non-missing answers
    table = (part.assign(level=part["value"].astype(int))
             .groupby(by + ["item_id", "level"], dropna=False, sort=False).size()
             .unstack("level", fill_value=0))
    table = table.reindex(columns=sorted(set(table.columns) | set(levels["level"])), fill_value=0)
    counts = table.to_numpy()
    n_levels = counts.shape[1]
    rows = np.repeat(np.arange(len(table)), n_levels)
    out = table.index.to_frame(index=False).iloc[rows].reset_index(drop=True)
    out["level"] = np.tile(table.columns.to_numpy(), len(table))
    out["count"] = counts.ravel()
    out["n"] = counts.sum(axis=1)[rows]
    out = out.merge(levels, on=["item_id", "level"], how="inner").rename(columns={"item_id": "measure_id"})
    out = out.astype({"measure_id": levels["item_id"].dtype})[columns]
    out["count"] = out["count"].astype("Int64")
    out["n"] = out["n"].astype("Int64")
    if suppress == "group":
        small = (out["n"] >= 1) & (out["n"] < limit)
        out.loc[small.to_numpy(dtype=bool), ["count", "n"]] = pd.NA
    else:
        from . import privacy

        keys = by + ["measure_id"]
        parts = []
        for _, g in out.groupby(keys, dropna=False, sort=False):
            ct = privacy.suppress_counts(g.set_index("level")[["count"]], min_cell=limit, margins=True)
            g = g.copy()
            g["count"] = ct["count"].to_numpy()
            if g["count"].isna().any() or int(g["n"].iloc[0]) < limit:
                g["n"] = pd.array([pd.NA] * len(g), dtype="Int64")
            parts.append(g)
        out = pd.concat(parts, ignore_index=True)
    order = {it.id: i for i, it in enumerate(scale_items)}
    sort_cols = ["_item"]
    out["_item"] = out["measure_id"].map(order)
    if "wave" in by:
        waves = _wave_order(out["wave"].dropna().unique())
        out["_wave"] = out["wave"].map({w: i for i, w in enumerate(waves)})
        sort_cols.append("_wave")
    out = out.sort_values(sort_cols + [c for c in by if c != "wave"] + ["level"], kind="mergesort")
    return out.drop(columns=[c for c in ("_item", "_wave") if c in out.columns]).reset_index(drop=True)


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
    """Diverging Likert bars (item x wave) for one study or one course, one panel per scale.

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

    from . import plots

    _check_lang(lang)
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
    limit = _min_cell(study, min_cell)
    waves_present = dist["wave"].unique()
    for ax, s in zip(axes[:, 0], scales):
        scale = study.codebook.scales[s]
        plots.likert_bars(dist[dist["scale"] == s], levels=scale.values,
                          labels=[scale.label_of(v) for v in scale.values], ax=ax,
                          wave_labels={w: wave_label(w, lang) for w in waves_present},
                          hidden_label=text("narrative.hidden", lang, min_cell=limit),
                          xlabel=text("narrative.percent", lang))
    return fig


# ---------------------------------------------------------------------- validation
def source_table(study, lang: str = "ja") -> pd.DataFrame:
    """Per source file: rows read, kept, dropped by reason, errors, warnings (wave in ``lang``)."""
    _check_lang(lang)
    cols = ["source_file", "course_id", "wave", "format", "rows", "kept", "empty_submission",
            "duplicate_submission", "excluded", "errors", "warnings"]
    summ = study.source_summary
    if summ is None or not len(summ):
        return pd.DataFrame(columns=cols)
    out = summ.reindex(columns=cols).reset_index(drop=True)
    out["wave"] = [wave_label(w, lang) for w in out["wave"]]
    return out


def problem_counts(study, lang: str = "ja") -> pd.DataFrame:
    """Problems counted by file x column x problem x action (no values)."""
    _check_lang(lang)
    val = study.validation
    cols = ["source_file", "column", "problem", "action", "count"]
    if val is None or not len(val):
        return pd.DataFrame(columns=cols)
    out = (val.assign(column=val["column"].fillna(DASH))
              .groupby(["source_file", "column", "problem", "action"], dropna=False, sort=True)
              .size().rename("count").reset_index())
    out["problem"] = [label("problem", p, lang) for p in out["problem"]]
    out["action"] = [label("action", a, lang) for a in out["action"]]
    return out[cols]


def _masked_columns(study) -> set[str]:
    """Headers whose cell values are personal: the respondent key and free-text items."""
    cb = study.codebook
    cols: set[str] = set()
    if cb.respondent_key is not None:
        cols.update(cb.respondent_key.column)
    for it in cb.items:
        if it.type in ("text", "multi"):
            cols.update(it.column)
    cols.update(r.column for r in cb.exclude)
    return cols


def problem_examples(study, n: int = 20, lang: str = "ja") -> pd.DataFrame:
    """The first ``n`` problems with personal values masked.

    Values of respondent-key, free-text and multi-select columns, of personal problems
    (duplicates, exclusions, "other" text, empty rows whose one cell is often a
    submission time), where the message quotes them too, and any respondent code
    (``study.sensitive``) inside a value or message, are replaced by ``＊＊＊``.
    The file row is shown as ``row`` (a position in the file, not a person).
    """
    _check_lang(lang)
    val = study.validation
    cols = ["source_file", "row", "column", "value", "problem", "action", "message"]
    if val is None or not len(val):
        return pd.DataFrame(columns=cols)
    out = val.head(n).copy()
    masked_cols = _masked_columns(study)
    sensitive = sorted((s for s in study.sensitive if s), key=len, reverse=True)
    mask = "＊＊＊"

    def scrub(s):
        if _isna(s):
            return s
        s = str(s)
        for code in sensitive:
            s = s.replace(code, mask)
        return s

    personal = out["column"].isin(masked_cols) | out["problem"].isin(
        ["duplicate_submission", "fuzzy_match", "missing_key", "excluded", "other_option",
         "empty_submission"])   # an empty row's only cell is often its submission time

    def scrub_message(m, value, is_personal):
        m = scrub(m)
        if is_personal and not _isna(m) and not _isna(value) and str(value).strip():
            for quoted in ("「{}」", "'{}'"):   # how messages quote the value they are about
                m = m.replace(quoted.format(scrub(value)), quoted.format(mask))
        return m

    out["message"] = [scrub_message(m, v, p) for m, v, p in zip(out["message"], out["value"], personal)]
    out["value"] = [mask if p and not _isna(v) and str(v).strip() else scrub(v)
                    for p, v in zip(personal, out["value"])]
    out["row"] = out["source_row"]
    out["problem"] = [label("problem", p, lang) for p in out["problem"]]
    out["action"] = [label("action", a, lang) for a in out["action"]]
    return out[cols].reset_index(drop=True)


def linkage_rates(study) -> pd.DataFrame:
    """Per course: invited, respondents per wave, pre-post linkage and response rates.

    Returns
    -------
    DataFrame
        ``course_id, title, invited, n_pre, n_post, rate_pre, rate_post, matched,
        only_pre, only_post`` (counts of people; rates NA when ``invited`` is unknown).
        Not yet suppressed: show it with ``ctx.table(..., n_cols=("n_pre", "n_post",
        "matched", "only_pre", "only_post"), group_cols=("course_id",))`` so a course
        with any count of 1 .. min_cell - 1 is hidden.
    """
    subs = study.submissions
    counts = subs.groupby(["course_id", "wave"]).size().unstack(fill_value=0)
    rows = []
    link = study.linkage if study.linkage is not None else pd.DataFrame()
    for c in study.courses.itertuples(index=False):
        row = {"course_id": c.course_id, "title": c.title, "invited": c.invited}
        for w in ("pre", "post"):
            row[f"n_{w}"] = int(counts.loc[c.course_id, w]) if (c.course_id in counts.index
                                                               and w in counts.columns) else 0
        lk = link[(link["course_id"] == c.course_id) & (link["wave_a"] == "pre") & (link["wave_b"] == "post")] \
            if len(link) else link
        if len(lk):
            row.update(matched=int(lk["matched"].iloc[0]), only_pre=int(lk["only_a"].iloc[0]),
                       only_post=int(lk["only_b"].iloc[0]))
        else:
            row.update(matched=pd.NA, only_pre=pd.NA, only_post=pd.NA)
        rows.append(row)
    out = pd.DataFrame(rows, columns=["course_id", "title", "invited", "n_pre", "n_post", "matched",
                                      "only_pre", "only_post"])
    for col in ("invited", "n_pre", "n_post", "matched", "only_pre", "only_post"):
        out[col] = pd.array(pd.to_numeric(out[col], errors="coerce"), dtype="Int64")
    for w in ("pre", "post"):
        inv = out["invited"].astype("Float64")
        rate = (out[f"n_{w}"].astype("Float64") / inv.where(inv > 0)).round(3)
        out[f"rate_{w}"] = rate.astype("float64")
    return out[["course_id", "title", "invited", "n_pre", "n_post", "rate_pre", "rate_post",
                "matched", "only_pre", "only_post"]]


# ---------------------------------------------------------------------- course report
_FACT_FIELDS = ("title", "fiscal_year", "date", "audience", "instructor", "instructor_type", "format",
                "style", "hours", "invited")


def course_facts(study, course_id: str, lang: str = "ja", *, min_cell: int | None = None) -> pd.DataFrame:
    """Course metadata and respondents per wave as a two-column (``item``, ``value``) table.

    Respondent counts below ``min_cell`` are written as ``< min_cell``; a response
    rate needs ``invited`` and a shown count.
    """
    _check_lang(lang)
    limit = _min_cell(study, min_cell)
    row = study.courses[study.courses["course_id"] == course_id]
    if not len(row):
        raise ValueError(f"course_id {course_id!r} is not in courses.csv.")
    row = row.iloc[0]
    rows = [(text("col.course_id", lang), course_id)]
    for f in _FACT_FIELDS:
        v = row.get(f)
        if f in ("audience", "instructor_type", "format", "style"):
            v = label(f, v, lang)
        elif f == "hours" and not _isna(v):
            v = f"{float(v):g}"
        rows.append((text(f"col.{f}", lang), DASH if _isna(v) else str(v)))
    subs = study.submissions[study.submissions["course_id"] == course_id]
    counts = subs.groupby("wave").size()
    invited = row.get("invited")
    for w in _wave_order(counts.index):
        n = int(counts[w])
        shown = str(n) if n >= limit else f"< {limit}"
        rows.append((text("narrative.respondents", lang, wave=wave_label(w, lang)), shown))
        if not _isna(invited) and int(invited) > 0 and n >= limit:
            rows.append((text("narrative.response_rate", lang, wave=wave_label(w, lang)),
                         fmt_pct(n / int(invited))))
    return pd.DataFrame(rows, columns=["item", "value"])


def course_title(study, course_id: str) -> str:
    """``<course_id> <title>`` for headings."""
    row = study.courses[study.courses["course_id"] == course_id]
    title = row["title"].iloc[0] if len(row) else None
    return f"{course_id} {title}" if not _isna(title) else str(course_id)


def course_prepost(pp: pd.DataFrame, course_id: str | None = None) -> pd.DataFrame:
    """Rows of a ``prepost`` table for one course (all rows when ``course_id`` is None)."""
    if course_id is None or "course_id" not in pp.columns:
        return pp.reset_index(drop=True)
    return pp[pp["course_id"] == course_id].reset_index(drop=True)


def _with_labels(pp: pd.DataFrame, study, lang: str) -> pd.DataFrame:
    names = measure_labels(study)
    out = pp.copy()
    out["label"] = [names.get(m, m) for m in out["measure_id"]]
    return out


def change_table(pp: pd.DataFrame, study, *, course_id: str | None = None, lang: str = "ja",
                 measure_type: str | None = None) -> pd.DataFrame:
    """Pre/post change per measure for the course report (numbers kept numeric).

    Parameters
    ----------
    pp : DataFrame
        ``dxsurvey.stats.prepost`` output.
    study : Study
        For measure labels.
    course_id : str, optional
        Only this course's rows.
    lang : {"ja", "en"}
    measure_type : {"construct", "item"}, optional
        Only these rows; default both, constructs first.

    Returns
    -------
    DataFrame
        ``audience, measure_type, label, reverse, design, n_a, n_b, n_pairs, mean_a,
        sd_a, mean_b, sd_b, diff, ci_low, ci_high, test, statistic, p_val, p_adj,
        effect_type, effect, effect_ci_low, effect_ci_high, caution``; pass
        ``n_cols=("n_a", "n_b")`` to ``ctx.table`` so small groups are suppressed.
    """
    _check_lang(lang)
    if measure_type is not None and measure_type not in ("construct", "item"):
        raise ValueError(f"measure_type must be construct or item; got {measure_type!r}")
    part = _with_labels(course_prepost(pp, course_id), study, lang)
    if measure_type is not None:
        part = part[part["measure_type"] == measure_type]
    part = part.assign(_t=part["measure_type"].map({"construct": 0, "item": 1}))
    part = part.sort_values(["_t"], kind="mergesort").drop(columns="_t")
    out = pd.DataFrame({
        "audience": [label("audience", a, lang) for a in part["audience"]],
        "measure_type": [label("measure_type", t, lang) for t in part["measure_type"]],
        "label": part["label"].to_numpy(),
        "reverse": ["✓" if bool(r) else "" for r in part["reverse"].fillna(False)],
        "design": [label("design", d, lang) for d in part["design"]],
    })
    for col in ("n_a", "n_b", "n_pairs"):
        out[col] = pd.array(pd.to_numeric(part[col], errors="coerce").to_numpy(), dtype="Int64")
    for col in ("mean_a", "sd_a", "mean_b", "sd_b", "diff"):
        out[col] = pd.to_numeric(part[col], errors="coerce").to_numpy(dtype=float)
    out["ci_low"] = pd.to_numeric(part["diff_ci_low"], errors="coerce").to_numpy(dtype=float)
    out["ci_high"] = pd.to_numeric(part["diff_ci_high"], errors="coerce").to_numpy(dtype=float)
    out["test"] = [label("test", t, lang) for t in part["test"]]
    for col in ("statistic", "p_val", "p_adj", "effect", "effect_ci_low", "effect_ci_high"):
        out[col] = pd.to_numeric(part[col], errors="coerce").to_numpy(dtype=float)
    out["effect_type"] = [label("effect_type", t, lang) for t in part["effect_type"]]
    out["caution"] = [_caution_text(c, lang) for c in part["caution"]]
    cols = ["audience", "measure_type", "label", "reverse", "design", "n_a", "n_b", "n_pairs", "mean_a",
            "sd_a", "mean_b", "sd_b", "diff", "ci_low", "ci_high", "test", "statistic", "p_val", "p_adj",
            "effect_type", "effect", "effect_ci_low", "effect_ci_high", "caution"]
    return out[cols].reset_index(drop=True)


#: prepost's caution phrases (English, see dxsurvey.stats.prepost) -> Japanese.
_CAUTION_JA = (
    (re.compile(r"^no complete pairs for this measure$"), "この指標で事前・事後がそろった組がありません"),
    (re.compile(r"^no answers in wave (.+)$"), lambda m: "・".join(
        wave_label(w, "ja") for w in m.group(1).split(" and ")) + "の回答がありません"),
    (re.compile(r"^n < (\d+) \(min_cell\): statistics suppressed$"),
     lambda m: f"回答者が{m.group(1)}人未満のため統計量は非表示"),
    (re.compile(r"^n < (\d+): interpret with caution$"), lambda m: f"回答者が{m.group(1)}人未満: 解釈に注意"),
    (re.compile(r"^fewer than (\d+) linked pairs: analysed as independent samples$"),
     lambda m: f"照合できた組が{m.group(1)}組未満のため独立2群として分析"),
    (re.compile(r"^no variance in the (differences|scores): t and effect undefined$"),
     lambda m: f"{'差' if m.group(1) == 'differences' else '得点'}のばらつきが0のため t と効果量は算出不可"),
    (re.compile(r"^all paired differences are zero$"), "すべての組で差が0"),
    # dxsurvey.stats.reliability
    (re.compile(r"^k < 2: reliability needs at least two items$"), "項目が2つ未満のため信頼性は算出不可"),
    (re.compile(r"^n < (\d+): reliability not computed$"), lambda m: f"回答者が{m.group(1)}人未満のため信頼性は算出不可"),
    (re.compile(r"^no variance in the total score$"), "合計得点のばらつきが0"),
    (re.compile(r"^negative alpha: check reverse coding$"), "αが負: 逆転項目の設定を確認"),
    (re.compile(r"^omega not computed: an item has no variance$"), "ばらつきのない項目があるためωは算出不可"),
)


def _caution_text(value, lang: str) -> str:
    """A prepost ``caution`` (phrases separated by ``;``) in the report language."""
    if _isna(value) or not str(value).strip():
        return ""
    parts = [p.strip() for p in str(value).split(";") if p.strip()]
    if lang != "ja":
        return "; ".join(parts)
    out = []
    for part in parts:
        for pattern, repl in _CAUTION_JA:
            m = pattern.match(part)
            if m:
                out.append(repl(m) if callable(repl) else repl)
                break
        else:
            out.append(part)
    return "、".join(out)


def _small(n, limit) -> bool:
    return _isna(n) or int(n) < limit


def effect_rows(pp: pd.DataFrame, study, *, course_id: str | None = None, lang: str = "ja",
                measure_type: str | None = None, min_cell: int | None = None) -> pd.DataFrame:
    """Rows for :func:`dxsurvey.plots.forest`: label, effect and its CI, suppressed.

    ``measure_type`` None = constructs when the table has any, else items.  The label
    carries the audience when the course has several.  Groups with ``n_a`` or ``n_b``
    below ``min_cell`` keep their row with NaN numbers.
    """
    _check_lang(lang)
    limit = _min_cell(study, min_cell)
    part = _with_labels(course_prepost(pp, course_id), study, lang)
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
    from . import plots

    rows = effect_rows(pp, study, course_id=course_id, lang=lang, measure_type=measure_type,
                       min_cell=min_cell)
    types = ", ".join(effect_symbol(t) for t in dict.fromkeys(rows["effect_type"].dropna()))
    ax = plots.forest(rows, xlabel=text("narrative.effect_axis", lang, types=types or DASH))
    return ax.figure


def cautions(pp: pd.DataFrame, study, *, course_id: str | None = None, lang: str = "ja",
             min_cell: int | None = None, caution_n: int = 10) -> str:
    """Markdown bullet list of what limits the reading of a course's results.

    Small groups (n below ``caution_n``, or suppressed below ``min_cell``), people left
    out of a paired analysis (pre only / post only) and independent-samples designs.
    (Per-measure cautions of the prepost table stay in :func:`change_table`.)
    """
    _check_lang(lang)
    limit = _min_cell(study, min_cell)
    part = course_prepost(pp, course_id)
    lines = []

    def count(n):
        return text("narrative.fewer_than", lang, n=limit) if 0 < int(n) < limit else str(int(n))

    for aud, g in part.groupby(part["audience"].astype(object).fillna(""), sort=False):
        who = label("audience", aud, lang) if aud else text("narrative.all_respondents", lang)
        n_min = pd.concat([pd.to_numeric(g["n_a"]), pd.to_numeric(g["n_b"])]).min()
        if _isna(n_min):
            continue
        if n_min < limit:
            lines.append(text("narrative.caution_suppressed", lang, who=who, min_cell=limit))
        elif n_min < caution_n:
            lines.append(text("narrative.caution_small", lang, who=who, n=int(n_min), limit=caution_n))
        designs = set(g["design"].dropna())
        if "independent" in designs:
            lines.append(text("narrative.caution_independent", lang, who=who, min_cell=limit))
        paired = g[g["design"] == "paired"]
        if len(paired):
            ua = pd.to_numeric(paired["n_unmatched_a"]).max()
            ub = pd.to_numeric(paired["n_unmatched_b"]).max()
            if (not _isna(ua) and ua > 0) or (not _isna(ub) and ub > 0):
                lines.append(text("narrative.caution_unmatched", lang, who=who,
                                  only_a=count(0 if _isna(ua) else ua), only_b=count(0 if _isna(ub) else ub),
                                  wave_a=wave_label(paired["wave_a"].iloc[0], lang),
                                  wave_b=wave_label(paired["wave_b"].iloc[0], lang)))
    if not len(part):
        lines.append(text("narrative.no_prepost", lang))
    if not lines:
        lines.append(text("narrative.no_cautions", lang))
    return "\n".join(f"- {line}" for line in dict.fromkeys(lines))


def quotes(study, course_id: str | None = None, *, items: Sequence[str] | None = None,
           min_cell_text: int | None = None) -> pd.DataFrame:
    """Masked free-text answers of a course, only when enough people wrote.

    A text item's answers are shown when :func:`dxsurvey.privacy.quotes_allowed`
    holds for the number of distinct people who answered it (at least the
    codebook's ``min_cell_text``).  Texts are masked at ingest; they are returned in
    a random-free, stable order (by item, then text) so the order reveals nobody.

    Returns
    -------
    DataFrame
        ``item, text``.
    """
    from . import privacy

    limit = int(min_cell_text or study.codebook.min_cell_text)
    texts = study.texts
    cols = ["item", "text"]
    if texts is None or not len(texts):
        return pd.DataFrame(columns=cols)
    subs = study.submissions
    if course_id is not None:
        subs = subs[subs["course_id"] == course_id]
    part = texts[texts["submission_id"].isin(set(subs["submission_id"]))]
    names = measure_labels(study)
    ids = list(items) if items is not None else [it.id for it in study.codebook.items if it.type == "text"]
    frames = []
    for item_id in ids:
        t = part[(part["item_id"] == item_id) & part["text"].notna()]
        t = t[t["text"].astype(str).str.strip() != ""]
        if privacy.quotes_allowed(_distinct_people(t["submission_id"], subs), min_cell_text=limit):
            frames.append(pd.DataFrame({"item": names.get(item_id, item_id),
                                        "text": sorted(t["text"].astype(str))}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)


@dataclass
class LaterChange:
    """A change beyond pre -> post that a course has data for (retention, response shift)."""

    name: str          # table stem: "retention", "response_shift"
    title: str
    text: str
    caption: str
    table: pd.DataFrame  # :func:`change_table` of the constructs
    apa: pd.DataFrame    # :func:`apa_prepost_table` of the same: what the report's text shows


#: (name, wave_a, wave_b) of the later changes a course report shows when it has the waves.
LATER_CHANGES = (("retention", "post", "followup"), ("response_shift", "pre", "then"))


def later_changes(study, *, lang: str = "ja", min_cell: int | None = None) -> list[LaterChange]:
    """Construct changes post -> follow-up (retention) and pre -> then-test (response shift).

    Only the changes whose two waves the study (usually one course) has answers in;
    each is a :func:`change_table` of ``dxsurvey.stats.prepost`` on the constructs, so
    ``diff`` is follow-up − post (negative: forgetting) and then − pre (negative: people
    rated their starting point lower after the course than before it).
    """
    from .stats import prepost

    _check_lang(lang)
    waves = set(study.submissions["wave"])
    out = []
    for name, a, b in LATER_CHANGES:
        if not {a, b} <= waves:
            continue
        kwargs = {"min_cell": min_cell} if min_cell else {}
        pp = prepost(study, waves=(a, b), measures="constructs", **kwargs)
        if not len(pp):
            continue
        out.append(LaterChange(name=name, title=text(f"narrative.later.{name}.title", lang),
                               text=text(f"narrative.later.{name}.text", lang),
                               caption=text(f"narrative.later.{name}.caption", lang),
                               table=change_table(pp, study, lang=lang),
                               apa=apa_prepost_table(pp, study, lang=lang, measure_type="construct",
                                                     min_cell=min_cell)))
    return out


def _distinct_people(submission_ids: pd.Series, subs: pd.DataFrame) -> int:
    """How many people wrote: linked submissions of one respondent count once.

    A person who wrote in both the pre and the post questionnaire is one person;
    anonymous submissions (no respondent key) each count as one.
    """
    keys = subs.set_index("submission_id")["respondent_key"].reindex(submission_ids.unique())
    return int(keys.dropna().nunique() + keys.isna().sum())


def quotes_note(study, course_id: str | None = None, lang: str = "ja") -> str:
    """One sentence saying whether free-text answers are shown, and why not."""
    _check_lang(lang)
    limit = int(study.codebook.min_cell_text)
    shown = quotes(study, course_id)
    if len(shown):
        return text("narrative.quotes_shown", lang, n=len(shown), min_cell_text=limit)
    return text("narrative.quotes_hidden", lang, min_cell_text=limit)


# ---------------------------------------------------------------------- comparisons
@dataclass
class ComparisonSection:
    """What the comparison report shows for one construct (all frames are aggregates)."""

    construct: str
    label: str
    design: str
    model: str | None
    figure: object
    terms: pd.DataFrame
    levels: pd.DataFrame
    contrasts: pd.DataFrame
    gain: pd.DataFrame
    notes: str

    def name(self, kind: str) -> str:
        """File stem of one of this section's tables or figures (``terms_necessity``)."""
        return f"{kind}_{self.construct}"


def _localize_levels(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = frame.copy()
    if "model" in out.columns:
        out["model"] = [label("model", m, lang) for m in out["model"]]
    if "factor" in out.columns:
        factors = list(out["factor"])
        out["factor"] = [label("factor", f, lang) for f in factors]
        for col in ("level", "level_a", "level_b"):
            if col in out.columns:
                out[col] = [label(f, v, lang) for f, v in zip(factors, out[col])]
    if "term" in out.columns:   # "instructor", "pre", "wave:format" -> 講師, 事前得点, 時期×形式
        out["term"] = ["×".join(label("factor", part, lang) for part in str(t).split(":"))
                       if not _isna(t) else DASH for t in out["term"]]
    return out.rename(columns={"level": "factor_level"})


def comparison_notes(comparison, lang: str = "ja") -> str:
    """The comparison's notes (aliasing, fallback, small n, Lord's paradox) as Markdown bullets."""
    _check_lang(lang)
    notes = comparison.notes
    if notes is None or not len(notes):
        return f"- {text('narrative.no_cautions', lang)}"
    return "\n".join(f"- {m}" for m in dict.fromkeys(notes["message"].astype(str)))


def _terms_of_shown_levels(terms: pd.DataFrame, levels: pd.DataFrame) -> pd.DataFrame:
    """Drop the test of a factor whose levels are all hidden (n under min_cell) in that model.

    A test comparing groups that are each too small to show would publish what the
    suppression hides; a factor with at least one shown level keeps its test.
    """
    if not len(terms) or not len(levels) or "factor" not in levels.columns:
        return terms
    shown = levels[levels["estimate"].notna()]
    known = set(zip(levels["model"], levels["factor"]))
    visible = set(zip(shown["model"], shown["factor"]))
    keep = []
    for model, term in zip(terms["model"], terms["term"]):
        factors = [f for f in str(term).split(":") if (model, f) in known]
        keep.append(not factors or any((model, f) in visible for f in factors))
    return terms[keep].reset_index(drop=True)


def comparison_sections(study, *, lang: str = "ja", constructs: Sequence[str] | None = None,
                        factors: Sequence[str] | None = None, min_cell: int | None = None
                        ) -> list[ComparisonSection]:
    """Run :func:`dxsurvey.stats.compare` for each construct and shape what the report shows.

    Each section holds the adjusted-means figure of the primary model (ANCOVA when
    the data are linked, else the model :func:`compare` used), the type-II terms,
    the levels and contrasts of every model, the gain-score levels and the notes.
    A construct that cannot be compared (no data) gets a section whose notes say why.
    """
    import matplotlib.pyplot as plt

    from . import plots
    from .stats import compare

    _check_lang(lang)
    cids = list(constructs) if constructs is not None else list(study.codebook.constructs)
    names = measure_labels(study)
    kwargs = {"min_cell": min_cell} if min_cell else {}
    if factors is not None:
        kwargs["factors"] = tuple(factors)
    out = []
    for cid in cids:
        try:
            comp = compare(study, construct=cid, **kwargs)
        except ValueError as exc:
            empty = pd.DataFrame()
            fig = no_data_figure(lang)
            plt.close(fig)
            out.append(ComparisonSection(cid, names.get(cid, cid), "", None, fig, empty,
                                         empty, empty, empty, f"- {exc}"))
            continue
        levels = comp.levels
        present = list(dict.fromkeys(levels["model"])) if len(levels) else []
        model = next((m for m in plots.MODEL_PREFERENCE if m in present), None)
        if model is None:
            fig = no_data_figure(lang)
        else:
            ax = plots.adjusted_means(
                levels, model=model,
                factor_labels={f: label("factor", f, lang) for f in levels["factor"].unique()},
                level_labels={str(v): label(f, v, lang) for f, v in zip(levels["factor"], levels["level"])},
                xlabel=text("narrative.adjusted_axis", lang, model=label("model", model, lang)))
            fig = ax.figure
        # drawn now, shown later by ctx.figure: take it off pyplot's list so the notebook
        # backend does not also show it at the end of the cell that built the sections
        plt.close(fig)
        gain = levels[levels["model"] == "gain"] if len(levels) else levels
        out.append(ComparisonSection(
            construct=cid, label=names.get(cid, cid), design=comp.design, model=model, figure=fig,
            terms=_localize_levels(_terms_of_shown_levels(comp.terms, levels), lang),
            levels=_localize_levels(levels, lang),
            contrasts=_localize_levels(comp.contrasts, lang),
            gain=_localize_levels(gain, lang).reset_index(drop=True),
            notes=comparison_notes(comp, lang)))
    return out


def course_by_course(pp: pd.DataFrame, study, *, lang: str = "ja") -> pd.DataFrame:
    """Construct change per course (and audience) with its CI, beside the course's factors.

    Returns
    -------
    DataFrame
        ``construct, course_id, title, instructor, format, style, audience, design,
        n_a, n_b, mean_a, mean_b, diff, ci_low, ci_high, effect_type, effect``; pass
        ``n_cols=("n_a", "n_b")`` to ``ctx.table``.
    """
    _check_lang(lang)
    part = _with_labels(pp[pp["measure_type"] == "construct"], study, lang)
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
def _suppressed_rows(pp: pd.DataFrame, limit: int) -> np.ndarray:
    n_a = pd.to_numeric(pp["n_a"], errors="coerce")
    n_b = pd.to_numeric(pp["n_b"], errors="coerce")
    return (((n_a >= 1) & (n_a < limit)) | ((n_b >= 1) & (n_b < limit))).to_numpy(dtype=bool)


_STAT_SYMBOL = {"paired_t": "t", "welch_t": "t", "t": "t", "wilcoxon": "V", "mannwhitney": "W",
                "mann_whitney": "W", "mwu": "W"}


#: APA-style symbols of prepost's effect types, for text, APA tables and axis labels.
_EFFECT_SYMBOL = {"cohen_dz": "d_z", "hedges_g": "g", "rank_biserial": "r_rb"}


def effect_symbol(effect_type) -> str:
    """``cohen_dz`` -> ``d_z``, ``hedges_g`` -> ``g``, ``rank_biserial`` -> ``r_rb`` (others as written)."""
    return DASH if _isna(effect_type) else _EFFECT_SYMBOL.get(str(effect_type), str(effect_type))


def _stat_symbol(test) -> str:
    if _isna(test):
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


def apa_prepost_table(pp: pd.DataFrame, study, *, lang: str = "ja", measure_type: str = "construct",
                      min_cell: int | None = None) -> pd.DataFrame:
    """An APA-style table of pre/post change: M (SD) per wave, statistic, p, effect [95% CI].

    Rows whose group has 1 .. min_cell - 1 respondents in a wave show "—" in every
    number (the table is pre-formatted text, so suppression happens here).

    Returns
    -------
    DataFrame
        ``[course_id, audience,] measure, design, n, pre, post, diff, statistic, p,
        effect`` with text cells (``3.21 (0.84)``, ``t = 4.10``, ``< .001``,
        ``d = 0.62 [0.31, 0.93]``); ``course_id``/``audience`` only when the table has
        more than one of them; then ``suppressed`` (bool), so that the report adds
        its footnote explaining "—".
    """
    _check_lang(lang)
    if measure_type not in ("construct", "item"):
        raise ValueError(f"measure_type must be construct or item; got {measure_type!r}")
    limit = _min_cell(study, min_cell)
    part = _with_labels(pp[pp["measure_type"] == measure_type], study, lang).reset_index(drop=True)
    hide = _suppressed_rows(part, limit)
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
            row.update({k: DASH for k in ("n", "pre", "post", "diff", "statistic", "p", "effect")})
        else:
            n = r["n_pairs"] if r["design"] == "paired" and not _isna(r.get("n_pairs")) else None
            row["n"] = str(int(n)) if n is not None else f"{fmt_num(r['n_a'], 0)} / {fmt_num(r['n_b'], 0)}"
            row["pre"] = f"{fmt_num(r['mean_a'])} ({fmt_num(r['sd_a'])})"
            row["post"] = f"{fmt_num(r['mean_b'])} ({fmt_num(r['sd_b'])})"
            row["diff"] = fmt_est_ci(r["diff"], r["diff_ci_low"], r["diff_ci_high"])
            row["statistic"] = f"{_stat_symbol(r['test'])} = {fmt_num(r['statistic'])}"
            row["p"] = fmt_p(r["p_adj"] if not _isna(r.get("p_adj")) else r["p_val"])
            row["effect"] = (f"{effect_symbol(r['effect_type'])} = "
                             f"{fmt_est_ci(r['effect'], r['effect_ci_low'], r['effect_ci_high'])}")
        rows.append(row)
    cols = [c for c in ("course_id", "audience") if rows and c in rows[0]] + \
        ["measure", "design", "n", "pre", "post", "diff", "statistic", "p", "effect", "suppressed"]
    return pd.DataFrame(rows, columns=cols)


def _direction(diff, lang) -> str:
    if _isna(diff) or float(diff) == 0:
        return text("narrative.dir_same", lang)
    return text("narrative.dir_up" if float(diff) > 0 else "narrative.dir_down", lang)


def results_text(pp: pd.DataFrame, study, *, lang: str = "ja", measure_type: str = "construct",
                 min_cell: int | None = None) -> str:
    """One sentence per row of a (pooled) prepost table, numbers formatted from the table.

    Groups below ``min_cell`` get a sentence saying they are not reported.
    """
    _check_lang(lang)
    limit = _min_cell(study, min_cell)
    part = _with_labels(pp[pp["measure_type"] == measure_type], study, lang).reset_index(drop=True)
    hide = _suppressed_rows(part, limit)
    sentences = []
    for i, r in part.iterrows():
        who = []
        if "course_id" in part.columns and part["course_id"].nunique() > 1:
            who.append(str(r["course_id"]))
        if "audience" in part.columns and part["audience"].nunique(dropna=False) > 1:
            who.append(label("audience", r["audience"], lang))
        prefix = f"{' '.join(who)}: " if who else ""
        if hide[i]:
            sentences.append(prefix + text("narrative.result_hidden", lang, measure=r["label"], min_cell=limit))
            continue
        p = r["p_adj"] if not _isna(r.get("p_adj")) else r["p_val"]
        p_txt = fmt_p(p)
        sentences.append(prefix + text(
            "narrative.result", lang, measure=r["label"], wave_a=wave_label(r["wave_a"], lang),
            wave_b=wave_label(r["wave_b"], lang), mean_a=fmt_num(r["mean_a"]), mean_b=fmt_num(r["mean_b"]),
            direction=_direction(r["diff"], lang), diff=fmt_num(r["diff"]),
            ci=fmt_ci(r["diff_ci_low"], r["diff_ci_high"]), effect_type=effect_symbol(r["effect_type"]),
            effect=fmt_est_ci(r["effect"], r["effect_ci_low"], r["effect_ci_high"]),
            p=("p " + p_txt) if p_txt.startswith("<") else f"p = {p_txt}",
            n=(str(int(r["n_pairs"])) if r["design"] == "paired" and not _isna(r.get("n_pairs"))
               else f"{fmt_num(r['n_a'], 0)} / {fmt_num(r['n_b'], 0)}"),
            design=label("design", r["design"], lang)))
    if not sentences:
        return text("narrative.no_prepost", lang)
    return ("" if lang == "ja" else " ").join(sentences)


def abstract(pp: pd.DataFrame, study, lang: str = "ja", *, min_cell: int | None = None) -> str:
    """The abstract: scope (courses, respondents) and the construct results of a pooled table."""
    _check_lang(lang)
    limit = _min_cell(study, min_cell)
    subs = study.submissions
    n_courses = int(subs["course_id"].nunique())
    counts = subs.groupby("wave").size()
    waves = ("、" if lang == "ja" else ", ").join(
        text("narrative.wave_count", lang, wave=wave_label(w, lang),
             n=str(int(counts[w])) if counts[w] >= limit else text("narrative.fewer_than", lang, n=limit))
        for w in _wave_order(counts.index))
    scope = text("narrative.abstract_scope", lang, survey=study.codebook.survey, courses=n_courses, waves=waves)
    results = results_text(pp, study, lang=lang, measure_type="construct", min_cell=min_cell)
    return scope + ("" if lang == "ja" else " ") + results


def _col(frame: pd.DataFrame, *names):
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
    _check_lang(lang)
    if rel is None or not len(rel):
        return pd.DataFrame(columns=["construct", "n", "alpha", "omega"])
    part = rel
    if course_id is not None and "course_id" in part.columns:
        part = part[part["course_id"] == course_id]
    cid = _col(part, "construct", "construct_id", "measure_id")
    if "wave" in part.columns and len(part):   # waves in time order (pre, post, followup, then)
        groups = [c for c in (cid, "course_id", "audience") if c and c in part.columns]
        waves = {w: i for i, w in enumerate(_wave_order(part["wave"].dropna().unique()))}
        part = (part.assign(_g=part.groupby(groups, sort=False, dropna=False).ngroup() if groups else 0,
                            _w=part["wave"].map(waves))
                .sort_values(["_g", "_w"], kind="mergesort").drop(columns=["_g", "_w"]))
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
        limit = _min_cell(study, min_cell)
        n = pd.to_numeric(part["n"], errors="coerce").to_numpy() if "n" in part.columns else None
        out["caution"] = ["" if n is not None and 1 <= n[i] < limit else _caution_text(c, lang)
                          for i, c in enumerate(part["caution"])]
    return out.reset_index(drop=True)


def _rel_summary(rel: pd.DataFrame | None, study, cid: str, lang: str) -> str:
    if rel is None or not len(rel):
        return DASH
    key = _col(rel, "construct", "construct_id", "measure_id")
    part = rel[rel[key] == cid] if key else rel.iloc[0:0]
    a, o = _col(rel, "alpha"), _col(rel, "omega", "omega_total", "omega_t")
    if not len(part) or a is None:
        return DASH
    alphas = pd.to_numeric(part[a], errors="coerce").dropna()
    omegas = pd.to_numeric(part[o], errors="coerce").dropna() if o else pd.Series(dtype=float)

    def rng(s):
        if not len(s):
            return DASH
        lo, hi = fmt_num(s.min()), fmt_num(s.max())
        return lo if lo == hi else f"{lo}–{hi}"

    return text("narrative.rel_values", lang, alpha=rng(alphas), omega=rng(omegas))


def methods(study, rel: pd.DataFrame | None = None, *, lang: str = "ja", min_cell: int | None = None) -> str:
    """The methods section (Markdown): design, instruments with reliability, statistics,
    missing data and privacy, every number taken from the study or the reliability table."""
    _check_lang(lang)
    cb = study.codebook
    limit = _min_cell(study, min_cell)
    subs = study.submissions
    waves = ("・" if lang == "ja" else ", ").join(wave_label(w, lang) for w in _wave_order(subs["wave"].unique()))
    link = study.linkage if study.linkage is not None else pd.DataFrame()
    pp_link = link[(link["wave_a"] == "pre") & (link["wave_b"] == "post")] if len(link) else link
    matched = int(pp_link["matched"].sum()) if len(pp_link) else 0
    design = text("narrative.methods_design", lang, courses=int(subs["course_id"].nunique()), waves=waves)
    if cb.respondent_key is not None:
        design += text("narrative.methods_keyed", lang, matched=matched if matched >= limit or matched == 0
                       else text("narrative.fewer_than", lang, n=limit), min_cell=limit)
    else:
        design += text("narrative.methods_anonymous", lang)
    lines = []
    for c in cb.constructs.values():
        lines.append(text("narrative.methods_construct", lang, label=c.label, k=len(c.items),
                          items=", ".join(cb.item(i).display for i in c.items),
                          reliability=_rel_summary(rel, study, c.id, lang)))
    scales = {cb.item(i).scale for c in cb.constructs.values() for i in c.items}
    scale_txt = ", ".join(f"{s} ({cb.scales[s].min}–{cb.scales[s].max})" for s in sorted(scales)) or DASH
    instruments = text("narrative.methods_instruments", lang, scales=scale_txt,
                       n_items=len(cb.items_of("scale")), n_constructs=len(cb.constructs))
    parts = [
        text("narrative.h_design", lang), design,
        text("narrative.h_instruments", lang), instruments + "\n\n" + "\n".join(f"- {x}" for x in lines),
        text("narrative.h_statistics", lang), text("narrative.methods_statistics", lang, min_cell=limit),
        text("narrative.h_missing", lang), text("narrative.methods_missing", lang),
        text("narrative.h_privacy", lang), text("narrative.methods_privacy", lang, min_cell=limit,
                                                 min_cell_text=cb.min_cell_text),
    ]
    return "\n\n".join(parts)


# ---------------------------------------------------------------------- reproducibility
def parameters_table(**params) -> pd.DataFrame:
    """The notebook's parameters as a ``name, value`` table (paths shown as given)."""
    return pd.DataFrame({"name": list(params), "value": [str(v) for v in params.values()]})


def package_versions() -> pd.DataFrame:
    """Python and package versions as a ``package, version`` table (see :mod:`dxsurvey.provenance`)."""
    return provenance.package_versions()


def input_hashes(study) -> pd.DataFrame:
    """SHA-256 of every input file: ``file``, ``sha256`` (see :mod:`dxsurvey.provenance`)."""
    return provenance.input_files(study)
