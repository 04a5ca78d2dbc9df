"""Issue 11 point 1: a study's values are escaped before they meet Markdown or HTML.

The demo study with hostile strings as its survey name, construct labels, item labels,
course titles and an instructor renders every real report (papermill), and no page
carries an element, attribute or link the data introduced.
"""
from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

from dxsurvey.reports.format import Markup, escape_md

ROOT = Path(__file__).resolve().parents[1]
IMG = "<img src=x onerror=alert(1)>"
LINK = "[link](javascript:alert(1))"
SCRIPT = "<script>alert(1)</script>"


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside each <script>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_script = tag == "script"
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def _dangers(page: str) -> list[str]:
    p = _Elements()
    p.feed(page)
    found = []
    for tag, attrs in p.tags:
        if tag == "img" and attrs.get("src", "").strip() == "x":
            found.append(f"<img src=x> {attrs}")
        for name, value in attrs.items():
            if name.startswith("on") and "alert" in value:
                found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and value.strip().lower().startswith("javascript:"):
                found.append(f"<{tag} {name}={value!r}>")
    found += [f"<script>{s.strip()[:60]}</script>" for s in p.scripts if "alert(1)" in s]
    return found


def test_escape_md_leaves_no_markup():
    for value in (IMG, LINK, SCRIPT, "# 見出し", "1. 番号", "- 箇条", "| a | b |", "**太字**", "`code`"):
        out = escape_md(value)
        assert "<" not in out and ">" not in out
        assert not re.search(r"(?<!\\)[\[\]()*_`#|]", out), out
    assert escape_md("DXの必要性") == "DXの必要性" and escape_md(None) == "—"
    assert escape_md(Markup("**kept**")) == "**kept**"       # a report function's own markup stays


