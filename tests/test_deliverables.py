"""Issue 15: the deliverables a city hall hands on — tables.xlsx, index.html, figures, print/PDF.

The demo checks use the session's `dxsurvey demo` run (conftest ``demo_run``).  LibreOffice
(tables.xlsx printed to PDF) and poppler (pdfinfo, pdftotext) are skipped when missing
outside CI and required in CI (.ci/run installs them, as it installs Chromium).
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from dxsurvey.reports import export

ROOT = Path(__file__).resolve().parents[1]
P_FORMAT = '[<0.001]"<.001";0.000'
SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _tool(name: str) -> str:
    """A command-line tool, or skip (fail in CI, where .ci/run installs it)."""
    path = shutil.which(name)
    if not path:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{name} is required in CI (.ci/run installs it with apt-get)")
        pytest.skip(f"{name} not installed")
    return path


# ---------------------------------------------------------------------------- tables.xlsx

def _linked(wb, cell):
    """The sheet and row a 目次 link points to (the table's caption)."""
    sheet, ref = cell.hyperlink.location.rsplit("!", 1)
    assert sheet.startswith("'") and sheet.endswith("'") and re.fullmatch(r"A\d+", ref), cell.hyperlink.location
    return wb[sheet[1:-1].replace("''", "'")], int(ref[1:])


def _block(ws, top: int) -> list[list]:
    """A table's rows from its header row (under the caption at ``top``) to the blank row after it."""
    rows = []
    for row in ws.iter_rows(min_row=top + 1):
        values = [c.value for c in row]
        if all(v is None for v in values):
            break
        rows.append(values)
    return rows


@pytest.fixture(scope="module")
def ctx_tables(tmp_path_factory):
    """A run folder with three tables written by ctx.table (metadata beside each CSV)."""
    from dxsurvey import pipeline
    from dxsurvey.reports import Context, ReportTable

    out = tmp_path_factory.mktemp("ctx_tables")
    ctx = Context.open(study=pipeline.demo_study(), out=out, name="99_test")
    frame = pd.DataFrame({
        "label": ["=HYPERLINK(\"x\")", "+通常", "@講師", "-0.5"],
        "n": [3, 12, 25, 40],
        "mean_a": [2.9166666666, 3.5, 4.25, -0.125],
        "p_val": [0.2, 3.3e-20, 0.0004, 0.04567],
        "pre": ["2.92 (0.68)", "3.50 (1.00)", "4.25 (0.10)", "—"],
    })
    ctx.table(ReportTable(frame, "hostile", caption="report.empty_table", n_cols=("n",)))
    ctx.table(ReportTable(pd.DataFrame({"course_id": ["C1"], "n": [30]}), "same_a", n_cols=("n",)))
    ctx.table(ReportTable(pd.DataFrame({"course_id": ["C1"], "n": [30]}), "same_b", n_cols=("n",)))
    return out


def test_ctx_table_csv_is_spreadsheet_safe_and_has_metadata(ctx_tables):
    data = (ctx_tables / "tables" / "hostile.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")                               # UTF-8 with BOM
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    labels = [r[0] for r in rows[1:]]
    assert labels == ["'=HYPERLINK(\"x\")", "'+通常", "'@講師", "-0.5"]     # a number stays a number
    means = [r[rows[0].index("mean_a")] for r in rows[1:]]
    assert means[-1] == "-0.125"
    meta = json.loads((ctx_tables / "tables" / "hostile.meta.json").read_text("utf-8"))
    assert meta["report"] == "99_test" and meta["number"] == 1 and meta["n_cols"] == ["n"]
    assert meta["caption"] == "（該当するデータがありません）" and meta["hidden"] is True
    assert meta["p_cols"] == ["p_val"] and "n" in meta["suppressed_columns"]


def test_write_xlsx_types_formats_hidden_cells_and_links(ctx_tables):
    from openpyxl import load_workbook

    wb = load_workbook(export.write_xlsx(ctx_tables, language="ja"))
    # two short tables of one report (same_a and same_b shown once): one sheet, one below the other
    assert wb.sheetnames == ["目次", "1 99_test（2表）"]
    contents = wb["目次"]
    assert [c.value for c in contents[1]] == ["シート", "レポート", "表番号", "表題", "CSVファイル"]
    assert [c.value for c in contents["A"][1:]] == [wb.sheetnames[1]] * 2
    assert contents["A2"].hyperlink.location == f"'{wb.sheetnames[1]}'!A1"
    assert contents["E3"].value == "same_a.csv, same_b.csv"
    ws = wb[wb.sheetnames[1]]
    assert ws["A1"].value == "表1　（該当するデータがありません）"
    # the second table under the first one's footnote and a blank row, its caption where its link points
    assert contents["A3"].hyperlink.location == f"'{ws.title}'!A10"
    assert [ws["A10"].value, ws["A11"].value, ws["B11"].value, ws["A12"].value, ws["B12"].value] == \
        ["表2, 表3　same_a / same_b", "研修ID", "人数", "C1", 30]
    assert ws["A8"].value.startswith("—: ") and ws["A9"].value is None
    headers = [c.value for c in ws[2]]
    assert headers == ["内容", "人数", "平均(A)", "p値", "事前 M", "事前 SD"]   # no `suppressed` column
    rows = list(ws.iter_rows(min_row=3, max_row=6))
    # hostile text is text; the row of n = 3 (and its complement, n = 12) are hidden as in
    # HTML, with the footnote
    assert rows[0][0].value == '=HYPERLINK("x")' and rows[0][0].data_type == "s"
    assert [c.value for c in rows[0][1:4]] == ["—", "—", "—"]
    suppressed = pd.read_csv(ctx_tables / "tables" / "hostile.csv", encoding="utf-8-sig")["suppressed"].tolist()
    assert [r[1].value == "—" for r in rows] == suppressed == [True, True, False, False]
    assert any(isinstance(c.value, str) and c.value.startswith("—: 回答者が5人未満")
               for c in ws["A"])
    n, mean, p, m, sd = rows[2][1:6]
    assert (n.value, n.number_format) == (25, "0")
    assert mean.value == 4.25 and mean.number_format == "0.00"
    assert p.value == pytest.approx(0.0004) and p.number_format == P_FORMAT       # shown as <.001
    assert (m.value, sd.value, m.number_format) == (4.25, 0.1, "0.00")          # "4.25 (0.10)" as numbers
    assert rows[3][0].value == "-0.5" and rows[3][4].value == "—"
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    # several tables on a sheet: no header row frozen or repeated (it would be the first table's)
    assert ws.freeze_panes is None and ws.print_title_rows is None and not ws.row_breaks.brk
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9   # A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_write_xlsx_from_tables_read_ahead_is_the_same_workbook(ctx_tables, tmp_path):
    """`dxsurvey run` reads each report's tables when it finishes (prefetch_tables); the
    workbook is the same as one read at the end, a table changed after it was read ahead is
    read again, and the cache is emptied once the workbook is written."""
    import shutil

    from openpyxl import load_workbook

    def cells(path):
        wb = load_workbook(path)
        return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb}

    plain = cells(shutil.copy(export.write_xlsx(ctx_tables, language="ja"), tmp_path / "plain.xlsx"))
    csvs = sorted((ctx_tables / "tables").glob("*.csv"))
    export.prefetch_tables(csvs)
    assert {p for p in export._SHOWN if p.parent == ctx_tables / "tables"} == set(csvs)
    frame, _ = export._read_shown({"csv": csvs[0]})
    frame.iloc[:, 0] = "changed by a caller"                 # callers get a copy
    assert cells(export.write_xlsx(ctx_tables, language="ja")) == plain
    assert not [p for p in export._SHOWN if p.parent == ctx_tables / "tables"]
    # read ahead, then rewritten (another size): the new contents are shown
    export.prefetch_tables(csvs)
    hostile = ctx_tables / "tables" / "hostile.csv"
    original = hostile.read_bytes()
    try:
        hostile.write_bytes(original.replace("'+通常".encode(), "'+書き換え後".encode()))
        sheet = cells(export.write_xlsx(ctx_tables, language="ja"))["1 99_test（2表）"]
        assert ["+書き換え後" in row for row in sheet].count(True) == 1
    finally:
        hostile.write_bytes(original)


