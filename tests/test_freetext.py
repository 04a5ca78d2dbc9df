"""dxsurvey.freetext on fixed Japanese sentences, against hand counts and reference values.

References: R ``MASS::corresp`` (Caithness canonical correlations), Haberman's adjusted
residual and R ``chisq.test`` (values quoted in issue 13, reproduced by
``tests/reference/freetext_reference.R``), and hand counts written beside each assertion.
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

from dxsurvey import freetext as ft  # noqa: E402
from dxsurvey.freetext import plots as ftplots  # noqa: E402
from dxsurvey.freetext.network import NODE_COLUMNS  # noqa: E402
from dxsurvey.freetext.tokens import MAX_SUDACHI_BYTES  # noqa: E402
from dxsurvey.reports.freetext import figure_labels  # noqa: E402
from dxsurvey.freetext.contingency import FISHER_RESAMPLES  # noqa: E402

CAITHNESS = [[326, 38, 241, 110, 3], [688, 116, 584, 188, 4], [343, 84, 909, 412, 26], [98, 48, 403, 681, 85]]


def make_docs(texts, **groups):
    """documents() from a list of texts; ``groups`` give one value per text."""
    n = len(texts)
    subs = pd.DataFrame({"submission_id": np.arange(1, n + 1), **{k: list(v) for k, v in groups.items()}})
    tx = pd.DataFrame({"submission_id": np.arange(1, n + 1), "item_id": "comment", "text": list(texts)})
    return ft.documents(tx, subs)


def toks(docs, **kw):
    return ft.tokenize(docs.set_index("doc_id")["text"], **kw)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------- tokens
def test_mode_c_keeps_compounds_whole():
    t = ft.tokenize(pd.Series(["生成AIと個人情報保護とグループワーク。"]))
    assert {"生成AI", "個人情報保護", "グループワーク"} <= set(t["surface"])


def test_normalised_forms_merge_and_dictionary_form_is_shown():
    t = ft.tokenize(pd.Series({1: "サーバとサーバーの話。", 2: "打合せが多い。打ち合わせが多い。", 3: "ＤＸとDX。",
                               4: "サーバーの更新。"}))
    # サーバ and サーバー: one word; shown as the more frequent dictionary form (サーバー: 2 of 3)
    server = t[t["surface"].isin(["サーバ", "サーバー"])]
    assert server["word"].nunique() == 1 and len(server) == 3
    labels = ft.word_labels(t)
    assert labels.loc[server["word"].iloc[0], "label"] == "サーバー"
    meeting = t[t["surface"].isin(["打合せ", "打ち合わせ"])]
    assert meeting["word"].nunique() == 1 and len(meeting) == 2
    dx = t[t["doc_id"] == 3]
    assert list(dx.loc[dx["kh_pos"] != "その他", "word"]) == ["DX", "DX"]     # NFKC: ＤＸ -> DX
    assert (t["surface"] == t.apply(lambda r: ft.tokens.nfkc({1: "サーバとサーバーの話。",
                                                              2: "打合せが多い。打ち合わせが多い。",
                                                              3: "ＤＸとDX。", 4: "サーバーの更新。"}[r.doc_id])
                                    [r.start:r.end], axis=1)).all()


def test_kh_coder_classes():
    t = ft.tokenize(pd.Series(["研修は便利だった。横浜市の勅使河原さんと打ち合わせをしない。とても質問しづらい。時間がない。"
                               "見直す必要がある。"]))
    got = dict(zip(t["surface"], t["kh_pos"]))
    assert got["研修"] == "サ変名詞"
    assert got["便利"] == "形容動詞"
    assert got["横浜市"] == "地名"
    assert got["勅使河原"] == "人名"
    assert got["時間"] == "名詞"
    assert got["見直す"] == "動詞"
    assert got["し"] == "動詞B"              # する: hiragana dictionary form
    assert got["とても"] == "副詞B"
    assert got["づらい"] == "形容詞（非自立）"
    assert got["。"] == "その他"
    assert ft.tokens.kh_class(("名詞", "普通名詞", "一般", "*", "*", "*"), "紙") == "名詞C"
    assert ft.tokens.kh_class(("名詞", "普通名詞", "一般", "*", "*", "*"), "こと") == "名詞B"
    assert ft.tokens.kh_class(("名詞", "普通名詞", "一般", "*", "*", "*"), "zzz", oov=True) == "未知語"
    neg = t[(t["surface"] == "ない") & (t["position"] < 20)]
    assert set(neg["kh_pos"]) == {"否定助動詞"}     # しない: the auxiliary
    # default exclusions drop the B classes, 形容詞（非自立）, 否定助動詞 and その他
    kept = set(ft.tokens.analysis_tokens(t)["surface"])
    assert {"研修", "便利", "横浜市", "勅使河原", "時間", "見直す"} <= kept
    assert not kept & {"し", "とても", "づらい", "。", "ない"}


def test_lexicon_files_force_stop_synonyms(tmp_path):
    (tmp_path / "force_words.txt").write_text("\ufeff# 強制抽出する語\n業務改善\n", encoding="utf-8")
    (tmp_path / "stop_words.txt").write_bytes("研修\n".encode("cp932"))
    (tmp_path / "synonyms.csv").write_text("パソコン,PC,ＰＣ\n", encoding="utf-8")
    lex = ft.load_lexicon(tmp_path)
    t = ft.tokenize(pd.Series(["研修で業務改善の提案をPCとパソコンで行う。"]), lexicon=lex)
    assert "業務改善" in set(t["surface"])                       # Sudachi alone gives 業務 + 改善
    assert t.loc[t["surface"] == "業務改善", "kh_pos"].item() == "タグ"
    assert not {"業務", "改善"} & set(t["surface"])
    assert t.loc[t["surface"] == "PC", "word"].item() == "パソコン"
    assert ft.word_labels(t).loc["パソコン", "label"] == "パソコン"
    assert t.loc[t["surface"] == "研修", "stop"].item()
    docs = make_docs(["研修で業務改善の提案をPCとパソコンで行う。"])
    wc = ft.word_counts(ft.tokenize(docs.set_index("doc_id")["text"], lexicon=lex), docs)
    assert wc.set_index("word").loc["パソコン", "tf"] == 2 and "研修" not in set(wc["word"])


def test_force_words_are_merged_after_tokenising():
    text = "部下の提案を通しにくい。業務改善の時間がない。"
    plain = ft.tokenize(pd.Series([text]))
    forced = ft.tokenize(pd.Series([text]), lexicon=ft.Lexicon(force=("業務改善",)))
    # Sudachi saw the whole text: every token outside the force word is the plain one
    outside = forced[forced["surface"] != "業務改善"]
    keep = ~plain["surface"].isin(["業務", "改善"])
    assert outside[["start", "end", "surface", "kh_pos"]].to_numpy().tolist() == \
        plain.loc[keep, ["start", "end", "surface", "kh_pos"]].to_numpy().tolist()
    assert forced.loc[forced["surface"] == "業務改善", ["start", "end", "kh_pos"]].to_numpy().tolist() == \
        [[12, 16, "タグ"]]
    assert (forced["position"] == np.arange(len(forced))).all()
    # a force word inside one token cuts it: 個人情報保護 (one word in mode C) -> 個人 / 情報 / 保護
    cut = ft.tokenize(pd.Series(["個人情報保護の研修"]), lexicon=ft.Lexicon(force=("情報",)))
    assert list(cut["surface"]) == ["個人", "情報", "保護", "の", "研修"]
    assert list(cut["start"]) == [0, 2, 4, 6, 7]
    # a Latin force word is not found inside a longer Latin word (AI in MAIL), but is in 生成AI
    ai = ft.tokenize(pd.Series(["生成AIでMAILを書く。"]), lexicon=ft.Lexicon(force=("AI",)))
    assert ai.loc[ai["kh_pos"] == "タグ", "start"].tolist() == [2]
    assert "MAIL" in set(ai["surface"])
    # mask tokens stay whole beside force words
    both = ft.tokenize(pd.Series(["[氏名]課長と業務改善を進めた。"]), lexicon=ft.Lexicon(force=("業務改善",)))
    assert both["surface"].tolist()[:4] == ["[氏名]", "課長", "と", "業務改善"]


def test_lexicon_errors_name_file_and_line(tmp_path):
    (tmp_path / "synonyms.csv").write_text("パソコン,PC\nサーバー\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"synonyms.csv, line 2: 'サーバー' has no variant"):
        ft.load_lexicon(tmp_path)
    (tmp_path / "synonyms.csv").write_text("パソコン,PC\n端末,PC\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 2: 'PC' is already a variant of 'パソコン'"):
        ft.load_lexicon(tmp_path)
    assert ft.load_lexicon(tmp_path / "absent") == ft.Lexicon()


def test_mask_tokens_are_never_words():
    t = ft.tokenize(pd.Series(["[氏名]課長に[メール]で送った。"]))
    assert "[氏名]" in set(t["surface"]) and "氏名" not in set(t["surface"])
    assert set(t.loc[t["surface"].str.startswith("["), "kh_pos"]) == {"その他"}


def test_long_text_is_cut_below_sudachis_limit():
    text = "業務を見直した。" * 3000                 # 72,000 bytes in UTF-8
    assert len(text.encode("utf-8")) > MAX_SUDACHI_BYTES
    t = ft.tokenize(pd.Series([text]))
    assert len(t) == 5 * 3000                      # 業務 / を / 見直し / た / 。 each time
    assert (t["surface"] == [text[s:e] for s, e in zip(t["start"], t["end"])]).all()
    assert (t["position"] == np.arange(len(t))).all()


def test_english_light_path():
    t = ft.tokenize(pd.Series(["The training was USEFUL, but the online Q&A was hard."]), language="en")
    assert list(t["word"]) == ["the", "training", "was", "useful", "but", "the", "online", "q", "a", "was", "hard"]
    assert set(t.loc[t["stop"], "word"]) == {"the", "was", "but", "a"}
    with pytest.raises(ValueError, match="language"):
        ft.tokenize(pd.Series(["x"]), language="de")


def test_english_mask_tokens_force_words_synonyms_and_stop_words():
    lex = ft.Lexicon(force=("machine learning",), synonyms={"ML": "Machine Learning"}, stop=("Rocks",))
    t = ft.tokenize(pd.Series(["Machine  Learning rocks; see [URL] or ask [氏名]. ML too."]), language="en",
                    lexicon=lex)
    # hand count: the mask tokens are one token each (class その他) and never a word like "url"
    assert t["surface"].tolist() == ["Machine  Learning", "rocks", "see", "[URL]", "or", "ask", "[氏名]", "ML",
                                     "too"]
    assert t.loc[t["surface"].isin(["[URL]", "[氏名]"]), "kh_pos"].tolist() == ["その他", "その他"]
    kept = ft.tokens.analysis_tokens(t)
    assert kept["word"].tolist() == ["machine learning", "see", "ask", "machine learning"]
    assert t.loc[t["surface"] == "rocks", "stop"].item()                 # stop list in any case


def test_person_names_catch_hiragana_and_rare_surnames():
    found = ft.person_names(pd.Series({7: "さくらさんと勅使河原さんに聞いた。", 8: "総務課の業務を見直した。",
                                       9: "山田太郎さんと[氏名]さん"}))
    assert found[["index", "name", "kind"]].to_numpy().tolist() == [
        [7, "さくら", "名"], [7, "勅使河原", "姓"], [9, "山田太郎", "姓名"]]
    row = found.iloc[1]
    assert "さくらさんと勅使河原さんに聞いた。"[row.start:row.end] == "勅使河原"
    # offsets point into the text as written, also when NFKC changes it
    wide = ft.person_names(pd.Series(["ＡＢＣの勅使河原さん"]))
    assert wide[["name", "start", "end"]].to_numpy().tolist() == [["勅使河原", 4, 8]]


# --------------------------------------------------------------------------- documents and N
def test_documents_count_blank_and_masked_only():
    subs = pd.DataFrame({"submission_id": [1, 2, 3, 4, 5, 6], "wave": ["pre"] * 6,
                         "respondent_key": ["k"] * 6, "source_row": range(6)})
    tx = pd.DataFrame({"submission_id": [1, 2, 3, 4, 1], "item_id": ["c", "c", "c", "c", "d"],
                       "text": ["時間がない。", "質問しにくい。", "[氏名]。[電話]", "[氏名]さんに感謝。", "二つ目。"]})
    docs = ft.documents(tx, subs)
    assert docs.attrs == {"n_used": 3, "n_blank": 2, "n_masked_only": 1, "n_below_min_cell_text": 0}
    assert docs.loc[docs["doc_id"] == 1, "text"].item() == "時間がない。\n二つ目。"
    assert "respondent_key" not in docs.columns and "source_row" not in docs.columns
    with pytest.raises(ValueError, match="no text item 'x'"):
        ft.documents(tx, subs, items=["x"])
    orphan = pd.concat([tx, pd.DataFrame({"submission_id": [99], "item_id": ["c"], "text": ["x"]})])
    with pytest.raises(ValueError, match=r"submission_id \[99\]"):
        ft.documents(orphan, subs)


def test_documents_take_course_columns_with_row_level_values_first():
    subs = pd.DataFrame({"submission_id": [1, 2, 3, 4], "course_id": ["A", "A", "B", "B"],
                         "wave": ["pre"] * 4, "audience": ["staff", "manager", "staff", "staff"],
                         "format": pd.array([pd.NA, "online", pd.NA, pd.NA], dtype="string"),
                         "instructor": pd.array([pd.NA] * 4, dtype="string")})
    courses = pd.DataFrame({"course_id": ["A", "B"], "title": ["DX入門", "BPR"], "audience": ["all", "manager"],
                            "format": ["in_person", "hybrid"], "instructor": ["田中", "ベンダー"],
                            "style": ["lecture", "workshop"]})
    tx = pd.DataFrame({"submission_id": [1, 2, 3, 4], "item_id": "c",
                       "text": ["時間がない。", "質問しにくい。", "時間が足りない。", "業務を見直した。"]})
    docs = ft.documents(tx, subs, courses).set_index("doc_id")
    # submission 2 wrote on a shared form that records its own format: it wins over the course's
    assert docs["format"].tolist() == ["in_person", "online", "hybrid", "hybrid"]
    assert docs["instructor"].tolist() == ["田中", "田中", "ベンダー", "ベンダー"]
    assert docs["style"].tolist() == ["lecture", "lecture", "workshop", "workshop"]
    assert docs["audience"].tolist() == ["staff", "manager", "staff", "staff"]       # the respondent's
    # counts by each group column (hand counts of documents with 時間)
    docs = docs.reset_index()
    docs.attrs = {"n_used": 4, "n_blank": 0, "n_masked_only": 0, "n_below_min_cell_text": 0}
    t = toks(docs)
    for by, expected in (("instructor", {"田中": (1, 2), "ベンダー": (1, 2)}),
                         ("format", {"in_person": (1, 1), "hybrid": (1, 2)}),
                         ("course_id", {"A": (1, 2), "B": (1, 2)}),
                         ("audience", {"staff": (2, 3)})):
        wc = ft.word_counts(t, docs, by=by)
        got = {r[by]: (r.df, r.n_docs) for _, r in wc[wc["word"] == "時間"].iterrows()}
        assert got == expected, by


# --------------------------------------------------------------------------- counts
def test_word_counts_by_group_hand_count():
    docs = make_docs(["時間がない。時間が足りない。", "時間を作りたい。", "質問しにくい。"], wave=["pre", "pre", "post"])
    wc = ft.word_counts(toks(docs), docs, by="wave").set_index(["wave", "word"])
    assert wc.loc[("pre", "時間"), ["tf", "df", "n_docs", "share"]].tolist() == [3, 2, 2, 1.0]
    assert wc.loc[("post", "質問"), ["tf", "df", "n_docs"]].tolist() == [1, 1, 1]
    assert ("pre", "ない") not in wc.index and ("pre", "無い") not in wc.index     # 形容詞B excluded
    assert wc.attrs["n_used"] == 3
    with pytest.raises(ValueError, match="no group column 'course'"):
        ft.word_counts(toks(docs), docs, by="course")


def test_word_change_chi2_without_correction_and_holm():
    texts = ["予算が足りない。"] * 12 + ["資料が多い。"] * 8 + ["予算が足りない。"] * 5 + ["資料が多い。"] * 15
    docs = make_docs(texts, wave=["pre"] * 20 + ["post"] * 20)
    ch = ft.word_change(toks(docs), docs).set_index("word")
    # [[12, 8], [5, 15]]: chi2 without correction 5.0128, p .0252 (R chisq.test(correct = FALSE))
    row = ch.loc["予算"]
    assert (row.df_a, row.n_a, row.df_b, row.n_b) == (12, 20, 5, 20)
    assert row.test == "chi2"
    assert row.statistic == pytest.approx(5.0128, abs=1e-4)
    assert row.p_val == pytest.approx(0.0252, abs=1e-4)
    assert row["diff"] == pytest.approx(5 / 20 - 12 / 20)
    # four words with the same p: Holm multiplies by 4
    assert set(ch.index) == {"予算", "足りる", "資料", "多い"}
    assert ch["p_adj"].to_numpy() == pytest.approx([min(1, 4 * row.p_val)] * 4)


def test_word_change_uses_fisher_for_small_expected_counts():
    docs = make_docs(["窓口が混む。"] * 3 + ["資料が多い。"] * 7 + ["資料が多い。"] * 10, wave=["pre"] * 10 + ["post"] * 10)
    ch = ft.word_change(toks(docs), docs).set_index("word")
    # [[3, 7], [0, 10]]: expected 1.5 < 5 -> Fisher; two-sided p = 2 * C(10,3)/C(20,3) = 240/1140
    assert ch.loc["窓口", "test"] == "fisher"
    assert ch.loc["窓口", "p_val"] == pytest.approx(240 / 1140)


# --------------------------------------------------------------------------- KWIC
def test_kwic_hand_context():
    text = "オンラインだと質問しにくかった。対面なら質問できた。"
    docs = make_docs([text, "資料が多い。"], wave=["post", "post"])
    k = ft.kwic(toks(docs), docs, "質問", by="wave")
    assert k[["left", "keyword", "right"]].to_numpy().tolist() == [
        ["オンラインだと", "質問", "しにくかった。対面なら質問できた。"],
        ["オンラインだと質問しにくかった。対面なら", "質問", "できた。"]]
    k5 = ft.kwic(toks(docs), docs, "質問", width=5)
    assert k5[["left", "right"]].to_numpy().tolist() == [["ラインだと", "しにくかっ"], ["。対面なら", "できた。"]]
    assert k.attrs["n_used"] == 2


def test_collocation_score_hand_count():
    docs = make_docs(["演習の時間が足りない。演習の時間がほしい。"])
    c = ft.collocations(toks(docs), "時間").set_index("word")
    # 時間 at positions 2 and 9.  演習: l2 (pos 0), r5 (pos 7), l2 (pos 7) -> 2/2 + 1/5 = 1.2
    # 足りる (pos 4): r2 of the first, l5 of the second -> 1/2 + 1/5 = 0.7
    # の, が, ない (否定助動詞), ほしい (形容詞B), 。 are not listed
    assert list(c.index) == ["演習", "足りる"]
    assert c.loc["演習", ["l2", "r5", "left", "right", "total"]].tolist() == [2, 1, 2, 1, 3]
    assert c.loc["演習", "score"] == pytest.approx(1.2)
    assert c.loc["足りる", "score"] == pytest.approx(0.7)


# --------------------------------------------------------------------------- network
def test_jaccard_values_and_top_edges():
    docs = make_docs(["予算と会議と資料。", "予算と会議。", "資料と窓口。", "予算と資料。"])
    net = ft.cooccurrence(toks(docs), docs, min_df=1, top_edges=3)
    e = {(r.source, r.target) if r.source < r.target else (r.target, r.source): r.jaccard
         for r in net.edges.itertuples()}
    # 予算 {1,2,4}, 会議 {1,2}, 資料 {1,3,4}, 窓口 {3}
    assert e == pytest.approx({tuple(sorted(("予算", "会議"))): 2 / 3, tuple(sorted(("予算", "資料"))): 2 / 4,
                               tuple(sorted(("資料", "窓口"))): 1 / 3})
    assert net.threshold == pytest.approx(1 / 3)
    all_pairs = ft.cooccurrence(toks(docs), docs, min_df=1, min_coef=0.2)
    assert len(all_pairs.edges) == 4                               # + 会議-資料 1/4
    nodes = all_pairs.nodes.set_index("word")
    assert nodes.loc["予算", ["tf", "df", "degree"]].tolist() == [3, 3, 2]
    assert set(nodes["community"]) >= {1}
    again = ft.cooccurrence(toks(docs), docs, min_df=1, min_coef=0.2)
    assert np.allclose(again.nodes[["x", "y"]], all_pairs.nodes[["x", "y"]])        # fixed seed


def test_top_edges_keeps_ties():
    docs = make_docs(["会議と資料。", "会議と予算。"])
    net = ft.cooccurrence(toks(docs), docs, min_df=1, top_edges=1)
    assert len(net.edges) == 2 and set(net.edges["jaccard"]) == {0.5}


def test_network_without_edges_is_empty_not_an_error():
    """Comments that share no word (a new study's one comment) give an empty network."""
    docs = make_docs(["予算。", "窓口。"])
    net = ft.cooccurrence(toks(docs), docs, min_df=1)
    assert net.edges.empty and net.nodes.empty
    assert list(net.nodes.columns) == list(NODE_COLUMNS)


def test_network_change_colours_edges_by_wave():
    docs = make_docs(["予算と会議。", "予算と会議。", "予算と会議。", "資料と窓口。", "資料と窓口。"],
                     wave=["pre", "pre", "post", "post", "post"])
    nets = ft.network_change(toks(docs), docs, min_coef=0.2)
    ch = nets["change"].edges
    got = {frozenset((r.source, r.target)): r.wave for r in ch.itertuples()}
    assert got == {frozenset(("予算", "会議")): "both", frozenset(("資料", "窓口")): "post"}
    assert set(map(frozenset, nets["pre"].edges[["source", "target"]].to_numpy().tolist())) == {
        frozenset(("予算", "会議"))}
    pre = nets["pre"].nodes.set_index("word")
    both = nets["change"].nodes.set_index("word")
    assert pre.loc["予算", ["x", "y"]].tolist() == both.loc["予算", ["x", "y"]].tolist()
    fig = ftplots.draw_network(nets["change"], labels=figure_labels("ja"), wave_labels={"pre": "事前", "post": "事後"})
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["事後", "両方"]
    # colours follow the waves' order (pre, post, both), whichever waves have edges
    assert [h.get_color() for h in fig.axes[0].get_legend().legend_handles] == ["#d62728", "#7f7f7f"]
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"予算", "会議", "資料", "窓口"} <= texts
    assert any(t.startswith("N = 5") for t in texts)


