"""The research report (notebooks/40_research_report): abstract, methods, results, appendix."""
from __future__ import annotations

import pandas as pd

from .. import provenance
from .catalog import text
from .context import ReportTable
from .common import (first_column, suppressed_rows, resolve_min_cell, with_labels)
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
    sentences = []
    for i, r in part.iterrows():
        who = []
        if "course_id" in part.columns and part["course_id"].nunique() > 1:
            who.append(str(r["course_id"]))
        if "audience" in part.columns and part["audience"].nunique(dropna=False) > 1:
            who.append(label("audience", r["audience"], lang))
        prefix = f"{escape_md(' '.join(who))}: " if who else ""
        if hide[i]:
            sentences.append(prefix + text("narrative.result_hidden", lang, measure=escape_md(r["label"]), min_cell=limit))
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


def abstract(pp: pd.DataFrame, study, lang: str = "ja", *, min_cell: int | None = None) -> str:
    """The abstract: scope (courses, respondents) and the construct results of a pooled table."""
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
    results = results_text(pp, study, lang=lang, measure_type="construct", min_cell=min_cell)
    return Markup(scope + ("" if lang == "ja" else " ") + results)



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
    scales = {cb.item(i).scale for c in cb.constructs.values() for i in c.items}
    scale_txt = ", ".join(f"{s} ({cb.scales[s].min}–{cb.scales[s].max})" for s in sorted(scales)) or DASH
    instruments = text("narrative.methods_instruments", lang, scales=escape_md(scale_txt),
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
def parameters_table(**params) -> pd.DataFrame:
    """The notebook's parameters as a ``name, value`` table (paths shown as given)."""
    return pd.DataFrame({"name": list(params), "value": [str(v) for v in params.values()]})


def package_versions() -> pd.DataFrame:
    """Python and package versions as a ``package, version`` table (see :mod:`dxsurvey.provenance`)."""
    return provenance.package_versions()


def input_hashes(study) -> pd.DataFrame:
    """SHA-256 of every input file: ``file``, ``sha256`` (see :mod:`dxsurvey.provenance`)."""
    return provenance.input_files(study)


# ---------------------------------------------------------------------- report tables
def table_parameters(ctx, **params) -> ReportTable:
    """The run's parameters (no counts): ``params`` as given, then the report's language and min_cell."""
    params = {**params, "language": ctx.language, "min_cell": ctx.min_cell}
    return ReportTable(parameters_table(**params), "parameters", "40_research_report.cap_parameters", n_cols=())


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
