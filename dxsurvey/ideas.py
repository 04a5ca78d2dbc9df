"""The ideas register of a study folder: ``ideas.csv`` and ``sections.csv`` (optional).

Read and validated like every other input: each problem is a validation row naming file,
row, column and value (:data:`dxsurvey.schema.VALIDATION`), the rest is still used, and
nothing in the study folder is written.  :func:`dxsurvey.load_study` adds these rows to
``study.validation`` (so the validation report and the console summary show them);
:mod:`dxsurvey.plan` summarises the ideas.
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["IDEA_STATUSES", "IDEA_COLUMNS", "IDEA_REQUIRED", "Ideas", "load_ideas", "ideas_validation"]

#: Idea statuses: code -> labels accepted in ideas.csv.
IDEA_STATUSES = {
    "received": ("受付", "received"),
    "considering": ("検討中", "considering"),
    "implemented": ("実施", "実施済", "implemented"),
    "declined": ("見送り", "declined"),
}

#: Columns of ideas.csv: field -> accepted headers (English first).
IDEA_COLUMNS = {
    "date": ("date", "日付", "受付日"),
    "section": ("section", "所属", "課"),
    "channel": ("channel", "経路", "受付経路"),
    "course_id": ("course_id", "研修ID", "研修"),
    "status": ("status", "状況", "対応状況"),
}
#: Fields every idea row needs.
IDEA_REQUIRED = ("date", "section", "channel", "status")
_SECTION_HEADERS = ("section", "所属", "課")


@dataclass
class Ideas:
    """The ideas register of a study (:func:`load_ideas`).

    Attributes
    ----------
    ideas : DataFrame
        source_row, date (datetime64, NaT when unreadable), month ("YYYY-MM"), section,
        channel, course_id (NA when blank or unknown), status (a code of
        :data:`IDEA_STATUSES`, NA when unknown).
    sections : DataFrame or None
        section (one row per section of the organisation), from ``sections.csv``.
    validation : DataFrame
        One row per problem, columns of :data:`dxsurvey.schema.VALIDATION`.
    """

    ideas: pd.DataFrame
    sections: pd.DataFrame | None
    validation: pd.DataFrame


def _norm_text(v) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    s = " ".join(unicodedata.normalize("NFKC", str(v)).split())
    return s or None


def _read_table(path: Path, problems: list) -> tuple[pd.DataFrame, np.ndarray]:
    """A register read as an export is (:func:`dxsurvey.readers.read_source`): the cells (text as
    written, normalised headers) and each row's line in the file.  The rows the reader mended (a
    ragged row, an unclosed quote, an undecodable line) are appended to ``problems``, each naming
    the file by its name and the line: nothing shifts or fails silently."""
    from .codebook import CodebookError
    from .readers import SourceError, read_source
    from .schema import VALIDATION
    try:
        raw = read_source(path, format="csv")
    except SourceError as exc:
        raise CodebookError(str(exc).replace(str(path), path.name)) from None
    df = raw.frame.astype(object).where(raw.frame.notna(), None)
    df.columns = [_norm_text(c) or "" for c in df.columns]
    if raw.problems:
        pf = pd.DataFrame(raw.problems)
        pf["source_file"] = path.name
        pf["message"] = pf["message"].astype(str).str.replace(str(path), path.name, regex=False)
        problems.append(pf.reindex(columns=list(VALIDATION)))
    return df.reset_index(drop=True), np.asarray(raw.source_rows, dtype=np.int64)


def _masker(root: Path):
    """Text -> masked text (:func:`dxsurvey.privacy.mask_text` with the study's names.txt),
    computed once per distinct value; anything that is not text passes through."""
    from . import privacy
    names = privacy.load_names(root)
    seen: dict[str, str] = {}

    def mask(value):
        if not isinstance(value, str):
            return value
        if value not in seen:
            seen[value] = privacy.mask_text(value, names=names)
        return seen[value]
    return mask


def _sections(root: Path, problems: list, masked) -> pd.DataFrame | None:
    """sections.csv: one section per row; a repeated or blank section is logged and left out."""
    from .codebook import CodebookError
    from .ingest import _problem_frame
    spath = root / "sections.csv"
    if not spath.exists():
        return None
    sdf, rows = _read_table(spath, problems)
    scol = next((c for c in sdf.columns if c in _SECTION_HEADERS), None)
    if scol is None:
        raise CodebookError(f"sections.csv: column 'section' is missing (also accepted: 所属, 課); "
                            f"present: {', '.join(sdf.columns)}.")
    names = sdf[scol].map(_norm_text).map(masked)
    dup = names.notna() & names.duplicated()
    if dup.any():
        problems.append(_problem_frame("sections.csv", rows[dup.to_numpy()], scol, names[dup], "invalid_value",
                                       "dropped", "section listed twice; counted once"))
    return pd.DataFrame({"section": names[names.notna() & ~dup].to_numpy()})


def load_ideas(study_or_root, *, courses: pd.DataFrame | None = None) -> Ideas | None:
    """Read the optional ``ideas.csv`` (and ``sections.csv``) of a study folder.

    ``ideas.csv``: one row per improvement idea received; columns ``date``, ``section``
    (所属), ``channel`` (掲示板, 課への訪問, 研修後アンケート, 相談窓口, ...), ``course_id``
    (blank unless the idea came from a course), ``status`` (受付, 検討中, 実施, 見送り).
    Japanese headers 日付, 所属, 経路, 研修ID, 状況 are accepted too.  ``sections.csv``:
    a column ``section`` (or 所属) listing every section of the organisation.

    Parameters
    ----------
    study_or_root : Study or path
        A study (its root and courses are used) or a study folder.
    courses : DataFrame, optional
        courses.csv to check ``course_id`` against (taken from the study if given one).

    Returns
    -------
    Ideas or None
        None when the folder has no ideas.csv.  Both files are read as exports are
        (:func:`dxsurvey.readers.read_source`): a ragged row, an unclosed quote or an
        undecodable line is read in place and logged with its line, and a row is named by
        its line in the file.  ``section`` and ``channel`` are typed by people: they are
        masked (:func:`dxsurvey.privacy.mask_text` with the study's ``names.txt``) before
        anything else sees them, as are the values and messages of the validation rows.
        Problems in cells become validation rows naming file, row, column and value; the row is kept with the cell set missing
        (an unreadable date, an unknown course or status), or kept as written (a section
        not in sections.csv), or kept with a blank required cell (counted in the totals
        only).  Blank rows are dropped, each with a validation row; a section listed twice
        in sections.csv is counted once, with a validation row.

    Raises
    ------
    CodebookError
        A required column is missing, or a file cannot be read.
    """
    from .codebook import CodebookError, load_courses
    from .ingest import _problem_frame
    from .schema import VALIDATION
    if hasattr(study_or_root, "codebook"):
        root = Path(study_or_root.root)
        courses = study_or_root.courses if courses is None else courses
    else:
        root = Path(study_or_root)
    path = root / "ideas.csv"
    if not path.exists():
        return None
    if courses is None and (root / "courses.csv").exists():
        courses = load_courses(root / "courses.csv")
    problems: list[pd.DataFrame] = []
    df, rows = _read_table(path, problems)      # rows: each row's line in the file
    masked = _masker(root)
    colmap = {}
    for fld, names in IDEA_COLUMNS.items():
        hit = next((c for c in df.columns if c in names), None)
        if hit is not None:
            colmap[fld] = hit
    missing = [f for f in IDEA_REQUIRED if f not in colmap]
    if missing:
        raise CodebookError(f"ideas.csv: column {missing[0]!r} is missing (also accepted: "
                            f"{', '.join(IDEA_COLUMNS[missing[0]][1:])}); present: {', '.join(df.columns)}.")
    cells = {f: df[c].astype(object).map(_norm_text).astype(object) for f, c in colmap.items()}
    for fld in ("section", "channel"):   # typed by people: masked before anything else sees them
        cells[fld] = cells[fld].map(masked).astype(object)
    if "course_id" not in cells:
        cells["course_id"] = pd.Series([None] * len(df), dtype=object)
    blank = pd.concat([cells[f].isna() for f in cells], axis=1).all(axis=1).to_numpy(dtype=bool) \
        if len(df) else np.zeros(0, dtype=bool)
    if blank.any():
        problems.append(_problem_frame("ideas.csv", rows[blank], None, [None] * int(blank.sum()),
                                       "empty_submission", "dropped", "blank row, dropped"))
    keep = ~blank
    rows = rows[keep]
    cells = {f: s[keep].reset_index(drop=True) for f, s in cells.items()}
    for fld in IDEA_REQUIRED:            # a blank required cell: the idea counts in the totals only
        gap = cells[fld].isna().to_numpy(dtype=bool)
        if gap.any():
            problems.append(_problem_frame("ideas.csv", rows[gap], colmap[fld], [None] * int(gap.sum()),
                                           "invalid_value", "kept", f"blank {fld}; the idea is counted in the "
                                           f"totals only"))
    date = pd.to_datetime(cells["date"].str.replace("/", "-", regex=False), errors="coerce", format="%Y-%m-%d")
    bad = cells["date"].notna() & date.isna()
    if bad.any():
        problems.append(_problem_frame("ideas.csv", rows[bad.to_numpy()], colmap["date"], cells["date"][bad],
                                       "bad_timestamp", "set_missing", "not a date like 2025-01-31; set missing"))
    lookup = {_norm_text(lab).casefold(): code for code, labs in IDEA_STATUSES.items() for lab in labs}
    status = cells["status"].map(lambda v: None if pd.isna(v) else lookup.get(v.casefold()))
    bad = cells["status"].notna() & status.isna()
    if bad.any():
        allowed = "、".join(labs[0] for labs in IDEA_STATUSES.values())
        problems.append(_problem_frame("ideas.csv", rows[bad.to_numpy()], colmap["status"], cells["status"][bad],
                                       "unknown_label", "set_missing", f"status must be one of {allowed}; set missing"))
    course = cells["course_id"]
    if courses is not None:
        known = set(courses["course_id"].astype(str))
        bad = course.notna() & ~course.isin(known)
        if bad.any():
            problems.append(_problem_frame("ideas.csv", rows[bad.to_numpy()], colmap.get("course_id", "course_id"),
                                           course[bad], "unknown_course", "set_missing",
                                           "course_id not in courses.csv; set missing"))
            course = course.where(~bad, None)
    sections = _sections(root, problems, masked)
    if sections is not None:
        bad = cells["section"].notna() & ~cells["section"].isin(set(sections["section"]))
        if bad.any():
            problems.append(_problem_frame("ideas.csv", rows[bad.to_numpy()], colmap["section"],
                                           cells["section"][bad], "unknown_category", "kept",
                                           "section not in sections.csv; kept as written"))
    ideas = pd.DataFrame({
        "source_row": pd.array(rows, dtype="Int64"), "date": date,
        "month": date.dt.strftime("%Y-%m").where(date.notna(), None),
        "section": cells["section"].astype(object), "channel": cells["channel"].astype(object),
        "course_id": course.astype(object), "status": status.astype(object),
    })
    validation = (pd.concat(problems, ignore_index=True) if problems
                  else pd.DataFrame(columns=list(VALIDATION)))
    for col in ("value", "message"):     # what a cell held is shown masked, as ingest shows it
        validation[col] = validation[col].astype(object).map(masked).astype(object)
    return Ideas(ideas=ideas, sections=sections, validation=validation)


def ideas_validation(root, courses: pd.DataFrame | None = None) -> pd.DataFrame:
    """The validation rows of a study folder's ideas register, for :func:`dxsurvey.load_study`.

    Never raises: a register that cannot be used at all (a required column missing, not
    CSV) is one ``error`` row (``missing_column`` or ``unreadable_source``) with the reason.
    Empty (columns of :data:`dxsurvey.schema.VALIDATION`) without ideas.csv.
    """
    from .codebook import CodebookError
    from .ingest import _problem_frame
    from .schema import VALIDATION
    try:
        ideas = load_ideas(root, courses=courses)
    except CodebookError as exc:
        msg = str(exc)
        file = msg.split(":", 1)[0] if msg.split(":", 1)[0] in ("ideas.csv", "sections.csv") else "ideas.csv"
        problem = "missing_column" if "is missing" in msg else "unreadable_source"
        pf = _problem_frame(file, None, None, [None], problem, "error", "")
        pf["message"] = msg
        return pf
    return ideas.validation if ideas is not None else pd.DataFrame(columns=list(VALIDATION))
