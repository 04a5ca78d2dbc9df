"""The validation report (notebooks/00_validation): sources, problems, linkage and response rates."""
from __future__ import annotations

import re

import pandas as pd

from .. import privacy
from .catalog import text
from .context import ReportTable
from .format import (DASH, check_lang, isna, label, wave_label)

__all__ = ["source_table", "problem_counts", "problem_examples", "explain", "linkage_rates", "summary",
           "table_sources", "table_problem_counts", "table_problem_examples", "table_response", "table_linkage",
           "error_lines"]


def source_table(study, lang: str = "ja") -> pd.DataFrame:
    """Per source file: rows read, kept, dropped by reason, errors, warnings (wave in ``lang``)."""
    check_lang(lang)
    cols = ["source_file", "course_id", "wave", "format", "rows", "kept", "empty_submission",
            "duplicate_submission", "excluded", "errors", "warnings"]
    summ = study.source_summary
    if summ is None or not len(summ):
        return pd.DataFrame(columns=cols)
    out = summ.reindex(columns=cols).reset_index(drop=True)
    out["wave"] = [wave_label(w, lang) for w in out["wave"]]
    out["format"] = [label("source_format", f, lang) for f in out["format"]]
    return out


def problem_counts(study, lang: str = "ja") -> pd.DataFrame:
    """Problems counted by file x column x problem x action (no values)."""
    check_lang(lang)
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


def _scale_of_column(study, column):
    """The scale of the item asked under a header (exact, grid row ``[label]`` or last part), else None."""
    if isna(column):
        return None
    col = str(column)
    best = None
    for it in study.codebook.items:
        if it.type != "scale" or it.scale not in study.codebook.scales:
            continue
        for alt in it.column:
            if col == alt or col.endswith(f"[{alt}]") or col.endswith(f" {alt}"):
                if best is None or len(alt) > best[0]:
                    best = (len(alt), study.codebook.scales[it.scale])
    return best[1] if best else None


def explain(study, problem: str, action: str, column, lang: str = "ja") -> str:
    """What a validation problem means and what was done, in the report's language (no codes).

    The file, row, column and value have their own columns; this sentence adds what the
    log's message says about them, from the catalogue (``00_validation.explain.<problem>``):
    an out-of-range value names the scale's levels (``1 そう思わない – 5 そう思う``).
    """
    check_lang(lang)
    key = f"00_validation.explain.{problem}"
    act = label("action", action, lang)
    try:
        if problem == "out_of_range":
            scale = _scale_of_column(study, column)
            if scale is not None:
                lo, hi = scale.label_of(scale.min), scale.label_of(scale.max)
                plain = (lo, hi) == (str(scale.min), str(scale.max))    # a linear scale: labels are the numbers
                rng = text("00_validation.scale_range_plain" if plain else "00_validation.scale_range", lang,
                           low=scale.min, low_label=lo, high=scale.max, high_label=hi)
                return text("00_validation.explain.out_of_range_scale", lang, range=rng, action=act)
        return text(key, lang, action=act)
    except KeyError:
        return text("00_validation.explain.other", lang, problem=label("problem", problem, lang), action=act)


