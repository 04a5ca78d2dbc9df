"""Issue 11 point 1: a study's values are escaped before they meet Markdown or HTML.

The demo study with hostile strings as its survey name, construct labels, item labels,
course titles and an instructor, and in the inputs of the free-text and planning reports
(ideas.csv, sections.csv, coding_rules.txt, synonyms.csv, word lists), renders every real
report (papermill), and no page carries an element, attribute or link the data introduced.
Personal data typed into those inputs is masked in every output (point 3), and malformed
rows of ideas.csv are named by line (point 6).
"""
from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

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


#: Personal data typed into the optional inputs of 25_free_text and 30_next_course, and what a
#: report may show instead (masked as comments are, with names.txt).
PII_RAW = ["田中課長", "090-1234-5678", "山田 太郎", "山田太郎", "Taro Yamada"]


def _hostile_study(tmp_path: Path) -> Path:
    """The demo with hostile strings in every field a user controls: survey.yaml, courses.csv,
    and the inputs of the free-text and planning reports (ideas.csv, sections.csv,
    coding_rules.txt, synonyms.csv, force_words.txt, stop_words.txt, names.txt), some of them
    also holding personal data, and with malformed rows in ideas.csv."""
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
    # 30_next_course: the ideas register's channels are shown in sentences, tables, a legend
    ideas = (study / "ideas.csv").read_text(encoding="utf-8")
    for old, new in ((",掲示板,", f',"{IMG}",'), (",相談窓口,", f',"{LINK}",'), (",研修後アンケート,", f',"{SCRIPT}",'),
                     (",課への訪問,", ",田中課長への訪問 090-1234-5678,")):
        assert old in ideas, old
        ideas = ideas.replace(old, new)
    ideas += (f'2025-13-45,山田 太郎 さん,"{SCRIPT}",C9,"{IMG}"\n'     # bad date, section, course, status
              "2025-01-20,総務課,掲示板\n"                               # a ragged row (two fields missing)
              "2025-01-21,総務課,掲示板,,受付,Taro Yamada\n")             # one field too many
    (study / "ideas.csv").write_text(ideas, encoding="utf-8")
    with (study / "sections.csv").open("a", encoding="utf-8") as f:
        f.write(f'"{IMG}"\n')
    # 25_free_text: code names, a synonym's representative (the label shown), word lists
    rules = (study / "coding_rules.txt").read_text(encoding="utf-8")
    for old, new in (("*時間不足", f"*{IMG}"), ("*電子化", f"*{LINK}"), ("*質問しづらさ", f"*{SCRIPT}"),
                     ("*業務見直し", "*田中課長の業務見直し")):
        assert old in rules, old
        rules = rules.replace(old, new)
    (study / "coding_rules.txt").write_text(rules, encoding="utf-8")
    (study / "synonyms.csv").write_text(f"{IMG},資料\n山田 太郎 さん,業務\n", encoding="utf-8")
    (study / "force_words.txt").write_text(f"{SCRIPT}\nペーパーレス\n", encoding="utf-8")
    (study / "stop_words.txt").write_text(f"{LINK}\n", encoding="utf-8")
    (study / "names.txt").write_text("Taro Yamada\n山田 太郎\n", encoding="utf-8")
    return study


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """Every report of the hostile study, run once (papermill)."""
    from dxsurvey import load_study, pipeline

    tmp_path = tmp_path_factory.mktemp("hostile")
    study = _hostile_study(tmp_path)
    st = load_study(study)
    assert st.codebook.survey == IMG and st.codebook.constructs["necessity"].label == LINK
    result = pipeline.run(("all",), study=st, out=tmp_path / "run", progress=False, jobs=2)
    failed = [(r.name, r.error) for r in result.reports if not r.ok]
    assert not failed
    return result, tmp_path / "run"


def _page(run: Path, stem: str) -> str:
    return (run / "html" / f"{stem}.html").read_text(encoding="utf-8")


def test_hostile_values_render_as_text_in_every_report(hostile_run):
    result, run = hostile_run
    pages = sorted(run.rglob("*.html"))
    stems = {p.stem for p in pages}
    assert {"00_validation", "20_comparison", "25_free_text", "30_next_course", "40_research_report"} <= stems
    assert len(pages) >= 5
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert _dangers(text) == [], page.name
        assert "<img src=x" not in text and "<script>alert" not in text and 'href="javascript:' not in text
    # the values are on the pages, as text
    course_page = next(p for p in pages if p.name.startswith("10_course_report_C2024-01"))
    shown = course_page.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown


def test_free_text_inputs_render_as_text(hostile_run):
    """Code names (coding_rules.txt) and a synonym's representative (synonyms.csv) are shown
    on 25_free_text as written, never as markup."""
    _, run = hostile_run
    page = _page(run, "25_free_text")
    assert _dangers(page) == []
    assert "&lt;img src=x onerror=alert(1)&gt;" in page          # a code name and a word label
    assert LINK in page.replace("\\", "")                        # a code name, as written
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    codes = (run / "tables" / "freetext_codes_audience_wave.csv").read_text(encoding="utf-8-sig")
    assert IMG in codes and LINK in codes


