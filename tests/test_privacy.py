"""Tests of dxsurvey.privacy: masking, small-cell suppression, run-folder audit."""
from __future__ import annotations

import json
import time

import nbformat
import numpy as np
import openpyxl
import pandas as pd
import pytest

from dxsurvey import privacy
from dxsurvey.reports.catalog import text
from dxsurvey.privacy import (
    TOKENS,
    Finding,
    audit,
    audit_report,
    format_suppressed,
    load_names,
    mask_series,
    mask_text,
    quotes_allowed,
    suppress,
    suppress_counts,
)

N, M, P, S, U = TOKENS["name"], TOKENS["email"], TOKENS["phone"], TOKENS["staff_no"], TOKENS["url"]

# --------------------------------------------------------------------------
# mask_text
# --------------------------------------------------------------------------
MASK_CASES = [
    # e-mail
    ("連絡は yamada.taro@city.example.jp まで", f"連絡は {M} まで"),
    ("ｙａｍａｄａ＠ｃｉｔｙ．ｅｘａｍｐｌｅ．ｊｐへ", f"{M}へ"),
    # phones
    ("03-1234-5678", P),
    ("0120-123-456", P),
    ("090-1234-5678に電話", f"{P}に電話"),
    ("(03)1234-5678", P),
    ("（03）1234-5678", P),
    ("03(1234)5678", P),
    ("+81-90-1234-5678", P),
    ("+81 3 1234 5678", P),
    ("09012345678", P),
    ("TEL:0312345678。", f"TEL:{P}。"),
    ("０９０－１２３４－５６７８", P),
    ("０９０ー１２３４ー５６７８", P),
    ("内線1234までどうぞ", f"{P}までどうぞ"),
    ("（内線：5678）", f"（{P}）"),
    # staff numbers
    ("職員番号12345の者です", f"{S}の者です"),
    ("職員No.12345", S),
    ("職員ＮＯ．１２３４５", S),
    ("ID: A12345", S),
    ("IDはAB-00123です", f"{S}です"),
    # URLs: with a query the whole URL goes, a plain one stays
    ("https://forms.example.jp/r?id=42&name=x を参照", f"{U} を参照"),
    ("資料は https://www.city.example.jp/dx/ にあります", "資料は https://www.city.example.jp/dx/ にあります"),
    ("www.example.jp/form?u=1).", f"{U})."),
    # honorifics: name masked, title kept
    ("山田課長に相談した", f"{N}課長に相談した"),
    ("佐藤さんの説明", f"{N}さんの説明"),
    ("鈴木部長、高橋係長、伊藤主査、渡辺主任", f"{N}部長、{N}係長、{N}主査、{N}主任"),
    ("中村室長と小林所長と加藤局長", f"{N}室長と{N}所長と{N}局長"),
    ("吉田市長の挨拶", f"{N}市長の挨拶"),
    ("山田副市長", f"{N}副市長"),
    ("田中太郎さん", f"{N}さん"),
    ("総務課山田さん", f"総務課{N}さん"),
    ("阿部さん", f"{N}さん"),
    ("東雲様からの依頼", f"{N}様からの依頼"),
    ("森氏によれば", f"{N}氏によれば"),
    ("田中君と田中くん", f"{N}君と{N}くん"),
    ("マイケルさん", f"{N}さん"),
    ("髙橋課長と長谷川 部長と小野寺課長", f"{N}課長と{N} 部長と{N}課長"),
    ("鈴木さんと佐々木さん", f"{N}さんと{N}さん"),
    # self-introductions (the demo's planted 職員番号12345の佐藤です)
    ("職員番号12345の佐藤です。次回も参加したいです。", f"{S}の{N}です。次回も参加したいです。"),
    ("総務課の佐藤花子と申します。", f"総務課の{N}と申します。"),
    ("総務課佐藤です", f"総務課{N}です"),
    ("私は髙橋です", f"私は{N}です"),
    ("林と申します", f"{N}と申します"),
    ("研修の森です。森林です。山田市です。東京です。DXの本質です。", None),
    ("外部講師さん、他市さん、業者さん、上司さん、新人さん", None),
    ("課長さん、総務部長さん、担当課長さん、市長さん", None),
    ("情シスさん、人事課さん、事務局様、利用者様、ユーザー様", None),
    ("令和6年10月11日（金）13:30～16:30、定員30名（93.3%）", None),
    # false positives that must stay untouched
    ("皆さん、ありがとうございました", None),
    ("みなさんお疲れ様でした", None),
    ("市民の皆様へ", None),
    ("お客様の声", None),
    ("課長級の職員", None),
    ("担当課長会議で説明", None),
    ("総務課長と情報政策課長", None),
    ("副市長と市長の挨拶", None),
    ("課長補佐以上", None),
    ("同様に、前回同様", None),
    ("仕様書と様式第1号", None),
    ("多様な働き方", None),
    ("氏名を書く欄", None),
    ("担当者様、事務局さん、講師さん", None),
    ("ベンダーさん、コンサルさん", None),
    ("DX推進課さんに相談", None),
    ("ご苦労様です。お父さんと娘さん", None),
    ("諸君、同氏は", None),
    ("2024-10-11 に実施", None),
    ("2024/10/11 8:55:06", None),
    ("10:30から12:00まで", None),
    ("費用は1,234円、0120円ではない", None),
    ("満足度は12.5%から85.0%へ", None),
    ("p = 0.0312345678", None),
    ("第3回研修（全5回）、受講者42人", None),
    ("COVID-19 の影響", None),
    ("No.1の研修", None),
    ("IDは3つ", None),
    ("", None),
]


