"""Tests of dxsurvey.stats.compare.

Reference values come from R 4 (car, emmeans, sandwich, lme4, MASS) via
tests/reference/compare_reference.R on tests/reference/compare_answers.csv and
compare_courses.csv (made by compare_make_data.py); R's output is kept in
tests/reference/compare_reference.out.  emmeans writes contrasts as ``a - b``;
dxsurvey's ``diff`` is ``level_b - level_a``, so R's sign is flipped below.
"""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dxsurvey.stats.compare import (
    ALL_FACTORS, CONTRASTS_COLUMNS, DESIGNS, LEVELS_COLUMNS, MODELS, NOTE_KINDS, NOTES_COLUMNS, TERMS_COLUMNS,
    compare,
)
from dxsurvey.reports.comparison import note_text
from tests.statsdata import make_study

# the module (dxsurvey.stats re-exports the function under the same name)
cmp = importlib.import_module("dxsurvey.stats.compare")

REF = Path(__file__).parent / "reference"
Z95 = 1.959963984540054


def said(notes: pd.DataFrame, kind: str | None = None, lang: str = "ja") -> list[str]:
    """The notes (of ``kind``) as the report words them in ``lang``."""
    sub = notes if kind is None else notes[notes["kind"] == kind]
    return [note_text(c, p, lang) for c, p in zip(sub["code"], sub["params"])]


# ----------------------------------------------------------------------------- builders

def cmp_reference_study(keyed=True):
    """The R reference data: 8 courses, 3 instructors x 2 formats, items q1..q3 (q3 reverse)."""
    answers = pd.read_csv(REF / "compare_answers.csv")
    study = make_study(answers, reverse=("q3",), constructs={"score": ("q1", "q2", "q3")}, keyed=keyed)
    study.courses = pd.read_csv(REF / "compare_courses.csv")
    return study


def cmp_synthetic(courses: pd.DataFrame, n_per_course, *, seed=0, format_effect=0.0, course_sd=0.0,
                  noise=0.5, manager_share=0.5, items=3, keyed=True, duplicate_courses=None):
    """Linked pre/post answers on a 1..7 scale with a planted format effect (online +).

    courses: course_id plus factor columns.  n_per_course: int or dict course -> n.
    duplicate_courses: {course: copy_from} gives a course exactly the answers of another.
    """
    rng = np.random.default_rng(seed)
    rows, by_course = [], {}
    for c in courses.itertuples(index=False):
        cid = c.course_id
        if duplicate_courses and cid in duplicate_courses:
            src = by_course[duplicate_courses[cid]]
            rows += [(cid, w, k.replace(duplicate_courses[cid], cid), a, *q) for (_, w, k, a, *q) in src]
            continue
        n = n_per_course[cid] if isinstance(n_per_course, dict) else n_per_course
        u = rng.normal(0, course_sd)
        fmt = getattr(c, "format", None)
        block = []
        for r in range(n):
            ability = rng.normal(0, 0.7)
            aud = "manager" if r < round(manager_share * n) else "staff"
            for wave in ("pre", "post"):
                mu = 3.5 + ability + (wave == "post") * (0.6 + u + format_effect * (fmt == "online"))
                q = np.clip(np.rint(mu + rng.normal(0, noise, items)), 1, 7)
                block.append((cid, wave, f"{cid}-{r}", aud, *q))
        by_course[cid] = block
        rows += block
    cols = ["course_id", "wave", "respondent_key", "audience"] + [f"q{i + 1}" for i in range(items)]
    wide = pd.DataFrame(rows, columns=cols)
    scale = {f"q{i + 1}": "num7" for i in range(items)}
    study = make_study(wide, constructs={"att": tuple(scale)}, keyed=keyed)
    from dxsurvey.codebook import Scale
    study.codebook.scales["num7"] = Scale("num7", {v: (str(v),) for v in range(1, 8)})
    study.codebook.items = [type(it)(**{**it.__dict__, "scale": "num7"}) for it in study.codebook.items]
    study.courses = courses.copy()
    return study


def rows(frame, **where):
    mask = np.ones(len(frame), dtype=bool)
    for k, v in where.items():
        mask &= frame[k].to_numpy() == v
    return frame[mask]


def one(frame, **where):
    r = rows(frame, **where)
    assert len(r) == 1, (where, r)
    return r.iloc[0]


@pytest.fixture(scope="module")
def ref_if():
    """compare() on the reference data with instructor + format and the ordinal item q1."""
    return compare(cmp_reference_study(), construct="score", factors=("instructor", "format"), item="q1")


# ----------------------------------------------------------------------------- vocabulary

def test_result_columns_and_vocabularies(ref_if):
    assert tuple(ref_if.terms.columns) == TERMS_COLUMNS
    assert tuple(ref_if.levels.columns) == LEVELS_COLUMNS
    assert tuple(ref_if.contrasts.columns) == CONTRASTS_COLUMNS
    assert tuple(ref_if.notes.columns) == NOTES_COLUMNS
    assert ref_if.design in DESIGNS and ref_if.design == "linked"
    for frame in (ref_if.terms, ref_if.levels, ref_if.contrasts):
        assert set(frame["model"]) <= set(MODELS)
    assert set(ref_if.terms["model"]) == {"ancova", "gain", "mixed", "ordinal"}
    assert set(ref_if.notes["kind"]) <= set(NOTE_KINDS)
    for col in ("estimate", "ci_low", "ci_high"):
        assert ref_if.levels[col].dtype == float
    assert ref_if.terms["df"].dtype == np.int64
    # levels come in level order, never sorted by estimate or p-value
    inst = rows(ref_if.levels, model="ancova", factor="instructor")["level"].tolist()
    assert inst == sorted(inst)


