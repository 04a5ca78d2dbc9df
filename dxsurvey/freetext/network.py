"""Co-occurrence networks of words (Jaccard on document × word presence), as KH Coder draws them."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse

from .counts import doc_word_presence
from .documents import stamp
from .tokens import DEFAULT_EXCLUDED, analysis_tokens, word_labels

__all__ = ["Network", "jaccard_pairs", "cooccurrence", "network_change", "NODE_COLUMNS", "EDGE_COLUMNS"]

NODE_COLUMNS = ("word", "label", "kh_pos", "tf", "df", "degree", "community", "x", "y")
EDGE_COLUMNS = ("source", "target", "cooc", "df_source", "df_target", "jaccard")


@dataclass
class Network:
    """A co-occurrence network.

    Attributes
    ----------
    nodes : DataFrame
        :data:`NODE_COLUMNS`: ``word``, ``label`` (shown), ``kh_pos``, ``tf`` (occurrences,
        drives node size), ``df`` (documents), ``degree``, ``community`` (1 = largest), ``x``,
        ``y`` (fixed-seed layout).  Only words with at least one edge.
    edges : DataFrame
        :data:`EDGE_COLUMNS`: ``source``, ``target`` (words), ``cooc`` (documents with both),
        ``df_source``, ``df_target``, ``jaccard``; the change network adds ``wave`` (the wave
        label, or ``both``), ``jaccard_a`` and ``jaccard_b``.
    graph : networkx.Graph
        Nodes are words; edge attribute ``weight`` = Jaccard.
    threshold : float
        The smallest Jaccard coefficient drawn.

    Both frames carry the N attributes (:data:`~dxsurvey.freetext.documents.N_ATTRS`).
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    graph: nx.Graph
    threshold: float


def _matrix(pres: pd.DataFrame, words: list[str]):
    col = {w: j for j, w in enumerate(words)}
    p = pres[pres["word"].isin(col)]
    docs = pd.Index(p["doc_id"].unique())
    rows = docs.get_indexer(p["doc_id"])
    cols = p["word"].map(col).to_numpy()
    return sparse.csr_matrix((np.ones(len(p), dtype=np.int32), (rows, cols)), shape=(len(docs), len(words)))


def jaccard_pairs(pres: pd.DataFrame, words: list[str]) -> pd.DataFrame:
    """Every co-occurring pair of ``words`` with its Jaccard coefficient.

    Parameters
    ----------
    pres : DataFrame
        Distinct (doc_id, word) pairs (:func:`~dxsurvey.freetext.counts.doc_word_presence`).
    words : list of str
        The words considered.

    Returns
    -------
    DataFrame
        :data:`EDGE_COLUMNS`, one row per pair with ``cooc`` ≥ 1, ``source`` < ``target`` in
        the order of ``words``.

    Notes
    -----
    ``J(A, B) = |A ∩ B| / |A ∪ B| = cooc / (df_A + df_B − cooc)`` over documents.
    """
    if len(words) < 2:
        return pd.DataFrame(columns=list(EDGE_COLUMNS))
    x = _matrix(pres, words)
    co = (x.T @ x).tocoo()
    df = np.asarray(x.sum(axis=0)).ravel()
    keep = co.row < co.col
    i, j, c = co.row[keep], co.col[keep], co.data[keep]
    jac = c / (df[i] + df[j] - c)
    w = np.asarray(words, dtype=object)
    out = pd.DataFrame({"source": w[i], "target": w[j], "cooc": c.astype(np.int64), "df_source": df[i].astype(np.int64),
                        "df_target": df[j].astype(np.int64), "jaccard": jac})
    return out.sort_values(["jaccard", "cooc", "source", "target"], ascending=[False, False, True, True],
                           kind="stable").reset_index(drop=True)


def _select_words(pres: pd.DataFrame, min_df: int, max_words: int) -> list[str]:
    df = pres.groupby("word").size()
    df = df[df >= min_df]
    df = df.sort_index().sort_values(ascending=False, kind="stable")
    return list(df.index[:max_words])


