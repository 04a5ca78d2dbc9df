"""Real exports as they come (issue 12): one form for many courses, open roles and
vocabularies, waves in one row, case-variant labels and careless answers.

Every study here is built as the export would arrive (Google Forms CSV, Microsoft Forms
workbook); counts and statistics are checked against values computed independently in
the test with pandas and scipy on the same cells.
"""
from __future__ import annotations

import datetime as dt
import textwrap
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from fixtures_readers import write_google_csv, write_ms_forms_xlsx

import dxsurvey
from dxsurvey.cli import main
from dxsurvey.codebook import CodebookError, course_instructors, load_codebook, load_courses
from dxsurvey.stats.compare import compare
from dxsurvey.stats.prepost import prepost
from dxsurvey.stats.reliability import alpha, reliability

T0 = dt.datetime(2024, 6, 3, 9, 0, 0)


def _study(tmp_path: Path, survey: str, courses: str) -> Path:
    root = tmp_path / "study"
    (root / "raw").mkdir(parents=True)
    (root / "survey.yaml").write_text(textwrap.dedent(survey), encoding="utf-8")
    (root / "courses.csv").write_text(textwrap.dedent(courses), encoding="utf-8")
    return root


def _fold(text) -> str | None:
    """The test's own normalisation: NFKC, strip, case folded."""
    if text is None or (isinstance(text, float) and np.isnan(text)) or not str(text).strip():
        return None
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


def _problems(study, problem: str) -> pd.DataFrame:
    return study.validation[study.validation["problem"] == problem]


# ------------------------------------------------------------------ case-variant labels

EN_SURVEY = """\
    survey: course-evaluation
    language: en
    scales:
      agree5:
        levels: {1: [Strongly disagree], 2: [Disagree], 3: [Neutral], 4: [Agree], 5: [Strongly agree]}
    items:
      - {id: q1, column: The course was useful, scale: agree5}
      - {id: q2, column: The instructor explained clearly, scale: agree5}
    sources:
      - {file: raw/eval.csv, course: C1, wave: post}
    """
EN_LEVELS = {"strongly disagree": 1, "disagree": 2, "neutral": 3, "agree": 4, "strongly agree": 5}


@pytest.fixture
def variant_labels(tmp_path):
    rng = np.random.default_rng(12)
    spellings = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree",
                 "Strongly Agree", "STRONGLY DISAGREE", " Agree ", "Ｓｔｒｏｎｇｌｙ agree"]
    n = 120
    q1 = rng.choice(spellings, size=n).tolist()
    q2 = rng.choice(spellings[:5], size=n).tolist()
    for i in range(0, n, 10):          # 12 of 120 (10 %) typed with a typo: lost answers
        q2[i] = "Agreee"
    rows = [[T0 + dt.timedelta(minutes=i), a, b] for i, (a, b) in enumerate(zip(q1, q2))]
    root = _study(tmp_path, EN_SURVEY, "course_id,title\nC1,Evaluation\n")
    write_google_csv(root / "raw" / "eval.csv", ["タイムスタンプ", "The course was useful",
                                                  "The instructor explained clearly"], rows)
    return root, q1, q2


def test_labels_match_ignoring_case_width_and_spaces(variant_labels):
    root, q1, q2 = variant_labels
    study = dxsurvey.load_study(root)
    got = study.answers.pivot(index="submission_id", columns="item_id", values="value")
    expected_q1 = pd.Series([EN_LEVELS[_fold(v)] for v in q1], dtype="Int64")
    assert got["q1"].reset_index(drop=True).equals(expected_q1)
    assert int(got["q1"].isna().sum()) == 0
    # the five 'Strongly agree' spellings all read as 5
    assert int((got["q1"] == 5).sum()) == sum(_fold(v) == "strongly agree" for v in q1)

    merged = _problems(study, "merged_spellings")
    assert merged["column"].tolist() == ["The course was useful"]       # one info line, for q1 only
    msg = merged["message"].iloc[0]
    assert "Strongly Agree" in msg and "STRONGLY DISAGREE" in msg and merged["action"].iloc[0] == "kept"
    assert "Strongly agree" in msg


