"""survey.yaml -> :class:`Codebook` (scales, items, constructs, sources, exclude rules).

Loading validates everything and raises :class:`CodebookError` naming the YAML path
of the problem (``items[3].scale``) and what to do about it.
"""
from __future__ import annotations

import codecs
import difflib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .schema import ITEM_TYPES, LEVELS, SUBMISSIONS, WAVES

__all__ = [
    "CodebookError", "Scale", "Item", "Construct", "Source", "ExcludeRule",
    "RespondentKey", "Codebook", "load_codebook", "load_courses", "COURSE_COLUMNS",
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


class CodebookError(ValueError):
    """survey.yaml or courses.csv is wrong; the message names the place and the fix."""


def _norm(value: Any) -> str:
    """NFKC + strip + collapse whitespace (the same rule readers apply to headers)."""
    text = unicodedata.normalize("NFKC", str(value))
    return " ".join(text.split())


@dataclass(frozen=True)
class Scale:
    """An ordered response scale: value -> labels that mean it."""

    name: str
    levels: dict[int, tuple[str, ...]]
    missing: tuple[str, ...] = ()

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
        """The first (canonical) label of a value."""
        return self.levels[value][0]

    @property
    def lookup(self) -> dict[str, int]:
        """Normalised label -> value; also the value written as a number ("3")."""
        out: dict[str, int] = {}
        for value, labels in self.levels.items():
            for label in labels:
                out[_norm(label)] = value
        for value in self.levels:
            out.setdefault(str(value), value)
        return out

    @property
    def missing_labels(self) -> frozenset[str]:
        return frozenset(_norm(m) for m in self.missing)


@dataclass(frozen=True)
class Item:
    """One question of the codebook."""

    id: str
    column: tuple[str, ...]
    type: str = "scale"                  # scale | category | multi | text
    scale: str | None = None
    reverse: bool = False
    level: str | None = None             # Kirkpatrick level
    role: str | None = None              # "audience" for the role item
    map: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)   # code -> label (labels keyed by themselves)
    other: str | None = None
    waves: tuple[str, ...] | None = None
    label: str | None = None

    @property
    def display(self) -> str:
        return self.label or self.column[0]

    def in_wave(self, wave: str) -> bool:
        return self.waves is None or wave in self.waves


@dataclass(frozen=True)
class Construct:
    id: str
    label: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    file: str
    course: str
    wave: str
    sheet: str | int | None = None
    header_rows: tuple[int, ...] | None = None
    encoding: str | None = None
    format: str | None = None
    index: int = 0
    scales: dict[str, str] = field(default_factory=dict)   # scale -> scale to read it with here

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

    def item(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def items_of(self, type_: str) -> list[Item]:
        return [it for it in self.items if it.type == type_]

    @property
    def audience_item(self) -> Item | None:
        return next((it for it in self.items if it.role == "audience"), None)

    def construct_of(self, item_id: str) -> str | None:
        for c in self.constructs.values():
            if item_id in c.items:
                return c.id
        return None


def _err(path: str, msg: str, file: Path | None = None) -> CodebookError:
    where = f"{file}: " if file else ""
    return CodebookError(f"{where}{path}: {msg}")


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _suggest(name: str, choices) -> str:
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=3)
    return f" Did you mean: {', '.join(close)}?" if close else ""


_TOP_KEYS = {"survey", "language", "respondent_key", "scales", "constructs", "items", "sources",
             "exclude", "min_cell", "min_cell_text", "title", "description"}
_ITEM_KEYS = {"id", "column", "type", "scale", "reverse", "level", "role", "map", "options",
              "other", "waves", "label"}
_SOURCE_KEYS = {"file", "course", "wave", "sheet", "header_rows", "encoding", "format", "scales"}


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
    return Scale(name=name, levels=levels, missing=missing)