@pytest.mark.parametrize("text, expected", MASK_CASES)
def test_mask_text_cases(text, expected):
    assert mask_text(text) == (text if expected is None else expected)


def test_mask_text_none_and_idempotent():
    assert mask_text(None) is None
    once = mask_text("山田課長 090-1234-5678 a@b.jp 職員番号12345 https://x.jp/?q=1")
    assert once == f"{N}課長 {P} {M} {S} {U}"
    assert mask_text(once) == once


def test_mask_text_listed_names():
    names = ["山田 太郎", "Ken Sato", "林", "森本花子"]
    assert mask_text("山田 太郎と山田太郎と山田　太郎", names=names) == f"{N}と{N}と{N}"
    # the surname of a listed full name is masked before a title, not alone
    assert mask_text("山田課長、山田という地名", names=names) == f"{N}課長、山田という地名"
    # ASCII names: case-insensitive, whole words only
    assert mask_text("ken sato said; Kensatoh did not", names=names) == f"{N} said; Kensatoh did not"
    # one-character names only before an honorific (林業 stays)
    assert mask_text("林業の林さん", names=names) == f"林業の{N}さん"
    # longest first: 森本花子 is one name, not 森本 + 花子
    assert mask_text("森本花子です", names=names) == f"{N}です"


def test_mask_text_bad_input():
    with pytest.raises(ValueError):
        mask_text(123)
    with pytest.raises(ValueError, match="list"):
        mask_text("x", names="山田太郎")


def test_mask_series_keeps_index_and_missing():
    values = ["佐藤さん", None, "特になし", "佐藤さん", np.nan]
    s = pd.Series(values, index=[10, 11, 12, 13, 14], name="text", dtype=object)
    out = mask_series(s)
    assert out.index.tolist() == [10, 11, 12, 13, 14]
    assert out.name == "text"
    assert out[10] == f"{N}さん" and out[13] == f"{N}さん" and out[12] == "特になし"
    assert out[11] is None and pd.isna(out[14])
    out_str = mask_series(pd.Series(values, dtype="string"))
    assert out_str.dtype == "string" and out_str.isna().tolist() == [False, True, False, False, True]
    with pytest.raises(ValueError):
        mask_series(["a"])


def test_mask_series_100k_under_8s():
    base = [
        "研修はとても分かりやすかった。山田課長にも勧めたい。",
        "DXの必要性を理解できました。連絡先は090-1234-5678です。",
        "佐藤さんと業務改善を考えたい。詳細は https://x.jp/?a=1 まで",
        "皆さん、2024-10-11 10:30 の会議で 1,234円 の予算を確認した",
        "mail: someone@city.example.jp 内線1234",
    ]
    texts = pd.Series([f"{base[i % 5]} 第{i}回" for i in range(100_000)])  # all distinct
    # CPU time of this process: wall time on a 2-core machine shared by other jobs measures them.
    # Measured 2026-12-03 on the 2-core CI kind: 5.1-5.3 s (6.2-6.6 s before the literal gates);
    # the bound catches a pattern that goes quadratic, with room for a slower or busier CPU.
    t0 = time.process_time()
    out = mask_series(texts, names=[f"職員{i}" for i in range(300)])
    elapsed = time.process_time() - t0
    assert elapsed < 8.0, elapsed
    assert out[1].startswith(f"DXの必要性を理解できました。連絡先は{P}です")
    assert out[4].startswith(f"mail: {M} {P}")