# --------------------------------------------------------------------------- correspondence analysis
def test_correspondence_caithness_matches_mass_corresp():
    ca = ft.correspondence(pd.DataFrame(CAITHNESS))
    # R: MASS::corresp(caith, nf = 3)$cor
    assert ca.dims["cancor"].to_numpy() == pytest.approx([0.44636840, 0.17345540, 0.02931691], abs=1e-8)
    assert ca.dims["share"].sum() == pytest.approx(1.0)
    # principal coordinates reproduce the chi-square distances: sum of mass * coord^2 = inertia
    assert (ca.rows["mass"].to_numpy()[:, None] * ca.rows[["dim1", "dim2", "dim3"]].to_numpy() ** 2).sum(axis=0) == \
        pytest.approx(ca.dims["inertia"].to_numpy())


def test_word_correspondence_and_biplot():
    texts = (["時間が足りない。"] * 5 + ["資料が多い。"] + ["質問しにくい。"] * 5 + ["時間が足りない。"]
             + ["資料が多い。"] * 4 + ["質問しにくい。"] + ["業務を見直した。"] * 2)
    docs = make_docs(texts, course_id=["A"] * 6 + ["B"] * 6 + ["C"] * 7)
    ca = ft.word_correspondence(toks(docs), docs, by="course_id", n_words=5)
    assert len(ca.rows) == 5 and list(ca.cols.index) == ["A", "B", "C"]
    # hand counts of documents per course (A, B, C of 6, 6, 7): each word's chi2 of its 2 x 3 table
    counts = {"時間": [5, 1, 0], "足りる": [5, 1, 0], "資料": [1, 0, 4], "多い": [1, 0, 4], "質問": [0, 5, 1],
              "業務": [0, 0, 2], "見直す": [0, 0, 2]}
    n = np.array([6, 6, 7])
    chi2 = {w: stats.chi2_contingency([c, n - np.array(c)], correction=False)[0] for w, c in counts.items()}
    top5 = sorted(chi2, key=lambda w: (-round(chi2[w], 9), w))[:5]
    assert set(ca.rows.index) == set(top5)
    assert ca.rows["chi2"].to_dict() == pytest.approx({w: chi2[w] for w in top5})
    assert ca.table.loc["時間"].tolist() == [5, 1, 0]
    assert ca.rows["chi2"].is_monotonic_decreasing
    assert ca.rows.attrs["n_used"] == 19
    fig = ftplots.draw_correspondence(ca, labels=figure_labels("ja"))
    assert fig.axes[0].get_xlabel().startswith("成分1")
    assert ftplots.draw_correspondence(ca, labels=figure_labels("en")).axes[0].get_xlabel().startswith("Dimension 1")


