"""The next-course planning report (notebooks/30_next_course).

Everything is computed once by :func:`build` (``what_worked`` once, shared with
``recommend``; ``needs`` once) and then shaped into catalogue sentences, report tables
that declare their count columns, figures and the one-page plan.
"""
from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import plan as stats_plan
from .. import privacy
from .catalog import text
from .common import caution_text
from .context import ReportTable
from .format import DASH, Markup, check_lang, escape_md, fmt_num, fmt_pct, isna, label, measure_labels

__all__ = ["PlanReport", "build"]

#: Factors shown in the what-worked table, in order.
_FACTORS = stats_plan.PLAN_FACTORS
#: Aspects of a recommendation, in the order they are said.
_ASPECTS = ("instructor_type", "format", "style")
_CSS = ("<style>@media print { .dx-onepage { page-break-before: always; page-break-after: always; "
        "font-size: 9pt; } .dx-onepage table { width: 100%; } } "
        ".dx-onepage table { border-collapse: collapse; margin-bottom: .6em; } "
        ".dx-onepage th, .dx-onepage td { border: 1px solid #bbb; padding: 2px 6px; vertical-align: top; }"
        "</style>")


def _cls(value, lang) -> str:
    return label("class", value, lang)


def _d(x) -> str:
    return fmt_num(x, 2)