def _strongest(pairs: pd.DataFrame, top_edges: int | None, min_coef: float | None) -> tuple[pd.DataFrame, float]:
    if min_coef is not None:
        if not 0 <= min_coef <= 1:
            raise ValueError(f"min_coef must be between 0 and 1, got {min_coef!r}")
        sel = pairs[pairs["jaccard"] >= min_coef - 1e-12]
        return sel, float(min_coef)
    if not isinstance(top_edges, (int, np.integer)) or top_edges < 1:
        raise ValueError(f"top_edges must be a positive int, got {top_edges!r}")
    if len(pairs) <= top_edges:
        return pairs, float(pairs["jaccard"].min()) if len(pairs) else np.nan
    cut = float(pairs["jaccard"].iloc[top_edges - 1])
    return pairs[pairs["jaccard"] >= cut - 1e-12], cut          # ties at the cut are kept


def _graph(edges: pd.DataFrame) -> nx.Graph:
    g = nx.Graph()
    for s, t, w in sorted(zip(edges["source"], edges["target"], edges["jaccard"])):
        g.add_edge(s, t, weight=float(w))
    return g


def _layout(g: nx.Graph, seed: int) -> dict:
    """Fruchterman–Reingold (networkx spring) layout with a fixed seed, spread a little wider."""
    if not g.number_of_nodes():
        return {}
    return nx.spring_layout(g, seed=seed, weight="weight", k=1.5 / np.sqrt(g.number_of_nodes()), iterations=100)


def _nodes(g: nx.Graph, tokens: pd.DataFrame, pres: pd.DataFrame, seed: int, pos=None) -> pd.DataFrame:
    words = sorted(g.nodes)
    comms = nx.community.greedy_modularity_communities(g, weight="weight") if g.number_of_edges() else []
    comms = sorted((sorted(c) for c in comms), key=lambda c: (-len(c), c[0]))
    community = {w: k + 1 for k, c in enumerate(comms) for w in c}
    if pos is None:
        pos = _layout(g, seed)
    sub = pres[pres["word"].isin(words)]
    tf = sub.groupby("word")["tf"].sum()
    df = sub.groupby("word").size()
    labels = word_labels(tokens[tokens["word"].isin(words)])
    out = pd.DataFrame({"word": pd.Series(words, dtype=object)})   # object also when no word is left
    out = out.join(labels, on="word")
    out["tf"] = out["word"].map(tf).fillna(0).astype(np.int64)
    out["df"] = out["word"].map(df).fillna(0).astype(np.int64)
    out["degree"] = [g.degree(w) for w in words]
    out["community"] = [community.get(w, 0) for w in words]
    out["x"] = [float(pos[w][0]) for w in words]
    out["y"] = [float(pos[w][1]) for w in words]
    return out[list(NODE_COLUMNS)]


def cooccurrence(tokens: pd.DataFrame, docs: pd.DataFrame, *, top_edges: int = 60, min_coef: float | None = None,
                 min_df: int = 2, max_words: int = 150, exclude_pos: Iterable[str] = DEFAULT_EXCLUDED,
                 seed: int = 1) -> Network:
    """KH Coder's co-occurrence network: words joined by their strongest Jaccard coefficients.

    Parameters
    ----------
    tokens, docs : DataFrame
        From :func:`~dxsurvey.freetext.tokens.tokenize` and
        :func:`~dxsurvey.freetext.documents.documents` (pass a subset of ``docs`` for one group).
    top_edges : int
        Draw the ``top_edges`` strongest edges (KH Coder's default 60), and every edge tied
        with the last one.
    min_coef : float, optional
        Instead: every edge with a Jaccard coefficient ≥ ``min_coef`` (e.g. 0.2).
    min_df : int
        Words in at least this many documents take part (default 2).
    max_words : int
        At most this many words, those in the most documents (ties by word).
    exclude_pos : iterable of str
        KH Coder classes left out (stop words are always left out).
    seed : int
        Seed of the spring (Fruchterman–Reingold) layout.

    Returns
    -------
    Network
    """
    pres = doc_word_presence(tokens, docs, exclude_pos=exclude_pos)
    pairs = jaccard_pairs(pres, _select_words(pres, min_df, max_words))
    edges, cut = _strongest(pairs, top_edges, min_coef)
    edges = edges.reset_index(drop=True)
    g = _graph(edges)
    nodes = _nodes(g, analysis_tokens(tokens, exclude_pos=exclude_pos), pres, seed)
    return Network(stamp(nodes, docs), stamp(edges, docs), g, cut)