# --------------------------------------------------------------------------
# load_names
# --------------------------------------------------------------------------
def test_load_names_absent(tmp_path):
    assert load_names(tmp_path) == []


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_load_names_encodings_and_comments(tmp_path, encoding):
    text = "# 職員名簿\n山田　太郎\n\n髙橋 﨑子  # 総務課\n山田 太郎\n  佐藤花子  \n"
    (tmp_path / "names.txt").write_bytes(text.encode(encoding))
    assert load_names(tmp_path) == ["山田 太郎", "髙橋 﨑子", "佐藤花子"]


def test_load_names_undecodable(tmp_path):
    (tmp_path / "names.txt").write_bytes(b"\xff\xfe\x00\xd8\x81")
    with pytest.raises(ValueError, match="names.txt"):
        load_names(tmp_path)


# --------------------------------------------------------------------------
# suppress
# --------------------------------------------------------------------------
def _course_table():
    return pd.DataFrame({
        "course_id": ["C1", "C1", "C1", "C2", "C2", "C2"],
        "audience": ["manager", "staff", "合計", "manager", "staff", "合計"],
        "n": [3, 40, 43, 12, 30, 42],
        "mean": [4.0, 3.5, 3.53, 3.9, 3.2, 3.4],
    })


def test_suppress_complementary_protects_total():
    # C1: manager n=3 alone hidden would be 43 - 40 = 3 -> staff hidden too; C2 untouched.
    out = suppress(_course_table(), n_cols="n", group_cols="course_id")
    assert out["suppressed"].tolist() == [True, True, False, False, False, False]
    assert out["n"].isna().tolist() == [True, True, False, False, False, False]
    assert out["mean"].isna().tolist() == [True, True, False, False, False, False]
    assert out["n"].dtype == "Int64"
    assert out.loc[2, "n"] == 43 and out.loc[3, "mean"] == 3.9
    assert out["audience"].tolist() == _course_table()["audience"].tolist()
    assert out.attrs["suppressed_min_cell"] == 5


def test_suppress_without_complementary_hides_only_small():
    out = suppress(_course_table(), n_cols="n", group_cols="course_id", complementary=False)
    assert out["suppressed"].tolist() == [True, False, False, False, False, False]


def test_suppress_two_small_rows_need_no_complement_and_n0_is_not_small():
    t = pd.DataFrame({"group": ["a", "b", "c", "d", "e"], "n": [2, 4, 0, 7, 9], "top2": [0.5, 0.25, np.nan, 0.3, 0.6]})
    out = suppress(t, n_cols="n")
    assert out["suppressed"].tolist() == [True, True, False, False, False]
    assert out.loc[2, "n"] == 0  # n = 0 describes nobody: shown


def test_suppress_complement_skips_zero_rows_and_picks_smallest_positive():
    t = pd.DataFrame({"aud": ["x", "y", "z", "w"], "n": [1, 0, 9, 6], "mean": [5.0, np.nan, 3.0, 2.0]})
    out = suppress(t, n_cols="n")
    assert out["suppressed"].tolist() == [True, False, False, True]


def test_suppress_lone_row_hides_group_total():
    t = pd.DataFrame({"course": ["C1", "C1"], "audience": ["manager", "全体"], "n": [4, 4], "mean": [3.0, 3.0]})
    out = suppress(t, n_cols="n", group_cols=["course"])
    assert out["suppressed"].tolist() == [True, True]


def test_suppress_min_cell_and_above_untouched():
    t = pd.DataFrame({"k": ["a", "b"], "n": [5, 50], "mean": [1.0, 2.0]})
    out = suppress(t, n_cols="n")
    assert not out["suppressed"].any()
    pd.testing.assert_frame_equal(out.drop(columns="suppressed"), t, check_dtype=False)
    assert out.attrs["suppressed_min_cell"] == 5