def test_write_xlsx_stacks_tables_of_one_caption_and_keeps_empty_tables_apart(tmp_path):
    """Tables of one caption for each construct share a sheet with a column naming the
    construct; two empty tables with different captions stay two sheets; a table written
    but not shown is listed without a number."""
    from openpyxl import load_workbook

    from dxsurvey import pipeline
    from dxsurvey.reports import Context, ReportTable

    ctx = Context.open(study=pipeline.demo_study(), out=tmp_path, name="20_comparison")
    for name, label, p in (("terms_a", "=必要性", 0.04), ("terms_b", "自分事化", 0.0002)):
        ctx.table(ReportTable(pd.DataFrame({"term": ["講師"], "df": [2], "p_val": [p]}), name,
                              "20_comparison.cap_terms", caption_args={"label": label}))
    empty = pd.DataFrame({"group": pd.Series([], dtype=object), "n_docs": pd.Series([], dtype=int)})
    for name, grouping, caption in (("codes_x", "形式×時点", "25_free_text.cap_n"),
                                    ("codes_y", "研修スタイル×時点", "10_course_report.cap_quotes")):
        ctx.table(ReportTable(empty, name, caption, n_cols=("n_docs",)))
        ctx.table(ReportTable(pd.DataFrame({"word": ["w"]}), f"full_{name}", "25_free_text.cap_codes",
                              caption_args={"grouping": grouping, "n_note": "N = 7"}), show=False)
    wb = load_workbook(export.write_xlsx(tmp_path, language="ja"))
    rows = [[c.value for c in row] for row in wb["目次"].iter_rows(min_row=2)]
    assert [r[4] for r in rows] == ["terms_a.csv, terms_b.csv", "codes_x.csv", "codes_y.csv",
                                    "full_codes_x.csv, full_codes_y.csv"]
    assert rows[0][2:4] == ["表1, 表2", "要因の検定（タイプII、構成概念ごと）"]
    assert rows[3][2] in (None, "") and rows[3][3] == "コード（集計単位ごと）"
    # four short tables of one report: one sheet, each table at its link under its caption
    assert len(wb.sheetnames) == 2 and {r[0] for r in rows} == {wb.sheetnames[1]}
    links = [_linked(wb, row[0]) for row in wb["目次"].iter_rows(min_row=2)]
    ws, top = links[0]
    assert top == 1 and ws[f"A{top}"].value == "表1, 表2　要因の検定（タイプII、構成概念ごと）"
    assert [c.value for c in ws[top + 1]][:4] == ["構成概念", "項", "自由度", "p値"]
    assert [c.value for c in ws["A"][top + 1:top + 3]] == ["=必要性", "自分事化"] and ws["A3"].data_type == "s"
    assert ws["D4"].value == pytest.approx(0.0002) and ws["D4"].number_format == P_FORMAT
    ws, top = links[3]
    assert ws[f"A{top}"].value == "コード（集計単位ごと）"
    assert [r[0] for r in _block(ws, top)] == ["集計単位", "形式×時点", "研修スタイル×時点"]
    assert [ws[f"A{t}"].value for _, t in links[1:3]] == ["表3　時点別の分析対象", "表4　自由記述（個人情報はマスク済み）"]


