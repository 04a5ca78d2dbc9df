"""Raw exports -> tidy tables (DESIGN §3) and a validation log.

:func:`load_study` reads every source of a study's codebook with
:mod:`dxsurvey.readers`, applies the normalisation rules of FORMATS.md and returns a
:class:`~dxsurvey.study.Study`.  Nothing is dropped without a row in
``study.validation``; ``raw/`` is only ever read.

Order of operations per source: read -> locate columns -> decode answers
(scale labels, categories, multi-select, text with PII masking) -> exclude rules ->
empty submissions.  Then, over the whole study: duplicates (latest wins), fuzzy
code matching, linkage counts.
"""
from __future__ import annotations

import difflib
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import privacy
from .codebook import Codebook, Item, Source, _fold, _norm, _suggest, load_codebook, load_courses
from .linkage import apply_fuzzy_matching, linkage_table
from .readers import (RawTable, SourceError, closest_headers, find_column, normalize_text, parse_timestamps,
                      read_source)
from .schema import ANSWERS, CHOICES, SUBMISSIONS, TEXTS, VALIDATION
from .study import Study, StudyFolderError, check_outside_raw

__all__ = ["load_study", "write_tables", "KEY_FILE", "normalize_code", "misfit_codes"]

#: The keyed-hash secret of a study lives here (gitignored, never in a report).
KEY_FILE = ".dxsurvey_key"

_MULTI_SEP = re.compile(r"[,、・;；/\s]+")
#: What separates the entries of a multi-select cell (for matching option labels).
_ENTRY_SEP = ",;、；\n"
_DIGITS = re.compile(r"^\d+$")
_MULTI_MARK = re.compile(r"^\d+(\s*[・,、/／&]\s*\d+)+$")
#: Prefix of category answers among the working columns (an item id such as `code` or
#: `keep` must not overwrite the respondent code or the keep flag).
_CATEGORY = "item:"
#: An item loses "too many" answers to unknown labels above this share (an error then).
LABEL_LOSS = 0.05
#: ... and at least this many answers (one typo in a file of 15 stays a warning on its row).
LABEL_LOSS_MIN = 2
#: Straight-lining is checked on blocks of at least this many Likert items of one scale.
STRAIGHT_MIN_ITEMS = 8
#: Headers of a start-time column (Microsoft Forms; a form's own export may add one).
_START_HEADERS = ("開始時刻", "開始日時", "start time", "started", "start date")
#: The key column of rows linked by row (several waves in one row, no code column).
GENERATED_KEY = "(row)"


def normalize_code(value, width: int | None) -> str | None:
    """Normalise a respondent code: NFKC, strip, zero-pad a purely numeric code.

    >>> normalize_code("００９３", 4), normalize_code("93", 4), normalize_code(" ab12 ", 4)
    ('0093', '0093', 'ab12')
    >>> normalize_code("93.0", 4)
    '0093'
    """
    text = normalize_text(value)
    if text is None:
        return None
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    if width and _DIGITS.match(text):
        text = text.zfill(width)
    return text


_NUMBER_FORM = re.compile(r"^[+-]?\d*\.?\d+(?:[eE][+-]?\d+)?$")
_DIGITS_ONLY = re.compile(r"\d+")


def misfit_codes(codes: pd.Series, width: int) -> pd.Series:
    """Why each normalised respondent code does not fit ``width`` digits (None: it fits).

    A code of digits longer than ``width`` is not zero-padded, so it links only to the
    same code with as many digits; a number in exponent form (``1e3``: Excel turned
    the code into a number) or with a sign or decimal point (``-93``); a code with
    other characters (``2886a``) in a column whose codes are mostly numbers.  Codes of
    letters and digits (self-generated codes) in a column of such codes fit.

    >>> misfit_codes(pd.Series(["0093", "12345", "1e3", "-93", "2886a", None]), 4).notna().tolist()
    [False, True, True, True, True, False]
    """
    position, uniques = pd.factorize(codes.to_numpy(dtype=object), use_na_sentinel=True)
    texts = [str(u) for u in uniques]                    # each distinct code once
    digits = np.array([_DIGITS_ONLY.fullmatch(t) is not None for t in texts], dtype=bool)
    number = np.array([_NUMBER_FORM.fullmatch(t) is not None for t in texts], dtype=bool)
    rows = np.bincount(position[position >= 0], minlength=len(texts))
    numeric_column = 2 * int(rows[digits | number].sum()) > int(rows.sum())
    why = np.full(len(texts) + 1, None, dtype=object)    # the last slot: a blank code
    for k, t in enumerate(texts):
        if digits[k]:
            if len(t) > width:
                why[k] = (f"{len(t)} digits, more than `width: {width}`; it is not zero-padded, so it links "
                          f"only to the same code written with {len(t)} digits")
        elif number[k]:
            why[k] = ("a number in exponent form (a spreadsheet turned the code into a number); export "
                      "the code column as text") if ("e" in t or "E" in t) else \
                "a sign or decimal point in a code of digits"
        elif numeric_column:
            why[k] = "not only digits, while the other codes of this column are numbers"
    return pd.Series(why[position], index=codes.index, dtype=object)


def _secret(root: Path) -> bytes:
    path = root / KEY_FILE
    if path.exists():
        return path.read_bytes().strip()
    key = secrets.token_hex(32).encode()
    tmp = path.with_suffix(".tmp")
    try:
        tmp.write_bytes(key)
        tmp.replace(path)
    except OSError as exc:
        raise StudyFolderError(
            f"{root}: the study folder cannot be written ({exc.strerror}), and it has no {KEY_FILE} "
            "yet: the secret that turns respondent codes into keys is created there on first use. "
            "Make the folder writable once (or copy the study to a writable place) and run again.",
            "cli.study_read_only", path=root, key_file=KEY_FILE) from None
    return key


def _hash_codes(codes: pd.Series, secret: bytes) -> pd.Series:
    uniq = {c: hmac.new(secret, c.encode("utf-8"), hashlib.sha256).hexdigest()[:16]
            for c in codes.dropna().unique()}
    return codes.map(uniq).astype("string")


@dataclass
class _Decoded:
    """One source after decoding: rows aligned with raw.frame."""

    rows: pd.DataFrame          # per raw row: course_id, wave, code, audience, timestamps, source_row, valid
    answers: pd.DataFrame       # row_pos, item_id, value, label
    choices: pd.DataFrame       # row_pos, item_id, option
    texts: pd.DataFrame         # row_pos, item_id, text
    problems: list[pd.DataFrame]
    key_column: str | None = None   # the frame column holding the respondent code, if found
    columns: dict | None = None     # item id -> the frame column it was read from


def _where(file: str, row, column, value) -> str:
    """'raw/a.csv, row 12, column 「役職」, value 「係員」' — the place a problem message starts with."""
    parts = [file]
    if row is not None and row == row:
        parts.append(f"row {row}")
    if column is not None and column == column:
        parts.append(f"column 「{column}」")
    if value is not None and value == value:
        parts.append(f"value 「{value}」")
    return ", ".join(parts)


