"""The demo city (dxsurvey.demo): determinism, truth counts, planted effects, read-back."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dxsurvey import demo
from dxsurvey.codebook import load_codebook, load_courses
from dxsurvey.readers import normalize_text, read_source
from dxsurvey.schema import CARELESS, PROBLEMS

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "demo"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    truth = demo.generate(out)
    return out, truth


@pytest.fixture(scope="module")
def sim():
    return demo.simulate(demo.DEFAULT_SEED)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
            and not p.name.startswith(".")}


def test_regeneration_is_byte_identical_and_shipped_is_current(generated, tmp_path):
    out, _ = generated
    again = tmp_path / "again"
    demo.main([str(again)])
    first, second = _files(out), _files(again)
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
    shipped = _files(SHIPPED)
    assert [k for k in first if shipped.get(k) != first[k]] == [], \
        "data/demo is stale: run `python -m dxsurvey.demo data/demo`"


def test_other_seed_gives_other_data(tmp_path):
    truth = demo.generate(tmp_path, seed=7)
    assert truth["seed"] == 7
    assert (tmp_path / "raw" / "fy2024_c01_pre_google.csv").read_bytes() != \
        (SHIPPED / "raw" / "fy2024_c01_pre_google.csv").read_bytes()


def test_codebook_and_courses_load(generated):
    out, _ = generated
    cb = load_codebook(out)
    assert cb.min_cell == 5 and cb.min_cell_text == 10
    assert cb.respondent_key.width == 4
    assert set(cb.constructs) == set(demo.CONSTRUCTS)
    assert any(cb.item(i).reverse for i in cb.constructs["necessity"].items)
    # the paper scale runs the other way: the typed digit 1 means そう思う (5)
    paper = next(s for s in cb.sources if s.file.endswith("_paper.xlsx"))
    assert cb.scales[paper.scale_for("agree5")].lookup["1"] == 5
    assert cb.scales["agree5"].lookup["1"] == 1 and cb.scales["agree5"].lookup["そう思う"] == 5
    courses = load_courses(out / "courses.csv")
    assert len(courses) == 8 and courses["invited"].between(15, 45).all()
    # an instructor taught in two formats, so instructor and format are separable
    assert (courses.groupby("instructor")["format"].nunique() > 1).any()


def test_truth_counts_add_up(generated):
    _, truth = generated
    src = pd.DataFrame(truth["sources"])
    dropped = src[["empty_submission", "duplicate_submission", "excluded"]].sum(axis=1)
    assert (src["rows"] == src["kept"] + dropped).all()
    assert truth["totals"]["rows"] == src["rows"].sum()
    assert truth["totals"] == {"rows": 637, "kept": 626, "empty_submission": 7,
                               "duplicate_submission": 3, "excluded": 1}
    assert 600 <= truth["totals"]["kept"] <= 900
    rates = pd.DataFrame([{"wave": w, "n": n, "invited": c["invited"]} for c in truth["courses"].values()
                          for w, n in c["kept"].items()]).groupby("wave")[["n", "invited"]].sum()
    rate = rates["n"] / rates["invited"]
    assert 0.8 <= rate["pre"] <= 0.92 and 0.68 <= rate["post"] <= 0.82 and 0.4 <= rate["followup"] <= 0.6
    assert {d["problem"] for d in truth["dirty_cells"]} <= set(PROBLEMS)
    assert {"unknown_label", "invalid_value", "out_of_range"} <= {d["problem"] for d in truth["dirty_cells"]}
    assert {k for p in truth["pii"] for k in p["kinds"]} == {"email", "phone", "staff_number", "name"}
    assert truth["courses"]["C2024-01"]["matched"] == 27


def test_readme_renders_the_effect_table(generated):
    out, truth = generated
    readme = (out / "README.md").read_text(encoding="utf-8")
    for row in demo.PLANTED_EFFECTS:
        assert f"| {row['kind']} | {row['target']} | {row['factor']} | {row['level']} |" in readme
        assert row["meaning"] in readme
    assert truth["planted_effects"] == demo.PLANTED_EFFECTS
    assert f"{truth['totals']['rows']} rows" in readme


def test_expected_gain():
    kw = dict(instructor="DX推進担当", format="in_person")
    assert demo.expected_gain("ownership", audience="staff", style="workshop", **kw) == 0.5
    assert demo.expected_gain("ownership", audience="staff", style="lecture", **kw) == 0.15
    assert demo.expected_gain("support", audience="manager", style="lecture", **kw) == 0.5
    assert demo.expected_gain("support", audience="staff", style="lecture", **kw) == 0.0
    assert demo.expected_gain("stop_work", audience="manager", instructor="元自治体幹部", format="online",
                              style="workshop") == 0.0
    assert demo.expected_gain("necessity", audience="staff", instructor="ベンダー", format="online",
                              style="lecture") == pytest.approx(0.4)
    with pytest.raises(ValueError, match="necessity"):
        demo.expected_gain("skill", audience="staff", style="lecture", **kw)
    with pytest.raises(ValueError, match="manager"):
        demo.expected_gain("support", audience="all", style="lecture", **kw)
    ec = demo.expected_changes()
    assert set(ec["wave_b"]) == {"post", "followup", "then"}
    assert (ec.query("construct == 'stop_work'")["expected"] == 0).all()


def _pairs(scores: pd.DataFrame, wave_b: str = "post") -> pd.DataFrame:
    a = scores[(scores["wave"] == "pre") & scores["code"].notna()]
    b = scores[(scores["wave"] == wave_b) & scores["code"].notna()]
    m = a.merge(b, on=["course_id", "code"], suffixes=("_a", "_b"))
    m["audience"] = m["audience_b"]
    return m


def test_planted_gains_are_recovered_per_course(sim):
    """Paired 95% CI of each course x audience (n >= 10) covers the planted change."""
    m = _pairs(demo.true_scores(sim))
    ec = demo.expected_changes().query("wave_b == 'post'").set_index(["course_id", "audience", "construct"])
    checked = 0
    for (course, aud), g in m.groupby(["course_id", "audience"]):
        for k in demo.CONSTRUCTS:
            d = (g[f"{k}_b"] - g[f"{k}_a"]).dropna()
            if len(d) < 10:
                continue
            half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
            expected = ec.loc[(course, aud, k), "expected"]
            assert abs(d.mean() - expected) < half, (course, aud, k, d.mean(), expected)
            checked += 1
    assert checked >= 24


def test_planted_contrasts_are_recovered_pooled(sim):
    m = _pairs(demo.true_scores(sim))
    course = pd.DataFrame(demo.COURSES).set_index("course_id")
    m = m.join(course[["style", "format", "instructor"]], on="course_id")
    for k in demo.CONSTRUCTS:
        m[f"d_{k}"] = m[f"{k}_b"] - m[f"{k}_a"]
    # stop_work: planted null
    d = m["d_stop_work"].dropna()
    assert abs(d.mean()) < 2 * d.std() / np.sqrt(len(d))
    # ownership: workshop - lecture = +0.35 (format/instructor differ too: compare with the planted sums)
    m["e_own"] = [demo.expected_gain("ownership", audience=a, instructor=i, format=f, style=s)
                  for a, i, f, s in zip(m["audience"], m["instructor"], m["format"], m["style"])]
    resid = (m["d_ownership"] - m["e_own"]).dropna()
    assert abs(resid.mean()) < 2.5 * resid.std() / np.sqrt(len(resid))
    ws, lec = m[m["style"] == "workshop"]["d_ownership"].dropna(), m[m["style"] == "lecture"]["d_ownership"].dropna()
    assert ws.mean() - lec.mean() > 0.2
    # support: managers +0.5, staff 0
    man, sta = m[m["audience"] == "manager"]["d_support"].dropna(), m[m["audience"] == "staff"]["d_support"].dropna()
    assert abs(man.mean() - 0.5) < 2 * man.std() / np.sqrt(len(man))
    assert abs(sta.mean()) < 2 * sta.std() / np.sqrt(len(sta))
    # followup keeps 70 % of the gain (necessity, pooled)
    f = _pairs(demo.true_scores(sim), "followup")
    f = f.join(course[["style", "format", "instructor"]], on="course_id")
    exp = np.mean([demo.expected_gain("necessity", audience=a, instructor=i, format=fo, style=s) * demo.RETENTION
                   for a, i, fo, s in zip(f["audience"], f["instructor"], f["format"], f["style"])])
    df = (f["necessity_b"] - f["necessity_a"]).dropna()
    assert abs(df.mean() - exp) < 2 * df.std() / np.sqrt(len(df))


def _truth_by_file(truth: dict) -> dict[str, dict]:
    """truth["sources"] per file: a file holding several waves (the shared form) summed."""
    out: dict[str, dict] = {}
    for s in truth["sources"]:
        t = out.setdefault(s["file"], {"kind": s["kind"], "waves": [], "rows": 0, "kept": 0,
                                       "empty_submission": 0, "duplicate_submission": 0, "excluded": 0})
        assert t["kind"] == s["kind"]
        t["waves"].append(s["wave"])
        for k in ("rows", "kept", "empty_submission", "duplicate_submission", "excluded"):
            t[k] += s[k]
    return out


def test_read_source_reads_every_file_as_planted(generated):
    out, truth = generated
    cb = load_codebook(out)
    by_file = _truth_by_file(truth)
    expected_format = {"gf_download": "google_forms", "gf_sheet": "google_forms", "gf_shared": "google_forms",
                       "msforms": "ms_forms", "logo": "csv", "paper": "xlsx"}
    raws = {}
    for src in cb.sources:
        raw = read_source(out / src.file, format=src.format, encoding=src.encoding, sheet=src.sheet,
                          header_rows=list(src.header_rows) if src.header_rows else None)
        t = by_file[src.file]
        assert len(raw.frame) == t["rows"], src.file
        assert raw.format == expected_format[t["kind"]], src.file
        if t["kind"] == "logo":
            assert raw.encoding == "cp932"
        if t["kind"] != "paper":
            assert raw.meta["submitted_at"].notna().sum() >= t["kept"], src.file
        raws[src.file] = raw
    for d in truth["dirty_cells"]:
        raw = raws[d["file"]]
        pos = raw.source_rows.index(d["row"])
        cell = raw.frame.iloc[pos][d["column"]]
        assert normalize_text(cell) == normalize_text(d["value"]), d
    # Google download timestamps: 12-hour clock with 午前/午後 and the zone
    text = (out / "raw" / "fy2024_c01_pre_google.csv").read_text(encoding="utf-8")
    assert " 午後 GMT+9\"" in text and text.startswith('"タイムスタンプ"')
    logo = (out / "raw" / "fy2025_c03_post_logo.csv").read_bytes()
    assert b"\r\n" in logo and "髙橋係長".encode("cp932") in logo
    paper = raws["raw/fy2024_c03_post_paper.xlsx"]
    anonymous = raws["raw/fy2024_c04_pre_msforms.xlsx"]
    assert "回答者コード" not in anonymous.frame.columns and anonymous.meta["email"].isna().all()
    codes = set(paper.frame["回答者コード"].dropna())
    assert "93" in codes and "０４２１" in codes            # Excel number and full-width text


def test_ingest_counts_equal_truth(generated, tmp_path):
    ingest = pytest.importorskip("dxsurvey.ingest")
    study_dir = tmp_path / "study"
    shutil.copytree(generated[0], study_dir)
    truth = json.loads((study_dir / "truth.json").read_text(encoding="utf-8"))
    st = ingest.load_study(study_dir)
    # a source that names a sheet is labelled "file [sheet]"; the generator's truth names the file
    path_of = lambda label: re.sub(r" \[[^\]]+\]$", "", label)  # noqa: E731
    summary = st.source_summary.assign(source_file=st.source_summary["source_file"].map(path_of))
    summary = summary.set_index("source_file")
    for file, s in _truth_by_file(truth).items():
        for k in ("rows", "kept", "empty_submission", "duplicate_submission", "excluded"):
            assert int(summary.loc[file, k]) == s[k], (file, k)
    link = st.linkage.query("wave_a == 'pre' and wave_b == 'post'").set_index("course_id")["matched"]
    for course, c in truth["courses"].items():
        if c["keyed"]:
            assert int(link[course]) == c["matched"], course
    v = st.validation
    # careless responding is a finding about a submission, not a dirty cell the generator planted:
    # every flagged submission really answered one level to all items of its block
    careless = st.submissions[st.submissions["careless"]]
    flagged = v[v["problem"].isin(CARELESS)]
    assert set(zip(flagged["source_file"], flagged["source_row"])) == \
        set(zip(careless["source_file"], careless["source_row"]))
    ans = st.answers[st.answers["submission_id"].isin(careless["submission_id"])]
    ans = ans.assign(scale=ans["item_id"].map({it.id: it.scale for it in st.codebook.items}))
    per_scale = ans.groupby(["submission_id", "scale"])["value"].agg(["nunique", "count"])
    one_level = per_scale[(per_scale["nunique"] == 1) & (per_scale["count"] >= 8)]
    assert set(one_level.index.get_level_values(0)) == set(careless["submission_id"])
    cell_problems = v[~v["problem"].isin(["empty_submission", "duplicate_submission", "excluded", *CARELESS])]
    got = set(zip(cell_problems["source_file"].map(path_of), cell_problems["source_row"].astype(int),
                  cell_problems["column"], cell_problems["problem"]))
    want = {(d["file"], d["row"], d["column"], d["problem"]) for d in truth["dirty_cells"]}
    assert got == want
    # every scale answer as the generator wrote it
    ans = st.answers.merge(st.submissions[["submission_id", "course_id", "wave"]], on="submission_id")
    got = ans.groupby(["course_id", "wave", "item_id"])["value"].agg(["sum", "count"])
    true = demo.true_answers(demo.simulate(truth["seed"]))
    want = true.groupby(["course_id", "wave", "item_id"])["value"].agg(["sum", "count"])
    got.index = got.index.set_levels(got.index.levels[2].astype(object), level=2)
    want.index = want.index.set_levels(want.index.levels[2].astype(object), level=2)
    pd.testing.assert_frame_equal(got.sort_index(), want.sort_index(), check_dtype=False,
                                  check_index_type=False)


def test_shared_form_holds_both_waves_and_ingest_splits_them(generated, tmp_path):
    """C2025-04's pre and post come from one Google Sheet whose rows name the course (研修名) and
    the wave (回答時点); survey.yaml's source gives neither, and ingest places every row."""
    out, truth = generated
    file = "raw/fy2025_c04_shared_form_google_sheet.csv"
    mine = [s for s in truth["sources"] if s["file"] == file]
    assert sorted((s["course_id"], s["wave"]) for s in mine) == [("C2025-04", "post"), ("C2025-04", "pre")]
    src = next(s for s in load_codebook(out).sources if s.file == file)
    assert src.course is None and src.wave is None and not src.waves
    # the file as a spreadsheet user sees it: both waves, one course title
    raw = pd.read_csv(out / file, dtype=str, keep_default_na=False)
    assert list(raw.columns[:3]) == ["タイムスタンプ", "研修名", "回答時点"]
    title = next(c["title"] for c in demo.COURSES if c["course_id"] == "C2025-04")
    assert set(raw["研修名"]) == {title}
    rows = raw["回答時点"].map({"研修前": "pre", "研修後": "post"})
    assert rows.notna().all()
    assert rows.value_counts().to_dict() == {s["wave"]: s["rows"] for s in mine}
    # a question only one wave asked is blank on the other wave's rows
    assert (raw.loc[rows == "pre", "研修の満足度"] == "").all()
    assert (raw.loc[rows == "post", "使ったことがあるツール"] == "").all()
    # ingest places the rows by their cells: the generator's kept counts and matched pairs
    study_dir = tmp_path / "study"
    shutil.copytree(out, study_dir)
    import dxsurvey

    st = dxsurvey.load_study(study_dir)
    subs = st.submissions[st.submissions["source_file"] == file]
    assert subs.groupby(["course_id", "wave"]).size().to_dict() == \
        {("C2025-04", s["wave"]): s["kept"] for s in mine}
    assert subs.groupby("wave").size().to_dict() == truth["courses"]["C2025-04"]["kept"]
    link = st.linkage.query("course_id == 'C2025-04' and wave_a == 'pre' and wave_b == 'post'")
    assert link["matched"].tolist() == [truth["courses"]["C2025-04"]["matched"]] == [28]
    # the pre rows have no answer to a question asked at post only
    ans = st.answers.merge(subs[["submission_id", "wave"]], on="submission_id")
    assert set(ans.loc[ans["item_id"] == "satisfaction", "wave"]) == {"post"}


