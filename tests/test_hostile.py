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
