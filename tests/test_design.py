"""Tangled factors and the course-level view (dxsurvey.stats.design), and their wording in the
comparison report (dxsurvey.reports.comparison): numbers checked by hand and against statsmodels."""
from __future__ import annotations

import html
import itertools

import numpy as np
import pandas as pd
import pytest

from dxsurvey.reports import comparison
from dxsurvey.stats import compare
from dxsurvey.stats.design import (COURSE_CHANGE_COLUMNS, PAIR_COLUMNS, course_changes, entanglement,
                                   factor_courses)
from tests.statsdata import make_study


@pytest.fixture(scope="module")
def demo_study():
    import dxsurvey
    from dxsurvey import pipeline
    return dxsurvey.load_study(pipeline.demo_study())


def _crossed_courses() -> pd.DataFrame:
    """Eight courses: instructor x format x style fully crossed, audience crossed with each pair."""
    rows = []
    for i, (ins, fmt, sty) in enumerate(itertools.product(["A", "B"], ["online", "in_person"],
                                                          ["lecture", "workshop"])):
        aud = "manager" if (i in (0, 3, 5, 6)) else "staff"
        rows.append((f"C{i}", ins, fmt, sty, aud))
    return pd.DataFrame(rows, columns=["course_id", "instructor", "format", "style", "audience"])


def test_crossed_courses_tangle_nothing():
    ent = entanglement(_crossed_courses())
    assert tuple(ent.pairs.columns) == PAIR_COLUMNS
    assert len(ent.pairs) == 6                       # every pair of the four factors
    assert np.allclose(ent.pairs["cramers_v"], 0.0)  # balanced: V = 0 by hand (equal cells)
    assert ent.confined.empty and ent.tangled.empty


def test_cramers_v_by_hand_and_confined_levels():
    # format x style over 4 courses: in_person {lecture 1, workshop 1}, online {lecture 2}
    # phi = (ad - bc) / sqrt(row1 row2 col1 col2) = (1*0 - 1*2) / sqrt(2*2*3*1) -> |phi| = V = 0.5774
    c = pd.DataFrame({"course_id": list("ABCD"), "format": ["online", "online", "in_person", "in_person"],
                      "style": ["lecture", "lecture", "workshop", "lecture"]})
    ent = entanglement(c, ("format", "style"))
    assert ent.pairs["cramers_v"].iloc[0] == pytest.approx(2 / np.sqrt(12), abs=1e-12)
    assert ent.pairs["code"].iloc[0] == "confined"
    # "lecture" spans 3 courses with both formats: not confined; in_person and workshop are single courses
    assert ent.confined.values.tolist() == [["format", "online", 2, "style", "lecture"]]
    # a level held by one course only is not "confined": nothing to say beyond aliasing
    one = entanglement(c.iloc[[0, 2]], ("format", "style"))
    assert one.confined.empty and one.pairs["code"].iloc[0] == "aliased"


def test_blank_factor_values_are_unknown_not_a_level():
    c = _crossed_courses()
    c["audience"] = pd.NA
    ent = entanglement(c)
    aud = ent.pairs[(ent.pairs["factor_b"] == "audience")]
    assert (aud["n_courses"] == 0).all() and aud["cramers_v"].isna().all() and (aud["code"] == "").all()


def test_demo_courses_tangle_format_style_instructor_audience(demo_study):
    """The README's promise: both online courses are lectures; 元自治体幹部 taught only managers;
    without C2024-04 the DX team's courses are both workshops."""
    st = demo_study
    comp = compare(st, construct="necessity")
    assert "C2024-04" not in comp.courses and len(comp.courses) == 7
    ent = entanglement(st.courses[st.courses["course_id"].isin(comp.courses)])
    conf = {tuple(r) for r in ent.confined[["factor", "level", "other", "other_level"]].values.tolist()}
    assert ("format", "online", "style", "lecture") in conf
    assert ("instructor", "元自治体幹部", "audience", "manager") in conf
    assert ("instructor", "DX推進担当", "style", "workshop") in conf
    tangled = {(a, b) for a, b in ent.tangled[["factor_a", "factor_b"]].values.tolist()}
    assert ("format", "style") in tangled and ("instructor", "audience") in tangled
    # with C2024-04 (DX team, hybrid lecture) back in, the DX team's courses are no longer all workshops
    allc = entanglement(st.courses)
    assert ("instructor", "DX推進担当", "style", "workshop") not in {
        tuple(r) for r in allc.confined[["factor", "level", "other", "other_level"]].values.tolist()}


def _linked_courses(seed=3, n=12):
    rng = np.random.default_rng(seed)
    rows = []
    gains = {"A": 0.2, "B": 1.0, "C": 0.5, "D": 0.0}
    for c, g in gains.items():
        for i in range(n):
            pre = int(rng.integers(1, 5))
            post = int(np.clip(round(pre + g + rng.normal(0, 0.8)), 1, 5))
            rows += [(c, "pre", f"{c}{i}", pre), (c, "post", f"{c}{i}", post)]
    return pd.DataFrame(rows, columns=["course_id", "wave", "respondent_key", "q1"])


