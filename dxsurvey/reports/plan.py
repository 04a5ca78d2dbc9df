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
        key = "30_next_course.mde_equal" if row["n_a"] == row["n_b"] else "30_next_course.mde_pair"
        return Markup(text(key, self.lang, n=int(row["n_a"]), n_a=int(row["n_a"]), n_b=int(row["n_b"]),
                           level_a=escape_md(label(row["factor"], row["level_a"], self.lang)),
                           level_b=escape_md(label(row["factor"], row["level_b"], self.lang)),
                           mde=_d(row["mde_d"])))

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
            return Markup(text(key, lang, choice=escape_md(label(aspect, d["choice"], lang)),
                               versus=escape_md(label(aspect, d["versus"], lang)), basis=escape_md(self._name(d["basis"])),
                               diff=_d(d["diff"]), cls=escape_md(_cls(d["class"], lang)), n=d["n"],
                               n_courses=d["n_courses"], source=escape_md(src), **esc))
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
    def table_needs(self) -> ReportTable:
        nd = self.nd[self.nd["measure_type"] == "construct"]
        lang = self.lang
        frame = pd.DataFrame({
            "audience": [label("audience", a, lang) for a in nd["audience"]],
            "construct": [self._name(m) for m in nd["measure_id"]],
            "n_post": nd["n_post"].to_numpy(), "post_mean": nd["post_mean"].to_numpy(float),
            "post_ci_low": nd["post_ci_low"].to_numpy(float), "post_ci_high": nd["post_ci_high"].to_numpy(float),
            "gain": nd["gain"].to_numpy(float), "gain_ci_low": nd["gain_ci_low"].to_numpy(float),
            "gain_ci_high": nd["gain_ci_high"].to_numpy(float),
            "n_followup": pd.array(pd.to_numeric(nd["n_followup"], errors="coerce"), dtype="Int64"),
            "fallback": nd["fallback"].to_numpy(float),
            "fallback_class": [_cls(c, lang) if not isna(c) else DASH for c in nd["fallback_class"]],
            "quadrant": [label("quadrant", q, lang) for q in nd["quadrant"]],
        })
        return ReportTable(frame.reset_index(drop=True), "plan_needs", "30_next_course.cap_needs",
                           n_cols=("n_post", "n_followup"))

    def figure_needs(self):
        """Post level x gain (or importance x attainment) per audience, quadrant lines at the mean."""
        import matplotlib.pyplot as plt
        nd = self.nd[(self.nd["measure_type"] == "construct") & self.nd["post_mean"].notna()]
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
            "caution": [caution_text(v, lang) if not isna(v) and v else "" for v in c["caution"]],
        })

    def table_what_worked(self) -> ReportTable:
        return ReportTable(self.what_worked_frame(), "plan_what_worked", "30_next_course.cap_what_worked",
                           n_cols=("n_a", "n_b"), caption_args={"sesoi": fmt_num(self.sesoi, 2)})

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
        if self.ideas is None:
            return Markup(text("30_next_course.no_ideas", self.lang))
        lang = self.lang
        bc = self.idea_tables["by_channel"]
        reach = self.idea_tables["reach"].set_index("channel")
        lines = []
        for r in bc[bc["channel"] != "all"].sort_values("n_ideas").itertuples(index=False):
            rr = reach.loc[r.channel]
            lines.append(text("30_next_course.idea_channel", lang, channel=escape_md(r.channel), n=int(r.n_ideas),
                              sections=int(rr["n_sections_reached"])))
        tot = bc[bc["channel"] == "all"].iloc[0]
        ra = reach.loc["all"]
        out = "\n".join(f"- {x}" for x in lines)
        if not isna(ra["n_sections"]):
            out += "\n\n" + text("30_next_course.idea_reach", lang, reached=int(ra["n_sections_reached"]),
                                 total=int(ra["n_sections"]), share=fmt_pct(ra["share_reached"]))
        out += "\n\n" + text("30_next_course.idea_implemented", lang, k=int(tot["n_implemented"]),
                             n=int(tot["n_ideas"]), rate=fmt_pct(tot["implementation_rate"]),
                             lo=fmt_pct(tot["ci_low"]), hi=fmt_pct(tot["ci_high"]))
        if len(self.ideas.validation):
            out += "\n\n" + text("30_next_course.idea_problems", lang, n=len(self.ideas.validation))
        return Markup(out)

    def table_ideas_channel(self) -> ReportTable:
        bc = self.idea_tables["by_channel"].merge(
            self.idea_tables["reach"][["channel", "n_sections_reached", "n_sections"]], on="channel", how="left")
        bc = bc.drop(columns=["n_sections_x"]).rename(columns={
            "n_sections_y": "sections_all", "n_sections_reached": "sections_reached", "n_ideas": "ideas",
            "n_implemented": "implemented"})
        bc["channel"] = [text("30_next_course.all_channels", self.lang) if c == "all" else c for c in bc["channel"]]
        return ReportTable(bc, "plan_ideas_channel", "30_next_course.cap_ideas_channel", n_cols=())

    def table_ideas_month(self) -> ReportTable:
        m = self.idea_tables["by_channel_month"]
        wide = m.pivot(index="month", columns="channel", values="n_ideas").fillna(0).astype(int).reset_index()
        wide.columns.name = None
        return ReportTable(wide, "plan_ideas_month", "30_next_course.cap_ideas_month", n_cols=())

    def table_ideas_course(self) -> ReportTable:
        pc = self.idea_tables["per_course"].copy()
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
            "invite_followup": _whole(inv_fu),
        })

    def table_needed(self) -> ReportTable:
        return ReportTable(self.needed_frame(), "plan_answers_needed", "30_next_course.cap_needed",
                           n_cols=("n_pairs",), caption_args={"sesoi": fmt_num(self.sesoi, 2)})

    def design_text(self) -> Markup:
        """Waves, then-test, follow-up, and the answers needed in words (largest need per audience)."""
        lang = self.lang
        f = self.needed_frame()
        lines = []
        for aud in self.needed["audience"].unique():
            g = f[self.needed["audience"].to_numpy() == aud]
            if not len(g) or g["need_compare"].isna().all():
                continue
            r = g.sort_values("need_compare", ascending=False).iloc[0]
            lines.append(text("30_next_course.needed_line", lang, audience=escape_md(label("audience", aud, lang)),
                              n=int(r["need_compare"]), sesoi=fmt_num(self.sesoi, 2), construct=escape_md(r["construct"]),
                              rate=fmt_pct(r["rate"]), invite=fmt_num(r["invite_compare"], 0)
                              if not isna(r["invite_compare"]) else DASH))
        body = text("30_next_course.design", lang)
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
        from .. import privacy
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
                             basis=self._name(r["basis"]), diff=_d(r["diff"]), cls=_cls(r["class"], lang))
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


