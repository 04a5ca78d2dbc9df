"""Bad input is safe (DESIGN §6): the corpus in tests/bad_inputs/ through load_study.

Each case of ``tests/bad_inputs/cases.yaml`` builds a study with a good source beside
the bad one and checks the validation rows (problem, action, row, column, value),
the message, and that the good source is still analysed in full.
"""
from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from studykit import survey_yaml

import dxsurvey
from dxsurvey import schema
from dxsurvey.codebook import CodebookError
from dxsurvey.reports.validation import summary as validation_summary
from dxsurvey.readers import SourceError, normalize_text

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
EXCEPTIONS = {"CodebookError": CodebookError, "SourceError": SourceError, "ValueError": ValueError}

SURVEY = survey_yaml("bad-inputs", ["{file: raw/good.csv, course: C1, wave: pre}"], language="en")
COURSES = "course_id,title,audience\nC1,一般職員向けDX研修,staff\nC2,管理職向けDX研修,all\n"
HEADER = "回答者コード,役職,DXの必要性を理解している,DXは自分の仕事とは関係ない,ご意見・ご感想"
GOOD = HEADER + "\n0001,主事,そう思う,そう思わない,\n0002,課長,ややそう思う,,\n0003,主事,,どちらともいえない,よかった\n"
#: (source_row, q1, q2) of the good source's submissions
GOOD_ANSWERS = [(2, 5, 1), (3, 4, None), (4, None, 3)]


def make_study(tmp_path: Path, extra_sources: str = "", survey: str = SURVEY,
               courses: str = COURSES) -> Path:
    """A study folder with raw/good.csv and ``extra_sources`` appended to sources:."""
    root = tmp_path / "study"
    (root / "raw").mkdir(parents=True)
    (root / "courses.csv").write_text(courses, encoding="utf-8")
    (root / "raw" / "good.csv").write_text(GOOD, encoding="utf-8")
    (root / "survey.yaml").write_text(survey + extra_sources, encoding="utf-8")
    return root


def source_line(file: str, course: str = "C2", declared: dict | None = None) -> str:
    spec = {"file": f"raw/{file}", "course": course, "wave": "post", **(declared or {})}
    return "  - " + yaml.safe_dump(spec, allow_unicode=True, default_flow_style=True).strip() + "\n"


def assert_good_source_intact(study) -> None:
    """All three submissions of raw/good.csv are there, with their answers and no problem."""
    subs = study.submissions[study.submissions["source_file"] == "raw/good.csv"]
    assert subs["source_row"].tolist() == [row for row, _, _ in GOOD_ANSWERS]
    assert set(subs["course_id"]) == {"C1"} and set(subs["wave"]) == {"pre"}
    answers = study.answers.merge(subs[["submission_id", "source_row"]], on="submission_id")
    for row, q1, q2 in GOOD_ANSWERS:
        got = answers[answers["source_row"] == row].set_index("item_id")["value"]
        assert (pd.isna(got["q1"]) if q1 is None else got["q1"] == q1), (row, got)
        assert (pd.isna(got["q2"]) if q2 is None else got["q2"] == q2), (row, got)
    assert not (study.validation["source_file"] == "raw/good.csv").any()


def _param(case: dict, bug_key: str = "known_bug"):
    """A pytest param of a case; a strict xfail when the case has ``bug_key``."""
    marks = []
    if case.get(bug_key):
        marks.append(pytest.mark.xfail(strict=True, reason=case[bug_key]))
    return pytest.param(case, id=case["id"], marks=marks)


def _problems_of(study, file: str) -> pd.DataFrame:
    """The file's problems (a source that names a sheet is labelled ``raw/<file> [sheet]``)."""
    label = study.validation["source_file"].astype(str)
    return study.validation[(label == f"raw/{file}") | label.str.startswith(f"raw/{file} [")]


def _key(problem, action, row, column, value) -> tuple:
    row = None if row is None or pd.isna(row) or row == 0 else int(row)
    column = None if column is None or (isinstance(column, float) and pd.isna(column)) else column
    value = None if value is None or (isinstance(value, float) and pd.isna(value)) else value
    if isinstance(value, str) and re.fullmatch(r"#[0-9a-f]{16}", value):
        value = "#hash"   # a respondent code, logged as its keyed hash
    return (problem, action, row, column, value)


