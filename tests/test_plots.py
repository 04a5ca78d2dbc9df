"""Plot properties (bar geometry, labels, legend order, whiskers), not image bytes."""
from __future__ import annotations

import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from dxsurvey import plots

matplotlib.use("Agg")

LEVELS = [1, 2, 3, 4, 5]
LABELS = ["そう思わない", "あまりそう思わない", "どちらともいえない", "ややそう思う", "そう思う"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def dist_frame(rows):
    """rows: {(label, wave): {level: count}} -> tidy frame with n = sum of counts."""
    out = []
    for (label, wave), counts in rows.items():
        n = sum(counts.values())
        for level, count in counts.items():
            out.append({"label": label, "wave": wave, "level": level, "count": count, "n": n})
    return pd.DataFrame(out)


def level_bars(ax):
    """Non-hidden bars grouped by row (y centre) -> list of (left, width) in level order."""
    rows = {}
    for p in ax.patches:
        if p.get_gid() and p.get_gid().startswith("level"):
            y = round(p.get_y() + p.get_height() / 2, 6)
            rows.setdefault(y, []).append((int(p.get_gid()[5:]), p.get_x(), p.get_width()))
    return {y: [(x, w) for _, x, w in sorted(v)] for y, v in rows.items()}


def test_odd_scale_centres_on_half_of_neutral():
    dist = dist_frame({("q1", "pre"): {1: 2, 2: 3, 3: 5, 4: 6, 5: 4}})   # n = 20
    ax = plots.likert_bars(dist, levels=LEVELS, labels=LABELS)
    (bars,) = level_bars(ax).values()
    widths = [w for _, w in bars]
    assert widths == pytest.approx([10, 15, 25, 30, 20])
    # neutral (25 %) split 12.5 / 12.5 around zero: start = -(10 + 15 + 12.5)
    assert bars[0][0] == pytest.approx(-37.5)
    assert bars[2][0] == pytest.approx(-12.5)
    assert bars[2][0] + bars[2][1] / 2 == pytest.approx(0.0)
    # contiguous and summing to 100
    for (x0, w0), (x1, _) in zip(bars, bars[1:]):
        assert x0 + w0 == pytest.approx(x1)
    assert bars[-1][0] + bars[-1][1] - bars[0][0] == pytest.approx(100.0)


def test_even_scale_centres_between_middle_levels():
    dist = dist_frame({("q1", "post"): {1: 1, 2: 3, 3: 4, 4: 2}})   # n = 10
    ax = plots.likert_bars(dist, levels=[1, 2, 3, 4], labels=list("abcd"))
    (bars,) = level_bars(ax).values()
    assert [w for _, w in bars] == pytest.approx([10, 30, 40, 20])
    assert bars[0][0] == pytest.approx(-40.0)
    assert bars[2][0] == pytest.approx(0.0)        # level 3 starts exactly at the centre


def test_empty_levels_keep_their_place_and_legend_entry():
    # level 2 absent entirely, level 4 present with 0
    dist = dist_frame({("q1", "pre"): {1: 5, 3: 5, 4: 0, 5: 10}})
    ax = plots.likert_bars(dist, levels=LEVELS, labels=LABELS)
    (bars,) = level_bars(ax).values()
    assert len(bars) == 5
    assert [w for _, w in bars] == pytest.approx([25, 0, 25, 0, 50])
    assert bars[0][0] == pytest.approx(-37.5)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == LABELS                        # all levels, in scale order, none hidden


def test_neutral_number_on_its_own_patch_and_legend_on_the_canvas():
    """The neutral level's percentage sits on the zero line: a patch of the segment's colour
    behind it keeps the line from striking through it.  A legend wider than the bars
    stays on the figure (flush right above them), so the saved image needs no margin
    beyond the figure's edge."""
    labels = ["まったくそう思わない", "あまりそう思わない", "どちらともいえない", "ややそう思う", "とてもそう思う"]
    dist = dist_frame({("短い項目", "pre"): {1: 1, 2: 2, 3: 4, 4: 2, 5: 1}})
    ax = plots.likert_bars(dist, levels=LEVELS, labels=labels)
    fig = ax.figure
    texts = {t.get_text(): t for t in ax.texts}
    neutral = texts["40"]                                   # level 3: 4 of 10
    assert neutral.get_bbox_patch() is not None
    assert matplotlib.colors.same_color(neutral.get_bbox_patch().get_facecolor(), plots.likert_colors(5)[2])
    assert all(texts[k].get_bbox_patch() is None for k in ("20",))   # the others need none
    fig.canvas.draw()
    box = ax.get_legend().get_window_extent().transformed(fig.dpi_scale_trans.inverted())
    width, height = fig.get_size_inches()
    assert box.x0 >= 0 and box.x1 <= width and box.y1 <= height


def test_row_order_and_wave_labels():
    dist = dist_frame({("DXの必要性", "pre"): {1: 1, 5: 4}, ("DXの必要性", "post"): {5: 5},
                       ("自分事化", "pre"): {3: 5}, ("自分事化", "post"): {4: 5}})
    ax = plots.likert_bars(dist, levels=LEVELS, labels=LABELS, wave_labels={"pre": "事前", "post": "事後"})
    # the wave next to each bar, each item's name once at the centre of its bars
    assert [t.get_text() for t in ax.get_yticklabels()] == ["事前", "事後", "事前", "事後"]
    assert [t.get_text() for t in ax.get_yticklabels(minor=True)] == ["DXの必要性", "自分事化"]
    assert list(ax.get_yticks(minor=True)) == [0.5, 2.5]
    assert [line.get_ydata()[0] for line in ax.lines if line.get_ydata()[0] == line.get_ydata()[1]] == [1.5]
    assert ax.get_ylim()[0] > ax.get_ylim()[1]    # first row drawn at the top
    rows = level_bars(ax)
    assert sorted(rows) == [0.0, 1.0, 2.0, 3.0]
    assert [w for _, w in rows[1.0]] == pytest.approx([0, 0, 0, 0, 100])


def test_rows_of_an_item_apart_keep_the_item_in_every_label():
    dist = dist_frame({("DXの必要性", "pre"): {5: 5}, ("自分事化", "pre"): {3: 5},
                       ("DXの必要性", "post"): {5: 5}, ("自分事化", "post"): {4: 5}})
    ax = plots.likert_bars(dist, levels=LEVELS, labels=LABELS, wave_labels={"pre": "事前", "post": "事後"})
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "DXの必要性（事前）", "自分事化（事前）", "DXの必要性（事後）", "自分事化（事後）"]
    assert not ax.get_yticklabels(minor=True)


