"""The free-text report (notebooks/25_free_text, dxsurvey.reports.freetext), the coding_rules
key, and the tokeniser's person names in privacy's masking and audit."""
from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from dxsurvey import CodebookError, load_codebook, privacy
from dxsurvey import freetext as ft
from dxsurvey.freetext.contingency import adjusted_residuals
from dxsurvey.freetext.distinctive import distinctive_words
from dxsurvey.reports import catalog
from dxsurvey.reports import freetext as rft

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
JA_RE = re.compile("[\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff]")


# --------------------------------------------------------------------------- distinctive words
def _docs(texts, **groups):
    docs = pd.DataFrame({"doc_id": [f"s{i}" for i in range(len(texts))], "text": texts, **groups})
    docs.attrs = {"n_used": len(docs), "n_blank": 0, "n_masked_only": 0, "n_below_min_cell_text": 0}
    return docs


def _tokens(docs):
    return ft.tokenize(docs.set_index("doc_id")["text"])


def test_distinctive_words_residual_is_haberman_of_the_2xk_table():
    texts = ["予算が足りない。"] * 5 + ["会議が多い。"] + ["会議が多い。"] * 4 + ["予算の会議。"] * 2
    g = ["A"] * 6 + ["B"] * 4 + ["C"] * 2
    docs = _docs(texts, grp=g)
    got = distinctive_words(_tokens(docs), docs, "grp", min_df=1, top=None).set_index(["grp", "word"])
    # 予算: documents with the word per group A 5, B 0, C 2 of 6, 4, 2
    table = np.array([[5, 0, 2], [1, 4, 0]])
    res, p = adjusted_residuals(table)
    assert got.loc[("A", "予算"), "residual"] == pytest.approx(res[0, 0])
    assert got.loc[("C", "予算"), "residual"] == pytest.approx(res[0, 2])
    assert got.loc[("A", "予算"), "p_val"] == pytest.approx(p[0, 0])
    assert got.loc[("A", "予算"), ["df", "n_docs"]].tolist() == [5, 6]
    assert got.loc[("A", "予算"), "share_rest"] == pytest.approx(2 / 6)
    assert ("B", "予算") not in got.index          # negative residuals are not distinctive
    assert (got["residual"] > 0).all()


# --------------------------------------------------------------------------- key points
def _fake_ctx(docs, min_cell=3, language="ja"):
    subs = docs[["doc_id", "wave"]].rename(columns={"doc_id": "submission_id"})
    study = SimpleNamespace(submissions=subs, codebook=SimpleNamespace(min_cell_text=10))
    return SimpleNamespace(language=language, min_cell=min_cell, study=study,
                           t=lambda k, **f: catalog.text(k, language, **f))