def test_hostile_markdown_renders_as_text(tmp_path):
    """ctx.md: the template is markup, the value is text, whatever it holds (nbconvert's renderer)."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    rendered = markdown2html_mistune("# 題 " + escape_md(LINK) + " " + escape_md(IMG) + escape_md(SCRIPT))
    assert _dangers(rendered) == []
    links = re.findall(r'<a [^>]*href="([^"]*)"', rendered)
    assert all(h.startswith("#") for h in links), links      # only the heading's own anchor
    assert "[link](javascript:alert(1))" in rendered.replace("&lt;", "<")   # shown as written


def _hostile_study(tmp_path: Path) -> Path:
    study = tmp_path / "hostile"
    shutil.copytree(ROOT / "data" / "demo", study)
    yaml = (study / "survey.yaml").read_text(encoding="utf-8")
    for old, new in (
        ("survey: demo-city-dx-training", f'survey: "{IMG}"'),
        ("label: DXの必要性の理解", f'label: "{LINK}"'),
        ("label: 自分事化", f'label: "{SCRIPT}"'),
        ("{id: nec1, column: DXは市役所の業務に必要だと思う,", f'{{id: nec1, label: "{IMG}", column: DXは市役所の業務に必要だと思う,'),
        ("{id: own1, column: DXを自分の業務の課題として考えている,",
         f'{{id: own1, label: "{LINK}", column: DXを自分の業務の課題として考えている,'),
    ):
        assert old in yaml, old
        yaml = yaml.replace(old, new)
    (study / "survey.yaml").write_text(yaml, encoding="utf-8")
    courses = (study / "courses.csv").read_text(encoding="utf-8")
    for old, new in (("管理職向けDX研修,", f'"{SCRIPT}",'), ("一般職員向けDX研修（第1回）,", f'"{LINK}",'),
                     (",元自治体幹部,", f',"{IMG}",')):
        assert old in courses, old
        courses = courses.replace(old, new, 1)
    (study / "courses.csv").write_text(courses, encoding="utf-8")
    return study


def test_hostile_values_render_as_text_in_every_report(tmp_path):
    from dxsurvey import load_study, pipeline

    study = _hostile_study(tmp_path)
    st = load_study(study)
    assert st.codebook.survey == IMG and st.codebook.constructs["necessity"].label == LINK
    result = pipeline.run(("all",), study=st, out=tmp_path / "run", progress=False, jobs=2)
    failed = [(r.name, r.error) for r in result.reports if not r.ok]
    assert not failed
    pages = sorted((tmp_path / "run").rglob("*.html"))
    assert len(pages) >= 5
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert _dangers(text) == [], page.name
        assert "<img src=x" not in text and "<script>alert" not in text and 'href="javascript:' not in text
    # the values are on the pages, as text
    course_page = next(p for p in pages if p.name.startswith("10_course_report_C2024-01"))
    shown = course_page.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown


# ---------------------------------------------------------------------------- issue 11 point 2

# (a TAB or CR at the start of a value comes from survey.yaml below: a CR inside a quoted field
# of a raw CSV is the readers' business)
FORMULAS = ("=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0")


def _formula_study(tmp_path: Path) -> Path:
    """The demo study with spreadsheet formulas as construct and item labels, course titles,
    an instructor and every free-text comment of one course."""
    import csv
    import io

    study = tmp_path / "formula"
    shutil.copytree(ROOT / "data" / "demo", study)
    yaml = (study / "survey.yaml").read_text(encoding="utf-8")
    for old, new in (
        ("label: DXの必要性の理解", 'label: "=1+2"'),
        ("label: 自分事化", 'label: "@SUM(A1:A2)"'),
        ("{id: nec1, column: DXは市役所の業務に必要だと思う,", '{id: nec1, label: "-1+2", column: DXは市役所の業務に必要だと思う,'),
        ("label: 部下・同僚の改善提案を支援する", 'label: "\\t=1+2 支援"'),
        ("label: やめられる業務を見つける", 'label: "\\r=1+2 業務"'),
    ):
        assert old in yaml, old
        yaml = yaml.replace(old, new)
    (study / "survey.yaml").write_text(yaml, encoding="utf-8")
    courses = (study / "courses.csv").read_text(encoding="utf-8")
    for old, new in (("管理職向けDX研修,", '"=HYPERLINK(""http://x"",""管理職"")",'),
                     ("一般職員向けDX研修（第1回）,", '"+一般職員向け",'),
                     (",元自治体幹部,", ',"@講師",'), (",ベンダー,", ',"-ベンダー",')):
        assert old in courses, old
        courses = courses.replace(old, new, 1)
    (study / "courses.csv").write_text(courses, encoding="utf-8")
    raw = study / "raw" / "fy2025_c01_post_google.csv"
    rows = list(csv.reader(io.StringIO(raw.read_text(encoding="utf-8-sig"))))
    col = next(j for j, h in enumerate(rows[0]) if h.startswith("ご意見・ご感想"))
    for k, row in enumerate(rows[1:]):
        row[col] = f"{FORMULAS[k % len(FORMULAS)]} 研修はわかりやすかった {k}"
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    raw.write_text(buf.getvalue(), encoding="utf-8")
    return study


def test_formula_text_is_text_in_xlsx_and_neutralised_in_csv(tmp_path):
    """Issue 11.2: a study's text that begins with = + - @ TAB or CR never becomes a formula:
    tables.xlsx stores it as text (data_type "s"), tables/*.csv prefix it with ' (OWASP),
    numbers stay numbers, and every CSV is UTF-8 with a BOM."""
    import csv
    import io

    from openpyxl import load_workbook

    from dxsurvey import load_study, pipeline
    from dxsurvey.reports.export import FORMULA_START

    st = load_study(_formula_study(tmp_path))
    assert st.codebook.constructs["necessity"].label == "=1+2"
    assert st.codebook.constructs["support"].label == "\t=1+2 支援"
    assert st.codebook.constructs["stop_work"].label == "\r=1+2 業務"
    result = pipeline.run(("all",), study=st, out=tmp_path / "run", progress=False, jobs=2)
    assert not [(r.name, r.error) for r in result.reports if not r.ok]
    run = tmp_path / "run"

    neutralised = negative_numbers = 0
    for path in sorted((run / "tables").glob("*.csv")):
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), path.name
        for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")):
            for field in row:
                if field.startswith(FORMULA_START):
                    float(field)            # only a number may start with - or +
                    negative_numbers += 1
                neutralised += field.startswith("'") and field[1:].startswith(FORMULA_START)
    assert neutralised >= 10 and negative_numbers >= 1

    wb = load_workbook(run / "tables.xlsx")
    formulas, hostile_text = [], 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append(f"{ws.title}!{cell.coordinate}: {cell.value!r}")
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    hostile_text += 1
    assert formulas == []
    # the values are there, as written (no quote added in the workbook)
    assert hostile_text >= 10
    texts = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert "=1+2" in texts and "@講師" in texts and any(t.startswith("=HYPERLINK(") for t in texts)
    # (XML reads a bare CR back as LF: the cell is text either way)
    assert any(t.startswith("\t=1+2") for t in texts) and any(t.startswith(("\r=1+2", "\n=1+2")) for t in texts)