def test_course_changes_equal_compare_ancova_with_one_level_per_course():
    """Independent path: compare()'s own HC3 ANCOVA (numpy sandwich, emmeans-style EMM) with each
    course its own instructor gives the same adjusted change and t interval as statsmodels' HC3 OLS."""
    study = make_study(_linked_courses(), constructs={"att": ("q1",)})
    study.courses["instructor"] = ["iA", "iB", "iC", "iD"]
    cc = course_changes(study, "att")
    assert tuple(cc.columns) == COURSE_CHANGE_COLUMNS and (cc["kind"] == "adjusted_change").all()
    comp = compare(study, construct="att", factors=("instructor",))
    lv = comp.levels[comp.levels["model"] == "ancova"].set_index("level")
    from dxsurvey.scoring import paired_frame
    xbar = paired_frame(study)["att_a"].mean()
    for r in cc.itertuples(index=False):
        ref = lv.loc[f"i{r.course_id}"]
        assert r.n == ref["n"] == 12
        assert r.estimate == pytest.approx(ref["estimate"] - xbar, abs=1e-9)
        assert r.ci_low == pytest.approx(ref["ci_low"] - xbar, abs=1e-9)
        assert r.ci_high == pytest.approx(ref["ci_high"] - xbar, abs=1e-9)
    # the planted order of gains comes back: B largest, D smallest
    assert cc.set_index("course_id")["estimate"].idxmax() == "B"


def test_course_changes_unlinked_is_mean_difference():
    wide = _linked_courses()
    study = make_study(wide.drop(columns="respondent_key"), constructs={"att": ("q1",)}, keyed=False)
    cc = course_changes(study, "att").set_index("course_id")
    for c, grp in wide.groupby("course_id"):
        diff = grp.loc[grp["wave"] == "post", "q1"].mean() - grp.loc[grp["wave"] == "pre", "q1"].mean()
        assert cc.loc[c, "estimate"] == pytest.approx(diff)
        assert cc.loc[c, "kind"] == "change" and cc.loc[c, "ci_low"] < diff < cc.loc[c, "ci_high"]


def test_factor_courses_counts_courses_per_level(demo_study):
    comp = compare(demo_study, construct="necessity")
    fc = factor_courses(comp.levels, "ancova").set_index("factor")
    # by hand from courses.csv without C2024-04: formats 3 in person, 2 online, 2 hybrid
    assert fc.loc["format", "n_courses"] == 7 and fc.loc["format", "min_level_courses"] == 2


# ---------------------------------------------------------------------- wording
def test_demo_comparison_names_the_entanglement_in_both_languages(demo_study):
    secs = comparison.comparison_sections(demo_study, lang="ja", constructs=["ownership"])
    ja = secs[0].entangled
    assert "形式「オンライン」の2講座はすべて研修スタイル「講義」" in ja
    assert "講師「元自治体幹部」の2講座はすべて対象「管理職」" in ja
    assert "講師「DX推進担当」の2講座はすべて研修スタイル「ワークショップ」" in ja
    assert "3講座以下の水準" in secs[0].rests_on and "オンライン 2講座" in secs[0].rests_on
    en = comparison.comparison_sections(demo_study, lang="en", constructs=["ownership"])[0]
    assert "the 2 courses with format 'online' all had style 'lecture'" in html.unescape(en.entangled)
    # the course-level view: one row per course of the model, with its factors
    assert en.courses["course_id"].tolist() == sorted(secs[0].comparison.courses)
    assert set(en.courses["format"]) == {"in person", "online", "hybrid"}


def test_untangled_courses_name_no_pair():
    ent = entanglement(_crossed_courses())
    ja = comparison.entanglement_text(ent, "ja")
    assert "結びついている要因の組はありません" in ja and "V =" not in ja
    assert "No pair of factors" in comparison.entanglement_text(ent, "en")


def test_terms_say_which_statistic():
    study = make_study(_linked_courses(), constructs={"att": ("q1",)})
    study.courses["format"] = ["online", "in_person", "online", "in_person"]
    comp = compare(study, construct="att", factors=("format",))
    by_model = comp.terms.groupby("model")["test"].agg(set).to_dict()
    assert by_model["ancova"] == by_model["gain"] == {"F"}   # OLS with HC3 errors: F tests
    assert by_model["mixed"] == {"chi2"}                      # course random intercept: Wald chi-square
    sec = comparison.comparison_sections(study, lang="ja", factors=("format",))[0]
    assert set(sec.terms["test"]) == {"F（HC3）", "Wald χ²"}
    glossary = comparison.glossary([sec], "ja")
    assert "Wald χ²" in glossary and "HC3" in glossary
    assert list(sec.terms.columns[:3]) == ["model", "term", "test"]