def _load_case(tmp_path: Path, case: dict):
    shutil.copy(CORPUS / case["file"], tmp_path / "copy")
    root = make_study(tmp_path, source_line(case["file"], case.get("course", "C2"), case.get("declared")))
    shutil.copy(tmp_path / "copy", root / "raw" / case["file"])
    return root


# ---------------------------------------------------------------- source cases


@pytest.mark.parametrize("case", [_param(c, "known_read_bug") for c in CASES["sources"]])
def test_source_case(tmp_path, case):
    root = _load_case(tmp_path, case)
    before = (root / "raw" / case["file"]).read_bytes()
    if "raises" in case:
        with pytest.raises(EXCEPTIONS[case["raises"]], match=case["message"]):
            dxsurvey.load_study(root)
        return
    study = dxsurvey.load_study(root)
    assert (root / "raw" / case["file"]).read_bytes() == before, "raw/ must never be written"
    assert_good_source_intact(study)

    got = _problems_of(study, case["file"])
    expected = sorted((_key(p["problem"], p["action"], p["row"], p["column"], p["value"])
                       for p in case["problems"]), key=repr)
    actual = sorted((_key(*r) for r in got[["problem", "action", "source_row", "column", "value"]]
                     .itertuples(index=False)), key=repr)
    if case.get("partial"):
        assert all(actual.count(k) >= expected.count(k) for k in expected), (expected, actual)
    else:
        assert actual == expected
    for spec in case["problems"]:
        rows = got[(got["problem"] == spec["problem"])]
        if spec["row"] is not None:
            rows = rows[rows["source_row"] == spec["row"]]
        assert any(re.search(spec["message"], m) for m in rows["message"]), \
            (spec["message"], rows["message"].tolist())

    label = f"raw/{case['file']}" + (f" [{case['declared']['sheet']}]" if "sheet" in case.get("declared", {}) else "")
    kept = study.submissions[study.submissions["source_file"] == label]
    assert len(kept) == case["kept"]
    summary = study.source_summary.set_index("source_file").loc[label]
    assert summary["kept"] == case["kept"]
    assert summary["errors"] == (got["action"] == "error").sum()
    # the readable summary shows every problem with its file
    text = validation_summary(study, "en")
    assert text.count(f"raw/{case['file']}") >= 1 + len(got)


def _names_missing(message: str, names: list[str], file: str, row, column, value) -> list[str]:
    missing = []
    if "file" in names and file not in message:
        missing.append(f"file {file}")
    if "row" in names and not re.search(rf"\b(?:row|line) {row}\b|{row}行目", message):
        missing.append(f"row {row}")
    if "column" in names and column not in message:
        missing.append(f"column {column}")
    if "value" in names and value and value not in message and normalize_text(value) not in message:
        missing.append(f"value {value!r}")
    return missing


@pytest.mark.parametrize("case", [_param(c) for c in CASES["sources"] if c.get("problems")])
def test_source_case_message_names_file_row_column_value(tmp_path, case):
    """The message alone says where: file, and where applicable row, column and value."""
    study = dxsurvey.load_study(_load_case(tmp_path, case))
    got = _problems_of(study, case["file"])
    missing = []
    for spec in case["problems"]:
        rows = got[got["problem"] == spec["problem"]]
        if spec["row"] is not None:
            rows = rows[rows["source_row"] == spec["row"]]
        if spec["column"] is not None:
            rows = rows[rows["column"] == spec["column"]]
        assert len(rows), spec
        for message in rows["message"]:
            lack = _names_missing(message, spec["names"], f"raw/{case['file']}", spec["row"],
                                  spec["column"], spec["value"])
            if lack:
                missing.append((spec["row"], message, lack))
    assert not missing


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in CASES["sources"]
                                  if c.get("problems")])
def test_source_case_problem_vocabulary(tmp_path, case):
    study = dxsurvey.load_study(_load_case(tmp_path, case))
    assert set(study.validation["problem"]) <= set(schema.PROBLEMS)
    assert set(study.validation["action"]) <= set(schema.ACTIONS)
    assert list(study.validation.columns) == list(schema.VALIDATION)


