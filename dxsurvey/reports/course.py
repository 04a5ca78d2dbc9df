"""The course report (notebooks/10_course_report): one course's facts, change, cautions, quotes."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from .. import privacy
from .catalog import text
from .context import ReportTable
from .common import (apa_prepost_table, caution_text, course_prepost, resolve_min_cell, with_labels)
from .format import (DASH, Markup, escape_md, check_lang, fmt_pct, isna, label, measure_labels, wave_label, wave_order)

__all__ = ["resolve_course", "course_facts", "course_title", "change_table", "cautions", "quotes",
           "quotes_note", "LaterChange", "LATER_CHANGES", "later_changes"]


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


_FACT_FIELDS = ("title", "fiscal_year", "date", "audience", "instructor", "instructor_type", "format",
                "style", "hours", "invited")


def course_facts(study, course_id: str, lang: str = "ja", *, min_cell: int | None = None) -> pd.DataFrame:
    """Course metadata and respondents per wave as a two-column (``item``, ``value``) table.

    Respondent counts below ``min_cell`` are written as ``< min_cell``; a response
    rate needs ``invited`` and a shown count.
    """
    check_lang(lang)
    limit = resolve_min_cell(study, min_cell)
    row = study.courses[study.courses["course_id"] == course_id]
    if not len(row):
        raise ValueError(f"course_id {course_id!r} is not in courses.csv.")
    row = row.iloc[0]
    rows = [(text("col.course_id", lang), course_id)]
    for f in _FACT_FIELDS:
        v = row.get(f)
        if f in ("audience", "instructor_type", "format", "style"):
            v = label(f, v, lang)
        elif f == "hours" and not isna(v):
            v = f"{float(v):g}"
        rows.append((text(f"col.{f}", lang), DASH if isna(v) else str(v)))
    subs = study.submissions[study.submissions["course_id"] == course_id]
    counts = subs.groupby("wave").size()
    invited = row.get("invited")
    for w in wave_order(counts.index):
        n = int(counts[w])
        shown = str(n) if n >= limit else f"< {limit}"
        rows.append((text("narrative.respondents", lang, wave=wave_label(w, lang)), shown))
        if not isna(invited) and int(invited) > 0 and n >= limit:
            rows.append((text("narrative.response_rate", lang, wave=wave_label(w, lang)),
                         fmt_pct(n / int(invited))))
    return pd.DataFrame(rows, columns=["item", "value"])


def course_title(study, course_id: str) -> str:
    """``<course_id> <title>`` for headings."""
    row = study.courses[study.courses["course_id"] == course_id]
    title = row["title"].iloc[0] if len(row) else None
    return f"{course_id} {title}" if not isna(title) else str(course_id)


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
    check_lang(lang)
    if measure_type is not None and measure_type not in ("construct", "item"):
        raise ValueError(f"measure_type must be construct or item; got {measure_type!r}")
    part = with_labels(course_prepost(pp, course_id), study, lang)
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
    out["caution"] = [caution_text(c, lang) for c in part["caution"]]
    cols = ["audience", "measure_type", "label", "reverse", "design", "n_a", "n_b", "n_pairs", "mean_a",
            "sd_a", "mean_b", "sd_b", "diff", "ci_low", "ci_high", "test", "statistic", "p_val", "p_adj",
            "effect_type", "effect", "effect_ci_low", "effect_ci_high", "caution"]
    return out[cols].reset_index(drop=True)


#: prepost's caution phrases (English, see dxsurvey.stats.prepost) -> Japanese.
def cautions(pp: pd.DataFrame, study, *, course_id: str | None = None, lang: str = "ja",
             min_cell: int | None = None, caution_n: int = 10) -> str:
    """Markdown bullet list of what limits the reading of a course's results.

    Small groups (n below ``caution_n``, or suppressed below ``min_cell``), people left
    out of a paired analysis (pre only / post only) and independent-samples designs.
    (Per-measure cautions of the prepost table stay in :func:`change_table`.)
    """
    check_lang(lang)
    limit = resolve_min_cell(study, min_cell)
    part = course_prepost(pp, course_id)
    lines = []

    def count(n):
        return text("narrative.fewer_than", lang, n=limit) if 0 < int(n) < limit else str(int(n))

    for aud, g in part.groupby(part["audience"].astype(object).fillna(""), sort=False):
        who = label("audience", aud, lang) if aud else text("narrative.all_respondents", lang)
        n_min = pd.concat([pd.to_numeric(g["n_a"]), pd.to_numeric(g["n_b"])]).min()
        if isna(n_min):
            continue
        if n_min < limit:
            lines.append(text("narrative.caution_suppressed", lang, who=escape_md(who), min_cell=limit))
        elif n_min < caution_n:
            lines.append(text("narrative.caution_small", lang, who=escape_md(who), n=int(n_min), limit=caution_n))
        designs = set(g["design"].dropna())
        if "independent" in designs:
            lines.append(text("narrative.caution_independent", lang, who=escape_md(who), min_cell=limit))
        paired = g[g["design"] == "paired"]
        if len(paired):
            ua = pd.to_numeric(paired["n_unmatched_a"]).max()
            ub = pd.to_numeric(paired["n_unmatched_b"]).max()
            if (not isna(ua) and ua > 0) or (not isna(ub) and ub > 0):
                lines.append(text("narrative.caution_unmatched", lang, who=escape_md(who),
                                  only_a=count(0 if isna(ua) else ua), only_b=count(0 if isna(ub) else ub),
                                  wave_a=wave_label(paired["wave_a"].iloc[0], lang),
                                  wave_b=wave_label(paired["wave_b"].iloc[0], lang)))
    if not len(part):
        lines.append(text("narrative.no_prepost", lang))
    if not lines:
        lines.append(text("narrative.no_cautions", lang))
    return Markup("\n".join(f"- {line}" for line in dict.fromkeys(lines)))


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

    def table_apa(self) -> ReportTable:
        """The APA-style table (pre-suppressed text, see :func:`dxsurvey.reports.common.table_apa`)."""
        return ReportTable(self.apa, f"{self.name}_apa", f"narrative.later.{self.name}.caption", n_cols=())

    def table_detail(self) -> ReportTable:
        """Every statistic of the change; ``n_a``, ``n_b`` count people."""
        return ReportTable(self.table, self.name, "10_course_report.cap_later_all",
                           n_cols=("n_a", "n_b"), group_cols=("audience", "measure_type", "label"),
                           caption_args={"caption": self.caption})


#: (name, wave_a, wave_b) of the later changes a course report shows when it has the waves.
LATER_CHANGES = (("retention", "post", "followup"), ("response_shift", "pre", "then"))


def later_changes(study, *, lang: str = "ja", min_cell: int | None = None) -> list[LaterChange]:
    """Construct changes post -> follow-up (retention) and pre -> then-test (response shift).

    Only the changes whose two waves the study (usually one course) has answers in;
    each is a :func:`change_table` of ``dxsurvey.stats.prepost`` on the constructs, so
    ``diff`` is follow-up − post (negative: forgetting) and then − pre (negative: people
    rated their starting point lower after the course than before it).
    """
    from ..stats import prepost

    check_lang(lang)
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
    check_lang(lang)
    limit = int(study.codebook.min_cell_text)
    shown = quotes(study, course_id)
    if len(shown):
        return Markup(text("narrative.quotes_shown", lang, n=len(shown), min_cell_text=limit))
    return Markup(text("narrative.quotes_hidden", lang, min_cell_text=limit))


# ---------------------------------------------------------------------- comparisons


# ---------------------------------------------------------------------- report tables
def table_facts(ctx, course_id: str) -> ReportTable:
    """:func:`course_facts`: metadata, respondent counts already written as "< min_cell"."""
    return ReportTable(course_facts(ctx.study, course_id, ctx.language, min_cell=ctx.min_cell), "course_facts",
                       "10_course_report.cap_facts", n_cols=())


def table_change(ctx, pp: pd.DataFrame) -> ReportTable:
    """:func:`change_table` of every measure; ``n_a``, ``n_b`` count people."""
    return ReportTable(change_table(pp, ctx.study, lang=ctx.language), "change", "10_course_report.cap_change",
                       n_cols=("n_a", "n_b"), group_cols=("audience", "measure_type", "label"))


def table_quotes(ctx, course_id: str) -> ReportTable:
    """:func:`quotes`: shown only when enough people wrote (``privacy.quotes_allowed``); no counts."""
    return ReportTable(quotes(ctx.study, course_id), "quotes", "10_course_report.cap_quotes", n_cols=())


# ---------------------------------------------------------------------- at the report's settings
def text_cautions(ctx, pp: pd.DataFrame) -> Markup:
    """:func:`cautions` in the report's language and min_cell."""
    return cautions(pp, ctx.study, lang=ctx.language, min_cell=ctx.min_cell)


def text_quotes_note(ctx, course_id: str) -> Markup:
    """:func:`quotes_note` in the report's language."""
    return quotes_note(ctx.study, course_id, ctx.language)


def later(ctx, course) -> list[LaterChange]:
    """:func:`later_changes` of one course's study in the report's language and min_cell."""
    return later_changes(course, lang=ctx.language, min_cell=ctx.min_cell)
