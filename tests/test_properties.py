"""Property-based tests (hypothesis): random exports never crash and lose nothing.

- :func:`read_source` on random CSV/XLSX exports (Japanese, ASCII, full-width and
  whitespace cells, blank rows, label dirt, utf-8 / utf-8-sig / cp932) returns a
  RawTable with one row per data record written, cells as written, or raises
  SourceError: never another exception.
- :func:`load_study` conserves rows: every data record written is either a
  submission or has a ``dropped`` validation row, never both; an answer set to
  missing from a non-blank label has a validation row.
- :func:`dxsurvey.stats.prepost` on random small studies returns its documented
  columns with p in [0, 1] and estimates inside their intervals, or raises ValueError.
"""
from __future__ import annotations

import csv
import io
import re

import numpy as np
import openpyxl
import pandas as pd
from studykit import survey_yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import dxsurvey
from dxsurvey.readers import RawTable, SourceError, normalize_text, read_source
from dxsurvey.schema import VALIDATION

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

# ------------------------------------------------------------------ cell strategies

LABELS = ["そう思う", "ややそう思う", "どちらともいえない", "あまりそう思わない", "そう思わない"]
DIRTY = [
    "無回答", "わからない", "-", "ー", "2・3", "4、5", "９", "０", "３", "3 ", " 3", "3.0", "6",
    "とても変な回答", "ﾔﾔｿｳｵﾓｳ", "そう思う\u3000", "\u3000そう思う", "そう 思う", "そう思う\n",
    "課長", "主事", "一般職員", "回収数", "12枚", "①", "髙橋", "﨑", "=1+1", "\"quoted\"",
    "a,b", "line\nbreak", "crlf\r\nbreak", "ｱｲｳ", "ＡＢＣ１２３", "\u00a0", "\u200b", "\t",
]
WHITESPACE = ["", "", "", " ", "\u3000", "  ", "\u00a0", "\t"]
TEXT_ALPHABET = st.sampled_from(
    list("abcXYZ019 ,\"'\n") + list("あいうアイウ漢字髙﨑①ー・、。") + list("ＡＢ１２\u3000ｱｲ"))
CELL = st.one_of(
    st.sampled_from(LABELS),
    st.sampled_from(DIRTY),
    st.sampled_from(WHITESPACE),
    st.text(TEXT_ALPHABET, max_size=12),
    st.integers(-5, 120).map(str),
)
HEADER_CELL = st.one_of(
    st.sampled_from(["回答者コード", "役職", "DXの必要性を理解している", "ご意見・ご感想",
                     "Q1 [行1]", "ＤＸ\u3000研修", "設問\n２", "名前", "ID", "タイムスタンプ"]),
    st.text(st.sampled_from(list("abcXYZ019 ") + list("あいうアイウ漢字ＡＢ１\u3000")), min_size=1, max_size=8),
)


@st.composite
def exports(draw, *, blank_rows=True):
    """(header, rows): the header's first cell is never blank; rows may be blank."""
    width = draw(st.integers(1, 6))
    header = [draw(st.sampled_from(["回答者コード", "ID", "タイムスタンプ", "No."]))]
    header += [draw(HEADER_CELL) for _ in range(width - 1)]
    n = draw(st.integers(0, 12))
    rows = []
    for _ in range(n):
        if blank_rows and draw(st.integers(0, 5)) == 0:
            rows.append([draw(st.sampled_from(["", "", " ", "\u3000"])) if draw(st.booleans()) else ""
                         for _ in range(width)])
        else:
            rows.append([draw(CELL) for _ in range(width)])
    return header, rows


def _records_kept(rows: list[list[str]]) -> int:
    """Data records the reader keeps: all up to the last one with a non-empty cell.

    Trailing records whose every cell is empty are documented to be trimmed
    (``RawTable.frame``: "trailing blank rows/columns are not [kept]").
    """
    last = 0
    for i, row in enumerate(rows, start=1):
        if any(cell != "" for cell in row):
            last = i
    return last