def test_level_order_comes_from_levels_not_from_data_order():
    dist = dist_frame({("q1", "pre"): {5: 2, 1: 8}})
    ax = plots.likert_bars(dist, levels=LEVELS, labels=LABELS)
    (bars,) = level_bars(ax).values()
    assert bars[0][1] == pytest.approx(80) and bars[4][1] == pytest.approx(20)
    assert bars[0][0] < bars[4][0]


def test_suppressed_row_is_grey_and_named_in_legend():
    dist = dist_frame({("q1", "pre"): {1: 2, 5: 8}, ("q1", "post"): {1: 1, 5: 2}})
    hide = dist["wave"] == "post"
    dist["count"] = dist["count"].astype("Int64")
    dist["n"] = dist["n"].astype("Int64")
    dist.loc[hide, ["count", "n"]] = pd.NA
    ax = plots.likert_bars(dist, levels=LEVELS, labels=LABELS, hidden_label="非表示（n < 5）")
    hidden = [p for p in ax.patches if p.get_gid() == "hidden"]
    assert len(hidden) == 1
    assert hidden[0].get_y() + hidden[0].get_height() / 2 == pytest.approx(1.0)
    assert hidden[0].get_facecolor()[:3] == pytest.approx(matplotlib.colors.to_rgb(plots.HIDDEN_COLOR))
    assert "—" in [t.get_text() for t in ax.texts]
    assert [t.get_text() for t in ax.get_legend().get_texts()][-1] == "非表示（n < 5）"
    assert list(level_bars(ax)) == [0.0]          # the hidden row draws no level bars


def test_likert_bars_rejects_bad_arguments():
    dist = dist_frame({("q1", "pre"): {1: 2, 6: 1}})
    with pytest.raises(ValueError, match="not in levels"):
        plots.likert_bars(dist, levels=LEVELS, labels=LABELS)
    with pytest.raises(ValueError, match="same length"):
        plots.likert_bars(dist, levels=LEVELS, labels=LABELS[:3])
    with pytest.raises(ValueError, match="missing: count"):
        plots.likert_bars(dist.drop(columns="count"), levels=LEVELS, labels=LABELS)


