"""Term and document frequencies by group, and the change in documents' word shares between waves."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from .contingency import table_test
from .documents import stamp
from .tokens import DEFAULT_EXCLUDED, analysis_tokens, word_labels

__all__ = ["word_counts", "word_change", "doc_word_presence"]


def _by_list(by) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _check_by(docs: pd.DataFrame, by: Sequence[str]) -> None:
    missing = [c for c in by if c not in docs.columns]
    if missing:
        raise ValueError(f"no group column {', '.join(map(repr, missing))}; documents have "
                         f"{', '.join(c for c in docs.columns if c not in ('doc_id', 'text'))}")


def doc_word_presence(tokens: pd.DataFrame, docs: pd.DataFrame, *,
                      exclude_pos: Iterable[str] = DEFAULT_EXCLUDED) -> pd.DataFrame:
    """Distinct (doc_id, word) pairs of the analysed words, with each pair's term count ``tf``."""
    t = analysis_tokens(tokens, exclude_pos=exclude_pos)
    t = t[t["doc_id"].isin(docs["doc_id"])]
    return t.groupby(["doc_id", "word"], sort=False).size().rename("tf").reset_index()


def _chi2_2x2(a, b, c, d, fisher_below):
    """Pearson's χ² (no correction) of 2×2 tables [[a, b], [c, d]], and whether an expected count is small."""
    n = a + b + c + d
    rows1, rows2, cols1, cols2 = a + b, c + d, a + c, b + d
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = n * (a * d - b * c) ** 2 / (rows1 * rows2 * cols1 * cols2)
    small = np.minimum.reduce([rows1 * cols1, rows1 * cols2, rows2 * cols1, rows2 * cols2]) / n < fisher_below
    return chi2, small


def word_counts(tokens: pd.DataFrame, docs: pd.DataFrame, *, by: str | Sequence[str] | None = None,
                exclude_pos: Iterable[str] = DEFAULT_EXCLUDED, min_df: int = 1) -> pd.DataFrame:
    """Term frequency and document frequency of each word, overall or per group.

    Parameters
    ----------
    tokens : DataFrame
        From :func:`~dxsurvey.freetext.tokens.tokenize` (``doc_id`` = the documents' ``doc_id``).
    docs : DataFrame
        From :func:`~dxsurvey.freetext.documents.documents`.
    by : str or list of str, optional
        Group columns of ``docs`` (wave, audience, course_id, instructor, format …).
    exclude_pos : iterable of str
        KH Coder classes left out (default :data:`~dxsurvey.freetext.tokens.DEFAULT_EXCLUDED`);
        stop words are always left out.
    min_df : int
        Keep words in at least this many documents of the group.

    Returns
    -------
    DataFrame
        One row per group × word: the ``by`` columns, ``word`` (counted form), ``label``
        (shown form), ``kh_pos``, ``tf`` (occurrences), ``df`` (documents containing it),
        ``n_docs`` (documents in the group), ``share`` (= df / n_docs, 0-1).  Sorted by group,
        then ``df`` and ``tf`` descending, then word.  ``attrs``: n_used, n_blank,
        n_masked_only, n_below_min_cell_text (see :data:`~dxsurvey.freetext.documents.N_ATTRS`).
    """
    by = _by_list(by)
    _check_by(docs, by)
    pres = doc_word_presence(tokens, docs, exclude_pos=exclude_pos)
    gdocs = docs[["doc_id", *by]]
    pres = pres.merge(gdocs, on="doc_id", how="left")
    keys = [*by, "word"]
    out = pres.groupby(keys, sort=False, dropna=False).agg(tf=("tf", "sum"), df=("doc_id", "size")).reset_index()
    if by:
        sizes = gdocs.groupby(by, sort=False, dropna=False).size().rename("n_docs").reset_index()
        out = out.merge(sizes, on=by, how="left")
    else:
        out["n_docs"] = len(docs)
    out = out[out["df"] >= min_df]
    out["share"] = out["df"] / out["n_docs"]
    labels = word_labels(analysis_tokens(tokens, exclude_pos=exclude_pos))
    out = out.join(labels, on="word")
    out = out.sort_values([*by, "df", "tf", "word"], ascending=[True] * len(by) + [False, False, True],
                          kind="stable").reset_index(drop=True)
    out = out[[*by, "word", "label", "kh_pos", "tf", "df", "n_docs", "share"]]
    return stamp(out, docs)


