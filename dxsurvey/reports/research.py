"""The research report (notebooks/40_research_report): abstract, methods, results, appendix."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import provenance
from .catalog import text
from .context import ReportTable
from .common import (first_column, suppressed_rows, resolve_min_cell, with_labels)
from .summary import excludes_zero, level_of, one_wave
from .format import (DASH, Markup, escape_md, check_lang, effect_symbol, fmt_ci, fmt_est_ci, fmt_num, fmt_p, isna, label, wave_label, wave_order)

__all__ = ["results_text", "abstract", "methods", "parameters_table", "package_versions", "input_hashes"]


def _direction(diff, lang) -> str:
    if isna(diff) or float(diff) == 0:
        return text("narrative.dir_same", lang)
    return text("narrative.dir_up" if float(diff) > 0 else "narrative.dir_down", lang)


def results_text(pp: pd.DataFrame, study, *, lang: str = "ja", measure_type: str = "construct",
                 min_cell: int | None = None) -> str:
    """One sentence per row of a (pooled) prepost table, numbers formatted from the table.

    Groups below ``min_cell`` get a sentence saying they are not reported.
    """
    check_lang(lang)
    limit = resolve_min_cell(study, min_cell)
    part = with_labels(pp[pp["measure_type"] == measure_type], study, lang).reset_index(drop=True)
    hide = suppressed_rows(part, limit)
    one = one_wave(part).to_numpy()
    sentences = []
    for i, r in part.iterrows():
        who = []
        if "course_id" in part.columns and part["course_id"].nunique() > 1:
            who.append(str(r["course_id"]))
        if "audience" in part.columns and part["audience"].nunique(dropna=False) > 1:
            who.append(label("audience", r["audience"], lang))
        prefix = f"{escape_md(' '.join(who))}: " if who else ""
        if one[i]:     # answered in one wave only: a level, not a change
            wave, mean, sd, n = level_of(study, r)
            sentences.append(prefix + (text("narrative.result_hidden", lang, measure=escape_md(r["label"]),
                                            min_cell=limit) if n < limit else text(
                "narrative.result_level", lang, measure=escape_md(r["label"]), wave=wave_label(wave, lang),
                mean=fmt_num(mean), sd=fmt_num(sd), n=n)))
            continue
        if hide[i]:
            sentences.append(prefix + text("narrative.result_hidden", lang, measure=escape_md(r["label"]), min_cell=limit))
            continue
        if int(r["n_a"]) == 0 and int(r["n_b"]) == 0:
            continue
        p = r["p_adj"] if not isna(r.get("p_adj")) else r["p_val"]
        p_txt = fmt_p(p)
        sentences.append(prefix + text(
            "narrative.result", lang, measure=escape_md(r["label"]), wave_a=wave_label(r["wave_a"], lang),
            wave_b=wave_label(r["wave_b"], lang), mean_a=fmt_num(r["mean_a"]), mean_b=fmt_num(r["mean_b"]),
            direction=_direction(r["diff"], lang), diff=fmt_num(r["diff"]),
            ci=fmt_ci(r["diff_ci_low"], r["diff_ci_high"]), effect_type=effect_symbol(r["effect_type"]),
            effect=fmt_est_ci(r["effect"], r["effect_ci_low"], r["effect_ci_high"]),
            p=("p " + p_txt) if p_txt.startswith("<") else f"p = {p_txt}",
            n=(str(int(r["n_pairs"])) if r["design"] == "paired" and not isna(r.get("n_pairs"))
               else f"{fmt_num(r['n_a'], 0)} / {fmt_num(r['n_b'], 0)}"),
            design=label("design", r["design"], lang)))
    if not sentences:
        return Markup(text("narrative.no_prepost", lang))
    return Markup(("" if lang == "ja" else " ").join(sentences))


def abstract(pp: pd.DataFrame, study, lang: str = "ja", *, min_cell: int | None = None,
             by_group: pd.DataFrame | None = None, later=()) -> str:
    """The abstract: scope (courses, respondents) and the conclusion — the key-point
    sentences (:func:`dxsurvey.reports.summary.key_point_sentences`) of the pooled table,
    not the results paragraph."""
    check_lang(lang)
    limit = resolve_min_cell(study, min_cell)
    subs = study.submissions
    n_courses = int(subs["course_id"].nunique())
    counts = subs.groupby("wave").size()
    waves = ("、" if lang == "ja" else ", ").join(
        text("narrative.wave_count", lang, wave=wave_label(w, lang),
             n=str(int(counts[w])) if counts[w] >= limit else text("narrative.fewer_than", lang, n=limit))
        for w in wave_order(counts.index))
    scope = text("narrative.abstract_scope", lang, survey=escape_md(study.codebook.survey), courses=n_courses, waves=waves)
    sep = "" if lang == "ja" else " "
    return Markup(scope + sep + conclusion(pp, study, lang=lang, min_cell=min_cell))


def _classify(pp: pd.DataFrame, study, lang: str, limit: int) -> dict[str, list[str]]:
    """Construct labels of a pooled table by what the interval says: up, down, unclear."""
    part = with_labels(pp[pp["measure_type"] == "construct"], study, lang).reset_index(drop=True)
    part = part[(pd.to_numeric(part["n_a"]) >= limit) & (pd.to_numeric(part["n_b"]) >= limit)
                & pd.to_numeric(part["diff"], errors="coerce").notna()]
    out = {"up": [], "down": [], "unclear": []}
    for _, r in part.iterrows():
        kind = ("up" if float(r["diff"]) > 0 else "down") if excludes_zero(r) else "unclear"
        out[kind].append(escape_md(r["label"]))
    return out


def conclusion(pp: pd.DataFrame, study, *, lang: str = "ja", min_cell: int | None = None) -> str:
    """The conclusion: how many constructs rose, fell, or could not be told apart from no
    change (95% interval of the difference includes 0), naming them."""
    check_lang(lang)
    groups = _classify(pp, study, lang, resolve_min_cell(study, min_cell))
    k = sum(len(v) for v in groups.values())
    if not k:
        return text("narrative.no_prepost", lang)
    sep = text("keypoint.list_sep", lang)
    parts = [text(f"conclusion.{kind}", lang, n=len(v), names=sep.join(v)) for kind, v in groups.items() if v]
    return text("conclusion.lead", lang, k=k, parts=text("conclusion.sep", lang).join(parts))


def limitations(study, pp: pd.DataFrame, *, lang: str = "ja", min_cell: int | None = None) -> str:
    """Limitations from the data: design (courses not randomised), anonymous courses
    (independent samples), the number of courses and respondents, small groups only when
    there are any, self-report."""
    check_lang(lang)
    limit = resolve_min_cell(study, min_cell)
    subs = study.submissions
    n_courses = int(subs["course_id"].nunique())
    lines = [text("limits.design", lang, courses=n_courses)]
    if "design" in pp.columns and (pp["design"] == "independent").any():
        anon = sorted(pp.loc[pp["design"] == "independent", "course_id"].dropna().astype(str).unique())
        lines.append(text("limits.anonymous", lang, courses=escape_md(", ".join(anon)) or DASH))
    lines.append(text("limits.lord", lang))
    lines.append(text("limits.response_shift", lang))
    n_min = pd.concat([pd.to_numeric(pp["n_a"]), pd.to_numeric(pp["n_b"])])
    n_min = n_min[n_min > 0]
    if len(n_min) and n_min.min() < 30:
        lines.append(text("limits.small", lang, n=int(subs.shape[0]), smallest=(
            text("limits.people", lang, n=int(n_min.min())) if n_min.min() >= limit
            else text("narrative.fewer_than", lang, n=limit))))
    else:
        lines.append(text("limits.large", lang, n=int(subs.shape[0])))
    lines.append(text("limits.self_report", lang))
    return Markup(text("limits.heading", lang) + "\n\n" + "\n".join(f"- {x}" for x in lines))


def reaction_text(study, *, lang: str = "ja", min_cell: int | None = None) -> str:
    """Reaction items (satisfaction, usefulness) as levels: mean, SD, n and top-2 share."""
    from ..stats import likert_distribution

    check_lang(lang)
    limit = resolve_min_cell(study, min_cell)
    if not any(it.level == "reaction" and it.type == "scale" for it in study.codebook.items):
        return text("research.no_reaction", lang)
    dist = likert_distribution(study, level="reaction", by=("wave",), min_cell=limit)
    parts = []
    for (mid, wave), g in dist.groupby(["measure_id", "wave"], sort=False):
        n = pd.to_numeric(g["count"]).sum()
        if not n or n < limit:
            continue
        lv, c = pd.to_numeric(g["level"]).to_numpy(float), pd.to_numeric(g["count"]).to_numpy(float)
        mean = float((lv * c).sum() / n)
        sd = float((((lv - mean) ** 2 * c).sum() / (n - 1)) ** 0.5) if n > 1 else float("nan")
        top2 = float(c[lv >= lv.max() - 1].sum() / n)
        parts.append(text("research.reaction_item", lang, measure=escape_md(g["label"].iloc[0]),
                          wave=wave_label(wave, lang), mean=fmt_num(mean), sd=fmt_num(sd), n=int(n),
                          top2=f"{100 * top2:.0f}%"))
    if not parts:
        return text("research.no_reaction", lang)
    return Markup(text("research.reaction", lang, items=text("keypoint.list_sep", lang).join(parts)))


def discussion(pp: pd.DataFrame, study, *, lang: str = "ja", min_cell: int | None = None, later=()) -> str:
    """考察 from the numbers: what rose and what did not (intervals), whether the gains held at
    follow-up (post -> follow-up), the response shift (then - pre), and what the design allows."""
    check_lang(lang)
    limit = resolve_min_cell(study, min_cell)
    out = [conclusion(pp, study, lang=lang, min_cell=min_cell)]
    for lc in later:
        if lc.name not in ("retention", "response_shift"):
            continue
        g = _classify(lc.pp, study, lang, limit)
        sep = text("keypoint.list_sep", lang)
        out.append(text(f"discussion.{lc.name}", lang, down=sep.join(g["down"]) or DASH,
                        up=sep.join(g["up"]) or DASH, unclear=sep.join(g["unclear"]) or DASH))
    out.append(text("discussion.design", lang))
    return Markup("\n\n".join(out))



def ancova_terms(study, *, lang: str = "ja", min_cell: int | None = None) -> pd.DataFrame:
    """The factor tests of the ANCOVA the methods name (post adjusted for pre, HC3 errors; type II),
    per construct, from :func:`dxsurvey.stats.compare`: ``construct, factor, df, statistic (F), p_val``.

    Empty when no construct can be compared this way (no linked pre/post pairs, or no factor
    that varies between courses)."""
    from ..stats import compare

    check_lang(lang)
    limit = resolve_min_cell(study, min_cell)
    cols = ["construct", "factor", "df", "statistic", "p_val"]
    rows = []
    for cid, c in study.codebook.constructs.items():
        terms = compare(study, construct=cid, min_cell=limit).terms
        terms = terms[(terms["model"] == "ancova") & (terms["term"] != "pre")]
        rows += [{"construct": c.label, "factor": label("factor", t, lang), "df": int(d), "statistic": float(f),
                  "p_val": float(p)} for t, d, f, p in zip(terms["term"], terms["df"], terms["statistic"],
                                                           terms["p_val"])]
    return pd.DataFrame(rows, columns=cols)


def _p_phrase(p) -> str:
    """``p = .012`` / ``p < .001``."""
    p_txt = fmt_p(p)
    return ("p " + p_txt) if p_txt.startswith("<") else f"p = {p_txt}"


def comparison_text(terms: pd.DataFrame, lang: str = "ja") -> str:
    """What the ANCOVA found, in words: the construct x factor tests with p < .05 (F and p beside),
    or that none was told apart from zero; always that each factor rests on few courses."""
    check_lang(lang)
    if not len(terms):
        return Markup(text("research.no_ancova", lang))
    found = terms[terms["p_val"] < 0.05]
    sep = text("keypoint.list_sep", lang)
    if len(found):
        def factor(name):     # mid-sentence: "by instructor", not "by Instructor"
            return name[:1].lower() + name[1:] if lang == "en" else name

        parts = [text("research.ancova_item", lang, construct=escape_md(r.construct), factor=escape_md(factor(r.factor)),
                      df=int(r.df), f=fmt_num(r.statistic), p=_p_phrase(r.p_val))
                 for r in found.itertuples()]
        return Markup(text("research.ancova_found", lang, items=sep.join(parts)))
    return Markup(text("research.ancova_none", lang, k=terms["construct"].nunique()))


def _rel_summary(rel: pd.DataFrame | None, study, cid: str, lang: str) -> str:
    if rel is None or not len(rel):
        return DASH
    key = first_column(rel, "construct", "construct_id", "measure_id")
    part = rel[rel[key] == cid] if key else rel.iloc[0:0]
    a, o = first_column(rel, "alpha"), first_column(rel, "omega", "omega_total", "omega_t")
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


def scale_words(scale, lang: str) -> str:
    """A scale in words, by the labels of its ends (escaped Markdown): 「そう思わない」〜「そう思う」の5段階
    / 5 levels from 'そう思わない' to 'そう思う'; a scale whose labels are its numbers: 1〜5の数値."""
    low, high = scale.label_of(scale.min), scale.label_of(scale.max)
    if str(low).strip().lstrip("-").isdigit() and str(high).strip().lstrip("-").isdigit():
        return text("narrative.scale_numeric", lang, min=scale.min, max=scale.max)
    return text("narrative.scale_range", lang, low=escape_md(low), high=escape_md(high), k=len(scale.values),
                min=scale.min, max=scale.max)


def methods(study, rel: pd.DataFrame | None = None, *, lang: str = "ja", min_cell: int | None = None) -> str:
    """The methods section (Markdown): design, instruments with reliability, statistics,
    missing data and privacy, every number taken from the study or the reliability table."""
    check_lang(lang)
    cb = study.codebook
    limit = resolve_min_cell(study, min_cell)
    subs = study.submissions
    waves = ("・" if lang == "ja" else ", ").join(wave_label(w, lang) for w in wave_order(subs["wave"].unique()))
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
        lines.append(text("narrative.methods_construct", lang, label=escape_md(c.label), k=len(c.items),
                          items=escape_md(", ".join(cb.item(i).display for i in c.items)),
                          reliability=_rel_summary(rel, study, c.id, lang)))
    used = dict.fromkeys(it.scale for it in cb.items if it.type == "scale" and it.scale)  # every scale in use
    scale_txt = text("keypoint.list_sep", lang).join(dict.fromkeys(scale_words(cb.scales[s], lang) for s in used))
    instruments = text("narrative.methods_instruments", lang, scales=scale_txt or DASH,
                       n_items=len(cb.items_of("scale")), n_constructs=len(cb.constructs))
    parts = [
        text("narrative.h_design", lang), design,
        text("narrative.h_instruments", lang), instruments + "\n\n" + "\n".join(f"- {x}" for x in lines),
        text("narrative.h_statistics", lang), text("narrative.methods_statistics", lang, min_cell=limit),
        text("narrative.h_missing", lang), text("narrative.methods_missing", lang),
        text("narrative.h_privacy", lang), text("narrative.methods_privacy", lang, min_cell=limit,
                                                 min_cell_text=cb.min_cell_text),
    ]
    return Markup("\n\n".join(parts))


# ---------------------------------------------------------------------- reproducibility
def parameters_table(study, *, lang: str = "ja", min_cell: int | None = None) -> pd.DataFrame:
    """What the report ran with, in words: the survey, the report's language, ``min_cell`` and
    ``min_cell_text`` (``name, value``).  Folder paths are left out: the input files are
    identified by their SHA-256 (:func:`input_hashes`), and a path names no one's result."""
    check_lang(lang)
    rows = [("survey", study.codebook.survey), ("language", text(f"value.language.{lang}", lang)),
            ("min_cell", str(resolve_min_cell(study, min_cell))),
            ("min_cell_text", str(study.codebook.min_cell_text))]
    return pd.DataFrame({"name": [text(f"param.{k}", lang) for k, _ in rows], "value": [v for _, v in rows]})


