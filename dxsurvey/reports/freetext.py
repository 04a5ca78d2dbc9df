"""The free-text report (notebooks/25_free_text): words, distinctive words, change, KWIC,
networks, correspondence analysis and codes, as KH Coder users know them.

:func:`prepare` tokenises the study's comments once (cached per study in the kernel);
every other function takes the :class:`FreeText` it returns.  The ``section_*``
functions display one section through the notebook's :class:`~dxsurvey.reports.Context`
(catalogue text, suppressed tables, figures) or, when there is nothing to show, one
sentence saying why.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import freetext as ft
from .. import privacy
from ..freetext import plots as ftplots
from ..freetext.distinctive import distinctive_words
from .catalog import text
from .context import ReportTable
from .format import Markup, fmt_p, fmt_pct, label, markdown, wave_label

__all__ = ["GROUPINGS", "COUNT_GROUPS", "FreeText", "prepare", "figure_labels", "n_note", "table_n",
           "table_frequent", "table_group_words", "table_distinctive", "table_change", "tables_kwic",
           "tables_collocations", "table_codes", "table_code_tests", "tables_quotes", "key_points", "section_n",
           "section_key_points", "section_frequent", "section_group_words", "section_distinctive", "section_change",
           "section_kwic", "section_network", "section_ca", "section_codes"]

#: Groupings of the distinctive-word, coding and correspondence sections: each pairs a
#: course attribute with the wave (the demo plants 時間がない in managers × pre, 質問しづらい
#: in online × post, 業務を見直した in the BPR workshops × follow-up).
GROUPINGS = (("audience", "wave"), ("format", "wave"), ("style", "wave"))

#: Single group columns of the frequent-words-by-group table (the wave has its own table).
COUNT_GROUPS = ("audience", "format", "instructor", "course_id")

#: Words per group in the frequency and distinctive-word tables, lines per KWIC.
TOP_WORDS = 10
GROUP_WORDS = 5
COLLOCATES = 10
KWIC_WORDS = 3
KWIC_LINES = 10
KWIC_WIDTH = 24
MIN_DF = 3
TOP_EDGES = 60
CHANGE_COEF = 0.2


@dataclass
class FreeText:
    """The study's comments, tokenised once.

    Attributes
    ----------
    docs : DataFrame
        :func:`dxsurvey.freetext.study_documents`, plus one column per grouping
        (``audience_wave`` …) holding the group's display name in the report's language.
    tokens : DataFrame
        :func:`dxsurvey.freetext.tokenize` of ``docs`` (the study's language; its
        force / stop / synonym lists).
    rules_file : Path or None
        survey.yaml's ``coding_rules``.
    coded : DataFrame or None
        :func:`dxsurvey.freetext.code_documents` with those rules; its columns (the code names)
        masked as the comments are (:func:`dxsurvey.privacy.mask_text`, the study's names.txt).
    """

    docs: pd.DataFrame
    tokens: pd.DataFrame
    language: str
    rules_file: Path | None = None
    coded: pd.DataFrame | None = None
    _memo: dict = field(default_factory=dict, repr=False)

    @property
    def empty(self) -> bool:
        return len(self.docs) == 0


_CACHE: dict[tuple[int, str], FreeText] = {}


def _wave_order(wave) -> int:
    """Waves in time order (then-test, pre, post, follow-up), unknown ones last."""
    order = ("then", "pre", "post", "followup")
    return order.index(wave) if wave in order else len(order)


def _grouping_column(grouping) -> str:
    return "_".join(grouping)


def _group_name(values, grouping, lang: str):
    if any(pd.isna(v) for v in values):
        return pd.NA
    return " / ".join(label(kind, v, lang) for kind, v in zip(grouping, values))


def prepare(ctx) -> FreeText:
    """Documents, tokens and codes of the study in ``ctx`` (tokenised once per study and language).

    Raises
    ------
    dxsurvey.freetext.RuleError
        For a coding-rule file with an error (the message names the file and line).
    """
    study, lang = ctx.study, ctx.language
    key = (id(study), lang)
    if key in _CACHE:
        return _CACHE[key]
    docs = ft.study_documents(study)
    for grouping in GROUPINGS:
        if set(grouping) <= set(docs.columns):
            docs[_grouping_column(grouping)] = [_group_name(v, grouping, lang)
                                                for v in docs[list(grouping)].itertuples(index=False)]
    lexicon = ft.load_lexicon(study.codebook.root)
    tokens = ft.tokenize(docs.set_index("doc_id")["text"], language=study.language, lexicon=lexicon)
    rules_file = getattr(study.codebook, "coding_rules", None)
    coded = None
    if rules_file is not None and len(docs):
        coded = ft.code_documents(tokens, docs, ft.read_rules(rules_file))
        coded.columns = _masked_names(coded.columns, privacy.load_names(study.codebook.root))
    out = FreeText(docs, tokens, study.language, rules_file, coded)
    _CACHE[key] = out
    return out


def _masked_names(codes, names) -> list[str]:
    """Code names as a report shows them: masked like the comments (a code named after a person
    shows ``[氏名]``); two names that mask alike stay apart as ``name (2)``."""
    out: list[str] = []
    for code in codes:
        shown = privacy.mask_text(str(code), names=names)
        base, k = shown, 2
        while shown in out:
            shown, k = f"{base} ({k})", k + 1
        out.append(shown)
    return out


def figure_labels(language: str) -> dict[str, str]:
    """The words of :mod:`dxsurvey.freetext.plots` figures, from the catalogue."""
    return {k: text(f"25_free_text.fig.{k}", language) for k in ftplots.LABEL_KEYS}


def n_note(lang: str, attrs: dict, *, min_cell: int, min_cell_text: int | None = None) -> str:
    """「N = 155（除外: 空欄 427、マスクのみ 0）」: the documents a table or figure used and those
    left out, from the ``attrs`` of a :mod:`dxsurvey.freetext` result.  With ``min_cell_text``
    (quotes), also the documents of groups with fewer writers than that.  Counts of 1 to
    ``min_cell`` − 1 people are written as 「—」 (:func:`dxsurvey.freetext.note_counts`)."""
    args = ft.note_counts(attrs, min_cell=min_cell, small=min_cell_text is not None)
    if min_cell_text is None:
        return text("25_free_text.n_note", lang, **args)
    return text("25_free_text.n_note_quotes", lang, min_cell_text=int(min_cell_text), below=args.pop("small"), **args)


def _pos(values, lang: str) -> list[str]:
    """KH Coder's word classes in the report's language (``value.kh_pos.*``)."""
    return [label("kh_pos", v, lang) for v in values]


def _with_attrs(frame: pd.DataFrame, attrs: dict) -> pd.DataFrame:
    frame.attrs = dict(attrs)
    return frame


def _large_groups(docs: pd.DataFrame, column: str, min_cell: int) -> pd.DataFrame:
    """Documents of the groups of ``column`` that :func:`dxsurvey.privacy.suppress` shows."""
    sizes = docs.groupby(column).size().rename("n").reset_index()
    shown = privacy.suppress(sizes, n_cols=["n"], min_cell=min_cell, complementary=False)
    keep = set(shown.loc[~shown["suppressed"].astype(bool), column])
    return docs[docs[column].isin(keep)]


# ---------------------------------------------------------------------- tables
def table_n(ctx, fx: FreeText) -> ReportTable:
    """Per wave: submissions, comments analysed and excluded (blank or masked only); counts people."""
    subs = ctx.study.submissions
    n_sub = subs.groupby("wave").size()
    used = fx.docs.groupby("wave").size() if len(fx.docs) else pd.Series(dtype=int)
    rows = [{"wave": wave_label(w, ctx.language), "n_submissions": int(n_sub[w]),
             "n_used": int(used.get(w, 0)), "n_excluded": int(n_sub[w] - used.get(w, 0))}
            for w in sorted(n_sub.index, key=_wave_order)]
    frame = pd.DataFrame(rows, columns=["wave", "n_submissions", "n_used", "n_excluded"])
    return ReportTable(frame, "freetext_n", "25_free_text.cap_n", n_cols=("n_submissions", "n_used", "n_excluded"))


def _frequent(fx: FreeText, top: int) -> pd.DataFrame:
    counts = ft.word_counts(fx.tokens, fx.docs, by="wave")
    counts = counts.groupby("wave", sort=False).head(top)
    counts = counts.assign(rank=counts.groupby("wave", sort=False).cumcount() + 1)
    return counts.sort_values(["wave", "rank"], key=lambda s: s.map(_wave_order) if s.name == "wave" else s,
                              kind="stable").reset_index(drop=True)


def table_frequent(ctx, fx: FreeText, top: int = TOP_WORDS) -> ReportTable:
    """The ``top`` words of each wave by documents; a wave with fewer than min_cell comments is hidden."""
    c = _frequent(fx, top)
    lang = ctx.language
    frame = pd.DataFrame({"wave": [wave_label(w, lang) for w in c["wave"]], "rank": c["rank"],
                          "word": c["label"], "kh_pos": _pos(c["kh_pos"], lang), "documents": c["df"],
                          "n_docs": c["n_docs"], "share": c["share"]})
    return ReportTable(_with_attrs(frame, c.attrs), "freetext_frequent", "25_free_text.cap_frequent",
                       n_cols=("n_docs",), value_cols=("documents", "share"),
                       caption_args={"top": top, "n_note": n_note(lang, c.attrs, min_cell=ctx.min_cell)})


def _group_value(kind: str, value, lang: str) -> str:
    return str(value) if kind in ("instructor", "course_id") else label(kind, value, lang)


def table_group_words(ctx, fx: FreeText, top: int = GROUP_WORDS) -> ReportTable:
    """The ``top`` words (by documents) of each audience, format, instructor and course; small
    groups are hidden by the table's suppression."""
    lang, parts = ctx.language, []
    for kind in COUNT_GROUPS:
        if kind not in fx.docs.columns:
            continue
        d = fx.docs.dropna(subset=[kind])
        c = ft.word_counts(fx.tokens, d, by=kind)
        c = c.groupby(kind, sort=True).head(top)
        parts.append(pd.DataFrame({
            "grouping": text(f"25_free_text.by.{kind}", lang),
            "group": [_group_value(kind, v, lang) for v in c[kind]],
            "rank": c.groupby(kind, sort=False).cumcount() + 1, "word": c["label"],
            "kh_pos": _pos(c["kh_pos"], lang), "documents": c["df"], "n_docs": c["n_docs"], "share": c["share"]}))
    cols = ["grouping", "group", "rank", "word", "kh_pos", "documents", "n_docs", "share"]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    attrs = {**fx.docs.attrs, "n_used": len(fx.docs)}
    return ReportTable(_with_attrs(frame[cols], attrs), "freetext_group_words", "25_free_text.cap_group_words",
                       n_cols=("n_docs",), value_cols=("documents", "share"),
                       caption_args={"top": top, "n_note": n_note(lang, attrs, min_cell=ctx.min_cell)})


def _distinctive(fx: FreeText, grouping, top: int) -> pd.DataFrame:
    key = ("distinctive", grouping, top)
    if key not in fx._memo:
        fx._memo[key] = distinctive_words(fx.tokens, fx.docs, _grouping_column(grouping), min_df=MIN_DF, top=top)
    return fx._memo[key]


def table_distinctive(ctx, fx: FreeText, grouping, top: int = TOP_WORDS) -> ReportTable:
    """Distinctive words of each group of ``grouping`` (adjusted residual); small groups hidden."""
    col = _grouping_column(grouping)
    d = _distinctive(fx, grouping, top)
    rank = d.groupby(col, sort=False).cumcount() + 1
    frame = pd.DataFrame({"group": d[col], "rank": rank, "word": d["label"], "kh_pos": _pos(d["kh_pos"], ctx.language),
                          "documents": d["df"], "n_docs": d["n_docs"], "share": d["share"],
                          "share_rest": d["share_rest"], "residual": d["residual"]})
    return ReportTable(_with_attrs(frame, d.attrs), f"freetext_distinctive_{col}", "25_free_text.cap_distinctive",
                       n_cols=("n_docs",), value_cols=("documents", "share", "share_rest", "residual"),
                       caption_args={"grouping": _grouping_name(grouping, ctx.language), "top": top,
                                     "n_note": n_note(ctx.language, d.attrs, min_cell=ctx.min_cell)})


def _grouping_name(grouping, lang: str) -> str:
    return text(f"25_free_text.grouping.{_grouping_column(grouping)}", lang)


def _change(fx: FreeText, wave_a: str, wave_b: str) -> pd.DataFrame:
    key = ("change", wave_a, wave_b)
    if key not in fx._memo:
        fx._memo[key] = ft.word_change(fx.tokens, fx.docs, wave_a=wave_a, wave_b=wave_b)
    return fx._memo[key]


def table_change(ctx, fx: FreeText, wave_a: str = "pre", wave_b: str = "post", top: int = 15) -> ReportTable:
    """Words whose share of comments changed between two waves (χ² or Fisher per word, Holm)."""
    c = _change(fx, wave_a, wave_b).head(top)
    lang = ctx.language
    frame = pd.DataFrame({"word": c["label"], "kh_pos": _pos(c["kh_pos"], lang), "docs_a": c["df_a"],
                          "n_a": c["n_a"], "share_a": c["share_a"], "docs_b": c["df_b"], "n_b": c["n_b"],
                          "share_b": c["share_b"], "diff": c["diff"], "test": [label("test", t, lang) for t in c["test"]],
                          "p_val": c["p_val"], "p_adj": c["p_adj"]})
    return ReportTable(_with_attrs(frame, c.attrs), "freetext_change", "25_free_text.cap_change",
                       n_cols=("n_a", "n_b"),
                       caption_args={"wave_a": wave_label(wave_a, lang), "wave_b": wave_label(wave_b, lang),
                                     "top": top, "n_note": n_note(lang, c.attrs, min_cell=ctx.min_cell)})


def _quotable(ctx, fx: FreeText) -> pd.DataFrame:
    """Documents of course × wave groups with at least ``min_cell_text`` writers (KWIC quotes);
    ``attrs`` count the others as ``n_below_min_cell_text``."""
    limit = int(ctx.study.codebook.min_cell_text)
    d = fx.docs
    sizes = d.groupby(["course_id", "wave"])["doc_id"].transform("size")
    out = d[[privacy.quotes_allowed(int(n), min_cell_text=limit) for n in sizes]]
    return _with_attrs(out, {**d.attrs, "n_used": len(out), "n_below_min_cell_text": len(d) - len(out)})


def _kwic_words(fx: FreeText, n_words: int) -> pd.DataFrame:
    return ft.word_counts(fx.tokens, fx.docs).head(n_words)


def tables_kwic(ctx, fx: FreeText, n_words: int = KWIC_WORDS, lines: int = KWIC_LINES) -> list[ReportTable]:
    """KWIC (±24 characters) of the ``n_words`` most used words, from quotable groups only; no counts."""
    docs = _quotable(ctx, fx)
    if not len(docs):
        return []
    limit = int(ctx.study.codebook.min_cell_text)
    words = _kwic_words(fx, n_words)
    out = []
    for word, shown in zip(words["word"], words["label"]):
        k = ft.kwic(fx.tokens, docs, word, width=KWIC_WIDTH, by="wave")
        k.attrs.update(docs.attrs)
        k = k.head(lines)
        frame = pd.DataFrame({"wave": [wave_label(w, ctx.language) for w in k["wave"]], "left": k["left"],
                              "keyword": k["keyword"], "right": k["right"]})
        out.append(ReportTable(frame, f"freetext_kwic_{len(out) + 1}", "25_free_text.cap_kwic", n_cols=(),
                               caption_args={"word": shown, "n": lines,
                                             "n_note": n_note(ctx.language, docs.attrs, min_cell=ctx.min_cell, min_cell_text=limit)}))
    return out


def tables_collocations(ctx, fx: FreeText, n_words: int = KWIC_WORDS, top: int = COLLOCATES) -> list[ReportTable]:
    """KH Coder's collocation statistics (Σ count / distance, 5 tokens each side) of the KWIC
    words, on the same quotable documents; counts of tokens, not of people."""
    docs = _quotable(ctx, fx)
    if not len(docs):
        return []
    limit = int(ctx.study.codebook.min_cell_text)
    tokens = fx.tokens[fx.tokens["doc_id"].isin(docs["doc_id"])]
    out = []
    for k, (word, shown) in enumerate(zip(*_kwic_words(fx, n_words)[["word", "label"]].T.to_numpy()), start=1):
        c = ft.collocations(tokens, word).head(top)
        frame = pd.DataFrame({"word": c["label"], "kh_pos": _pos(c["kh_pos"], ctx.language),
                              "left_count": c["left"], "right_count": c["right"], "total": c["total"],
                              "score": c["score"]})
        out.append(ReportTable(frame, f"freetext_collocations_{k}", "25_free_text.cap_collocations", n_cols=(),
                               caption_args={"word": shown, "top": top,
                                             "n_note": n_note(ctx.language, docs.attrs, min_cell=ctx.min_cell, min_cell_text=limit)}))
    return out


def _code_tables(fx: FreeText, grouping):
    key = ("codes", grouping)
    if key not in fx._memo:
        fx._memo[key] = ft.code_crosstab(fx.coded, fx.docs, _grouping_column(grouping))
    return fx._memo[key]


def _code_cells(ctx, fx: FreeText, grouping) -> pd.DataFrame:
    return _code_tables(fx, grouping).cells


def table_codes(ctx, fx: FreeText, grouping) -> ReportTable:
    """Code × group: comments, coded comments, share, adjusted residual; small groups hidden."""
    c = _code_cells(ctx, fx, grouping)
    col = _grouping_column(grouping)
    frame = pd.DataFrame({"group": c[col], "code": c["code"], "n_docs": c["n_docs"], "coded": c["n_coded"],
                          "share": c["share"], "residual": c["residual"], "p_val": c["residual_p"]})
    return ReportTable(_with_attrs(frame, c.attrs), f"freetext_codes_{col}", "25_free_text.cap_codes",
                       n_cols=("n_docs",), value_cols=("coded", "share", "residual", "p_val"),
                       caption_args={"grouping": _grouping_name(grouping, ctx.language),
                                     "n_note": n_note(ctx.language, c.attrs, min_cell=ctx.min_cell)})


def table_code_tests(ctx, fx: FreeText, grouping) -> ReportTable:
    """Per code: the test of its 2 × k table across the groups (χ², Yates for 2 × 2 only, or
    Fisher's exact test where an expected count is under 5).  The ``chi2`` column is Pearson's
    χ² in either case (Fisher's test has no such statistic; its p value is ``p_val``)."""
    t = _code_tables(fx, grouping).tests
    lang = ctx.language
    frame = pd.DataFrame({"code": t["code"], "n_coded": t["n_coded"], "test": [label("test", v, lang) for v in t["test"]],
                          "chi2": t["statistic"], "dof": t["dof"], "p_val": t["p_val"]})
    return ReportTable(_with_attrs(frame, t.attrs), f"freetext_code_tests_{_grouping_column(grouping)}",
                       "25_free_text.cap_code_tests", n_cols=("n_coded",),
                       caption_args={"grouping": _grouping_name(grouping, lang), "n_note": n_note(lang, t.attrs, min_cell=ctx.min_cell)})


def tables_quotes(ctx, fx: FreeText, grouping, per_group: int = 3) -> list[tuple[str, ReportTable]]:
    """Per code: masked comments of groups with ≥ min_cell_text writers, identical texts counted."""
    col = _grouping_column(grouping)
    limit = int(ctx.study.codebook.min_cell_text)
    out = []
    for i, code in enumerate(fx.coded.columns, start=1):
        q = ft.code_quotes(fx.coded, fx.docs, code, by=col, min_cell_text=limit)
        note = n_note(ctx.language, q.attrs, min_cell=ctx.min_cell, min_cell_text=limit)
        q = q.groupby(col, sort=False).head(per_group)
        frame = pd.DataFrame({"group": q[col], "text": q["text"], "count": q["count"], "n_group": q["n_group"]})
        out.append((code, ReportTable(frame, f"freetext_quotes_{i}", "25_free_text.cap_quotes",
                                      n_cols=("n_group",), value_cols=("count",),
                                      caption_args={"code": code, "n_note": note})))
    return out


# ---------------------------------------------------------------------- key points
def _p_text(p) -> str:
    """``p = .012`` or ``p < .001`` (APA, :func:`dxsurvey.reports.format.fmt_p`)."""
    shown = fmt_p(p)
    return f"p {shown}" if shown.startswith("<") else f"p = {shown}"


def _shown(table: ReportTable, min_cell: int) -> pd.DataFrame:
    """The rows of a report table that suppression shows (the one rule)."""
    s = privacy.suppress(table.frame, n_cols=list(table.n_cols), value_cols=table.value_cols, min_cell=min_cell,
                         group_cols=table.group_cols)
    return table.frame[~s["suppressed"].astype(bool).to_numpy()]


def key_points(ctx, fx: FreeText, *, wave_a: str = "pre", wave_b: str = "post", alpha: float = 0.05) -> Markup:
    """2-4 sentences from the numbers: per grouping, the group × word with the largest adjusted
    residual among shown groups and words used by at least min_cell writers; then, among the words
    whose share changed significantly (Holm-adjusted p < ``alpha``) between ``wave_a`` and ``wave_b``,
    the one with the largest change, or that none did."""
    lang, out = ctx.language, []
    if fx.empty:
        return markdown("25_free_text.skip_no_comments", lang)
    for grouping in GROUPINGS:
        if _grouping_column(grouping) not in fx.docs.columns:
            continue
        rows = _shown(table_distinctive(ctx, fx, grouping), ctx.min_cell)
        rows = rows[rows["documents"] >= ctx.min_cell]
        if len(rows):
            r = rows.sort_values(["residual", "group"], ascending=[False, True], kind="stable").iloc[0]
            out.append(markdown("25_free_text.kp_group", lang, group=r["group"], word=r["word"],
                                documents=int(r["documents"]), n_docs=int(r["n_docs"]),
                                residual=f"{r['residual']:.1f}"))
    c = _change(fx, wave_a, wave_b) if {wave_a, wave_b} <= set(fx.docs["wave"]) else None
    if c is not None:
        waves = {"wave_a": wave_label(wave_a, lang), "wave_b": wave_label(wave_b, lang)}
        sig = c[(c["p_adj"] < alpha) & (c["n_a"] >= ctx.min_cell) & (c["n_b"] >= ctx.min_cell)]
        if len(sig):
            r = sig.assign(_size=sig["diff"].abs()).sort_values(["_size", "p_adj", "word"],
                                                                ascending=[False, True, True], kind="stable").iloc[0]
            key = "25_free_text.kp_change_up" if r["diff"] > 0 else "25_free_text.kp_change_down"
            out.append(markdown(key, lang, word=r["label"], share_a=fmt_pct(r["share_a"]),
                                share_b=fmt_pct(r["share_b"]), p=_p_text(r["p_adj"]), **waves))
        else:
            out.append(markdown("25_free_text.kp_change_none", lang, n_words=len(c), **waves))
    return Markup(("" if lang == "ja" else " ").join(out))


# ---------------------------------------------------------------------- sections
def _skip_if_empty(ctx, fx: FreeText) -> bool:
    if fx.empty:
        ctx.md("25_free_text.skip_no_comments")
    return fx.empty


def section_n(ctx, fx: FreeText) -> None:
    """N used and excluded: one sentence and the table per wave."""
    ctx.md("25_free_text.h_n")
    a = fx.docs.attrs
    ctx.md("25_free_text.n_sentence", **privacy.suppress_note_counts(
        {"n_submissions": len(ctx.study.submissions), "n_used": a.get("n_used", 0), "n_blank": a.get("n_blank", 0),
         "n_masked": a.get("n_masked_only", 0)}, min_cell=ctx.min_cell))
    ctx.table(table_n(ctx, fx))


def section_key_points(ctx, fx: FreeText) -> None:
    """The 要点 paragraph (:func:`key_points`)."""
    ctx.md("25_free_text.key_points", points=key_points(ctx, fx))


def section_frequent(ctx, fx: FreeText, top: int = TOP_WORDS) -> None:
    """Frequent words per wave: table and bars (waves with fewer than min_cell comments left out)."""
    ctx.md("25_free_text.h_frequent")
    if _skip_if_empty(ctx, fx):
        return
    table = table_frequent(ctx, fx, top)
    ctx.table(table)
    shown = _with_attrs(_shown(table, ctx.min_cell).rename(columns={"word": "label"}), table.frame.attrs)
    fig = ftplots.draw_word_bars(shown, by="wave", labels=figure_labels(ctx.language), top=top, min_cell=ctx.min_cell)
    ctx.figure(fig, "freetext_frequent", ctx.t("25_free_text.fig_frequent"))


def section_group_words(ctx, fx: FreeText, top: int = GROUP_WORDS) -> None:
    """Frequent words per audience, format, instructor and course (one table)."""
    ctx.md("25_free_text.h_group_words")
    if _skip_if_empty(ctx, fx):
        return
    ctx.table(table_group_words(ctx, fx, top))


def section_distinctive(ctx, fx: FreeText, top: int = TOP_WORDS) -> None:
    """Distinctive words per group of each grouping."""
    ctx.md("25_free_text.h_distinctive", min_df=MIN_DF)
    if _skip_if_empty(ctx, fx):
        return
    for grouping in GROUPINGS:
        if _grouping_column(grouping) in fx.docs.columns:
            ctx.table(table_distinctive(ctx, fx, grouping, top))


def section_change(ctx, fx: FreeText, wave_a: str = "pre", wave_b: str = "post") -> None:
    """Word change between two waves: table (Holm) and the change network."""
    lang = ctx.language
    waves = {"wave_a": wave_label(wave_a, lang), "wave_b": wave_label(wave_b, lang)}
    ctx.md("25_free_text.h_change", **waves)
    if _skip_if_empty(ctx, fx):
        return
    if not {wave_a, wave_b} <= set(fx.docs["wave"]):
        ctx.md("25_free_text.skip_change", **waves)
        return
    ctx.table(table_change(ctx, fx, wave_a, wave_b))
    d = fx.docs[fx.docs["wave"].isin([wave_a, wave_b])]
    nets = ft.network_change(fx.tokens, d, wave_a=wave_a, wave_b=wave_b, min_coef=CHANGE_COEF)
    if len(nets["change"].edges):
        import matplotlib.pyplot as plt
        ctx.md("25_free_text.h_change_network", min_coef=CHANGE_COEF, **waves)
        fig, axes = plt.subplots(1, 2, figsize=(14, 7), layout="constrained")
        for ax, wave, name in ((axes[0], wave_a, waves["wave_a"]), (axes[1], wave_b, waves["wave_b"])):
            ftplots.draw_network(nets[wave], ax=ax, labels=figure_labels(lang), title=name, min_cell=ctx.min_cell)
        ctx.figure(fig, "freetext_wave_networks", ctx.t("25_free_text.fig_wave_networks", min_coef=CHANGE_COEF,
                                                          **waves))
        fig = ftplots.draw_network(nets["change"], labels=figure_labels(lang),
                                   wave_labels={wave_a: waves["wave_a"], wave_b: waves["wave_b"]}, min_cell=ctx.min_cell)
        ctx.figure(fig, "freetext_change_network", ctx.t("25_free_text.fig_change_network", **waves))


def section_kwic(ctx, fx: FreeText) -> None:
    """KWIC of the most used words, each with its collocation table (quotable groups only)."""
    limit = int(ctx.study.codebook.min_cell_text)
    ctx.md("25_free_text.h_kwic", width=KWIC_WIDTH, min_cell_text=limit)
    if _skip_if_empty(ctx, fx):
        return
    tables = tables_kwic(ctx, fx)
    if not tables:
        ctx.md("25_free_text.skip_kwic", min_cell_text=limit)
        return
    for kwic_table, colloc in zip(tables, tables_collocations(ctx, fx)):
        ctx.table(kwic_table)
        ctx.table(colloc, decimals=2)


def section_network(ctx, fx: FreeText) -> None:
    """The co-occurrence network of all comments (KH Coder's 60 strongest edges)."""
    ctx.md("25_free_text.h_network", top_edges=TOP_EDGES)
    if _skip_if_empty(ctx, fx):
        return
    net = ft.cooccurrence(fx.tokens, fx.docs, top_edges=TOP_EDGES)
    if not len(net.edges):
        ctx.md("25_free_text.skip_network")
        return
    fig = ftplots.draw_network(net, labels=figure_labels(ctx.language), min_cell=ctx.min_cell)
    ctx.figure(fig, "freetext_network", ctx.t("25_free_text.fig_network"))


def section_ca(ctx, fx: FreeText, grouping=GROUPINGS[0], n_words: int = 60) -> None:
    """Correspondence analysis biplot of words × the groups of ``grouping`` with ≥ min_cell comments."""
    name = _grouping_name(grouping, ctx.language)
    ctx.md("25_free_text.h_ca", grouping=name, n_words=n_words)
    if _skip_if_empty(ctx, fx):
        return
    col = _grouping_column(grouping)
    docs = _large_groups(fx.docs.dropna(subset=[col]), col, ctx.min_cell)
    if docs[col].nunique() < 3:
        ctx.md("25_free_text.skip_ca")
        return
    ca = ft.word_correspondence(fx.tokens, docs, col, n_words=n_words)
    small = int(fx.docs[col].notna().sum()) - len(docs)      # documents of groups below min_cell
    for frame in (ca.dims, ca.rows, ca.cols):
        frame.attrs["n_below_min_cell_text"] = small
    if "dim2" not in ca.rows.columns:
        ctx.md("25_free_text.skip_ca")
        return
    fig = ftplots.draw_correspondence(ca, labels=figure_labels(ctx.language), min_cell=ctx.min_cell)
    ctx.figure(fig, f"freetext_ca_{col}", ctx.t("25_free_text.fig_ca", grouping=name))


def section_codes(ctx, fx: FreeText, grouping=GROUPINGS) -> None:
    """Codes of the coding-rule file: code × group tables, residual heat maps, quotes per code."""
    lang = ctx.language
    rules = fx.rules_file
    ctx.md("25_free_text.h_codes", file=rules.name if rules is not None else "—")
    if _skip_if_empty(ctx, fx):
        return
    if fx.coded is None:
        ctx.md("25_free_text.skip_no_rules")
        return
    groupings = [g for g in grouping if _grouping_column(g) in fx.docs.columns]
    for g in groupings:
        table = table_codes(ctx, fx, g)
        ctx.table(table)
        ctx.table(table_code_tests(ctx, fx, g), decimals=2)
        cells = _with_attrs(_shown(table, ctx.min_cell)[["group", "code", "residual"]], table.frame.attrs)
        if len(cells):
            fig = ftplots.draw_code_heatmap(cells, by="group", labels=figure_labels(lang), min_cell=ctx.min_cell)
            ctx.figure(fig, f"freetext_codes_{_grouping_column(g)}",
                       ctx.t("25_free_text.fig_codes", grouping=_grouping_name(g, lang)))
    limit = int(ctx.study.codebook.min_cell_text)
    ctx.md("25_free_text.h_quotes", min_cell_text=limit)
    for code, table in tables_quotes(ctx, fx, groupings[0]) if groupings else []:
        if len(table.frame):
            ctx.table(table)
        else:
            ctx.md("25_free_text.skip_quotes", min_cell_text=limit)

