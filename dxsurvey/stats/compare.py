"""Fair comparison of instructors, formats, styles and audiences (DESIGN §4).

:func:`compare` fits, on one construct:

* linked data (respondents matched between two waves): an ANCOVA
  ``post ~ pre + instructor + format + style + audience`` (OLS, HC3 errors) with
  estimated marginal means, the gain-score model ``post - pre ~ factors`` beside it
  (Lord's paradox), and a mixed model with a course random intercept when a factor
  level spans several courses;
* unlinked (anonymous) data: ``score ~ wave * (factors)`` and the change per level;
* post-only data: post scores by factor, adjusted for audience;
* optionally, for one scale item, an ordinal (logit) model as a sensitivity check.

Aliased factors (an instructor who only taught online, so that instructor and format
cannot be separated) are detected, named in the notes, and left out of the model.
Levels are never ranked by p-values: every level carries an estimate with an interval,
shrunk toward the grand mean where its n is below 10.
"""
from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..codebook import COURSE_VALUES, split_instructors
from ..schema import AUDIENCES, WAVES
from .codes import note
from .effects import holm

__all__ = [
    "compare", "Comparison", "TERMS_COLUMNS", "LEVELS_COLUMNS", "CONTRASTS_COLUMNS",
    "NOTES_COLUMNS", "MODELS", "NOTE_KINDS", "DESIGNS", "FACTORS", "ALL_FACTORS", "SMALL_N",
]

#: Columns of :attr:`Comparison.terms`.
TERMS_COLUMNS = ("model", "term", "df", "statistic", "p_val", "test")
#: Columns of :attr:`Comparison.levels`.
LEVELS_COLUMNS = ("model", "factor", "level", "n", "n_courses", "estimate", "ci_low", "ci_high")
#: Columns of :attr:`Comparison.contrasts`.
CONTRASTS_COLUMNS = ("model", "factor", "level_a", "level_b", "diff", "ci_low", "ci_high",
                     "p_val", "p_adj")
#: Columns of :attr:`Comparison.notes`: a kind, a code of :data:`dxsurvey.stats.codes.NOTES` and
#: its parameters (a dict of numbers, strings and tuples: data values, never words).
NOTES_COLUMNS = ("kind", "code", "params")
#: Values of the ``model`` column.
MODELS = ("ancova", "gain", "mixed", "wave_x_factor", "post_only", "ordinal")
#: Values of ``notes.kind``.
NOTE_KINDS = ("aliased", "constant", "fallback", "small_n", "design", "ordinal")
#: Values of :attr:`Comparison.design`.
DESIGNS = ("linked", "unlinked", "post_only")
#: Factors that can be compared (course columns, plus the respondent's audience).
FACTORS = ("instructor", "format", "style", "audience")
#: Every factor ``factors`` may name: :data:`FACTORS` and ``instructor_type`` (external |
#: internal), which is not compared by default because an instructor determines it.
ALL_FACTORS = ("instructor", "instructor_type", "format", "style", "audience")
#: Levels with fewer observations than this are shrunk toward the grand mean.
SMALL_N = 10

_LEVEL_ORDER = {"format": COURSE_VALUES["format"], "style": COURSE_VALUES["style"],
                "instructor_type": COURSE_VALUES["instructor_type"], "audience": AUDIENCES}
_MIN_ICC = 1e-3          # course variance share below this counts as "zero"


@dataclass
class Comparison:
    """Result of :func:`compare`: tidy frames (column tuples at the top of this module).

    Attributes
    ----------
    terms : DataFrame
        model, term, df, statistic, p_val, test.  Type-II Wald tests of each term; ``statistic``
        is an F (numerator ``df``; HC3 errors; ``test`` = ``"F"``) for ``ancova``, ``gain``,
        ``wave_x_factor`` and a fixed-effects ``post_only``, and a Wald chi-square
        (``test`` = ``"chi2"``) for ``mixed``, a mixed ``post_only`` and ``ordinal``.
    levels : DataFrame
        model, factor, level, n, n_courses, estimate, ci_low, ci_high: estimated marginal
        means (``wave_x_factor``: change b - a of the level).
    contrasts : DataFrame
        model, factor, level_a, level_b, diff (= level_b - level_a), ci_low, ci_high,
        p_val, p_adj (Holm within model x factor).
    notes : DataFrame
        kind, code, params: what the comparison says about itself (aliasing, fallbacks,
        small levels, Lord's paradox) as codes of :data:`dxsurvey.stats.codes.NOTES` with
        their parameters; the report layer words them in the report's language.
    design : str
        ``linked``, ``unlinked`` or ``post_only``.
    courses : tuple of str
        The courses in the main model (the linked, unlinked or post-only frame), in order:
        what :func:`dxsurvey.stats.design.entanglement` judges.
    """

    terms: pd.DataFrame
    levels: pd.DataFrame
    contrasts: pd.DataFrame
    notes: pd.DataFrame
    design: str
    courses: tuple = ()


# ----------------------------------------------------------------------------- notes

class _Notes:
    """Collects (kind, code, parameters) rows, each once; the codes are :data:`codes.NOTES`,
    worded by the report layer (catalogue keys ``20_comparison.note.<code>``)."""

    def __init__(self):
        self.rows: list[tuple[str, str, dict]] = []
        self._seen: set = set()

    def add(self, kind: str, code: str, **params) -> None:
        note(code, **params)                        # the code and its parameter names are known
        key = (kind, code, repr(sorted(params.items())))
        if key not in self._seen:
            self._seen.add(key)
            self.rows.append((kind, code, params))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=list(NOTES_COLUMNS), dtype=object)


