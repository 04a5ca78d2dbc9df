"""Ingest: every normalisation rule of FORMATS.md on fixtures in the real export shapes."""
from __future__ import annotations

import datetime as dt
import hashlib
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from fixtures_readers import write_google_csv, write_logo_csv, write_ms_forms_xlsx, write_paper_xlsx, write_plain_csv

import dxsurvey
from dxsurvey import schema
from dxsurvey.ingest import normalize_code, write_tables
from dxsurvey.reports.validation import summary as validation_summary

COURSES = textwrap.dedent("""\
    course_id,title,fiscal_year,date,audience,instructor,instructor_type,format,style,hours,invited
    C1,管理職向けDX研修,2024,2024-06-01,manager,元自治体幹部,external,in_person,lecture,3,20
    C2,一般職員向けDX研修,2024,2024-07-01,all,ベンダーA,external,online,lecture,2,30
    """)

HEAD = textwrap.dedent("""\
    survey: test
    respondent_key: {column: 回答者コード, width: 4, fuzzy: 1}
    scales:
      agree5:
        levels:
          1: [そう思わない]
          2: [あまりそう思わない]
          3: [どちらともいえない]
          4: [ややそう思う]
          5: [そう思う]
        missing: [無回答]
      paper5:
        levels: {1: [そう思う], 2: [ややそう思う], 3: [どちらともいえない], 4: [あまりそう思わない], 5: [そう思わない]}
    constructs:
      necessity: {label: DXの必要性, items: [q1, q2]}
    items:
      - {id: q1, column: DXの必要性を理解している, scale: agree5, level: learning}
      - {id: q2, column: [DXは自分の仕事とは関係ない, DXは私の仕事と無関係だ], scale: agree5, reverse: true}
      - {id: role, column: 役職, type: category, role: audience, map: {管理職: manager, 課長: manager, 主事: staff, 一般: staff, 一般職員: staff}}
      - {id: tools, column: 使ったことがあるツール, type: multi, options: [RPA, "Excel（関数, ピボットテーブル）", 生成AI], other: その他}
      - {id: comment, column: [研修に期待すること, ご意見・ご感想], type: text}
    exclude:
      - {column: 回答者コード, values: ["0000"], reason: test submission}
    """)

T0 = dt.datetime(2024, 6, 1, 9, 0, 0)
HDR = ["タイムスタンプ", "回答者コード", "役職", "DXの必要性を理解している", "DXは自分の仕事とは関係ない",
       "使ったことがあるツール", "研修に期待すること"]


def make_study(tmp_path: Path, sources_yaml: str, writers, head: str = HEAD) -> Path:
    root = tmp_path / "study"
    (root / "raw").mkdir(parents=True)
    (root / "courses.csv").write_text(COURSES, encoding="utf-8")
    (root / "survey.yaml").write_text(head + "sources:\n" + textwrap.indent(sources_yaml, "  "), encoding="utf-8")
    for w in writers:
        w(root / "raw")
    return root


