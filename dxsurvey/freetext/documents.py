"""Documents: one respondent's comment (one submission) is one document, with its groups.

Every result of :mod:`dxsurvey.freetext` carries how many documents it used and how many
were left out, as ``DataFrame.attrs`` (see :data:`N_ATTRS`).
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from .. import privacy
from ..privacy import TOKENS as MASK_TOKENS

__all__ = ["documents", "study_documents", "N_ATTRS", "note_counts", "stamp", "GROUP_COLUMNS"]

#: Group columns a document carries (from submissions, then courses.csv).
GROUP_COLUMNS = ("course_id", "wave", "audience", "title", "fiscal_year", "instructor", "instructor_type",
                 "format", "style")

#: Keys of ``attrs`` on every frame this package returns:
#: ``n_used`` documents analysed; ``n_blank`` submissions without a comment among the items
#: used; ``n_masked_only`` comments that held nothing but masked personal data (``[氏名]``…);
#: ``n_below_min_cell_text`` documents left out because their group had fewer than
#: ``min_cell_text`` respondents (quotes only; 0 elsewhere).
N_ATTRS = ("n_used", "n_blank", "n_masked_only", "n_below_min_cell_text")


def note_counts(attrs: dict, *, min_cell: int, small: bool = True, n_default: int = 0) -> dict:
    """The documents used and left out (``n``, ``blank``, ``masked`` and, with ``small``, the
    ``small`` groups' documents) from a result's :data:`N_ATTRS`, as a caption or figure note
    writes them: counts of 1 to ``min_cell`` − 1 people hidden by
    :func:`dxsurvey.privacy.suppress_note_counts`.  Leave ``small`` out when the note does
    not show it, so that it is not the count hidden in the others' place.

    >>> note_counts({"n_used": 40, "n_blank": 7, "n_masked_only": 2}, min_cell=5, small=False)
    {'n': 40, 'blank': '—', 'masked': '—'}
    """
    counts = {"n": attrs.get("n_used", n_default), "blank": attrs.get("n_blank", 0),
              "masked": attrs.get("n_masked_only", 0)}
    if small:
        counts["small"] = attrs.get("n_below_min_cell_text", 0)
    return privacy.suppress_note_counts(counts, min_cell=min_cell)

_MASK_RE = re.compile("|".join(re.escape(t) for t in sorted(set(MASK_TOKENS.values()), key=len, reverse=True)))
_FILLER_RE = re.compile(r"[\s\W_]+", re.UNICODE)

# submission columns that identify a person or a file row: never copied into documents
_PRIVATE = {"respondent_key", "submitted_at", "source_file", "source_row"}


def _masked_only(text: str) -> bool:
    return bool(_MASK_RE.search(text)) and not _FILLER_RE.sub("", _MASK_RE.sub("", text))


def documents(texts: pd.DataFrame, submissions: pd.DataFrame, courses: pd.DataFrame | None = None, *,
              items: Sequence[str] | None = None) -> pd.DataFrame:
    """One document per submission with a comment, joined to its groups.

    Parameters
    ----------
    texts : DataFrame
        The study's ``texts`` table (submission_id, item_id, text; already masked).
    submissions : DataFrame
        The study's ``submissions`` table: every submission is a respondent who could have
        written; those without a comment are counted as blank.
    courses : DataFrame, optional
        courses.csv; adds title, fiscal_year, instructor, instructor_type, format, style.  A
        submission's own instructor, format or style (row-level columns of a shared form,
        missing where the course's applies) wins over its course's; ``audience`` stays the
        respondent's.
    items : sequence of str, optional
        Text items to use (default: all).  A submission's comments on several items are
        joined with a line break, in this order (else in item order of ``texts``).

    Returns
    -------
    DataFrame
        One row per document: ``doc_id`` (= submission_id), ``text``, then the group
        columns of :data:`GROUP_COLUMNS` that exist and the submission's category-item
        columns.  Respondent keys, timestamps and source rows are not copied.
        ``attrs``: :data:`N_ATTRS` (``n_used``, ``n_blank``, ``n_masked_only``,
        ``n_below_min_cell_text`` = 0).

    Raises
    ------
    ValueError
        A text whose submission_id is not in ``submissions``, or an unknown item.
    """
    for name, frame, cols in (("texts", texts, ("submission_id", "item_id", "text")),
                              ("submissions", submissions, ("submission_id",))):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ValueError(f"documents: {name} lacks column(s) {', '.join(missing)}")
    t = texts
    if items is not None:
        items = list(items)
        unknown = sorted(set(items) - set(texts["item_id"]))
        if unknown and len(texts):
            raise ValueError(f"documents: no text item {', '.join(map(repr, unknown))}; "
                             f"the study has {', '.join(map(repr, sorted(texts['item_id'].unique())))}")
        t = t[t["item_id"].isin(items)]
        order = {item: i for i, item in enumerate(items)}
    else:
        order = {item: i for i, item in enumerate(pd.unique(texts["item_id"]))}
    orphans = sorted(set(t["submission_id"]) - set(submissions["submission_id"]))
    if orphans:
        raise ValueError(f"documents: texts of submission_id {orphans[:5]} have no row in submissions")
    t = t[t["text"].map(lambda v: isinstance(v, str) and v.strip() != "")]
    t = t.assign(_order=t["item_id"].map(order)).sort_values(["submission_id", "_order"], kind="stable")
    joined = t.groupby("submission_id", sort=True)["text"].agg("\n".join)
    masked = joined.map(_masked_only)
    keep = joined[~masked]
    subs = submissions.drop(columns=[c for c in _PRIVATE if c in submissions.columns])
    subs = subs.set_index("submission_id")
    docs = subs.loc[keep.index].copy()
    docs.insert(0, "text", keep.to_numpy())
    if courses is not None and "course_id" in docs.columns and len(courses):
        info = courses.drop_duplicates("course_id").set_index("course_id")
        for col in GROUP_COLUMNS:
            if col == "course_id" or col not in info.columns or (col == "audience" and col in docs.columns):
                continue            # audience stays the respondent's
            course_value = docs["course_id"].map(info[col])
            if col in docs.columns:
                # a submission's own value (a row-level column of a shared form) wins over its course's
                own = docs[col]
                docs[col] = own.astype(object).where(own.notna(), course_value.astype(object))
            else:
                docs[col] = course_value
    docs.index.name = "doc_id"
    docs = docs.reset_index()
    first = ["doc_id", "text"] + [c for c in GROUP_COLUMNS if c in docs.columns]
    docs = docs[first + [c for c in docs.columns if c not in first]]
    docs.attrs = {"n_used": int(len(docs)), "n_blank": int(len(submissions) - len(joined)),
                  "n_masked_only": int(masked.sum()), "n_below_min_cell_text": 0}
    return docs


def study_documents(study, *, items: Sequence[str] | None = None) -> pd.DataFrame:
    """:func:`documents` of a loaded :class:`~dxsurvey.study.Study`.

    By default the codebook's ``type: text`` items: the leftover "other" text of a
    multi-select item (``tools_other``) names a tool, it is not a comment.
    """
    if items is None:
        items = [it.id for it in study.codebook.items_of("text")]
        present = set(study.texts["item_id"])
        items = [i for i in items if i in present] or items
    texts = study.texts if items else study.texts.iloc[0:0]
    return documents(texts, study.submissions, study.courses, items=items or None)


def stamp(frame: pd.DataFrame, docs: pd.DataFrame, *, n_used: int | None = None, **extra) -> pd.DataFrame:
    """Copy the N attributes of ``docs`` onto ``frame`` and return it.

    ``n_used`` is the number of documents in ``docs`` (a subset of the documents, such as one
    wave's, counts its own rows; pandas carries ``attrs`` over to a subset unchanged), or the
    ``n_used`` given; ``n_blank`` and ``n_masked_only`` are the study's, from ``docs.attrs``.
    """
    attrs = {k: int(docs.attrs.get(k, 0)) for k in N_ATTRS}
    attrs["n_used"] = int(len(docs))
    if n_used is not None:
        attrs["n_used"] = int(n_used)
    attrs.update({k: int(v) for k, v in extra.items()})
    frame.attrs = {**frame.attrs, **attrs}
    return frame