# ----------------------------------------------------------------------------- ANCOVA vs R

def test_ancova_type2_hc3_matches_car(ref_if):
    # R: car::Anova(lm(post ~ pre + instructor + format), type=2, white.adjust="hc3")
    ref = {"pre": (1, 213.7019716450, 1.245019914e-27),
           "instructor": (2, 3.6976755955, 2.788381820e-02),
           "format": (1, 0.4470033923, 5.051494594e-01)}
    for term, (df, F, p) in ref.items():
        r = one(ref_if.terms, model="ancova", term=term)
        assert r.df == df
        assert r.statistic == pytest.approx(F, rel=1e-8)
        assert r.p_val == pytest.approx(p, rel=1e-6)


def test_ancova_emmeans_hc3_match_r(ref_if):
    # R: emmeans(fit, "format", vcov.=sandwich::vcovHC(fit, type="HC3")): emmean, lower.CL, upper.CL
    ref = {"in_person": (3.239574801, 3.06121603, 3.417933573),
           "online": (3.316386095, 3.17581686, 3.456955330),
           # R: emmeans(fit, "instructor", vcov.=vcovHC(fit, type="HC3"))
           "DX推進課": (3.328515541, 3.077705298, 3.579325785),
           "ベンダーA": (3.085506428, 2.909413632, 3.261599224),
           "元市職員": (3.419919375, 3.258184916, 3.581653833)}
    for level, (est, lo, hi) in ref.items():
        r = one(ref_if.levels, model="ancova", level=level)
        assert (r.estimate, r.ci_low, r.ci_high) == pytest.approx((est, lo, hi), abs=1e-8)
    assert one(ref_if.levels, model="ancova", level="in_person").n == 57   # R: 116 pairs in all
    assert rows(ref_if.levels, model="ancova", factor="format")["n"].sum() == 116
    assert one(ref_if.levels, model="ancova", level="DX推進課").n_courses == 2


def test_ancova_pairwise_contrasts_and_holm_match_r(ref_if):
    # R: pairs(emmeans(fit, "instructor", vcov.=HC3), adjust="none") (estimate = a - b) and
    #    adjust="holm" for p_adj
    ref = [("DX推進課", "ベンダーA", 0.24300911295, -0.05465048185, 0.54066870774, 0.10855479663, 0.21710959326),
           ("DX推進課", "元市職員", -0.09140383351, -0.39687520968, 0.21406754266, 0.55443486948, 0.55443486948),
           ("ベンダーA", "元市職員", -0.33441294645, -0.58509675087, -0.08372914204, 0.00939464767, 0.02818394301)]
    for a, b, est, lo, hi, p, p_holm in ref:
        r = one(ref_if.contrasts, model="ancova", level_a=a, level_b=b)
        assert r["diff"] == pytest.approx(-est, abs=1e-9)
        assert (r.ci_low, r.ci_high) == pytest.approx((-hi, -lo), abs=1e-8)
        assert r.p_val == pytest.approx(p, rel=1e-6)
        assert r.p_adj == pytest.approx(p_holm, rel=1e-6)
    # R: pairs(emmeans(fit, "format", vcov.=HC3)): in_person - online = -0.07681129318, p 0.5051494594
    r = one(ref_if.contrasts, model="ancova", factor="format")
    assert (r.level_a, r.level_b) == ("in_person", "online")
    assert r["diff"] == pytest.approx(0.07681129318, abs=1e-9)
    assert (r.ci_low, r.ci_high) == pytest.approx((-0.1508443264, 0.3044669128), abs=1e-8)
    assert r.p_val == pytest.approx(0.5051494594, rel=1e-6) and r.p_adj == r.p_val


def test_gain_model_matches_r(ref_if):
    # R: car::Anova(lm(I(post - pre) ~ instructor + format), type=2, white.adjust="hc3")
    assert one(ref_if.terms, model="gain", term="instructor").statistic == pytest.approx(2.7892336981, rel=1e-8)
    assert one(ref_if.terms, model="gain", term="format").p_val == pytest.approx(0.55587949344, rel=1e-6)
    assert rows(ref_if.terms, model="gain", term="pre").empty
    # R: emmeans(g, "format", vcov.=HC3): in_person 0.5188312902 [0.3321088132, 0.7055537672]
    r = one(ref_if.levels, model="gain", level="in_person")
    assert (r.estimate, r.ci_low, r.ci_high) == pytest.approx((0.5188312902, 0.3321088132, 0.7055537672), abs=1e-8)
    assert one(ref_if.levels, model="gain", level="online").estimate == pytest.approx(0.5887509014, abs=1e-8)
    assert "lord" in set(ref_if.notes["code"]) and any("Lord" in m for m in said(ref_if.notes))


