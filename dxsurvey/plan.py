"""Planning the next course: power, what worked, needs, behaviour, ideas, recommendations.

The statistics behind the planning report (issue 14).  Every function is pure: a
:class:`~dxsurvey.study.Study` or tidy frames in, tidy frames of numbers and codes out,
never a sentence and never a language; the report layer words the codes.

* Sample size and power for the next evaluation: :func:`sample_size`, :func:`power`,
  :func:`mde` (statsmodels ``TTestPower``, ``TTestIndPower``, ``FTestAnovaPower``),
  the ANCOVA reduction ``1 - rho**2``, inflation for response and attrition
  (:func:`invitations`, :func:`power_at_turnout`, :func:`sample_size_table`), the
  design inputs a study shows (:func:`prepost_correlation`, :func:`turnout`) and the
  answers the next evaluation needs given them (:func:`answers_needed`).
* What worked, honestly: :func:`classify` and :func:`equivalence` (95 % interval for a
  difference, 90 % interval for equivalence, TOST), :func:`what_worked` on
  :func:`dxsurvey.stats.compare` contrasts, :func:`gain_per_hour`.
* Needs: :func:`needs` (levels, gains, fall-back after follow-up, quadrants).
* Behaviour (Kirkpatrick level 3): :func:`behaviour` (Wilson intervals, suppressed).
* Ideas register (level 4): :func:`load_ideas`, :func:`idea_summaries`.
* Recommendations: :func:`recommend`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .ideas import IDEA_STATUSES, Ideas, load_ideas   # the register is read at the ingest layer

__all__ = [
    "DESIGNS", "CLASSES", "QUADRANTS", "STATUSES", "IDEA_STATUSES", "PLAN_FACTORS",
    "WHAT_WORKED_COLUMNS", "NEEDS_COLUMNS", "BEHAVIOUR_COLUMNS", "DECISION_COLUMNS", "NEEDED_COLUMNS",
    "sample_size", "power", "mde", "anova_nobs", "ancova_effect", "dz_from_d", "invitations",
    "power_at_turnout", "sample_size_table", "prepost_correlation", "turnout", "answers_needed",
    "classify", "equivalence", "tost_from_intervals", "what_worked", "WhatWorked",
    "gain_per_hour", "needs", "behaviour", "load_ideas", "Ideas", "idea_summaries",
    "recommend", "Recommendation", "audience_study",
]

#: Designs the power functions know.  ``paired``: n pairs, effect d_z; ``independent``:
#: n per group (group 2 has ``ratio * n``), effect d; ``ancova``: independent groups
#: analysed with a pre-test covariate correlating ``rho`` with the outcome; ``anova``:
#: one-way ANOVA with ``k_groups`` equal groups, effect Cohen's f, n per group.
DESIGNS = ("paired", "independent", "ancova", "anova")

#: Classification codes of a comparison (95 % interval for the difference, 90 % interval
#: against the equivalence bounds -sesoi..+sesoi):
#: ``different`` 差がある, ``different_but_small`` 差はあるが実質的に小さい,
#: ``equivalent`` 同等とみなせる, ``undecided`` 区別できない（判定保留）.
CLASSES = ("different", "different_but_small", "equivalent", "undecided")

#: Quadrant codes of :func:`needs`.  With importance items: ``priority_improve`` 重点改善
#: (important, low attainment), ``maintain`` 維持 (important, high), ``low_priority``
#: 優先度低 (less important, low), ``surplus`` 過剰 (less important, high).  Without them,
#: level x gain: ``priority_improve`` (low level, small gain), ``improving`` (low level,
#: large gain), ``strength`` (high, large), ``maintain`` (high, small).
QUADRANTS = ("priority_improve", "maintain", "low_priority", "surplus", "improving", "strength")

#: Status codes of a :func:`recommend` decision.
STATUSES = ("recommended", "better_than_some", "equivalent", "undecided", "not_estimable",
            "fixed", "weakest", "derived")

#: Factors :func:`what_worked` and :func:`recommend` compare (course columns).
PLAN_FACTORS = ("instructor", "instructor_type", "format", "style")

#: Columns of :attr:`WhatWorked.contrasts`.
WHAT_WORKED_COLUMNS = (
    "audience", "construct", "factor", "model", "design", "level_a", "level_b",
    "n_a", "n_b", "n_courses_a", "n_courses_b", "diff", "ci_low", "ci_high", "p_val",
    "ci90_low", "ci90_high", "sd", "sesoi", "sesoi_raw", "d", "p_tost", "class",
    "rho", "mde_d", "mde_raw", "adjusted_for", "tangled_with", "entangled_with", "source", "caution",
)

#: Columns of :func:`needs`.
NEEDS_COLUMNS = (
    "audience", "measure_type", "measure_id", "construct", "n_post", "post_mean", "post_ci_low",
    "post_ci_high", "rank_post", "n_followup", "followup_mean", "followup_ci_low",
    "followup_ci_high", "rank_followup", "gain", "gain_ci_low", "gain_ci_high", "gain_norm",
    "gain_norm_ci_low", "gain_norm_ci_high", "rank_gain", "fallback", "fallback_ci_low",
    "fallback_ci_high", "fallback_class", "importance", "quadrant", "quadrant_basis",
)

#: Columns of :func:`behaviour`.
BEHAVIOUR_COLUMNS = ("by", "level", "item_id", "n", "n_yes", "share", "ci_low", "ci_high",
                     "mean", "mean_ci_low", "mean_ci_high", "suppressed")

#: Columns of :func:`answers_needed`.
NEEDED_COLUMNS = ("audience", "construct", "n_pairs", "rho", "dz", "n_change", "n_compare", "rate",
                  "invite_change", "invite_compare", "invited_course", "n_expected", "power_expected",
                  "mde_expected")

#: Columns of :attr:`Recommendation.decisions`.
DECISION_COLUMNS = ("audience", "aspect", "choice", "status", "basis", "estimate", "ci_low",
                    "ci_high", "versus", "diff", "class", "n", "n_courses", "n_versus",
                    "n_courses_versus", "tangled_with", "entangled_with", "not_beaten", "source")

#: Primary model of a comparison: the first of these that :func:`compare` returned
#: (the comparison report's order, ``plots.MODEL_PREFERENCE``; a test checks they agree).
MODEL_PREFERENCE = ("ancova", "mixed", "post_only", "wave_x_factor", "gain")

_CAUTION_N = 10


# ============================================================================ arguments

def _check_choice(name: str, value, allowed) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(str, allowed))}, not {value!r}.")
    return value


def _check_prob(name: str, value, *, closed_high: bool = False) -> float:
    ok = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool) and (
        0 < value <= 1 if closed_high else 0 < value < 1)
    if not ok:
        rng = "(0, 1]" if closed_high else "(0, 1)"
        raise ValueError(f"{name} must be a number in {rng}, not {value!r}.")
    return float(value)


def _check_positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, not {value!r}.")
    return float(value)


def _check_effect(effect) -> float:
    if isinstance(effect, bool) or not isinstance(effect, (int, float, np.integer, np.floating)) \
            or not math.isfinite(effect) or effect == 0:
        raise ValueError(f"effect must be a non-zero number (a standardised effect such as d = 0.5), "
                         f"not {effect!r}.")
    return abs(float(effect))


def _check_design(design, rho, k_groups):
    _check_choice("design", design, DESIGNS)
    if design == "ancova":
        if isinstance(rho, bool) or not isinstance(rho, (int, float, np.floating)) or not -1 < rho < 1:
            raise ValueError(f"design 'ancova' needs rho, the pre-post correlation, a number in (-1, 1); "
                             f"not {rho!r}.")
    if design == "anova":
        if isinstance(k_groups, bool) or not isinstance(k_groups, (int, np.integer)) or k_groups < 2:
            raise ValueError(f"design 'anova' needs k_groups, a whole number of groups >= 2; not {k_groups!r}.")


# ============================================================================ power

def ancova_effect(effect: float, rho: float) -> float:
    """The effect an ANCOVA sees: ``d / sqrt(1 - rho**2)``.

    Adjusting for a pre-test that correlates ``rho`` with the outcome removes the
    share ``rho**2`` of the error variance (Borm, Fransen & Lemmens 2007), so a
    two-group ANCOVA needs ``(1 - rho**2)`` times the t-test's sample size.

    Examples
    --------
    >>> round(ancova_effect(0.3, 0.6), 4)
    0.375
    """
    effect = _check_effect(effect)
    _check_design("ancova", rho, None)
    return effect / math.sqrt(1 - rho ** 2)


def dz_from_d(d: float, rho: float) -> float:
    """Paired effect ``d_z = d / sqrt(2 (1 - rho))`` from a standardised mean change ``d``
    (pre-post SDs equal) and the pre-post correlation ``rho`` (Lakens 2013, eq. 5).

    Examples
    --------
    >>> round(dz_from_d(0.3, 0.5), 4)
    0.3
    """
    d = _check_effect(d)
    _check_design("ancova", rho, None)
    return d / math.sqrt(2 * (1 - rho))


def _tt(design):
    from statsmodels.stats.power import FTestAnovaPower, TTestIndPower, TTestPower
    return {"paired": TTestPower, "independent": TTestIndPower, "ancova": TTestIndPower,
            "anova": FTestAnovaPower}[design]()


def _scalar(value) -> float:
    """statsmodels' ``solve_power`` answers with a 1-element array when its root finder fell
    back to ``fsolve`` (e.g. the effect for nobs1=2030, ratio=0.909): the same number."""
    return float(np.asarray(value, dtype=float).reshape(-1)[0]) if np.ndim(value) else float(value)


def _solve(design, *, effect=None, n=None, power=None, alpha=0.05, ratio=1.0, k_groups=None):
    solver = _tt(design)
    if design == "anova":
        nobs = None if n is None else n * k_groups
        out = _scalar(solver.solve_power(effect_size=effect, nobs=nobs, alpha=alpha, power=power, k_groups=k_groups))
        return out / k_groups if n is None else out
    if design == "paired":
        return _scalar(solver.solve_power(effect_size=effect, nobs=n, alpha=alpha, power=power,
                                          alternative="two-sided"))
    return _scalar(solver.solve_power(effect_size=effect, nobs1=n, alpha=alpha, power=power, ratio=ratio,
                                      alternative="two-sided"))


def sample_size(effect: float, design: str = "paired", power: float = 0.8, alpha: float = 0.05,
                ratio: float = 1.0, *, rho: float | None = None, k_groups: int | None = None) -> int:
    """Answers needed to detect ``effect`` (two-sided test), rounded up.

    Parameters
    ----------
    effect : float
        Standardised effect: d_z for ``paired``, Cohen's d for ``independent`` and
        ``ancova`` (on the raw outcome SD), Cohen's f for ``anova``.  Its sign is ignored.
    design : {"paired", "independent", "ancova", "anova"}
    power, alpha : float
        Wanted power and two-sided significance level.
    ratio : float
        ``independent`` / ``ancova``: size of group 2 relative to group 1.
    rho : float, optional
        ``ancova``: correlation of pre-test and outcome (e.g. :func:`prepost_correlation`).
    k_groups : int, optional
        ``anova``: number of groups.

    Returns
    -------
    int
        Pairs (``paired``) or the size of group 1 (``independent``, ``ancova``; group 2
        needs ``ceil(ratio * n)``) or of each group (``anova``).

    Notes
    -----
    ``paired``: one-sample t test on the differences (statsmodels ``TTestPower``), as
    G*Power's "means: difference between two dependent means".  ``independent``:
    ``TTestIndPower``.  ``ancova``: ``TTestIndPower`` with ``d / sqrt(1 - rho**2)``
    (:func:`ancova_effect`).  ``anova``: ``FTestAnovaPower`` (total n / k, rounded up).

    References
    ----------
    Cohen (1988). Statistical power analysis for the behavioral sciences.
    Faul, Erdfelder, Lang & Buchner (2007). G*Power 3.  Borm, Fransen & Lemmens (2007).

    Examples
    --------
    >>> sample_size(0.5)                       # G*Power: 34 pairs
    34
    >>> sample_size(0.5, design="independent", power=0.9)   # G*Power manual: 86 per group
    86
    >>> sample_size(0.5, design="ancova", rho=0.6)
    42
    """
    effect = _check_effect(effect)
    _check_design(design, rho, k_groups)
    power = _check_prob("power", power)
    alpha = _check_prob("alpha", alpha)
    ratio = _check_positive("ratio", ratio)
    if design == "ancova":
        effect = ancova_effect(effect, rho)
    n = _solve(design, effect=effect, power=power, alpha=alpha, ratio=ratio, k_groups=k_groups)
    return int(math.ceil(n - 1e-9))


def anova_nobs(effect: float, k_groups: int, power: float = 0.8, alpha: float = 0.05) -> float:
    """Total n (not rounded) a one-way ANOVA with ``k_groups`` equal groups needs for Cohen's f.

    Examples
    --------
    >>> round(anova_nobs(0.25, 3), 2)          # statsmodels FTestAnovaPower
    157.19
    """
    effect = _check_effect(effect)
    _check_design("anova", None, k_groups)
    return _solve("anova", effect=effect, power=_check_prob("power", power),
                  alpha=_check_prob("alpha", alpha), k_groups=k_groups) * k_groups


def _check_n(n, design) -> float:
    low = 2
    if isinstance(n, bool) or not isinstance(n, (int, float, np.integer, np.floating)) or not n >= low:
        raise ValueError(f"n must be a number of {'pairs' if design == 'paired' else 'answers per group'} "
                         f">= {low}, not {n!r}.")
    return float(n)


def power(effect: float, n: float, design: str = "paired", alpha: float = 0.05, ratio: float = 1.0, *,
          rho: float | None = None, k_groups: int | None = None) -> float:
    """Power of a two-sided test of ``effect`` with ``n`` pairs or ``n`` per group.

    Parameters are those of :func:`sample_size`; ``n`` counts pairs (``paired``), group 1
    (``independent``, ``ancova``) or each group (``anova``).

    Examples
    --------
    >>> round(power(0.5, 86, design="independent"), 4)   # G*Power manual: 0.9032
    0.9032
    """
    effect = _check_effect(effect)
    _check_design(design, rho, k_groups)
    n = _check_n(n, design)
    alpha = _check_prob("alpha", alpha)
    ratio = _check_positive("ratio", ratio)
    if design == "ancova":
        effect = ancova_effect(effect, rho)
    return _solve(design, effect=effect, n=n, alpha=alpha, ratio=ratio, k_groups=k_groups)


def mde(n: float, design: str = "paired", power: float = 0.8, alpha: float = 0.05, ratio: float = 1.0, *,
        rho: float | None = None, k_groups: int | None = None) -> float:
    """Minimum detectable effect: the smallest standardised effect found with ``power``.

    Parameters are those of :func:`sample_size`.  For ``ancova`` the effect is on the
    raw outcome SD (the t-test's MDE times ``sqrt(1 - rho**2)``).

    Examples
    --------
    >>> round(mde(30), 3)                      # 30 pairs: d_z 0.529
    0.529
    >>> round(mde(24, design="independent"), 2)   # 24 per group
    0.83
    """
    _check_design(design, rho, k_groups)
    n = _check_n(n, design)
    power_ = _check_prob("power", power)
    alpha = _check_prob("alpha", alpha)
    ratio = _check_positive("ratio", ratio)
    d = _solve(design, n=n, power=power_, alpha=alpha, ratio=ratio, k_groups=k_groups)
    return d * math.sqrt(1 - rho ** 2) if design == "ancova" else d


_power_of = power      # for functions whose `power` argument is the wanted power


def _yield(response_rate, attrition) -> float:
    """Share of the invited expected to give usable answers: ``response_rate * (1 - attrition)``."""
    rr = _check_prob("response_rate", response_rate, closed_high=True)
    if isinstance(attrition, bool) or not isinstance(attrition, (int, float)) or not 0 <= attrition < 1:
        raise ValueError(f"attrition must be a number in [0, 1), not {attrition!r}.")
    return rr * (1 - attrition)


def invitations(n: int, response_rate: float = 1.0, attrition: float = 0.0) -> int:
    """People to invite so that ``n`` answers are expected after response and attrition.

    ``ceil(n / (response_rate * (1 - attrition)))``.  ``response_rate``: share of the
    invited who answer (for a paired design, who answer both waves); ``attrition``: share
    of those lost before the follow-up.

    Examples
    --------
    >>> invitations(34, response_rate=0.7, attrition=0.3)
    70
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive whole number, not {n!r}.")
    return int(math.ceil(n / _yield(response_rate, attrition) - 1e-9))


def power_at_turnout(effect: float, invited: int, response_rate: float = 1.0, attrition: float = 0.0,
                     design: str = "paired", alpha: float = 0.05, ratio: float = 1.0, *,
                     rho: float | None = None, k_groups: int | None = None) -> tuple[int, float]:
    """(expected n, power) when ``invited`` people are asked (per group for group designs).

    The expected n is ``floor(invited * response_rate * (1 - attrition))``; the power is
    :func:`power` at that n (NaN below 2).

    Examples
    --------
    >>> n, p = power_at_turnout(0.5, invited=40, response_rate=0.7)
    >>> n, round(p, 3)
    (28, 0.723)
    """
    if isinstance(invited, bool) or not isinstance(invited, (int, np.integer)) or invited < 1:
        raise ValueError(f"invited must be a positive whole number, not {invited!r}.")
    n = int(math.floor(invited * _yield(response_rate, attrition) + 1e-9))
    if n < 2:
        return n, math.nan
    return n, power(effect, n, design=design, alpha=alpha, ratio=ratio, rho=rho, k_groups=k_groups)


def sample_size_table(effects=(0.2, 0.3, 0.5), *, design: str = "paired", power: float = 0.8,
                      alpha: float = 0.05, ratio: float = 1.0, rho: float | None = None,
                      k_groups: int | None = None, response_rate: float = 1.0, attrition: float = 0.0,
                      invited: int | None = None) -> pd.DataFrame:
    """Answers and invitations needed per effect size, and what an expected turnout gives.

    Returns
    -------
    DataFrame
        One row per effect: effect, design, n (pairs, or per group), n_total (all
        answers: n for ``paired``, ``n + ceil(ratio n)`` for two groups, ``k n`` for
        ``anova``), invite (per group: :func:`invitations`), then, when ``invited`` is
        given, n_expected and power_expected (:func:`power_at_turnout`) and
        mde_expected (the MDE at n_expected).

    Examples
    --------
    >>> sample_size_table((0.3, 0.5), response_rate=0.7)[["effect", "n", "invite"]]
       effect   n  invite
    0     0.3  90     129
    1     0.5  34      49
    """
    rows = []
    for eff in effects:
        n = sample_size(eff, design=design, power=power, alpha=alpha, ratio=ratio, rho=rho, k_groups=k_groups)
        total = (n if design == "paired" else n * k_groups if design == "anova"
                 else n + int(math.ceil(ratio * n - 1e-9)))
        row = {"effect": float(eff), "design": design, "n": n, "n_total": total,
               "invite": invitations(n, response_rate, attrition)}
        if invited is not None:
            n_exp, p_exp = power_at_turnout(eff, invited, response_rate, attrition, design=design,
                                            alpha=alpha, ratio=ratio, rho=rho, k_groups=k_groups)
            row.update(n_expected=n_exp, power_expected=p_exp,
                       mde_expected=(mde(n_exp, design=design, power=power, alpha=alpha, ratio=ratio,
                                         rho=rho, k_groups=k_groups) if n_exp >= 2 else math.nan))
        rows.append(row)
    return pd.DataFrame(rows)


def prepost_correlation(study, *, waves=("pre", "post"), confidence: float = 0.95,
                        min_cell: int | None = None) -> pd.DataFrame:
    """Observed correlation of construct scores between two waves, per audience and overall.

    Returns
    -------
    DataFrame
        audience (``all`` for everyone), construct, n_pairs, r (Pearson), ci_low, ci_high
        (Fisher z); r is NaN below ``min_cell`` pairs.  Use r as ``rho`` for an
        ANCOVA sample size, or to turn a between-person d into d_z (:func:`dz_from_d`).
    """
    from .scoring import paired_frame
    from .stats.effects import check_confidence, fisher_z_ci
    confidence = check_confidence(confidence)
    min_cell = study.min_cell if min_cell is None else min_cell
    pf = paired_frame(study, waves=waves)
    rows = []
    groups = [("all", pf)] + [(a, g) for a, g in pf.groupby("audience", sort=True)]
    for aud, g in groups:
        for cid in study.codebook.constructs:
            x, y = g.get(f"{cid}_a"), g.get(f"{cid}_b")
            if x is None:
                continue
            ok = x.notna() & y.notna()
            n = int(ok.sum())
            r = lo = hi = math.nan
            if n >= max(min_cell, 4) and np.ptp(x[ok]) > 0 and np.ptp(y[ok]) > 0:
                r = float(np.corrcoef(x[ok], y[ok])[0, 1])
                lo, hi = (float(v) for v in fisher_z_ci(r, 1 / math.sqrt(n - 3), confidence))
            rows.append((aud, cid, n, r, lo, hi))
    return pd.DataFrame(rows, columns=["audience", "construct", "n_pairs", "r", "ci_low", "ci_high"])


def turnout(study) -> pd.DataFrame:
    """Answers per course and wave against the invited, to plan the next invitation.

    Returns
    -------
    DataFrame
        course_id, invited, n_pre, n_post, n_followup, n_pairs (pre-post linked),
        rate_post (n_post / invited), rate_pairs (n_pairs / invited; NaN for a course
        without respondent codes), retention (NaN for a course without a follow-up survey)
        (n_followup / n_post).  NaN where a count or ``invited`` is unknown.
    """
    from .scoring import link_pairs
    subs = study.submissions
    counts = subs.groupby(["course_id", "wave"]).size().unstack(fill_value=0)
    pairs = link_pairs(study)
    n_pairs = subs["course_id"].to_numpy()[pairs["pos_b"].to_numpy()] if len(pairs) else np.array([])
    n_pairs = pd.Series(n_pairs, dtype=object).value_counts()
    out = study.courses[["course_id"]].copy()
    out["invited"] = study.courses["invited"] if "invited" in study.courses.columns else pd.NA
    for w in ("pre", "post", "followup"):
        col = counts[w] if w in counts.columns else pd.Series(dtype=float)
        out[f"n_{w}"] = out["course_id"].map(col).fillna(0).astype(int)
    out["n_pairs"] = out["course_id"].map(n_pairs).fillna(0).astype(int)
    inv = pd.to_numeric(out["invited"], errors="coerce").astype(float)
    out["invited"] = out["invited"].astype("Int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rate_post"] = out["n_post"] / inv
        keyed = set(subs.loc[subs["respondent_key"].notna(), "course_id"])
        out["rate_pairs"] = np.where(out["course_id"].isin(keyed), out["n_pairs"] / inv, np.nan)
        surveyed = {(src.course, src.wave) for src in study.codebook.sources} or {
            (c, w) for c, w in zip(subs["course_id"], subs["wave"])}
        has_fu = np.array([(c, "followup") in surveyed for c in out["course_id"]], dtype=bool)
        out["retention"] = np.where(has_fu & (out["n_post"] > 0),
                                    out["n_followup"] / out["n_post"].where(out["n_post"] > 0), np.nan)
    return out.reset_index(drop=True)


def answers_needed(study, *, sesoi: float = 0.3, power: float = 0.8, alpha: float = 0.05,
                   min_cell: int | None = None) -> pd.DataFrame:
    """Answers the next evaluation needs per audience and construct, from what this study shows.

    Two questions: will the next course's change be seen again (paired pre/post, at the
    observed d_z), and can two options (formats, styles ...) be told apart at the
    smallest effect of interest (ANCOVA with the observed pre-post correlation)?

    Returns
    -------
    DataFrame
        audience, construct, n_pairs (linked pre/post pairs now), rho (their Pearson
        correlation, :func:`prepost_correlation`), dz (observed d_z of the change,
        :func:`dxsurvey.stats.prepost` by audience; NaN unless paired),
        n_change (:func:`sample_size` of |dz|, paired; NaN when |dz| < 0.05),
        n_compare (per option, ``ancova`` at d = ``sesoi`` with rho; ``independent``
        when rho is unknown), rate (linked pairs / invited over the audience's own keyed
        courses: courses.csv audience equal to it), invite_change, invite_compare
        (:func:`invitations` at that rate; NaN when the rate is unknown);
        invited_course (mean invited per course over those courses), n_expected (linked
        pairs expected from one such course: ``floor(invited_course * rate)``),
        power_expected (power to tell two options of one course each apart at d =
        ``sesoi``, the design of n_compare, at n_expected per option) and mde_expected
        (the smallest d that comparison finds with ``power``); NaN when unknown or
        n_expected < 2.
    """
    from .stats import prepost
    sesoi = _check_sesoi(sesoi)
    corr = prepost_correlation(study, min_cell=min_cell)
    pp = prepost(study, by=("audience",), measures="constructs", min_cell=min_cell, n_boot=200)
    pp = pp[pp["audience"].notna()]
    tt = turnout(study)
    aud_of = study.courses.set_index("course_id")["audience"] if "audience" in study.courses.columns else None
    rows = []
    for r in pp.itertuples(index=False):
        c = corr[(corr["audience"] == r.audience) & (corr["construct"] == r.measure_id)]
        rho = float(c["r"].iloc[0]) if len(c) else math.nan
        dz = float(r.effect) if r.effect_type == "cohen_dz" else math.nan
        n_change = sample_size(dz, power=power, alpha=alpha) if abs(dz) >= 0.05 else math.nan
        n_compare = (sample_size(sesoi, design="ancova", rho=rho, power=power, alpha=alpha)
                     if math.isfinite(rho) else sample_size(sesoi, design="independent", power=power, alpha=alpha))
        own = tt[tt["course_id"].map(aud_of) == r.audience] if aud_of is not None else tt.iloc[:0]
        own = own[own["rate_pairs"].notna() & own["invited"].notna()]
        inv = float(own["invited"].sum())
        rate = float(own["n_pairs"].sum()) / inv if inv > 0 else math.nan
        ok = math.isfinite(rate) and rate > 0
        per_course = inv / len(own) if len(own) and inv > 0 else math.nan
        n_exp = int(math.floor(per_course * min(rate, 1.0) + 1e-9)) if ok and math.isfinite(per_course) else math.nan
        design = dict(design="ancova", rho=rho) if math.isfinite(rho) else dict(design="independent")
        pw = md = math.nan
        if isinstance(n_exp, int) and n_exp >= 2:
            pw = _power_of(sesoi, n_exp, alpha=alpha, **design)
            md = mde(n_exp, power=power, alpha=alpha, **design)
        rows.append({"audience": r.audience, "construct": r.measure_id, "n_pairs": int(r.n_pairs), "rho": rho,
                     "dz": dz, "n_change": n_change, "n_compare": n_compare, "rate": rate,
                     "invite_change": (invitations(int(n_change), min(rate, 1.0))
                                       if ok and math.isfinite(n_change) else math.nan),
                     "invite_compare": invitations(int(n_compare), min(rate, 1.0)) if ok else math.nan,
                     "invited_course": per_course, "n_expected": n_exp, "power_expected": pw, "mde_expected": md})
    return pd.DataFrame(rows, columns=list(NEEDED_COLUMNS))


# ============================================================================ classification

def classify(ci_low, ci_high, ci90_low, ci90_high, bound) -> np.ndarray:
    """Classify differences from their 95 % and 90 % intervals and an equivalence bound.

    Parameters
    ----------
    ci_low, ci_high : array-like
        The 95 % interval of each difference (two-sided test at 5 %).
    ci90_low, ci90_high : array-like
        The 90 % interval (two one-sided tests at 5 %: TOST).
    bound : float or array-like
        The smallest effect size of interest on the raw scale (> 0): differences
        inside ``(-bound, bound)`` are too small to matter.

    Returns
    -------
    ndarray of object
        One of :data:`CLASSES` per difference, or None where an interval is NaN:

        ====================== ================= ==========================
        95 % interval          90 % within bound code
        ====================== ================= ==========================
        excludes 0             no                ``different``
        excludes 0             yes               ``different_but_small``
        includes 0             yes               ``equivalent``
        includes 0             no                ``undecided``
        ====================== ================= ==========================

    Notes
    -----
    A 90 % interval inside the bounds is the same decision as both one-sided tests of
    TOST rejecting at 5 % (Schuirmann 1987; Lakens, Scheel & Isager 2018).  A 95 %
    interval that includes 0 is never read as "no difference": without equivalence it
    is ``undecided``.

    Examples
    --------
    >>> classify([0.1, 0.02, -0.1, -0.4], [0.6, 0.12, 0.1, 0.5],
    ...          [0.15, 0.03, -0.08, -0.3], [0.55, 0.11, 0.08, 0.4], 0.2).tolist()
    ['different', 'different_but_small', 'equivalent', 'undecided']
    """
    lo, hi, lo9, hi9, b = (np.atleast_1d(np.asarray(v, dtype=float))
                           for v in (ci_low, ci_high, ci90_low, ci90_high, bound))
    if np.any(np.asarray(b)[np.isfinite(b)] <= 0):
        raise ValueError(f"bound must be positive, not {bound!r}.")
    lo, hi, lo9, hi9, b = np.broadcast_arrays(lo, hi, lo9, hi9, b)
    known = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(lo9) & np.isfinite(hi9) & np.isfinite(b)
    with np.errstate(invalid="ignore"):
        sig = (lo > 0) | (hi < 0)
        equiv = (lo9 > -b) & (hi9 < b)
    code = np.where(sig, np.where(equiv, "different_but_small", "different"),
                    np.where(equiv, "equivalent", "undecided")).astype(object)
    code[~known] = None
    return code


def equivalence(diff, se, df, bound, *, alpha: float = 0.05) -> pd.DataFrame:
    """Difference test, TOST and classification from a difference, its SE and df.

    Parameters
    ----------
    diff, se : array-like
        Differences and their standard errors.
    df : array-like
        Degrees of freedom of the t reference (``inf`` for a normal reference).
    bound : float or array-like
        Equivalence bound on the scale of ``diff`` (> 0).
    alpha : float
        Level of each test: the difference interval is ``1 - alpha``, the TOST interval
        ``1 - 2 alpha``.

    Returns
    -------
    DataFrame
        diff, se, df, ci_low, ci_high (95 %), p_val (two-sided), ci90_low, ci90_high,
        p_tost (the larger of the two one-sided p values), class (:func:`classify`).

    Examples
    --------
    >>> equivalence(0.05, 0.04, 60, 0.2)[["p_tost", "class"]].round(4)
       p_tost       class
    0  0.0002  equivalent
    """
    alpha = _check_prob("alpha", alpha)
    diff, se, df, bound = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (diff, se, df, bound))
    diff, se, df, bound = np.broadcast_arrays(diff, se, df, bound)
    q95 = stats.t.ppf(1 - alpha / 2, df)
    q90 = stats.t.ppf(1 - alpha, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_val = 2 * stats.t.sf(np.abs(diff / se), df)
        p_tost = np.maximum(stats.t.sf((diff + bound) / se, df), stats.t.cdf((diff - bound) / se, df))
    out = pd.DataFrame({"diff": diff, "se": se, "df": df, "ci_low": diff - q95 * se,
                        "ci_high": diff + q95 * se, "p_val": p_val, "ci90_low": diff - q90 * se,
                        "ci90_high": diff + q90 * se, "p_tost": p_tost})
    out["class"] = classify(out["ci_low"], out["ci_high"], out["ci90_low"], out["ci90_high"], bound)
    return out


_NORMAL_RATIO = stats.norm.ppf(0.975) / stats.norm.ppf(0.95)


def tost_from_intervals(diff, ci_low, ci_high, ci90_low, ci90_high, bound) -> np.ndarray:
    """TOST p values from a difference's 95 % and 90 % intervals (t or normal based).

    The two half-widths fix the reference distribution: their ratio
    ``t_.975(df) / t_.95(df)`` decreases in ``df`` (to 1.1916 for the normal), which
    gives ``df``, and then ``se = half95 / t_.975(df)``.  Returns
    ``max(P(T > (diff + bound) / se), P(T < (diff - bound) / se))`` per difference.

    Examples
    --------
    >>> e = equivalence(0.05, 0.04, 60, 0.2)
    >>> p = tost_from_intervals(e["diff"], e["ci_low"], e["ci_high"], e["ci90_low"], e["ci90_high"], 0.2)
    >>> bool(np.isclose(p[0], e["p_tost"][0]))
    True
    """
    arrs = [np.atleast_1d(np.asarray(v, dtype=float)) for v in (diff, ci_low, ci_high, ci90_low, ci90_high, bound)]
    diff, lo, hi, lo9, hi9, bound = np.broadcast_arrays(*arrs)
    out = np.full(diff.shape, np.nan)
    for i in range(diff.size):
        h95, h90 = (hi[i] - lo[i]) / 2, (hi9[i] - lo9[i]) / 2
        if not (np.isfinite(h95) and np.isfinite(h90) and h90 > 0 and np.isfinite(bound[i])):
            continue
        ratio = h95 / h90
        if ratio <= _NORMAL_RATIO * (1 + 1e-9):
            df = np.inf
        else:
            def gap(log_df):
                d = math.exp(log_df)
                return stats.t.ppf(0.975, d) / stats.t.ppf(0.95, d) - ratio
            df = math.exp(optimize.brentq(gap, math.log(0.5), math.log(1e8))) if gap(math.log(1e8)) < 0 \
                else np.inf
        se = h95 / stats.t.ppf(0.975, df)
        out[i] = max(stats.t.sf((diff[i] + bound[i]) / se, df), stats.t.cdf((diff[i] - bound[i]) / se, df))
    return out


# ============================================================================ what worked

def audience_study(study, audience: str):
    """A copy of ``study`` with the submissions of one audience.

    A keyed respondent belongs to the audience of their post submission (a linked pair
    takes the post audience), so a pre-test with a blank or different role stays with
    its pair.
    """
    subs = study.submissions
    aud = subs["audience"].astype(object)
    if subs["respondent_key"].notna().any():
        key = subs["course_id"].astype(str) + "\x1f" + subs["respondent_key"].astype(str)
        post = subs["wave"].eq("post") & subs["respondent_key"].notna() & subs["audience"].notna()
        post_aud = dict(zip(key[post], aud[post]))
        mapped = key.map(post_aud)
        aud = mapped.where(subs["respondent_key"].notna() & mapped.notna(), aud)
    keep = (aud == audience).to_numpy(dtype=bool)
    subs = subs[keep].reset_index(drop=True)
    ids = set(subs["submission_id"])

    def cut(frame):
        if frame is None or not len(frame) or "submission_id" not in frame.columns:
            return frame
        return frame[frame["submission_id"].isin(ids)].reset_index(drop=True)

    return replace(study, submissions=subs, answers=cut(study.answers), texts=cut(study.texts),
                   choices=cut(study.choices))


@dataclass
class WhatWorked:
    """Result of :func:`what_worked`.

    Attributes
    ----------
    contrasts : DataFrame
        Columns :data:`WHAT_WORKED_COLUMNS`, one row per audience x construct x factor x
        pair of levels (primary model of each comparison).
    levels : DataFrame
        audience, construct, factor, model, level, n, n_courses, estimate, ci_low, ci_high:
        the adjusted means behind the contrasts (``compare``'s levels of that model).
    notes : DataFrame
        audience, construct, factor, kind, code, params: ``compare``'s notes (aliasing,
        fall-backs, small n) as codes of :data:`dxsurvey.stats.codes.NOTES` with their
        parameters, each once per audience x construct x factor.
    """

    contrasts: pd.DataFrame
    levels: pd.DataFrame
    notes: pd.DataFrame


def _pooled_sd(values: pd.Series, groups: pd.Series) -> float:
    """Within-group pooled SD: sqrt(sum (n_g - 1) s_g^2 / sum (n_g - 1))."""
    frame = pd.DataFrame({"v": values.to_numpy(float), "g": groups.to_numpy()}).dropna()
    agg = frame.groupby("g")["v"].agg(["count", "var"])
    agg = agg[agg["count"] > 1]
    dfree = (agg["count"] - 1).sum()
    return float(math.sqrt(((agg["count"] - 1) * agg["var"]).sum() / dfree)) if dfree > 0 else math.nan


def _outcome_frame(study, construct, factor, waves, min_cell, design, cache=None):
    """Wave-b scores (and wave-a for linked data) of the rows a comparison rests on.

    ``cache``: a dict kept across the calls on one study, holding its paired frame and
    construct scores (computed once instead of once per construct and factor)."""
    from .scoring import construct_scores, paired_frame
    cache = {} if cache is None else cache
    info = study.courses.drop_duplicates("course_id").set_index("course_id")
    if design == "linked":
        if "pf" not in cache:
            cache["pf"] = paired_frame(study, waves=waves)
        pf = cache["pf"]
        pf = pf[pf[f"{construct}_a"].notna() & pf[f"{construct}_b"].notna()]
        counts = pf.groupby("course_id").size()
        pf = pf[pf["course_id"].isin(counts.index[counts >= min_cell])]
        frame = pd.DataFrame({"course_id": pf["course_id"], "a": pf[f"{construct}_a"], "b": pf[f"{construct}_b"]})
    else:
        if "sc" not in cache:
            cache["sc"] = construct_scores(study, waves=waves)
        sc = cache["sc"]
        sc = sc[(sc["wave"] == waves[-1]) & sc[construct].notna()]
        frame = pd.DataFrame({"course_id": sc["course_id"], "a": np.nan, "b": sc[construct]})
    frame["level"] = frame["course_id"].map(info[factor]) if factor in info.columns else pd.NA
    return frame[frame["level"].notna()]


def _reference_df(comparison, model: str, factor: str) -> float | None:
    """Degrees of freedom of the reference distribution behind ``model``'s intervals in a
    :func:`dxsurvey.stats.compare` result: ``inf`` (normal: mixed models), ``n - p`` (OLS
    with HC3 errors: n rows, p = 1 + the terms' columns), or None when neither reproduces
    the contrasts' own p values (then the caller asks compare again at the other level).

    The check: with ``se = (ci_high - ci_low) / (2 q_.975)``, ``2 P(T > |diff| / se)``
    must give back every contrast's ``p_val`` (relative 1e-6).
    """
    con = comparison.contrasts
    con = con[(con["model"] == model) & (con["factor"] == factor)]
    con = con[np.isfinite(con["diff"].to_numpy(float)) & np.isfinite(con["p_val"].to_numpy(float))
              & (con["ci_high"].to_numpy(float) > con["ci_low"].to_numpy(float))]
    if not len(con):
        return None
    lv = comparison.levels
    n_rows = float(lv.loc[(lv["model"] == model) & (lv["factor"] == factor), "n"].sum())
    tm = comparison.terms
    n_cols = 1 + float(tm.loc[tm["model"] == model, "df"].sum())
    diff, lo, hi, p = (con[c].to_numpy(float) for c in ("diff", "ci_low", "ci_high", "p_val"))
    fits = []
    for dfr in (math.inf, n_rows - n_cols):
        if not dfr > 0:
            continue
        se = (hi - lo) / (2 * stats.t.ppf(0.975, dfr))
        p_hat = 2 * stats.t.sf(np.abs(diff) / se, dfr)
        if np.allclose(p_hat, p, rtol=1e-6, atol=1e-300):
            fits.append(dfr)
    return fits[0] if len(fits) == 1 else None


def _interval_at(contrasts: pd.DataFrame, dfr: float, confidence: float) -> pd.DataFrame:
    """The contrasts' intervals at another ``confidence``: the 95 % half-width times
    ``q_{(1+c)/2} / q_.975`` of the same reference (t with ``dfr`` df, or normal)."""
    half = (contrasts["ci_high"] - contrasts["ci_low"]) / 2
    ratio = stats.t.ppf((1 + confidence) / 2, dfr) / stats.t.ppf(0.975, dfr)
    out = contrasts.copy()
    out["ci_low"] = contrasts["diff"] - half * ratio
    out["ci_high"] = contrasts["diff"] + half * ratio
    return out


def _primary(models) -> str | None:
    present = set(models)
    return next((m for m in MODEL_PREFERENCE if m in present), None)


def _cautions(n_a, n_b, c_a, c_b, hidden, min_cell) -> str:
    """Caution codes of a comparison (:mod:`dxsurvey.stats.codes`)."""
    from .stats.codes import encode, join
    out = []
    if hidden:
        out.append(encode("suppressed", min_cell=min_cell))
    elif min(n_a, n_b) < _CAUTION_N:
        out.append(encode("small_n", limit=_CAUTION_N))
    if min(c_a, c_b) <= 1:
        out.append(encode("single_course"))
    return join(out)


def _levels_in(study, factor) -> int:
    present = set(study.submissions["course_id"])
    vals = study.courses.loc[study.courses["course_id"].isin(present), factor] \
        if factor in study.courses.columns else pd.Series(dtype=object)
    return vals.dropna().nunique()


def _tangled_partners(study, factor, others, courses) -> set:
    """The factors among ``others`` that the comparison's courses tangle with ``factor``
    (:func:`dxsurvey.stats.design.entanglement`: aliased, confined or associated over
    courses), as the comparison report names them."""
    from .stats.design import entanglement
    cols = [g for g in dict.fromkeys((factor, *others)) if g != "audience" and g in study.courses.columns]
    if factor not in cols or len(cols) < 2 or not courses:
        return set()
    ent = entanglement(study.courses[study.courses["course_id"].isin(courses)], cols).tangled
    return {b if a == factor else a for a, b in zip(ent["factor_a"], ent["factor_b"]) if factor in (a, b)}


def _check_sesoi(sesoi) -> float:
    return _check_positive("sesoi", sesoi)


def what_worked(study, *, constructs=None, factors=PLAN_FACTORS, audiences=None, sesoi: float = 0.3,
                waves=("pre", "post"), power: float = 0.8, alpha: float = 0.05,
                min_cell: int | None = None, adjust=None) -> WhatWorked:
    """What worked, honestly: each factor's adjusted differences, classified.

    For each audience, construct and factor, :func:`dxsurvey.stats.compare` is run with
    that factor first (so it is always estimated) and the other factors after it (kept
    when separable: the difference is adjusted for them; dropped and named in
    ``tangled_with`` when aliased), once.  Its 90 % intervals (TOST) come from the same fit:
    the 95 % half-width times ``q_.95 / q_.975`` of the fit's reference distribution, which
    is recovered from the result and checked against its p values (when it cannot be,
    compare runs again at 90 %).  The primary model
    (ANCOVA when linked, as in the comparison report) gives the numbers.

    Parameters
    ----------
    study : Study
    constructs : sequence of str, optional
        Default every construct of the codebook.
    factors : sequence of str
        Any of :data:`PLAN_FACTORS`.
    audiences : sequence of str, optional
        Audiences to analyse separately; ``"all"`` pools them with ``audience`` as an
        adjustment factor.  Default: every audience in the data, then ``"all"``.
    sesoi : float
        Smallest effect size of interest, Cohen's d (default 0.3); converted to the raw
        scale with the pooled within-level SD of the wave-b scores the comparison rests on.
    waves : (str, str)
        Passed to ``compare``.
    power, alpha : float
        For the minimum detectable effect beside each result.
    min_cell : int, optional
        Passed to ``compare`` (default ``study.min_cell``).
    adjust : sequence of str, optional
        Factors always adjusted for (after the compared one), e.g. a fixed choice.
        Default: the other ``factors`` (``instructor`` is left out of the adjustment of
        ``instructor_type``, which it determines).

    Returns
    -------
    WhatWorked
        ``contrasts`` (:data:`WHAT_WORKED_COLUMNS`):

        - audience, construct, factor, model, design, level_a, level_b, n_a, n_b,
          n_courses_a, n_courses_b: as ``compare`` (diff = level_b - level_a);
        - diff, ci_low, ci_high (95 %), p_val; ci90_low, ci90_high (90 %, TOST);
        - sd: pooled within-level SD of wave-b scores; sesoi (d); sesoi_raw = sesoi * sd;
          d = diff / sd; p_tost (:func:`tost_from_intervals`); class (:func:`classify`;
          None when the levels are hidden for small n);
        - rho: pre-post correlation of the linked rows; mde_d: the smallest d the
          comparison could detect with ``power`` (two groups of n_a and n_b, times
          ``sqrt(1 - rho**2)`` for ANCOVA and mixed models); mde_raw = mde_d * sd;
        - adjusted_for, tangled_with, entangled_with (comma-separated): factors in the
          model; factors requested but left out as aliased with the compared one (the
          difference includes their effect); factors in the model that the comparison's
          courses tangle with the compared one (:func:`dxsurvey.stats.design.entanglement`:
          aliased, confined or associated over courses, as the comparison report names
          them: the adjustment rests on few courses); source: ``audience`` or ``pooled``;
        - caution: codes of :mod:`dxsurvey.stats.codes` joined by ``"; "``:
          ``suppressed(min_cell=5)`` (a level under min_cell), ``small_n(limit=10)``,
          ``single_course`` (a level rests on one course: course and level cannot be
          told apart).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from tests.statsdata import make_study
    >>> rng = np.random.default_rng(3)
    >>> rows = [(c, w, f"{c}{i}", int(min(5, max(1, round(3 + (w == "post") * (c in "AC") * 1.2
    ...          + rng.normal(0, 0.7))))))
    ...         for c in "ABCD" for i in range(15) for w in ("pre", "post")]
    >>> wide = pd.DataFrame(rows, columns=["course_id", "wave", "respondent_key", "q1"])
    >>> study = make_study(wide, constructs={"att": ("q1",)})
    >>> study.courses["format"] = ["in_person", "online", "in_person", "online"]
    >>> ww = what_worked(study, factors=("format",), audiences=("all",))
    >>> ww.contrasts[["level_a", "level_b", "class"]].values.tolist()
    [['in_person', 'online', 'different']]
    """
    from .schema import AUDIENCES
    from .stats import compare
    from .stats.compare import ALL_FACTORS

    sesoi = _check_sesoi(sesoi)
    factors = (factors,) if isinstance(factors, str) else tuple(factors)
    for f in factors:
        _check_choice("factors", f, PLAN_FACTORS)
    cids = list(study.codebook.constructs) if constructs is None else list(constructs)
    for c in cids:
        _check_choice("constructs", c, list(study.codebook.constructs))
    if audiences is None:
        present = set(study.submissions["audience"].dropna())
        audiences = [a for a in AUDIENCES if a in present] + ["all"]
    audiences = [audiences] if isinstance(audiences, str) else list(audiences)
    for a in audiences:
        _check_choice("audiences", a, (*AUDIENCES, "all"))
    adjust = None if adjust is None else ((adjust,) if isinstance(adjust, str) else tuple(adjust))
    for f in adjust or ():
        _check_choice("adjust", f, ALL_FACTORS)
    min_cell = study.min_cell if min_cell is None else min_cell
    rows, lv_rows, note_rows, seen = [], [], [], set()
    for aud in audiences:
        sub = study if aud == "all" else audience_study(study, aud)
        if not len(sub.submissions):
            continue
        cache: dict = {}
        for f in factors:
            others = list(adjust) if adjust is not None else [g for g in factors if g != f]
            others = [g for g in others if g != f and not (f == "instructor_type" and g == "instructor")]
            if aud == "all" and "audience" not in others:
                others.append("audience")
            model_factors = (f, *others)
            for cid in cids:
                c95 = compare(sub, construct=cid, factors=model_factors, waves=waves, min_cell=min_cell)
                for kind, code, params in zip(c95.notes["kind"], c95.notes["code"], c95.notes["params"]):
                    key = (aud, cid, f, kind, code, repr(sorted(params.items())))
                    if key not in seen:
                        seen.add(key)
                        note_rows.append((aud, cid, f, kind, code, params))
                con = c95.contrasts
                model = _primary(con["model"][con["factor"] == f]) if len(con) else None
                if model is None:
                    continue
                # the 90 % intervals from the same fit when its reference distribution is known
                # (one compare per cell); else compare again at 90 %
                dfr = _reference_df(c95, model, f)
                if dfr is not None:
                    k90 = _interval_at(con[(con["model"] == model) & (con["factor"] == f)], dfr, 1 - 2 * alpha)
                else:
                    c90 = compare(sub, construct=cid, factors=model_factors, waves=waves, min_cell=min_cell,
                                  confidence=1 - 2 * alpha).contrasts
                    k90 = c90[(c90["model"] == model) & (c90["factor"] == f)]
                in_model = set(con.loc[con["model"] == model, "factor"])
                partners = _tangled_partners(sub, f, others, c95.courses)
                tangled = [g for g in others if g not in in_model and g != "audience"
                           and _levels_in(sub, g) > 1]
                entangled = [g for g in others if g in in_model and g in partners]
                lv = c95.levels[(c95.levels["model"] == model) & (c95.levels["factor"] == f)]
                for r in lv.itertuples(index=False):
                    lv_rows.append((aud, cid, f, model, r.level, r.n, r.n_courses, r.estimate, r.ci_low,
                                    r.ci_high))
                n_of = dict(zip(lv["level"], lv["n"]))
                nc_of = dict(zip(lv["level"], lv["n_courses"]))
                frame = _outcome_frame(sub, cid, f, waves, min_cell, c95.design, cache)
                sd = _pooled_sd(frame["b"], frame["level"])
                rho = (float(np.corrcoef(frame["a"], frame["b"])[0, 1])
                       if c95.design == "linked" and len(frame) > 3 and frame["a"].std() > 0 else math.nan)
                k95 = con[(con["model"] == model) & (con["factor"] == f)]
                k90 = k90.set_index(["level_a", "level_b"])
                for r in k95.itertuples(index=False):
                    lo9, hi9 = (k90.loc[(r.level_a, r.level_b), ["ci_low", "ci_high"]]
                                if (r.level_a, r.level_b) in k90.index else (math.nan, math.nan))
                    n_a, n_b = int(n_of.get(r.level_a, 0)), int(n_of.get(r.level_b, 0))
                    bound = sesoi * sd
                    cls = classify(r.ci_low, r.ci_high, lo9, hi9, bound if math.isfinite(bound) else np.nan)[0]
                    p_tost = tost_from_intervals(r.diff, r.ci_low, r.ci_high, lo9, hi9, bound)[0]
                    mde_d = math.nan
                    if min(n_a, n_b) >= 2:
                        mde_d = mde(n_a, design="independent", power=power, alpha=alpha, ratio=n_b / n_a)
                        if model in ("ancova", "mixed") and math.isfinite(rho):
                            mde_d *= math.sqrt(1 - rho ** 2)
                    rows.append({
                        "audience": aud, "construct": cid, "factor": f, "model": model, "design": c95.design,
                        "level_a": r.level_a, "level_b": r.level_b, "n_a": n_a, "n_b": n_b,
                        "n_courses_a": int(nc_of.get(r.level_a, 0)), "n_courses_b": int(nc_of.get(r.level_b, 0)),
                        "diff": r.diff, "ci_low": r.ci_low, "ci_high": r.ci_high, "p_val": r.p_val,
                        "ci90_low": float(lo9), "ci90_high": float(hi9), "sd": sd, "sesoi": sesoi,
                        "sesoi_raw": bound, "d": r.diff / sd if sd > 0 else math.nan, "p_tost": p_tost,
                        "class": cls, "rho": rho, "mde_d": mde_d, "mde_raw": mde_d * sd,
                        "adjusted_for": ",".join(g for g in others if g in in_model),
                        "tangled_with": ",".join(tangled), "entangled_with": ",".join(entangled),
                        "source": "pooled" if aud == "all" else "audience",
                        "caution": _cautions(n_a, n_b, int(nc_of.get(r.level_a, 0)),
                                             int(nc_of.get(r.level_b, 0)), not math.isfinite(r.diff),
                                             min_cell),
                    })
    contrasts = pd.DataFrame(rows, columns=list(WHAT_WORKED_COLUMNS))
    for c in ("n_a", "n_b", "n_courses_a", "n_courses_b"):
        contrasts[c] = contrasts[c].astype("int64")
    levels = pd.DataFrame(lv_rows, columns=["audience", "construct", "factor", "model", "level", "n",
                                            "n_courses", "estimate", "ci_low", "ci_high"])
    notes = pd.DataFrame(note_rows, columns=["audience", "construct", "factor", "kind", "code", "params"])
    return WhatWorked(contrasts=contrasts, levels=levels, notes=notes)


def gain_per_hour(study, *, pp: pd.DataFrame | None = None, waves=("pre", "post")) -> pd.DataFrame:
    """Construct change per course and audience, divided by the course's training hours.

    Parameters
    ----------
    study : Study
    pp : DataFrame, optional
        :func:`dxsurvey.stats.prepost` output by course and audience (computed if absent).

    Returns
    -------
    DataFrame
        course_id, audience, construct, hours, n_a, n_b, diff, ci_low, ci_high,
        per_hour, per_hour_ci_low, per_hour_ci_high (diff and its interval / hours;
        NaN where hours is unknown or the change is suppressed).
    """
    from .stats import prepost
    if pp is None:
        pp = prepost(study, by=("course_id", "audience"), waves=waves, measures="constructs")
    part = pp[pp["measure_type"] == "construct"]
    info = study.courses.drop_duplicates("course_id").set_index("course_id")
    hours = info["hours"] if "hours" in info.columns else pd.Series(np.nan, index=info.index)
    h = pd.to_numeric(part["course_id"].map(hours), errors="coerce").astype(float)
    h = h.where(h > 0)
    out = pd.DataFrame({
        "course_id": part["course_id"].to_numpy(), "audience": part["audience"].to_numpy(),
        "construct": part["measure_id"].to_numpy(), "hours": h.to_numpy(),
        "n_a": part["n_a"].to_numpy(), "n_b": part["n_b"].to_numpy(),
        "diff": part["diff"].to_numpy(float), "ci_low": part["diff_ci_low"].to_numpy(float),
        "ci_high": part["diff_ci_high"].to_numpy(float),
    })
    for src, dst in (("diff", "per_hour"), ("ci_low", "per_hour_ci_low"), ("ci_high", "per_hour_ci_high")):
        out[dst] = out[src] / out["hours"]
    return out.reset_index(drop=True)


# ============================================================================ needs

def _t_interval(mean, sd, n, confidence):
    from .stats.effects import t_ci
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.asarray(sd, dtype=float) / np.sqrt(n)
    return t_ci(mean, se, n - 1, confidence)


def _quadrant(x, y, high_high, high_low, low_high, low_low, split):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    cut = np.nanmedian if split == "median" else np.nanmean
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return np.full(len(x), None, dtype=object)
    cx, cy = cut(x[ok]), cut(y[ok])
    out = np.where(x >= cx, np.where(y >= cy, high_high, high_low), np.where(y >= cy, low_high, low_low))
    out = out.astype(object)
    out[~ok] = None
    return out


def needs(study, *, importance: dict | None = None, sesoi: float = 0.3, confidence: float = 0.95,
          split: str = "mean", min_cell: int | None = None) -> pd.DataFrame:
    """Per audience: where people stand after training, what grew, what fell back.

    Constructs and their items are ranked by post level, follow-up level and gain.

    Parameters
    ----------
    study : Study
    importance : dict, optional
        Measure id (construct or item) -> id of a scale item asking how important it is.
        When given, the quadrants are importance x attainment (post level); otherwise
        post level x gain.
    sesoi : float
        Smallest effect of interest (d) for the post -> follow-up classification.
    confidence : float
    split : {"mean", "median"}
        Where the quadrant lines cut: the mean (or median) over the audience's measures
        of that type.
    min_cell : int, optional
        Passed to :func:`dxsurvey.stats.prepost`.

    Returns
    -------
    DataFrame
        Columns :data:`NEEDS_COLUMNS`, one row per audience x measure (constructs, and
        the items of constructs):

        - n_post, post_mean (wave ``post``) with a t interval; rank_post (1 = lowest
          within audience x measure_type); n_followup, followup_mean, interval,
          rank_followup;
        - gain (post - pre, prepost's diff and interval: paired when linked);
          gain_norm = gain / (scale max - pre mean), the share of the room to grow that
          was gained (Hake 1998; interval: the gain interval over the same room);
          rank_gain (1 = smallest gain);
        - fallback (follow-up - post) with its interval and fallback_class
          (:data:`CLASSES`, equivalence bound sesoi x post SD): ``different`` with a
          negative fallback means it fell back;
        - importance (mean of the importance item over every wave it was asked in, when
          given), quadrant
          (:data:`QUADRANTS`), quadrant_basis (``importance`` or ``level_gain``).
    """
    from .stats import prepost
    from .stats.effects import check_confidence
    confidence = check_confidence(confidence)
    sesoi = _check_sesoi(sesoi)
    _check_choice("split", split, ("mean", "median"))
    cb = study.codebook
    importance = dict(importance or {})
    scale_ids = {it.id for it in cb.items if it.type == "scale"}
    for mid, iid in importance.items():
        _check_choice("importance item", iid, sorted(scale_ids))
        _check_choice("importance measure", mid, [*cb.constructs, *sorted(scale_ids)])
    wanted = set(cb.constructs) | {i for c in cb.constructs.values() for i in c.items}
    kw = dict(by=("audience",), confidence=confidence, min_cell=min_cell, n_boot=200)
    gain = prepost(study, waves=("pre", "post"), **kw)
    gain = gain[gain["measure_id"].isin(wanted) & gain["audience"].notna()]
    key = ["audience", "measure_type", "measure_id"]
    out = gain[key].copy()
    out["construct"] = [m if t == "construct" else cb.construct_of(m)
                        for t, m in zip(gain["measure_type"], gain["measure_id"])]
    out["n_post"] = gain["n_b"].to_numpy()
    out["post_mean"] = gain["mean_b"].to_numpy(float)
    lo, hi = _t_interval(gain["mean_b"], gain["sd_b"], gain["n_b"], confidence)
    out["post_ci_low"], out["post_ci_high"] = lo, hi
    out["gain"] = gain["diff"].to_numpy(float)
    out["gain_ci_low"] = gain["diff_ci_low"].to_numpy(float)
    out["gain_ci_high"] = gain["diff_ci_high"].to_numpy(float)
    top = np.array([cb.scales[cb.item(cb.constructs[c].items[0] if t == "construct" else m).scale].max
                    if c else np.nan
                    for t, m, c in zip(out["measure_type"], out["measure_id"], out["construct"])], dtype=float)
    room = top - gain["mean_a"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        room = np.where(room > 0, room, np.nan)
        for src, dst in (("gain", "gain_norm"), ("gain_ci_low", "gain_norm_ci_low"),
                         ("gain_ci_high", "gain_norm_ci_high")):
            out[dst] = out[src].to_numpy(float) / room
    has_fu = "followup" in set(study.submissions["wave"])
    if has_fu:
        kw95 = prepost(study, waves=("post", "followup"), **kw)
        kw90 = prepost(study, waves=("post", "followup"), **{**kw, "confidence": 0.90})
        fu = kw95.merge(kw90[[*key, "diff_ci_low", "diff_ci_high"]], on=key, suffixes=("", "_90"), how="left")
        fu = out[key].merge(fu, on=key, how="left")
        out["n_followup"] = fu["n_b"].to_numpy()
        out["followup_mean"] = fu["mean_b"].to_numpy(float)
        flo, fhi = _t_interval(fu["mean_b"], fu["sd_b"], fu["n_b"], confidence)
        out["followup_ci_low"], out["followup_ci_high"] = flo, fhi
        out["fallback"] = fu["diff"].to_numpy(float)
        out["fallback_ci_low"] = fu["diff_ci_low"].to_numpy(float)
        out["fallback_ci_high"] = fu["diff_ci_high"].to_numpy(float)
        sd = fu["sd_a"].to_numpy(float)
        out["fallback_class"] = classify(fu["diff_ci_low"], fu["diff_ci_high"], fu["diff_ci_low_90"],
                                         fu["diff_ci_high_90"], np.where(sd > 0, sesoi * sd, np.nan))
    else:
        for c in ("n_followup", "followup_mean", "followup_ci_low", "followup_ci_high", "fallback",
                  "fallback_ci_low", "fallback_ci_high"):
            out[c] = np.nan
        out["fallback_class"] = None
    grp = out.groupby(["audience", "measure_type"])
    out["rank_post"] = grp["post_mean"].rank(method="min").astype("Int64")
    out["rank_followup"] = grp["followup_mean"].rank(method="min").astype("Int64")
    out["rank_gain"] = grp["gain"].rank(method="min").astype("Int64")
    out["importance"] = np.nan
    if importance:
        from .scoring import item_values
        iv = item_values(study)
        subs = study.submissions[["submission_id", "wave", "audience"]]
        iv = iv.merge(subs, on="submission_id")
        iv = iv[iv["value"].notna()]          # importance may be asked before or after
        means = iv.groupby(["audience", "item_id"])["value"].mean()
        out["importance"] = [means.get((a, importance[m]), np.nan) if m in importance else np.nan
                             for a, m in zip(out["audience"], out["measure_id"])]
    out["quadrant"] = None
    out["quadrant_basis"] = None
    for (_aud, _mt), idx in out.groupby(["audience", "measure_type"]).groups.items():
        part = out.loc[idx]
        if importance and part["importance"].notna().any():
            q = _quadrant(part["importance"], part["post_mean"], "maintain", "priority_improve",
                          "surplus", "low_priority", split)
            basis = "importance"
        else:
            q = _quadrant(part["post_mean"], part["gain"], "strength", "maintain", "improving",
                          "priority_improve", split)
            basis = "level_gain"
        out.loc[idx, "quadrant"] = q
        out.loc[idx, "quadrant_basis"] = np.where(pd.isna(q), None, basis)
    order = {m: i for i, m in enumerate([*cb.constructs, *[it.id for it in cb.items]])}
    out = out.assign(_t=(out["measure_type"] != "construct").astype(int), _o=out["measure_id"].map(order))
    out = out.sort_values(["audience", "_t", "_o"], kind="mergesort").drop(columns=["_t", "_o"])
    return out[list(NEEDS_COLUMNS)].reset_index(drop=True)


# ============================================================================ behaviour

def behaviour(study, *, items=None, by=("course_id", "format", "style", "audience"),
              confidence: float = 0.95, min_cell: int | None = None) -> pd.DataFrame:
    """Kirkpatrick level 3: follow-up behaviour items by course, format, style and audience.

    Parameters
    ----------
    study : Study
    items : sequence of str, optional
        Scale items to report.  Default: items with ``level: behavior`` asked only at
        ``followup`` (yes/no or counts).
    by : sequence of str
        Groupings: any of ``course_id``, ``instructor``, ``instructor_type``, ``format``,
        ``style`` (course columns), ``audience`` (the respondent's) and ``all``.
    confidence : float
    min_cell : int, optional
        Suppression threshold (default ``study.min_cell``), applied by
        :func:`dxsurvey.privacy.suppress` within each grouping x item.

    Returns
    -------
    DataFrame
        Columns :data:`BEHAVIOUR_COLUMNS`: by (the grouping), level (its value), item_id,
        n (answers), n_yes (answers at the scale's top for yes/no items; above the
        scale's minimum, "at least once", for count items), share = n_yes / n with a
        Wilson interval (statsmodels ``proportion_confint(method="wilson")``), mean with a
        t interval (count items; NaN for yes/no), suppressed.  ``attrs["n_cols"]`` names
        the count columns.
    """
    from statsmodels.stats.proportion import proportion_confint

    from .privacy import suppress
    from .scoring import item_values
    from .stats.effects import check_confidence
    confidence = check_confidence(confidence)
    cb = study.codebook
    allowed_by = ("course_id", "instructor", "instructor_type", "format", "style", "audience", "all")
    by = (by,) if isinstance(by, str) else tuple(by)
    for b in by:
        _check_choice("by", b, allowed_by)
    scale_items = {it.id: it for it in cb.items if it.type == "scale"}
    if items is None:
        items = [i for i, it in scale_items.items() if it.level == "behavior" and it.waves == ("followup",)]
    items = [items] if isinstance(items, str) else list(items)
    for i in items:
        _check_choice("items", i, sorted(scale_items))
    min_cell = study.min_cell if min_cell is None else min_cell
    iv = item_values(study)
    iv = iv[iv["item_id"].isin(items) & iv["value"].notna()]
    subs = study.submissions[["submission_id", "course_id", "wave", "audience"]]
    data = iv.merge(subs[subs["wave"] == "followup"], on="submission_id")
    info = study.courses.drop_duplicates("course_id").set_index("course_id")
    for col in ("instructor", "instructor_type", "format", "style"):
        data[col] = data["course_id"].map(info[col]) if col in info.columns else pd.NA
    data["all"] = "all"
    rows = []
    for b in by:
        for (lvl, item), g in data.dropna(subset=[b]).groupby([b, "item_id"], sort=True):
            scale = cb.scales[scale_items[item].scale]
            v = g["value"].to_numpy(float)
            n = len(v)
            binary = len(scale.values) == 2
            k = int((v >= scale.max).sum()) if binary else int((v > scale.min).sum())
            lo, hi = proportion_confint(k, n, alpha=1 - confidence, method="wilson")
            mean = m_lo = m_hi = math.nan
            if not binary:
                mean = float(v.mean())
                if n > 1:
                    m_lo, m_hi = (float(x) for x in _t_interval(mean, v.std(ddof=1), n, confidence))
            rows.append((b, str(lvl), item, n, k, k / n, float(lo), float(hi), mean, m_lo, m_hi))
    table = pd.DataFrame(rows, columns=list(BEHAVIOUR_COLUMNS[:-1]))
    table["n"] = table["n"].astype("int64")
    table["n_yes"] = table["n_yes"].astype("int64")
    out = suppress(table, n_cols="n", min_cell=min_cell, group_cols=["by", "item_id"],
                   value_cols=["n", "n_yes", "share", "ci_low", "ci_high", "mean", "mean_ci_low", "mean_ci_high"])
    out.attrs["n_cols"] = ["n", "n_yes"]
    return out[list(BEHAVIOUR_COLUMNS)].reset_index(drop=True)


# ============================================================================ ideas register

def idea_summaries(ideas: Ideas, study=None, *, confidence: float = 0.95) -> dict[str, pd.DataFrame]:
    """Ideas by channel and month, sections reached, ideas per attendee, implementation, timing.

    Parameters
    ----------
    ideas : Ideas
    study : Study, optional
        For course dates, invited counts and respondents (courses and submissions).
    confidence : float
        Level of the Wilson intervals.

    Returns
    -------
    dict of DataFrame
        ``by_channel_month``: channel, month, n_ideas (every month from the first to the
        last idea, 0 where none came).
        ``by_channel``: channel, n_ideas, n_sections (sections with an idea), n_status
        (ideas with a known status), n_implemented, implementation_rate (n_implemented /
        n_status) with
        Wilson ci_low, ci_high; a last row channel ``all``.
        ``reach``: channel (and ``all``), n_sections_reached, n_sections (all sections,
        from sections.csv; NA without it), share_reached.
        ``per_course``: course_id, n_ideas, invited, respondents (post answers),
        ideas_per_invited, ideas_per_respondent, days_median, days_q1, days_q3, days_min,
        days_max (days from the course date to each idea; negative days count as data);
        a last row course_id ``all``: the courses with a known invited count together
        (their ideas over their invited and respondents; days over every course's ideas).
        Ideas count ideas, not people; sections are units, not people.
    """
    from statsmodels.stats.proportion import proportion_confint

    from .stats.effects import check_confidence
    confidence = check_confidence(confidence)
    df = ideas.ideas
    out = {}
    months = df["month"].dropna()
    if len(months):
        span = pd.period_range(min(months), max(months), freq="M").strftime("%Y-%m")
        grid = pd.MultiIndex.from_product([sorted(df["channel"].dropna().unique()), span],
                                          names=["channel", "month"])
        bcm = df.groupby(["channel", "month"]).size().reindex(grid, fill_value=0)
        out["by_channel_month"] = bcm.rename("n_ideas").reset_index()
    else:
        out["by_channel_month"] = pd.DataFrame(columns=["channel", "month", "n_ideas"])

    def channel_rows(part, name):
        known = part["status"].notna()
        k = int((part["status"] == "implemented").sum())
        n = int(known.sum())
        lo, hi = proportion_confint(k, n, alpha=1 - confidence, method="wilson") if n else (math.nan, math.nan)
        return {"channel": name, "n_ideas": len(part), "n_sections": part["section"].dropna().nunique(),
                "n_status": n, "n_implemented": k, "implementation_rate": k / n if n else math.nan,
                "ci_low": float(lo), "ci_high": float(hi)}

    rows = [channel_rows(g, ch) for ch, g in df.groupby("channel", sort=True)]
    rows.append(channel_rows(df, "all"))
    out["by_channel"] = pd.DataFrame(rows)
    n_all = len(ideas.sections) if ideas.sections is not None else None
    reach = []
    for ch, g in [*df.groupby("channel", sort=True), ("all", df)]:
        sec = set(g["section"].dropna())
        if ideas.sections is not None:
            sec &= set(ideas.sections["section"])
        reach.append({"channel": ch, "n_sections_reached": len(sec),
                      "n_sections": n_all if n_all is not None else pd.NA,
                      "share_reached": len(sec) / n_all if n_all else math.nan})
    out["reach"] = pd.DataFrame(reach)
    out["reach"]["n_sections"] = out["reach"]["n_sections"].astype("Int64")
    per = df[df["course_id"].notna()]
    crow = []
    if study is not None:
        info = study.courses.drop_duplicates("course_id").set_index("course_id")
        posts = study.submissions[study.submissions["wave"] == "post"].groupby("course_id").size()
        course_ids = list(info.index)
    else:
        info, posts, course_ids = None, pd.Series(dtype=int), sorted(per["course_id"].unique())
    def course_row(cid, n, inv, resp, days):
        q = days.quantile([0.25, 0.5, 0.75]) if len(days) else pd.Series([math.nan] * 3, index=[0.25, 0.5, 0.75])
        return {"course_id": cid, "n_ideas": n, "invited": inv, "respondents": resp,
                "ideas_per_invited": n / inv if inv and inv == inv else math.nan,
                "ideas_per_respondent": n / resp if resp and resp == resp else math.nan,
                "days_median": q[0.5], "days_q1": q[0.25], "days_q3": q[0.75],
                "days_min": days.min() if len(days) else math.nan,
                "days_max": days.max() if len(days) else math.nan}

    all_days, all_n, all_inv, all_resp = [], 0, 0.0, 0
    for cid in course_ids:
        g = per[per["course_id"] == cid]
        inv = pd.to_numeric(info.loc[cid, "invited"], errors="coerce") if info is not None else math.nan
        resp = int(posts.get(cid, 0)) if info is not None else math.nan
        days = pd.Series(dtype=float)
        if info is not None:
            cdate = pd.to_datetime(info.loc[cid, "date"], errors="coerce")
            if pd.notna(cdate):
                days = (g["date"] - cdate).dt.days.dropna().astype(float)
        crow.append(course_row(cid, len(g), inv, resp, days))
        all_days.append(days)
        if pd.notna(inv):
            all_n, all_inv = all_n + len(g), all_inv + float(inv)
            all_resp += resp if pd.notna(resp) else 0
    if course_ids:        # the courses with a known invited count, together
        days = pd.concat(all_days) if all_days else pd.Series(dtype=float)
        total = course_row("all", all_n, all_inv if all_inv > 0 else math.nan,
                           all_resp if info is not None and all_inv > 0 else math.nan, days)
        crow.append(total)
    out["per_course"] = pd.DataFrame(crow, columns=["course_id", "n_ideas", "invited", "respondents",
                                                    "ideas_per_invited", "ideas_per_respondent", "days_median",
                                                    "days_q1", "days_q3", "days_min", "days_max"])
    out["per_course"]["n_ideas"] = out["per_course"]["n_ideas"].astype("int64")
    return out


# ============================================================================ recommendation

@dataclass
class Recommendation:
    """Result of :func:`recommend`.

    Attributes
    ----------
    decisions : DataFrame
        Columns :data:`DECISION_COLUMNS`: one row per audience x aspect (``focus`` rows:
        one per weakest construct).
    evidence : DataFrame
        The :func:`what_worked` contrasts behind the decisions.
    """

    decisions: pd.DataFrame
    evidence: pd.DataFrame


_FIXABLE = {"instructor_type": ("external", "internal"), "format": ("in_person", "online", "hybrid"),
            "style": ("lecture", "workshop")}


def _decide(ev: pd.DataFrame, levels: pd.DataFrame):
    """Best level of one factor across outcome constructs.

    Level X *beats* Y on a construct when their comparison is ``different`` with X
    higher.  Candidates beat some level somewhere and are beaten nowhere.  Returns
    (choice, status, candidates, numbers) with numbers = (basis construct, row of the
    comparison with the closest level the choice beats there, levels frame of the basis,
    levels the choice beats on no construct) or None.
    """
    known = ev[ev["class"].notna()]
    if not len(known):
        return None, "not_estimable", [], None
    beats: dict[str, dict[str, set]] = {}
    beaten: set = set()
    for r in known.itertuples(index=False):
        if r[_IDX["class"]] != "different":
            continue
        win, lose = (r.level_b, r.level_a) if r.diff > 0 else (r.level_a, r.level_b)
        beats.setdefault(win, {}).setdefault(r.construct, set()).add(lose)
        beaten.add(lose)
    cands = [lvl for lvl in beats if lvl not in beaten]
    if not cands:
        cls = set(known["class"])
        return None, ("equivalent" if cls <= {"equivalent", "different_but_small"} else "undecided"), [], None
    if len(cands) > 1:
        return None, "undecided", sorted(cands), None
    win = cands[0]
    all_levels = set(known["level_a"]) | set(known["level_b"])
    others = all_levels - {win}
    losers = set().union(*beats[win].values())
    status = "recommended" if losers >= others else "better_than_some"
    order = list(dict.fromkeys(known["construct"]))
    basis = max(beats[win], key=lambda c: (len(beats[win][c]), -order.index(c)))
    lv = levels[(levels["construct"] == basis)].dropna(subset=["estimate"])
    # the closest level the choice beats on the basis construct (highest adjusted mean)
    beaten_here = lv[lv["level"].isin(beats[win][basis])].sort_values("estimate", ascending=False)
    runner = beaten_here["level"].iloc[0] if len(beaten_here) else None
    vs = ev[(ev["construct"] == basis) & (((ev["level_a"] == win) & (ev["level_b"] == runner))
                                          | ((ev["level_b"] == win) & (ev["level_a"] == runner)))]
    not_beaten = sorted(others - losers)
    return win, status, [win], (basis, vs.iloc[0] if len(vs) else None, lv, not_beaten)


_IDX = {c: i for i, c in enumerate(WHAT_WORKED_COLUMNS)}


def recommend(study, *, constructs=None, n_focus: int = 2, sesoi: float = 0.3, fixed: dict | None = None,
              audiences=None, ww: WhatWorked | None = None, nd: pd.DataFrame | None = None,
              gph: pd.DataFrame | None = None, min_cell: int | None = None) -> Recommendation:
    """The next course per audience: focus, format, style, instructor type and hours.

    Parameters
    ----------
    study : Study
    constructs : sequence of str, optional
        Outcomes on which options are judged (default every construct).
    n_focus : int
        Number of weakest constructs (lowest post level) to focus on.
    sesoi : float
        Smallest effect size of interest (d) for :func:`what_worked`.
    fixed : dict, optional
        Choices fixed by the team, e.g. ``{"format": "online"}`` (keys ``format``,
        ``style``, ``instructor_type``, ``hours``): reported with status ``fixed``; the
        other factors are re-derived with the fixed ones adjusted for, and the hours
        from the courses that match the chosen style and format.
    audiences : sequence of str, optional
        Default: every audience in the data.
    ww, nd, gph : optional
        Precomputed :func:`what_worked` (with ``"all"`` among its audiences),
        :func:`needs` and :func:`gain_per_hour` results, to share work with a report
        (without ``ww``, :func:`what_worked` runs here: the costly part).
    min_cell : int, optional

    Returns
    -------
    Recommendation
        ``decisions`` (:data:`DECISION_COLUMNS`):

        - aspect ``focus``: choice = a weakest construct, status ``weakest``, estimate =
          its post mean (ci), diff = its gain, class = its quadrant code, n = n_post (an
          audience with fewer than ``min_cell`` post answers gets no focus);
        - aspects ``format``, ``style``, ``instructor_type``: level X *beats* Y on a
          construct when their comparison (:func:`what_worked`) is ``different`` with X
          higher; a candidate beats some level and is beaten nowhere.  status
          (:data:`STATUSES`): ``recommended`` (one candidate, and it beats every other
          level), ``better_than_some`` (one candidate that beats only some levels),
          ``undecided`` (several candidates, listed in versus; or no candidate and some
          comparison undecided; choice NA), ``equivalent`` (every comparison
          ``equivalent`` or ``different_but_small``: any level will do),
          ``not_estimable`` (nothing to compare), ``fixed``.  The audience's own data are
          used first (source ``audience``); when they do not give a candidate, all
          audiences pooled and adjusted for audience (source ``pooled``).  basis = the
          construct on which the choice beats most levels; estimate, ci, n, n_courses =
          the choice's adjusted mean there; versus, diff, class = its comparison with the
          closest level it beats there (the beaten level with the highest adjusted mean;
          class is then ``different``); n_versus, n_courses_versus = that level's answers
          and courses; tangled_with, entangled_with = that comparison's (:func:`what_worked`);
          not_beaten = the levels the choice beats on no
          construct (``better_than_some``), comma-separated;
        - aspect ``hours``: among the audience's courses of the chosen (or fixed) style,
          then format (a criterion that matches no course is skipped), the course with
          the largest mean gain over the outcome constructs (the shorter on a tie):
          choice = its hours, status ``derived`` (or ``fixed``), versus = its course_id,
          diff = its mean gain, estimate = its mean gain per hour, basis = the courses
          considered, n_courses = their number.  A course and audience with fewer than
          ``min_cell`` answers in either wave is not considered.
    """
    from .schema import AUDIENCES
    fixed = dict(fixed or {})
    for k, v in fixed.items():
        _check_choice("fixed key", k, (*_FIXABLE, "hours"))
        if k == "hours":
            _check_positive("fixed hours", v)
        else:
            _check_choice(f"fixed {k}", v, _FIXABLE[k])
    if isinstance(n_focus, bool) or not isinstance(n_focus, (int, np.integer)) or n_focus < 1:
        raise ValueError(f"n_focus must be a positive whole number, not {n_focus!r}.")
    cids = list(study.codebook.constructs) if constructs is None else list(constructs)
    if audiences is None:
        present = set(study.submissions["audience"].dropna())
        audiences = [a for a in AUDIENCES if a in present]
    audiences = [audiences] if isinstance(audiences, str) else list(audiences)
    free = [f for f in ("instructor_type", "format", "style") if f not in fixed]
    if ww is None:
        adjust = [f for f in ("format", "style", "instructor_type")]
        ww = what_worked(study, constructs=cids, factors=free, audiences=[*audiences, "all"], sesoi=sesoi,
                         min_cell=min_cell, adjust=adjust)
    if nd is None:
        nd = needs(study, sesoi=sesoi, min_cell=min_cell)
    gph = gain_per_hour(study) if gph is None else gph
    # a group under min_cell gives no focus and no hours: its mean or change would be said in words
    small = study.min_cell if min_cell is None else min_cell
    gph = gph[(pd.to_numeric(gph["n_a"], errors="coerce") >= small)
              & (pd.to_numeric(gph["n_b"], errors="coerce") >= small)]
    info = study.courses.drop_duplicates("course_id").set_index("course_id")
    rows = []
    empty = dict(estimate=math.nan, ci_low=math.nan, ci_high=math.nan, versus=None, diff=math.nan,
                 **{"class": None}, n=pd.NA, n_courses=pd.NA, n_versus=pd.NA, n_courses_versus=pd.NA,
                 tangled_with=None, entangled_with=None, not_beaten=None)
    for aud in audiences:
        cons = nd[(nd["audience"] == aud) & (nd["measure_type"] == "construct") & nd["post_mean"].notna()
                  & (pd.to_numeric(nd["n_post"], errors="coerce") >= small)]
        for r in cons.sort_values("post_mean").head(n_focus).itertuples(index=False):
            rows.append(dict(audience=aud, aspect="focus", choice=r.measure_id, status="weakest", source="audience",
                             **{**empty, "basis": r.measure_id, "estimate": r.post_mean, "ci_low": r.post_ci_low,
                                "ci_high": r.post_ci_high, "diff": r.gain, "class": r.quadrant, "n": r.n_post}))
        chosen = dict(fixed)
        for f in ("instructor_type", "format", "style"):
            if f in fixed:
                rows.append(dict(audience=aud, aspect=f, choice=fixed[f], status="fixed", basis=None,
                                 source=None, **empty))
                continue
            for source, who in (("audience", aud), ("pooled", "all")):
                ev = ww.contrasts[(ww.contrasts["audience"] == who) & (ww.contrasts["factor"] == f)
                                  & ww.contrasts["construct"].isin(cids)]
                lv = ww.levels[(ww.levels["audience"] == who) & (ww.levels["factor"] == f)]
                choice, status, cands, numbers = _decide(ev, lv)
                if choice is not None:
                    break
                if source == "audience":
                    first = (status, cands)
            else:          # neither the audience's own data nor the pooled data decide
                source, (status, cands) = "audience", first
            row = dict(audience=aud, aspect=f, choice=choice, status=status, basis=None, source=source,
                       **{**empty, "versus": ",".join(cands) if choice is None and cands else None})
            if numbers is not None:
                basis, c, lv_b, not_beaten = numbers
                lvl = lv_b[lv_b["level"] == choice].iloc[0]
                row.update(basis=basis, estimate=lvl["estimate"], ci_low=lvl["ci_low"], ci_high=lvl["ci_high"],
                           n=int(lvl["n"]), n_courses=int(lvl["n_courses"]),
                           not_beaten=",".join(not_beaten) or None)
                if c is not None:
                    mine_b = c["level_b"] == choice
                    row.update(versus=c["level_a"] if mine_b else c["level_b"], diff=(1 if mine_b else -1) * c["diff"],
                               n_versus=int(c["n_a"] if mine_b else c["n_b"]),
                               n_courses_versus=int(c["n_courses_a"] if mine_b else c["n_courses_b"]),
                               tangled_with=c["tangled_with"] or None,
                               entangled_with=c["entangled_with"] or None, **{"class": c["class"]})
                chosen[f] = choice
            rows.append(row)
        # hours: from the audience's courses with the chosen style and format
        g = gph[(gph["audience"] == aud) & gph["construct"].isin(cids) & gph["hours"].notna()]
        match = g
        for f in ("style", "format"):
            if f in chosen and f in info.columns:
                m = match[match["course_id"].map(info[f]) == chosen[f]]
                if len(m):
                    match = m
        if "hours" in fixed:
            rows.append(dict(audience=aud, aspect="hours", choice=float(fixed["hours"]), status="fixed",
                             basis=None, source=None, **empty))
        elif len(match):
            per = match.groupby("course_id").agg(hours=("hours", "first"), diff=("diff", "mean"),
                                                 per_hour=("per_hour", "mean"))
            best = per.sort_values(["diff", "hours"], ascending=[False, True]).iloc[0]
            rows.append(dict(audience=aud, aspect="hours", choice=float(best["hours"]), status="derived",
                             basis=",".join(per.index), source="audience",
                             **{**empty, "estimate": float(best["per_hour"]), "diff": float(best["diff"]),
                                "versus": str(best.name), "n_courses": int(len(per))}))
        else:
            rows.append(dict(audience=aud, aspect="hours", choice=None, status="not_estimable", basis=None,
                             source=None, **empty))
    decisions = pd.DataFrame(rows, columns=list(DECISION_COLUMNS))
    decisions["choice"] = decisions["choice"].astype(object)
    for c in ("n", "n_courses", "n_versus", "n_courses_versus"):
        decisions[c] = pd.array(pd.to_numeric(decisions[c], errors="coerce"), dtype="Int64")
    evidence = ww.contrasts[ww.contrasts["audience"].isin([*audiences, "all"])
                            & ww.contrasts["construct"].isin(cids)].reset_index(drop=True)
    return Recommendation(decisions=decisions, evidence=evidence)
