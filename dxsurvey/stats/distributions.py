"""Answers counted per scale level: the distributions behind Likert figures and tables."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..schema import WAVES, wave_order  # noqa: F401  (re-exported)

__all__ = ["likert_distribution", "wave_order"]


def likert_distribution(study, *, items: Sequence[str] | None = None, by: Sequence[str] = ("wave",),
                        level: str | None = None, min_cell: int | None = None,
                        suppress: str = "group") -> pd.DataFrame:
    """Counts per item x group x scale level, over the full level set, suppressed.

    Parameters
    ----------
    study : Study
    items : sequence of str, optional
        Scale item ids (default every scale item, codebook order).
    by : sequence of str
        Submission columns to group by (``wave``, ``course_id``, ``audience``).
    level : str, optional
        Only items of this Kirkpatrick level (``reaction``, ``learning``, ...).
    min_cell : int, optional
        Groups with fewer answering respondents get NA ``count`` and ``n``
        (default: the codebook's min_cell).
    suppress : {"group", "cell"}
        ``group``: hide the counts of an item x group answered by 1 .. min_cell - 1
        people (the shares of a larger group are shown, as in the figures).
        ``cell``: :func:`dxsurvey.privacy.suppress_counts` on each item x group's
        level counts (with the group total as margin); a group with any hidden
        cell gets NA ``n`` too.  Use it for tables of raw level counts.

    Returns
    -------
    DataFrame
        ``*by, measure_id, label, scale, level, level_label, count, n`` (``count`` and
        ``n`` nullable Int64; ``n`` = non-missing answers of the item in the group).
        Every scale level appears, with 0 when nobody chose it.  Rows are in
        codebook item order, then wave order (pre, post, followup, then), then level.

    Examples
    --------
    >>> import sys; sys.path.insert(0, "tests")
    >>> from statsdata import tiny_study
    >>> d = likert_distribution(tiny_study(), items=["q1"], min_cell=1)
    >>> d[d.wave == "pre"][["level", "count", "n"]].values.tolist()
    [[1, 0, 3], [2, 1, 3], [3, 1, 3], [4, 1, 3], [5, 0, 3]]
    """
    if suppress not in ("group", "cell"):
        raise ValueError(f"suppress must be group or cell; got {suppress!r}")
    by = list(by)
    bad = [b for b in by if b not in study.submissions.columns]
    if bad:
        raise ValueError(f"by must name submission columns (e.g. wave, course_id, audience); got {bad[0]!r}.")
    cb = study.codebook
    scale_items = [it for it in cb.items if it.type == "scale"]
    if items is not None:
        known = {it.id: it for it in scale_items}
        missing = [i for i in items if i not in known]
        if missing:
            raise ValueError(f"not a scale item: {missing[0]!r}; scale items: {', '.join(known)}.")
        scale_items = [known[i] for i in items]
    if level is not None:
        scale_items = [it for it in scale_items if it.level == level]
    limit = int(min_cell) if min_cell else int(study.codebook.min_cell)
    columns = by + ["measure_id", "label", "scale", "level", "level_label", "count", "n"]
    ans = study.answers.merge(study.submissions[["submission_id"] + by], on="submission_id", how="inner")
    part = ans[ans["item_id"].isin([it.id for it in scale_items]) & ans["value"].notna()]
    if not len(part):
        return pd.DataFrame({c: pd.Series(dtype="Int64" if c in ("count", "n") else object) for c in columns})
    # every scale level of every item (zero when nobody chose it), with its labels
    levels = pd.DataFrame([(it.id, v, cb.scales[it.scale].label_of(v), it.scale, it.display)
                           for it in scale_items for v in cb.scales[it.scale].values],
                          columns=["item_id", "level", "level_label", "scale", "label"])
    # counts per group x item (rows) and answered value (columns); n = all non-missing answers
    table = (part.assign(level=part["value"].astype(int))
             .groupby(by + ["item_id", "level"], dropna=False, sort=False).size()
             .unstack("level", fill_value=0))
    table = table.reindex(columns=sorted(set(table.columns) | set(levels["level"])), fill_value=0)
    counts = table.to_numpy()
    n_levels = counts.shape[1]
    rows = np.repeat(np.arange(len(table)), n_levels)
    out = table.index.to_frame(index=False).iloc[rows].reset_index(drop=True)
    out["level"] = np.tile(table.columns.to_numpy(), len(table))
    out["count"] = counts.ravel()
    out["n"] = counts.sum(axis=1)[rows]
    out = out.merge(levels, on=["item_id", "level"], how="inner").rename(columns={"item_id": "measure_id"})
    out = out.astype({"measure_id": levels["item_id"].dtype})[columns]
    out["count"] = out["count"].astype("Int64")
    out["n"] = out["n"].astype("Int64")
    if suppress == "group":
        small = (out["n"] >= 1) & (out["n"] < limit)
        out.loc[small.to_numpy(dtype=bool), ["count", "n"]] = pd.NA
    else:
        from .. import privacy

        keys = by + ["measure_id"]
        parts = []
        for _, g in out.groupby(keys, dropna=False, sort=False):
            ct = privacy.suppress_counts(g.set_index("level")[["count"]], min_cell=limit, margins=True)
            g = g.copy()
            g["count"] = ct["count"].to_numpy()
            if g["count"].isna().any() or int(g["n"].iloc[0]) < limit:
                g["n"] = pd.array([pd.NA] * len(g), dtype="Int64")
            parts.append(g)
        out = pd.concat(parts, ignore_index=True)
    order = {it.id: i for i, it in enumerate(scale_items)}
    sort_cols = ["_item"]
    out["_item"] = out["measure_id"].map(order)
    if "wave" in by:
        waves = wave_order(out["wave"].dropna().unique())
        out["_wave"] = out["wave"].map({w: i for i, w in enumerate(waves)})
        sort_cols.append("_wave")
    out = out.sort_values(sort_cols + [c for c in by if c != "wave"] + ["level"], kind="mergesort")
    return out.drop(columns=[c for c in ("_item", "_wave") if c in out.columns]).reset_index(drop=True)
