"""The demo city: a synthetic study with planted effects (``data/demo``).

A city hall of about 260 staff in 50 sections (課) runs eight DX trainings over
two fiscal years.  Every participant has a latent level per construct; the
training moves it by the amounts in :data:`PLANTED_EFFECTS`; the answers are
written into raw files in the shapes real exports have (FORMATS.md): Google
Forms CSV (download and sheet variants, and one sheet shared by two waves whose rows
name the course and the wave), Microsoft Forms xlsx, LoGoフォーム CP932 CSV and a paper
questionnaire typed into Excel, with the dirt real files carry.

The same seed gives the same bytes.  Regenerate the shipped study with::

    python -m dxsurvey.demo data/demo

:func:`generate` returns (and writes as ``truth.json``) what the generator knows:
rows per file, submissions kept and dropped by reason, matched pairs per course,
every planted dirty cell and the expected construct change per course and
audience, so tests can compare ``dxsurvey validate`` and the statistics with it.

Model
-----
For person *i* in course *c* and construct *k*::

    pre_latent  = trait[i, k] + state noise (sd 0.25)
    post_latent = pre_latent + gain(k, c, audience) + state noise
    gain        = sum of the "gain" rows of PLANTED_EFFECTS that apply
    followup    = pre_latent + 0.7 * gain + state noise
    then        = pre_latent + response shift + state noise
    answer      = clip(round(latent + item noise (sd 0.5)), 1, 5);  6 - answer if reversed

so the expected pre -> post change of a construct mean (reverse items
reverse-coded) is ``gain`` in scale points, up to a small attenuation where
answers hit the top of the scale.
"""
from __future__ import annotations

import argparse
import copy
import csv
import datetime as dt
import io
import json
import sys
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from .schema import PROBLEMS

__all__ = [
    "DEFAULT_SEED", "PLANTED_EFFECTS", "COURSES", "SURVEY_YAML",
    "planted_effects", "expected_gain", "expected_changes", "simulate", "true_answers", "true_scores",
    "generate", "main",
]

#: Seed of the shipped demo study.
DEFAULT_SEED = 20240613

#: Workbook creation/modification time written into every xlsx (byte-identical regeneration).
FIXED_TIME = dt.datetime(2025, 12, 1, 9, 0, 0)

# --------------------------------------------------------------------------- effects

#: The planted effects: ONE table.  ``data/demo/README.md`` renders it.
#:
#: kind ``gain``: added to the latent pre -> post change of a construct, in scale
#: points of the construct mean (1-5), for the courses/audiences whose ``factor``
#: equals ``level`` (``all`` applies everywhere).  A course's expected change is the
#: sum of the rows that apply (see :func:`expected_gain`).
#: kind ``retention``: followup change = effect x the post gain (pre -> followup).
#: kind ``response_shift``: then - pre, in scale points (course C2025-02 only).
#: kind ``post_mean``: mean answer at post (reaction items; ``all`` row is the base,
#: other rows add to it).
#: kind ``followup_share``: share answering はい at followup (base + rows that apply).
PLANTED_EFFECTS: list[dict[str, Any]] = [
    # construct gains (pre -> post)
    {"kind": "gain", "target": "necessity", "factor": "all", "level": "all", "effect": 0.60,
     "meaning": "pre->post change of the necessity mean, every course and audience (base)"},
    {"kind": "gain", "target": "necessity", "factor": "format", "level": "online", "effect": -0.20,
     "meaning": "online courses gain 0.20 less than in_person"},
    {"kind": "gain", "target": "necessity", "factor": "format", "level": "hybrid", "effect": -0.10,
     "meaning": "hybrid courses gain 0.10 less than in_person"},
    {"kind": "gain", "target": "necessity", "factor": "instructor", "level": "元自治体幹部", "effect": 0.15,
     "meaning": "the ex-municipal executive adds 0.15 (vs ベンダー and DX推進担当)"},
    {"kind": "gain", "target": "ownership", "factor": "all", "level": "all", "effect": 0.15,
     "meaning": "pre->post change of the ownership mean in lecture courses (base)"},
    {"kind": "gain", "target": "ownership", "factor": "style", "level": "workshop", "effect": 0.35,
     "meaning": "workshops add 0.35: ownership +0.50 in workshops vs +0.15 in lectures"},
    {"kind": "gain", "target": "ownership", "factor": "format", "level": "online", "effect": -0.20,
     "meaning": "online courses gain 0.20 less than in_person"},
    {"kind": "gain", "target": "ownership", "factor": "format", "level": "hybrid", "effect": -0.10,
     "meaning": "hybrid courses gain 0.10 less than in_person"},
    {"kind": "gain", "target": "ownership", "factor": "instructor", "level": "元自治体幹部", "effect": 0.15,
     "meaning": "the ex-municipal executive adds 0.15"},
    {"kind": "gain", "target": "ownership", "factor": "instructor", "level": "ベンダー", "effect": -0.10,
     "meaning": "the vendor instructor gains 0.10 less"},
    {"kind": "gain", "target": "support", "factor": "audience", "level": "manager", "effect": 0.50,
     "meaning": "managers' support mean rises 0.50 (any course)"},
    {"kind": "gain", "target": "support", "factor": "audience", "level": "staff", "effect": 0.00,
     "meaning": "general staff: no change in support"},
    {"kind": "gain", "target": "stop_work", "factor": "all", "level": "all", "effect": 0.00,
     "meaning": "PLANTED NULL: no course changes stop_work"},
    # followup and retrospective pre
    {"kind": "retention", "target": "all constructs", "factor": "all", "level": "all", "effect": 0.70,
     "meaning": "pre->followup change = 0.70 x the pre->post gain"},
    {"kind": "response_shift", "target": "necessity", "factor": "all", "level": "all", "effect": -0.30,
     "meaning": "then - pre (retrospective pre lower than the real pre), C2025-02"},
    {"kind": "response_shift", "target": "ownership", "factor": "all", "level": "all", "effect": -0.30,
     "meaning": "then - pre, C2025-02"},
    # reaction (post only) and behaviour (followup only) items
    {"kind": "post_mean", "target": "satisfaction", "factor": "all", "level": "all", "effect": 3.70,
     "meaning": "mean of 研修の満足度 (1-5) at post, lecture courses"},
    {"kind": "post_mean", "target": "satisfaction", "factor": "style", "level": "workshop", "effect": 0.30,
     "meaning": "workshops are rated 0.30 higher"},
    {"kind": "followup_share", "target": "proposal", "factor": "all", "level": "all", "effect": 0.20,
     "meaning": "share who proposed an improvement within 3 months, lecture courses"},
    {"kind": "followup_share", "target": "proposal", "factor": "style", "level": "workshop", "effect": 0.25,
     "meaning": "workshops add 0.25 (0.45 in total)"},
    {"kind": "followup_share", "target": "consult", "factor": "all", "level": "all", "effect": 0.30,
     "meaning": "share who consulted the DX team (no factor effect)"},
    {"kind": "followup_share", "target": "stopped", "factor": "all", "level": "all", "effect": 0.20,
     "meaning": "share who stopped or revised a task (PLANTED NULL across factors)"},
]

_EFFECT_COLUMNS = ("kind", "target", "factor", "level", "effect", "meaning")
_FACTORS = ("all", "audience", "instructor", "format", "style")
CONSTRUCTS = ("necessity", "ownership", "support", "stop_work")
RETENTION = next(r["effect"] for r in PLANTED_EFFECTS if r["kind"] == "retention")

# Latent means at pre (same for every audience and course, so gain and ANCOVA agree).
_PRE_MEAN = {"necessity": 2.8, "ownership": 2.7, "support": 2.7, "stop_work": 2.9}
_TRAIT_SD = 0.5
_STATE_SD = 0.25
_ITEM_SD = 0.5

# --------------------------------------------------------------------------- courses

