"""Writing a run's files: atomic writes, figures (PNG + SVG), tables.xlsx and the HTML export.

Every file is written atomically: to a temporary file in the same folder, then
:func:`os.replace`, so a reader never sees half a file.
"""
from __future__ import annotations

import contextlib
import copy
import io
import os
import re
import threading
import unicodedata
from pathlib import Path
from typing import Any, Iterator, Sequence

import pandas as pd

from . import catalog

__all__ = ["atomic_output", "atomic_write_bytes", "atomic_write_text", "FIGURE_DPI", "save_figure",
           "sheet_names", "text_width", "write_xlsx", "export_html", "FONT_STACK", "TEMPLATES",
           "csv_safe", "csv_safe_frame", "csv_unsafe", "write_csv", "P_COLUMNS", "FORMULA_START", "read_table_metas",
           "write_figure_index", "write_pdfs", "chromium", "PdfError"]

#: CSS font stack of the HTML reports (Windows, then Linux Japanese fonts).
FONT_STACK = '"Yu Gothic", "Meiryo", "Noto Sans JP", sans-serif'

#: Folder of the jinja/nbconvert templates shipped as package data.
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


# ---------------------------------------------------------------------------- atomic writes

@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically.

    The temporary file keeps the suffix of ``path`` (libraries that pick a format from
    the suffix, like ``savefig``, keep working) and is removed when the block fails.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> with atomic_output(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("done")
    >>> (d / "a.txt").read_text(), sorted(p.name for p in d.iterdir())
    ('done', ['a.txt'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; returns the path."""
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically; returns the path."""
    return atomic_write_bytes(path, text.encode(encoding))


#: Fonts an SVG names after IPAexGothic and DejaVu Sans (its text is text, not outlines): the
#: Japanese sans-serif fonts of Windows, macOS and Linux, then any sans-serif.
SVG_FONT_FALLBACK = "'Yu Gothic', 'Meiryo', 'Hiragino Sans', 'Noto Sans CJK JP', sans-serif"

_SVG_FONT_FAMILY = re.compile(r"(font-family: [^;\"]*'DejaVu Sans')")


#: Resolution of saved PNG figures (the HTML shows them at 96 dpi: sharp on HiDPI screens).
FIGURE_DPI = 150
#: Pixels a PNG figure may have at most: a taller one (a Likert chart of 40 items over two
#: waves is 9 x 46 inches, 9 million pixels at 150 dpi) is saved at a lower resolution, never
#: below the 96 dpi the HTML shows it at.  Drawing, compressing and embedding it in the
#: notebook and the page cost in proportion to its pixels; its SVG is unchanged.
FIGURE_MAX_PIXELS = 4_000_000
FIGURE_MIN_DPI = 96


def figure_dpi(width_in: float, height_in: float) -> float:
    """The PNG resolution of a figure of this size (inches): :data:`FIGURE_DPI`, lowered for a
    figure that would have more than :data:`FIGURE_MAX_PIXELS` pixels (not below
    :data:`FIGURE_MIN_DPI`).

    Examples
    --------
    >>> figure_dpi(9, 6), round(figure_dpi(9, 45.6), 1), figure_dpi(9, 200)
    (150, 98.7, 96)
    """
    area = max(float(width_in) * float(height_in), 1e-9)
    if area * FIGURE_DPI ** 2 <= FIGURE_MAX_PIXELS:
        return FIGURE_DPI
    return max(FIGURE_MIN_DPI, (FIGURE_MAX_PIXELS / area) ** 0.5)


def save_figure(fig, png: str | Path, svg: str | Path) -> list[Path]:
    """Write ``fig`` to ``png`` (:func:`figure_dpi`) and ``svg``, both cropped to one tight box.

    The files ``savefig(..., bbox_inches="tight")`` writes, with less drawing: savefig
    draws a figure twice per format (once to lay it out and measure it, once to render).
    Here one Agg draw at the PNG's dpi does the layout (constrained layout) and renders
    the pixels; the tight box is measured on it and the PNG is that raster cropped to
    the box (the same pixels up to sub-pixel placement; margins beyond the figure's
    edge are filled with its face colour).  Should anything be drawn beyond the
    figure's edge, or the canvas not be Agg, the PNG is rendered by ``savefig`` with
    the box instead.  The SVG reuses the layout and the box: one more draw.

    The figure's dpi and layout engine are restored afterwards.  Each file is written
    atomically; the SVG has no timestamp and fixed element ids, so the same figure
    gives the same bytes.
    """
    import matplotlib
    from matplotlib.backend_bases import FigureCanvasBase
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    png, svg = Path(png), Path(svg)
    dpi, engine, original = fig.dpi, fig.get_layout_engine(), fig.canvas
    png_dpi = figure_dpi(*fig.get_size_inches())
    fig.set_dpi(png_dpi)
    try:
        canvas = original
        if type(canvas) is FigureCanvasBase:   # a closed figure: an Agg canvas for now, as savefig does
            canvas = FigureCanvasAgg(fig)
        raster = isinstance(canvas, FigureCanvasAgg) and getattr(canvas, "device_pixel_ratio", 1) == 1
        if raster:
            canvas.draw()                      # layout + the PNG's pixels
            renderer = canvas.get_renderer()
        else:
            fig.draw_without_rendering()
            renderer = None
        tight = fig.get_tightbbox(renderer)
        box = tight.padded(matplotlib.rcParams["savefig.pad_inches"])
        # no engine at all (not "none"): savefig then skips its own layout draw
        with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
            fig.set_layout_engine(None)
        width, height = fig.get_size_inches()
        inside = tight.x0 >= 0 and tight.y0 >= 0 and tight.x1 <= width and tight.y1 <= height
        # zlib level 3: as small as the default level 6 for these charts, and faster to write
        png_kwargs = {"dpi": png_dpi, "pil_kwargs": {"compress_level": 3}}
        with atomic_output(png) as tmp:
            if raster and inside:
                matplotlib.image.imsave(tmp, _crop(canvas, box, fig.get_facecolor()), format="png", **png_kwargs)
            else:
                fig.savefig(tmp, format="png", bbox_inches=box, **png_kwargs)
        # a fixed salt for the SVG's element ids (random by default) and no timestamp
        buf = io.StringIO()
        with matplotlib.rc_context({"svg.hashsalt": "dxsurvey"}):
            fig.savefig(buf, format="svg", bbox_inches=box, metadata={"Date": None})
        atomic_write_text(svg, _SVG_FONT_FAMILY.sub(lambda m: f"{m.group(1)}, {SVG_FONT_FALLBACK}", buf.getvalue()))
    finally:
        fig.set_layout_engine(engine)
        fig.set_dpi(dpi)
        if fig.canvas is not original:
            fig.set_canvas(original)
    return [png, svg]


def _crop(canvas, box, facecolor):
    """The part of an Agg canvas's last render inside ``box`` (inches), as savefig's tight
    box renders it: the size savefig gives it, and the face colour beyond the figure."""
    import matplotlib.colors
    import numpy as np

    full = np.asarray(canvas.buffer_rgba())
    dpi = canvas.figure.dpi
    rows, cols = full.shape[:2]
    w, h = int(box.width * dpi), int(box.height * dpi)
    # savefig's tight canvas is h rows tall with the box's bottom edge on its last row;
    # the full canvas (rows tall) has y = 0 on its last row
    left, top = int(round(box.x0 * dpi)), int(round(rows - h - box.y0 * dpi))
    c0, r0 = max(left, 0), max(top, 0)
    c1, r1 = min(left + w, cols), min(top + h, rows)
    if (c0, r0, c1, r1) == (left, top, left + w, top + h):     # all inside the canvas: a view
        return full[r0:r1, c0:c1]
    out = np.empty((h, w, 4), dtype=np.uint8)
    out[...] = np.round(np.asarray(matplotlib.colors.to_rgba(facecolor)) * 255).astype(np.uint8)
    if c1 > c0 and r1 > r0:
        out[r0 - top:r1 - top, c0 - left:c1 - left] = full[r0:r1, c0:c1]
    return out


# ---------------------------------------------------------------------------- spreadsheet-safe text

#: Characters with which a spreadsheet cell's text would start a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: Columns holding p-values (shown to 3 decimals, "<.001" below .001).
P_COLUMNS = ("p_val", "p_adj")

_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def csv_safe(value: Any) -> Any:
    r"""Text that a spreadsheet would run as a formula, neutralised with a leading ``'``.

    As OWASP's "CSV injection" page recommends: a text cell beginning with
    ``= + - @``, a tab or a carriage return is prefixed with a single quote; numbers
    (and text that is just a number, like ``-0.5``) stay as they are.

    Examples
    --------
    >>> [csv_safe(v) for v in ("=1+2", "+81 3", "-x", "@SUM(A1)", "\tx", "-0.5", -0.5, "研修", None)]
    ["'=1+2", "'+81 3", "'-x", "'@SUM(A1)", "'\tx", '-0.5', -0.5, '研修', None]
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def csv_unsafe(value: Any) -> Any:
    """Undo :func:`csv_safe` (for tables.xlsx, whose text cells are never formulas).

    >>> csv_unsafe(csv_safe("=1+2")), csv_unsafe("'quoted"), csv_unsafe(3)
    ('=1+2', "'quoted", 3)
    """
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def csv_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with :func:`csv_safe` applied to its text cells and its column names
    (a copy when anything changes; numeric columns untouched)."""
    out = frame
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        safe = values.map(csv_safe)
        if not safe.equals(values):
            if out is frame:
                out = frame.copy()
            out[col] = safe
    if any(isinstance(c, str) and csv_safe(c) != c for c in frame.columns):
        out = out.rename(columns=csv_safe) if out is not frame else frame.rename(columns=csv_safe)
    return out


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as a CSV a spreadsheet opens safely, atomically.

    UTF-8 with a BOM (Excel then reads Japanese), CRLF line ends (RFC 4180: a field holding
    a bare CR is quoted too, so it cannot start a new row), text neutralised by
    :func:`csv_safe`.
    """
    with atomic_output(path) as tmp:
        csv_safe_frame(frame).to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return Path(path)


# ---------------------------------------------------------------------------- tables.xlsx

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Characters Excel refuses in a sheet name, replaced by their full-width forms.
_SHEET_SUBST = str.maketrans({"[": "［", "]": "］", ":": "：", "*": "＊", "?": "？", "/": "／", "\\": "＼"})


def text_width(value: Any) -> int:
    """Display width: East Asian wide/full-width characters count 2."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_names(stems: Sequence[str]) -> list[str]:
    """Excel sheet names for table stems: invalid characters replaced, <= 31 characters, unique.

    Excel compares sheet names case-insensitively; duplicates get ``~2``, ``~3``...

    Examples
    --------
    Characters Excel refuses (``[]:*?/\\``) become their full-width forms.

    >>> sheet_names(["a" * 40, "a" * 35, "x:y", "X：Y", "'q'"])
    ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa~2', 'x：y', 'X：Y~2', 'q']
    """
    used: set[str] = set()
    out = []
    for stem in stems:
        base = _CONTROL.sub("", str(stem).translate(_SHEET_SUBST)).strip().strip("'") or "sheet"
        name = base[:31]
        k = 1
        while name.lower() in used:
            k += 1
            suffix = f"~{k}"
            name = base[: 31 - len(suffix)] + suffix
        used.add(name.lower())
        out.append(name)
    return out


#: Number formats of tables.xlsx: estimates to 2 decimals (the reports' own), counts as
#: integers, p-values to 3 decimals and "<.001" below .001 (APA), as the HTML shows them.
XLSX_FORMATS = {"float": "0.00", "int": "0", "p": '[<0.001]"<.001";0.000'}

#: A text column of "M (SD)" cells (APA tables) becomes two numeric columns in tables.xlsx.
_MEAN_SD = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*\((\d+(?:\.\d+)?)\)\s*$")

_SUPPRESSED = "—"
_SD_SUFFIX = re.compile(r"\s*(?:M\s*)?[(（]\s*SD\s*[)）]\s*$")
_P_BELOW = re.compile(r"^<\s*0?\.001$")
_P_HEADER = re.compile(r"^p(?:\s*[(（].*[)）])?$|^p_\w+$")


def read_table_metas(tables: Path) -> list[dict]:
    """Every ``tables/*.csv`` with its ``.meta.json`` (written by ``Context.table``), or a bare
    record for a CSV that has none."""
    import json

    metas = []
    for path in sorted(tables.glob("*.csv")):
        meta_path = path.with_name(f"{path.stem}.meta.json")
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        meta.setdefault("stem", path.stem)
        meta["csv"] = path
        metas.append(meta)
    return metas


def _report_order(metas: list[dict], reports: Sequence[tuple[str, str]] | None) -> list[dict]:
    rank = {name: i for i, (name, _) in enumerate(reports or ())}
    # a table written but not shown (no number) after the report's numbered tables
    return sorted(metas, key=lambda m: (rank.get(m.get("report"), len(rank)), m.get("report") or "",
                                        m.get("number") is None, m.get("number") or 0, m["stem"]))


def _per_course(meta: dict) -> bool:
    """A table of a report run once per course (``10_course_report_C2024-01``)."""
    notebook = meta.get("notebook") or ""
    return bool(notebook) and (meta.get("report") or "").startswith(f"{notebook}_")


def _is_text(values: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


#: Tables read for tables.xlsx, by CSV path: (size, mtime, suppressed columns) -> (frame, hidden).
#: ``dxsurvey run`` reads each report's tables when the report is done (:func:`prefetch_tables`,
#: in the worker thread, while other reports run), so writing the workbook at the end of the
#: run, on one core, does not read them all again.
_SHOWN: dict[Path, tuple[tuple, pd.DataFrame, frozenset]] = {}
_SHOWN_LOCK = threading.Lock()


def prefetch_tables(paths: Sequence[Path]) -> None:
    """Read these ``tables/*.csv`` as tables.xlsx will show them (:func:`_read_shown`), ahead."""
    import json

    for path in paths:
        path = Path(path)
        meta_path = path.with_name(f"{path.stem}.meta.json")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
            meta["csv"] = path
            _read_shown(meta)
        except Exception:       # write_xlsx reads it again and reports what is wrong
            with _SHOWN_LOCK:
                _SHOWN.pop(path, None)


def _read_shown(meta: dict) -> tuple[pd.DataFrame, set]:
    """A table's CSV as tables.xlsx shows it: text restored (:func:`csv_unsafe`), no
    ``suppressed`` column; returns (frame, hidden) with the (row, column) cells that
    suppression hid (shown as "—", as in HTML).  A copy: callers may change it."""
    path = Path(meta["csv"])
    stat = path.stat()
    key = (stat.st_size, stat.st_mtime_ns, tuple(meta.get("suppressed_columns") or ()))
    with _SHOWN_LOCK:
        cached = _SHOWN.get(path)
    if cached is None or cached[0] != key:
        frame, hidden = _read_shown_file(meta)
        cached = (key, frame, frozenset(hidden))
        with _SHOWN_LOCK:
            _SHOWN[path] = cached
    return cached[1].copy(), set(cached[2])


def _read_shown_file(meta: dict) -> tuple[pd.DataFrame, set]:
    frame = pd.read_csv(meta["csv"], encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    frame = frame.rename(columns=csv_unsafe)
    hidden: set = set()
    for col in frame.columns:
        if _is_text(frame[col]):
            frame[col] = frame[col].map(csv_unsafe).astype(object)
    if "suppressed" in frame.columns:
        rows = frame["suppressed"].astype(str).str.lower().isin(["true", "1"]).to_numpy()
        cols = [c for c in (meta.get("suppressed_columns") or frame.columns) if c in frame.columns and c != "suppressed"]
        frame = frame.drop(columns=["suppressed"])
        for r in range(len(frame)):
            if rows[r]:
                hidden.update((r, c) for c in cols if _isna(frame.at[r, c]))
    return frame, hidden


def _stacked(metas: list[dict], course_col: str) -> tuple[pd.DataFrame, set]:
    """One table of a per-course report for every course, stacked, with the course's ID first
    (unless the table already names it).

    A table of facts (two columns, ``item`` and ``value``, nothing hidden) becomes one row
    per course with a column per item: the courses side by side, as a list of courses is
    read, on a page rather than a row per fact."""
    frames, hidden, offset = [], set(), 0
    for meta in metas:
        frame, cells = _read_shown(meta)
        course = meta["report"][len(meta.get("notebook") or "") + 1:]
        if list(frame.columns) == ["item", "value"] and not cells and frame["item"].is_unique:
            frame = pd.DataFrame([frame["value"].tolist()], columns=frame["item"].astype(str).tolist())
            if course in {str(v) for v in frame.iloc[0]}:     # the facts name the course already
                frames.append(frame)
                offset += 1
                continue
        if "course_id" not in frame.columns:
            frame.insert(0, course_col, course)
        frames.append(frame)
        hidden.update((r + offset, c) for r, c in cells)
        offset += len(frame)
    return pd.concat(frames, ignore_index=True, sort=False), hidden


#: Tables a report shows once per construct, word, code or grouping (the same columns, the
#: caption differing by one of its arguments) share one sheet in tables.xlsx: caption key ->
#: (the argument that varies, the column that names it).  The sheet's caption is the
#: catalogue's ``xlsx.stack.<caption key>``.
STACKED_BY = {
    "20_comparison.cap_terms": ("label", "construct"),
    "20_comparison.cap_levels": ("label", "construct"),
    "20_comparison.cap_contrasts": ("label", "construct"),
    "20_comparison.cap_gain": ("label", "construct"),
    "20_comparison.cap_courses": ("label", "construct"),
    "25_free_text.cap_distinctive": ("grouping", "grouping"),
    "25_free_text.cap_codes": ("grouping", "grouping"),
    "25_free_text.cap_kwic": ("word", "word"),
    "25_free_text.cap_collocations": ("word", "search_word"),
    "25_free_text.cap_code_tests": ("grouping", "grouping"),
    "25_free_text.cap_quotes": ("code", "code"),
}


def _stacked_by_argument(metas: list[dict], arg: str, column: str) -> tuple[pd.DataFrame, set]:
    """Tables of one caption stacked, the caption argument that tells them apart first."""
    frames, hidden, offset = [], set(), 0
    for meta in metas:
        frame, cells = _read_shown(meta)
        frame.insert(0, column, str((meta.get("caption_args") or {}).get(arg, "")))
        frames.append(frame)
        hidden.update((r + offset, c) for r, c in cells)
        offset += len(frame)
    return pd.concat(frames, ignore_index=True, sort=False), hidden


def _typed(frame: pd.DataFrame, hidden: set, meta: dict) -> tuple[pd.DataFrame, dict, set]:
    """Each column's kind ("p", "int", "float", "text"); a text column of "M (SD)" cells
    split into two float columns ``(column, "M")`` and ``(column, "SD")``."""
    n_cols = set(meta.get("n_cols") or ())
    p_cols = set(meta.get("p_cols") or P_COLUMNS)
    kinds: dict = {}
    columns: dict = {}
    for col in frame.columns:
        values = frame[col]
        if _is_text(values):
            # numbers and "—" (a table the report suppressed itself, or stacked courses): numbers
            # (a p-value column keeps its "<.001" cells as text)
            text = values.astype(object)
            numbers = pd.to_numeric(text.where(text != _SUPPRESSED), errors="coerce")
            below = text.map(lambda v: isinstance(v, str) and bool(_P_BELOW.match(v))) & bool(_P_HEADER.match(str(col)))
            if numbers.notna().any() and (numbers.notna() | text.isna() | (text == _SUPPRESSED) | below).all():
                hidden = hidden | {(r, col) for r, v in enumerate(text) if v == _SUPPRESSED}
                values = numbers.astype(object).where(~below, text)
                if not below.any():
                    values = numbers
        filled = values.dropna()
        if _is_text(values) and len(filled) and all(isinstance(v, str) for v in filled):
            matches = values.map(lambda v: _MEAN_SD.match(v) if isinstance(v, str) else None)
            shown = [m for v, m in zip(values, matches) if isinstance(v, str) and v != _SUPPRESSED]
            if shown and all(shown):
                for part, key in ((1, "M"), (2, "SD")):
                    columns[(col, key)] = pd.Series([float(m.group(part)) if m else None for m in matches],
                                                    index=values.index, dtype="float64")
                    kinds[(col, key)] = "float"
                hidden |= {(r, (col, key)) for r, v in enumerate(values) if v == _SUPPRESSED for key in ("M", "SD")}
                continue
        columns[col] = values
        is_p = str(col) in p_cols or bool(_P_HEADER.match(str(col)))
        if is_p and values.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).any():
            kinds[col] = "p"
        elif pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            kinds[col] = "text"
        elif pd.api.types.is_integer_dtype(values) or (
                str(col) in n_cols and bool((filled == filled.round()).all())):
            kinds[col] = "int"
        else:
            kinds[col] = "float"
    out = pd.DataFrame({i: v for i, v in enumerate(columns.values())})
    out.columns = pd.Index(list(columns), tupleize_cols=False)
    return out, kinds, {(r, c) for r, c in hidden if c in columns}


def _header(col, language: str) -> str:
    if isinstance(col, tuple):
        base = _SD_SUFFIX.sub("", catalog.column_label(str(col[0]), language))
        return f"{base} {col[1]}".strip()
    return catalog.column_label(str(col), language)


def _text_cell(cell, value: str) -> None:
    """A text cell that is never a formula, whatever it begins with."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.data_type = "s"


#: Print geometry of tables.xlsx in points: A4 landscape less the margins ``write_xlsx`` sets
#: (0.4 in left and right; 0.45 in above and 0.55 in below the rows).
_PAGE_WIDTH_PT = (11.69 - 2 * 0.4) * 72
_PAGE_HEIGHT_PT = (8.27 - 0.45 - 0.55) * 72
#: Text of tables.xlsx in 9 points, rows 12 points high (a line of wrapped text counts as a row);
#: a layout plans to fill at most this share of a page (LibreOffice's rows come out a little taller).
XLSX_FONT_SIZE = 9
_ROW_HEIGHT = 12
_ROW_PT = 12.3
_PAGE_FILL = 0.95
#: Short tables of one report share a sheet, unless the widest of them would print another
#: below this share of the size it prints at alone.
_SHARE_SCALE = 0.6


def _scale(widths: Sequence[float]) -> float:
    """The print scale at which columns of these widths (characters) fit the page width."""
    points = sum((w * 7 + 5) * 0.75 for w in widths)
    return min(1.0, _PAGE_WIDTH_PT / points) if points else 1.0


def _lines(value: Any, width: float) -> int:
    return max(1, -(-text_width(value) // max(int(width) - 1, 1)))


def _measure(block: dict) -> None:
    """A table block's column widths (characters) and its height printed at 100 % (points:
    caption, headers, rows, each text cell wider than 50 wrapped onto lines, the footnote
    and the blank row after the table)."""
    frame, headers = block["frame"], block["headers"]
    widths = [text_width(h) for h in headers]
    for j, col in enumerate(frame.columns):
        for v in frame[col]:
            if isinstance(v, str):
                if 2 * len(v) > widths[j]:         # else it cannot be the widest
                    widths[j] = max(widths[j], min(text_width(v), 60))
            elif not _isna(v):
                widths[j] = max(widths[j], 8)
    widths = [min(max(w + 2, 8), 50) for w in widths]
    lines = 1 + max((_lines(h, w) for h, w in zip(headers, widths)), default=1)
    for rec in frame.itertuples(index=False):
        lines += max((_lines(v, w) if isinstance(v, str) and len(v) > 25 and text_width(v) > 50 else 1
                      for v, w in zip(rec, widths)), default=1)
    lines += 2 if block["footnote"] else 0
    block["widths"], block["height"] = widths, (lines + 1) * _ROW_PT


def _plan_sheets(blocks: list[dict]) -> list[dict]:
    """Table blocks (in report order) onto sheets: a table longer than a printed page on a sheet
    of its own (its header rows frozen and repeated on every page); consecutive shorter tables
    of one report on one sheet, one below the other, while their widths are alike
    (:data:`_SHARE_SCALE`).  Each sheet: its blocks and column widths (the widest per column)."""
    sheets: list[dict] = []
    for block in blocks:
        block["own"] = _scale(block["widths"])
        long = block["height"] * block["own"] > _PAGE_HEIGHT_PT * _PAGE_FILL
        last = sheets[-1] if sheets else None
        if not long and block["share"] is not None and last and not last["long"] and last["share"] == block["share"]:
            a, b = last["widths"], block["widths"]
            widths = [max(a[j] if j < len(a) else 0, b[j] if j < len(b) else 0) for j in range(max(len(a), len(b)))]
            scale = _scale(widths)
            if all(scale >= _SHARE_SCALE * b["own"] for b in [*last["blocks"], block]):
                last["blocks"].append(block)
                last["widths"] = widths
                continue
        sheets.append({"blocks": [block], "widths": list(block["widths"]), "share": block["share"], "long": long})
    return sheets


def _styled(cell, name: str, font, number_format: str = "General", alignment=None) -> None:
    """Give ``cell`` the workbook's named style ``name`` (made from these attributes the first
    time): one assignment per cell instead of a font, a format and an alignment, each hashed
    into the workbook's style tables (most of the time of writing tables.xlsx)."""
    from copy import copy

    wb = cell.parent.parent
    styles = wb.__dict__.setdefault("_dx_styles", {})
    style = styles.get(name)
    if style is None:
        from openpyxl.styles import Alignment, NamedStyle

        if name not in wb.named_styles:
            wb.add_named_style(NamedStyle(name=name, font=copy(font), number_format=number_format,
                                          alignment=copy(alignment) if alignment is not None else Alignment()))
        cell.style = name
        styles[name] = copy(cell._style)
        return
    # what openpyxl's ``cell.style = name`` stores, without looking the name up among all
    # the workbook's styles for each of the hundreds of thousands of cells of a large run
    cell._style = copy(style)


def _write_block(ws, top: int, block: dict, *, bold, plain, wrap) -> int:
    """Write a table block from row ``top`` (caption, headers, rows, footnote under a blank
    row); returns its last row."""
    from openpyxl.styles import Alignment

    frame, kinds, hidden = block["frame"], block["kinds"], block["hidden"]
    cell = ws.cell(row=top, column=1)
    _text_cell(cell, block["title"])
    _styled(cell, "dx-caption", bold)
    for j, h in enumerate(block["headers"], start=1):
        cell = ws.cell(row=top + 1, column=j)
        _text_cell(cell, h)
        _styled(cell, "dx-header", bold, alignment=wrap)
    right = Alignment(horizontal="right")
    for r, rec in enumerate(frame.itertuples(index=False)):
        for j, (col, v) in enumerate(zip(frame.columns, rec)):
            cell = ws.cell(row=top + 2 + r, column=j + 1)
            kind = kinds[col]
            if (r, col) in hidden:
                _text_cell(cell, _SUPPRESSED)
                _styled(cell, "dx-hidden", plain, alignment=right)
            elif _isna(v):
                continue
            elif isinstance(v, str):
                _text_cell(cell, v)
                if len(v) > 25 and text_width(v) > 50:
                    _styled(cell, "dx-text-wrap", plain, alignment=wrap)
                else:
                    _styled(cell, "dx-text", plain)
            else:
                v = v.item() if hasattr(v, "item") else v
                if kind == "int" and float(v).is_integer():
                    v = int(v)
                cell.value = v
                _styled(cell, f"dx-{kind}" if kind in XLSX_FORMATS else "dx-number", plain,
                        number_format=XLSX_FORMATS.get(kind, "General"))
    last = top + 1 + len(frame)
    if block["footnote"]:
        last += 2
        _text_cell(ws.cell(row=last, column=1), block["footnote"])
        _styled(ws.cell(row=last, column=1), "dx-text", plain)
    return last


def write_xlsx(run_dir: str | Path, *, language: str = "ja",
               reports: Sequence[tuple[str, str]] | None = None) -> Path | None:
    r"""Gather ``tables/*.csv`` of a run folder into ``tables.xlsx``: a contents sheet, then the tables.

    The first sheet, 目次 (Contents), lists every table with its report, number, caption
    and a link to its caption cell.  A table is its caption, the headers in ``language``
    (bold), the rows, and the suppression footnote under a blank row when a cell is
    hidden.  A table longer than a printed page has a sheet of its own: caption in row 1,
    headers in row 2, both frozen and repeated on every printed page.  Consecutive shorter
    tables of one report share a sheet, one below the other with a blank row between them,
    while their widths are alike (:func:`_plan_sheets`); such a sheet freezes and repeats
    no rows (they would be the first table's headers): instead a manual page break starts
    a table that would not fit on the rest of a page, so each prints whole under its own
    headers.  A sheet is named after its position and caption (``3 研修前後の変化``), or its
    report and number of tables (``1 データ検証（5表）``): unique, <= 31 characters, none
    of ``[]:*?/\``, in report order.  Numbers are numbers with formats (0.00; counts as
    integers; p-values 0.000 and "<.001"); "M (SD)" text becomes two numeric columns;
    suppressed cells show "—" as in HTML; text is always text (never a formula), in 9
    points.  Each sheet prints on A4 landscape, fitted to the page width.  Two tables with
    the same contents (one table shown by two reports) are shown once.

    Parameters
    ----------
    run_dir : path
        The run folder (reads ``tables/*.csv`` and the ``*.meta.json`` beside them).
    language : {"ja", "en"}
    reports : sequence of (report name, title), optional
        The run's reports in order: sheets follow it, and the contents name each title.

    Returns
    -------
    Path or None
        The workbook, or None when the run has no tables.
    """
    try:
        return _write_xlsx(Path(run_dir), language=language, reports=reports)
    finally:       # the tables read ahead for this run (prefetch_tables) are not needed again
        tables = Path(run_dir) / "tables"
        with _SHOWN_LOCK:
            for path in [p for p in _SHOWN if p.parent == tables]:
                del _SHOWN[path]


def _write_xlsx(run_dir: Path, *, language: str, reports: Sequence[tuple[str, str]] | None) -> Path | None:
    import hashlib

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink
    from openpyxl.worksheet.pagebreak import Break
    from openpyxl.worksheet.properties import PageSetupProperties

    catalog.check_language(language)
    run_dir = Path(run_dir)
    metas = _report_order(read_table_metas(run_dir / "tables"), reports)
    if not metas:
        return None
    titles = dict(reports or ())
    wb = Workbook()
    contents = wb.active
    contents.title = catalog.text("xlsx.contents", language)
    bold = Font(bold=True, size=XLSX_FONT_SIZE)
    plain = Font(size=XLSX_FONT_SIZE)
    link_font = Font(color="0563C1", underline="single", size=XLSX_FONT_SIZE)
    wrap = Alignment(wrap_text=True, vertical="top")

    def print_setup(ws, title_rows: str | None) -> None:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        if title_rows:
            ws.print_title_rows = title_rows
        ws.print_options.gridLines = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top, ws.page_margins.bottom = 0.45, 0.55      # inches: rows, not margin
        ws.page_margins.header, ws.page_margins.footer = 0.2, 0.25
        ws.oddFooter.center.text = "&P / &N"
        ws.oddFooter.left.text = "&A"          # the sheet's name: a printed page says what it is

    # one table per caption: a per-course report's table once, every course stacked in it; a
    # report's tables of one caption for each construct, word, code... stacked (STACKED_BY);
    # a table with the same contents as an earlier one (shown by two reports) shown once
    groups: list[list[dict]] = []
    stacks: dict[tuple, list[dict]] = {}
    by_content: dict[str, list[dict]] = {}
    for meta in metas:
        spec = STACKED_BY.get(meta.get("caption_key") or "")
        if _per_course(meta):
            key = ("course", meta["notebook"], meta.get("name"))
        elif spec and spec[0] in (meta.get("caption_args") or {}):
            with open(meta["csv"], encoding="utf-8-sig") as fh:
                key = ("argument", meta.get("report"), meta["caption_key"], fh.readline())
        else:
            # the same bytes: shared, unless it is an empty table (the captions then tell them apart)
            data = meta["csv"].read_bytes()
            key = ("content", hashlib.sha256(data).hexdigest(),
                   "" if data.rstrip(b"\r\n").count(b"\n") else meta.get("caption") or meta["stem"])
        if key not in stacks:
            stacks[key] = []
            groups.append(stacks[key])
        stacks[key].append(meta)
    # a per-course table with the same contents as an earlier one in every course (the full
    # list of quotes when it is no longer than the selection) is listed on that one's sheet
    also: dict[int, list[dict]] = {}
    seen: dict[tuple, list[dict]] = {}
    for group in list(groups):
        if not _per_course(group[0]):
            continue
        signature = tuple((m["report"], hashlib.sha256(m["csv"].read_bytes()).hexdigest()) for m in group)
        if signature in seen:
            also.setdefault(id(seen[signature]), []).extend(group)
            groups.remove(group)
        else:
            seen[signature] = group
    sep = catalog.text("report.caption_sep", language)

    def by_argument(group: list[dict]) -> tuple[str, str] | None:
        spec = STACKED_BY.get(group[0].get("caption_key") or "")
        return spec if spec and not _per_course(group[0]) and len(group) > 1 else None

    def caption_of(group: list[dict]) -> str:
        first = group[0]
        caption = first.get("caption") or first["stem"]
        if _per_course(first):
            caption = " / ".join(dict.fromkeys(m.get("caption") or m["stem"]
                                               for m in [first, *also.get(id(group), [])]))
            caption = catalog.text("xlsx.stacked", language, caption=caption, n=len(group))
        elif by_argument(group):
            caption = catalog.text(f"xlsx.stack.{first['caption_key']}", language, **(first.get("caption_args") or {}))
        else:                       # one table shown by two reports, under two captions
            caption = " / ".join(dict.fromkeys(m.get("caption") or m["stem"] for m in group))
        return caption

    def label_of(group: list[dict]) -> str:
        # a per-course table's number may differ between courses (a course with more tables)
        return ", ".join(dict.fromkeys(m.get("label") for m in group if m.get("label")))

    def report_of(group: list[dict]) -> str:
        first = group[0]
        report, notebook = first.get("report") or "", first.get("notebook") or ""
        if _per_course(first) and f"index.report.{notebook}" in catalog.TEXTS:
            return catalog.text(f"index.report.{notebook}", language)
        return titles.get(report) or report

    def short_caption(meta: dict) -> str:
        # a sheet name holds the caption without its N note (「N = 103（除外: …）」), which
        # the 31 characters would cut to a bare 「N = 1」
        args = meta.get("caption_args") or {}
        if meta.get("caption_key") and "n_note" in args and f"{meta['caption_key']}" in catalog.TEXTS:
            return catalog.text(meta["caption_key"], language, **{**args, "n_note": ""}).strip(" ;,、　")
        return meta.get("caption") or meta["stem"]

    def name_of(group: list[dict]) -> str:
        # one table shown by two reports: named after its first caption
        if _per_course(group[0]):
            return catalog.text("xlsx.stacked", language, caption=short_caption(group[0]), n=len(group))
        if by_argument(group):
            return caption_of(group)
        return short_caption(group[0])

    # each table a block: its caption, headers, rows and footnote, the widths its columns need
    blocks = []
    for group in groups:
        meta = group[0]
        stacked = _per_course(meta)
        argument = by_argument(group)
        if stacked:
            frame, hidden = _stacked(group, "course_id")
        elif argument:
            frame, hidden = _stacked_by_argument(group, *argument)
        else:
            frame, hidden = _read_shown(meta)
        frame, kinds, hidden = _typed(frame, hidden, meta)
        label, caption = label_of(group), caption_of(group)
        footnote = None
        if hidden or any(m.get("hidden") for m in group):
            footnote = meta.get("footnote") or catalog.text("report.suppressed_footnote", language,
                                                            min_cell=meta.get("min_cell") or 5)
        block = {"group": group, "frame": frame, "kinds": kinds, "hidden": hidden, "label": label,
                 "caption": caption, "title": f"{label}{sep}{caption}" if label else caption,
                 "headers": [_header(c, language) for c in frame.columns], "footnote": footnote,
                 "report": report_of(group) if stacked else " / ".join(dict.fromkeys(report_of([m]) for m in group)),
                 # tables of one report may share a sheet (a CSV without metadata: a sheet of its own)
                 "share": ("course", meta.get("notebook")) if stacked else meta.get("report")}
        _measure(block)
        blocks.append(block)
    sheets = _plan_sheets(blocks)

    def sheet_name(sheet: dict) -> str:
        if len(sheet["blocks"]) == 1:
            return name_of(sheet["blocks"][0]["group"])
        return catalog.text("xlsx.shared", language, report=report_of(sheet["blocks"][0]["group"][:1]),
                            n=len(sheet["blocks"]))

    names = sheet_names([f"{i} {sheet_name(sh)}" for i, sh in enumerate(sheets, start=1)] + [contents.title])[:-1]
    rows = []
    for sheet, name in zip(sheets, names):
        ws = wb.create_sheet(name)
        ws.sheet_format.defaultRowHeight = _ROW_HEIGHT
        shared = len(sheet["blocks"]) > 1
        scale, used, top = _scale(sheet["widths"]), 0.0, 1
        for block in sheet["blocks"]:
            group = block["group"]
            height = block["height"] * scale
            if shared and used and used + height > _PAGE_HEIGHT_PT * _PAGE_FILL:
                ws.row_breaks.append(Break(id=top - 1))    # a table that fits a page is not split
                used = 0.0
            used += height
            rows.append((name, top, [block["report"], block["label"], block["caption"],
                                     ", ".join(m["stem"] + ".csv" for m in [*group, *also.get(id(group), [])])]))
            top = _write_block(ws, top, block, bold=bold, plain=plain, wrap=wrap) + 2
        for j, w in enumerate(sheet["widths"], start=1):
            ws.column_dimensions[get_column_letter(j)].width = w
        if shared:
            # several tables one below the other: no frozen or repeated header rows (they would be
            # the first table's); every table starts on the page that holds it whole, under its headers
            print_setup(ws, None)
        else:
            ws.freeze_panes = "A3"
            print_setup(ws, "1:2")

    # the contents: one row per table, a link to its caption
    contents.sheet_format.defaultRowHeight = _ROW_HEIGHT
    head = [catalog.text(k, language) for k in ("xlsx.sheet", "xlsx.report", "xlsx.table", "xlsx.caption", "xlsx.csv")]
    for j, h in enumerate(head, start=1):
        cell = contents.cell(row=1, column=j)
        _text_cell(cell, h)
        cell.font = bold
    for i, (sheet, top, row) in enumerate(rows, start=2):
        cell = contents.cell(row=i, column=1)
        _text_cell(cell, sheet)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sheet.replace(chr(39), chr(39) * 2)}'!A{top}")
        cell.font = link_font
        for j, v in enumerate(row, start=2):
            _text_cell(contents.cell(row=i, column=j), v)
            contents.cell(row=i, column=j).font = plain
    for j, letter in enumerate("ABCDE"):
        width = max([text_width(head[j])] + [text_width(([s] + r)[j]) for s, _, r in rows])
        contents.column_dimensions[letter].width = min(max(width + 2, 8), 60)
    contents.freeze_panes = "A2"
    print_setup(contents, "1:1")
    target = run_dir / "tables.xlsx"
    with atomic_output(target) as tmp:
        wb.save(tmp)
    return target


def _isna(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------------------- figures/index.csv

def write_figure_index(run_dir: str | Path, *, reports: Sequence[tuple[str, str]] | None = None) -> Path | None:
    """``figures/index.csv``: one row per figure (file, number, caption, report), in report order.

    Made from the ``figures/<stem>.meta.json`` that ``Context.figure`` writes beside each
    PNG; UTF-8 with BOM, text neutralised for spreadsheets (:func:`csv_safe`).

    Returns
    -------
    Path or None
        The index, or None when the run drew no figure.
    """
    import json

    folder = Path(run_dir) / "figures"
    metas = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.meta.json"))]
    if not metas:
        return None
    titles = dict(reports or ())
    rank = {name: i for i, (name, _) in enumerate(reports or ())}
    metas.sort(key=lambda m: (rank.get(m.get("report"), len(rank)), m.get("report") or "", m.get("number") or 0))
    frame = pd.DataFrame([{"file": m["file"], "svg": m.get("svg", ""), "number": m.get("number"),
                           "label": m.get("label", ""), "caption": m.get("caption", ""),
                           "report": m.get("report", ""), "report_title": titles.get(m.get("report"), "")}
                          for m in metas])
    return write_csv(frame, folder / "index.csv")


# ---------------------------------------------------------------------------- PDF

class PdfError(RuntimeError):
    """The PDFs cannot be written (no Chromium); the message says what to install."""


def chromium() -> str | None:
    """Path of Debian's Chromium (or another Chromium/Chrome on PATH), or None."""
    import shutil

    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "chrome"):
        found = name if Path(name).is_file() else shutil.which(name)
        if found:
            return found
    return None


#: How long one report page may take to load and print (milliseconds).
PDF_TIMEOUT_MS = 600_000

_FOOTER = ('<div style="font-size:8px; width:100%; margin:0 12mm; display:flex; justify-content:space-between; '
           'font-family:{font}; color:#555;"><span>{title}</span>'
           '<span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>')


def write_pdfs(run_dir: str | Path, reports: Sequence[tuple[str, str]], *, language: str = "ja") -> list[Path]:
    """``pdf/NAME.pdf`` for each report's ``html/NAME.html``: A4, the page's print stylesheet,
    the report title and "page / pages" in every page's footer.

    Printed by headless Chromium (Debian's ``chromium``) driven by playwright, offline:
    a request that is not a local file is refused.

    Raises
    ------
    PdfError
        When no Chromium is installed (the message names the package).
    """
    import html as _html

    catalog.check_language(language)
    exe = chromium()
    if exe is None:
        raise PdfError(catalog.text("cli.pdf_no_chromium", language))
    from playwright.sync_api import sync_playwright

    run_dir = Path(run_dir)
    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                           "--no-first-run", "--disable-extensions"])
        try:
            context = browser.new_context(offline=True)
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "about:"))
                          else r.abort())
            # a report page of a few MB on a loaded machine takes longer than playwright's 30 s default
            context.set_default_timeout(PDF_TIMEOUT_MS)
            context.set_default_navigation_timeout(PDF_TIMEOUT_MS)
            page = context.new_page()
            for name, title in reports:
                source = run_dir / "html" / f"{name}.html"
                if not source.is_file():
                    continue
                page.goto(source.resolve().as_uri(), wait_until="load")
                data = page.pdf(format="A4", print_background=True, display_header_footer=True,
                                prefer_css_page_size=True, header_template="<span></span>",
                                footer_template=_FOOTER.format(font=_html.escape(FONT_STACK), title=_html.escape(title)),
                                margin={"top": "12mm", "bottom": "14mm", "left": "12mm", "right": "12mm"})
                written.append(atomic_write_bytes(run_dir / "pdf" / f"{name}.pdf", data))
        finally:
            browser.close()
    return written


