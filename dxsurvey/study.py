"""The :class:`Study`: a codebook, its courses and the tidy tables ingest made."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .codebook import Codebook

__all__ = ["Study", "StudyFolderError", "check_outside_raw"]


class StudyFolderError(ValueError):
    """A command would write into a study's ``raw/``, or cannot write what it must there.

    ``key`` and ``fmt`` give the message in the command's language (the catalogue's
    ``cli.*`` entry); ``str()`` is the English message for library users.
    """

    def __init__(self, message: str, key: str, **fmt):
        super().__init__(message)
        self.key = key
        self.fmt = fmt


def check_outside_raw(target: str | Path, study_root: str | Path) -> None:
    """Raise :class:`StudyFolderError` when ``target`` is the study's ``raw/`` or below it.

    Paths are resolved with symbolic links followed: a ``processed`` folder that links
    to ``raw/`` is refused too.  ``raw/`` is read-only to every command.
    """
    raw = (Path(study_root) / "raw").resolve()
    resolved = Path(target).resolve()
    if resolved == raw or raw in resolved.parents:
        raise StudyFolderError(
            f"{target} is inside the study's raw/ folder ({raw}, symbolic links followed); raw/ "
            "is never written. Choose another output folder.", "cli.out_in_raw", path=target)


@dataclass
class Study:
    """A loaded study.  All tables follow :mod:`dxsurvey.schema`.

    Attributes
    ----------
    root : Path
        The study folder.
    codebook : Codebook
    courses : DataFrame
        courses.csv with every column of ``codebook.COURSE_COLUMNS`` (blank = NA).
    submissions, answers, choices, texts, validation, linkage : DataFrame
        The tidy tables (DESIGN §3).
    sensitive : frozenset of str
        Raw respondent codes and their keyed hashes: what ``privacy.audit`` looks
        for in outputs.  Never written to any table or report.
    source_summary : DataFrame
        Per source file: rows read, kept, dropped by reason.
    """

    root: Path
    codebook: Codebook
    courses: pd.DataFrame
    submissions: pd.DataFrame
    answers: pd.DataFrame
    texts: pd.DataFrame
    validation: pd.DataFrame
    choices: pd.DataFrame = field(default_factory=pd.DataFrame)
    linkage: pd.DataFrame = field(default_factory=pd.DataFrame)
    source_summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    sensitive: frozenset = frozenset()

    @property
    def language(self) -> str:
        return self.codebook.language

    @property
    def min_cell(self) -> int:
        return self.codebook.min_cell

    @property
    def errors(self) -> pd.DataFrame:
        """Validation rows with action ``error``."""
        return self.validation[self.validation["action"] == "error"]

    def course(self, course_id: str) -> "Study":
        """A copy of this study restricted to one course.

        Submissions, answers, texts, choices, linkage and courses keep only that
        course's rows; the codebook, validation and source summary are the whole study's.

        Raises
        ------
        ValueError
            If ``course_id`` is not in courses.csv.
        """
        from dataclasses import replace

        if course_id not in set(self.courses["course_id"]):
            raise ValueError(f"course_id {course_id!r} is not in courses.csv; courses: "
                             f"{', '.join(map(str, self.courses['course_id']))}.")
        subs = self.submissions[self.submissions["course_id"] == course_id]
        ids = set(subs["submission_id"])

        def keep(frame):
            if frame is None or not len(frame) or "submission_id" not in frame.columns:
                return frame
            return frame[frame["submission_id"].isin(ids)].reset_index(drop=True)

        link = self.linkage
        if link is not None and len(link) and "course_id" in link.columns:
            link = link[link["course_id"] == course_id].reset_index(drop=True)
        return replace(self, submissions=subs.reset_index(drop=True), answers=keep(self.answers),
                       texts=keep(self.texts), choices=keep(self.choices), linkage=link,
                       courses=self.courses[self.courses["course_id"] == course_id].reset_index(drop=True))

    def __repr__(self) -> str:  # short: a Study holds large frames
        return (f"Study({self.codebook.survey!r}, courses={len(self.courses)}, "
                f"submissions={len(self.submissions)}, problems={len(self.validation)})")