def package_versions() -> pd.DataFrame:
    """Python and package versions as a ``package, version`` table (see :mod:`dxsurvey.provenance`);
    Python by its name."""
    out = provenance.package_versions()
    return out.assign(package=out["package"].replace({"python": "Python"}))


def input_hashes(study) -> pd.DataFrame:
    """SHA-256 of every input file: ``file``, ``sha256`` (see :mod:`dxsurvey.provenance`)."""
    return provenance.input_files(study)


# ---------------------------------------------------------------------- report tables
def table_parameters(ctx) -> ReportTable:
    """What the report ran with (:func:`parameters_table`; no counts of people)."""
    return ReportTable(parameters_table(ctx.study, lang=ctx.language, min_cell=ctx.min_cell), "parameters",
                       "40_research_report.cap_parameters", n_cols=())


def table_versions(ctx) -> ReportTable:
    """Software versions (no counts)."""
    return ReportTable(package_versions(), "versions", "40_research_report.cap_versions", n_cols=())


def table_inputs(ctx) -> ReportTable:
    """SHA-256 of the input files (no counts)."""
    return ReportTable(input_hashes(ctx.study), "input_sha256", "40_research_report.cap_inputs", n_cols=())


# ---------------------------------------------------------------------- at the report's settings
def text_abstract(ctx, pp: pd.DataFrame) -> Markup:
    """:func:`abstract` in the report's language and min_cell."""
    return abstract(pp, ctx.study, ctx.language, min_cell=ctx.min_cell)


