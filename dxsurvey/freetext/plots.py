"""Figures of the free-text analyses: co-occurrence network, correspondence biplot, code heat map.

Each function takes a computed result, draws it and returns the matplotlib ``Figure``.
The words shown come from the caller (``labels``, see :data:`LABEL_KEYS`): this package
writes no sentences and knows no language.
Japanese labels use IPAexGothic (bundled with ``matplotlib-fontja``), set up by
:mod:`dxsurvey.plots`.
"""
from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from .. import plots as _plots  # noqa: F401  (applies the Japanese-capable theme)
from .ca import Correspondence
from .documents import note_counts
from .network import Network

__all__ = ["LABEL_KEYS", "draw_network", "draw_correspondence", "draw_code_heatmap", "draw_word_bars"]

#: The words these figures show, passed in by the caller as ``labels`` (the report layer
#: takes them from its catalogue, :func:`dxsurvey.reports.freetext.figure_labels`):
#: ``residual`` (colour bar of the heat map), ``both`` (legend: an edge in both waves),
#: ``dim`` (axis title, placeholders ``{k}`` and ``{share}``), ``code``, ``group``,
#: ``share`` (x axis of the word bars), ``n`` (the N note, placeholders ``{n}``,
#: ``{blank}``, ``{masked}``) and ``n_small`` (the N note when documents of small groups were
#: left out, placeholders as ``n`` and ``{small}``).
LABEL_KEYS = ("residual", "both", "dim", "code", "group", "share", "n", "n_small")
_WAVE_COLORS = ("#1f77b4", "#d62728", "#7f7f7f")


def _labels(labels: Mapping[str, str] | None) -> Mapping[str, str]:
    if labels is None:
        raise ValueError(f"labels are required: a mapping with keys {', '.join(LABEL_KEYS)} "
                         "(dxsurvey.reports.freetext.figure_labels(language))")
    missing = [k for k in LABEL_KEYS if k not in labels]
    if missing:
        raise ValueError(f"labels lack key(s) {', '.join(missing)}")
    return labels


def _n_note(frame: pd.DataFrame, labels: Mapping[str, str], min_cell: int) -> str:
    """The N used and excluded (blank, masked only, small groups), from ``frame.attrs``
    (:func:`dxsurvey.freetext.documents.note_counts`)."""
    counts = note_counts(frame.attrs, min_cell=min_cell, n_default=len(frame))
    return labels["n_small" if counts["small"] else "n"].format(**counts)


def _fig(ax, size):
    if ax is None:
        fig, ax = plt.subplots(figsize=size, layout="constrained")
    return ax.figure, ax


def draw_network(net: Network, *, ax=None, labels: Mapping[str, str] | None = None, wave_labels: dict | None = None,
                 title: str | None = None, min_cell: int = 5):
    """Draw a co-occurrence network; return the Figure.

    Nodes are sized by frequency (area ∝ ``tf``) and coloured by community; edges are grey,
    wider for a larger Jaccard coefficient.  For the change network of
    :func:`~dxsurvey.freetext.network.network_change` (edges with a ``wave`` column) edges are
    coloured by wave, with a legend (``wave_labels`` maps wave codes to the names shown).
    The N used and excluded is written under the drawing.
    """
    lab = _labels(labels)
    fig, ax = _fig(ax, (8, 7))
    nodes, edges = net.nodes.set_index("word"), net.edges
    if "wave" in edges.columns:
        order = list(edges.attrs.get("waves", sorted(set(edges["wave"]) - {"both"}))) + ["both"]
        colors = dict(zip(order, _WAVE_COLORS))
        waves = [w for w in order if w in set(edges["wave"])]
    for row in edges.itertuples(index=False):
        if row.source not in nodes.index or row.target not in nodes.index:
            continue
        xs = nodes.loc[[row.source, row.target], "x"]
        ys = nodes.loc[[row.source, row.target], "y"]
        color = colors[row.wave] if "wave" in edges.columns else "#9e9e9e"
        ax.plot(xs, ys, color=color, linewidth=0.5 + 4 * float(row.jaccard), alpha=0.7, zorder=1)
    if len(nodes):
        tf = nodes["tf"].to_numpy(dtype=float)
        size = 150 + 1500 * tf / tf.max()
        cmap = plt.get_cmap("tab20")
        ax.scatter(nodes["x"], nodes["y"], s=size, c=[cmap((k - 1) % 20) for k in nodes["community"]],
                   edgecolors="white", linewidths=0.8, zorder=2)
        for word, row in nodes.iterrows():
            ax.annotate(row["label"], (row["x"], row["y"]), ha="center", va="center", fontsize=9, zorder=3)
    if "wave" in edges.columns:
        names = {**{"both": lab["both"]}, **(wave_labels or {})}
        handles = [Line2D([0], [0], color=colors[w], linewidth=2, label=names.get(w, w)) for w in waves]
        ax.legend(handles=handles, loc="upper right", frameon=False)
    ax.set_axis_off()
    ax.margins(0.12)
    if title:
        ax.set_title(title)
    ax.text(0.0, -0.02, _n_note(net.nodes, lab, min_cell), transform=ax.transAxes, fontsize=8, va="top")
    return fig