#: courses.csv rows plus how each course was surveyed (``sources``: wave -> (kind, file)).
#: kinds: gf_download, gf_sheet, gf_shared, msforms, logo, paper.  ``keyed`` False: anonymous forms.
#: gf_shared: one Google Sheet for several waves, the course title and the wave in columns
#: (survey.yaml reads them with ``role: course`` / ``role: wave``; the source has no course/wave).
_SHARED_FORM = "raw/fy2025_c04_shared_form_google_sheet.csv"
COURSES: list[dict[str, Any]] = [
    {"course_id": "C2024-01", "title": "管理職向けDX研修", "fiscal_year": 2024, "date": "2024-06-13",
     "audience": "manager", "instructor": "元自治体幹部", "instructor_type": "external",
     "format": "in_person", "style": "lecture", "hours": 3.0, "invited": 40, "keyed": True,
     "sources": {"pre": ("gf_download", "raw/fy2024_c01_pre_google.csv"),
                 "post": ("msforms", "raw/fy2024_c01_post_msforms.xlsx"),
                 "followup": ("gf_sheet", "raw/fy2024_c01_followup_google_sheet.csv")}},
    {"course_id": "C2024-02", "title": "一般職員向けDX研修（第1回）", "fiscal_year": 2024, "date": "2024-07-18",
     "audience": "staff", "instructor": "ベンダー", "instructor_type": "external",
     "format": "online", "style": "lecture", "hours": 2.0, "invited": 45, "keyed": True,
     "sources": {"pre": ("gf_sheet", "raw/fy2024_c02_pre_google_sheet.csv"),
                 "post": ("gf_download", "raw/fy2024_c02_post_google.csv"),
                 "followup": ("msforms", "raw/fy2024_c02_followup_msforms.xlsx")}},
    {"course_id": "C2024-03", "title": "業務改革(BPR)研修", "fiscal_year": 2024, "date": "2024-10-10",
     "audience": "all", "instructor": "DX推進担当", "instructor_type": "internal",
     "format": "in_person", "style": "workshop", "hours": 6.0, "invited": 24, "keyed": True,
     "sources": {"pre": ("logo", "raw/fy2024_c03_pre_logo.csv"),
                 "post": ("paper", "raw/fy2024_c03_post_paper.xlsx"),
                 "followup": ("logo", "raw/fy2024_c03_followup_logo.csv")}},
    {"course_id": "C2024-04", "title": "一般職員向けDX研修（第2回）", "fiscal_year": 2024, "date": "2024-11-21",
     "audience": "staff", "instructor": "DX推進担当", "instructor_type": "internal",
     "format": "hybrid", "style": "lecture", "hours": 2.0, "invited": 42, "keyed": False,
     "sources": {"pre": ("msforms", "raw/fy2024_c04_pre_msforms.xlsx"),
                 "post": ("msforms", "raw/fy2024_c04_post_msforms.xlsx"),
                 "followup": ("gf_download", "raw/fy2024_c04_followup_google.csv")}},
    {"course_id": "C2025-01", "title": "管理職向けDX研修", "fiscal_year": 2025, "date": "2025-05-22",
     "audience": "manager", "instructor": "元自治体幹部", "instructor_type": "external",
     "format": "online", "style": "lecture", "hours": 3.0, "invited": 38, "keyed": True,
     "sources": {"pre": ("gf_download", "raw/fy2025_c01_pre_google.csv"),
                 "post": ("gf_download", "raw/fy2025_c01_post_google.csv"),
                 "followup": ("msforms", "raw/fy2025_c01_followup_msforms.xlsx")}},
    {"course_id": "C2025-02", "title": "一般職員向けDX研修（ワークショップ）", "fiscal_year": 2025,
     "date": "2025-06-26", "audience": "staff", "instructor": "ベンダー", "instructor_type": "external",
     "format": "in_person", "style": "workshop", "hours": 4.0, "invited": 36, "keyed": True,
     "sources": {"pre": ("msforms", "raw/fy2025_c02_pre_msforms.xlsx"),
                 "post": ("msforms", "raw/fy2025_c02_post_msforms.xlsx"),
                 "then": ("gf_sheet", "raw/fy2025_c02_then_google_sheet.csv"),
                 "followup": ("gf_sheet", "raw/fy2025_c02_followup_google_sheet.csv")}},
    {"course_id": "C2025-03", "title": "業務改革(BPR)研修", "fiscal_year": 2025, "date": "2025-09-11",
     "audience": "all", "instructor": "DX推進担当", "instructor_type": "internal",
     "format": "hybrid", "style": "workshop", "hours": 6.0, "invited": 22, "keyed": True,
     "sources": {"pre": ("logo", "raw/fy2025_c03_pre_logo.csv"),
                 "post": ("logo", "raw/fy2025_c03_post_logo.csv"),
                 "followup": ("logo", "raw/fy2025_c03_followup_logo.csv")}},
    {"course_id": "C2025-04", "title": "管理職向けDX研修（業務システム編）", "fiscal_year": 2025,
     "date": "2025-11-13", "audience": "manager", "instructor": "ベンダー", "instructor_type": "external",
     "format": "hybrid", "style": "lecture", "hours": 2.0, "invited": 40, "keyed": True,
     "sources": {"pre": ("gf_shared", _SHARED_FORM), "post": ("gf_shared", _SHARED_FORM)}},
]
_COURSE_COLUMNS = ("course_id", "title", "fiscal_year", "date", "audience", "instructor",
                   "instructor_type", "format", "style", "hours", "invited")

# ------------------------------------------------------------------------ codebook

#: The demo codebook, written verbatim to ``survey.yaml``; the generator reads its
#: labels and headers from here, so the files and the codebook cannot disagree.
SURVEY_YAML = """\
# survey.yaml — デモ市のDX研修評価（合成データ。python -m dxsurvey.demo で再生成できます）
# The demo city's codebook. Effects planted in the data are listed in README.md.
survey: demo-city-dx-training
language: ja
min_cell: 5                     # これ未満の人数の集計は非表示
min_cell_text: 10               # 自由記述の引用に必要な人数
coding_rules: coding_rules.txt  # 自由記述のコーディングルール（KH Coder の書式）

respondent_key:
  column: 回答者コード           # 職員が自分で決めた4桁の数字
  width: 4                      # 93 / ００９３ -> 0093

scales:
  agree5:
    levels:
      1: [そう思わない, 全くそう思わない]
      2: [あまりそう思わない]
      3: [どちらともいえない]
      4: [ややそう思う]
      5: [そう思う, とてもそう思う]
    missing: [無回答, わからない, "-"]
  # The paper form of C2024-03 (事後) printed the scales the other way round
  # (1 = そう思う ... 5 = そう思わない); its source reads them with these (`scales:` there).
  agree5_paper:
    levels: {1: ["5"], 2: ["4"], 3: ["3"], 4: ["2"], 5: ["1"]}
    missing: [無回答, "-"]
  num5:                         # linear scale 1 (苦手) .. 5 (得意), printed the same way on paper
    levels: {1: ["1"], 2: ["2"], 3: ["3"], 4: ["4"], 5: ["5"]}
    anchors: {1: 苦手, 5: 得意}   # shown beside the numbers: 1（苦手） .. 5（得意）
    missing: [無回答, "-"]
  satisfaction5:
    levels:
      1: [不満]
      2: [やや不満]
      3: [普通]
      4: [やや満足]
      5: [満足]
    missing: [無回答, "-"]
  satisfaction5_paper:          # paper: 1 = 満足 ... 5 = 不満
    levels: {1: ["5"], 2: ["4"], 3: ["3"], 4: ["2"], 5: ["1"]}
    missing: [無回答, "-"]
  useful4:
    levels:
      1: [役立たない]
      2: [あまり役立たない]
      3: [まあまあ役立つ]
      4: [とても役立つ]
    missing: [無回答, "-"]
  useful4_paper:                # paper: 1 = とても役立つ ... 4 = 役立たない
    levels: {1: ["4"], 2: ["3"], 3: ["2"], 4: ["1"]}
    missing: [無回答, "-"]
  yesno:
    levels:
      0: [いいえ]
      1: [はい]

constructs:
  necessity: {label: DXの必要性の理解, items: [nec1, nec2, nec3]}
  ownership: {label: 自分事化, items: [own1, own2, own3]}
  support: {label: 部下・同僚の改善提案を支援する, items: [sup1, sup2]}
  stop_work: {label: やめられる業務を見つける, items: [stop1, stop2]}

items:
  - {id: role, column: 役職, type: category, role: audience,
     map: {管理職: manager, 課長: manager, 係長: manager, 一般職員: staff, 一般: staff, 主事: staff, 主任: staff}}
  - {id: dept, column: 所属, type: category}
  - {id: nec1, column: DXは市役所の業務に必要だと思う, scale: agree5, level: learning}
  - {id: nec2, column: デジタル技術で業務や住民サービスがどう変わるかイメージできる, scale: agree5, level: learning}
  - {id: nec3, column: DXは今の自分の業務には関係ないと思う, scale: agree5, reverse: true, level: learning}
  - {id: own1, column: DXを自分の業務の課題として考えている, scale: agree5, level: learning}
  - {id: own2, column: 自分の担当業務でデジタル化に取り組みたい, scale: agree5, level: learning}
  - {id: own3, column: DXは情報担当部署が進めるものだと思う, scale: agree5, reverse: true, level: learning}
  - {id: sup1, column: 部下や同僚の改善提案を後押ししている, scale: agree5, level: behavior}
  - {id: sup2, column: 職場で業務改善のアイデアを出しやすい雰囲気をつくっている, scale: agree5, level: behavior}
  - {id: stop1, column: やめられる業務や手順を見つけることができる, scale: agree5, level: learning}
  - {id: stop2, column: 無駄だと思う業務があっても前例どおり続けてしまう, scale: agree5, reverse: true, level: learning}
  - {id: skill, column: デジタル活用スキル, scale: num5, waves: [pre, post]}
  - {id: tools, column: 使ったことがあるツール, type: multi, waves: [pre],
     options: ["Excel（関数, ピボットテーブル）", RPA, 生成AI（ChatGPT等）, ノーコードツール（kintone等）, 電子申請・LoGoフォーム],
     other: その他}
  - {id: satisfaction, column: 研修の満足度, scale: satisfaction5, level: reaction, waves: [post]}
  - {id: usefulness, column: 研修の内容は業務に役立つと思いますか, scale: useful4, level: reaction, waves: [post]}
  - {id: proposal, column: この3か月間に業務改善の提案をした, scale: yesno, level: behavior, waves: [followup]}
  - {id: consult, column: この3か月間にDX推進担当に相談した, scale: yesno, level: behavior, waves: [followup]}
  - {id: stopped, column: この3か月間にやめた・見直した業務がある, scale: yesno, level: behavior, waves: [followup]}
  - {id: comment, column: [研修に期待すること, ご意見・ご感想, "ご意見・ご感想 （自由記述）"], type: text,
     waves: [pre, post, followup]}
  # C2025-04 は事前・事後で1つのフォームを使い、講座と時点を回答者が選んだ（研修名・回答時点の列）。
  # その行の講座（講座IDか研修名）と時点をこの2列から決めるので、sources の行には course/wave を書かない。
  - {id: form_course, column: 研修名, type: category, role: course}
  - {id: form_wave, column: 回答時点, type: category, role: wave, map: {研修前: pre, 研修後: post}}

sources:
{sources}
exclude:
  - {column: 回答者コード, values: ["0000"], reason: DX推進担当のテスト送信}
"""


#: The demo's coding rules in KH Coder's syntax, written verbatim to ``coding_rules.txt``
#: (named by ``coding_rules:`` in survey.yaml); each planted comment theme has its code.
CODING_RULES = """\
# coding_rules.txt — デモ市の自由記述のコーディングルール（KH Coder の書式）
# *コード名 の次の行に条件を書きます。and / or / not、( )、A+B（連続）、seq(A-B)、near(A-B)[n]
*時間不足
時間 and (ない or 足りる or 不足 or 忙しい)
*質問しづらさ
seq(質問-づらい)[3] or seq(質問-にくい)[3] or near(質問-難しい)[5]
*業務見直し
業務 and (見直す or 見直し or 改善)
*電子化
電子 or デジタル or ペーパーレス or 電子化
"""


def _sources_yaml() -> str:
    lines = []
    for c in COURSES:
        for wave, (kind, file) in c["sources"].items():
            if kind == "gf_shared":
                entry = f"  - {{file: {file}}}"
                if entry not in lines:
                    lines.append(entry)
                continue
            extra = ""
            if kind == "paper":
                extra = (", sheet: 事後, header_rows: [3, 4],\n"
                         "     scales: {agree5: agree5_paper, satisfaction5: satisfaction5_paper, "
                         "useful4: useful4_paper}")
            elif kind == "logo":
                extra = ", encoding: cp932"
            lines.append(f"  - {{file: {file}, course: {c['course_id']}, wave: {wave}{extra}}}")
    return "\n".join(lines)


