"""The comparison report (notebooks/20_comparison): instructors, formats, styles and audiences."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from .. import plots
from .catalog import text
from .context import ReportTable
from .common import (course_by_course, no_data_figure)
from .format import (DASH, Markup, escape_md, check_lang, fmt_ci, fmt_num, isna, label, markdown,
                     measure_labels, wave_label)

__all__ = ["ComparisonSection", "comparison_sections", "comparison_notes", "note_text", "course_by_course",
           "entanglement_text", "courses_text", "course_view", "key_points", "glossary"]

#: Models whose levels are changes (adjusted for the factors), by preference.
_CHANGE_MODELS = ("gain", "wave_x_factor")


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
    comparison: object = None          # the stats.compare result (numbers and codes)
    entangled: str = ""                # Markdown: the factor pairs the courses tangle together
    rests_on: str = ""                 # Markdown: on how many courses each factor comparison rests
    courses: pd.DataFrame | None = None  # one (adjusted) change per course, labelled
    course_figure: object = None

    def name(self, kind: str) -> str:
        """File stem of one of this section's tables or figures (``terms_necessity``)."""
        return f"{kind}_{self.construct}"

    def _table(self, kind: str, frame: pd.DataFrame, n_cols: tuple) -> ReportTable:
        groups = ("model", "factor", "factor_level") if n_cols else None
        return ReportTable(frame, self.name(kind), f"20_comparison.cap_{kind}", n_cols=n_cols, group_cols=groups,
                           caption_args={"label": self.label})

    def table_terms(self) -> ReportTable:
        """Type-II tests (no counts of people)."""
        return self._table("terms", self.terms, ())

    def table_levels(self) -> ReportTable:
        """Estimates per level of every model; ``n`` counts people."""
        return self._table("levels", self.levels, ("n",) if "n" in self.levels.columns else ())

    def table_contrasts(self) -> ReportTable:
        """Differences between levels (no counts; levels hidden in table_levels hide their tests)."""
        return self._table("contrasts", self.contrasts, ())

    def table_gain(self) -> ReportTable:
        """Gain-score estimates per level; ``n`` counts people."""
        return self._table("gain", self.gain, ("n",) if "n" in self.gain.columns else ())

    def table_courses(self) -> ReportTable:
        """One change per course with its interval; ``n`` counts people, each course on its own."""
        frame = self.courses if self.courses is not None else pd.DataFrame()
        return ReportTable(frame, self.name("course_changes"), "20_comparison.cap_courses",
                           n_cols=("n",) if "n" in frame.columns else (),
                           group_cols=("course_id",) if "course_id" in frame.columns else None,
                           caption_args={"label": self.label})


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
                       if not isna(t) else DASH for t in out["term"]]
    if "test" in out.columns:   # F (HC3) or Wald χ², beside the model that gave it
        out["test"] = [label("stat", t, lang) for t in out["test"]]
        first = [c for c in ("model", "term", "test") if c in out.columns]
        out = out[first + [c for c in out.columns if c not in first]]
    return out.rename(columns={"level": "factor_level"})


def comparison_notes(comparison, lang: str = "ja", names: Mapping[str, str] | None = None) -> str:
    """The comparison's notes (aliasing, fallback, small n, Lord's paradox) as Markdown bullets,
    worded by :func:`note_text` in ``lang``; ``names`` maps construct and item ids to their labels."""
    check_lang(lang)
    notes = comparison.notes
    if notes is None or not len(notes):
        return Markup(f"- {escape_md(text('narrative.no_cautions', lang))}")
    lines = [note_text(c, p, lang, names) for c, p in zip(notes["code"], notes["params"])]
    return Markup("\n".join(f"- {escape_md(m)}" for m in dict.fromkeys(lines)))


_NOTE = "20_comparison.note."
#: Confined levels named in one aliasing note; the rest are counted.
_CONFINED_SHOWN = 5
#: Course ids listed in one note about blank factors; the rest are counted.
_COURSES_SHOWN = 8


def _listing(values, lang: str, limit: int | None = None, sep: str = "list_sep") -> str:
    vals = [str(v) for v in values]
    shown = vals[:limit] if limit else vals
    out = text(_NOTE + sep, lang).join(shown)
    if len(shown) < len(vals):
        out += text(_NOTE + "more", lang, n=len(vals) - len(shown))
    return out


