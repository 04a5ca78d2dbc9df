"""Scoring: reverse coding, construct scores (min_share), linked frames."""
import numpy as np
import pandas as pd
import pytest

from dxsurvey.scoring import (SCORE_KEYS, construct_scores, item_matrix, item_values, link_pairs,
                              paired_frame)
from statsdata import make_study, tiny_study


def test_item_values_reverse_on_own_scale():
    wide = pd.DataFrame({"course_id": "C1", "wave": ["pre", "post"], "q1": [1, 4], "q2": [1, 4]})
    study = make_study(wide, reverse=("q1", "q2"), scales={"q2": "agree4"})
    raw = item_values(study)
    assert raw["value"].tolist() == [1.0, 1.0, 4.0, 4.0]
    rev = item_values(study, reverse=True)
    # q1 on 1..5: 6 - v; q2 on 1..4: 5 - v (hand calculation)
    assert rev["value"].tolist() == [5.0, 4.0, 2.0, 1.0]
    assert list(rev.columns) == ["submission_id", "item_id", "value"]
    assert rev["value"].dtype == np.float64


def test_missing_is_nan_not_zero():
    study = tiny_study()
    vals = item_values(study)
    assert vals["value"].isna().sum() == 3
    mat, ids = item_matrix(study)
    assert ids == ["q1", "q2"] and np.isnan(mat).sum() == 3


def test_construct_scores_min_share():
    wide = pd.DataFrame({"course_id": "C1", "wave": "pre",
                         "a": [5, 5, np.nan, np.nan], "b": [3, np.nan, np.nan, 1],
                         "c": [1, np.nan, np.nan, np.nan]})
    study = make_study(wide, reverse=("c",), constructs={"x": ("a", "b", "c")})
    sc = construct_scores(study)
    assert list(sc.columns) == [*SCORE_KEYS, "x"]
    # ceil(0.5 * 3) = 2 items needed; c reversed 1 -> 5; mean(5, 3, 5) = 13/3
    assert sc["x"].iloc[0] == pytest.approx(13 / 3)
    assert sc["x"].iloc[1:].isna().all()
    lax = construct_scores(study, min_share=0.3)     # ceil(0.9) = 1 item suffices
    assert lax["x"].tolist()[1:] == [5.0, pytest.approx(np.nan, nan_ok=True), 1.0]
    with pytest.raises(ValueError, match="min_share"):
        construct_scores(study, min_share=0)


def test_paired_frame_takes_wave_b_audience():
    study = tiny_study()
    pf = paired_frame(study)
    assert pf["respondent_key"].tolist() == ["k1", "k2"]
    assert pf["audience"].tolist() == ["staff", "manager"]      # k2 was staff in pre, manager in post
    assert pf["attitude_a"].tolist() == [4.0, 2.5]
    assert pf["attitude_b"].tolist() == [5.0, 4.0]
    items = paired_frame(study, measure="item")
    assert items["q2_a"].tolist() == [2.0, 3.0]                 # items as answered
    with pytest.raises(ValueError, match="construct, item"):
        paired_frame(study, measure="items")
    with pytest.raises(ValueError, match="waves"):
        paired_frame(study, waves=("pre", "pre"))


def test_anonymous_study_has_no_pairs():
    wide = pd.DataFrame({"course_id": "C1", "wave": ["pre", "post"], "respondent_key": ["k", "k"], "q1": [1, 2]})
    study = make_study(wide, keyed=False)
    assert len(link_pairs(study)) == 0
    pf = paired_frame(study, measure="item")
    assert len(pf) == 0 and "q1_a" in pf.columns


def test_pairs_only_within_course():
    wide = pd.DataFrame({"course_id": ["C1", "C2", "C2"], "wave": ["pre", "post", "pre"],
                         "respondent_key": ["k", "k", "k"], "q1": [1, 2, 3]})
    pairs = link_pairs(make_study(wide), ("pre", "post"))
    assert pairs.to_dict("list") == {"pos_a": [2], "pos_b": [1]}


def test_construct_compared_on_the_items_asked_in_both_waves():
    """The follow-up form drops item c: post vs follow-up scores use a and b only, so a
    respondent who answered a and b the same in both waves shows no change (with c in
    the post score the construct would 'drop' by (5 - 3) / 3 by the item set alone)."""
    from dxsurvey.stats import prepost
    wide = pd.DataFrame({"course_id": "C1", "wave": ["post"] * 6 + ["followup"] * 6,
                         "respondent_key": [f"k{i}" for i in range(6)] * 2,
                         "a": [3, 4, 3, 4, 3, 4] * 2, "b": [3, 3, 4, 4, 3, 3] * 2,
                         "c": [5] * 6 + [np.nan] * 6})
    study = make_study(wide, constructs={"x": ("a", "b", "c")}, item_waves={"c": ("pre", "post")})
    full = construct_scores(study)
    assert full["x"].iloc[0] == pytest.approx(11 / 3)             # all of its items in one wave
    common = construct_scores(study, waves=("post", "followup"))
    assert common["x"].iloc[0] == pytest.approx(3.0) and common["x"].iloc[6] == pytest.approx(3.0)
    pf = paired_frame(study, waves=("post", "followup"))
    assert (pf["x_a"] == pf["x_b"]).all()
    pp = prepost(study, waves=("post", "followup"), min_cell=1)
    row = pp[(pp["measure_type"] == "construct") & (pp["measure_id"] == "x")].iloc[0]
    assert row["diff"] == pytest.approx(0.0) and row["mean_a"] == pytest.approx(row["mean_b"])
