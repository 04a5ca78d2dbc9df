"""reports: aggregates, report frames and sentences built from result tables; notebook shape."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pandas as pd
import pytest

from dxsurvey import stats
from dxsurvey.pipeline import REPORTS
from dxsurvey.reports import catalog as texts
from dxsurvey.reports import common, course, research, validation
from dxsurvey.reports import format as F
from statsdata import make_study

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = tuple(REPORTS)   # every report the pipeline runs


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def likert_study(min_cell=3):
    wide = pd.DataFrame({
        "course_id": ["C1"] * 7 + ["C2"] * 2,
        "wave": ["pre", "pre", "pre", "post", "post", "post", "post", "pre", "post"],
        "respondent_key": ["a", "b", "c", "a", "b", "c", "d", "e", "e"],
        "q1": [1, 1, 3, 5, 5, 4, np.nan, 2, 2],
        "q2": [2, 2, 2, 2, np.nan, 2, 2, 2, 2],
    })
    return make_study(wide, constructs={"att": ("q1", "q2")}, min_cell=min_cell)


# ---------------------------------------------------------------------- Likert aggregates
def test_likert_distribution_full_level_set_with_zeros_and_order():
    st = likert_study()
    d = stats.likert_distribution(st.course("C1"), items=["q1"])
    assert list(d.columns) == ["wave", "measure_id", "label", "scale", "level", "level_label", "count", "n"]
    assert d["wave"].tolist() == ["pre"] * 5 + ["post"] * 5          # wave order, not data order
    assert d["level"].tolist() == [1, 2, 3, 4, 5] * 2
    assert d["count"].tolist() == [2, 0, 1, 0, 0, 0, 0, 0, 1, 2]
    assert d["n"].tolist() == [3] * 5 + [3] * 5                        # missing answer not counted
    assert d["level_label"].tolist()[:5] == ["そう思わない", "あまりそう思わない", "どちらともいえない",
                                             "ややそう思う", "そう思う"]


def test_likert_distribution_suppresses_small_groups():
    st = likert_study(min_cell=3)
    d = stats.likert_distribution(st, items=["q1"], by=("course_id", "wave"))
    small = d[d["course_id"] == "C2"]
    assert small["count"].isna().all() and small["n"].isna().all()
    big = d[(d["course_id"] == "C1") & (d["wave"] == "pre")]
    assert big["count"].notna().all()
    # stricter cell rule: C1 pre has counts 2 and 1 (< 3) -> hidden, and n with them
    cell = stats.likert_distribution(st, items=["q1"], by=("course_id", "wave"), suppress="cell")
    c1pre = cell[(cell["course_id"] == "C1") & (cell["wave"] == "pre")]
    assert c1pre["n"].isna().all()
    assert c1pre.loc[c1pre["level"] == 1, "count"].isna().all()
    assert (c1pre.loc[c1pre["level"] == 2, "count"] == 0).all()        # zeros stay visible
    with pytest.raises(ValueError, match="group or cell"):
        stats.likert_distribution(st, suppress="row")
    with pytest.raises(ValueError, match="not a scale item"):
        stats.likert_distribution(st, items=["nope"])


def test_likert_figure_draws_one_bar_per_item_and_wave():
    st = likert_study().course("C1")
    fig = common.likert_figure(st, waves=("pre", "post"), lang="en")
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == ["pre", "post", "pre", "post"]
    assert [t.get_text() for t in ax.get_yticklabels(minor=True)] == ["q1", "q2"]
    pre_q1 = [p for p in ax.patches if abs(p.get_y() + p.get_height() / 2) < 1e-9]
    assert [round(p.get_width(), 6) for p in pre_q1] == [round(200 / 3, 6), 0, round(100 / 3, 6), 0, 0]
    empty = common.likert_figure(st, level="reaction", lang="ja")
    assert [t.get_text() for t in empty.axes[0].texts] == [texts.text("narrative.no_data", "ja")]


# ---------------------------------------------------------------------- validation frames
def validation_study():
    st = likert_study()
    st.validation = pd.DataFrame({
        "source_file": ["raw/a.csv", "raw/a.csv", "raw/b.csv"],
        "source_row": pd.array([3, 5, 2], dtype="Int64"),
        "column": ["code", "q1", None],
        "value": ["0093", "2・3", None],
        "problem": ["duplicate_submission", "invalid_value", "empty_submission"],
        "action": ["dropped", "set_missing", "dropped"],
        "message": ["code '0093' matched to '0039'", "two marks", "blank row"],
    })
    st.sensitive = frozenset({"0093", "0039"})
    return st


def test_problem_examples_mask_codes_and_have_no_row_identifier_column():
    ex = validation.problem_examples(validation_study(), lang="en")
    assert "source_row" not in ex.columns and ex["row"].tolist() == [3, 5, 2]
    assert ex["value"].tolist()[:2] == ["＊＊＊", "2・3"]
    assert "0093" not in " ".join(ex["message"]) and "0039" not in " ".join(ex["message"])
    assert ex["problem"].tolist()[0] == "duplicate submission"


def test_problem_examples_mask_personal_values_inside_messages_too():
    st = likert_study()
    st.validation = pd.DataFrame({
        "source_file": ["raw/fy2024.csv", "raw/fy2024.csv", "raw/fy2024.csv"],
        "source_row": pd.array([4, 7, 20], dtype="Int64"),
        "column": ["tools", None, "q1"],
        "value": ["Excel, 山田さんに教わったマクロ", "2024/07/19 9:15:39 午前 GMT+9", "20"],
        "problem": ["other_option", "empty_submission", "out_of_range"],
        "action": ["kept", "dropped", "set_missing"],
        "message": ["raw/fy2024.csv, row 4, value 「Excel, 山田さんに教わったマクロ」: text not among the options",
                    "raw/fy2024.csv, row 7, value 「2024/07/19 9:15:39 午前 GMT+9」: no valid answer",
                    "raw/fy2024.csv, row 20, value 「20」: 20 is outside the scale"],
    })
    ex = validation.problem_examples(st, lang="ja")
    joined = " ".join(ex["message"])
    assert "山田" not in joined and "9:15:39" not in joined
    assert ex["value"].tolist()[:2] == ["＊＊＊", "＊＊＊"]
    # the 説明 column is the catalogue's Japanese, not the log's English message (issue 10)
    assert ex["message"].tolist()[0] == "選択肢にない記述 → 「その他」として採用"
    assert ex["message"].tolist()[2] == "尺度の範囲（1「そう思わない」〜5「そう思う」）の外の値 → 欠測扱い"
    assert not re.search(r"[A-Za-z]{3,}", joined)


def test_source_table_shows_waves_in_the_report_language():
    st = likert_study()
    st.source_summary = pd.DataFrame({"source_file": ["raw/a.csv", "raw/b.csv"], "course_id": "C1",
                                      "wave": ["pre", "followup"], "format": "csv", "rows": [5, 4],
                                      "kept": [5, 4]})
    assert validation.source_table(st, lang="ja")["wave"].tolist() == ["事前", "追跡"]
    assert validation.source_table(st, lang="en")["wave"].tolist() == ["pre", "follow-up"]


def test_problem_counts():
    pc = validation.problem_counts(validation_study(), lang="ja")
    assert pc["count"].sum() == 3
    assert set(pc["problem"]) == {"重複回答", "無効な値", "回答なし"}
    assert "value" not in pc.columns


def test_linkage_rates():
    st = likert_study()
    st.courses["invited"] = pd.array([8, pd.NA], dtype="Int64")
    st.linkage = pd.DataFrame({"course_id": ["C1", "C2"], "wave_a": "pre", "wave_b": "post",
                               "n_a": [3, 1], "n_b": [4, 1], "matched": [3, 1], "only_a": [0, 0],
                               "only_b": [1, 0], "fuzzy": 0})
    lr = validation.linkage_rates(st)
    c1 = lr.iloc[0]
    assert (c1["n_pre"], c1["n_post"], c1["matched"], c1["only_pre"], c1["only_post"]) == (3, 4, 3, 0, 1)
    assert c1["rate_pre"] == pytest.approx(0.375) and c1["rate_post"] == pytest.approx(0.5)
    assert np.isnan(lr.iloc[1]["rate_pre"])                            # invited unknown


# ---------------------------------------------------------------------- prepost-derived frames
def prepost_frame():
    base = dict(course_id="C1", audience="staff", wave_a="pre", wave_b="post", reverse=pd.NA,
                n_unmatched_a=0, n_unmatched_b=0, median_a=3.0, median_b=4.0, top2_a=0.2, top2_b=0.5,
                hedges_g_av=np.nan, ci_method="analytic", caution="")
    rows = [
        dict(base, measure_type="item", measure_id="q1", reverse=False, design="paired", n_a=12, n_b=12,
             n_pairs=12, mean_a=2.5, mean_b=3.25, sd_a=1.0, sd_b=0.9, diff=0.75, diff_ci_low=0.2,
             diff_ci_high=1.3, test="wilcoxon", statistic=41.0, p_val=0.012, p_adj=0.024,
             effect_type="rank_biserial", effect=0.6, effect_ci_low=0.1, effect_ci_high=0.85),
        dict(base, measure_type="construct", measure_id="att", design="paired", n_a=12, n_b=12, n_pairs=12,
             mean_a=2.8, mean_b=3.41, sd_a=0.62, sd_b=0.67, diff=0.61, diff_ci_low=0.52, diff_ci_high=0.70,
             test="paired_t", statistic=13.15, p_val=0.00001, p_adj=0.00002, effect_type="cohen_dz",
             effect=1.1, effect_ci_low=0.9, effect_ci_high=1.31, n_unmatched_a=3, n_unmatched_b=2),
        dict(base, audience="manager", measure_type="construct", measure_id="att", design="independent",
             n_a=2, n_b=4, n_pairs=0, mean_a=3.0, mean_b=4.0, sd_a=0.5, sd_b=0.5, diff=1.0, diff_ci_low=0.1,
             diff_ci_high=1.9, test="welch_t", statistic=2.2, p_val=0.09, p_adj=0.09, effect_type="hedges_g",
             effect=1.5, effect_ci_low=0.2, effect_ci_high=2.8),
    ]
    return pd.DataFrame(rows)


def test_change_table_constructs_first_with_labels_and_numbers_kept():
    st = likert_study()
    ct = course.change_table(prepost_frame(), st, course_id="C1", lang="ja")
    assert ct["measure_type"].tolist() == ["構成概念", "構成概念", "項目"]
    item = ct.iloc[2]
    assert item["reverse"] == "" and item["design"] == "対応あり"
    assert item["statistic"] == 41.0 and item["ci_low"] == 0.2 and item["effect_ci_high"] == 0.85
    assert ct["n_a"].dtype == "Int64"
    assert course.change_table(prepost_frame(), st, course_id="C9").empty
    with pytest.raises(ValueError, match="construct or item"):
        course.change_table(prepost_frame(), st, measure_type="scale")


def test_effect_rows_hide_small_groups_and_label_audiences():
    rows = common.effect_rows(prepost_frame(), likert_study(), course_id="C1", lang="en", min_cell=5)
    assert rows["label"].tolist() == ["att（staff）", "att（managers）"]
    assert rows["effect"].iloc[0] == 1.1
    assert rows[["effect", "effect_ci_low", "effect_ci_high"]].iloc[1].isna().all()   # n_a = 2 < 5


def test_apa_table_formats_from_the_frame_and_suppresses():
    pp = prepost_frame()
    t = common.apa_prepost_table(pp, likert_study(), lang="en", measure_type="construct", min_cell=5)
    assert list(t.columns) == ["audience", "measure", "design", "n", "pre", "post", "top2", "diff", "statistic",
                               "p", "effect", "suppressed"]
    assert t.iloc[0]["top2"] == "20% → 50%"
    assert t["suppressed"].tolist()[:2] == [False, True]
    first = t.iloc[0]
    assert first["n"] == "12" and first["pre"] == "2.80 (0.62)" and first["post"] == "3.41 (0.67)"
    assert first["diff"] == "0.61 [0.52, 0.70]" and first["statistic"] == "t = 13.15"
    assert first["p"] == "< .001" and first["effect"] == "d_z = 1.10 [0.90, 1.31]"
    assert set(t.iloc[1][["n", "pre", "post", "diff", "p", "effect"]]) == {"—"}
    items = common.apa_prepost_table(pp, likert_study(), lang="en", measure_type="item")
    assert items.iloc[0]["statistic"] == "V = 41.00" and items.iloc[0]["p"] == ".024"


def test_results_text_and_abstract_take_numbers_from_tables():
    st = likert_study(min_cell=3)
    pooled = prepost_frame().iloc[[1]].assign(course_id=pd.NA, audience=pd.NA)
    ja = research.results_text(pooled, st, lang="ja")
    assert "2.80" in ja and "3.41" in ja and "上昇した" in ja and "p < .001" in ja and "[0.52, 0.70]" in ja
    en = research.abstract(pooled, st, "en")
    assert en.startswith("The survey test collected answers from participants of 2 courses (4 pre, 5 post).")
    assert "In conclusion, of 1 constructs 1 rose after the course (att)." in en
    assert research.results_text(pooled, st, lang="en") not in en      # a conclusion, not the results
    down = pooled.assign(diff=-0.2)
    assert "fell" in research.results_text(down, st, lang="en")
    hidden = research.results_text(prepost_frame().iloc[[2]], st, lang="en", min_cell=5)
    assert "fewer than 5" in hidden and "4.00" not in hidden


def test_cautions_name_independent_design_and_unmatched_counts():
    text_ = course.cautions(prepost_frame(), likert_study(), course_id="C1", lang="en", min_cell=5)
    lines = text_.splitlines()
    assert any("staff" in x and "pre only: fewer than 5" in x and "post only: fewer than 5" in x for x in lines)
    assert any("managers" in x and "fewer than 5 respondents" in x for x in lines)
    assert any("managers" in x and "independent groups" in x for x in lines)
    assert all(x.startswith("- ") for x in lines)
    clean = prepost_frame().iloc[[0]].assign(n_a=40, n_b=40, n_pairs=40)
    assert course.cautions(clean, likert_study(), lang="en") == f"- {texts.text('narrative.no_cautions', 'en')}"


def test_reliability_table_waves_in_time_order_with_labels():
    st = likert_study()
    rel = pd.DataFrame({"construct_id": ["att"] * 4, "wave": ["followup", "post", "pre", "then"],
                        "n": [12, 20, 25, 11], "k": 2, "alpha": [0.7, 0.8, 0.75, 0.9]})
    out = common.reliability_table(rel, st, lang="ja")
    assert out["wave"].tolist() == ["事前", "事後", "追跡", "振り返り事前"]
    assert out["n"].tolist() == [25, 20, 12, 11] and out["alpha"].tolist() == [0.75, 0.8, 0.7, 0.9]


def test_quotes_only_when_enough_people_wrote():
    st = likert_study()
    st.codebook.items.append(type(st.codebook.items[0])(id="comment", column=("感想",), type="text"))
    st.codebook.min_cell_text = 3
    st.texts = pd.DataFrame({"submission_id": [1, 2, 3], "item_id": "comment",
                             "text": ["よかった", "[氏名]さんの説明", "長い"]})
    assert course.quotes(st, "C1")["text"].tolist() == ["[氏名]さんの説明", "よかった", "長い"]
    st.codebook.min_cell_text = 4
    assert course.quotes(st, "C1").empty
    assert "4" in course.quotes_note(st, "C1", "ja")
    # three texts but two people (submissions 1 and 4 are respondent a's pre and post): hidden at 3
    st.codebook.min_cell_text = 3
    st.texts = st.texts.assign(submission_id=[1, 2, 4])
    assert course.quotes(st, "C1").empty


def test_input_hashes_match_hashlib(tmp_path):
    st = likert_study()
    st.root = tmp_path
    (tmp_path / "survey.yaml").write_text("survey: x\n", encoding="utf-8")
    out = research.input_hashes(st)
    assert out["file"].tolist() == ["survey.yaml", "courses.csv"]
    assert out["sha256"].iloc[0] == hashlib.sha256(b"survey: x\n").hexdigest()
    assert list(out.columns) == ["file", "sha256"] and out["sha256"].iloc[1] == ""


def test_formatters():
    assert F.fmt_p(0.0005) == "< .001" and F.fmt_p(0.05) == ".050"
    assert F.fmt_est_ci(np.nan, 0, 1) == "—"
    assert F.label("format", "online", "ja") == "オンライン" and F.label("format", "zoom", "ja") == "zoom"


# ---------------------------------------------------------------------- notebooks
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_shape(name):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].metadata.get("tags") == ["parameters"]
    params = code[0].source
    for p in ("study = ", "out = ", "language = ", "min_cell = "):
        assert p in params
    assert ("course_id = " in params) == (name == "10_course_report")
    assert f'name="{name}"' in code[1].source and "Context.open(" in code[1].source
    # a notebook only calls into dxsurvey: under 40 lines of code (blank lines and comments aside)
    lines = [x for c in code for x in c.source.splitlines() if x.strip() and not x.strip().startswith("#")]
    assert len(lines) < 40, f"{name}: {len(lines)} code lines"
    for c in code:
        assert not c.get("outputs") and c.get("execution_count") is None
        assert not re.search(r"^\s*(def|class|lambda)\b", c.source, re.M)
        assert "import pandas" not in c.source and ".groupby(" not in c.source
    keys = {k for c in code for k in re.findall(r'ctx\.(?:md|t)\(\s*"([^"]+)"', c.source)}
    missing = [k for k in keys if k not in texts.TEXTS]
    assert not missing


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_parameters_are_declared(name):
    """papermill skips a parameter line with a second '=' (e.g. in its comment)."""
    papermill = pytest.importorskip("papermill")
    declared = papermill.inspect_notebook(str(ROOT / "notebooks" / f"{name}.ipynb"))
    expected = {"study", "out", "language", "min_cell"} | ({"course_id"} if name == "10_course_report" else set())
    if name == "30_next_course":
        expected |= {"format", "style", "instructor_type", "hours", "sesoi", "n_focus", "importance"}
    assert set(declared) == expected


def test_prepost_cautions_in_japanese():
    from dxsurvey.reports.common import caution_text as _caution_text

    got = _caution_text("suppressed(min_cell=5); independent_fallback(min_cell=5)", "ja")
    assert got == "回答者が5人未満のため統計量は非表示、照合できた組が5組未満のため独立2群として分析"
    assert _caution_text("no_variance_diffs", "ja") == \
        "差のばらつきが0のため t と効果量は算出不可"
    assert _caution_text("no_answers(waves=pre+post)", "ja") == "事前・事後の回答がありません"
    assert _caution_text("no_answers(waves=pre+post)", "en") == "no answers in wave pre and post"
    assert _caution_text("small_n(limit=10)", "en") == "n < 10: interpret with caution"
    with pytest.raises(ValueError, match="caution"):
        _caution_text("n < 10: interpret with caution", "en")      # prose is not a code
    assert _caution_text(None, "ja") == ""


def test_methods_named_in_words_and_symbols():
    pp = prepost_frame()
    t = course.change_table(pp, likert_study(), course_id="C1", lang="ja")
    assert "対応のあるt検定" in set(t["test"]) and "Cohenのd_z" in set(t["effect_type"])
    assert F.effect_symbol("rank_biserial") == "r_rb" and F.effect_symbol("hedges_g") == "g"
    text_ = research.results_text(pp, likert_study(), lang="en", min_cell=5)
    assert "d_z = " in text_ and "cohen_dz" not in text_ and "Holm-adjusted p" in text_


def test_reliability_cautions_in_the_report_language_and_not_for_hidden_rows():
    st = likert_study()
    rel = pd.DataFrame({"construct_id": ["att"] * 3, "wave": ["pre", "post", "followup"],
                        "n": [25, 12, 2], "k": 2, "alpha": [-0.2, 0.8, np.nan],
                        "caution": ["small_n(limit=30); negative_alpha", "small_n(limit=30)",
                                    "too_few_respondents(limit=3)"]})
    ja = common.reliability_table(rel, st, lang="ja", min_cell=5)
    assert ja["caution"].tolist() == ["回答者が30人未満: 解釈に注意、αが負: 逆転項目の設定を確認",
                                      "回答者が30人未満: 解釈に注意", ""]
    en = common.reliability_table(rel, st, lang="en", min_cell=5)
    assert en["caution"].tolist()[:2] == ["n < 30: interpret with caution; negative alpha: check reverse coding",
                                          "n < 30: interpret with caution"]
    assert en["caution"].iloc[2] == ""
    # with min_cell 2 the n=2 row is shown, and so is its caution
    assert common.reliability_table(rel, st, lang="ja", min_cell=2)["caution"].iloc[2] == "回答者が3人未満のため信頼性は算出不可"


def test_every_caution_code_is_worded_in_both_languages():
    from dxsurvey.stats.codes import CAUTIONS, decode, encode

    for code, params in CAUTIONS.items():
        entry = texts.TEXTS[f"caution.{code}"]
        for lang in texts.LANGUAGES:
            assert texts.placeholders(entry[lang]) == set(params), (code, lang)
        cell = encode(code, **{p: "pre" for p in params})
        assert decode(cell) == [(code, {p: "pre" for p in params})]
    with pytest.raises(ValueError):
        encode("small_n")          # its limit is missing