# --------------------------------------------------------------------------- coding rules
CODE_TEXTS = ["オンラインだと質問しにくかった。", "時間が足りない。質問もできなかった。", "業務を見直した。時間がない。",
              "業務の流れを書き出して見直した。", "見直した業務はない。"]

RULES = """
# every element of KH Coder's syntax
*word
質問
*and
時間 and 質問
*or
質問 or 業務
*not
業務 and not 時間
*paren
(質問 or 業務)
  and not (時間)
*phrase
業務+を+見直す
*seq
seq(業務-見直す)
*seq3
seq(業務-見直す)[3]
*near
near(見直す-業務)[2]
*ref
<*phrase> or <*not>
*pos
見直す-->動詞 and not 時間
*pos_other_class
見直す-->名詞
"""


def test_each_rule_element_codes_the_hand_counted_documents():
    docs = make_docs(CODE_TEXTS)
    coded = ft.code_documents(toks(docs), docs, ft.parse_rules(RULES))
    got = {c: [int(i) for i in coded.index[coded[c]]] for c in coded.columns}
    assert got == {
        "word": [1, 2], "and": [2], "or": [1, 2, 3, 4, 5], "not": [4, 5], "paren": [1, 4, 5],
        "phrase": [3],                 # 業務 を 見直し consecutive in 3 only
        "seq": [3, 4],                 # 業務 then 見直す within 10 tokens (4: 6 apart); 5 has them reversed
        "seq3": [3],                   # within 3 tokens
        "near": [3, 5],                # 2 apart either way; 4 is 6 apart
        "ref": [3, 4, 5],
        "pos": [4, 5],
        "pos_other_class": [],
    }
    assert coded.attrs["n_used"] == 5


