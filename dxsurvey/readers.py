"""Read one raw questionnaire export into a uniform table.

Every export shape listed in ``FORMATS.md`` (Google Forms CSV, Microsoft Forms
"Excel で開く" workbooks, LoGoフォーム CP932 CSV, paper questionnaires typed into
Excel) comes out of :func:`read_source` as a :class:`RawTable`: one row per data
record, columns named by their normalised header text, cells as written.  Nothing
is dropped or interpreted here beyond what is needed to find the header; ingest
decides which rows are submissions.

The module never writes to the source file.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import itertools
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dxsurvey.schema import VALIDATION

__all__ = [
    "FORMATS",
    "META_FIELDS",
    "READER_PROBLEMS",
    "RawTable",
    "SourceError",
    "closest_headers",
    "find_column",
    "normalize_text",
    "parse_timestamp",
    "parse_timestamps",
    "read_source",
]

#: Allowed values of ``read_source(format=...)`` and of ``RawTable.format``.
FORMATS = ("google_forms", "ms_forms", "csv", "xlsx")

#: Columns of ``RawTable.meta``, in order.
META_FIELDS = ("submitted_at", "last_modified", "completed_at", "response_id", "email")

#: Problems the reader itself can report in ``RawTable.problems``.
READER_PROBLEMS = ("duplicate_header", "bad_timestamp", "row_names", "ragged_row", "unclosed_quote",
                   "undecodable_line", "encoding_mismatch", "formula_without_value")

#: Local zone of the users; zoned timestamps are converted to its wall clock.
LOCAL_TZ = "Asia/Tokyo"
_LOCAL_OFFSET = 9 * 60  # minutes east of UTC; Asia/Tokyo has had no DST since 1951


class SourceError(Exception):
    """A source file cannot be read at all.

    The message names the file and says what the user can do about it.
    """


# --------------------------------------------------------------------------- text

_PANDAS3 = int(pd.__version__.split(".")[0]) >= 3


def _to_text(series: pd.Series) -> pd.Series:
    """A column of text cells with missing values kept missing.

    pandas 3: the default ``str`` dtype (NaN for missing).  pandas 2, where
    ``astype(str)`` would write ``"nan"``: object dtype with ``None``.
    """
    if _PANDAS3:
        return series if series.dtype == "str" else series.astype("str")
    return series.astype(object).where(series.notna(), None)


_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"\s+")


def _cell_text(value: Any) -> str | None:
    """Turn one cell value (str, Excel number, datetime...) into text as written.

    Excel numbers lose a spurious ``.0`` (``93.0`` -> ``"93"``); datetimes become
    ISO text (``"2024-10-11 08:55:06"``, a pure date ``"2024-10-11"``).  ``None``,
    NaN and ``""`` give ``None``.  Strings are returned unchanged.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return str(value)
        if float(value).is_integer() and abs(value) < 1e16:
            return str(int(value))
        return f"{float(value):.15g}"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return None
    text = str(value)
    return text if text != "" else None


def normalize_text(value: Any) -> str | None:
    """Normalise a header or label for matching.

    Unicode NFKC (full-width letters and digits, U+3000 and U+00A0 become their
    plain forms), zero-width characters removed, every whitespace run (spaces,
    tabs, line breaks) collapsed to one space, then stripped.

    Parameters
    ----------
    value : object
        Text, an Excel number (``93.0`` reads as ``"93"``), ``None`` or NaN.

    Returns
    -------
    str or None
        ``None`` when nothing is left.

    Examples
    --------
    >>> normalize_text("  ＤＸの\\n必要性\u3000を理解\u00a0している ")
    'DXの 必要性 を理解 している'
    >>> normalize_text(93.0)
    '93'
    >>> normalize_text(" \\n ") is None
    True
    """
    text = _cell_text(value)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    return text or None


# ---------------------------------------------------------------------- timestamps

_AMPM = re.compile(r"(午前|午後|\b[AaPp]\.?[Mm]\.?(?=\s|$|[^A-Za-z]))")
_ZONE = re.compile(
    r"\s*(?:(?P<name>GMT|UTC|JST|Z)\s*)?(?:(?P<sign>[+-])(?P<hh>\d{1,2})(?::?(?P<mm>\d{2}))?)?\s*$"
)
_YMD = re.compile(r"^(?P<y>\d{4})[/\-.](?P<m>\d{1,2})[/\-.](?P<d>\d{1,2})")
_MDY = re.compile(r"^(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})")
_TIME = re.compile(
    r"^(?P<H>\d{1,2})(?::(?P<M>\d{1,2})(?::(?P<S>\d{1,2})(?:\.(?P<f>\d{1,9}))?)?)?$"
)
_KANJI_DATE = (("年", "/"), ("月", "/"), ("日", " "), ("時", ":"), ("分", ":"), ("秒", " "))


def _parse_text_timestamp(text: str) -> dt.datetime | None:
    """Parse one normalised timestamp string; ``None`` when it is not one."""
    if "年" in text or "時" in text:
        for kanji, sep in _KANJI_DATE:
            text = text.replace(kanji, sep)
        text = re.sub(r":(\s|$)", r"\1", text).strip()
    # clock half: 午前/午後/AM/PM before or after the time (Google writes it after)
    half = None
    found = _AMPM.findall(text)
    if len(found) > 1:
        return None
    if found:
        token = found[0]
        half = "pm" if token == "午後" or token[0] in "Pp" else "am"
        text = _AMPM.sub(" ", text).strip()
    date_match = _YMD.match(text)
    if date_match:
        year, month, day = (int(date_match.group(k)) for k in ("y", "m", "d"))
    else:
        date_match = _MDY.match(text)
        if not date_match:
            return None
        first, second = int(date_match.group("a")), int(date_match.group("b"))
        year = int(date_match.group("y"))
        # US order (English UI) unless the first number cannot be a month
        month, day = (first, second) if first <= 12 else (second, first)
    rest = text[date_match.end():].strip()
    if rest.startswith("T"):
        rest = rest[1:]
    # zone after the time: "GMT+9", "+09:00", "Z", "UTC", "JST"
    offset = None
    zone = _ZONE.search(rest)
    if zone and zone.group(0).strip():
        if zone.group("sign"):
            minutes = int(zone.group("hh")) * 60 + int(zone.group("mm") or 0)
            offset = minutes if zone.group("sign") == "+" else -minutes
        elif zone.group("name") == "JST":
            offset = 9 * 60
        else:
            offset = 0
        rest = rest[: zone.start()].strip()
    hour = minute = second_ = micro = 0
    if rest:
        time_match = _TIME.match(rest)
        if not time_match:
            return None
        hour = int(time_match.group("H"))
        minute = int(time_match.group("M") or 0)
        second_ = int(time_match.group("S") or 0)
        micro = int((time_match.group("f") or "0").ljust(6, "0")[:6])
    elif half is not None or offset is not None:
        return None
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if not 1900 <= year <= 2200:
        return None
    try:
        value = dt.datetime(year, month, day, hour, minute, second_, micro)
    except ValueError:
        return None
    if offset is not None and offset != _LOCAL_OFFSET:
        value += dt.timedelta(minutes=_LOCAL_OFFSET - offset)
    return value


