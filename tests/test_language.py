"""Issue 10, "Done when": every demo report, rendered by the pipeline in Japanese and in English,
holds no prose of the other language in its body (names that come from the data allowed: collected
from the codebook, courses.csv and the study's tables and stripped first), no code identifiers
(snake_case words, the study's scale / item / construct ids) and no catalogue key; and every
catalogue key has both languages."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dxsurvey.pipeline import REPORTS
from dxsurvey.reports import catalog
from language_check import data_names, findings, free_text_words

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
COURSE = "C2024-01"
NOTEBOOKS = tuple(REPORTS)      # every report the pipeline runs
LANGUAGES = ("ja", "en")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """``dxsurvey run all`` on the demo in each language (the course report for one course)."""
    out = {}
    for lang in LANGUAGES:
        folder = tmp_path_factory.mktemp(f"lang_{lang}") / "run"
        proc = subprocess.run(
            [sys.executable, "-m", "dxsurvey.cli", "run", "all", "--study", str(DEMO), "--out", str(folder),
             "--quiet", "-p", "course_id", COURSE, "-p", "language", lang],
            capture_output=True, text=True, encoding="utf-8", timeout=1500, cwd=ROOT)
        assert proc.returncode == 0, proc.stderr[-3000:]
        out[lang] = folder
    return out


@pytest.fixture(scope="module")
def study_names():
    from dxsurvey.reports.context import load_study_cached
    st = load_study_cached(DEMO)
    cb = st.codebook
    ids = {i for i in set(cb.scales) | set(cb.constructs) | {it.id for it in cb.items}
           if any(ch.isdigit() or ch == "_" for ch in i)}     # code-like ids; plain words are caught as prose
    corpus = "\n".join(st.texts["text"].dropna().astype(str)) if st.texts is not None else ""
    return data_names(st), ids, corpus, free_text_words(st)


def _page(folder: Path, stem: str) -> Path:
    per_course = folder / "html" / f"{stem}_{COURSE}.html"
    return per_course if per_course.exists() else folder / "html" / f"{stem}.html"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_report_speaks_one_language(runs, study_names, stem, lang):
    page = _page(runs[lang], stem)
    assert page.exists(), f"{page} was not rendered"
    names, ids, corpus, words = study_names
    found = list(dict.fromkeys(findings(page.read_text(encoding="utf-8"), lang, names, ids, corpus, words)))
    assert not found, f"{page.name} ({lang}):\n" + "\n".join(found[:40])


def test_checker_catches_the_defects_it_is_for():
    """The checker fails on what issue 10 lists (so the test above can fail)."""
    page = ("<html><head><style>p {{}}</style></head><body>{}</body></html>")
    names = ["管理職向けDX研修", "DXの必要性を理解している"]
    assert findings(page.format("<p>Every response has format 'online'.</p>"), "ja", names, set())
    assert findings(page.format("<p>事前・事後の対応づけが5組未満の講座</p>"), "en", names, set())
    assert findings(page.format("<td>google_forms</td>"), "ja", names, set())
    assert findings(page.format("<p>尺度: agree5</p>"), "ja", names, {"agree5"})
    assert findings(page.format("<p>20_comparison.kp_scope</p>"), "en", names, set())
    assert findings(page.format("<td>chi2</td>"), "ja", names, set())
    assert findings(page.format("<td>名詞</td>"), "en", names, set())                  # a word class in Japanese
    assert findings(page.format("<p>尺度: <code>agree5</code></p>"), "ja", names, {"agree5"})
    # a counted free-text word stands alone as data, but not inside Japanese prose;
    # a piece of a comment (keyword in context) is data as it stands
    words, corpus = {"時間", "生成AI"}, "業務が忙しく、DXに取り組む時間がない。"
    assert not findings(page.format("<p>The most distinctive word is “時間”.</p>"), "en", names, set(), corpus, words)
    assert findings(page.format("<p>時間が足りません</p>"), "en", names, set(), corpus, words)
    assert not findings(page.format("<td>業務が忙しく、DXに取り組む</td>"), "en", names, set(), corpus, words)
    assert not findings(page.format("<td>生成AI</td>"), "ja", names, set(), corpus, words)
    # signs, numbers and command lines are not words
    assert not findings(page.format("<p>対象×時点、差 ÷ 標準偏差、p = 3.32e-07、Mann-Whitney</p>"), "ja", names, set())
    assert not findings(page.format("<p>実行時に <code>-p format online</code> と指定</p>"), "ja", names, set())
    # names from the data are allowed in either language; method names in Japanese text too
    assert not findings(page.format("<p>Course 管理職向けDX研修 (in person)</p>"), "en", names, set())
    assert not findings(page.format("<p>ANCOVA（HC3）の推定値 0.74、95%CI [0.49, 1.00]</p>"), "ja", names, set())


def test_every_catalogue_key_has_both_languages():
    missing = [k for k, v in catalog.TEXTS.items()
               if set(v) != set(catalog.LANGUAGES) or not all(str(v[lang]) for lang in catalog.LANGUAGES)]
    assert not missing, missing


def test_parameter_course_id_is_not_a_staff_number():
    """`-p course_id C2024-01` is listed in index.html as "course_id C2024-01", and the English course
    report heads its table "Course ID" above C2024-01; the audit took both for staff-number labels
    and failed the run."""
    from dxsurvey import privacy
    assert not privacy._STAFF_RE.search("course_id C2024-01")
    assert not privacy._STAFF_RE.search("Course ID C2024-01")    # the English course report's header
    assert privacy._STAFF_RE.search("ID: A12345") and privacy._STAFF_RE.search("職員番号 12345")


def test_no_catalogue_key_is_written_twice():
    """A key written twice in the catalogue's source is silently overwritten by the later one
    (merges left two different 「{low}」〜「{high}」 wordings of one key, one of them dead)."""
    import ast
    import collections

    tree = ast.parse(Path(catalog.__file__).read_text(encoding="utf-8"))
    keys = [k.value for node in ast.walk(tree) if isinstance(node, ast.Dict)
            for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)
            and k.value in catalog.TEXTS and isinstance(catalog.TEXTS[k.value], dict)]
    twice = [k for k, n in collections.Counter(keys).items() if n > 1]
    assert not twice, twice
