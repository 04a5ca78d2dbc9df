"""The next-course planning report (reports/plan.py, notebooks/30_next_course.ipynb) on the demo.

The demo's planted effects (tests/test_plan.py, data/demo/README.md): staff gain more
ownership after workshops (+0.35) -> 研修スタイルはワークショップを推奨; staff in person vs
hybrid is a planted near-tie on one hybrid course of 11 pairs -> 区別できない（判定保留）
with its MDE; the ideas register: a bulletin board with ~1 idea, section visits > 120.
"""
from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dxsurvey import plan as stats_plan
from dxsurvey import reports
from dxsurvey.reports.format import fmt_num

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
JA = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    ctx = reports.Context.open(study=DEMO, out=tmp_path_factory.mktemp("plan"), name="30_next_course")
    return reports.plan.build(ctx)


@pytest.fixture(scope="module")
def report_en(report):
    return dataclasses.replace(report, lang="en")


def _aud_summary(summary: str, audience_label: str) -> str:
    return next(p for p in summary.split("\n\n") if p.startswith(f"**{audience_label}**"))


def test_summary_recommends_the_planted_options(report):
    s = report.summary()
    staff = _aud_summary(s, "一般職員")
    d = report.rec.decisions.set_index(["audience", "aspect"])
    st = d.loc[("staff", "style")]
    # the sentence carries the decision's own numbers and classification words
    assert f"研修スタイルはワークショップを推奨します（自分事化で講義より {fmt_num(st['diff'])} 点高い、差がある" in staff
    assert f"{int(st['n'])}人・{int(st['n_courses'])}講座" in staff
    # planted tie: staff in person vs hybrid -> undecided, with the MDE of that very comparison
    assert "形式（ハイブリッド・対面）は区別できない（判定保留）で" in staff or \
        "形式（対面・ハイブリッド）は区別できない（判定保留）で" in staff
    c = report.ww.contrasts
    tie = c[(c["audience"] == "staff") & (c["factor"] == "format") & (c["class"] == "undecided")
            & c["level_a"].isin(["in_person", "hybrid"]) & c["level_b"].isin(["in_person", "hybrid"])]
    worst = tie.sort_values("mde_d", ascending=False).iloc[0]
    assert f"対面{int(worst['n_a'])}人とハイブリッド{int(worst['n_b'])}人では d ≈ {fmt_num(worst['mde_d'])} 未満の差は検出できません" in staff
    # managers: workshops from the pooled data, said so
    mgr = _aud_summary(s, "管理職")
    assert "研修スタイルはワークショップを推奨します" in mgr and "全対象を合わせたデータ" in mgr
    # 2-5 sentences per audience; never "no difference" from p > .05
    for part in s.split("\n\n"):
        assert 2 <= part.count("。") <= 5, part
    assert "差がない" not in s


def test_sentences_follow_the_numbers(report):
    # on data where the recommendation is different, the sentence changes with it
    dec = report.rec.decisions.copy()
    i = dec.index[(dec["audience"] == "staff") & (dec["aspect"] == "style")][0]
    dec.loc[i, ["choice", "versus", "diff"]] = ["lecture", "workshop", 0.77]
    dec.loc[i, "status"] = "better_than_some"
    alt = dataclasses.replace(report, rec=stats_plan.Recommendation(dec, report.rec.evidence))
    staff = _aud_summary(alt.summary(), "一般職員")
    assert "研修スタイルは講義が一部の選択肢より優れています（自分事化でワークショップより 0.77 点" in staff
    assert "ワークショップを推奨" not in staff
    dec.loc[i, ["choice", "status", "versus"]] = [None, "equivalent", None]
    alt = dataclasses.replace(report, rec=stats_plan.Recommendation(dec, report.rec.evidence))
    assert "研修スタイルは選択肢どうしが同等とみなせるため" in _aud_summary(alt.summary(), "一般職員")
    # a fixed choice is said as fixed
    dec.loc[i, ["choice", "status"]] = ["lecture", "fixed"]
    alt = dataclasses.replace(report, rec=stats_plan.Recommendation(dec, report.rec.evidence),
                              fixed={"style": "lecture"})
    assert "研修スタイルは指定どおり講義とします" in _aud_summary(alt.summary(), "一般職員")
    assert "研修スタイル = 講義" in alt.parameters_text()


def test_what_worked_numbers_equal_compare(report):
    from dxsurvey.stats import compare
    table = report.table_what_worked()
    assert table.n_cols == ("n_a", "n_b")
    frame = table.frame
    c = report.ww.contrasts
    assert len(frame) == len(c)
    for aud, factor, cid in (("staff", "style", "ownership"), ("manager", "format", "ownership"),
                             ("all", "style", "ownership"), ("staff", "instructor_type", "necessity")):
        sub = report.study if aud == "all" else stats_plan.audience_study(report.study, aud)
        others = [g for g in stats_plan.PLAN_FACTORS if g != factor
                  and not (factor == "instructor_type" and g == "instructor")]
        if aud == "all":
            others.append("audience")
        ref = compare(sub, construct=cid, factors=(factor, *others), min_cell=report.min_cell).contrasts
        ref = ref[(ref["model"] == "ancova") & (ref["factor"] == factor)]
        mine = c[(c["audience"] == aud) & (c["factor"] == factor) & (c["construct"] == cid)]
        assert len(mine) == len(ref) > 0
        rows = frame.loc[mine.index]
        for (r, (_, m)) in zip(ref.itertuples(index=False), rows.iterrows()):
            assert m["diff"] == pytest.approx(r.diff)
            assert (m["ci_low"], m["ci_high"]) == pytest.approx((r.ci_low, r.ci_high))
    # the classification words and MDE sit beside every row
    assert set(frame["class"]) <= {"差がある", "差はあるが実質的に小さい", "同等とみなせる", "区別できない（判定保留）", "—"}
    assert frame.loc[c["class"] == "undecided", "mde_d"].notna().all()


