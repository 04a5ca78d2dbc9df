"""Benchmark: the free-text analyses on 10,000 comments of about 100 characters.

Builds 10,000 distinct comments (seeded) from sentence parts a municipal DX training
questionnaire gets, in 40 courses × waves pre/post × audiences manager/staff × formats, then
times each step: documents, Sudachi tokenising, word counts by wave and by group, word change
pre -> post, KWIC and collocations, the co-occurrence network (60 strongest edges), the change
networks, correspondence analysis of words × courses, coding rules, code × format table, quotes,
and drawing the figures the report draws.

Before that it measures the figure issue 13 gives for the tokeniser: sentences of about 100
characters a second through SudachiPy in split mode C (issue: about 4,000), the bare
tokeniser and :func:`dxsurvey.freetext.tokenize` with its tidy frame; fugashi + unidic-lite
and Janome (issue: about 2,400 and about 100) are measured only when they are installed (they
are not dependencies of dxsurvey).

Run: ``python benchmarks/bench_freetext.py [--comments 10000] [--sentences 2000] [--seed 7]``.
Target: all steps <= 30 s on 2 cores (exit status 1 when slower).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from dxsurvey import freetext as ft  # noqa: E402
from dxsurvey.freetext import plots as ftplots  # noqa: E402
from dxsurvey.reports.freetext import figure_labels  # noqa: E402

OPENINGS = ["研修では", "今回の講義で", "グループワークを通じて", "オンライン研修だったので", "演習の中で", "事例紹介を聞いて",
            "管理職として", "係の業務について", "生成AIの使い方を学び", "業務の棚卸しをして"]
MIDDLES = ["他課の職員と課題を共有できた", "自分の業務の流れを書き出した", "やめられる作業が見えてきた",
           "質問しづらいと感じた", "時間がないことが一番の課題だと思った", "部下の提案を通しにくい雰囲気がある",
           "申請書の電子化を進めたいと考えた", "個人情報保護の注意点がよく分かった", "サーバーの更新の打合せが多いと気づいた",
           "会議資料のペーパーレス化を始めたい", "RPAの導入について相談したい", "DX推進の必要性を理解した"]
ENDINGS = ["。もう少し演習の時間がほしかった。", "。次回は具体的な事例をもっと知りたい。", "。資料を後で見返せるようにしてほしい。",
           "。職場に戻って業務を見直したい。", "。音声が途切れることがあったのが残念だった。", "。とても分かりやすかった。"]

RULES = """
*時間不足
時間 and (ない or 足りる or ほしい)
*質問しにくさ
seq(質問-づらい) or near(質問-難い)[3]
*業務見直し
業務+を+見直す or 棚卸し or やめる
*DX理解
DX and (必要 or 理解)
*事例
事例 and not 資料
"""


def make_comments(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    texts = []
    for i in range(n):
        parts = [OPENINGS[rng.integers(len(OPENINGS))], MIDDLES[rng.integers(len(MIDDLES))], "。",
                 OPENINGS[rng.integers(len(OPENINGS))], MIDDLES[rng.integers(len(MIDDLES))], "。",
                 OPENINGS[rng.integers(len(OPENINGS))], MIDDLES[rng.integers(len(MIDDLES))],
                 ENDINGS[rng.integers(len(ENDINGS))]]
        texts.append("".join(parts) + f"（{i}）")      # distinct texts: no shortcut through repeats
    course = rng.integers(40, size=n)
    subs = pd.DataFrame({"submission_id": np.arange(1, n + 1),
                         "course_id": [f"C{c:02d}" for c in course],
                         "wave": np.where(rng.random(n) < 0.5, "pre", "post"),
                         "audience": np.where(rng.random(n) < 0.3, "manager", "staff")})
    courses = pd.DataFrame({"course_id": [f"C{c:02d}" for c in range(40)],
                            "format": [("in_person", "online", "hybrid")[c % 3] for c in range(40)]})
    tx = pd.DataFrame({"submission_id": subs["submission_id"], "item_id": "comment", "text": texts})
    return ft.documents(tx, subs, courses), courses


def make_sentences(n: int, seed: int) -> list[str]:
    """``n`` distinct sentences of 95-105 characters from the comment parts."""
    rng = np.random.default_rng(seed)
    parts = OPENINGS + MIDDLES + [e.lstrip("。") for e in ENDINGS]
    out: list[str] = []
    while len(out) < n:
        s = ""
        while len(s) < 95:
            s += parts[rng.integers(len(parts))] + "、"
        s = s[:100 - len(str(len(out))) - 1] + str(len(out)) + "。"
        out.append(s)
    return out


def tokenizer_rates(n: int, seed: int) -> None:
    """Sentences a second: Sudachi mode C (bare and through ft.tokenize); fugashi, Janome if installed."""
    sentences = make_sentences(n, seed)
    print(f"tokeniser speed: {n} distinct sentences of {np.mean([len(x) for x in sentences]):.0f} characters")
    from sudachipy import Dictionary, SplitMode
    tok = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
    for s in sentences[:50]:          # warm-up (dictionary pages)
        tok.tokenize(s)

    def rate(name, fn):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        print(f"  {name:<44s} {n / dt:8.0f} sentences/s wall, {n / dc:8.0f} per CPU second")

    rate("SudachiPy mode C (tokenizer.tokenize)", lambda: [[m.surface() for m in tok.tokenize(s)] for s in sentences])
    ft.tokenize(pd.Series(sentences[:50]))
    rate("dxsurvey.freetext.tokenize (tidy frame)",
         lambda: ft.tokenize(pd.Series(sentences[50:] + sentences[:50], index=range(n))))
    try:
        import fugashi
        tagger = fugashi.Tagger()
        rate("fugashi + unidic-lite", lambda: [[w.surface for w in tagger(s)] for s in sentences])
    except Exception as exc:  # noqa: BLE001  (not installed, or no dictionary)
        print(f"  fugashi + unidic-lite: not measured ({type(exc).__name__}: not installed here)")
    try:
        from janome.tokenizer import Tokenizer
        janome = Tokenizer()
        rate("Janome", lambda: [[t.surface for t in janome.tokenize(s)] for s in sentences])
    except Exception as exc:  # noqa: BLE001
        print(f"  Janome: not measured ({type(exc).__name__}: not installed here)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--comments", type=int, default=10_000)
    ap.add_argument("--sentences", type=int, default=2_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    tokenizer_rates(args.sentences, args.seed)
    times: dict[str, float] = {}
    cpu: dict[str, float] = {}
    print(f"{'step':<28s} {'wall':>7s}   {'CPU':>7s}")

    def step(name, fn):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times[name] = time.perf_counter() - t0
        cpu[name] = time.process_time() - c0
        print(f"{name:<28s} {times[name]:7.2f} s {cpu[name]:7.2f} s", flush=True)
        return out

    docs, _ = step("documents", lambda: make_comments(args.comments, args.seed))
    chars = docs["text"].str.len()
    print(f"  {len(docs)} comments, {chars.mean():.0f} characters on average")
    tokens = step("tokenize (Sudachi, mode C)", lambda: ft.tokenize(docs.set_index("doc_id")["text"]))
    print(f"  {len(tokens)} tokens")
    step("word counts by wave", lambda: ft.word_counts(tokens, docs, by="wave"))
    step("word counts by 4 groups", lambda: [ft.word_counts(tokens, docs, by=g)
                                             for g in ("audience", "format", "course_id", "wave")])
    step("word change pre->post", lambda: ft.word_change(tokens, docs, by="audience"))
    step("kwic + collocations", lambda: (ft.kwic(tokens, docs, "時間"), ft.collocations(tokens, "時間")))
    net = step("co-occurrence network", lambda: ft.cooccurrence(tokens, docs))
    nets = step("change networks", lambda: ft.network_change(tokens, docs, min_coef=0.2))
    ca = step("correspondence (course)", lambda: ft.word_correspondence(tokens, docs, by="course_id"))
    coded = step("coding rules", lambda: ft.code_documents(tokens, docs, ft.parse_rules(RULES)))
    tab = step("code x format table", lambda: ft.code_crosstab(coded, docs, by="format"))
    step("quotes", lambda: ft.code_quotes(coded, docs, "質問しにくさ", by="format"))

    labels = figure_labels("ja")

    def draw():
        fig, axes = plt.subplots(1, 2, figsize=(14, 7), layout="constrained")
        for ax, wave in zip(axes, ("pre", "post")):
            ftplots.draw_network(nets[wave], ax=ax, labels=labels, title=wave)
        for f in (ftplots.draw_network(net, labels=labels), fig,
                  ftplots.draw_network(nets["change"], labels=labels, wave_labels={"pre": "事前", "post": "事後"}),
                  ftplots.draw_correspondence(ca, labels=labels),
                  ftplots.draw_code_heatmap(tab.cells, by="format", labels=labels)):
            f.canvas.draw()
            plt.close(f)

    step("figures (5, rendered)", draw)
    total = sum(times.values())
    print(f"{'total':<28s} {total:7.2f} s {sum(cpu.values()):7.2f} s  (target <= 30 s wall)")
    print(f"load average at the end (1, 5, 15 min): {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores")
    return 0 if total <= 30 else 1


if __name__ == "__main__":
    raise SystemExit(main())