def draw_correspondence(ca: Correspondence, *, ax=None, labels: Mapping[str, str] | None = None, title: str | None = None, min_cell: int = 5):
    """Biplot of a correspondence analysis (dimensions 1 and 2); return the Figure.

    Words are circles sized by their mass with their label; groups are red squares with red
    labels.  Axis titles give each dimension's share of the inertia; the N is written under it.
    """
    lab = _labels(labels)
    fig, ax = _fig(ax, (8, 7))
    if "dim2" not in ca.rows.columns:
        raise ValueError("the biplot needs two dimensions (a table with at least 3 rows and 3 columns)")
    rows, cols = ca.rows, ca.cols
    mass = rows["mass"].to_numpy()
    ax.scatter(rows["dim1"], rows["dim2"], s=40 + 2000 * mass / mass.max(), color="#9ecae1",
               edgecolors="#3182bd", alpha=0.8, zorder=2)
    names = rows["label"] if "label" in rows.columns else pd.Series(rows.index, index=rows.index)
    for name, (x, y) in zip(names, rows[["dim1", "dim2"]].to_numpy()):
        ax.annotate(str(name), (x, y), ha="center", va="center", fontsize=8, zorder=3)
    ax.scatter(cols["dim1"], cols["dim2"], marker="s", s=60, color="#d62728", zorder=4)
    for name, (x, y) in zip(cols.index, cols[["dim1", "dim2"]].to_numpy()):
        ax.annotate(str(name), (x, y), xytext=(4, 4), textcoords="offset points", fontsize=10,
                    color="#d62728", zorder=5)
    ax.axhline(0, color="#bdbdbd", linewidth=0.8, linestyle="--", zorder=1)
    ax.axvline(0, color="#bdbdbd", linewidth=0.8, linestyle="--", zorder=1)
    share = ca.dims["share"].to_numpy()
    ax.set_xlabel(lab["dim"].format(k=1, share=share[0]))
    ax.set_ylabel(lab["dim"].format(k=2, share=share[1]))
    if title:
        ax.set_title(title)
    ax.text(0.0, -0.1, _n_note(ca.rows, lab, min_cell), transform=ax.transAxes, fontsize=8, va="top")
    return fig


def draw_code_heatmap(cells: pd.DataFrame, *, by: str, ax=None, labels: Mapping[str, str] | None = None, title: str | None = None,
                      limit: float = 4.0, min_cell: int = 5):
    """Heat map of adjusted residuals, codes × groups; return the Figure.

    Parameters
    ----------
    cells : DataFrame
        :attr:`CodeTable.cells <dxsurvey.freetext.coding.CodeTable>`.
    by : str
        The group column to put on the x axis.
    limit : float
        Colour scale from −limit to +limit (blue = less than expected, red = more); each
        cell is annotated with its residual.  The colour bar is labelled ``labels["residual"]``
        (調整済み残差).  The N used and excluded (``cells.attrs``) is written under it.
    """
    lab = _labels(labels)
    if by not in cells.columns:
        raise ValueError(f"cells have no column {by!r}")
    mat = cells.pivot_table(index="code", columns=by, values="residual", sort=False, dropna=False)
    mat = mat.reindex(pd.unique(cells["code"]))
    fig, ax = _fig(ax, (1.6 + 1.1 * mat.shape[1], 1.2 + 0.5 * mat.shape[0]))
    im = ax.imshow(mat.to_numpy(dtype=float), cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    ax.set_xticks(range(mat.shape[1]), [str(c) for c in mat.columns], rotation=30, ha="right")
    ax.set_yticks(range(mat.shape[0]), [str(i) for i in mat.index])
    for (i, j), v in np.ndenumerate(mat.to_numpy(dtype=float)):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=8,
                    color="white" if abs(v) > limit * 0.6 else "black")
    ax.grid(False)
    bar = fig.colorbar(im, ax=ax)
    bar.set_label(lab["residual"])
    ax.set_xlabel(lab["group"])
    ax.set_ylabel(lab["code"])
    if title:
        ax.set_title(title)
    fig.supxlabel(_n_note(cells, lab, min_cell), fontsize=8, x=0.01, ha="left")
    return fig


def draw_word_bars(counts: pd.DataFrame, *, by: str, labels: Mapping[str, str] | None = None, top: int = 10,
                   group_names: Mapping | None = None, title: str | None = None, min_cell: int = 5):
    """Horizontal bars of the share of documents using each of the ``top`` words, one panel per group.

    Parameters
    ----------
    counts : DataFrame
        :func:`~dxsurvey.freetext.counts.word_counts` by ``by`` (``label``, ``share``, ``df``,
        ``n_docs``), already sorted within each group (most documents first).
    by : str
        The group column; one panel per group, in order of appearance.
    group_names : mapping, optional
        Panel titles per group value (default the value).

    Returns
    -------
    Figure
        Each panel's bars are the group's first ``top`` rows, the most frequent at the top;
        the panel title carries the group's ``n_docs``; the N used and excluded
        (``counts.attrs``) is written under the panels.
    """
    lab = _labels(labels)
    if by not in counts.columns:
        raise ValueError(f"counts have no column {by!r}")
    groups = list(pd.unique(counts[by]))
    fig, axes = plt.subplots(1, max(1, len(groups)), figsize=(3.4 * max(1, len(groups)), 0.3 * top + 1.4),
                             layout="constrained", squeeze=False)
    for ax, g in zip(axes[0], groups):
        part = counts[counts[by] == g].head(top)
        ax.barh(range(len(part)), part["share"].to_numpy(dtype=float) * 100, color="#4c72b0")
        ax.set_yticks(range(len(part)), [str(x) for x in part["label"]])
        ax.invert_yaxis()
        ax.set_xlabel(lab["share"])
        n = int(part["n_docs"].iloc[0]) if len(part) else 0
        ax.set_title(f"{(group_names or {}).get(g, g)} (N = {n})", fontsize=10)
    if not groups:
        axes[0][0].set_axis_off()
    if title:
        fig.suptitle(title)
    fig.supxlabel(_n_note(counts, lab, min_cell), fontsize=8, x=0.01, ha="left")
    return fig