def _survey_text() -> str:
    return SURVEY_YAML.replace("{sources}", _sources_yaml())


def _codebook() -> dict:
    return yaml.safe_load(_survey_text())


# ------------------------------------------------------------------ effect helpers


def planted_effects() -> pd.DataFrame:
    """:data:`PLANTED_EFFECTS` as a DataFrame.

    Returns
    -------
    DataFrame
        Columns ``kind, target, factor, level, effect, meaning`` (see the comment
        on :data:`PLANTED_EFFECTS` for what each kind means).

    Examples
    --------
    >>> planted_effects().query("target == 'stop_work'")["effect"].tolist()
    [0.0]
    """
    return pd.DataFrame(PLANTED_EFFECTS, columns=list(_EFFECT_COLUMNS))


def expected_gain(construct: str, *, audience: str, instructor: str, format: str, style: str) -> float:
    """Planted pre -> post change of a construct mean, in scale points.

    Parameters
    ----------
    construct : {"necessity", "ownership", "support", "stop_work"}
    audience : {"manager", "staff"}
    instructor, format, style : str
        The course's values (courses.csv).

    Returns
    -------
    float
        Sum of the ``gain`` rows of :data:`PLANTED_EFFECTS` that apply.

    Examples
    --------
    >>> expected_gain("ownership", audience="staff", instructor="DX推進担当", format="in_person",
    ...               style="workshop")
    0.5
    >>> expected_gain("support", audience="manager", instructor="ベンダー", format="online", style="lecture")
    0.5
    """
    if construct not in CONSTRUCTS:
        raise ValueError(f"construct must be one of {', '.join(CONSTRUCTS)}; got {construct!r}")
    if audience not in ("manager", "staff"):
        raise ValueError(f"audience must be one of manager, staff; got {audience!r}")
    values = {"all": "all", "audience": audience, "instructor": instructor, "format": format, "style": style}
    total = sum(r["effect"] for r in PLANTED_EFFECTS
                if r["kind"] == "gain" and r["target"] == construct and values[r["factor"]] == r["level"])
    return round(float(total), 10)


def _shift(construct: str) -> float:
    return float(sum(r["effect"] for r in PLANTED_EFFECTS
                     if r["kind"] == "response_shift" and r["target"] == construct))


def _level(kind: str, target: str, course: dict) -> float:
    return float(sum(r["effect"] for r in PLANTED_EFFECTS
                     if r["kind"] == kind and r["target"] == target
                     and (r["factor"] == "all" or course.get(r["factor"]) == r["level"])))


def _audiences(course: dict) -> tuple[str, ...]:
    return ("manager", "staff") if course["audience"] == "all" else (course["audience"],)


def expected_changes() -> pd.DataFrame:
    """Planted change of every construct mean per course x audience x wave pair.

    Returns
    -------
    DataFrame
        Columns ``course_id, audience, construct, wave_a, wave_b, expected``:
        ``pre -> post`` is :func:`expected_gain`, ``pre -> followup`` the retention
        share of it, ``pre -> then`` the response shift (C2025-02 only), all in
        scale points of the construct mean.

    Examples
    --------
    >>> ec = expected_changes()
    >>> float(ec.query("course_id == 'C2024-03' and audience == 'manager' and construct == 'support'"
    ...                " and wave_b == 'post'")["expected"].iloc[0])
    0.5
    """
    rows = []
    for c in COURSES:
        for aud in _audiences(c):
            for k in CONSTRUCTS:
                g = expected_gain(k, audience=aud, instructor=c["instructor"], format=c["format"],
                                  style=c["style"])
                rows.append((c["course_id"], aud, k, "pre", "post", g))
                if "followup" in c["sources"]:
                    rows.append((c["course_id"], aud, k, "pre", "followup", round(RETENTION * g, 10)))
                if "then" in c["sources"]:
                    rows.append((c["course_id"], aud, k, "pre", "then", _shift(k)))
    return pd.DataFrame(rows, columns=["course_id", "audience", "construct", "wave_a", "wave_b", "expected"])


# ------------------------------------------------------------------- population

_DEPARTMENTS = [("総務部", 5), ("企画政策部", 4), ("財政部", 4), ("市民部", 5), ("福祉部", 5),
                ("子ども未来部", 4), ("健康部", 4), ("環境部", 4), ("産業振興部", 4),
                ("都市整備部", 5), ("上下水道部", 3), ("教育委員会事務局", 3)]
_N_STAFF = 260


def _population(rng: np.random.Generator) -> pd.DataFrame:
    """About 260 staff in 50 sections: 課長, 係長 (managers), 主任, 主事 (staff)."""
    people = []
    sections = [(d, s) for d, n in _DEPARTMENTS for s in range(n)]
    for dept, sec in sections:
        people.append((dept, sec, "課長"))
        if rng.random() < 0.8:
            people.append((dept, sec, "係長"))
    n_rest = _N_STAFF - len(people)
    sec_idx = rng.integers(0, len(sections), size=n_rest)
    for j in sec_idx:
        dept, sec = sections[int(j)]
        people.append((dept, sec, "主任" if rng.random() < 0.3 else "主事"))
    pop = pd.DataFrame(people, columns=["dept", "section", "title"])
    pop["audience"] = np.where(pop["title"].isin(["課長", "係長"]), "manager", "staff")
    codes = rng.choice(np.arange(1, 10000), size=len(pop), replace=False)
    pop["code"] = [f"{int(c):04d}" for c in codes]
    general = rng.normal(0, 1, len(pop))
    for k in CONSTRUCTS:
        own = rng.normal(0, 1, len(pop))
        pop[f"trait_{k}"] = _PRE_MEAN[k] + _TRAIT_SD * (0.6 * general + 0.8 * own)
    pop["trait_skill"] = 2.9 + 0.8 * (0.4 * general + 0.9 * rng.normal(0, 1, len(pop)))
    return pop


# ------------------------------------------------------------------ answers

_CONSTRUCT_ITEMS = {"necessity": ("nec1", "nec2", "nec3"), "ownership": ("own1", "own2", "own3"),
                    "support": ("sup1", "sup2"), "stop_work": ("stop1", "stop2")}
_REVERSE = {"nec3", "own3", "stop2"}
_ITEMS_BY_WAVE = {
    "pre": ["nec1", "nec2", "nec3", "own1", "own2", "own3", "sup1", "sup2", "stop1", "stop2", "skill"],
    "post": ["nec1", "nec2", "nec3", "own1", "own2", "own3", "sup1", "sup2", "stop1", "stop2", "skill",
             "satisfaction", "usefulness"],
    "followup": ["nec1", "nec2", "nec3", "own1", "own2", "own3", "sup1", "sup2", "stop1", "stop2",
                 "proposal", "consult", "stopped"],
    "then": ["nec1", "nec2", "nec3", "own1", "own2", "own3", "sup1", "sup2", "stop1", "stop2"],
}
_TOOLS = [("Excel（関数, ピボットテーブル）", 0.8), ("RPA", 0.15), ("生成AI（ChatGPT等）", 0.35),
          ("ノーコードツール（kintone等）", 0.1), ("電子申請・LoGoフォーム", 0.4)]
_OTHER_TOOLS = ["Power BI", "Python", "Access", "マクロ（VBA）"]

_COMMENTS = {
    "pre": ["生成AIを業務でどう使えばよいか知りたい。", "他自治体の具体的な事例を知りたい。",
            "定型業務を減らす方法を学びたい。", "何から始めればよいのか分からないので基本から教えてほしい。",
            "忙しい中での受講なので、すぐ使える内容だとありがたい。", "紙の申請書を減らすヒントがほしい。",
            "部下にどう説明すればよいかを知りたい。", "セキュリティ面で注意すべきことを知りたい。"],
    "post_workshop": ["グループワークで他課の職員と課題を共有できてよかった。",
                      "自分の業務の流れを書き出して、やめられる作業が見えた。",
                      "演習が多く、自分の仕事に置き換えて考えられた。",
                      "時間が足りなかったので、もう少しワークの時間がほしかった。"],
    "post_lecture": ["事例の紹介が分かりやすかった。", "講義が長く、少し集中が切れてしまった。",
                     "もう少し演習の時間がほしかった。", "資料を後で見返せるようにしてほしい。",
                     "話が抽象的で、自分の業務との関係がつかみにくかった。"],
    "post_online": ["オンラインだと質問しにくかった。", "音声が途切れることがあった。"],
    "followup": ["係内で申請書の電子化を提案した。", "忙しくて研修内容を生かせていない。",
                 "RPAの導入について相談したい。", "会議資料のペーパーレス化を始めた。",
                 "やめられる業務はまだ見つけられていない。"],
}

# Planted comment themes (issue: free-text analysis).  Each theme replaces, with probability
# ``share``, the comment of a submission that has one, in the group named; the choice uses its
# own generator per submission, so the numeric answers stay the same draw as without themes.
COMMENT_THEMES: list[dict[str, Any]] = [
    {"theme": "時間がない", "wave": "pre", "audience": "manager", "format": None, "style": None,
     "share": 0.8, "where": "managers before any course",
     "texts": ["業務が忙しく、DXに取り組む時間がない。", "時間がないので、短時間でできる改善を知りたい。",
               "日々の決裁や会議で時間がないのが一番の悩み。", "部下と話す時間がないので、進め方を知りたい。"]},
    {"theme": "質問しづらい", "wave": "post", "audience": None, "format": "online", "style": None,
     "share": 0.8, "where": "online courses, right after",
     "texts": ["オンラインだと質問しづらかった。", "画面越しでは質問しづらい雰囲気だった。",
               "チャットでは質問しづらいので、対面の機会もほしい。"]},
    {"theme": "業務を見直した", "wave": "followup", "audience": None, "format": None, "style": "workshop",
     "courses": ("C2024-03", "C2025-03"), "share": 0.8, "where": "the BPR workshops, three months later",
     "texts": ["研修後、係で業務を見直した。", "業務フローを書き出して、窓口の業務を見直した。",
               "研修で学んだ手順で、紙の回覧業務を見直した。"]},
]