def _problem_frame(file: str, rows, column, values, problem, action, details) -> pd.DataFrame:
    """Validation rows; each message names file, row, column and value, then what was done.

    ``rows`` None means a file-level problem (no row).  ``column`` and ``details`` may be
    one value for all rows or one per row.
    """
    values = list(values)
    n = len(values)
    rows = [None] * n if rows is None else list(rows)
    columns = [column] * n if column is None or isinstance(column, str) else list(column)
    details = [details] * n if isinstance(details, str) else list(details)
    messages = [f"{_where(file, r, c, v)}: {d}" for r, c, v, d in zip(rows, columns, values, details)]
    return pd.DataFrame({      # in the order of VALIDATION
        "source_file": [file] * n, "source_row": pd.array(rows, dtype="Int64"), "column": columns,
        "value": values, "problem": [problem] * n, "action": [action] * n, "message": messages,
    })


def _cell_list(series: pd.Series) -> list:
    """The cells of a column as Python objects (a blank: None, or NaN in an object column);
    a column of strings is read through Arrow, many times faster than ``tolist``."""
    if isinstance(series.dtype, pd.StringDtype) and hasattr(series.array, "__arrow_array__"):
        return series.array.__arrow_array__().to_pylist()
    return series.tolist()


#: Columns up to this many rows are factorised in Python (see _factorize).
_SMALL = 2000