def parse_timestamp(value: Any) -> pd.Timestamp:
    """Parse one submission time as the exports write it.

    Accepts Google Forms' download format (``2026/06/13 2:12:54 午後 GMT+9``), the
    linked sheet's (``2024/10/11 8:55:06``), ISO-like text (``2024-10-11 08:55``,
    ``2024-10-11T08:55:06+09:00``), English 12-hour text (``6/13/2026 2:12:54 PM``;
    month first unless the first number exceeds 12), ``2024年10月11日 8時55分``,
    full-width digits, and datetime objects (Excel date-time cells).

    Parameters
    ----------
    value : object
        Text, ``datetime``, ``pandas.Timestamp``, ``None`` or NaN.

    Returns
    -------
    pandas.Timestamp or pandas.NaT
        Naive local time (Asia/Tokyo wall clock): a zoned value is converted to
        Tokyo time and its zone dropped.  ``NaT`` when empty or not a timestamp.

    Examples
    --------
    >>> parse_timestamp("2026/06/13 2:12:54 午後 GMT+9")
    Timestamp('2026-06-13 14:12:54')
    >>> parse_timestamp("6/13/2026 12:05:00 AM")
    Timestamp('2026-06-13 00:05:00')
    >>> parse_timestamp("2024-10-11T08:55:06Z")
    Timestamp('2024-10-11 17:55:06')
    >>> parse_timestamp("回収数")
    NaT
    """
    if value is None or value is pd.NaT or value is pd.NA:
        return pd.NaT
    if isinstance(value, (dt.datetime, pd.Timestamp, np.datetime64)):
        stamp = pd.Timestamp(value)
        if stamp is pd.NaT:
            return pd.NaT
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert(LOCAL_TZ).tz_localize(None)
        return stamp
    if isinstance(value, dt.date):
        return pd.Timestamp(value)
    if not isinstance(value, str):
        return pd.NaT
    text = normalize_text(value)
    if text is None:
        return pd.NaT
    parsed = _parse_text_timestamp(text)
    return pd.NaT if parsed is None else pd.Timestamp(parsed)


_FAST_FORMATS = (
    "%Y/%m/%d %H:%M:%S",       # Google linked sheet
    "%Y/%m/%d %I:%M:%S %p",    # Google download, after 午前/午後 -> AM/PM and GMT+9 dropped
    "%Y-%m-%d %H:%M:%S",       # Excel date-time cells as read_source writes them
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %I:%M:%S %p",    # English UI
    "%Y/%m/%d",
)


def _fast_format(sample: str) -> str | None:
    for fmt in _FAST_FORMATS:
        try:
            dt.datetime.strptime(sample, fmt)
        except ValueError:
            continue
        return fmt
    return None