def _theme_for(person_id: int, course: dict, wave: str) -> dict | None:
    for th in COMMENT_THEMES:
        if (th["wave"] == wave
                and th["format"] in (None, course["format"]) and th["style"] in (None, course["style"])
                and course["course_id"] in th.get("courses", (course["course_id"],))):
            return th
    return None


def _themed_text(text: str | None, person: pd.Series, course: dict, wave: str) -> str | None:
    """``text`` or, for a submission in a theme's group, one of the theme's comments."""
    th = _theme_for(int(person.name), course, wave)
    if text is None or th is None or th["audience"] not in (None, person["audience"]):
        return text
    wave_no = ("pre", "post", "followup", "then").index(wave)
    course_no = next(i for i, c in enumerate(COURSES) if c["course_id"] == course["course_id"])
    own = np.random.default_rng([int(person.name), course_no, wave_no, 13])
    if own.random() >= th["share"]:
        return text
    return th["texts"][int(own.integers(len(th["texts"])))]


# Comments carrying personal data: ingest masks them (planted here, listed in truth.json).
_PII_COMMENTS = [
    ("post", "資料を共有してほしいです。yamada.taro@city.example.lg.jp まで送ってください。", ["email"]),
    ("post", "不明点は03-1234-5678（直通）に電話してもよいでしょうか。", ["phone"]),
    ("pre", "研修の案内は090-2345-6789にも連絡をもらえると助かります。", ["phone"]),
    ("post", "問い合わせ先は０３－５５５５－１２３４と聞きました。", ["phone"]),
    ("post", "職員番号12345の佐藤です。次回も参加したいです。", ["staff_number", "name"]),
    ("post", "山田課長に勧められて参加しました。とても分かりやすかったです。", ["name"]),
    ("followup", "佐藤さんと一緒に窓口業務の見直しを進めています。", ["name"]),
]
# LoGo (CP932) comments: quoted line breaks and characters Shift_JIS lacks.
_LOGO_COMMENTS = [
    ("post", "①申請書の電子化\n②押印の廃止\nを係で検討したいです。", []),
    ("post", "髙橋係長と山﨑さんにも受講を勧めたいです。", ["name"]),
    ("pre", "業務の棚卸しの方法を知りたい。\n特に窓口業務について。", []),
]

_WEB_LABELS = {
    "agree5": {1: "そう思わない", 2: "あまりそう思わない", 3: "どちらともいえない", 4: "ややそう思う", 5: "そう思う"},
    "agree5_logo": {1: "全くそう思わない", 2: "あまりそう思わない", 3: "どちらともいえない", 4: "ややそう思う",
                    5: "とてもそう思う"},
    "satisfaction5": {1: "不満", 2: "やや不満", 3: "普通", 4: "やや満足", 5: "満足"},
    "useful4": {1: "役立たない", 2: "あまり役立たない", 3: "まあまあ役立つ", 4: "とても役立つ"},
    "yesno": {0: "いいえ", 1: "はい"},
}
_ITEM_SCALE = {**{i: "agree5" for items in _CONSTRUCT_ITEMS.values() for i in items},
               "skill": "num5", "satisfaction": "satisfaction5", "usefulness": "useful4",
               "proposal": "yesno", "consult": "yesno", "stopped": "yesno"}
# paper digits: printed positive-first for these scales
_PAPER_FLIP = {"agree5": 6, "satisfaction5": 6, "useful4": 5}


def _likert(rng: np.random.Generator, latent: float) -> int:
    return int(np.clip(np.rint(latent + rng.normal(0, _ITEM_SD)), 1, 5))


def _construct_answers(rng: np.random.Generator, latent: dict[str, float]) -> dict[str, int]:
    out = {}
    for k, items in _CONSTRUCT_ITEMS.items():
        for item in items:
            v = _likert(rng, latent[k])
            out[item] = 6 - v if item in _REVERSE else v
    return out


def _office_time(rng: np.random.Generator, day: dt.date) -> dt.datetime:
    minutes = int(rng.integers(8 * 60 + 30, 17 * 60 + 30))
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60, int(rng.integers(0, 60))))


def _answer_sheet(rng, person, course, wave, latent, submitted, *, code):
    """One submission: values as answered plus the written role/dept/text/tools."""
    values = _construct_answers(rng, latent) if wave in _ITEMS_BY_WAVE else {}
    if wave in ("pre", "post"):
        values["skill"] = int(np.clip(np.rint(person["trait_skill"] + rng.normal(0, 0.4)), 1, 5))
    workshop = course["style"] == "workshop"
    if wave == "post":
        values["satisfaction"] = int(np.clip(np.rint(_level("post_mean", "satisfaction", course)
                                                     + rng.normal(0, 0.7)), 1, 5))
        values["usefulness"] = int(np.clip(np.rint(3.0 + 0.2 * workshop + rng.normal(0, 0.6)), 1, 4))
    if wave == "followup":
        for item in ("proposal", "consult", "stopped"):
            values[item] = int(rng.random() < _level("followup_share", item, course))
    # a few skipped questions
    for item in list(values):
        if rng.random() < 0.015:
            values[item] = None
    text = None
    if wave != "then" and rng.random() < 0.35:
        if wave == "post":
            pool = list(_COMMENTS["post_workshop" if workshop else "post_lecture"])
            if course["format"] == "online":
                pool += _COMMENTS["post_online"]
        else:
            pool = _COMMENTS[wave]
        text = _themed_text(pool[int(rng.integers(len(pool)))], person, course, wave)
    tools, other = [], None
    if wave == "pre":
        tools = [name for name, p in _TOOLS if rng.random() < p]
        if rng.random() < 0.06:
            other = _OTHER_TOOLS[int(rng.integers(len(_OTHER_TOOLS)))]
    return {"course_id": course["course_id"], "wave": wave, "person": int(person.name),
            "code": code, "audience": person["audience"], "title": person["title"], "dept": person["dept"],
            "submitted": submitted, "values": values, "text": text, "tools": tools, "other": other,
            "status": "kept", "written": {}, "pii": []}


