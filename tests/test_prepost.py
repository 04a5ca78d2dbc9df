"""prepost against R (tests/reference/prepost_reference.R / .out), scipy and pingouin."""
import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from dxsurvey.stats import prepost
from dxsurvey.stats.prepost import PREPOST_COLUMNS
from statsdata import make_study

# data of tests/reference/prepost_reference.R
ITEM_PRE = [2, 3, 3, 4, 2, 3, 1, 4, 3, 2, 5, 3, 2, 4, 3, 3, 2, 1, 4, 3]
ITEM_POST = [3, 4, 3, 5, 4, 3, 2, 4, 4, 3, 5, 4, 2, 5, 4, 2, 3, 3, 4, 4]
IND_A = [2, 3, 3, 1, 4, 2, 3, 2, 5, 3, 2, 1, 3, 4, 2, 3, 3, 2]
IND_B = [4, 3, 5, 4, 2, 4, 3, 5, 4, 4, 3, 2, 5, 4, 3, 4, 1, 5, 4, 3, 4, 4]
CON_PRE = [2.5, 3.0, 3.5, 2.0, 4.0, 3.0, 2.5, 3.5, 3.0, 2.0, 4.5, 3.0]
CON_POST = [3.5, 3.5, 4.0, 3.0, 4.0, 4.5, 3.0, 4.0, 3.5, 3.0, 4.5, 4.0]
W_A = [2.5, 3.0, 3.5, 2.0, 4.0, 3.0, 2.5, 3.5, 3.0, 2.0]
W_B = [3.5, 3.5, 4.0, 3.0, 4.0, 4.5, 3.0, 4.0, 3.5, 3.0, 4.5, 4.0, 5.0, 2.5]


def _split(scores):
    """Two items whose mean is the given construct score (x.5 -> floor and ceil)."""
    s = np.asarray(scores, dtype=float)
    return np.floor(s), 2 * s - np.floor(s)


def _pad(values, n):
    return list(values) + [np.nan] * (n - len(values))


def paired_study():
    """C1 staff: 20 linked respondents; q1 = ITEM_*, construct con (c1, c2) = CON_* for 12."""
    n = 20
    c1a, c2a = _split(CON_PRE)
    c1b, c2b = _split(CON_POST)
    wide = pd.DataFrame({
        "course_id": "C1", "audience": "staff",
        "wave": ["pre"] * n + ["post"] * n,
        "respondent_key": [f"k{i}" for i in range(n)] * 2,
        "q1": ITEM_PRE + ITEM_POST,
        "c1": _pad(c1a, n) + _pad(c1b, n), "c2": _pad(c2a, n) + _pad(c2b, n),
    })
    return make_study(wide, constructs={"con": ("c1", "c2")})


def independent_study():
    """Anonymous C1: q1 = IND_A / IND_B, construct con = W_A / W_B."""
    c1a, c2a = _split(W_A)
    c1b, c2b = _split(W_B)
    wide = pd.DataFrame({
        "course_id": "C1", "audience": "staff",
        "wave": ["pre"] * 18 + ["post"] * 22,
        "q1": IND_A + IND_B,
        "c1": _pad(c1a, 18) + _pad(c1b, 22), "c2": _pad(c2a, 18) + _pad(c2b, 22),
    })
    return make_study(wide, keyed=False, constructs={"con": ("c1", "c2")})


def row(res, measure_id, **where):
    sel = res["measure_id"] == measure_id
    for k, v in where.items():
        sel &= res[k] == v
    assert sel.sum() == 1
    return res[sel].iloc[0]


def test_column_vocabulary_and_types():
    res = prepost(paired_study())
    assert tuple(res.columns) == PREPOST_COLUMNS
    assert set(res["measure_type"]) == {"item", "construct"}
    assert res["p_val"].dtype == float and res["n_a"].dtype == "int64"
    assert set(res["design"]) <= {"paired", "independent"}
    assert set(res["test"]) <= {"wilcoxon", "mannwhitney", "paired_t", "welch_t"}
    assert set(res["effect_type"]) <= {"rank_biserial", "cohen_dz", "hedges_g"}
    assert set(res["ci_method"].dropna()) <= {"bootstrap", "analytic", "noncentral_t"}
    empty = prepost(paired_study(), measures="items")
    assert tuple(empty.columns) == PREPOST_COLUMNS and set(empty["measure_type"]) == {"item"}