def parse_timestamps(values: Any) -> pd.Series:
    """Vectorised :func:`parse_timestamp` over a column.

    The common layout of a column (sniffed from its first value) is parsed in one
    vectorised pass; whatever that leaves goes through :func:`parse_timestamp`.

    Parameters
    ----------
    values : pandas.Series or sequence
        Cells of one time column.

    Returns
    -------
    pandas.Series
        ``datetime64[ns]``, same index as ``values`` (a RangeIndex for a sequence).

    Examples
    --------
    >>> parse_timestamps(["2024/10/11 8:55:06", None, "x"]).tolist()
    [Timestamp('2024-10-11 08:55:06'), NaT, NaT]
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    out = np.full(len(series), np.datetime64("NaT"), dtype="datetime64[ns]")
    todo = series.notna().to_numpy().copy()
    if todo.any() and pd.api.types.is_string_dtype(series.dtype):
        strings = _to_text(series)
        cooked = (
            strings.str.strip()
            .str.replace(r"\s*(?:GMT|UTC)\+0?9(?::?00)?$", "", regex=True)
            .str.replace("午後", "PM", regex=False)
            .str.replace("午前", "AM", regex=False)
        )
        first = cooked.iat[int(np.argmax(todo))]
        fmt = _fast_format(first) if isinstance(first, str) else None
        if fmt is not None:
            parsed = pd.to_datetime(cooked, format=fmt, errors="coerce").to_numpy()
            year = parsed.astype("datetime64[Y]").astype(np.int64) + 1970     # NaT: far below 1900
            good = ~np.isnat(parsed) & (year >= 1900) & (year <= 2200)
            out[good] = parsed[good].astype("datetime64[ns]")
            todo &= ~good
    if todo.any():
        cache: dict[Any, Any] = {}
        rest = []
        for item in series[todo].astype(object).tolist():
            key = item if isinstance(item, str) else repr(item)
            if key not in cache:
                stamp = parse_timestamp(item)
                cache[key] = None if stamp is pd.NaT else stamp.to_datetime64()
            rest.append(cache[key])
        out[todo] = pd.to_datetime(pd.Series(rest, dtype=object)).astype("datetime64[ns]").to_numpy()
    return pd.Series(out, index=series.index)


# ---------------------------------------------------------------- system columns

# normalised, case-folded header -> meta field (None: a system column that feeds
# no meta field).  Per format; plain CSV/XLSX (LoGoフォーム, paper) take the union.
_GOOGLE_SYSTEM = {
    "タイムスタンプ": "submitted_at",
    "timestamp": "submitted_at",
    "メールアドレス": "email",
    "email address": "email",
    "スコア": None,
    "score": None,
}
_MS_SYSTEM = {
    "id": "response_id",
    "開始時刻": None,
    "start time": None,
    "完了時刻": "completed_at",
    "completion time": "completed_at",
    "メール": "email",
    "email": "email",
    "名前": None,
    "name": None,
    "最終変更時刻": "last_modified",
    "最終更新時刻": "last_modified",
    "last modified time": "last_modified",
    "合計ポイント": None,
    "total points": None,
    "クイズのフィードバック": None,
    "quiz feedback": None,
}
# MS Forms quiz columns "ポイント - <question>" / "フィードバック - <question>"
_MS_QUIZ_PREFIX = re.compile(r"^(ポイント|フィードバック|points|feedback) - ", re.IGNORECASE)
# LoGoフォーム and other form systems (no public sample: the usual Japanese names)
_PLAIN_SYSTEM = {
    "回答id": "response_id",
    "回答番号": "response_id",
    "受付番号": "response_id",
    "受付id": "response_id",
    "申込番号": "response_id",
    "申請番号": "response_id",
    "回答日時": "submitted_at",
    "送信日時": "submitted_at",
    "受付日時": "submitted_at",
    "申込日時": "submitted_at",
    "申請日時": "submitted_at",
    "登録日時": "submitted_at",
    "回答完了日時": "completed_at",
    "回答終了日時": "completed_at",
    "回答開始日時": None,
    "更新日時": "last_modified",
    "最終更新日時": "last_modified",
    **_GOOGLE_SYSTEM,
    **_MS_SYSTEM,
}
_SYSTEM_BY_FORMAT = {
    "google_forms": _GOOGLE_SYSTEM,
    "ms_forms": _MS_SYSTEM,
    "csv": _PLAIN_SYSTEM,
    "xlsx": _PLAIN_SYSTEM,
}
_TIME_FIELDS = ("submitted_at", "last_modified", "completed_at")
_MS_LEADS = (("id", "開始時刻", "完了時刻"), ("id", "start time", "completion time"))
_GOOGLE_LEADS = ("タイムスタンプ", "timestamp")


# ------------------------------------------------------------------------ RawTable


@dataclass
class RawTable:
    """One source file read into a uniform table.

    Attributes
    ----------
    path : pathlib.Path
        The file read.
    format : str
        One of :data:`FORMATS` (paper Excel is ``"xlsx"``, LoGoフォーム ``"csv"``).
    encoding : str or None
        Encoding used for a CSV (``"utf-8"``, ``"utf-8-sig"``, ``"cp932"``...);
        ``None`` for Excel.
    frame : pandas.DataFrame
        One row per record below the header, RangeIndex.  Columns are the
        normalised header texts, unique (a repeated header gets `` (2)``, a blank
        one ``(column C)``).  Cells are text as written (string dtype, not
        normalised; Excel numbers without ``.0``), empty cells missing.  Blank
        rows and footers are kept; trailing blank rows/columns are not.
    source_rows : list of int
        For each frame row, the 1-based row the user sees: the Excel row number,
        or for a CSV the physical line where the record starts (header = line 1).
    meta : pandas.DataFrame
        Same index as ``frame``; columns :data:`META_FIELDS`: ``submitted_at``,
        ``last_modified``, ``completed_at`` (``datetime64[ns]``, NaT when absent or
        unparsable), ``response_id`` and ``email`` (string, NA when absent;
        MS Forms' ``anonymous`` is NA).
    meta_columns : set of str
        Frame columns that are system columns of the export (timestamps, ids,
        e-mail, respondent name, quiz points), not questions.
    header_parts : dict of str to list of str
        With ``header_rows``: the distinct normalised parts joined into each
        column's header.  Empty otherwise.
    problems : list of dict
        Validation rows (keys :data:`dxsurvey.schema.VALIDATION`): duplicate
        headers, unparsable timestamps.
    """

    path: Path
    format: str
    encoding: str | None
    frame: pd.DataFrame
    source_rows: list[int]
    meta: pd.DataFrame
    meta_columns: set[str] = field(default_factory=set)
    header_parts: dict[str, list[str]] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)
    #: find_column's lookup tables, built once per table (with the columns they were built for)
    _lookup: tuple | None = field(default=None, repr=False, compare=False)


def _problem(path: Path, row: int | None, column: str | None, value: Any, problem: str,
             action: str, message: str) -> dict:
    return dict(zip(VALIDATION, (str(path), row, column, value, problem, action, message)))


# ----------------------------------------------------------------- file sniffing

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}
_SJIS_FAMILY = {"cp932", "shift_jis", "shift_jis_2004", "shift_jisx0213", "ms932", "sjis",
                "mskanji", "ms_kanji", "windows-31j", "windows_31j"}
_JAPANESE_CODECS = _SJIS_FAMILY | {"euc_jp", "euc_jis_2004", "euc_jisx0213", "iso2022_jp",
                                   "iso2022_jp_2", "iso2022_jp_ext"}
_TRY_ENCODINGS = "utf-8, utf-8-sig, cp932"
_SAMPLE_BYTES = 1 << 20  # bytes charset-normalizer looks at


def _container(path: Path, head: bytes, format: str | None) -> str:
    """``"xlsx"`` or ``"csv"``: how the bytes must be opened."""
    if head.startswith(_OLE_MAGIC) or path.suffix.lower() == ".xls":
        raise SourceError(
            f"{path}: this is an old-style Excel (.xls) or other binary Office file, which "
            "cannot be read. Open it in Excel and save it as .xlsx (Excel workbook) or "
            "as 'CSV UTF-8'."
        )
    if format == "csv":
        return "csv"
    if format == "xlsx":
        return "xlsx"
    if head.startswith(_ZIP_MAGIC) or path.suffix.lower() in _EXCEL_SUFFIXES:
        return "xlsx"
    return "csv"


def _canonical_encoding(name: str) -> str:
    """Python codec name for ``name``; the Shift_JIS family always reads as cp932."""
    codec = codecs.lookup(name).name  # LookupError for an unknown name
    if codec.replace("-", "_") in _SJIS_FAMILY or name.lower().replace("-", "_") in _SJIS_FAMILY:
        return "cp932"
    return codec


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    # a NUL byte or two in a text file is a damaged line (named by _decode), not a binary file
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13))
    return controls > max(8, len(head) // 100)


def _detect_encoding(path: Path, data: bytes) -> str:
    """Encoding of CSV bytes.

    Byte-order mark, else strict UTF-8, else charset-normalizer's guesses with
    Japanese codecs (Shift_JIS family read as cp932) and cp932 preferred.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _looks_binary(data):
        raise SourceError(
            f"{path}: this does not look like a text CSV file (it holds binary data). "
            "Check that the right file was exported; an Excel workbook must be saved "
            "as .xlsx or 'CSV UTF-8'."
        )
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if _decode_by_line(data, "utf-8") is not None:
        return "utf-8"   # a UTF-8 file with a few lines in another encoding: _decode names them
    from charset_normalizer import from_bytes

    # a sample cut at a line end (never inside a CP932/UTF-8 character) keeps
    # detection fast on big files; the chosen codec must then decode everything.
    # Our files are Japanese: a Shift_JIS-family or other Japanese guess wins, then
    # cp932 itself if it decodes (short CP932 text is often guessed as gb18030),
    # then whatever else charset-normalizer proposes.
    sample = data if len(data) <= _SAMPLE_BYTES else data[: data.rfind(b"\n", 0, _SAMPLE_BYTES) + 1]
    names = [match.encoding for match in from_bytes(sample or data)]
    japanese = [name for name in names if name.replace("-", "_") in _JAPANESE_CODECS]
    ordered = [*japanese, "cp932", *names]
    for name in ordered:
        try:
            codec = _canonical_encoding(name)
            data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
        return codec
    raise SourceError(
        f"{path}: the text encoding could not be recognised (the file may be damaged "
        f"or not a CSV). Give the encoding in survey.yaml (encoding: ...), e.g. "
        f"{_TRY_ENCODINGS}."
    )


#: Encoding tried for a line that the file's own encoding cannot decode.
_LINE_FALLBACK = {"utf-8": "cp932", "utf-8-sig": "cp932", "cp932": "utf-8"}


def _decode_by_line(data: bytes, encoding: str) -> tuple[str, list[tuple[int, bytes, str]]] | None:
    """Decode ``data`` line by line when only a few lines fail in ``encoding``.

    A line that fails is read in the other usual encoding (cp932 in a UTF-8 file and the
    reverse) when that decodes it, else with U+FFFD for the bad bytes.  Returns the text
    and ``(line, bad bytes, how)`` per failed line (``how``: the encoding used or
    ``"replaced"``), or ``None`` when the file is not mostly ``encoding``: its first line
    fails, or at least half of its non-ASCII lines do.
    """
    if encoding not in _LINE_FALLBACK:
        return None
    body = data[len(codecs.BOM_UTF8):] if encoding == "utf-8-sig" and data.startswith(codecs.BOM_UTF8) else data
    base = "utf-8" if encoding == "utf-8-sig" else encoding
    out: list[str] = []
    bad: list[tuple[int, bytes, str]] = []
    non_ascii = 0
    for number, line in enumerate(body.split(b"\n"), start=1):
        if not line.isascii():
            non_ascii += 1
        try:
            out.append(line.decode(base))
            continue
        except UnicodeDecodeError as exc:
            if number == 1:
                return None
            wrong = line[exc.start:exc.end]
        try:
            out.append(line.decode(_LINE_FALLBACK[encoding]))
            bad.append((number, wrong, _LINE_FALLBACK[encoding]))
        except UnicodeDecodeError:
            out.append(line.decode(base, errors="replace"))
            bad.append((number, wrong, "replaced"))
    if not bad or 2 * len(bad) >= non_ascii:
        return None
    return "\n".join(out), bad


def _decode(path: Path, data: bytes, encoding: str | None) -> tuple[str, str, list[dict]]:
    """Decode CSV bytes, detecting the encoding when none is given.

    Returns the text, the encoding and problem rows: a UTF-8 byte-order mark before
    cp932 text (read as cp932, ``encoding_mismatch``), lines that do not decode in the
    file's encoding while the rest does, and NUL bytes (``undecodable_line``, one row
    per line, the rest of the file is read).
    """
    problems: list[dict] = []
    declared = encoding is not None
    if not declared:
        encoding = _detect_encoding(path, data)
    else:
        try:
            encoding = _canonical_encoding(encoding)
        except LookupError:
            raise SourceError(
                f"{path}: unknown encoding {encoding!r} given for this file. "
                f"Use one of {_TRY_ENCODINGS}, or leave it out to detect it."
            ) from None
        if encoding == "utf-8" and data.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
    if encoding == "cp932" and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]   # a BOM before cp932 text is not text
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        text = None
        if encoding == "utf-8-sig" and not declared:
            try:   # an editor wrote a UTF-8 BOM before Shift_JIS text
                text = data[len(codecs.BOM_UTF8):].decode("cp932")
            except UnicodeDecodeError:
                pass
            else:
                encoding = "cp932"
                problems.append(_problem(
                    path, None, None, None, "encoding_mismatch", "kept",
                    f"{path}: the file starts with a UTF-8 byte-order mark, but its text is cp932 "
                    "(Shift_JIS); it was read as cp932. Check the answers; `encoding: cp932` in "
                    "survey.yaml makes this explicit.",
                ))
        if text is None:
            by_line = _decode_by_line(data, encoding)
            if by_line is None:
                line = data[: exc.start].count(b"\n") + 1
                try:
                    guess = _detect_encoding(path, data)
                except SourceError:
                    guess = None
                hint = f" It looks like {guess}." if guess and guess != encoding else ""
                raise SourceError(
                    f"{path}: cannot be read as {encoding}: line {line} holds bytes "
                    f"{data[exc.start:exc.end]!r} that are not {encoding}.{hint} Try encoding: "
                    f"{_TRY_ENCODINGS} (or remove the encoding setting to detect it)."
                ) from None
            text, bad = by_line
            for line, wrong, how in bad:
                done = (f"the line was read as {how}; check its answers" if how != "replaced" else
                        "they were replaced by \ufffd and the line's other fields were read")
                problems.append(_problem(
                    path, line, None, repr(wrong), "undecodable_line", "kept",
                    f"{path}, line {line}: bytes {wrong!r} are not {encoding}; {done}.",
                ))
    if "\x00" in text:
        lines = sorted({text.count("\n", 0, m.start()) + 1 for m in re.finditer("\x00", text)})
        for line in lines:
            problems.append(_problem(
                path, line, None, repr(b"\x00"), "undecodable_line", "kept",
                f"{path}, line {line}: a NUL byte (b'\\x00', not text) was removed; the line's "
                "fields were read without it.",
            ))
        text = text.replace("\x00", "")
    return text, encoding, problems