def simulate(seed: int = DEFAULT_SEED) -> dict:
    """Draw the population, attendance and every submission (nothing written).

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    dict
        ``population`` (DataFrame, one row per staff member) and ``submissions``
        (list of dicts in file order per source: course_id, wave, person, code,
        audience, submitted, values (item -> value as answered, ``None`` missing),
        text, tools, other, status (``kept`` or a PROBLEMS reason), written (item ->
        (cell as written, problem)), pii).  Placeholder rows (blank rows, footers)
        are added by the writers, not here.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise ValueError(f"seed must be an int; got {seed!r}")
    rng = np.random.default_rng(int(seed))
    pop = _population(rng)
    subs: list[dict] = []
    for course in COURSES:
        date = dt.date.fromisoformat(course["date"])
        if course["audience"] == "all":
            pool = pop.index.to_numpy()
        else:
            pool = pop.index[pop["audience"] == course["audience"]].to_numpy()
        invited = rng.choice(pool, size=course["invited"], replace=False)
        invited.sort()
        for pid in invited:
            person = pop.loc[pid]
            aud = person["audience"]
            pre_lat = {k: person[f"trait_{k}"] + rng.normal(0, _STATE_SD) for k in CONSTRUCTS}
            gain = {k: expected_gain(k, audience=aud, instructor=course["instructor"],
                                     format=course["format"], style=course["style"]) for k in CONSTRUCTS}
            r_pre = rng.random() < 0.86
            r_post = rng.random() < (0.80 if r_pre else 0.55)
            r_fu = rng.random() < (0.58 if r_post else 0.35)
            r_then = r_post and rng.random() < 0.9
            code = person["code"] if course["keyed"] else None
            if r_pre:
                when = _office_time(rng, date - dt.timedelta(days=int(rng.integers(1, 11))))
                subs.append(_answer_sheet(rng, person, course, "pre", pre_lat, when, code=code))
            post_when = _office_time(rng, date + dt.timedelta(days=int(rng.integers(0, 4))))
            if r_post:
                lat = {k: pre_lat[k] + gain[k] + rng.normal(0, _STATE_SD) for k in CONSTRUCTS}
                subs.append(_answer_sheet(rng, person, course, "post", lat, post_when, code=code))
            if "then" in course["sources"] and r_then:
                lat = {k: pre_lat[k] + _shift(k) + rng.normal(0, _STATE_SD) for k in CONSTRUCTS}
                when = post_when + dt.timedelta(minutes=int(rng.integers(2, 15)))
                subs.append(_answer_sheet(rng, person, course, "then", lat, when, code=code))
            if "followup" in course["sources"] and r_fu:
                lat = {k: pre_lat[k] + RETENTION * gain[k] + rng.normal(0, _STATE_SD) for k in CONSTRUCTS}
                when = _office_time(rng, date + dt.timedelta(days=90 + int(rng.integers(0, 15))))
                subs.append(_answer_sheet(rng, person, course, "followup", lat, when, code=code))
    subs.sort(key=lambda s: (s["course_id"], s["wave"], s["submitted"]))
    _plant(rng, pop, subs)
    subs.sort(key=lambda s: (s["course_id"], s["wave"], s["submitted"]))
    return {"population": pop, "submissions": subs, "seed": int(seed)}


def _of(subs, course_id, wave):
    return [s for s in subs if s["course_id"] == course_id and s["wave"] == wave and s["status"] == "kept"]


def _plant(rng: np.random.Generator, pop: pd.DataFrame, subs: list[dict]) -> None:
    """Plant the dirt: duplicates, a test submission, bad cells, codes, PII comments."""
    # --- codes on the paper form: 93 for 0093 (Excel number) and a full-width code
    paper = _of(subs, "C2024-03", "post")
    _give_code(pop, subs, paper[0]["person"], "0093")
    _give_code(pop, subs, paper[1]["person"], "0421")
    paper[1]["written"]["__key__"] = ("０４２１", None)
    # --- duplicates: the earlier submission is dropped; the later one is the truth
    for course_id, wave, shift_minutes in (("C2024-01", "pre", 95), ("C2025-02", "post", 40),
                                           ("C2024-03", "followup", 60 * 26)):
        target = _of(subs, course_id, wave)[2]
        old = copy.deepcopy(target)
        old["submitted"] = target["submitted"] - dt.timedelta(minutes=shift_minutes)
        old["values"] = {k: (None if v is None else int(np.clip(v + rng.integers(-1, 2), _scale_min(k),
                                                                  _scale_max(k))))
                         for k, v in target["values"].items()}
        old["text"] = None
        old["status"] = "duplicate_submission"
        subs.append(old)
    # --- a test submission by the DX team, code 0000, before the invitations
    first = _of(subs, "C2025-01", "pre")[0]
    test = copy.deepcopy(first)
    test.update(person=-1, code="0000", submitted=first["submitted"] - dt.timedelta(days=3),
                text="テスト送信です（DX推進担当）", status="excluded", title="課長", dept="総務部")
    subs.append(test)
    # --- an unreadable role and a blank code in C2025-01 post
    post = _of(subs, "C2025-01", "post")
    post[3]["written"]["role"] = ("部長", "unknown_category")
    post[5]["written"]["__key__"] = ("", "missing_key")
    # --- unknown labels on web forms
    post[7]["written"]["own2"] = ("どちらでもない", "unknown_label")
    post[11]["written"]["stop1"] = ("どちらでもない", "unknown_label")
    logo_post = _of(subs, "C2025-03", "post")
    logo_post[4]["written"]["satisfaction"] = ("ふつう", "unknown_label")
    # --- paper: double marks, out-of-range numbers, 無回答 / - / ４ / "3 "
    paper = _of(subs, "C2024-03", "post")
    paper[2]["written"]["nec2"] = ("2・3", "invalid_value")
    paper[6]["written"]["sup1"] = ("3・4", "invalid_value")
    paper[4]["written"]["own1"] = (6, "out_of_range")
    paper[8]["written"]["skill"] = (0, "out_of_range")
    for s, item, cell in ((paper[3], "stop1", "無回答"), (paper[5], "own3", "-"), (paper[9], "usefulness", "-")):
        s["written"][item] = (cell, None)
        s["values"][item] = None
    for s, item in ((paper[1], "nec1"), (paper[7], "sup2"), (paper[10], "stop2")):
        v = s["values"].get(item)
        if v is not None:
            s["written"][item] = (str(6 - v).translate(_FULLWIDTH), None)
    for s, item in ((paper[2], "own2"), (paper[5], "nec1")):
        v = s["values"].get(item)
        if v is not None:
            s["written"][item] = (f"{6 - v} ", None)
    for s in subs:
        for item, (_, problem) in s["written"].items():
            if problem in ("unknown_label", "invalid_value", "out_of_range"):
                s["values"][item] = None
    # --- comments with personal data
    web = [s for s in subs if s["status"] == "kept" and COURSE_BY_ID[s["course_id"]]["sources"][s["wave"]][0]
           in ("gf_download", "gf_sheet", "gf_shared", "msforms")]
    logo = [s for s in subs if s["status"] == "kept" and COURSE_BY_ID[s["course_id"]]["sources"][s["wave"]][0]
            == "logo"]
    for pool, comments in ((web, _PII_COMMENTS), (logo, _LOGO_COMMENTS)):
        for wave, text, kinds in comments:
            cands = [s for s in pool if s["wave"] == wave and not s["pii"]]
            s = cands[int(rng.integers(len(cands)))]
            s["text"], s["pii"] = text, kinds or ["line_break"]


_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
COURSE_BY_ID = {c["course_id"]: c for c in COURSES}


def _scale_min(item: str) -> int:
    return 0 if _ITEM_SCALE[item] == "yesno" else 1


def _scale_max(item: str) -> int:
    return {"useful4": 4, "yesno": 1}.get(_ITEM_SCALE[item], 5)


def _give_code(pop: pd.DataFrame, subs: list[dict], person: int, code: str) -> None:
    """Give ``person`` the code ``code`` (swapping with whoever had it)."""
    holder = pop.index[pop["code"] == code]
    old = pop.at[person, "code"]
    if len(holder):
        pop.at[holder[0], "code"] = old
    pop.at[person, "code"] = code
    for s in subs:
        if s["code"] is None:
            continue
        if s["person"] == person:
            s["code"] = code
        elif len(holder) and s["person"] == holder[0]:
            s["code"] = old


# ---------------------------------------------------------------------- writers

_GRID_TITLE = {"pre": "研修の前に、現在のお考えをお聞きします",
               "post": "研修を終えて、現在のお考えをお聞きします",
               "followup": "研修から3か月たった現在のお考えをお聞きします",
               "then": "研修を受ける前のご自身を振り返ってお答えください"}


def _questions(cb: dict, wave: str, keyed: bool) -> list[tuple[str, str]]:
    """(field, question text) in form order; field is an item id or __key__."""
    cols = {it["id"]: it["column"] for it in cb["items"]}
    out = [("__key__", "回答者コード")] if keyed else []
    out += [("role", "役職"), ("dept", "所属")]
    out += [(i, cols[i]) for i in _ITEMS_BY_WAVE[wave]]
    if wave == "pre":
        out.append(("tools", "使ったことがあるツール"))
    if wave != "then":
        out.append(("comment", "研修に期待すること" if wave == "pre" else "ご意見・ご感想"))
    return out


def _role_label(s: dict, kind: str, rng: np.random.Generator) -> str:
    if kind == "paper":
        choices = {"課長": ["課長", "管理職"], "係長": ["係長", "管理職"],
                   "主任": ["主任", "一般職員", "一般"], "主事": ["主事", "一般", "一般職員"]}[s["title"]]
        return choices[int(rng.integers(len(choices)))]
    return "管理職" if s["audience"] == "manager" else "一般職員"


def _cell(s: dict, field: str, kind: str, rng: np.random.Generator) -> Any:
    """The cell a submission writes for one field (str, int or None)."""
    if field in s["written"]:
        return s["written"][field][0]
    if field == "__key__":
        if s["code"] is None:
            return None
        if kind == "paper" or kind == "gf_sheet":
            return int(s["code"])          # Excel / Sheets turn "0093" into 93
        return s["code"]
    if field == "role":
        return _role_label(s, kind, rng)
    if field == "dept":
        return s["dept"]
    if field == "comment":
        return s["text"]
    if field == "tools":
        chosen = list(s["tools"]) + ([s["other"]] if s["other"] else [])
        if not chosen:
            return None
        if kind == "msforms":
            return ";".join(chosen) + ";"
        return ", ".join(chosen)
    v = s["values"].get(field)
    if v is None:
        return None
    scale = _ITEM_SCALE[field]
    if scale == "num5":
        return v if kind in ("paper", "msforms") else str(v)
    if kind == "paper":
        return _PAPER_FLIP[scale] - v
    if kind == "logo" and scale == "agree5":
        return _WEB_LABELS["agree5_logo"][v]
    return _WEB_LABELS[scale][v]


def _google_time(t: dt.datetime, variant: str) -> str:
    if variant == "gf_sheet":
        return f"{t:%Y/%m/%d} {t.hour}:{t:%M:%S}"
    half = "午前" if t.hour < 12 else "午後"
    return f"{t:%Y/%m/%d} {t.hour % 12 or 12}:{t:%M:%S} {half} GMT+9"


class _CsvOut:
    """CSV text with the physical line where each record starts."""

    def __init__(self, quoting: int, newline: str):
        self.buf = io.StringIO(newline="")
        self.writer = csv.writer(self.buf, quoting=quoting, lineterminator=newline)

    def write(self, row: list) -> int:
        line = self.buf.getvalue().count("\n") + 1
        self.writer.writerow(["" if v is None else v for v in row])
        return line


def _write_google(subs, course, wave, kind, cb, rng, path: Path, extras: dict) -> dict:
    questions = _questions(cb, wave, course["keyed"])
    headers = ["タイムスタンプ"]
    for field, text in questions:
        headers.append(f"{_GRID_TITLE[wave]} [{text}]" if field in _ITEM_SCALE and _ITEM_SCALE[field] == "agree5"
                       else text)
    out = _CsvOut(csv.QUOTE_ALL if kind == "gf_download" else csv.QUOTE_MINIMAL,
                  "\n" if kind == "gf_download" else "\r\n")
    out.write(headers)
    placed = []
    rows = sorted(subs, key=lambda s: s["submitted"])
    blank_after = extras.get("blank_row_after")
    for n, s in enumerate(rows, start=1):
        cells = [_google_time(s["submitted"], kind)] + [_cell(s, f, kind, rng) for f, _ in questions]
        placed.append((s, out.write(cells), cells))
        if blank_after == n:
            line = out.write([None] * len(headers))
            placed.append(({"status": "empty_submission", "values": {}, "written": {}}, line, None))
        if extras.get("timestamp_only_after") == n:
            t = s["submitted"] + dt.timedelta(minutes=7)
            line = out.write([_google_time(t, kind)] + [None] * len(questions))
            placed.append(({"status": "empty_submission", "values": {}, "written": {}}, line, None))
    path.write_bytes(out.buf.getvalue().encode("utf-8"))
    return {"headers": headers, "fields": ["__ts__"] + [f for f, _ in questions], "placed": placed}


#: the wave as the shared form's 回答時点 column writes it (survey.yaml maps it back)
_SHARED_WAVE_LABEL = {"pre": "研修前", "post": "研修後"}


def _write_shared_google(subs, course, cb, rng, path: Path) -> dict:
    """One Google Sheet for both waves of a course: the course title and the wave are columns
    (研修名, 回答時点); the questions are the union of the waves' questions, a cell is blank where
    the row's wave did not ask; one grid title and one comment question serve every wave."""
    waves = [w for w in ("pre", "post") if w in course["sources"]]
    questions: list[tuple[str, str]] = []
    for w in waves:
        for field, text in _questions(cb, w, course["keyed"]):
            if field == "comment":
                text = "ご意見・ご感想"
            if field not in [f for f, _ in questions]:
                questions.append((field, text))
    asked = {w: {f for f, _ in _questions(cb, w, course["keyed"])} for w in waves}
    headers = ["タイムスタンプ", "研修名", "回答時点"] + [
        f"現在のお考えをお聞きします [{text}]" if _ITEM_SCALE.get(field) == "agree5" else text
        for field, text in questions]
    out = _CsvOut(csv.QUOTE_MINIMAL, "\r\n")
    out.write(headers)
    placed = []
    for s in sorted(subs, key=lambda s: s["submitted"]):
        cells = [_google_time(s["submitted"], "gf_sheet"), course["title"], _SHARED_WAVE_LABEL[s["wave"]]] + \
                [_cell(s, f, "gf_sheet", rng) if f in asked[s["wave"]] else None for f, _ in questions]
        placed.append((s, out.write(cells), cells))
    path.write_bytes(out.buf.getvalue().encode("utf-8"))
    return {"headers": headers, "fields": ["__ts__", "__course__", "__wave__"] + [f for f, _ in questions],
            "placed": placed}