# ----------------------------------------------------------------------------- design coding

class _Coder:
    """Treatment coding of an intercept, an optional covariate ``x``, factors and
    (optionally) ``wave`` with wave x factor interactions.  Column names follow the
    ``factor[level]`` pattern; the first level of each factor is the reference."""

    def __init__(self, levels: dict[str, list[str]], covariate: bool = False,
                 waves: tuple[str, str] | None = None, interactions: bool = True):
        self.levels = levels
        self.covariate = covariate
        self.waves = waves
        self.interactions = bool(waves) and interactions
        self.names = ["Intercept"]
        self.slices: dict[str, list[int]] = {}
        if covariate:
            self.slices["x"] = [1]
            self.names.append("x")
        if waves:
            self.slices["wave"] = [len(self.names)]
            self.names.append(f"wave[{waves[1]}]")
        for f, lv in levels.items():
            self.slices[f] = list(range(len(self.names), len(self.names) + len(lv) - 1))
            self.names += [f"{f}[{lvl}]" for lvl in lv[1:]]
        if self.interactions:
            for f, lv in levels.items():
                self.slices[f"wave:{f}"] = list(range(len(self.names), len(self.names) + len(lv) - 1))
                self.names += [f"wave[{waves[1]}]:{f}[{lvl}]" for lvl in lv[1:]]

    def matrix(self, frame: pd.DataFrame) -> np.ndarray:
        n = len(frame)
        cols = [np.ones(n)]
        if self.covariate:
            cols.append(frame["x"].to_numpy(dtype=float))
        if self.waves:
            w = (frame["wave"].to_numpy() == self.waves[1]).astype(float)
            cols.append(w)
        dummies = {}
        for f, lv in self.levels.items():
            v = frame[f].to_numpy()
            dummies[f] = [(v == lvl).astype(float) for lvl in lv[1:]]
            cols += dummies[f]
        if self.interactions:
            for f in self.levels:
                cols += [w * d for d in dummies[f]]
        return np.column_stack(cols) if cols else np.empty((n, 0))

    def grid(self, x_mean: float | None) -> pd.DataFrame:
        """Every combination of factor (and wave) levels: the emmeans reference grid."""
        keys = list(self.levels)
        values = [self.levels[k] for k in keys]
        if self.waves:
            keys.append("wave")
            values.append(list(self.waves))
        grid = pd.DataFrame(list(itertools.product(*values)) or [()], columns=keys)
        if self.covariate:
            grid["x"] = x_mean
        return grid


def _emm_matrix(coder: _Coder, factor: str, x_mean) -> np.ndarray:
    """Rows L such that L @ beta are the marginal means of ``factor``'s levels (equal
    weights over the other factors; for a wave model, the change b - a of each level)."""
    grid = coder.grid(x_mean)
    X = coder.matrix(grid)
    out = []
    for lvl in coder.levels[factor]:
        at = grid[factor].to_numpy() == lvl
        if coder.waves:
            post = at & (grid["wave"].to_numpy() == coder.waves[1])
            pre = at & (grid["wave"].to_numpy() == coder.waves[0])
            out.append(X[post].mean(axis=0) - X[pre].mean(axis=0))
        else:
            out.append(X[at].mean(axis=0))
    return np.vstack(out)


# ----------------------------------------------------------------------------- fitting

@dataclass
class _Fit:
    beta: np.ndarray
    cov: np.ndarray
    df_resid: float | None          # None -> normal / chi-square inference
    tau2: float | None = None       # course variance of a kept mixed model
    extra: dict = field(default_factory=dict)


def _hc3(X: np.ndarray, resid: np.ndarray) -> tuple[np.ndarray, bool]:
    """HC3 sandwich covariance (MacKinnon & White 1985), as ``sandwich::vcovHC(type="HC3")``.

    An observation with leverage 1 (its own level) has residual 0 and would give 0/0;
    it is left out of the meat.  Returns the covariance and whether that happened.
    """
    bread = np.linalg.inv(X.T @ X)
    h = np.einsum("ij,jk,ik->i", X, bread, X)
    lev1 = h > 1 - 1e-8
    w = np.where(lev1, 0.0, resid / np.where(lev1, 1.0, 1.0 - h))
    meat = (X * (w ** 2)[:, None]).T @ X
    return bread @ meat @ bread, bool(lev1.any())


def _fit_ols(y: np.ndarray, X: np.ndarray) -> tuple[_Fit, bool]:
    from statsmodels.regression.linear_model import OLS   # not statsmodels.api: 0.5 s of imports
    res = OLS(y, X).fit()
    cov, lev1 = _hc3(X, np.asarray(res.resid))
    return _Fit(beta=np.asarray(res.params), cov=cov, df_resid=float(res.df_resid)), lev1


#: Mixed-model fits of this process, by their data (see :func:`_fit_mixed`), newest last.
_MIXED_FITS: dict[bytes, tuple] = {}
_MIXED_FITS_KEPT = 128