def test_write_xlsx_puts_short_tables_of_a_report_on_one_sheet_and_long_ones_apart(tmp_path):
    """A report's consecutive short tables share a sheet, a page break before one that would not
    fit on the rest of the page; a table longer than a page has a sheet of its own, its header
    rows frozen and repeated; tables of another report start another sheet."""
    from openpyxl import load_workbook

    from dxsurvey import pipeline
    from dxsurvey.reports import Context, ReportTable

    study = pipeline.demo_study()
    ctx = Context.open(study=study, out=tmp_path, name="99_a")
    for name, rows in (("short_1", 12), ("short_2", 30), ("long", 120), ("short_3", 5), ("short_4", 6)):
        frame = pd.DataFrame({"item": [f"{name} {i}" for i in range(rows)], "mean_a": [i / 7 for i in range(rows)]})
        ctx.table(ReportTable(frame, name))
    Context.open(study=study, out=tmp_path, name="99_b").table(
        ReportTable(pd.DataFrame({"item": ["other 0"], "mean_a": [1.5]}), "other"))
    wb = load_workbook(export.write_xlsx(tmp_path, language="ja", reports=[("99_a", "A"), ("99_b", "B")]))
    contents = list(wb["目次"].iter_rows(min_row=2))
    assert wb.sheetnames == ["目次", "1 A（2表）", "2 long", "3 A（2表）", "4 other"]
    assert [row[0].value for row in contents] == [wb.sheetnames[i] for i in (1, 1, 2, 3, 3, 4)]
    links = [_linked(wb, row[0]) for row in contents]
    assert [top for _, top in links] == [1, 16, 1, 1, 9, 1]
    for (ws, top), row in zip(links, contents):
        assert ws.cell(row=top, column=1).value == f"{row[2].value}　{row[4].value[:-4]}"
        rows = _block(ws, top)
        assert rows[0] == ["項目", "平均(A)"] and rows[1][0] == f"{row[4].value[:-4]} 0"
    shared, long = wb["1 A（2表）"], wb["2 long"]
    # 12 + 30 rows do not fit one page: the second table starts the next one, whole
    assert [b.id for b in shared.row_breaks.brk] == [15]
    assert shared.freeze_panes is None and shared.print_title_rows is None
    assert long.freeze_panes == "A3" and long.print_title_rows == "$1:$2" and not long.row_breaks.brk
    assert len(_block(long, 1)) == 121
    assert not wb["3 A（2表）"].row_breaks.brk and wb["4 other"].freeze_panes == "A3"
    for ws in wb.worksheets[1:]:
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage


