"""Reverse coding, construct scores and linked (pre/post) frames.

Everything here is a pure function of a :class:`dxsurvey.study.Study`.  Answers are
stored as answered (``study.answers.value``); reverse coding happens only here:
a reverse item's value ``v`` on a scale ``min..max`` becomes ``min + max - v``.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["item_values", "construct_scores", "paired_frame", "scale_items",
           "item_matrix", "construct_matrix", "link_pairs", "SCORE_KEYS"]

#: Leading columns of :func:`construct_scores` (construct columns follow).
SCORE_KEYS = ("submission_id", "course_id", "wave", "respondent_key", "audience")

_MEASURES = ("construct", "item")


def scale_items(study, item_ids=None) -> list:
    """The codebook's scale items (optionally only ``item_ids``, in that order).

    Raises
    ------
    ValueError
        If an id in ``item_ids`` is not a scale item of the codebook.
    """
    items = {it.id: it for it in study.codebook.items if it.type == "scale"}
    if item_ids is None:
        return list(items.values())
    missing = [i for i in item_ids if i not in items]
    if missing:
        raise ValueError(f"not a scale item of the codebook: {missing[0]!r}; "
                         f"scale items are: {', '.join(items) or 'none'}.")
    return [items[i] for i in item_ids]


def _reverse_sum(study, item) -> int:
    scale = study.codebook.scales[item.scale]
    return scale.min + scale.max


def item_matrix(study, item_ids=None, *, reverse=False) -> tuple[np.ndarray, list[str]]:
    """Scale answers as a dense float matrix aligned to ``study.submissions``.

    Parameters
    ----------
    study : Study
    item_ids : list of str, optional
        Scale items to include (default: every scale item, codebook order).
    reverse : bool
        Reverse-code reverse items (``scale.min + scale.max - value``).

    Returns
    -------
    matrix : ndarray, shape (len(study.submissions), len(items))
        float64, NaN where the answer is missing or absent.
    item_ids : list of str
        The column order.
    """
    items = scale_items(study, item_ids)
    ids = [it.id for it in items]
    subs = study.submissions
    out = np.full((len(subs), len(ids)), np.nan)
    ans = study.answers
    if len(ans) == 0 or not ids:
        return out, ids
    row = pd.Index(subs["submission_id"].to_numpy()).get_indexer(ans["submission_id"].to_numpy())
    item_col = ans["item_id"]
    if isinstance(item_col.dtype, pd.CategoricalDtype):      # map the categories once
        cat_pos = pd.Index(ids).get_indexer(item_col.cat.categories)
        codes = item_col.cat.codes.to_numpy()
        col = np.where(codes >= 0, cat_pos[codes], -1)
    else:       # factorised natively (Arrow strings): no Python string per answer
        codes, uniques = pd.factorize(item_col)
        cat_pos = pd.Index(ids).get_indexer(uniques)
        col = np.where(codes >= 0, cat_pos[codes], -1) if len(uniques) else np.full(len(codes), -1)
    val = pd.to_numeric(ans["value"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    keep = (row >= 0) & (col >= 0) & ~np.isnan(val)
    row, col, val = row[keep], col[keep], val[keep]
    if reverse:
        rsum = np.array([_reverse_sum(study, it) if it.reverse else np.nan for it in items])
        flip = ~np.isnan(rsum[col])
        val = np.where(flip, rsum[col] - val, val)
    out[row, col] = val
    return out, ids


def item_values(study, *, reverse=False) -> pd.DataFrame:
    """Scale answers as floats, optionally reverse-coded.

    Parameters
    ----------
    study : Study
    reverse : bool
        If True, a reverse item's value ``v`` becomes ``scale.min + scale.max - v``.

    Returns
    -------
    DataFrame
        submission_id, item_id, value (float, NaN = missing), one row per answer row of
        ``study.answers`` that belongs to a scale item, in the same order.

    Examples
    --------
    >>> from dxsurvey.scoring import item_values
    >>> study = _example_study()
    >>> item_values(study)["value"].tolist()
    [4.0, 2.0, 2.0, 3.0]
    >>> item_values(study, reverse=True)["value"].tolist()   # q2 is reverse on 1..5
    [4.0, 4.0, 2.0, 3.0]
    """
    items = {it.id: it for it in scale_items(study)}
    ans = study.answers
    ans = ans[ans["item_id"].isin(list(items))]
    val = pd.to_numeric(ans["value"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    if reverse:
        rsum = {i: _reverse_sum(study, it) for i, it in items.items() if it.reverse}
        if rsum:
            r = ans["item_id"].map(rsum).to_numpy(dtype="float64", na_value=np.nan)
            val = np.where(np.isnan(r), val, r - val)
    return pd.DataFrame({"submission_id": ans["submission_id"].to_numpy(),
                         "item_id": ans["item_id"].to_numpy(), "value": val})


def _check_share(min_share) -> float:
    if not isinstance(min_share, (int, float)) or not 0 < min_share <= 1:
        raise ValueError(f"min_share must be a number in (0, 1], not {min_share!r}.")
    return float(min_share)


def construct_items(study, construct, waves=None) -> list[str]:
    """The items a construct is scored on when ``waves`` are compared: those asked in
    every one of them (all of its items when ``waves`` is None).  A construct whose
    follow-up questionnaire drops an item is then scored on the same items in both
    waves, so its change is not partly a change of item set."""
    c = study.codebook.constructs[construct] if isinstance(construct, str) else construct
    if not waves:
        return list(c.items)
    return [i for i in c.items if all(study.codebook.item(i).in_wave(w) for w in waves)]


def construct_matrix(study, *, min_share=0.5, _answered=None, waves=None) -> tuple[np.ndarray, list[str]]:
    """Construct scores as a float matrix aligned to ``study.submissions``.

    A score is the mean of the reverse-coded answered items of the construct, NaN
    unless at least ``ceil(min_share * k)`` of its ``k`` items are answered.  With
    ``waves`` (e.g. ``("pre", "post")``), only the items asked in all of those waves
    count (:func:`construct_items`; no common item: NaN).  ``_answered`` may pass
    ``item_matrix(study)`` (answered direction, containing every construct item) to
    avoid building it twice.
    """
    min_share = _check_share(min_share)
    cons = list(study.codebook.constructs.values())
    out = np.full((len(study.submissions), len(cons)), np.nan)
    if not cons:
        return out, []
    all_items = list(dict.fromkeys(i for c in cons for i in c.items))
    if _answered is None:
        mat, ids = item_matrix(study, all_items, reverse=False)
    else:
        mat, ids = _answered
    pos = {i: j for j, i in enumerate(ids)}
    for j, c in enumerate(cons):
        items = construct_items(study, c, waves)
        if not items:
            continue
        sub = mat[:, [pos[i] for i in items]]
        rsum = np.array([_reverse_sum(study, study.codebook.item(i)) if study.codebook.item(i).reverse
                         else np.nan for i in items])
        if not np.isnan(rsum).all():
            sub = np.where(np.isnan(rsum), sub, rsum - sub)
        n_ok = (~np.isnan(sub)).sum(axis=1)
        need = math.ceil(min_share * len(items) - 1e-9)
        total = np.nansum(sub, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, j] = np.where(n_ok >= max(need, 1), total / n_ok, np.nan)
    return out, [c.id for c in cons]


def construct_scores(study, *, min_share=0.5, waves=None) -> pd.DataFrame:
    """One row per submission with a score per construct.

    Parameters
    ----------
    study : Study
    min_share : float in (0, 1]
        Share of a construct's items that must be answered (rounded up) for a score.
    waves : sequence of str, optional
        Score on the items asked in all of these waves (see :func:`construct_items`).

    Returns
    -------
    DataFrame
        submission_id, course_id, wave, respondent_key, audience, then one float column
        per construct id (codebook order): the mean of the REVERSE-CODED answered items,
        NaN unless at least ``ceil(min_share * k)`` of its ``k`` items are answered.

    Examples
    --------
    >>> from dxsurvey.scoring import construct_scores
    >>> construct_scores(_example_study())["attitude"].tolist()
    [4.0, 2.5]
    """
    mat, ids = construct_matrix(study, min_share=min_share, waves=waves)
    subs = study.submissions
    out = subs[list(SCORE_KEYS)].reset_index(drop=True).copy()
    for j, cid in enumerate(ids):
        out[cid] = mat[:, j]
    return out


def link_pairs(study, waves=("pre", "post")) -> pd.DataFrame:
    """Positions of linked submissions: same course_id and respondent_key in both waves.

    Returns
    -------
    DataFrame
        pos_a, pos_b: row positions in ``study.submissions`` of the wave-a and wave-b
        submission of each pair.  Empty when the codebook has no respondent key.
        Should a key repeat within a course x wave, the later submission is used.
    """
    wave_a, wave_b = _check_waves(waves)
    if study.codebook.respondent_key is None:
        return pd.DataFrame({"pos_a": np.array([], dtype=np.int64), "pos_b": np.array([], dtype=np.int64)})
    subs = study.submissions
    frame = pd.DataFrame({"course_id": subs["course_id"].to_numpy(),
                          "wave": subs["wave"].to_numpy(),
                          "key": subs["respondent_key"].to_numpy(),
                          "pos": np.arange(len(subs), dtype=np.int64)})
    frame = frame[frame["key"].notna()]
    a = frame[frame["wave"] == wave_a].drop_duplicates(["course_id", "key"], keep="last")
    b = frame[frame["wave"] == wave_b].drop_duplicates(["course_id", "key"], keep="last")
    m = a.merge(b, on=["course_id", "key"], suffixes=("_a", "_b"))
    return m[["pos_a", "pos_b"]].sort_values("pos_b").reset_index(drop=True)


def _check_waves(waves) -> tuple[str, str]:
    from .schema import WAVES
    if (not isinstance(waves, (tuple, list)) or len(waves) != 2 or waves[0] == waves[1]
            or any(w not in WAVES for w in waves)):
        raise ValueError(f"waves must be two different waves of {', '.join(WAVES)}, not {waves!r}.")
    return waves[0], waves[1]


def paired_frame(study, *, waves=("pre", "post"), measure="construct", min_share=0.5) -> pd.DataFrame:
    """Linked data: one row per course x respondent_key present in both waves.

    Parameters
    ----------
    study : Study
    waves : (str, str)
        Wave a and wave b, e.g. ``("pre", "post")`` or ``("post", "followup")``.
    measure : {"construct", "item"}
        Construct scores (reverse-coded) or scale items (as answered).
    min_share : float
        Passed to :func:`construct_scores`.

    Returns
    -------
    DataFrame
        course_id, respondent_key, audience (wave b's), submission_id_a, submission_id_b,
        then ``<id>_a`` and ``<id>_b`` float columns for every construct (or item).
        Empty (with these columns) for an anonymous study.
    """
    if measure not in _MEASURES:
        raise ValueError(f"measure must be one of {', '.join(_MEASURES)}, not {measure!r}.")
    pairs = link_pairs(study, waves)
    if measure == "construct":
        mat, ids = construct_matrix(study, min_share=min_share, waves=waves)
    else:
        mat, ids = item_matrix(study, reverse=False)
    subs = study.submissions
    pa, pb = pairs["pos_a"].to_numpy(), pairs["pos_b"].to_numpy()
    out = pd.DataFrame({
        "course_id": subs["course_id"].to_numpy()[pb],
        "respondent_key": subs["respondent_key"].to_numpy()[pb],
        "audience": subs["audience"].to_numpy()[pb],
        "submission_id_a": subs["submission_id"].to_numpy()[pa],
        "submission_id_b": subs["submission_id"].to_numpy()[pb],
    })
    cols = {}
    for j, mid in enumerate(ids):
        cols[f"{mid}_a"] = mat[pa, j]
        cols[f"{mid}_b"] = mat[pb, j]
    return pd.concat([out, pd.DataFrame(cols, index=out.index)], axis=1)


def _example_study():
    """Two submissions, q1 and reverse-coded q2 on 1..5, construct attitude (docstring examples)."""
    from pathlib import Path

    from .codebook import Codebook, Construct, Item, Scale
    from .study import Study
    scale = Scale("agree5", {v: (str(v),) for v in range(1, 6)})
    cb = Codebook("example", Path("."), scales={"agree5": scale},
                  items=[Item("q1", ("Q1",), scale="agree5"),
                         Item("q2", ("Q2",), scale="agree5", reverse=True)],
                  constructs={"attitude": Construct("attitude", "Attitude", ("q1", "q2"))})
    subs = pd.DataFrame({"submission_id": [1, 2], "course_id": "C1", "wave": ["pre", "post"],
                         "respondent_key": pd.NA, "audience": "staff"})
    answers = pd.DataFrame({"submission_id": [1, 1, 2, 2], "item_id": ["q1", "q2", "q1", "q2"],
                            "value": pd.array([4, 2, 2, 3], dtype="Int64"), "label": None})
    return Study(Path("."), cb, pd.DataFrame(), subs, answers, pd.DataFrame(), pd.DataFrame())