def build(ctx, *, format: str = "", style: str = "", instructor_type: str = "", hours: float = 0.0,
          sesoi: float = 0.3, n_focus: int = 2) -> PlanReport:
    """Compute everything the planning report shows, once.

    ``format``, ``style``, ``instructor_type`` (codes; ``""`` = derive) and ``hours``
    (``0`` = derive) fix choices; the rest is re-derived with them (:func:`dxsurvey.plan.recommend`).
    """
    lang = check_lang(ctx.language)
    study, min_cell = ctx.study, ctx.min_cell
    fixed = {k: v for k, v in (("instructor_type", instructor_type), ("format", format), ("style", style)) if v}
    if hours:
        fixed["hours"] = float(hours)
    ww = stats_plan.what_worked(study, sesoi=sesoi, min_cell=min_cell)
    nd = stats_plan.needs(study, sesoi=sesoi, min_cell=min_cell)
    rec = stats_plan.recommend(study, ww=ww, nd=nd, sesoi=sesoi, fixed=fixed, n_focus=n_focus, min_cell=min_cell)
    beh = stats_plan.behaviour(study, min_cell=min_cell)
    ideas = stats_plan.load_ideas(study)
    idea_tables = stats_plan.idea_summaries(ideas, study) if ideas is not None else {}
    needed = stats_plan.answers_needed(study, sesoi=sesoi, min_cell=min_cell)
    return PlanReport(study=study, lang=lang, min_cell=min_cell, sesoi=sesoi, fixed=fixed, ww=ww, nd=nd, rec=rec,
                      beh=beh, ideas=ideas, idea_tables=idea_tables, needed=needed, names=measure_labels(study))