def test_demo_workbook(demo_run):
    from openpyxl import load_workbook

    wb = load_workbook(demo_run.out / "tables.xlsx")
    names = wb.sheetnames
    assert names[0] == "目次" and 20 <= len(names) <= 70
    assert len({n.lower() for n in names}) == len(names)
    assert all(len(n) <= 31 and not SHEET_BAD.search(n) for n in names)
    assert sum(bool(re.search(r"[ぁ-んァ-ヶ一-龥]", n)) for n in names) >= len(names) - 3
    # every table listed with its sheet, in sheet order, its link on its caption; fewer sheets
    # than tables (a report's short tables share one)
    listed = [row[0].value for row in wb["目次"].iter_rows(min_row=2)]
    assert list(dict.fromkeys(listed)) == names[1:] and len(listed) > len(names) + 10
    blocks = {}
    for row in wb["目次"].iter_rows(min_row=2):
        ws, top = _linked(wb, row[0])
        assert ws.title == row[0].value
        title = f"{row[2].value}　{row[3].value}" if row[2].value else row[3].value
        assert ws.cell(row=top, column=1).value == title, (ws.title, top)
        assert ws.cell(row=top, column=1).font.bold and all(c.font.bold for c in ws[top + 1] if c.value)
        assert top == 1 or ws.cell(row=top - 1, column=1).value is None
        blocks[row[4].value] = (ws, top, _block(ws, top))
    # report order: validation first, the research report's appendix last
    reports = [row[1].value for row in wb["目次"].iter_rows(min_row=2)]
    assert reports[0] == "データ検証" and reports.index("研修報告") < reports.index("調査報告（研究レポート）")
    # every report that wrote tables has its sheets, named in Japanese in the contents
    record = json.loads((demo_run.out / "run.json").read_text("utf-8"))
    titles = {r["title"] for r in record["reports"] if not r["name"].startswith("10_")} | {"研修報告"}
    assert {"自由記述の分析", "次の研修の計画"} <= set(reports)
    assert set(reports) <= titles | {" / ".join(("講師・形式・スタイル・対象の比較", "調査報告（研究レポート）"))}
    assert reports.index("講師・形式・スタイル・対象の比較") < reports.index("自由記述の分析") \
        < reports.index("次の研修の計画") < reports.index("調査報告（研究レポート）")
    # one sheet for course_by_course and research_course_by_course (one table, two reports)
    csvs = [row[4].value for row in wb["目次"].iter_rows(min_row=2)]
    assert sum("course_by_course.csv" in c for c in csvs) == 1
    metas = {p.name[:-len(".meta.json")] + ".csv": json.loads(p.read_text("utf-8"))
             for p in (demo_run.out / "tables").glob("*.meta.json")}
    assert sorted(c for cell in csvs for c in cell.split(", ")) == sorted(
        p.name for p in (demo_run.out / "tables").glob("*.csv"))               # every CSV has its sheet
    for row in wb["目次"].iter_rows(min_row=2):
        stems = row[4].value.split(", ")
        assert all(metas[c]["caption"] for c in stems), row[4].value
        if len(stems) > 1 and len({metas[c]["caption"] for c in stems}) > 1 and "講座分" not in row[3].value:
            # tables of one caption for each construct, word, code...: a column names each one
            keys = {metas[c]["caption_key"] for c in stems}
            assert len(keys) == 1 and keys <= set(export.STACKED_BY) or row[3].value == " / ".join(
                dict.fromkeys(metas[c]["caption"] for c in stems)), (row[3].value, stems)
    def table(prefix: str) -> list[list]:
        return next(rows for csv_cell, (_, _, rows) in blocks.items() if csv_cell.startswith(prefix))

    by_construct = table("terms_")
    assert by_construct[0][0] == "構成概念"
    assert {r[0] for r in by_construct[1:]} >= {"DXの必要性の理解", "自分事化"}
    kwic = table("freetext_kwic_")
    assert kwic[0][0] == "語" and len({r[0] for r in kwic[1:]}) == 3
    per_course = table("course_changes_")
    assert per_course[0][0] == "構成概念" and len({r[0] for r in per_course[1:]}) == 4
    collocations = table("freetext_collocations_")
    assert collocations[0][:2] == ["検索語", "語"] and {r[0] for r in collocations[1:]} == {"時間", "知る", "業務"}
    # the courses' facts: one row per course, a column per fact
    facts = table("course_facts_")
    assert len(facts) == 1 + 8 and "研修名" in facts[0]
    # the full lists of quotes (written, not shown): in the demo no longer than the selections
    # shown, so listed on their sheet, under both captions
    quotes = [row for row in wb["目次"].iter_rows(min_row=2) if "all_quotes_" in row[4].value]
    assert len(quotes) == 1 and quotes[0][1].value == "研修報告"
    assert quotes[0][4].value.startswith("quotes_") and "自由記述の全件" in quotes[0][3].value
    with_hidden = {row[4].value for row in wb["目次"].iter_rows(min_row=2)
                   if any(metas[c]["hidden"] for c in row[4].value.split(", "))}
    assert len(with_hidden) >= 5
    bodies, floats, p_cells, ints = set(), 0, 0, 0
    for csv_cell, (ws, top, rows) in blocks.items():
        assert not {"suppressed", "p_val", "sd_a", "mean_a", "n"} & set(rows[0]), (ws.title, top)
        body = tuple(tuple(r) for r in rows)
        assert body not in bodies, f"duplicate table {ws.title} row {top}"
        bodies.add(body)
        hidden = False
        for row in ws.iter_rows(min_row=top + 2, max_row=top + len(rows)):
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate)
                if isinstance(c.value, float):
                    assert c.number_format in ("0.00", P_FORMAT), (ws.title, c.coordinate, c.number_format)
                    floats += 1
                    p_cells += c.number_format == P_FORMAT
                elif isinstance(c.value, int) and c.number_format == "0":
                    ints += 1
                elif isinstance(c.value, str) and re.fullmatch(r"-?\d+\.\d+ \(\d+\.\d+\)", c.value):
                    pytest.fail(f"M (SD) as text in {ws.title} {c.coordinate}")
                hidden |= c.value == "—"
        note = ws.cell(row=top + len(rows) + 2, column=1).value
        if csv_cell in with_hidden:       # "—" as in HTML, with the footnote under the table
            assert hidden and isinstance(note, str) and note.startswith("—: "), (ws.title, top)
    assert floats > 1000 and p_cells > 100 and ints > 500
    for ws in wb.worksheets[1:]:
        tops = [t for w, t, _ in blocks.values() if w is ws]
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1, ws.title
        if len(tops) == 1:                # one table: its header row frozen and printed on every page
            assert ws.freeze_panes == "A3" and ws.print_title_rows == "$1:$2", ws.title
        else:                             # several: a page breaks only where a table starts
            assert ws.freeze_panes is None and ws.print_title_rows is None, ws.title
            assert {b.id + 1 for b in ws.row_breaks.brk} <= set(tops[1:]), ws.title


