"""survey.yaml -> :class:`Codebook` (scales, items, constructs, sources, exclude rules).

Loading validates everything and raises :class:`CodebookError` naming the YAML path
of the problem (``items[3].scale``) and what to do about it.
"""
from __future__ import annotations

import codecs
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .schema import ITEM_TYPES, LEVELS, ROLES, SUBMISSIONS, WAVES

__all__ = [
    "CodebookError", "Scale", "Item", "Construct", "Source", "ExcludeRule",
    "RespondentKey", "Codebook", "load_codebook", "load_courses", "COURSE_COLUMNS",
    "DEFAULT_VOCABULARIES", "Vocabulary", "split_instructors", "course_instructors", "is_bipolar",
]

COURSE_COLUMNS = (
    "course_id", "title", "fiscal_year", "date", "audience", "instructor",
    "instructor_type", "format", "style", "hours", "invited",
)
COURSE_VALUES = {
    "audience": ("manager", "staff", "all"),
    "instructor_type": ("external", "internal"),
    "format": ("in_person", "online", "hybrid"),
    "style": ("lecture", "workshop"),
}
FORMATS = ("google_forms", "ms_forms", "csv", "xlsx")

#: Default codes and display labels (ja, en) of the open vocabularies; survey.yaml's
#: ``audiences:``, ``formats:`` and ``styles:`` replace them.
DEFAULT_VOCABULARIES = {
    "audiences": {"manager": ("管理職", "managers"), "staff": ("一般職員", "staff")},
    "formats": {"in_person": ("対面", "in person"), "online": ("オンライン", "online"),
                "hybrid": ("ハイブリッド", "hybrid")},
    "styles": {"lecture": ("講義", "lecture"), "workshop": ("ワークショップ", "workshop")},
}
#: courses.csv column -> vocabulary that defines its values.
COURSE_VOCABULARY = {"audience": "audiences", "format": "formats", "style": "styles"}
#: What separates the names of a co-taught course's instructors in courses.csv.
INSTRUCTOR_SEP = re.compile(r"\s*[;；・]\s*")


