"""Report building blocks: the notebook :class:`Context`, atomic writes, tables.xlsx, HTML export.

A report notebook's second cell is::

    ctx = dxsurvey.report.Context.open(study=study, out=out, language=language,
                                       min_cell=min_cell, name="10_course_report")

and from then on it only calls into :mod:`dxsurvey` and displays through ``ctx``:
``ctx.t`` / ``ctx.md`` (catalogue text, :mod:`dxsurvey.texts`), ``ctx.table``
(privacy-suppressed, numbered, written to ``tables/<name>.csv``) and ``ctx.figure``
(``figures/<name>.png`` and ``.svg``, numbered caption).

Every file is written atomically: to a temporary file in the same folder, then
:func:`os.replace`, so a reader never sees half a file.
"""
from __future__ import annotations

import contextlib
import copy
import html
import os
import pickle
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

import pandas as pd

from . import texts
from .study import Study

__all__ = [
    "Context", "setup_matplotlib", "load_study_cached", "write_xlsx", "export_html",
    "atomic_output", "atomic_write_text", "atomic_write_bytes", "FORBIDDEN_COLUMNS",
    "STUDY_CACHE_ENV", "FILE_SUFFIX_ENV", "CLAIMS_ENV", "JOB_ENV", "FONT_STACK", "TEMPLATES", "ShownTable", "sheet_names",
]

#: Columns that identify a person or a raw row: a report table must never carry them.
FORBIDDEN_COLUMNS = ("respondent_key", "submission_id", "source_row")

#: Environment variable naming a pickled study prepared by :func:`dxsurvey.pipeline.run`
#: (read once per kernel instead of ingesting the raw files again).
STUDY_CACHE_ENV = "DXSURVEY_STUDY_CACHE"

#: Environment variables a pipeline run sets per kernel: a suffix for the file names of a
#: notebook run once per course (``_C2024-01``: course reports do not overwrite each
#: other's tables), and the folder where table/figure names are claimed, so two
#: notebooks of one run writing the same file is an error instead of a silent overwrite.
FILE_SUFFIX_ENV = "DXSURVEY_FILE_SUFFIX"
CLAIMS_ENV = "DXSURVEY_CLAIMS"
JOB_ENV = "DXSURVEY_JOB"

#: CSS font stack of the HTML reports (Windows, then Linux Japanese fonts).
FONT_STACK = '"Yu Gothic", "Meiryo", "Noto Sans JP", sans-serif'

#: Folder of the jinja/nbconvert templates shipped as package data.
TEMPLATES = Path(__file__).resolve().parent / "templates"

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_P_COLUMNS = ("p_val", "p_adj")


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


# ---------------------------------------------------------------------------- matplotlib

def setup_matplotlib() -> None:
    """Seaborn's theme with Japanese glyphs from the bundled IPAexGothic (:func:`dxsurvey.plots.set_theme`)."""
    from .plots import set_theme

    set_theme()


# ---------------------------------------------------------------------------- study cache

_STUDIES: dict[Path, Study] = {}


def load_study_cached(path: str | Path) -> Study:
    """Load a study once per process.

    When the environment variable :data:`STUDY_CACHE_ENV` names a pickle written by
    :func:`dxsurvey.pipeline.run` for this very study folder, the study is read from
    it (no re-ingest in every notebook kernel); otherwise :func:`dxsurvey.load_study`.
    """
    root = Path(path).resolve()
    if root in _STUDIES:
        return _STUDIES[root]
    study = None
    cache = os.environ.get(STUDY_CACHE_ENV)
    if cache and Path(cache).is_file():
        with open(cache, "rb") as fh:
            record = pickle.load(fh)
        if Path(record["root"]) == root:
            study = record["study"]
    if study is None:
        from . import load_study
        study = load_study(root)
    _STUDIES[root] = study
    return study


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


# ---------------------------------------------------------------------------- Context

def _display(obj) -> None:
    from IPython.display import display
    display(obj)


def _in_kernel() -> bool:
    """True inside a Jupyter kernel (JupyterLab, papermill), not in a script or terminal."""
    import sys
    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython
    return getattr(get_ipython(), "kernel", None) is not None


def _format_p(value) -> str:
    if pd.isna(value):
        return ""
    return "<0.001" if value < 0.001 else f"{value:.3f}"