def _plain(markdown: str) -> str:
    """Markdown's backslash escapes removed (what the page shows)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _fx(texts_a, texts_b):
    texts = texts_a + texts_b
    n_a, n_b = len(texts_a), len(texts_b)
    docs = _docs(texts, wave=["pre"] * n_a + ["post"] * n_b, audience=["manager"] * n_a + ["staff"] * n_b)
    docs["audience_wave"] = [rft._group_name(v, ("audience", "wave"), "ja")
                             for v in docs[["audience", "wave"]].itertuples(index=False)]
    return rft.FreeText(docs, _tokens(docs), "ja")


def test_key_points_name_the_top_word_of_the_top_group_and_the_change():
    a = ["予算が足りない。"] * 6 + ["会議が多い。"] * 2
    b = ["会議が多い。"] * 4 + ["資料を読む。"] * 4
    fx = _fx(a, b)
    kp = _plain(rft.key_points(_fake_ctx(fx.docs), fx))
    # 予算: 6 of 8 pre managers, none of the staff: residual 3.10 (資料, 読む 0 vs 4 of 8: 2.31)
    assert "「管理職 / 事前」で最も特徴的な語は「予算」です（8件中6件" in kp
    # the share of 予算 falls from 75% to 0% (Fisher, Holm): the largest significant change
    assert "事前から事後にかけて最も大きく減った語は「予算」です（75%→0%" in kp
    # swap the texts: the sentence follows the numbers
    fx2 = _fx(b, a)
    kp2 = _plain(rft.key_points(_fake_ctx(fx2.docs), fx2))
    assert "「一般職員 / 事後」で最も特徴的な語は「予算」です（8件中6件" in kp2
    assert "「管理職 / 事前」" not in kp2
    assert "最も大きく増えた語は「予算」です（0%→75%" in kp2


def test_key_points_say_no_word_changed_when_none_did():
    a = ["会議が多い。"] * 4 + ["予算が足りない。"] * 4
    fx = _fx(a, list(a))
    kp = rft.key_points(_fake_ctx(fx.docs), fx)
    assert "有意に変わった語はありません" in kp


def test_empty_study_skips_with_a_sentence():
    fx = _fx([], [])
    assert rft.key_points(_fake_ctx(fx.docs), fx) == catalog.text("25_free_text.skip_no_comments", "ja")


# --------------------------------------------------------------------------- report tables
def test_code_tests_table_yates_for_2x2_and_labels_in_the_report_language():
    texts = ["質問しにくい。"] * 12 + ["資料が多い。"] * 8 + ["質問しにくい。"] * 5 + ["資料が多い。"] * 15
    docs = _docs(texts, wave=["post"] * 40, format=["online"] * 20 + ["in_person"] * 20)
    docs["format_wave"] = docs["format"]
    t = _tokens(docs)
    fx = rft.FreeText(docs, t, "ja", coded=ft.code_documents(t, docs, ft.parse_rules("*質問\n質問")))
    tab = rft.table_code_tests(_fake_ctx(docs), fx, ("format", "wave"))
    row = tab.frame.iloc[0]
    # [[12, 8], [5, 15]]: R chisq.test() with Yates: X-squared = 3.6829, p-value = 0.05497
    assert (row["n_coded"], row["dof"]) == (17, 1)
    assert (row["chi2"], row["p_val"]) == pytest.approx((3.6829, 0.0550), abs=1e-4)
    assert row["test"] == "χ²検定" and tab.n_cols == ("n_coded",)
    assert rft.table_code_tests(_fake_ctx(docs, language="en"), fx, ("format", "wave")).frame["test"].tolist() == \
        ["chi-squared"]
    assert tab.caption_args["n_note"] == "N = 40（除外: 空欄 0、マスクのみ 0）"


def test_collocation_tables_use_quotable_groups_only_and_state_the_n():
    # course A (10 writers, quotable) and course B (9 writers, below min_cell_text = 10): same texts
    texts = ["演習の時間が足りない。演習の時間がほしい。"] * 19
    docs = _docs(texts, wave=["pre"] * 19, course_id=["A"] * 10 + ["B"] * 9)
    fx = rft.FreeText(docs, _tokens(docs), "ja")
    ctx = _fake_ctx(docs)
    colloc = rft.tables_collocations(ctx, fx, n_words=1)
    assert len(colloc) == 1                      # the most used word: 時間 (19 documents, 38 times)
    frame = colloc[0].frame.set_index("word")
    # per document, 演習 stands 2 before each 時間 and 5 after the first: 2/2 + 1/5 = 1.2; 足りる
    # 2 after the first and 5 before the second: 1/2 + 1/5 = 0.7; over course A's 10 documents only
    assert frame.loc["演習", ["left_count", "right_count", "total"]].tolist() == [20, 10, 30]
    assert frame.loc["演習", "score"] == pytest.approx(12.0)
    assert frame.loc["足りる", "score"] == pytest.approx(7.0)
    assert frame.loc["演習", "kh_pos"] == "サ変名詞"
    assert colloc[0].caption_args["word"] == "時間"
    assert colloc[0].caption_args["n_note"] == "N = 10（除外: 空欄 0、マスクのみ 0、記述者が10人未満のグループ 9）"
    kwic = rft.tables_kwic(ctx, fx, n_words=1, lines=50)[0]
    assert len(kwic.frame) == 20                 # 2 occurrences in each of the 10 quotable documents
    en = rft.tables_collocations(_fake_ctx(docs, language="en"), fx, n_words=1)[0].frame.set_index("word")
    assert en.loc["演習", "kh_pos"] == "verbal noun" and en.loc["足りる", "kh_pos"] == "verb"


def test_group_words_table_counts_per_audience_format_instructor_course():
    texts = ["時間がない。"] * 3 + ["質問しにくい。"] * 2 + ["時間が足りない。"] * 4
    docs = _docs(texts, wave=["pre"] * 9, audience=["manager"] * 5 + ["staff"] * 4,
                 format=["online"] * 5 + ["in_person"] * 4, instructor=["田中"] * 3 + ["ベンダー"] * 6,
                 course_id=["A"] * 3 + ["B"] * 6)
    fx = rft.FreeText(docs, _tokens(docs), "ja")
    tab = rft.table_group_words(_fake_ctx(docs), fx, top=1)
    got = {(r.grouping, r.group): (r.word, r.documents, r.n_docs) for r in tab.frame.itertuples()}
    # hand counts: 時間 in documents 1-3 and 6-9
    assert got == {("対象", "管理職"): ("時間", 3, 5), ("対象", "一般職員"): ("時間", 4, 4),
                   ("研修形式", "オンライン"): ("時間", 3, 5), ("研修形式", "対面"): ("時間", 4, 4),
                   ("講師", "ベンダー"): ("時間", 4, 6), ("講師", "田中"): ("時間", 3, 3),
                   ("研修", "A"): ("時間", 3, 3), ("研修", "B"): ("時間", 4, 6)}
    assert tab.n_cols == ("n_docs",) and tab.caption_args["n_note"].startswith("N = 9（")


def test_change_table_names_its_tests_in_the_report_language():
    a = ["予算が足りない。"] * 6 + ["会議が多い。"] * 2
    b = ["会議が多い。"] * 4 + ["資料を読む。"] * 4
    fx = _fx(a, b)
    ja = rft.table_change(_fake_ctx(fx.docs), fx).frame
    en = rft.table_change(_fake_ctx(fx.docs, language="en"), fx).frame
    assert set(ja["test"]) <= {"χ²検定", "Fisherの正確検定"} and "Fisherの正確検定" in set(ja["test"])
    assert set(en["test"]) <= {"chi-squared", "Fisher's exact"}
    assert set(en["kh_pos"]) <= {"noun", "verbal noun", "verb", "adjective"}


# --------------------------------------------------------------------------- catalogue
def test_free_text_catalogue_keys_have_no_prose_of_the_other_language():
    keys = [k for k in catalog.TEXTS if k.startswith("25_free_text.")]
    assert len(keys) > 30
    for k in keys:
        assert not JA_RE.search(catalog.TEXTS[k]["en"]), k
        assert JA_RE.search(catalog.TEXTS[k]["ja"]) or k.endswith((".fig.n",)), k
    labels = rft.figure_labels("ja")
    assert labels["residual"] == "調整済み残差" and rft.figure_labels("en")["residual"] == "Adjusted residual"


# --------------------------------------------------------------------------- coding_rules key
def _study_copy(tmp_path):
    dst = tmp_path / "study"
    shutil.copytree(DEMO, dst, ignore=shutil.ignore_patterns("raw"))
    return dst


def test_coding_rules_key_resolves_inside_the_study(tmp_path):
    cb = load_codebook(DEMO, check_files=False)
    assert cb.coding_rules == (DEMO / "coding_rules.txt").resolve()
    rules = ft.read_rules(cb.coding_rules)
    assert [r.name for r in rules] == ["時間不足", "質問しづらさ", "業務見直し", "電子化"]
    root = _study_copy(tmp_path)
    y = root / "survey.yaml"
    text = y.read_text(encoding="utf-8")
    y.write_text(text.replace("coding_rules: coding_rules.txt", "coding_rules: ../outside.txt"), encoding="utf-8")
    (tmp_path / "outside.txt").write_text("*x\nx\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="coding_rules.*outside the study folder"):
        load_codebook(root, check_files=False)
    y.write_text(text.replace("coding_rules: coding_rules.txt", "coding_rules: nope.txt"), encoding="utf-8")
    with pytest.raises(CodebookError, match="coding_rules.*'nope.txt' not found"):
        load_codebook(root, check_files=False)
    y.write_text(re.sub(r"(?m)^coding_rules:.*\n", "", text), encoding="utf-8")
    assert load_codebook(root, check_files=False).coding_rules is None


def test_prepare_reads_the_study_folders_word_lists(tmp_path):
    from dxsurvey.ingest import load_study
    root = tmp_path / "study"
    shutil.copytree(DEMO, root)
    (root / "force_words.txt").write_text("# 強制抽出する語\n質問しづらい\n", encoding="utf-8")
    (root / "stop_words.txt").write_bytes("知る\n".encode("cp932"))
    (root / "synonyms.csv").write_text("業務,仕事\n", encoding="utf-8")
    study = load_study(root)
    fx = rft.prepare(SimpleNamespace(study=study, language="ja"))
    t = fx.tokens
    assert set(t.loc[t["surface"].str.startswith("質問しづらい"), "kh_pos"]) == {"タグ"}
    assert t.loc[t["base"] == "知る", "stop"].all() and len(t[t["base"] == "知る"]) > 0
    assert set(t.loc[t["base"] == "仕事", "word"]) == {"業務"}
    words = ft.word_counts(t, fx.docs)
    assert "知る" not in set(words["word"]) and "質問しづらい" in set(words["word"])


# --------------------------------------------------------------------------- privacy
@pytest.mark.parametrize("text, expected", [
    ("さくらさんに教わった。", "[氏名]さんに教わった。"),                 # hiragana given name
    ("勅使河原さんの説明が良かった。", "[氏名]さんの説明が良かった。"),     # rare surname: whole, not 勅使河[氏名]
    ("勅使河原に聞いた。", "[氏名]に聞いた。"),                           # rare surname without honorific
    ("ひろしくんと話した。", "[氏名]くんと話した。"),
    ("山田市の事例を知りたい。", None),                                   # a place, not a person
    ("ベンダーさんの説明", None),                                          # katakana: the stop list decides
    ("連絡は yamada.taro@city.example.jp まで", "連絡は [メール] まで"),
])
def test_tagged_names_are_masked(text, expected):
    pytest.importorskip("sudachipy")
    assert privacy.mask_text(text, tagged=True) == (text if expected is None else expected)


def test_untagged_masking_is_unchanged_and_listed_names_come_first():
    assert privacy.mask_text("さくらさんに教わった。") == "さくらさんに教わった。"
    assert privacy.mask_text("山田 太郎と山田太郎", names=["山田 太郎"], tagged=True) == "[氏名]と[氏名]"


def test_ordinary_demo_comments_are_unchanged_by_the_tagged_pass():
    pytest.importorskip("sudachipy")
    from dxsurvey.demo import simulate
    subs = simulate()["submissions"]
    texts = pd.Series([s["text"] for s in subs if isinstance(s.get("text"), str) and not s.get("pii")])
    texts = texts.drop_duplicates()
    assert len(texts) > 30
    assert privacy.mask_series(texts, tagged=True).tolist() == privacy.mask_series(texts).tolist()


def test_audit_reports_tagged_names_before_an_honorific_only():
    pytest.importorskip("sudachipy")
    scan = privacy._Scanner((), (), 5)
    assert [k for k, _ in scan.text("さくらさんに教わった")] == ["name"]
    assert scan.text("勅使河原さんの説明") == [("name", "勅***")]
    assert scan.text("山田課長級の研修") == []
    assert scan.text("[氏名]さんに聞いた") == []


# --------------------------------------------------------------------------- the report end to end
def _outputs(nb_path: Path) -> str:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    out = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            for kind in ("text/markdown", "text/html"):
                if kind in data:
                    out.append("".join(data[kind]))
            if o.get("output_type") == "error":
                raise AssertionError(f"{nb_path.name}: {o['ename']}: {o['evalue']}")
    text = re.sub(r"<style>.*?</style>", " ", "\n".join(out), flags=re.S)
    return re.sub(r"\\(.)", r"\1", re.sub(r"<[^>]+>", " ", text))


def _fragments(lang: str) -> set[str]:
    """The literal parts of this report's catalogue texts in one language (placeholders removed)."""
    parts = set()
    for key, entry in catalog.TEXTS.items():
        if key.startswith("25_free_text."):
            for piece in re.split(r"\{[^}]*\}|\n|\*\*|#+ |- ", entry[lang]):
                piece = piece.strip(" 。、.,()（）:")
                # ja prose has particles (hiragana); words like グループ also occur in the comments
                if (re.search("[\u3041-\u3096]", piece) and len(piece) >= 4) if lang == "ja" else len(piece) >= 12:
                    parts.add(piece)
    return parts


