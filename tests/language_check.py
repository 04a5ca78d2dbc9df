"""Language purity of a rendered report page (issue 10): helpers for tests/test_language.py.

A page's body text, with the names that come from the data stripped (people, courses, items,
scale labels, file names, free text: collected from the codebook, courses.csv and the study's
tables), must hold no prose of the other language, no code identifiers (snake_case words, the
study's scale / item / construct ids) and no catalogue key.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

#: Hiragana, katakana, CJK ideographs (and the half-width katakana block).
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
#: Words a Japanese report may write in Latin letters: names of methods, tools and software.
LATIN_OK_IN_JA = {
    "ANCOVA", "HC3", "Wald", "Holm", "Cramér", "Cronbach", "McDonald", "Feldt", "Welch", "Wilcoxon",
    "Mann", "Whitney", "Lord", "Hedges", "Cohen", "Google", "Microsoft", "Forms", "Excel", "CSV", "DX",
    "BPR", "SHA", "CI", "SD", "df", "p", "n", "M", "d_z", "g", "r_rb", "V", "W", "U", "t", "F", "z",
    "ICC", "REML", "OLS", "emmeans", "then", "test", "png", "svg", "html", "xlsx", "csv", "tables",
    "figures", "dxsurvey", "Python", "pandas", "scipy", "statsmodels", "numpy", "matplotlib",
    "seaborn", "papermill", "nbconvert", "nbformat", "openpyxl", "pyarrow", "PyYAML", "jinja2",
    "pingouin", "IPython", "ipykernel", "jupyter", "x", "k", "r", "d", "MBESS", "R", "effectsize",
    "psych", "omega", "alpha", "total", "II", "LoGo", "Kirkpatrick", "Likert", "Mantel", "Haenszel",
    "bootstrap", "Python", "Morris", "Searle", "NA", "ID",
}
HEX = re.compile(r"\b[0-9a-f]{16,}\b")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
KEY = re.compile(r"\b(?:\d\d_[a-z_]+|narrative|report|caution|value|col|index|cli)\.[a-z_][a-z0-9_.]*\b")


class _Body(HTMLParser):
    """Visible text of the page body (no <style>, <script>, <head>); cells and blocks on their own lines."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self._in_body = True
        if tag in ("style", "script", "head", "title"):
            self._skip += 1
        if tag in ("p", "li", "h1", "h2", "h3", "h4", "tr", "td", "th", "div", "br", "pre"):
            self.parts.append("\n")
        alt = dict(attrs).get("alt")
        if tag == "img" and alt and self._in_body:
            self.parts.append("\n" + alt + "\n")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if self._in_body and not self._skip:
            self.parts.append(data)


def body_text(page: str) -> str:
    """The visible text of an exported report page's body."""
    p = _Body()
    p.feed(page)
    return "".join(p.parts)


def data_names(study) -> list[str]:
    """Every string the study's data supply (longest first): stripped before checking a page."""
    import pandas as pd

    cb = study.codebook
    names: set[str] = {str(cb.survey)}
    for col in study.courses.columns:
        names.update(str(v) for v in study.courses[col].dropna() if isinstance(v, str))
    for it in cb.items:
        names.update(it.column)
        names.add(it.display)
        for attr in ("options", "map", "other", "label"):
            v = getattr(it, attr, None)
            if isinstance(v, dict):
                names.update(str(k) for k in v)
                names.update(str(x) for x in v.values())
            elif isinstance(v, (list, tuple)):
                names.update(str(x) for x in v)
            elif isinstance(v, str):
                names.add(v)
    for c in cb.constructs.values():
        names.add(c.label)
    for sc in cb.scales.values():
        for labels in sc.levels.values():
            names.update(labels)
        names.update(sc.missing)
    for src in getattr(cb, "sources", ()):
        for attr in ("file", "sheet"):
            v = getattr(src, attr, None)
            if isinstance(v, str):
                names.add(v)
    frames = [(study.texts, ("text",)), (study.validation, ("value", "column", "source_file")),
              (study.source_summary, ("source_file",))]
    for frame, cols in frames:
        if frame is None:
            continue
        for col in cols:
            if col in frame.columns:
                names.update(str(v) for v in frame[col].dropna())
    import unicodedata
    names = {unicodedata.normalize("NFKC", n).strip() for n in names if isinstance(n, str)} | {
        n.strip() for n in names if isinstance(n, str)}
    # a name of one character or of digits only ("1".."5" of a linear scale) would strip report text
    names = {n for n in names if len(n) >= 2 and not (n.isascii() and re.fullmatch(r"[\d\W_]+", n))}
    return sorted(names, key=len, reverse=True)


def strip_data(text: str, names) -> str:
    """``text`` with every data name removed (longest first, so a title goes before its parts).

    A name in Latin letters is removed as a whole word only (the item label "Excel" must not eat
    "Excelで"; "tools" must not eat "toolset")."""
    for n in names:
        if n not in text:
            continue
        if n.isascii():
            text = re.sub(r"(?<![A-Za-z0-9_])" + re.escape(n) + r"(?![A-Za-z0-9_])", " ", text)
        else:
            text = text.replace(n, " ")
    return text


def findings(page: str, lang: str, names, ids) -> list[str]:
    """What is wrong with a page in ``lang``: lines of the other language, identifiers, keys."""
    out = []
    text = HEX.sub(" ", strip_data(body_text(page), names))     # SHA-256 digests are not words
    id_re = re.compile(r"(?<![\w/.-])(?:" + "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
                       + r")(?![\w/-])") if ids else None
    for line in (ln.strip() for ln in text.splitlines()):
        if not line:
            continue
        if lang == "en" and JAPANESE.search(line):
            out.append(f"Japanese in an English report: {line[:160]!r}")
        if lang == "ja":
            words = [w for w in re.findall(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ0-9_'’-]*", line) if w not in LATIN_OK_IN_JA]
            words = [w for w in words if not re.fullmatch(r"[A-Z]?[a-z]?\d*|[A-Z]\d+|C\d{4}-\d\d", w)]
            if words:
                out.append(f"Latin words {words[:6]} in a Japanese report: {line[:160]!r}")
        for m in SNAKE.findall(line):
            if m not in LATIN_OK_IN_JA:
                out.append(f"code identifier {m!r}: {line[:160]!r}")
        if id_re is not None:
            for m in id_re.findall(line):
                out.append(f"study id {m!r}: {line[:160]!r}")
        for m in KEY.findall(line):
            out.append(f"catalogue key {m!r}: {line[:160]!r}")
    return out