@dataclass
class Context:
    """What a report notebook needs: the study, where to write, language and the counters.

    Make one with :meth:`Context.open`.

    Attributes
    ----------
    study : Study
    out : Path
        The run folder (``tables/`` and ``figures/`` are inside).
    language : {"ja", "en"}
    min_cell : int
        Groups smaller than this are suppressed in tables.
    name : str
        The notebook stem (``10_course_report``).
    """

    study: Study
    out: Path
    language: str
    min_cell: int
    name: str = ""
    suffix: str = ""
    n_tables: int = field(default=0, init=False)
    n_figures: int = field(default=0, init=False)

    @classmethod
    def open(cls, *, study: str | Path | Study, out: str | Path, language: str = "",
             min_cell: int = 0, name: str = "") -> "Context":
        """Load the study (cached per process), resolve language/min_cell, create the folders.

        Parameters
        ----------
        study : path or Study
            The study folder (survey.yaml, courses.csv, raw/), or a loaded study.
        out : path
            The run folder; ``tables/`` and ``figures/`` are created inside it.
        language : {"", "ja", "en"}
            ``""`` = the codebook's language.
        min_cell : int
            ``0`` = the codebook's ``min_cell``.
        name : str
            The notebook stem, for messages.

        Raises
        ------
        ValueError
            For a language other than "", "ja", "en" or a negative / non-integer min_cell.
        """
        if language not in ("",) + texts.LANGUAGES:
            raise ValueError(f'language must be one of "", "ja", "en"; got {language!r}')
        if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 0:
            raise ValueError(f"min_cell must be an integer >= 0 (0 = the codebook's); got {min_cell!r}")
        st = study if isinstance(study, Study) else load_study_cached(study)
        lang = language or st.language
        if lang not in texts.LANGUAGES:
            raise ValueError(f"the codebook's language must be ja or en; got {lang!r}")
        out = Path(out).resolve()
        for sub in ("tables", "figures"):
            (out / sub).mkdir(parents=True, exist_ok=True)
        setup_matplotlib()
        if JOB_ENV not in os.environ and _in_kernel():
            # opened in JupyterLab, not run by `dxsurvey run`: the tables' style, which the
            # exported report carries in its page head (templates/dx_tables.css)
            _display(_HTMLOut(f'<style>{(TEMPLATES / "dx_tables.css").read_text(encoding="utf-8")}</style>'))
        suffix = os.environ.get(FILE_SUFFIX_ENV, "")
        return cls(study=st, out=out, language=lang, min_cell=min_cell or st.min_cell, name=name,
                   suffix=suffix)

    # -------------------------------------------------------------- text
    def t(self, key: str, **fmt) -> str:
        """Catalogue text ``key`` in this report's language (see :func:`dxsurvey.texts.text`)."""
        return texts.text(key, self.language, **fmt)

    def md(self, key: str, **fmt) -> None:
        """Display catalogue text ``key`` as Markdown (returns nothing: no echo in the cell)."""
        from IPython.display import Markdown
        _display(Markdown(self.t(key, **fmt)))

    # -------------------------------------------------------------- tables
    def _file_stem(self, name: str, what: str) -> str:
        """``name`` + the run's per-course suffix, claimed for this notebook execution."""
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise ValueError(f"{what} name must be letters, digits, '_', '-' or '.' "
                             f"(a file name without folder); got {name!r}")
        stem = f"{name}{self.suffix}"
        claims = os.environ.get(CLAIMS_ENV)
        if claims:
            owner = os.environ.get(JOB_ENV) or f"{self.name}{self.suffix}"
            marker = Path(claims) / f"{what}-{stem}"
            try:
                fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                other = marker.read_text(encoding="utf-8")
                if other != owner:
                    raise ValueError(f"{what} {stem!r} is already written by notebook {other} in this run; "
                                     f"give it another name") from None
            else:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(owner)
        return stem

    def table(self, df: pd.DataFrame, name: str, caption: str = "", *,
              n_cols: Sequence[str] | None = ("n",), value_cols: Sequence[str] | None = None,
              group_cols: Sequence[str] | None = None, decimals: int = 2) -> "ShownTable":
        """Suppress small cells, write ``tables/<name>.csv`` and display a numbered table.

        Parameters
        ----------
        df : DataFrame
            An aggregate table (one row per group), never respondent-level rows.
        name : str
            File stem of ``tables/<name>.csv`` (letters, digits, ``_ - .``).  In a
            pipeline run of a per-course notebook, ``_<course_id>`` is appended.
        caption : str
            Shown after the number ("表1　caption").
        n_cols : sequence of str or None
            Count columns :func:`dxsurvey.privacy.suppress` checks against ``min_cell``.
            The default ``("n",)`` applies when the frame has an ``n`` column; ``None`` or
            ``()`` = nothing to suppress (a table without counts, e.g. course metadata).
        value_cols, group_cols
            Passed to :func:`dxsurvey.privacy.suppress`.
        decimals : int
            Decimals of float columns in the display (p-values: 3, "<0.001").

        Returns
        -------
        ShownTable
            The displayed frame (a DataFrame): suppressed cells shown as "—", headers in
            the report's language.  It is not shown a second time when it ends a cell.

        Raises
        ------
        ValueError
            When the frame carries a person/row identifier column
            (``respondent_key``, ``submission_id``, ``source_row``), an explicitly named
            ``n_cols`` column is missing, or the name is not a plain file stem.
        """
        from . import privacy

        if not isinstance(df, pd.DataFrame):
            raise ValueError(f"ctx.table needs a DataFrame; got {type(df).__name__}")
        stem = self._file_stem(name, "table")
        frame = df.reset_index() if _has_named_index(df) else df.reset_index(drop=True)
        bad = [c for c in frame.columns if str(c) in FORBIDDEN_COLUMNS]
        if bad:
            raise ValueError(f"table {name!r} carries identifying column(s) {bad}: reports hold "
                             "aggregates only; aggregate first")
        n_given = tuple(n_cols or ())
        if n_given == ("n",) and "n" not in frame.columns:
            n_given = ()
        missing = [c for c in n_given if c not in frame.columns]
        if missing:
            raise ValueError(f"table {name!r}: n_cols {missing} not among its columns {list(frame.columns)}")
        if n_given:
            suppressed = privacy.suppress(frame, n_cols=list(n_given), value_cols=value_cols,
                                          min_cell=self.min_cell, group_cols=group_cols)
        else:
            suppressed = frame
        with atomic_output(self.out / "tables" / f"{stem}.csv") as tmp:
            suppressed.to_csv(tmp, index=False, encoding="utf-8-sig")

        shown, hidden = _display_frame(suppressed, privacy, decimals)
        shown = shown.drop(columns=["suppressed"], errors="ignore")
        shown = shown.rename(columns=lambda c: texts.column_label(str(c), self.language))
        self.n_tables += 1
        label = self.t("report.table_label", number=self.n_tables)
        title = f"{label}{self.t('report.caption_sep')}{caption}" if caption else label
        body = (_table_html(shown, suppressed.drop(columns=["suppressed"], errors="ignore"))
                if len(shown) else f"<p>{html.escape(self.t('report.empty_table'))}</p>")
        note = ""
        if hidden:
            note = f'<p class="dx-note">{html.escape(_footnote(privacy, self.language, self.min_cell))}</p>'
        _display(_HTMLOut(f'<div class="dx-table-wrap"><p class="dx-caption"><b>{html.escape(label)}</b>'
                          f"{html.escape(title[len(label):])}</p>{body}{note}</div>"))
        return ShownTable(shown)

    # -------------------------------------------------------------- figures
    def figure(self, fig, name: str, caption: str = "", *, close: bool = True) -> "_Quiet":
        """Save ``figures/<name>.png`` (dpi 150) and ``.svg``, display it with a numbered caption.

        Parameters
        ----------
        fig : matplotlib Figure, or Axes (its figure is used)
        name : str
            File stem (letters, digits, ``_ - .``); ``_<course_id>`` appended as for tables.
        caption : str
            Shown after the number ("図1　caption").
        close : bool
            Close the figure afterwards (default).

        Returns
        -------
        list of Path
            The PNG and SVG paths (not echoed when the call ends a cell).
        """
        stem = self._file_stem(name, "figure")
        if hasattr(fig, "get_figure") and not hasattr(fig, "savefig"):
            fig = fig.get_figure()
        if not hasattr(fig, "savefig"):
            raise ValueError(f"ctx.figure needs a matplotlib Figure or Axes; got {type(fig).__name__}")
        paths = save_figure(fig, self.out / "figures" / f"{stem}.png", self.out / "figures" / f"{stem}.svg")
        self.n_figures += 1
        label = self.t("report.figure_label", number=self.n_figures)
        title = f"{self.t('report.caption_sep')}{caption}" if caption else ""
        from IPython.display import Image
        width = int(round(fig.get_figwidth() * 96))
        _display(Image(data=paths[0].read_bytes(), format="png", width=width, alt=f"{label}{title}"))
        _display(_HTMLOut(f'<p class="dx-caption dx-figcaption"><b>{html.escape(label)}</b>'
                          f"{html.escape(title)}</p>"))
        if close:
            import matplotlib.pyplot as plt
            plt.close(fig)
        return _Quiet(paths)

    def __repr__(self) -> str:
        return (f"Context(name={self.name!r}, out={str(self.out)!r}, language={self.language!r}, "
                f"min_cell={self.min_cell})")


