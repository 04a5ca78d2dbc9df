"""survey.yaml / courses.csv loading: every CodebookError names the YAML path and the fix."""
from __future__ import annotations

import re

import shutil
from pathlib import Path

import pytest

from dxsurvey import CodebookError, load_codebook
from dxsurvey.codebook import load_courses
from dxsurvey.init_study import TEMPLATE, init_study


@pytest.fixture
def study(tmp_path) -> Path:
    root = tmp_path / "s"
    shutil.copytree(TEMPLATE, root)
    return root


def _edit(root: Path, old: str, new: str) -> None:
    p = root / "survey.yaml"
    text = p.read_text(encoding="utf-8")
    assert old in text, old
    p.write_text(text.replace(old, new), encoding="utf-8")


def test_template_codebook_parses(study):
    cb = load_codebook(study)
    assert cb.survey == "my-dx-training" and cb.language == "ja" and cb.min_cell == 5
    assert cb.respondent_key.column == ("回答者コード",) and cb.respondent_key.width == 4
    assert cb.scales["agree5"].lookup["ややそう思う"] == 4
    assert cb.scales["agree5"].lookup["4"] == 4, "a linear scale's number is its own label"
    assert cb.item("q2").reverse is True
    assert cb.item("comment").column == ("研修に期待すること", "ご意見・ご感想")
    assert cb.item("role").map["課長"] == "manager"
    assert cb.constructs["necessity"].items == ("q1", "q2")
    assert cb.audience_item.id == "role"
    assert [s.wave for s in cb.sources] == ["pre", "post"]
    assert cb.exclude[0].values == ("0000",)


@pytest.mark.parametrize("old,new,match", [
    ("scale: agree5, level: learning}", "scale: agree7, level: learning}", r"items\[0\] \(id q1\)\.scale: unknown scale 'agree7'.*Did you mean: agree5"),
    ("- {id: q2,", "- {id: q1,", r"items\[1\]\.id: duplicate id 'q1'"),
    ("items: [q1, q2]}", "items: [q1, q9]}", r"constructs\.necessity\.items: item 'q9' is not defined"),
    ("file: raw/example_pre.csv", "file: raw/nope.csv", r"sources\[0\]\.file: file 'raw/nope.csv' not found"),
    ("course: C2025-01, wave: pre", "course: C2025-99, wave: pre", r"sources\[0\]\.course: course 'C2025-99' is not in courses\.csv"),
    ("wave: post}", "wave: after}", r"sources\[1\]\.wave: 'after' is not one of pre, post, followup, then"),
    ("level: learning}", "level: knowledge}", r"\.level: 'knowledge' is not one of reaction, learning, behavior, results"),
    ("language: ja", "language: fr", r"language: 'fr' is not one of ja, en"),
    ("min_cell: 5 ", "min_cell: -1 ", r"min_cell: must be a positive whole number"),
    ("reverse: true", "reverse: yesplease", r"\.reverse: must be true or false"),
    ("type: text}", "type: essay}", r"\.type: 'essay' is not one of scale, category, multi, text"),
    ("map: {管理職: manager,", "map: {管理職: boss,", r"`role: audience` codes must be one of manager, staff, not 'boss'"),
    ("width: 4 ", "width: four ", r"respondent_key\.width: must be a positive whole number"),
    ("survey: my-dx-training", "survy: my-dx-training", r"survy: unknown key\. Did you mean: survey"),
    ("      3: [どちらともいえない]", "      3: [どちらともいえない, ややそう思う]", r"label 'ややそう思う' is given for both"),
    ("{id: q1, column: DXの必要性を理解している,", "{id: q1,", r"missing `column`"),
])
def test_codebook_errors(study, old, new, match):
    _edit(study, old, new)
    with pytest.raises(CodebookError, match=match) as info:
        load_codebook(study)
    assert "survey.yaml" in str(info.value)
    # the command line shows it in Japanese by default: every message has a Japanese wording
    ja = info.value.text("ja")
    assert ja.startswith(info.value.where) and re.search(r"[ぁ-んァ-ン一-龥]", ja[len(info.value.where):]), ja
    assert info.value.text("en") == str(info.value)


def test_missing_and_invalid_yaml(tmp_path, study):
    with pytest.raises(CodebookError, match="survey.yaml not found.*dxsurvey init"):
        load_codebook(tmp_path / "empty")
    (study / "survey.yaml").write_text("items: [unclosed", encoding="utf-8")
    with pytest.raises(CodebookError, match="not valid YAML"):
        load_codebook(study)


def test_courses_errors(tmp_path):
    p = tmp_path / "courses.csv"
    p.write_text("course_id,title,format\nC1,研修,zoom\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"row 2, column format: 'zoom' is not one of in_person \(対面/in person\), online"):
        load_courses(p)
    p.write_text("course_id,title\nC1,a\nC1,b\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="course_id 'C1' appears twice"):
        load_courses(p)
    p.write_text("id,title\nC1,a\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="column 'course_id' is missing"):
        load_courses(p)
    # only course_id and title are required; blanks are unknown (NA)
    p.write_text("course_id,title,invited\nC1,a,\nC2,b,12\n", encoding="utf-8-sig")
    df = load_courses(p)
    assert df["invited"].isna().tolist() == [True, False] and df["format"].isna().all()


def test_init_study_refuses_non_empty(tmp_path):
    target = init_study(tmp_path / "new")
    assert (target / "survey.yaml").exists() and (target / "raw" / "example_pre.csv").exists()
    with pytest.raises(FileExistsError):
        init_study(target)


def test_source_scale_override(study):
    _edit(study, "    missing: [無回答, わからない]",
          "    missing: [無回答, わからない]\n  agree5_paper:\n    levels: {1: ['5'], 2: ['4'], 3: ['3'], 4: ['2'], 5: ['1']}")
    _edit(study, "- {file: raw/example_post.csv, course: C2025-01, wave: post}",
          "- {file: raw/example_post.csv, course: C2025-01, wave: post, scales: {agree5: agree5_paper}}")
    cb = load_codebook(study)
    assert cb.sources[1].scale_for("agree5") == "agree5_paper" and cb.sources[0].scale_for("agree5") == "agree5"
    _edit(study, "scales: {agree5: agree5_paper}", "scales: {agree5: agree4}")
    with pytest.raises(CodebookError, match=r"sources\[1\]\.scales: unknown scale 'agree4'"):
        load_codebook(study)


@pytest.mark.parametrize("name", ["audience", "respondent_key", "source_row"])
def test_category_item_id_may_not_be_a_submissions_column(study, name):
    # a category item becomes a column of `submissions`: `audience` would make two audience columns
    _edit(study, "{id: role, column: 役職,", f"{{id: {name}, column: 役職,")
    with pytest.raises(CodebookError, match=rf"items\[2\] \(id {name}\)\.id: .*submissions"):
        load_codebook(study)