def test_label_loss_is_an_error_with_a_hint(variant_labels, capsys):
    root, q1, q2 = variant_labels
    study = dxsurvey.load_study(root)
    loss = _problems(study, "label_loss")
    assert len(loss) == 1 and loss["action"].iloc[0] == "error"
    lost = sum(v == "Agreee" for v in q2)
    assert f"lost {lost} of {len(q2)} answers (10%)" in loss["message"].iloc[0]
    assert "did you mean 'Agree'?" in loss["message"].iloc[0]
    assert len(_problems(study, "unknown_label")) == lost          # each row still named
    assert main(["validate", "--study", str(root), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "Validation OK" not in out and "too many unknown labels" in out


# ------------------------------------------------------------------ one form, many courses

COURSES_14 = "course_id,title,instructor,format,style,audience\n" + "".join(
    f"C{i:02d},DX研修 第{i}回,{'山田 太郎;佐藤 花子' if i == 5 else ('山田 太郎' if i % 2 else '鈴木 一郎')},"
    f"{['対面', 'オンライン', 'Hybrid'][i % 3]},{'講義' if i % 2 else 'workshop'},\n" for i in range(1, 15))

SHARED_SURVEY = """\
    survey: shared-form
    respondent_key: {column: 職員番号, width: 4}
    audiences:
      shuji: {ja: 主事, en: junior staff}
      kakaricho: {ja: 係長, en: chief}
      kacho: {ja: 課長, en: section head}
    scales:
      agree5:
        levels: {1: [そう思わない], 2: [あまりそう思わない], 3: [どちらともいえない], 4: [ややそう思う], 5: [そう思う]}
    constructs:
      necessity: {label: DXの必要性, items: [q1, q2]}
    items:
      - {id: course, column: 研修名, type: category, role: course}
      - {id: timing, column: 回答時点, type: category, role: wave, map: {事前: pre, 事後: post}}
      - {id: teacher, column: 講師, type: category, role: instructor}
      - {id: rank, column: 職位, type: category, role: audience}
      - {id: venue, column: 受講形式, type: category, role: format}
      - {id: q1, column: DXの必要性を理解している, scale: agree5}
      - {id: q2, column: 業務改善に取り組みたい, scale: agree5}
    sources:
      - {file: raw/shared.csv, where: {年度: ["2024"]}}
    """
LABELS5 = ["そう思わない", "あまりそう思わない", "どちらともいえない", "ややそう思う", "そう思う"]
SHARED_HDR = ["タイムスタンプ", "年度", "研修名", "回答時点", "講師", "職員番号", "職位", "DXの必要性を理解している",
              "業務改善に取り組みたい", "受講形式"]


@pytest.fixture
def shared_form(tmp_path):
    rng = np.random.default_rng(14)
    rows = []
    t = T0
    code = 1000
    for i in range(1, 15):
        title = f"DX研修 第{i}回"
        written = [title, f"ＤＸ研修　第{i}回", f"c{i:02d}"]       # the title, full width, the id in lower case
        for _ in range(8):
            code += 1
            rank = rng.choice(["主事", "係長", "課長", "アルバイト" if code % 37 == 0 else "主事"])
            pre = rng.integers(1, 5, size=2)
            post = np.minimum(pre + rng.integers(0, 2, size=2), 5)
            teacher = "ゲスト講師" if i == 14 else ""
            for wave, vals in (("事前", pre), ("事後", post)):
                t += dt.timedelta(minutes=3)
                venue = {1: "オンライン", 2: "Zoom"}.get(i, "") if code % 2 else ""   # attended another way
                rows.append([t, "2024", written[code % 3], wave, teacher, str(code), rank,
                             LABELS5[vals[0] - 1], LABELS5[vals[1] - 1], venue])
    for k in range(3):                       # a course that is not in courses.csv
        rows.append([t, "2024", "謎の研修", "事後", "", str(9000 + k), "主事", "そう思う", "そう思う", ""])
    for k in range(4):                       # last year's answers in the same sheet
        rows.append([t, "2023", "DX研修 第1回", "事後", "", str(8000 + k), "主事", "そう思う", "そう思う", ""])
    rows.append([t, "2024", "DX研修 第2回", "途中", "", "7000", "主事", "そう思う", "そう思う", ""])
    root = _study(tmp_path, SHARED_SURVEY, COURSES_14)
    write_google_csv(root / "raw" / "shared.csv", SHARED_HDR, rows)
    raw = pd.DataFrame(rows, columns=SHARED_HDR)
    return root, raw


def _expected_course(written: str) -> str | None:
    key = _fold(written)
    for i in range(1, 15):
        if key in (_fold(f"DX研修 第{i}回"), _fold(f"C{i:02d}")):
            return f"C{i:02d}"
    return None


def test_shared_form_places_rows_by_course_and_wave(shared_form):
    root, raw = shared_form
    study = dxsurvey.load_study(root)
    raw = raw.assign(course_id=raw["研修名"].map(_expected_course),
                     wave=raw["回答時点"].map({"事前": "pre", "事後": "post"}))
    placed = raw[(raw["年度"] == "2024") & raw["course_id"].notna() & raw["wave"].notna()]
    expected = placed.groupby(["course_id", "wave"]).size()
    got = study.submissions.groupby(["course_id", "wave"]).size()
    assert got.sort_index().to_dict() == expected.sort_index().to_dict()
    assert len(got) == 28

    filtered = _problems(study, "filtered")
    assert len(filtered) == 4 and set(filtered["action"]) == {"dropped"}
    unknown = _problems(study, "unknown_course")
    assert len(unknown) == 3 and set(unknown["action"]) == {"error"}
    assert "'謎の研修' (3 rows)" in unknown["message"].iloc[0]
    bad_wave = _problems(study, "unknown_wave")
    assert len(bad_wave) == 1 and "'途中' (1 rows)" in bad_wave["message"].iloc[0]
    assert main(["validate", "--study", str(root)]) == 1          # unplaced rows are errors

    # audience from the open vocabulary's labels, without a map; unknown ones counted
    aud = {"主事": "shuji", "係長": "kakaricho", "課長": "kacho"}
    exp_aud = placed["職位"].map(aud).fillna("<NA>").value_counts().to_dict()
    assert study.submissions["audience"].fillna("<NA>").value_counts().to_dict() == exp_aud
    n_part = int((placed["職位"] == "アルバイト").sum())
    unknown_cat = _problems(study, "unknown_category")
    assert n_part > 0 and int((unknown_cat["column"] == "職位").sum()) == n_part
    assert f"'アルバイト' ({n_part} rows)" in unknown_cat[unknown_cat["column"] == "職位"]["message"].iloc[0]
    # a row's own format (a label of the formats vocabulary) is stored as its code; "Zoom" matches none
    n_zoom = int((placed["受講形式"] == "Zoom").sum())
    assert int((unknown_cat["column"] == "受講形式").sum()) == n_zoom > 0
    got_fmt = study.submissions.set_index("source_row")["format"]
    want_fmt = placed.assign(source_row=placed.index + 2).set_index("source_row")["受講形式"] \
        .map({"オンライン": "online"})
    assert got_fmt.sort_index().fillna("-").to_dict() == want_fmt.sort_index().fillna("-").to_dict()

    # every course is linked pre -> post by its staff numbers
    link = study.linkage[(study.linkage["wave_a"] == "pre") & (study.linkage["wave_b"] == "post")]
    assert link.set_index("course_id")["matched"].to_dict() == {f"C{i:02d}": 8 for i in range(1, 15)}


def test_shared_form_statistics_match_scipy(shared_form):
    root, raw = shared_form
    study = dxsurvey.load_study(root)
    raw = raw[(raw["年度"] == "2024")].assign(course_id=raw["研修名"].map(_expected_course))
    raw = raw[raw["course_id"] == "C05"]
    val = {lab: i + 1 for i, lab in enumerate(LABELS5)}
    a = raw[raw["回答時点"] == "事前"].set_index("職員番号")["DXの必要性を理解している"].map(val)
    b = raw[raw["回答時点"] == "事後"].set_index("職員番号")["DXの必要性を理解している"].map(val)
    d = (b - a.reindex(b.index)).to_numpy(float)
    nz = d[d != 0]
    ranks = sps.rankdata(np.abs(nz))
    v = float(ranks[nz > 0].sum())                     # R's V: the sum of positive ranks
    pp = prepost(study, by=("course_id",), measures="items")
    row = pp[(pp["course_id"] == "C05") & (pp["measure_id"] == "q1")].iloc[0]
    assert row["design"] == "paired" and row["n_pairs"] == 8
    assert row["statistic"] == pytest.approx(v)
    assert row["mean_b"] - row["mean_a"] == pytest.approx(d.mean())


def test_co_taught_course_and_row_level_instructor(shared_form):
    root, raw = shared_form
    study = dxsurvey.load_study(root)
    assert study.courses.set_index("course_id").loc["C05", "instructor"] == "山田 太郎・佐藤 花子"
    # descriptive tables count the course for each of its instructors
    per = course_instructors(study.courses).groupby("instructor")["course_id"].nunique().to_dict()
    assert per == {"山田 太郎": 7, "佐藤 花子": 1, "鈴木 一郎": 7}
    # formats written as labels in either language are stored as codes
    assert study.courses.set_index("course_id").loc[["C01", "C02", "C03"], "format"].tolist() == \
        ["online", "hybrid", "in_person"]

    # the row's instructor (講師 column) is stored on the submission and overrides courses.csv
    subs = study.submissions
    assert set(subs.loc[subs["course_id"] == "C14", "instructor"]) == {"ゲスト講師"}
    assert subs.loc[subs["course_id"] != "C14", "instructor"].isna().all()
    res = compare(study, construct="necessity", factors=("instructor",), waves=("post",))
    lv = res.levels[res.levels["model"] == "post_only"].set_index("level")
    post = subs[subs["wave"] == "post"]
    expect = post["course_id"].map(study.courses.set_index("course_id")["instructor"])
    expect = expect.where(post["instructor"].isna(), post["instructor"])
    assert lv["n"].to_dict() == expect.value_counts().to_dict()
    assert lv.loc["ゲスト講師", "n_courses"] == 1
    assert any(c == "co_taught" and "山田 太郎・佐藤 花子" in p["levels"]
               for c, p in zip(res.notes["code"], res.notes["params"]))


# ------------------------------------------------------------------ waves in one row

THEN_SURVEY = """\
    survey: long-term-followup
    language: en
    scales:
      freq6:
        levels: {1: [Never], 2: [Rarely], 3: [Sometimes], 4: [Often], 5: [Very often], 6: [Always]}
    items:
      - {id: use, columns: {then: "Before the program, how often did you use data?",
                            followup: "Since the program, how often do you use data?"}, scale: freq6}
      - {id: share, columns: {then: "Before: shared results", followup: "Since: shared results"}, scale: freq6}
      - {id: unit, column: Unit, type: category}
    sources:
      - {file: raw/since.csv, course: C1, waves: [then, followup]}
    """
FREQ6 = ["Never", "Rarely", "Sometimes", "Often", "Very often", "Always"]
THEN_HDR = ["タイムスタンプ", "Unit", "Before the program, how often did you use data?",
            "Since the program, how often do you use data?", "Before: shared results", "Since: shared results"]


@pytest.fixture
def before_since(tmp_path):
    rng = np.random.default_rng(5)
    rows = []
    for i in range(40):
        before = rng.integers(1, 5, size=2)
        since = np.minimum(before + rng.integers(-1, 3, size=2), 6).clip(1)
        cells = [FREQ6[before[0] - 1], FREQ6[since[0] - 1], FREQ6[before[1] - 1], FREQ6[since[1] - 1]]
        if i % 9 == 0:
            cells[0] = cells[2] = ""          # the "before" half left blank
        rows.append([T0 + dt.timedelta(hours=i), f"Unit {i % 4}", cells[0], cells[1], cells[2], cells[3]])
    root = _study(tmp_path, THEN_SURVEY, "course_id,title\nC1,Data literacy\n")
    write_google_csv(root / "raw" / "since.csv", THEN_HDR, rows)
    return root, pd.DataFrame(rows, columns=THEN_HDR)


def test_before_and_since_in_one_row(before_since):
    root, raw = before_since
    study = dxsurvey.load_study(root)
    subs = study.submissions
    has_then = raw[THEN_HDR[2]].ne("") | raw[THEN_HDR[4]].ne("")
    assert int((subs["wave"] == "then").sum()) == int(has_then.sum())
    assert int((subs["wave"] == "followup").sum()) == len(raw)
    assert study.codebook.respondent_key is not None and subs["respondent_key"].notna().all()
    link = study.linkage.set_index(["wave_a", "wave_b"]).loc[("then", "followup")]
    assert link["matched"] == int(has_then.sum()) and link["only_b"] == len(raw) - int(has_then.sum())
    # the blank halves are dropped as empty for the then wave only, each logged
    assert len(_problems(study, "empty_submission")) == len(raw) - int(has_then.sum())

    val = {lab: i + 1 for i, lab in enumerate(FREQ6)}
    both = raw[has_then]
    a = both[THEN_HDR[2]].map(val).to_numpy(float)
    b = both[THEN_HDR[3]].map(val).to_numpy(float)
    d = b - a
    nz = d[d != 0]
    ranks = sps.rankdata(np.abs(nz))
    pp = prepost(study, by=(), waves=("then", "followup"), measures="items")
    row = pp[pp["measure_id"] == "use"].iloc[0]
    assert row["design"] == "paired" and row["n_pairs"] == len(both)
    assert row["statistic"] == pytest.approx(float(ranks[nz > 0].sum()))
    assert row["mean_a"] == pytest.approx(a.mean()) and row["mean_b"] == pytest.approx(b.mean())


def test_same_file_twice_is_not_read_silently(before_since):
    root, _ = before_since
    text = (root / "survey.yaml").read_text(encoding="utf-8")
    text = text.replace('columns: {then: "Before the program', 'column: ["Before the program')
    text = text.replace('followup: "Since the program, how often do you use data?"}',
                        '"Since the program, how often do you use data?"]')
    text = text.replace("- {file: raw/since.csv, course: C1, waves: [then, followup]}",
                        "- {file: raw/since.csv, course: C1, wave: then}\n"
                        "  - {file: raw/since.csv, course: C1, wave: followup}")
    (root / "survey.yaml").write_text(text, encoding="utf-8")
    study = dxsurvey.load_study(root)
    same = _problems(study, "same_column")
    assert len(same) == 1 and same["action"].iloc[0] == "error"
    assert "waves then and followup" in same["message"].iloc[0] and "columns:" in same["message"].iloc[0]


def test_one_column_item_in_a_two_wave_source_is_refused(before_since):
    root, _ = before_since
    text = (root / "survey.yaml").read_text(encoding="utf-8")
    text = text.replace("- {id: unit, column: Unit, type: category}",
                        "- {id: unit, column: Unit, type: category}\n"
                        "  - {id: sat, column: Unit, scale: freq6}")
    (root / "survey.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CodebookError, match=r"item 'sat' has one column but this source holds waves then, followup"):
        load_codebook(root)


# ------------------------------------------------------------------ careless responding

CARELESS_SURVEY = """\
    survey: careless
    scales:
      agree5:
        levels: {1: [そう思わない], 2: [あまりそう思わない], 3: [どちらともいえない], 4: [ややそう思う], 5: [そう思う]}
    constructs:
      attitude: {label: 態度, items: [a1, a2, a3, a4, a5, a6, a7, a8]}
    items:
""" + "".join(f"      - {{id: a{i}, column: 設問{i}, scale: agree5}}\n" for i in range(1, 9)) + """\
      - {id: comment, column: ご意見, type: text}
    sources:
      - {file: raw/post.xlsx, course: C1, wave: post}
    """
STRAIGHT = [3, 11, 17, 25, 31]       # rows (0-based) answering the same level to all 8 items
FAST = [6, 20]                        # rows completed in 40 s (the median is about 5 minutes)


@pytest.fixture
def careless_study(tmp_path):
    rng = np.random.default_rng(8)
    trait = rng.normal(size=40)
    rows, values = [], []
    for i in range(40):
        v = np.clip(np.round(3 + trait[i] + rng.normal(scale=0.9, size=8)), 1, 5).astype(int)
        if i in STRAIGHT:
            v = np.full(8, [5, 1, 3, 5, 4][STRAIGHT.index(i)])
        if i == 0:
            v[:] = 4
            v[7] = 5                  # same on 7 of 8: not straight-lining
        start = T0 + dt.timedelta(hours=i)
        secs = 40 if i in FAST else 240 + 15 * (i % 7)
        rows.append([i + 1, start, start + dt.timedelta(seconds=secs), "anonymous", None,
                     start + dt.timedelta(seconds=secs), *[LABELS5[x - 1] for x in v], "特になし"])
        values.append(v)
    root = _study(tmp_path, CARELESS_SURVEY, "course_id,title\nC1,研修\n")
    write_ms_forms_xlsx(root / "raw" / "post.xlsx",
                        ["ID", "開始時刻", "完了時刻", "メール", "名前", "最終変更時刻",
                         *[f"設問{i}" for i in range(1, 9)], "ご意見"], rows)
    return root, np.array(values)


def test_straight_lining_and_speeding_are_flagged(careless_study):
    root, values = careless_study
    study = dxsurvey.load_study(root)
    straight = _problems(study, "straight_lining")
    assert sorted(straight["source_row"].tolist()) == [i + 2 for i in STRAIGHT]
    fast = _problems(study, "too_fast")
    assert sorted(fast["source_row"].tolist()) == [i + 2 for i in FAST]
    assert set(straight["action"]) | set(fast["action"]) == {"kept"}          # flag only by default
    assert len(study.submissions) == 40
    flagged = {i + 2 for i in STRAIGHT + FAST}
    assert set(study.submissions.loc[study.submissions["careless"], "source_row"]) == flagged
    rel = reliability(study, by=())
    share = len(flagged) / 40
    assert rel["caution"].iloc[0] == f"careless(share={share:.0%},limit=10%)"
    from dxsurvey.reports.catalog import text
    assert text("caution.careless", "ja", share=f"{share:.0%}", limit="10%").startswith("不注意回答")
    assert rel["alpha"].iloc[0] == pytest.approx(alpha(values.astype(float)))


def test_careless_lines_of_the_japanese_console_are_japanese(careless_study):
    """validate's Japanese lines explain straight-lining and speeding from the catalogue, not
    with the log's English message; the English console keeps the message (rows, seconds)."""
    from dxsurvey.reports.validation import summary
    root, _ = careless_study
    study = dxsurvey.load_study(root)
    ja, en = summary(study, "ja"), summary(study, "en")
    assert "careless responding" not in ja and "the same answer" not in ja and "completed in" not in ja
    assert "同じ尺度の続く8問以上すべてに同じ回答: 不注意な回答の疑い" in ja
    assert "開始から完了までが全体の中央値の3分の1未満: 不注意な回答の疑い" in ja
    assert "careless responding" in en and "completed in" in en


def test_exclude_careless_drops_them(careless_study):
    root, values = careless_study
    text = (root / "survey.yaml").read_text(encoding="utf-8")
    (root / "survey.yaml").write_text("exclude_careless: true\n" + text, encoding="utf-8")
    study = dxsurvey.load_study(root)
    dropped = study.validation[study.validation["problem"].isin(["straight_lining", "too_fast"])]
    assert set(dropped["action"]) == {"dropped"}
    assert len(study.submissions) == 40 - len(STRAIGHT) - len(FAST)
    keep = np.array([i not in STRAIGHT + FAST for i in range(40)])
    rel = reliability(study, by=())
    assert rel["alpha"].iloc[0] == pytest.approx(alpha(values[keep].astype(float)))
    assert "careless" not in rel["caution"].iloc[0]


# ------------------------------------------------------------------ courses.csv vocabularies

def test_courses_csv_reports_every_error_at_once(tmp_path):
    p = tmp_path / "courses.csv"
    p.write_text("course_id,title,format,style,audience\nC1,a,対面,講義,管理職\nC2,b,zoom,lecture,staff\n"
                 "C3,c,Online,座学,managers\nC3,d,,,\n", encoding="utf-8")
    with pytest.raises(CodebookError) as info:
        load_courses(p)
    msg = str(info.value)
    assert "3 problems" in msg
    assert "row 3, column format: 'zoom'" in msg and "row 4, column style: '座学'" in msg
    assert "course_id 'C3' appears twice (rows 4, 5)" in msg
    p.write_text("course_id,title,format,style,audience\nC1,a,対面,講義,管理職\nC2,b,Online,Workshop,all\n",
                 encoding="utf-8")
    df = load_courses(p)
    assert df["format"].tolist() == ["in_person", "online"] and df["style"].tolist() == ["lecture", "workshop"]
    assert df["audience"].tolist() == ["manager", "all"]


# ------------------------------------------------------------------ validate's console

def test_validate_console_summary_first_errors_first_and_masked(variant_labels, capsys):
    root, q1, q2 = variant_labels
    path = root / "raw" / "eval.csv"
    text = path.read_text(encoding="utf-8").replace('"Agreee"', '"Agreee, call 090-1234-5678"', 1)
    path.write_text(text, encoding="utf-8")
    assert main(["validate", "--study", str(root), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "090-1234-5678" not in out and "[電話]" in out
    lines = out.splitlines()
    head = lines.index("Problems by file x column x kind (errors first):")
    examples = next(i for i, line in enumerate(lines) if line.startswith("Examples"))
    summary = lines[head + 1:examples - 1]
    # errors first, then answers set to missing, then kept (info) rows; each with its count
    assert summary[0] == "  [error] raw/eval.csv [The instructor explained clearly]: too many unknown labels 1"
    lost = sum(v == "Agreee" for v in q2)
    assert summary[1] == f"  [set missing] raw/eval.csv [The instructor explained clearly]: unknown label {lost}"
    assert summary[-1] == "  [kept] raw/eval.csv [The course was useful]: spellings merged 1"
    assert "[too many unknown labels -> error]" in lines[examples + 1]
    assert lines[-1] == "There are errors (fix the above)."
    # Japanese: the same summary, "OK" nowhere
    assert main(["validate", "--study", str(root), "--lang", "ja"]) == 1
    out = capsys.readouterr().out
    assert "  [エラー] raw/eval.csv 「The instructor explained clearly」: 未定義の選択肢が多すぎる 1 件" in out
    assert "検証 OK" not in out


# ------------------------------------------------------------------ init templates

@pytest.mark.parametrize("lang,ok", [("ja", "検証 OK"), ("en", "Validation OK")])
def test_init_templates_validate_and_show_every_option(tmp_path, capsys, lang, ok):
    study = tmp_path / f"study_{lang}"
    assert main(["init", str(study), "--lang", lang]) == 0
    text = (study / "survey.yaml").read_text(encoding="utf-8")
    assert f"language: {lang}" in text
    for option in ("scales:", "levels:", "missing:", "type: multi", "type: category", "type: text", "waves: [",
                   "level: learning", "reverse: true", "role: audience", "role: course", "role: wave",
                   "role: instructor", "role: format", "role: style", "where:", "columns: {then:", "audiences:",
                   "formats:", "styles:", "exclude_careless:", "header_rows:", "sheet:", "encoding:", "fuzzy:",
                   "exclude:", "respondent_key:", "constructs:"):
        assert option in text, option
    capsys.readouterr()
    assert main(["validate", "--study", str(study), "--lang", lang]) == 0
    assert ok in capsys.readouterr().out
    study_obj = dxsurvey.load_study(study)
    assert len(study_obj.submissions) == 6 and study_obj.linkage["matched"].tolist() == [3]
    if lang == "en":
        assert "Timestamp" in (study / "raw" / "example_pre.csv").read_text(encoding="utf-8")
        assert study_obj.courses["format"].tolist() == ["in_person"]     # written "in person"


def test_every_commented_example_of_the_template_parses(tmp_path):
    """Uncommenting the examples gives a codebook that loads (the syntax shown is the syntax read)."""
    for lang in ("ja", "en"):
        study = tmp_path / lang
        main(["init", str(study), "--lang", lang])
        lines = []
        for line in (study / "survey.yaml").read_text(encoding="utf-8").splitlines():
            body = line.lstrip()
            if body.startswith("# ") and any(body[2:].lstrip().startswith(k) for k in (
                    "- {id:", "audiences:", "formats:", "styles:", "exclude_careless:", "fuzzy:", "num5:",
                    "agree5_paper:", "levels:", "manager:", "staff:", "shuji:", "kaikei:", "grad:", "postdoc:",
                    "in_person:", "online:", "hybrid:", "lecture:", "workshop:")):
                line = line.replace("# ", "", 1)
            lines.append(line)
        (study / "survey.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        cb = load_codebook(study, check_files=False)
        roles = {it.role for it in cb.items if it.role}
        assert roles == {"audience", "course", "wave", "instructor", "format", "style"}
        assert cb.exclude_careless and cb.respondent_key.fuzzy == 1
        assert cb.item("use").wave_columns and cb.vocabulary("audiences").match("主事" if lang == "ja" else "Postdoc")


def test_codebook_errors_follow_the_command_language(before_since, capsys):
    root, _ = before_since
    text = (root / "survey.yaml").read_text(encoding="utf-8")
    (root / "survey.yaml").write_text(text.replace("scale: freq6}", "scale: freq7}", 1), encoding="utf-8")
    assert main(["validate", "--study", str(root)]) == 2
    err = capsys.readouterr().err
    assert "尺度 'freq7' は定義されていません。（もしかして: freq6）" in err and "unknown scale" not in err
    assert main(["validate", "--study", str(root), "--lang", "en"]) == 2
    assert "unknown scale 'freq7'. Did you mean: freq6?" in capsys.readouterr().err


def test_a_title_shared_by_two_courses_places_no_row(shared_form):
    root, raw = shared_form
    courses = (root / "courses.csv").read_text(encoding="utf-8")
    (root / "courses.csv").write_text(courses + "C15,DX研修 第3回,,,,\n", encoding="utf-8")   # held again
    study = dxsurvey.load_study(root)
    written = raw[(raw["年度"] == "2024") & raw["研修名"].map(_fold).eq(_fold("DX研修 第3回"))]
    unknown = _problems(study, "unknown_course")
    shared = unknown[unknown["message"].str.contains("title of several courses")]
    assert len(shared) == len(written) > 0 and "(C03, C15)" in shared["message"].iloc[0]
    # rows written with the id itself are still placed
    by_id = raw[(raw["年度"] == "2024") & raw["研修名"].eq("c03")]
    assert len(study.submissions[study.submissions["course_id"] == "C03"]) == len(by_id)


def test_rows_without_a_course_are_never_dropped_silently(shared_form):
    root, raw = shared_form
    rows = raw.values.tolist()
    rows.append([T0, "2024", "", "事後", "", "6001", "主事", "そう思う", "そう思う", ""])     # answers, no course
    rows.append([T0, "2024", "DX研修 第2回", "", "", "6002", "主事", "そう思う", "", ""])  # answers, no wave
    rows.append([T0, "2024", "", "", "", "", "", "", "", ""])                                # a blank row
    write_google_csv(root / "raw" / "shared.csv", SHARED_HDR, rows)
    study = dxsurvey.load_study(root)
    n = len(rows)
    blank_course = study.validation[study.validation["message"].str.contains("course cell is blank")]
    blank_wave = study.validation[study.validation["message"].str.contains("wave cell is blank")]
    assert blank_course["source_row"].tolist() == [n - 1] and set(blank_course["action"]) == {"error"}
    assert blank_wave["source_row"].tolist() == [n] and blank_wave["problem"].tolist() == ["unknown_wave"]
    assert _problems(study, "empty_submission")["source_row"].tolist() == [n + 1]
    # every row of the file is either a submission or named in the validation log
    logged = set(study.validation["source_row"].dropna().astype(int))
    placed = set(study.submissions["source_row"])
    assert set(range(2, n + 2)) <= logged | placed


def test_a_question_the_rows_wave_did_not_ask_has_no_answer_row(tmp_path):
    # satisfaction is asked at post only; in a shared pre/post form its cell is blank on pre rows:
    # those rows have no answer to it (not a missing one), while a post row that skipped it has one
    survey = SHARED_SURVEY.replace(
        "      - {id: q2, column: 業務改善に取り組みたい, scale: agree5}\n",
        "      - {id: q2, column: 業務改善に取り組みたい, scale: agree5}\n"
        "      - {id: sat, column: 研修の満足度, scale: agree5, waves: [post]}\n")
    root = _study(tmp_path, survey, COURSES_14)
    hdr = SHARED_HDR + ["研修の満足度"]
    rows = []
    for k, (wave, sat) in enumerate([("事前", ""), ("事前", ""), ("事前", ""), ("事後", "そう思う"),
                                     ("事後", ""), ("事後", "ややそう思う")]):
        rows.append([T0 + dt.timedelta(minutes=k), "2024", "DX研修 第1回", wave, "", str(1001 + k % 3),
                     "主事", "ややそう思う", "そう思う", "", sat])
    write_google_csv(root / "raw" / "shared.csv", hdr, rows)
    study = dxsurvey.load_study(root)
    ans = study.answers.merge(study.submissions[["submission_id", "wave"]], on="submission_id")
    per_wave = ans.groupby(["item_id", "wave"]).size().to_dict()
    assert per_wave == {("q1", "pre"): 3, ("q1", "post"): 3, ("q2", "pre"): 3, ("q2", "post"): 3,
                        ("sat", "post"): 3}
    sat = ans[ans["item_id"] == "sat"].sort_values("submission_id")
    assert sat["value"].isna().sum() == 1 and sorted(sat["value"].dropna().tolist()) == [4, 5]