class ShownTable(pd.DataFrame):
    """The frame :meth:`Context.table` displayed; not displayed again as a cell's result."""

    @property
    def _constructor(self):
        return pd.DataFrame

    def _ipython_display_(self) -> None:
        pass


class _Quiet(list):
    """A list that IPython does not echo as a cell's result."""

    def _ipython_display_(self) -> None:
        pass


class _HTMLOut:
    """Rich HTML output that also prints readably outside Jupyter."""

    def __init__(self, markup: str):
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return re.sub(r"<[^>]+>", " ", html.unescape(self.markup)).strip()


def _has_named_index(df: pd.DataFrame) -> bool:
    return any(n is not None for n in df.index.names)


def _footnote(privacy, language: str, min_cell: int) -> str:
    note = privacy.FOOTNOTE
    if isinstance(note, dict):
        note = note.get(language) or next(iter(note.values()))
    return str(note).format(min_cell=min_cell)


#: A text column whose longest cell is longer than this (in display width: a full-width
#: character counts 2) wraps in a box of limited width; shorter ones stay on one line.
_LONG_TEXT = 24


def _table_html(shown: pd.DataFrame, source: pd.DataFrame) -> str:
    """A report table as HTML that stays readable however many columns it has.

    Numbers are right-aligned and never wrap; short text (対象, 検定 ...) stays on one
    line; long text (an item's wording, a caution) wraps in a box 8-22em wide; headers
    wrap within 7em.  The table takes the width this needs and scrolls sideways inside
    the page when wider (``div.dx-table-scroll``): with JupyterLab's fixed table layout
    a 25-column table squeezed Japanese text to one character per line.  ``source``
    is the frame before formatting (same columns, same order) and decides which
    columns are numbers.
    """
    kinds = []
    for j, col in enumerate(source.columns):
        values = source[col]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            kinds.append("num")
        else:
            widest = max((_text_width(v) for v in shown.iloc[:, j]), default=0)
            kinds.append("long" if widest > _LONG_TEXT else "short")
    head = "".join(f'<th class="dx-{k}"><div class="dx-th">{html.escape(str(c))}</div></th>'
                   for c, k in zip(shown.columns, kinds))
    rows = []
    for rec in shown.itertuples(index=False):
        cells = []
        for v, k in zip(rec, kinds):
            text = html.escape("" if v is None or (not isinstance(v, str) and _isna(v)) else str(v))
            cells.append(f'<td class="dx-{k}"><div class="dx-long-text">{text}</div></td>' if k == "long"
                         else f'<td class="dx-{k}">{text}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="dx-table-scroll"><table class="dx-table"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def _display_frame(suppressed: pd.DataFrame, privacy, decimals: int):
    """Format numbers for display and mark suppressed cells; returns (frame, any_hidden)."""
    if "suppressed" in suppressed.columns:
        shown = privacy.format_suppressed(suppressed)
        hidden = bool(suppressed["suppressed"].fillna(False).astype(bool).any())
    else:
        shown, hidden = suppressed.copy(), False
    out = shown.copy()
    for col in out.columns:
        src = suppressed[col] if col in suppressed.columns else None
        if src is None or not pd.api.types.is_float_dtype(src):
            continue
        fmt = _format_p if str(col) in _P_COLUMNS else (lambda v: "" if pd.isna(v) else f"{v:.{decimals}f}")
        out[col] = [cell if isinstance(cell, str) else fmt(cell) for cell in out[col]]
    for col in out.columns:   # an unknown value (not a hidden one) is a blank cell, not "<NA>"
        if out[col].isna().any():
            out[col] = ["" if not isinstance(cell, str) and _isna(cell) else cell for cell in out[col]]
    return out, hidden


# ---------------------------------------------------------------------------- tables.xlsx

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _text_width(value: Any) -> int:
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

    Headers are shown in ``language`` (:func:`dxsurvey.texts.column_label`), bold, the
    header row frozen, columns sized to their content (wide characters count double).

    Returns
    -------
    Path or None
        The workbook, or None when the run has no tables.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    texts._check_language(language)
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
        headers = [texts.column_label(str(c), language) for c in frame.columns]
        ws.append(headers)
        for cell in ws[1]:
            cell.font = bold
        for row in frame.itertuples(index=False):
            ws.append([None if _isna(v) else (v.item() if hasattr(v, "item") else v) for v in row])
        for j, col in enumerate(frame.columns, start=1):
            width = max([_text_width(headers[j - 1])] + [_text_width(v) for v in frame[col].head(500)])
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

    texts._check_language(language)
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
