"""Issue 10, content of the course and research reports: words that say what happened, correctly.

Each test pins a defect of the code before this branch (see the comment above it) or a
sentence built from the numbers, on data where a wrong sentence would show.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from dxsurvey import stats
from dxsurvey.reports import common, course, research, summary
from statsdata import make_study

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def demo():
    from dxsurvey import load_study
    return load_study(ROOT / "data" / "demo")


def paired_study(n=30, *, gains=(0.8, 0.0), seed=1, waves=("pre", "post"), post_only=False, min_cell=5):
    """n people answering two constructs (a: gains[0], b: gains[1]) in ``waves``; with
    ``post_only`` an item ``sat`` answered after the course only."""
    rng = np.random.default_rng(seed)
    rows = []
    base = rng.normal(2.8, 0.6, size=(n, 2))
    for w_i, w in enumerate(waves):
        level = base + (np.array(gains) if w_i else 0) + rng.normal(0, 0.35, size=(n, 2))
        for k in range(n):
            r = {"course_id": "C1", "wave": w, "respondent_key": f"k{k}", "audience": "staff"}
            for c, name in enumerate(("a", "b")):
                for j in (1, 2):
                    r[f"{name}{j}"] = float(np.clip(np.round(level[k, c] + rng.normal(0, 0.3)), 1, 5))
            if post_only:
                r["sat"] = float(rng.integers(3, 6)) if w_i else np.nan
            rows.append(r)
    # sat has answers after the course only, without a `waves:` declaration (as in a real export)
    return make_study(pd.DataFrame(rows), constructs={"a": ("a1", "a2"), "b": ("b1", "b2")}, min_cell=min_cell)


# ---------------------------------------------------------------------- headers name their waves
def test_apa_table_headers_name_the_waves_they_hold():
    # before: the post->followup and pre->then tables were headed 事前 M (SD) / 事後 M (SD)
    st = paired_study(waves=("post", "followup"))
    t = common.apa_prepost_table(stats.prepost(st, waves=("post", "followup"), by=()), st, lang="ja")
    assert [c for c in t.columns if c in ("pre", "post", "followup", "then")] == ["post", "followup"]
    from dxsurvey.reports.catalog import column_label
    assert [column_label(c, "ja") for c in ("post", "followup", "then")] == [
        "事後 M (SD)", "追跡 M (SD)", "振り返り事前 M (SD)"]
    st = paired_study(waves=("pre", "then"))
    t = common.apa_prepost_table(stats.prepost(st, waves=("pre", "then"), by=()), st, lang="en")
    assert "then" in t.columns and "post" not in t.columns


# ---------------------------------------------------------------------- one wave: a level
def test_measure_with_one_wave_is_a_level_not_a_change():
    # before: "did not change from — (pre) to 3.09 (post) (difference —, n = 0 / 5820)"
    st = paired_study(post_only=True)
    pooled = stats.prepost(st, by=())
    sat = pooled[pooled["measure_id"] == "sat"]
    assert len(sat) and int(sat["n_a"].iloc[0]) == 0
    en = research.results_text(pooled, st, lang="en", measure_type="item")
    assert "sat was asked in the post wave only, so it is a level, not a change" in en
    assert "did not change" not in en and "sat did not" not in en
    ja = research.results_text(pooled, st, lang="ja", measure_type="item")
    assert "satは事後のみで尋ねたため、変化ではなく水準を示す" in ja and "変わらなかった" not in ja
    points = summary.key_points(pooled, st, lang="en")
    assert "asked in one wave only, so they are levels, not changes: sat (post) mean" in points


# ---------------------------------------------------------------------- cautions name their groups
def test_cautions_ignore_measures_asked_in_one_wave():
    # before: an n = 0 construct elsewhere put "All respondents: fewer than 10 ..." under a table of 30 pairs
    st = paired_study(post_only=True)
    pp = stats.prepost(st, by=())
    text_ = course.cautions(pp, st, lang="en")
    assert "fewer than" not in text_ and "few respondents" not in text_
    small = paired_study(n=7, post_only=True)
    text_ = course.cautions(stats.prepost(small), small, lang="en")
    assert "staff: few respondents (smallest group 7, under 10)" in text_
    assert "left out of the paired analysis" not in text_       # sat's post answers have no pre partner


# ---------------------------------------------------------------------- quotes
def quote_study(min_cell_text=3):
    st = make_study(pd.DataFrame({
        "course_id": ["C1"] * 8, "wave": ["pre"] * 4 + ["post"] * 4,
        "respondent_key": ["a", "b", "c", "d"] * 2, "q1": [3.0] * 8}), min_cell=3)
    st.codebook.items.append(type(st.codebook.items[0])(
        id="comment", column=("研修に期待すること", "ご意見・ご感想"), type="text", waves=("pre", "post")))
    st.codebook.min_cell_text = min_cell_text
    st.texts = pd.DataFrame({"submission_id": [1, 2, 3, 5, 6, 7, 8], "item_id": "comment",
                             "text": ["事例を知りたい", "事例を知りたい", "時間がない",
                                      "よかった", "よかった", "よかった", "長い"]})
    return st


def test_quotes_carry_their_wave_and_question_and_identical_texts_are_counted():
    # before: every quote was labelled 研修に期待すること (the pre question), repeated texts listed each time
    q = course.quotes(quote_study(), "C1", lang="ja")
    assert q.to_dict("records") == [
        {"wave": "事前", "item": "研修に期待すること", "text": "事例を知りたい", "count": 2},
        {"wave": "事前", "item": "研修に期待すること", "text": "時間がない", "count": 1},
        {"wave": "事後", "item": "ご意見・ご感想", "text": "よかった", "count": 3},
        {"wave": "事後", "item": "ご意見・ご感想", "text": "長い", "count": 1},
    ]
    # bounded: an equal share per wave and question, most frequent first
    assert course.quotes(quote_study(), "C1", limit=2)["text"].tolist() == ["事例を知りたい", "よかった"]
    # the wave's own people count: 3 wrote before, 4 after
    assert set(course.quotes(quote_study(min_cell_text=4), "C1", lang="en")["wave"]) == {"post"}
    note = course.quotes_note(quote_study(), "C1", "en")
    assert "7 free-text answers (4 different texts)" in note and "full list is in `tables/`" in note


# ---------------------------------------------------------------------- sections without data
def test_reliability_rows_for_waves_never_asked_are_left_out():
    rel = pd.DataFrame({"construct_id": ["a", "a"], "wave": ["pre", "post"], "n": [0, 30], "k": [2, 2],
                        "alpha": [np.nan, 0.8]})
    t = common.reliability_table(rel, paired_study(), lang="en")
    assert t["wave"].tolist() == ["post"]


class _Ctx:
    """What the section functions use of a Context: language, min_cell, study, md, figure."""

    def __init__(self, study, language="en"):
        self.study, self.language, self.min_cell = study, language, 5
        self.shown = []

    def md(self, key, **fmt):
        from dxsurvey.reports.catalog import text
        self.shown.append(("md", text(key, self.language, **fmt)))

    def t(self, key, **fmt):
        from dxsurvey.reports.catalog import text
        return text(key, self.language, **fmt)

    def figure(self, fig, name, caption=""):
        self.shown.append(("figure", name))


def test_sections_without_data_say_why_in_one_sentence():
    # before: heading, a "no data to show" figure, and an axis "Effect size (—)"
    st = paired_study()
    ctx = _Ctx(st)
    course.section_reaction(ctx, st)
    assert ctx.shown == [("md", ctx.t("section.no_reaction"))]
    one = paired_study(post_only=True)
    ctx = _Ctx(one)
    common.show_forest(ctx, stats.prepost(one, by=(), measures="items").query("measure_id == 'sat'"), "f", "report.cap_apa_items")
    assert ctx.shown == [("md", ctx.t("section.no_effects"))]
    ctx = _Ctx(st)
    common.show_forest(ctx, stats.prepost(st, by=()), "forest", "report.cap_apa_items")
    assert ctx.shown == [("figure", "forest")]


# ---------------------------------------------------------------------- key points
def test_size_words_follow_cohens_thresholds():
    assert [summary.size_word("cohen_dz", x) for x in (0.19, 0.2, 0.5, 0.79, 0.8, -1.3)] == [
        "negligible", "small", "medium", "medium", "large", "large"]
    assert [summary.size_word("rank_biserial", x) for x in (0.09, 0.1, 0.3, 0.5)] == [
        "negligible", "small", "medium", "large"]


def test_key_points_name_largest_gain_and_unclear_null_on_constructed_data():
    st = paired_study(n=40, gains=(0.9, 0.0))
    pooled = stats.prepost(st, by=())
    points = summary.key_point_sentences(pooled, st, lang="en")
    assert points[0].startswith("a rose markedly from")
    a = pooled[(pooled["measure_id"] == "a")].iloc[0]
    assert f"effect size d_z = {a['effect']:.2f}, large" in points[0]
    b = pooled[(pooled["measure_id"] == "b")].iloc[0]
    assert b["diff_ci_low"] < 0 < b["diff_ci_high"]
    assert points[1].startswith("For b a change could not be told apart from zero")
    assert "no change" not in " ".join(points) and "did not change" not in " ".join(points)
    # a decrease is a decrease
    down = stats.prepost(paired_study(n=40, gains=(-0.9, 0.0)), by=())
    points = summary.key_point_sentences(down, st, lang="ja")
    assert points[0].startswith("aは事前") and "大きく下がった" in points[0] and "上がった" not in points[0]


def test_key_points_say_for_whom_and_what_was_hidden():
    big = paired_study(n=30, gains=(0.9, 0.0))
    small = paired_study(n=3, gains=(0.2, 0.0), seed=3)
    st = make_study(pd.concat([_wide(big), _wide(small).assign(respondent_key=lambda d: "m" + d["respondent_key"],
                                                               audience="manager")]),
                    constructs={"a": ("a1", "a2"), "b": ("b1", "b2")}, min_cell=5)
    pooled, by_aud = stats.prepost(st, by=()), stats.prepost(st, by=("audience",))
    points = summary.key_point_sentences(pooled, st, by_group=by_aud, lang="en")
    assert "managers: fewer than 5 respondents, so the numbers are hidden to protect individuals." in points


def _wide(st):
    w = st.answers.pivot(index="submission_id", columns="item_id", values="value").reset_index()
    return (st.submissions[["submission_id", "course_id", "wave", "respondent_key", "audience"]]
            .merge(w, on="submission_id").drop(columns="submission_id"))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_demo_course_key_points_name_the_planted_effects(demo, lang):
    c = demo.course("C2024-01")
    points = summary.key_point_sentences(stats.prepost(c, by=()), c, by_group=stats.prepost(c), lang=lang)
    assert 3 <= len(points) + 1 <= 7
    necessity, stop_work = demo.codebook.constructs["necessity"].label, demo.codebook.constructs["stop_work"].label
    assert points[0].startswith(necessity)
    assert ("大きく上がった" if lang == "ja" else "rose markedly") in points[0]
    assert points[1].startswith(stop_work if lang == "ja" else f"For {stop_work}")
    assert ("変化があったとは言えない" if lang == "ja" else "could not be told apart from zero") in points[1]


def test_demo_research_abstract_and_key_points(demo):
    pooled = stats.prepost(demo, by=())
    points = summary.key_point_sentences(pooled, demo, by_group=stats.prepost(demo, by=("audience",)), lang="en")
    necessity, stop_work = demo.codebook.constructs["necessity"].label, demo.codebook.constructs["stop_work"].label
    assert points[0].startswith(necessity) and points[1].startswith(f"For {stop_work} a change could not be told")
    support = demo.codebook.constructs["support"].label
    assert any(p.startswith(f"By audience, {support} changed more for managers") for p in points)
    abstract = research.abstract(pooled, demo, "ja")
    assert "結論として、4個の構成概念のうち" in abstract and f"（{stop_work}）は変化があったとは言えなかった" in abstract


# ---------------------------------------------------------------------- glossary
def test_glossary_lists_exactly_the_symbols_used():
    st = paired_study()
    pp = stats.prepost(st, by=())
    used = summary.glossary_symbols(pp)
    assert {"t", "V", "d_z", "r_rb", "holm"} <= set(used) and not {"g", "W", "alpha"} & set(used)
    anon = make_study(_wide(st), constructs={"a": ("a1", "a2")}, keyed=False)
    used = summary.glossary_symbols(stats.prepost(anon, by=()))
    assert {"g", "W"} <= set(used) and not {"d_z", "V"} & set(used)
    text_ = summary.glossary(["d_z", "alpha"], "en")
    assert text_.startswith("## Glossary") and text_.count("\n- ") == 2


# ---------------------------------------------------------------------- research: text fits the study
def test_limitations_come_from_the_data():
    big = paired_study(n=60)
    text_ = research.limitations(big, stats.prepost(big), lang="en")
    assert "Courses are small" not in text_ and "every group of 30 or more" in text_
    assert "The 1 courses were not randomised" in text_
    small = paired_study(n=8)
    text_ = research.limitations(small, stats.prepost(small), lang="en")
    assert "the smallest group has 8 respondents" in text_
    anon = make_study(_wide(big), constructs={"a": ("a1", "a2")}, keyed=False)
    assert "could not be linked (C1)" in research.limitations(anon, stats.prepost(anon), lang="en")


def test_methods_list_every_scale_in_use():
    from dxsurvey.codebook import Scale
    st = paired_study(post_only=True)
    st.codebook.scales["agree4"] = Scale("agree4", {1: ("Disagree",), 2: ("Rather not",), 3: ("Rather",), 4: ("Agree",)})
    st.codebook.items[-1] = type(st.codebook.items[-1])(id="sat", column=("sat",), scale="agree4", waves=("post",))
    assert "4 levels from 'Disagree' to 'Agree' (1–4)" in research.methods(st, lang="en")


def test_research_title_comes_from_the_codebook():
    from dxsurvey.reports.catalog import text
    assert text("40_research_report.title", "en", survey="X") == "# Research report: X"


# ---------------------------------------------------------------------- every pair of waves
def test_later_changes_cover_every_pair_of_waves_with_data():
    rows = []
    rng = np.random.default_rng(5)
    for k in range(12):
        for w in ("pre", "post", "followup", "then"):
            rows.append({"course_id": "C1", "wave": w, "respondent_key": f"k{k}",
                         "a1": float(rng.integers(1, 6)), "a2": float(rng.integers(1, 6))})
    st = make_study(pd.DataFrame(rows), constructs={"a": ("a1", "a2")})
    got = [(lc.name, lc.pp["wave_a"].iloc[0], lc.pp["wave_b"].iloc[0]) for lc in course.later_changes(st, by=())]
    assert got == [("retention", "post", "followup"), ("lasting", "pre", "followup"),
                   ("response_shift", "pre", "then"), ("then_post", "then", "post"),
                   ("then_followup", "then", "followup")]


def test_change_table_has_top2_and_exact_p():
    st = paired_study()
    ct = course.change_table(stats.prepost(st, by=()), st, lang="en")
    row = ct[ct["label"] == "a"].iloc[0]
    pp = stats.prepost(st, by=())
    ref = pp[pp["measure_id"] == "a"].iloc[0]
    mantissa, exp = f"{ref['p_val']:.2e}".split("e")
    assert row["top2_a"] == ref["top2_a"] and row["p_exact"] == f"{mantissa}×10" + str(int(exp)).translate(
        str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    assert "e-" not in row["p_exact"]      # < .001 in the formatted column, the exact value here (not as code)


# ---------------------------------------------------------------------- effect intervals agree
def _nct_bound_by_bisection(t, df, p):
    """nc with P(T > t | nc) = 1 - p, by plain bisection on the survival function
    (written here independently of dxsurvey.stats.effects, which uses brentq on the cdf)."""
    from scipy.stats import nct
    lo, hi = t - 60.0, t + 60.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if nct.sf(t, df, mid) < 1 - p:      # sf rises with nc
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


@pytest.mark.parametrize("t, n", [(2.5, 20), (1.2, 5), (-1.87, 20), (6.87, 26)])
def test_noncentral_t_interval_of_d_z_matches_an_independent_inversion(t, n):
    from dxsurvey.stats.effects import noncentral_t_ci
    lo, hi = noncentral_t_ci(t, n - 1, np.sqrt(n), 0.95)
    assert lo[0] == pytest.approx(_nct_bound_by_bisection(t, n - 1, 0.975) / np.sqrt(n), abs=1e-6)
    assert hi[0] == pytest.approx(_nct_bound_by_bisection(t, n - 1, 0.025) / np.sqrt(n), abs=1e-6)


def test_noncentral_t_interval_at_large_df_where_scipy_gives_nan_in_the_tail():
    # the scale benchmark's pooled construct (t 41.83, 5,006 pairs): scipy's nct.cdf is NaN at
    # nc 0.19, which stopped brentq and failed 30_next_course; at this df the interval is the
    # normal one of d_z within 1e-4 (SE = sqrt(1/n + d^2 / (2n)))
    from dxsurvey.stats.effects import noncentral_t_ci
    t, n = 41.82580767397546, 5006
    lo, hi = noncentral_t_ci(t, n - 1, np.sqrt(n), 0.95)
    d = t / np.sqrt(n)
    se = np.sqrt(1 / n + d ** 2 / (2 * n))
    assert lo[0] == pytest.approx(d - 1.959964 * se, abs=1e-4)
    assert hi[0] == pytest.approx(d + 1.959964 * se, abs=1e-4)


def test_effect_interval_agrees_with_the_difference_interval_at_small_n():
    # before: C2024-03 managers (n = 5) difference 0.90 [-0.27, 2.07] beside d_z = 0.96 [0.31, 4.92]
    rng = np.random.default_rng(11)
    for seed in range(25):
        st = paired_study(n=int(rng.integers(5, 12)), gains=(0.4, 0.1), seed=seed)
        pp = stats.prepost(st, by=(), measures="constructs")
        for _, r in pp.iterrows():
            assert r["ci_method"] == "noncentral_t"
            diff_has_0 = r["diff_ci_low"] <= 0 <= r["diff_ci_high"]
            eff_has_0 = r["effect_ci_low"] <= 0 <= r["effect_ci_high"]
            assert diff_has_0 == eff_has_0
    anon = make_study(_wide(paired_study(n=6, seed=2)), constructs={"a": ("a1", "a2")}, keyed=False)
    r = stats.prepost(anon, by=(), measures="constructs").iloc[0]
    assert r["effect_type"] == "hedges_g" and r["effect_ci_low"] < r["effect"] < r["effect_ci_high"]


# ---------------------------------------------------------------------- up / same / down, SD of differences
def test_paired_counts_and_sd_of_differences_match_pandas():
    st = paired_study(n=25, gains=(0.5, 0.0), seed=4)
    pp = stats.prepost(st, by=())
    wide = _wide(st)
    pre = wide[wide["wave"] == "pre"].set_index("respondent_key")
    post = wide[wide["wave"] == "post"].set_index("respondent_key")
    for mid, cols in (("a1", ["a1"]), ("a", ["a1", "a2"]), ("b", ["b1", "b2"])):
        d = (post[cols].mean(axis=1) - pre[cols].mean(axis=1)).dropna()
        r = pp[pp["measure_id"] == mid].iloc[0]
        assert r["sd_diff"] == pytest.approx(d.std(ddof=1), rel=1e-12)
        assert (r["n_up"], r["n_same"], r["n_down"]) == ((d > 0).sum(), (d == 0).sum(), (d < 0).sum())
    anon = make_study(wide, constructs={"a": ("a1", "a2")}, keyed=False)
    r = stats.prepost(anon, by=()).iloc[0]
    assert np.isnan(r["sd_diff"]) and np.isnan(r["n_up"])          # independent groups: no pairs
    ct = course.change_table(pp, st, lang="ja", min_cell=5)
    assert {"sd_diff", "n_up", "n_same", "n_down"} <= set(ct.columns)
    split = ct[["n_up", "n_same", "n_down"]]
    raw = course.change_table(pp, st, lang="ja", min_cell=1)[["n_up", "n_same", "n_down"]]
    small = ((raw >= 1) & (raw < 5)).any(axis=1)
    assert small.any() and (~small).any()
    assert split[small].isna().all().all()                          # one small part hides all three
    assert (split[~small] == raw[~small]).all().all()


# ---------------------------------------------------------------------- behaviour, tools, department
def test_behaviour_tools_and_department_counted_per_audience_with_declared_counts(demo, tmp_path):
    c = demo.course("C2024-01")
    b = course.behaviour_counts(c, lang="en")
    subs = c.submissions.set_index("submission_id")
    a = c.answers[(c.answers["item_id"] == "proposal") & c.answers["value"].notna()]
    aud = subs.loc[a["submission_id"], "audience"].to_numpy()
    total = b[(b["item"] == demo.codebook.item("proposal").display) & (b["audience"] == "all")].iloc[0]
    assert (total["n"], total["count"]) == (len(a), int((pd.to_numeric(a["value"]) == 1).sum()))
    assert total["wave"] == "follow-up" and set(aud) == {"manager"}
    tools = course.choice_counts(c, lang="ja")
    ch = c.choices[c.choices["item_id"] == "tools"]
    rpa = tools[(tools["answer"] == "RPA") & (tools["audience"] == "全体")].iloc[0]
    assert (rpa["n"], rpa["count"]) == (ch["submission_id"].nunique(), int((ch["option"] == "RPA").sum()))
    dept = course.category_counts(c, lang="ja")
    pre = c.submissions[(c.submissions["wave"] == "pre") & c.submissions["dept"].notna()]
    assert dept.groupby("answer")["count"].max().to_dict() == pre["dept"].value_counts().to_dict()
    # through the one rule: small counts are hidden, the table declares n and count
    from dxsurvey.reports import Context
    ctx = Context.open(study=demo, out=tmp_path, language="en")
    shown = []
    ctx.table = lambda t, **kw: shown.append(t) or t
    ctx.md = lambda *a, **kw: None
    course.section_counts(ctx, c)
    assert [t.name for t in shown] == ["behaviour", "choices", "categories"]
    assert all(t.n_cols == ("n", "count") for t in shown)


def test_degenerate_rank_biserial_is_explained_not_shown_as_an_interval():
    # before: r_rb = -1.00 [-1.00, -1.00] without comment
    row = dict(course_id="C1", audience=pd.NA, measure_type="item", measure_id="a1", reverse=False,
               wave_a="pre", wave_b="post", design="paired", n_a=12, n_b=12, n_pairs=12, mean_a=3.0,
               mean_b=2.0, sd_a=0.5, sd_b=0.5, top2_a=0.3, top2_b=0.1, diff=-1.0, diff_ci_low=-1.3,
               diff_ci_high=-0.7, test="wilcoxon", statistic=0.0, p_val=0.001, p_adj=0.002,
               effect_type="rank_biserial", effect=-1.0, effect_ci_low=-1.0, effect_ci_high=-1.0)
    t = common.apa_prepost_table(pd.DataFrame([row]), paired_study(), lang="en", measure_type="item")
    assert t["effect"].iloc[0] == "r_rb = -1.00 (every pair changed in the same direction, so no interval)"


def test_caution_names_the_measures_hidden_when_a_group_is_partly_shown():
    # before: "managers: fewer than 5 respondents, so the numbers are not shown" above managers' shown rows
    st = paired_study(n=8)
    pp = stats.prepost(st, by=())
    pp.loc[pp["measure_id"] == "b1", ["n_a", "n_b", "n_pairs"]] = 3
    text_ = course.cautions(pp, st, lang="en", min_cell=5)
    assert "All respondents: b1: fewer than 5 respondents, so these numbers are not shown." in text_
    assert "All respondents: fewer than 5" not in text_


def test_quotes_section_shows_no_empty_table():
    st = quote_study(min_cell_text=9)
    ctx = _Ctx(st)
    tables = []
    ctx.table = lambda t, **kw: tables.append((t.name, kw.get("show", True)))
    course.section_quotes(ctx, "C1")
    assert tables == [] and "not shown" in ctx.shown[0][1]
    ctx = _Ctx(quote_study())
    ctx.table = lambda t, **kw: tables.append((t.name, kw.get("show", True)))
    course.section_quotes(ctx, "C1")
    assert tables == [("quotes", True), ("all_quotes", False)]


# ====================================================================== audit of issue 10 (branch words-audit)
def test_apa_change_table_leaves_out_a_measure_asked_in_one_wave():
    # before: the item table held a row "sat | 0 | — (—) | — (—) | V = — | r_rb = —" for a post-only item
    st = paired_study(post_only=True)
    pp = stats.prepost(st, by=())
    items = common.apa_prepost_table(pp, st, lang="en", measure_type="item")
    assert items["measure"].tolist() == ["a1", "a2", "b1", "b2"]
    assert "sat" not in " ".join(research.abstract(pp, st, "en").split("In conclusion")[1:])


def test_a_change_without_any_changed_pair_is_said_in_words():
    # before: "V = 0.00", p "—", "r_rb = —" without comment when no pair changed
    rows = []
    for k in range(12):
        rows.append(dict(course_id="C1", wave="pre", respondent_key=f"k{k}", q1=2.0, q2=3.0))
        rows.append(dict(course_id="C1", wave="post", respondent_key=f"k{k}", q1=4.0 if k % 3 else 3.0, q2=3.0))
    st = make_study(pd.DataFrame(rows), constructs={"a": ("q1", "q2")})
    t = common.apa_prepost_table(stats.prepost(st, by=()), st, lang="en", measure_type="item").set_index("measure")
    assert (t.loc["q2", "statistic"], t.loc["q2", "p"]) == ("—", "—")
    assert t.loc["q2", "effect"] == "all paired differences are zero"
    assert t.loc["q1", "statistic"] == "V = 78.00"          # a real statistic stays


def test_likert_rows_of_a_post_only_item_carry_its_name():
    # before: matplotlib dropped the item's name (a minor tick on the row's major tick): a row "post"
    st = paired_study(post_only=True)
    ax = common.likert_figure(st, waves=("pre", "post"), lang="en").axes[0]
    assert [t.get_text() for t in ax.get_yticklabels(minor=True)] == ["a1", "a2", "b1", "b2", "sat"]
    assert ax.get_yticks(minor=True)[-1] == ax.get_yticks()[-1]      # centred on its one row


def _freq_study(diverging=None):
    from dxsurvey.codebook import Scale
    st = paired_study()
    labels = ["Never", "Rarely", "Sometimes", "Often", "Always"]
    st.codebook.scales["freq5"] = Scale("freq5", {i + 1: (lab,) for i, lab in enumerate(labels)}, diverging=diverging)
    st.codebook.items = [type(it)(**{**it.__dict__, "scale": "freq5"}) if it.id.startswith("b") else it
                         for it in st.codebook.items]
    return st


def test_diverging_bars_only_for_scales_between_two_opposites():
    # before: a 6-level frequency scale and a 3-level knowledge item were centred like agree/disagree
    from dxsurvey.codebook import is_bipolar
    assert is_bipolar(["そう思わない", "あまりそう思わない", "どちらともいえない", "ややそう思う", "そう思う"])
    assert is_bipolar(["不満", "やや不満", "普通", "やや満足", "満足"]) and is_bipolar(["役立たない", "とても役立つ"])
    assert is_bipolar(["Strongly disagree", "Disagree", "Agree", "Strongly agree"])
    assert not is_bipolar(["Never", "Rarely", "Sometimes", "Often", "Very often", "Always"])
    assert not is_bipolar(["知らない", "聞いたことがある", "説明できる"]) and not is_bipolar(list("12345"))
    fig = common.likert_figure(_freq_study(), lang="en")
    agree, freq = fig.axes                                 # one panel per scale, codebook order
    assert min(p.get_x() for p in agree.patches) < 0 and agree.get_xlim() == (-100, 100)
    assert min(p.get_x() for p in freq.patches) >= 0 and freq.get_xlim() == (0, 100)
    # survey.yaml's `diverging:` decides over the labels
    forced = common.likert_figure(_freq_study(diverging=True), lang="en").axes[1]
    assert min(p.get_x() for p in forced.patches) < 0


def test_codebook_reads_diverging(tmp_path):
    from dxsurvey.codebook import CodebookError, _parse_scale
    assert _parse_scale("f", {"levels": {1: ["a"], 2: ["b"]}, "diverging": False}, tmp_path).bipolar is False
    assert _parse_scale("f", {"levels": {1: ["そう思わない"], 2: ["そう思う"]}}, tmp_path).bipolar is True
    with pytest.raises(CodebookError, match="true or false"):
        _parse_scale("f", {"levels": {1: ["a"], 2: ["b"]}, "diverging": "yes"}, tmp_path)


def test_methods_name_scales_in_words_not_ids():
    # before: "scales: agree5 (1–5), num5 (1–5) ..." (codes in prose)
    st = paired_study(post_only=True)
    from dxsurvey.codebook import Scale
    st.codebook.scales["sat4"] = Scale("sat4", {1: ("不満",), 2: ("やや不満",), 3: ("やや満足",), 4: ("満足",)})
    st.codebook.items[-1] = type(st.codebook.items[-1])(id="sat", column=("sat",), scale="sat4", waves=("post",))
    ja = research.methods(st, lang="ja")
    assert "「不満」〜「満足」の4段階（1–4）" in ja and "sat4" not in ja
    scale = st.codebook.scales[st.codebook.items[0].scale]
    assert research.scale_words(scale, "en") in research.methods(st, lang="en")
    assert scale.name not in research.methods(st, lang="en")


def test_parameters_table_shows_no_paths_or_code_names(demo):
    # before: "study ../../../data/demo", "out ..", "min_cell 5" (code names and a path)
    t = research.parameters_table(demo, lang="ja")
    assert t.to_dict("list") == {"name": ["調査", "レポートの言語", "集計を表示する最小人数", "自由記述を掲載する最小人数"],
                                 "value": [demo.codebook.survey, "日本語", "5", "10"]}
    assert research.parameters_table(demo, lang="en", min_cell=8)["value"].tolist()[1:3] == ["English", "8"]


def test_research_results_report_the_ancova_the_methods_name(demo):
    # before: the methods promised ANCOVA comparisons and the results held none
    terms = research.ancova_terms(demo, lang="en")
    got = {(r.construct, r.factor) for r in terms.itertuples() if r.p_val < 0.05}
    ownership, support = demo.codebook.constructs["ownership"].label, demo.codebook.constructs["support"].label
    assert (ownership, "Style") in got and (support, "Audience") in got       # planted: workshops, managers
    text_ = research.comparison_text(terms, "en")
    assert f"{ownership} by style (F = " in text_ and f"{support} by audience (F = " in text_
    one = paired_study()                                       # one course: nothing to compare
    assert research.comparison_text(research.ancova_terms(one, lang="ja"), "ja") == \
        research.text("research.no_ancova", "ja")


def _four_wave_study(n=30, seed=3):
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n):
        base = rng.normal(2.6, 0.5)
        level = {"pre": base, "post": base + 1.0, "followup": base + 0.3, "then": base - 0.8}
        for w, x in level.items():
            rows.append({"course_id": "C1", "wave": w, "respondent_key": f"k{k}",
                         **{f"a{j}": float(np.clip(np.round(x + rng.normal(0, 0.3)), 1, 5)) for j in (1, 2)}})
    return make_study(pd.DataFrame(rows), constructs={"a": ("a1", "a2")})


def test_discussion_says_what_fell_at_follow_up_and_the_response_shift():
    st = _four_wave_study()
    later = course.later_changes(st, by=(), lang="en")
    text_ = research.discussion(stats.prepost(st, by=()), st, lang="en", later=later)
    assert text_.startswith("In conclusion, of 1 constructs 1 rose after the course (a).")
    assert "From post to follow-up these constructs fell: a; rose: —" in text_
    assert "The retrospective pre-test was lower than the pre answer for: a" in text_
    assert text_.rstrip().endswith("cannot be attributed to the training alone.")


def test_sections_without_changes_or_answers_say_why_in_one_sentence():
    # before: an empty "(no data)" table and a heading above a figure reading "no data"
    st = paired_study(post_only=True)
    only_sat = st.course("C1")             # a course evaluation: one reaction item, after the course
    only_sat.answers = only_sat.answers[only_sat.answers["item_id"] == "sat"]
    only_sat.codebook.items[-1] = type(only_sat.codebook.items[-1])(**{**only_sat.codebook.items[-1].__dict__,
                                                                      "level": "reaction"})
    pp = stats.prepost(only_sat, by=())
    ctx = _Ctx(only_sat)
    ctx.table = lambda t, **kw: ctx.shown.append(("table", t.name))
    common.show_apa(ctx, pp, "change_items", measure_type="item")
    common.show_likert(ctx, "10_course_report.likert", "likert", "10_course_report.cap_likert",
                       waves=("pre", "post"), exclude_level="reaction")        # as the course report calls it
    assert ctx.shown == [("md", ctx.t("section.no_changes.item")), ("md", ctx.t("section.no_likert"))]
    ctx = _Ctx(st)
    ctx.table = lambda t, **kw: ctx.shown.append(("table", t.name))
    common.show_apa(ctx, stats.prepost(st, by=()), "change_items", measure_type="item")
    common.show_likert(ctx, "10_course_report.likert", "likert", "10_course_report.cap_likert", waves=("pre", "post"))
    assert ctx.shown == [("table", "change_items"), ("md", ctx.t("10_course_report.likert")), ("figure", "likert")]


def test_open_vocabulary_values_show_as_written_and_escaped_in_markdown():
    from dxsurvey.reports import format as F
    for lang in ("ja", "en"):
        assert [F.label(k, v, lang) for k, v in (("audience", "係長"), ("format", "対面"), ("style", "輪読会"))] == \
            ["係長", "対面", "輪読会"]
    assert F.label("audience", "manager", "en") == "managers"
    # a group named by such a value, in a sentence: escaped, not markup
    st = paired_study(n=7)
    pp = stats.prepost(st).assign(audience="*係長*<b>")
    text_ = course.cautions(pp, st, lang="ja")
    assert "\\*係長\\*&lt;b&gt;" in text_ and "<b>" not in text_


def test_readme_refers_only_to_documents_in_the_repository():
    # before: "DESIGN の「タイムスタンプ優先」", "DESIGN.md orders these the other way" (not in the repo)
    import re
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in re.findall(r"(?<![\w.])((?:[\w-]+/)*[A-Z][\w-]*\.md)\b", readme):      # README.md, data/demo/README.md
        assert (ROOT / name).is_file(), name
    assert not re.search(r"\b(DESIGN|STYLE|FORMATS)\b", readme)
    tops = ("tests/", "benchmarks/", "data/", "notebooks/", "dxsurvey/", ".ci/")
    for path in re.findall(r"(?<![\w/.])((?:%s)[\w./-]*)" % "|".join(map(re.escape, tops)), readme):
        path = path.rstrip(".")
        assert (ROOT / path).exists(), path


def test_research_reaction_reports_each_item_as_a_level(demo):
    # the methods' reaction (satisfaction, usefulness): mean, SD, n, top-2 share from the answers
    sat = demo.answers[(demo.answers["item_id"] == "satisfaction") & demo.answers["value"].notna()]
    v = pd.to_numeric(sat["value"])
    text_ = research.reaction_text(demo, lang="en")
    label_ = demo.codebook.item("satisfaction").display
    assert (f"{label_} (post): mean {v.mean():.2f} (SD {v.std(ddof=1):.2f}, n = {len(v)}, "
            f"top-2 share {100 * (v >= 4).mean():.0f}%)") in text_
    assert research.reaction_text(paired_study(), lang="en") == research.text("research.no_reaction", "en")
