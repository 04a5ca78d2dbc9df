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
    # the answers and courses on both sides, and what the comparison cannot be separated from
    assert (f"ワークショップ{int(st['n'])}人・{int(st['n_courses'])}講座／"
            f"講義{int(st['n_versus'])}人・{int(st['n_courses_versus'])}講座") in staff
    assert "形式と切り分けられず" in staff or "・形式と切り分けられず" in staff
    assert "講義は1講座のみで講座自体の違いと区別できない" in staff
    # planted tie: staff in person vs hybrid -> undecided, with the MDE of that very comparison
    assert "形式（ハイブリッド・対面）は区別できない（判定保留）で" in staff or \
        "形式（対面・ハイブリッド）は区別できない（判定保留）で" in staff
    c = report.ww.contrasts
    tie = c[(c["audience"] == "staff") & (c["factor"] == "format") & (c["class"] == "undecided")
            & c["level_a"].isin(["in_person", "hybrid"]) & c["level_b"].isin(["in_person", "hybrid"])]
    worst = tie.sort_values("mde_d", ascending=False).iloc[0]
    assert (f"対面{int(worst['n_a'])}人（{int(worst['n_courses_a'])}講座）とハイブリッド{int(worst['n_b'])}人"
            f"（{int(worst['n_courses_b'])}講座）では d ≈ {fmt_num(worst['mde_d'])} 未満の差は検出できません") in staff
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
    dec.loc[i, ["choice", "versus", "diff", "n", "n_courses", "n_versus", "n_courses_versus"]] = \
        ["lecture", "workshop", 0.77, 40, 2, 30, 3]
    dec.loc[i, ["status", "tangled_with", "entangled_with", "not_beaten"]] = ["better_than_some", None, None, None]
    alt = dataclasses.replace(report, rec=stats_plan.Recommendation(dec, report.rec.evidence))
    staff = _aud_summary(alt.summary(), "一般職員")
    assert "研修スタイルは講義がワークショップより優れています（自分事化で 0.77 点高い、差がある、講義40人・2講座／ワークショップ30人・3講座、この対象のデータ）。" in staff
    assert "ワークショップを推奨" not in staff and "切り分けられず" not in staff and "1講座のみ" not in staff
    # a level it did not beat is named; a tangled factor and a one-course side are said
    f = dec.index[(dec["audience"] == "staff") & (dec["aspect"] == "format")][0]
    dec2 = dec.copy()
    dec2.loc[f, ["choice", "versus", "diff", "basis", "n", "n_courses", "n_versus", "n_courses_versus"]] = \
        ["in_person", "online", 0.41, "ownership", 36, 2, 33, 1]
    dec2.loc[f, ["status", "class", "tangled_with", "entangled_with", "not_beaten", "source"]] = \
        ["better_than_some", "different", "style,instructor_type", None, "hybrid", "audience"]
    alt = dataclasses.replace(report, rec=stats_plan.Recommendation(dec2, report.rec.evidence))
    staff = _aud_summary(alt.summary(), "一般職員")
    assert ("形式は対面がオンラインより優れています（自分事化で 0.41 点高い、差がある、対面36人・2講座／オンライン33人・1講座、"
            "研修スタイル・講師区分と切り分けられず、その効果も含む、オンラインは1講座のみで講座自体の違いと区別できない、"
            "この対象のデータ）が、ハイブリッドより優れているとは言えません。") in staff
    en = _aud_summary(dataclasses.replace(alt, lang="en").summary(), "staff")
    assert "Format: in person beats online (" in en and "but is not shown to be better than hybrid." in en
    assert "not separable from Style, Instructor type" in en
    # a factor adjusted for but bundled with the compared one by the courses
    dec2.loc[f, ["tangled_with", "entangled_with"]] = [None, "instructor"]
    alt = dataclasses.replace(report, rec=stats_plan.Recommendation(dec2, report.rec.evidence))
    staff = _aud_summary(alt.summary(), "一般職員")
    assert "オンライン33人・1講座、講師とは講座の組み合わせが偏り、調整は少数の講座頼み、オンラインは1講座のみ" in staff
    assert "切り分けられず" not in staff.split("形式は")[1].split("。")[0]
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
    # "差がない" appears only quoted, where the page says it never reads p > .05 so (and in the glossary)
    assert "差がない" not in text.replace("「差がない」", "")
    assert "未満の差は検出できません" in text and "1時間あたり" in text and "次回の評価に必要な回答数" in text
    assert not re.search(r"\b(recommended|cannot be detected|Key points)\b", text)
    for name in ("plan_what_worked", "plan_needs", "plan_behaviour", "plan_ideas_channel", "plan_answers_needed",
                 "plan_gain_per_hour", "plan_ideas_course"):
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


