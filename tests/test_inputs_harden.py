"""Issue 11 for the inputs of the free-text and planning reports (25_free_text, 30_next_course):
ideas.csv and sections.csv are read as exports are (malformed rows named by file and line,
never shifted silently), what people typed into them is masked before anything sees it, the
word lists, names.txt and coding rules name a line that is not UTF-8 instead of reading the
whole file as something else, and code names and synonym labels are masked as comments are.
The end-to-end side (every page of a study with hostile and personal values in these files)
is tests/test_hostile.py."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from studykit import survey_yaml

import dxsurvey
from dxsurvey import freetext as ft
from dxsurvey import privacy
from dxsurvey.codebook import CodebookError
from dxsurvey.ideas import load_ideas
from dxsurvey.privacy import TOKENS
from dxsurvey.reports import catalog
from dxsurvey.reports.freetext import _masked_names

N, P = TOKENS["name"], TOKENS["phone"]
HEAD = "date,section,channel,course_id,status\n"
COURSES = "course_id,title\nC1,DX研修\n"


def _folder(tmp_path: Path, ideas: bytes | str, sections: bytes | str | None = None, names: str = "") -> Path:
    root = tmp_path / "study"
    root.mkdir(parents=True)
    (root / "courses.csv").write_text(COURSES, encoding="utf-8")
    for name, content in (("ideas.csv", ideas), ("sections.csv", sections), ("names.txt", names or None)):
        if content is None:
            continue
        (root / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


def _texts(series) -> list:
    return [v if isinstance(v, str) else None for v in series]


def _where(ideas) -> list[tuple]:
    v = ideas.validation
    return sorted(((f, int(r) if pd.notna(r) else 0, c if isinstance(c, str) else "", p)
                   for f, r, c, p in zip(v["source_file"], v["source_row"], v["column"], v["problem"])))


# ------------------------------------------------------------------ malformed rows, by line

def test_ragged_rows_of_ideas_are_named_and_nothing_shifts(tmp_path):
    root = _folder(tmp_path, HEAD + "2024-07-19,総務課,掲示板,C1,実施\n"
                                    "2024-07-20,人事課,掲示板\n"               # two fields missing
                                    "2024-07-21,人事課,掲示板,C1,受付,余分\n")  # one too many
    ideas = load_ideas(root)
    assert _where(ideas) == [("ideas.csv", 3, "", "ragged_row"), ("ideas.csv", 3, "status", "invalid_value"),
                             ("ideas.csv", 4, "", "ragged_row")]
    msgs = sorted(ideas.validation.loc[ideas.validation["problem"] == "ragged_row", "message"])
    assert msgs[0].startswith("ideas.csv, line 3: 3 fields, but the header has 5")
    assert msgs[1].startswith("ideas.csv, line 4: 6 fields") and "余分" in msgs[1]
    # the rows are read in place: the short one has no course or status, the long one keeps its own
    assert _texts(ideas.ideas["status"]) == ["implemented", None, "received"]
    assert _texts(ideas.ideas["course_id"]) == ["C1", None, "C1"]
    assert ideas.ideas["source_row"].tolist() == [2, 3, 4]


def test_rows_are_named_by_their_line_in_the_file(tmp_path):
    """A channel written over two lines: the next row's bad date is on line 4, not "row 3"."""
    root = _folder(tmp_path, HEAD + '2024-07-19,総務課,"掲示板\n（庁内）",C1,実施\n2024-13-45,人事課,掲示板,C1,受付\n')
    ideas = load_ideas(root)
    assert _where(ideas) == [("ideas.csv", 4, "date", "bad_timestamp")]
    assert ideas.validation["message"].iloc[0].startswith("ideas.csv, row 4, column 「date」, value 「2024-13-45」")


def test_unclosed_quote_nul_byte_and_a_cp932_line_are_named(tmp_path):
    data = (HEAD.encode() + "2024-07-19,総務課,掲示板,C1,実施\n".encode()
            + "2024-07-20,人事課,掲示板,C1,受付\n".encode("cp932")            # one line saved as CP932
            + b"2024-07-21,\x00\xe4\xba\xba\xe4\xba\x8b\xe8\xaa\xb2,x,C1,\xe5\xae\x9f\xe6\x96\xbd\n"
            + '2024-07-22,総務課,"掲示板,C1,実施\n'.encode())                  # a quote never closed
    ideas = load_ideas(_folder(tmp_path, data))
    where = _where(ideas)
    assert ("ideas.csv", 3, "", "undecodable_line") in where
    assert ("ideas.csv", 4, "", "undecodable_line") in where
    assert ("ideas.csv", 5, "", "unclosed_quote") in where
    # the CP932 line is read as CP932, the NUL byte removed: both rows are there as written
    assert ideas.ideas["section"].tolist()[:3] == ["総務課", "人事課", "人事課"]
    for m in ideas.validation["message"]:
        assert m.startswith("ideas.csv, line "), m
        assert str(tmp_path) not in m