@dataclass
class PlanReport:
    """What the planning report shows; every frame is an aggregate."""

    study: object
    lang: str
    min_cell: int
    sesoi: float
    fixed: dict
    ww: stats_plan.WhatWorked
    nd: pd.DataFrame
    rec: stats_plan.Recommendation
    beh: pd.DataFrame
    ideas: stats_plan.Ideas | None
    idea_tables: dict
    needed: pd.DataFrame
    names: dict = field(default_factory=dict)
    gph: pd.DataFrame | None = None
    ideas_error: bool = False

    # ------------------------------------------------------------------ helpers
    def _name(self, measure) -> str:
        return self.names.get(measure, measure) if not isna(measure) else DASH

    def _choice(self, aspect, value) -> str:
        if aspect == "hours":
            return text("30_next_course.hours_value", self.lang, hours=fmt_num(value, 1))
        if aspect == "focus":
            return self._name(value)
        return label(aspect, value, self.lang)

    def _audiences(self) -> list[str]:
        return list(dict.fromkeys(self.rec.decisions["audience"]))

    def _undecided_row(self, aud, aspect, source, cands=()):
        """The undecided comparison behind an undecided decision (between the candidates when
        there are several; the largest MDE, the least informative, among them)."""
        c = self.ww.contrasts
        who = aud if source != "pooled" else "all"
        rows = c[(c["audience"] == who) & (c["factor"] == aspect) & (c["class"] == "undecided")
                 & c["mde_d"].notna()]
        if len(cands) > 1:
            between = rows[rows["level_a"].isin(cands) & rows["level_b"].isin(cands)]
            rows = between if len(between) else rows
        return None if not len(rows) else rows.sort_values("mde_d", ascending=False).iloc[0]

    def mde_sentence(self, row) -> Markup:
        """「A n人とB m人では d ≈ x 未満の差は検出できません」 for one comparison row."""
        if row is None:
            return Markup("")
        same = row["n_a"] == row["n_b"] and row["n_courses_a"] == row["n_courses_b"]
        key = "30_next_course.mde_equal" if same else "30_next_course.mde_pair"
        return Markup(text(key, self.lang, n=int(row["n_a"]), n_a=int(row["n_a"]), n_b=int(row["n_b"]),
                           c=int(row["n_courses_a"]), c_a=int(row["n_courses_a"]), c_b=int(row["n_courses_b"]),
                           level_a=escape_md(label(row["factor"], row["level_a"], self.lang)),
                           level_b=escape_md(label(row["factor"], row["level_b"], self.lang)),
                           mde=_d(row["mde_d"])))

    def _levels(self, aspect, codes) -> str:
        """Levels of a factor (comma-separated codes) as a list in the report language."""
        return text("30_next_course.list_sep", self.lang).join(label(aspect, c, self.lang) for c in codes)

    def comparison_notes(self, d) -> str:
        """The counts behind a decision's comparison (answers and courses on both sides) and its
        cautions: factors it cannot be separated from, a side resting on a single course."""
        lang, aspect = self.lang, d["aspect"]
        out = text("30_next_course.counts", lang, choice=label(aspect, d["choice"], lang), n=int(d["n"]),
                   n_courses=int(d["n_courses"]), versus=label(aspect, d["versus"], lang),
                   n_versus=int(d["n_versus"]), n_courses_versus=int(d["n_courses_versus"])) \
            if not isna(d["versus"]) and not isna(d["n_versus"]) else \
            text("30_next_course.counts_one", lang, choice=label(aspect, d["choice"], lang), n=int(d["n"]),
                 n_courses=int(d["n_courses"]))
        sep = text("30_next_course.note_sep", lang)
        if not isna(d["tangled_with"]) and d["tangled_with"]:
            factors = [label("factor", f, lang) for f in str(d["tangled_with"]).split(",")]
            out += sep + text("30_next_course.note_tangled", lang,
                              factors=text("30_next_course.list_sep", lang).join(factors))
        if not isna(d.get("entangled_with")) and d.get("entangled_with"):
            factors = [label("factor", f, lang) for f in str(d["entangled_with"]).split(",")]
            out += sep + text("30_next_course.note_entangled", lang,
                              factors=text("30_next_course.list_sep", lang).join(factors))
        single = [lvl for lvl, c in ((d["choice"], d["n_courses"]), (d["versus"], d["n_courses_versus"]))
                  if not isna(lvl) and not isna(c) and int(c) == 1]
        if single:
            out += sep + text("30_next_course.note_single_course", lang, levels=self._levels(aspect, single))
        return out

    # ------------------------------------------------------------------ 要点
    def decision_sentence(self, d) -> Markup:
        """One sentence for one decision row (a factor or the hours) from its numbers."""
        lang, aspect = self.lang, d["aspect"]
        what = label("factor", aspect, lang) if aspect != "hours" else text("30_next_course.hours", lang)
        esc = {"what": escape_md(what)}
        if d["status"] == "fixed":
            return Markup(text("30_next_course.s_fixed", lang, choice=escape_md(self._choice(aspect, d["choice"])),
                               **esc))
        if aspect == "hours":
            if d["status"] != "derived":
                return Markup(text("30_next_course.s_not_estimable", lang, **esc))
            return Markup(text("30_next_course.s_hours", lang, choice=escape_md(self._choice("hours", d["choice"])),
                               course=escape_md(d["versus"]), gain=_d(d["diff"]), per_hour=fmt_num(d["estimate"], 3),
                               n_courses=int(d["n_courses"]), **esc))
        if d["status"] in ("recommended", "better_than_some"):
            key = "30_next_course.s_recommended" if d["status"] == "recommended" else "30_next_course.s_better"
            src = text(f"30_next_course.source_{d['source']}", lang)
            rest = ""
            if d["status"] == "better_than_some" and not isna(d["not_beaten"]) and d["not_beaten"]:
                rest = text("30_next_course.not_beaten", lang,
                            levels=self._levels(aspect, str(d["not_beaten"]).split(",")))
            return Markup(text(key, lang, choice=escape_md(label(aspect, d["choice"], lang)),
                               versus=escape_md(label(aspect, d["versus"], lang)), basis=escape_md(self._name(d["basis"])),
                               diff=_d(d["diff"]), cls=escape_md(_cls(d["class"], lang)),
                               notes=escape_md(self.comparison_notes(d)), source=escape_md(src),
                               rest=escape_md(rest), **esc))
        if d["status"] == "equivalent":
            return Markup(text("30_next_course.s_equivalent", lang, cls=escape_md(_cls("equivalent", lang)), **esc))
        if d["status"] == "undecided":
            cands = [] if isna(d["versus"]) else str(d["versus"]).split(",")
            opts = text("30_next_course.list_sep", lang).join(label(aspect, c, lang) for c in cands) or DASH
            row = self._undecided_row(d["audience"], aspect, d["source"], cands)
            key = "30_next_course.s_undecided" + ("_options" if cands else "") + ("_mde" if row is not None else "")
            return Markup(text(key, lang, options=escape_md(opts), cls=escape_md(_cls("undecided", lang)),
                               mde=self.mde_sentence(row), **esc))
        return Markup(text("30_next_course.s_not_estimable", lang, **esc))

    def focus_sentence(self, aud) -> Markup:
        d = self.rec.decisions
        f = d[(d["audience"] == aud) & (d["aspect"] == "focus")]
        if not len(f):
            nd = self.nd
            answered = nd[(nd["audience"] == aud) & nd["post_mean"].notna()]
            if len(answered):   # answers from fewer than min_cell people: recommend left them out
                return Markup(text("30_next_course.s_focus_small", self.lang, min_cell=self.min_cell))
            return Markup(text("30_next_course.s_no_focus", self.lang))
        sep = text("30_next_course.list_sep", self.lang)
        parts = sep.join(text("30_next_course.focus_item", self.lang, label=escape_md(self._name(r.choice)),
                              mean=_d(r.estimate), gain=_d(r.diff)) for r in f.itertuples(index=False))
        return Markup(text("30_next_course.s_focus", self.lang, items=parts))

    def summary(self) -> Markup:
        """The 要点: per audience, 2-5 sentences from the recommendation's numbers."""
        out = []
        d = self.rec.decisions
        for aud in self._audiences():
            own = d[d["audience"] == aud]
            lines = [self.focus_sentence(aud)]
            for aspect in (*_ASPECTS, "hours"):
                row = own[own["aspect"] == aspect]
                if len(row):
                    lines.append(self.decision_sentence(row.iloc[0]))
            out.append(text("30_next_course.summary_audience", self.lang,
                            audience=escape_md(label("audience", aud, self.lang)), sentences="".join(lines)))
        return Markup("\n\n".join(out))

    # ------------------------------------------------------------------ needs
    def _item(self, label_, value, lo=None, hi=None) -> str:
        key = "30_next_course.measure_value" if lo is None else "30_next_course.measure_value_ci"
        return text(key, self.lang, label=escape_md(label_), value=_d(value), lo=_d(lo), hi=_d(hi))

    def needs_text(self) -> Markup:
        """Per audience: the lowest post level, the smallest gain, the quadrant to improve first,
        and what fell back (or held) between post and follow-up, each with its numbers."""
        lang = self.lang
        sep = text("30_next_course.list_sep", lang)
        nd = self.nd[(self.nd["measure_type"] == "construct")]
        out = []
        for aud in dict.fromkeys(nd["audience"]):
            # the one rule: a level, gain or fall-back of fewer than min_cell people is not said
            part = nd[(nd["audience"] == aud) & nd["post_mean"].notna()
                      & (pd.to_numeric(nd["n_post"], errors="coerce") >= self.min_cell)]
            if not len(part):
                continue
            low = part.loc[part["post_mean"].idxmin()]
            lines = [text("30_next_course.needs_low", lang, audience=escape_md(label("audience", aud, lang)),
                          item=self._item(self._name(low["measure_id"]), low["post_mean"], low["post_ci_low"],
                                          low["post_ci_high"]))]
            g = part[part["gain"].notna()]
            if len(g):
                small = g.loc[g["gain"].idxmin()]
                lines.append(text("30_next_course.needs_small_gain", lang,
                                  item=self._item(self._name(small["measure_id"]), small["gain"],
                                                  small["gain_ci_low"], small["gain_ci_high"])))
            q = part[part["quadrant"] == "priority_improve"]
            if len(q):
                basis = q["quadrant_basis"].iloc[0]
                lines.append(text("30_next_course.needs_quadrant", lang,
                                  map=text(f"30_next_course.map_{basis}", lang),
                                  quadrant=label("quadrant", "priority_improve", lang),
                                  items=sep.join(escape_md(self._name(m)) for m in q["measure_id"])))
            fu = part[part["fallback_class"].notna()
                      & (pd.to_numeric(part["n_followup"], errors="coerce") >= self.min_cell)]
            if len(fu):
                down = fu[fu["fallback_class"].isin(["different", "different_but_small"]) & (fu["fallback"] < 0)]
                held = fu[fu["fallback_class"] == "equivalent"]
                if len(down):
                    lines.append(text("30_next_course.needs_fallback", lang, items=sep.join(
                        self._item(self._name(r.measure_id), r.fallback, r.fallback_ci_low, r.fallback_ci_high)
                        for r in down.itertuples(index=False))))
                else:
                    lines.append(text("30_next_course.needs_fallback_none", lang))
                if len(held):
                    lines.append(text("30_next_course.needs_held", lang, cls=_cls("equivalent", lang), items=sep.join(
                        self._item(self._name(r.measure_id), r.fallback, r.fallback_ci_low, r.fallback_ci_high)
                        for r in held.itertuples(index=False))))
            out.append("- " + "".join(lines))
        return Markup("\n".join(out))

    def table_needs(self) -> ReportTable:
        """Constructs, then their items, per audience: post level, gain (raw and share of the
        room to grow), follow-up level and fall-back, each with its interval and rank."""
        nd = self.nd
        lang = self.lang
        num = {c: nd[c].to_numpy(float) for c in (
            "post_mean", "post_ci_low", "post_ci_high", "gain", "gain_ci_low", "gain_ci_high", "gain_norm",
            "followup_mean", "fallback", "fallback_ci_low", "fallback_ci_high")}
        frame = pd.DataFrame({
            "audience": [label("audience", a, lang) for a in nd["audience"]],
            "measure_type": [label("measure_type", t, lang) for t in nd["measure_type"]],
            "measure": [self._name(m) for m in nd["measure_id"]],
            "n_post": nd["n_post"].to_numpy(),
            "post_mean": num["post_mean"], "post_ci_low": num["post_ci_low"], "post_ci_high": num["post_ci_high"],
            "rank_post": nd["rank_post"].to_numpy(),
            "gain": num["gain"], "gain_ci_low": num["gain_ci_low"], "gain_ci_high": num["gain_ci_high"],
            "gain_norm": num["gain_norm"], "rank_gain": nd["rank_gain"].to_numpy(),
            "n_followup": pd.array(pd.to_numeric(nd["n_followup"], errors="coerce"), dtype="Int64"),
            "followup_mean": num["followup_mean"], "rank_followup": nd["rank_followup"].to_numpy(),
            "fallback": num["fallback"], "fallback_ci_low": num["fallback_ci_low"],
            "fallback_ci_high": num["fallback_ci_high"],
            "fallback_class": [_cls(c, lang) if not isna(c) else DASH for c in nd["fallback_class"]],
        })
        if nd["importance"].notna().any():
            frame["importance"] = nd["importance"].to_numpy(float)
        frame["quadrant"] = [label("quadrant", q, lang) for q in nd["quadrant"]]
        return ReportTable(frame.reset_index(drop=True), "plan_needs", "30_next_course.cap_needs",
                           n_cols=("n_post", "n_followup"))

    def figure_needs(self):
        """Post level x gain (or importance x attainment) per audience, quadrant lines at the mean."""
        import matplotlib.pyplot as plt
        nd = self.nd[(self.nd["measure_type"] == "construct") & self.nd["post_mean"].notna()
                     & (pd.to_numeric(self.nd["n_post"], errors="coerce") >= self.min_cell)]   # the one rule
        auds = list(dict.fromkeys(nd["audience"])) or ["all"]
        fig, axes = plt.subplots(1, len(auds), figsize=(4.2 * len(auds), 3.6), squeeze=False)
        for ax, aud in zip(axes[0], auds):
            part = nd[nd["audience"] == aud]
            imp = part["quadrant_basis"].eq("importance").any()
            x = part["importance"] if imp else part["post_mean"]
            y = part["post_mean"] if imp else part["gain"]
            ax.scatter(x, y, color="#1f77b4")
            for xi, yi, m in zip(x, y, part["measure_id"]):
                ax.annotate(self._name(m), (xi, yi), fontsize=8, xytext=(3, 3), textcoords="offset points")
            if len(part):
                ax.axvline(float(np.nanmean(x)), color="#999", lw=0.8, ls="--")
                ax.axhline(float(np.nanmean(y)), color="#999", lw=0.8, ls="--")
            ax.set_title(label("audience", aud, self.lang))
            basis = "importance" if imp else "level_gain"
            ax.set_xlabel(text(f"30_next_course.axis_x_{basis}", self.lang))
            ax.set_ylabel(text(f"30_next_course.axis_y_{basis}", self.lang))
        fig.tight_layout()
        plt.close(fig)
        return fig

    def needs_caption(self) -> str:
        """Caption of :meth:`figure_needs`: which map it is (importance x attainment or level x gain)."""
        nd = self.nd[self.nd["measure_type"] == "construct"]
        basis = "importance" if nd["quadrant_basis"].eq("importance").any() else "level_gain"
        return text("30_next_course.cap_needs_fig", self.lang, map=text(f"30_next_course.map_{basis}", self.lang))

    # ------------------------------------------------------------------ what worked
    def what_worked_frame(self) -> pd.DataFrame:
        c = self.ww.contrasts
        lang = self.lang
        f = list(c["factor"])
        return pd.DataFrame({
            "audience": [label("audience", a, lang) for a in c["audience"]],
            "construct": [self._name(m) for m in c["construct"]],
            "factor": [label("factor", x, lang) for x in f],
            "level_a": [label(x, v, lang) for x, v in zip(f, c["level_a"])],
            "level_b": [label(x, v, lang) for x, v in zip(f, c["level_b"])],
            "n_a": c["n_a"].to_numpy(), "n_b": c["n_b"].to_numpy(),
            "courses_a": c["n_courses_a"].to_numpy(), "courses_b": c["n_courses_b"].to_numpy(),
            "diff": c["diff"].to_numpy(float), "ci_low": c["ci_low"].to_numpy(float),
            "ci_high": c["ci_high"].to_numpy(float), "ci90_low": c["ci90_low"].to_numpy(float),
            "ci90_high": c["ci90_high"].to_numpy(float), "d": c["d"].to_numpy(float),
            "class": [_cls(x, lang) if not isna(x) else DASH for x in c["class"]],
            "mde_d": c["mde_d"].to_numpy(float),
            "tangled_with": [text("30_next_course.list_sep", lang).join(label("factor", t, lang) for t in str(v).split(","))
                             if not isna(v) and v else "" for v in c["tangled_with"]],
            "entangled_with": [text("30_next_course.list_sep", lang).join(label("factor", t, lang) for t in str(v).split(","))
                               if not isna(v) and v else "" for v in c["entangled_with"]],
            "caution": [caution_text(v, lang) if not isna(v) and v else "" for v in c["caution"]],
        })

    def table_what_worked(self) -> ReportTable:
        return ReportTable(self.what_worked_frame(), "plan_what_worked", "30_next_course.cap_what_worked",
                           n_cols=("n_a", "n_b"), caption_args={"sesoi": fmt_num(self.sesoi, 2)})

    # ------------------------------------------------------------------ gain per hour
    def _per_course_hour(self) -> pd.DataFrame:
        """Per audience x course with known hours: mean change and change per hour over the
        constructs; changes of fewer than min_cell people in either wave are left out."""
        g = self.gph[self.gph["hours"].notna() & self.gph["diff"].notna()
                     & (pd.to_numeric(self.gph["n_a"], errors="coerce") >= self.min_cell)
                     & (pd.to_numeric(self.gph["n_b"], errors="coerce") >= self.min_cell)]
        if not len(g):
            return pd.DataFrame(columns=["audience", "course_id", "hours", "diff", "per_hour"])
        return (g.groupby(["audience", "course_id"], sort=True)
                 .agg(hours=("hours", "first"), diff=("diff", "mean"), per_hour=("per_hour", "mean"))
                 .reset_index())

    def per_hour_text(self) -> Markup:
        """Per audience: the course with the largest and the smallest change per training hour."""
        lang = self.lang
        per = self._per_course_hour()
        out = []
        for aud, g in per.groupby("audience", sort=False):
            if len(g) < 2:
                continue
            g = g.sort_values(["per_hour", "course_id"], ascending=[False, True])
            hi, lo = g.iloc[0], g.iloc[-1]
            out.append("- " + text("30_next_course.per_hour_line", lang,
                                   audience=escape_md(label("audience", aud, lang)), n_courses=len(g),
                                   top=escape_md(hi["course_id"]), top_hours=fmt_num(hi["hours"], 1),
                                   top_diff=_d(hi["diff"]), top_rate=fmt_num(hi["per_hour"], 3),
                                   bottom=escape_md(lo["course_id"]), bottom_hours=fmt_num(lo["hours"], 1),
                                   bottom_diff=_d(lo["diff"]), bottom_rate=fmt_num(lo["per_hour"], 3)))
        return Markup("\n".join(out))

    def table_gain_per_hour(self) -> ReportTable:
        """Construct change per course and audience, and per training hour, with intervals."""
        lang = self.lang
        g = self.gph
        info = self.study.courses.drop_duplicates("course_id").set_index("course_id")
        frame = pd.DataFrame({
            "audience": [label("audience", a, lang) for a in g["audience"]],
            "course_id": g["course_id"].to_numpy(),
            "format": [label("format", info["format"].get(c) if "format" in info else None, lang) for c in g["course_id"]],
            "style": [label("style", info["style"].get(c) if "style" in info else None, lang) for c in g["course_id"]],
            "construct": [self._name(m) for m in g["construct"]],
            "hours": g["hours"].to_numpy(float),
            "n_a": pd.array(pd.to_numeric(g["n_a"], errors="coerce"), dtype="Int64"),
            "n_b": pd.array(pd.to_numeric(g["n_b"], errors="coerce"), dtype="Int64"),
            "diff": g["diff"].to_numpy(float), "ci_low": g["ci_low"].to_numpy(float),
            "ci_high": g["ci_high"].to_numpy(float), "per_hour": g["per_hour"].to_numpy(float),
            "per_hour_ci_low": g["per_hour_ci_low"].to_numpy(float),
            "per_hour_ci_high": g["per_hour_ci_high"].to_numpy(float),
        })
        return ReportTable(frame, "plan_gain_per_hour", "30_next_course.cap_gain_per_hour", n_cols=("n_a", "n_b"),
                           group_cols=("audience", "construct"))

    # ------------------------------------------------------------------ behaviour
    def table_behaviour(self) -> ReportTable:
        b = self.beh
        lang = self.lang
        labels = measure_labels(self.study)
        frame = b.copy()
        frame["level"] = [label(by, v, lang) if by not in ("course_id",) else v for by, v in zip(b["by"], b["level"])]
        frame["by"] = [label("factor", v, lang) if v != "course_id" else text("30_next_course.by_course", lang) for v in b["by"]]
        frame["item_id"] = [labels.get(i, i) for i in b["item_id"]]
        frame = frame.rename(columns={"by": "grouping", "level": "group", "item_id": "item"})
        return ReportTable(frame, "plan_behaviour", "30_next_course.cap_behaviour", n_cols=("n", "n_yes"),
                           group_cols=("grouping", "item"))

    # ------------------------------------------------------------------ ideas
    def idea_sentences(self) -> Markup:
        """Ideas by channel (the most and the fewest), sections reached, ideas from courses per
        invited and the days from course to idea, implementation, and the register's problems."""
        lang = self.lang
        if self.ideas is None:
            key = "30_next_course.ideas_unreadable" if self.ideas_error else "30_next_course.no_ideas"
            return Markup(text(key, lang))
        bc = self.idea_tables["by_channel"]
        reach = self.idea_tables["reach"].set_index("channel")
        tot = bc[bc["channel"] == "all"].iloc[0]
        chans = bc[bc["channel"] != "all"].sort_values(["n_ideas", "channel"], ascending=[True, True])
        lines = []
        for r in chans.itertuples(index=False):
            rr = reach.loc[r.channel]
            lines.append(text("30_next_course.idea_channel", lang, channel=escape_md(r.channel), n=int(r.n_ideas),
                              sections=int(rr["n_sections_reached"])))
        out = "\n".join(f"- {x}" for x in lines)
        if len(chans) >= 2 and chans["n_ideas"].iloc[-1] > chans["n_ideas"].iloc[0]:
            top, bottom = chans.iloc[-1], chans.iloc[0]
            out += "\n\n" + text("30_next_course.idea_story", lang, top=escape_md(top["channel"]),
                                   n_top=int(top["n_ideas"]), share_top=fmt_pct(top["n_ideas"] / tot["n_ideas"]),
                                   bottom=escape_md(bottom["channel"]), n_bottom=int(bottom["n_ideas"]),
                                   ratio=fmt_num(top["n_ideas"] / bottom["n_ideas"], 0) if bottom["n_ideas"] else DASH)
        ra = reach.loc["all"]
        if not isna(ra["n_sections"]):
            out += "\n\n" + text("30_next_course.idea_reach", lang, reached=int(ra["n_sections_reached"]),
                                 total=int(ra["n_sections"]), share=fmt_pct(ra["share_reached"]))
        pc = self.idea_tables["per_course"]
        allc = pc[pc["course_id"] == "all"]
        if len(allc) and not isna(allc["ideas_per_invited"].iloc[0]):
            c = allc.iloc[0]
            out += "\n\n" + text("30_next_course.idea_courses", lang, n=int(c["n_ideas"]), invited=int(c["invited"]),
                                   per=fmt_num(100 * c["ideas_per_invited"], 1))
            if not isna(c["days_median"]):
                out += text("30_next_course.idea_days", lang, median=fmt_num(c["days_median"], 0),
                            q1=fmt_num(c["days_q1"], 0), q3=fmt_num(c["days_q3"], 0))
        if tot["n_status"]:
            out += "\n\n" + text("30_next_course.idea_implemented", lang, k=int(tot["n_implemented"]),
                                   n=int(tot["n_status"]), rate=fmt_pct(tot["implementation_rate"]),
                                   lo=fmt_pct(tot["ci_low"]), hi=fmt_pct(tot["ci_high"]))
            if tot["n_status"] < tot["n_ideas"]:
                out += text("30_next_course.idea_status_unknown", lang, m=int(tot["n_ideas"] - tot["n_status"]))
        if len(self.ideas.validation):
            out += "\n\n" + text("30_next_course.idea_problems", lang, n=len(self.ideas.validation))
        return Markup(out)

    def table_ideas_channel(self) -> ReportTable:
        bc = self.idea_tables["by_channel"].merge(
            self.idea_tables["reach"][["channel", "n_sections_reached", "n_sections"]], on="channel", how="left")
        bc = bc.drop(columns=["n_sections_x"]).rename(columns={
            "n_sections_y": "sections_all", "n_sections_reached": "sections_reached", "n_ideas": "ideas",
            "n_implemented": "implemented", "n_status": "status_known"})
        bc["channel"] = [text("30_next_course.all_channels", self.lang) if c == "all" else c for c in bc["channel"]]
        return ReportTable(bc, "plan_ideas_channel", "30_next_course.cap_ideas_channel", n_cols=())

    def table_ideas_month(self) -> ReportTable:
        m = self.idea_tables["by_channel_month"]
        wide = m.pivot(index="month", columns="channel", values="n_ideas").fillna(0).astype(int).reset_index()
        wide.columns.name = None
        return ReportTable(wide, "plan_ideas_month", "30_next_course.cap_ideas_month", n_cols=())

    def table_ideas_course(self) -> ReportTable:
        pc = self.idea_tables["per_course"].copy()
        pc["course_id"] = [text("30_next_course.all_courses", self.lang) if c == "all" else c for c in pc["course_id"]]
        pc["respondents"] = pd.to_numeric(pc["respondents"], errors="coerce")
        pc = pc.rename(columns={"n_ideas": "ideas"})
        return ReportTable(pc, "plan_ideas_course", "30_next_course.cap_ideas_course", n_cols=("respondents",),
                           value_cols=("respondents", "ideas_per_respondent"))

    def figure_ideas(self):
        import matplotlib.pyplot as plt
        m = self.idea_tables["by_channel_month"]
        wide = m.pivot(index="month", columns="channel", values="n_ideas").fillna(0)
        fig, ax = plt.subplots(figsize=(7.5, 3.4))
        bottom = np.zeros(len(wide))
        for ch in wide.columns:
            ax.bar(range(len(wide)), wide[ch].to_numpy(), bottom=bottom, label=str(ch))
            bottom += wide[ch].to_numpy()
        ax.set_xticks(range(len(wide)), list(wide.index), rotation=60, fontsize=7)
        ax.set_ylabel(text("30_next_course.axis_ideas", self.lang))
        ax.legend(fontsize=7, frameon=False)
        fig.tight_layout()
        plt.close(fig)
        return fig

    # ------------------------------------------------------------------ design and answers
    def needed_frame(self) -> pd.DataFrame:
        nd = self.needed
        lang = self.lang
        tt = stats_plan.turnout(self.study)
        aud_of = self.study.courses.set_index("course_id")["audience"] if "audience" in self.study.courses else None
        ret = {}
        for aud in nd["audience"].unique():
            own = tt[tt["course_id"].map(aud_of) == aud] if aud_of is not None else tt.iloc[:0]
            own = own[own["retention"].notna()]
            ret[aud] = float((own["n_followup"].sum() / own["n_post"].sum())) if own["n_post"].sum() else math.nan
        retention = nd["audience"].map(ret).astype(float)
        inv_fu = [stats_plan.invitations(int(n), min(rate, 1.0), max(0.0, 1 - r))
                  if all(math.isfinite(v) for v in (n, rate, r)) and rate > 0 and r > 0 else math.nan
                  for n, rate, r in zip(nd["n_change"], nd["rate"], retention)]
        return pd.DataFrame({
            "audience": [label("audience", a, lang) for a in nd["audience"]],
            "construct": [self._name(m) for m in nd["construct"]],
            "n_pairs": nd["n_pairs"].to_numpy(), "rho": nd["rho"].to_numpy(float), "dz": nd["dz"].to_numpy(float),
            "need_change": _whole(nd["n_change"]), "need_compare": _whole(nd["n_compare"]),
            "rate": nd["rate"].to_numpy(float), "invite_change": _whole(nd["invite_change"]),
            "invite_compare": _whole(nd["invite_compare"]), "retention": retention.to_numpy(float),
            "invite_followup": _whole(inv_fu), "invited_course": nd["invited_course"].to_numpy(float),
            "n_expected": _whole(nd["n_expected"]), "power_expected": nd["power_expected"].to_numpy(float),
            "mde_expected": nd["mde_expected"].to_numpy(float),
        })

    def table_needed(self) -> ReportTable:
        return ReportTable(self.needed_frame(), "plan_answers_needed", "30_next_course.cap_needed",
                           n_cols=("n_pairs",), caption_args={"sesoi": fmt_num(self.sesoi, 2)})

    def needed_lines(self) -> list[str]:
        """Per audience, for the construct that needs the most answers (the weakest pre-post
        correlation): answers and invitations to tell two options apart at the SESOI, and what
        one course invited as this time would give (expected answers, power, MDE)."""
        lang = self.lang
        table = self.table_needed()
        f = table.frame
        # only the rows the table shows (the one rule): a rate of a few pairs would tell their number
        shown = ~privacy.suppress(f, n_cols=list(table.n_cols), value_cols=table.value_cols, min_cell=self.min_cell,
                                  group_cols=table.group_cols)["suppressed"].astype(bool).to_numpy()
        lines = []
        for aud in self.needed["audience"].unique():
            mine = (self.needed["audience"] == aud).to_numpy() & shown
            g, raw = f[mine], self.needed[mine]
            if not len(g) or g["need_compare"].isna().all():
                continue
            i = int(np.argmax(g["need_compare"].fillna(-1).to_numpy()))
            r, n = g.iloc[i], raw.iloc[i]
            key = "30_next_course.needed_line" if not isna(r["invite_compare"]) else "30_next_course.needed_line_norate"
            line = text(key, lang, audience=escape_md(label("audience", aud, lang)), n=int(r["need_compare"]),
                        sesoi=fmt_num(self.sesoi, 2), construct=escape_md(r["construct"]), rate=fmt_pct(r["rate"]),
                        invite=fmt_num(r["invite_compare"], 0))
            if not isna(n["power_expected"]):
                line += text("30_next_course.expected_line", lang, invited=fmt_num(n["invited_course"], 0),
                             n=int(n["n_expected"]), sesoi=fmt_num(self.sesoi, 2), power=fmt_pct(n["power_expected"]),
                             mde=_d(n["mde_expected"]))
            lines.append(line)
        return lines

    def design_text(self) -> Markup:
        """Waves, then-test, follow-up, and the answers needed in words (largest need per audience)."""
        lines = self.needed_lines()
        body = text("30_next_course.design", self.lang)
        return Markup(body + ("\n\n" + "\n".join(f"- {x}" for x in lines) if lines else ""))

    def parameters_text(self) -> Markup:
        lang = self.lang
        if not self.fixed:
            return Markup(text("30_next_course.params_none", lang, sesoi=fmt_num(self.sesoi, 2)))
        items = text("30_next_course.list_sep", lang).join(
            text("30_next_course.param_item", lang, what=escape_md(label("factor", k, lang) if k != "hours"
                                                                  else text("30_next_course.hours", lang)),
                 choice=escape_md(self._choice(k, v))) for k, v in self.fixed.items())
        return Markup(text("30_next_course.params_fixed", lang, items=items, sesoi=fmt_num(self.sesoi, 2)))

    # ------------------------------------------------------------------ one page
    def onepage_frame(self, aud) -> pd.DataFrame:
        """The recommendation of one audience with its numbers (suppressed by the one rule)."""
        lang = self.lang
        d = self.rec.decisions
        d = d[d["audience"] == aud]
        rows = []
        for rec in d.to_dict("records"):
            r = pd.Series(rec)
            aspect = r["aspect"]
            what = (text("30_next_course.focus", lang) if aspect == "focus" else
                    text("30_next_course.hours", lang) if aspect == "hours" else label("factor", aspect, lang))
            if not isna(r["choice"]):
                choice = self._choice(aspect, r["choice"])
            else:
                choice = _cls("undecided", lang) if r["status"] == "undecided" else DASH
            if aspect == "focus":
                basis = text("30_next_course.op_focus", lang, mean=_d(r["estimate"]), lo=_d(r["ci_low"]),
                             hi=_d(r["ci_high"]), gain=_d(r["diff"]))
            elif aspect == "hours":
                basis = (text("30_next_course.op_hours", lang, course=r["versus"], gain=_d(r["diff"]),
                              per_hour=fmt_num(r["estimate"], 3)) if r["status"] == "derived" else
                         text(f"30_next_course.status_{r['status']}", lang))
            elif r["status"] in ("recommended", "better_than_some"):
                basis = text("30_next_course.op_factor", lang, versus=label(aspect, r["versus"], lang),
                             basis=self._name(r["basis"]), diff=_d(r["diff"]), cls=_cls(r["class"], lang),
                             notes=self.comparison_notes(r))
                if r["status"] == "better_than_some" and not isna(r["not_beaten"]) and r["not_beaten"]:
                    basis += text("30_next_course.sep", lang) + text(
                        "30_next_course.op_not_beaten", lang, levels=self._levels(aspect, str(r["not_beaten"]).split(",")))
            elif r["status"] == "undecided":
                cands = [] if isna(r["versus"]) else str(r["versus"]).split(",")
                row = self._undecided_row(aud, aspect, r["source"], cands)
                basis = _cls("undecided", lang) + (text("30_next_course.sep", lang) + _plain(self.mde_sentence(row))
                                                   if row is not None else "")
            else:
                basis = text(f"30_next_course.status_{r['status']}", lang)
            rows.append({"aspect": what, "choice": choice, "basis": basis, "n": r["n"]})
        frame = pd.DataFrame(rows, columns=["aspect", "choice", "basis", "n"])
        frame["n"] = pd.to_numeric(frame["n"], errors="coerce")
        sup = privacy.suppress(frame.assign(n=frame["n"].fillna(0).astype(int)), n_cols=["n"],
                               min_cell=self.min_cell, value_cols=["n", "basis"])
        out = frame.copy()
        hide = sup["suppressed"].fillna(False).astype(bool).to_numpy() & frame["n"].notna().to_numpy()
        out.loc[hide, ["basis"]] = DASH
        out["n"] = [DASH if h else ("" if isna(v) else str(int(v))) for h, v in zip(hide, frame["n"])]
        return out

    def onepage(self) -> Markup:
        """The A4 one-page plan as an HTML section (class ``dx-onepage`` for the print stylesheet)."""
        lang = self.lang
        esc = html.escape
        heads = "".join(f"<th>{esc(text(f'col.{c}', lang) if c == 'n' else text(f'30_next_course.op_col_{c}', lang))}</th>"
                        for c in ("aspect", "choice", "basis", "n"))
        parts = [_CSS, '<section class="dx-onepage">', f"<h2>{esc(text('30_next_course.op_title', lang))}</h2>"]
        for aud in self._audiences():
            f = self.onepage_frame(aud)
            body = "".join("<tr>" + "".join(f"<td>{esc(str(v))}</td>" for v in r) + "</tr>"
                           for r in f.itertuples(index=False))
            parts.append(f"<h3>{esc(label('audience', aud, lang))}</h3><table><thead><tr>{heads}</tr></thead>"
                         f"<tbody>{body}</tbody></table>")
        # the catalogue's inline code (a command line) stays code on the one page
        params = re.sub(r"`([^`]+)`", r"<code>\1</code>", esc(_plain(self.parameters_text())))
        parts.append(f"<p>{params}</p>")
        parts.append(f"<p>{esc(text('30_next_course.op_design', lang))}</p>")
        needed = self.needed_lines()
        if needed:
            parts.append(f"<p><b>{esc(text('30_next_course.op_needed', lang))}</b></p><ul>"
                         + "".join(f"<li>{esc(_plain(x))}</li>" for x in needed) + "</ul>")
        parts.append("</section>")
        return Markup("".join(parts))