def test_suppress_several_n_cols_and_value_cols():
    t = pd.DataFrame({
        "item": ["q1", "q2", "q3"], "fiscal_year": [2024, 2024, 2024],
        "n_a": [20, 20, 30], "n_b": [18, 2, 25], "diff": [0.4, 0.9, 0.1], "p_val": [0.01, 0.2, 0.5],
    })
    out = suppress(t, n_cols=["n_a", "n_b"], value_cols=["n_a", "n_b", "diff", "p_val"], complementary=False)
    assert out["suppressed"].tolist() == [False, True, False]
    assert out.loc[1, ["n_a", "n_b", "diff", "p_val"]].isna().all()
    assert out["fiscal_year"].tolist() == [2024, 2024, 2024]
    # n columns are hidden even when value_cols leaves them out
    out1 = suppress(t, n_cols=["n_a", "n_b"], value_cols=["diff"], complementary=False)
    assert out1.loc[1, ["n_a", "n_b", "diff"]].isna().all() and out1.loc[1, "p_val"] == 0.2
    # default value_cols: every numeric column (fiscal_year too) in the hidden row
    out2 = suppress(t, n_cols=["n_a", "n_b"], complementary=False)
    assert pd.isna(out2.loc[1, "fiscal_year"])


def test_suppress_bad_arguments():
    t = _course_table()
    with pytest.raises(ValueError, match="column"):
        suppress(t, n_cols="N")
    with pytest.raises(ValueError, match="min_cell"):
        suppress(t, n_cols="n", min_cell=0)
    with pytest.raises(ValueError, match="value_cols"):
        suppress(t, n_cols="n", value_cols=["nope"])


def test_format_suppressed_markers_only_for_suppressed_cells():
    t = pd.DataFrame({"k": ["a", "b", "c"], "n": [3, 30, 20], "p_val": [0.1, np.nan, 0.2]})
    out = format_suppressed(suppress(t, n_cols="n"))
    # 3 is hidden, and the smallest other count (20) with it
    assert out["n"].tolist() == ["—", 30, "—"]
    assert out.loc[0, "p_val"] == "—" and out.loc[2, "p_val"] == "—"
    assert pd.isna(out.loc[1, "p_val"])  # missing, not suppressed: no marker
    t2 = pd.DataFrame({"k": ["a", "b"], "n": [30, 20], "p_val": [np.nan, 0.2]})
    out2 = format_suppressed(suppress(t2, n_cols="n"))
    assert pd.isna(out2.loc[0, "p_val"])  # a missing p-value is not "suppressed"
    assert out2.attrs["suppressed_min_cell"] == 5
    with pytest.raises(ValueError, match="suppress"):
        format_suppressed(t2)
    assert text("report.suppressed_footnote", "ja", min_cell=5).startswith("—: 回答者が5人未満")


# --------------------------------------------------------------------------
# suppress_counts
# --------------------------------------------------------------------------
def _lines_ok(hidden: np.ndarray, tr, tc) -> bool:
    """No row or column line (with its total cell) has exactly one hidden cell."""
    nr, nc = hidden.shape
    ri = [i for i in range(nr) if i not in tr]
    ci = [j for j in range(nc) if j not in tc]
    for i in range(nr):
        if sum(hidden[i, j] for j in ci) + sum(hidden[i, j] for j in tc) == 1:
            return False
    for j in range(nc):
        if sum(hidden[i, j] for i in ri) + sum(hidden[i, j] for i in tr) == 1:
            return False
    return True


def test_suppress_counts_hand_table():
    ct = pd.DataFrame(
        {"manager": [3, 6, 8, 17], "staff": [20, 10, 12, 42], "合計": [23, 16, 20, 59]},
        index=["そう思う", "どちらともいえない", "そう思わない", "合計"],
    )
    out = suppress_counts(ct)
    # 3 is small; its row (23 - 20) and column (17 - 6 - 8) would give it back,
    # so 20 and 6 go; then the staff column needs a second hidden cell: 10.
    expected = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 0], [0, 0, 0]], bool)
    assert (out.isna().to_numpy() == expected).all()
    assert out.loc["合計", "合計"] == 59 and out.loc["そう思わない", "manager"] == 8
    assert out.attrs["suppressed_min_cell"] == 5
    assert str(out.dtypes.iloc[0]) == "Int64"
    assert format_suppressed(out).loc["そう思う", "manager"] == "—"