def _fit_mixed(y, X, groups, names) -> tuple[_Fit | None, str | None, str]:
    """MixedLM (REML) with a random intercept per group; returns (fit, why, detail): ``why`` is
    ``error`` (detail: the message), ``zero_var`` (detail: the course variance), ``not_converged``
    or ``singular`` when the fit is not used.

    The model is fitted with its columns in the order of their names and remembered for this
    process: the planning report compares each factor adjusted for the others, which asks
    for the same model with its columns in another order (a second of fitting at 10,000
    respondents each time), and a reused kernel's next report asks again.  The REML fit does
    not depend on the order of the columns; the estimates come back in the order asked for.
    """
    import hashlib

    names = list(names)
    order = np.argsort(np.asarray(names, dtype=object).astype(str), kind="stable")
    Xs = np.ascontiguousarray(np.asarray(X, dtype=float)[:, order])
    ys = np.ascontiguousarray(np.asarray(y, dtype=float))
    h = hashlib.sha256()
    for part in (ys.tobytes(), Xs.tobytes(), repr(Xs.shape).encode(),
                 "\x1f".join(np.asarray(groups).astype(str)).encode(),
                 "\x1f".join(names[i] for i in order).encode()):
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    key = h.digest()
    hit = _MIXED_FITS.pop(key, None)
    if hit is None:
        hit = _fit_mixed_ordered(ys, Xs, groups, [names[i] for i in order])
    _MIXED_FITS[key] = hit
    while len(_MIXED_FITS) > _MIXED_FITS_KEPT:
        del _MIXED_FITS[next(iter(_MIXED_FITS))]
    fit, why, detail = hit
    if fit is None:
        return hit
    back = np.argsort(order)
    return _Fit(beta=fit.beta[back].copy(), cov=fit.cov[np.ix_(back, back)].copy(), df_resid=fit.df_resid,
                tau2=fit.tau2, extra=dict(fit.extra)), why, detail


def _fit_mixed_ordered(y, X, groups, names) -> tuple[_Fit | None, str | None, str]:
    from statsmodels.regression.mixed_linear_model import MixedLM
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = MixedLM(y, pd.DataFrame(X, columns=names), groups=groups).fit(reml=True)
    except (np.linalg.LinAlgError, ValueError) as exc:
        return None, "error", str(exc)
    k = X.shape[1]
    tau2 = float(np.asarray(res.cov_re)[0, 0])
    scale = float(res.scale)
    if np.isfinite(tau2) and np.isfinite(scale) and tau2 / (tau2 + scale) < _MIN_ICC:
        return None, "zero_var", f"{tau2}"
    if not res.converged or not np.isfinite(tau2) or any(
            issubclass(w.category, ConvergenceWarning) and "boundary" not in str(w.message)
            for w in caught):
        return None, "not_converged", ""
    cov = np.asarray(res.cov_params())[:k, :k]
    if not np.all(np.isfinite(cov)):
        return None, "singular", ""
    try:
        np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        return None, "singular", ""
    return _Fit(beta=np.asarray(res.fe_params), cov=cov, df_resid=None, tau2=tau2,
                extra={"scale": scale}), None, ""


def _wald(fit: _Fit, idx: list[int]) -> tuple[float, float]:
    """Wald test that the coefficients ``idx`` are 0: (F or chi-square, p)."""
    b = fit.beta[idx]
    V = fit.cov[np.ix_(idx, idx)]
    try:
        W = float(b @ np.linalg.solve(V, b))
    except np.linalg.LinAlgError:
        return math.nan, math.nan
    q = len(idx)
    if fit.df_resid is None:
        return W, float(stats.chi2.sf(W, q))
    F = W / q
    return F, float(stats.f.sf(F, q, fit.df_resid))


def _crit(fit: _Fit, confidence: float) -> float:
    a = (1 + confidence) / 2
    return float(stats.norm.ppf(a) if fit.df_resid is None else stats.t.ppf(a, fit.df_resid))


def _pval(fit: _Fit, z: float) -> float:
    if not np.isfinite(z):
        return math.nan
    if fit.df_resid is None:
        return float(2 * stats.norm.sf(abs(z)))
    return float(2 * stats.t.sf(abs(z), fit.df_resid))


def _holm(p: pd.Series) -> pd.Series:
    """Holm-adjusted p of one family (NaN stays NaN): the vectorised :func:`effects.holm`,
    which equals statsmodels' ``multipletests(method="holm")`` without its per-call
    garbage collection (~80 ms a call, most of a comparison's run time)."""
    return pd.Series(holm(p.to_numpy(dtype=float), np.zeros(len(p), dtype=int)), index=p.index)


# ----------------------------------------------------------------------------- factors

def _order_levels(f: str, values) -> list[str]:
    present = set(values)
    known = [v for v in _LEVEL_ORDER.get(f, ()) if v in present]
    return known + sorted(present - set(known))


def _prepare_factors(frame: pd.DataFrame, factors, notes: _Notes) -> tuple[pd.DataFrame, dict]:
    """Drop unknown/constant factors (noted) and rows with an unknown level (noted).

    Returns the kept rows and ``{factor: ordered levels}``.
    """
    kept = []
    for f in factors:
        if frame[f].isna().all():
            notes.add("constant", "unknown_all", factor=f)
        else:
            kept.append(f)
    for f in kept:
        miss = frame[f].isna()
        if miss.any():
            courses = sorted(frame.loc[miss, "course_id"].astype(str).unique())
            notes.add("design", "unknown_some", factor=f, n=int(miss.sum()), courses=tuple(courses))
            frame = frame[~miss]
    levels = {}
    for f in kept:
        lv = _order_levels(f, frame[f].astype(str).unique())
        if len(lv) == 1:
            notes.add("constant", "constant", factor=f, level=lv[0])
        elif len(lv) > 1:
            levels[f] = lv
    frame = frame.copy()
    for f in levels:
        frame[f] = frame[f].astype(str)
    return frame, levels


def _rank(X: np.ndarray) -> int:
    return int(np.linalg.matrix_rank(X)) if X.size else 0