def _whole(values):
    """Counts of answers or invitations as whole numbers (NA where unknown)."""
    v = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").astype(float)
    return pd.array(v.round().where(v.notna()), dtype="Int64")


def _plain(markup: str) -> str:
    """Catalogue Markdown back to plain text (for the one-page HTML, escaped again there)."""
    import re
    s = html.unescape(str(markup))
    s = re.sub(r"\\(.)", r"\1", s)
    return s.replace("**", "")


def _importance(spec: str) -> dict:
    """``"necessity:imp_nec, ownership:imp_own"`` (``=`` works too) -> ``{"necessity": "imp_nec", ...}``."""
    out = {}
    for part in str(spec or "").replace("、", ",").split(","):
        if not part.strip():
            continue
        measure, sep, item = part.replace("=", ":").partition(":")
        if not sep or not measure.strip() or not item.strip():
            raise ValueError(f"importance must list measure:item pairs separated by commas, such as "
                             f"'necessity:imp_nec, ownership:imp_own'; not {part.strip()!r}.")
        out[measure.strip()] = item.strip()
    return out


def build(ctx, *, format: str = "", style: str = "", instructor_type: str = "", hours: float = 0.0,
          sesoi: float = 0.3, n_focus: int = 2, importance: str = "") -> PlanReport:
    """Compute everything the planning report shows, once.

    ``format``, ``style``, ``instructor_type`` (codes; ``""`` = derive) and ``hours``
    (``0`` = derive) fix choices; the rest is re-derived with them (:func:`dxsurvey.plan.recommend`).
    ``importance`` pairs each construct (or item) with the scale item that asks how important
    it is (``"necessity:imp_nec, ownership:imp_own"``): the needs map is then importance x
    attainment, else post level x gain.  :func:`dxsurvey.stats.compare` runs once per
    audience x factor x construct (:func:`dxsurvey.plan.what_worked`), shared with the
    recommendation; the gain per hour is computed once and shared too.
    """
    from ..codebook import CodebookError
    lang = check_lang(ctx.language)
    study, min_cell = ctx.study, ctx.min_cell
    fixed = {k: v for k, v in (("instructor_type", instructor_type), ("format", format), ("style", style)) if v}
    if hours:
        fixed["hours"] = float(hours)
    ww = stats_plan.what_worked(study, sesoi=sesoi, min_cell=min_cell)
    nd = stats_plan.needs(study, sesoi=sesoi, min_cell=min_cell, importance=_importance(importance))
    gph = stats_plan.gain_per_hour(study)
    rec = stats_plan.recommend(study, ww=ww, nd=nd, gph=gph, sesoi=sesoi, fixed=fixed, n_focus=n_focus,
                               min_cell=min_cell)
    beh = stats_plan.behaviour(study, min_cell=min_cell)
    ideas_error = False
    try:
        ideas = stats_plan.load_ideas(study)
    except CodebookError:         # logged as an error row of study.validation by load_study
        ideas, ideas_error = None, True
    idea_tables = stats_plan.idea_summaries(ideas, study) if ideas is not None else {}
    needed = stats_plan.answers_needed(study, sesoi=sesoi, min_cell=min_cell)
    return PlanReport(study=study, lang=lang, min_cell=min_cell, sesoi=sesoi, fixed=fixed, ww=ww, nd=nd, rec=rec,
                      beh=beh, ideas=ideas, idea_tables=idea_tables, needed=needed, names=measure_labels(study),
                      gph=gph, ideas_error=ideas_error)