def test_file_level_problems_have_no_row_number(tmp_path):
    sources = source_line("empty.csv") + source_line("missing_column.csv")
    root = make_study(tmp_path, sources)
    for file in ("empty.csv", "missing_column.csv"):
        shutil.copy(CORPUS / file, root / "raw" / file)
    study = dxsurvey.load_study(root)
    file_level = study.validation[study.validation["problem"].isin(["unreadable_source", "missing_column"])]
    assert len(file_level) == 2
    assert file_level["source_row"].isna().all(), file_level["source_row"].tolist()


def test_every_case_together_in_one_study(tmp_path):
    """All readable-or-not cases side by side: one study, nothing raises, good intact."""
    cases = [c for c in CASES["sources"] if "raises" not in c]
    files = sorted({c["file"] for c in cases})
    lines = "".join(source_line(f, declared={"header_rows": [3]} if f == "paper_dirty.xlsx" else None)
                    for f in files)
    root = make_study(tmp_path, lines)
    for f in files:
        shutil.copy(CORPUS / f, root / "raw" / f)
    study = dxsurvey.load_study(root)
    assert_good_source_intact(study)
    assert set(study.source_summary["source_file"]) == {"raw/good.csv", *(f"raw/{f}" for f in files)}
    assert "There are errors" in validation_summary(study, "en")


# ------------------------------------------------------------- codebook cases


@pytest.mark.parametrize("case", [_param(c) for c in CASES["codebook"]])
def test_codebook_case(tmp_path, case):
    assert case["old"] in SURVEY, case["old"]
    root = make_study(tmp_path, survey=SURVEY.replace(case["old"], case["new"]))
    for file in case.get("copy", []):
        shutil.copy(CORPUS / file, root / "raw" / file)
    with pytest.raises(EXCEPTIONS[case["raises"]], match=case["message"]) as info:
        dxsurvey.load_study(root)
    assert "survey.yaml" in str(info.value)
    if hasattr(info.value, "text"):       # a CodebookError: shown in Japanese by default
        assert info.value.text("ja") != str(info.value), str(info.value)


@pytest.mark.parametrize("case", [_param(c) for c in CASES["courses"]])
def test_courses_case(tmp_path, case):
    """courses.csv values that are not what their column holds: one error naming each."""
    root = make_study(tmp_path, courses=case["courses"])
    with pytest.raises(EXCEPTIONS[case["raises"]]) as info:
        dxsurvey.load_study(root)
    for pattern in case["message"]:
        assert re.search(pattern, str(info.value)), (pattern, str(info.value))


def test_courses_valid_numbers_and_dates_are_accepted(tmp_path):
    courses = ("course_id,title,fiscal_year,date,hours,invited\n"
               "C1,一般職員向けDX研修,２０２４,2024/6/13,2.5,40\nC2,管理職向けDX研修,,2024年7月1日,,\n")
    study = dxsurvey.load_study(make_study(tmp_path, courses=courses))
    assert study.courses["fiscal_year"].tolist()[0] == 2024 and pd.isna(study.courses["fiscal_year"].iloc[1])
    assert study.courses["hours"].tolist()[0] == 2.5


@pytest.mark.parametrize("courses", [
    pytest.param("course_id,title\nC1,研修\n", id="no_audience_column"),
    pytest.param("course_id,title,audience\nC1,研修,\n", id="blank_audience"),
])
def test_courses_csv_with_only_required_columns(tmp_path, courses):
    """DESIGN §3: only course_id and title are required; a blank field is unknown."""
    study = dxsurvey.load_study(make_study(tmp_path, courses=courses))
    assert len(study.submissions) == 3
    assert study.submissions["audience"].tolist() == ["staff", "manager", "staff"]


# ------------------------------------------------------------------ big files