@pytest.mark.parametrize("text, message", [
    ("質問\n*a\n質問", r"<rules>, line 1: a condition before the first code"),
    ("*a\n(質問 or 時間\n*b\n質問", r"line 2: a '\(' is not closed"),
    ("*a\n質問 時間", r"line 2: 'and' or 'or' missing before '時間'"),
    ("*a\n質問)", r"line 2: a '\)' without its '\('"),
    ("*a\n質問-->名刺", r"line 2: unknown word class '名刺'"),
    ("*a\n<*b>\n*b\n質問", r"line 2: <\*b> refers to a code not defined above \*a"),
    ("*a\n質問\n*a\n時間", r"line 3: code \*a is already defined on line 1"),
    ("*a\n*b\n質問", r"line 1: code \*a has no condition"),
    ("*a\nseq(質問)", r"line 2: 'seq\(質問\)' needs two or more words"),
    ("*a\nnear(質問-時間)[x]", r"line 2: .*positive whole number"),
    ("*a\n質問 and\n", r"line 2: the condition ends where a word was expected"),
])
def test_rule_errors_name_the_line(text, message):
    with pytest.raises(ft.RuleError, match=message):
        ft.parse_rules(text)


def test_read_rules_utf8_and_cp932(tmp_path):
    (tmp_path / "u.txt").write_text("\ufeff*質問\n質問 or 相談\n", encoding="utf-8")
    (tmp_path / "s.txt").write_bytes("*髙橋\n質問 and not 相談\n".encode("cp932"))
    assert [r.name for r in ft.read_rules(tmp_path / "u.txt")] == ["質問"]
    assert [r.name for r in ft.read_rules(tmp_path / "s.txt")] == ["髙橋"]
    with pytest.raises(ft.RuleError, match="not found"):
        ft.read_rules(tmp_path / "none.txt")