#: Japanese wording of the codebook's messages (English is the wording in the code).  Each
#: entry: a regular expression matching an English message (after the file and YAML path),
#: and its Japanese template with the same named groups.  A test checks that every message
#: the tests provoke has a Japanese wording.
_JA = [
    (r"unknown key\.(?P<hint>.*?)(?: Allowed: (?P<allowed>.+)\.)?", "不明なキーです。{hint}{allowed}"),
    (r"a scale needs `levels:` \(value: \[labels\]\)\.", "尺度には `levels:`（値: [選択肢の文言]）が必要です。"),
    (r"must map each value to its labels, e\.g\. (?P<ex>.+)\.", "値ごとに選択肢の文言を書いてください（例: {ex}）。"),
    (r"value (?P<v>.+) is not a whole number\.", "値 {v} は整数ではありません。"),
    (r"label (?P<lab>.+) is given for both (?P<a>\S+) and (?P<b>\S+)\.", "選択肢 {lab} が {a} と {b} の両方に書かれています。"),
    (r"a scale needs at least two levels\.", "尺度には2つ以上の値が必要です。"),
    (r"missing `id` \(a short name such as q1\)\.", "`id`（q1 のような短い名前）がありません。"),
    (r"give either `column:` \(one question\) or `columns:` \(one header per wave\), not both\.",
     "`column:`（1つの設問）と `columns:`（時点ごとの列名）のどちらか一方だけを書いてください。"),
    (r"must map each wave to its header, e\.g\. (?P<ex>.+)\.", "時点ごとに列名を書いてください（例: {ex}）。"),
    (r"(?P<v>.+) is not one of (?P<allowed>.+?)\.(?P<hint>.*)", "{v} は {allowed} のいずれでもありません。{hint}"),
    (r"give the header of this wave's column\.", "この時点の列名を書いてください。"),
    (r"missing `column` \(the question's header text in the export\)\.",
     "`column`（書き出したファイルでの設問の見出し）がありません。"),
    (r"(?P<id>.+) is a column of the submissions table; a category item becomes a column there too\. "
     r"Use another id \(not one of (?P<cols>.+)\)\.",
     "{id} は回答表（submissions）の列名です。区分の設問もその表の列になるため、別の id にしてください（{cols} 以外）。"),
    (r"a scale item needs `scale:` naming one of `scales`\.", "尺度の設問には `scales` のいずれかを指す `scale:` が必要です。"),
    (r"unknown scale (?P<s>.+?)\.(?P<hint>.*?)(?: Defined scales: (?P<defined>.+)\.)?",
     "尺度 {s} は定義されていません。{hint}{defined}"),
    (r"the (?P<r>\w+) item \(`role: \w+`\) must be `type: category`\.",
     "`role: {r}` の設問は `type: category` にしてください。"),
    (r"must map written labels to codes, e\.g\. (?P<ex>.+)\.", "書かれた値からコードへの対応を書いてください（例: {ex}）。"),
    (r"`role: (?P<r>\w+)` codes must be one of (?P<allowed>.+), not (?P<v>.+)\.",
     "`role: {r}` のコードは {allowed} のいずれかです（{v} は使えません）。"),
    (r"`role: wave` needs `map:` from the written values to waves, e\.g\. (?P<ex>.+)\.",
     "`role: wave` には書かれた値から時点への `map:` が必要です（例: {ex}）。"),
    (r"`columns:` is for questions answered once per wave \(scale, multi, text items\)\.",
     "`columns:` は時点ごとに答える設問（尺度・複数選択・自由記述）に使います。"),
    (r"a multi item needs `options:` \(a list of labels, or codes -> labels\)\.",
     "複数選択の設問には `options:`（選択肢の一覧、またはコード: 選択肢）が必要です。"),
    (r"wave (?P<w>.+) has no header in `columns:`\.", "時点 {w} の列名が `columns:` にありません。"),
    (r"must be true or false\.", "true か false で指定してください。"),
    (r"must map each code to its labels, e\.g\. (?P<ex>.+)\.", "コードごとに表示名を書いてください（例: {ex}）。"),
    (r"a code is blank\.", "空のコードがあります。"),
    (r"give the labels as `\{ja: \.\.\., en: \.\.\.\}` \(or one label for both\)\.",
     "表示名は `{{ja: ..., en: ...}}`（または両言語共通の1つ）で書いてください。"),
    (r"`all` is reserved: in courses\.csv it means a course for everyone\.",
     "`all` は予約語です（courses.csv で全員向けの講座を表します）。"),
    (r"(?P<k>.+) names both (?P<a>.+) and (?P<b>.+)\.", "{k} が {a} と {b} の両方を指しています。"),
    (r"required key is missing\.", "必須のキーがありません。"),
    (r"must map scale names to `\{levels: \.\.\.\}`\.", "尺度名ごとに `{{levels: ...}}` を書いてください。"),
    (r"must be a non-empty list\.", "空でないリストにしてください。"),
    (r"duplicate id (?P<id>.+); every item id must be unique\.", "id {id} が重複しています。設問の id は一意にしてください。"),
    (r"only one item may have `role: (?P<r>\w+)`\.", "`role: {r}` を持てる設問は1つだけです。"),
    (r"must map construct ids to `\{label: \.\.\., items: \[ids\]\}`\.",
     "尺度（constructs）ごとに `{{label: ..., items: [id]}}` を書いてください。"),
    (r"needs `items: \[ids\]` \(and a `label`\)\.", "`items: [id]`（と `label`）が必要です。"),
    (r"item (?P<m>.+) is not defined in `items`\.(?P<hint>.*)", "設問 {m} は `items` に定義されていません。{hint}"),
    (r"item (?P<m>.+) is a (?P<t>\w+) item; constructs take scale items\.",
     "設問 {m} は {t} の設問です。尺度（constructs）には尺度の設問だけを入れてください。"),
    (r"construct id (?P<c>.+) is also an item id; use distinct ids\.",
     "尺度の id {c} が設問の id と同じです。別の id にしてください。"),
    (r"needs `column:` \(the header of the respondent code\)\.", "`column:`（回答者コードの列名）が必要です。"),
    (r"must be a positive whole number\.", "正の整数で指定してください。"),
    (r"must be 0 or 1 \(characters allowed to differ\)\.", "0 か 1（違ってよい文字数）で指定してください。"),
    (r"must be a non-empty list of `\{file, course, wave\}`\.", "`{{file, course, wave}}` の空でないリストにしてください。"),
    (r"each source must be a mapping `\{file, course, wave\}`\.", "各ファイルは `{{file, course, wave}}` の形で書いてください。"),
    (r"each item must be a mapping like (?P<ex>.+)\.", "各設問は {ex} の形で書いてください。"),
    (r"missing `file`\.", "`file` がありません。"),
    (r"missing `course` \(or an item with `role: course` naming each row's course\)\.",
     "`course` がありません（または行ごとの講座を示す `role: course` の設問を定義してください）。"),
    (r"give either `wave:` \(one wave per row\) or `waves:` \(several waves in one row\)\.",
     "`wave:`（1行1時点）と `waves:`（1行に複数時点）のどちらか一方だけを書いてください。"),
    (r"missing `wave` \(or `waves:`, or an item with `role: wave`\)\.",
     "`wave` がありません（`waves:` か、`role: wave` の設問でも指定できます）。"),
    (r"list each wave the rows hold once, e\.g\. `\[then, followup\]`\.",
     "行に含まれる時点を1回ずつ並べてください（例: `[then, followup]`）。"),
    (r"item (?P<id>.+) has one column but this source holds waves (?P<w>.+) in one row: give it "
     r"`columns: (?P<ex>.+)`, or `waves:` naming the one wave it belongs to\.",
     "設問 {id} の列は1つですが、このファイルは1行に時点 {w} を含みます。設問に `columns: {ex}` を書くか、"
     "`waves:` で属する時点を1つ指定してください。"),
    (r"must map a column to the values of the rows to keep, e\.g\. (?P<ex>.+)\.",
     "列名と、残す行の値を書いてください（例: {ex}）。"),
    (r"list the values of the rows to keep\.", "残す行の値を並べてください。"),
    (r"course (?P<c>.+) is not in courses\.csv\.(?P<hint>.*)", "講座 {c} は courses.csv にありません。{hint}"),
    (r"file (?P<f>.+) not found in (?P<root>.+)\.", "ファイル {f} が {root} にありません。"),
    (r"(?P<v>.+): give the Excel row numbers \(1, 2, \.\.\.\) of the header, e\.g\. \[3, 4\]\.",
     "{v}: 見出しの Excel の行番号（1, 2, ...）を書いてください（例: [3, 4]）。"),
    (r"(?P<v>.+): give one sheet name \(text\) or number \(0 = the first\)\.",
     "{v}: シート名（文字）か番号（0 = 最初のシート）を1つ書いてください。"),
    (r"(?P<v>.+) is not a known encoding; use utf-8, utf-8-sig or cp932 \(or leave it out to detect it\)\.",
     "{v} は文字コードとして使えません。utf-8、utf-8-sig、cp932 のいずれか（省略すると自動判定）にしてください。"),
    (r"must map a scale to the scale to read it with in this file, e\.g\. (?P<ex>.+)\.",
     "尺度と、このファイルで読むときの尺度を書いてください（例: {ex}）。"),
    (r"(?P<alt>.+) must have the same values as (?P<base>.+) \((?P<vals>.+)\)\.",
     "{alt} は {base} と同じ値（{vals}）を持つ必要があります。"),
    (r"needs `column` and `values` \(and a `reason`\)\.", "`column` と `values`（と `reason`）が必要です。"),
    (r"must be true \(drop careless submissions\) or false \(flag them only\)\.",
     "true（不注意回答を除外）か false（印を付けるだけ）で指定してください。"),
    (r"(?P<f>.+) is outside the study folder (?P<root>.+) \(symbolic links followed\); a source must be a "
     r"file of the study: copy the export into raw/\.",
     "{f} は調査フォルダ {root} の外にあります（シンボリックリンクもたどって判定）。書き出しファイルを調査フォルダの raw/ にコピーしてください。"),
    # whole messages of files (no YAML path)
    (r"courses\.csv not found\. A study folder needs survey\.yaml, courses\.csv and raw/ \(see `dxsurvey init`\)\.",
     "courses.csv がありません。調査フォルダには survey.yaml、courses.csv、raw/ が必要です（`dxsurvey init` を参照）。"),
    (r"column (?P<c>.+) is missing; present: (?P<present>.*)\.", "列 {c} がありません（ある列: {present}）。"),
    (r"survey\.yaml not found\. Create a study with `dxsurvey init DIR`\.",
     "survey.yaml がありません。`dxsurvey init フォルダ` で調査フォルダを作成できます。"),
    (r"not valid YAML: (?P<e>.+)", "YAML として読めません: {e}"),
    (r"survey\.yaml must be saved as UTF-8\.", "survey.yaml は UTF-8 で保存してください。"),
    (r"expected a mapping with survey, scales, items, sources\.", "survey, scales, items, sources を持つ形で書いてください。"),
]
#: Pieces inside messages (hints, courses.csv lines).
_JA_PARTS = [
    (r" ?Did you mean: (?P<m>.+?)\?", "（もしかして: {m}）"),
    (r"row (?P<r>\d+), column (?P<c>\w+): (?P<v>.+?) is not one of (?P<allowed>.+) \(leave blank if unknown\)\.",
     "{r}行目、列 {c}: {v} は {allowed} のいずれでもありません（不明なら空欄に）。"),
    (r"row (?P<r>\d+): course_id is blank\.", "{r}行目: course_id が空欄です。"),
    (r"course_id (?P<c>.+) appears twice \(rows (?P<rows>.+)\); a co-taught course is one row with its "
     r"instructors separated by `;` or `・`\.",
     "course_id {c} が2回あります（{rows}行目）。共同担当の講座は1行にし、講師を `;` か `・` で区切ってください。"),
    (r"(?P<n>\d+) problems:", "{n} 件の誤り:"),
    (r"row (?P<r>\d+), column (?P<c>\w+): (?P<v>.+?) is not a year \(write it in digits, e\.g\. (?P<ex>[\d.]+)\)"
     r"; fix courses\.csv, or leave the cell blank when it is unknown\.",
     "{r}行目、列 {c}: {v} は年度として読めません（{ex} のように数字で書いてください）。不明なら空欄にしてください。"),
    (r"row (?P<r>\d+), column (?P<c>\w+): (?P<v>.+?) is not a (?:whole )?number \(write it in digits, "
     r"e\.g\. (?P<ex>[\d.]+)\); fix courses\.csv, or leave the cell blank when it is unknown\.",
     "{r}行目、列 {c}: {v} は数値として読めません（{ex} のように数字で書いてください）。不明なら空欄にしてください。"),
    (r"row (?P<r>\d+), column date: (?P<v>.+?) is not a date \(write it as e\.g\. 2024-06-13\); fix courses\.csv, "
     r"or leave the cell blank when it is unknown\.",
     "{r}行目、列 date: {v} は日付として読めません（例: 2024-06-13）。不明なら空欄にしてください。"),
]


