"""Reliability against R psych (values from tests/reference/reliability_reference.R / .out)."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dxsurvey.stats.reliability import (ITEM_STATS, RELIABILITY_STATS, alpha, feldt_ci, item_stats,
                                        minres_loadings, omega_total, reliability)
from statsdata import make_study

REF = Path(__file__).parent / "reference" / "reliability_bfi_a.csv"


def bfi_study(extra_rows=True):
    """psych bfi rows 1-52, A1:A5 on 1..6 with A1 reverse keyed, all in wave pre.

    With ``extra_rows``: one incomplete row (dropped listwise) and three post rows.
    """
    x = pd.read_csv(REF)
    x.columns = [c.lower() for c in x.columns]
    wide = x.assign(course_id="C1", wave="pre", audience="staff")
    if extra_rows:
        more = pd.DataFrame({"course_id": "C1", "wave": ["pre", "post", "post", "post"],
                             "audience": "staff", "a1": [2, 1, 2, 3], "a2": [6, 4, 5, 6],
                             "a3": [np.nan, 4, 5, 6], "a4": [4, 3, 5, 6], "a5": [5, 4, 4, 6]})
        wide = pd.concat([wide, more], ignore_index=True)
    return make_study(wide, scale="agree6", reverse=("a1",),
                      constructs={"agree": ("a1", "a2", "a3", "a4", "a5"), "agree3": ("a2", "a3", "a5")})


def test_alpha_omega_feldt_match_psych():
    rel = reliability(bfi_study())
    assert tuple(rel.columns) == ("construct_id", "wave", *RELIABILITY_STATS)
    pre = rel[(rel["construct_id"] == "agree") & (rel["wave"] == "pre")].iloc[0]
    assert pre["n"] == 52 and pre["k"] == 5           # the incomplete row is dropped listwise
    # R: psych::alpha(x)$total$raw_alpha = 0.6468699531 (A1 reversed as 7 - A1)
    assert pre["alpha"] == pytest.approx(0.6468699531, abs=1e-9)
    # R: psych::alpha(x)$feldt lower.ci 0.4685274877, upper.ci 0.7785777795 (= psych::alpha.ci)
    assert pre["alpha_ci_low"] == pytest.approx(0.4685274877, abs=1e-9)
    assert pre["alpha_ci_high"] == pytest.approx(0.7785777795, abs=1e-9)
    # R: psych::omega(x, nfactors = 1)$omega.tot = 0.7020566886 (optimiser tolerance differs)
    assert pre["omega_total"] == pytest.approx(0.7020566886, abs=2e-5)
    three = rel[(rel["construct_id"] == "agree3") & (rel["wave"] == "pre")].iloc[0]
    # R: psych::omega(x[, c("A2","A3","A5")], nfactors = 1)$omega.tot = 0.743130557
    assert three["omega_total"] == pytest.approx(0.743130557, abs=2e-5)
    # R: psych::alpha(x[, c("A2","A3","A5")])$total$raw_alpha = 0.7037633419
    assert three["alpha"] == pytest.approx(0.7037633419, abs=1e-9)


def test_minres_loadings_match_psych_fa():
    x = pd.read_csv(REF).to_numpy(float)
    x[:, 0] = 7 - x[:, 0]
    lam = minres_loadings(np.corrcoef(x, rowvar=False))
    # R: psych::fa(x, nfactors = 1, fm = "minres")$loadings
    ref = [0.3772355077, 0.5646776827, 0.6163554286, 0.3383833237, 0.8829525442]
    np.testing.assert_allclose(lam, ref, atol=5e-5)


def test_item_stats_match_psych():
    st = item_stats(bfi_study(), constructs=["agree"])
    assert tuple(st.columns) == ("construct_id", "wave", *ITEM_STATS)
    pre = st[st["wave"] == "pre"]
    # R: psych::alpha(x)$item.stats$r.drop
    np.testing.assert_allclose(pre["item_total_r"],
                               [0.2719073631, 0.4626672145, 0.5074673216, 0.2595464066, 0.6269928938], atol=1e-9)
    # R: psych::alpha(x)$alpha.drop$raw_alpha
    np.testing.assert_allclose(pre["alpha_if_deleted"],
                               [0.667852095, 0.5865260634, 0.5417266117, 0.6727199246, 0.4883796522], atol=1e-9)


def test_small_groups_give_nan_with_caution():
    rel = reliability(bfi_study(), constructs=["agree"])
    post = rel[rel["wave"] == "post"].iloc[0]
    assert post["n"] == 3 and not np.isnan(post["alpha"])
    assert "small_n(limit=10)" in post["caution"]
    wide = pd.DataFrame({"course_id": "C1", "wave": "pre", "a": [1, 2], "b": [2, 3], "c": [1, 5]})
    study = make_study(wide, constructs={"two": ("a", "b"), "one": ("c",)})
    rel = reliability(study, by=())
    assert rel["alpha"].isna().all() and rel["omega_total"].isna().all()
    assert rel.set_index("construct_id").loc["one", "caution"].startswith("too_few_items")
    assert rel.set_index("construct_id").loc["two", "caution"] == "too_few_respondents(limit=3)"


def test_by_audience_with_na_group():
    study = bfi_study(extra_rows=False)
    study.submissions.loc[40:, "audience"] = pd.NA
    rel = reliability(study, by=("wave", "audience"), constructs=["agree"])
    assert len(rel) == 2
    assert rel["audience"].isna().sum() == 1
    assert rel["n"].sum() == 52


def test_alpha_hand_calculation_and_feldt_symmetry():
    x = np.array([[1, 2], [2, 3], [3, 3], [4, 5]], dtype=float)
    # hand: item variances 5/3 and 5/3 * 0.55..., total variance; k/(k-1)(1 - sum/total)
    v = x.var(axis=0, ddof=1)
    assert alpha(x) == pytest.approx(2 * (1 - v.sum() / x.sum(axis=1).var(ddof=1)))
    lo, hi = feldt_ci(0.8, 100, 4, 0.95)
    assert lo < 0.8 < hi
    assert omega_total(np.ones((5, 3))) != omega_total(np.ones((5, 3)))    # NaN: no variance


def test_bad_arguments():
    with pytest.raises(ValueError, match="wave, audience, course_id"):
        reliability(bfi_study(), by=("form",))
    with pytest.raises(ValueError, match="unknown construct"):
        reliability(bfi_study(), constructs=["nope"])
    with pytest.raises(ValueError, match="confidence"):
        reliability(bfi_study(), confidence=95)