def word_change(tokens: pd.DataFrame, docs: pd.DataFrame, *, wave_a: str = "pre", wave_b: str = "post",
                by: str | Sequence[str] | None = None, exclude_pos: Iterable[str] = DEFAULT_EXCLUDED,
                min_df: int = 2, correction: bool = False, fisher_below: float = 5.0) -> pd.DataFrame:
    """Change in the share of documents using each word, from ``wave_a`` to ``wave_b``.

    Parameters
    ----------
    tokens, docs : DataFrame
        As for :func:`word_counts`; ``docs`` needs a ``wave`` column.
    wave_a, wave_b : str
        The waves compared (``diff`` = share in b − share in a).
    by : str or list of str, optional
        Strata tested separately (e.g. ``audience``); Holm's adjustment is within a stratum.
    min_df : int
        Test words in at least this many documents of the two waves together (default 2).
    correction : bool
        Yates' correction of χ² (default False: Fisher's exact test already covers the small
        tables where the correction matters).
    fisher_below : float
        Fisher's exact test where an expected count is below this (default 5), else χ².

    Returns
    -------
    DataFrame
        One row per stratum × word: the ``by`` columns, ``word``, ``label``, ``kh_pos``,
        ``df_a``, ``n_a``, ``share_a``, ``df_b``, ``n_b``, ``share_b``, ``diff`` (share_b −
        share_a), ``test`` (``chi2`` or ``fisher``), ``statistic`` (Pearson's χ² of the 2×2
        table documents-with-word × wave, shown for both tests), ``p_val``, ``p_adj`` (Holm).
        Sorted by stratum and ``p_val``.  ``attrs``: the N attributes, ``n_used`` counting
        the documents of the two waves.
    """
    from scipy import stats   # here, not at import: ingest loads this package in every process
    from statsmodels.stats.multitest import multipletests

    by = _by_list(by)
    _check_by(docs, ["wave", *by])
    d = docs[docs["wave"].isin([wave_a, wave_b])]
    pres = doc_word_presence(tokens, d, exclude_pos=exclude_pos).merge(d[["doc_id", "wave", *by]], on="doc_id")
    labels = word_labels(analysis_tokens(tokens, exclude_pos=exclude_pos))
    rows = []
    strata = d.groupby(by, sort=True, dropna=False) if by else [((), d)]
    for key, sub in strata:
        key = key if isinstance(key, tuple) else (key,)
        n_a = int((sub["wave"] == wave_a).sum())
        n_b = int((sub["wave"] == wave_b).sum())
        if n_a == 0 or n_b == 0:
            continue
        p = pres[pres["doc_id"].isin(sub["doc_id"])]
        dfs = p.groupby(["word", "wave"]).size().unstack("wave", fill_value=0)
        for w in (wave_a, wave_b):
            if w not in dfs.columns:
                dfs[w] = 0
        dfs = dfs[(dfs[wave_a] + dfs[wave_b]) >= min_df]
        part = []
        da, db = dfs[wave_a].to_numpy(dtype=float), dfs[wave_b].to_numpy(dtype=float)
        chi2, small = _chi2_2x2(da, n_a - da, db, n_b - db, fisher_below)
        for k, word in enumerate(dfs.index):
            if small[k] or correction or not np.isfinite(chi2[k]):
                res = table_test([[da[k], n_a - da[k]], [db[k], n_b - db[k]]], correction=correction,
                                 fisher_below=fisher_below)
                test, stat, p_val = res["test"], res["statistic"], res["p_val"]
            else:
                test, stat, p_val = "chi2", chi2[k], float(stats.chi2.sf(chi2[k], 1))
            part.append((*key, word, int(da[k]), n_a, da[k] / n_a, int(db[k]), n_b, db[k] / n_b,
                         db[k] / n_b - da[k] / n_a, test, stat, p_val))
        if part:
            pvals = np.array([r[-1] for r in part], dtype=float)
            ok = ~np.isnan(pvals)
            adj = np.full_like(pvals, np.nan)
            if ok.any():
                adj[ok] = multipletests(pvals[ok], method="holm")[1]
            rows.extend(r + (a,) for r, a in zip(part, adj))
    cols = [*by, "word", "df_a", "n_a", "share_a", "df_b", "n_b", "share_b", "diff", "test", "statistic",
            "p_val", "p_adj"]
    out = pd.DataFrame(rows, columns=cols)
    out = out.join(labels, on="word")
    out = out[[*by, "word", "label", "kh_pos", *cols[len(by) + 1:]]]
    out = out.sort_values([*by, "p_val", "word"], kind="stable").reset_index(drop=True)
    return stamp(out, docs, n_used=len(d))