# ---------------------------------------------------------------------------- HTML export

def export_html(executed_ipynb: str | Path, html_path: str | Path, title: str, *,
                language: str = "ja", nb=None) -> Path:
    """Executed notebook -> one offline HTML page: code and prompts hidden, images embedded.

    Uses nbconvert's ``HTMLExporter`` with ``dxsurvey/templates/dx_report.html.j2``,
    which extends the lab template without any external script (no require.js,
    MathJax, Mermaid or widget CDN) and sets the Japanese font stack.  Warnings the
    kernel printed to stderr stay in the executed notebook but not in the report.
    ``nb``, the executed notebook already in memory (papermill returns it), saves
    reading ``executed_ipynb`` again; it is not changed.

    Returns
    -------
    Path
        ``html_path``.
    """
    import nbformat

    catalog.check_language(language)
    nb = nbformat.read(str(executed_ipynb), as_version=4) if nb is None else copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = [o for o in cell.get("outputs", [])
                               if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    nb.metadata["title"] = title
    # one exporter per thread and language: its compiled template is reused (compiling it
    # took longer than converting a report)
    key = f"html_exporter_{language}"
    exporter = getattr(_EXPORTERS, key, None)
    if exporter is None:
        exporter = _report_exporter_class()(
            template_name="lab",
            template_file=str(TEMPLATES / "dx_report.html.j2"),
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
            language_code=language,
        )
        setattr(_EXPORTERS, key, exporter)
    body, _ = exporter.from_notebook_node(nb, resources={"dx_font_stack": FONT_STACK})
    return atomic_write_text(html_path, body)


_EXPORTERS = threading.local()

#: Output areas nbconvert makes keyboard-focusable (``tabindex="0"``), as its own pass does.
_FOCUSABLE = re.compile(r'<div class="((?:[^"]*\s)?(?:jp-OutputArea-output|jp-Cell-inputWrapper)(?:\s[^"]*)?)"(?![^>]*tabindex)')

_CHARREF = re.compile(r"&#(x[0-9a-fA-F]+|[0-9]+);")


def _charref(match: re.Match) -> str:
    ref = match.group(1)
    code = int(ref[1:], 16) if ref[0] == "x" else int(ref)
    return chr(code) if 0xA0 <= code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)


def _report_exporter_class():
    """nbconvert's ``HTMLExporter`` without its BeautifulSoup pass over the finished page.

    That pass re-parses the whole page (85 % of an export) only to give images without
    ``alt`` an English default (every dxsurvey figure has its caption as ``alt``) and to
    make input and output areas focusable; the latter is done here with one substitution.
    Should nbconvert's internals change, the stock exporter is used as it is.
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter

    try:
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    except ImportError:   # pragma: no cover - another nbconvert layout
        return HTMLExporter

    class ReportExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            if not (hasattr(self, "_init_resources") and hasattr(self, "_nb_metadata")):
                return super().from_notebook_node(nb, resources, **kw)   # pragma: no cover
            # what HTMLExporter.from_notebook_node sets up before rendering
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            page = _FOCUSABLE.sub(r'<div class="\1" tabindex="0"', page)
            # headings come as character references (&#35211;); the page is UTF-8, so write the
            # characters themselves, as the BeautifulSoup pass did (ASCII ones stay escaped)
            return _CHARREF.sub(_charref, page), resources

    return ReportExporter