def test_the_pooled_numbers_equal_the_comparison_report(report, tmp_path):
    # the comparison report's ANCOVA contrasts for all audiences (all factors) are the page's pooled rows
    secs = reports.comparison.comparison_sections(report.study, lang="ja", constructs=["ownership"])
    con = secs[0].contrasts
    con = con[(con["model"] == "ANCOVA") & (con["factor"] == "研修スタイル")]
    c = report.ww.contrasts
    mine = c[(c["audience"] == "all") & (c["factor"] == "style") & (c["construct"] == "ownership")]
    assert len(con) == len(mine) == 1
    assert mine["diff"].iloc[0] == pytest.approx(con["diff"].iloc[0])
    assert mine["ci_low"].iloc[0] == pytest.approx(con["ci_low"].iloc[0])


def test_tables_declare_their_count_columns(report):
    assert report.table_needs().n_cols == ("n_post", "n_followup")
    assert report.table_behaviour().n_cols == ("n", "n_yes")
    assert report.table_needed().n_cols == ("n_pairs",)
    assert report.table_ideas_course().n_cols == ("respondents",)
    # ideas and sections are not people
    assert report.table_ideas_channel().n_cols == ()


def test_ideas_tell_the_demo_story(report):
    txt = report.idea_sentences()
    bc = report.idea_tables["by_channel"].set_index("channel")
    assert bc.loc["掲示板", "n_ideas"] <= 2 and bc.loc["課への訪問", "n_ideas"] > 120
    assert f"- 掲示板: {int(bc.loc['掲示板', 'n_ideas'])}件" in txt
    assert f"- 課への訪問: {int(bc.loc['課への訪問', 'n_ideas'])}件" in txt
    reach = report.idea_tables["reach"].set_index("channel").loc["all"]
    assert f"全{int(reach['n_sections'])}課のうち{int(reach['n_sections_reached'])}課" in txt


def test_design_and_answers_needed(report):
    f = report.needed_frame()
    row = f.iloc[0]
    n = report.needed.iloc[0]
    assert row["need_compare"] == n["n_compare"]
    # invitations to reach the follow-up: inflated for response and attrition
    if pd.notna(row["invite_followup"]):
        assert row["invite_followup"] == stats_plan.invitations(int(n["n_change"]), n["rate"], 1 - row["retention"])
        assert row["invite_followup"] >= row["invite_change"]
    txt = report.design_text()
    assert "振り返り評価（then-test）" in txt and "約3か月後" in txt and "上司" in txt


def test_onepage_is_compact_and_printable(report):
    page = report.onepage()
    assert '<section class="dx-onepage">' in page and "@media print" in page
    assert page.count("<table>") == len(report.rec.decisions["audience"].unique())
    assert "ワークショップ" in page and "区別できない（判定保留）" in page


def test_english_summary_has_no_japanese_prose(report_en):
    s = report_en.summary()
    values = sorted(set(report_en.names.values()), key=len, reverse=True)
    stripped = s
    for v in values:
        stripped = stripped.replace(v, "")
    assert not JA.search(stripped), stripped
    assert "workshop is recommended" in s and "undecided" in s


def _markdown_and_html(nb_path: Path) -> str:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    out = []
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            for kind in ("text/markdown", "text/html"):
                if kind in data:
                    out.append("".join(data[kind]))
    return "\n".join(out)


def test_demo_run_includes_the_plan(demo_run):
    assert demo_run.returncode == 0, demo_run.stderr[-3000:]
    html_page = (demo_run.out / "html" / "30_next_course.html").read_text(encoding="utf-8")
    assert 'class="dx-onepage"' in html_page
    text = _markdown_and_html(demo_run.out / "notebooks" / "30_next_course.ipynb")
    assert "研修スタイルはワークショップを推奨します" in text
    assert "区別できない（判定保留）" in text and "未満の差は検出できません" in text
    assert "差がない" not in text
    assert not re.search(r"\b(recommended|cannot be detected|Key points)\b", text)
    for name in ("plan_what_worked", "plan_needs", "plan_behaviour", "plan_ideas_channel", "plan_answers_needed"):
        assert (demo_run.out / "tables" / f"{name}.csv").exists(), name


def test_english_page_runs_with_fixed_choice(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "dxsurvey.cli", "run", "30_next_course", "--study", str(DEMO),
                           "--out", str(out), "--quiet", "--lang", "en", "-p", "format", "online"],
                          capture_output=True, text=True, encoding="utf-8", timeout=900, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = _markdown_and_html(out / "notebooks" / "30_next_course.ipynb")
    assert "Format: online, as fixed." in text
    assert "Fixed: Format = online." in text
    # no Japanese prose: what is left after removing the study's own values is English
    from dxsurvey import load_study
    study = load_study(DEMO)
    values = {*reports.format.measure_labels(study).values(), *study.courses["title"].astype(str),
              *study.courses.get("instructor", pd.Series(dtype=str)).dropna().astype(str)}
    ideas = stats_plan.load_ideas(study)
    values |= set(ideas.ideas["channel"].dropna()) | set(ideas.ideas["section"].dropna())
    values |= {str(study.codebook.survey)}
    stripped = re.sub(r"<style>.*?</style>", "", text, flags=re.S)
    for v in sorted(values, key=len, reverse=True):
        stripped = stripped.replace(v, "").replace(reports.format.escape_md(v), "")
    bad = sorted(set(m.group(0) for m in re.finditer(r"\S*[\u3040-\u30ff\u4e00-\u9fff]+\S*", stripped)))
    assert not bad, bad[:20]
