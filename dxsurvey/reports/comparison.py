"""The comparison report (notebooks/20_comparison): instructors, formats, styles and audiences."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from .. import plots
from .catalog import text
from .context import ReportTable
from .common import (course_by_course, no_data_figure)
from .format import (DASH, Markup, escape_md, check_lang, isna, label, measure_labels)

__all__ = ["ComparisonSection", "comparison_sections", "comparison_notes", "course_by_course"]


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
    return out.rename(columns={"level": "factor_level"})


def comparison_notes(comparison, lang: str = "ja") -> str:
    """The comparison's notes (aliasing, fallback, small n, Lord's paradox) as Markdown bullets."""
    check_lang(lang)
    notes = comparison.notes
    if notes is None or not len(notes):
        return Markup(f"- {escape_md(text('narrative.no_cautions', lang))}")
    return Markup("\n".join(f"- {escape_md(m)}" for m in dict.fromkeys(notes["message"].astype(str))))


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


    from ..stats import compare

    check_lang(lang)
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
        out.append(ComparisonSection(
            construct=cid, label=names.get(cid, cid), design=comp.design, model=model, figure=fig,
            terms=_localize_levels(_terms_of_shown_levels(comp.terms, levels), lang),
            levels=_localize_levels(levels, lang),
            contrasts=_localize_levels(comp.contrasts, lang),
            gain=_localize_levels(gain, lang).reset_index(drop=True),
            notes=comparison_notes(comp, lang)))
    return out



def sections(ctx, **kwargs) -> list[ComparisonSection]:
    """:func:`comparison_sections` of the report's study in its language and min_cell."""
    return comparison_sections(ctx.study, lang=ctx.language, min_cell=ctx.min_cell, **kwargs)
