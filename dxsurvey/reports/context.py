"""The notebook :class:`Context` and :class:`ReportTable`.

A report notebook's second cell is::

    from dxsurvey import reports
    ctx = reports.Context.open(study=study, out=out, language=language, min_cell=min_cell,
                               name="10_course_report")

and from then on it only calls into :mod:`dxsurvey` and displays through ``ctx``:
``ctx.t`` / ``ctx.md`` (catalogue text, :mod:`dxsurvey.reports.catalog`; every value
interpolated into Markdown is escaped), ``ctx.table`` (a :class:`ReportTable`, always
suppressed by :func:`dxsurvey.privacy.suppress`, numbered, written to
``tables/<name>.csv``) and ``ctx.figure`` (``figures/<name>.png`` and ``.svg``).
"""
from __future__ import annotations

import html
import json
import os
import pickle
import re
from dataclasses import (dataclass, field)
from pathlib import Path
from typing import Mapping

import pandas as pd

from .. import privacy
from ..study import Study
from . import catalog
from .export import (TEMPLATES, P_COLUMNS, atomic_write_text, save_figure, text_width,
                     write_csv)
from .format import (Markup, escape_md, isna)

__all__ = [
    "Context", "ReportTable", "ShownTable", "setup_matplotlib", "load_study_cached", "FORBIDDEN_COLUMNS",
    "STUDY_CACHE_ENV", "FILE_SUFFIX_ENV", "CLAIMS_ENV", "JOB_ENV", "FIGURE_TITLES_ENV",
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
#: "0" leaves the numbered title out of saved figures (``dxsurvey run --no-figure-titles``).
FIGURE_TITLES_ENV = "DXSURVEY_FIGURE_TITLES"

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_P_COLUMNS = P_COLUMNS


# ---------------------------------------------------------------------------- matplotlib

def setup_matplotlib() -> None:
    """Seaborn's theme with Japanese glyphs from the bundled IPAexGothic (:func:`dxsurvey.plots.set_theme`)."""
    from ..plots import set_theme

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
        from .. import load_study
        study = load_study(root)
    _STUDIES[root] = study
    return study


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
            ``0`` = the codebook's ``min_cell``; a larger value hides more, a smaller one is
            refused (:func:`dxsurvey.privacy.report_min_cell`).
        name : str
            The notebook stem, for messages.

        Raises
        ------
        ValueError
            For a language other than "", "ja", "en", a negative / non-integer min_cell, or
            a min_cell below the codebook's.
        """
        if language not in ("",) + catalog.LANGUAGES:
            raise ValueError(f'language must be one of "", "ja", "en"; got {language!r}')
        if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 0:
            raise ValueError(f"min_cell must be an integer >= 0 (0 = the codebook's); got {min_cell!r}")
        st = study if isinstance(study, Study) else load_study_cached(study)
        # the codebook's min_cell is the floor, as in a pipeline run (one rule: dxsurvey.privacy)
        min_cell = privacy.report_min_cell(min_cell, st.min_cell)
        lang = language or st.language
        if lang not in catalog.LANGUAGES:
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
        return cls(study=st, out=out, language=lang, min_cell=min_cell, name=name,
                   suffix=suffix)

    # -------------------------------------------------------------- text
    def t(self, key: str, **fmt) -> str:
        """Catalogue text ``key`` in this report's language (see :func:`dxsurvey.reports.catalog.text`)."""
        return catalog.text(key, self.language, **fmt)

    def label(self, kind: str, value) -> str:
        """Display name of a coded value in this report's language (:func:`dxsurvey.reports.format.label`)."""
        from .format import label
        return label(kind, value, self.language)

    def md(self, key: str, **fmt) -> None:
        """Display catalogue text ``key`` as Markdown (returns nothing: no echo in the cell).

        The template is the only markup: every value is escaped for Markdown and HTML
        (:func:`dxsurvey.reports.format.escape_md`) unless it is :class:`~dxsurvey.reports.format.Markup`
        that a report function built the same way (values escaped, templates from the catalogue).
        """
        from IPython.display import Markdown
        if "min_cell" in catalog.placeholders(catalog.TEXTS.get(key, {}).get(self.language, "")):
            fmt.setdefault("min_cell", self.min_cell)
        safe = {k: v if isinstance(v, Markup) else escape_md(v) for k, v in fmt.items()}
        _display(Markdown(self.t(key, **safe)))

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

    def table(self, table: "ReportTable", *, decimals: int = 2, show: bool = True) -> "ShownTable":
        """Suppress small cells, write ``tables/<name>.csv`` and display a numbered table.

        Parameters
        ----------
        table : ReportTable
            An aggregate table (one row per group, never respondent-level rows) with
            its privacy metadata; a report function of :mod:`dxsurvey.reports` makes it.
            Its ``n_cols`` are checked by :func:`dxsurvey.privacy.suppress` against this
            report's ``min_cell`` (always; an empty ``n_cols`` declares a table that
            counts nobody).  Its name is the file stem of ``tables/<name>.csv``; in a
            pipeline run of a per-course notebook, ``_<course_id>`` is appended.
        decimals : int
            Decimals of float columns in the display (p-values: 3, "<0.001").
        show : bool
            False: only write ``tables/<name>.csv`` (suppressed by the same rule), not
            numbered or displayed (a full list the page shows a selection of).

        Returns
        -------
        ShownTable
            The displayed frame (a DataFrame): suppressed cells shown as "—", headers in
            the report's language.  It is not shown a second time when it ends a cell.

        Raises
        ------
        ValueError
            When ``table`` is not a ReportTable, the frame carries a person/row identifier
            column (``respondent_key``, ``submission_id``, ``source_row``), a declared
            count or group column is missing, or the name is not a plain file stem.
        """
        if not isinstance(table, ReportTable):
            raise ValueError(f"ctx.table needs a ReportTable (made by a dxsurvey.reports function); "
                             f"got {type(table).__name__}")
        name = table.name
        stem = self._file_stem(name, "table")
        df = table.frame
        frame = df.reset_index() if _has_named_index(df) else df.reset_index(drop=True)
        bad = [c for c in frame.columns if str(c) in FORBIDDEN_COLUMNS]
        if bad:
            raise ValueError(f"table {name!r} carries identifying column(s) {bad}: reports hold "
                             "aggregates only; aggregate first")
        missing = [c for c in tuple(table.n_cols) + tuple(table.group_cols or ()) if c not in frame.columns]
        if missing:
            raise ValueError(f"table {name!r}: declared column(s) {missing} not among its columns "
                             f"{list(frame.columns)}")
        suppressed = privacy.suppress(frame, n_cols=list(table.n_cols), value_cols=table.value_cols,
                                      min_cell=self.min_cell, group_cols=table.group_cols)
        if not table.n_cols and "suppressed" not in frame.columns:
            suppressed = suppressed.drop(columns=["suppressed"])
        caption = self.t(table.caption, **table.caption_args) if table.caption else ""
        # UTF-8 with BOM (Excel opens it in Japanese), text that a spreadsheet would take
        # for a formula neutralised (OWASP "CSV injection")
        write_csv(suppressed, self.out / "tables" / f"{stem}.csv")

        shown, hidden = _display_frame(suppressed, decimals)
        shown = shown.drop(columns=["suppressed"], errors="ignore")
        shown = shown.rename(columns=lambda c: catalog.column_label(str(c), self.language))
        if not show:
            # unnumbered, but described like the others (tables.xlsx, index.html)
            self._write_meta(stem, table, suppressed, caption, hidden, decimals, numbered=False)
            return ShownTable(suppressed.drop(columns=["suppressed"], errors="ignore"))
        self.n_tables += 1
        self._write_meta(stem, table, suppressed, caption, hidden, decimals)
        label = self.t("report.table_label", number=self.n_tables)
        title = f"{label}{self.t('report.caption_sep')}{caption}" if caption else label
        body = (_table_html(shown, suppressed.drop(columns=["suppressed"], errors="ignore"))
                if len(shown) else f"<p>{html.escape(self.t('report.empty_table'))}</p>")
        note = ""
        if hidden:
            note = f'<p class="dx-note">{html.escape(self.t("report.suppressed_footnote", min_cell=self.min_cell))}</p>'
        _display(_HTMLOut(f'<div class="dx-table-wrap"><p class="dx-caption"><b>{html.escape(label)}</b>'
                          f"{html.escape(title[len(label):])}</p>{body}{note}</div>"))
        return ShownTable(shown)

    def _write_meta(self, stem: str, table: "ReportTable", suppressed: pd.DataFrame, caption: str,
                    hidden: bool, decimals: int, numbered: bool = True) -> None:
        """``tables/<stem>.meta.json``: what :func:`dxsurvey.reports.export.write_xlsx` needs to
        know about the table (its report, number, caption, count and p-value columns, whether
        cells were hidden), so that nothing downstream guesses it from the CSV.  A table
        written but not shown (``numbered=False``) has no number and no label."""
        meta = {
            "stem": stem, "name": table.name,
            "report": os.environ.get(JOB_ENV) or f"{self.name}{self.suffix}", "notebook": self.name,
            "number": self.n_tables if numbered else None, "language": self.language,
            "caption_key": table.caption, "caption": caption,
            "caption_args": {str(k): v if isinstance(v, (str, int, float)) else str(v)
                             for k, v in dict(table.caption_args).items()},
            "label": self.t("report.table_label", number=self.n_tables) if numbered else "",
            "n_cols": list(table.n_cols), "group_cols": list(table.group_cols or ()),
            "p_cols": [c for c in _P_COLUMNS if c in table.frame.columns],
            "decimals": decimals, "hidden": hidden, "min_cell": self.min_cell,
            "suppressed_columns": [str(c) for c in suppressed.attrs.get("suppressed_columns") or ()],
            "footnote": self.t("report.suppressed_footnote", min_cell=self.min_cell) if hidden else "",
        }
        atomic_write_text(self.out / "tables" / f"{stem}.meta.json",
                          json.dumps(meta, ensure_ascii=False, indent=1, default=str))

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
        self.n_figures += 1
        label = self.t("report.figure_label", number=self.n_figures)
        title = f"{self.t('report.caption_sep')}{caption}" if caption else ""
        if os.environ.get(FIGURE_TITLES_ENV, "1") != "0":
            # the numbered title travels with the file (pasted into slides, it keeps its meaning)
            _title_figure(fig, f"{label}{title}")
        paths = save_figure(fig, self.out / "figures" / f"{stem}.png", self.out / "figures" / f"{stem}.svg")
        atomic_write_text(self.out / "figures" / f"{stem}.meta.json", json.dumps(
            {"file": f"{stem}.png", "svg": f"{stem}.svg", "number": self.n_figures, "label": label,
             "caption": caption, "report": os.environ.get(JOB_ENV) or f"{self.name}{self.suffix}"},
            ensure_ascii=False, indent=1))
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


@dataclass(frozen=True)
class ReportTable:
    """A table a report shows, with the privacy metadata it carries.

    Attributes
    ----------
    frame : DataFrame
        The aggregate table.
    name : str
        File stem of ``tables/<name>.csv`` (letters, digits, ``_ - .``).
    caption : str
        Catalogue key of the caption ("" for none); formatted with ``caption_args``.
    n_cols : tuple of str
        The columns that count people; :func:`dxsurvey.privacy.suppress` checks them.
        ``()`` declares that the table counts nobody (metadata, pre-suppressed text).
    group_cols : tuple of str or None
        Rows whose counts add up to a shown total (complementary suppression).
    value_cols : tuple of str or None
        Columns hidden in a suppressed row (default: every numeric column).
    caption_args : mapping
        Values of the caption's placeholders.
    """

    frame: pd.DataFrame
    name: str
    caption: str = ""
    n_cols: tuple = ()
    group_cols: tuple | None = None
    value_cols: tuple | None = None
    caption_args: Mapping = field(default_factory=dict)

    def __post_init__(self):
        if not isinstance(self.frame, pd.DataFrame):
            raise ValueError(f"ReportTable needs a DataFrame; got {type(self.frame).__name__}")
        if isinstance(self.n_cols, str) or self.n_cols is None:
            raise ValueError("n_cols must be a tuple of column names (() for a table that counts nobody)")
        object.__setattr__(self, "n_cols", tuple(self.n_cols))
        if self.group_cols is not None:
            object.__setattr__(self, "group_cols", tuple(self.group_cols))
        if self.value_cols is not None:
            object.__setattr__(self, "value_cols", tuple(self.value_cols))


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


def _title_figure(fig, text: str) -> None:
    """Put ``text`` (図3　caption) above the figure, left-aligned, wrapped to its width;
    a title the figure already has stays below it."""
    import textwrap

    width = max(int(fig.get_figwidth() * 72 / 10 / 1.1), 20)   # ~10 pt characters per line
    wrapped = "\n".join(textwrap.wrap(text, width=width)) if text_width(text) > width * 2 else text
    old = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    if fig.get_layout_engine() is None or isinstance(fig.get_layout_engine(), PlaceHolderLayoutEngine):
        # no layout engine to make room (a figure laid out once by tight_layout, or by hand):
        # the figure grows by the title's lines, every axes keeps its size and place in inches
        width, height = fig.get_size_inches()
        extra = (wrapped.count("\n") + 1) * 11 * 1.35 / 72 + (0.08 if not old else 0)
        scale = height / (height + extra)
        for ax in fig.axes:
            pos = ax.get_position(original=True)
            ax.set_position([pos.x0, pos.y0 * scale, pos.width, pos.height * scale])
        fig.set_size_inches(width, height + extra)
    fig.suptitle(f"{wrapped}\n{old}" if old else wrapped, x=0.01, ha="left", fontsize=11, fontweight="bold")


def _has_named_index(df: pd.DataFrame) -> bool:
    return any(n is not None for n in df.index.names)


#: A text column whose longest cell is longer than this (in display width: a full-width
#: character counts 2) wraps in a box of limited width; shorter ones stay on one line.
_LONG_TEXT = 24

#: Tables with at least this many columns print in a smaller font (dx_tables.css: dx-wide,
#: dx-very-wide), so that an A4 page holds every column.
_WIDE, _VERY_WIDE = 10, 16


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
            widest = max((text_width(v) for v in shown.iloc[:, j]), default=0)
            kinds.append("long" if widest > _LONG_TEXT else "short")
    head = "".join(f'<th class="dx-{k}"><div class="dx-th">{html.escape(str(c))}</div></th>'
                   for c, k in zip(shown.columns, kinds))
    rows = []
    for rec in shown.itertuples(index=False):
        cells = []
        for v, k in zip(rec, kinds):
            text = html.escape("" if v is None or (not isinstance(v, str) and isna(v)) else str(v))
            cells.append(f'<td class="dx-{k}"><div class="dx-long-text">{text}</div></td>' if k == "long"
                         else f'<td class="dx-{k}">{text}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    width = " dx-very-wide" if len(kinds) >= _VERY_WIDE else " dx-wide" if len(kinds) >= _WIDE else ""
    return (f'<div class="dx-table-scroll"><table class="dx-table{width}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def _display_frame(suppressed: pd.DataFrame, decimals: int):
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
            out[col] = ["" if not isinstance(cell, str) and isna(cell) else cell for cell in out[col]]
    return out, hidden