def test_50k_row_csv_reports_exact_line_of_one_bad_cell(tmp_path):
    """One unknown label in the last of 50,000 records, after quoted multi-line cells."""
    n = 50_000
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER.split(","))
    line = 2
    labels = ["そう思わない", "あまりそう思わない", "どちらともいえない", "ややそう思う", "そう思う"]
    for i in range(n - 1):
        comment = "良かった\n次回も参加したい" if i % 997 == 0 else ""
        writer.writerow([f"{i + 10:05d}", "主事", labels[i % 5], labels[(i * 7) % 5], comment])
        line += 1 + comment.count("\n")
    bad_line = line
    writer.writerow([f"{n + 10:05d}", "課長", "そう思う", "そう思わなぃ", ""])
    # five-digit codes: `width: 5`, or every code would be named as wider than the width
    root = make_study(tmp_path, source_line("big.csv"), survey=SURVEY.replace("width: 4", "width: 5"))
    (root / "raw" / "big.csv").write_bytes(buffer.getvalue().encode("utf-8"))

    study = dxsurvey.load_study(root)
    assert_good_source_intact(study)
    problems = _problems_of(study, "big.csv")
    assert problems[["problem", "source_row", "column", "value"]].values.tolist() == [
        ["unknown_label", bad_line, "DXは自分の仕事とは関係ない", "そう思わなぃ"]]
    big = study.submissions[study.submissions["source_file"] == "raw/big.csv"]
    assert len(big) == n
    assert big["source_row"].iloc[-1] == bad_line
    multi_line_cells = (n - 2) // 997 + 1
    assert bad_line == 1 + n + multi_line_cells  # header + records + extra physical lines


# ------------------------------------------------- malformed rows: what is read


@pytest.mark.parametrize("file, expected", [
    # R-style: the row names 1, 2 are not codes; every answer sits under its own header
    ("r_style.csv", {2: ("staff", 5, 1, None), 3: ("manager", 4, 3, "よかった")}),
    # the short line 3 has its four fields in place; line 4 keeps its first five fields
    ("ragged_rows.csv", {2: ("staff", 5, 1, None), 3: ("staff", 5, 1, None), 4: ("manager", 4, 5, "良い")}),
    # the unclosed quote of line 2 no longer swallows lines 3 and 4
    ("unclosed_quote.csv", {2: ("staff", 5, 1, '"とても良かった'), 3: ("manager", 4, 3, None),
                            4: ("staff", 5, 5, "普通")}),
    # the cp932 line 4 of a UTF-8 file is read as cp932, the NUL byte removed
    ("utf8_with_cp932_line.csv", {4: ("staff", 2, 5, "髙い効果①"), 5: ("manager", 5, 1, "次回も参加")}),
    ("nul_byte.csv", {2: ("staff", 5, 1, "良かった")}),
    ("bom_cp932.csv", {2: ("staff", 5, 1, "①よかった")}),
])
def test_malformed_rows_are_read_in_place(tmp_path, file, expected):
    """Columns never shift: each submission's audience, q1, q2 and comment as written."""
    root = make_study(tmp_path, source_line(file))
    shutil.copy(CORPUS / file, root / "raw" / file)
    study = dxsurvey.load_study(root)
    subs = study.submissions[study.submissions["source_file"] == f"raw/{file}"].set_index("source_row")
    answers = study.answers.pivot(index="submission_id", columns="item_id", values="value")
    texts = study.texts.set_index("submission_id")["text"]
    for row, (audience, q1, q2, comment) in expected.items():
        sub = subs.loc[row]
        assert sub["audience"] == audience, (row, sub["audience"])
        assert answers.loc[sub["submission_id"], "q1"] == q1, row
        assert answers.loc[sub["submission_id"], "q2"] == q2, row
        assert texts.get(sub["submission_id"]) == comment, (row, texts.get(sub["submission_id"]))
    if file == "r_style.csv":
        assert study.submissions["respondent_key"].notna().all()
        assert not study.validation["problem"].isin(["bad_code", "unknown_category"]).any()


def test_every_problem_kind_has_a_label_in_both_languages():
    """The validation report and the Japanese console name each kind of problem in words."""
    from dxsurvey.reports.catalog import text

    for problem in schema.PROBLEMS:
        for lang in ("ja", "en"):
            assert text(f"value.problem.{problem}", lang), (problem, lang)