# ---------------------------------------------------------------------- needs, gain per hour, ideas, design

def _line(markup: str, audience_label: str) -> str:
    return next(x for x in str(markup).split("\n") if x.startswith(f"- {audience_label}"))


def test_needs_sentences_follow_the_numbers(report):
    nd = report.nd
    cons = nd[(nd["measure_type"] == "construct") & (nd["audience"] == "manager")]
    low = cons.loc[cons["post_mean"].idxmin()]
    small = cons.loc[cons["gain"].idxmin()]
    line = _line(report.needs_text(), "管理職")
    name = report.names
    assert (f"事後の到達度が最も低いのは{name[low['measure_id']]}（{fmt_num(low['post_mean'])} "
            f"[{fmt_num(low['post_ci_low'])}, {fmt_num(low['post_ci_high'])}]）") in line
    assert f"伸びが最も小さいのは{name[small['measure_id']]}（{fmt_num(small['gain'])}" in line
    # planted retention 0.7: necessity falls back after post, said with its interval
    nec = cons.set_index("measure_id").loc["necessity"]
    assert nec["fallback_class"] == "different"
    assert f"下がったのは{name['necessity']}（{fmt_num(nec['fallback'])} [" in line
    quad = cons[cons["quadrant"] == "priority_improve"]["measure_id"]
    assert "到達度×伸びの図で「重点改善」に入るのは" + "・".join(name[m] for m in quad) + "です。" in line
    # on other numbers the sentences change: nothing fell back, one held
    alt_nd = nd.copy()
    mgr = (alt_nd["audience"] == "manager") & (alt_nd["measure_type"] == "construct")
    alt_nd.loc[mgr, "fallback_class"] = "undecided"
    alt_nd.loc[mgr & (alt_nd["measure_id"] == "ownership"), "fallback_class"] = "equivalent"
    alt = dataclasses.replace(report, nd=alt_nd)
    line = _line(alt.needs_text(), "管理職")
    assert "下がったと確かめられた構成概念はありません" in line and "下がったのは" not in line
    assert f"事後の水準を保った（同等とみなせる）のは{name['ownership']}（" in line
    en = _line(dataclasses.replace(alt, lang="en").needs_text(), "managers")
    assert "lowest post level:" in en and "No construct was shown to fall back" in en
    # without a follow-up nothing is said about falling back
    no_fu = alt_nd.copy()
    no_fu.loc[mgr, "fallback_class"] = None
    assert "追跡" not in _line(dataclasses.replace(report, nd=no_fu).needs_text(), "管理職")


def test_importance_map_when_importance_items_are_given(report):
    nd = stats_plan.needs(report.study, importance={"necessity": "skill", "ownership": "skill", "support": "skill",
                                                     "stop_work": "skill"})
    alt = dataclasses.replace(report, nd=nd)
    assert alt.needs_caption() == "重要度×到達度の4象限（破線: 平均）"
    assert "importance" in alt.table_needs().frame.columns
    assert "importance" not in report.table_needs().frame.columns
    q = nd[(nd["measure_type"] == "construct") & (nd["quadrant"] == "priority_improve")]
    for aud, g in q.groupby("audience"):
        audience = {"manager": "管理職", "staff": "一般職員"}[aud]
        assert "重要度×到達度の図で「重点改善」に入るのは" in _line(alt.needs_text(), audience)
    assert reports.plan._importance("necessity:imp1, ownership=imp2") == {"necessity": "imp1", "ownership": "imp2"}
    with pytest.raises(ValueError, match="importance must list measure:item pairs"):
        reports.plan._importance("necessity")


def test_gain_per_hour_table_and_sentence(report):
    from dxsurvey.stats import prepost
    table = report.table_gain_per_hour()
    assert table.n_cols == ("n_a", "n_b")
    pp = prepost(report.study, by=("course_id", "audience"), measures="constructs")
    ref = pp[(pp["course_id"] == "C2025-02") & (pp["measure_id"] == "ownership")].iloc[0]
    g = report.gph
    row = table.frame[(g["course_id"] == "C2025-02").to_numpy() & (g["construct"] == "ownership").to_numpy()].iloc[0]
    assert row["hours"] == 4.0 and row["per_hour"] == pytest.approx(ref["diff"] / 4.0)
    # the sentence: largest and smallest mean change per hour over the constructs, by hand
    staff = g[(g["audience"] == "staff") & g["hours"].notna() & g["diff"].notna()]
    per = staff.groupby("course_id")["per_hour"].mean().sort_values(ascending=False)
    line = _line(report.per_hour_text(), "一般職員")
    top, bottom = per.index[0], per.index[-1]
    assert f"最も大きいのは{top.replace('-', chr(92) + '-')}" in line and f"1時間あたり {per.iloc[0]:.3f}" in line
    assert f"最も小さいのは{bottom.replace('-', chr(92) + '-')}" in line
    # other numbers, other course
    alt_g = g.copy()
    alt_g.loc[(alt_g["course_id"] == bottom) & (alt_g["audience"] == "staff"), "per_hour"] = 9.0
    line = _line(dataclasses.replace(report, gph=alt_g).per_hour_text(), "一般職員")
    assert f"最も大きいのは{bottom.replace('-', chr(92) + '-')}" in line and "1時間あたり 9.000" in line