def _write_logo(subs, course, wave, cb, rng, path: Path) -> dict:
    questions = _questions(cb, wave, course["keyed"])
    headers = ["回答ID", "回答日時"] + [text for _, text in questions]
    out = _CsvOut(csv.QUOTE_MINIMAL, "\r\n")
    out.write(headers)
    chrono = sorted(subs, key=lambda s: s["submitted"])
    ids = {id(s): 1000 + n for n, s in enumerate(chrono, start=1)}
    placed = []
    for s in reversed(chrono):                 # the admin screen exports newest first
        cells = [str(ids[id(s)]), f"{s['submitted']:%Y/%m/%d %H:%M:%S}"] + \
                [_cell(s, f, "logo", rng) for f, _ in questions]
        cells = [c.replace("\n", "\r\n") if isinstance(c, str) else c for c in cells]
        placed.append((s, out.write(cells), cells))
    path.write_bytes(out.buf.getvalue().encode("cp932"))
    return {"headers": headers, "fields": ["__id__", "__ts__"] + [f for f, _ in questions], "placed": placed}


def _save_workbook(wb, path: Path) -> None:
    """Save with fixed document properties and zip timestamps: same bytes every run."""
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "dxsurvey demo"
    stamp = FIXED_TIME.timetuple()[:6]

    class _FixedZip(zipfile.ZipFile):
        def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
            if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
                zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=stamp)
                zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
            super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

        def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
            # worksheets go through a temp file, whose mtime would end up in the zip
            self.writestr(arcname or Path(filename).name, Path(filename).read_bytes())

    buf = io.BytesIO()
    ExcelWriter(wb, _FixedZip(buf, "w", zipfile.ZIP_DEFLATED)).save()
    path.write_bytes(buf.getvalue())


def _write_msforms(subs, course, wave, cb, rng, path: Path) -> dict:
    import openpyxl

    questions = _questions(cb, wave, course["keyed"])
    order = rng.permutation(len(questions))     # Forms' export order differs from the form
    questions = [questions[int(i)] for i in order]
    odd = {"role": "役職\u3000", "dept": "所属\u00a0", "comment": "ご意見・ご感想\n（自由記述）"}
    texts = []
    for field, text in questions:
        if field == "comment" and wave == "pre":
            texts.append("研修に期待すること\n")
        else:
            texts.append(odd.get(field, text))
    headers = ["ID", "開始時刻", "完了時刻", "メール", "名前", "最終変更時刻"] + texts
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(headers)
    placed = []
    for n, s in enumerate(sorted(subs, key=lambda s: s["submitted"]), start=1):
        done = s["submitted"].replace(microsecond=0)
        start = done - dt.timedelta(seconds=int(rng.integers(120, 600)))
        cells = [n, start, done, "anonymous", None, None] + [_cell(s, f, "msforms", rng) for f, _ in questions]
        ws.append(cells)
        placed.append((s, ws.max_row, cells))
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=3):
        for c in row:
            c.number_format = "yyyy/m/d h:mm:ss"
    _save_workbook(wb, path)
    return {"headers": headers, "fields": ["__id__", "__start__", "__done__", "__mail__", "__name__",
                                           "__mod__"] + [f for f, _ in questions], "placed": placed}


def _write_paper(subs, course, wave, cb, rng, path: Path) -> dict:
    import openpyxl
    from openpyxl.utils import get_column_letter

    questions = _questions(cb, wave, course["keyed"])
    wb = openpyxl.Workbook()
    guide = wb.active
    guide.title = "記入方法"
    guide["A1"] = "紙アンケートの入力方法"
    guide["A2"] = "問1・問3は用紙の番号（1 = そう思う／満足／とても役立つ）をそのまま入力してください。"
    guide["A3"] = "空欄は「無回答」または「-」と入力します。"
    ws = wb.create_sheet("事後")
    ws["A1"] = f"{course['title']} 事後アンケート（紙回収分）入力シート"
    ws["A2"] = "問1 1=そう思う 2=ややそう思う 3=どちらともいえない 4=あまりそう思わない 5=そう思わない ／ 問2 1=苦手～5=得意"
    lead = [("__no__", "No.")] + questions
    groups = {"nec1": "問1 研修についてあてはまる番号", "skill": "問2", "satisfaction": "問3 研修の評価"}
    col = 1
    group_start = None
    current = None
    spans = []
    for field, text in lead:
        letter = get_column_letter(col)
        scale = _ITEM_SCALE.get(field)
        if scale in ("agree5", "satisfaction5", "useful4"):
            g = "問1 研修についてあてはまる番号" if scale == "agree5" else "問3 研修の評価"
            if g != current:
                if current is not None:
                    spans.append((current, group_start, col - 1))
                current, group_start = g, col
            ws[f"{letter}4"] = text
        else:
            if current is not None:
                spans.append((current, group_start, col - 1))
                current = None
            ws[f"{letter}3"] = groups.get(field, text) if field == "skill" else text
            if field == "skill":
                ws[f"{letter}4"] = text
            else:
                ws.merge_cells(f"{letter}3:{letter}4")
        col += 1
    if current is not None:
        spans.append((current, group_start, col - 1))
    for title, a, b in spans:
        ws.cell(row=3, column=a, value=title)
        ws.merge_cells(start_row=3, start_column=a, end_row=3, end_column=b)
    placed = []
    row = 5
    sheets = sorted(subs, key=lambda s: (s["submitted"]))
    blank_rows_after = {4, 11}
    for n, s in enumerate(sheets, start=1):
        cells = [n] + [_cell(s, f, "paper", rng) for f, _ in questions]
        for j, v in enumerate(cells, start=1):
            ws.cell(row=row, column=j, value=v)
        placed.append((s, row, cells))
        row += 1
        if n in blank_rows_after:
            placed.append(({"status": "empty_submission", "values": {}, "written": {}}, row, None))
            row += 1
    # a returned blank sheet: only its number was typed
    ws.cell(row=row, column=1, value=len(sheets) + 1)
    placed.append(({"status": "empty_submission", "values": {}, "written": {}}, row, None))
    row += 1
    placed.append(({"status": "empty_submission", "values": {}, "written": {}}, row, None))
    row += 1
    ws.cell(row=row, column=1, value="回収数")
    ws.cell(row=row, column=2, value=f"{len(sheets) + 1}枚")
    placed.append(({"status": "empty_submission", "values": {}, "written": {}}, row, None))
    _save_workbook(wb, path)
    headers = []                                  # as the reader names them: header parts joined
    for field, text in lead:
        scale = _ITEM_SCALE.get(field)
        if scale == "agree5":
            headers.append(f"問1 研修についてあてはまる番号 {text}")
        elif scale in ("satisfaction5", "useful4"):
            headers.append(f"問3 研修の評価 {text}")
        elif field == "skill":
            headers.append(f"問2 {text}")
        else:
            headers.append(text)
    return {"headers": headers, "fields": [f for f, _ in lead], "placed": placed}


# ------------------------------------------------------------------------ truth


def _source_truth(file: str, kind: str, course: dict, wave: str, written: dict) -> tuple[dict, list, list]:
    """Counts, dirty cells and PII of one (file, course, wave); a file holding several waves
    (gf_shared) counts only the wave's rows, with rows and records numbered in the whole file."""
    placed = written["placed"]
    shared = kind == "gf_shared"
    counts = {"file": file, "course_id": course["course_id"], "wave": wave, "kind": kind,
              "rows": sum(1 for s, _, _ in placed if not shared or s["wave"] == wave), "kept": 0}
    for reason in ("empty_submission", "duplicate_submission", "excluded"):
        counts[reason] = 0
    dirty, pii = [], []
    fields = written["fields"]
    headers = [" ".join(unicodedata.normalize("NFKC", h).split()) for h in written["headers"]]
    for record, (s, row, _cells) in enumerate(placed, start=1):
        if shared and s["wave"] != wave:
            continue
        status = s["status"]
        if status == "kept":
            counts["kept"] += 1
        else:
            counts[status] += 1
        for field, (value, problem) in sorted(s["written"].items()):
            if problem is None or status != "kept":
                continue
            j = fields.index(field)
            dirty.append({"file": file, "row": row, "record": record, "column": headers[j], "item": field,
                          "value": "" if value is None else str(value), "problem": problem})
        if s.get("other") and status == "kept":
            j = fields.index("tools")
            dirty.append({"file": file, "row": row, "record": record, "column": headers[j], "item": "tools",
                          "value": str(_cells[j]), "problem": "other_option"})
        if s.get("pii") and s["pii"] != ["line_break"] and status == "kept":
            j = fields.index("comment")
            pii.append({"file": file, "row": row, "record": record, "column": headers[j],
                        "kinds": s["pii"], "text": s["text"]})
    return counts, dirty, pii


def _matched(subs: list[dict]) -> dict:
    out = {}
    for c in COURSES:
        kept = [s for s in subs if s["course_id"] == c["course_id"] and s["status"] == "kept"]
        per_wave = {w: sum(1 for s in kept if s["wave"] == w) for w in c["sources"]}
        entry = {"invited": c["invited"], "keyed": c["keyed"], "kept": per_wave}
        if c["keyed"]:
            codes = {w: {s["code"] for s in kept if s["wave"] == w and not _key_missing(s)} for w in c["sources"]}
            entry["matched"] = len(codes["pre"] & codes["post"])
            if "followup" in codes:
                entry["matched_pre_followup"] = len(codes["pre"] & codes["followup"])
            if "then" in codes:
                entry["matched_then_post"] = len(codes["then"] & codes["post"])
        else:
            entry["matched"] = 0
        entry["response_rate"] = {w: round(n / c["invited"], 3) for w, n in per_wave.items()}
        out[c["course_id"]] = entry
    return out


