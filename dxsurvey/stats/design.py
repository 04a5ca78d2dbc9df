"""How the courses of a study tangle its factors together, and one change per course.

Courses are not randomised: a city hall runs a handful of courses, and their instructor,
format, style and audience come in bundles (both online courses were lectures; one
instructor taught only managers).  A respondent-level model cannot separate factors
that the courses bundle, and its p-values count respondents where the evidence is a
few courses.  This module returns numbers and codes about that, never sentences:

* :func:`entanglement` - for each pair of course factors, Cramér's V over courses and
  the levels that occur with only one level of the other factor (``confined``);
* :func:`factor_courses` - on how many courses each factor level rests;
* :func:`course_changes` - one (adjusted) change per course with its interval, the
  course-level view beside the respondent-level models of :func:`~dxsurvey.stats.compare`.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats.contingency import association

__all__ = ["entanglement", "Entanglement", "factor_courses", "course_changes", "PAIR_COLUMNS",
           "CONFINED_COLUMNS", "COURSE_CHANGE_COLUMNS", "COURSE_FACTORS", "TANGLED_V", "FEW_COURSES"]

#: Factors that belong to a course (``audience`` = the course's audience in courses.csv).
COURSE_FACTORS = ("instructor", "format", "style", "audience")
#: Columns of :attr:`Entanglement.pairs`.
PAIR_COLUMNS = ("factor_a", "factor_b", "n_courses", "cramers_v", "code")
#: Columns of :attr:`Entanglement.confined`.
CONFINED_COLUMNS = ("factor", "level", "n_courses", "other", "other_level")
#: Columns of :func:`course_changes`.
COURSE_CHANGE_COLUMNS = ("course_id", "n", "estimate", "ci_low", "ci_high", "kind")
#: A pair with Cramér's V over courses at least this large is tangled even without a confined level.
TANGLED_V = 0.5
#: A factor level resting on this many courses or fewer: respondent-level p-values overstate certainty.
FEW_COURSES = 3


@dataclass
class Entanglement:
    """Result of :func:`entanglement`.

    Attributes
    ----------
    pairs : DataFrame
        factor_a, factor_b, n_courses (courses where both are known), cramers_v (over
        courses; NaN when a factor has one level), code: ``aliased`` (each level of one
        factor goes with one level of the other, both ways: V = 1), ``confined`` (some
        level that spans at least two courses occurs with one level of the other factor
        only), ``associated`` (V >= :data:`TANGLED_V`), or ``""`` (not tangled).
    confined : DataFrame
        factor, level, n_courses, other, other_level: every level of ``factor`` seen in at
        least two courses, all of which have ``other`` = ``other_level`` (while ``other``
        has more than one level among the courses).
    """

    pairs: pd.DataFrame
    confined: pd.DataFrame

    @property
    def tangled(self) -> pd.DataFrame:
        """The pairs with a code (tangled)."""
        return self.pairs[self.pairs["code"] != ""].reset_index(drop=True)


def _known(col: pd.Series) -> pd.Series:
    return col.notna() & (col.astype(str).str.strip() != "")


def entanglement(courses: pd.DataFrame, factors=COURSE_FACTORS) -> Entanglement:
    """Which course factors the courses tangle together.

    Parameters
    ----------
    courses : DataFrame
        One row per course (``course_id`` and the factor columns; blank = unknown).
    factors : sequence of str
        Factor columns to judge; columns absent from ``courses`` are skipped.

    Returns
    -------
    Entanglement

    Notes
    -----
    Cramér's V of the courses' cross-table, ``V = sqrt(chi2 / (n (min(r, c) - 1)))``
    (``scipy.stats.contingency.association``, no continuity correction), with the course
    as the unit: a comparison of formats rests on courses, not on respondents.

    Examples
    --------
    >>> c = pd.DataFrame({"course_id": list("ABCD"), "format": ["online", "online", "in_person", "in_person"],
    ...                   "style": ["lecture", "lecture", "workshop", "lecture"]})
    >>> e = entanglement(c, ("format", "style"))
    >>> e.confined[["factor", "level", "other", "other_level"]].values.tolist()
    [['format', 'online', 'style', 'lecture']]
    >>> round(float(e.pairs["cramers_v"].iloc[0]), 3), e.pairs["code"].iloc[0]
    (0.577, 'confined')
    """
    if "course_id" not in courses.columns:
        raise ValueError("entanglement needs a course_id column")
    frame = courses.drop_duplicates("course_id")
    present = [f for f in factors if f in frame.columns]
    # the planning report asks again for the same courses and factors for every construct and
    # audience: the answer depends only on these values, so it is kept (copies are returned)
    cells = frame[["course_id", *present]].astype(object)
    key = (tuple(present), tuple(map(tuple, cells.where(cells.notna(), None).to_numpy())))
    if key not in _ENTANGLEMENT_CACHE:
        if len(_ENTANGLEMENT_CACHE) >= 256:
            _ENTANGLEMENT_CACHE.clear()
        _ENTANGLEMENT_CACHE[key] = _entanglement(frame, present)
    found = _ENTANGLEMENT_CACHE[key]
    return Entanglement(found.pairs.copy(), found.confined.copy())


_ENTANGLEMENT_CACHE: dict = {}


def _entanglement(frame: pd.DataFrame, present: list) -> Entanglement:
    pairs, confined = [], []
    for a, b in itertools.combinations(present, 2):
        both = frame[_known(frame[a]) & _known(frame[b])]
        xa, xb = both[a].astype(str), both[b].astype(str)
        n = len(both)
        table = pd.crosstab(xa, xb)
        v = float(association(table.to_numpy(), method="cramer")) if min(table.shape) > 1 else np.nan
        conf = []
        for s, o, xs, xo in ((a, b, xa, xb), (b, a, xb, xa)):
            if xo.nunique() < 2:
                continue
            for lvl, grp in xo.groupby(xs, sort=True):
                if len(grp) >= 2 and grp.nunique() == 1:
                    conf.append((s, lvl, len(grp), o, grp.iloc[0]))
        confined += conf
        if np.isfinite(v) and v > 1 - 1e-9:
            code = "aliased"
        elif conf:
            code = "confined"
        elif np.isfinite(v) and v >= TANGLED_V:
            code = "associated"
        else:
            code = ""
        pairs.append((a, b, n, v, code))
    return Entanglement(pd.DataFrame(pairs, columns=list(PAIR_COLUMNS)),
                        pd.DataFrame(confined, columns=list(CONFINED_COLUMNS)))


def factor_courses(levels: pd.DataFrame, model: str) -> pd.DataFrame:
    """On how many courses each factor of one model rests: factor, n_courses, min_level_courses.

    ``levels`` is :attr:`Comparison.levels`; ``n_courses`` of a factor is the largest
    per-level count summed over levels (a course counts once per level it holds:
    a course open to all audiences counts for both), ``min_level_courses`` the fewest
    courses behind one of its levels.
    """
    sub = levels[levels["model"] == model]
    if not len(sub):
        return pd.DataFrame(columns=["factor", "n_courses", "min_level_courses"])
    g = sub.groupby("factor", sort=False)["n_courses"]
    return pd.DataFrame({"n_courses": g.sum(), "min_level_courses": g.min()}).reset_index()


def course_changes(study, construct: str, *, waves=("pre", "post"), courses=None,
                   min_cell: int | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """One change per course with its interval: the course-level view of a comparison.

    Parameters
    ----------
    study : Study
    construct : str
    waves : (str, str)
    courses : sequence of str, optional
        Courses to show (default every course with data).
    min_cell : int, optional
        Linked pairs a course needs for the adjusted change (default ``study.min_cell``).
    confidence : float

    Returns
    -------
    DataFrame
        course_id, n, estimate, ci_low, ci_high, kind:

        * ``adjusted_change`` (linked data): from one ANCOVA over the courses,
          ``post ~ course + pre`` (OLS, HC3 errors, t intervals on the residual df),
          the course's estimated post mean at the mean pre score of all courses minus
          that mean: the change a course would show with an average starting point;
          n = linked pairs;
        * ``change`` (unlinked): post mean - pre mean with a Welch interval, n = the
          smaller wave count;
        * ``post_mean`` (only wave b): the post mean with a t interval.
    """
    from statsmodels.regression.linear_model import OLS

    from ..scoring import construct_scores, paired_frame

    min_cell = study.min_cell if min_cell is None else int(min_cell)
    wave_a, wave_b = waves
    rows = []
    done: set[str] = set()
    if study.codebook.respondent_key is not None:
        pf = paired_frame(study, waves=waves)
        pf = pf[pf[f"{construct}_a"].notna() & pf[f"{construct}_b"].notna()]
        if courses is not None:
            pf = pf[pf["course_id"].isin(courses)]
        counts = pf.groupby("course_id").size()
        pf = pf[pf["course_id"].isin(counts.index[counts >= min_cell])]
        ids = sorted(pf["course_id"].astype(str).unique())
        if ids:
            x = pf[f"{construct}_a"].to_numpy(float)
            y = pf[f"{construct}_b"].to_numpy(float)
            xbar = float(x.mean())
            dummies = (pf["course_id"].astype(str).to_numpy()[:, None] == np.array(ids)[None, :]).astype(float)
            X = np.column_stack([dummies, x - xbar]) if np.ptp(x) > 1e-9 else dummies
            res = OLS(y, X).fit(cov_type="HC3", use_t=True)
            ci = np.asarray(res.conf_int(alpha=1 - confidence))
            for j, cid in enumerate(ids):
                est = float(res.params[j]) - xbar
                rows.append((cid, int(counts[cid]), est, float(ci[j, 0]) - xbar, float(ci[j, 1]) - xbar,
                             "adjusted_change"))
            done.update(ids)
    scores = construct_scores(study, waves=waves)
    scores = scores[scores[construct].notna()]
    alpha = 1 - confidence
    for cid, grp in scores.groupby("course_id", sort=True):
        cid = str(cid)
        if cid in done or (courses is not None and cid not in courses):
            continue
        a = grp.loc[grp["wave"] == wave_a, construct].to_numpy(float)
        b = grp.loc[grp["wave"] == wave_b, construct].to_numpy(float)
        if len(a) >= 2 and len(b) >= 2:
            t = stats.ttest_ind(b, a, equal_var=False)
            lo, hi = t.confidence_interval(confidence)
            rows.append((cid, int(min(len(a), len(b))), float(b.mean() - a.mean()), float(lo), float(hi),
                         "change"))
        elif len(b) >= 2:
            se = float(b.std(ddof=1) / np.sqrt(len(b)))
            crit = float(stats.t.ppf(1 - alpha / 2, len(b) - 1))
            rows.append((cid, len(b), float(b.mean()), b.mean() - crit * se, b.mean() + crit * se, "post_mean"))
    out = pd.DataFrame(rows, columns=list(COURSE_CHANGE_COLUMNS))
    out["n"] = out["n"].astype("int64")
    return out.sort_values("course_id", kind="stable").reset_index(drop=True)