# --------------------------------------------------------------------- CSV grid


def _delimiter(text: str, path: Path) -> str:
    """"," or "\t": the one that splits the first records into the same, widest shape.

    Counting separators on the first line is not enough: a question such as
    「使ったことがあるツール（Excel, RPA, 生成AI）」 in a tab-separated Excel "Unicode text"
    export holds as many commas as the line holds tabs.
    """
    if path.suffix.lower() == ".tsv":
        return "\t"
    sample = text.lstrip("\ufeff")[:65536]
    best, best_score = ",", (-1, -1)
    for sep in (",", "\t"):
        rows = list(itertools.islice(csv.reader(io.StringIO(sample, newline=""), delimiter=sep), 50))
        widths = [len(r) for r in rows if any(c.strip() for c in r)]
        if not widths:
            continue
        agree = sum(w == widths[0] for w in widths)   # records as wide as the header
        score = (agree if widths[0] > 1 else 0, widths[0])
        if score > best_score:
            best, best_score = sep, score
    return best


def _unclosed_quote(text: str, start: int, sep: str) -> int | None:
    """Offset of a quote that opens a field at or after ``start`` and is never closed.

    Follows the csv module's dialect: a quote opens a field only as its first
    character, and ``""`` inside a quoted field is a literal quote.
    """
    i, n, field_start = start, len(text), True
    while i < n:
        char = text[i]
        if field_start and char == '"':
            close = i + 1
            while True:
                close = text.find('"', close)
                if close < 0:
                    return i
                if close + 1 < n and text[close + 1] == '"':
                    close += 2
                    continue
                break
            i, field_start = close + 1, False
            continue
        field_start = char in (sep, "\n", "\r")
        i += 1
    return None


def _line_offset(text: str, line: int) -> int:
    """Offset in ``text`` of the start of 1-based physical ``line``."""
    offset = 0
    for _ in range(line - 1):
        offset = text.index("\n", offset) + 1
    return offset


#: Stands in for an unclosed quote while the text is parsed again (a private-use character).
_LITERAL_QUOTE = "\ue000"


