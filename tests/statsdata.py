"""Small Study builders shared by the scoring, reliability and prepost tests.

``make_study(wide, ...)`` takes one row per submission (course_id, wave,
respondent_key, audience and one column per scale item, NaN = missing) and builds
a :class:`dxsurvey.study.Study` with the tidy tables of ``dxsurvey.schema``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dxsurvey.codebook import Codebook, Construct, Item, RespondentKey, Scale
from dxsurvey.schema import ANSWERS, SUBMISSIONS
from dxsurvey.study import Study

AGREE5 = Scale("agree5", {1: ("そう思わない",), 2: ("あまりそう思わない",), 3: ("どちらともいえない",),
                          4: ("ややそう思う",), 5: ("そう思う",)})
AGREE4 = Scale("agree4", {1: ("そう思わない",), 2: ("あまりそう思わない",), 3: ("ややそう思う",),
                          4: ("そう思う",)})
AGREE6 = Scale("agree6", {v: (str(v),) for v in range(1, 7)})
META = ("course_id", "wave", "respondent_key", "audience")


def make_study(wide: pd.DataFrame, *, reverse=(), scale="agree5", scales=None, constructs=None,
               keyed=True, min_cell=5, item_waves=None) -> Study:
    """Build a Study from a wide frame (one row per submission).

    Parameters
    ----------
    wide : DataFrame
        Columns course_id, wave, respondent_key (optional), audience (optional), then
        one column per scale item (numbers or NaN).
    reverse : iterable of str
        Reverse-coded item ids.
    scale : str
        Scale name of every item unless ``scales`` maps item id -> scale name.
    constructs : dict, optional
        construct id -> tuple of item ids.
    keyed : bool
        Whether the codebook has a respondent key (False = anonymous study).
    """
    wide = wide.reset_index(drop=True).copy()
    for col in ("respondent_key", "audience"):
        if col not in wide.columns:
            wide[col] = pd.NA
    item_ids = [c for c in wide.columns if c not in META]
    scales = scales or {}
    all_scales = {"agree5": AGREE5, "agree4": AGREE4, "agree6": AGREE6}
    items = [Item(id=i, column=(i,), type="scale", scale=scales.get(i, scale), reverse=i in set(reverse),
                  waves=(item_waves or {}).get(i)) for i in item_ids]
    cons = {cid: Construct(cid, cid, tuple(its)) for cid, its in (constructs or {}).items()}
    cb = Codebook(survey="test", root=Path("."), scales=all_scales, items=items, constructs=cons,
                  respondent_key=RespondentKey(column=("code",)) if keyed else None, min_cell=min_cell)
    n = len(wide)
    subs = pd.DataFrame({
        "submission_id": np.arange(1, n + 1, dtype="int64"),
        "course_id": wide["course_id"].astype(object).to_numpy(),
        "wave": wide["wave"].astype(object).to_numpy(),
        "respondent_key": wide["respondent_key"].astype(object).where(wide["respondent_key"].notna(), pd.NA).to_numpy(),
        "audience": wide["audience"].astype(object).where(wide["audience"].notna(), pd.NA).to_numpy(),
        "submitted_at": pd.NaT,
        "source_file": "raw/test.csv",
        "source_row": np.arange(2, n + 2),
        "instructor": pd.array([pd.NA] * n, dtype="string"),
        "format": pd.array([pd.NA] * n, dtype="string"),
        "style": pd.array([pd.NA] * n, dtype="string"),
        "careless": np.zeros(n, dtype=bool),
    })[list(SUBMISSIONS)]
    long = wide[item_ids].copy()
    long["submission_id"] = subs["submission_id"]
    long = long.melt(id_vars="submission_id", var_name="item_id", value_name="value")
    long = long.sort_values(["submission_id"], kind="stable").reset_index(drop=True)
    long["value"] = pd.array(long["value"].to_numpy(dtype=float), dtype="Float64").astype("Int64")
    long["label"] = long["value"].astype("string")
    answers = long[list(ANSWERS)]
    courses = pd.DataFrame({"course_id": sorted(wide["course_id"].astype(str).unique())})
    courses["title"] = courses["course_id"]
    empty = pd.DataFrame()
    return Study(root=Path("."), codebook=cb, courses=courses, submissions=subs, answers=answers,
                 texts=empty, validation=empty)


def tiny_study() -> Study:
    """Six submissions, items q1 and q2 (q2 reverse), construct ``attitude`` = q1 + q2."""
    wide = pd.DataFrame({
        "course_id": ["C1"] * 6,
        "wave": ["pre", "pre", "pre", "post", "post", "post"],
        "respondent_key": ["k1", "k2", "k3", "k1", "k2", "k4"],
        "audience": ["staff", "staff", "manager", "staff", "manager", "staff"],
        "q1": [4, 2, 3, 5, np.nan, 4],
        "q2": [2, 3, np.nan, 1, 2, np.nan],
    })
    return make_study(wide, reverse=("q2",), constructs={"attitude": ("q1", "q2")})