def test_demo_report_puts_the_planted_themes_on_top(demo_run):
    out = demo_run.out
    nb = out / "notebooks" / "25_free_text.ipynb"
    assert nb.is_file() and (out / "html" / "25_free_text.html").is_file()
    page = _outputs(nb)
    # truth.json comment_themes: 時間がない (managers, pre), 質問しづらい (online, post),
    # 業務を見直した (the BPR workshops, follow-up): each is its group's top word
    for table, group, word in (("audience_wave", "管理職 / 事前", "時間"), ("format_wave", "オンライン / 事後", "質問"),
                               ("style_wave", "ワークショップ / 追跡", "見直す")):
        t = pd.read_csv(out / "tables" / f"freetext_distinctive_{table}.csv")
        top = t[(t["group"] == group) & (t["rank"] == 1)]
        assert top["word"].tolist() == [word], (table, group)
        assert f"「{group}」で最も特徴的な語は「{word}」です" in page
    codes = pd.read_csv(out / "tables" / "freetext_codes_format_wave.csv").set_index(["group", "code"])
    assert codes["residual"].idxmax() == ("オンライン / 事後", "質問しづらさ")
    assert "調整済み残差" in page and "Jaccard係数" in page and "KWIC" in page and "対応分析" in page
    # ja page: no English sentence of this report's catalogue
    assert not [f for f in _fragments("en") if f in page]
    # tables counting people declare their counts (ctx.table keeps "suppressed" for them)
    for name in ("freetext_n", "freetext_frequent", "freetext_change", "freetext_distinctive_audience_wave",
                 "freetext_codes_audience_wave", "freetext_quotes_1"):
        assert "suppressed" in pd.read_csv(out / "tables" / f"{name}.csv").columns, name
    assert "suppressed" not in pd.read_csv(out / "tables" / "freetext_kwic_1.csv").columns
    for fig in ("freetext_frequent", "freetext_network", "freetext_wave_networks", "freetext_change_network",
                "freetext_ca_audience_wave", "freetext_codes_format_wave"):
        assert (out / "figures" / f"{fig}.png").is_file(), fig
    # KWIC comes with KH Coder's collocation scores; every code is tested across the groups
    colloc = pd.read_csv(out / "tables" / "freetext_collocations_1.csv")
    assert colloc["score"].is_monotonic_decreasing and len(colloc) > 0
    tests = pd.read_csv(out / "tables" / "freetext_code_tests_format_wave.csv").set_index("code")
    assert tests.loc["質問しづらさ", "p_val"] < 0.001
    # counts per audience, format, instructor and course
    groups = pd.read_csv(out / "tables" / "freetext_group_words.csv")
    assert set(groups["grouping"]) == {"対象", "研修形式", "講師", "研修"}
    # every table caption and figure states its N
    assert page.count("N = ") >= 15