def test_a_register_that_cannot_be_read_is_a_clear_error(tmp_path):
    with pytest.raises(CodebookError, match=r"^ideas\.csv: the file is empty"):
        load_ideas(_folder(tmp_path, b""))


def test_sections_csv_is_read_the_same_way(tmp_path):
    sections = 'section\n総務課\n"人事\n課"\n総務課\n'       # a section over two lines, then a repeat
    ideas = load_ideas(_folder(tmp_path, HEAD + "2024-07-19,総務課,掲示板,C1,実施\n", sections))
    assert _where(ideas) == [("sections.csv", 5, "section", "invalid_value")]
    root = _folder(tmp_path / "b", HEAD + "2024-07-19,総務課,掲示板,C1,実施\n", "section,note\n総務課\n人事課,a,b\n")
    ideas = load_ideas(root)
    assert _where(ideas) == [("sections.csv", 2, "", "ragged_row"), ("sections.csv", 3, "", "ragged_row")]
    assert ideas.sections["section"].tolist() == ["総務課", "人事課"]


# ------------------------------------------------------------------ personal data is masked

def test_what_people_typed_in_the_register_is_masked(tmp_path):
    root = _folder(tmp_path, HEAD + "2024-07-19,総務課,田中課長から 090-1234-5678,C1,実施\n"
                                    "2024-07-20,Taro Yamada,掲示板,C9,090ｰ1234ｰ5678\n",
                   "section\n総務課\n", names="Taro Yamada\n")
    ideas = load_ideas(root)
    assert ideas.ideas["channel"].tolist() == [f"{N}課長から {P}", "掲示板"]
    assert ideas.ideas["section"].tolist() == ["総務課", N]
    shown = " ".join(ideas.validation["value"].astype(str)) + " ".join(ideas.validation["message"])
    for raw in ("田中", "090-1234-5678", "Taro", "1234"):
        assert raw not in shown, raw
    assert {p for *_, p in _where(ideas)} == {"unknown_category", "unknown_course", "unknown_label"}
    # load_study adds the register's rows to the validation log, masked too
    (root / "survey.yaml").write_text(survey_yaml("ideas", ["{file: raw/a.csv, course: C1, wave: post}"]),
                                      encoding="utf-8")
    (root / "raw").mkdir()
    (root / "raw" / "a.csv").write_text("回答者コード,DXの必要性を理解している,DXは自分の仕事とは関係ない,役職,ご意見・ご感想\n"
                                        "0001,そう思う,そう思わない,課長,\n", encoding="utf-8")
    v = dxsurvey.load_study(root).validation
    logged = v[v["source_file"] == "ideas.csv"]
    assert len(logged) == 3 and (logged["value"] == P).any()
    assert not any(raw in " ".join(logged["value"].astype(str)) for raw in ("Taro", "1234"))
    assert (ideas.validation["value"] == P).any() and (ideas.validation["value"] == N).any()


def test_ordinary_section_and_channel_names_are_kept():
    from dxsurvey.demo import SECTIONS   # the demo city's 50 sections, by department
    names = [s for dept in SECTIONS.values() for s in dept]
    assert len(names) == 50
    names += [*SECTIONS, "掲示板", "課への訪問", "研修後アンケート", "相談窓口", "市長公室", "総務課長への相談"]
    assert [privacy.mask_text(s) for s in names] == names


# ------------------------------------------------------------------ word lists, names, coding rules

MIXED = "山田 太郎\n".encode() + "田中 花子\n".encode("cp932") + "佐藤\n".encode()


@pytest.mark.parametrize("name", ["names.txt", "force_words.txt", "stop_words.txt", "synonyms.csv"])
def test_a_cp932_line_in_a_utf8_list_is_named_not_read_as_other_characters(tmp_path, name):
    """Before: the whole file was read as CP932 when it decoded so (every UTF-8 line turned into
    other characters, and names.txt then masked nobody), else refused without a line."""
    content = MIXED if name != "synonyms.csv" else "パソコン,PC\n".encode() + "端末,ﾀｰﾐﾅﾙ\n".encode("cp932")
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ValueError, match=rf"{name}, line 2: not UTF-8, while other lines are UTF-8"):
        privacy.load_names(tmp_path) if name == "names.txt" else ft.load_lexicon(tmp_path)