# --------------------------------------------------------------------------- code tables
def test_adjusted_residual_caithness():
    r, p = ft.adjusted_residuals(CAITHNESS)
    assert r[0, 0] == pytest.approx(11.9239, abs=1e-4)           # Haberman (1973); R chisq.test()$stdres
    assert p[0, 0] == pytest.approx(2 * stats.norm.sf(11.9239), rel=1e-3)


def test_chi2_yates_only_for_2x2():
    yates = ft.table_test([[12, 8], [5, 15]])
    assert (yates["statistic"], yates["p_val"]) == pytest.approx((3.6829, 0.0550), abs=1e-4)   # R chisq.test()
    plain = ft.table_test([[12, 8], [5, 15]], correction=False)
    assert (plain["statistic"], plain["p_val"]) == pytest.approx((5.0128, 0.0252), abs=1e-4)
    big = ft.table_test(CAITHNESS)
    assert not big["yates"] and big["statistic"] == pytest.approx(stats.chi2_contingency(CAITHNESS)[0])
    small = ft.table_test([[3, 1, 2], [0, 4, 5]])
    assert small["test"] == "fisher" and small["p_val"] == ft.table_test([[3, 1, 2], [0, 4, 5]])["p_val"]


def _exact_fisher_rxc(table):
    """Fisher's exact p of an R x C table by enumerating every table with its margins (an
    independent reference: itertools over the free cells, hypergeometric probabilities
    from factorials)."""
    import itertools
    from math import factorial, prod
    t = np.asarray(table, dtype=int)
    rows, cols, n = t.sum(axis=1), t.sum(axis=0), int(t.sum())
    const = prod(factorial(int(r)) for r in rows) * prod(factorial(int(c)) for c in cols) / factorial(n)

    def prob(x):
        return const / prod(factorial(int(v)) for v in x.ravel())

    p_obs, total = prob(t), 0.0
    r, c = t.shape
    for free in itertools.product(*(range(int(min(rows[i], cols[j])) + 1) for i in range(r - 1) for j in range(c - 1))):
        x = np.zeros((r, c), dtype=int)
        x[:-1, :-1] = np.reshape(free, (r - 1, c - 1))
        x[:-1, -1] = rows[:-1] - x[:-1, :-1].sum(axis=1)
        x[-1, :] = cols - x[:-1, :].sum(axis=0)
        if (x < 0).any():
            continue
        q = prob(x)
        if q <= p_obs * (1 + 1e-7):
            total += q
    return total


