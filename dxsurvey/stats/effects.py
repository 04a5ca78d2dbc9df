"""Shared, vectorised helpers: effect sizes, confidence intervals, bootstrap, Holm.

Every function works on NumPy arrays so one call serves many groups at once.
Signs follow dxsurvey's convention: an effect is positive when the second sample
(wave b) is higher.
"""
from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = [
    "check_confidence", "z_crit", "t_ci", "normal_ci", "fisher_z_ci", "hedges_correction",
    "signed_rank_from_counts", "rank_sum_from_counts", "counts_mean_sd", "counts_median",
    "bootstrap_indices", "percentile_ci", "holm", "wilcoxon_normal_p", "mannwhitney_normal_p",
    "signed_rank_exact_p", "noncentral_t_ci",
]


def check_confidence(confidence) -> float:
    """Return ``confidence`` as float, or raise ValueError unless 0 < confidence < 1."""
    if not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be a number between 0 and 1 (e.g. 0.95), not {confidence!r}.")
    return float(confidence)


def z_crit(confidence: float) -> float:
    """Two-sided standard normal quantile, 1.959964 for 0.95."""
    return float(stats.norm.ppf(0.5 + confidence / 2))


def t_ci(est, se, df, confidence):
    """``est -/+ t(df) * se`` (two-sided).  NaN where df < 1 or se is NaN."""
    est, se, df = (np.asarray(x, dtype=float) for x in (est, se, df))
    with np.errstate(invalid="ignore"):
        q = stats.t.ppf(0.5 + confidence / 2, np.where(df >= 1, df, np.nan))
    return est - q * se, est + q * se


def normal_ci(est, se, confidence):
    """``est -/+ z * se``."""
    z = z_crit(confidence)
    est, se = np.asarray(est, dtype=float), np.asarray(se, dtype=float)
    return est - z * se, est + z * se