def test_hc3_and_wald_agree_with_statsmodels():
    """Independent Python check: anova_lm(typ=2, robust="hc3") and OLS cov_type="HC3"."""
    import statsmodels.api as sm
    import statsmodels.formula.api as smf
    from statsmodels.stats.anova import anova_lm
    study = cmp_reference_study()
    res = compare(study, construct="score", factors=("instructor", "format"))
    from dxsurvey.scoring import paired_frame
    pf = paired_frame(study).merge(study.courses, on="course_id")
    pf = pf.rename(columns={"score_a": "pre", "score_b": "post"})
    fit = smf.ols("post ~ pre + C(instructor) + C(format)", data=pf).fit()
    table = anova_lm(fit, typ=2, robust="hc3")
    for term, label in (("pre", "pre"), ("C(instructor)", "instructor"), ("C(format)", "format")):
        assert one(res.terms, model="ancova", term=label).statistic == pytest.approx(table.loc[term, "F"], rel=1e-8)
    X = np.asarray(fit.model.exog)
    cov, lev1 = cmp._hc3(X, np.asarray(fit.resid))
    assert not lev1
    np.testing.assert_allclose(cov, sm.OLS(fit.model.endog, X).fit(cov_type="HC3").cov_params(), rtol=1e-10)


# ----------------------------------------------------------------------------- mixed model vs lme4

def test_mixed_model_matches_lmer():
    res = compare(cmp_reference_study(), construct="score", factors=("format",))
    # R: emmeans(lmer(post ~ pre + format + (1|course_id), REML=TRUE), "format") emmean
    assert one(res.levels, model="mixed", level="in_person").estimate == pytest.approx(3.263011437, abs=1e-5)
    assert one(res.levels, model="mixed", level="online").estimate == pytest.approx(3.271422854, abs=1e-5)
    c = one(res.contrasts, model="mixed", factor="format")
    # R: fixef(mm)["formatonline"] 0.00841141694, SE sqrt(diag(vcov(mm))) 0.19627230665
    assert c["diff"] == pytest.approx(0.00841141694, abs=1e-5)
    assert (c.ci_high - c.ci_low) / (2 * Z95) == pytest.approx(0.19627230665, rel=2e-3)
    # R: VarCorr(mm): course_id (Intercept) 0.056943213, Residual 0.289449711 -> ICC 0.16
    msg = " ".join(said(res.notes, "design"))
    assert "0.0569" in msg and "0.16" in msg
    assert not (res.notes["kind"] == "fallback").any()


def test_mixed_falls_back_when_course_variance_is_zero():
    # two pairs of identical courses: course means within a format do not vary at all
    courses = pd.DataFrame({"course_id": ["A1", "A2", "B1", "B2"],
                            "format": ["in_person", "in_person", "online", "online"]})
    study = cmp_synthetic(courses, 12, seed=3, duplicate_courses={"A2": "A1", "B2": "B1"})
    res = compare(study, construct="att", factors=("format",))
    assert "mixed" not in set(res.terms["model"]) and "mixed" not in set(res.levels["model"])
    assert {"ancova", "gain"} <= set(res.levels["model"])
    fb = said(res.notes, "fallback")
    assert len(fb) == 1 and "講座間分散がほぼ0" in fb[0] and "ANCOVA" in fb[0]
    assert rows(res.notes, kind="fallback")["params"].iloc[0]["why"] == "zero_var"


def test_mixed_not_fitted_when_not_identifiable():
    # two courses, one per format: audience spans courses but the course variance has no df left
    courses = pd.DataFrame({"course_id": ["A1", "B1"], "format": ["in_person", "online"]})
    study = cmp_synthetic(courses, 20, seed=4, course_sd=0.3)
    res = compare(study, construct="att", factors=("format", "audience"))
    assert "mixed" not in set(res.terms["model"])
    fb = said(res.notes, "fallback", "en")
    assert len(fb) == 1 and "cannot be identified" in fb[0]


# ----------------------------------------------------------------------------- ordinal vs MASS::polr

def test_ordinal_check_matches_polr(ref_if):
    # R: polr(factor(q1_post) ~ q1_pre + instructor + format, method="logistic"):
    #    coef / SE: q1_pre 1.1924588939 / 0.2069958200, formatonline 0.2006903262 / 0.3651759746
    pre = one(ref_if.terms, model="ordinal", term="pre")
    assert pre.df == 1 and pre.statistic == pytest.approx((1.1924588939 / 0.2069958200) ** 2, rel=2e-3)
    fmt = one(ref_if.terms, model="ordinal", term="format")
    assert fmt.statistic == pytest.approx((0.2006903262 / 0.3651759746) ** 2, rel=5e-3)
    assert one(ref_if.terms, model="ordinal", term="instructor").df == 2
    notes = said(ref_if.notes, "ordinal")
    assert len(notes) == 2
    # R polr: instructorベンダーA -0.1705, instructor元市職員 +1.1519, formatonline +0.2007
    assert any("ベンダーA（基準: DX推進課）-0.17" in m and "元市職員（基準: DX推進課）+1.15" in m and "と一致" in m
               for m in notes)
    assert any("オンライン（基準: 対面）+0.20" in m for m in notes)
    assert any("online vs in person +0.20" in m for m in said(ref_if.notes, "ordinal", "en"))