def _check_width(raw: RawTable, header: list[str], rows: list[list[str]]) -> int:
    """Columns read; only trailing columns blank in header and data may be missing."""
    width = raw.frame.shape[1]
    for j in range(width, len(header)):
        assert normalize_text(header[j]) is None and all(r[j] == "" for r in rows), (j, header)
    return min(width, len(header))


def _csv_bytes(header, rows, *, encoding, newline, quoting) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=newline, quoting=quoting)
    for row in [header, *rows]:
        writer.writerow(row)
    return buffer.getvalue().encode(encoding)


def _encodable(header, rows, encoding) -> bool:
    try:
        "".join(header + [c for r in rows for c in r]).encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


# ------------------------------------------------------------------- read_source


@SETTINGS
@given(export=exports(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp932"]),
       newline=st.sampled_from(["\r\n", "\n"]),
       quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
       declare=st.booleans())
def test_read_source_csv_keeps_every_record(tmp_path_factory, export, encoding, newline, quoting,
                                            declare):
    header, rows = export
    assume(_encodable(header, rows, encoding))
    path = tmp_path_factory.mktemp("csv") / "export.csv"
    path.write_bytes(_csv_bytes(header, rows, encoding=encoding, newline=newline, quoting=quoting))
    try:
        raw = read_source(path, encoding=encoding if declare else None)
    except SourceError as exc:
        assert "export.csv" in str(exc)
        return
    assert isinstance(raw, RawTable)
    kept = _records_kept(rows)
    assert len(raw.frame) == kept
    assert len(raw.source_rows) == kept and len(raw.meta) == kept
    assert raw.source_rows == sorted(set(raw.source_rows))
    if declare or encoding != "cp932":
        # the bytes were decoded as written: every cell comes back as written
        width = _check_width(raw, header, rows[:kept])
        for i, row in enumerate(rows[:kept]):
            got = [None if pd.isna(v) else v for v in raw.frame.iloc[i, :width]]
            assert got == [c if c != "" else None for c in row], (i, row)
        # physical line of each record: header = line 1, quoted line breaks count
        line, expected = 1 + sum(c.count("\n") for c in header) + 1, []
        for row in rows[:kept]:
            expected.append(line)
            line += 1 + sum(c.count("\n") for c in row)
        if not any("\r" in c.replace("\r\n", "") for r in [header, *rows] for c in r):
            assert raw.source_rows == expected


def _xlsx_value(cell: str):
    """Excel stores numbers as numbers: a typed integer comes back as one."""
    if re.fullmatch(r"-?[1-9][0-9]{0,8}|0", cell):
        return int(cell)
    return cell if cell != "" else None


@SETTINGS
@given(export=exports())
def test_read_source_xlsx_keeps_every_record(tmp_path_factory, export):
    header, rows = export
    # an openpyxl string starting with "=" is written as a formula without a cached value
    header = [h.lstrip("=") or "x" for h in header]
    rows = [[c.lstrip("=") if c.startswith("=") else c for c in r] for r in rows]
    path = tmp_path_factory.mktemp("xlsx") / "export.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([_xlsx_value(c) for c in header])
    for row in rows:
        sheet.append([_xlsx_value(c) for c in row])
    workbook.save(path)
    try:
        raw = read_source(path)
    except SourceError as exc:
        assert "export.xlsx" in str(exc)
        return
    kept = _records_kept(rows)
    assert len(raw.frame) == kept
    assert raw.source_rows == list(range(2, 2 + kept))
    width = _check_width(raw, header, rows[:kept])
    for i, row in enumerate(rows[:kept]):
        got = [None if pd.isna(v) else v for v in raw.frame.iloc[i, :width]]
        # XML end-of-line handling turns a stored CR LF or CR into LF
        want = [c.replace("\r\n", "\n").replace("\r", "\n") if c != "" else None for c in row]
        assert got == want, (i, row)


# -------------------------------------------------------------------- load_study

SURVEY = survey_yaml("properties", ["{file: raw/a.csv, course: C1, wave: pre}",
                                   "{file: raw/b.xlsx, course: C1, wave: post}"],
                     constructs=False, missing=("無回答", "わからない"))
STUDY_HEADER = ["回答者コード", "役職", "DXの必要性を理解している", "DXは自分の仕事とは関係ない", "ご意見・ご感想"]
CODES = st.sampled_from(["0001", "1", "００２", "0003", "0000", "", " ", "abc", "0001 "])
STUDY_CELL = st.one_of(st.sampled_from(LABELS), st.sampled_from(DIRTY), st.sampled_from(WHITESPACE))


@st.composite
def study_rows(draw):
    rows = []
    for _ in range(draw(st.integers(0, 10))):
        if draw(st.integers(0, 5)) == 0:
            rows.append([""] * 5)
        else:
            rows.append([draw(CODES), draw(st.sampled_from(["課長", "主事", "係員", "", "\u3000"])),
                         draw(STUDY_CELL), draw(STUDY_CELL), draw(STUDY_CELL)])
    return rows


@SETTINGS
@given(pre=study_rows(), post=study_rows(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp932"]))
def test_load_study_conserves_rows(tmp_path_factory, pre, post, encoding):
    assume(_encodable(STUDY_HEADER, pre, encoding))
    root = tmp_path_factory.mktemp("study")
    (root / "raw").mkdir()
    (root / "survey.yaml").write_text(SURVEY, encoding="utf-8")
    (root / "courses.csv").write_text("course_id,title,audience\nC1,研修,all\n", encoding="utf-8")
    (root / "raw" / "a.csv").write_bytes(
        _csv_bytes(STUDY_HEADER, pre, encoding=encoding, newline="\r\n", quoting=csv.QUOTE_MINIMAL))
    workbook = openpyxl.Workbook()
    workbook.active.append(STUDY_HEADER)
    for row in post:
        workbook.active.append([_xlsx_value(c.lstrip("=")) for c in row])
    workbook.save(root / "raw" / "b.xlsx")

    study = dxsurvey.load_study(root)
    val = study.validation
    assert list(val.columns) == list(VALIDATION)
    # random cells may cost an item more than 5 % of its answers (label_loss): the only error allowed
    errors = val[(val["action"] == "error") & (val["problem"] != "label_loss")]
    assert errors.empty, errors["message"].tolist()
    for file, rows in (("raw/a.csv", pre), ("raw/b.xlsx", post)):
        kept_rows = study.submissions.loc[study.submissions["source_file"] == file, "source_row"]
        dropped = val[(val["source_file"] == file) & (val["action"] == "dropped")]["source_row"]
        assert not set(kept_rows) & set(dropped), "a row both kept and dropped"
        assert kept_rows.is_unique and dropped.is_unique
        assert len(kept_rows) + len(dropped) == _records_kept(rows), (file, rows)

    # no silent missing: a non-blank answer that became NA has a validation row
    ans = study.answers.merge(study.submissions[["submission_id", "source_file", "source_row"]],
                              on="submission_id")
    missing_labels = {"無回答", "わからない", "-", "ー", "―", "—"}
    flagged = set(zip(val["source_file"], val["source_row"].astype("float"), val["column"]))
    columns = {"q1": STUDY_HEADER[2], "q2": STUDY_HEADER[3]}
    for r in ans.itertuples(index=False):
        label = normalize_text(r.label) if isinstance(r.label, str) else None
        if pd.isna(r.value) and label is not None and label not in missing_labels:
            assert (r.source_file, float(r.source_row), columns[r.item_id]) in flagged, r
        if not pd.isna(r.value):
            assert 1 <= r.value <= 5


# ---------------------------------------------------------------------- prepost

from dxsurvey.stats.prepost import PREPOST_COLUMNS, prepost  # noqa: E402  (grouped with its tests)
from statsdata import make_study  # noqa: E402

#: (estimate, low, high) column triples of a prepost row
INTERVALS = (("diff", "diff_ci_low", "diff_ci_high"), ("effect", "effect_ci_low", "effect_ci_high"))


@st.composite
def small_studies(draw):
    """Random tiny studies: keyed or anonymous, 1-2 courses, 0-7 answers a wave,
    constant answers, all-missing items, missing audiences, partial pairs."""
    keyed = draw(st.booleans())
    n_items = draw(st.integers(1, 3))
    scale = draw(st.sampled_from(["agree5", "agree4", "agree6"]))
    top = {"agree4": 4, "agree5": 5, "agree6": 6}[scale]
    constant = draw(st.booleans())
    value = st.one_of(st.none(), st.integers(1, top)) if not constant else \
        st.one_of(st.none(), st.just(draw(st.integers(1, top))))
    all_missing = draw(st.sets(st.integers(0, n_items - 1), max_size=n_items))
    rows = []
    for course in draw(st.sampled_from([["C1"], ["C1", "C2"]])):
        people = draw(st.integers(0, 7))
        for person in range(people):
            for wave in ("pre", "post"):
                if draw(st.integers(0, 4)) == 0:
                    continue                       # this person skipped this wave
                row = {"course_id": course, "wave": wave,
                       "respondent_key": f"k{course}{person}" if keyed else pd.NA,
                       "audience": draw(st.sampled_from(["staff", "manager", pd.NA]))}
                for j in range(n_items):
                    v = None if j in all_missing else draw(value)
                    row[f"q{j + 1}"] = np.nan if v is None else float(v)
                rows.append(row)
    items = [f"q{j + 1}" for j in range(n_items)]
    wide = pd.DataFrame(rows, columns=["course_id", "wave", "respondent_key", "audience", *items])
    reverse = [i for i in items if draw(st.booleans())]
    constructs = {"c": tuple(items)} if draw(st.booleans()) else None
    min_cell = draw(st.integers(1, 5))
    study = make_study(wide, reverse=reverse, scale=scale, constructs=constructs, keyed=keyed,
                       min_cell=min_cell)
    return study, top


def _nan_or_between(values: pd.Series, low: float, high: float) -> bool:
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    return bool(np.all(np.isnan(x) | ((x >= low) & (x <= high))))


@settings(max_examples=50, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=small_studies(), by=st.sampled_from([(), ("course_id",), ("course_id", "audience")]),
       measures=st.sampled_from(["all", "items", "constructs"]),
       confidence=st.sampled_from([0.8, 0.95]))
def test_prepost_on_random_small_studies(data, by, measures, confidence):
    study, top = data
    try:
        res = prepost(study, by=by, measures=measures, confidence=confidence, n_boot=200)
    except ValueError:
        return
    assert tuple(res.columns) == PREPOST_COLUMNS
    assert _nan_or_between(res["p_val"], 0, 1) and _nan_or_between(res["p_adj"], 0, 1)
    assert _nan_or_between(res["top2_a"], 0, 1) and _nan_or_between(res["top2_b"], 0, 1)
    for col in ("mean_a", "mean_b", "median_a", "median_b"):
        assert _nan_or_between(res[col], 1, top), col
    for col in ("n_a", "n_b", "n_pairs", "n_unmatched_a", "n_unmatched_b"):
        counts = pd.to_numeric(res[col], errors="coerce").dropna()
        assert (counts >= 0).all() and (counts == counts.round()).all(), col
    assert set(res["design"].dropna()) <= {"paired", "independent"}
    for est, low, high in INTERVALS:
        e, lo, hi = (pd.to_numeric(res[c], errors="coerce").to_numpy(dtype=float) for c in (est, low, high))
        ok = ~(np.isnan(e) | np.isnan(lo) | np.isnan(hi))
        bad = ok & ~((lo <= e + 1e-9) & (e <= hi + 1e-9))
        assert not bad.any(), res.loc[bad, ["measure_id", "design", "n_a", "n_b", est, low, high, "ci_method"]]
    # rank-biserial effects are correlations
    rb = res[res["effect_type"] == "rank_biserial"]
    assert _nan_or_between(rb["effect"], -1, 1)
    assert _nan_or_between(rb["effect_ci_low"], -1, 1) and _nan_or_between(rb["effect_ci_high"], -1, 1)