def _csv_grid_python(text: str, sep: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, list[int]]:
    """Parse with the csv module (ragged rows, odd line ends): exact line numbers.

    An unclosed quote would swallow the rest of the file into one field: it is read as a
    literal ``"`` instead, and the line where it opened is returned with the grid.
    """
    literal = _LITERAL_QUOTE if _LITERAL_QUOTE not in text else None
    unclosed: list[int] = []
    while True:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
        rows: list[list[str]] = []
        starts: list[int] = []
        previous = 0
        for record in reader:
            starts.append(previous + 1)
            previous = reader.line_num
            rows.append(record)
        if not rows or literal is None:
            break
        opened = _unclosed_quote(text, _line_offset(text, starts[-1]), sep)
        if opened is None:
            break
        unclosed.append(text.count("\n", 0, opened) + 1)
        text = text[:opened] + literal + text[opened + 1:]
    if unclosed:
        rows = [[cell.replace(literal, '"') for cell in record] for record in rows]
    columns = list(zip_longest(*rows, fillvalue=None)) if rows else []
    grid = pd.DataFrame(
        {j: pd.Series(col, dtype=object) for j, col in enumerate(columns)},
        index=pd.RangeIndex(len(rows)),
    )
    grid = grid.where(grid != "")
    widths = np.asarray([len(record) for record in rows], dtype=np.int64)
    return grid, np.asarray(starts, dtype=np.int64), widths, unclosed


def _short_record_widths(text: str, sep: str, starts: np.ndarray, lines: np.ndarray,
                         candidates: np.ndarray) -> np.ndarray:
    """Fields in each candidate record (the C parser pads a short record with blanks).

    A one-line record without quotes has one field more than separators; other records
    are parsed again with the csv module.  (The file has no bare CR: a line feed ends
    every physical line.)
    """
    physical = text.split("\n")           # the text of each physical line, without its line feed
    last = len(physical) - 1
    widths = np.zeros(len(candidates), dtype=np.int64)
    quoted: list[int] = []                  # one-line records with quotes
    for k, c in enumerate(candidates):
        line, span = int(starts[c]) - 1, int(lines[c])
        if span == 1 and '"' not in physical[line]:
            widths[k] = physical[line].count(sep) + 1
        elif span == 1:
            quoted.append(k)
        else:
            chunk = "\n".join(physical[line:line + span]) + ("\n" if line + span - 1 < last else "")
            widths[k] = len(next(csv.reader(io.StringIO(chunk, newline=""), delimiter=sep), []))
    if quoted:
        # one reader for all of them: when it yields one record per line, no record ran on into
        # the next line, and each is what the line gives alone; else each line alone
        chunks = [physical[int(starts[candidates[k]]) - 1] + "\n" for k in quoted]
        records = list(csv.reader(chunks, delimiter=sep))
        if len(records) != len(chunks):
            records = [next(csv.reader([chunk], delimiter=sep), []) for chunk in chunks]
        widths[quoted] = [len(record) for record in records]
    return widths


def _no_line_breaks(grid: pd.DataFrame) -> bool:
    """Whether no cell of a grid of Arrow strings holds a line break (one Arrow call for
    all columns; False when that cannot be told so cheaply)."""
    arrays = [grid[j].array for j in grid.columns]
    if not arrays or not all(isinstance(a.dtype, pd.StringDtype) and a.dtype.storage == "pyarrow" for a in arrays):
        return False
    import pyarrow as pa
    import pyarrow.compute as pc

    chunks = [chunk for a in arrays for chunk in a.__arrow_array__().chunks]
    if not chunks or any(chunk.type != chunks[0].type for chunk in chunks):
        return False
    return not pc.any(pc.match_substring(pa.chunked_array(chunks), "\n")).as_py()


def _csv_grid(data: bytes | None, text: str, encoding: str, sep: str,
              ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, list[int]]:
    """All records as a string grid (no header), the line each record starts on, the
    number of fields each record holds, and the lines where an unclosed quote opened.

    pandas' C parser reads the bytes (``text`` is their decoded form, already
    checked; ``data`` None: parse ``text``, which was repaired while decoding); a
    ragged file, an unclosed quote or odd line ends go to the csv module instead.
    """
    try:
        grid = pd.read_csv(
            io.BytesIO(data) if data is not None else io.StringIO(text),
            encoding=encoding if data is not None else None,
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError):
        return _csv_grid_python(text, sep)
    grid.columns = range(grid.shape[1])
    lines = np.ones(len(grid), dtype=np.int64)
    for j in ([] if _no_line_breaks(grid) else grid.columns):
        column = grid[j]
        has_break = column.str.contains("\n", regex=False)
        if has_break.any():
            lines += column.str.count("\n").fillna(0).astype(np.int64).to_numpy()
    total_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if int(lines.sum()) != total_lines or text.count("\r") != text.count("\r\n"):
        # bare CR line ends, blank lines pandas folded: let the csv module count
        return _csv_grid_python(text, sep)
    starts = np.concatenate(([1], 1 + np.cumsum(lines)[:-1])) if len(lines) else lines
    widths = np.full(len(grid), grid.shape[1], dtype=np.int64)
    if grid.shape[1] > 1 and len(grid):
        candidates = np.flatnonzero(grid[grid.shape[1] - 1].isna().to_numpy())
        if len(candidates):
            widths[candidates] = _short_record_widths(text, sep, starts, lines, candidates)
    return grid, starts, widths, []


# -------------------------------------------------------------------- XLSX grid


def _load_workbook(path: Path):
    import openpyxl

    try:
        # a file object: openpyxl would refuse a workbook named .csv by its suffix
        with path.open("rb") as handle:
            return openpyxl.load_workbook(handle, data_only=True)
    except zipfile.BadZipFile:
        raise SourceError(
            f"{path}: the Excel file is damaged or incomplete (not a valid .xlsx archive). "
            "Download or export it again, or open it in Excel and save it anew."
        ) from None
    except Exception as exc:  # openpyxl raises KeyError, InvalidFileException, ...
        raise SourceError(
            f"{path}: cannot be opened as an Excel workbook ({type(exc).__name__}: {exc}). "
            "Open it in Excel and save it as .xlsx, or export it as 'CSV UTF-8'."
        ) from None


