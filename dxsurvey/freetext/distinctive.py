"""Distinctive words: which words a group uses more than the other groups.

KH Coder lists "特徴語" per external variable; here a word's distinctiveness in a group is
Haberman's adjusted residual of the group's cell in the word's 2 × k table (documents
with / without the word × the k groups), the residual :func:`~dxsurvey.freetext.contingency.
adjusted_residuals` computes and :func:`~dxsurvey.freetext.coding.code_crosstab` shows for codes.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .counts import _by_list, word_counts
from .documents import stamp
from .tokens import DEFAULT_EXCLUDED

__all__ = ["distinctive_words"]


def distinctive_words(tokens: pd.DataFrame, docs: pd.DataFrame, by: str | Sequence[str], *, min_df: int = 3,
                      top: int | None = 10, exclude_pos: Iterable[str] = DEFAULT_EXCLUDED) -> pd.DataFrame:
    """The words each group uses more than the others, ranked by adjusted residual.

    Parameters
    ----------
    tokens, docs : DataFrame
        From :func:`~dxsurvey.freetext.tokens.tokenize` and
        :func:`~dxsurvey.freetext.documents.documents`.
    by : str or list of str
        Group column(s) of ``docs``; documents with a missing group value are left out.
    min_df : int
        A word is ranked in a group when at least this many of the group's documents use it
        (default 3: a word one person wrote twice is not a theme).
    top : int or None
        Words kept per group (None: all).
    exclude_pos : iterable of str
        KH Coder classes left out (stop words are always left out).

    Returns
    -------
    DataFrame
        One row per group × word with a positive residual: the ``by`` columns, ``word``,
        ``label``, ``kh_pos``, ``df`` (documents of the group using the word), ``n_docs``
        (documents of the group), ``share`` (df / n_docs), ``share_rest`` (the share among
        the other groups' documents), ``residual`` (adjusted residual), ``p_val`` (its
        two-sided normal p).  Sorted by group, then ``residual`` descending, then word.
        ``attrs``: the N attributes, ``n_used`` = documents with every group value.

    Notes
    -----
    With N documents, a word in D of them and a group of n documents of which O use the
    word, E = D n / N and the residual is ``(O − E) / sqrt(E (1 − n/N) (1 − D/N))``.
    """
    by = _by_list(by)
    if not by:
        raise ValueError("distinctive_words needs a group column (by=...)")
    d = docs.dropna(subset=by) if set(by) <= set(docs.columns) else docs
    counts = word_counts(tokens, d, by=by, exclude_pos=exclude_pos)
    cols = [*by, "word", "label", "kh_pos", "df", "n_docs", "share", "share_rest", "residual", "p_val"]
    total = len(d)
    if counts.empty or total == 0:
        return stamp(pd.DataFrame(columns=cols), docs, n_used=total)
    word_df = counts.groupby("word")["df"].sum()
    c = counts.assign(D=counts["word"].map(word_df).to_numpy(dtype=float))
    n = c["n_docs"].to_numpy(dtype=float)
    D = c["D"].to_numpy(dtype=float)
    O = c["df"].to_numpy(dtype=float)
    E = D * n / total
    var = E * (1 - n / total) * (1 - D / total)
    with np.errstate(divide="ignore", invalid="ignore"):
        resid = np.where(var > 0, (O - E) / np.sqrt(var), np.nan)
        rest = np.where(total - n > 0, (D - O) / (total - n), np.nan)
    c["residual"] = resid
    c["p_val"] = 2 * stats.norm.sf(np.abs(resid))
    c["share_rest"] = rest
    c = c[(c["df"] >= min_df) & (c["residual"] > 0)]
    c = c.sort_values([*by, "residual", "word"], ascending=[True] * len(by) + [False, True], kind="stable")
    if top is not None:
        c = c.groupby(by, sort=False, dropna=False).head(top)
    return stamp(c[cols].reset_index(drop=True), docs, n_used=total)