def test_likert_bars_draws_on_given_axes():
    fig, ax = plt.subplots()
    out = plots.likert_bars(dist_frame({("q1", "pre"): {2: 1, 4: 1}}), levels=LEVELS, labels=LABELS, ax=ax)
    assert out is ax


def effects_frame():
    return pd.DataFrame({
        "label": ["必要性", "自分事化", "支援", "業務見直し"],
        "effect": [0.8, np.nan, -0.2, 0.1],
        "effect_ci_low": [0.3, np.nan, -0.6, np.nan],
        "effect_ci_high": [1.3, np.nan, 0.2, np.nan],
    })


def test_forest_whiskers_points_and_nan_rows():
    ax = plots.forest(effects_frame(), xlabel="d")
    segments = ax.collections[0].get_segments()
    assert [s.tolist() for s in segments] == [[[0.3, 0.0], [1.3, 0.0]], [[-0.6, 2.0], [0.2, 2.0]]]
    points = ax.lines[1]
    assert points.get_xdata().tolist() == [0.8, -0.2, 0.1]
    assert points.get_ydata().tolist() == [0.0, 2.0, 3.0]
    null = ax.lines[0]
    assert list(null.get_xdata()) == [0, 0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["必要性", "自分事化", "支援", "業務見直し"]
    assert ax.get_xlabel() == "d"


def test_forest_uses_plain_ci_columns_and_null():
    frame = pd.DataFrame({"measure_id": ["a"], "estimate": [3.2], "ci_low": [2.9], "ci_high": [3.6]})
    ax = plots.forest(frame, x="estimate", null=3.0)
    assert ax.collections[0].get_segments()[0].tolist() == [[2.9, 0.0], [3.6, 0.0]]
    assert list(ax.lines[0].get_xdata()) == [3.0, 3.0]
    with pytest.raises(ValueError, match="confidence-interval"):
        plots.forest(frame.drop(columns=["ci_low"]), x="estimate")


def comparison_levels():
    return pd.DataFrame({
        "model": ["ancova"] * 4 + ["gain"] * 2,
        "factor": ["format", "format", "style", "style", "format", "format"],
        "level": ["in_person", "online", "lecture", "workshop", "in_person", "online"],
        "n": pd.array([30, 12, 25, pd.NA, 30, 12], dtype="Int64"),
        "n_courses": [2, 1, 2, 1, 2, 1],
        "estimate": [3.9, 3.5, 3.6, np.nan, 0.5, 0.2],
        "ci_low": [3.7, 3.1, 3.3, np.nan, 0.3, -0.1],
        "ci_high": [4.1, 3.9, 3.9, np.nan, 0.7, 0.5],
    })


def test_adjusted_means_prefers_ancova_and_labels_levels():
    ax = plots.adjusted_means(comparison_levels(), factor_labels={"format": "形式", "style": "スタイル"},
                              level_labels={"online": "オンライン"})
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["形式: in_person", "形式: オンライン", "スタイル: lecture", "スタイル: workshop"]
    segs = [s.tolist() for c in ax.collections for s in c.get_segments()]
    assert segs == [[[3.7, 0.0], [4.1, 0.0]], [[3.1, 1.0], [3.9, 1.0]], [[3.3, 2.0], [3.9, 2.0]]]
    xs = [x for line in ax.lines for x in line.get_xdata()]
    assert xs == [3.9, 3.5, 3.6]
    assert [t.get_text() for t in ax.texts] == ["n=30", "n=12", "n=25", "—"]


def test_adjusted_means_model_choice():
    ax = plots.adjusted_means(comparison_levels(), model="gain")
    assert len(ax.get_yticklabels()) == 2
    with pytest.raises(ValueError, match="present: ancova, gain"):
        plots.adjusted_means(comparison_levels(), model="mixed")


def test_japanese_text_renders_without_missing_glyph_warnings(tmp_path):
    dist = dist_frame({("DXの必要性を理解している", "pre"): {1: 1, 3: 2, 5: 3}})
    ax = plots.likert_bars(dist, levels=LEVELS, labels=LABELS, hidden_label="— 非表示")
    ax.set_title("事前・事後の回答分布 −0.5")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax.figure.savefig(tmp_path / "f.png")
        ax.figure.savefig(tmp_path / "f.svg")
    assert plots.FONT in matplotlib.rcParams["font.family"]