def _pick_sheet(path: Path, workbook, sheet: str | int | None):
    sheets = workbook.worksheets
    names = [ws.title for ws in sheets]
    if not sheets:
        raise SourceError(
            f"{path}: the workbook has no worksheets. Export the data again or "
            "copy it into a worksheet."
        )
    listing = ", ".join(repr(name) for name in names)
    if sheet is None:
        return sheets[0]
    if isinstance(sheet, (int, np.integer)) and not isinstance(sheet, bool):
        if 0 <= sheet < len(sheets):
            return sheets[int(sheet)]
        raise SourceError(
            f"{path}: there is no sheet number {sheet} (counted from 0); the workbook "
            f"has {len(sheets)} sheet(s): {listing}."
        )
    if not isinstance(sheet, str):
        raise ValueError(f"sheet must be a sheet name (str) or index (int), not {sheet!r}")
    if sheet in names:
        return workbook[sheet]
    wanted = normalize_text(sheet)
    matches = [ws for ws in sheets if normalize_text(ws.title) == wanted]
    if len(matches) == 1:
        return matches[0]
    raise SourceError(
        f"{path}: sheet {sheet!r} not found. Sheets in the workbook: {listing}. "
        "Set sheet: in survey.yaml to one of them."
    )


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula (``<f>`` element)."""
    try:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with archive.open(name) as part:
                        body = part.read()
                    if b"<f>" in body or b"<f " in body:
                        return True
    except (zipfile.BadZipFile, OSError, KeyError):
        return False
    return False


def _formulas_without_values(path: Path, title: str, rows: list[list[str | None]]) -> list[tuple[int, int, str]]:
    """(Excel row, 0-based column, formula) of formula cells that have no saved value.

    Excel saves each formula's last result beside it; a workbook written by another
    program (or a script) may not, and then the cell reads as empty.
    """
    import openpyxl

    if not _has_formulas(path):
        return []
    found = []
    with path.open("rb") as handle:
        workbook = openpyxl.load_workbook(handle, data_only=False, read_only=True)
        try:
            for r, row in enumerate(workbook[title].iter_rows(values_only=True)):
                for c, value in enumerate(row):
                    if isinstance(value, str) and value.startswith("=") and (
                            r >= len(rows) or c >= len(rows[r]) or rows[r][c] is None):
                        found.append((r + 1, c, value))
        finally:
            workbook.close()
    return found


def _xlsx_grid(path: Path, sheet: str | int | None):
    """Cell texts of one worksheet, Excel row numbers, merged ranges (0-based) and
    formula cells without a saved value."""
    workbook = _load_workbook(path)
    try:
        ws = _pick_sheet(path, workbook, sheet)
        rows = [
            [_cell_text(value) for value in row]
            for row in ws.iter_rows(min_row=1, min_col=1, values_only=True)
        ]
        merges = [
            (rng.min_row - 1, rng.max_row - 1, rng.min_col - 1, rng.max_col - 1)
            for rng in ws.merged_cells.ranges
        ]
        title = ws.title
    finally:
        workbook.close()
    formulas = _formulas_without_values(path, title, rows)
    width = max((len(row) for row in rows), default=0)
    grid = pd.DataFrame(rows, columns=range(width), dtype=object) if rows else pd.DataFrame()
    return grid, np.arange(1, len(rows) + 1, dtype=np.int64), merges, title, formulas


# ------------------------------------------------------------------- the header


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


#: The column that holds an R-style CSV's row names (its header has one name fewer).
ROW_NAMES = "(row names)"


def _build(path: Path, grid: pd.DataFrame, row_numbers: np.ndarray,
           header_numbers: np.ndarray, header_rows: list[int] | None,
           merges: list[tuple[int, int, int, int]], where: str,
           widths: np.ndarray | None = None,
           ) -> tuple[pd.DataFrame, list[int], dict[str, list[str]], list[dict]]:
    """Split a grid into header and records; name the columns.

    ``row_numbers`` are the rows reported to the user for each grid row,
    ``header_numbers`` the numbers ``header_rows`` refer to (equal for Excel;
    record numbers for a CSV).  ``widths`` (a CSV's fields per record) finds ragged
    records: a header exactly one field shorter than every record is an R-style CSV
    whose first field is a row name (column :data:`ROW_NAMES`); any other record
    wider or narrower than the header is named, its missing fields read as blank and
    its extra fields dropped (never a column of their own: nothing shifts).
    """
    problems: list[dict] = []
    filled = grid.notna().any(axis=1).to_numpy() if grid.shape[0] and grid.shape[1] else np.zeros(0, dtype=bool)
    if not filled.any():
        raise SourceError(
            f"{path}: {where} is empty (no header row). Check that the right file"
            f"{' and sheet' if 'sheet' in where else ''} was given."
        )
    if header_rows:
        positions = []
        for number in header_rows:
            hits = np.flatnonzero(header_numbers == number)
            if len(hits) == 0:
                raise SourceError(
                    f"{path}: header row {number} does not exist in {where} "
                    f"(it has {len(header_numbers)} rows). Fix header_rows in survey.yaml."
                )
            positions.append(int(hits[0]))
        if not any(filled[p] for p in positions):
            raise SourceError(
                f"{path}: header rows {header_rows} of {where} are empty. "
                "Fix header_rows in survey.yaml."
            )
    else:
        positions = [int(np.flatnonzero(filled)[0])]
    heads = {p: list(grid.iloc[p]) for p in positions}
    for top, bottom, left, right in merges:
        for p in positions:
            if top <= p <= bottom:
                value = grid.iat[top, left] if left < grid.shape[1] else None
                for col in range(left, min(right, grid.shape[1] - 1) + 1):
                    heads[p][col] = value
    data_start = max(positions) + 1
    data = grid.iloc[data_start:]
    data_filled = filled[data_start:]
    last = int(np.flatnonzero(data_filled)[-1]) + 1 if data_filled.any() else 0
    data = data.iloc[:last]
    rows = row_numbers[data_start:data_start + last]
    ragged: list[tuple[int, int]] = []   # (record position in data, fields)
    head_width = 0
    if widths is not None and last:
        head_width = int(max(widths[p] for p in positions))
        data_widths = widths[data_start:data_start + last]
        nonblank = data_filled[:last]
        if (len(positions) == 1 and head_width < grid.shape[1]
                and (data_widths[nonblank] == head_width + 1).all()
                and data[head_width].notna().any()):
            p = positions[0]
            heads[p] = [ROW_NAMES, *heads[p][:head_width]] + heads[p][head_width + 1:]
            problems.append(_problem(
                path, int(row_numbers[p]), None, None, "row_names", "kept",
                f"{path}: the header (line {int(row_numbers[p])}) has {head_width} names and every "
                f"record {head_width + 1} fields, as R's write.table writes a CSV: the first field of "
                f"each record is read as a row name, and the names belong to the fields after it.",
            ))
            head_width += 1
        else:
            ragged = [(int(k), int(data_widths[k]))
                      for k in np.flatnonzero(nonblank & (data_widths != head_width))]
            wide = [k for k, w in ragged if w > head_width]
            if wide:
                data = data.copy()
                extra = data.iloc[wide, head_width:]
                dropped = extra.apply(lambda r: [v for v in r if isinstance(v, str)], axis=1).tolist()
                data.iloc[wide, head_width:] = np.nan
                dropped_by_pos = dict(zip(wide, dropped))

    parts_by_col: list[list[str]] = []
    for col in range(grid.shape[1]):
        parts: list[str] = []
        for p in positions:
            part = normalize_text(heads[p][col])
            if part is not None and part not in parts:
                parts.append(part)
        parts_by_col.append(parts)
    width = grid.shape[1]
    while width > 0 and not parts_by_col[width - 1] and not data[width - 1].notna().any():
        width -= 1
    names: list[str] = []
    seen: dict[str, int] = {}
    header_parts: dict[str, list[str]] = {}
    header_row = int(row_numbers[positions[0]])
    for col in range(width):
        parts = parts_by_col[col]
        base = " ".join(parts) if parts else f"(column {_column_letter(col)})"
        name = base
        if base in seen:
            count = seen[base] + 1
            while f"{base} ({count})" in seen:
                count += 1
            seen[base] = count
            name = f"{base} ({count})"
            problems.append(_problem(
                path, header_row, name, base, "duplicate_header", "kept",
                f"{path}: header {base!r} appears more than once (column "
                f"{_column_letter(col)}); this column is read as {name!r}.",
            ))
        seen.setdefault(name, 1)
        names.append(name)
        if header_rows:
            header_parts[name] = parts
    for k, fields in ragged:
        # a trailing separator (an empty field past the last named column) loses nothing
        line = int(rows[k])
        if fields < head_width:
            named = [names[c] for c in range(fields, min(head_width, width)) if parts_by_col[c]]
            if not named:
                continue
            missing = ", ".join(f"「{name}」" for name in named)
            problems.append(_problem(
                path, line, None, None, "ragged_row", "kept",
                f"{path}, line {line}: {fields} fields, but the header has {head_width}; the missing "
                f"{len(named)} ({missing}) are read as blank. Check the record: a field may "
                "be missing in the middle, which shifts the answers after it.",
            ))
        else:
            values = dropped_by_pos[k]
            if not values:
                continue
            problems.append(_problem(
                path, line, None, " | ".join(values) if values else None, "ragged_row", "kept",
                f"{path}, line {line}: {fields} fields, but the header has {head_width}; the "
                f"{fields - head_width} extra field(s) {values!r} are dropped and the first "
                f"{head_width} read. Check the record: a comma inside an unquoted answer shifts the "
                "fields after it.",
            ))
    columns = [data[j] for j in range(width)]     # the grid's columns are numbered 0, 1, ...
    frame = pd.DataFrame({name: _to_text(col).to_numpy() if not _PANDAS3 else _to_text(col).array
                          for name, col in zip(names, columns)}, index=pd.RangeIndex(len(data)))
    return frame, [int(r) for r in rows], header_parts, problems


# ------------------------------------------------------------------- detection


def _detect_format(columns: list[str], container: str) -> str:
    keys = [name.casefold() for name in columns]
    if keys and keys[0] in _GOOGLE_LEADS:
        return "google_forms"
    if tuple(keys[:3]) in _MS_LEADS:
        return "ms_forms"
    return container


def _system_columns(columns: list[str], format: str) -> dict[str, str | None]:
    """Frame column -> meta field (or None) for the system columns of ``format``."""
    table = _SYSTEM_BY_FORMAT[format]
    found: dict[str, str | None] = {}
    for name in columns:
        key = name.casefold()
        if key in table:
            found[name] = table[key]
        elif format in ("ms_forms", "csv", "xlsx") and _MS_QUIZ_PREFIX.match(name):
            found[name] = None
    return found


def _meta(path: Path, frame: pd.DataFrame, source_rows: list[int], format: str,
          system: dict[str, str | None]) -> tuple[pd.DataFrame, list[dict]]:
    problems: list[dict] = []
    meta: dict[str, Any] = {name: np.full(len(frame), np.datetime64("NaT"), dtype="datetime64[ns]")
                            for name in _TIME_FIELDS}
    for name in ("response_id", "email"):
        meta[name] = _to_text(pd.Series(None, index=frame.index, dtype=object))
    assigned: set[str] = set()
    for column, target in system.items():
        if target is None or target in assigned:
            continue
        assigned.add(target)
        cells = frame[column]
        if target in _TIME_FIELDS:
            stamps = parse_timestamps(cells)
            meta[target] = stamps
            bad = cells.notna().to_numpy() & stamps.isna().to_numpy()
            for position in np.flatnonzero(bad):
                value = cells.iat[position]
                if normalize_text(value) is None:
                    continue
                problems.append(_problem(
                    path, source_rows[position], column, value, "bad_timestamp", "kept",
                    f"{path}, row {source_rows[position]}, column {column!r}: "
                    f"{value!r} is not a date-time; the time is left empty.",
                ))
        else:
            values = cells.str.strip()
            values = values.where(values != "")
            if target == "email":
                values = values.where(values.str.casefold() != "anonymous")
            meta[target] = _to_text(values)
    if format == "ms_forms" and "submitted_at" not in assigned:
        meta["submitted_at"] = meta["completed_at"]
    return pd.DataFrame(meta, index=frame.index), problems


# ------------------------------------------------------------------ read_source


def _check_header_rows(header_rows: Any) -> list[int] | None:
    if header_rows is None:
        return None
    ok = (
        isinstance(header_rows, (list, tuple))
        and len(header_rows) > 0
        and all(isinstance(r, (int, np.integer)) and not isinstance(r, bool) and r >= 1
                for r in header_rows)
    )
    if not ok:
        raise ValueError(
            f"header_rows must be a non-empty list of 1-based row numbers, e.g. [3, 4]; "
            f"got {header_rows!r}"
        )
    return sorted({int(r) for r in header_rows})


def read_source(path: str | Path, *, format: str | None = None, encoding: str | None = None,
                sheet: str | int | None = None,
                header_rows: list[int] | None = None) -> RawTable:
    """Read one raw export file into a :class:`RawTable`.

    Parameters
    ----------
    path : str or pathlib.Path
        The export file (CSV/TSV or .xlsx).
    format : {None, "google_forms", "ms_forms", "csv", "xlsx"}
        ``None`` detects it from the content: Google Forms when the first header is
        ``タイムスタンプ``/``Timestamp``; Microsoft Forms when the leading headers are
        ``ID, 開始時刻, 完了時刻`` (or ``ID, Start time, Completion time``); otherwise
        plain ``csv`` or ``xlsx`` by the file's bytes (a zip is Excel).
    encoding : str, optional
        CSV text encoding; ``None`` detects it (byte-order mark, strict UTF-8, else
        charset-normalizer).  The Shift_JIS family always decodes as ``cp932``.
        Ignored for Excel.
    sheet : str or int, optional
        Excel sheet name (exact, or equal after :func:`normalize_text`) or 0-based
        index; default the first worksheet.  Not allowed for a CSV.
    header_rows : list of int, optional
        1-based row numbers holding the header: Excel row numbers, or for a CSV
        record numbers (the rows Excel shows when it opens the CSV).  Merged cells
        are filled first (in the header rows only: data cells stay as written); a column's header is its distinct non-empty cells in
        those rows joined by a space.  Records start below the last header row.
        Default: the first non-empty row.

    Returns
    -------
    RawTable

    Raises
    ------
    SourceError
        The file is missing, empty, binary junk, in an encoding that fails, a damaged
        workbook, a workbook without worksheets, or the sheet is not found.  The
        message names the file and what to do.
    ValueError
        ``format`` or ``header_rows`` is not an allowed value.
    """
    if format is not None and format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS} or None, not {format!r}")
    rows_wanted = _check_header_rows(header_rows)
    path = Path(path)
    if not path.exists():
        raise SourceError(
            f"{path}: file not found. Check the file name in survey.yaml (sources: file:) "
            "and that the export was copied into the study's raw/ folder."
        )
    if path.is_dir():
        raise SourceError(f"{path}: is a folder, not an export file. Name the file itself.")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise SourceError(f"{path}: cannot be opened ({exc.strerror}). Check permissions.") from None
    if not head:
        raise SourceError(f"{path}: the file is empty (0 bytes). Export the responses again.")
    container = _container(path, head, format if format in ("csv", "xlsx") else None)
    used_encoding: str | None = None
    widths = None
    formulas: list[tuple[int, int, str]] = []
    decode_problems: list[dict] = []
    if container == "xlsx":
        grid, row_numbers, merges, title, formulas = _xlsx_grid(path, sheet)
        header_numbers = row_numbers
        where = f"sheet {title!r}"
    else:
        if sheet is not None:
            raise SourceError(
                f"{path}: a sheet ({sheet!r}) is given, but this is a CSV file, which has "
                "no sheets. Remove sheet: from its source in survey.yaml."
            )
        data = path.read_bytes()
        text, used_encoding, decode_problems = _decode(path, data, encoding)
        if not text.strip():
            raise SourceError(
                f"{path}: the file holds no data (only blank lines). Export the responses again."
            )
        repaired = decode_problems or (used_encoding == "cp932" and data.startswith(codecs.BOM_UTF8))
        grid, row_numbers, widths, unclosed = _csv_grid(
            None if repaired else data, text, used_encoding, _delimiter(text, path))
        for line in unclosed:
            decode_problems.append(_problem(
                path, line, None, None, "unclosed_quote", "kept",
                f'{path}, line {line}: a quote (") opens a field here and is never closed; it is '
                "read as a plain character, and the lines after it as usual records. Check this line.",
            ))
        header_numbers = np.arange(1, len(grid) + 1, dtype=np.int64)
        merges = []
        where = "the file"
    frame, source_rows, header_parts, problems = _build(
        path, grid, row_numbers, header_numbers, rows_wanted, merges, where, widths)
    columns = list(frame.columns)
    for row, col, formula in formulas:
        name = columns[col] if col < len(columns) else None
        problems.append(_problem(
            path, row, name, formula, "formula_without_value", "set_missing",
            f"{path}, {where}, row {row}, cell {_column_letter(col)}{row}"
            f"{f', column 「{name}」' if name else ''}: the formula {formula} has no saved value "
            "(the workbook was not last saved by Excel), so the cell is read as empty. Open the "
            "file in Excel and save it, or paste the values over the formulas.",
        ))
    fmt = format or _detect_format(list(frame.columns), container)
    system = _system_columns(list(frame.columns), fmt)
    if ROW_NAMES in frame.columns:
        system[ROW_NAMES] = None
    meta, meta_problems = _meta(path, frame, source_rows, fmt, system)
    return RawTable(
        path=path,
        format=fmt,
        encoding=used_encoding,
        frame=frame,
        source_rows=source_rows,
        meta=meta,
        meta_columns=set(system),
        header_parts=header_parts,
        problems=decode_problems + problems + meta_problems,
    )


# ------------------------------------------------------------------- matching

_GRID = re.compile(r"^(?P<question>.*\S)\s*\[(?P<row>[^\[\]]+)\]$")


def _short_names(raw: RawTable, column: str) -> list[str]:
    """Other texts a column answers to: a grid row label, a header's last part."""
    names = []
    grid = _GRID.match(column)
    if grid:
        label = normalize_text(grid.group("row"))
        if label:
            names.append(label)
    parts = raw.header_parts.get(column)
    if parts and len(parts) > 1:
        names.append(parts[-1])
    return names


def _lookup_tables(raw: RawTable) -> tuple[set, dict, dict]:
    """(the frame's columns, short name -> columns, squeezed name -> columns) for
    :func:`find_column`; built once per table and kept while its columns and header parts
    stay the same."""
    if raw._lookup is not None and raw._lookup[0] is raw.frame.columns and raw._lookup[1] is raw.header_parts:
        return raw._lookup[2]
    columns = tuple(raw.frame.columns)
    shorts: dict[str, list[str]] = {}
    for column in columns:
        for short in _short_names(raw, column):
            shorts.setdefault(short, []).append(column)
    squeezed: dict[str, list[str]] = {}
    for column in columns:
        squeezed.setdefault(_squeeze(column), []).append(column)
        for short in _short_names(raw, column):
            squeezed.setdefault(_squeeze(short), []).append(column)
    tables = (set(columns), shorts, squeezed)
    raw._lookup = (raw.frame.columns, raw.header_parts, tables)
    return tables


def find_column(raw: RawTable, alternatives: str | list[str]) -> str | None:
    """Find the frame column a codebook ``column`` entry names.

    For each alternative, in list order: an exact match of the normalised text
    wins; else a Google Forms grid column ``質問 [行]`` whose row label equals it;
    else, with ``header_rows``, a column whose last header part equals it.  A short
    name (row label, last part) shared by several columns matches none of them:
    give the full header then.

    Parameters
    ----------
    raw : RawTable
    alternatives : str or list of str
        Header texts as the codebook spells them.

    Returns
    -------
    str or None
        The frame column name, ``None`` when no alternative matches.
    """
    if isinstance(alternatives, str):
        alternatives = [alternatives]
    columns, shorts, squeezed = _lookup_tables(raw)
    for alternative in alternatives:
        wanted = normalize_text(alternative)
        if wanted is None:
            continue
        if wanted in columns:
            return wanted
        hits = shorts.get(wanted, [])
        if len(hits) == 1:
            return hits[0]
    # Japanese headers: a space or line break inside a question (MS Forms keeps U+3000 and
    # newlines the author typed) does not make it another question.
    for alternative in alternatives:
        wanted = normalize_text(alternative)
        if wanted is None:
            continue
        hits = list(dict.fromkeys(squeezed.get(_squeeze(wanted), [])))
        if len(hits) == 1:
            return hits[0]
    return None


def _squeeze(text: str) -> str:
    """Text without any whitespace, for whitespace-insensitive header matching."""
    return _SPACES.sub("", text)


def closest_headers(raw: RawTable, name: str, n: int = 3) -> list[str]:
    """Headers most like ``name``, for "missing column" messages.

    Parameters
    ----------
    raw : RawTable
    name : str
        The header text that was not found.
    n : int
        At most this many suggestions.

    Returns
    -------
    list of str
        Frame column names, most similar first (difflib ratio at least 0.3,
        also comparing grid row labels and last header parts).
    """
    wanted = normalize_text(name)
    if wanted is None or n <= 0:
        return []
    scored = []
    for column in raw.frame.columns:
        ratio = max(
            difflib.SequenceMatcher(None, wanted, text).ratio()
            for text in [column, *_short_names(raw, column)]
        )
        if ratio >= 0.3:
            scored.append((-ratio, column))
    scored.sort()
    return [column for _, column in scored[:n]]