def _factorize(series: pd.Series) -> tuple[np.ndarray, list]:
    """(each row's index into the distinct values or -1 for a blank cell, the distinct values
    in order of first appearance).  A string column is factorised as it is stored (no
    round trip of every cell through a Python object)."""
    if len(series) <= _SMALL:
        # a short column: a dict is much faster than pandas' per-call overhead
        index: dict[str, int] = {}
        codes = np.empty(len(series), dtype=np.intp)
        for i, v in enumerate(_cell_list(series)):
            if type(v) is str:
                k = index.get(v)
                codes[i] = index.setdefault(v, len(index)) if k is None else k
            elif v is None or v is pd.NA or (type(v) is float and v != v):
                codes[i] = -1
            else:
                break     # anything but text and blanks: as pandas factorises it
        else:
            return codes, list(index)
    values = series.array if isinstance(series.dtype, pd.StringDtype) else series.to_numpy(dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(codes), list(uniques)


def _per_value(series: pd.Series, func) -> pd.Series:
    """``series.map(func)`` computed once per distinct value (a column of an export holds few).

    >>> _per_value(pd.Series([" a", None, " a"]), lambda v: v and v.strip()).tolist()
    ['a', None, 'a']
    """
    codes, uniques = _factorize(series)
    out = np.empty(len(uniques) + 1, dtype=object)
    out[:-1] = [func(v) for v in uniques]
    out[-1] = func(None)
    return pd.Series(out[codes], index=series.index, dtype=object)


class _ScaleDecoder:
    """Reads the cells of one scale's items: labels to values, each distinct cell text once
    per study (a study's items share a handful of labels).

    Labels match ignoring case, width (NFKC) and surrounding spaces.
    """

    def __init__(self, scale):
        self.scale = scale
        self.lookup = scale.lookup
        self.exact = {_norm(lb): lb for labs in scale.levels.values() for lb in labs}
        self.by_key = {_fold(lb): lb for lb in reversed(list(self.exact.values()))}
        self.missing = scale.missing_labels
        self._seen: dict = {}

    def _read(self, raw) -> tuple:
        """(value or NaN, (problem, message) or None, label as defined it merges into or None,
        the normalised text or None)."""
        scale, lookup = self.scale, self.lookup
        lab = normalize_text(raw)
        key = _fold(lab) if lab is not None else None
        if lab is None or key in self.missing or lab in ("-", "ー", "―", "—", "無回答"):
            return np.nan, None, None, lab
        if key in lookup:
            merged = self.by_key[key] if lab not in self.exact and key in self.by_key else None
            return lookup[key], None, merged, lab
        if re.fullmatch(r"-?\d+(\.0+)?", lab):
            # "1.0", "01": the number as the scale reads it (a reversed paper scale maps "1" to 5)
            v = int(float(lab))
            if str(v) in lookup:
                return lookup[str(v)], None, None, lab
            return np.nan, ("out_of_range",
                            f"{lab} is outside the scale {scale.name} ({scale.min}–{scale.max}); set to missing."), \
                None, lab
        if _MULTI_MARK.match(lab):
            return np.nan, ("invalid_value", f"two marks {lab!r} in a single-answer question; set to missing."), \
                None, lab
        known = ", ".join(list(self.exact.values())[:6])
        return np.nan, ("unknown_label", f"{lab!r} is not a label of scale {scale.name} "
                                         f"(expected e.g. {known}); set to missing."), None, lab

    def decode(self, series: pd.Series):
        """Decode one column of cells.

        Returns (values: float array, NaN for missing; the distinct cells; problems: list of
        (problem, message) or None per distinct cell, the last one for a blank cell; codes:
        each row's index into both; answered: bool per row, the cell holds text; merged
        spellings {label as defined: {spellings read as it}}).
        """
        codes, uniques = _factorize(series)
        seen = self._seen
        entries = []
        for raw in uniques:
            entry = seen.get(raw)
            if entry is None:
                entry = seen[raw] = self._read(raw)
            entries.append(entry)
        value_of = np.array([e[0] for e in entries] + [np.nan], dtype=np.float64)
        answered_of = np.array([e[3] is not None for e in entries] + [False], dtype=bool)
        problems = [e[1] for e in entries] + [None]
        merged: dict[str, set] = {}
        for e in entries:
            if e[2] is not None:
                merged.setdefault(e[2], set()).add(e[3])
        return value_of[codes], uniques, problems, codes, answered_of[codes], merged


def _match_options(text: str, options: dict[str, str]) -> tuple[list[str], str]:
    """Match known option labels (longest first); return (labels, leftover text).

    A label counts only as a whole entry of the cell: bounded by the cell's start or
    end or by a separator (``", "`` of Google Forms, ``;`` of Microsoft Forms, ``、``
    typed on paper), so an 「その他」 answer such as ``RPAツール`` is not read as the
    option ``RPA``.  Typed option codes (``1,3``, ``1・3``) are read when the rest of
    the cell is nothing but codes.  The leftover text keeps its own punctuation
    (``Power Automate/Copilot``).
    """
    rest = text
    found = []
    labels = sorted({_norm(v): v for v in options.values()}.items(), key=lambda kv: -len(kv[0]))
    for norm_label, label in labels:
        if not norm_label or norm_label not in rest:
            continue
        pattern = re.compile(rf"(?:^|(?<=[{_ENTRY_SEP}]))\s*{re.escape(norm_label)}\s*(?=$|[{_ENTRY_SEP}])")
        rest, hits = pattern.subn(" ", rest)
        if hits:
            found.append(label)
    tokens = [t.strip(" ,、;；") for t in _MULTI_SEP.split(rest)]
    tokens = [t for t in tokens if t]
    if tokens and all(t in options for t in tokens):      # typed codes: "1,3" / "1・3"
        for t in tokens:
            if options[t] not in found:
                found.append(options[t])
        rest = ""
    rest = re.sub(rf"(?:\s*[{_ENTRY_SEP}]\s*)+", ", ", rest)      # separators left by removed labels
    rest = re.sub(r"\s+", " ", rest).strip(" ,、;；")
    order = {v: i for i, v in enumerate(options.values())}
    found.sort(key=lambda v: order.get(v, 0))
    return found, rest


def _header_below(raw: RawTable, alternatives) -> int | None:
    """The file row where a wanted header text sits as a cell (a title above the header)."""
    wanted = {normalize_text(a) for a in alternatives}
    head = raw.frame.head(15)
    for pos in range(len(head)):
        cells = {normalize_text(v) for v in head.iloc[pos].tolist() if isinstance(v, str)}
        if cells & wanted:
            return int(raw.source_rows[pos])
    return None


def _counted(values: pd.Series) -> dict:
    """Value -> number of rows holding it (for messages that name values and their counts)."""
    return values.value_counts(sort=False).to_dict()


def _role_problems(file, rows_no, col, series, bad, problem, action, what) -> pd.DataFrame:
    """One validation row per row whose role value matched nothing; the message names the count."""
    pos = np.flatnonzero(bad)
    counts = _counted(_per_value(series.iloc[pos], normalize_text))
    msgs = [what(v, counts.get(normalize_text(v), 0)) for v in series.iloc[pos]]
    return _problem_frame(file, rows_no[pos], col, series.iloc[pos].tolist(), problem, action, msgs)


def _place_rows(file: str, raw: RawTable, item: Item, rows_no, drop: np.ndarray, row_problems: list,
                problem: str, lookup, what) -> pd.Series | None:
    """Each row's course or wave from a `role: course` / `role: wave` column (None: column missing).

    ``lookup`` turns a normalised value into a code (None: unknown); rows whose value it cannot
    place are marked in ``drop`` and logged as errors naming the value and its row count
    (``what``).  A blank cell is left NA: the caller logs it unless the row is empty anyway.
    """
    col = find_column(raw, list(item.column))
    if col is None:
        row_problems.append(_missing_column(file, raw, item, item.column))
        drop[:] = True
        return None
    series = raw.frame[col]
    normed = _per_value(series, normalize_text)
    codes = _per_value(normed, lambda v: lookup(v) if v is not None else None)
    bad = (codes.isna() & normed.notna()).to_numpy() & ~drop
    if bad.any():
        row_problems.append(_role_problems(file, rows_no, col, series, bad, problem, "error", what))
    drop |= bad
    return codes


def _course_matcher(courses: pd.DataFrame) -> tuple[dict, dict]:
    """(written course -> course_id, shared title -> its course_ids).

    A course_id or a title, normalised (case and width ignored).  A title several courses
    share (the same course held in two years) names none of them: the rows need the id
    or a `map:`.
    """
    table: dict[str, str] = {}
    shared: dict[str, list] = {}
    for cid, title in zip(courses["course_id"], courses["title"]):
        if isinstance(title, str):
            shared.setdefault(_fold(title), []).append(cid)
    shared = {k: v for k, v in shared.items() if len(v) > 1}
    for cid, title in zip(courses["course_id"], courses["title"]):
        if isinstance(title, str) and _fold(title) not in shared:
            table[_fold(title)] = cid
    for cid in courses["course_id"]:
        table[_fold(cid)] = cid
    return table, shared


def _missing_column(file: str, raw: RawTable, item: Item, alternatives) -> pd.DataFrame:
    near = closest_headers(raw, alternatives[0])
    hint = f" Closest headers in the file: {', '.join(near)}." if near else ""
    below = _header_below(raw, alternatives)
    if below is not None:
        hint = (f" Its text is in row {below} of the file, below the header that was used: "
                f"set `header_rows: [{below}]` for this source in survey.yaml "
                f"(two rows, e.g. [{below}, {below + 1}], when the header spans two).")
    return _problem_frame(
        file, None, alternatives[0], [None], "missing_column", "error",
        f"column {alternatives[0]!r} (item {item.id}) not found.{hint} "
        f"Add the file's wording to `column:` in survey.yaml, or `waves:` if the item is not asked here.")


def _label_problems(file: str, item: Item, col: str, series: pd.Series, unknown: np.ndarray, answered: int,
                    merged: dict, scale) -> list[pd.DataFrame]:
    """The info line naming merged spellings, and the error when unknown labels cost > 5 % of answers.

    ``series``: the item's cells; ``unknown``: the rows kept so far that hold an unknown
    label; ``answered``: how many rows kept so far hold text.
    """
    out = []
    if merged:
        shown = "; ".join(f"{' / '.join(sorted(v))} -> {k}" for k, v in merged.items())
        out.append(_problem_frame(file, None, col, [shown], "merged_spellings", "kept",
                                  f"item {item.id}: labels differing only in case, width or spaces read as one: "
                                  f"{shown}."))
    lost = int(unknown.sum())
    if answered and lost / answered > LABEL_LOSS and lost >= LABEL_LOSS_MIN:
        unknown = series[unknown].map(normalize_text)
        labels = list(dict.fromkeys(lb for labs in scale.levels.values() for lb in labs))
        hints = []
        for value, n in unknown.value_counts().head(5).items():
            close = difflib.get_close_matches(value, labels, n=1, cutoff=0.5)
            hints.append(f"{value!r} ({n} row{'s' if n != 1 else ''}"
                         + (f"; did you mean {close[0]!r}?)" if close else ")"))
        share = len(unknown) / answered
        out.append(_problem_frame(
            file, None, col, [", ".join(unknown.drop_duplicates().head(5))], "label_loss", "error",
            f"item {item.id} lost {len(unknown)} of {answered} answers ({share:.0%}) to labels not in scale "
            f"{scale.name}: {', '.join(hints)}. Add them to the scale's `levels:` in survey.yaml."))
    return out


def _careless(cb: Codebook, values: dict[str, np.ndarray], raw: RawTable, n: int, live: np.ndarray,
              file: str, rows_no: np.ndarray) -> tuple[np.ndarray, list[pd.DataFrame]]:
    """Flag straight-lining (one answer to every item of a block of >= 8 Likert items) and
    completion in less than a third of the source's median time.  ``values``: item id -> its
    values (NaN: missing).  Returns (flag, problems)."""
    flag = np.zeros(n, dtype=bool)
    problems = []
    action = "dropped" if cb.exclude_careless else "kept"
    done = "dropped (exclude_careless)" if cb.exclude_careless else "kept (flagged)"
    blocks, run = [], []
    for it in cb.items:      # a block: consecutive scale items of one scale, in codebook order
        if it.type == "scale" and it.id not in values:
            continue         # not asked in this wave
        if it.type != "scale" or (run and cb.item(run[-1]).scale != it.scale):
            blocks.append(run)
            run = []
        if it.type == "scale":
            run.append(it.id)
    blocks.append(run)
    straight = np.zeros(n, dtype=bool)
    first_block = [""] * n
    for block in blocks:
        if len(block) < STRAIGHT_MIN_ITEMS:
            continue
        m = np.column_stack([values[i] for i in block])
        same = ~np.isnan(m).any(axis=1) & (np.nanmax(m, axis=1, initial=-np.inf) == np.nanmin(m, axis=1, initial=np.inf))
        new = same & ~straight & live
        for pos in np.flatnonzero(new):
            first_block[pos] = f"{block[0]}–{block[-1]}"
        straight |= same & live
    if straight.any():
        pos = np.flatnonzero(straight)
        problems.append(_problem_frame(
            file, rows_no[pos], None, [None] * len(pos), "straight_lining", action,
            [f"the same answer to all items {first_block[p]} (careless responding); {done}." for p in pos]))
    flag |= straight
    start_col = next((c for c, t in ((c, normalize_text(c)) for c in raw.frame.columns)
                      if t and t.casefold() in _START_HEADERS), None)
    if start_col is not None and "completed_at" in raw.meta:
        start = parse_timestamps(raw.frame[start_col])
        end = pd.to_datetime(raw.meta["completed_at"])
        secs = (end.to_numpy() - start.to_numpy()) / np.timedelta64(1, "s")
        ok = live & ~np.isnan(secs) & (secs >= 0)
        if ok.sum() >= 5:
            median = float(np.median(secs[ok]))
            fast = ok & (secs < median / 3)
            if fast.any():
                pos = np.flatnonzero(fast)
                problems.append(_problem_frame(
                    file, rows_no[pos], start_col, [None] * len(pos), "too_fast", action,
                    [f"completed in {secs[p]:.0f} s, less than a third of the median {median:.0f} s "
                     f"(careless responding); {done}." for p in pos]))
                flag |= fast
    return flag, problems


def _decode_source(src: Source, raw: RawTable, cb: Codebook, courses: pd.DataFrame,
                   names, secret: bytes, validation: list[pd.DataFrame], exclude_seen: set,
                   wave: str | None = None, first: bool = True, decoders: dict | None = None):
    """Decode one source for one of the waves its rows hold (``wave``; None: the rows'
    `role: wave` column says).  Row-level problems (filter, course, wave) are logged by
    the ``first`` call of a source only.  ``decoders``: scale name -> its
    :class:`_ScaleDecoder`, shared by the sources of a study."""
    decoders = {} if decoders is None else decoders
    file = _source_label(src)
    frame = raw.frame
    n = len(frame)
    rows_no = np.asarray(raw.source_rows, dtype=np.int64)
    problems: list[pd.DataFrame] = []
    row_problems: list[pd.DataFrame] = []     # logged once per source
    drop = np.zeros(n, dtype=bool)            # rows that cannot be placed (filtered, unknown course/wave)

    valid = np.zeros(n, dtype=bool)
    answers: list[tuple] = []        # per scale item: (item id, values, its cells, the rows whose wave asks it)
    choices, texts = [], []
    rows = pd.DataFrame({"course_id": pd.array([src.course] * n, dtype="string"),
                         "wave": pd.array([wave] * n, dtype="string"), "source_file": file,
                         "source_row": rows_no, "source_index": src.index,
                         "row_pos": np.arange(n, dtype=np.int64),
                         **{meta_col: raw.meta[meta_col].to_numpy() if meta_col in raw.meta else
                            np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
                            for meta_col in ("submitted_at", "last_modified", "completed_at")},
                         **{col: pd.array([pd.NA] * n, dtype="string") for col in ("instructor", "format", "style")}})

    # row filter
    for column, keep_values in src.where:
        col = find_column(raw, [column])
        if col is None:
            row_problems.append(_problem_frame(file, None, column, [None], "missing_column", "error",
                                               f"column {column!r} of `where:` not found; no row was filtered."))
            continue
        out = ~_per_value(frame[col], normalize_text).isin(list(keep_values)).to_numpy() & ~drop
        if out.any():
            pos = np.flatnonzero(out)
            row_problems.append(_problem_frame(file, rows_no[pos], col, frame[col].iloc[pos].tolist(), "filtered",
                                               "dropped", f"not one of the `where:` values "
                                                          f"({', '.join(keep_values)}); left out."))
        drop |= out

    # row-level course and wave
    blank_role: list = []          # (problem, item, rows whose course/wave cell is blank)
    course_item = cb.role_item("course") if src.course is None else None
    if course_item is not None:
        table, shared = _course_matcher(courses)
        known = list(courses["title"].dropna()) + list(courses["course_id"])

        def what(v, k):
            ids = shared.get(_fold(course_item.map.get(_fold(normalize_text(v)), normalize_text(v))))
            if ids:
                return (f"{v!r} ({k} rows) is the title of several courses ({', '.join(ids)}); these rows are "
                        f"left out: `map:` the title to one course_id, or filter the rows with `where:`.")
            return (f"{v!r} ({k} rows) is neither a course_id nor a title in courses.csv"
                    f"{_suggest(normalize_text(v), known)} These rows are left out: add the course to "
                    f"courses.csv or `map:` it.")
        ids = _place_rows(file, raw, course_item, rows_no, drop, row_problems, "unknown_course",
                          lambda v: table.get(_fold(course_item.map.get(_fold(v), v))), what)
        if ids is not None:
            rows["course_id"] = ids.astype("string").to_numpy()
            blank_role.append(("unknown_course", course_item, ids.isna().to_numpy() & ~drop))
    if wave is None:
        wave_item = cb.role_item("wave")
        shown = ", ".join(f"{a} -> {b}" for a, b in list(wave_item.map.items())[:6])
        waves = _place_rows(file, raw, wave_item, rows_no, drop, row_problems, "unknown_wave",
                            lambda v: wave_item.map.get(_fold(v)),
                            lambda v, k: f"{v!r} ({k} rows) is not in the `map:` of item {wave_item.id} "
                                         f"(its waves: {shown}); these rows are left out.")
        if waves is not None:
            rows["wave"] = waves.astype("string").to_numpy()
            blank_role.append(("unknown_wave", wave_item, waves.isna().to_numpy() & ~drop))
    row_waves = rows["wave"]
    wave_codes, wave_names = _factorize(row_waves)
    asked_in: dict[tuple, np.ndarray] = {}      # the waves an item is asked in -> the rows of those waves

    audience_codes = set(cb.vocabulary("audiences").codes)
    course_aud = {cid: aud for cid, aud in zip(courses["course_id"], courses["audience"]) if aud in audience_codes}
    rows["audience"] = pd.array(_per_value(rows["course_id"], course_aud.get).tolist(), dtype="string")

    # respondent key
    rows["code"] = pd.Series([None] * n, dtype="string")
    key_col = None
    if cb.respondent_key is not None and not cb.respondent_key.generated:
        key_col = find_column(raw, list(cb.respondent_key.column))
        if key_col is not None:
            codes = _per_value(frame[key_col], lambda v: normalize_code(v, cb.respondent_key.width))
            rows["code"] = codes.astype("string").to_numpy()
            if cb.respondent_key.width:
                why = misfit_codes(codes, cb.respondent_key.width)
                pos = np.flatnonzero(why.notna().to_numpy())
                if len(pos):
                    problems.append(_problem_frame(
                        file, rows_no[pos], key_col, frame[key_col].iloc[pos].tolist(), "bad_code", "kept",
                        [f"the respondent code does not fit: {w}. Kept as written; check it." for w in why.iloc[pos]]))
    if src.waves and key_col is None and cb.respondent_key is not None:
        # several waves in one row and no code column: the row is the respondent
        rows["code"] = pd.array([f"{file}#{r}" for r in rows_no], dtype="string")
        key_col = GENERATED_KEY

    resolved: dict[str, str] = {}
    for item in cb.items:
        if item.role in ("course", "wave"):
            continue
        if wave is not None and not item.in_wave(wave):
            continue
        # with several waves in a row, only the wave's own questions make its submission non-empty
        counts = not src.waves or bool(item.wave_columns) or item.waves is not None
        valid_before = valid.copy()
        if item.waves is None:
            in_item = np.ones(n, dtype=bool)
        else:
            key = tuple(item.waves)
            if key not in asked_in:
                asked_in[key] = np.array([w in key for w in wave_names] + [False], dtype=bool)[wave_codes]
            in_item = asked_in[key].copy()
        if not (in_item & ~drop).any() and wave is None:
            continue
        if wave is None and item.wave_columns:
            # the wave column says which of the item's headers a row answered
            series = pd.Series([None] * n, index=frame.index, dtype=object)
            col = None
            for w, alts in item.wave_columns.items():
                c = find_column(raw, list(alts))
                sel = (row_waves == w).fillna(False).to_numpy()
                if c is None:
                    if sel.any():
                        problems.append(_missing_column(file, raw, item, alts))
                    continue
                col = col or c
                series[sel] = frame[c][sel]
            if col is None:
                continue
        else:
            alternatives = item.columns_for(wave)
            col = find_column(raw, list(alternatives))
            if col is None:
                problems.append(_missing_column(file, raw, item, alternatives))
                continue
            series = frame[col]
            resolved[item.id] = col
        if not in_item.all():
            series = series.where(in_item, None)
        if item.type == "scale":
            scale = cb.scales[src.scale_for(item.scale)]
            decoder = decoders.get(scale.name)
            if decoder is None:
                decoder = decoders[scale.name] = _ScaleDecoder(scale)
            values, uniques, probs, codes, answered, merged = decoder.decode(series)
            has = np.array([p is not None for p in probs], dtype=bool)[codes]
            unknown = np.zeros(n, dtype=bool)
            if has.any():
                pos = np.flatnonzero(has)
                found = [probs[c] for c in codes[pos]]
                kinds = np.array([p[0] for p in found], dtype=object)
                for kind in dict.fromkeys(kinds.tolist()):     # in the order rows first show them
                    sel = np.flatnonzero(kinds == kind)
                    problems.append(_problem_frame(file, rows_no[pos[sel]], col, [uniques[c] for c in codes[pos[sel]]],
                                                   kind, "set_missing", [found[k][1] for k in sel]))
                    if kind == "unknown_label":
                        unknown[pos[sel]] = True
            keep = ~drop
            problems.extend(_label_problems(file, item, col, series, unknown & keep,
                                            int((answered & keep).sum()), merged, scale))
            valid |= ~np.isnan(values)
            answers.append((item.id, values, series, in_item))
        elif item.type == "category":
            normed = _per_value(series, normalize_text)
            vocab_name = {"audience": "audiences", "format": "formats", "style": "styles"}.get(item.role)
            if item.map:
                mapped = _per_value(normed, lambda v: item.map.get(_fold(v), v) if v is not None else None)
                known = set(item.map.values())
                in_map = _per_value(normed, lambda v: v is not None and _fold(v) in item.map).astype(bool)
                unknown = normed.notna() & ~in_map & ~normed.isin(list(known))
                if vocab_name and unknown.any():      # a label of the vocabulary needs no map entry
                    vocab = cb.vocabulary(vocab_name)
                    by_label = _per_value(normed, vocab.match)
                    mapped = mapped.where(~(unknown & by_label.notna()), by_label)
                    unknown &= by_label.isna()
            elif vocab_name:
                vocab = cb.vocabulary(vocab_name)
                mapped = _per_value(normed, vocab.match)
                unknown = normed.notna() & mapped.isna()
            else:
                mapped = normed
                unknown = pd.Series(False, index=normed.index)
            bad = unknown.to_numpy() & ~drop
            if bad.any() and first:
                if vocab_name:
                    codes = ", ".join(cb.vocabulary(vocab_name).codes)
                    problems.append(_role_problems(
                        file, rows_no, col, series, bad, "unknown_category", "kept",
                        lambda v, k: f"{v!r} ({k} rows) matches no code or label of `{vocab_name}` ({codes}) "
                                     f"nor the `map:` of item {item.id}; the {item.role} is left blank."))
                else:
                    problems.append(_role_problems(
                        file, rows_no, col, series, bad, "unknown_category", "kept",
                        lambda v, k: f"{v!r} ({k} rows) is not in the map of item {item.id}; kept as written."))
            valid |= (normed.notna() & ~unknown).to_numpy() & in_item
            if item.role != "instructor" and vocab_name:
                mapped = mapped.where(~unknown, None)
            rows[_CATEGORY + item.id] = mapped.astype("string").to_numpy()
            if item.role == "audience":
                rows["audience"] = mapped.astype("string").fillna(rows["audience"]).to_numpy()
            elif item.role in ("instructor", "format", "style"):
                rows[item.role] = mapped.astype("string").to_numpy()
        elif item.type == "multi":
            for pos, raw_text in enumerate(_cell_list(series)):
                text = normalize_text(raw_text)
                if text is None:
                    continue
                found, rest = _match_options(text, item.options)
                for opt in found:
                    choices.append((pos, item.id, opt))
                if found:
                    valid[pos] = True
                if rest:
                    label = item.other or "other"
                    choices.append((pos, item.id, label))
                    texts.append((pos, f"{item.id}_other", rest))
                    valid[pos] = True
                    problems.append(_problem_frame(file, [rows_no[pos]], col, [raw_text], "other_option", "kept",
                                                   f"text not among the options of {item.id}; kept as {label!r}."))
        elif item.type == "text":
            # free text is kept as written (stripped): NFKC would turn ① into 1 and change quotes
            kept_text = series.map(lambda v: v.strip() if isinstance(v, str) and v.strip() else None)
            has = kept_text.notna().to_numpy()
            valid |= has
            kept_values = kept_text.to_numpy(dtype=object)
            for pos in np.flatnonzero(has):
                texts.append((pos, item.id, kept_values[pos]))
        if not counts:
            valid = valid_before

    # exclude rules
    excluded = drop.copy()
    for i, rule in enumerate(cb.exclude):
        col = find_column(raw, [rule.column])
        if col is None:
            continue
        exclude_seen.add(i)
        normed = _per_value(frame[col], normalize_text)
        values = set(rule.values)
        if cb.respondent_key is not None and col == key_col:
            # codes as the key column reads them: `values: [0000]` (YAML: 0) and 93 name 0000 and 0093
            normed = rows["code"]
            values = {normalize_code(v, cb.respondent_key.width) for v in values}
        hit = normed.isin(list(values)).to_numpy() & ~excluded
        if hit.any():
            pos = np.flatnonzero(hit)
            if first:
                row_problems.append(_problem_frame(file, rows_no[pos], col, frame[col].iloc[pos].tolist(),
                                                   "excluded", "dropped", f"excluded by rule: {rule.reason}."))
            excluded |= hit

    empty = ~valid & ~excluded
    if empty.any() and problems:
        # a row dropped as empty (a footer such as 回収数 | 12枚) keeps no "kept" problem rows
        empty_rows = set(rows_no[empty].tolist())
        problems = [p[~((p["action"] == "kept") & p["source_row"].isin(empty_rows))] for p in problems]
    if empty.any():
        pos = np.flatnonzero(empty)
        # what the row holds, without the export's system cells (id, times, e-mail, name)
        shown = [c for c in frame.columns if c not in raw.meta_columns]
        first_vals = frame.iloc[pos][shown].apply(
            lambda r: " | ".join(str(v) for v in r if v is not None and v == v)[:60], axis=1) \
            if shown else pd.Series([""] * len(pos))
        of_wave = f" for wave {wave}" if src.waves else ""
        problems.append(_problem_frame(file, rows_no[pos], None, first_vals.tolist(), "empty_submission", "dropped",
                                       f"no valid answer to any item{of_wave} (blank row, footer or blank sheet); "
                                       f"dropped."))
    for problem, role_item, blank in blank_role:
        # a row with answers but no course (or wave) cannot be placed: an error, the row left out
        blank &= ~excluded & ~empty
        if blank.any() and first:
            pos = np.flatnonzero(blank)
            row_problems.append(_problem_frame(
                file, rows_no[pos], role_item.column[0], [None] * len(pos), problem, "error",
                f"the {role_item.role} cell is blank ({len(pos)} rows); these rows are left out."))
        excluded |= blank
    live = ~excluded & ~empty
    careless, flagged = _careless(cb, {a[0]: a[1] for a in answers} if n else {}, raw, n, live, file, rows_no)
    problems.extend(flagged)
    rows["careless"] = careless
    if cb.exclude_careless:
        live &= ~careless
    key_missing = live & rows["code"].isna().to_numpy() & (key_col is not None)
    if key_missing.any():
        pos = np.flatnonzero(key_missing)
        problems.append(_problem_frame(file, rows_no[pos], key_col, [None] * len(pos), "missing_key", "kept",
                                       "respondent code is blank; kept but cannot be linked to other waves."))
    rows["keep"] = live
    if first:
        validation.extend(row_problems)
    validation.extend(problems)
    # a row whose wave (from the `role: wave` column) did not ask an item has no answer to it,
    # not a missing one; the careless check above needed the full columns
    if answers:
        taken = [np.flatnonzero(m) for _, _, _, m in answers]
        answer_frame = pd.DataFrame({
            "row_pos": np.concatenate(taken).astype(np.int64),
            "item_id": pd.Series([a[0] for a in answers]).array.take(
                np.repeat(np.arange(len(answers)), [len(t) for t in taken])),
            "value": pd.array(np.concatenate([a[1][t] for a, t in zip(answers, taken)]),
                              dtype="Float64").astype("Int64"),
            "label": _take_cells([a[2] for a in answers], taken)})
    else:
        answer_frame = pd.DataFrame(columns=["row_pos", *ANSWERS[1:]])
    return _Decoded(rows=rows,
                    answers=answer_frame,
                    choices=pd.DataFrame(choices, columns=["row_pos", "item_id", "option"]),
                    texts=pd.DataFrame(texts, columns=["row_pos", "item_id", "text"]),
                    problems=problems, key_column=key_col, columns=resolved)


def _take_cells(columns: list[pd.Series], rows: list[np.ndarray]):
    """The cells ``rows`` of each column, one after the other (one array; a frame column of
    strings stays as it is stored)."""
    arrays = [c.array for c in columns]
    if all(type(a) is type(arrays[0]) and a.dtype == arrays[0].dtype for a in arrays) \
            and isinstance(arrays[0].dtype, pd.StringDtype):
        return type(arrays[0])._concat_same_type([a.take(r) for a, r in zip(arrays, rows)])
    return pd.concat([c.iloc[r] for c, r in zip(columns, rows)], ignore_index=True)


def _waves_label(src: Source, rows: pd.DataFrame | None = None) -> str:
    """How the summary names a source's wave(s): ``pre``, ``then+followup``, or the waves its rows gave."""
    if src.waves:
        return "+".join(src.waves)
    if src.wave is not None:
        return src.wave
    if rows is None:
        return "-"
    return "+".join(w for w in ("pre", "post", "followup", "then") if (rows.loc[rows["keep"], "wave"] == w).any())


def _same_columns(sources: list[Source], decoded: list[_Decoded], cb: Codebook) -> list[pd.DataFrame]:
    """A file listed for two waves whose scale item is read from the same column in both:
    `column:` alternatives matched the first wording twice (give `columns:` per wave)."""
    out, seen = [], {}
    for src, d in zip(sources, decoded):
        wave = d.rows["wave"].dropna().iloc[0] if d.rows["wave"].notna().any() else None
        if src.wave is None and not src.waves:
            continue
        for item_id, col in (d.columns or {}).items():
            if cb.item(item_id).type != "scale":
                continue
            key = (src.file, src.sheet, item_id)
            other = seen.setdefault(key, (wave, col, src))
            if other[0] != wave and other[1] == col:
                out.append(_problem_frame(
                    _source_label(src), None, col, [None], "same_column", "error",
                    f"item {item_id} is read from the same column for waves {other[0]} and {wave} of this file; "
                    f"give the item `columns: {{{other[0]}: HEADER, {wave}: HEADER}}` (and the source "
                    f"`waves: [{other[0]}, {wave}]`)."))
    return out


def _source_label(src: Source) -> str:
    """How messages and tables name a source: its path, and its sheet when it names one
    (two sheets of one workbook are two sources: ``raw/paper.xlsx [事前]``)."""
    return src.file if src.sheet is None else f"{src.file} [{src.sheet}]"


def _latest_first_order(df: pd.DataFrame) -> pd.DataFrame:
    """Sort so the latest submission comes last.

    A submission's time is its last-modified time when the export has one (an edited
    Microsoft Forms response), else its timestamp, else its completion time; ties and
    unknown times fall back to the later row.
    """
    when = pd.to_datetime(df["last_modified"])
    for col in ("submitted_at", "completed_at"):
        when = when.fillna(pd.to_datetime(df[col]))
    df["_when"] = when.fillna(pd.Timestamp.min)
    return df.sort_values(["_when", "source_index", "source_row"], kind="mergesort")


def load_study(path: str | Path = "data", *, names: list[str] | None = None) -> Study:
    """Read a study folder into a :class:`~dxsurvey.study.Study`.

    Parameters
    ----------
    path : path
        Folder with survey.yaml, courses.csv and raw/.
    names : list of str, optional
        Names to mask in free text; default: the study's ``names.txt``.

    Raises
    ------
    CodebookError
        When survey.yaml or courses.csv is wrong (nothing can be read then).
        Problems in the raw files never raise: they are rows of ``study.validation``
        and the rest of the data is still analysed.
    """
    root = Path(path)
    cb = load_codebook(root)
    courses = load_courses(root / "courses.csv", cb.vocabularies)
    names = privacy.load_names(root) if names is None else names
    secret = _secret(root)
    validation: list[pd.DataFrame] = []
    exclude_seen: set[int] = set()
    decoded: list[_Decoded] = []
    decoded_sources: list[Source] = []
    decoders: dict = {}
    summary = []
    for src in cb.sources:
        fpath = root / src.file
        label = _source_label(src)
        try:
            raw = read_source(fpath, format=src.format, encoding=src.encoding, sheet=src.sheet,
                              header_rows=list(src.header_rows) if src.header_rows else None)
        except SourceError as exc:
            pf = _problem_frame(label, None, None, [None], "unreadable_source", "error", "")
            reason = str(exc).replace(str(fpath), src.file)
            pf["message"] = reason if reason.startswith(src.file) else f"{label}: {reason}"
            validation.append(pf)
            summary.append({"source_file": label, "course_id": src.course, "wave": _waves_label(src),
                            "format": src.format, "encoding": src.encoding, "rows": 0})
            continue
        if raw.problems:
            pf = pd.DataFrame(raw.problems)
            pf["source_file"] = label
            pf["message"] = pf["message"].astype(str).str.replace(str(fpath), src.file, regex=False)
            validation.append(pf.reindex(columns=list(VALIDATION)))
        for k, wave in enumerate(src.row_waves):
            d = _decode_source(src, raw, cb, courses, names, secret, validation, exclude_seen,
                               wave=wave, first=k == 0, decoders=decoders)
            decoded.append(d)
            decoded_sources.append(src)
        course = src.course
        if course is None:
            placed = d.rows.loc[d.rows["keep"], "course_id"].dropna().unique()
            course = ", ".join(sorted(placed)[:3]) + (f" … ({len(placed)})" if len(placed) > 3 else "")
        summary.append({"source_file": label, "course_id": course, "wave": _waves_label(src, d.rows),
                        "format": raw.format, "encoding": raw.encoding, "rows": len(raw.frame)})
    validation.extend(_same_columns(decoded_sources, decoded, cb))

    if cb.respondent_key is not None and not cb.respondent_key.generated:
        # a source without the code column in a course whose other sources have it: a renamed or
        # dropped question, not an anonymous course; its submissions cannot be linked
        keyed_courses = {src.course for src, d in zip(decoded_sources, decoded) if d.key_column is not None}
        for src, d in zip(decoded_sources, decoded):
            if d.key_column is None and src.course in keyed_courses and src.course is not None:
                validation.append(_problem_frame(
                    _source_label(src), None, cb.respondent_key.column[0], [None], "missing_key", "kept",
                    f"respondent code column not found, while other files of course {src.course} have it; "
                    f"this file's submissions are kept but cannot be linked to other waves. Add the file's "
                    f"wording to `respondent_key: column:` in survey.yaml."))

    for i, rule in enumerate(cb.exclude):
        if i not in exclude_seen and decoded:
            # a rule whose column no file has excludes nothing: say so (a typo would keep test answers)
            validation.append(_problem_frame(
                "survey.yaml", None, rule.column, [None], "missing_column", "kept",
                f"exclude[{i}] ({rule.reason}) names a column that no source has; nothing was excluded by it."))
    if decoded:
        rows = pd.concat([d.rows.assign(_src=i) for i, d in enumerate(decoded)], ignore_index=True)
    else:
        rows = pd.DataFrame(columns=["course_id", "wave", "source_file", "source_row", "source_index",
                                     "row_pos", "submitted_at", "last_modified", "completed_at", "audience",
                                     "instructor", "format", "style", "careless", "code", "keep", "_src"])
    rows["uid"] = np.arange(len(rows), dtype=np.int64)

    # duplicates: latest wins within course x wave x code
    kept = rows[rows["keep"].astype(bool)].copy()
    keyed = kept[kept["code"].notna()]
    if len(keyed):
        ordered = _latest_first_order(keyed.copy())
        dup = ordered.duplicated(["course_id", "wave", "code"], keep="last")
        losers = ordered[dup]
        if len(losers):
            key_label = cb.respondent_key.column[0] if cb.respondent_key else None
            winners = ordered[~dup].set_index(["course_id", "wave", "code"])["source_row"]
            msgs = [f"{_where(f, r, key_label, k)}: duplicate submission of this respondent in {c}/{w}; "
                    f"the later one (row {winners.loc[(c, w, k)]}) is kept, this one dropped."
                    for f, r, c, w, k in zip(losers["source_file"], losers["source_row"], losers["course_id"],
                                             losers["wave"], losers["code"])]
            validation.append(pd.DataFrame({
                "source_file": losers["source_file"].to_numpy(), "source_row": losers["source_row"].to_numpy(),
                "column": key_label, "value": losers["code"].to_numpy(), "problem": "duplicate_submission",
                "action": "dropped", "message": msgs}, columns=list(VALIDATION)))
            kept = kept[~kept["uid"].isin(losers["uid"])]

    kept = kept.sort_values("uid").reset_index(drop=True)
    kept["submission_id"] = np.arange(1, len(kept) + 1, dtype=np.int64)

    # fuzzy matching of self-generated codes (logged)
    fuzzy_counts: dict = {}
    if cb.respondent_key is not None and cb.respondent_key.fuzzy:
        kept, fuzzy_log = apply_fuzzy_matching(kept, max_distance=cb.respondent_key.fuzzy)
        if len(fuzzy_log):
            fuzzy_counts = fuzzy_log.groupby("course_id").size().to_dict()
            fuzzy_log["column"] = cb.respondent_key.column[0]
            fuzzy_log["message"] = [f"{_where(f, r, c, v)}: {m}" for f, r, c, v, m in zip(
                fuzzy_log["source_file"], fuzzy_log["source_row"], fuzzy_log["column"], fuzzy_log["value"],
                fuzzy_log["message"])]
            validation.append(fuzzy_log.reindex(columns=list(VALIDATION)))

    sensitive = set(kept["code"].dropna().unique()) | set(rows["code"].dropna().unique())
    kept["respondent_key"] = _hash_codes(kept["code"], secret)
    sensitive |= set(kept["respondent_key"].dropna().unique())

    # a decoded source's rows are consecutive in `rows` (uid = its first uid + row_pos)
    first_uid = np.concatenate(([0], np.cumsum([len(d.rows) for d in decoded]))).astype(np.int64)
    sid_of_uid = np.full(len(rows), -1, dtype=np.int64)      # -1: not kept
    sid_of_uid[kept["uid"].to_numpy(dtype=np.int64)] = kept["submission_id"].to_numpy(dtype=np.int64)

    def _attach(part: str, cols) -> pd.DataFrame:
        parts = [(i, getattr(d, part)) for i, d in enumerate(decoded) if len(getattr(d, part))]
        if not parts:
            return pd.DataFrame(columns=list(cols))
        t = pd.concat([p for _, p in parts], ignore_index=True)
        sid = sid_of_uid[np.concatenate([first_uid[i] + p["row_pos"].to_numpy(dtype=np.int64) for i, p in parts])]
        on = sid >= 0
        t = t[on].copy()
        t["submission_id"] = sid[on]
        return t[list(cols)].reset_index(drop=True).sort_values(["submission_id", "item_id"], kind="mergesort") \
            .reset_index(drop=True)

    answers = _attach("answers", ANSWERS)
    answers["value"] = answers["value"].astype("Int64")
    answers["item_id"] = answers["item_id"].astype("string")
    # personal data typed into any cell (a Likert answer, 役職) is masked before anything keeps it
    answers["label"] = privacy.mask_series(answers["label"].astype("string"), names=names)
    choices = _attach("choices", CHOICES)
    texts = _attach("texts", TEXTS)
    if len(texts):
        # tagged: SudachiPy's person names too (hiragana given names, rare surnames)
        texts["text"] = privacy.mask_series(texts["text"], names=names, tagged=True)

    cat_cols = [_CATEGORY + it.id for it in cb.items_of("category") if _CATEGORY + it.id in kept.columns]
    for col in ("instructor", "format", "style"):
        if col not in kept.columns:
            kept[col] = pd.NA
    if "careless" not in kept.columns:
        kept["careless"] = False
    submissions = kept[list(SUBMISSIONS) + cat_cols].copy()
    submissions.columns = [*SUBMISSIONS, *(c[len(_CATEGORY):] for c in cat_cols)]
    for col in ("course_id", "wave"):
        submissions[col] = submissions[col].astype(str)
    for col in ("instructor", "format", "style"):
        submissions[col] = submissions[col].astype("string")
    submissions["careless"] = submissions["careless"].fillna(False).astype(bool)
    for c in submissions.columns[len(SUBMISSIONS):]:
        submissions[c] = privacy.mask_series(submissions[c], names=names)
    submissions["submitted_at"] = pd.to_datetime(submissions["submitted_at"])
    submissions["audience"] = submissions["audience"].astype("string")
    submissions["source_row"] = submissions["source_row"].astype("int64")

    from .ideas import ideas_validation      # the optional ideas register, validated like every input
    ideas_val = ideas_validation(root, courses)
    if len(ideas_val):
        validation.append(ideas_val)
    val = pd.concat(validation, ignore_index=True) if validation else pd.DataFrame(columns=list(VALIDATION))
    val = val.reindex(columns=list(VALIDATION))
    val["source_row"] = pd.to_numeric(val["source_row"], errors="coerce").astype("Int64")
    val["value"] = val["value"].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
    if cb.respondent_key is not None and len(val):
        val = _hash_logged_codes(val, cb, set(rows["code"].dropna()), secret)
    # the log quotes what was typed (a dropped row's cells too): masked before it is saved or printed
    val["value"] = privacy.mask_series(val["value"].astype(object), names=names)
    val["message"] = privacy.mask_series(val["message"].astype(object), names=names)

    link = linkage_table(submissions, fuzzy_counts)
    summ = _source_summary(pd.DataFrame(summary), submissions, val)
    return Study(root=root, codebook=cb, courses=courses, submissions=submissions.reset_index(drop=True),
                 answers=answers, texts=texts, validation=val.reset_index(drop=True), choices=choices,
                 linkage=link, source_summary=summ, sensitive=frozenset(sensitive))


def _hash_logged_codes(val: pd.DataFrame, cb: Codebook, codes: set, secret: bytes) -> pd.DataFrame:
    """Respondent codes are stored only as keyed hashes, in the validation log too.

    Rows about a respondent's code (duplicates, fuzzy matches) carry the code's keyed hash
    (``#`` + 16 hex digits) instead of the code, in ``value`` and inside the message; the
    file and row still say where the submission is.  Exclusions keep their value: it is
    the test code the codebook itself lists.
    """
    width = cb.respondent_key.width
    key_cols = {normalize_text(c) for c in cb.respondent_key.column}

    def digest(text):
        code = normalize_code(text, width)
        if code is None or code not in codes:
            return text
        return "#" + hmac.new(secret, code.encode("utf-8"), hashlib.sha256).hexdigest()[:16]

    quoted = re.compile(r"(?<=[「'])([^」'\n]{1,40})(?=[」'])")
    val = val.copy()
    on_key = [isinstance(c, str) and normalize_text(c) in key_cols and p in ("duplicate_submission", "fuzzy_match", "bad_code")
              for c, p in zip(val["column"], val["problem"])]
    val["value"] = [digest(v) if k and isinstance(v, str) else v for k, v in zip(on_key, val["value"])]
    val["message"] = [quoted.sub(lambda g: digest(g.group(1)), m) if k and isinstance(m, str) else m
                      for k, m in zip(on_key, val["message"])]
    return val


def _source_summary(summary: pd.DataFrame, submissions: pd.DataFrame, val: pd.DataFrame) -> pd.DataFrame:
    if not len(summary):
        return pd.DataFrame(columns=["source_file", "course_id", "wave", "format", "encoding", "rows", "kept",
                                     "empty_submission", "duplicate_submission", "excluded", "errors", "warnings"])
    kept = submissions.groupby("source_file").size()
    summary["kept"] = summary["source_file"].map(kept).fillna(0).astype(int)
    for reason in ("empty_submission", "duplicate_submission", "excluded"):
        counts = val[val["problem"] == reason].groupby("source_file").size()
        summary[reason] = summary["source_file"].map(counts).fillna(0).astype(int)
    errors = val[val["action"] == "error"].groupby("source_file").size()
    warns = val[val["action"].isin(["set_missing", "kept"])].groupby("source_file").size()
    summary["errors"] = summary["source_file"].map(errors).fillna(0).astype(int)
    summary["warnings"] = summary["source_file"].map(warns).fillna(0).astype(int)
    return summary


def write_tables(study: Study, out_dir: str | Path) -> list[Path]:
    """Write the tidy tables as Parquet (atomic: temp file then rename). Returns the paths.

    Raises :class:`~dxsurvey.study.StudyFolderError` when ``out_dir`` is the study's
    ``raw/`` or below it (symbolic links followed).
    """
    out = Path(out_dir)
    check_outside_raw(out, study.root)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ("submissions", "answers", "choices", "texts", "validation", "linkage", "source_summary"):
        df = getattr(study, name)
        target = out / f"{name}.parquet"
        tmp = out / f".{name}.parquet.tmp"
        df.to_parquet(tmp, index=False)
        tmp.replace(target)
        written.append(target)
    return written
