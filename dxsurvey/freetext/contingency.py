"""Tests on contingency tables: χ², Fisher's exact test, adjusted (Haberman) residuals."""
from __future__ import annotations

import math

import numpy as np

__all__ = ["expected", "adjusted_residuals", "table_test", "FISHER_RESAMPLES"]

#: Resamples of Fisher's test on tables larger than 2×2 (exact when fewer tables exist).
FISHER_RESAMPLES = 9_999


def _check(table) -> np.ndarray:
    t = np.asarray(table, dtype=float)
    if t.ndim != 2 or t.shape[0] < 2 or t.shape[1] < 2:
        raise ValueError(f"a contingency table needs at least 2 rows and 2 columns, got shape {t.shape}")
    if (t < 0).any() or not np.allclose(t, np.round(t)):
        raise ValueError("a contingency table holds counts (non-negative integers)")
    return t


def expected(table) -> np.ndarray:
    """Expected counts under independence, ``row total × column total / N``."""
    t = _check(table)
    n = t.sum()
    return np.outer(t.sum(axis=1), t.sum(axis=0)) / n if n else np.zeros_like(t)


def adjusted_residuals(table) -> tuple[np.ndarray, np.ndarray]:
    """Haberman's adjusted residuals and their two-sided normal p-values.

    Notes
    -----
    ``r_ij = (O_ij - E_ij) / sqrt(E_ij (1 - R_i/N) (1 - C_j/N))``; under independence each is
    approximately standard normal, so ``p = 2 (1 - Φ(|r|))``.  A cell whose row or column is
    empty gets NaN.

    References
    ----------
    Haberman, S. J. (1973). The analysis of residuals in cross-classified tables.
    *Biometrics*, 29, 205–220.

    Examples
    --------
    >>> r, p = adjusted_residuals([[12, 8], [5, 15]])
    >>> round(float(r[0, 0]), 4)
    2.2389
    """
    t = _check(table)
    n = t.sum()
    e = expected(t)
    rows = t.sum(axis=1, keepdims=True) / n
    cols = t.sum(axis=0, keepdims=True) / n
    var = e * (1 - rows) * (1 - cols)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(var > 0, (t - e) / np.sqrt(var), np.nan)
    from scipy import stats   # here, not at import: ingest loads this package in every process

    p = 2 * stats.norm.sf(np.abs(r))
    return r, p


def table_test(table, *, correction: bool | str = "auto", fisher_below: float = 5.0,
               seed: int = 0) -> dict:
    """Test of independence on a contingency table: Fisher's exact test or Pearson's χ².

    Parameters
    ----------
    table : array-like of counts
        Rows × columns, at least 2×2; empty rows and columns are dropped first.
    correction : bool or "auto"
        Yates' continuity correction of χ².  ``"auto"`` applies it to 2×2 tables only (as R's
        ``chisq.test`` does, and KH Coder with it).
    fisher_below : float
        Fisher's exact test is used when any expected count is below this (default 5).
    seed : int
        Seed of the resampling Fisher test on tables larger than 2×2.

    Returns
    -------
    dict
        ``test`` (``"chi2"`` or ``"fisher"``; ``"none"`` when the table has fewer than two
        non-empty rows or columns), ``statistic`` (Pearson's χ², with Yates' correction when
        applied; also given when Fisher's p is used), ``dof``, ``p_val``, ``yates`` (bool),
        ``min_expected``.

    Notes
    -----
    Fisher's test on 2×2 tables is scipy's exact conditional test (R ``fisher.test``); on
    larger tables scipy's ``fisher_exact``: exact (``PermutationMethod``, every pairing) when
    the pairings of the N observations, N!, are at most :data:`FISHER_RESAMPLES`, else
    ``MonteCarloMethod``: that many seeded random tables with the observed margins (Patefield's
    algorithm, ``scipy.stats.random_table``), the share at most as probable as the observed
    table, like R ``fisher.test(simulate.p.value = TRUE, B = 9999)``.  (Permuting the pairings
    at random draws from the same distribution, but table by table: 200 times slower.)

    Examples
    --------
    >>> r = table_test([[12, 8], [5, 15]])
    >>> r["test"], round(r["statistic"], 4), round(r["p_val"], 4)
    ('chi2', 3.6829, 0.055)
    """
    if correction not in (True, False, "auto"):
        raise ValueError(f"correction must be True, False or 'auto', got {correction!r}")
    t = _check(table)
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    if t.shape[0] < 2 or t.shape[1] < 2:
        return {"test": "none", "statistic": np.nan, "dof": 0, "p_val": np.nan, "yates": False,
                "min_expected": np.nan}
    e = expected(t)
    yates = bool(t.shape == (2, 2)) if correction == "auto" else bool(correction and t.shape == (2, 2))
    from scipy import stats

    chi2, p, dof, _ = stats.chi2_contingency(t, correction=yates)
    out = {"test": "chi2", "statistic": float(chi2), "dof": int(dof), "p_val": float(p), "yates": yates,
           "min_expected": float(e.min())}
    if e.min() < fisher_below:
        counts = t.astype(np.int64)
        if counts.shape == (2, 2):
            p = stats.fisher_exact(counts).pvalue
        else:   # every pairing when few enough (exact), else seeded random tables with the margins
            exact = math.factorial(int(counts.sum())) <= FISHER_RESAMPLES
            kind = stats.PermutationMethod if exact else stats.MonteCarloMethod
            method = kind(n_resamples=FISHER_RESAMPLES, rng=np.random.default_rng(seed))
            p = stats.fisher_exact(counts, method=method).pvalue
        out.update(test="fisher", p_val=float(p))
    return out