def test_plan_inputs_render_as_text(hostile_run):
    """Channels of ideas.csv are shown on 30_next_course (sentences, tables) as written."""
    _, run = hostile_run
    page = _page(run, "30_next_course")
    assert _dangers(page) == []
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "javascript" in page and 'href="javascript' not in page
    channels = (run / "tables" / "plan_ideas_channel.csv").read_text(encoding="utf-8-sig")
    assert IMG in channels and LINK in channels and SCRIPT in channels


def test_malformed_ideas_rows_are_named_in_the_validation_log(hostile_run):
    """Each problem of ideas.csv is in the study's validation log (00_validation, the console)
    with its file, line, column and masked value."""
    result, run = hostile_run
    from dxsurvey import load_study
    v = load_study(run.parent / "hostile").validation
    v = v[v["source_file"] == "ideas.csv"]
    last = len((ROOT / "data" / "demo" / "ideas.csv").read_text(encoding="utf-8").splitlines())
    bad, ragged, extra = (last + k for k in (1, 2, 3))
    rows = {(int(r), c if isinstance(c, str) else "", str(x), p)
            for r, c, x, p in zip(v["source_row"], v["column"], v["value"], v["problem"])}
    assert (bad, "date", "2025-13-45", "bad_timestamp") in rows
    assert (bad, "course_id", "C9", "unknown_course") in rows
    assert (bad, "status", IMG, "unknown_label") in rows
    assert (bad, "section", "[氏名] さん", "unknown_category") in rows
    assert {r for r, _, _, p in rows if p == "ragged_row"} == {ragged, extra}
    assert all(m.startswith(f"ideas.csv, line {r}") or m.startswith(f"ideas.csv, row {r}")
               for m, r in zip(v["message"], v["source_row"]))
    counts = (run / "tables" / "validation_problem_counts.csv").read_text(encoding="utf-8-sig")
    assert "ideas.csv" in counts


def _outputs(run: Path) -> dict[str, str]:
    out = {}
    for p in sorted(run.rglob("*")):
        if p.suffix in (".html", ".csv", ".ipynb", ".svg", ".json", ".md"):
            out[str(p.relative_to(run))] = p.read_text(encoding="utf-8-sig")
        elif p.suffix == ".xlsx":
            wb = openpyxl.load_workbook(p, read_only=True)
            out[p.name] = " ".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                                   for v in row if v is not None)
            wb.close()
    return out


def test_personal_data_in_new_inputs_is_masked(hostile_run):
    """A name or a phone number in ideas.csv, a code name or a synonym reaches no output; the
    masked forms are there; the run's own audit finds no personal data."""
    result, run = hostile_run
    outputs = _outputs(run)
    leaks = {name: [p for p in PII_RAW if p in text] for name, text in outputs.items()}
    assert {k: v for k, v in leaks.items() if v} == {}
    plan_page = _page(run, "30_next_course")
    assert "[氏名]課長への訪問 [電話]" in plan_page
    assert "[氏名]課長の業務見直し" in _page(run, "25_free_text")
    assert not [f for f in result.findings if f.kind in ("phone", "email", "name", "staff_no", "my_number")]


def test_hostile_pages_in_chromium_open_no_dialog_link_or_element(hostile_run):
    """The hostile run in a real browser (Debian's Chromium, offline, scripts on): no page opens a
    dialog, has a ``javascript:`` link, an image of the data's ``src=x``, an element with an
    ``on…`` attribute calling alert, or a script the data wrote."""
    from test_browser import _chromium
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    _, run = hostile_run
    pages = [run / "index.html", *sorted((run / "html").glob("*.html"))]
    found: dict[str, list[str]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            for path in pages:
                problems: list[str] = []
                context = browser.new_context(java_script_enabled=True, offline=True)
                context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
                    ("file:", "data:", "blob:", "about:")) else r.abort())
                page = context.new_page()
                page.on("dialog", lambda d, problems=problems: (problems.append(f"dialog: {d.message}"),
                                                                d.dismiss()))
                page.goto(path.resolve().as_uri(), wait_until="load")
                page.wait_for_timeout(200)      # an onerror handler fires after the failed load
                problems += page.eval_on_selector_all(
                    "a[href]", "els => els.map(e => e.getAttribute('href'))"
                    ".filter(h => h.trim().toLowerCase().startsWith('javascript:')).map(h => 'link ' + h)")
                problems += page.eval_on_selector_all(
                    "img", "els => els.filter(e => e.getAttribute('src') === 'x').map(e => 'img ' + e.outerHTML)")
                problems += page.eval_on_selector_all(
                    "*", "els => els.flatMap(e => Array.from(e.attributes)"
                    ".filter(a => a.name.startsWith('on') && a.value.includes('alert'))"
                    ".map(a => e.tagName + ' ' + a.name + '=' + a.value))")
                problems += page.eval_on_selector_all(
                    "script", "els => els.filter(e => e.textContent.includes('alert(1)')).map(e => 'script')")
                # the hostile text is on the page as text
                if path.name.startswith(("25_", "30_")):
                    body = page.inner_text("body")
                    if IMG not in body:
                        problems.append("the hostile value is not shown as text")
                context.close()
                if problems:
                    found[path.name] = problems
        finally:
            browser.close()
    assert found == {}

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