def test_paired_item_wilcoxon_matches_r_and_pingouin():
    r = row(prepost(paired_study()), "q1")
    assert r["design"] == "paired" and r["test"] == "wilcoxon"
    assert (r["n_a"], r["n_b"], r["n_pairs"], r["n_unmatched_a"]) == (20, 20, 20, 0)
    # R: wilcox.test(post, pre, paired=TRUE)$statistic V = 98.5, p = 0.00205247158229
    assert r["statistic"] == 98.5
    assert r["p_val"] == pytest.approx(0.00205247158229, rel=1e-9)
    # scipy (n <= 50 with ties and zeros -> same normal approximation as R)
    sp = stats.wilcoxon(ITEM_POST, ITEM_PRE, zero_method="wilcox", correction=True, method="auto")
    assert r["p_val"] == pytest.approx(sp.pvalue, rel=1e-9)
    # R: t.test(post, pre, paired=TRUE)$conf.int
    assert (r["diff_ci_low"], r["diff_ci_high"]) == pytest.approx((0.35708813906, 1.04291186094), abs=1e-9)
    assert r["diff"] == pytest.approx(np.mean(ITEM_POST) - np.mean(ITEM_PRE))
    assert (r["median_a"], r["median_b"]) == (3, 4)     # R: median(pre), median(post)
    # pingouin.wilcoxon(post, pre)["RBC"]: matched-pairs rank-biserial, + when post higher
    rbc = pg.wilcoxon(ITEM_POST, ITEM_PRE)["RBC"].iloc[0]
    assert r["effect"] == pytest.approx(rbc) and r["effect"] > 0
    # top-2-box on 1..5: share of 4 and 5 (hand count)
    assert r["top2_a"] == pytest.approx(5 / 20) and r["top2_b"] == pytest.approx(11 / 20)


def test_independent_item_mannwhitney_matches_r_and_pingouin():
    r = row(prepost(independent_study()), "q1")
    assert r["design"] == "independent" and r["test"] == "mannwhitney"
    assert (r["n_a"], r["n_b"], r["n_pairs"]) == (18, 22, 0)
    # R: wilcox.test(b, a)$statistic W = 298.5, p = 0.00495832315013
    assert r["statistic"] == 298.5
    assert r["p_val"] == pytest.approx(0.00495832315013, rel=1e-9)
    # R: t.test(b, a)$conf.int (Welch interval of the mean difference)
    assert (r["diff_ci_low"], r["diff_ci_high"]) == pytest.approx((0.301169405387, 1.638224534007), abs=1e-9)
    # pingouin.mwu(b, a)["RBC"] = 1 - 2 U_a / (n_a n_b) = Cliff's delta of b over a (pingouin 0.7
    # sign: positive when the first sample is higher; older pingouin had the opposite sign)
    rbc = pg.mwu(IND_B, IND_A)["RBC"].iloc[0]
    assert r["effect"] == pytest.approx(rbc) and r["effect"] > 0
    delta = np.sign(np.subtract.outer(IND_B, IND_A)).mean()      # hand: Cliff's delta
    assert r["effect"] == pytest.approx(delta)


def test_paired_construct_t_matches_r_and_pingouin():
    r = row(prepost(paired_study()), "con")
    assert r["design"] == "paired" and r["test"] == "paired_t" and r["n_pairs"] == 12
    # R: t.test(post, pre, paired=TRUE): t = 5.2035490847, p = 0.000292865288572, conf.int
    assert r["statistic"] == pytest.approx(5.2035490847, rel=1e-9)
    assert r["p_val"] == pytest.approx(0.000292865288572, rel=1e-8)
    assert (r["diff_ci_low"], r["diff_ci_high"]) == pytest.approx((0.384681541481, 0.948651791853), abs=1e-9)
    # pingouin.compute_effsize(post, pre, paired=True, eftype="cohen_dz") and eftype="hedges" (g_av)
    assert r["effect"] == pytest.approx(pg.compute_effsize(CON_POST, CON_PRE, paired=True, eftype="cohen_dz"))
    assert r["hedges_g_av"] == pytest.approx(pg.compute_effsize(CON_POST, CON_PRE, paired=True, eftype="hedges"))
    assert r["n_unmatched_a"] == 0 and r["n_unmatched_b"] == 0


def test_welch_construct_matches_r_and_pingouin():
    r = row(prepost(independent_study()), "con")
    assert r["test"] == "welch_t" and (r["n_a"], r["n_b"]) == (10, 14)
    # R: t.test(b, a, var.equal=FALSE): t = 2.91071330416, p = 0.00857071305096, conf.int
    assert r["statistic"] == pytest.approx(2.91071330416, rel=1e-9)
    assert r["p_val"] == pytest.approx(0.00857071305096, rel=1e-8)
    assert (r["diff_ci_low"], r["diff_ci_high"]) == pytest.approx((0.231186570425, 1.397384858146), abs=1e-9)
    # pingouin.compute_effsize(b, a, eftype="hedges")
    assert r["effect"] == pytest.approx(pg.compute_effsize(W_B, W_A, eftype="hedges"))
    assert r["effect_type"] == "hedges_g" and np.isnan(r["hedges_g_av"])
    assert r["top2_b"] == pytest.approx(np.mean(np.array(W_B) >= 4))