def test_coding_rules_with_a_cp932_line_name_it(tmp_path):
    path = tmp_path / "rules.txt"
    path.write_bytes("*時間\n時間\n".encode() + "*質問\n質問\n".encode("cp932"))
    with pytest.raises(ft.RuleError, match=r"rules\.txt, line 3: not UTF-8"):
        ft.read_rules(path)


def test_files_wholly_in_cp932_or_utf8_with_bom_are_still_read(tmp_path):
    (tmp_path / "names.txt").write_bytes("山田 太郎\n髙橋 一郎\n".encode("cp932"))
    assert privacy.load_names(tmp_path) == ["山田 太郎", "髙橋 一郎"]
    (tmp_path / "names.txt").write_bytes("\ufeff山田 太郎\n".encode())
    assert privacy.load_names(tmp_path) == ["山田 太郎"]
    (tmp_path / "names.txt").write_bytes(b"Yamada\n\x82\n")       # neither: named by line too
    with pytest.raises(ValueError, match=r"names\.txt, line 2: cannot decode as UTF-8 or CP932"):
        privacy.load_names(tmp_path)


def test_cli_names_the_line_of_a_bad_names_txt(tmp_path, capsys):
    from pipeline_helpers import tiny_study

    from dxsurvey import cli
    study = tiny_study(tmp_path / "study")
    (study / "names.txt").write_bytes(MIXED)
    assert cli.main(["validate", "--study", str(study)]) == 2
    err = capsys.readouterr().err
    assert "names.txt, line 2" in err and "Traceback" not in err


def test_synonym_representatives_are_masked(tmp_path):
    (tmp_path / "synonyms.csv").write_text("山田 太郎 さん,講師\n<b>資料</b>,資料\nTaro Yamada,PC\n", encoding="utf-8")
    (tmp_path / "names.txt").write_text("Taro Yamada\n", encoding="utf-8")
    syn = ft.load_lexicon(tmp_path).synonyms
    assert syn == {"講師": f"{N} さん", "資料": "<b>資料</b>", "PC": N}


def test_code_names_are_masked_and_kept_apart():
    assert _masked_names(["時間不足", "田中課長の件", "佐藤課長の件", "Taro Yamada"], ["Taro Yamada"]) == \
        ["時間不足", f"{N}課長の件", f"{N}課長の件 (2)", N]


# ------------------------------------------------------------------ small groups in the planning report

@pytest.fixture(scope="module")
def tiny_plan(tmp_path_factory):
    """The planning report of the `dxsurvey init` template: 1 manager and 2 staff per wave."""
    from pipeline_helpers import tiny_study

    from dxsurvey import reports
    base = tmp_path_factory.mktemp("tiny_plan")
    study = tiny_study(base / "study")
    out = {}
    for lang in ("ja", "en"):
        ctx = reports.Context.open(study=str(study), out=str(base / f"out_{lang}"), language=lang, min_cell=0,
                                   name="30_next_course")
        out[lang] = reports.plan.build(ctx)
    return out


def test_plan_says_no_mean_or_change_of_a_group_under_min_cell(tiny_plan):
    """Before: 「重点テーマはDXの必要性の理解（事後平均 5.00、変化 1.00）」 for the one manager, and the
    hours from that person's change; the needs figure plotted them; the design text gave the
    response rate of 2 pairs."""
    plan = tiny_plan["ja"]
    assert (plan.nd["n_post"] < plan.min_cell).all() and plan.nd["post_mean"].notna().any()
    summary = str(plan.summary())
    assert "事後平均" not in summary and "1時間あたり" not in summary
    assert summary.count(catalog.text("30_next_course.s_focus_small", "ja", min_cell=plan.min_cell)) == 2
    assert "Fewer than 5 post answers" in str(tiny_plan["en"].summary())
    assert not plan.rec.decisions.loc[plan.rec.decisions["aspect"].isin(["focus", "hours"]), "choice"].notna().any()
    fig = plan.figure_needs()
    assert sum(len(c.get_offsets()) for ax in fig.axes for c in ax.collections) == 0
    assert "回答率" not in str(plan.design_text()).split("計算しています。")[-1]
