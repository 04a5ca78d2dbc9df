"""Correspondence analysis of words × groups, as KH Coder's 対応分析."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .counts import _by_list, _check_by, doc_word_presence
from .documents import stamp
from .tokens import DEFAULT_EXCLUDED, analysis_tokens, word_labels

__all__ = ["Correspondence", "correspondence", "word_correspondence"]


@dataclass
class Correspondence:
    """Result of a correspondence analysis.

    Attributes
    ----------
    dims : DataFrame
        One row per dimension: ``dim`` (1, 2, …), ``cancor`` (canonical correlation = singular
        value, R ``MASS::corresp``'s ``cor``), ``inertia`` (= cancor²), ``share`` (of the
        total inertia, 0-1).
    rows, cols : DataFrame
        Principal coordinates (``dim1``, ``dim2``, …) with ``mass`` (row or column share of
        the total); index = the table's row / column labels.  ``rows`` of
        :func:`word_correspondence` add ``label`` and ``chi2`` (the word's selection score).
    table : DataFrame
        The analysed table.
    """

    dims: pd.DataFrame
    rows: pd.DataFrame
    cols: pd.DataFrame
    table: pd.DataFrame


def correspondence(table: pd.DataFrame) -> Correspondence:
    """Simple correspondence analysis of a contingency table.

    Parameters
    ----------
    table : DataFrame
        Counts; rows and columns summing to 0 are dropped.

    Returns
    -------
    Correspondence

    Notes
    -----
    With ``P = N / n``, masses ``r = P 1``, ``c = Pᵀ 1``, the standardised residuals
    ``S = D_r^{-1/2} (P − r cᵀ) D_c^{-1/2}`` are decomposed ``S = U Σ Vᵀ``; the singular values
    are the canonical correlations, row principal coordinates ``F = D_r^{-1/2} U Σ`` and column
    principal coordinates ``G = D_c^{-1/2} V Σ`` (a symmetric map, KH Coder's default
    drawing).  Each dimension's sign is fixed so that its largest absolute column coordinate
    is positive, so a result is reproducible.

    Examples
    --------
    >>> t = pd.DataFrame([[326, 38, 241, 110, 3], [688, 116, 584, 188, 4],
    ...                   [343, 84, 909, 412, 26], [98, 48, 403, 681, 85]])
    >>> correspondence(t).dims["cancor"].round(8).tolist()   # R MASS::corresp(caith, nf = 3)$cor
    [0.4463684, 0.1734554, 0.02931691]
    """
    if not isinstance(table, pd.DataFrame):
        table = pd.DataFrame(table)
    t = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
    n = np.asarray(t, dtype=float)
    if n.shape[0] < 2 or n.shape[1] < 2:
        raise ValueError(f"correspondence analysis needs at least 2 non-empty rows and columns, got {n.shape}")
    if (n < 0).any():
        raise ValueError("correspondence analysis needs non-negative counts")
    p = n / n.sum()
    r, c = p.sum(axis=1), p.sum(axis=0)
    s = (p - np.outer(r, c)) / np.sqrt(np.outer(r, c))
    u, sv, vt = np.linalg.svd(s, full_matrices=False)
    k = min(n.shape) - 1
    u, sv, v = u[:, :k], sv[:k], vt[:k].T
    sign = np.sign(v[np.abs(v).argmax(axis=0), np.arange(k)])
    sign[sign == 0] = 1
    u, v = u * sign, v * sign
    f = u * sv / np.sqrt(r)[:, None]
    g = v * sv / np.sqrt(c)[:, None]
    names = [f"dim{i + 1}" for i in range(k)]
    rows = pd.DataFrame(f, index=t.index, columns=names)
    rows["mass"] = r
    cols = pd.DataFrame(g, index=t.columns, columns=names)
    cols["mass"] = c
    inertia = sv ** 2
    dims = pd.DataFrame({"dim": np.arange(1, k + 1), "cancor": sv, "inertia": inertia,
                         "share": inertia / inertia.sum() if inertia.sum() > 0 else np.nan})
    return Correspondence(dims, rows, cols, t)


def word_correspondence(tokens: pd.DataFrame, docs: pd.DataFrame, by: str | Sequence[str], *, n_words: int = 60,
                        min_df: int = 2, exclude_pos: Iterable[str] = DEFAULT_EXCLUDED) -> Correspondence:
    """Correspondence analysis of words × groups on the words that differ most between groups.

    Parameters
    ----------
    tokens, docs : DataFrame
        From :func:`~dxsurvey.freetext.tokens.tokenize` and
        :func:`~dxsurvey.freetext.documents.documents`.
    by : str or list of str
        Group column(s); several are joined into one label (``manager / pre``).
    n_words : int
        Words analysed: the ``n_words`` with the largest χ² (KH Coder's default 60).
    min_df : int
        Words in at least this many documents are candidates.
    exclude_pos : iterable of str
        KH Coder classes left out.

    Returns
    -------
    Correspondence
        ``table`` holds document frequencies (documents of the group containing the word);
        ``rows`` add ``label`` and ``chi2``.  ``dims``, ``rows`` and ``cols`` carry the N
        attributes.

    Notes
    -----
    A word's χ² is Pearson's statistic of its 2 × k table (documents with / without the
    word × the k groups): how unevenly the groups use it.
    """
    by = _by_list(by)
    if not by:
        raise ValueError("word_correspondence needs a group column (by=...)")
    _check_by(docs, by)
    d = docs.dropna(subset=by)
    group = d[by].astype(str).agg(" / ".join, axis=1) if len(by) > 1 else d[by[0]].astype(str)
    gmap = pd.Series(group.to_numpy(), index=d["doc_id"])
    pres = doc_word_presence(tokens, d, exclude_pos=exclude_pos)
    pres["group"] = pres["doc_id"].map(gmap)
    table = pres.groupby(["word", "group"]).size().unstack("group", fill_value=0)
    sizes = gmap.value_counts().reindex(table.columns).to_numpy()
    table = table[table.sum(axis=1) >= min_df]
    chi2 = []
    for row in table.to_numpy():
        with np.errstate(divide="ignore", invalid="ignore"):
            res = stats.chi2_contingency(np.vstack([row, sizes - row]), correction=False) if row.sum() < sizes.sum() \
                else (0.0,)
        chi2.append(float(res[0]))
    table = table.assign(_chi2=chi2).sort_index().sort_values("_chi2", ascending=False, kind="stable")
    top = table.head(n_words)
    ca = correspondence(top.drop(columns="_chi2"))
    labels = word_labels(analysis_tokens(tokens, exclude_pos=exclude_pos))
    ca.rows.insert(0, "label", labels["label"].reindex(ca.rows.index).to_numpy())
    ca.rows["chi2"] = top["_chi2"].reindex(ca.rows.index).to_numpy()
    ca.rows.index.name = "word"
    ca.cols.index.name = "group"
    for frame in (ca.dims, ca.rows, ca.cols):
        stamp(frame, docs, n_used=len(d))
    return ca