def network_change(tokens: pd.DataFrame, docs: pd.DataFrame, *, wave_a: str = "pre", wave_b: str = "post",
                   min_coef: float = 0.2, min_df: int = 2, max_words: int = 150,
                   exclude_pos: Iterable[str] = DEFAULT_EXCLUDED, seed: int = 1) -> dict[str, Network]:
    """Networks of two waves at one fixed threshold, and one network of both with edges by wave.

    Parameters
    ----------
    tokens, docs : DataFrame
        As for :func:`cooccurrence`; ``docs`` needs ``wave``.
    wave_a, wave_b : str
        The waves compared.
    min_coef : float
        The one Jaccard threshold of both waves (default 0.2): a fixed threshold keeps the two
        drawings comparable, where "the 60 strongest" would adapt to each wave.
    min_df, max_words, exclude_pos, seed
        As for :func:`cooccurrence`; the words are chosen on the two waves together, so both
        networks are drawn on one vocabulary.

    Returns
    -------
    dict
        ``{wave_a: Network, wave_b: Network, "change": Network}``.  In ``change`` each edge
        has ``wave`` = ``wave_a``, ``wave_b`` or ``"both"`` (present at the threshold in
        that wave only, or in both), and ``jaccard_a``, ``jaccard_b``; its ``jaccard`` is the
        larger one; ``edges.attrs["waves"]`` = ``[wave_a, wave_b]``.  All three share the change network's layout, so a word stands in the
        same place in every drawing.
    """
    if "wave" not in docs.columns:
        raise ValueError("network_change needs a 'wave' column in the documents")
    d = docs[docs["wave"].isin([wave_a, wave_b])]
    pres_all = doc_word_presence(tokens, d, exclude_pos=exclude_pos)
    words = _select_words(pres_all, min_df, max_words)
    ta = analysis_tokens(tokens, exclude_pos=exclude_pos)
    parts = {}
    for wave in (wave_a, wave_b):
        dw = d[d["wave"] == wave]
        pres = pres_all[pres_all["doc_id"].isin(dw["doc_id"])]
        edges, _ = _strongest(jaccard_pairs(pres, words), None, min_coef)
        parts[wave] = (dw, pres, edges.reset_index(drop=True))
    ea, eb = parts[wave_a][2], parts[wave_b][2]
    key = ["source", "target"]
    both = ea[key + ["jaccard"]].merge(eb[key + ["jaccard"]], on=key, how="outer", suffixes=("_a", "_b"))
    both["wave"] = np.where(both["jaccard_a"].notna() & both["jaccard_b"].notna(), "both",
                            np.where(both["jaccard_a"].notna(), wave_a, wave_b))
    both["jaccard"] = both[["jaccard_a", "jaccard_b"]].max(axis=1)
    all_pairs = jaccard_pairs(pres_all, words).set_index(key)
    both = both.join(all_pairs[["cooc", "df_source", "df_target"]], on=key)
    both = both.sort_values(["jaccard", "source", "target"], ascending=[False, True, True], kind="stable")
    both = both[[*EDGE_COLUMNS, "wave", "jaccard_a", "jaccard_b"]].reset_index(drop=True)
    g_all = _graph(both)
    pos = _layout(g_all, seed)
    out = {}
    for wave, (dw, pres, edges) in parts.items():
        g = _graph(edges)
        nodes = _nodes(g, ta[ta["doc_id"].isin(dw["doc_id"])], pres, seed, pos=pos)
        out[wave] = Network(stamp(nodes, docs, n_used=len(dw)), stamp(edges, docs, n_used=len(dw)), g, float(min_coef))
    nodes = _nodes(g_all, ta[ta["doc_id"].isin(d["doc_id"])], pres_all, seed, pos=pos)
    both = stamp(both, docs, n_used=len(d))
    both.attrs["waves"] = [wave_a, wave_b]
    out["change"] = Network(stamp(nodes, docs, n_used=len(d)), both, g_all, float(min_coef))
    return out