# ----------------------------------------------------------------------------- unlinked vs R

def test_unlinked_wave_x_factor_matches_r():
    res = compare(cmp_reference_study(keyed=False), construct="score", factors=("instructor", "format"))
    assert res.design == "unlinked"
    assert set(res.terms["model"]) == {"wave_x_factor"}
    # R: car::Anova(lm(score ~ wave * (instructor + format)), type=2, white.adjust="hc3")
    t = one(res.terms, term="wave:instructor")
    assert (t.df, t.statistic, t.p_val) == pytest.approx((2, 0.78146707747, 4.588951502e-01), rel=1e-7)
    assert one(res.terms, term="wave:format").statistic == pytest.approx(0.02242517192, rel=1e-7)
    # R: pairs(emmeans(u, ~ wave | format, vcov.=HC3), reverse=TRUE): post - pre per level
    ref = {"in_person": (0.5156048563, 0.1856220212, 0.8455876915),
           "online": (0.5518634601, 0.2143946683, 0.8893322518),
           "DX推進課": (0.5729166667, 0.08870032951, 1.0571330038),
           "元市職員": (0.6787733530, 0.27790643153, 1.0796402745)}
    for level, vals in ref.items():
        r = one(res.levels, level=level)
        assert (r.estimate, r.ci_low, r.ci_high) == pytest.approx(vals, abs=1e-8)
    c = one(res.contrasts, factor="format")
    assert c["diff"] == pytest.approx(0.5518634601 - 0.5156048563, abs=1e-9)
    assert c.p_val == pytest.approx(0.8810873377, rel=1e-6)   # = the 1-df interaction test


# ----------------------------------------------------------------------------- aliasing, constants

def nested_study():
    study = cmp_reference_study()
    c = study.courses.copy()
    c["format"] = c["instructor"].map({"元市職員": "in_person", "ベンダーA": "online", "DX推進課": "online"})
    study.courses = c
    return study


def test_aliased_factor_is_named_and_left_out():
    res = compare(nested_study(), construct="score", factors=("instructor", "format"))
    al = said(res.notes, "aliased")
    assert len(al) == 1
    assert "講師「ベンダーA」はオンラインのみで実施" in al[0]
    assert "講師「元市職員」は対面のみで実施" in al[0]
    assert "講師と形式の効果を分離できません" in al[0] and "形式を除いたモデル" in al[0]
    for frame in (res.terms, res.levels, res.contrasts):
        assert "format" not in set(frame.get("term", frame.get("factor")))
    assert set(rows(res.levels, model="ancova")["factor"]) == {"instructor"}


def test_aliased_note_in_english_and_order_decides_what_is_kept():
    res = compare(nested_study(), construct="score", factors=("format", "instructor"))
    al = said(res.notes, "aliased", "en")
    assert len(al) == 1
    assert "Instructor 'ベンダーA' only taught online" in al[0]
    assert "instructor and format effects cannot be separated" in al[0]
    assert "leaves out instructor" in al[0]
    # format listed first -> format kept; ベンダーA and DX推進課 share online so instructor is aliased
    assert set(rows(res.levels, model="ancova")["factor"]) == {"format"}


def test_partial_confounding_is_not_aliasing(ref_if):
    """Every instructor taught both formats in the reference data: no aliased note."""
    assert not (ref_if.notes["kind"] == "aliased").any()


def test_constant_and_unknown_factors_are_noted():
    study = cmp_reference_study()
    c = study.courses.copy()
    c["style"] = "lecture"
    c.loc[c["course_id"] == "K08", "instructor"] = np.nan
    study.courses = c
    res = compare(study, construct="score", factors=("instructor", "format", "style"))
    const = said(res.notes, "constant", "en")
    assert const == ["Every response has style 'lecture': style cannot be compared and is left out."]
    design = "|".join(said(res.notes, "design", "en"))
    assert "unknown instructor (courses: K08)" in design
    n_k08 = ((study.submissions["course_id"] == "K08") & (study.submissions["wave"] == "post")).sum() - 1
    assert rows(res.levels, model="ancova", factor="format")["n"].sum() == 116 - n_k08
    assert "style" not in set(res.levels["factor"])


# ----------------------------------------------------------------------------- small n