# ---------------------------------------------------------------------- key points
def _sections(study, lang="ja", **kw):
    return comparison.comparison_sections(study, lang=lang, **kw)


def test_key_points_follow_the_numbers():
    """Course B (in person) gains most; on data where online gained most the sentence names online."""
    wide = _linked_courses()
    study = make_study(wide, constructs={"att": ("q1",)})
    study.courses["format"] = ["online", "in_person", "online", "in_person"]   # B in person: +1.0
    secs = _sections(study, factors=("format",))
    kp = comparison.key_points(secs, study, "ja")
    gain = secs[0].comparison.levels.query("model == 'gain'").set_index("level")
    top = gain["estimate"].idxmax()
    assert top == "in_person"
    assert f"形式「対面」でした（推定値 {gain.loc[top, 'estimate']:.2f}" in kp
    assert "4講座の受講者" in kp and kp.count("\n- ") + 1 <= 6
    study.courses["format"] = ["in_person", "online", "in_person", "online"]
    kp2 = comparison.key_points(_sections(study, factors=("format",)), study, "ja")
    assert "形式「オンライン」でした" in kp2 and "形式「対面」でした" not in kp2


def test_key_points_say_could_not_tell_apart_never_no_difference():
    rng = np.random.default_rng(11)
    rows = []
    for c in "ABCD":              # the same planted gain everywhere: formats cannot be told apart
        for i in range(10):
            pre = int(rng.integers(2, 5))
            post = int(np.clip(pre + rng.integers(0, 2), 1, 5))
            rows += [(c, "pre", f"{c}{i}", pre), (c, "post", f"{c}{i}", post)]
    study = make_study(pd.DataFrame(rows, columns=["course_id", "wave", "respondent_key", "q1"]),
                       constructs={"att": ("q1",)})
    study.courses["format"] = ["online", "in_person", "in_person", "online"]
    study.courses["style"] = ["lecture", "lecture", "workshop", "workshop"]
    secs = _sections(study, factors=("format", "style"))
    con = secs[0].comparison.contrasts.query("model == 'ancova'")
    assert ((con["ci_low"] < 0) & (con["ci_high"] > 0)).all()      # the premise of the sentence
    ja = comparison.key_points(secs, study, "ja")
    en = html.unescape(comparison.key_points(_sections(study, "en", factors=("format", "style")), study, "en"))
    assert "区別できませんでした" in ja and "att（形式・研修スタイル）" in ja
    assert "could not tell the levels apart" in en and "no difference was" not in en
    assert "The courses tangle no pair of factors together." in en   # crossed 2 x 2 over courses


def test_post_only_with_blank_audience_never_says_adjusted_for_audience():
    rng = np.random.default_rng(5)
    rows = [(c, "post", None, int(rng.integers(1, 6))) for c in "ABCDEF" for _ in range(8)]
    study = make_study(pd.DataFrame(rows, columns=["course_id", "wave", "respondent_key", "q1"]),
                       constructs={"att": ("q1",)}, keyed=False)
    study.courses["instructor"] = ["X", "Y", "Z", "X", "Y", "Z"]
    comp = compare(study, construct="att")
    text = " ".join(comparison.note_text(c, p, "en") for c, p in zip(comp.notes["code"], comp.notes["params"]))
    assert "adjusted for audience" not in text and "blank for every course" in text
    assert comp.design == "post_only" and set(comp.terms["test"]) <= {"F", "chi2"}
    sec = _sections(study, "en")[0]
    assert sec.terms["test"].isin(["F (HC3)", "Wald χ²"]).all()


def test_demo_key_points_name_the_format_style_entanglement(demo_study):
    secs = comparison.comparison_sections(demo_study, lang="ja")
    kp = comparison.key_points(secs, demo_study, "ja")
    lines = kp.split("\n")
    assert 3 <= len(lines) <= 6
    assert "7講座の受講者" in lines[0]                       # C2024-04 has too few linked pairs
    assert "形式と研修スタイル" in kp and "講師と対象" in kp
    assert "区別できませんでした" in kp and "差がない" not in kp.replace("差がないことを示すものではありません", "")
    glossary = comparison.glossary(secs, "ja")
    assert "Cramér の V" in glossary and "推定値" in glossary


def test_entanglement_is_named_once_when_the_courses_are_the_same(demo_study):
    secs = comparison.comparison_sections(demo_study, lang="ja", constructs=["necessity", "ownership"])
    assert secs[0].comparison.courses == secs[1].comparison.courses
    assert "形式「オンライン」" in secs[0].entangled
    assert secs[1].entangled == "講座の組み立ては前の節と同じです（同じ講座、同じ要因の結びつき）。"