def _key_missing(s: dict) -> bool:
    return "__key__" in s["written"] and s["written"]["__key__"][1] == "missing_key"


def true_answers(sim: dict) -> pd.DataFrame:
    """Every scale answer of every kept submission, as ingest should read it.

    Parameters
    ----------
    sim : dict
        The result of :func:`simulate`.

    Returns
    -------
    DataFrame
        ``course_id, wave, code, person, audience, item_id, value`` (value as
        answered, Int64, NA where skipped, ``無回答``/``-`` or a planted bad cell).
        ``code`` is NA for anonymous courses and for the blank-code submission.
    """
    rows = []
    for s in sim["submissions"]:
        if s["status"] != "kept":
            continue
        linked = None if (s["code"] is None or _key_missing(s)) else s["code"]
        for item in _ITEMS_BY_WAVE[s["wave"]]:
            rows.append((s["course_id"], s["wave"], linked, s["person"], s["audience"], item,
                         s["values"].get(item)))
    df = pd.DataFrame(rows, columns=["course_id", "wave", "code", "person", "audience", "item_id", "value"])
    df["value"] = df["value"].astype("Int64")
    return df


def true_scores(sim: dict) -> pd.DataFrame:
    """Construct means of every kept submission as the generator knows them.

    Parameters
    ----------
    sim : dict
        The result of :func:`simulate`.

    Returns
    -------
    DataFrame
        One row per kept submission: ``course_id, wave, code, person, audience``
        and one column per construct (mean of answered items with reverse items
        reverse-coded, NaN unless at least half the items are answered).
    """
    rows = []
    for s in sim["submissions"]:
        if s["status"] != "kept":
            continue
        linked = None if (s["code"] is None or _key_missing(s)) else s["code"]
        row = {"course_id": s["course_id"], "wave": s["wave"], "code": linked, "person": s["person"],
               "audience": s["audience"]}
        for k, items in _CONSTRUCT_ITEMS.items():
            vals = [s["values"].get(i) for i in items]
            vals = [(6 - v if i in _REVERSE else v) for i, v in zip(items, vals) if v is not None]
            row[k] = float(np.mean(vals)) if len(vals) >= len(items) / 2 else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------ ideas register

#: The 50 sections (課) of the demo city, department by department (sections.csv).
SECTIONS: dict[str, tuple[str, ...]] = {
    "総務部": ("総務課", "人事課", "職員課", "危機管理課", "契約課"),
    "企画政策部": ("企画課", "広報課", "DX推進課", "秘書課"),
    "財政部": ("財政課", "税務課", "収納課", "資産税課"),
    "市民部": ("市民課", "保険年金課", "市民協働課", "文化スポーツ課", "交通安全課"),
    "福祉部": ("福祉総務課", "障害福祉課", "高齢福祉課", "介護保険課", "生活支援課"),
    "子ども未来部": ("子育て支援課", "保育課", "子ども家庭課", "青少年課"),
    "健康部": ("健康づくり課", "保健予防課", "医療政策課", "国民健康保険課"),
    "環境部": ("環境政策課", "ごみ対策課", "公園緑地課", "環境保全課"),
    "産業振興部": ("商工観光課", "農政課", "企業誘致課", "雇用労働課"),
    "都市整備部": ("都市計画課", "建築指導課", "道路課", "住宅課", "河川課"),
    "上下水道部": ("水道総務課", "浄水課", "下水道課"),
    "教育委員会事務局": ("教育総務課", "学校教育課", "生涯学習課"),
}
#: The story of ideas.csv: after the FY2024 BPR course (C2024-03) a bulletin-board call
#: for improvement ideas brought one idea; the DX team then visited every other section
#: (Dec 2024 - Mar 2025) and collected more than 120; post-course questionnaires and the
#: consultation desk add a few.
IDEA_CHANNELS = {"board": "掲示板", "visit": "課への訪問", "survey": "研修後アンケート", "desk": "相談窓口"}
_IDEA_STATUS = (("受付", 0.20), ("検討中", 0.30), ("実施", 0.35), ("見送り", 0.15))
_VISITS = (dt.date(2024, 12, 2), dt.date(2025, 3, 14))


def _business_days(first: dt.date, last: dt.date) -> list[dt.date]:
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    return [d for d in days if d.weekday() < 5]