def test_demo_workbook_prints_on_at_most_60_a4_pages(demo_run, tmp_path):
    """LibreOffice opens tables.xlsx (no repair) and prints it on at most 60 A4 pages; no table
    of a sheet holding several is cut by a page break LibreOffice chose (each page says its sheet)."""
    from openpyxl import load_workbook

    soffice = _tool("soffice")
    pdfinfo = _tool("pdfinfo")
    pdftotext = _tool("pdftotext")
    proc = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(demo_run.out / "tables.xlsx")],
                          capture_output=True, text=True, timeout=1800)
    pdf = tmp_path / "tables.pdf"
    assert pdf.is_file(), proc.stderr[-2000:]
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, timeout=300).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
    wb = load_workbook(demo_run.out / "tables.xlsx")
    print(f"tables.xlsx: {len(wb.sheetnames)} sheets, printed on {pages} A4 pages")
    assert 10 <= pages <= 60, pages
    assert float(size.group(1)) > float(size.group(2))                       # landscape
    assert abs(float(size.group(1)) - 842) < 3 and abs(float(size.group(2)) - 595) < 3   # A4
    # the footer of each page: its sheet's name, then "page / pages"
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=300).stdout
    printed: dict[str, int] = {}
    for number, page in enumerate(text.split("\f")[:pages], start=1):
        footer = [line for line in page.splitlines() if line.strip()][-1]
        assert re.search(rf"\b{number} / {pages}\s*$", footer), footer
        sheet = max((n for n in wb.sheetnames if footer.strip().startswith(n)), key=len, default=None)
        assert sheet, footer
        printed[sheet] = printed.get(sheet, 0) + 1
    assert list(printed) == wb.sheetnames
    tables = [row[0].value for row in wb["目次"].iter_rows(min_row=2)]
    for ws in wb.worksheets[1:]:
        if tables.count(ws.title) > 1:
            assert printed[ws.title] == len(ws.row_breaks.brk) + 1, (ws.title, printed[ws.title])