def test_exact_mannwhitney_small_sample():
    wide = pd.DataFrame({"course_id": "C1", "wave": ["pre"] * 2 + ["post"] * 3, "q1": [1, 2, 3, 4, 5]})
    r = row(prepost(make_study(wide, keyed=False), min_cell=1), "q1")
    # R: wilcox.test(c(3,4,5), c(1,2)) W = 6, exact p = 0.2
    assert r["statistic"] == 6 and r["p_val"] == pytest.approx(0.2, rel=1e-12)


def test_small_paired_uses_scipy_permutation_p():
    pre = [2, 3, 3, 4, 2, 3, 1, 4, 3, 2]
    post = [3, 4, 3, 5, 4, 3, 2, 4, 4, 2]
    wide = pd.DataFrame({"course_id": "C1", "wave": ["pre"] * 10 + ["post"] * 10,
                         "respondent_key": [f"k{i}" for i in range(10)] * 2, "q1": pre + post})
    r = row(prepost(make_study(wide)), "q1")
    # scipy.stats.wilcoxon(method="auto"): ties and n <= 13 -> exhaustive permutation p
    sp = stats.wilcoxon(post, pre, zero_method="wilcox", correction=True, method="auto")
    assert r["p_val"] == pytest.approx(sp.pvalue, rel=1e-12)
    assert "small_n" not in r["caution"]


def test_large_groups_normal_approximation_and_analytic_ci():
    rng = np.random.default_rng(5)
    n = 80
    pre = rng.integers(1, 6, n)
    post = np.clip(pre + rng.integers(-1, 3, n), 1, 5)
    wide = pd.DataFrame({"course_id": "C1", "wave": ["pre"] * n + ["post"] * n,
                         "respondent_key": [f"k{i}" for i in range(n)] * 2,
                         "q1": np.concatenate([pre, post])})
    r = row(prepost(make_study(wide)), "q1")
    sp = stats.wilcoxon(post, pre, zero_method="wilcox", correction=True, method="auto")
    assert r["p_val"] == pytest.approx(sp.pvalue, rel=1e-9)
    assert r["ci_method"] == "analytic"
    assert r["effect_ci_low"] < r["effect"] < r["effect_ci_high"]
    anon = prepost(make_study(wide, keyed=False))
    r = row(anon, "q1")
    mw = stats.mannwhitneyu(post, pre, use_continuity=True, method="auto")
    assert r["statistic"] == mw.statistic and r["p_val"] == pytest.approx(mw.pvalue, rel=1e-9)


def test_bootstrap_ci_seeded_and_covers_estimate():
    study = paired_study()
    one = prepost(study)
    two = prepost(study)
    for mid in ("q1", "con"):
        a, b = row(one, mid), row(two, mid)
        assert a["ci_method"] == ("bootstrap" if mid == "q1" else "noncentral_t")   # constructs: d_z by nct
        assert (a["effect_ci_low"], a["effect_ci_high"]) == (b["effect_ci_low"], b["effect_ci_high"])
        assert a["effect_ci_low"] <= a["effect"] <= a["effect_ci_high"]
    other = row(prepost(study, seed=7), "q1")
    assert other["effect_ci_low"] != row(one, "q1")["effect_ci_low"] or \
        other["effect_ci_high"] != row(one, "q1")["effect_ci_high"]
    assert row(prepost(study, boot_max_n=5), "q1")["ci_method"] == "analytic"