def _confined_phrase(s: str, s_lvl, o: str, o_lvl, lang: str) -> str:
    """"Instructor 'A' only taught online": level ``s_lvl`` of factor ``s`` met only ``o_lvl`` of ``o``."""
    if s == "instructor":
        return text(f"{_NOTE}confined.instructor.{o}", lang, s=s_lvl, o=_lvl(o, o_lvl, lang))
    if o == "instructor":
        return text(_NOTE + "confined.by_instructor", lang, F=label("factor", s, lang), s=_lvl(s, s_lvl, lang),
                    o=o_lvl)
    return text(_NOTE + "confined.other", lang, F=label("factor", s, lang), s=_lvl(s, s_lvl, lang),
                g=_fword(o, lang), o=_lvl(o, o_lvl, lang))


def note_text(code: str, params: Mapping, lang: str = "ja", names: Mapping[str, str] | None = None) -> str:
    """One note of :func:`dxsurvey.stats.compare` (a code of :data:`dxsurvey.stats.codes.NOTES` and
    its parameters) in ``lang``: catalogue key ``20_comparison.note.<code>``; factors, levels, models
    and waves by their catalogue labels; ``names`` maps construct and item ids to their labels.

    Examples
    --------
    >>> note_text("constant", {"factor": "style", "level": "lecture"}, "ja")
    '研修スタイルはすべて「講義」のため比較できません。モデルから除きました。'
    >>> note_text("constant", {"factor": "style", "level": "lecture"}, "en")
    "Every response has style 'lecture': style cannot be compared and is left out."
    """
    from ..stats.codes import note
    from ..stats.compare import ALL_FACTORS

    check_lang(lang)
    note(code, **params)                 # a known code with its parameters
    names = names or {}
    p = dict(params)
    args: dict = {}
    f = p.get("factor")
    if f is not None:
        args.update(F=label("factor", f, lang), f=_fword(f, lang))
    if "level" in p:
        args["level"] = _lvl(f, p["level"], lang)
    for key in ("model", "fixed"):
        if key in p:
            args[key] = label("model", p[key], lang)
    for key in ("n", "p", "min_cell", "small", "var", "icc", "value", "categories"):
        if key in p:
            args[key] = p[key]
    if "courses" in p:
        args["courses"] = _listing(p["courses"], lang, _COURSES_SHOWN)
    if "wave" in p:
        args["wave"] = wave_label(p["wave"], lang)
    if "item" in p:
        args["item"] = names.get(p["item"], p["item"])
    key = code
    if code == "aliased":
        pair = sorted([p["dropped"], p["kept"]], key=ALL_FACTORS.index)
        args.update(pair=text("20_comparison.kp_tangled_pair", lang, A=_fword(pair[0], lang), B=_fword(pair[1], lang)),
                    dropped=_fword(p["dropped"], lang), kept=_fword(p["kept"], lang))
        if p["confined"]:
            args["confined"] = _listing([_confined_phrase(*c, lang) for c in p["confined"]], lang,
                                        _CONFINED_SHOWN, sep="phrase_sep")
        else:
            key = "aliased_plain"
    elif code == "aliased_combo":
        args["others"] = _listing([_fword(o, lang) for o in p["others"]], lang)
    elif code == "lord_disagree":
        args["pairs"] = _listing([text(_NOTE + "flip", lang, f=_fword(g, lang), a=_lvl(g, a, lang), b=_lvl(g, b, lang))
                                  for g, a, b in p["pairs"]], lang)
    elif code == "fallback":
        args["why"] = text(f"{_NOTE}why.{p['why']}", lang,
                           **({"detail": p["detail"]} if p["why"] == "zero_var" else {}))
    elif code == "co_taught":
        args["levels"] = _listing(p["levels"], lang)
    elif code == "no_scores":
        args["construct"] = names.get(p["construct"], p["construct"])
    elif code == "ordinal_sign":
        waves = list(p["waves"])
        terms = [wave_label(w, lang) for w in waves[1:]] + [_fword(g, lang) for g in p["factors"]]
        args["formula"] = text(_NOTE + "formula", lang, outcome=wave_label(waves[0], lang),
                               terms=text(_NOTE + "terms_sep", lang).join(terms))
        args["verdict"] = text(_NOTE + ("ordinal_same" if p["same"] else "ordinal_diff"), lang)
        args["details"] = _listing([text(_NOTE + "ordinal_detail", lang, level=_lvl(f, lv, lang),
                                         ref=_lvl(f, ref, lang), a=a, b=b)
                                    for lv, ref, a, b in p["details"]], lang)
    return text(_NOTE + key, lang, **args)


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