def test_planted_comment_themes_are_read_back_in_their_groups():
    """Each planted theme's sentences reach the study's texts (masked ingest), in its group only."""
    import json

    import dxsurvey

    root = Path(demo.__file__).resolve().parents[1] / "data" / "demo"
    truth = json.loads((root / "truth.json").read_text(encoding="utf-8"))
    study = dxsurvey.load_study(root)
    texts = study.texts.merge(study.submissions, on="submission_id")
    courses = study.courses.set_index("course_id")
    assert [t["theme"] for t in truth["comment_themes"]] == ["時間がない", "質問しづらい", "業務を見直した"]
    for th in truth["comment_themes"]:
        has = texts[texts["text"].isin(th["texts"])]
        # counted independently of the generator: the ingested texts
        assert len(has) == th["n_comments"] >= 7
        assert set(has["wave"]) == {th["wave"]}
        if th["audience"]:
            assert set(has["audience"]) == {th["audience"]}
        for field in ("format", "style"):
            if th[field]:
                assert set(courses.loc[has["course_id"].unique(), field]) == {th[field]}
        if th["courses"]:
            assert set(has["course_id"]) <= set(th["courses"])
        # the theme's words are in over 40 % of its group's comments, and rare elsewhere
        grp = texts["wave"] == th["wave"]
        if th["audience"]:
            grp &= texts["audience"] == th["audience"]
        for field in ("format", "style"):
            if th[field]:
                grp &= texts["course_id"].map(courses[field]) == th[field]
        word = {"時間がない": "時間がない", "質問しづらい": "質問しづらい", "業務を見直した": "見直した"}[th["theme"]]
        assert texts.loc[grp, "text"].str.contains(word).mean() > 0.4
        assert texts.loc[~grp, "text"].str.contains(word).mean() < 0.05
