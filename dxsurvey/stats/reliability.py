"""Internal consistency per construct and group: Cronbach's alpha (Feldt CI), McDonald's
omega total (one-factor minres, as R ``psych::omega(x, nfactors=1)``), corrected
item-total correlations and alpha-if-deleted.

Items are reverse-coded first; each construct x group uses listwise-complete rows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..scoring import item_matrix
from . import effects as fx
from .codes import encode, join

__all__ = ["reliability", "item_stats", "alpha", "feldt_ci", "omega_total", "minres_loadings", "RELIABILITY_STATS",
           "ITEM_STATS", "BY_COLUMNS"]

#: Columns after ``construct_id`` and the ``by`` columns in :func:`reliability`.
RELIABILITY_STATS = ("n", "k", "alpha", "alpha_ci_low", "alpha_ci_high", "omega_total", "caution")
#: Columns after ``construct_id`` and the ``by`` columns in :func:`item_stats`.
ITEM_STATS = ("item_id", "n", "item_total_r", "alpha_if_deleted")
#: Columns ``by`` may name.
BY_COLUMNS = ("wave", "audience", "course_id")

_MIN_N = 3
_CAUTION_N = 10
#: Above this share of careless (straight-lining, too fast) rows, alpha carries a caution.
CARELESS_SHARE = 0.10


def alpha(x: np.ndarray) -> float:
    """Raw Cronbach's alpha of a complete (n x k) matrix (psych ``raw_alpha``).

    ``alpha = k / (k - 1) * (1 - sum(var_i) / var(sum))``.

    Examples
    --------
    >>> alpha(np.array([[1, 2], [2, 3], [3, 3], [4, 5]]))
    0.96
    """
    x = np.asarray(x, dtype=float)
    k = x.shape[1]
    if k < 2 or x.shape[0] < 2:
        return np.nan
    total = x.sum(axis=1).var(ddof=1)
    if total == 0:
        return np.nan
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total))


def feldt_ci(a, n, k, confidence=0.95):
    """Feldt (1965) interval of alpha, as ``psych::alpha.ci``.

    ``1 - (1 - alpha) * F(q; n - 1, (n - 1)(k - 1))`` for q = 1 - (1-c)/2 (lower) and
    (1-c)/2 (upper).
    """
    p = 1 - confidence
    df1, df2 = n - 1, (n - 1) * (k - 1)
    if not np.isfinite(a) or df1 < 1 or df2 < 1:
        return np.nan, np.nan
    lo = 1 - (1 - a) * stats.f.ppf(1 - p / 2, df1, df2)
    hi = 1 - (1 - a) * stats.f.ppf(p / 2, df1, df2)
    return float(lo), float(hi)


def _minres_residual(psi, S):
    R = S.copy()
    np.fill_diagonal(R, 1 - psi)
    w, v = np.linalg.eigh(R)
    lam = v[:, -1] * np.sqrt(max(w[-1], 0.0))
    resid = R - np.outer(lam, lam)
    return resid[np.tril_indices_from(resid, -1)], lam


def minres_loadings(S: np.ndarray) -> np.ndarray:
    """One-factor minimum-residual loadings of a correlation matrix, as ``psych::fa(fm="minres")``.

    Uniquenesses ``psi`` are found by L-BFGS-B within [0.005, 1] minimising the sum of
    squared off-diagonal residuals of ``S`` with ``1 - psi`` on its diagonal; loadings are
    the first eigenvector scaled by the root of its eigenvalue.  Signs: positive sum.
    """
    S = np.asarray(S, dtype=float)
    k = S.shape[0]
    start = np.clip(1 / np.diag(np.linalg.pinv(S)), 0.005, 1.0)    # 1 - squared multiple correlation

    def f(psi):
        r, _ = _minres_residual(psi, S)
        return float(r @ r)

    res = optimize.minimize(f, start, method="L-BFGS-B", bounds=[(0.005, 1.0)] * k,
                            options={"ftol": 1e-14, "gtol": 1e-10, "maxiter": 10_000})
    _, lam = _minres_residual(res.x, S)
    return lam if lam.sum() >= 0 else -lam


def omega_total(x: np.ndarray) -> float:
    """McDonald's omega total from a one-factor minres fit on the correlation matrix.

    As ``psych::omega(x, nfactors=1)$omega.tot``: items with a negative loading are
    flipped, then ``omega_t = 1 - sum(1 - h2) / sum(R)`` with ``h2 = loading^2`` and
    ``R`` the (flipped) correlation matrix.
    """
    x = np.asarray(x, dtype=float)
    if x.shape[1] < 2 or x.shape[0] < _MIN_N or np.any(x.std(axis=0) == 0):
        return np.nan
    S = np.corrcoef(x, rowvar=False)
    lam = minres_loadings(S)
    key = np.where(lam < 0, -1.0, 1.0)
    S = S * np.outer(key, key)
    h2 = lam ** 2
    return float(1 - (1 - h2).sum() / S.sum())


def _check(study, by, constructs, confidence):
    by = (by,) if isinstance(by, str) else tuple(by)
    bad = [b for b in by if b not in BY_COLUMNS]
    if bad or len(set(by)) != len(by):
        raise ValueError(f"by must be a tuple of distinct columns from {', '.join(BY_COLUMNS)} "
                         f"(or ()), not {by!r}.")
    allc = study.codebook.constructs
    if constructs is None:
        constructs = list(allc)
    elif isinstance(constructs, str):
        constructs = [constructs]
    unknown = [c for c in constructs if c not in allc]
    if unknown:
        raise ValueError(f"unknown construct {unknown[0]!r}; constructs are: {', '.join(allc) or 'none'}.")
    return by, list(constructs), fx.check_confidence(confidence)


def _blocks(study, by, constructs, *, with_rows=False):
    """(construct, group key dict, items, complete matrix) for every construct x group
    (and the submissions' positions used, with ``with_rows``)."""
    subs = study.submissions
    keys = subs[list(by)].astype(object) if by else pd.DataFrame(index=subs.index)
    keys = keys.where(keys.notna(), None)
    for cid in constructs:
        items = list(study.codebook.constructs[cid].items)
        mat, _ = item_matrix(study, items, reverse=True)
        complete = ~np.isnan(mat).any(axis=1)
        if by:
            grouped = keys.reset_index(drop=True).groupby(list(by), dropna=False, sort=True).indices
        else:
            grouped = {(): np.arange(len(subs))}
        for key, rows in grouped.items():
            key = key if isinstance(key, tuple) else (key,)
            rows = np.asarray(rows)
            used = rows[complete[rows]]
            if with_rows:
                yield cid, dict(zip(by, key)), items, mat[used], used
            else:
                yield cid, dict(zip(by, key)), items, mat[used]


def reliability(study, *, by=("wave",), constructs=None, confidence=0.95) -> pd.DataFrame:
    """Cronbach's alpha with Feldt CI and omega total per construct and group.

    Parameters
    ----------
    study : Study
    by : tuple of str
        Grouping columns of ``study.submissions`` from ``("wave", "audience", "course_id")``;
        ``()`` pools everything.  NA forms its own group.
    constructs : list of str, optional
        Construct ids (default: all, codebook order).
    confidence : float
        Level of the Feldt interval.

    Returns
    -------
    DataFrame
        construct_id, the ``by`` columns, then :data:`RELIABILITY_STATS`: n (listwise
        complete rows), k (items), alpha (raw Cronbach's alpha on reverse-coded items),
        alpha_ci_low / alpha_ci_high (Feldt), omega_total (one-factor minres, as
        ``psych::omega(x, nfactors=1)$omega.tot``), caution (codes of :mod:`dxsurvey.stats.codes`, empty when none).
        Groups with n < 3 or k < 2 give NaN and a caution; more than 10 % of rows
        flagged careless (``submissions.careless``) add ``careless(share=..,limit=10%)``.

    Notes
    -----
    ``alpha = k/(k-1) (1 - sum s_i^2 / s_total^2)``; Feldt interval
    ``1 - (1 - alpha) F_{q}(n-1, (n-1)(k-1))``; ``omega_t = 1 - sum(1 - h2) / sum(R)``.

    References
    ----------
    Feldt, L. S. (1965). Psychometrika, 30, 357-370.
    McDonald, R. P. (1999). Test theory: A unified treatment.
    Revelle, W. psych: ``alpha``, ``alpha.ci``, ``omega``.

    Examples
    --------
    >>> from dxsurvey.scoring import _example_study
    >>> rel = reliability(_example_study(), by=())
    >>> rel[["construct_id", "n", "k"]].to_dict("records")
    [{'construct_id': 'attitude', 'n': 2, 'k': 2}]
    >>> rel.loc[0, "caution"]
    'too_few_respondents(limit=3)'
    """
    by, constructs, confidence = _check(study, by, constructs, confidence)
    rows = []
    careless = (study.submissions["careless"].fillna(False).to_numpy(bool)
                if "careless" in study.submissions.columns else np.zeros(len(study.submissions), bool))
    for cid, key, items, x, used in _blocks(study, by, constructs, with_rows=True):
        n, k = x.shape
        row = {"construct_id": cid, **key, "n": n, "k": k}
        cautions = []
        if k < 2:
            cautions.append(encode("too_few_items"))
        if n < _MIN_N:
            cautions.append(encode("too_few_respondents", limit=_MIN_N))
        if cautions:
            row.update(alpha=np.nan, alpha_ci_low=np.nan, alpha_ci_high=np.nan, omega_total=np.nan)
        else:
            a = alpha(x)
            lo, hi = feldt_ci(a, n, k, confidence)
            row.update(alpha=a, alpha_ci_low=lo, alpha_ci_high=hi, omega_total=omega_total(x))
            if n < _CAUTION_N:
                cautions.append(encode("small_n", limit=_CAUTION_N))
            if np.isnan(a):
                cautions.append(encode("no_total_variance"))
            elif a < 0:
                cautions.append(encode("negative_alpha"))
            if np.isnan(row["omega_total"]) and not np.isnan(a):
                cautions.append(encode("omega_item_no_variance"))
        share = float(careless[used].mean()) if n else 0.0
        if share > CARELESS_SHARE:
            # straight-liners inflate alpha (every item agrees with every other)
            cautions.append(encode("careless", share=f"{share:.0%}", limit=f"{CARELESS_SHARE:.0%}"))
        row["caution"] = join(cautions)
        rows.append(row)
    cols = ["construct_id", *by, *RELIABILITY_STATS]
    out = pd.DataFrame(rows, columns=cols)
    out["n"] = out["n"].astype("int64")
    out["k"] = out["k"].astype("int64")
    return out


def item_stats(study, *, by=("wave",), constructs=None) -> pd.DataFrame:
    """Corrected item-total correlation and alpha-if-deleted per item, construct and group.

    Parameters
    ----------
    study, by, constructs
        As :func:`reliability`.

    Returns
    -------
    DataFrame
        construct_id, the ``by`` columns, then :data:`ITEM_STATS`: item_id, n (listwise
        complete rows of the construct), item_total_r (correlation of the reverse-coded
        item with the sum of the other items, psych ``r.drop``), alpha_if_deleted (raw
        alpha of the other items, psych ``alpha.drop$raw_alpha``; NaN when only one item
        would remain or n < 3).
    """
    by, constructs, _ = _check(study, by, constructs, 0.95)
    rows = []
    for cid, key, items, x in _blocks(study, by, constructs):
        n, k = x.shape
        for j, item in enumerate(items):
            r = a_del = np.nan
            if n >= _MIN_N and k >= 2:
                rest = np.delete(x, j, axis=1)
                other = rest.sum(axis=1)
                if x[:, j].std() > 0 and other.std() > 0:
                    r = float(np.corrcoef(x[:, j], other)[0, 1])
                a_del = alpha(rest) if k >= 3 else np.nan
            rows.append({"construct_id": cid, **key, "item_id": item, "n": n,
                         "item_total_r": r, "alpha_if_deleted": a_del})
    out = pd.DataFrame(rows, columns=["construct_id", *by, *ITEM_STATS])
    out["n"] = out["n"].astype("int64")
    return out
