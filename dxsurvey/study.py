"""The :class:`Study`: a codebook, its courses and the tidy tables ingest made."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .codebook import Codebook

__all__ = ["Study"]


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

    def __repr__(self) -> str:  # short: a Study holds large frames
        return (f"Study({self.codebook.survey!r}, courses={len(self.courses)}, "
                f"submissions={len(self.submissions)}, problems={len(self.validation)})")