def test_suppress_counts_zero_cells_and_margins_false():
    ct = pd.DataFrame({"a": [0, 10], "b": [7, 2]}, index=["x", "y"])
    primary = suppress_counts(ct, margins=False)
    assert primary.isna().to_numpy().tolist() == [[False, False], [False, True]]
    full = suppress_counts(ct)  # totals published elsewhere: 2 = row y total - 10
    assert _lines_ok(full.isna().to_numpy(), [], [])
    assert pd.isna(full.loc["y", "b"]) and full.isna().to_numpy().sum() == 4


def test_suppress_counts_small_margin_is_hidden_and_complemented():
    ct = pd.crosstab(
        pd.Series(["m"] * 4 + ["s"] * 30, name="aud"),
        pd.Series(["c1"] * 2 + ["c2"] * 2 + ["c1"] * 12 + ["c2"] * 18, name="course"),
        margins=True,
    )
    out = suppress_counts(ct)
    hidden = out.isna().to_numpy()
    assert hidden[0].tolist()[:3] == [True, True, True]  # m row: 2, 2 and total 4
    assert _lines_ok(hidden, [ct.index.get_loc("All")], [ct.columns.get_loc("All")])


def test_suppress_counts_random_tables_have_no_recoverable_cell():
    rng = np.random.default_rng(20241011)
    for _ in range(60):
        inner = rng.choice([0, 1, 2, 3, 4, 5, 8, 15, 30], size=(rng.integers(2, 6), rng.integers(2, 5)))
        ct = pd.DataFrame(inner, index=[f"r{i}" for i in range(inner.shape[0])],
                          columns=[f"c{j}" for j in range(inner.shape[1])])
        ct["計"] = ct.sum(axis=1)
        ct.loc["計"] = ct.sum(axis=0)
        out = suppress_counts(ct)
        hidden = out.isna().to_numpy()
        vals = ct.to_numpy()
        assert _lines_ok(hidden, [len(ct) - 1], [ct.shape[1] - 1])
        assert hidden[(vals >= 1) & (vals < 5)].all()
        assert (out.to_numpy(dtype=float, na_value=np.nan)[~hidden] == vals[~hidden]).all()


def test_suppress_counts_bad_input():
    with pytest.raises(ValueError, match="counts"):
        suppress_counts(pd.DataFrame({"a": ["x"]}))
    with pytest.raises(ValueError, match="non-negative"):
        suppress_counts(pd.DataFrame({"a": [-1, 3]}))
    with pytest.raises(ValueError, match="whole-number"):
        suppress_counts(pd.DataFrame({"a": [2.5, 3]}))


def test_quotes_allowed():
    assert quotes_allowed(10) and not quotes_allowed(9)
    assert quotes_allowed(5, min_cell_text=5)
    assert not quotes_allowed(pd.NA)
    with pytest.raises(ValueError):
        quotes_allowed(-1)


# --------------------------------------------------------------------------
# audit
# --------------------------------------------------------------------------
SVG = """<?xml version="1.0" encoding="utf-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50">
  <metadata>generated</metadata>
  <!-- {comment} -->
  <g><text x="1" y="10">{text}</text></g>
</svg>"""


def _notebook(parameters: dict, html_table: str, stdout: str = "done\n"):
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"parameters": parameters, "input_path": "notebooks/01_course.ipynb",
                                "output_path": "reports/run/notebooks/01_course.ipynb"}
    params = nbformat.v4.new_code_cell("study = 'data/demo'  # study folder")
    params.metadata["tags"] = ["parameters"]
    show = nbformat.v4.new_code_cell("dxsurvey.reports.show(table)")
    show.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=stdout),
        nbformat.v4.new_output("display_data", data={"text/plain": "table", "text/html": html_table}),
    ]
    nb.cells = [params, show]
    return nb


