"""Tests of dxsurvey.readers on export files written with real bytes (FORMATS.md)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dxsurvey.readers import (
    FORMATS,
    META_FIELDS,
    RawTable,
    SourceError,
    closest_headers,
    find_column,
    normalize_text,
    parse_timestamp,
    parse_timestamps,
    read_source,
)
from dxsurvey.schema import VALIDATION
from fixtures_readers import (
    MS_SYSTEM_EN,
    MS_SYSTEM_JA,
    google_timestamp,
    write_google_csv,
    write_logo_csv,
    write_ms_forms_xlsx,
    write_paper_xlsx,
    write_plain_csv,
    write_truncated_xlsx,
    write_xlsx_without_sheets,
)

# --------------------------------------------------------------------- shared data

GRID_Q = "研修の内容について\nお答えください"
GOOGLE_HEADERS = [
    "タイムスタンプ",
    "メールアドレス",
    "回答者コード",
    f"{GRID_Q} [DXの必要性を理解している]",
    f"{GRID_Q} [自分の業務で\nDXを考えたい]",
    "デジタル活用スキル",
    "使ったことがあるツール",
    "ご意見・ご感想",
]
T1 = dt.datetime(2026, 6, 13, 14, 12, 54)
T2 = dt.datetime(2026, 6, 13, 9, 5, 1)
T3 = dt.datetime(2026, 6, 14, 0, 30, 0)
GOOGLE_ROWS = [
    [T1, "a@example.jp", "0093", "そう思う", "ややそう思う", "4", "RPA, Excel（関数, ピボットテーブル）", "とても\n良かった"],
    [T2, "b@example.jp", "0094", "どちらともいえない", "", "3", "", ""],
    [T3, "c@example.jp", "0095", "そう思わない", "あまりそう思わない", "1", "生成AI, その他の道具", "次回も\r\n参加したい"],
]


def _cells(series: pd.Series) -> list:
    """Cells as a list with every missing value as None."""
    return [None if pd.isna(value) else value for value in series]


def _check_meta_shape(raw: RawTable) -> None:
    assert list(raw.meta.columns) == list(META_FIELDS)
    assert raw.meta.index.equals(raw.frame.index)
    for name in ("submitted_at", "last_modified", "completed_at"):
        assert raw.meta[name].dtype == "datetime64[ns]"
    assert len(raw.source_rows) == len(raw.frame)
    for problem in raw.problems:
        assert tuple(problem) == VALIDATION


# ---------------------------------------------------------------- normalize_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  ＤＸの必要性  ", "DXの必要性"),
        ("研修の\r\n内容\u3000について\u00a0です", "研修の 内容 について です"),
        ("\ufeffタイムスタンプ", "タイムスタンプ"),
        ("ｶﾀｶﾅ　①", "カタカナ 1"),
        ("a\t\t b", "a b"),
        (93.0, "93"),
        (3, "3"),
        (2.5, "2.5"),
        ("", None),
        ("  \n\u3000", None),
        (None, None),
        (float("nan"), None),
        (pd.NA, None),
    ],
)
def test_normalize_text(value, expected):
    assert normalize_text(value) == expected


# ------------------------------------------------------------------- Google Forms


@pytest.mark.parametrize("variant", ["download", "sheet"])
def test_google_csv_both_variants(tmp_path, variant):
    path = write_google_csv(tmp_path / f"google_{variant}.csv", GOOGLE_HEADERS, GOOGLE_ROWS,
                            variant=variant)
    data = path.read_bytes()
    # the fixture really is what the variant looks like
    if variant == "download":
        assert data.startswith('"タイムスタンプ","メールアドレス"'.encode())
        assert "2:12:54 午後 GMT+9".encode() in data and b"\r\n" in data
    else:
        assert data.startswith("タイムスタンプ,メールアドレス".encode())
        assert b"2026/06/13 14:12:54," in data and b"\r\n" not in data.replace(b"\r\n\xe5\x8f\x82", b"")
    raw = read_source(path)
    _check_meta_shape(raw)
    assert raw.format == "google_forms"
    assert raw.encoding == "utf-8"
    assert list(raw.frame.columns) == [normalize_text(h) for h in GOOGLE_HEADERS]
    assert "研修の内容について お答えください [自分の業務で DXを考えたい]" in raw.frame.columns
    # cells as written, line breaks inside kept, empty -> missing
    assert raw.frame["ご意見・ご感想"].iloc[0] == "とても\n良かった"
    assert raw.frame["ご意見・ご感想"].iloc[2] == "次回も\r\n参加したい"
    assert pd.isna(raw.frame["ご意見・ご感想"].iloc[1])
    assert raw.frame["回答者コード"].tolist() == ["0093", "0094", "0095"]
    # the header holds 3 line breaks (lines 1-4); record 1 has one break in a cell
    assert raw.source_rows == [5, 7, 8]
    assert raw.meta["submitted_at"].tolist() == [pd.Timestamp(T1), pd.Timestamp(T2), pd.Timestamp(T3)]
    assert raw.meta["email"].tolist() == ["a@example.jp", "b@example.jp", "c@example.jp"]
    assert raw.meta["response_id"].isna().all()
    assert raw.meta_columns == {"タイムスタンプ", "メールアドレス"}
    assert raw.header_parts == {}
    assert raw.problems == []


def test_google_variants_give_the_same_frame(tmp_path):
    a = read_source(write_google_csv(tmp_path / "a.csv", GOOGLE_HEADERS, GOOGLE_ROWS, variant="download"))
    b = read_source(write_google_csv(tmp_path / "b.csv", GOOGLE_HEADERS, GOOGLE_ROWS, variant="sheet"))
    pd.testing.assert_frame_equal(a.frame.drop(columns="タイムスタンプ"),
                                  b.frame.drop(columns="タイムスタンプ"))
    pd.testing.assert_frame_equal(a.meta, b.meta)


def test_google_lf_and_crlf_records_same_rows(tmp_path):
    crlf = read_source(write_google_csv(tmp_path / "crlf.csv", GOOGLE_HEADERS, GOOGLE_ROWS,
                                        variant="download", newline="\r\n"))
    lf = read_source(write_google_csv(tmp_path / "lf.csv", GOOGLE_HEADERS, GOOGLE_ROWS,
                                      variant="download", newline="\n"))
    assert crlf.source_rows == lf.source_rows == [5, 7, 8]
    pd.testing.assert_frame_equal(crlf.frame, lf.frame)


def test_google_bad_timestamp_is_a_problem_row(tmp_path):
    rows = [*GOOGLE_ROWS, ["回収数", None, None, None, None, None, None, None]]
    raw = read_source(write_google_csv(tmp_path / "g.csv", GOOGLE_HEADERS, rows, variant="sheet"))
    assert len(raw.frame) == 4  # the footer row is not dropped here
    assert pd.isna(raw.meta["submitted_at"].iloc[3])
    [problem] = raw.problems
    assert problem["problem"] == "bad_timestamp"
    assert problem["action"] == "kept"
    assert problem["column"] == "タイムスタンプ"
    assert problem["value"] == "回収数"
    assert problem["source_row"] == raw.source_rows[3] == 10  # record 3 spans lines 8-9
    assert "g.csv" in problem["message"] and "row 10" in problem["message"]


def test_english_google_export(tmp_path):
    headers = ["Timestamp", "Email Address", "How useful was it? [Lecture]"]
    rows = [["6/13/2026 2:12:54 PM", "x@example.jp", "Very"]]
    raw = read_source(write_plain_csv(tmp_path / "en.csv", headers, rows, newline="\n"))
    assert raw.format == "google_forms"
    assert raw.meta["submitted_at"].iloc[0] == pd.Timestamp("2026-06-13 14:12:54")
    assert raw.meta["email"].iloc[0] == "x@example.jp"
    assert find_column(raw, ["Lecture"]) == "How useful was it? [Lecture]"


# ------------------------------------------------------------------ find_column


def test_find_column_grid_full_text_and_row_label(tmp_path):
    raw = read_source(write_google_csv(tmp_path / "g.csv", GOOGLE_HEADERS, GOOGLE_ROWS))
    full = "研修の内容について お答えください [DXの必要性を理解している]"
    assert find_column(raw, ["DXの必要性を理解している"]) == full
    assert find_column(raw, [f"{GRID_Q} [DXの必要性を理解している]"]) == full
    assert find_column(raw, "自分の業務で\u3000DXを考えたい") == (
        "研修の内容について お答えください [自分の業務で DXを考えたい]")
    assert find_column(raw, ["ＤＸを考えたい"]) is None
    assert find_column(raw, ["存在しない質問"]) is None
    assert find_column(raw, []) is None


def test_find_column_first_alternative_wins(tmp_path):
    raw = read_source(write_google_csv(tmp_path / "g.csv", GOOGLE_HEADERS, GOOGLE_ROWS))
    assert find_column(raw, ["研修に期待すること", "ご意見・ご感想"]) == "ご意見・ご感想"
    assert find_column(raw, ["デジタル活用スキル", "ご意見・ご感想"]) == "デジタル活用スキル"
    assert find_column(raw, ["ご意見・ご感想", "デジタル活用スキル"]) == "ご意見・ご感想"
    # a row-label match of an earlier alternative beats an exact match of a later one
    assert find_column(raw, ["DXの必要性を理解している", "回答者コード"]).endswith(
        "[DXの必要性を理解している]")


def test_find_column_ambiguous_row_label_matches_nothing(tmp_path):
    headers = ["タイムスタンプ", "研修前 [DX]", "研修後 [DX]", "研修後 [AI]"]
    raw = read_source(write_google_csv(tmp_path / "g.csv", headers, [[T1, "a", "b", "c"]]))
    assert find_column(raw, ["DX"]) is None
    assert find_column(raw, ["研修後 [DX]"]) == "研修後 [DX]"
    assert find_column(raw, ["AI"]) == "研修後 [AI]"


def test_closest_headers(tmp_path):
    raw = read_source(write_google_csv(tmp_path / "g.csv", GOOGLE_HEADERS, GOOGLE_ROWS))
    assert closest_headers(raw, "ご意見・感想")[0] == "ご意見・ご感想"
    assert closest_headers(raw, "DXの必要性を理解した", n=1) == [
        "研修の内容について お答えください [DXの必要性を理解している]"]
    assert len(closest_headers(raw, "回答者", n=2)) <= 2
    assert closest_headers(raw, "zzzz") == []


# ---------------------------------------------------------------- Microsoft Forms

MS_QUESTIONS = [
    "研修は分かりやすかった\n（講義）",     # newline in header
    "DXの必要性を\u3000理解した",          # U+3000
    "所属\u00a0部署",                      # U+00A0
    "名前2",                               # a question named like a system column
    "使ったことがあるツール",
]


def _ms_rows():
    start = dt.datetime(2024, 10, 11, 8, 50, 0)
    rows = []
    for i, (likert, dx, dept, name2, tools) in enumerate([
        ("そう思う", "ややそう思う", "総務課", "山田", "RPA;生成AI;"),
        ("どちらともいえない", "そう思わない", "税務課", None, "Excel;"),
        ("ややそう思う", None, "DX推進課", "佐藤", None),
    ]):
        begin = start + dt.timedelta(hours=i)
        rows.append([i + 1, begin, begin + dt.timedelta(minutes=5, seconds=6), "anonymous", None,
                     begin + dt.timedelta(minutes=5, seconds=6), likert, dx, dept, name2, tools])
    return rows


def test_ms_forms_japanese(tmp_path):
    path = write_ms_forms_xlsx(tmp_path / "post.xlsx", MS_SYSTEM_JA + MS_QUESTIONS, _ms_rows())
    raw = read_source(path)
    _check_meta_shape(raw)
    assert raw.format == "ms_forms"
    assert raw.encoding is None
    assert list(raw.frame.columns[:6]) == MS_SYSTEM_JA
    assert list(raw.frame.columns[6:]) == [
        "研修は分かりやすかった (講義)", "DXの必要性を 理解した", "所属 部署", "名前2",
        "使ったことがあるツール"]
    assert raw.meta_columns == set(MS_SYSTEM_JA)  # 名前2 is a question
    assert raw.source_rows == [2, 3, 4]
    assert raw.frame["ID"].tolist() == ["1", "2", "3"]  # Excel numbers without ".0"
    assert raw.frame["使ったことがあるツール"].iloc[0] == "RPA;生成AI;"
    assert raw.frame["完了時刻"].iloc[0] == "2024-10-11 08:55:06"
    assert raw.meta["completed_at"].tolist() == [
        pd.Timestamp("2024-10-11 08:55:06"), pd.Timestamp("2024-10-11 09:55:06"),
        pd.Timestamp("2024-10-11 10:55:06")]
    assert raw.meta["submitted_at"].equals(raw.meta["completed_at"])
    assert raw.meta["last_modified"].iloc[2] == pd.Timestamp("2024-10-11 10:55:06")
    assert raw.meta["response_id"].tolist() == ["1", "2", "3"]
    assert raw.meta["email"].isna().all()  # anonymous
    assert find_column(raw, ["DXの必要性を 理解した"]) == "DXの必要性を 理解した"
    assert find_column(raw, ["所属部署", "所属 部署"]) == "所属 部署"


def test_ms_forms_english_and_column_order(tmp_path):
    questions = ["Q2 useful", "Q1 clear"]  # order differs from the form's
    rows = [[7, dt.datetime(2024, 10, 11, 8, 0), dt.datetime(2024, 10, 11, 8, 4),
             "taro@example.jp", "Taro", dt.datetime(2024, 10, 12, 9, 0), 5, 3.0]]
    raw = read_source(write_ms_forms_xlsx(tmp_path / "en.xlsx", MS_SYSTEM_EN + questions, rows))
    assert raw.format == "ms_forms"
    assert raw.meta_columns == set(MS_SYSTEM_EN)
    assert raw.frame["Q1 clear"].iloc[0] == "3"
    assert raw.frame["Q2 useful"].iloc[0] == "5"
    assert raw.meta["email"].iloc[0] == "taro@example.jp"
    assert raw.meta["last_modified"].iloc[0] == pd.Timestamp("2024-10-12 09:00")
    assert raw.meta["completed_at"].iloc[0] == pd.Timestamp("2024-10-11 08:04")


def test_duplicate_headers_get_suffix_and_problem(tmp_path):
    headers = MS_SYSTEM_JA + ["名前", "感想", "感想"]
    rows = [[1, T1, T1, "anonymous", None, T1, "鈴木", "良い", "また"]]
    raw = read_source(write_ms_forms_xlsx(tmp_path / "dup.xlsx", headers, rows))
    assert list(raw.frame.columns[6:]) == ["名前 (2)", "感想", "感想 (2)"]
    assert "名前" in raw.meta_columns and "名前 (2)" not in raw.meta_columns
    assert raw.frame["名前 (2)"].iloc[0] == "鈴木"
    assert [p["column"] for p in raw.problems] == ["名前 (2)", "感想 (2)"]
    assert {p["problem"] for p in raw.problems} == {"duplicate_header"}
    assert all(p["source_row"] == 1 and "dup.xlsx" in p["message"] for p in raw.problems)


# -------------------------------------------------------------------- LoGoフォーム

LOGO_HEADERS = ["回答ID", "回答日時", "所属", "氏名", "研修の感想"]
LOGO_ROWS = [
    ["1001", dt.datetime(2024, 11, 1, 9, 15, 0), "①髙﨑支所", "髙﨑 太郎", "とても\r\n参考になった"],
    ["1002", dt.datetime(2024, 11, 1, 10, 0, 0), "DX推進課", "山﨑 花子", ""],
    ["1003", dt.datetime(2024, 11, 2, 13, 30, 5), "税務課", "田中", "特になし"],
]


def test_logo_cp932_detected(tmp_path):
    path = write_logo_csv(tmp_path / "logo.csv", LOGO_HEADERS, LOGO_ROWS)
    data = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        data.decode("shift_jis")  # why cp932 is needed
    raw = read_source(path)
    _check_meta_shape(raw)
    assert raw.encoding == "cp932"
    assert raw.format == "csv"
    assert raw.frame["所属"].tolist() == ["①髙﨑支所", "DX推進課", "税務課"]
    assert raw.frame["研修の感想"].iloc[0] == "とても\r\n参考になった"
    assert raw.source_rows == [2, 4, 5]
    assert raw.meta["response_id"].tolist() == ["1001", "1002", "1003"]
    assert raw.meta["submitted_at"].iloc[2] == pd.Timestamp("2024-11-02 13:30:05")
    assert raw.meta_columns == {"回答ID", "回答日時"}


def test_short_cp932_file_is_not_taken_for_chinese(tmp_path):
    # charset-normalizer alone guesses gb18030 for these bytes
    path = write_logo_csv(tmp_path / "short.csv", ["質問0\n（行0）"], [["0①0"]])
    raw = read_source(path)
    assert raw.encoding == "cp932"
    assert raw.frame.iloc[0, 0] == "0①0"


@pytest.mark.parametrize("given", ["cp932", "shift_jis", "Shift-JIS", "sjis"])
def test_logo_encoding_override_reads_as_cp932(tmp_path, given):
    path = write_logo_csv(tmp_path / "logo.csv", LOGO_HEADERS, LOGO_ROWS)
    raw = read_source(path, encoding=given)
    assert raw.encoding == "cp932"
    assert raw.frame["氏名"].iloc[1] == "山﨑 花子"


def test_wrong_encoding_override_names_file_line_and_encodings(tmp_path):
    path = write_logo_csv(tmp_path / "logo_post.csv", LOGO_HEADERS, LOGO_ROWS)
    with pytest.raises(SourceError) as caught:
        read_source(path, encoding="utf-8")
    message = str(caught.value)
    assert "logo_post.csv" in message
    assert "line 1" in message  # the Japanese header is already not UTF-8
    assert "cp932" in message and "utf-8-sig" in message


def test_wrong_encoding_line_number_points_at_bad_line(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes("a,b\r\n1,x\r\n2,".encode() + "髙".encode("cp932") + b"\r\n")
    with pytest.raises(SourceError, match=r"mixed\.csv.*line 3"):
        read_source(path, encoding="utf-8")


def test_unknown_encoding_name(tmp_path):
    path = write_plain_csv(tmp_path / "p.csv", ["a"], [["1"]])
    with pytest.raises(SourceError, match=r"p\.csv.*unknown encoding 'klingon'"):
        read_source(path, encoding="klingon")


# -------------------------------------------------------------------- plain CSV


def test_utf8_bom_detected_and_override(tmp_path):
    path = write_plain_csv(tmp_path / "bom.csv", ["回答者コード", "満足度"], [["0093", "満足"]], bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    raw = read_source(path)
    assert raw.encoding == "utf-8-sig"
    assert list(raw.frame.columns) == ["回答者コード", "満足度"]
    given = read_source(path, encoding="utf-8")
    assert given.encoding == "utf-8-sig"
    assert list(given.frame.columns) == ["回答者コード", "満足度"]


def test_header_only_csv_has_zero_rows(tmp_path):
    raw = read_source(write_google_csv(tmp_path / "h.csv", GOOGLE_HEADERS, []))
    _check_meta_shape(raw)
    assert raw.frame.shape == (0, len(GOOGLE_HEADERS))
    assert raw.source_rows == []
    assert raw.format == "google_forms"


def test_blank_lines_and_rows_kept_with_line_numbers(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_bytes(b"code,q1\r\n0001,3\r\n\r\n,\r\n0002,\"4\r\n\"\r\n0003,5\r\n\r\n\r\n")
    raw = read_source(path)
    assert _cells(raw.frame["code"]) == ["0001", None, None, "0002", "0003"]
    assert raw.source_rows == [2, 3, 4, 5, 7]  # trailing blank lines are not records
    assert raw.frame["q1"].iloc[3] == "4\r\n"


def test_ragged_rows_fall_back_and_keep_line_numbers(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text('code,q1\n0001,"a\nb"\n0002\n0003,c,extra\n', encoding="utf-8")
    raw = read_source(path)
    # the extra field is dropped, never a column of its own; both ragged records are named
    assert list(raw.frame.columns) == ["code", "q1"]
    assert raw.source_rows == [2, 4, 5]
    assert raw.frame["q1"].tolist()[2] == "c"
    assert pd.isna(raw.frame["q1"].iloc[1])
    assert [(p["problem"], p["source_row"], p["value"]) for p in raw.problems] == [
        ("ragged_row", 4, None), ("ragged_row", 5, "extra")]


def test_tab_separated_utf16_text(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("\ufeff回答者コード\t満足度\r\n0093\t満足\r\n".encode("utf-16-le"))
    raw = read_source(path)
    assert raw.encoding == "utf-16"
    assert raw.frame.to_dict("list") == {"回答者コード": ["0093"], "満足度": ["満足"]}


def test_csv_header_rows_are_record_numbers(tmp_path):
    path = write_plain_csv(tmp_path / "two.csv", ["", "研修の理解度", ""],
                           [["No.", "DXの必要性", "自分事化"], ["1", "4", "5"]])
    raw = read_source(path, header_rows=[1, 2])
    assert list(raw.frame.columns) == ["No.", "研修の理解度 DXの必要性", "自分事化"]
    assert raw.source_rows == [3]
    assert find_column(raw, ["DXの必要性"]) == "研修の理解度 DXの必要性"


def test_format_override_and_validation(tmp_path):
    path = write_google_csv(tmp_path / "g.csv", GOOGLE_HEADERS, GOOGLE_ROWS)
    raw = read_source(path, format="csv")
    assert raw.format == "csv"
    assert raw.meta["submitted_at"].notna().all()  # タイムスタンプ is still a time column
    with pytest.raises(ValueError, match="google_forms"):
        read_source(path, format="google")
    with pytest.raises(ValueError, match="header_rows"):
        read_source(path, header_rows=[0])
    with pytest.raises(ValueError, match="header_rows"):
        read_source(path, header_rows="3")
    assert set(FORMATS) == {"google_forms", "ms_forms", "csv", "xlsx"}


def test_xlsx_named_csv_is_read_as_excel(tmp_path):
    path = write_ms_forms_xlsx(tmp_path / "renamed.xlsx", MS_SYSTEM_JA + MS_QUESTIONS, _ms_rows())
    renamed = path.rename(tmp_path / "renamed.csv")
    raw = read_source(renamed)
    assert raw.format == "ms_forms" and raw.encoding is None


# -------------------------------------------------------------------- paper Excel

PAPER_HEADER = [
    "No.",
    "回答者コード",
    ("研修の理解度", ["DXの必要性", "自分事化"]),
    ("研修の満足度", ["満足度", "理由"]),
    ("講師について", ["話し方", "理由"]),
    "役職",
]
PAPER_ROWS = [
    [1, 93, "４", "3 ", 5, "分かりやすい", 4, "丁寧", "主事"],
    [2, "0094", 3, 2, 4, None, 5, None, "課長"],
    [3, "0095"],                                   # a returned blank sheet
    [4, "0096", "2・3", "-", "無回答", None, None, None, "一般職員"],
]


def _paper(tmp_path):
    path = tmp_path / "paper.xlsx"
    info = write_paper_xlsx(path, title="DX研修 事後アンケート（紙）",
                            legend=["1=そう思わない … 5=そう思う", "※無回答は空欄"],
                            header=PAPER_HEADER, rows=PAPER_ROWS, blank_rows_after=[1])
    return path, info


def test_paper_xlsx_two_row_merged_header(tmp_path):
    path, info = _paper(tmp_path)
    assert info["header_rows"] == [4, 5]
    raw = read_source(path, header_rows=info["header_rows"])
    _check_meta_shape(raw)
    assert raw.format == "xlsx"
    assert list(raw.frame.columns) == [
        "No.", "回答者コード", "研修の理解度 DXの必要性", "研修の理解度 自分事化",
        "研修の満足度 満足度", "研修の満足度 理由", "講師について 話し方", "講師について 理由", "役職"]
    assert raw.header_parts["No."] == ["No."]  # vertically merged: counted once
    assert raw.header_parts["研修の満足度 理由"] == ["研修の満足度", "理由"]
    # values as written: number 93, full-width digit, trailing space, two marks
    assert _cells(raw.frame["回答者コード"]) == ["93", "0094", None, "0095", "0096", None, "12枚"]
    assert raw.frame["研修の理解度 DXの必要性"].iloc[0] == "４"
    assert raw.frame["研修の理解度 自分事化"].iloc[0] == "3 "
    assert raw.frame["研修の理解度 DXの必要性"].iloc[4] == "2・3"
    # blank rows and the footer stay, with their Excel row numbers
    assert raw.source_rows == [6, 7, 8, 9, 10, 11, 12]
    assert info["data_rows"] == [6, 7, 9, 10] and info["footer_row"] == 12
    assert raw.frame.iloc[6].dropna().tolist() == ["回収数", "12枚"]
    assert raw.frame.iloc[2].isna().all() and raw.frame.iloc[5].isna().all()
    assert raw.meta_columns == set()
    assert raw.meta["submitted_at"].isna().all()


def test_paper_find_column_by_joined_text_or_last_part(tmp_path):
    path, info = _paper(tmp_path)
    raw = read_source(path, header_rows=info["header_rows"], sheet="事後")
    assert find_column(raw, ["DXの必要性"]) == "研修の理解度 DXの必要性"
    assert find_column(raw, ["研修の理解度 DXの必要性"]) == "研修の理解度 DXの必要性"
    assert find_column(raw, ["研修の理解度\nDXの必要性"]) == "研修の理解度 DXの必要性"
    assert find_column(raw, ["役職"]) == "役職"
    assert find_column(raw, ["理由"]) is None  # last part shared by two groups
    assert find_column(raw, ["講師について 理由"]) == "講師について 理由"
    assert find_column(raw, ["研修の理解度"]) is None  # a first part alone is not a header


def test_paper_without_header_rows_uses_first_non_empty_row(tmp_path):
    path, _ = _paper(tmp_path)
    raw = read_source(path)
    assert raw.frame.columns[0] == "DX研修 事後アンケート(紙)"
    assert raw.frame.columns[1] == "(column B)"
    assert raw.source_rows[0] == 2
    assert raw.header_parts == {}


def test_paper_sheet_by_index_and_normalised_name(tmp_path):
    path, info = _paper(tmp_path)
    by_index = read_source(path, sheet=0, header_rows=info["header_rows"])
    by_name = read_source(path, sheet=" 事後 ", header_rows=info["header_rows"])
    pd.testing.assert_frame_equal(by_index.frame, by_name.frame)


def test_blank_sheet_is_a_source_error(tmp_path):
    path, _ = _paper(tmp_path)
    with pytest.raises(SourceError, match=r"paper\.xlsx: sheet 'Sheet2' is empty"):
        read_source(path, sheet="Sheet2")


def test_header_rows_beyond_sheet(tmp_path):
    path, _ = _paper(tmp_path)
    with pytest.raises(SourceError, match=r"paper\.xlsx: header row 99 does not exist"):
        read_source(path, header_rows=[99])


def test_excel_value_texts(tmp_path):
    headers = ["code", "float", "date", "flag", "pi"]
    rows = [[93, 3.0, dt.datetime(2024, 10, 11), True, 3.14159],
            [None, 2.5, dt.datetime(2024, 10, 11, 8, 55, 6), False, None]]
    raw = read_source(write_ms_forms_xlsx(tmp_path / "v.xlsx", headers, rows))
    assert raw.format == "xlsx"
    assert raw.frame.iloc[0].tolist() == ["93", "3", "2024-10-11", "TRUE", "3.14159"]
    assert raw.frame["float"].iloc[1] == "2.5"
    assert raw.frame["date"].iloc[1] == "2024-10-11 08:55:06"
    assert pd.isna(raw.frame["code"].iloc[1])


# ------------------------------------------------------------------ SourceError


def test_missing_file(tmp_path):
    with pytest.raises(SourceError, match=r"nothere\.csv: file not found"):
        read_source(tmp_path / "nothere.csv")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(SourceError, match=r"empty\.csv: the file is empty \(0 bytes\)"):
        read_source(path)


def test_only_blank_lines(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_bytes(b"\r\n\r\n  \r\n")
    with pytest.raises(SourceError, match=r"blank\.csv"):
        read_source(path)


def test_binary_junk_named_csv(tmp_path):
    path = tmp_path / "junk.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + random.Random(7).randbytes(4000))
    with pytest.raises(SourceError, match=r"junk\.csv: this does not look like a text CSV"):
        read_source(path)


def test_old_xls(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    with pytest.raises(SourceError, match=r"old\.xls: .*save it as \.xlsx"):
        read_source(path)


def test_truncated_xlsx(tmp_path):
    path = write_truncated_xlsx(tmp_path / "cut.xlsx")
    with pytest.raises(SourceError, match=r"cut\.xlsx: the Excel file is damaged"):
        read_source(path)


def test_xlsx_without_sheets(tmp_path):
    path = write_xlsx_without_sheets(tmp_path / "nosheet.xlsx")
    with pytest.raises(SourceError, match=r"nosheet\.xlsx: the workbook has no worksheets"):
        read_source(path)


def test_sheet_not_found_lists_sheets(tmp_path):
    path, _ = _paper(tmp_path)
    with pytest.raises(SourceError) as caught:
        read_source(path, sheet="事前")
    message = str(caught.value)
    assert "paper.xlsx" in message and "'事前' not found" in message
    assert "'事後'" in message and "'Sheet2'" in message
    with pytest.raises(SourceError, match=r"no sheet number 5"):
        read_source(path, sheet=5)


def test_sheet_given_for_csv(tmp_path):
    path = write_plain_csv(tmp_path / "p.csv", ["a"], [["1"]])
    with pytest.raises(SourceError, match=r"p\.csv: a sheet"):
        read_source(path, sheet="事後")


# ------------------------------------------------------------------ timestamps


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026/06/13 2:12:54 午後 GMT+9", "2026-06-13 14:12:54"),
        ("2026/06/13 12:12:54 午前 GMT+9", "2026-06-13 00:12:54"),
        ("2026/06/13 12:12:54 午後 GMT+9", "2026-06-13 12:12:54"),
        ("2024/10/11 8:55:06", "2024-10-11 08:55:06"),
        ("2024-10-11 08:55", "2024-10-11 08:55:00"),
        ("2024-10-11T08:55:06+09:00", "2024-10-11 08:55:06"),
        ("2024-10-10T23:55:06Z", "2024-10-11 08:55:06"),
        ("2024/10/11 0:55:06 GMT+0", "2024-10-11 09:55:06"),
        ("6/13/2026 2:12:54 PM", "2026-06-13 14:12:54"),
        ("6/13/2026 12:00:00 AM", "2026-06-13 00:00:00"),
        ("2024年10月11日 8時55分", "2024-10-11 08:55:00"),
        ("２０２４/１０/１１　８:５５:０６", "2024-10-11 08:55:06"),
        ("2024/10/11", "2024-10-11 00:00:00"),
        (dt.datetime(2024, 10, 11, 8, 55, 6), "2024-10-11 08:55:06"),
        (pd.Timestamp("2024-10-10 23:55:06", tz="UTC"), "2024-10-11 08:55:06"),
        (dt.date(2024, 10, 11), "2024-10-11 00:00:00"),
    ],
)
def test_parse_timestamp(value, expected):
    result = parse_timestamp(value)
    assert result == pd.Timestamp(expected)
    assert result.tzinfo is None


@pytest.mark.parametrize("value", [None, "", "回収数", "12枚", "3", "2024/02/30 10:00",
                                   "2024/10/11 25:00", "2024/10/11 13:00 午後", float("nan"), 45576.5])
def test_parse_timestamp_not_a_time(value):
    assert parse_timestamp(value) is pd.NaT


def test_parse_timestamps_fast_path_matches_scalar():
    base = dt.datetime(2026, 6, 13, 0, 0, 1)
    values = [google_timestamp(base + dt.timedelta(minutes=37 * i), "download") for i in range(60)]
    values += ["2024-10-11T08:55:06Z", "６/１３/２０２６ ２:１２:５４ PM", None, "junk", "2024/10/11 9:00"]
    series = pd.Series(values, dtype="str")
    fast = parse_timestamps(series)
    assert fast.dtype == "datetime64[ns]"
    assert fast.tolist() == [parse_timestamp(v) for v in values]
    assert fast.iloc[13] == pd.Timestamp(base + dt.timedelta(minutes=37 * 13))


# ------------------------------------------------------------------ speed


def test_large_csv_reads_fast(tmp_path):
    rng = np.random.default_rng(3)
    labels = np.array(["そう思う", "ややそう思う", "どちらともいえない", "あまりそう思わない", "そう思わない", ""])
    n, k = 100_000, 34
    answers = labels[rng.integers(0, len(labels), size=(n, k))]
    base = np.datetime64("2026-06-13T09:00:00")
    stamps = (base + np.arange(n) * np.timedelta64(7, "s")).astype("datetime64[s]").astype(str)
    stamps = np.char.replace(np.char.replace(stamps, "T", " "), "-", "/")
    headers = ["タイムスタンプ"] + [f"質問{j} [行{j}]" for j in range(k)]
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(np.column_stack([stamps, answers]).tolist())
    start = time.process_time()  # CPU time: wall time swings with load on a shared 2-core machine
    raw = read_source(path)
    elapsed = time.process_time() - start
    assert raw.frame.shape == (n, k + 1)
    assert raw.source_rows[-1] == n + 1
    assert raw.meta["submitted_at"].notna().all()
    assert elapsed < 6.0, f"reading {n} rows took {elapsed:.1f} s"


# ------------------------------------------------------------- round trip (hypothesis)

_CELL = st.one_of(
    st.text(alphabet="aZ09あ髙﨑①ｶ,\"' \u3000\n-・", max_size=8),
    st.sampled_from(["", "", "NA", "nan", "NULL", "#N/A", "0093", " 3 ", "1,000", "a\r\nb", "\n"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.integers(1, 4).flatmap(
        lambda k: st.lists(st.lists(_CELL, min_size=k, max_size=k), max_size=6)),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp932"]),
    newline=st.sampled_from(["\r\n", "\n"]),
    quoting=st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_MINIMAL]),
)
def test_csv_round_trip(tmp_path, rows, encoding, newline, quoting):
    width = len(rows[0]) if rows else 2
    headers = [f"質問{j}\n（行{j}）" for j in range(width)]
    path = tmp_path / "round.csv"
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=quoting, lineterminator=newline)
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    raw = read_source(path)
    assert raw.encoding == encoding
    assert list(raw.frame.columns) == [f"質問{j} (行{j})" for j in range(width)]
    kept = list(rows)
    while kept and all(cell == "" for cell in kept[-1]):
        kept.pop()  # trailing empty records are not rows
    assert [_cells(raw.frame.iloc[i]) for i in range(len(raw.frame))] == [
        [cell if cell != "" else None for cell in row] for row in kept]
    # each record starts one line after the previous one's last line break
    expected, line = [], 1 + sum(h.count("\n") for h in headers) + 1
    for row in kept:
        expected.append(line)
        line += 1 + sum(cell.count("\n") for cell in row)
    assert raw.source_rows == expected


def test_trailing_empty_fields_are_not_ragged_rows(tmp_path):
    """A trailing separator (an empty field past the last named column, as spreadsheets write
    it on some lines) loses nothing and shifts nothing: no problem row."""
    path = tmp_path / "trailing.csv"
    path.write_text("code,q1,\n0001,a\n0002,b,,\n0003,c,\n", encoding="utf-8")
    raw = read_source(path)
    assert list(raw.frame.columns) == ["code", "q1"]
    assert raw.frame["q1"].tolist() == ["a", "b", "c"]
    assert raw.problems == []


def test_r_style_header_is_read_with_row_names(tmp_path):
    """read.csv / write.table: the header has no name for the row names (issue 12)."""
    path = tmp_path / "r.csv"
    path.write_text('"instructor","q1","q2"\n"1","Tanaka","5","4"\n"2","Suzuki","3","2"\n', encoding="utf-8")
    raw = read_source(path)
    assert list(raw.frame.columns) == ["(row names)", "instructor", "q1", "q2"]
    assert raw.frame["instructor"].tolist() == ["Tanaka", "Suzuki"]
    assert raw.frame["q2"].tolist() == ["4", "2"]
    assert "(row names)" in raw.meta_columns
    assert [p["problem"] for p in raw.problems] == ["row_names"]
