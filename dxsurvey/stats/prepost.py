"""Pre/post change per course x audience, for items and constructs (DESIGN §4).

One call analyses every group and measure at once: counts, moments, ranks and
normal-approximation p-values are computed with NumPy ``bincount`` over all groups;
scipy is called only for small groups where it uses an exact (or exhaustive
permutation) p-value, bootstrap intervals of item effects are drawn only for groups
with ``n <= boot_max_n``, and construct effects (d_z, g) get noncentral-t intervals.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from ..scoring import _check_waves, construct_matrix, item_matrix, link_pairs, scale_items
from . import effects as fx
from .codes import encode, join

__all__ = ["prepost", "PREPOST_COLUMNS", "MEASURES", "BY_COLUMNS"]

#: Column vocabulary of :func:`prepost` (checked by tests).
PREPOST_COLUMNS = (
    "course_id", "audience", "measure_type", "measure_id", "reverse", "wave_a", "wave_b", "design",
    "n_a", "n_b", "n_pairs", "n_unmatched_a", "n_unmatched_b",
    "mean_a", "mean_b", "sd_a", "sd_b", "median_a", "median_b", "top2_a", "top2_b",
    "diff", "diff_ci_low", "diff_ci_high", "sd_diff", "n_up", "n_same", "n_down",
    "test", "statistic", "p_val", "p_adj",
    "effect_type", "effect", "effect_ci_low", "effect_ci_high", "hedges_g_av", "ci_method", "caution",
)
#: Allowed values of ``measures``.
MEASURES = ("all", "items", "constructs")
#: Columns ``by`` may name.
BY_COLUMNS = ("course_id", "audience")

_CAUTION_N = 10          # n below this carries a caution (DESIGN §4)
_FLAT_SD = 1e-9          # an SD this small (relative to the mean) is rounding noise: no variance
_EXACT_WILCOXON_N = 50   # scipy's wilcoxon method="auto" is exact up to this n (no ties/zeros)
_PERMUTATION_N = 13      # ... and an exhaustive permutation test up to this n with ties/zeros
_EXACT_MWU_N = 8         # scipy's mannwhitneyu "auto" goes exact when a sample is <= 8
_NUMERIC = ("n_a", "n_b", "n_pairs", "n_unmatched_a", "n_unmatched_b", "mean_a", "mean_b", "sd_a",
            "sd_b", "median_a", "median_b", "top2_a", "top2_b", "diff", "diff_ci_low", "diff_ci_high",
            "sd_diff", "n_up", "n_same", "n_down", "statistic", "p_val", "effect", "effect_ci_low", "effect_ci_high", "hedges_g_av")
_INFERENTIAL = ("diff_ci_low", "diff_ci_high", "sd_diff", "n_up", "n_same", "n_down", "statistic", "p_val", "effect", "effect_ci_low",
                "effect_ci_high", "hedges_g_av")


def prepost(study, *, by=("course_id", "audience"), waves=("pre", "post"), measures="all",
            confidence=0.95, n_boot=2000, seed=20241, boot_max_n=30, min_cell=None) -> pd.DataFrame:
    """Change between two waves per group, for scale items and constructs.

    Parameters
    ----------
    study : Study
    by : tuple of str
        Grouping, a subset of ``("course_id", "audience")``; ``()`` analyses the whole
        study as one group.  Submissions with audience NA form their own group.  A linked
        pair takes the wave-b submission's audience.
    waves : (str, str)
        Wave a and wave b: ``("pre", "post")`` for change, ``("post", "followup")`` for
        retention, ``("pre", "then")`` for response shift.
    measures : {"all", "items", "constructs"}
    confidence : float
        Level of every interval.
    n_boot : int
        Bootstrap replicates for effect intervals of small groups.
    seed : int
        Bootstrap seed.  A group's interval depends only on its data, ``seed`` and its
        sample sizes, not on the other groups.
    boot_max_n : int
        Groups with n (pairs, or the smaller wave) up to this get a percentile bootstrap
        effect interval; larger groups an analytic one.
    min_cell : int, optional
        Default ``study.min_cell``.  A group is ``paired`` when the codebook has a
        respondent key and the group has at least ``min_cell`` linked pairs; a row with
        n below ``min_cell`` keeps its counts and descriptives, but its inferential
        columns are NaN and ``caution`` says so.

    Returns
    -------
    DataFrame
        One row per group x measure, columns :data:`PREPOST_COLUMNS`:

        - course_id, audience: the group (NA when not in ``by``, or audience unknown); with
          ``course_id`` in ``by``, a course without answers in one of the two waves has no rows;
        - measure_type ("item" | "construct"), measure_id, reverse (items: the codebook's
          reverse flag, items are analysed as answered; constructs: NA, reverse-coded);
        - wave_a, wave_b; design ("paired" | "independent");
        - n_a, n_b: answers used (both equal n_pairs when paired); n_pairs: linked pairs
          with both answers; n_unmatched_a / n_unmatched_b: valid answers of the wave
          without a linked partner (left out when paired, included when independent);
        - mean_a, mean_b, sd_a, sd_b, median_a, median_b; top2_a, top2_b: share (0-1) of
          answers in the two highest scale levels (constructs: score >= scale max - 1);
        - diff = mean_b - mean_a with a t interval (paired t, or Welch) diff_ci_low/high;
        - sd_diff: SD of the paired differences; n_up, n_same, n_down: pairs whose answer
          (score) rose, stayed, fell (paired only; NaN when independent or suppressed);
        - test: "wilcoxon" (paired items), "mannwhitney" (independent items),
          "paired_t" (paired constructs), "welch_t" (independent constructs);
        - statistic: Wilcoxon T+ of b - a (R's V), U of wave b (R's W of
          ``wilcox.test(b, a)``), or t; p_val two-sided; p_adj: Holm within a family
          (one group x measure_type);
        - effect_type and effect: "rank_biserial" (matched-pairs r for paired items,
          Cliff's delta for independent items), "cohen_dz" (paired constructs),
          "hedges_g" (independent constructs); effect_ci_low/high;
          hedges_g_av: paired constructs only;
        - ci_method: how the EFFECT interval was made: items "bootstrap" (percentile,
          n <= boot_max_n) or "analytic"; constructs "noncentral_t" (d_z and d by
          inverting the noncentral t, as MBESS and R effectsize; g = d's bounds times
          Hedges' correction), which excludes 0 exactly when the difference's t interval
          does; NA when the effect is suppressed or undefined.
          The diff interval is always a t interval;
        - caution: codes of :mod:`dxsurvey.stats.codes` (``small_n(limit=10)``), empty when none.

    Notes
    -----
    Signs: ``diff`` is b - a and every effect is positive when wave b is higher.

    Wilcoxon signed-rank drops zero differences (``zero_method="wilcox"``, as R) and
    uses the normal approximation with tie and continuity correction (R's default);
    small groups follow ``scipy.stats.wilcoxon(method="auto")``: the exact distribution
    when n <= 50 without ties or zeros, an exhaustive sign-flip permutation distribution
    when n <= 13 with ties or zeros (both computed by :func:`effects.signed_rank_exact_p`,
    which the tests check equals scipy), and the normal approximation otherwise.  Mann-Whitney: normal approximation with
    tie and continuity correction; ``scipy.stats.mannwhitneyu(method="auto")`` when a
    wave has <= 8 answers (exact without ties).

    Effects: matched-pairs rank-biserial ``r = (T+ - T-) / (T+ + T-)`` (Kerby 2014;
    pingouin ``wilcoxon(b, a)`` RBC); Cliff's delta ``2 U_b / (n_a n_b) - 1``
    (pingouin >= 0.5.3 ``mwu(b, a)`` RBC; older pingouin had the opposite sign); ``d_z = mean(d) / sd(d)``;
    ``g = J (mean_b - mean_a) / s_pooled`` and ``g_av = J (mean_b - mean_a) /
    sqrt((s_a^2 + s_b^2) / 2)`` with ``J = 1 - 3 / (4 N - 9)``, N = n_a + n_b (2n when
    paired), as pingouin ``compute_effsize``.  Constructs whose paired differences (or
    both waves, independent) have no variance get NaN t, p and effect and a caution, where
    R's ``t.test`` stops ("data are essentially constant").

    Analytic effect intervals: Fisher z for the rank-biserial correlations with the
    null SE ``sqrt((2n^3 + 3n^2 + n) / 6) / (n (n + 1) / 2)`` (paired, n non-zero
    differences) or ``sqrt((n_a + n_b + 1) / (3 n_a n_b))`` (independent); normal
    intervals with ``SE(d_z) = sqrt(1/n + d_z^2 / (2n))`` and ``SE(g) = sqrt((n_a + n_b)
    / (n_a n_b) + g^2 / (2 (n_a + n_b)))``.  Bootstrap: percentile interval of
    ``n_boot`` resamples of pairs (paired) or of each wave (independent); resamples where
    the effect is undefined are dropped.

    References
    ----------
    Kerby, D. S. (2014). The simple difference formula. Comprehensive Psychology, 3.
    Lakens, D. (2013). Calculating and reporting effect sizes. Frontiers in Psychology, 4.

    Examples
    --------
    >>> from dxsurvey.scoring import _example_study
    >>> prepost(_example_study(), by=(), measures="constructs")[["design", "n_a", "n_b", "diff"]]
            design  n_a  n_b  diff
    0  independent    1    1  -1.5
    """
    wave_a, wave_b = _check_waves(waves)
    by = _check_by(by)
    if measures not in MEASURES:
        raise ValueError(f"measures must be one of {', '.join(MEASURES)}, not {measures!r}.")
    confidence = fx.check_confidence(confidence)
    min_cell = study.min_cell if min_cell is None else min_cell
    for name, val, low in (("min_cell", min_cell, 1), ("n_boot", n_boot, 1), ("boot_max_n", boot_max_n, 0)):
        if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or val < low:
            raise ValueError(f"{name} must be a whole number >= {low}, not {val!r}.")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be a whole number, not {seed!r}.")
    opts = dict(confidence=confidence, n_boot=int(n_boot), seed=int(seed),
                boot_max_n=int(boot_max_n), min_cell=int(min_cell))

    subs = study.submissions
    wave = subs["wave"].to_numpy()
    in_a, in_b = wave == wave_a, wave == wave_b
    pairs = link_pairs(study, (wave_a, wave_b))
    pa, pb = pairs["pos_a"].to_numpy(), pairs["pos_b"].to_numpy()
    audience = subs["audience"].astype(object).to_numpy().copy()
    audience[pa] = audience[pb]
    course = subs["course_id"].to_numpy()
    sel = in_a | in_b
    if "course_id" in by:
        # a course asked in only one of the two waves (no `then` wave, a post-only reaction
        # survey) has nothing to compare: it gets no rows rather than rows of NaN
        both = np.intersect1d(course[in_a].astype(str), course[in_b].astype(str))
        sel &= np.isin(course.astype(str), both)
        in_a, in_b = in_a & sel, in_b & sel
        keep = sel[pa] & sel[pb]
        pa, pb = pa[keep], pb[keep]
    g, keys = _groups(course, audience, sel, by)
    G = len(keys)
    keyed = study.codebook.respondent_key is not None
    n_linked = np.bincount(g[pb], minlength=G) if len(pb) else np.zeros(G, dtype=np.int64)
    paired = keyed & (n_linked >= min_cell)
    ctx = dict(g=g, G=G, in_a=in_a, in_b=in_b, pa=pa, pb=pb, gp=g[pb], paired=paired,
               n_linked=n_linked, keyed=keyed, waves=(wave_a, wave_b))

    item_list = []
    if measures in ("all", "items"):
        item_list = [it for it in scale_items(study) if it.in_wave(wave_a) and it.in_wave(wave_b)]
    cons = list(study.codebook.constructs.values()) if measures in ("all", "constructs") else []
    needed = list(dict.fromkeys([it.id for it in item_list] + [i for c in cons for i in c.items]))
    mat, ids = item_matrix(study, needed)
    col = {i: j for j, i in enumerate(ids)}

    blocks = []
    for it in item_list:
        scale = study.codebook.scales[it.scale]
        res = _item_measure(mat[:, col[it.id]], np.array(scale.values, dtype=float), ctx, opts)
        blocks.append(("item", it.id, it.reverse, res))
    if cons:
        # on the items asked in both waves: a changed item set is not a change
        cmat, cids = construct_matrix(study, _answered=(mat, ids), waves=(wave_a, wave_b))
        for j, c in enumerate(study.codebook.constructs.values()):
            if measures in ("all", "constructs"):
                top = max(study.codebook.scales[study.codebook.item(i).scale].max for i in c.items)
                res = _construct_measure(cmat[:, j], float(top) - 1, ctx, opts)
                blocks.append(("construct", c.id, pd.NA, res))
    return _assemble(blocks, keys, by, ctx, opts)


# --------------------------------------------------------------------------- setup


def _check_by(by) -> tuple:
    if isinstance(by, str):
        by = (by,)
    by = tuple(by)
    bad = [b for b in by if b not in BY_COLUMNS]
    if bad or len(set(by)) != len(by):
        raise ValueError(f"by must be a tuple of distinct columns from {', '.join(BY_COLUMNS)} "
                         f"(or ()), not {by!r}.")
    return by


def _groups(course, audience, sel, by):
    """Group code per submission (-1 outside the two waves) and the key of each group."""
    g = np.full(len(course), -1, dtype=np.int64)
    idx = np.flatnonzero(sel)
    if not by:
        g[idx] = 0
        return g, pd.DataFrame({"course_id": [pd.NA], "audience": [pd.NA]}, dtype=object)
    frame = pd.DataFrame({"course_id": pd.Series(course[idx], dtype=object),
                          "audience": pd.Series(audience[idx], dtype=object)})
    frame = frame.where(frame.notna(), None)
    codes = frame.groupby(list(by), dropna=False, sort=True).ngroup().to_numpy()
    g[idx] = codes
    _, first = np.unique(codes, return_index=True)
    keys = frame.iloc[first].reset_index(drop=True)
    for c in BY_COLUMNS:
        if c not in by:
            keys[c] = None
    keys = keys[list(BY_COLUMNS)].astype(object)
    return g, keys.where(keys.notna(), pd.NA)


def _segments(group, groups_wanted):
    """Row indices per wanted group (one argsort, then slices)."""
    if len(groups_wanted) == 0:
        return {}
    order = np.argsort(group, kind="stable")
    sg = group[order]
    lo = np.searchsorted(sg, groups_wanted, side="left")
    hi = np.searchsorted(sg, groups_wanted, side="right")
    return {int(k): order[a:b] for k, a, b in zip(groups_wanted, lo, hi)}


def _gmoments(g, x, G):
    n = np.bincount(g, minlength=G).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(g, weights=x, minlength=G) / n
        ss = np.bincount(g, weights=(x - mean[g]) ** 2, minlength=G)
        sd = np.sqrt(np.where(n > 1, ss / (n - 1), np.nan))
    return n, np.where(n > 0, mean, np.nan), sd


def _gmedian(g, x, G):
    n = np.bincount(g, minlength=G)
    med = np.full(G, np.nan)
    if len(x) == 0:
        return med
    order = np.lexsort((x, g))
    xs = x[order]
    start = np.cumsum(n) - n
    ok = n > 0
    lo = (start + (n - 1) // 2)[ok]
    hi = (start + n // 2)[ok]
    med[ok] = (xs[lo] + xs[hi]) / 2
    return med


def _counts(g, idx, G, L):
    return np.bincount(g * L + idx, minlength=G * L).reshape(G, L)


def _valid_counts(x, ctx):
    """Valid answers per group in wave a and wave b (all submissions)."""
    g, G = ctx["g"], ctx["G"]
    ok = ~np.isnan(x)
    return (np.bincount(g[ok & ctx["in_a"]], minlength=G).astype(float),
            np.bincount(g[ok & ctx["in_b"]], minlength=G).astype(float))


def _level_index(x, values):
    """Position of each value in the scale's sorted values; -1 when not a scale value."""
    pos = np.clip(np.searchsorted(values, x), 0, len(values) - 1)
    return np.where(values[pos] == x, pos, -1)


# --------------------------------------------------------------------------- items


def _item_measure(x, values, ctx, opts):
    """Every column for one scale item, arrays over groups."""
    G, g, gp, paired = ctx["G"], ctx["g"], ctx["gp"], ctx["paired"]
    L = len(values)
    idx = _level_index(np.nan_to_num(x, nan=-1e300), values)
    x = np.where(idx >= 0, x, np.nan)
    nv_a, nv_b = _valid_counts(x, ctx)
    top_from = L - 2 if L >= 2 else 0

    # --- paired: linked pairs with both answers, in every group (used where paired)
    ia, ib = idx[ctx["pa"]], idx[ctx["pb"]]
    ok = (ia >= 0) & (ib >= 0)
    gg, ia, ib = gp[ok], ia[ok], ib[ok]
    pca, pcb = _counts(gg, ia, G, L), _counts(gg, ib, G, L)
    dvals = values[ib] - values[ia]
    # differences are scale-value differences; index them on the grid of value gaps
    d_levels = np.unique(np.concatenate([values - v for v in values]))
    d_idx = np.searchsorted(d_levels, dvals)
    cd = _counts(gg, d_idx, G, len(d_levels))
    neg_mask, pos_mask = d_levels < 0, d_levels > 0
    neg = cd[:, neg_mask][:, ::-1]
    pos = cd[:, pos_mask]
    # |d| levels must line up between negative and positive sides (they do: d_levels is symmetric)
    t_plus, t_minus, n_r, tie = fx.signed_rank_from_counts(neg, pos)
    abs_counts = neg + pos
    n_pairs = pca.sum(axis=1).astype(float)
    _, mean_d, sd_d = fx.counts_mean_sd(cd, d_levels)
    with np.errstate(invalid="ignore", divide="ignore"):
        rbc = np.where(n_r > 0, (t_plus - t_minus) / (n_r * (n_r + 1) / 2), np.nan)
    p_w = fx.wilcoxon_normal_p(t_plus, n_r, tie)

    P = {}
    _, P["mean_a"], P["sd_a"] = fx.counts_mean_sd(pca, values)
    _, P["mean_b"], P["sd_b"] = fx.counts_mean_sd(pcb, values)
    P["median_a"], P["median_b"] = fx.counts_median(pca, values), fx.counts_median(pcb, values)
    with np.errstate(invalid="ignore", divide="ignore"):
        P["top2_a"] = pca[:, top_from:].sum(axis=1) / n_pairs
        P["top2_b"] = pcb[:, top_from:].sum(axis=1) / n_pairs
        P["diff_ci_low"], P["diff_ci_high"] = fx.t_ci(mean_d, sd_d / np.sqrt(n_pairs), n_pairs - 1,
                                                       opts["confidence"])
    P.update(n_a=n_pairs, n_b=n_pairs, diff=mean_d, statistic=t_plus, p_val=p_w, effect=rbc, sd_diff=sd_d,
             n_up=cd[:, pos_mask].sum(axis=1), n_same=cd[:, d_levels == 0].sum(axis=1),
             n_down=cd[:, neg_mask].sum(axis=1))

    # --- independent: every valid answer in each wave
    ga_ok = (idx >= 0) & ctx["in_a"]
    gb_ok = (idx >= 0) & ctx["in_b"]
    ca, cb = _counts(g[ga_ok], idx[ga_ok], G, L), _counts(g[gb_ok], idx[gb_ok], G, L)
    n_a, m_a, s_a = fx.counts_mean_sd(ca, values)
    n_b, m_b, s_b = fx.counts_mean_sd(cb, values)
    u_b, tie_u = fx.rank_sum_from_counts(ca, cb)
    with np.errstate(invalid="ignore", divide="ignore"):
        delta = np.where((n_a > 0) & (n_b > 0), 2 * u_b / (n_a * n_b) - 1, np.nan)
    I = dict(n_a=n_a, n_b=n_b, mean_a=m_a, mean_b=m_b, sd_a=s_a, sd_b=s_b,
             median_a=fx.counts_median(ca, values), median_b=fx.counts_median(cb, values),
             diff=m_b - m_a, statistic=np.where((n_a > 0) & (n_b > 0), u_b, np.nan),
             p_val=fx.mannwhitney_normal_p(u_b, n_a, n_b, tie_u), effect=delta, **_no_pairs(G))
    with np.errstate(invalid="ignore", divide="ignore"):
        I["top2_a"] = ca[:, top_from:].sum(axis=1) / n_a
        I["top2_b"] = cb[:, top_from:].sum(axis=1) / n_b
    I["diff_ci_low"], I["diff_ci_high"] = _welch_ci(m_a, s_a, n_a, m_b, s_b, n_b, opts["confidence"])

    out = _merge(P, I, paired)
    out.update(_pair_counts(n_pairs, nv_a, nv_b, paired))
    n_eff = np.where(paired, n_pairs, np.minimum(out["n_a"], out["n_b"]))
    out["n_eff"] = n_eff
    out["n_nonzero"] = np.where(paired, n_r, np.nan)
    live = n_eff >= opts["min_cell"]

    # analytic effect intervals
    with np.errstate(invalid="ignore", divide="ignore"):
        se_p = np.sqrt((2 * n_r ** 3 + 3 * n_r ** 2 + n_r) / 6) / (n_r * (n_r + 1) / 2)
        se_i = np.sqrt((n_a + n_b + 1) / (3 * n_a * n_b))
    lo_p, hi_p = fx.fisher_z_ci(rbc, se_p, opts["confidence"])
    lo_i, hi_i = fx.fisher_z_ci(delta, se_i, opts["confidence"])
    out["effect_ci_low"] = np.where(paired, lo_p, lo_i)
    out["effect_ci_high"] = np.where(paired, hi_p, hi_i)
    out["ci_method"] = np.where(live, "analytic", None).astype(object)

    # small groups: scipy's exact / permutation p, and bootstrap intervals
    # scipy wilcoxon(method="auto"): exact without ties/zeros up to n = 50, exhaustive
    # permutation with ties/zeros up to n = 13, else the normal approximation (above)
    clean = ((abs_counts <= 1).all(axis=1)) & (n_r == n_pairs)
    small_p = np.flatnonzero(live & paired & (n_r > 0) & (
        ((n_pairs <= _EXACT_WILCOXON_N) & clean) | (n_pairs <= _PERMUTATION_N)))
    small_i = np.flatnonzero(live & ~paired & (np.minimum(n_a, n_b) <= _EXACT_MWU_N))
    boot_p = np.flatnonzero(live & paired & (n_pairs <= opts["boot_max_n"]))
    boot_i = np.flatnonzero(live & ~paired & (np.minimum(n_a, n_b) <= opts["boot_max_n"]))
    if len(small_p) or len(boot_p):
        seg = _segments(gg, np.union1d(small_p, boot_p))
        for k in small_p:
            r = seg[int(k)]
            out["p_val"][k] = fx.signed_rank_exact_p(values[ib[r]] - values[ia[r]])
        onehot_d = np.eye(len(d_levels))
        cells = [(int(k), onehot_d[d_idx[seg[int(k)]]]) for k in boot_p]
        _bootstrap_paired(cells, lambda S, n: _rbc_stat(S, d_levels), out, opts)
    if len(small_i) or len(boot_i):
        want = np.union1d(small_i, boot_i)
        seg_a = _segments(g[ga_ok], want)
        seg_b = _segments(g[gb_ok], want)
        xa, xb = values[idx[ga_ok]], values[idx[gb_ok]]
        onehot = np.eye(L)
        for k in small_i:
            if (ca[k] + cb[k] > 1).any():      # ties: scipy goes asymptotic, as computed above
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = stats.mannwhitneyu(xb[seg_b[int(k)]], xa[seg_a[int(k)]],
                                         use_continuity=True, method="auto")
            out["p_val"][k] = res.pvalue
        ia_ok, ib_ok = idx[ga_ok], idx[gb_ok]
        cells = [(int(k), onehot[ia_ok[seg_a[int(k)]]], onehot[ib_ok[seg_b[int(k)]]]) for k in boot_i]
        _bootstrap_indep(cells, _delta_stat, out, opts)
    out["test"] = np.where(paired, "wilcoxon", "mannwhitney").astype(object)
    out["effect_type"] = np.full(G, "rank_biserial", dtype=object)
    out["hedges_g_av"] = np.full(G, np.nan)
    out["all_zero"] = paired & (n_pairs > 0) & (n_r == 0)
    out["no_var"] = np.zeros(G, dtype=bool)
    return out


def _rbc_stat(S, d_levels):
    """Matched-pairs rank-biserial r from resampled counts S (..., K) of the difference levels."""
    neg = S[..., d_levels < 0][..., ::-1]
    pos = S[..., d_levels > 0]
    tp, tm, nr, _ = fx.signed_rank_from_counts(neg, pos)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(nr > 0, (tp - tm) / (nr * (nr + 1) / 2), np.nan)


def _delta_stat(Sa, Sb, na, nb):
    """Cliff's delta (b over a) from resampled counts per scale level Sa, Sb (..., L)."""
    u_b, _ = fx.rank_sum_from_counts(Sa, Sb)
    return 2 * u_b / (na * nb) - 1


# --------------------------------------------------------------------------- constructs


def _construct_measure(x, top_threshold, ctx, opts):
    """Every column for one construct score, arrays over groups."""
    G, g, gp, paired = ctx["G"], ctx["g"], ctx["gp"], ctx["paired"]
    nv_a, nv_b = _valid_counts(x, ctx)

    a, b = x[ctx["pa"]], x[ctx["pb"]]
    ok = ~np.isnan(a) & ~np.isnan(b)
    gg, a, b = gp[ok], a[ok], b[ok]
    d = b - a
    n, ma, sa = _gmoments(gg, a, G)
    _, mb, sb = _gmoments(gg, b, G)
    _, md, sdd = _gmoments(gg, d, G)
    flat_p = _flat(sdd, md)          # equal differences: t and d_z undefined (as R's t.test)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = sdd / np.sqrt(n)
        t = np.where(flat_p, np.nan, md / se)
        p = 2 * stats.t.sf(np.abs(t), np.where(n > 1, n - 1, np.nan))
        dz = np.where(flat_p, np.nan, md / sdd)
        g_av = (mb - ma) / np.sqrt((sa ** 2 + sb ** 2) / 2) * fx.hedges_correction(2 * n)
        P = dict(n_a=n, n_b=n, mean_a=ma, mean_b=mb, sd_a=sa, sd_b=sb,
                 median_a=_gmedian(gg, a, G), median_b=_gmedian(gg, b, G),
                 top2_a=np.bincount(gg, weights=(a >= top_threshold - 1e-9), minlength=G) / n,
                 top2_b=np.bincount(gg, weights=(b >= top_threshold - 1e-9), minlength=G) / n,
                 diff=md, statistic=t, p_val=p, effect=dz, hedges_g_av=g_av, sd_diff=sdd,
                 n_up=np.bincount(gg, weights=d > _FLAT_SD, minlength=G),
                 n_same=np.bincount(gg, weights=np.abs(d) <= _FLAT_SD, minlength=G),
                 n_down=np.bincount(gg, weights=d < -_FLAT_SD, minlength=G))
    P["diff_ci_low"], P["diff_ci_high"] = fx.t_ci(md, se, n - 1, opts["confidence"])
    live_p = paired & (n >= opts["min_cell"])
    P["effect_ci_low"], P["effect_ci_high"] = np.full(G, np.nan), np.full(G, np.nan)
    if live_p.any():       # noncentral t: agrees with the difference's t interval at any n
        lo, hi = fx.noncentral_t_ci(t[live_p], n[live_p] - 1, np.sqrt(n[live_p]), opts["confidence"])
        P["effect_ci_low"][live_p], P["effect_ci_high"][live_p] = lo, hi

    oka = ~np.isnan(x) & ctx["in_a"]
    okb = ~np.isnan(x) & ctx["in_b"]
    n_a, m_a, s_a = _gmoments(g[oka], x[oka], G)
    n_b, m_b, s_b = _gmoments(g[okb], x[okb], G)
    with np.errstate(invalid="ignore", divide="ignore"):
        va, vb = s_a ** 2 / n_a, s_b ** 2 / n_b
        se_w = np.sqrt(va + vb)
        df = se_w ** 4 / (va ** 2 / (n_a - 1) + vb ** 2 / (n_b - 1))
        sp = np.sqrt(((n_a - 1) * s_a ** 2 + (n_b - 1) * s_b ** 2) / (n_a + n_b - 2))
        flat_i = _flat(sp, np.fmax(np.abs(m_a), np.abs(m_b)))   # both waves constant
        t_w = np.where(flat_i, np.nan, (m_b - m_a) / se_w)
        p_w = 2 * stats.t.sf(np.abs(t_w), df)
        hg = np.where(flat_i, np.nan, (m_b - m_a) / sp * fx.hedges_correction(n_a + n_b))
        I = dict(n_a=n_a, n_b=n_b, mean_a=m_a, mean_b=m_b, sd_a=s_a, sd_b=s_b,
                 median_a=_gmedian(g[oka], x[oka], G), median_b=_gmedian(g[okb], x[okb], G),
                 top2_a=np.bincount(g[oka], weights=(x[oka] >= top_threshold - 1e-9), minlength=G) / n_a,
                 top2_b=np.bincount(g[okb], weights=(x[okb] >= top_threshold - 1e-9), minlength=G) / n_b,
                 diff=m_b - m_a, statistic=t_w, p_val=p_w, effect=hg, hedges_g_av=np.full(G, np.nan),
                 **_no_pairs(G))
        h = np.sqrt(n_a * n_b / (n_a + n_b))
        t_pooled = np.where(flat_i, np.nan, (m_b - m_a) / sp * h)
    I["diff_ci_low"], I["diff_ci_high"] = fx.t_ci(m_b - m_a, se_w, df, opts["confidence"])
    live_i = ~paired & (np.minimum(n_a, n_b) >= opts["min_cell"])
    I["effect_ci_low"], I["effect_ci_high"] = np.full(G, np.nan), np.full(G, np.nan)
    if live_i.any():       # Cohen's d's noncentral-t interval, times Hedges' correction (as R effectsize)
        lo, hi = fx.noncentral_t_ci(t_pooled[live_i], (n_a + n_b - 2)[live_i], h[live_i], opts["confidence"])
        j = fx.hedges_correction((n_a + n_b)[live_i])
        I["effect_ci_low"][live_i], I["effect_ci_high"][live_i] = lo * j, hi * j

    out = _merge(P, I, paired)
    out.update(_pair_counts(n, nv_a, nv_b, paired))
    n_eff = np.where(paired, n, np.minimum(out["n_a"], out["n_b"]))
    out["n_eff"] = n_eff
    live = n_eff >= opts["min_cell"]
    # d_z and g: the noncentral-t interval at every n (a percentile bootstrap of d_z at
    # n = 5 gave [0.31, 4.92] beside a difference interval that includes 0)
    out["ci_method"] = np.where(live, "noncentral_t", None).astype(object)
    out["test"] = np.where(paired, "paired_t", "welch_t").astype(object)
    out["effect_type"] = np.where(paired, "cohen_dz", "hedges_g").astype(object)
    out["n_nonzero"] = np.full(G, np.nan)
    out["all_zero"] = paired & (n > 0) & flat_p & _flat(np.abs(md), 1.0)
    out["no_var"] = np.where(paired, flat_p, flat_i) & ~out["all_zero"]
    return out


def _flat(sd, mean):
    """True where ``sd`` is 0 up to rounding (construct scores such as 1/3 are inexact)."""
    with np.errstate(invalid="ignore"):
        return sd <= _FLAT_SD * np.maximum(1.0, np.abs(mean))


# --------------------------------------------------------------------------- shared


def _welch_ci(m_a, s_a, n_a, m_b, s_b, n_b, confidence):
    with np.errstate(invalid="ignore", divide="ignore"):
        va, vb = s_a ** 2 / n_a, s_b ** 2 / n_b
        se = np.sqrt(va + vb)
        df = se ** 4 / (va ** 2 / (n_a - 1) + vb ** 2 / (n_b - 1))
    return fx.t_ci(m_b - m_a, se, df, confidence)


def _no_pairs(G):  # noqa: N802
    """Paired-only columns of an independent-samples analysis: NaN."""
    return {k: np.full(G, np.nan) for k in ("sd_diff", "n_up", "n_same", "n_down")}


def _merge(P, I, paired):
    return {k: np.where(paired, np.asarray(P[k], dtype=float), np.asarray(I[k], dtype=float))
            for k in P if k in I}


def _pair_counts(n_pairs, nv_a, nv_b, paired):
    """n_pairs and who was left out (paired) / had no linked partner (independent)."""
    return dict(n_pairs=n_pairs, n_unmatched_a=nv_a - n_pairs, n_unmatched_b=nv_b - n_pairs)


_CHUNK_ELEMENTS = 8_000_000


def _resampled_sums(features, n_boot, seed, stream, cache):
    """Bootstrap sums of per-observation features for many cells at once.

    ``features`` is a list of (n_i, K) arrays.  Resample r of a cell of size n draws n
    positions with replacement; with W (n_boot, n) counting how often each position is
    drawn, the resampled feature sums are ``W @ F``.  W depends only on (seed, stream, n),
    so a cell's interval does not depend on which other cells are analysed, and cells of
    the same n share one matrix product.  Returns (len(features), n_boot, K).
    """
    K = features[0].shape[1]
    out = np.empty((len(features), n_boot, K))
    sizes = np.array([len(f) for f in features])
    for n in np.unique(sizes):
        n = int(n)
        key = (n, stream)
        if key not in cache:
            if len(cache) > 256:
                cache.clear()
            idx = fx.bootstrap_indices(n_boot, seed, n, stream=stream)
            flat = (idx + n * np.arange(n_boot)[:, None]).ravel()
            cache[key] = np.bincount(flat, minlength=n_boot * n).reshape(n_boot, n).astype(float)
        W = cache[key]
        sel = np.flatnonzero(sizes == n)
        F = np.stack([features[i] for i in sel], axis=1).reshape(n, len(sel) * K)
        out[sel] = (W @ F).reshape(n_boot, len(sel), K).transpose(1, 0, 2)
    return out


def _store_ci(out, ks, boot, opts):
    lo, hi = fx.percentile_ci(boot, opts["confidence"], axis=-1)
    out["effect_ci_low"][ks], out["effect_ci_high"][ks] = lo, hi
    out["ci_method"][ks] = "bootstrap"


def _bootstrap_paired(cells, stat, out, opts):
    """Percentile effect intervals for paired cells [(group, features (n, K))]."""
    if not cells:
        return
    cells = sorted(cells, key=lambda c: len(c[1]))
    K = cells[0][1].shape[1]
    step = max(1, _CHUNK_ELEMENTS // (opts["n_boot"] * K))
    cache: dict = {}
    for s in range(0, len(cells), step):
        chunk = cells[s:s + step]
        S = _resampled_sums([f for _, f in chunk], opts["n_boot"], opts["seed"], 0, cache)
        n = np.array([len(f) for _, f in chunk], dtype=float)[:, None]
        _store_ci(out, np.array([k for k, _ in chunk]), stat(S, n), opts)


def _bootstrap_indep(cells, stat, out, opts):
    """Percentile effect intervals for independent cells [(group, features_a, features_b)];
    the two waves are resampled separately."""
    if not cells:
        return
    cells = sorted(cells, key=lambda c: (len(c[1]), len(c[2])))
    K = cells[0][1].shape[1]
    step = max(1, _CHUNK_ELEMENTS // (2 * opts["n_boot"] * K))
    cache: dict = {}
    for s in range(0, len(cells), step):
        chunk = cells[s:s + step]
        Sa = _resampled_sums([a for _, a, _ in chunk], opts["n_boot"], opts["seed"], 1, cache)
        Sb = _resampled_sums([b for _, _, b in chunk], opts["n_boot"], opts["seed"], 2, cache)
        na = np.array([len(a) for _, a, _ in chunk], dtype=float)[:, None]
        nb = np.array([len(b) for _, _, b in chunk], dtype=float)[:, None]
        _store_ci(out, np.array([k for k, _, _ in chunk]), stat(Sa, Sb, na, nb), opts)


def _cautions(res, ctx, opts):
    """Caution codes per group for one measure (:mod:`dxsurvey.stats.codes`)."""
    wave_a, wave_b = ctx["waves"]
    min_cell = opts["min_cell"]
    cells = []
    for k in range(ctx["G"]):
        parts = []
        if ctx["paired"][k] and res["n_a"][k] == 0:
            parts.append(encode("no_pairs"))
        elif res["n_a"][k] == 0 or res["n_b"][k] == 0:
            missing = [w for w, n in ((wave_a, res["n_a"][k]), (wave_b, res["n_b"][k])) if n == 0]
            parts.append(encode("no_answers", waves="+".join(missing)))
        elif res["n_eff"][k] < min_cell:
            parts.append(encode("suppressed", min_cell=min_cell))
        elif res["n_eff"][k] < _CAUTION_N:
            parts.append(encode("small_n", limit=_CAUTION_N))
        if ctx["keyed"] and not ctx["paired"][k] and 0 < ctx["n_linked"][k]:
            parts.append(encode("independent_fallback", min_cell=min_cell))
        if res["all_zero"][k]:
            parts.append(encode("all_diffs_zero"))
        elif res["no_var"][k] and res["n_eff"][k] >= min_cell:
            parts.append(encode("no_variance_diffs" if ctx["paired"][k] else "no_variance_scores"))
        cells.append(join(parts))
    return cells


def _column(values, n: int) -> np.ndarray:
    """``values`` (a scalar or a sequence of ``n``) as an object array of ``n``."""
    if isinstance(values, str) or np.ndim(values) == 0:
        return np.full(n, values, dtype=object)
    out = np.empty(n, dtype=object)
    out[:] = list(values)
    return out


def _assemble(blocks, keys, by, ctx, opts):
    G = ctx["G"]
    if not blocks or not G:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PREPOST_COLUMNS})
    # one dict of columns per measure, one DataFrame at the end: a frame built per measure with
    # two dozen column insertions was most of prepost's time on a course
    parts: dict[str, list] = {}
    course_ids, audiences = keys["course_id"].to_numpy(), keys["audience"].to_numpy()
    design = np.where(ctx["paired"], "paired", "independent")
    for measure_type, mid, reverse, res in blocks:
        live = res["n_eff"] >= opts["min_cell"]
        cols = {c: np.asarray(res[c], dtype=float).copy() for c in _NUMERIC}
        for c in _INFERENTIAL:
            cols[c][~live] = np.nan
        block = {"course_id": course_ids, "audience": audiences,
                 "measure_type": np.full(G, measure_type, dtype=object), "measure_id": np.full(G, mid, dtype=object),
                 "reverse": np.full(G, reverse, dtype=object), **cols,
                 "wave_a": np.full(G, ctx["waves"][0], dtype=object), "wave_b": np.full(G, ctx["waves"][1], dtype=object),
                 "design": design, "test": _column(res["test"], G), "effect_type": _column(res["effect_type"], G),
                 "ci_method": np.where(live & ~np.isnan(cols["effect"]), res["ci_method"], None),
                 "caution": _column(_cautions(res, ctx, opts), G),
                 "_g": np.arange(G), "_t": np.full(G, 0 if measure_type == "item" else 1)}
        for c, v in block.items():
            parts.setdefault(c, []).append(v)
    out = pd.DataFrame({c: np.concatenate(v) for c, v in parts.items()})
    # the text dtype (NaN for a missing value) these columns have when built from strings
    for c in ("measure_type", "measure_id", "wave_a", "wave_b", "design"):
        out[c] = out[c].astype("str")
    for c in ("test", "effect_type", "caution"):
        out[c] = pd.Series(out[c].tolist(), index=out.index)
    out["_m"] = out.groupby(["_g", "_t"]).cumcount()
    out = out.sort_values(["_g", "_t", "_m"], kind="stable").reset_index(drop=True)
    out["p_adj"] = fx.holm(out["p_val"].to_numpy(), out["_g"].to_numpy() * 2 + out["_t"].to_numpy())
    for c in ("n_a", "n_b", "n_pairs", "n_unmatched_a", "n_unmatched_b"):
        out[c] = out[c].astype("int64")
    out["reverse"] = out["reverse"].astype("boolean")
    for c in ("course_id", "audience", "ci_method"):
        out[c] = out[c].astype(object).where(out[c].notna(), pd.NA)
    return out[list(PREPOST_COLUMNS)]