def _parse_item(i: int, spec: Any, scales: dict[str, Scale], yf: Path) -> Item:
    p = f"items[{i}]"
    _check_mapping(spec, p, _ITEM_KEYS, "each item must be a mapping like `{id: q1, column: ..., scale: agree5}`.", yf)
    if spec.get("id") is None or not str(spec["id"]).strip():
        raise _err(f"{p}.id", "missing `id` (a short name such as q1).", yf)
    item_id = str(spec["id"]).strip()
    p = f"items[{i}] (id {item_id})"
    columns = tuple(str(c) for c in _as_list(spec.get("column")) if c is not None and str(c).strip())
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
    if role is not None and role != "audience":
        raise _err(f"{p}.role", f"{role!r}: the only role is `audience`.", yf)
    if role == "audience" and type_ != "category":
        raise _err(f"{p}.role", "the audience item must be `type: category` with a `map:` to manager/staff.", yf)
    mapping = spec.get("map") or {}
    if not isinstance(mapping, dict):
        raise _err(f"{p}.map", "must map written labels to codes, e.g. `{課長: manager}`.", yf)
    if role == "audience":
        bad = [v for v in mapping.values() if v not in ("manager", "staff")]
        if bad:
            raise _err(f"{p}.map", f"audience codes must be manager or staff, not {bad[0]!r}.", yf)
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
    reverse = spec.get("reverse", False)
    if not isinstance(reverse, bool):
        raise _err(f"{p}.reverse", "must be true or false.", yf)
    return Item(
        id=item_id, column=columns, type=type_, scale=scale if type_ == "scale" else None,
        reverse=reverse, level=level, role=role,
        map={_norm(k): str(v) for k, v in mapping.items()}, options=options,
        other=spec.get("other"), waves=waves, label=spec.get("label"),
    )


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path``, symbolic links followed, is ``folder`` or below it."""
    target, base = Path(path).resolve(), Path(folder).resolve()
    return target == base or base in target.parents


def load_courses(path: str | Path) -> pd.DataFrame:
    """Read and check ``courses.csv``.  Only course_id and title are required."""
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
    for col, allowed in COURSE_VALUES.items():
        bad = df[col].dropna()
        bad = bad[~bad.isin(allowed)]
        if len(bad):
            row = int(bad.index[0]) + 2
            raise CodebookError(f"{path}: row {row}, column {col}: {bad.iloc[0]!r} is not one of "
                                f"{', '.join(allowed)} (leave blank if unknown).")
    dup = df["course_id"][df["course_id"].duplicated()]
    if len(dup):
        raise CodebookError(f"{path}: course_id {dup.iloc[0]!r} appears twice.")
    if df["course_id"].isna().any():
        row = int(df.index[df["course_id"].isna()][0]) + 2
        raise CodebookError(f"{path}: row {row}: course_id is blank.")
    _check_course_values(df, path)
    for col in ("fiscal_year", "invited"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
    df["hours"] = pd.to_numeric(df["hours"], errors="coerce")
    return df


#: courses.csv columns that hold numbers: column -> (smallest, largest, whole number, example).
_COURSE_NUMBERS = {"fiscal_year": (1900, 2200, True, "2024"), "invited": (0, None, True, "40"),
                   "hours": (0, None, False, "2.5")}


def _check_course_values(df: pd.DataFrame, path: Path) -> None:
    """Every fiscal_year, invited and hours is a number in range, every date a real date.

    A blank is unknown and fine; anything else that is not one (``二〇二四``,
    ``2024-13-45``) is an error naming file, row, column and value, all of them in one
    message: read as missing it would silently drop the course from what needs it.
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
    if bad:
        raise CodebookError(f"{path}: " + "; ".join(bad) + ". Fix courses.csv, or leave a cell blank "
                            "when it is unknown.")


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

    if not isinstance(doc["items"], list) or not doc["items"]:
        raise _err("items", "must be a non-empty list.", yf)
    items: list[Item] = []
    ids: set[str] = set()
    for i, spec in enumerate(doc["items"]):
        item = _parse_item(i, spec, scales, yf)
        if item.id in ids:
            raise _err(f"items[{i}].id", f"duplicate id {item.id!r}; every item id must be unique.", yf)
        ids.add(item.id)
        items.append(item)
    if sum(1 for it in items if it.role == "audience") > 1:
        raise _err("items", "only one item may have `role: audience`.", yf)

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
        course_ids = set(load_courses(courses_path)["course_id"])

    if not isinstance(doc["sources"], list) or not doc["sources"]:
        raise _err("sources", "must be a non-empty list of `{file, course, wave}`.", yf)
    sources = []
    for i, spec in enumerate(doc["sources"]):
        p = f"sources[{i}]"
        _check_mapping(spec, p, _SOURCE_KEYS, "each source must be a mapping `{file, course, wave}`.", yf)
        for k in ("file", "course", "wave"):
            if k not in spec:
                raise _err(p, f"missing `{k}`.", yf)
        wave = spec["wave"]
        if wave not in WAVES:
            raise _err(f"{p}.wave", f"{wave!r} is not one of {', '.join(WAVES)}.", yf)
        fmt = spec.get("format")
        if fmt is not None and fmt not in FORMATS:
            raise _err(f"{p}.format", f"{fmt!r} is not one of {', '.join(FORMATS)}.", yf)
        course = str(spec["course"])
        if course_ids is not None and course not in course_ids:
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
        sources.append(Source(file=file, course=course, wave=wave, sheet=sheet,
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

    return Codebook(survey=str(doc["survey"]), root=root, language=language, respondent_key=key,
                    scales=scales, constructs=constructs, items=items, sources=sources,
                    exclude=exclude, min_cell=min_cell, min_cell_text=min_cell_text)