def fisher_z_ci(r, se_z, confidence):
    """Interval ``tanh(atanh(r) -/+ z * se_z)`` for a correlation-type effect in [-1, 1]."""
    z = z_crit(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        rz = np.arctanh(np.clip(np.asarray(r, dtype=float), -1, 1))
        return np.tanh(rz - z * se_z), np.tanh(rz + z * se_z)


def hedges_correction(n_total):
    """Small-sample factor ``J = 1 - 3 / (4 * n_total - 9)`` (as pingouin's ``compute_effsize``).

    ``n_total`` is n_a + n_b (for paired data pingouin also uses 2n).
    """
    n_total = np.asarray(n_total, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n_total > 3, 1 - 3 / (4 * n_total - 9), np.nan)


def signed_rank_from_counts(neg, pos):
    """Wilcoxon signed-rank pieces from counts of the absolute differences 1..K.

    Parameters
    ----------
    neg, pos : ndarray, shape (..., K)
        ``neg[..., k-1]`` = number of differences equal to -k, ``pos`` likewise +k, for
        integer differences (zeros removed, Wilcoxon's method).

    Returns
    -------
    t_plus, t_minus, n_nonzero, tie_term
        Sum of average ranks of positive (negative) differences, the number of
        non-zero differences and ``sum(t**3 - t)`` over tie groups of |d|.
    """
    neg = np.asarray(neg, dtype=float)
    pos = np.asarray(pos, dtype=float)
    tot = neg + pos
    before = np.cumsum(tot, axis=-1) - tot
    rank = before + (tot + 1) / 2
    t_plus = (pos * rank).sum(axis=-1)
    t_minus = (neg * rank).sum(axis=-1)
    return t_plus, t_minus, tot.sum(axis=-1), (tot ** 3 - tot).sum(axis=-1)


def rank_sum_from_counts(count_a, count_b):
    """Mann-Whitney pieces from counts per ordered level (ties get average ranks).

    Returns
    -------
    u_b, tie_term
        U of sample b (``R_b - n_b (n_b + 1) / 2``, R's ``W`` of ``wilcox.test(b, a)``)
        and ``sum(t**3 - t)`` over the pooled tie groups.
    """
    ca = np.asarray(count_a, dtype=float)
    cb = np.asarray(count_b, dtype=float)
    c = ca + cb
    before = np.cumsum(c, axis=-1) - c
    rank = before + (c + 1) / 2
    n_b = cb.sum(axis=-1)
    u_b = (cb * rank).sum(axis=-1) - n_b * (n_b + 1) / 2
    return u_b, (c ** 3 - c).sum(axis=-1)


def counts_mean_sd(counts, values):
    """n, mean and sample SD (ddof=1) from counts per value.  counts: (..., L)."""
    counts = np.asarray(counts, dtype=float)
    values = np.asarray(values, dtype=float)
    n = counts.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (counts * values).sum(axis=-1) / n
        ss = (counts * (values - mean[..., None]) ** 2).sum(axis=-1)
        sd = np.sqrt(np.where(n > 1, ss / (n - 1), np.nan))
    return n, np.where(n > 0, mean, np.nan), sd


def counts_median(counts, values):
    """Median (mean of the two middle values for even n) from counts per sorted value."""
    counts = np.asarray(counts)
    values = np.asarray(values, dtype=float)
    n = counts.sum(axis=-1)
    cum = np.cumsum(counts, axis=-1)
    lo = np.maximum((n - 1) // 2, 0)
    hi = n // 2
    i_lo = (cum > lo[..., None]).argmax(axis=-1)
    i_hi = (cum > hi[..., None]).argmax(axis=-1)
    med = (values[i_lo] + values[np.minimum(i_hi, len(values) - 1)]) / 2
    return np.where(n > 0, med, np.nan)


def wilcoxon_normal_p(t_plus, n, tie_term):
    """Two-sided p of the signed-rank test, normal approximation with tie and continuity
    correction, as R ``wilcox.test(paired=TRUE, exact=FALSE)`` and scipy
    ``wilcoxon(correction=True, method="asymptotic")``."""
    t_plus, n, tie_term = (np.asarray(x, dtype=float) for x in (t_plus, n, tie_term))
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(n * (n + 1) * (2 * n + 1) / 24 - tie_term / 48)
        z = t_plus - n * (n + 1) / 4
        z = (z - np.sign(z) * 0.5) / se
        p = 2 * stats.norm.sf(np.abs(z))
    return np.where((n > 0) & (se > 0), np.minimum(p, 1.0), np.nan)


def mannwhitney_normal_p(u_b, n_a, n_b, tie_term):
    """Two-sided p of the Mann-Whitney test, normal approximation with tie and continuity
    correction, as R ``wilcox.test(b, a, exact=FALSE)`` and scipy
    ``mannwhitneyu(use_continuity=True, method="asymptotic")``."""
    u_b, n_a, n_b, tie_term = (np.asarray(x, dtype=float) for x in (u_b, n_a, n_b, tie_term))
    n = n_a + n_b
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.sqrt(n_a * n_b / 12 * ((n + 1) - tie_term / (n * (n - 1))))
        z = u_b - n_a * n_b / 2
        z = (z - np.sign(z) * 0.5) / sigma
        p = 2 * stats.norm.sf(np.abs(z))
    return np.where((n_a > 0) & (n_b > 0) & (sigma > 0), np.minimum(p, 1.0), np.nan)


def bootstrap_indices(n_boot: int, seed: int, n: int, *, stream: int = 0):
    """Seeded resampling indices, an (n_boot, n) array of positions drawn with replacement.

    The generator is seeded with ``(seed, stream, n)`` so a group's interval depends only
    on its own data, the seed and its sample size, not on which other groups are analysed;
    ``stream`` keeps the two waves of an independent comparison apart.
    """
    rng = np.random.default_rng([int(seed), int(stream), int(n)])
    return rng.integers(0, n, size=(n_boot, n))


def percentile_ci(boot, confidence, axis=-1):
    """Percentile interval of bootstrap replicates; non-finite replicates are ignored."""
    boot = np.where(np.isfinite(boot), boot, np.nan)
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo, hi = np.nanquantile(boot, [alpha / 2, 1 - alpha / 2], axis=axis)
    return lo, hi


def holm(p, family):
    """Holm-adjusted p within each family, vectorised over all families.

    Equals statsmodels ``multipletests(p, method="holm")[1]`` applied to each family
    (``min(1, cummax((m - i) * p_(i)))`` over the sorted p of a family of size m; the tests
    check the equality).  NaN p-values stay NaN and do not count towards a family's size.
    One vectorised pass instead of a call per family (multipletests costs ~50 ms a call).
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    if not len(ok):
        return out
    codes, _ = _codes(np.asarray(family)[ok])
    pv = p[ok]
    order = np.lexsort((pv, codes))
    c, ps = codes[order], pv[order]
    size = np.bincount(c)
    start = np.cumsum(size) - size
    rank = np.arange(len(c)) - start[c]                 # 0-based position within the family
    adj = np.minimum(ps * (size[c] - rank), 1.0)
    import pandas as pd
    adj = pd.Series(adj).groupby(c, sort=False).cummax().to_numpy()   # within each family
    res = np.empty(len(ok))
    res[order] = adj
    out[ok] = res
    return out


def _codes(values):
    import pandas as pd
    codes, uniq = pd.factorize(pd.Series(values), use_na_sentinel=False)
    return codes, uniq


def signed_rank_exact_p(d) -> float:
    """Two-sided p of the signed-rank test from the exact null distribution of T+.

    Zero differences are dropped (Wilcoxon's method); tied |d| keep their average ranks.
    Over all 2^m sign assignments of the m non-zero differences, T+ is counted by dynamic
    programming on doubled (integer) ranks, and ``p = min(1, 2 min(P(T+ <= t), P(T+ >= t)))``.
    Without ties this is the exact distribution of scipy ``wilcoxon(method="exact")``
    and R; with ties it equals scipy's exhaustive permutation test
    (``method="auto"`` for n <= 13), computed without enumerating the 2^m assignments.
    """
    d = np.asarray(d, dtype=float)
    d = d[d != 0]
    m = len(d)
    if m == 0:
        return np.nan
    w = np.rint(2 * stats.rankdata(np.abs(d))).astype(np.int64)
    t_obs = int(w[d > 0].sum())
    counts = np.zeros(int(w.sum()) + 1)
    counts[0] = 1.0
    for wi in w:
        counts[wi:] += counts[:-wi].copy()
    counts /= counts.sum()
    cdf = counts[: t_obs + 1].sum()
    sf = counts[t_obs:].sum()
    return float(min(1.0, 2 * min(cdf, sf)))


def _nct_cdf_minus(nc, t, df, target):
    """``nct.cdf(t, df, nc) - target``; where scipy gives NaN far in a tail at large df
    (t 41.8, df 5005, nc 0.19), the limit (1 below t, 0 above)."""
    p = stats.nct.cdf(t, df, nc)
    return np.where(np.isnan(p), np.where(nc < t, 1.0, 0.0), p) - target


def _nct_roots(t, df, target):
    """For each element, the noncentrality ``nc`` with ``nct.cdf(t, df, nc) == target``
    (cdf falls as nc grows): a bracket t ± w, w = 2 + |t| doubled until the signs differ
    (at most 60 times; NaN if never), then Chandrupatla's method on all elements at once
    (``scipy.optimize.elementwise.find_root``)."""
    from scipy.optimize.elementwise import find_root

    t, df = np.asarray(t, dtype=float), np.asarray(df, dtype=float)
    target = np.full(t.shape, float(target))
    width = 2.0 + np.abs(t)
    found = np.zeros(t.shape, dtype=bool)
    for _ in range(60):
        lo, hi = t - width, t + width
        found = (_nct_cdf_minus(lo, t, df, target) > 0) & (_nct_cdf_minus(hi, t, df, target) < 0)
        if found.all():
            break
        width = np.where(found, width, width * 2)
    out = np.full(t.shape, np.nan)
    if found.any():
        res = find_root(_nct_cdf_minus, (lo[found], hi[found]), args=(t[found], df[found], target[found]),
                        tolerances={"xatol": 1e-10, "xrtol": 1e-12}, maxiter=500)
        out[found] = np.where(res.success, res.x, np.nan)
    return out


def noncentral_t_ci(t, df, scale, confidence):
    """Confidence interval of a standardised mean difference by inverting the noncentral t.

    For an observed ``t`` with ``df`` degrees of freedom, the bounds of the noncentrality
    parameter are the ``nc`` with ``P(T <= t | nc) = 1 - alpha/2`` (lower) and ``alpha/2``
    (upper); the effect's bounds are ``nc / scale``.  Cohen's d_z: ``t`` of the paired t
    test, ``df = n - 1``, ``scale = sqrt(n)``; Cohen's d of two groups: the pooled-variance
    ``t``, ``df = n_a + n_b - 2``, ``scale = sqrt(n_a n_b / (n_a + n_b))`` (Hedges' g: both
    bounds times the small-sample correction).  Unlike a percentile bootstrap, the interval
    excludes 0 exactly when the t test's interval of the difference does.

    Parameters
    ----------
    t, df, scale : array-like
        Broadcast together; NaN (or df <= 0) gives NaN bounds.
    confidence : float

    Returns
    -------
    (ndarray, ndarray)
        Lower and upper bounds.

    References
    ----------
    Steiger, J. H. & Fouladi, R. T. (1997). Noncentrality interval estimation and the
    evaluation of statistical models.  Kelley, K. (2007). Confidence intervals for
    standardized effect sizes (MBESS ``ci.smd``, ``ci.sm``).  R effectsize ``cohens_d``.

    Examples
    --------
    >>> lo, hi = noncentral_t_ci(2.5, 19, 20 ** 0.5, 0.95)
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.0802, 1.0252)
    """
    confidence = check_confidence(confidence)
    t, df, scale = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=float)) for v in (t, df, scale)))
    alpha = 1 - confidence
    lo, hi = np.full(t.shape, np.nan), np.full(t.shape, np.nan)
    ok = np.isfinite(t) & np.isfinite(df) & (df > 0) & np.isfinite(scale) & (scale > 0)
    if ok.any():
        lo[ok] = _nct_roots(t[ok], df[ok], 1 - alpha / 2) / scale[ok]
        hi[ok] = _nct_roots(t[ok], df[ok], alpha / 2) / scale[ok]
    return lo, hi