@pytest.mark.parametrize("table", [[[3, 1, 2], [0, 4, 5]], [[3, 1, 2, 7], [0, 4, 5, 9], [6, 2, 8, 1]],
                                   [[1, 0, 2], [2, 1, 0]]])
def test_fisher_rxc_matches_exact_enumeration(table):
    """R x C Fisher: the simulated p (9,999 random tables) lies within 4 standard errors of the
    exact p, and a table of at most 7 people is enumerated exactly."""
    import time
    exact = _exact_fisher_rxc(table)
    t0 = time.process_time()
    res = ft.table_test(table, fisher_below=1e9)
    assert time.process_time() - t0 < 1.0          # vectorised random tables, not one crosstab per draw
    assert res["test"] == "fisher"
    if np.sum(table) <= 7:
        assert res["p_val"] == pytest.approx(exact, abs=1e-12)
    else:
        se = np.sqrt(max(exact * (1 - exact), 1e-4) / FISHER_RESAMPLES)
        assert abs(res["p_val"] - exact) < 4 * se + 1e-4, (res["p_val"], exact)


def test_code_crosstab_two_groups_hand_values():
    texts = ["質問しにくい。"] * 12 + ["資料が多い。"] * 8 + ["質問しにくい。"] * 5 + ["資料が多い。"] * 15
    docs = make_docs(texts, format=["online"] * 20 + ["in_person"] * 20)
    coded = ft.code_documents(toks(docs), docs, ft.parse_rules("*質問\n質問"))
    tab = ft.code_crosstab(coded, docs, by="format")
    test = tab.tests.set_index("code").loc["質問"]
    assert test["yates"] and test["test"] == "chi2"
    assert (test["statistic"], test["p_val"]) == pytest.approx((3.6829, 0.0550), abs=1e-4)
    cells = tab.cells.set_index("format")
    assert cells.loc["online", ["n_docs", "n_coded", "share"]].tolist() == [20, 12, 0.6]
    # 2 x 2: the adjusted residual is +-sqrt of the uncorrected chi2 (5.0128)
    assert cells.loc["online", "residual"] == pytest.approx(np.sqrt(5.012787723785166))
    assert cells.loc["in_person", "residual"] == pytest.approx(-np.sqrt(5.012787723785166))
    fig = ftplots.draw_code_heatmap(tab.cells, by="format", labels=figure_labels("ja"))
    assert fig.axes[-1].get_ylabel() == "調整済み残差"
    assert ftplots.draw_code_heatmap(tab.cells, by="format", labels=figure_labels("en")).axes[-1].get_ylabel() == \
        "Adjusted residual"
    with pytest.raises(ValueError, match="labels"):
        ftplots.draw_code_heatmap(tab.cells, by="format")