def _write_run(root, *, leak: bool):
    (root / "html").mkdir(parents=True)
    (root / "tables").mkdir()
    (root / "notebooks").mkdir()
    (root / "figures").mkdir()
    clean_table = pd.DataFrame({"audience": ["manager", "staff"], "n": [12, 40], "mean": [3.9, 3.2]})
    (root / "index.html").write_text(
        "<html><head><style>.x{color:#000}</style><script>var t='090-1234-5678';</script></head><body>"
        "<h1>DX研修 評価報告</h1><p>実施日 2024-10-11 10:30、費用 1,234円、満足度 85.0%。皆さん、山田課長級。</p>"
        "<p>資料: <a href='https://www.city.example.jp/dx/'>市のページ</a></p>"
        f"{clean_table.to_html(index=False)}</body></html>",
        encoding="utf-8",
    )
    code = "回答者コード 0093 の回答は除外" if leak else "回答者コード 10093 と 1.0093 は別の数"
    small = pd.DataFrame(
        {"n": [3 if leak else 8, 20], "mean": [4.0, 3.0]},
        index=pd.MultiIndex.from_tuples([("C1", "manager"), ("C1", "staff")], names=["course", "audience"]),
    )
    (root / "html" / "01_course.html").write_text(
        f"<html><body><p>{code}</p>{small.to_html()}</body></html>", encoding="utf-8"
    )
    pd.DataFrame({
        "course_id": ["C1", "C2"], "contact": ["yamada@city.example.jp" if leak else "DX推進課", "—"],
    }).to_csv(root / "tables" / "courses.csv", index=False)
    pd.DataFrame({
        "course_id": ["C1", "C1"], "item_id": ["q1", "q2"], "n_a": [12, 3 if leak else 12], "mean_a": [3.1, 3.3],
    }).to_csv(root / "tables" / "prepost.csv", index=False)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "summary"
    ws.append(["研修の集計"])
    ws.append(["course_id", "人数", "メモ"])
    ws.append(["C1", 12, "03-1234-5678" if leak else "2024-10-11"])
    ws2 = wb.create_sheet("count")
    ws2.append(["level", "n (事後)"])
    ws2.append(["そう思う", 25])
    wb.save(root / "tables.xlsx")
    (root / "figures" / "fig1.svg").write_text(
        SVG.format(comment="DX の必要性", text="鈴木 一郎" if leak else "管理職"), encoding="utf-8"
    )
    params = {"study": "data/demo", "contact": "yamada@city.example.jp" if leak else "DX推進課"}
    nbformat.write(_notebook(params, clean_table.to_html()), root / "notebooks" / "01_course.ipynb")
    return root


def test_audit_clean_run_is_clean(tmp_path):
    run = _write_run(tmp_path / "run", leak=False)
    found = audit(run, sensitive=["0093", "a3f9c2d1e8b7a6f5c4d3"], names=["鈴木 一郎"])
    assert found == []
    assert audit_report(found) == "問題は見つかりませんでした。"
    assert audit_report(found, language="en") == "No problems found."


def test_audit_finds_each_seeded_leak(tmp_path):
    run = _write_run(tmp_path / "run", leak=True)
    found = audit(run, sensitive=["0093"], names=["鈴木 一郎"])
    assert set(found) == {
        Finding("figures/fig1.svg", "<text> element", "name", "鈴****"),
        Finding("html/01_course.html", "text", "respondent_code", "0***"),
        Finding("html/01_course.html", "table 1, row 1, column n", "small_cell", "n=3"),
        Finding("notebooks/01_course.ipynb", "metadata.papermill.parameters.contact", "email",
                "ya***@city.example.jp"),
        Finding("tables.xlsx", "sheet summary, cell C3, column メモ", "phone", "03-1***-**78"),
        Finding("tables/courses.csv", "row 2, column contact", "email", "ya***@city.example.jp"),
        Finding("tables/prepost.csv", "row 3, column n_a", "small_cell", "n_a=3"),
    }
    assert len(found) == 7
    report = audit_report(found)
    assert report.splitlines()[0] == "公開前に確認が必要な箇所: 7件"
    assert "tables/prepost.csv: row 3, column n_a — 少人数セル: n_a=3" in report.splitlines()
    assert len(audit_report(found, language="en").splitlines()) == 8
    with pytest.raises(ValueError, match="language"):
        audit_report(found, language="fr")