def test_pairing_rule_unmatched_and_audience_of_post():
    n = 8
    wide = pd.DataFrame({
        "course_id": "C1",
        "wave": ["pre"] * (n + 2) + ["post"] * (n + 1),
        "respondent_key": [f"k{i}" for i in range(n)] + ["x1", "x2"] + [f"k{i}" for i in range(n)] + ["y1"],
        # k0 was staff in pre but manager in post: the pair counts as manager
        "audience": ["staff"] * (n + 2) + ["manager"] + ["staff"] * n,
        "q1": [1, 2, 3, 2, 3, 2, 1, 2, 4, 4] + [3, 3, 4, 3, 3, 4, 2, 3, 5],
    })
    res = prepost(make_study(wide))
    staff = row(res, "q1", audience="staff")
    assert staff["design"] == "paired"
    assert (staff["n_pairs"], staff["n_unmatched_a"], staff["n_unmatched_b"]) == (7, 2, 1)
    assert staff["n_a"] == 7 and staff["n_b"] == 7
    mgr = row(res, "q1", audience="manager")
    assert mgr["design"] == "independent" and (mgr["n_a"], mgr["n_b"], mgr["n_pairs"]) == (1, 1, 1)
    assert mgr["caution"] == "suppressed(min_cell=5); independent_fallback(min_cell=5)"
    assert np.isnan(mgr["p_val"]) and np.isnan(mgr["effect"]) and mgr["mean_b"] == 3
    # the same data without a respondent key is independent everywhere
    anon = prepost(make_study(wide, keyed=False), by=("course_id",))
    r = row(anon, "q1")
    assert r["design"] == "independent" and (r["n_a"], r["n_b"]) == (10, 9)


def test_by_variants_and_na_audience():
    study = paired_study()
    study.submissions.loc[study.submissions["respondent_key"].isin(["k0", "k1"]), "audience"] = pd.NA
    res = prepost(study, by=("audience",))            # measures: items q1, c1, c2 and construct con
    assert res["course_id"].isna().all() and len(res) == 8
    na = res[res["audience"].isna()]
    assert len(na) == 4 and row(na, "q1")["n_pairs"] == 2
    assert row(res, "q1", audience="staff")["n_pairs"] == 18
    whole = prepost(study, by=())
    assert len(whole) == 4 and whole["audience"].isna().all()
    assert row(whole, "q1")["n_pairs"] == 20
    course = prepost(study, by=("course_id",))
    assert course["course_id"].tolist() == ["C1"] * 4


def test_holm_within_family():
    rng = np.random.default_rng(1)
    n = 30
    wide = pd.DataFrame({"course_id": "C1", "wave": ["pre"] * n + ["post"] * n,
                         "respondent_key": [f"k{i}" for i in range(n)] * 2})
    for j, shift in enumerate([0, 1, 2]):
        pre = rng.integers(1, 5, n)
        wide[f"q{j}"] = np.concatenate([pre, np.clip(pre + rng.integers(-1, 1 + shift, n), 1, 5)])
    res = prepost(make_study(wide, constructs={"c": ("q0", "q1", "q2")}))
    items = res[res["measure_type"] == "item"]
    np.testing.assert_allclose(items["p_adj"], multipletests(items["p_val"], method="holm")[1])
    con = res[res["measure_type"] == "construct"].iloc[0]
    assert con["p_adj"] == pytest.approx(con["p_val"], rel=1e-15)   # a family of one


def test_retention_and_response_shift_waves():
    wide = pd.DataFrame({"course_id": "C1", "wave": ["post"] * 6 + ["followup"] * 6 + ["pre"] * 6,
                         "respondent_key": [f"k{i}" for i in range(6)] * 3,
                         "q1": [4, 5, 4, 4, 5, 3] + [3, 4, 4, 3, 4, 3] + [2, 2, 3, 2, 3, 2],
                         "q2": [np.nan] * 6 + [2, 3, 3, 2, 3, 4] + [np.nan] * 6})
    study = make_study(wide, item_waves={"q2": ("followup",)})
    res = prepost(study, waves=("post", "followup"))
    assert res["measure_id"].tolist() == ["q1"]        # q2 is not asked in post
    r = res.iloc[0]
    assert (r["wave_a"], r["wave_b"]) == ("post", "followup") and r["diff"] < 0 and r["effect"] < 0


def test_bad_arguments():
    study = paired_study()
    with pytest.raises(ValueError, match="all, items, constructs"):
        prepost(study, measures="item")
    with pytest.raises(ValueError, match="course_id, audience"):
        prepost(study, by=("wave",))
    with pytest.raises(ValueError, match="waves"):
        prepost(study, waves=("pre", "later"))
    with pytest.raises(ValueError, match="min_cell"):
        prepost(study, min_cell=0)
    with pytest.raises(ValueError, match="confidence"):
        prepost(study, confidence=1.5)


def test_signed_rank_exact_p_equals_scipy():
    from dxsurvey.stats.effects import signed_rank_exact_p
    rng = np.random.default_rng(3)
    for _ in range(10):                  # ties and zeros, n <= 13: scipy's exhaustive permutation test
        n = int(rng.integers(4, 14))
        a, b = rng.integers(1, 6, n), rng.integers(1, 6, n)
        if np.all(a == b):
            continue
        sp = stats.wilcoxon(b, a, zero_method="wilcox", correction=True, method="auto")
        assert signed_rank_exact_p(b - a) == pytest.approx(sp.pvalue, rel=1e-12)
    for n in (5, 17, 40):                # no ties: scipy's exact distribution
        d = rng.permutation(np.arange(1, n + 1)) * rng.choice([-1, 1], n)
        assert signed_rank_exact_p(d) == pytest.approx(stats.wilcoxon(d, method="auto").pvalue, rel=1e-12)