def text_methods(ctx, rel: pd.DataFrame | None) -> Markup:
    """:func:`methods` in the report's language and min_cell."""
    return methods(ctx.study, rel, lang=ctx.language, min_cell=ctx.min_cell)


def text_results(ctx, pp: pd.DataFrame) -> Markup:
    """:func:`results_text` in the report's language and min_cell."""
    return results_text(pp, ctx.study, lang=ctx.language, min_cell=ctx.min_cell)


def text_key_points(ctx, pooled: pd.DataFrame, later=()) -> Markup:
    """The 要点 of the research report: pooled change, by audience, post -> follow-up."""
    from ..stats import prepost
    from .summary import key_points

    by_aud = prepost(ctx.study, by=("audience",), min_cell=ctx.min_cell)
    ret = [lc.pp for lc in later if lc.name == "retention"]
    return key_points(pooled, ctx.study, by_group=by_aud, lang=ctx.language, min_cell=ctx.min_cell, later=ret)


def text_limitations(ctx, pp: pd.DataFrame) -> Markup:
    """:func:`limitations` in the report's language and min_cell."""
    return limitations(ctx.study, pp, lang=ctx.language, min_cell=ctx.min_cell)


def text_reaction(ctx) -> Markup:
    """:func:`reaction_text` in the report's language and min_cell."""
    return reaction_text(ctx.study, lang=ctx.language, min_cell=ctx.min_cell)


def section_comparison(ctx, pp: pd.DataFrame) -> None:
    """Results of the factor comparison the methods name: the ANCOVA tests in words and as a
    table (no counts of people), then the change per course (``n_a``, ``n_b`` count people)."""
    from .common import table_course_by_course

    terms = ancova_terms(ctx.study, lang=ctx.language, min_cell=ctx.min_cell)
    ctx.md("research.comparison", text=comparison_text(terms, ctx.language))
    if len(terms):
        ctx.table(ReportTable(terms, "research_ancova", "40_research_report.cap_ancova", n_cols=()))
    ctx.table(table_course_by_course(ctx, pp, "research_course_by_course", "40_research_report.cap_by_course"))


def text_discussion(ctx, pooled: pd.DataFrame, later=()) -> Markup:
    """:func:`discussion` in the report's language and min_cell."""
    return discussion(pooled, ctx.study, lang=ctx.language, min_cell=ctx.min_cell, later=later)