# ---------------------------------------------------------------------- how the courses tangle factors
def _lvl(factor: str, value, lang: str) -> str:
    return label(factor, value, lang)


def _fword(factor: str, lang: str) -> str:
    """A factor's name inside a sentence (English lower-case: "format", not "Format")."""
    name = label("factor", factor, lang)
    return name.lower() if lang == "en" else name


def entanglement_text(ent, lang: str = "ja") -> Markup:
    """Markdown bullets naming every factor pair the courses tangle together (:func:`stats.design.entanglement`).

    Each bullet names the pair, the confined levels ("the 2 courses with format online were all
    lectures"), Cramér's V over the courses and on how many courses it rests; no bullet
    (one sentence) when no pair is tangled.
    """
    check_lang(lang)
    tangled = ent.tangled
    if not len(tangled):
        return markdown("20_comparison.untangled", lang)
    bullets = []
    for p in tangled.itertuples(index=False):
        conf = ent.confined[((ent.confined["factor"] == p.factor_a) & (ent.confined["other"] == p.factor_b))
                            | ((ent.confined["factor"] == p.factor_b) & (ent.confined["other"] == p.factor_a))]
        details = [text("20_comparison.confined", lang, F=_fword(c.factor, lang),
                        L=_lvl(c.factor, c.level, lang), k=c.n_courses, G=_fword(c.other, lang),
                        M=_lvl(c.other, c.other_level, lang))
                   for c in conf.itertuples(index=False)]
        bullets.append("- " + text(f"20_comparison.tangled.{p.code}", lang,
                                   A=escape_md(label("factor", p.factor_a, lang)),
                                   B=escape_md(label("factor", p.factor_b, lang)),
                                   details=escape_md(text("caution.sep", lang).join(details)),
                                   v=fmt_num(p.cramers_v), n=p.n_courses))
    return Markup(text("20_comparison.tangled_head", lang) + "\n\n" + "\n".join(bullets))


def courses_text(levels: pd.DataFrame, model: str | None, lang: str = "ja") -> Markup:
    """On how many courses each factor of ``model`` rests, and the caution when a level has 2-3 courses."""
    from ..stats.design import FEW_COURSES

    check_lang(lang)
    if model is None or not len(levels):
        return Markup("")
    sub = levels[levels["model"] == model]
    lines, few = [], False
    for f, grp in sub.groupby("factor", sort=False):
        parts = text("caution.sep", lang).join(
            text("20_comparison.level_courses", lang, L=_lvl(f, r.level, lang), k=r.n_courses)
            for r in grp.itertuples(index=False))
        lines.append("- " + text("20_comparison.rests_on", lang, F=escape_md(label("factor", f, lang)),
                                 levels=escape_md(parts)))
        few |= bool((grp["n_courses"] <= FEW_COURSES).any())
    if few:
        lines.append("\n" + text("20_comparison.few_courses", lang, k=FEW_COURSES))
    return Markup("\n".join(lines))


