"""KWIC concordance and KH Coder's collocation statistics."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from .counts import _by_list, _check_by
from .documents import stamp
from .tokens import DEFAULT_EXCLUDED, nfkc, word_labels

__all__ = ["resolve_word", "kwic", "collocations"]


def resolve_word(tokens: pd.DataFrame, word: str) -> set[str]:
    """The counted words (``word`` column) a query names.

    The query (NFKC) matches a token's counted word, dictionary form, normalised form or
    surface, so 「サーバ」 finds the word サーバー, and 「見直した」's dictionary form
    「見直す」 finds 見直し.
    """
    q = nfkc(str(word)).strip()
    if not q:
        raise ValueError("the word to look for is empty")
    hit = (tokens["word"] == q) | (tokens["base"] == q) | (tokens["norm"] == q) | (tokens["surface"] == q)
    return set(tokens.loc[hit, "word"])


def kwic(tokens: pd.DataFrame, docs: pd.DataFrame, word: str, *, width: int = 24,
         by: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Every occurrence of a word with ``width`` characters of context on each side.

    Parameters
    ----------
    tokens, docs : DataFrame
        From :func:`~dxsurvey.freetext.tokens.tokenize` and
        :func:`~dxsurvey.freetext.documents.documents` (texts are masked at ingest).
    word : str
        The word (any of its forms, see :func:`resolve_word`).
    width : int
        Characters of context left and right (default 24, KH Coder's KWIC default).
    by : str or list of str, optional
        Group columns of ``docs`` to add.

    Returns
    -------
    DataFrame
        One row per occurrence, in document and position order: ``doc_id``, the ``by``
        columns, ``left``, ``keyword`` (as written), ``right`` (line breaks shown as a space),
        ``position``.  Context is cut at the document's edge.  ``attrs``: the N attributes.
    """
    if not isinstance(width, (int, np.integer)) or width < 0:
        raise ValueError(f"width must be a non-negative int, got {width!r}")
    by = _by_list(by)
    _check_by(docs, by)
    words = resolve_word(tokens, word)
    hits = tokens[tokens["word"].isin(words) & tokens["doc_id"].isin(docs["doc_id"])]
    texts = docs.set_index("doc_id")["text"].map(nfkc)
    rows = []
    for doc_id, start, end, pos in hits[["doc_id", "start", "end", "position"]].itertuples(index=False):
        t = texts[doc_id]
        rows.append((doc_id, t[max(0, start - width):start].replace("\n", " "), t[start:end],
                     t[end:end + width].replace("\n", " "), int(pos)))
    out = pd.DataFrame(rows, columns=["doc_id", "left", "keyword", "right", "position"])
    if by:
        out = out.merge(docs[["doc_id", *by]], on="doc_id", how="left")
    out = out[["doc_id", *by, "left", "keyword", "right", "position"]]
    return stamp(out, docs)


def collocations(tokens: pd.DataFrame, word: str, *, span: int = 5,
                 exclude_pos: Iterable[str] = DEFAULT_EXCLUDED) -> pd.DataFrame:
    """KH Coder's collocation statistics of a word: who stands near it, and how near.

    Parameters
    ----------
    tokens : DataFrame
        From :func:`~dxsurvey.freetext.tokens.tokenize` (restrict its ``doc_id`` first to
        analyse a subset of documents).
    word : str
        The node word (any of its forms, see :func:`resolve_word`).
    span : int
        Positions counted on each side (default 5, as KH Coder).
    exclude_pos : iterable of str
        Classes not listed as collocates (stop words are never listed).

    Returns
    -------
    DataFrame
        One row per collocate: ``word``, ``label``, ``kh_pos``, ``total`` (= left + right),
        ``left``, ``right``, ``l5`` … ``l1``, ``r1`` … ``r5`` (counts at each distance) and
        ``score``.  Sorted by ``score`` descending, then word.

    Notes
    -----
    Distances count every token, particles and punctuation too, within one document.
    ``score = Σ_{i=1..span} (l_i + r_i) / i``, KH Coder's collocation score: a collocate
    right beside the word weighs 1, five tokens away 1/5.  The node word itself is not
    listed.
    """
    if not isinstance(span, (int, np.integer)) or span < 1:
        raise ValueError(f"span must be a positive int, got {span!r}")
    words = resolve_word(tokens, word)
    exclude = frozenset(exclude_pos)
    t = tokens[tokens["doc_id"].isin(tokens.loc[tokens["word"].isin(words), "doc_id"].unique())]
    t = t.sort_values(["doc_id", "position"], kind="stable")
    doc = pd.factorize(t["doc_id"])[0]
    w = t["word"].to_numpy(dtype=object)
    node = np.isin(w, list(words))
    ok = ~t["stop"].to_numpy() & ~t["kh_pos"].isin(exclude).to_numpy() & ~node
    idx = np.flatnonzero(node)
    counts: dict[str, np.ndarray] = {}
    for i in range(1, span + 1):
        for j, col in ((idx - i, span - i), (idx + i, span + i - 1)):
            inside = (j >= 0) & (j < len(w))
            j, src = j[inside], idx[inside]
            j = j[(doc[j] == doc[src]) & ok[j]]
            for word, n in zip(*np.unique(w[j].astype(str), return_counts=True)):
                counts.setdefault(word, np.zeros(2 * span, dtype=np.int64))[col] += n
    cols = [f"l{i}" for i in range(span, 0, -1)] + [f"r{i}" for i in range(1, span + 1)]
    if not counts:
        out = pd.DataFrame(columns=["word", "label", "kh_pos", "total", "left", "right", *cols, "score"])
        return out
    m = pd.DataFrame.from_dict(counts, orient="index", columns=cols)
    m.index.name = "word"
    weights = np.concatenate([1 / np.arange(span, 0, -1), 1 / np.arange(1, span + 1)])
    m["left"] = m[cols[:span]].sum(axis=1)
    m["right"] = m[cols[span:]].sum(axis=1)
    m["total"] = m["left"] + m["right"]
    m["score"] = m[cols].to_numpy() @ weights
    m = m.join(word_labels(t[t["word"].isin(m.index)]))
    m = m.reset_index()[["word", "label", "kh_pos", "total", "left", "right", *cols, "score"]]
    return m.sort_values(["score", "word"], ascending=[False, True], kind="stable").reset_index(drop=True)
