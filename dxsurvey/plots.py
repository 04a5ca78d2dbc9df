"""Report figures (seaborn/matplotlib) drawn from tidy aggregate frames.

Every function here is pure drawing: it takes an aggregate frame (already
privacy-suppressed), draws on ``ax`` (or a new figure) and returns the Axes.
Nothing is computed from respondent-level data here; the aggregates come from
:mod:`dxsurvey.reports` and :mod:`dxsurvey.stats`.

Japanese text uses the IPAexGothic font bundled with ``matplotlib-fontja`` (no
tofu boxes, works offline); :func:`set_theme` is applied when this module is
imported.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.patches import Patch, Rectangle

__all__ = ["set_theme", "likert_bars", "stacked_colors", "forest", "adjusted_means", "HIDDEN_COLOR", "FONT"]

#: Font family of every figure (bundled with matplotlib-fontja).
FONT = "IPAexGothic"
#: Colour of a suppressed (hidden) Likert row.
HIDDEN_COLOR = "#bdbdbd"
#: Models in the order :func:`adjusted_means` prefers when several are present.
MODEL_PREFERENCE = ("ancova", "mixed", "post_only", "wave_x_factor", "gain")


def set_theme() -> None:
    """Seaborn's white-grid theme with a Japanese-capable font.

    ``seaborn.set_theme`` resets the font, so ``matplotlib_fontja.japanize()`` comes
    after it and IPAexGothic is put first, with DejaVu Sans as the per-glyph
    fallback; the minus sign is ASCII (IPAexGothic lacks U+2212) and SVG text stays
    text (``dxsurvey.reports.export.save_figure`` names Japanese fallback fonts for
    viewers without IPAexGothic).  :func:`dxsurvey.reports.context.setup_matplotlib`
    calls this.
    """
    import matplotlib_fontja  # registers IPAexGothic with matplotlib's font manager

    sns.set_theme(style="whitegrid", context="notebook")
    matplotlib_fontja.japanize()
    mpl.rcParams["font.family"] = [FONT, "DejaVu Sans"]
    mpl.rcParams["axes.unicode_minus"] = False
    # SVG text stays text (editable in slides, 40 % of the file size, and 15 % less drawing time
    # per figure than glyph outlines); the SVG names fallback fonts after these two
    # (dxsurvey.reports.export.SVG_FONT_FALLBACK) for a viewer without IPAexGothic
    mpl.rcParams["svg.fonttype"] = "none"


set_theme()


def _new_ax(ax, width: float, height: float):
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=(width, height), layout="constrained")
    return ax


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} needs columns {', '.join(columns)}; missing: {', '.join(missing)}.")


def likert_colors(k: int) -> list:
    """A diverging palette of ``k`` colours, negative (red) to positive (blue).

    With an odd ``k`` the middle (neutral) colour is a light grey.
    """
    colors = list(sns.color_palette("RdBu", k))
    if k % 2 == 1:
        colors[k // 2] = (0.85, 0.85, 0.85)
    return colors


def stacked_colors(k: int) -> list:
    """A sequential palette of ``k`` colours, light (lowest level) to dark (highest)."""
    return list(sns.color_palette("Blues", k + 1))[1:]


def likert_bars(dist: pd.DataFrame, *, levels: Sequence, labels: Sequence[str], ax=None,
                row: str | None = None, wave_labels: Mapping[str, str] | None = None,
                hidden_label: str = "— hidden (n < min_cell)", show_values: float = 10.0,
                xlabel: str = "%", diverging: bool = True):
    """Diverging stacked bars of Likert distributions, centred on the neutral midpoint
    (``diverging=False``: bars stacked from 0 to 100%, for a scale that does not run between
    two opposites, such as a frequency or a knowledge level).

    Parameters
    ----------
    dist : DataFrame
        One row per item x wave x level: ``label`` (or ``measure_id``), ``wave``,
        ``level`` (a scale value), ``count`` and ``n`` (the respondents of that item
        x wave; NA when suppressed).  Levels without answers may be absent or 0.
        Rows of an item x wave whose ``n`` or any ``count`` is NA are drawn as one
        grey bar marked "—".
    levels : sequence
        The FULL ordered set of scale values, lowest first (e.g. ``[1, 2, 3, 4, 5]``).
    labels : sequence of str
        The label of each level, same order (shown in the legend).
    ax : Axes, optional
        Draw here; default a new figure sized to the number of rows.
    row : str, optional
        Column naming the item; default ``label`` when present, else ``measure_id``.
    wave_labels : mapping, optional
        Display name of each wave (``{"pre": "事前"}``); default the wave code.
    hidden_label : str
        Legend text of the grey bar of a suppressed row.
    show_values : float
        Write the percentage inside segments at least this wide (0 = never).
    xlabel : str
        Label of the percentage axis.
    diverging : bool
        True: centred on the middle, red below and blue above (agree/disagree); False: one
        stack from 0 (lowest level first) in a light-to-dark sequential palette.

    Returns
    -------
    Axes
        One horizontal bar per item x wave (first row at the top).  When an item's
        rows are next to each other (the usual order), each row is labelled with its
        wave and the item's name is written once at their centre, with a thin rule
        between items; otherwise each row reads ``item（wave）``.  Bars left of 0
        are the levels below the midpoint; an odd scale's neutral level is split
        half on each side, an even scale centres between its two middle levels.

    Examples
    --------
    >>> dist = pd.DataFrame({"label": "q1", "wave": "pre", "level": [1, 2, 3],
    ...                      "count": [1, 2, 1], "n": 4})
    >>> ax = likert_bars(dist, levels=[1, 2, 3], labels=["no", "maybe", "yes"])
    >>> [float(p.get_x()) for p in ax.patches]
    [-50.0, -25.0, 25.0]
    >>> plt.close(ax.figure)
    """
    levels = list(levels)
    labels = [str(x) for x in labels]
    if len(levels) < 2 or len(levels) != len(labels):
        raise ValueError(f"levels and labels must be two sequences of the same length (>= 2); "
                         f"got {len(levels)} levels and {len(labels)} labels.")
    if len(set(levels)) != len(levels):
        raise ValueError(f"levels must be distinct; got {levels}.")
    if row is None:
        row = "label" if "label" in dist.columns else "measure_id"
    _require(dist, (row, "wave", "level", "count", "n"), "likert_bars")
    unknown = sorted(set(dist["level"].dropna()) - set(levels), key=str)
    if unknown:
        raise ValueError(f"level values {unknown} are not in levels {levels}.")
    wave_labels = dict(wave_labels or {})

    data = dist.copy()
    data["level"] = pd.Categorical(data["level"], categories=levels, ordered=True)
    keys = list(dict.fromkeys(zip(data[row], data["wave"])))   # order of appearance
    k = len(levels)
    colors = likert_colors(k) if diverging else stacked_colors(k)
    ax = _new_ax(ax, 9.0, 1.2 + 0.45 * max(len(keys), 1))

    several_waves = data["wave"].nunique() > 1
    # every bar's numbers at once: its rows (item x wave), whether any is hidden, its n (the
    # first row's) and its counts per level (a level without a row counts 0)
    position = {key: i for i, key in enumerate(keys)}
    bar_of = np.array([position[key] for key in zip(data[row], data["wave"])], dtype=np.intp)
    n_all = pd.to_numeric(data["n"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    c_all = pd.to_numeric(data["count"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = np.isnan(n_all) | np.isnan(c_all) | ~(n_all > 0)
    hidden_bar = np.zeros(len(keys), dtype=bool)
    np.logical_or.at(hidden_bar, bar_of, bad)
    first = np.zeros(len(keys), dtype=np.intp)
    seen, at = np.unique(bar_of, return_index=True)
    first[seen] = at
    level_of = data["level"].cat.codes.to_numpy()
    counted = (level_of >= 0) & ~np.isnan(c_all)
    level_counts = np.zeros((len(keys), k))
    np.add.at(level_counts, (bar_of[counted], level_of[counted]), c_all[counted])
    ylabels = []
    for y, (item, wave) in enumerate(keys):
        ylabels.append(f"{item}（{wave_labels.get(wave, wave)}）" if several_waves else str(item))
        if hidden_bar[y]:
            _bar(ax, y, -50 if diverging else 0, 100, HIDDEN_COLOR, "hidden")
            ax.text(0 if diverging else 50, y, "—", ha="center", va="center", fontsize=12)
            continue
        total = float(n_all[first[y]])
        pct = level_counts[y] / total * 100.0
        half = k // 2
        offset = (pct[:half].sum() + (pct[half] / 2.0 if k % 2 else 0.0)) if diverging else 0.0
        lefts = -offset + np.concatenate([[0.0], np.cumsum(pct)[:-1]])
        dark = (0, k - 1) if diverging else tuple(range(k - (k + 1) // 2, k))
        for j in range(k):
            _bar(ax, y, lefts[j], pct[j], colors[j], f"level{j}")
            if show_values and pct[j] >= show_values:
                # the neutral level's number sits on the zero line: a patch of its own
                # colour keeps the line from striking through it
                back = dict(boxstyle="square,pad=0.15", facecolor=colors[j], edgecolor="none") \
                    if diverging and k % 2 and j == half else None
                ax.text(lefts[j] + pct[j] / 2, y, f"{pct[j]:.0f}", ha="center", va="center",
                        fontsize=8, color="white" if j in dark else "black", bbox=back, zorder=3)

    items = [item for item, _ in keys]
    runs = [item for i, item in enumerate(items) if i == 0 or items[i - 1] != item]
    if several_waves and len(runs) == len(set(runs)):
        # each item's bars are adjacent: its name once, centred on them, and the wave
        # next to each bar, instead of the (long) item name repeated for every wave
        _two_level_labels(ax, items, [wave_labels.get(w, w) for _, w in keys])
    else:
        ax.set_yticks(range(len(keys)), ylabels)
    ax.set_ylim(len(keys) - 0.5, -0.5)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlim(-100 if diverging else 0, 100)
    ticks = np.arange(-100 if diverging else 0, 101, 25)
    ax.set_xticks(ticks, [f"{abs(t)}" for t in ticks])
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    handles = [Patch(facecolor=c, label=lab) for c, lab in zip(colors, labels)]
    if any(p.get_gid() == "hidden" for p in ax.patches):
        handles.append(Patch(facecolor=HIDDEN_COLOR, label=hidden_label))
    # above the bars, flush with their right edge: a legend wider than the bars then
    # reaches over the item labels, not beyond the figure
    ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0),
              ncol=min(len(handles), 6), frameon=False, fontsize=8)
    return ax


def _two_level_labels(ax, items: Sequence, waves: Sequence[str]) -> None:
    """Rows labelled by wave (major ticks) and each run of rows of one item by the item's
    name at their centre (minor ticks), set off to the left of the longest wave label."""
    from matplotlib.textpath import TextPath

    ax.set_yticks(range(len(items)), [str(w) for w in waves])
    centres, names = [], []
    for item in dict.fromkeys(items):
        rows = [i for i, x in enumerate(items) if x == item]
        centres.append((rows[0] + rows[-1]) / 2)
        names.append(str(item))
        if rows[-1] < len(items) - 1:       # a thin rule between one item's bars and the next
            ax.axhline(rows[-1] + 0.5, color="#d0d0d0", linewidth=0.8, zorder=0.5)
    size = ax.yaxis.get_major_ticks()[0].label1.get_fontsize()
    prop = ax.yaxis.get_major_ticks()[0].label1.get_fontproperties()
    # each distinct label measured once (a chart of 40 items x 2 waves has 2 labels, not 80)
    widest = max(TextPath((0, 0), str(w), size=size, prop=prop).get_extents().width for w in dict.fromkeys(waves))
    # an item with one row (asked after the course only) or an odd number of rows has its
    # centre on a wave's tick: matplotlib drops a minor tick at a major one unless told not to
    ax.yaxis.remove_overlapping_locs = False
    ax.set_yticks(centres, names, minor=True)
    ax.tick_params(axis="y", which="minor", length=0, pad=mpl.rcParams["ytick.major.pad"] + widest + size)


def _bar(ax, y: float, left: float, width: float, color, gid: str, height: float = 0.7) -> None:
    """One horizontal bar, as ``ax.barh`` draws it but without updating the data limits
    (a Likert chart sets its limits itself; barh's per-bar limit update was most of the
    chart's build time)."""
    ax.add_artist(Rectangle((left, y - height / 2), width, height, facecolor=color, gid=gid))


def _ci_columns(frame: pd.DataFrame, x: str) -> tuple[str, str]:
    for low, high in ((f"{x}_ci_low", f"{x}_ci_high"), ("ci_low", "ci_high")):
        if low in frame.columns and high in frame.columns:
            return low, high
    raise ValueError(f"no confidence-interval columns for {x!r}: expected {x}_ci_low/{x}_ci_high "
                     "or ci_low/ci_high.")


def forest(effects: pd.DataFrame, *, ax=None, x: str = "effect", label: str | None = None,
           xlabel: str | None = None, null: float = 0.0):
    """Point estimate with its confidence interval, one row per measure.

    Parameters
    ----------
    effects : DataFrame
        One row per measure: ``label`` (or ``measure_id``), the estimate column ``x``
        and its interval ``<x>_ci_low``/``<x>_ci_high`` (else ``ci_low``/``ci_high``).
        NaN estimates keep their row and label but draw nothing; a NaN bound draws
        no whisker.
    ax : Axes, optional
    x : str
        The estimate column (``effect``, ``diff``, ``estimate``).
    label : str, optional
        Row label column; default ``label`` when present, else ``measure_id``.
    xlabel : str, optional
        Axis label; default the column name.
    null : float
        Where the vertical reference line goes (0 = no change).

    Returns
    -------
    Axes
        Row i (top = first) at y = i: the estimate as a marker (``ax.lines[1]``),
        whiskers as one LineCollection (``ax.collections[0]``), the null line first.

    Examples
    --------
    >>> eff = pd.DataFrame({"label": ["a", "b"], "effect": [0.5, np.nan],
    ...                     "effect_ci_low": [0.1, np.nan], "effect_ci_high": [0.9, np.nan]})
    >>> ax = forest(eff)
    >>> ax.collections[0].get_segments()[0].tolist()
    [[0.1, 0.0], [0.9, 0.0]]
    >>> plt.close(ax.figure)
    """
    if label is None:
        label = "label" if "label" in effects.columns else "measure_id"
    _require(effects, (label, x), "forest")
    low, high = _ci_columns(effects, x)
    est = pd.to_numeric(effects[x], errors="coerce").to_numpy(dtype=float)
    lo = pd.to_numeric(effects[low], errors="coerce").to_numpy(dtype=float)
    hi = pd.to_numeric(effects[high], errors="coerce").to_numpy(dtype=float)
    ys = np.arange(len(effects), dtype=float)
    ax = _new_ax(ax, 7.0, 1.2 + 0.4 * max(len(effects), 1))
    ax.axvline(null, color="grey", linewidth=0.8, linestyle="--")
    ok = ~(np.isnan(lo) | np.isnan(hi))
    ax.hlines(ys[ok], lo[ok], hi[ok], color="C0", linewidth=1.6)
    has = ~np.isnan(est)
    ax.plot(est[has], ys[has], "o", color="C0", markersize=6)
    ax.set_yticks(ys, [str(v) for v in effects[label]])
    ax.set_ylim(len(effects) - 0.5, -0.5)
    ax.set_xlabel(xlabel if xlabel is not None else x)
    ax.grid(axis="y", visible=False)
    return ax


def adjusted_means(levels: pd.DataFrame, *, ax=None, model: str | None = None,
                   factor_labels: Mapping[str, str] | None = None,
                   level_labels: Mapping[str, str] | None = None, xlabel: str | None = None):
    """Adjusted mean with its interval for each factor level (``Comparison.levels``).

    Parameters
    ----------
    levels : DataFrame
        ``Comparison.levels``: model, factor, level, n, n_courses, estimate,
        ci_low, ci_high.  NaN estimates keep their row and draw nothing.
    ax : Axes, optional
    model : str, optional
        Which model's rows to draw; default the first present of
        ``ancova, mixed, post_only, wave_x_factor, gain`` (estimates of different
        models are on different scales and are never drawn together).
    factor_labels, level_labels : mapping, optional
        Display names of factors (``{"format": "形式"}``) and levels.
    xlabel : str, optional

    Returns
    -------
    Axes
        Rows grouped by factor in order of appearance, labelled
        "factor: level", the level's n written at the right.
    """
    _require(levels, ("model", "factor", "level", "n", "estimate", "ci_low", "ci_high"),
             "adjusted_means")
    present = list(dict.fromkeys(levels["model"]))
    if model is None:
        model = next((m for m in MODEL_PREFERENCE if m in present), present[0] if present else None)
    elif model not in present:
        raise ValueError(f"model {model!r} is not in the frame; present: {', '.join(map(str, present)) or 'none'}.")
    part = levels[levels["model"] == model].reset_index(drop=True)
    factor_labels = dict(factor_labels or {})
    level_labels = dict(level_labels or {})
    est = pd.to_numeric(part["estimate"], errors="coerce").to_numpy(dtype=float)
    lo = pd.to_numeric(part["ci_low"], errors="coerce").to_numpy(dtype=float)
    hi = pd.to_numeric(part["ci_high"], errors="coerce").to_numpy(dtype=float)
    ys = np.arange(len(part), dtype=float)
    ax = _new_ax(ax, 7.0, 1.2 + 0.4 * max(len(part), 1))
    factors = list(dict.fromkeys(part["factor"]))
    palette = sns.color_palette("colorblind", max(len(factors), 1))
    for i, fac in enumerate(factors):
        sel = (part["factor"] == fac).to_numpy()
        ok = sel & ~(np.isnan(lo) | np.isnan(hi))
        ax.hlines(ys[ok], lo[ok], hi[ok], color=palette[i], linewidth=1.6)
        has = sel & ~np.isnan(est)
        ax.plot(est[has], ys[has], "o", color=palette[i], markersize=6)
    names = [f"{factor_labels.get(f, f)}: {level_labels.get(str(v), v)}"
             for f, v in zip(part["factor"], part["level"])]
    ax.set_yticks(ys, names)
    ax.set_ylim(len(part) - 0.5, -0.5)
    for y, n, e in zip(ys, part["n"], est):
        # a level whose estimate is hidden (n under min_cell) does not show its n either
        ax.annotate("—" if pd.isna(n) or np.isnan(e) else f"n={int(n)}", xy=(1.0, y),
                    xycoords=("axes fraction", "data"),
                    xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_xlabel(xlabel if xlabel is not None else "estimate")
    ax.grid(axis="y", visible=False)
    return ax