def test_small_levels_hidden_and_shrunk(monkeypatch):
    courses = pd.DataFrame({"course_id": ["C1", "C2", "C3", "C4", "C5"],
                            "instructor": ["P", "P", "Q", "Q", "R"],
                            "format": ["online", "in_person", "online", "in_person", "online"]})
    n = {"C1": 20, "C2": 20, "C3": 20, "C4": 20, "C5": 7}
    study = cmp_synthetic(courses, n, seed=5, manager_share=0.1, course_sd=0.2)
    # managers: round(0.1 * 20) = 2 per large course + 1 in C5 = 9 -> shrunk; restrict to 3 -> hidden
    res = compare(study, construct="att", factors=("instructor", "audience"))
    r = one(res.levels, model="ancova", factor="instructor", level="R")
    assert r.n == 7 and np.isfinite(r.estimate)
    m = one(res.levels, model="ancova", factor="audience", level="manager")
    assert m.n == 9
    monkeypatch.setattr(cmp, "SMALL_N", 0)
    raw = compare(study, construct="att", factors=("instructor", "audience"))
    raw_r = one(raw.levels, model="ancova", factor="instructor", level="R")
    grand = rows(raw.levels, model="ancova", factor="instructor")["estimate"].mean()
    # shrunk estimate lies between the unshrunk one and the grand mean
    assert min(raw_r.estimate, grand) <= r.estimate <= max(raw_r.estimate, grand)
    assert r.estimate != pytest.approx(raw_r.estimate, abs=1e-6) or raw_r.estimate == pytest.approx(grand)
    big = one(res.levels, model="ancova", factor="instructor", level="P")
    assert big.estimate == pytest.approx(one(raw.levels, model="ancova", factor="instructor", level="P").estimate)
    small = said(res.notes, "small_n")
    assert any("講師「R」は n=7" in s and "縮小" in s for s in small)

    hidden = compare(study, construct="att", factors=("instructor", "audience"), min_cell=7)
    # min_cell 7: C5 (7 pairs) stays linked, managers (n=9) shown; with min_cell 10 R is hidden
    assert np.isfinite(one(hidden.levels, model="ancova", level="manager").estimate)
    res10 = compare(study, construct="att", factors=("instructor", "audience"), min_cell=10)
    assert "C5" in "".join(said(res10.notes, "design"))
    m10 = one(res10.levels, model="ancova", level="manager")
    assert m10.n == 8 and np.isnan(m10.estimate) and np.isnan(m10.ci_low)
    c10 = one(res10.contrasts, model="ancova", factor="audience")
    assert np.isnan(c10["diff"]) and np.isnan(c10.p_adj)
    assert any("対象「管理職」は回答者が 10 人未満" in s for s in said(res10.notes))
    assert not any("n=8" in s for s in said(res10.notes)), "a hidden level does not state its n"
    assert not any(p.get("n") == 8 for p in res10.notes["params"]), "nor carries it"


# ----------------------------------------------------------------------------- planted effect

def test_planted_format_effect_is_recovered():
    ids = [f"C{i:02d}" for i in range(12)]
    courses = pd.DataFrame({"course_id": ids,
                            "instructor": ["P", "Q", "R"] * 4,
                            "format": ["online", "online", "in_person", "in_person"] * 3})
    # (30 seeds of this design: mean ANCOVA diff 0.4995, 29/30 CIs cover 0.5)
    study = cmp_synthetic(courses, 25, seed=12, format_effect=0.5, course_sd=0.15, noise=0.4)
    res = compare(study, construct="att", factors=("instructor", "format"))
    for model in ("ancova", "gain", "mixed"):
        c = one(res.contrasts, model=model, factor="format")
        assert (c.level_a, c.level_b) == ("in_person", "online")
        assert c.ci_low < 0.5 < c.ci_high and c.ci_low > 0
    # the course random intercept widens the interval (courses, not people, got the format)
    widths = {m: one(res.contrasts, model=m, factor="format").pipe(lambda r: r.ci_high - r.ci_low)
              for m in ("ancova", "mixed")}
    assert widths["mixed"] > widths["ancova"]
    assert not (res.notes["kind"] == "aliased").any()


# ----------------------------------------------------------------------------- post-only

def test_post_only_design_adjusts_for_audience():
    import statsmodels.formula.api as smf
    courses = pd.DataFrame({"course_id": ["A", "B", "C"], "format": ["online", "in_person", "online"]})
    study = cmp_synthetic(courses, 15, seed=7, format_effect=0.5)
    res = compare(study, construct="att", factors=("format", "audience"), waves=("post",))
    assert res.design == "post_only"
    # format in_person is one course -> no level of... online spans A and C -> mixed tried;
    # either way the model is post_only, and the terms include audience
    assert set(res.terms["model"]) == {"post_only"} and set(res.terms["term"]) == {"format", "audience"}
    if (res.notes["kind"] == "fallback").any():
        from dxsurvey.scoring import construct_scores
        post = construct_scores(study).query("wave == 'post'").merge(courses, on="course_id")
        fit = smf.ols("att ~ C(format) + C(audience)", data=post).fit()
        grid = pd.DataFrame({"format": ["online"] * 2, "audience": ["manager", "staff"]})
        assert one(res.levels, level="online").estimate == pytest.approx(fit.predict(grid).mean())
    assert one(res.levels, level="online").n_courses == 2


def test_post_only_courses_beside_linked_models():
    courses = pd.DataFrame({"course_id": ["A", "B", "C", "D"],
                            "format": ["online", "in_person", "online", "in_person"]})
    study = cmp_synthetic(courses, 12, seed=8)
    drop = (study.submissions["course_id"] == "D") & (study.submissions["wave"] == "pre")
    keep_ids = study.submissions.loc[~drop, "submission_id"]
    study.submissions = study.submissions[~drop].reset_index(drop=True)
    study.answers = study.answers[study.answers["submission_id"].isin(keep_ids)].reset_index(drop=True)
    res = compare(study, construct="att", factors=("format",))
    assert res.design == "linked"
    assert {"ancova", "post_only"} <= set(res.levels["model"])
    assert rows(res.levels, model="ancova")["n_courses"].sum() == 3
    assert rows(res.levels, model="post_only")["n_courses"].sum() == 4
    assert any(c == "post_only_courses" and p["courses"] == ("D",) for c, p in zip(res.notes["code"], res.notes["params"]))
    assert any("（D）" in m and "事後のみの比較" in m for m in said(res.notes))