def _ja_detail(detail: str) -> str | None:
    """The Japanese wording of one English message (None when the catalogue has none)."""
    def parts(text: str) -> str:
        for pattern, template in _JA_PARTS:
            text = re.sub(pattern, lambda m, t=template: t.format(**{k: v or "" for k, v in m.groupdict().items()}),
                          text)
        return text

    lines = detail.split("\n")
    head = lines[0]
    for pattern, template in _JA:
        m = re.fullmatch(pattern, head, flags=re.S)
        if m:
            groups = {k: parts(v or "").strip() for k, v in m.groupdict().items()}
            if groups.get("allowed") and template.startswith("不明なキー"):
                groups["allowed"] = f" 使えるキー: {groups['allowed']}。"
            if groups.get("defined"):
                groups["defined"] = f" 定義済みの尺度: {groups['defined']}。"
            return "\n".join([template.format(**groups), *map(parts, lines[1:])])
    translated = parts(detail)
    return translated if translated != detail else None


class CodebookError(ValueError):
    """survey.yaml or courses.csv is wrong; the message names the place and the fix.

    ``str(error)`` is English; :meth:`text` gives the message in a report language
    (the command line shows it in ``--lang``, Japanese by default).
    """

    def __init__(self, message: str, *, where: str = "", detail: str | None = None):
        super().__init__(message)
        self.where = where
        self.detail = detail if detail is not None else message

    def text(self, lang: str = "ja") -> str:
        """The message in ``lang`` (ja or en); the file, row and YAML path stay as they are."""
        if lang != "ja":
            return str(self)
        detail = self.detail
        where = self.where
        if not where and ": " in detail:      # "path/courses.csv: the message"
            head, rest = detail.split(": ", 1)
            if head.endswith((".csv", ".yaml", ".yml")):
                where, detail = head + ": ", rest
        ja = _ja_detail(detail)
        return f"{where}{ja}" if ja is not None else str(self)


def _norm(value: Any) -> str:
    """NFKC + strip + collapse whitespace (the same rule readers apply to headers)."""
    text = unicodedata.normalize("NFKC", str(value))
    return " ".join(text.split())


def _fold(value: Any) -> str:
    """The matching key of a label: NFKC, whitespace collapsed, case folded."""
    return _norm(value).casefold()


@dataclass(frozen=True)
class Vocabulary:
    """Codes of one open vocabulary (audiences, formats, styles) and their labels.

    >>> v = Vocabulary("formats", {"in_person": ("対面", "in person")})
    >>> v.match(" 対面 "), v.match("In Person"), v.match("in_person"), v.match("zoom")
    ('in_person', 'in_person', 'in_person', None)
    """

    name: str
    labels: dict[str, tuple[str, str]]          # code -> (ja label, en label)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def label(self, code: str, lang: str = "ja") -> str:
        ja, en = self.labels.get(code, (code, code))
        return en if lang == "en" else ja

    def match(self, value: Any) -> str | None:
        """The code a written value means (a code, or a label in ja or en; case and width ignored)."""
        if pd.isna(value):
            return None
        key = _fold(value)
        for code, (ja, en) in self.labels.items():
            if key in (_fold(code), _fold(ja), _fold(en)):
                return code
        return None


def split_instructors(value: Any) -> list[str]:
    """The instructors of a courses.csv ``instructor`` cell (``;`` or ``・`` between names).

    >>> split_instructors("山田 太郎; 佐藤"), split_instructors("山田・佐藤"), split_instructors(None)
    (['山田 太郎', '佐藤'], ['山田', '佐藤'], [])
    """
    if pd.isna(value) or not str(value).strip():
        return []
    return [n for n in INSTRUCTOR_SEP.split(_norm(value)) if n]


def course_instructors(courses: pd.DataFrame) -> pd.DataFrame:
    """One row per course x instructor (a co-taught course counts once for each of them).

    Descriptive tables count courses per instructor from this; the models keep the
    combination (``A・B``) as a level of its own.
    """
    rows = [(c, name) for c, v in zip(courses["course_id"], courses["instructor"]) for name in split_instructors(v)]
    return pd.DataFrame(rows, columns=["course_id", "instructor"])


#: Words that strengthen a scale's end label (とてもそう思う, strongly agree): left out when the two
#: ends are compared by :func:`is_bipolar`.
_INTENSIFIER = re.compile(r"^(?:全く|まったく|とても|非常に|大変|たいへん|かなり|すごく|強く|ぜんぜん|全然|"
                          r"strongly|very|completely|totally|extremely|quite|not at all)\s*", re.IGNORECASE)
#: Middle labels that say "neither": an odd scale with one in its middle is bipolar.
_NEUTRAL = frozenset({"どちらともいえない", "どちらとも言えない", "どちらでもない", "普通", "ふつう",
                      "neutral", "neither agree nor disagree", "neither", "undecided"})


def _core(label: str) -> str:
    s = unicodedata.normalize("NFKC", str(label)).strip().casefold()
    while True:
        t = _INTENSIFIER.sub("", s).strip()
        if t == s:
            return s
        s = t