# ---------------------------------------------------------------------------- index.html

def test_index_downloads_grouped_by_report_with_local_time(demo_run):
    page = (demo_run.out / "index.html").read_text("utf-8")
    record = json.loads((demo_run.out / "run.json").read_text("utf-8"))
    sections = re.findall(r'<section class="downloads" id="dl-([^"]+)">\s*<h3>(.*?)</h3>', page)
    assert [s[0] for s in sections][:1] == ["00_validation"]
    assert {s[0] for s in sections} == {r["name"] for r in record["reports"]}
    # every CSV is linked once, beside its caption; no paragraph of file names
    links = re.findall(r'<a href="tables/([^"]+\.csv)">CSV</a>', page)
    assert sorted(links) == sorted(p.name for p in (demo_run.out / "tables").glob("*.csv"))
    assert "構成概念・項目ごとの変化と効果量" in page and "受講者の反応の回答分布" in page
    # each report's heading is its Japanese name (no file name), its tables in number order
    headings = dict(sections)
    assert headings["25_free_text"] == "自由記述の分析" and headings["30_next_course"] == "次の研修の計画"
    assert all(re.search(r"[ぁ-んァ-ヶ一-龥]", h) and not re.search(r"\d\d_[a-z]", h) for h in headings.values())
    for name in ("25_free_text", "30_next_course"):
        block = page[page.index(f'id="dl-{name}"'):]
        block = block[:block.index("</section>")]
        numbers = [int(n) for n in re.findall(r'<td class="nowrap">表(\d+)</td>', block)]
        assert len(numbers) >= 5 and numbers == sorted(numbers), (name, numbers)
        assert re.search(r'<a href="pdf/[^"]+\.pdf">', block) or not (demo_run.out / "pdf").is_dir()
    assert len(re.findall(r'<a href="figures/[^"]+\.png">PNG</a>', page)) == len(
        list((demo_run.out / "figures").glob("*.png")))
    started = re.search(r'<time datetime="([^"]+)">([^<]+)</time>', page)
    assert started.group(1) == record["started"]
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d（Asia/Tokyo）", started.group(2)), started.group(2)


