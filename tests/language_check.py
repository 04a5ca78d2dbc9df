"""Language purity of a rendered report page (issue 10): helpers for tests/test_language.py.

A page's body text, with the names that come from the data stripped (people, courses, items,
scale labels, file names, free text: collected from the codebook, courses.csv and the study's
tables), must hold no prose of the other language, no code identifiers (snake_case words, the
study's scale / item / construct ids) and no catalogue key.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

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
    "bootstrap", "Python", "Morris", "Searle", "NA", "ID", "KH", "Coder", "KWIC", "Jaccard", "Fisher",
    "SESOI", "MDE", "TOST", "Wilson", "Yates",
}
#: A number in scientific notation (an exact p of 3.32e-07) is a number, not a word.
SCIENTIFIC = re.compile(r"\d(?:\.\d+)?e[-+]\d+")
#: A command line the reader types (``-p format online``), shown as inline code: not prose.
COMMAND = re.compile(r"^\s*(?:-{1,2}[a-z]|dxsurvey\b)")
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
        self._code: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self._in_body = True
        if tag == "code" and self._code is None:
            self._code = []
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
        if tag == "code" and self._code is not None:
            code, self._code = "".join(self._code), None
            if not COMMAND.match(code):        # inline code other than a command line is checked
                self.parts.append(code)

    def handle_data(self, data):
        if self._in_body and not self._skip:
            (self._code if self._code is not None else self.parts).append(data)


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
    from dxsurvey.codebook import COURSE_VALUES
    from dxsurvey.schema import AUDIENCES
    codes = {str(v) for vals in COURSE_VALUES.values() for v in vals} | set(AUDIENCES)
    for col in study.courses.columns:       # the coded values (in_person, lecture ...) are codes, not names
        names.update(str(v) for v in study.courses[col].dropna() if isinstance(v, str) and v not in codes)
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
        names.update(sc.label_of(v) for v in sc.values)     # with its anchor: 1（苦手）
        names.update(getattr(sc, "anchors", {}).values())
        names.update(sc.missing)
    for src in getattr(cb, "sources", ()):
        for attr in ("file", "sheet"):
            v = getattr(src, attr, None)
            if isinstance(v, str):
                names.add(v)
    subs = study.submissions
    for col in ("dept", "role", "department", "section"):      # respondent categories from the data
        if col in subs.columns:
            names.update(str(v) for v in subs[col].dropna())
    root = Path(study.root) if getattr(study, "root", None) else None
    if root is not None and root.is_dir():
        # the study folder's own files (survey.yaml, courses.csv, ideas.csv, coding_rules.txt ...)
        # and the words in its extra tables (channels of ideas.csv, sections of sections.csv)
        names.update(p.name for p in root.iterdir() if p.is_file())
        names.add(root.name)
        for table in ("ideas.csv", "sections.csv"):
            if (root / table).is_file():
                extra = pd.read_csv(root / table, dtype=str)
                for col in extra.columns:
                    names.update(v for v in extra[col].dropna() if not re.fullmatch(r"[\d\W_]+", v))
    rules = root / "coding_rules.txt" if root is not None else None
    if rules is not None and rules.is_file():        # the code names of the study's coding rules
        names.update(ln[1:].strip() for ln in rules.read_text(encoding="utf-8").splitlines() if ln.startswith("*"))
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


def free_text_words(study) -> set[str]:
    """The words the free-text report counts and shows (the forms of every counted token of the
    study's free text: particles, auxiliaries and other uncounted tokens left out): data, in
    whichever language the report is.  :func:`findings` allows a word only where it stands alone
    (a run of Japanese letters in an English page that is exactly such a word), never inside prose."""
    texts = getattr(study, "texts", None)
    if texts is None or not len(texts):
        return set()
    try:
        from dxsurvey.freetext.tokens import analysis_tokens, load_lexicon, tokenize
        lexicon = load_lexicon(study.root) if getattr(study, "root", None) else None
        tokens = tokenize(texts["text"].dropna().astype(str).reset_index(drop=True), language=study.language,
                          lexicon=lexicon)
    except ImportError:                 # no tokenizer installed: the free-text report is not built either
        return set()
    tokens = analysis_tokens(tokens)
    return {str(w) for col in ("surface", "base", "norm", "word") for w in tokens[col].dropna()}


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


#: A run of Japanese letters with the Latin letters and digits written inside it (生成AI).
_JA = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f"
JAPANESE_RUN = re.compile(f"[{_JA}A-Za-z0-9]*[{_JA}][{_JA}A-Za-z0-9]*")


def findings(page: str, lang: str, names, ids, corpus: str = "", words=frozenset()) -> list[str]:
    """What is wrong with a page in ``lang``: lines of the other language, identifiers, keys.

    ``corpus``: the study's free text; a line that is a piece of it as it stands (the left or
    right context of a keyword-in-context table) is data.  ``words``: the words the free-text
    report counts (:func:`free_text_words`); in an English page a run of Japanese letters that is
    exactly one of them is data, and in a Japanese page so is such a word with Latin letters (生成AI)."""
    out = []
    latin_words = sorted((w for w in words if re.search(r"[A-Za-z]", w) and len(w) >= 2), key=len, reverse=True)
    id_re = re.compile(r"(?<![\w/.-])(?:" + "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
                       + r")(?![\w/-])") if ids else None
    for raw in (ln.strip() for ln in body_text(page).splitlines()):
        if not raw or (corpus and len(raw) >= 2 and raw in corpus):
            continue
        line = HEX.sub(" ", strip_data(raw, names))     # SHA-256 digests are not words
        line = SCIENTIFIC.sub(" ", line).strip()
        if lang == "en" and words:
            line = JAPANESE_RUN.sub(lambda m: " " if m.group(0) in words else m.group(0), line).strip()
        if lang == "ja" and latin_words:
            line = strip_data(line, [w for w in latin_words if w in line])
        if not line:
            continue
        if lang == "en" and JAPANESE.search(line):
            out.append(f"Japanese in an English report: {line[:160]!r}")
        if lang == "ja":
            # letters (× and ÷ are signs); a hyphenated word is allowed when each part is
            latin = [w for w in re.findall(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ0-9_'’-]*", line)
                     if not all(part in LATIN_OK_IN_JA or not part or re.fullmatch(r"\d+", part)
                                for part in w.split("-"))]
            latin = [w for w in latin if not re.fullmatch(r"[A-Z]?[a-z]?\d*|[A-Z]\d+|C\d{4}-\d\d", w)]
            if latin:
                out.append(f"Latin words {latin[:6]} in a Japanese report: {line[:160]!r}")
        for m in SNAKE.findall(line):
            if m not in LATIN_OK_IN_JA:
                out.append(f"code identifier {m!r}: {line[:160]!r}")
        if id_re is not None:
            for m in id_re.findall(line):
                out.append(f"study id {m!r}: {line[:160]!r}")
        for m in KEY.findall(line):
            out.append(f"catalogue key {m!r}: {line[:160]!r}")
    return out