def test_english_report_has_no_japanese_prose(tmp_path):
    papermill = pytest.importorskip("papermill")
    out = tmp_path / "run"
    nb = tmp_path / "25_free_text.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / "25_free_text.ipynb"), str(nb),
                               parameters={"study": str(DEMO), "out": str(out), "language": "en"},
                               cwd=str(ROOT / "notebooks"), kernel_name="python3", progress_bar=False,
                               execution_timeout=600)
    page = _outputs(nb)
    assert "Key points" in page and "Glossary" in page
    assert "The most distinctive word of \u201cmanagers / pre\u201d is \u201c時間\u201d" in page
    leaked = [f for f in _fragments("ja") if f in page]
    assert leaked == []
    assert privacy.audit(out, min_cell=5) == []


def test_audit_tells_the_code_tests_count_from_a_groups_coded_comments():
    """The per-code test table's n_coded (all groups, suppressed) and the code x group table's
    coded (one group's comments, a value) shared the header 該当文書数: the run's audit took every
    coded cell under 5 for an unsuppressed count of people and failed the demo run."""
    from dxsurvey import privacy
    headers = privacy.count_headers(catalog.TEXTS)
    for lang in catalog.LANGUAGES:
        assert privacy._is_n_header(catalog.column_label("n_coded", lang), headers)
        assert not privacy._is_n_header(catalog.column_label("coded", lang), headers)