def test_local_time_zone_and_era(tmp_path):
    from dxsurvey import load_study
    from dxsurvey.codebook import CodebookError
    from dxsurvey.pipeline import local_time

    assert local_time("2026-04-01T00:30:00+09:00") == "2026年4月1日 00:30（Asia/Tokyo）"
    assert local_time("2026-03-31T15:30:00+00:00") == "2026年4月1日 00:30（Asia/Tokyo）"   # UTC -> JST
    assert local_time("2026-03-31T15:30:00+00:00", era="reiwa") == "令和8年4月1日 00:30（Asia/Tokyo）"
    assert local_time("2019-04-30T12:00:00+09:00", era="reiwa") == "2019年4月30日 12:00（Asia/Tokyo）"  # 平成
    assert local_time("2026-03-31T15:30:00+00:00", "America/New_York", "western", "en") == \
        "2026-03-31 11:30 (America/New_York)"
    study = tmp_path / "s"
    shutil.copytree(ROOT / "data" / "demo", study, ignore=shutil.ignore_patterns("processed", ".dxsurvey_key"))
    yaml = (study / "survey.yaml").read_text("utf-8")
    (study / "survey.yaml").write_text(yaml + "\ntimezone: Europe/Berlin\nera: reiwa\n", "utf-8")
    cb = load_study(study).codebook
    assert (cb.timezone, cb.era) == ("Europe/Berlin", "reiwa")
    (study / "survey.yaml").write_text(yaml + "\nera: showa\n", "utf-8")
    with pytest.raises(CodebookError, match="era"):
        load_study(study)
    (study / "survey.yaml").write_text(yaml + "\ntimezone: Mars/Olympus\n", "utf-8")
    with pytest.raises(CodebookError, match="timezone"):
        load_study(study)


# ---------------------------------------------------------------------------- figures

def test_figure_index_and_titles_in_files(demo_run):
    with open(demo_run.out / "figures" / "index.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    pngs = sorted(p.name for p in (demo_run.out / "figures").glob("*.png"))
    assert sorted(r["file"] for r in rows) == pngs
    assert all(r["caption"] and r["label"].startswith("図") and r["report"] for r in rows)
    assert rows[0]["report"].startswith("10_course_report") or rows[0]["report"] == "00_validation"
    assert {"file", "number", "caption", "report"} <= set(rows[0])
    titles = {r["report"]: r["report_title"] for r in rows}
    assert titles["25_free_text"] == "自由記述の分析" and titles["30_next_course"] == "次の研修の計画"
    for report in ("25_free_text", "30_next_course"):
        numbers = [int(r["number"]) for r in rows if r["report"] == report]
        assert numbers == list(range(1, len(numbers) + 1)), (report, numbers)


def test_ctx_figure_title_on_by_default_off_by_parameter(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt
    from PIL import Image

    from dxsurvey import pipeline
    from dxsurvey.reports import Context
    from dxsurvey.reports.context import FIGURE_TITLES_ENV

    heights = {}
    for titles in ("1", "0"):
        monkeypatch.setenv(FIGURE_TITLES_ENV, titles)
        ctx = Context.open(study=pipeline.demo_study(), out=tmp_path / titles, name="99_test")
        fig, ax = plt.subplots(figsize=(6, 3))
        ax.bar([1, 2], [3, 4])
        ctx.figure(fig, "bars", "回答の分布", close=False)
        title = fig._suptitle.get_text() if fig._suptitle is not None else ""
        assert title == ("図1　回答の分布" if titles == "1" else ""), title
        plt.close(fig)
        heights[titles] = Image.open(tmp_path / titles / "figures" / "bars.png").size[1]
        meta = json.loads((tmp_path / titles / "figures" / "bars.meta.json").read_text("utf-8"))
        assert meta["caption"] == "回答の分布" and meta["label"] == "図1"
    assert heights["1"] > heights["0"] + 20        # the title takes room in the image


def test_figure_title_does_not_cover_a_tight_layout_figure(tmp_path):
    """A figure laid out once by ``tight_layout`` (no layout engine left to make room, as
    the planning report's) grows by the title: it covers no axes title, tick or label."""
    import matplotlib.pyplot as plt

    from dxsurvey import pipeline
    from dxsurvey.reports import Context

    ctx = Context.open(study=pipeline.demo_study(), out=tmp_path, name="99_test")
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.6))
    for ax, name in zip(axes, ("管理職", "一般職員")):
        ax.plot([1, 2], [1, 2])
        ax.set_title(name)
    fig.tight_layout()
    height = fig.get_figheight()
    ctx.figure(fig, "tight", "到達度×変化の4象限（破線: 平均）", close=False)
    renderer = fig.canvas.get_renderer()
    title = fig._suptitle.get_window_extent(renderer)
    tops = [ax.get_tightbbox(renderer).y1 for ax in axes]
    plt.close(fig)
    assert fig.get_figheight() > height
    assert title.y0 >= max(tops), (title, tops)