def is_bipolar(labels) -> bool:
    """Whether a scale's labels (lowest level first) run between two opposites: agree/disagree,
    satisfied/dissatisfied, 役立つ/役立たない, 満足/不満, or an odd scale with a "neither" middle.

    A frequency (全くない .. いつも, never .. always), a knowledge level (知らない .. 説明できる) or a
    numbered linear scale is not: its bars are stacked from 0, not centred.

    >>> is_bipolar(["そう思わない", "あまりそう思わない", "どちらともいえない", "ややそう思う", "そう思う"])
    True
    >>> is_bipolar(["不満", "やや不満", "やや満足", "満足"]), is_bipolar(["Strongly disagree", "Agree"])
    (True, True)
    >>> is_bipolar(["Never", "Rarely", "Sometimes", "Often", "Always"]), is_bipolar(["知らない", "聞いたことがある", "説明できる"])
    (False, False)
    >>> is_bipolar(["1", "2", "3", "4", "5"])
    False
    """
    labels = [_core(x) for x in labels]
    if len(labels) < 2:
        return False
    if len(labels) % 2 and len(labels) >= 3 and labels[len(labels) // 2] in _NEUTRAL:
        return True
    low, high = labels[0], labels[-1]
    if not low or not high or low == high:
        return False
    if any(low == f"{neg}{high}" for neg in ("dis", "un", "in", "im", "not ", "not at all ")):
        return True
    if low[0] in "不非無" and set(low[1:]) & set(high):
        return True
    stem = high[:-1] if len(high) >= 2 else high
    return bool(re.search(r"[\u3040-\u9fff]", stem)) and low.startswith(stem) and low.endswith(
        ("ない", "なかった", "ません", "ず"))


@dataclass(frozen=True)
class Scale:
    """An ordered response scale: value -> labels that mean it.

    ``diverging`` (survey.yaml ``diverging: true/false``) says whether the scale runs between
    two opposites, so that its bars are drawn centred on the middle; None = decided from the
    labels (:func:`is_bipolar`)."""

    name: str
    levels: dict[int, tuple[str, ...]]
    missing: tuple[str, ...] = ()
    #: What the end points of a numbered scale mean (``anchors: {1: 苦手, 5: 得意}``), shown
    #: beside the number in legends and tables.
    anchors: dict[int, str] = field(default_factory=dict)
    diverging: bool | None = None

    @property
    def bipolar(self) -> bool:
        """Whether the scale's bars diverge from its middle (``diverging``, else :func:`is_bipolar`)."""
        if self.diverging is not None:
            return bool(self.diverging)
        return is_bipolar([self.label_of(v) for v in self.values])

    @property
    def min(self) -> int:
        return min(self.levels)

    @property
    def max(self) -> int:
        return max(self.levels)

    @property
    def values(self) -> list[int]:
        return sorted(self.levels)

    def label_of(self, value: int) -> str:
        """The first (canonical) label of a value, with its anchor when the scale has one
        (``1（苦手）``)."""
        label = self.levels[value][0]
        anchor = (getattr(self, "anchors", None) or {}).get(value)   # a study pickled before anchors existed
        return f"{label}（{anchor}）" if anchor and anchor != label else label

    @property
    def lookup(self) -> dict[str, int]:
        """Matching key (NFKC, spaces, case folded) -> value; also the value as a number ("3")."""
        out: dict[str, int] = {}
        for value, labels in self.levels.items():
            for label in labels:
                out[_fold(label)] = value
        for value in self.levels:
            out.setdefault(str(value), value)
        return out

    @property
    def missing_labels(self) -> frozenset[str]:
        return frozenset(_fold(m) for m in self.missing)


@dataclass(frozen=True)
class Item:
    """One question of the codebook."""

    id: str
    column: tuple[str, ...]
    type: str = "scale"                  # scale | category | multi | text
    scale: str | None = None
    reverse: bool = False
    level: str | None = None             # Kirkpatrick level
    role: str | None = None              # audience | course | wave | instructor | format | style
    map: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)   # code -> label (labels keyed by themselves)
    other: str | None = None
    waves: tuple[str, ...] | None = None
    label: str | None = None
    wave_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)   # `columns:` wave -> headers

    @property
    def display(self) -> str:
        return self.label or self.column[0]

    def in_wave(self, wave: str) -> bool:
        return self.waves is None or wave in self.waves

    def columns_for(self, wave: str | None) -> tuple[str, ...]:
        """The header alternatives of this item in ``wave`` (``columns:`` names one per wave)."""
        if self.wave_columns and wave in self.wave_columns:
            return self.wave_columns[wave]
        return self.column


@dataclass(frozen=True)
class Construct:
    id: str
    label: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    file: str
    course: str | None            # None: from the `role: course` item, row by row
    wave: str | None              # None: from `waves:` or the `role: wave` item
    waves: tuple[str, ...] | None = None   # several waves in one row (items give `columns:`)
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()   # row filter: column -> values kept
    sheet: str | int | None = None
    header_rows: tuple[int, ...] | None = None
    encoding: str | None = None
    format: str | None = None
    index: int = 0
    scales: dict[str, str] = field(default_factory=dict)   # scale -> scale to read it with here

    @property
    def row_waves(self) -> tuple[str | None, ...]:
        """The waves each row of this source gives (None: the `role: wave` column says)."""
        return self.waves or (self.wave,)

    def scale_for(self, scale: str) -> str:
        """The scale to decode ``scale`` items with in this source (paper forms may print it reversed)."""
        return self.scales.get(scale, scale)


@dataclass(frozen=True)
class ExcludeRule:
    column: str
    values: tuple[str, ...]
    reason: str = "excluded"


@dataclass(frozen=True)
class RespondentKey:
    column: tuple[str, ...]
    width: int | None = None
    fuzzy: int = 0
    generated: bool = False       # no key column: a source with `waves:` links its rows by row


@dataclass
class Codebook:
    """The parsed, validated survey.yaml."""

    survey: str
    root: Path
    language: str = "ja"
    respondent_key: RespondentKey | None = None
    scales: dict[str, Scale] = field(default_factory=dict)
    constructs: dict[str, Construct] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    exclude: list[ExcludeRule] = field(default_factory=list)
    min_cell: int = 5
    min_cell_text: int = 10
    timezone: str = "Asia/Tokyo"     # the run time on index.html is shown in this zone
    era: str = "western"             # dates on index.html: western (2026年) or reiwa (令和8年)
    #: KH Coder coding rules for the free-text report (``coding_rules:``), inside the study folder.
    coding_rules: Path | None = None
    vocabularies: dict[str, Vocabulary] = field(default_factory=dict)
    exclude_careless: bool = False

    def vocabulary(self, name: str) -> Vocabulary:
        """``audiences``, ``formats`` or ``styles`` (survey.yaml's, else the defaults)."""
        if name in self.vocabularies:
            return self.vocabularies[name]
        return Vocabulary(name, dict(DEFAULT_VOCABULARIES[name]))

    def role_item(self, role: str) -> Item | None:
        """The category item with ``role: <role>`` (at most one per role)."""
        return next((it for it in self.items if it.role == role), None)

    def item(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def items_of(self, type_: str) -> list[Item]:
        return [it for it in self.items if it.type == type_]

    @property
    def audience_item(self) -> Item | None:
        return self.role_item("audience")

    def construct_of(self, item_id: str) -> str | None:
        for c in self.constructs.values():
            if item_id in c.items:
                return c.id
        return None


def _err(path: str, msg: str, file: Path | None = None) -> CodebookError:
    where = f"{file}: " if file else ""
    return CodebookError(f"{where}{path}: {msg}", where=f"{where}{path}: ", detail=msg)


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _suggest(name: str, choices) -> str:
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=3)
    return f" Did you mean: {', '.join(close)}?" if close else ""


_TOP_KEYS = {"survey", "language", "respondent_key", "scales", "constructs", "items", "sources",
             "exclude", "min_cell", "min_cell_text", "title", "description", "audiences", "formats",
             "styles", "exclude_careless", "coding_rules", "timezone", "era"}
