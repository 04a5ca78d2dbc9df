"""Writing a run's files: atomic writes, figures (PNG + SVG), tables.xlsx and the HTML export.

Every file is written atomically: to a temporary file in the same folder, then
:func:`os.replace`, so a reader never sees half a file.
"""
from __future__ import annotations

import contextlib
import copy
import os
import re
import threading
import unicodedata
from pathlib import Path
from typing import Any, Iterator, Sequence

import pandas as pd

from . import catalog

__all__ = ["atomic_output", "atomic_write_bytes", "atomic_write_text", "FIGURE_DPI", "save_figure",
           "sheet_names", "text_width", "write_xlsx", "export_html", "FONT_STACK", "TEMPLATES"]

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


#: Resolution of saved PNG figures (the HTML shows them at 96 dpi: sharp on HiDPI screens).
FIGURE_DPI = 150


def save_figure(fig, png: str | Path, svg: str | Path) -> list[Path]:
    """Write ``fig`` to ``png`` (:data:`FIGURE_DPI`) and ``svg``, both cropped to one tight box.

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
    fig.set_dpi(FIGURE_DPI)
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
        png_kwargs = {"dpi": FIGURE_DPI, "pil_kwargs": {"compress_level": 3}}
        with atomic_output(png) as tmp:
            if raster and inside:
                matplotlib.image.imsave(tmp, _crop(canvas, box, fig.get_facecolor()), format="png", **png_kwargs)
            else:
                fig.savefig(tmp, format="png", bbox_inches=box, **png_kwargs)
        # a fixed salt for the SVG's element ids (random by default) and no timestamp
        with matplotlib.rc_context({"svg.hashsalt": "dxsurvey"}), atomic_output(svg) as tmp:
            fig.savefig(tmp, format="svg", bbox_inches=box, metadata={"Date": None})
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
    out = np.empty((h, w, 4), dtype=np.uint8)
    out[...] = np.round(np.asarray(matplotlib.colors.to_rgba(facecolor)) * 255).astype(np.uint8)
    c0, r0 = max(left, 0), max(top, 0)
    c1, r1 = min(left + w, cols), min(top + h, rows)
    if c1 > c0 and r1 > r0:
        out[r0 - top:r1 - top, c0 - left:c1 - left] = full[r0:r1, c0:c1]
    return out


# ---------------------------------------------------------------------------- tables.xlsx

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def text_width(value: Any) -> int:
    """Display width: East Asian wide/full-width characters count 2."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_names(stems: Sequence[str]) -> list[str]:
    """Excel sheet names for table stems: invalid characters replaced, <= 31 characters, unique.

    Excel compares sheet names case-insensitively; duplicates get ``~2``, ``~3``...

    Examples
    --------
    >>> sheet_names(["a" * 40, "a" * 35, "x:y", "X_y"])
    ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa~2', 'x_y', 'X_y~2']
    """
    used: set[str] = set()
    out = []
    for stem in stems:
        base = _SHEET_BAD.sub("_", str(stem)).strip("'") or "sheet"
        name = base[:31]
        k = 1
        while name.lower() in used:
            k += 1
            suffix = f"~{k}"
            name = base[: 31 - len(suffix)] + suffix
        used.add(name.lower())
        out.append(name)
    return out


def write_xlsx(run_dir: str | Path, *, language: str = "ja") -> Path | None:
    """Gather ``tables/*.csv`` of a run folder into ``tables.xlsx``, a sheet per table.

    Headers are shown in ``language`` (:func:`dxsurvey.reports.catalog.column_label`), bold, the
    header row frozen, columns sized to their content (wide characters count double).

    Returns
    -------
    Path or None
        The workbook, or None when the run has no tables.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    catalog.check_language(language)
    run_dir = Path(run_dir)
    csvs = sorted((run_dir / "tables").glob("*.csv"))
    if not csvs:
        return None
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for path, sheet in zip(csvs, sheet_names([p.stem for p in csvs])):
        frame = pd.read_csv(path, encoding="utf-8-sig")
        ws = wb.create_sheet(sheet)
        headers = [catalog.column_label(str(c), language) for c in frame.columns]
        ws.append(headers)
        for cell in ws[1]:
            cell.font = bold
        for row in frame.itertuples(index=False):
            ws.append([None if _isna(v) else (v.item() if hasattr(v, "item") else v) for v in row])
        for j, col in enumerate(frame.columns, start=1):
            width = max([text_width(headers[j - 1])] + [text_width(v) for v in frame[col].head(500)])
            ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 60)
        ws.freeze_panes = "A2"
    target = run_dir / "tables.xlsx"
    with atomic_output(target) as tmp:
        wb.save(tmp)
    return target


def _isna(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


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