def test_audit_notebook_outputs_source_and_home_paths(tmp_path):
    (tmp_path / "notebooks").mkdir()
    html = pd.DataFrame({"人数": [2, 30]}, index=["manager", "staff"]).to_html()
    nb = _notebook({"study": "/home/yamada/dx/data"}, html, stdout="key a3f9c2d1e8b7a6f5c4d3 done\n")
    nb.cells[0].source = "contact = '090-1234-5678'"
    nbformat.write(nb, tmp_path / "notebooks" / "n.ipynb")
    found = audit(tmp_path, sensitive={"a3f9c2d1e8b7a6f5c4d3": "respondent_key"})
    got = {(f.where, f.kind, f.excerpt) for f in found}
    assert got == {
        ("metadata.papermill.parameters.study", "papermill_metadata", "/home/ya***"),
        ("cell 1, source", "phone", "090-****-**78"),
        ("cell 2, output 1 (stdout)", "respondent_key", "a3f9…"),
        ("cell 2, output 2 (text/html), table 1, row 1, column 人数", "small_cell", "人数=2"),
    }


def test_audit_home_paths_outside_papermill_metadata(tmp_path):
    # index.html's re-run command and the injected study parameter can name a home folder
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "tables").mkdir()
    (tmp_path / "index.html").write_text(
        "<p><code>dxsurvey run all --study /home/yamada/dx --out C:\\Users\\sato\\run</code></p>"
        "<p>/home/runner/work and /tmp/x are not personal</p>", encoding="utf-8")
    pd.DataFrame({"name": ["study"], "value": ["../../../home/yamada/dx"]}).to_csv(
        tmp_path / "tables" / "parameters.csv", index=False)
    nb = _notebook({"study": "data"}, "<p>ok</p>")
    nb.cells[0].source = 'study = "../../../home/yamada/dx"'
    nbformat.write(nb, tmp_path / "notebooks" / "n.ipynb")
    got = {(f.file, f.where, f.kind, f.excerpt) for f in audit(tmp_path)}
    assert got == {
        ("index.html", "text", "home_path", "/home/ya***"),
        ("index.html", "text", "home_path", "C:\\Users\\sa***"),
        ("tables/parameters.csv", "row 2, column value", "home_path", "/home/ya***"),
        ("notebooks/n.ipynb", "cell 1, source", "home_path", "/home/ya***"),
    }
    assert "個人フォルダ名を含むパス" in audit_report(audit(tmp_path))


def test_audit_small_counts_written_in_text(tmp_path):
    # a note or a figure label "n=1" states a count under min_cell as plainly as a table cell
    (tmp_path / "figures").mkdir()
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "r.html").write_text(
        "<ul><li>対象「管理職」は n=1（最小セル 5 未満）</li><li>n = 170、N=12、n=3.5、fn=2</li></ul>",
        encoding="utf-8")
    (tmp_path / "figures" / "f.svg").write_text(SVG.format(comment="n=2", text="n＝4"), encoding="utf-8")
    nb = _notebook({"study": "data"}, "<p>ok</p>", stdout="n=3\n")
    nb.cells[1].source = "dxsurvey.reports.show(table.head(n=3))"  # code: not a count of people
    nbformat.write(nb, tmp_path / "notebooks" / "n.ipynb")
    got = {(f.file, f.where, f.kind, f.excerpt) for f in audit(tmp_path)}
    assert got == {
        ("r.html", "text", "small_cell", "n=1"),
        ("figures/f.svg", "comment", "small_cell", "n=2"),
        ("figures/f.svg", "<text> element", "small_cell", "n=4"),
        ("notebooks/n.ipynb", "cell 2, output 1 (stdout)", "small_cell", "n=3"),
    }
    assert [f.excerpt for f in audit(tmp_path, min_cell=2)] == ["n=1"]


def test_audit_reads_no_code_in_the_digits_of_a_decimal(tmp_path):
    # the scale benchmark's 20_comparison wrote 「講座間分散 0\.000685」 (Markdown escapes the
    # dot) and its 6-digit staff numbers include 000685: a decimal's digits are not a code
    (tmp_path / "notebooks").mkdir()
    text = "- 混合モデル\\: 講座間分散 0\\.000685、級内相関 0.000685、推定 1,000685"
    nb = _notebook({"study": "data"}, "<p>ok</p>")
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": text})]
    nbformat.write(nb, tmp_path / "notebooks" / "n.ipynb")
    assert audit(tmp_path, sensitive=["000685"]) == []
    (tmp_path / "r.html").write_text("<p>回答者 000685\\. 以上</p>", encoding="utf-8")
    assert [(f.file, f.kind) for f in audit(tmp_path, sensitive=["000685"])] == [("r.html", "respondent_code")]