_ITEM_KEYS = {"id", "column", "columns", "type", "scale", "reverse", "level", "role", "map", "options",
              "other", "waves", "label"}
_SOURCE_KEYS = {"file", "course", "wave", "waves", "where", "sheet", "header_rows", "encoding", "format",
                "scales"}


def _check_mapping(spec: Any, path: str, allowed: set[str], what: str, yf: Path) -> None:
    """A YAML entry must be a mapping with only known keys (the first unknown one is named)."""
    if not isinstance(spec, dict):
        raise _err(path, what, yf)
    unknown = set(spec) - allowed
    if unknown:
        k = sorted(unknown)[0]
        raise _err(f"{path}.{k}", f"unknown key.{_suggest(k, allowed)} Allowed: {', '.join(sorted(allowed))}.", yf)


def _parse_scale(name: str, spec: Any, yf: Path) -> Scale:
    p = f"scales.{name}"
    if not isinstance(spec, dict) or "levels" not in spec:
        raise _err(p, "a scale needs `levels:` (value: [labels]).", yf)
    levels: dict[int, tuple[str, ...]] = {}
    raw_levels = spec["levels"]
    if not isinstance(raw_levels, dict) or not raw_levels:
        raise _err(f"{p}.levels", "must map each value to its labels, e.g. `1: [そう思わない]`.", yf)
    seen: dict[str, int] = {}
    for key, labels in raw_levels.items():
        try:
            value = int(key)
        except (TypeError, ValueError):
            raise _err(f"{p}.levels", f"value {key!r} is not a whole number.", yf) from None
        labs = tuple(str(x) for x in _as_list(labels))
        if not labs:
            labs = (str(value),)
        for lab in labs:
            n = _norm(lab)
            if n in seen and seen[n] != value:
                raise _err(f"{p}.levels", f"label {lab!r} is given for both {seen[n]} and {value}.", yf)
            seen[n] = value
        levels[value] = labs
    if len(levels) < 2:
        raise _err(f"{p}.levels", "a scale needs at least two levels.", yf)
    missing = tuple(str(x) for x in _as_list(spec.get("missing")))
    anchors = spec.get("anchors") or {}
    if not isinstance(anchors, dict):
        raise _err(f"{p}.anchors", "must map a value to what it means, e.g. `{1: 苦手, 5: 得意}`.", yf)
    try:
        anchors = {int(k): str(v) for k, v in anchors.items()}
    except (TypeError, ValueError):
        raise _err(f"{p}.anchors", f"keys must be values of the scale ({', '.join(map(str, levels))}).", yf) from None
    unknown = sorted(set(anchors) - set(levels))
    if unknown:
        raise _err(f"{p}.anchors", f"{unknown[0]} is not a value of the scale ({', '.join(map(str, levels))}).", yf)
    diverging = spec.get("diverging")
    if diverging is not None and not isinstance(diverging, bool):
        raise _err(f"{p}.diverging", "must be true or false.", yf)
    return Scale(name=name, levels=levels, missing=missing, diverging=diverging, anchors=anchors)