def problem_examples(study, n: int = 20, lang: str = "ja") -> pd.DataFrame:
    """The first ``n`` problems with personal values masked, explained in ``lang``.

    Values of respondent-key, free-text and multi-select columns, of personal problems
    (duplicates, exclusions, "other" text, empty rows whose one cell is often a
    submission time), and any respondent code (``study.sensitive``) inside a value, are
    replaced by ``＊＊＊``.  ``message`` is :func:`explain` (the catalogue's words in the
    report's language, no values), not the log's English message, which quotes values
    and names scale and item ids.  The file row is shown as ``row`` (a position in the
    file, not a person).
    """
    check_lang(lang)
    val = study.validation
    cols = ["source_file", "row", "column", "value", "problem", "action", "message"]
    if val is None or not len(val):
        return pd.DataFrame(columns=cols)
    out = val.head(n).copy()
    masked_cols = _masked_columns(study)
    sensitive = sorted((s for s in study.sensitive if s), key=len, reverse=True)
    mask = "＊＊＊"

    def scrub(s):
        if isna(s):
            return s
        s = str(s)
        for code in sensitive:
            s = s.replace(code, mask)
        return s

    personal = out["column"].isin(masked_cols) | out["problem"].isin(
        ["duplicate_submission", "fuzzy_match", "missing_key", "excluded", "other_option",
         "empty_submission"])   # an empty row's only cell is often its submission time

    out["message"] = [explain(study, p, a, c, lang) for p, a, c in zip(out["problem"], out["action"], out["column"])]
    out["value"] = [mask if p and not isna(v) and str(v).strip() else scrub(v)
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



# ---------------------------------------------------------------------- report tables
def table_sources(ctx) -> ReportTable:
    """Per source file: rows read and kept count people (a small course shows —)."""
    return ReportTable(source_table(ctx.study, ctx.language), "validation_sources", "00_validation.cap_sources",
                       n_cols=("rows", "kept"))


def table_problem_counts(ctx) -> ReportTable:
    """Problems per file x column x problem x action: counts of problems, not of people."""
    return ReportTable(problem_counts(ctx.study, ctx.language), "validation_problem_counts",
                       "00_validation.cap_problem_counts", n_cols=())


def table_problem_examples(ctx, n: int = 20) -> ReportTable:
    """The first ``n`` problems, personal values masked: one row per problem, no counts."""
    return ReportTable(problem_examples(ctx.study, n=n, lang=ctx.language), "validation_problem_examples",
                       "00_validation.cap_problem_examples", n_cols=(), caption_args={"n": n})


def table_response(ctx) -> ReportTable:
    """Invited, respondents per wave and response rates per course.

    Each course is its own group: a course with 22-45 respondents is shown whatever its
    linkage counts are; a wave count of 1 .. min_cell - 1 hides that course's row.
    """
    frame = linkage_rates(ctx.study)[["course_id", "title", "invited", "n_pre", "n_post", "rate_pre", "rate_post"]]
    return ReportTable(frame, "response_rates", "00_validation.cap_response",
                       n_cols=("n_pre", "n_post"), group_cols=("course_id",))


def table_linkage(ctx) -> ReportTable:
    """Linked pairs and the unlinked per course, apart from the response table.

    matched + only_pre = n_pre and matched + only_post = n_post (both shown in
    :func:`table_response`): a small ``only_pre`` could be recovered from ``matched``, so
    the one rule hides the course's three linkage counts together, and nothing else.
    """
    frame = linkage_rates(ctx.study)[["course_id", "title", "matched", "only_pre", "only_post"]]
    frame = frame[frame["matched"].notna()].reset_index(drop=True)
    return ReportTable(frame, "linkage", "00_validation.cap_linkage",
                       n_cols=("matched", "only_pre", "only_post"), group_cols=("course_id",))


# ---------------------------------------------------------------------- the console summary
def _problem_line(r, lang: str) -> str:
    """One problem for people: where (file, row, column, value), what and what was done."""
    problem, action = label("problem", r.problem, lang), label("action", r.action, lang)
    if lang == "en":   # the logged message is English and names file, row, column and value
        return f"{r.message} [{problem} -> {action}]"
    parts = [str(r.source_file)]
    if pd.notna(r.source_row):
        parts.append(text("validation.summary.row", lang, row=r.source_row))
    if isinstance(r.column, str):
        parts.append(text("validation.summary.column", lang, column=r.column))
    if isinstance(r.value, str):
        parts.append(text("validation.summary.value", lang, value=r.value))
    line = text("validation.summary.problem", lang, where=" ".join(parts), problem=problem, action=action)
    if r.problem == "duplicate_submission":
        later = re.search(r"\(row (\d+)\)", str(r.message))
        row = text("validation.summary.later_row", lang, row=later.group(1)) if later else ""
        line += text("validation.summary.later_kept", lang, row=row)
    elif r.problem in _CATALOGUE_DETAIL:   # the log's English message would put English in the line
        from ..ingest import STRAIGHT_MIN_ITEMS
        line += text("validation.summary.detail", lang,
                     detail=text(f"validation.summary.explain.{r.problem}", lang, n=STRAIGHT_MIN_ITEMS))
    elif r.action == "error" or r.problem in _EXPLAINED:
        detail = r.message if r.problem == "unreadable_source" else str(r.message).split(": ", 1)[-1]
        line += text("validation.summary.detail", lang, detail=detail)
    return line


def error_lines(study, language: str | None = None) -> list[str]:
    """One console line per error-level problem (a file that cannot be read, a missing column),
    worded as in :func:`summary`: what ``run``, ``validate`` and ``ingest`` print before exiting 1."""
    lang = language or study.language
    return [_problem_line(r, lang) for r in study.errors.itertuples(index=False)]


#: Problems a Japanese console line explains from the catalogue (the logged message is English).
_CATALOGUE_DETAIL = ("straight_lining", "too_fast")

#: Order of severity in the console: errors first.
_SEVERITY = {"error": 0, "set_missing": 1, "dropped": 2, "kept": 3}
#: Problems whose logged message is the explanation (shown in Japanese lines too).
_EXPLAINED = ("fuzzy_match", "label_loss", "merged_spellings", "same_column", "unknown_course", "unknown_wave",
              "straight_lining", "too_fast")


def _by_kind(v: pd.DataFrame) -> pd.DataFrame:
    """Problem counts by file x column x problem x action, errors first, then the largest."""
    keys = ["source_file", "colkey", "problem", "action"]
    groups = v.groupby(keys, sort=False, dropna=False).size().rename("n").reset_index()
    groups["sev"] = groups["action"].map(_SEVERITY).fillna(9)
    return groups.sort_values(["sev", "n"], ascending=[True, False], kind="mergesort").reset_index(drop=True)


def summary(study, language: str | None = None, *, max_problems: int = 200, per_kind: int = 10) -> str:
    """The console summary of ``dxsurvey validate``: per source, linkage, then the problems
    counted by file x column x kind (errors first), then examples of each kind (at most
    ``per_kind`` of a kind, ``max_problems`` in all).  Free text in values and messages is
    masked as in reports (:func:`dxsurvey.privacy.mask_text`).  "OK" only without errors.

    Parameters
    ----------
    study : Study
    language : {"ja", "en"}, optional
        Default the codebook's.
    max_problems : int
        Examples listed in all (the rest are counted).
    per_kind : int
        Examples listed of one file x column x kind.

    Raises
    ------
    ValueError
        For a language other than ja / en.
    """
    lang = language or study.language
    if lang not in ("ja", "en"):
        raise ValueError(f"language must be one of ja, en; got {lang!r}")

    def t(key, **fmt):
        return text(f"validation.summary.{key}", lang, **fmt)

    out = [t("title", survey=study.codebook.survey), ""]
    for r in study.source_summary.itertuples(index=False):
        out.append(t("source", file=r.source_file, course=r.course_id, wave=r.wave,
                     format=r.format if isinstance(r.format, str) else "-", rows=r.rows, kept=r.kept,
                     empty=r.empty_submission, dup=r.duplicate_submission, excl=r.excluded))
    out.append("")
    linked = set()
    for r in study.linkage.itertuples(index=False):
        linked.add(r.course_id)
        out.append(t("linkage", course=r.course_id, wave_a=r.wave_a,
                     wave_b=r.wave_b, matched=r.matched, only_a=r.only_a, only_b=r.only_b))
    for course in sorted(set(study.submissions["course_id"]) - linked):
        out.append(t("anon", course=course))
    v = study.validation
    out.append("")
    warnings = int((v["action"] != "error").sum())
    if len(v):
        out.append(t("problems", n=len(v), errors=int((v["action"] == "error").sum()), warnings=warnings))
        names = privacy.load_names(study.root) if study.root is not None else []

        def mask(value):
            return privacy.mask_text(value, names=names) if isinstance(value, str) else value

        v = v.assign(colkey=v["column"].fillna(""))
        groups = _by_kind(v)
        out.append(t("by_kind"))
        for g in groups.itertuples(index=False):
            out.append(t("kind_line", action=label("action", g.action, lang), file=g.source_file,
                         column=t("kind_column", column=g.colkey) if g.colkey else "",
                         problem=label("problem", g.problem, lang), n=g.n))
        out.append("")
        out.append(t("examples", k=per_kind))
        keys = ["source_file", "colkey", "problem", "action"]
        order = groups[keys].reset_index().rename(columns={"index": "grp"})
        ranked = v.merge(order, on=keys, how="left").sort_values("grp", kind="mergesort")
        ranked = ranked[ranked.groupby("grp").cumcount() < per_kind].head(max_problems)
        ranked = ranked.assign(value=ranked["value"].map(mask), message=ranked["message"].map(mask))
        out += ["  " + _problem_line(r, lang) for r in ranked.itertuples(index=False)]
        if len(v) > len(ranked):
            out.append(f"  … (+{len(v) - len(ranked)})")
    else:
        out.append(t("ok"))
    out.append("")
    out.append(t("status_error") if len(study.errors) else t("status_ok", warnings=warnings))
    return "\n".join(out)