def test_code_quotes_only_from_large_groups_with_identical_texts_counted():
    texts = (["質問しにくかった。"] * 6 + ["質問の時間がほしい。"] * 2 + ["資料が多い。"] * 4
             + ["質問しにくかった。"] * 3 + ["資料が多い。"] * 2)
    docs = make_docs(texts, format=["online"] * 12 + ["hybrid"] * 5)
    coded = ft.code_documents(toks(docs), docs, ft.parse_rules("*質問\n質問"))
    q = ft.code_quotes(coded, docs, "質問", by="format", min_cell_text=10)
    assert q[["format", "text", "count", "n_group"]].to_numpy().tolist() == [
        ["online", "質問しにくかった。", 6, 12], ["online", "質問の時間がほしい。", 2, 12]]
    assert q.attrs["n_used"] == 8 and q.attrs["n_below_min_cell_text"] == 3     # hybrid: 5 < 10
    with pytest.raises(ValueError, match="no code 'x'"):
        ft.code_quotes(coded, docs, "x")


def test_every_result_states_its_n():
    docs = make_docs(CODE_TEXTS, wave=["pre", "pre", "post", "post", "post"])
    docs.attrs.update(n_blank=4, n_masked_only=1)
    t = toks(docs)
    coded = ft.code_documents(t, docs, ft.parse_rules("*a\n業務"))
    results = [ft.word_counts(t, docs), ft.word_change(t, docs, min_df=1), ft.kwic(t, docs, "業務"),
               ft.cooccurrence(t, docs, min_df=1).nodes, ft.cooccurrence(t, docs, min_df=1).edges, coded,
               ft.code_crosstab(coded, docs, by="wave").cells, ft.code_crosstab(coded, docs, by="wave").tests,
               ft.code_quotes(coded, docs, "a", min_cell_text=1)]
    for frame in results:
        assert set(ft.N_ATTRS) <= set(frame.attrs), frame.columns
        assert frame.attrs["n_blank"] == 4 and frame.attrs["n_masked_only"] == 1
    # a subset of the documents (pandas copies attrs onto it) counts its own documents
    post = docs[docs["wave"] == "post"]
    assert post.attrs["n_used"] == 5
    for frame in (ft.word_counts(t, post), ft.kwic(t, post, "業務"), ft.cooccurrence(t, post, min_df=1).nodes,
                  ft.code_documents(t, post, ft.parse_rules("*a\n業務"))):
        assert frame.attrs["n_used"] == 3 and frame.attrs["n_blank"] == 4