def test_audit_matplotlib_svg_text_in_comments(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    (tmp_path / "figures").mkdir()
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.set_title("Ken Sato")  # ASCII: no font warnings; drawn as paths, text kept in a comment
    fig.savefig(tmp_path / "figures" / "f.svg")
    plt.close(fig)
    found = audit(tmp_path, names=["Ken Sato"])
    assert [(f.file, f.where, f.kind) for f in found] == [("figures/f.svg", "comment", "name")]


def test_audit_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="run folder"):
        audit(tmp_path / "missing")
    with pytest.raises(ValueError, match="sensitive"):
        audit(tmp_path, sensitive="0093")
    with pytest.raises(ValueError, match="respondent_code"):
        audit(tmp_path, sensitive={"0093": "code"})


def test_finding_kinds_vocabulary():
    assert privacy.KINDS == (
        "respondent_code", "respondent_key", "email", "phone", "name", "small_cell", "papermill_metadata",
        "home_path", "staff_no", "my_number",
    )
    assert json.dumps(TOKENS, ensure_ascii=False) == (
        '{"name": "[氏名]", "email": "[メール]", "phone": "[電話]", "staff_no": "[職員番号]", "url": "[URL]", '
        '"my_number": "[個人番号]"}'
    )


def test_auditor_rescans_a_file_changed_after_it_was_scanned(tmp_path, monkeypatch):
    """The pipeline scans each report's files as soon as the report is done; a file
    written again later (a rerun, a second notebook) must be scanned again, and the
    final audit equals a fresh one-shot audit of the folder."""
    run = _write_run(tmp_path / "run", leak=False)
    auditor = privacy.Auditor(sensitive=["0093"], names=["鈴木 一郎"])
    for path in auditor.files(run):
        assert auditor.scan(run, path) == []
    csv_path = run / "tables" / "courses.csv"
    pd.DataFrame({"course_id": ["C1"], "contact": ["yamada@city.example.jp"]}).to_csv(csv_path, index=False)
    found = auditor.audit(run)
    assert found == [Finding("tables/courses.csv", "row 2, column contact", "email", "ya***@city.example.jp")]
    assert found == audit(run, sensitive=["0093"], names=["鈴木 一郎"])
    # an unchanged file is not scanned again: its cached result stands
    calls = []
    monkeypatch.setattr(privacy, "_scan_csv", lambda path, scanner: calls.append(path) or [])
    assert auditor.audit(run) == found
    assert calls == []


def test_audit_reads_n_of_each_group_in_one_cell(tmp_path):
    """APA tables write the n of two independent groups as "40 / 3": a small one is found."""
    (tmp_path / "tables").mkdir()
    pd.DataFrame({"measure": ["a", "b"], "n": ["40 / 3", "40 / 35"]}).to_csv(
        tmp_path / "tables" / "apa.csv", index=False)
    found = audit(tmp_path, min_cell=5)
    assert [(f.file, f.kind, f.excerpt) for f in found] == [("tables/apa.csv", "small_cell", "n=3")]


def test_audit_reads_workbook_properties_and_whole_floats(tmp_path):
    """tables.xlsx is read back with calamine: a name in the document properties is found, a
    count stored as 3.0 is a small cell like 3, and a float mean is not a count."""
    import openpyxl

    run = tmp_path / "run"
    run.mkdir()
    wb = openpyxl.Workbook()
    wb.properties.creator = "鈴木 一郎"
    ws = wb.active
    ws.title = "集計"
    ws.append(["研修", "人数", "平均"])
    ws.append(["C1", 3.0, 3.0])
    ws.append(["C2", 12, 2.5])
    wb.save(run / "tables.xlsx")
    found = audit(run, names=["鈴木 一郎"], min_cell=5)
    assert set(found) == {
        Finding("tables.xlsx", "metadata", "name", "鈴****"),
        Finding("tables.xlsx", "sheet 集計, cell B2, column 人数", "small_cell", "人数=3"),
    }, found