# ----------------------------------------------------------------------------- arguments

@pytest.mark.parametrize("kwargs, word", [
    ({"construct": "nope"}, "construct must be one of score"),
    ({"construct": "score", "factors": ("teacher",)}, "factors must be distinct values of instructor"),
    ({"construct": "score", "factors": ()}, "factors"),
    ({"construct": "score", "waves": ("pre", "later")}, "waves must be"),
    ({"construct": "score", "waves": ("pre", "pre")}, "waves must be"),
    ({"construct": "score", "confidence": 95}, "confidence"),
    ({"construct": "score", "min_cell": 0}, "min_cell"),
    ({"construct": "score", "item": "score"}, "item must be one of the scale items q1, q2, q3"),
])
def test_bad_arguments_raise_valueerror(kwargs, word):
    with pytest.raises(ValueError, match=word):
        compare(cmp_reference_study(), **kwargs)


def test_post_only_ordinal_check_has_no_pre_term():
    res = compare(cmp_reference_study(), construct="score", waves=("post",), item="q1",
                  factors=("instructor", "format"))
    ordinal = rows(res.terms, model="ordinal")
    assert set(ordinal["term"]) == {"instructor", "format"}
    assert (ordinal["p_val"].between(0, 1)).all()
    assert any("post ~ instructor + format" in m for m in said(res.notes, "ordinal", "en"))


def test_unlinked_ordinal_is_skipped_with_a_note():
    res = compare(cmp_reference_study(keyed=False), construct="score", factors=("format",), item="q1")
    assert "ordinal" not in set(res.terms["model"])
    assert list(res.notes.loc[res.notes["kind"] == "ordinal", "code"]) == ["ordinal_skip"]
    assert all("q1" in m for m in said(res.notes, "ordinal"))


def test_no_scores_gives_empty_frames_and_a_note():
    study = cmp_reference_study()
    study.answers = study.answers.assign(value=pd.array([pd.NA] * len(study.answers), dtype="Int64"))
    res = compare(study, construct="score")
    assert res.terms.empty and res.levels.empty and res.contrasts.empty
    assert tuple(res.levels.columns) == LEVELS_COLUMNS
    assert res.notes["code"].tolist() == ["no_scores"] and res.notes["params"].iloc[0] == {"construct": "score"}
    assert said(res.notes) == ["「score」の得点がある回答がないため、比較できません。"]
    assert note_text("no_scores", {"construct": "score"}, "ja", {"score": "主体性"}) == \
        "「主体性」の得点がある回答がないため、比較できません。"


def test_unlinked_level_in_one_wave_only_is_left_out():
    study = cmp_reference_study(keyed=False)
    subs = study.submissions
    # every manager answered only after the course (wave post), so their change is unknown
    study.submissions = subs.assign(audience=np.where(subs["wave"] == "pre", "staff", subs["audience"]))
    res = compare(study, construct="score", factors=("format", "audience"))
    assert set(res.terms["term"]) == {"wave:format"}
    al = said(res.notes, "aliased", "en")
    assert al == ["Some audience levels were surveyed in one wave only: the change by audience cannot be "
                  "estimated and audience is left out."]


def test_constant_pre_scores_fit_ancova_without_the_covariate():
    # a baseline nobody could answer yet ("I can build an RPA flow": all 1 before the course):
    # the pre covariate is collinear with the intercept; compare() raised LinAlgError in HC3
    courses = pd.DataFrame({"course_id": ["A", "B", "C", "D"], "instructor": ["X", "Y", "X", "Y"],
                            "format": ["online", "online", "in_person", "in_person"]})
    study = cmp_synthetic(courses, 8, seed=1, format_effect=0.5)
    pre_ids = study.submissions.loc[study.submissions["wave"] == "pre", "submission_id"]
    study.answers.loc[study.answers["submission_id"].isin(pre_ids), "value"] = 1
    res = compare(study, construct="att", factors=("instructor", "format"))
    assert res.design == "linked"
    assert "pre" not in set(res.terms["term"]) and not (res.notes["kind"] == "aliased").any()
    assert any("same pre score (1)" in m for m in said(res.notes, lang="en"))
    # post ~ factors and (post - 1) ~ factors have the same contrasts
    anc, gain = rows(res.contrasts, model="ancova"), rows(res.contrasts, model="gain")
    np.testing.assert_allclose(anc["diff"], gain["diff"], atol=1e-10)
    np.testing.assert_allclose(anc["p_val"], gain["p_val"], rtol=1e-8)
    assert rows(res.levels, model="ancova", factor="format")["estimate"].notna().all()