def test_ideas_sentences_follow_the_numbers(report):
    txt = report.idea_sentences()
    raw = pd.read_csv(DEMO / "ideas.csv", dtype=str, keep_default_na=False)
    n_visit, n_board = (raw["channel"] == "課への訪問").sum(), (raw["channel"] == "掲示板").sum()
    assert (f"最も多くのアイデアが寄せられた経路は課への訪問（{n_visit}件、全体の{round(100 * n_visit / len(raw))}%）、"
            f"最も少ない経路は掲示板（{n_board}件）です。") in txt
    # ideas from courses per 100 invited (courses.csv invited), by hand
    courses = pd.read_csv(DEMO / "courses.csv", dtype=str)
    linked = raw[raw["course_id"] != ""]
    invited = pd.to_numeric(courses["invited"]).sum()
    assert f"研修に結びついたアイデアは{len(linked)}件で、案内した{invited}人の100人あたり{100 * len(linked) / invited:.1f}件です。" in txt
    dates = dict(zip(courses["course_id"], pd.to_datetime(courses["date"])))
    days = (pd.to_datetime(linked["date"]) - linked["course_id"].map(dates)).dt.days
    assert f"中央値{days.median():.0f}日" in txt
    # a register where the bulletin board brought the most
    tables = {k: v.copy() for k, v in report.idea_tables.items()}
    bc = tables["by_channel"]
    bc.loc[bc["channel"] == "掲示板", "n_ideas"] = 500
    bc.loc[bc["channel"] == "all", "n_ideas"] = bc.loc[bc["channel"] == "all", "n_ideas"] + 499
    alt = dataclasses.replace(report, idea_tables=tables)
    assert "最も多くのアイデアが寄せられた経路は掲示板（500件" in alt.idea_sentences()
    # statuses unknown are left out of the rate and said so
    bc.loc[bc["channel"] == "all", "n_status"] = bc.loc[bc["channel"] == "all", "n_status"] - 7
    assert "（状況が不明な" in alt.idea_sentences()
    en = dataclasses.replace(report, lang="en").idea_sentences()
    assert "Most ideas came through 課への訪問" in en and "per 100 of the" in en
    assert dataclasses.replace(report, ideas=None, ideas_error=True).idea_sentences().startswith(
        "アイデア登録簿（ideas.csv）を読み込めませんでした")


def test_design_says_power_at_the_expected_turnout(report):
    lines = report.needed_lines()
    need = report.needed
    staff = need[need["audience"] == "staff"]
    r = staff.loc[staff["n_compare"].idxmax()]
    line = next(x for x in lines if x.startswith("一般職員"))
    assert f"各群{int(r['n_compare'])}人" in line
    assert (f"1講座あたり{r['invited_course']:.0f}人の案内では選択肢ごとに約{int(r['n_expected'])}組の回答が見込め、"
            f"d = 0.30 の差を見つける検出力は{100 * r['power_expected']:.0f}%、検出できる最小の差は d ≈ "
            f"{r['mde_expected']:.2f} です。") in line
    page = report.onepage()
    assert "次回の評価に必要な回答数" in page and f"各群{int(r['n_compare'])}人" in page
    en = dataclasses.replace(report, lang="en").needed_lines()
    assert any(f"power {100 * r['power_expected']:.0f}% to find d = 0.30" in x for x in en)


def test_plan_sentences_keep_the_one_rule(report):
    """With min_cell above every group, no level, gain, fall-back or gain per hour is said."""
    big = dataclasses.replace(report, min_cell=10_000)
    assert str(big.needs_text()) == ""
    assert str(big.per_hour_text()) == ""
    # a min_cell between the groups: only groups at or above it are named
    mid = dataclasses.replace(report, min_cell=12)
    g = report.gph
    small = set(g.loc[(g["n_a"] < 12) | (g["n_b"] < 12), "course_id"]) - set(
        g.loc[(g["n_a"] >= 12) & (g["n_b"] >= 12), "course_id"])
    txt = str(mid.per_hour_text())
    assert small and not any(c.replace("-", "\\-") in txt for c in small)