def simulate_ideas(seed: int = DEFAULT_SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ideas register and the section list of the demo city (nothing written).

    Drawn from their own random stream, so they leave every other demo file unchanged.

    Returns
    -------
    (ideas, sections)
        ideas: date (ISO text), section, channel, course_id ("" when not from a course),
        status (受付, 検討中, 実施, 見送り), sorted by date; sections: section.
    """
    rng = np.random.default_rng([int(seed), 2])
    sections = [s for secs in SECTIONS.values() for s in secs]
    labels, probs = zip(*_IDEA_STATUS)
    rows = []

    def add(day: dt.date, section: str, channel: str, course: str = "") -> None:
        rows.append((day.isoformat(), section, IDEA_CHANNELS[channel], course,
                     labels[int(rng.choice(len(labels), p=probs))]))

    bpr = COURSE_BY_ID["C2024-03"]
    add(dt.date.fromisoformat(bpr["date"]) + dt.timedelta(days=26), str(rng.choice(sections)), "board",
        "C2024-03")
    days = _business_days(*_VISITS)
    visited = [s for s in sections if s != "DX推進課"]
    order = rng.permutation(len(visited))
    slots = np.sort(rng.choice(len(days), size=len(visited), replace=len(visited) > len(days)))
    for j, slot in zip(order, slots):
        for _ in range(int(rng.poisson(2.8))):
            add(days[int(slot)], visited[int(j)], "visit")
    for c in COURSES:
        start = dt.date.fromisoformat(c["date"])
        for _ in range(int(rng.poisson(1.5))):
            add(start + dt.timedelta(days=int(rng.integers(0, 4))), str(rng.choice(sections)), "survey",
                c["course_id"])
    desk_days = _business_days(dt.date(2025, 4, 1), dt.date(2025, 11, 28))
    for _ in range(12):
        add(desk_days[int(rng.integers(len(desk_days)))], str(rng.choice(sections)), "desk")
    ideas = pd.DataFrame(rows, columns=["date", "section", "channel", "course_id", "status"])
    ideas = ideas.sort_values("date", kind="mergesort").reset_index(drop=True)
    return ideas, pd.DataFrame({"section": sections})


def ideas_truth(seed: int = DEFAULT_SEED) -> dict:
    """What ideas.csv holds: ideas per channel, sections visited and reached, statuses."""
    ideas, sections = simulate_ideas(seed)
    visits = ideas[ideas["channel"] == IDEA_CHANNELS["visit"]]
    return {
        "n_ideas": len(ideas),
        "by_channel": {ch: int((ideas["channel"] == ch).sum()) for ch in IDEA_CHANNELS.values()},
        "n_sections": len(sections),
        "n_sections_visited": len(sections) - 1,
        "n_sections_reached_by_visits": int(visits["section"].nunique()),
        "n_sections_reached": int(ideas["section"].nunique()),
        "n_implemented": int((ideas["status"] == "実施").sum()),
        "board_course": "C2024-03",
        "visit_period": [d.isoformat() for d in _VISITS],
    }


def _csv_text(frame: pd.DataFrame) -> str:
    buf = io.StringIO(newline="")
    frame.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


# ------------------------------------------------------------------------ generate


def _courses_csv() -> str:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(_COURSE_COLUMNS)
    for c in COURSES:
        w.writerow([c[k] for k in _COURSE_COLUMNS])
    return buf.getvalue()


def generate(out_dir: str | Path, *, seed: int = DEFAULT_SEED) -> dict:
    """Write the demo study (survey.yaml, coding_rules.txt, courses.csv, raw/, README.md, truth.json, and
    the ideas register ideas.csv with sections.csv: :func:`simulate_ideas`, :func:`ideas_truth`).

    Parameters
    ----------
    out_dir : path
        Study folder to write (created if needed; files of the same names are
        replaced, nothing else is touched).
    seed : int
        Random seed; the same seed writes the same bytes.

    Returns
    -------
    dict
        The truth (also written as ``truth.json``): ``seed``; ``sources`` (per raw
        file: ``rows`` written below the header, blank rows and footers included,
        ``kept``, and the dropped counts ``empty_submission``,
        ``duplicate_submission``, ``excluded``); ``courses`` (per course: invited,
        kept per wave, response rates, ``matched`` pre/post pairs after dedup, and
        pre/followup and then/post pairs); ``dirty_cells`` (file, row as the reader
        reports it, record, column as written, item, value, problem);
        ``pii`` (comments with personal data); ``planted_effects`` and
        ``expected_changes``; ``totals``.
    """
    out = Path(out_dir)
    (out / "raw").mkdir(parents=True, exist_ok=True)
    sim = simulate(seed)
    cb = _codebook()
    subs = sim["submissions"]
    rng = np.random.default_rng([int(seed), 1])
    sources, dirty, pii = [], [], []
    for c in COURSES:
        shared_written = None
        for wave, (kind, file) in c["sources"].items():
            group = [s for s in subs if s["course_id"] == c["course_id"] and s["wave"] == wave]
            path = out / file
            if kind == "gf_shared":
                if shared_written is None:
                    shared_written = _write_shared_google(
                        [s for s in subs if s["course_id"] == c["course_id"]], c, cb, rng, path)
                written = shared_written
            elif kind in ("gf_download", "gf_sheet"):
                extras = {}
                if (c["course_id"], wave) == ("C2024-02", "pre"):
                    extras["blank_row_after"] = 17
                if (c["course_id"], wave) == ("C2024-02", "post"):
                    extras["timestamp_only_after"] = 9
                written = _write_google(group, c, wave, kind, cb, rng, path, extras)
            elif kind == "logo":
                written = _write_logo(group, c, wave, cb, rng, path)
            elif kind == "msforms":
                written = _write_msforms(group, c, wave, cb, rng, path)
            else:
                written = _write_paper(group, c, wave, cb, rng, path)
            counts, d, p = _source_truth(file, kind, c, wave, written)
            sources.append(counts)
            dirty += d
            pii += p
    for problem in {d["problem"] for d in dirty}:
        if problem not in PROBLEMS:
            raise RuntimeError(f"planted problem {problem!r} is not in schema.PROBLEMS")
    courses = _matched(subs)
    totals = {k: int(sum(s[k] for s in sources))
              for k in ("rows", "kept", "empty_submission", "duplicate_submission", "excluded")}
    truth = {
        "seed": int(seed),
        "totals": totals,
        "sources": sources,
        "courses": courses,
        "dirty_cells": dirty,
        "pii": pii,
        "planted_effects": PLANTED_EFFECTS,
        "comment_themes": _theme_truth(subs),
        "expected_changes": expected_changes().to_dict(orient="records"),
    }
    (out / "survey.yaml").write_bytes(_survey_text().encode("utf-8"))
    (out / "coding_rules.txt").write_bytes(CODING_RULES.encode("utf-8"))
    (out / "courses.csv").write_bytes(_courses_csv().encode("utf-8"))
    (out / "truth.json").write_bytes((json.dumps(truth, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    ideas, sections = simulate_ideas(seed)
    (out / "ideas.csv").write_bytes(_csv_text(ideas).encode("utf-8"))
    (out / "sections.csv").write_bytes(_csv_text(sections).encode("utf-8"))
    (out / "README.md").write_bytes(_readme(truth).encode("utf-8"))
    return truth


def _theme_truth(subs: list[dict]) -> list[dict]:
    """Each planted theme with the number of kept comments that carry it, in and out of its group."""
    out = []
    for th in COMMENT_THEMES:
        mine = [s for s in subs if s["status"] == "kept" and s["text"] in th["texts"]]
        out.append({"theme": th["theme"], "where": th["where"], "wave": th["wave"],
                    "audience": th["audience"], "format": th["format"], "style": th["style"],
                    "courses": list(th.get("courses", ())), "share": th["share"],
                    "texts": th["texts"], "n_comments": len(mine)})
    return out


# ------------------------------------------------------------------------- README


def _md_table(df: pd.DataFrame, signed: tuple[str, ...] = ()) -> str:
    """A Markdown table; float columns in ``signed`` carry a sign (+0.50)."""
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in df.itertuples(index=False):
        cells = []
        for col, v in zip(cols, row):
            if isinstance(v, float):
                cells.append(f"{v:+.2f}" if col in signed and abs(v) < 3 else f"{v:.2f}")
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _readme(truth: dict) -> str:
    eff = planted_effects()
    courses = pd.DataFrame(COURSES)[list(_COURSE_COLUMNS)]
    src = pd.DataFrame(truth["sources"])[["file", "course_id", "wave", "kind", "rows", "kept",
                                          "empty_submission", "duplicate_submission", "excluded"]]
    ec = expected_changes()
    post = ec[ec["wave_b"] == "post"].pivot_table(index=["course_id", "audience"], columns="construct",
                                                 values="expected", sort=False).reset_index()
    post = post[["course_id", "audience", *CONSTRUCTS]]
    link = pd.DataFrame([{"course_id": k, "invited": v["invited"], "keyed": v["keyed"],
                          **{f"kept_{w}": v["kept"].get(w, "") for w in ("pre", "post", "followup", "then")},
                          "matched_pre_post": v["matched"]} for k, v in truth["courses"].items()])
    themes = pd.DataFrame([{"theme": th["theme"], "where": th["where"], "share": th["share"],
                            "n_comments": th["n_comments"]} for th in truth["comment_themes"]])
    t = truth["totals"]
    return f"""# デモ市のDX研修（合成データ） — demo study

Synthetic but realistic: a city hall of about 260 staff in 50 sections, eight DX trainings in
FY2024–FY2025, questionnaires before (pre), right after (post), three months later (followup),
and one retrospective pre-test (then).  **Every number here is invented**; the effects below are
planted so that tests can check that dxsurvey recovers them.

This folder is generated; do not edit it by hand.  Regenerate (same seed, same bytes):

```
python -m dxsurvey.demo data/demo --seed {truth['seed']}
```

Files: `survey.yaml` (codebook), `courses.csv`, `raw/` (the exports), `coding_rules.txt` (KH Coder
coding rules for the free-text report, one code per planted comment theme plus 電子化), `truth.json`
(what the generator knows: counts, dirty cells, planted effects), this README.

## Planted effects

The model: each participant has a latent level per construct (mean 2.7–2.9 on the 1–5 scale);
post = pre + gain + noise, where the **gain** of a construct in a course is the sum of the `gain`
rows below that apply to the course (`factor` = `level`; `all` applies everywhere).  Every answer is
`round(latent + item noise)` clipped to 1..5, and a reverse item (`reverse: true`) is answered
`6 - that`.  So **effect = expected pre→post change of the construct mean (reverse items
reverse-coded), in scale points**, for the courses or audiences named; compare it with a reported
mean difference (post − pre) and its CI.  Clipping at 5 attenuates large changes slightly.
`stop_work` is a **planted null**: no course moves it.

{_md_table(eff, signed=("effect",))}

Expected pre→post change per course and audience (sum of the gain rows):

{_md_table(post, signed=CONSTRUCTS)}

Followup changes are {RETENTION:.2f} × these; `then − pre` is the response shift (C2025-02).
`skill` (デジタル活用スキル) and `usefulness` have no planted change or factor effect.

## Courses

{_md_table(courses)}

The instructor 元自治体幹部 taught in person (C2024-01) and online (C2025-01), and ベンダー
taught an online lecture and an in-person workshop, so instructor, format and style effects are
separable, and managers were taught by both external instructors.  C2024-04 is anonymous
(no 回答者コード): independent samples.

## Sources and expected validation counts

`rows` counts the records below the header as the reader sees them (blank rows and the paper
footer `回収数 | N枚` included).  `kept` = rows − dropped.  Totals: {t['rows']} rows, {t['kept']} kept,
{t['empty_submission']} empty, {t['duplicate_submission']} duplicates, {t['excluded']} excluded.

{_md_table(src)}

{_md_table(link)}

## Planted dirt

- Google Forms download CSVs (`*_google.csv`): every field quoted, `2024/06/13 2:12:54 午後 GMT+9`;
  sheet CSVs (`*_google_sheet.csv`): CRLF, `2024/10/11 8:55:06`, codes as numbers (`93`);
  construct questions as a grid `質問 [行]`; checkboxes joined by `, ` (an option contains `, `).
- A shared form (`{_SHARED_FORM.removeprefix("raw/")}`): one Google Sheet holds both waves of
  C2025-04; the course title is the column 研修名 and the wave the column 回答時点
  (研修前/研修後).  survey.yaml reads them with `role: course` and `role: wave` (`map:`), so its
  source line has no `course:` or `wave:`; a question one wave did not ask is blank in the other.
- Microsoft Forms xlsx: system columns, anonymous, column order shuffled, headers with a
  newline, U+3000 and U+00A0; multi answers `;`-separated with a trailing `;`.
- LoGoフォーム CSV: CP932, CRLF, newest first, quoted line breaks, 髙/﨑/①, labels
  とてもそう思う / 全くそう思わない.
- Paper Excel (`fy2024_c03_post_paper.xlsx`, sheet 事後): title rows, a two-row merged
  header (`header_rows: [3, 4]`), a scale printed the other way (1 = そう思う; see `agree5`),
  codes typed as numbers (`93`) and full width (`０４２１`), `４`, `3 `, `無回答`, `-`,
  `2・3`, out-of-range `6`/`0`, roles 主事/一般/一般職員/課長/管理職, blank rows, a blank
  sheet and the footer.
- Duplicates (C2024-01 pre, C2025-02 post, C2024-03 followup: the later timestamp wins; the
  LoGo file lists the later one first), a test submission `0000` (C2025-01 pre), a blank code
  and an unknown role (C2025-01 post), unknown labels, a few skipped questions, and
  comments with e-mail addresses, phone numbers, a staff number and names (masked by ingest).
  Each dirty cell is listed in `truth.json` (`dirty_cells`, `pii`).

## Planted comment themes

In the group named, a comment (about a third of submissions have one) is replaced with
probability `share` by one of the theme's sentences; a free-text analysis should show the theme's
word among the most distinctive words of that group.  `n_comments` counts the kept comments that
carry the theme (`truth.json`, `comment_themes`).

{_md_table(themes)}

{_ideas_readme(truth['seed'])}
"""


def _ideas_readme(seed: int) -> str:
    it = ideas_truth(seed)
    ch = pd.DataFrame([{"channel": k, "ideas": v} for k, v in it["by_channel"].items()])
    return f"""## Ideas register (`ideas.csv`, `sections.csv`)

`sections.csv` lists the city's {it['n_sections']} sections (課).  `ideas.csv` has one row per improvement
idea the DX team received (date, section, channel, course_id, status).  The story: after the
FY2024 BPR training ({it['board_course']}) a call for ideas on the bulletin board (掲示板) brought
{it['by_channel']['掲示板']}; the DX team then visited the other {it['n_sections_visited']} sections \
({it['visit_period'][0]} to {it['visit_period'][1]}, 課への訪問) and collected {it['by_channel']['課への訪問']} ideas \
from {it['n_sections_reached_by_visits']} of them.  Post-course questionnaires (研修後アンケート, with the
course_id) and the consultation desk (相談窓口) add a few.  In all {it['n_ideas']} ideas from \
{it['n_sections_reached']} of {it['n_sections']} sections; {it['n_implemented']} are implemented (実施).
Drawn from their own random stream: the other demo files do not depend on them.

{_md_table(ch)}"""


# ---------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    """``python -m dxsurvey.demo OUT_DIR [--seed N]``: write the demo study."""
    parser = argparse.ArgumentParser(prog="python -m dxsurvey.demo",
                                     description="Write the synthetic demo study (planted effects).")
    parser.add_argument("out_dir", help="study folder to write, e.g. data/demo")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    truth = generate(args.out_dir, seed=args.seed)
    t = truth["totals"]
    print(f"wrote {args.out_dir}: {len(truth['sources'])} sources, {t['rows']} rows, {t['kept']} kept "
          f"(empty {t['empty_submission']}, duplicate {t['duplicate_submission']}, excluded {t['excluded']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