def _parse_item(i: int, spec: Any, scales: dict[str, Scale], yf: Path,
                vocab: dict[str, Vocabulary] | None = None) -> Item:
    p = f"items[{i}]"
    _check_mapping(spec, p, _ITEM_KEYS, "each item must be a mapping like `{id: q1, column: ..., scale: agree5}`.", yf)
    vocab = vocab or {name: Vocabulary(name, dict(v)) for name, v in DEFAULT_VOCABULARIES.items()}
    if spec.get("id") is None or not str(spec["id"]).strip():
        raise _err(f"{p}.id", "missing `id` (a short name such as q1).", yf)
    item_id = str(spec["id"]).strip()
    p = f"items[{i}] (id {item_id})"
    columns = tuple(str(c) for c in _as_list(spec.get("column")) if c is not None and str(c).strip())
    wave_columns: dict[str, tuple[str, ...]] = {}
    per_wave = spec.get("columns")
    if per_wave is not None:
        if columns:
            raise _err(p, "give either `column:` (one question) or `columns:` (one header per wave), not both.", yf)
        if not isinstance(per_wave, dict) or not per_wave:
            raise _err(f"{p}.columns", "must map each wave to its header, e.g. "
                                       "`{then: 研修前の状態, followup: 現在の状態}`.", yf)
        for w, heads in per_wave.items():
            if w not in WAVES:
                raise _err(f"{p}.columns", f"{w!r} is not one of {', '.join(WAVES)}.", yf)
            alts = tuple(str(c) for c in _as_list(heads) if c is not None and str(c).strip())
            if not alts:
                raise _err(f"{p}.columns.{w}", "give the header of this wave's column.", yf)
            wave_columns[str(w)] = alts
        columns = tuple(alts[0] for alts in wave_columns.values())
    if not columns:
        raise _err(p, "missing `column` (the question's header text in the export).", yf)
    type_ = spec.get("type", "scale")
    if type_ not in ITEM_TYPES:
        raise _err(f"{p}.type", f"{type_!r} is not one of {', '.join(ITEM_TYPES)}.", yf)
    if type_ == "category" and item_id in SUBMISSIONS:
        raise _err(f"{p}.id", f"{item_id!r} is a column of the submissions table; a category item becomes "
                              f"a column there too. Use another id (not one of {', '.join(SUBMISSIONS)}).", yf)
    scale = spec.get("scale")
    if type_ == "scale":
        if scale is None:
            raise _err(p, "a scale item needs `scale:` naming one of `scales`.", yf)
        if scale not in scales:
            raise _err(f"{p}.scale", f"unknown scale {scale!r}.{_suggest(scale, scales)} "
                                    f"Defined scales: {', '.join(scales) or 'none'}.", yf)
    level = spec.get("level")
    if level is not None and level not in LEVELS:
        raise _err(f"{p}.level", f"{level!r} is not one of {', '.join(LEVELS)}.", yf)
    role = spec.get("role")
    if role is not None and role not in ROLES:
        raise _err(f"{p}.role", f"{role!r} is not one of {', '.join(ROLES)}.{_suggest(role, ROLES)}", yf)
    if role is not None and type_ != "category":
        raise _err(f"{p}.role", f"the {role} item (`role: {role}`) must be `type: category`.", yf)
    mapping = spec.get("map") or {}
    if not isinstance(mapping, dict):
        raise _err(f"{p}.map", "must map written labels to codes, e.g. `{課長: manager}`.", yf)
    allowed = {"audience": vocab["audiences"].codes, "wave": WAVES,
               "format": vocab["formats"].codes, "style": vocab["styles"].codes}.get(role)
    if allowed is not None:
        bad = [v for v in mapping.values() if str(v) not in allowed]
        if bad:
            raise _err(f"{p}.map", f"`role: {role}` codes must be one of {', '.join(allowed)}, not {bad[0]!r}.", yf)
    if role == "wave" and not mapping:
        raise _err(f"{p}.map", "`role: wave` needs `map:` from the written values to waves, "
                               "e.g. `{事前: pre, 事後: post}`.", yf)
    if per_wave is not None and (role is not None or type_ == "category"):
        raise _err(f"{p}.columns", "`columns:` is for questions answered once per wave (scale, multi, text items).", yf)
    options_raw = spec.get("options")
    options: dict[str, str] = {}
    if type_ == "multi":
        if not options_raw:
            raise _err(p, "a multi item needs `options:` (a list of labels, or codes -> labels).", yf)
        if isinstance(options_raw, dict):
            options = {_norm(k): str(v) for k, v in options_raw.items()}
        else:
            options = {_norm(o): str(o) for o in _as_list(options_raw)}
    waves = spec.get("waves")
    if waves is not None:
        waves = tuple(_as_list(waves))
        for w in waves:
            if w not in WAVES:
                raise _err(f"{p}.waves", f"{w!r} is not one of {', '.join(WAVES)}.", yf)
            if wave_columns and w not in wave_columns:
                raise _err(f"{p}.waves", f"wave {w!r} has no header in `columns:`.", yf)
    elif wave_columns:
        waves = tuple(wave_columns)
    reverse = spec.get("reverse", False)
    if not isinstance(reverse, bool):
        raise _err(f"{p}.reverse", "must be true or false.", yf)
    return Item(
        id=item_id, column=columns, type=type_, scale=scale if type_ == "scale" else None,
        reverse=reverse, level=level, role=role,
        map={_fold(k): str(v) for k, v in mapping.items()}, options=options,
        other=spec.get("other"), waves=waves, label=spec.get("label"), wave_columns=wave_columns,
    )


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path``, symbolic links followed, is ``folder`` or below it."""
    target, base = Path(path).resolve(), Path(folder).resolve()
    return target == base or base in target.parents


def _parse_vocabulary(name: str, spec: Any, yf: Path) -> Vocabulary:
    """``audiences: {manager: {ja: 管理職, en: managers}, 主事: {en: junior staff}}`` (or a list of codes)."""
    if isinstance(spec, list):
        spec = {code: None for code in spec}
    if not isinstance(spec, dict) or not spec:
        raise _err(name, "must map each code to its labels, e.g. `{manager: {ja: 管理職, en: managers}}`.", yf)
    labels: dict[str, tuple[str, str]] = {}
    for code, lab in spec.items():
        code = _norm(code)
        if not code:
            raise _err(name, "a code is blank.", yf)
        if lab is None:
            ja = en = code
        elif isinstance(lab, str):
            ja = en = _norm(lab)
        elif isinstance(lab, dict) and set(lab) <= {"ja", "en"}:
            ja = _norm(lab.get("ja") or lab.get("en") or code)
            en = _norm(lab.get("en") or lab.get("ja") or code)
        else:
            raise _err(f"{name}.{code}", "give the labels as `{ja: ..., en: ...}` (or one label for both).", yf)
        if code == "all" and name == "audiences":
            raise _err(f"{name}.{code}", "`all` is reserved: in courses.csv it means a course for everyone.", yf)
        labels[code] = (ja, en)
    seen: dict[str, str] = {}
    for code, (ja, en) in labels.items():
        for key in {_fold(code), _fold(ja), _fold(en)}:
            if key in seen and seen[key] != code:
                raise _err(name, f"{key!r} names both {seen[key]!r} and {code!r}.", yf)
            seen[key] = code
    return Vocabulary(name, labels)


def load_courses(path: str | Path, vocabularies: dict[str, Vocabulary] | None = None) -> pd.DataFrame:
    """Read and check ``courses.csv``.  Only course_id and title are required.

    ``audience``, ``format`` and ``style`` accept a code or a label in either language
    of the study's vocabularies (``対面`` = ``in_person``) and are stored as codes;
    ``instructor`` may list the instructors of a co-taught course separated by ``;``
    or ``・`` (stored joined by ``・``).  Every wrong value is reported at once.
    """
    path = Path(path)
    if not path.exists():
        raise CodebookError(f"{path}: courses.csv not found. A study folder needs survey.yaml, "
                            "courses.csv and raw/ (see `dxsurvey init`).")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="cp932")
    df.columns = [_norm(c) for c in df.columns]
    for col in ("course_id", "title"):
        if col not in df.columns:
            raise CodebookError(f"{path}: column {col!r} is missing; present: {', '.join(df.columns)}.")
    df = df.apply(lambda s: s.map(lambda v: _norm(v) if v is not None else v))
    df = df.replace({"": pd.NA})
    for col in COURSE_COLUMNS:
        if col not in df.columns:
            df[col] = pd.NA
    vocab = {name: Vocabulary(name, dict(v)) for name, v in DEFAULT_VOCABULARIES.items()}
    vocab.update(vocabularies or {})
    problems = []
    for col in COURSE_VALUES:
        if col in COURSE_VOCABULARY:
            v = vocab[COURSE_VOCABULARY[col]]
            extra = ("all",) if col == "audience" else ()
            allowed = (*v.codes, *extra)
            codes = df[col].map(lambda x: x if x is pd.NA or x in extra else v.match(x))
            shown = ", ".join(f"{c} ({v.label(c, 'ja')}/{v.label(c, 'en')})" for c in v.codes)
            shown += ", all" if extra else ""
        else:
            allowed = COURSE_VALUES[col]
            codes = df[col].where(df[col].isin(allowed) | df[col].isna())
            shown = ", ".join(allowed)
        bad = df[col].notna() & codes.isna()
        for idx in df.index[bad]:
            problems.append(f"row {int(idx) + 2}, column {col}: {df.at[idx, col]!r} is not one of {shown} "
                            f"(leave blank if unknown).")
        df[col] = codes.where(~bad, df[col]).astype(object)
    df["instructor"] = df["instructor"].map(lambda v: "・".join(split_instructors(v)) or pd.NA)
    if df["course_id"].isna().any():
        for idx in df.index[df["course_id"].isna()]:
            problems.append(f"row {int(idx) + 2}: course_id is blank.")
    dup = df["course_id"][df["course_id"].duplicated() & df["course_id"].notna()]
    for cid in dict.fromkeys(dup):
        rows = ", ".join(str(int(i) + 2) for i in df.index[df["course_id"] == cid])
        problems.append(f"course_id {cid!r} appears twice (rows {rows}); a co-taught course is one row "
                        f"with its instructors separated by `;` or `・`.")
    problems += _course_value_problems(df)
    if problems:
        raise CodebookError(f"{path}: " + ("\n  ".join(problems) if len(problems) == 1
                                           else f"{len(problems)} problems:\n  " + "\n  ".join(problems)))
    for col in ("fiscal_year", "invited"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
    df["hours"] = pd.to_numeric(df["hours"], errors="coerce")
    return df


#: courses.csv columns that hold numbers: column -> (smallest, largest, whole number, example).
_COURSE_NUMBERS = {"fiscal_year": (1900, 2200, True, "2024"), "invited": (0, None, True, "40"),
                   "hours": (0, None, False, "2.5")}


def _course_value_problems(df: pd.DataFrame) -> list[str]:
    """Every fiscal_year, invited and hours is a number in range, every date a real date.

    A blank is unknown and fine; anything else that is not one (``二〇二四``,
    ``2024-13-45``) is a problem naming row, column and value (the caller names the file and
    reports all problems in one message): read as missing it would silently drop the course from what needs it.
    """
    from .readers import parse_timestamp

    bad = []
    for col, (low, high, whole, example) in _COURSE_NUMBERS.items():
        for index, value in df[col].dropna().items():
            number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
            if (pd.isna(number) or (whole and float(number) != int(number)) or number < low
                    or (high is not None and number > high)):
                what = "a year" if col == "fiscal_year" else "a whole number" if whole else "a number"
                bad.append(f"row {int(index) + 2}, column {col}: {value!r} is not {what} "
                           f"(write it in digits, e.g. {example})")
    for index, value in df["date"].dropna().items():
        if pd.isna(parse_timestamp(value)):
            bad.append(f"row {int(index) + 2}, column date: {value!r} is not a date "
                       "(write it as e.g. 2024-06-13)")
    return [f"{b}; fix courses.csv, or leave the cell blank when it is unknown." for b in bad]


def load_codebook(study: str | Path, *, check_files: bool = True) -> Codebook:
    """Load ``survey.yaml`` of a study folder (or the YAML path itself) and validate it.

    Parameters
    ----------
    study : path
        The study folder, or its survey.yaml.
    check_files : bool
        Also check that every source file exists.

    Raises
    ------
    CodebookError
        Naming the YAML path (``items[2].scale``) and what is wrong.
    """
    study = Path(study)
    yf = study if study.suffix in (".yaml", ".yml") else study / "survey.yaml"
    root = yf.parent
    if not yf.exists():
        raise CodebookError(f"{yf}: survey.yaml not found. Create a study with `dxsurvey init DIR`.")
    try:
        doc = yaml.safe_load(yf.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        raise CodebookError(f"{yf}: not valid YAML: {exc}") from None
    except UnicodeDecodeError:
        raise CodebookError(f"{yf}: survey.yaml must be saved as UTF-8.") from None
    if not isinstance(doc, dict):
        raise CodebookError(f"{yf}: expected a mapping with survey, scales, items, sources.")
    unknown = set(doc) - _TOP_KEYS
    if unknown:
        k = sorted(unknown)[0]
        raise _err(k, f"unknown key.{_suggest(k, _TOP_KEYS)}", yf)
    for key in ("survey", "items", "sources"):
        if key not in doc:
            raise _err(key, "required key is missing.", yf)
    language = doc.get("language", "ja")
    if language not in ("ja", "en"):
        raise _err("language", f"{language!r} is not one of ja, en.", yf)

    scales = {}
    raw_scales = doc.get("scales") or {}
    if not isinstance(raw_scales, dict):
        raise _err("scales", "must map scale names to `{levels: ...}`.", yf)
    for name, spec in raw_scales.items():
        scales[str(name)] = _parse_scale(str(name), spec, yf)

    vocabularies = {name: _parse_vocabulary(name, doc[name], yf) for name in DEFAULT_VOCABULARIES
                    if doc.get(name) is not None}
    vocab = {name: vocabularies.get(name) or Vocabulary(name, dict(v)) for name, v in DEFAULT_VOCABULARIES.items()}

    if not isinstance(doc["items"], list) or not doc["items"]:
        raise _err("items", "must be a non-empty list.", yf)
    items: list[Item] = []
    ids: set[str] = set()
    for i, spec in enumerate(doc["items"]):
        item = _parse_item(i, spec, scales, yf, vocab)
        if item.id in ids:
            raise _err(f"items[{i}].id", f"duplicate id {item.id!r}; every item id must be unique.", yf)
        ids.add(item.id)
        items.append(item)
    for role in ROLES:
        if sum(1 for it in items if it.role == role) > 1:
            raise _err("items", f"only one item may have `role: {role}`.", yf)
    roles = {it.role for it in items if it.role}

    constructs = {}
    raw_constructs = doc.get("constructs") or {}
    if not isinstance(raw_constructs, dict):
        raise _err("constructs", "must map construct ids to `{label: ..., items: [ids]}`.", yf)
    for cid, spec in raw_constructs.items():
        p = f"constructs.{cid}"
        if not isinstance(spec, dict) or not spec.get("items"):
            raise _err(p, "needs `items: [ids]` (and a `label`).", yf)
        members = tuple(str(x) for x in _as_list(spec["items"]))
        for m in members:
            if m not in ids:
                raise _err(f"{p}.items", f"item {m!r} is not defined in `items`.{_suggest(m, ids)}", yf)
            it = next(x for x in items if x.id == m)
            if it.type != "scale":
                raise _err(f"{p}.items", f"item {m!r} is a {it.type} item; constructs take scale items.", yf)
        cid = str(cid)
        if cid in ids:
            raise _err(p, f"construct id {cid!r} is also an item id; use distinct ids.", yf)
        constructs[cid] = Construct(id=cid, label=str(spec.get("label", cid)), items=members)

    key = None
    rk = doc.get("respondent_key")
    if rk:
        if not isinstance(rk, dict) or "column" not in rk:
            raise _err("respondent_key", "needs `column:` (the header of the respondent code).", yf)
        width = rk.get("width")
        if width is not None and (not isinstance(width, int) or width < 1):
            raise _err("respondent_key.width", "must be a positive whole number.", yf)
        fuzzy = rk.get("fuzzy", 0) or 0
        if fuzzy not in (0, 1):
            raise _err("respondent_key.fuzzy", "must be 0 or 1 (characters allowed to differ).", yf)
        key = RespondentKey(column=tuple(str(c) for c in _as_list(rk["column"])), width=width, fuzzy=int(fuzzy))

    courses_path = root / "courses.csv"
    course_ids: set[str] | None = None
    if courses_path.exists():
        course_ids = set(load_courses(courses_path, vocabularies)["course_id"])

    if not isinstance(doc["sources"], list) or not doc["sources"]:
        raise _err("sources", "must be a non-empty list of `{file, course, wave}`.", yf)
    sources = []
    for i, spec in enumerate(doc["sources"]):
        p = f"sources[{i}]"
        _check_mapping(spec, p, _SOURCE_KEYS, "each source must be a mapping `{file, course, wave}`.", yf)
        if "file" not in spec:
            raise _err(p, "missing `file`.", yf)
        if "course" not in spec and "course" not in roles:
            raise _err(p, "missing `course` (or an item with `role: course` naming each row's course).", yf)
        wave, waves = spec.get("wave"), spec.get("waves")
        if wave is not None and waves is not None:
            raise _err(p, "give either `wave:` (one wave per row) or `waves:` (several waves in one row).", yf)
        if wave is None and waves is None and "wave" not in roles:
            raise _err(p, "missing `wave` (or `waves:`, or an item with `role: wave`).", yf)
        if wave is not None and wave not in WAVES:
            raise _err(f"{p}.wave", f"{wave!r} is not one of {', '.join(WAVES)}.", yf)
        if waves is not None:
            waves = tuple(str(w) for w in _as_list(waves))
            for w in waves:
                if w not in WAVES:
                    raise _err(f"{p}.waves", f"{w!r} is not one of {', '.join(WAVES)}.", yf)
            if not waves or len(set(waves)) != len(waves):
                raise _err(f"{p}.waves", "list each wave the rows hold once, e.g. `[then, followup]`.", yf)
            for it in items:
                if it.type in ("scale", "multi", "text") and not it.wave_columns \
                        and sum(it.in_wave(w) for w in waves) > 1:
                    raise _err(f"{p}.waves", f"item {it.id!r} has one column but this source holds waves "
                                             f"{', '.join(waves)} in one row: give it `columns: "
                                             f"{{{waves[0]}: HEADER, {waves[1]}: HEADER}}`, or `waves:` "
                                             f"naming the one wave it belongs to.", yf)
        where = spec.get("where") or {}
        if not isinstance(where, dict):
            raise _err(f"{p}.where", "must map a column to the values of the rows to keep, "
                                     "e.g. `{研修名: [管理職向けDX研修]}`.", yf)
        where = tuple((str(c), tuple(_norm(v) for v in _as_list(vals))) for c, vals in where.items())
        for c, vals in where:
            if not vals:
                raise _err(f"{p}.where.{c}", "list the values of the rows to keep.", yf)
        fmt = spec.get("format")
        if fmt is not None and fmt not in FORMATS:
            raise _err(f"{p}.format", f"{fmt!r} is not one of {', '.join(FORMATS)}.", yf)
        course = str(spec["course"]) if spec.get("course") is not None else None
        if course is not None and course_ids is not None and course not in course_ids:
            raise _err(f"{p}.course", f"course {course!r} is not in courses.csv.{_suggest(course, course_ids)}", yf)
        file = str(spec["file"])
        if not _inside(root / file, root):
            raise _err(f"{p}.file", f"{file!r} is outside the study folder {root} (symbolic links "
                       "followed); a source must be a file of the study: copy the export into raw/.", yf)
        if check_files and not (root / file).exists():
            raise _err(f"{p}.file", f"file {file!r} not found in {root}.", yf)
        hr = spec.get("header_rows")
        if hr is not None:
            try:
                if not all(isinstance(x, int) and not isinstance(x, bool) or (isinstance(x, str) and x.isdigit())
                           for x in _as_list(hr)):
                    raise ValueError
                hr = tuple(int(x) for x in _as_list(hr))
                if not hr or min(hr) < 1:
                    raise ValueError
            except (TypeError, ValueError):
                raise _err(f"{p}.header_rows", f"{hr!r}: give the Excel row numbers (1, 2, ...) of the header, "
                                               "e.g. [3, 4].", yf) from None
        sheet = spec.get("sheet")
        if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, (str, int))):
            raise _err(f"{p}.sheet", f"{sheet!r}: give one sheet name (text) or number (0 = the first).", yf)
        encoding = spec.get("encoding")
        if encoding is not None:
            try:
                codecs.lookup(str(encoding)) if isinstance(encoding, str) else None
                if not isinstance(encoding, str):
                    raise LookupError
            except LookupError:
                raise _err(f"{p}.encoding", f"{encoding!r} is not a known encoding; use utf-8, utf-8-sig or "
                                            "cp932 (or leave it out to detect it).", yf) from None
        overrides = spec.get("scales") or {}
        if not isinstance(overrides, dict):
            raise _err(f"{p}.scales", "must map a scale to the scale to read it with in this file, "
                                      "e.g. `{agree5: agree5_paper}`.", yf)
        for base, alt in overrides.items():
            for name in (base, alt):
                if name not in scales:
                    raise _err(f"{p}.scales", f"unknown scale {name!r}.{_suggest(name, scales)}", yf)
            if set(scales[base].levels) != set(scales[alt].levels):
                raise _err(f"{p}.scales", f"{alt!r} must have the same values as {base!r} "
                                          f"({', '.join(map(str, scales[base].values))}).", yf)
        sources.append(Source(file=file, course=course, wave=wave, waves=waves, where=where, sheet=sheet,
                              header_rows=hr, encoding=encoding, format=fmt, index=i,
                              scales={str(k): str(v) for k, v in overrides.items()}))

    exclude = []
    for i, spec in enumerate(doc.get("exclude") or []):
        if not isinstance(spec, dict) or "column" not in spec or "values" not in spec:
            raise _err(f"exclude[{i}]", "needs `column` and `values` (and a `reason`).", yf)
        exclude.append(ExcludeRule(column=str(spec["column"]),
                                   values=tuple(_norm(v) for v in _as_list(spec["values"])),
                                   reason=str(spec.get("reason", "excluded"))))

    min_cell = doc.get("min_cell", 5)
    min_cell_text = doc.get("min_cell_text", 10)
    for k, v in (("min_cell", min_cell), ("min_cell_text", min_cell_text)):
        if not isinstance(v, int) or v < 1:
            raise _err(k, "must be a positive whole number.", yf)

    timezone = doc.get("timezone", "Asia/Tokyo")
    try:
        import zoneinfo
        if "timezone" in doc:          # the default works without a time zone database (UTC+9)
            zoneinfo.ZoneInfo(str(timezone))
    except (ValueError, OSError, zoneinfo.ZoneInfoNotFoundError):
        raise _err("timezone", f"{timezone!r} is not a time zone name such as Asia/Tokyo.", yf) from None
    era = doc.get("era", "western")
    if era not in ("western", "reiwa"):
        raise _err("era", f"{era!r} is not one of western, reiwa.", yf)
    coding_rules = _coding_rules(doc.get("coding_rules"), root, yf)
    exclude_careless = doc.get("exclude_careless", False)
    if not isinstance(exclude_careless, bool):
        raise _err("exclude_careless", "must be true (drop careless submissions) or false (flag them only).", yf)
    if key is None and any(src.waves for src in sources):
        # rows holding several waves link their submissions as one respondent
        key = RespondentKey(column=(), generated=True)

    return Codebook(survey=str(doc["survey"]), root=root, language=language, respondent_key=key,
                    scales=scales, constructs=constructs, items=items, sources=sources,
                    exclude=exclude, min_cell=min_cell, min_cell_text=min_cell_text,
                    vocabularies=vocabularies, exclude_careless=exclude_careless,
                    coding_rules=coding_rules, timezone=str(timezone), era=era)


def _coding_rules(value: Any, root: Path, yf: Path) -> Path | None:
    """``coding_rules:``: a file of KH Coder coding rules, relative to the study folder and inside it."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _err("coding_rules", f"must be a file name inside the study folder, such as coding_rules.txt; "
                                   f"got {value!r}.", yf)
    rel = Path(value.strip())
    path = (root / rel).resolve()
    if rel.is_absolute() or not path.is_relative_to(root.resolve()):
        raise _err("coding_rules", f"{value!r} is outside the study folder {root}; put the file inside it.", yf)
    if not path.is_file():
        raise _err("coding_rules", f"file {value!r} not found in {root}.", yf)
    return path