def test_figures_state_the_n_used_and_excluded():
    texts = ["質問しにくい。"] * 12 + ["資料が多い。"] * 8 + ["質問しにくい。"] * 5 + ["資料が多い。"] * 15
    docs = make_docs(texts, format=["online"] * 20 + ["in_person"] * 20)
    docs.attrs.update(n_blank=7, n_masked_only=2)
    t = toks(docs)
    cells = ft.code_crosstab(ft.code_documents(t, docs, ft.parse_rules("*質問\n質問")), docs, by="format").cells
    fig = ftplots.draw_code_heatmap(cells, by="format", labels=figure_labels("ja"), min_cell=2)
    assert fig._supxlabel.get_text() == "N = 40（除外: 空欄 7, マスクのみ 2）"
    bars = ftplots.draw_word_bars(ft.word_counts(t, docs, by="format"), by="format", labels=figure_labels("en"),
                                  min_cell=2)
    assert bars._supxlabel.get_text() == "N = 40 (excluded: blank 7, masked only 2)"
    # 2 people under min_cell 5 are hidden, and the blank count with them (else 49 − 40 − 7 gives 2)
    fig = ftplots.draw_code_heatmap(cells, by="format", labels=figure_labels("ja"))
    assert fig._supxlabel.get_text() == "N = 40（除外: 空欄 —, マスクのみ —）"
    # documents of small groups left out are named when there are any
    texts3 = texts + ["業務を見直した。"] * 4
    docs3 = make_docs(texts3, format=["online"] * 20 + ["in_person"] * 20 + ["hybrid"] * 4)
    ca = ft.word_correspondence(toks(docs3), docs3, by="format", n_words=5)
    ca.rows.attrs["n_below_min_cell_text"] = 3
    fig = ftplots.draw_correspondence(ca, labels=figure_labels("ja"), min_cell=3)
    assert "N = 44（除外: 空欄 0, マスクのみ 0, 少人数のグループ 3）" in {x.get_text() for x in fig.axes[0].texts}


# --------------------------------------------------------------------------- the demo's planted themes
def test_demo_planted_themes_come_out_on_top():
    """Each comment theme planted in data/demo (truth.json) leads its group's words and codes."""
    import json
    from pathlib import Path

    from dxsurvey.ingest import load_study

    root = Path(__file__).resolve().parents[1] / "data" / "demo"
    truth = {t["theme"]: t for t in json.loads((root / "truth.json").read_text(encoding="utf-8"))["comment_themes"]}
    docs = ft.study_documents(load_study(root))
    t = toks(docs)
    coded = ft.code_documents(t, docs, ft.parse_rules(
        "*時間がない\n時間 and ない\n*質問しづらい\nseq(質問-づらい)\n*業務を見直した\nseq(業務-見直す)\n"))
    lead_words = {"時間がない": {"時間"}, "質問しづらい": {"質問"}, "業務を見直した": {"業務", "見直す"}}
    for theme, words in lead_words.items():
        th = truth[theme]
        by, level = next((k, th[k]) for k in ("audience", "format", "style") if th[k])
        wave_docs = docs[docs["wave"] == th["wave"]]
        top = ft.word_counts(t, wave_docs, by=by)
        top = top[top[by] == level]
        assert top["word"].iloc[0] in words, (theme, top.head(3))
        cells = ft.code_crosstab(coded.loc[wave_docs["doc_id"]], wave_docs, by=by).cells
        cells = cells[cells["code"] == theme].set_index(by)
        assert cells["residual"].idxmax() == level and cells.loc[level, "residual"] > 1.96, (theme, cells)


def test_tokenize_in_threads_at_once():
    """The pipeline audits two notebooks at once in worker threads, each looking for person
    names with Sudachi; a shared Tokenizer refused that ("Tokenizer is already in use") and
    failed the hostile study's run.  Four threads tokenising at once give what one gives."""
    from concurrent.futures import ThreadPoolExecutor

    texts = pd.Series([f"山田さんに{k}回目の研修で業務改善の進め方を教わりました。" * 40 for k in range(40)])
    alone = ft.tokenize(texts)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: ft.tokenize(texts), range(8)))
    for got in results:
        pd.testing.assert_frame_equal(got, alone)