def _hash_tree(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        if p.is_file():
            h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


@pytest.fixture
def google_study(tmp_path):
    pre = [
        [T0, "93", "主事", "どちらともいえない", "ややそう思う", "RPA, Excel（関数, ピボットテーブル）", "効率化 yamada@city.example.jp"],
        [T0 + dt.timedelta(minutes=1), "0094", "課長", "あまりそう思わない", "そう思う", "生成AI, 何か独自のツール", None],
        [T0 + dt.timedelta(minutes=2), "0000", "主事", "そう思う", "そう思う", None, None],   # test submission
        [None, None, None, None, None, None, None],                                         # blank row
        [T0 + dt.timedelta(minutes=3), "0095", "一般職員", "とても変な回答", "2・3", None, None],  # dirty labels
        [T0 + dt.timedelta(minutes=4), "0096", "係員", "9", "無回答", None, None],          # out of range, unknown role: empty
    ]
    post = [
        [T0 + dt.timedelta(hours=3), "００９３", "主事", "そう思う", "あまりそう思わない", None, "役立った"],
        [T0 + dt.timedelta(hours=3, minutes=1), "0094", "課長", "ややそう思う", "どちらともいえない", None, None],
        [T0 + dt.timedelta(hours=3, minutes=5), "0094", "課長", "そう思う", "そう思わない", None, None],  # later duplicate wins
        [T0 + dt.timedelta(hours=3, minutes=2), "0059", "一般", "ややそう思う", "そう思う", None, None],    # fuzzy of 0095
        [T0 + dt.timedelta(hours=3, minutes=3), "0123", "一般", "ややそう思う", "そう思う", None, None],    # post only
    ]
    post_hdr = HDR[:-1] + ["ご意見・ご感想"]
    post_hdr[4] = "DXは私の仕事と無関係だ"
    return make_study(tmp_path, """\
- {file: raw/pre.csv, course: C1, wave: pre}
- {file: raw/post.csv, course: C1, wave: post}
""", [lambda d: write_google_csv(d / "pre.csv", HDR, pre, variant="download"),
      lambda d: write_google_csv(d / "post.csv", post_hdr, post, variant="sheet")])


def test_google_forms_study_tables(google_study):
    raw_before = _hash_tree(google_study / "raw")
    s = dxsurvey.load_study(google_study)
    assert _hash_tree(google_study / "raw") == raw_before, "raw/ must never be written"
    assert list(s.submissions.columns[: len(schema.SUBMISSIONS)]) == list(schema.SUBMISSIONS)
    assert list(s.answers.columns) == list(schema.ANSWERS)
    assert list(s.texts.columns) == list(schema.TEXTS)
    assert list(s.validation.columns) == list(schema.VALIDATION)
    assert set(s.validation["problem"]) <= set(schema.PROBLEMS)
    assert set(s.validation["action"]) <= set(schema.ACTIONS)
    v = s.validation
    # pre: 6 rows -> 1 excluded, 2 empty (a blank row; a row whose only answers are invalid), 3 kept
    # post: 5 rows -> 1 duplicate, 4 kept
    summ = s.source_summary.set_index("source_file")
    assert summ.loc["raw/pre.csv", ["rows", "kept", "excluded", "empty_submission"]].tolist() == [6, 3, 1, 2]
    assert summ.loc["raw/post.csv", ["rows", "kept", "duplicate_submission"]].tolist() == [5, 4, 1]
    assert len(s.submissions) == 7
    excl = v[v["problem"] == "excluded"].iloc[0]
    assert (excl["source_file"], excl["source_row"], excl["action"]) == ("raw/pre.csv", 4, "dropped")
    empty = v[v["problem"] == "empty_submission"]
    assert empty["source_row"].tolist() == [5, 7] and empty["action"].eq("dropped").all()
    dup = v[v["problem"] == "duplicate_submission"].iloc[0]
    assert (dup["source_file"], dup["source_row"]) == ("raw/post.csv", 3)
    # the log names the respondent by the same keyed hash as the tables, never by the code
    assert dup["value"] == "#" + s.submissions.loc[(s.submissions["wave"] == "post")
                                                  & (s.submissions["source_row"] == 4), "respondent_key"].iloc[0]
    assert "0094" not in dup["message"]
    # the later duplicate (row 4, そう思う) is the one kept
    kept_0094 = s.submissions[(s.submissions["wave"] == "post") & (s.submissions["source_row"] == 4)]
    assert len(kept_0094) == 1
    q1 = s.answers.merge(kept_0094, on="submission_id")
    assert q1.loc[q1["item_id"] == "q1", "value"].iloc[0] == 5


def test_labels_to_values_and_problems(google_study):
    s = dxsurvey.load_study(google_study)
    v = s.validation.set_index(["source_row", "problem"])
    assert v.loc[(6, "unknown_label"), "value"] == "とても変な回答"
    assert v.loc[(6, "unknown_label"), "column"] == "DXの必要性を理解している"
    assert v.loc[(6, "invalid_value"), "value"] == "2・3"
    assert v.loc[(7, "out_of_range"), "value"] == "9"
    # row 7's only answers are invalid: dropped as empty, its unmapped role not also logged as "kept"
    assert (7, "unknown_category") not in v.index and (7, "empty_submission") in v.index
    for prob in ("unknown_label", "invalid_value", "out_of_range"):
        assert v.loc[(slice(None), prob), "action"].eq("set_missing").all()
    a = s.answers.merge(s.submissions[["submission_id", "source_file", "source_row"]], on="submission_id")
    row6 = a[(a["source_file"] == "raw/pre.csv") & (a["source_row"] == 6)].set_index("item_id")["value"]
    assert row6.isna().all(), "unknown label and double mark become missing, never 0"
    # 無回答 is a declared missing label: NA without a problem row
    assert not ((s.validation["source_row"] == 7) & (s.validation["column"] == "DXは自分の仕事とは関係ない")).any()
    # values as answered (reverse coding is scoring's job)
    row2 = a[(a["source_file"] == "raw/pre.csv") & (a["source_row"] == 2)].set_index("item_id")["value"]
    assert row2.to_dict() == {"q1": 3, "q2": 4}


def test_audience_codes_multi_and_text(google_study):
    s = dxsurvey.load_study(google_study)
    sub = s.submissions.set_index(["wave", "source_row"])
    assert sub.loc[("pre", 2), "audience"] == "staff"
    assert sub.loc[("pre", 3), "audience"] == "manager"
    # a role not in the map: kept as written, the audience falls back to the course's (C1: managers)
    assert (sub.loc[("pre", 6), "audience"], sub.loc[("pre", 6), "role"]) == ("staff", "staff")
    ch = s.choices.merge(s.submissions[["submission_id", "source_row", "wave"]], on="submission_id")
    pre2 = ch[(ch["wave"] == "pre") & (ch["source_row"] == 2)]["option"].tolist()
    assert pre2 == ["RPA", "Excel（関数, ピボットテーブル）"], "an option containing ', ' is matched whole"
    pre3 = ch[(ch["wave"] == "pre") & (ch["source_row"] == 3)]["option"].tolist()
    assert pre3 == ["生成AI", "その他"]
    other = s.texts[s.texts["item_id"] == "tools_other"]["text"].tolist()
    assert other == ["何か独自のツール"]
    assert "other_option" in set(s.validation["problem"])
    # text from either column alternative; e-mail masked before it is stored
    texts = s.texts[s.texts["item_id"] == "comment"]["text"].tolist()
    assert "役立った" in texts
    assert not any("@" in t for t in texts)
    assert any("[メール]" in t for t in texts)


def test_codes_keys_linkage_and_fuzzy(google_study):
    s = dxsurvey.load_study(google_study)
    keys = s.submissions["respondent_key"]
    assert keys.notna().all()
    assert not keys.isin(["0093", "93", "0094"]).any(), "only keyed hashes are stored"
    assert "0093" in s.sensitive and set(keys) <= s.sensitive
    # 93 (pre) and ００９３ (post) are one person; 0095 vs 0059: two characters differ -> not fuzzy
    link = s.linkage.set_index(["course_id", "wave_a", "wave_b"]).loc[("C1", "pre", "post")]
    assert (link["n_a"], link["n_b"], link["matched"], link["only_a"], link["only_b"]) == (3, 4, 2, 1, 2)
    assert link["fuzzy"] == 0
    # key file is in the study folder (gitignored), not in raw/
    assert (google_study / ".dxsurvey_key").exists()


def test_fuzzy_match_one_character(tmp_path):
    pre = [[T0, "1234", "主事", "そう思う", "そう思う", None, None],
           [T0, "5678", "主事", "そう思う", "そう思う", None, None]]
    post = [[T0 + dt.timedelta(hours=2), "1284", "主事", "そう思う", "そう思う", None, None],
            [T0 + dt.timedelta(hours=2), "5678", "主事", "そう思う", "そう思う", None, None]]
    root = make_study(tmp_path, "- {file: raw/pre.csv, course: C1, wave: pre}\n- {file: raw/post.csv, course: C1, wave: post}\n",
                      [lambda d: write_google_csv(d / "pre.csv", HDR, pre),
                       lambda d: write_google_csv(d / "post.csv", HDR, post)])
    s = dxsurvey.load_study(root)
    link = s.linkage.iloc[0]
    assert (link["matched"], link["fuzzy"]) == (2, 1)
    fz = s.validation[s.validation["problem"] == "fuzzy_match"]
    assert len(fz) == 1 and fz.iloc[0]["action"] == "kept" and fz.iloc[0]["source_file"] == "raw/post.csv"


def test_missing_column_names_closest_headers(tmp_path):
    hdr = ["タイムスタンプ", "回答者コード", "役職", "DXの必要性を理解してる", "DXは自分の仕事とは関係ない"]
    rows = [[T0, "0001", "主事", "そう思う", "そう思う"]]
    root = make_study(tmp_path, "- {file: raw/pre.csv, course: C1, wave: pre}\n",
                      [lambda d: write_google_csv(d / "pre.csv", hdr, rows)])
    s = dxsurvey.load_study(root)
    err = s.errors
    assert "missing_column" in set(err["problem"])
    msg = err[err["column"] == "DXの必要性を理解している"]["message"].iloc[0]
    assert "DXの必要性を理解してる" in msg and "q1" in msg
    # the rest is still analysed
    assert len(s.submissions) == 1
    assert s.answers.set_index("item_id").loc["q2", "value"] == 5


def test_item_waves_missing_column_only_an_error_in_its_waves(tmp_path):
    head = HEAD.replace("- {id: comment,", "- {id: sat, column: 満足度, scale: agree5, waves: [post], level: reaction}\n  - {id: comment,")
    rows = [[T0, "0001", "主事", "そう思う", "そう思う", None, None]]
    root = make_study(tmp_path, "- {file: raw/pre.csv, course: C1, wave: pre}\n",
                      [lambda d: write_google_csv(d / "pre.csv", HDR, rows)], head=head)
    s = dxsurvey.load_study(root)
    assert len(s.errors) == 0


def test_ms_forms_logo_and_paper_sources(tmp_path):
    ms_hdr = ["ID", "開始時刻", "完了時刻", "メール", "名前", "最終変更時刻", "回答者コード", "役職",
              "DXは自分の仕事とは\n関係ない", "DXの必要性を　理解している", "使ったことがあるツール"]
    ms_rows = [
        [1, T0, T0 + dt.timedelta(minutes=5), "anonymous", None, None, 93, "課長", "そう思う", "ややそう思う", "RPA;生成AI;"],
        [2, T0, T0 + dt.timedelta(minutes=5), "anonymous", None, T0 + dt.timedelta(days=1), 12, "主事", "そう思わない", "そう思う", None],
        [3, T0, T0 + dt.timedelta(minutes=9), "anonymous", None, None, 12, "主事", "そう思う", "そう思わない", None],
    ]
    logo_rows = [["A001", dt.datetime(2024, 7, 1, 10, 0), "0093", "管理職", "そう思う", "そう思わない", "髙橋さんの説明が\n分かりやすい①"]]
    logo_hdr = ["回答ID", "回答日時", "回答者コード", "役職", "DXの必要性を理解している", "DXは自分の仕事とは関係ない", "ご意見・ご感想"]

    def paper(d):
        write_paper_xlsx(d / "paper.xlsx", title="DX研修 事後アンケート", legend=["1=そう思う … 5=そう思わない"],
                         header=["No", "回答者コード", "役職", ("設問", ["DXの必要性を理解している", "DXは自分の仕事とは関係ない"])],
                         rows=[[1, 93, "課長", "４", "3 "], [2, "0012", "主事", "1", "無回答"], [3, None, None, None, None],
                               [4, "0077", "主事", "2・3", "-"]], blank_rows_after=[0])
    head = HEAD.replace("- {id: q2,", "- {id: q1p, column: DXの必要性を理解している, scale: paper5, waves: [followup]}\n  - {id: q2,")
    head = head.replace("- {id: q1, column: DXの必要性を理解している, scale: agree5, level: learning}",
                        "- {id: q1, column: DXの必要性を理解している, scale: agree5, level: learning, waves: [pre, post]}")
    head = head.replace("other: その他}", "other: その他, waves: [pre]}").replace("type: text}", "type: text, waves: [post]}")
    root = make_study(tmp_path, """\
- {file: raw/ms.xlsx, course: C2, wave: pre}
- {file: raw/logo.csv, course: C2, wave: post}
- {file: raw/paper.xlsx, sheet: 事後, header_rows: [3, 4], course: C2, wave: followup}
""", [lambda d: write_ms_forms_xlsx(d / "ms.xlsx", ms_hdr, ms_rows),
      lambda d: write_logo_csv(d / "logo.csv", logo_hdr, logo_rows), paper], head=head)
    s = dxsurvey.load_study(root)
    assert len(s.errors) == 0, s.errors.to_dict("records")
    summ = s.source_summary.set_index("source_file")
    assert summ.loc["raw/ms.xlsx", "format"] == "ms_forms"
    assert summ.loc["raw/logo.csv", "encoding"] == "cp932"
    # MS Forms: code 12 twice -> the later last-modified (row 3) wins over the later completion (row 4)
    assert summ.loc["raw/ms.xlsx", ["rows", "kept", "duplicate_submission"]].tolist() == [3, 2, 1]
    dup = s.validation[s.validation["problem"] == "duplicate_submission"].iloc[0]
    assert dup["source_row"] == 4
    # paper: 4 data rows + footer; blank sheet row and footer dropped as empty; full-width ４ and "3 " read
    assert summ.loc["raw/paper.xlsx [事後]", ["rows", "kept"]].tolist()[1] == 3
    a = s.answers.merge(s.submissions, on="submission_id")
    paper_rows = a[a["source_file"] == "raw/paper.xlsx [事後]"]
    first = paper_rows[paper_rows["respondent_key"] == s.submissions.loc[
        (s.submissions["source_file"] == "raw/ms.xlsx") & (s.submissions["source_row"] == 2), "respondent_key"].iloc[0]]
    assert first.set_index("item_id")["value"].to_dict() == {"q1p": 4, "q2": 3}
    bad = s.validation[(s.validation["source_file"] == "raw/paper.xlsx [事後]") & (s.validation["problem"] == "invalid_value")]
    assert bad["value"].tolist() == ["2・3"]
    # 93 (MS number), 0093 (LoGo) and 93 (paper number) are one person
    link = s.linkage.set_index(["wave_a", "wave_b"])
    assert link.loc[("pre", "post"), "matched"] == 1
    assert link.loc[("post", "followup"), "matched"] == 1
    # LoGo free text with cp932-only characters kept, name with honorific masked
    t = s.texts[s.texts["item_id"] == "comment"]["text"].iloc[0]
    assert "①" in t and "髙橋" not in t and "さん" in t


def test_unreadable_source_is_an_error_row_and_the_rest_is_analysed(tmp_path):
    rows = [[T0, "0001", "主事", "そう思う", "そう思う", None, None]]
    root = make_study(tmp_path, "- {file: raw/pre.csv, course: C1, wave: pre}\n- {file: raw/post.csv, course: C1, wave: post}\n",
                      [lambda d: write_google_csv(d / "pre.csv", HDR, rows),
                       lambda d: (d / "post.csv").write_bytes(b"")])
    s = dxsurvey.load_study(root)
    err = s.errors
    assert err["problem"].tolist() == ["unreadable_source"]
    assert err["source_file"].iloc[0] == "raw/post.csv"
    assert len(s.submissions) == 1
    text = validation_summary(s, "en")
    assert "raw/post.csv" in text and "errors" in text


def test_write_tables_parquet_roundtrip(google_study, tmp_path):
    s = dxsurvey.load_study(google_study)
    paths = write_tables(s, tmp_path / "out")
    got = pd.read_parquet(tmp_path / "out" / "answers.parquet")
    assert len(got) == len(s.answers) and {p.name for p in paths} >= {"submissions.parquet", "validation.parquet"}
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_normalize_code():
    assert normalize_code("　93 ", 4) == "0093"
    assert normalize_code(93, 4) == "0093"
    assert normalize_code("A-12", 4) == "A-12"
    assert normalize_code("", 4) is None
    assert normalize_code("12345", 4) == "12345"


def test_validation_summary_japanese(google_study):
    s = dxsurvey.load_study(google_study)
    text = validation_summary(s)
    assert "raw/pre.csv" in text and "読込 6 行" in text and "有効 4 件" in text
    assert "raw/pre.csv 6行目 列「DXの必要性を理解している」 値「とても変な回答」: 未定義の選択肢 → 欠測扱い" in text
    with pytest.raises(ValueError, match="ja, en"):
        validation_summary(s, "fr")


@pytest.mark.parametrize("values", ["[0000]", "[0]", '["0"]'])
def test_exclude_on_key_column_compares_normalised_codes(tmp_path, values):
    # YAML reads an unquoted 0000 as the number 0: the rule must still catch code 0000
    rows = [[T0, "0000", "主事", "そう思う", "そう思う", None, None],
            [T0, "93", "主事", "そう思う", "そう思う", None, None]]
    head = HEAD.replace('values: ["0000"]', f"values: {values}")
    root = make_study(tmp_path, "- {file: raw/pre.csv, course: C1, wave: pre}\n",
                      [lambda d: write_google_csv(d / "pre.csv", HDR, rows)], head=head)
    s = dxsurvey.load_study(root)
    excl = s.validation[s.validation["problem"] == "excluded"]
    assert excl["source_row"].tolist() == [2] and excl["action"].tolist() == ["dropped"]
    assert s.submissions["source_row"].tolist() == [3]


def test_empty_submission_value_leaves_out_system_and_key_cells(tmp_path):
    # a named MS Forms response with no answers: its id, times, e-mail and name stay out of the log
    # (the code column is shown, as in every problem row; reports mask codes via study.sensitive)
    ms_hdr = ["ID", "開始時刻", "完了時刻", "メール", "名前", "最終変更時刻", "回答者コード", "役職", "DXの必要性を理解している"]
    ms_rows = [[1, T0, T0, "taro@city.example.jp", "山田太郎", None, "0001", "課長", "そう思う"],
               [2, T0, T0, "hanako@city.example.jp", "佐藤花子", None, "0002", None, None],
               [3, T0, T0, "jiro@city.example.jp", "鈴木次郎", None, "0003", None, "変な回答"]]
    root = make_study(tmp_path, "- {file: raw/ms.xlsx, course: C1, wave: pre}\n",
                      [lambda d: write_ms_forms_xlsx(d / "ms.xlsx", ms_hdr, ms_rows)])
    s = dxsurvey.load_study(root)
    empty = s.validation[s.validation["problem"] == "empty_submission"]
    assert empty["source_row"].tolist() == [3, 4]
    assert empty["value"].tolist() == ["0002", "0003 | 変な回答"]
    for text in [*empty["value"], *empty["message"]]:
        for personal in ("@", "佐藤", "鈴木", "2024-06-01", "09:00"):
            assert personal not in text, text


def test_reversed_paper_scale_reads_every_spelling_of_a_number_reversed(tmp_path):
    # printed 1 = そう思う: typed 1, 1.0, 01 and １ all mean そう思う (5 on agree5)
    head = HEAD.replace("{1: [そう思う], 2: [ややそう思う], 3: [どちらともいえない], 4: [あまりそう思わない], 5: [そう思わない]}",
                        "{1: ['5'], 2: ['4'], 3: ['3'], 4: ['2'], 5: ['1']}")
    assert head != HEAD
    rows = [[f"000{i}", "主事", v] for i, v in enumerate(["1", "1.0", "01", "１", "5.0", "6.0"], start=1)]
    root = make_study(tmp_path, "- {file: raw/p.csv, course: C1, wave: post, scales: {agree5: paper5}}\n",
                      [lambda d: write_plain_csv(d / "p.csv", ["回答者コード", "役職", "DXの必要性を理解している"], rows)],
                      head=head)
    s = dxsurvey.load_study(root)
    q1 = s.answers[s.answers["item_id"] == "q1"]
    assert q1["label"].tolist() == ["1", "1.0", "01", "１", "5.0", "6.0"]
    assert q1["value"].tolist()[:5] == [5, 5, 5, 5, 1] and pd.isna(q1["value"].iloc[5])
    assert s.validation.loc[s.validation["problem"] == "out_of_range", "value"].tolist() == ["6.0"]


def test_category_item_named_like_an_internal_column_keeps_the_respondent_code(tmp_path):
    # an item id such as `code` (所属コード) must not replace the respondent code: no false duplicates
    head = HEAD.replace("  - {id: comment,", "  - {id: code, column: 所属コード, type: category}\n  - {id: comment,")
    rows = [["0001", "A1", "そう思う"], ["0002", "A1", "そう思う"], ["0003", "B2", "ややそう思う"]]
    root = make_study(tmp_path, "- {file: raw/p.csv, course: C1, wave: pre}\n",
                      [lambda d: write_plain_csv(d / "p.csv", ["回答者コード", "所属コード", "DXの必要性を理解している"], rows)],
                      head=head)
    s = dxsurvey.load_study(root)
    assert "duplicate_submission" not in set(s.validation["problem"])
    assert s.submissions["source_row"].tolist() == [2, 3, 4]
    assert s.submissions["code"].tolist() == ["A1", "A1", "B2"]
    assert s.submissions["respondent_key"].nunique() == 3
    assert list(s.submissions.columns) == [*schema.SUBMISSIONS, "code"]


def test_source_without_the_key_column_in_a_keyed_course_is_logged(tmp_path):
    # C1's post form lost the code question (or renamed it): its answers cannot be linked, say so;
    # C2 has no code in any wave (an anonymous course): nothing to say
    hdr = [h for h in HDR if h != "回答者コード"]
    keyed = [[T0, "0001", "主事", "そう思う", "そう思う", None, None]]
    anon = [[T0, "主事", "そう思う", "そう思う", None, None]]
    root = make_study(tmp_path, """\
- {file: raw/pre.csv, course: C1, wave: pre}
- {file: raw/post.csv, course: C1, wave: post}
- {file: raw/c2.csv, course: C2, wave: post}
""", [lambda d: write_google_csv(d / "pre.csv", HDR, keyed), lambda d: write_google_csv(d / "post.csv", hdr, anon),
      lambda d: write_google_csv(d / "c2.csv", hdr, anon)])
    s = dxsurvey.load_study(root)
    assert len(s.submissions) == 3
    miss = s.validation[s.validation["problem"] == "missing_key"]
    assert miss[["source_file", "column", "action"]].values.tolist() == [["raw/post.csv", "回答者コード", "kept"]]
    assert pd.isna(miss["source_row"].iloc[0])
    assert miss["message"].iloc[0].startswith("raw/post.csv, column 「回答者コード」: ")


def test_exclude_rule_on_a_column_no_source_has_is_logged(tmp_path):
    head = HEAD.replace("- {column: 回答者コード, values: [\"0000\"], reason: test submission}",
                        "- {column: 回答者番号, values: [\"0000\"], reason: test submission}")
    rows = [[T0, "0000", "主事", "そう思う", "そう思う", None, None], [T0, "0001", "主事", "そう思う", "そう思う", None, None]]
    root = make_study(tmp_path, "- {file: raw/pre.csv, course: C1, wave: pre}\n",
                      [lambda d: write_google_csv(d / "pre.csv", HDR, rows)], head=head)
    s = dxsurvey.load_study(root)
    row = s.validation[s.validation["source_file"] == "survey.yaml"].iloc[0]
    assert (row["problem"], row["action"], row["column"]) == ("missing_column", "kept", "回答者番号")
    assert "nothing was excluded" in row["message"] and len(s.submissions) == 2


@pytest.mark.parametrize("cell, options, other", [
    ("RPAツール", [], "RPAツール"),                                  # an その他 answer starting like an option
    ("RPAツール, 生成AI", ["生成AI"], "RPAツール"),
    ("RPA, Power Automate/Copilot", ["RPA"], "Power Automate/Copilot"),   # its own punctuation kept
    ("生成AI；Power Automate／Copilot", ["生成AI"], "Power Automate/Copilot"),
    ("Excel（関数, ピボットテーブル）, RPA", ["RPA", "Excel（関数, ピボットテーブル）"], ""),
    ("RPA;生成AI;", ["RPA", "生成AI"], ""),                          # Microsoft Forms, trailing ;
    ("1・3", ["RPA", "生成AI"], ""),                                # codes typed from paper
    ("1, 独自ツール", [], "1, 独自ツール"),                           # not only codes: kept as written
])
def test_multi_select_options_match_whole_entries(cell, options, other):
    from dxsurvey.ingest import _match_options
    from dxsurvey.readers import normalize_text
    opts = {"1": "RPA", "2": "Excel（関数, ピボットテーブル）", "3": "生成AI"}
    assert _match_options(normalize_text(cell), opts) == (options, other)


def test_two_sheets_of_one_workbook_are_two_sources(tmp_path):
    """Paper questionnaires typed into one workbook, a sheet per wave: each sheet has its
    own summary row and its messages name the sheet."""
    import openpyxl

    def book(d):
        wb = openpyxl.Workbook()
        pre = wb.active
        pre.title = "事前"
        for row in (["回答者コード", "役職", "DXの必要性を理解している"], ["0093", "課長", "そう思う"],
                    ["0012", "主事", "ややそう思う"], ["0077", "主事", "どちらともいえない"]):
            pre.append(row)
        post = wb.create_sheet("事後")
        for row in (["回答者コード", "役職", "DXの必要性を理解している"], ["0093", "課長", "そう思う"],
                    ["0012", "主事", "とても思う"]):
            post.append(row)
        wb.save(d / "book.xlsx")
    root = make_study(tmp_path, """\
- {file: raw/book.xlsx, sheet: 事前, course: C2, wave: pre}
- {file: raw/book.xlsx, sheet: 事後, course: C2, wave: post}
""", [book])
    s = dxsurvey.load_study(root)
    summ = s.source_summary.set_index("source_file")
    assert summ.loc["raw/book.xlsx [事前]", ["rows", "kept"]].tolist() == [3, 3]
    assert summ.loc["raw/book.xlsx [事後]", ["rows", "kept"]].tolist() == [2, 2]
    bad = s.validation[s.validation["problem"] == "unknown_label"]
    assert bad[["source_file", "source_row", "value"]].values.tolist() == [["raw/book.xlsx [事後]", 3, "とても思う"]]
    assert "raw/book.xlsx [事後]" in validation_summary(s, "ja")