def test_ordinal_check_with_constant_pre_item_is_not_called_aliasing():
    # everyone answered q1 = 1 before the course: the ordinal check claimed "Instructor is
    # determined by the combination of : ..." for every factor and then failed
    courses = pd.DataFrame({"course_id": ["A", "B", "C", "D"], "instructor": ["X", "Y", "X", "Y"],
                            "format": ["online", "online", "in_person", "in_person"]})
    study = cmp_synthetic(courses, 8, seed=1, format_effect=0.5)
    pre_ids = study.submissions.loc[study.submissions["wave"] == "pre", "submission_id"]
    study.answers.loc[study.answers["submission_id"].isin(pre_ids) & (study.answers["item_id"] == "q1"),
                      "value"] = 1
    res = compare(study, construct="att", factors=("instructor", "format"), item="q1")
    assert not (res.notes["kind"] == "aliased").any()
    ordinal = rows(res.terms, model="ordinal")
    assert set(ordinal["term"]) == {"instructor", "format"} and ordinal["p_val"].between(0, 1).all()
    assert any("post ~ instructor + format" in m for m in said(res.notes, "ordinal", "en"))


@pytest.mark.parametrize("factors, adjusted", [(("format", "audience"), True), (("format",), False),
                                               (("audience",), False)])
def test_no_prepost_note_says_audience_adjusted_only_when_it_is(factors, adjusted):
    """Two waves asked, but no course has both: the post-only note names the audience
    adjustment only when audience is a factor beside others."""
    courses = pd.DataFrame({"course_id": ["A", "B", "C", "D"],
                            "format": ["online", "in_person", "online", "in_person"]})
    study = cmp_synthetic(courses, 12, seed=8)
    drop = study.submissions["wave"] == np.where(study.submissions["course_id"].isin(["A", "B"]), "pre", "post")
    keep_ids = study.submissions.loc[~drop, "submission_id"]
    study.submissions = study.submissions[~drop].reset_index(drop=True)
    study.answers = study.answers[study.answers["submission_id"].isin(keep_ids)].reset_index(drop=True)
    res = compare(study, construct="att", factors=factors)
    for lang, words in (("ja", "対象で調整"), ("en", "adjusted for audience")):
        design = " ".join(said(res.notes, "design", lang))
        assert ("post" in design or "事後" in design), design
        assert (words in design) == adjusted, design


def test_a_factor_not_estimable_alone_is_named_without_partners():
    """A factor whose dummies are collinear with the covariate itself (no earlier factor to
    blame) gets its own note, not "determined by the combination of (nothing)"."""
    from dxsurvey.stats.compare import _Notes, _resolve_aliasing
    frame = pd.DataFrame({"instructor": ["a", "a", "b", "b"], "x": [0.0, 0.0, 1.0, 1.0],
                          "y": [1.0, 2.0, 3.0, 4.0]})
    notes = _Notes()
    kept = _resolve_aliasing(frame, {"instructor": ["a", "b"]}, covariate=True, notes=notes)
    assert kept == {}
    assert notes.rows == [("aliased", "alias_none", {"factor": "instructor"})]
    for lang, words in (("en", "cannot be estimated"), ("ja", "推定できません")):
        message = note_text(*notes.rows[0][1:], lang)
        assert words in message and "combination" not in message and "組合せ" not in message


# ----------------------------------------------------------------------------- notes are codes (issue 10, point 2)

#: Parameters of every note code, as compare() gives them (ids and data values, never words).
NOTE_SAMPLES = {
    "unknown_all": {"factor": "style"},
    "unknown_some": {"factor": "instructor", "n": 12, "courses": tuple(f"K{i:02d}" for i in range(10))},
    "constant": {"factor": "format", "level": "online"},
    "aliased": {"dropped": "format", "kept": "instructor",
                "confined": (("instructor", "ベンダーA", "format", "online"),
                             ("instructor", "元市職員", "format", "in_person"))},
    "aliased_combo": {"factor": "audience", "others": ("instructor", "format")},
    "alias_none": {"factor": "instructor"},
    "alias_wave": {"factor": "audience"},
    "hidden": {"factor": "audience", "level": "manager", "min_cell": 10, "model": "ancova"},
    "shrunk": {"factor": "instructor", "level": "R", "n": 7, "small": 10, "model": "mixed"},
    "leverage": {"model": "wave_x_factor"},
    "lord": {},
    "lord_disagree": {"pairs": (("format", "in_person", "online"),)},
    "mixed_ok": {"var": 0.0569, "icc": 0.164},
    "mixed_none": {"model": "ancova"},
    "fallback": {"model": "mixed", "fixed": "ancova", "why": "zero_var", "detail": 1e-9},
    "flat_pre": {"wave": "pre", "value": 1.0},
    "left_out": {"min_cell": 5, "courses": ("C2024-04",)},
    "post_only_courses": {"courses": ("D", "E")},
    "co_taught": {"levels": ("山田 太郎・佐藤 花子",)},
    "no_prepost": {"wave": "post"},
    "no_prepost_plain": {"wave": "post"},
    "unlinked": {},
    "too_few": {"model": "post_only", "n": 3, "p": 4},
    "no_scores": {"construct": "score"},
    "ordinal_sign": {"item": "q1", "waves": ("post", "pre"), "factors": ("instructor", "format"),
                     "factor": "format", "same": False, "details": (("online", "in_person", 0.2, -0.1),)},
    "ordinal_skip": {"item": "q1"},
    "ordinal_too_few": {"item": "q1", "n": 4, "categories": 2},
    "ordinal_fail": {"item": "q1", "error": "Singular matrix"},
}