def _alias_note(frame, dropped: str, partners: list[str], notes: _Notes) -> None:
    """Note that ``dropped`` is inseparable from ``partners``, naming the levels that make it so:
    ``confined`` holds ``(factor, level, other factor, its only level)`` for each level of the
    first factor (in :data:`ALL_FACTORS` order; else the second) that met a single level of the other."""
    if len(partners) != 1:
        notes.add("aliased", "aliased_combo", factor=dropped, others=tuple(partners))
        return
    kept = partners[0]
    # describe from the factor that comes first in ALL_FACTORS (instructor before format ...)
    subj, obj = sorted([kept, dropped], key=ALL_FACTORS.index)
    confined: list[tuple[str, str, str, str]] = []
    for s, o in ((subj, obj), (obj, subj)):
        for lvl, grp in frame.groupby(s, sort=True)[o]:
            only = grp.unique()
            if len(only) == 1:
                confined.append((s, str(lvl), o, str(only[0])))
        if confined:
            break
    notes.add("aliased", "aliased", dropped=dropped, kept=kept, confined=tuple(confined))


def _resolve_aliasing(frame, levels: dict, covariate: bool, notes: _Notes,
                      waves: tuple[str, str] | None = None) -> dict:
    """Greedy, in factor order: a factor whose dummies do not raise the rank of the
    design is aliased with earlier ones; it is left out and named in a note."""
    kept: dict[str, list[str]] = {}
    for f, lv in levels.items():
        trial = dict(kept, **{f: lv})
        X = _Coder(trial, covariate=covariate, waves=waves, interactions=False).matrix(frame)
        if _rank(X) == X.shape[1]:
            kept[f] = lv
            continue
        partners = []
        for g in kept:
            Xg = _Coder({g: kept[g], f: lv}).matrix(frame)
            if _rank(Xg) < Xg.shape[1]:
                partners.append(g)
        if not partners:
            partners = list(kept)
        if not partners:   # not estimable even alone (one level left, or no residual df)
            notes.add("aliased", "alias_none", factor=f)
            continue
        _alias_note(frame, f, partners, notes)
    if waves:       # a level seen in one wave only makes its change inestimable
        main, kept = kept, {}
        for f, lv in main.items():
            X = _Coder(dict(kept, **{f: lv}), waves=waves).matrix(frame)
            if _rank(X) == X.shape[1]:
                kept[f] = lv
            else:
                notes.add("aliased", "alias_wave", factor=f)
    return kept


def _spans_courses(frame, levels: dict) -> tuple[bool, bool]:
    """(some level spans several courses, the course intercept is identifiable)."""
    spans = any(frame.groupby(f)["course_id"].nunique().max() > 1 for f in levels)
    course_level = [f for f in levels
                    if (frame.groupby("course_id")[f].nunique() <= 1).all()]
    n_courses = frame["course_id"].nunique()
    n_cells = len(frame[course_level].drop_duplicates()) if course_level else 1
    return spans, n_courses > n_cells


# ----------------------------------------------------------------------------- tables

class _Out:
    def __init__(self):
        self.terms, self.levels, self.contrasts = [], [], []
        self.courses: tuple = ()

    def used(self, frame: pd.DataFrame) -> None:
        """Record the courses of the main model (the first model fitted)."""
        if not self.courses:
            self.courses = tuple(sorted(frame["course_id"].astype(str).unique()))


def _tables(model: str, fit: _Fit, coder: _Coder, frame: pd.DataFrame, x_mean, terms: dict,
            confidence: float, min_cell: int, notes: _Notes, out: _Out, n_by_wave: bool = False,
            ) -> dict:
    """Append terms, levels and contrasts of one fitted model; returns
    ``{(factor, level_a, level_b): (diff, interval excludes 0)}`` (unshrunk, unsuppressed)
    for cross-model comparison."""
    for label, idx in terms.items():
        if idx:
            stat, p = _wald(fit, idx)
            out.terms.append((model, label, len(idx), stat, p, "chi2" if fit.df_resid is None else "F"))
    crit = _crit(fit, confidence)
    raw = {}
    for f, lv in coder.levels.items():
        L = _emm_matrix(coder, f, x_mean)
        est = L @ fit.beta
        se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", L, fit.cov, L), 0))
        grp = frame.groupby(f)
        if n_by_wave:
            n = frame.groupby([f, "wave"]).size().unstack(fill_value=0).min(axis=1)
        else:
            n = grp.size()
        n = n.reindex(lv, fill_value=0)
        n_courses = grp["course_id"].nunique().reindex(lv, fill_value=0)
        # empirical-Bayes shrinkage of small levels toward the equal-weight grand mean
        Lg = L.mean(axis=0)
        grand, var_grand = float(Lg @ fit.beta), float(Lg @ fit.cov @ Lg)
        if fit.tau2 is not None:
            tau2 = fit.tau2
        else:
            tau2 = max(0.0, float(np.var(est, ddof=1)) - float(np.mean(se ** 2))) if len(est) > 1 else 0.0
        hidden = set()
        for i, lvl in enumerate(lv):
            e, lo, hi = est[i], est[i] - crit * se[i], est[i] + crit * se[i]
            ni = int(n[lvl])
            if ni < min_cell:
                e = lo = hi = math.nan
                hidden.add(lvl)
                notes.add("small_n", "hidden", factor=f, level=lvl, min_cell=min_cell, model=model)
            elif ni < SMALL_N:
                B = tau2 / (tau2 + se[i] ** 2) if tau2 + se[i] ** 2 > 0 else 0.0
                e = grand + B * (est[i] - grand)
                half = crit * math.sqrt(B * se[i] ** 2 + (1 - B) ** 2 * var_grand)
                lo, hi = e - half, e + half
                notes.add("small_n", "shrunk", factor=f, level=lvl, n=ni, small=SMALL_N, model=model)
            out.levels.append((model, f, lvl, ni, int(n_courses[lvl]), e, lo, hi))
        rows = []
        for i, j in itertools.combinations(range(len(lv)), 2):
            d = L[j] - L[i]
            diff = float(d @ fit.beta)
            s = math.sqrt(max(float(d @ fit.cov @ d), 0.0))
            raw[(f, lv[i], lv[j])] = (diff, s > 0 and abs(diff) > crit * s)
            if lv[i] in hidden or lv[j] in hidden:
                rows.append([model, f, lv[i], lv[j], math.nan, math.nan, math.nan, math.nan])
            else:
                p = _pval(fit, diff / s) if s > 0 else math.nan
                rows.append([model, f, lv[i], lv[j], diff, diff - crit * s, diff + crit * s, p])
        if rows:
            block = pd.DataFrame(rows, columns=list(CONTRASTS_COLUMNS[:-1]))
            block["p_adj"] = _holm(block["p_val"])
            out.contrasts += [tuple(r) for r in block.itertuples(index=False)]
    return raw


