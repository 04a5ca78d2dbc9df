"""The course report (notebooks/10_course_report): one course's facts, change, cautions, quotes."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import privacy
from .catalog import text
from .context import ReportTable
from .common import (apa_prepost_table, caution_text, course_prepost, resolve_min_cell, with_labels)
from .summary import one_wave
from .format import (DASH, Markup, escape_md, check_lang, fmt_p_exact, fmt_pct, isna, label, measure_labels, wave_label,
                     wave_order)

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
                 measure_type: str | None = None, min_cell: int | None = None) -> pd.DataFrame:
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
        sd_a, mean_b, sd_b, top2_a, top2_b, diff, ci_low, ci_high, sd_diff, n_up, n_same,
        n_down, test, statistic, p_val,
        p_exact (text, 3 significant digits), p_adj, effect_type, effect, effect_ci_low,
        effect_ci_high, caution``; ``n_up, n_same, n_down`` are blank in a row where any of
        them is 1 .. ``min_cell`` - 1 (:func:`dxsurvey.privacy.suppress`); pass
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
    for col in ("top2_a", "top2_b", "sd_diff"):
        out[col] = pd.to_numeric(part[col], errors="coerce").to_numpy(dtype=float) if col in part else np.nan
    split = ["n_up", "n_same", "n_down"]        # paired: how many rose, stayed, fell
    for col in split:
        out[col] = (pd.array(pd.to_numeric(part[col], errors="coerce").to_numpy(), dtype="Int64")
                    if col in part else pd.NA)
    # the split counts people: shown only when each part has min_cell (the one rule, per row;
    # all three hidden together, so none is the row's n minus the other two)
    hidden = privacy.suppress(out[split].astype("Int64"), n_cols=split, value_cols=split,
                              min_cell=resolve_min_cell(study, min_cell), complementary=False)
    for col in split:
        out[col] = hidden[col].astype("Int64")
    # the exact p beside the formatted one ("< .001" hides how small it is)
    out["p_exact"] = [fmt_p_exact(p) for p in part["p_val"]]
    cols = ["audience", "measure_type", "label", "reverse", "design", "n_a", "n_b", "n_pairs", "mean_a",
            "sd_a", "mean_b", "sd_b", "top2_a", "top2_b", "diff", "ci_low", "ci_high", "sd_diff", "n_up",
            "n_same", "n_down", "test", "statistic",
            "p_val", "p_exact", "p_adj", "effect_type", "effect", "effect_ci_low", "effect_ci_high", "caution"]
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
        # rows with answers in both waves only: a measure asked in one wave (n = 0 in the
        # other) is a level, not a small group, and says nothing about this group's size
        both = g[~one_wave(g) & (pd.to_numeric(g["n_a"]) > 0)]
        n_min = pd.concat([pd.to_numeric(both["n_a"]), pd.to_numeric(both["n_b"])]).min()
        if isna(n_min):
            continue
        if n_min < limit:
            small = both[(pd.to_numeric(both["n_a"]) < limit) | (pd.to_numeric(both["n_b"]) < limit)]
            if len(small) == len(both):
                lines.append(text("narrative.caution_suppressed", lang, who=escape_md(who), min_cell=limit))
            else:      # name the measures hidden when the group's other numbers are shown
                names = list(dict.fromkeys(measure_labels(study).get(m, m) for m in small["measure_id"]))
                lines.append(text("narrative.caution_suppressed_some", lang, who=escape_md(who), min_cell=limit,
                                  measures=escape_md(text("keypoint.list_sep", lang).join(names))))
        elif n_min < caution_n:
            lines.append(text("narrative.caution_small", lang, who=escape_md(who), n=int(n_min), limit=caution_n))
        designs = set(g["design"].dropna())
        if "independent" in designs:
            lines.append(text("narrative.caution_independent", lang, who=escape_md(who), min_cell=limit))
        paired = both[both["design"] == "paired"]
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
           min_cell_text: int | None = None, lang: str = "ja", limit: int | None = None) -> pd.DataFrame:
    """Masked free-text answers of a course, counted, only when enough people wrote.

    Answers are grouped by wave and question: a wave's answers to a text item are shown
    when :func:`dxsurvey.privacy.quotes_allowed` holds for the number of distinct people
    who wrote them (at least the codebook's ``min_cell_text``).  Identical texts are
    counted, not repeated.  The question is the item's column in that wave: a text item
    that lists one column per wave (``column: [q_pre, q_post, q_followup]`` with
    ``waves: [pre, post, followup]``) is labelled with its wave's column, any other with
    its display label.  Texts are masked at ingest; the order (wave, most frequent first,
    then text) reveals nobody.

    Parameters
    ----------
    limit : int, optional
        At most this many rows in all (a representative selection for the report page:
        each wave and question keeps its most frequent texts, an equal share of ``limit``);
        None keeps every text (the full list for ``tables/``).

    Returns
    -------
    DataFrame
        ``wave, item, text, count``.
    """
    check_lang(lang)
    need = int(min_cell_text or study.codebook.min_cell_text)
    texts = study.texts
    cols = ["wave", "item", "text", "count"]
    if texts is None or not len(texts):
        return pd.DataFrame(columns=cols)
    subs = study.submissions
    if course_id is not None:
        subs = subs[subs["course_id"] == course_id]
    wave_of = subs.set_index("submission_id")["wave"]
    part = texts[texts["submission_id"].isin(set(subs["submission_id"]))]
    part = part[part["text"].notna() & (part["text"].astype(str).str.strip() != "")]
    part = part.assign(wave=part["submission_id"].map(wave_of))
    ids = list(items) if items is not None else [it.id for it in study.codebook.items if it.type == "text"]
    groups = []
    for item_id in ids:
        it = study.codebook.item(item_id)
        for w in wave_order(part.loc[part["item_id"] == item_id, "wave"].unique()):
            t = part[(part["item_id"] == item_id) & (part["wave"] == w)]
            if not privacy.quotes_allowed(_distinct_people(t["submission_id"], subs), min_cell_text=need):
                continue
            counted = (t["text"].astype(str).value_counts().rename_axis("text").reset_index(name="count")
                       .sort_values(["count", "text"], ascending=[False, True], kind="mergesort"))
            groups.append(counted.assign(wave=wave_label(w, lang), item=_question(it, w)))
    if not groups:
        return pd.DataFrame(columns=cols)
    if limit is not None:
        share = max(1, int(limit) // len(groups))
        groups = [g.head(share) for g in groups]
    out = pd.concat(groups, ignore_index=True)[cols]
    out["count"] = out["count"].astype("int64")
    return (out.head(limit) if limit is not None else out).reset_index(drop=True)


def _question(item, wave: str) -> str:
    """The question a text item asked in ``wave`` (see :func:`quotes`)."""
    if item.waves and len(item.column) == len(item.waves) and wave in item.waves and not item.label:
        return item.column[list(item.waves).index(wave)]
    return item.display


#: Rows of the free-text selection a course report shows (the full list is in tables/).
QUOTES_SHOWN = 20


@dataclass
class LaterChange:
    """A change beyond pre -> post that a course has data for (retention, response shift)."""

    name: str          # table stem: "retention", "response_shift"
    pp: pd.DataFrame   # the prepost rows (constructs)
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


#: (name, wave_a, wave_b) of the changes beyond pre -> post a report shows when it has both
#: waves: every pair of waves with data (retention, lasting change, response shift, the
#: retrospective change then -> post and then -> follow-up).
LATER_CHANGES = (("retention", "post", "followup"), ("lasting", "pre", "followup"),
                 ("response_shift", "pre", "then"), ("then_post", "then", "post"),
                 ("then_followup", "then", "followup"))


def later_changes(study, *, lang: str = "ja", min_cell: int | None = None,
                  by=("course_id", "audience")) -> list[LaterChange]:
    """Construct changes of every wave pair of :data:`LATER_CHANGES` with data (post -> follow-up
    (retention), pre -> follow-up, pre -> then-test (response shift), then -> post, then -> follow-up).

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
        pp = prepost(study, waves=(a, b), measures="constructs", by=by, **kwargs)
        if not len(pp):
            continue
        out.append(LaterChange(name=name, pp=pp, title=text(f"narrative.later.{name}.title", lang),
                               text=text(f"narrative.later.{name}.text", lang),
                               caption=text(f"narrative.later.{name}.caption", lang),
                               table=change_table(pp, study, lang=lang, min_cell=min_cell),
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
    shown = quotes(study, course_id, lang=lang)
    if len(shown):
        total, kinds = int(shown["count"].sum()), len(shown)
        return Markup(text("narrative.quotes_counted", lang, n=total, kinds=kinds, min_cell_text=limit,
                           shown=min(kinds, QUOTES_SHOWN)))
    return Markup(text("narrative.quotes_hidden", lang, min_cell_text=limit))


# ---------------------------------------------------------------------- comparisons


# ---------------------------------------------------------------------- report tables
def table_facts(ctx, course_id: str) -> ReportTable:
    """:func:`course_facts`: metadata, respondent counts already written as "< min_cell"."""
    return ReportTable(course_facts(ctx.study, course_id, ctx.language, min_cell=ctx.min_cell), "course_facts",
                       "10_course_report.cap_facts", n_cols=())


def table_change(ctx, pp: pd.DataFrame) -> ReportTable:
    """:func:`change_table` of every measure; ``n_a``, ``n_b`` count people."""
    return ReportTable(change_table(pp, ctx.study, lang=ctx.language, min_cell=ctx.min_cell), "change",
                       "10_course_report.cap_change",
                       n_cols=("n_a", "n_b"), group_cols=("audience", "measure_type", "label"))


def table_quotes(ctx, course_id: str, *, full: bool = False) -> ReportTable:
    """:func:`quotes`: shown only when enough people wrote (``privacy.quotes_allowed``).

    The report shows a selection (:data:`QUOTES_SHOWN` rows, most frequent first per wave
    and question); ``full=True`` is every text, for ``tables/all_quotes.csv``.  ``count``
    counts identical texts among people already allowed (not a group size)."""
    frame = quotes(ctx.study, course_id, lang=ctx.language, limit=None if full else QUOTES_SHOWN)
    return ReportTable(frame, "all_quotes" if full else "quotes",
                       "10_course_report.cap_all_quotes" if full else "10_course_report.cap_quotes", n_cols=())


# ---------------------------------------------------------------------- at the report's settings
def text_cautions(ctx, pp: pd.DataFrame) -> Markup:
    """:func:`cautions` in the report's language and min_cell."""
    return cautions(pp, ctx.study, lang=ctx.language, min_cell=ctx.min_cell)


def text_quotes_note(ctx, course_id: str) -> Markup:
    """:func:`quotes_note` in the report's language."""
    return quotes_note(ctx.study, course_id, ctx.language)


def later(ctx, course, by=("course_id", "audience")) -> list[LaterChange]:
    """:func:`later_changes` of one course's study (or the whole study, ``by=()`` pooled)
    in the report's language and min_cell."""
    return later_changes(course, lang=ctx.language, min_cell=ctx.min_cell, by=by)


def text_key_points(ctx, course, pp: pd.DataFrame) -> Markup:
    """The 要点 of a course report: :func:`dxsurvey.reports.summary.key_points` of the course
    pooled (what changed), by audience (for whom, what was hidden) and post -> follow-up."""
    from ..stats import prepost
    from .summary import key_points

    kwargs = {"min_cell": ctx.min_cell}
    later = ([prepost(course, waves=("post", "followup"), by=(), measures="constructs", **kwargs)]
             if {"post", "followup"} <= set(course.submissions["wave"]) else [])
    pooled = prepost(course, by=(), **kwargs)
    return key_points(pooled, course, by_group=pp, lang=ctx.language, min_cell=ctx.min_cell, later=later)


def text_glossary(ctx, *frames: pd.DataFrame, rel: pd.DataFrame | None = None,
                  later: Sequence[LaterChange] = ()) -> Markup:
    """The glossary of exactly the symbols the report used (:func:`dxsurvey.reports.summary.glossary`):
    those of the prepost ``frames`` it shows, the later changes and the reliability table."""
    from .summary import glossary, glossary_symbols

    return glossary(glossary_symbols(*frames, *(lc.pp for lc in later), reliability=rel), ctx.language,
                    min_cell=ctx.min_cell)


def section_reaction(ctx, course) -> None:
    """The reaction section: heading and figure when the course has reaction items with
    answers, else one sentence saying why it is left out."""
    levels = {it.level for it in course.codebook.items if it.type == "scale"}
    ids = [it.id for it in course.codebook.items if it.type == "scale" and it.level == "reaction"]
    a = course.answers
    answered = bool(ids) and a is not None and bool((a["item_id"].isin(ids) & a["value"].notna()).any())
    if "reaction" in levels and answered:
        from .common import figure_likert
        ctx.md("10_course_report.reaction")
        ctx.figure(figure_likert(ctx, course, level="reaction"), "reaction",
                   caption=ctx.t("10_course_report.cap_reaction"))
    else:
        ctx.md("section.no_reaction")


# ---------------------------------------------------------------------- behaviour, multi-select, category counts
_COUNT_COLS = ["item", "wave", "answer", "audience", "n", "count", "share"]


def _count_rows(part: pd.DataFrame, item: str, wave: str, answer: str, lang: str, chosen) -> list[dict]:
    """One row per audience and one total row (``全体``/``all``): people answering, people with ``chosen``."""
    rows = []
    groups = [(label("audience", a, lang), g) for a, g in part.groupby(part["audience"].astype(object).fillna(DASH),
                                                                     sort=True)]
    for who, g in groups + [(text("value.audience_total", lang), part)]:
        n, count = int(len(g)), int(chosen(g).sum())
        rows.append({"item": item, "wave": wave_label(wave, lang), "answer": answer, "audience": who, "n": n,
                     "count": count, "share": count / n if n else np.nan})
    return rows


def behaviour_counts(study, *, lang: str = "ja") -> pd.DataFrame:
    """Yes/no behaviour follow-up items (``level: behavior`` on a two-level scale) per audience.

    Returns
    -------
    DataFrame
        ``item, wave, answer, audience, n, count, share``: per item and wave, people who
        answered (``n``) and who answered the scale's top level ("yes", ``count``); one
        row per audience and a total row.
    """
    check_lang(lang)
    cb = study.codebook
    items = [it for it in cb.items if it.type == "scale" and it.level == "behavior"
             and len(cb.scales[it.scale].values) == 2]
    subs = study.submissions.set_index("submission_id")[["wave", "audience"]]
    rows = []
    for it in items:
        a = study.answers[(study.answers["item_id"] == it.id) & study.answers["value"].notna()]
        a = a.join(subs, on="submission_id")
        yes = max(cb.scales[it.scale].values)
        for w in wave_order(a["wave"].unique()):
            rows += _count_rows(a[a["wave"] == w], it.display, w, cb.scales[it.scale].label_of(yes), lang,
                                lambda g, yes=yes: pd.to_numeric(g["value"]) == yes)
    return pd.DataFrame(rows, columns=_COUNT_COLS)


def choice_counts(study, *, lang: str = "ja") -> pd.DataFrame:
    """Multi-select items: per option, people choosing it among people who chose anything.

    Returns
    -------
    DataFrame
        ``item, wave, answer (the option), audience, n, count, share``.
    """
    check_lang(lang)
    subs = study.submissions.set_index("submission_id")[["wave", "audience"]]
    ch = study.choices if study.choices is not None else pd.DataFrame(columns=["submission_id", "item_id", "option"])
    rows = []
    for it in study.codebook.items:
        if it.type != "multi":
            continue
        c = ch[ch["item_id"] == it.id].join(subs, on="submission_id")
        people = c.drop_duplicates("submission_id")
        for w in wave_order(c["wave"].unique()):
            pw = people[people["wave"] == w]
            for opt in sorted(c.loc[c["wave"] == w, "option"].unique()):
                took = set(c.loc[(c["wave"] == w) & (c["option"] == opt), "submission_id"])
                rows += _count_rows(pw, it.display, w, str(opt), lang,
                                    lambda g, took=took: g["submission_id"].isin(took))
    return pd.DataFrame(rows, columns=_COUNT_COLS)


def category_counts(study, *, lang: str = "ja") -> pd.DataFrame:
    """Category items other than the audience (department ...), in the first wave each
    person answered in: ``item, wave, answer, audience, n, count, share``."""
    check_lang(lang)
    rows = []
    subs = study.submissions
    for it in study.codebook.items:
        if it.type != "category" or it.role == "audience" or it.id not in subs.columns:
            continue
        answered = subs[subs[it.id].notna()]
        for w in wave_order(answered["wave"].unique())[:1]:
            part = answered[answered["wave"] == w]
            for v in sorted(part[it.id].astype(str).unique()):
                rows += _count_rows(part, it.display, w, v, lang, lambda g, v=v: g[it.id].astype(str) == v)
    return pd.DataFrame(rows, columns=_COUNT_COLS)


_COUNTS = (("behaviour", behaviour_counts), ("choices", choice_counts), ("categories", category_counts))


def section_counts(ctx, course) -> None:
    """Behaviour follow-up, multi-select and category answers of the course, per audience:
    one table each, ``n`` and ``count`` declared as counts of people (suppressed by the
    one rule, complementary within each item and answer); a sentence when there are none."""
    ctx.md("10_course_report.counts")
    shown = 0
    for name, fn in _COUNTS:
        frame = fn(course, lang=ctx.language)
        if len(frame):
            ctx.table(ReportTable(frame.reset_index(drop=True), name, f"10_course_report.cap_{name}",
                                  n_cols=("n", "count"), group_cols=("item", "wave", "answer")))
            shown += 1
    if not shown:
        ctx.md("10_course_report.no_counts")


def section_quotes(ctx, course_id: str) -> None:
    """The free-text section: the note, then (when quotes may be shown) the selection and,
    written to ``tables/all_quotes.csv`` only, the full list; no empty table."""
    ctx.md("10_course_report.quotes", note=text_quotes_note(ctx, course_id))
    selection = table_quotes(ctx, course_id)
    if len(selection.frame):
        ctx.table(selection)
        ctx.table(table_quotes(ctx, course_id, full=True), show=False)