def test_vectorised_holm_equals_multipletests():
    from dxsurvey.stats.effects import holm
    rng = np.random.default_rng(11)
    p = rng.random(200) ** 3
    p[rng.random(200) < 0.1] = np.nan
    fam = rng.integers(0, 17, 200)
    got = holm(p, fam)
    for f in np.unique(fam):
        sel = (fam == f) & ~np.isnan(p)
        if sel.any():
            # statsmodels.stats.multitest.multipletests(p, method="holm") per family
            np.testing.assert_allclose(got[sel], multipletests(p[sel], method="holm")[1], rtol=1e-12)
    assert np.isnan(got[np.isnan(p)]).all()


def _three_item_change(n, bumps, seed=3):
    """Linked C1 on agree6; respondent i gains +1 on the first bumps[i] of items c0..c2, so
    every construct difference is a multiple of 1/3 (not exact in floating point)."""
    rng = np.random.default_rng(seed)
    pre = rng.integers(1, 4, size=(n, 3)).astype(float)
    post = pre.copy()
    for i, b in enumerate(bumps):
        post[i, :b] += 1
    wide = pd.DataFrame({"course_id": "C1", "audience": "staff", "wave": ["pre"] * n + ["post"] * n,
                         "respondent_key": [f"k{i}" for i in range(n)] * 2})
    for j in range(3):
        wide[f"c{j}"] = np.concatenate([pre[:, j], post[:, j]])
    return make_study(wide, scale="agree6", constructs={"con": ("c0", "c1", "c2")}), post.mean(1) - pre.mean(1)


def test_bootstrap_drops_constant_resamples_hidden_by_rounding():
    # d = (1/3, 1/3, 1/3, 1/3, 1/3, 2/3): a third of the resamples hold only 1/3, whose
    # variance is 0 but sum(d^2) - n mean^2 leaves ~1e-17 of rounding, so d_z ~ 7e7 was kept
    # (constructs now take the noncentral-t interval, which has no resamples: still finite)
    study, d = _three_item_change(6, [1] * 5 + [2])
    r = row(prepost(study, measures="constructs"), "con")
    assert r["ci_method"] == "noncentral_t"
    assert r["effect"] == pytest.approx(d.mean() / d.std(ddof=1))
    assert r["effect_ci_low"] <= r["effect"] <= r["effect_ci_high"] < 10


def test_constant_construct_differences_give_no_t_or_effect():
    # every respondent gains exactly 1/3: sd(d) is 0 (R's t.test stops: "data are essentially
    # constant"), but rounding made it ~1e-16, so t ~ 5e15, p = 0 and d_z ~ 2e15 were reported
    study, d = _three_item_change(8, [1] * 8)
    r = row(prepost(study, measures="constructs"), "con")
    assert r["design"] == "paired" and r["diff"] == pytest.approx(1 / 3)
    for col in ("statistic", "p_val", "p_adj", "effect", "effect_ci_low", "effect_ci_high"):
        assert np.isnan(r[col]), col
    assert pd.isna(r["ci_method"]) and "no_variance_diffs" in r["caution"]
    pre = study.answers.merge(study.submissions, on="submission_id")
    # g_av uses the sd of each wave, which is not 0: pingouin compute_effsize(post, pre, paired, "hedges")
    scores = pre.pivot_table(index=["wave", "respondent_key"], columns="item_id", values="value").mean(axis=1)
    assert r["hedges_g_av"] == pytest.approx(pg.compute_effsize(
        scores["post"].to_numpy(), scores["pre"].to_numpy(), paired=True, eftype="hedges"))
    # both waves constant, anonymous: Welch t and Hedges' g are 0/0-type, not +inf
    wide = pd.DataFrame({"course_id": "C1", "wave": ["pre"] * 8 + ["post"] * 8,
                         "q1": [3] * 8 + [4] * 8, "q2": [3] * 8 + [4] * 8})
    r = row(prepost(make_study(wide, keyed=False, constructs={"con": ("q1", "q2")})), "con")
    assert r["diff"] == 1 and np.isnan(r["statistic"]) and np.isnan(r["effect"])
    assert "no_variance_scores" in r["caution"]