# ---------------------------------------------------------------------------- PDF

class _Heads(HTMLParser):
    """The column headers of every table of a report page (ctx.table's and the planning
    report's one-page plan)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[list[str]] = []
        self._in_th = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "th" and self.tables:
            self._in_th = True
            self.tables[-1].append("")

    def handle_endtag(self, tag):
        if tag == "th":
            self._in_th = False

    def handle_data(self, data):
        if self._in_th:
            self.tables[-1][-1] += data


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.slow
def test_pdf_has_page_numbers_title_and_every_column(demo_run, tmp_path):
    """Each report printed to A4 by Chromium keeps every table's column headers, with the
    report title and "page / pages" in the footer."""
    if export.chromium() is None:
        _tool("chromium")
    pdftotext = _tool("pdftotext")
    run = tmp_path / "run"
    shutil.copytree(demo_run.out / "html", run / "html")
    record = json.loads((demo_run.out / "run.json").read_text("utf-8"))
    chosen = [r for r in record["reports"] if r["name"] in ("00_validation", "20_comparison", "25_free_text",
                                                            "30_next_course", "40_research_report")
              or r["name"].endswith("C2024-01")]
    assert len(chosen) == 6
    written = export.write_pdfs(run, [(r["name"], r["title"]) for r in chosen], language="ja")
    assert [p.name for p in written] == [f"{r['name']}.pdf" for r in chosen]
    for rep, pdf in zip(chosen, written):
        text = subprocess.run([pdftotext, "-raw", str(pdf), "-"], capture_output=True, text=True,
                              timeout=600).stdout
        pages = text.split("\f")
        pages = [p for p in pages if p.strip()]
        assert len(pages) >= 1
        for i, page in enumerate(pages, start=1):
            assert re.search(rf"(?<!\d){i}\s*/\s*{len(pages)}(?!\d)", page), (pdf.name, i)
        assert _squash(rep["title"])[:20] in _squash(text)
        heads = _Heads()
        heads.feed((run / "html" / f"{rep['name']}.html").read_text("utf-8"))
        flat = _squash(text)
        missing = [h for t in heads.tables for h in t if _squash(h) and _squash(h) not in flat]
        assert heads.tables and not missing, (pdf.name, missing[:5])


def test_pdf_without_chromium_says_what_to_install(tmp_path, monkeypatch, capsys):
    from dxsurvey import cli

    monkeypatch.setattr(export, "chromium", lambda: None)
    assert cli.main(["demo", "--out", str(tmp_path / "x"), "--quiet", "--pdf"]) == 2
    err = capsys.readouterr().err
    assert "Chromium" in err and "apt-get install chromium" in err
    assert not (tmp_path / "x").exists()


def test_likert_legend_names_the_skill_scale_anchors(tmp_path):
    """The skill scale (num5: labels "1".."5") shows what its ends mean in the legend."""
    import matplotlib.pyplot as plt

    from dxsurvey import load_study, pipeline
    from dxsurvey.codebook import CodebookError
    from dxsurvey.reports.common import likert_figure

    study = load_study(pipeline.demo_study())
    scale = study.codebook.scales["num5"]
    assert [scale.label_of(v) for v in scale.values] == ["1（苦手）", "2", "3", "4", "5（得意）"]
    assert study.codebook.scales["agree5"].label_of(1) == "そう思わない"          # no anchors: as before
    fig = likert_figure(study, items=["skill"])
    legends = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    plt.close(fig)
    assert "1（苦手）" in legends and "5（得意）" in legends, legends
    copy = tmp_path / "s"
    shutil.copytree(ROOT / "data" / "demo", copy, ignore=shutil.ignore_patterns("processed", ".dxsurvey_key"))
    yaml = (copy / "survey.yaml").read_text("utf-8")
    (copy / "survey.yaml").write_text(yaml.replace("anchors: {1: 苦手, 5: 得意}", "anchors: {0: 苦手}"), "utf-8")
    with pytest.raises(CodebookError, match="anchors"):
        load_study(copy)