def course_view(study, comparison, construct: str, lang: str = "ja", min_cell: int | None = None):
    """One change per course with its interval, labelled, and its forest figure.

    Returns ``(frame, figure)``; the frame has ``course_id, title, instructor, format, style,
    audience, kind, n, estimate, ci_low, ci_high`` (``n`` counts people).  Courses with
    ``n`` under ``min_cell`` draw no point in the figure (the table hides them).
    """
    import matplotlib.pyplot as plt

    from ..stats.design import course_changes

    check_lang(lang)
    min_cell = min_cell or study.min_cell
    cc = course_changes(study, construct, courses=list(comparison.courses) or None, min_cell=min_cell)
    info = study.courses.drop_duplicates("course_id").set_index("course_id")

    def field(cid, f):
        return info.loc[cid, f] if cid in info.index and f in info.columns else pd.NA

    frame = pd.DataFrame({
        "course_id": cc["course_id"],
        "title": [field(c, "title") for c in cc["course_id"]],
        "instructor": [field(c, "instructor") for c in cc["course_id"]],
        "format": [label("format", field(c, "format"), lang) for c in cc["course_id"]],
        "style": [label("style", field(c, "style"), lang) for c in cc["course_id"]],
        "audience": [label("audience", field(c, "audience"), lang) for c in cc["course_id"]],
        "kind": [label("course_change", k, lang) for k in cc["kind"]],
        "n": cc["n"].astype("int64"),
        "estimate": cc["estimate"], "ci_low": cc["ci_low"], "ci_high": cc["ci_high"],
    })
    if not len(frame):
        fig = no_data_figure(lang)
    else:
        shown = frame.copy()
        small = (shown["n"] >= 1) & (shown["n"] < min_cell)
        shown.loc[small, ["estimate", "ci_low", "ci_high"]] = float("nan")
        shown["label"] = [" ".join(str(v) for v in (r.course_id, r.instructor, r.format, r.style, r.audience)
                                   if not isna(v) and v != DASH) for r in shown.itertuples(index=False)]
        kinds = list(dict.fromkeys(cc["kind"]))
        ax = plots.forest(shown, x="estimate", xlabel=text("20_comparison.course_axis", lang,
                                                           kind=label("course_change", kinds[0], lang)))
        fig = ax.figure
    plt.close(fig)
    return frame, fig


# ---------------------------------------------------------------------- key points and glossary
def _change_levels(sec) -> tuple[str | None, pd.DataFrame]:
    comp = sec.comparison
    if comp is None or not len(comp.levels):
        return None, pd.DataFrame()
    for model in _CHANGE_MODELS + ("post_only",):
        sub = comp.levels[(comp.levels["model"] == model) & comp.levels["estimate"].notna()]
        if len(sub):
            return model, sub
    return None, pd.DataFrame()


def key_points(sections, study, lang: str = "ja") -> Markup:
    """要点: 3-6 sentences from the numbers of the comparison sections.

    How many courses and constructs; the factor level with the largest adjusted change
    (with its interval, model and number of courses; the highest post estimate for
    post-only data); which factor comparisons could not be told apart (every interval of
    a difference includes 0 -- said as "could not be told apart", never "no difference")
    and which could; the tangled factor pairs; how few courses stand behind a level.
    """
    from ..stats.design import FEW_COURSES, entanglement

    check_lang(lang)
    sep = text("caution.sep", lang)
    done = [s for s in sections if s.comparison is not None and s.model is not None]
    courses = sorted(set().union(*(s.comparison.courses for s in done))) if done else []
    out = [text("20_comparison.kp_scope", lang, courses=len(courses), constructs=len(sections),
                compared=len(done))]
    best = None
    for sec in done:
        model, sub = _change_levels(sec)
        if model is None:
            continue
        row = sub.loc[sub["estimate"].idxmax()]
        if best is None or (model != "post_only") > (best[1] != "post_only") or (
                (model != "post_only") == (best[1] != "post_only") and row["estimate"] > best[2]["estimate"]):
            best = (sec, model, row)
    if best is not None:
        sec, model, row = best
        key = "20_comparison.kp_best_post" if model == "post_only" else "20_comparison.kp_best"
        out.append(text(key, lang, construct=escape_md(sec.label), F=escape_md(_fword(row["factor"], lang)),
                        L=escape_md(_lvl(row["factor"], row["level"], lang)), est=fmt_num(row["estimate"]),
                        ci=fmt_ci(row["ci_low"], row["ci_high"]), model=label("model", model, lang),
                        k=int(row["n_courses"])))
    apart, clear = [], []
    fsep = text("20_comparison.factor_sep", lang)
    for sec in done:
        con = sec.comparison.contrasts
        con = con[(con["model"] == sec.model) & con["diff"].notna()]
        split = {True: [], False: []}
        for f, grp in con.groupby("factor", sort=False):
            split[bool(((grp["ci_low"] > 0) | (grp["ci_high"] < 0)).any())].append(label("factor", f, lang))
        for told, target in ((False, apart), (True, clear)):
            if split[told]:
                target.append(text("20_comparison.kp_pair", lang, construct=escape_md(sec.label),
                                   factors=escape_md(fsep.join(split[told]))))
    if apart:
        out.append(text("20_comparison.kp_apart", lang, what=sep.join(apart)))
    if clear:
        out.append(text("20_comparison.kp_clear", lang, what=sep.join(clear)))
    if courses:
        factors = [f for f in ("instructor", "format", "style", "audience") if f in study.courses.columns]
        ent = entanglement(study.courses[study.courses["course_id"].isin(courses)], factors)
        pairs = [text("20_comparison.kp_tangled_pair", lang, A=escape_md(_fword(p.factor_a, lang)),
                      B=escape_md(_fword(p.factor_b, lang)))
                 for p in ent.tangled.itertuples(index=False)]
        out.append(text("20_comparison.kp_tangled", lang, pairs=sep.join(pairs)) if pairs
                   else text("20_comparison.kp_untangled", lang))
    n_min = [int(s.comparison.levels.loc[s.comparison.levels["model"] == s.model, "n_courses"].min())
             for s in done if (s.comparison.levels["model"] == s.model).any()]
    if n_min and min(n_min) <= FEW_COURSES:
        out.append(text("20_comparison.kp_few", lang, k=min(n_min)))
    return Markup("\n".join(f"- {line}" for line in out[:6]))