def test_every_note_code_is_worded_in_both_languages():
    from dxsurvey.stats.codes import NOTES, note
    assert set(NOTE_SAMPLES) == set(NOTES)
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    for code, params in NOTE_SAMPLES.items():
        note(code, **params)
        ja, en = note_text(code, params, "ja"), note_text(code, params, "en")
        for message in (ja, en):
            assert "{" not in message and "20_comparison" not in message and "_" not in message, message
        assert not japanese.search(re.sub("ベンダーA|元市職員|山田 太郎・佐藤 花子", "", en)), en
        assert japanese.search(ja), ja
    for why in ("not_converged", "singular", "identify", "error"):
        fb = dict(NOTE_SAMPLES["fallback"], why=why, detail="")
        assert "{" not in note_text("fallback", fb, "ja") + note_text("fallback", fb, "en")
    with pytest.raises(ValueError):
        note("constant", factor="format")           # its level is missing
    # ten courses: eight are listed, the rest counted
    assert "（他2件）" in note_text("unknown_some", NOTE_SAMPLES["unknown_some"], "ja")


def test_notes_are_codes_whatever_the_study_language():
    """compare() wrote its notes as Japanese or English sentences; now codes with their parameters,
    the same for a Japanese and an English study, worded only in the report's language."""
    from dxsurvey.reports.comparison import comparison_notes
    from dxsurvey.stats.codes import NOTES
    st = nested_study()
    ja = compare(st, construct="score", factors=("instructor", "format", "audience"))
    st.codebook.language = "en"
    en = compare(st, construct="score", factors=("instructor", "format", "audience"))
    as_rows = lambda n: [(k, c, p) for k, c, p in zip(n["kind"], n["code"], n["params"])]
    assert as_rows(ja.notes) == as_rows(en.notes) and len(ja.notes) >= 2
    assert "aliased" in set(ja.notes["code"])
    words = set(ALL_FACTORS) | set(MODELS) | {"pre", "post"} | set(st.courses["course_id"]) | set(
        st.courses["instructor"]) | {"online", "in_person", "manager", "staff"}

    def values(v):
        if isinstance(v, (tuple, list)):
            for x in v:
                yield from values(x)
        else:
            yield v
    for code, params in zip(ja.notes["code"], ja.notes["params"]):
        assert set(params) == set(NOTES[code])
        for v in values(list(params.values())):
            assert not isinstance(v, str) or v in words, (code, v)
    page = comparison_notes(ja, "en")
    assert "cannot be separated" in page and "Lord" in page
    assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", re.sub("ベンダーA|元市職員|DX推進課", "", page)), page
    with pytest.raises(TypeError):
        compare(st, construct="score", language="en")     # the report words notes, not compare()


def test_mixed_fit_is_remembered_across_column_orders(monkeypatch):
    """The planning report fits the same course-random-intercept model with its columns in
    several orders; each model is fitted once, and the estimates come back in the order
    asked for (equal to statsmodels' own fit in that order)."""
    import sys

    from statsmodels.regression.mixed_linear_model import MixedLM

    cmp_mod = sys.modules["dxsurvey.stats.compare"]
    rng = np.random.default_rng(3)
    groups = np.repeat([f"C{i}" for i in range(12)], 15)
    course = rng.normal(scale=0.6, size=12)[np.repeat(np.arange(12), 15)]
    x = rng.normal(size=groups.size)
    f = (np.repeat(np.arange(12), 15) % 3 == 0).astype(float)
    y = 0.5 * x + 0.4 * f + course + rng.normal(size=groups.size)
    X = np.column_stack([np.ones_like(x), x, f])
    names = ["Intercept", "x", "format[online]"]
    calls = []
    fit_once = cmp_mod._fit_mixed_ordered
    monkeypatch.setattr(cmp_mod, "_fit_mixed_ordered", lambda *a: calls.append(1) or fit_once(*a))
    monkeypatch.setattr(cmp_mod, "_MIXED_FITS", {})
    a, why_a, _ = cmp_mod._fit_mixed(y, X, groups, names)
    perm = [2, 0, 1]
    b, why_b, _ = cmp_mod._fit_mixed(y, X[:, perm], groups, [names[i] for i in perm])
    assert why_a is None and why_b is None and len(calls) == 1
    np.testing.assert_allclose(b.beta, a.beta[perm], rtol=0, atol=1e-12)
    np.testing.assert_allclose(b.cov, a.cov[np.ix_(perm, perm)], rtol=0, atol=1e-12)
    ref = MixedLM(y, pd.DataFrame(X, columns=names), groups=groups).fit(reml=True)
    np.testing.assert_allclose(a.beta, ref.fe_params.to_numpy(), rtol=0, atol=1e-6)
    np.testing.assert_allclose(a.tau2, float(ref.cov_re.iloc[0, 0]), rtol=1e-5)
    # other data: fitted again
    cmp_mod._fit_mixed(y + 1.0, X, groups, names)
    assert len(calls) == 2
