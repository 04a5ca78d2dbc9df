"""Figures of the free-text analyses: co-occurrence network, correspondence biplot, code heat map.

Each function takes a computed result, draws it and returns the matplotlib ``Figure``.
Japanese labels use IPAexGothic (bundled with ``matplotlib-fontja``), set up by
:mod:`dxsurvey.plots`.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from .. import plots as _plots  # noqa: F401  (applies the Japanese-capable theme)
from .ca import Correspondence
from .network import Network

__all__ = ["LABELS", "draw_network", "draw_correspondence", "draw_code_heatmap"]

#: Words these figures show, per language (to move into the report catalogue with the report).
LABELS = {
    "ja": {"residual": "調整済み残差", "both": "両方", "dim": "成分{k}（{share:.1%}）", "code": "コード",
           "group": "グループ", "n": "N = {n}（除外: 空欄 {blank}, マスクのみ {masked}）"},
    "en": {"residual": "Adjusted residual", "both": "both", "dim": "Dimension {k} ({share:.1%})", "code": "Code",
           "group": "Group", "n": "N = {n} (excluded: blank {blank}, masked only {masked})"},
}
_WAVE_COLORS = ("#1f77b4", "#d62728", "#7f7f7f")


def _labels(language: str) -> dict:
    if language not in LABELS:
        raise ValueError(f"language must be one of {', '.join(LABELS)}, got {language!r}")
    return LABELS[language]


def _n_note(frame: pd.DataFrame, language: str) -> str:
    a = frame.attrs
    return _labels(language)["n"].format(n=a.get("n_used", len(frame)), blank=a.get("n_blank", 0),
                                         masked=a.get("n_masked_only", 0))


def _fig(ax, size):
    if ax is None:
        fig, ax = plt.subplots(figsize=size, layout="constrained")
    return ax.figure, ax


def draw_network(net: Network, *, ax=None, language: str = "ja", wave_labels: dict | None = None,
                 title: str | None = None):
    """Draw a co-occurrence network; return the Figure.

    Nodes are sized by frequency (area ∝ ``tf``) and coloured by community; edges are grey,
    wider for a larger Jaccard coefficient.  For the change network of
    :func:`~dxsurvey.freetext.network.network_change` (edges with a ``wave`` column) edges are
    coloured by wave, with a legend (``wave_labels`` maps wave codes to the names shown).
    The N used and excluded is written under the drawing.
    """
    lab = _labels(language)
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
    ax.text(0.0, -0.02, _n_note(net.nodes, language), transform=ax.transAxes, fontsize=8, va="top")
    return fig


def draw_correspondence(ca: Correspondence, *, ax=None, language: str = "ja", title: str | None = None):
    """Biplot of a correspondence analysis (dimensions 1 and 2); return the Figure.

    Words are circles sized by their mass with their label; groups are red squares with red
    labels.  Axis titles give each dimension's share of the inertia; the N is written under it.
    """
    lab = _labels(language)
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
    ax.text(0.0, -0.1, _n_note(ca.rows, language), transform=ax.transAxes, fontsize=8, va="top")
    return fig


def draw_code_heatmap(cells: pd.DataFrame, *, by: str, ax=None, language: str = "ja", title: str | None = None,
                      limit: float = 4.0):
    """Heat map of adjusted residuals, codes × groups; return the Figure.

    Parameters
    ----------
    cells : DataFrame
        :attr:`CodeTable.cells <dxsurvey.freetext.coding.CodeTable>`.
    by : str
        The group column to put on the x axis.
    limit : float
        Colour scale from −limit to +limit (blue = less than expected, red = more); each
        cell is annotated with its residual.  The colour bar is labelled 調整済み残差 (ja) or
        Adjusted residual (en).
    """
    lab = _labels(language)
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
    return fig