def glossary(sections, lang: str = "ja") -> Markup:
    """The symbols and terms this comparison report used, one bullet each."""
    check_lang(lang)
    used = ["estimate", "ci", "n_courses", "p", "p_adj"]
    tests = set()
    models = set()
    for sec in sections:
        if sec.comparison is not None and len(sec.comparison.terms):
            tests.update(sec.comparison.terms["test"])
            models.update(sec.comparison.terms["model"])
    if "F" in tests:
        used += ["F", "df", "hc3"]
    if "chi2" in tests:
        used += ["chi2"]
    used += [m for m in ("ancova", "gain", "mixed", "wave_x_factor", "post_only") if m in models]
    used += ["cramers_v", "adjusted_change"]
    return Markup("\n".join("- " + text(f"20_comparison.gloss.{k}", lang) for k in used))


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


    from ..stats import compare
    from ..stats.compare import FACTORS
    from ..stats.design import entanglement

    check_lang(lang)
    cids = list(constructs) if constructs is not None else list(study.codebook.constructs)
    names = measure_labels(study)
    kwargs = {"min_cell": min_cell} if min_cell else {}
    if factors is not None:
        kwargs["factors"] = tuple(factors)
    out = []
    same = markdown("20_comparison.same_design", lang)
    for cid in cids:
        try:
            comp = compare(study, construct=cid, **kwargs)
        except ValueError as exc:
            empty = pd.DataFrame()
            fig = no_data_figure(lang)
            plt.close(fig)
            out.append(ComparisonSection(cid, names.get(cid, cid), "", None, fig, empty,
                                         empty, empty, empty, Markup(f"- {escape_md(exc)}")))
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
        used = [f for f in kwargs.get("factors", FACTORS) if f in study.courses.columns]
        ent = entanglement(study.courses[study.courses["course_id"].isin(comp.courses)], used)
        frame, cfig = course_view(study, comp, cid, lang, min_cell)
        out.append(ComparisonSection(
            construct=cid, label=names.get(cid, cid), design=comp.design, model=model, figure=fig,
            terms=_localize_levels(_terms_of_shown_levels(comp.terms, levels), lang),
            levels=_localize_levels(levels, lang),
            contrasts=_localize_levels(comp.contrasts, lang),
            gain=_localize_levels(gain, lang).reset_index(drop=True),
            notes=comparison_notes(comp, lang, names), comparison=comp,
            entangled=entanglement_text(ent, lang), rests_on=courses_text(levels, model, lang),
            courses=frame, course_figure=cfig))
        earlier = [s for s in out[:-1] if s.comparison is not None]
        if earlier and earlier[-1].comparison.courses == comp.courses and earlier[-1].entangled not in ("", same):
            out[-1].entangled = same     # said once: the same courses tangle the same factors
    return out



def sections(ctx, **kwargs) -> list[ComparisonSection]:
    """:func:`comparison_sections` of the report's study in its language and min_cell."""
    return comparison_sections(ctx.study, lang=ctx.language, min_cell=ctx.min_cell, **kwargs)