def _too_few(model, n, p, notes) -> bool:
    if n <= p:
        notes.add("design", "too_few", model=model, n=int(n), p=int(p))
        return True
    return False


# ----------------------------------------------------------------------------- designs

def _linked_models(frame, levels, wave_a, confidence, min_cell, notes, out, covariate=True) -> dict:
    """ANCOVA, gain and (where possible) mixed model on linked data.

    ``covariate=False`` (every wave-a score equal) fits the ANCOVA without the wave-a score."""
    coder = _Coder(levels, covariate=covariate)
    X = coder.matrix(frame)
    y, x = frame["y"].to_numpy(float), frame["x"].to_numpy(float)
    if _too_few("ancova", len(frame), X.shape[1], notes):
        return {}
    terms = {**({wave_a: coder.slices["x"]} if covariate else {}), **{f: coder.slices[f] for f in levels}}
    fit, lev1 = _fit_ols(y, X)
    if lev1:
        notes.add("small_n", "leverage", model="ancova")
    raw_ancova = _tables("ancova", fit, coder, frame, float(x.mean()), terms, confidence, min_cell, notes, out)

    gcoder = _Coder(levels)
    gfit, _ = _fit_ols(y - x, gcoder.matrix(frame))
    raw_gain = _tables("gain", gfit, gcoder, frame, None, {f: gcoder.slices[f] for f in levels},
                       confidence, min_cell, notes, out)
    notes.add("design", "lord")
    # opposite signs, and at least one of the two intervals excludes 0
    flips = [key for key, (d, clear) in raw_ancova.items()
             if key in raw_gain and d * raw_gain[key][0] < 0 and (clear or raw_gain[key][1])]
    if flips:
        notes.add("design", "lord_disagree", pairs=tuple(flips))

    _maybe_mixed("mixed", frame, coder, X, y, float(x.mean()), terms, "ancova", confidence, min_cell,
                 notes, out)
    return fit.extra


def _maybe_mixed(model, frame, coder, X, y, x_mean, terms, fixed, confidence, min_cell, notes, out,
                 fixed_fallback=None) -> bool:
    """Fit the course-random-intercept model ``model`` when a level spans courses.

    Returns True when the mixed model was kept (its tables appended)."""
    if not coder.levels:
        return False
    spans, identifiable = _spans_courses(frame, coder.levels)
    if not spans:
        notes.add("design", "mixed_none", model=fixed)
        return False
    if not identifiable:
        notes.add("fallback", "fallback", model=model, fixed=fixed, why="identify", detail="")
        return False
    fit, why, detail = _fit_mixed(y, X, frame["course_id"].to_numpy(), coder.names)
    if fit is None:
        notes.add("fallback", "fallback", model=model, fixed=fixed, why=why,
                  detail=float(detail) if why == "zero_var" else detail)
        return False
    _tables(model, fit, coder, frame, x_mean, terms, confidence, min_cell, notes, out)
    icc = fit.tau2 / (fit.tau2 + fit.extra["scale"])
    notes.add("design", "mixed_ok", var=float(fit.tau2), icc=float(icc))
    return True


def _unlinked_model(frame, levels, waves, confidence, min_cell, notes, out) -> None:
    coder = _Coder(levels, waves=waves)
    X = coder.matrix(frame)
    if _too_few("wave_x_factor", len(frame), X.shape[1], notes):
        return
    fit, lev1 = _fit_ols(frame["y"].to_numpy(float), X)
    if lev1:
        notes.add("small_n", "leverage", model="wave_x_factor")
    terms = {f"wave:{f}": coder.slices[f"wave:{f}"] for f in levels}
    _tables("wave_x_factor", fit, coder, frame, None, terms, confidence, min_cell, notes, out,
            n_by_wave=True)


def _post_only_model(frame, factors, confidence, min_cell, notes, out) -> None:
    frame, levels = _prepare_factors(frame, factors, notes)
    out.used(frame)
    levels = _resolve_aliasing(frame, levels, covariate=False, notes=notes)
    coder = _Coder(levels)
    X = coder.matrix(frame)
    if _too_few("post_only", len(frame), X.shape[1], notes):
        return
    y = frame["y"].to_numpy(float)
    terms = {f: coder.slices[f] for f in levels}
    if len(levels) and _maybe_mixed("post_only", frame, coder, X, y, None, terms, "post_only",
                                    confidence, min_cell, notes, out):
        return
    fit, lev1 = _fit_ols(y, X)
    if lev1:
        notes.add("small_n", "leverage", model="post_only")
    _tables("post_only", fit, coder, frame, None, terms, confidence, min_cell, notes, out)


def _ordinal_check(frame, levels, item, covariate, waves, notes, out) -> None:
    """OrderedModel (logit) of the item in ``waves[-1]`` (adjusted for ``waves[0]`` when
    ``covariate``); note whether effect signs agree with OLS."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    coder = _Coder(levels, covariate=covariate)
    X = coder.matrix(frame)[:, 1:]           # OrderedModel takes no constant
    names = coder.names[1:]
    y = frame["y"].astype(int)
    cats = sorted(y.unique())
    if len(cats) < 2 or len(frame) <= X.shape[1] + len(cats):
        notes.add("ordinal", "ordinal_too_few", item=item, n=int(len(frame)), categories=len(cats))
        return
    endog = pd.Series(pd.Categorical(y, categories=cats, ordered=True))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = OrderedModel(endog, pd.DataFrame(X, columns=names), distr="logit").fit(
                method="bfgs", disp=False, maxiter=2000)
    except (np.linalg.LinAlgError, ValueError) as exc:
        notes.add("ordinal", "ordinal_fail", item=item, error=str(exc))
        return
    k = X.shape[1]
    fit = _Fit(beta=np.asarray(res.params)[:k], cov=np.asarray(res.cov_params())[:k, :k], df_resid=None)
    shift = 1                                # coder slices count the intercept
    if covariate:
        stat, p = _wald(fit, [0])
        out.terms.append(("ordinal", waves[0], 1, stat, p, "chi2"))
    ols, _ = _fit_ols(y.to_numpy(float), coder.matrix(frame))
    for f in levels:
        idx = [i - shift for i in coder.slices[f]]
        stat, p = _wald(fit, idx)
        out.terms.append(("ordinal", f, len(idx), stat, p, "chi2"))
        details, same = [], True
        for lvl, i in zip(levels[f][1:], coder.slices[f]):
            a, b = float(res.params.iloc[i - shift]), float(ols.beta[i])
            same &= (a >= 0) == (b >= 0)
            details.append((lvl, levels[f][0], a, b))
        # the model: waves[-1] ~ waves[0] (when a covariate) + the factors; waves = (outcome, covariate)
        notes.add("ordinal", "ordinal_sign", item=item, waves=(waves[-1], waves[0]) if covariate else (waves[-1],),
                  factors=tuple(levels), factor=f, same=bool(same), details=tuple(details))


# ----------------------------------------------------------------------------- entry point

def _check_args(study, construct, factors, waves, confidence, min_cell, item):
    cons = study.codebook.constructs
    if construct not in cons:
        raise ValueError(f"construct must be one of {', '.join(cons) or '(none defined)'}, not {construct!r}.")
    if isinstance(factors, str):
        factors = (factors,)
    factors = tuple(factors)
    bad = [f for f in factors if f not in ALL_FACTORS]
    if not factors or bad or len(set(factors)) != len(factors):
        raise ValueError(f"factors must be distinct values of {', '.join(ALL_FACTORS)}, not {factors!r}.")
    waves = (waves,) if isinstance(waves, str) else tuple(waves)
    if (len(waves) not in (1, 2) or len(set(waves)) != len(waves) or any(w not in WAVES for w in waves)):
        raise ValueError(f"waves must be one wave or two different waves of {', '.join(WAVES)}, "
                         f"not {waves!r}.")
    if not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be a number between 0 and 1, not {confidence!r}.")
    if min_cell is None:
        min_cell = study.min_cell
    if not isinstance(min_cell, (int, np.integer)) or isinstance(min_cell, bool) or min_cell < 1:
        raise ValueError(f"min_cell must be a positive whole number, not {min_cell!r}.")
    if item is not None:
        scale_ids = [it.id for it in study.codebook.items if it.type == "scale"]
        if item not in scale_ids:
            raise ValueError(f"item must be one of the scale items {', '.join(scale_ids)}, not {item!r}.")
    return factors, waves, int(min_cell)


def _with_courses(frame: pd.DataFrame, courses: pd.DataFrame, factors, subs: pd.DataFrame | None = None
                  ) -> pd.DataFrame:
    """Join the course-level factor columns; ``audience`` stays the respondent's.

    A submission's own ``instructor``, ``format`` or ``style`` (a row-level column of a
    shared form) wins over its course's; a linked pair takes its wave-b submission's.
    """
    frame = frame.copy()
    course_cols = [f for f in factors if f != "audience"]
    info = courses.drop_duplicates("course_id").set_index("course_id")
    sid = next((c for c in ("submission_id", "submission_id_b") if c in frame.columns), None)
    own = subs.set_index("submission_id") if subs is not None and sid is not None else None
    for f in course_cols:
        col = info[f] if f in info.columns else pd.Series(pd.NA, index=info.index)
        frame[f] = frame["course_id"].map(col)
        if own is not None and f in own.columns and own[f].notna().any():
            row = frame[sid].map(own[f])
            frame[f] = row.where(row.notna(), frame[f])
    for f in factors:
        frame[f] = frame[f].astype(object).where(frame[f].notna(), None)
    return frame


def _co_taught(frame: pd.DataFrame, factors, notes) -> None:
    """Name the instructor levels that are a combination (a co-taught course)."""
    if "instructor" not in factors or "instructor" not in frame.columns:
        return
    combos = sorted(v for v in frame["instructor"].dropna().unique() if len(split_instructors(v)) > 1)
    if combos:
        notes.add("design", "co_taught", levels=tuple(combos))


def compare(study, *, construct: str, factors=FACTORS, waves=("pre", "post"),
            confidence: float = 0.95, min_cell: int | None = None, item: str | None = None,
            ) -> Comparison:
    """Compare instructors, formats, styles and audiences fairly on one construct.

    Parameters
    ----------
    study : Study
    construct : str
        A construct id of the codebook.
    factors : sequence of str
        Any of ``instructor``, ``instructor_type``, ``format``, ``style`` (course columns)
        and ``audience`` (the respondent's); the order decides which of two aliased
        factors is kept.  Default :data:`FACTORS` (all but ``instructor_type``).
    waves : (str, str) or (str,)
        Wave a and wave b (``("pre", "post")``), or one wave for a post-only comparison.
    confidence : float
        Level of every interval.
    min_cell : int, optional
        Levels with fewer observations get NaN estimates (default ``study.min_cell``);
        also the number of linked pairs a course needs to enter the linked models.
    item : str, optional
        A scale item id: add an ordinal-logit sensitivity check of that item.

    Returns
    -------
    Comparison
        ``terms``, ``levels``, ``contrasts``, ``notes`` (see :class:`Comparison`) and
        ``design``:

        * ``linked`` (codebook has a respondent key, courses with at least ``min_cell``
          linked pairs): models ``ancova`` (``b ~ a + factors``, OLS, HC3), ``gain``
          (``b - a ~ factors``) and ``mixed`` (ANCOVA with a course random intercept,
          REML) when a level spans several courses and the fit is sound;
        * ``unlinked``: ``wave_x_factor`` (``score ~ wave * (factors)``, HC3); levels are
          the change b - a of each level, n the smaller of its two wave counts;
        * ``post_only`` (one wave given, or no course has both waves): ``post_only``,
          wave-b scores ``~ factors`` (audience among them), with a course random
          intercept when a level spans courses and the fit is sound, else OLS with HC3.
          Post-only courses of a pre/post study are compared this way too.

    Notes
    -----
    Marginal means follow emmeans: predictions at the covariate mean, averaged with
    equal weights over the other factors' levels; their standard errors come from the
    model's (HC3 or mixed-model) covariance, ``se = sqrt(L V L')``, with t intervals
    on the residual df (normal for mixed models).  Type-II tests of a main-effects model
    are Wald tests of each term's coefficients, ``F = b' (R V R')^-1 b / q``.

    A level with ``min_cell <= n < 10`` is shrunk toward the grand mean ``g`` (mean of
    the level means): ``g + B (m - g)``, ``B = tau2 / (tau2 + se^2)``, where ``tau2`` is
    the course random-intercept variance of a kept mixed model, else the
    method-of-moments between-level variance ``max(0, var(m) - mean(se^2))``; its
    interval has variance ``B se^2 + (1 - B)^2 var(g)`` (Morris 1983).  Contrasts are
    not shrunk.

    A factor whose dummy columns do not raise the rank of the design (taken in the
    order of ``factors``) is aliased: it is left out and a note (code ``aliased``) names the
    levels that make it so (``("instructor", "Vendor A", "format", "online")``: Vendor A
    only taught online).  A mixed model is dropped, with a ``fallback`` note, when it does
    not converge, its course variance is below 0.1 % of the total, or the fixed-effect
    covariance is singular.

    References
    ----------
    Searle, Speed & Milliken (1980). Population marginal means in the linear model.
    Long & Ervin (2000). Using heteroscedasticity consistent standard errors in the
    linear regression model.  Morris (1983). Parametric empirical Bayes inference.
    Lord (1967). A paradox in the interpretation of group comparisons.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from tests.statsdata import make_study
    >>> rng = np.random.default_rng(1)
    >>> rows = [(c, w, f"{c}{i}", min(5, 2 + (w == "post") * (1 + (c in "AC")) + rng.integers(0, 3)))
    ...         for c in "ABCD" for i in range(8) for w in ("pre", "post")]
    >>> wide = pd.DataFrame(rows, columns=["course_id", "wave", "respondent_key", "q1"])
    >>> study = make_study(wide, constructs={"att": ("q1",)})
    >>> study.courses["format"] = ["online", "in_person", "online", "in_person"]
    >>> res = compare(study, construct="att", factors=("format",))
    >>> res.design
    'linked'
    >>> c = res.contrasts.query("model == 'ancova'").iloc[0]
    >>> (c.level_a, c.level_b, bool(c["diff"] > 0))     # diff = online - in_person
    ('in_person', 'online', True)
    """
    factors, waves, min_cell = _check_args(study, construct, factors, waves, confidence, min_cell, item)
    notes = _Notes()
    out = _Out()
    from ..scoring import construct_scores, paired_frame

    scores = construct_scores(study, waves=waves)      # on the items asked in every compared wave
    scores = scores[scores[construct].notna() & scores["wave"].isin(waves)]
    if scores.empty:
        notes.add("design", "no_scores", construct=construct)
        design = ("post_only" if len(waves) == 1
                  else "linked" if study.codebook.respondent_key is not None else "unlinked")
        return _result(out, notes, design)
    courses = study.courses
    wave_b = waves[-1]
    has = scores.groupby("course_id")["wave"].agg(set)
    both = sorted(c for c, s in has.items() if len(waves) == 2 and set(waves) <= s)
    only_b = sorted(c for c, s in has.items() if wave_b in s and c not in both)

    def post_frame(course_ids):
        post = scores[(scores["wave"] == wave_b) & scores["course_id"].isin(course_ids)]
        post = post.rename(columns={construct: "y"})[["submission_id", "course_id", "audience", "y"]]
        post = _with_courses(post, courses, factors, study.submissions)
        _co_taught(post, factors, notes)
        return post

    if len(waves) == 1 or not both:
        frame = post_frame(sorted(has.index))
        if len(waves) == 2:   # "adjusted for audience" only when audience is a known factor beside others
            adjusted = ("audience" in factors and len(factors) > 1
                        and frame["audience"].dropna().nunique() > 1)
            notes.add("design", "no_prepost" if adjusted else "no_prepost_plain", wave=wave_b)
        _post_only_model(frame, factors, confidence, min_cell, notes, out)
        if item is not None:
            _ordinal_post(study, item, post_frame, sorted(has.index), factors, waves, notes, out)
        return _result(out, notes, "post_only")

    wave_a = waves[0]
    linked = pd.DataFrame()
    if study.codebook.respondent_key is not None:
        pf = paired_frame(study, waves=waves)
        pf = pf[pf[f"{construct}_a"].notna() & pf[f"{construct}_b"].notna()]
        counts = pf.groupby("course_id").size()
        ok = sorted(counts.index[counts >= min_cell])
        linked = pf[pf["course_id"].isin(ok)]
        left = sorted(set(both) - set(ok))
        if len(linked) and left:
            notes.add("design", "left_out", min_cell=min_cell, courses=tuple(left))
    if len(linked):
        design = "linked"
        frame = linked.rename(columns={f"{construct}_a": "x", f"{construct}_b": "y"})
        frame = _with_courses(frame[["course_id", "respondent_key", "audience", "x", "y", "submission_id_b"]],
                              courses, factors, study.submissions)
        _co_taught(frame, factors, notes)
        frame, levels = _prepare_factors(frame, factors, notes)
        out.used(frame)
        # a constant wave-a score is collinear with the intercept: no covariate to adjust for
        covariate = _varies(frame["x"])
        if not covariate:
            notes.add("design", "flat_pre", wave=wave_a, value=float(frame["x"].iloc[0]))
        levels = _resolve_aliasing(frame, levels, covariate=covariate, notes=notes)
        _linked_models(frame, levels, wave_a, confidence, min_cell, notes, out, covariate=covariate)
        if item is not None:
            _ordinal_linked(study, item, waves, frame, levels, notes, out)
    else:
        design = "unlinked"
        notes.add("design", "unlinked")
        frame = scores[scores["course_id"].isin(both) & scores["wave"].isin(waves)]
        frame = frame.rename(columns={construct: "y"})[["submission_id", "course_id", "wave", "audience", "y"]]
        frame = _with_courses(frame, courses, factors, study.submissions)
        _co_taught(frame, factors, notes)
        frame, levels = _prepare_factors(frame, factors, notes)
        out.used(frame)
        levels = _resolve_aliasing(frame, levels, covariate=False, notes=notes, waves=waves)
        _unlinked_model(frame, levels, waves, confidence, min_cell, notes, out)
        if item is not None:
            notes.add("ordinal", "ordinal_skip", item=item)
    if only_b:
        notes.add("design", "post_only_courses", courses=tuple(only_b))
        _post_only_model(post_frame(sorted(has.index)), factors, confidence, min_cell, notes, out)
    return _result(out, notes, design)


def _varies(x: pd.Series) -> bool:
    """Whether a covariate is usable: not the same value in every row (else it is
    collinear with the intercept)."""
    return len(x) == 0 or bool(np.ptp(x.to_numpy(float)) > 1e-9)


def _ordinal_linked(study, item, waves, frame, levels, notes, out) -> None:
    from ..scoring import paired_frame
    pf = paired_frame(study, waves=waves, measure="item")
    pf = pf[pf[f"{item}_a"].notna() & pf[f"{item}_b"].notna()]
    keep = frame[["course_id", "respondent_key", *levels]]
    data = pf.merge(keep, on=["course_id", "respondent_key"])
    data = data.rename(columns={f"{item}_a": "x", f"{item}_b": "y"})
    levels = {f: [lvl for lvl in lv if (data[f] == lvl).any()] for f, lv in levels.items()}
    levels = {f: lv for f, lv in levels.items() if len(lv) > 1}
    covariate = _varies(data["x"])       # every wave-a answer equal: post ~ factors
    levels = _resolve_aliasing(data, levels, covariate=covariate, notes=notes)
    _ordinal_check(data, levels, item, covariate, waves, notes, out)


def _ordinal_post(study, item, post_frame, course_ids, factors, waves, notes, out) -> None:
    from ..scoring import item_values
    iv = item_values(study)
    iv = iv[(iv["item_id"] == item) & iv["value"].notna()]
    subs = study.submissions[["submission_id", "course_id", "wave", "audience"]]
    data = subs[subs["wave"] == waves[-1]].merge(iv, on="submission_id").rename(columns={"value": "y"})
    data = _with_courses(data[data["course_id"].isin(course_ids)], study.courses, factors, study.submissions)
    data, levels = _prepare_factors(data, factors, notes)
    levels = _resolve_aliasing(data, levels, covariate=False, notes=notes)
    _ordinal_check(data, levels, item, False, waves, notes, out)


def _result(out: _Out, notes: _Notes, design: str) -> Comparison:
    def frame(rows, cols, ints=()):
        df = pd.DataFrame(rows, columns=list(cols))
        for c in cols:
            if c in ints:
                df[c] = df[c].astype("int64")
            elif c in ("model", "term", "factor", "level", "level_a", "level_b", "test"):
                df[c] = df[c].astype(object)
            else:
                df[c] = df[c].astype(float)
        return df
    return Comparison(
        terms=frame(out.terms, TERMS_COLUMNS, ints=("df",)),
        levels=frame(out.levels, LEVELS_COLUMNS, ints=("n", "n_courses")),
        contrasts=frame(out.contrasts, CONTRASTS_COLUMNS),
        notes=notes.frame(),
        design=design,
        courses=out.courses,
    )
