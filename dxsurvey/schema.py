"""Column vocabularies of every tidy table dxsurvey makes, defined once.

Tests check that each table carries exactly these columns (extra category-item
columns in ``submissions`` aside).  Modules import the tuples from here instead
of spelling column names again.
"""
from __future__ import annotations

#: One row per kept submission (DESIGN §3).  Category items follow as extra columns.
SUBMISSIONS = (
    "submission_id",   # int64, unique in a study, numbered in source order
    "course_id",
    "wave",            # pre | post | followup | then
    "respondent_key",  # keyed hash (str) or NA for anonymous sources
    "audience",        # manager | staff | NA
    "submitted_at",    # datetime64[ns] or NaT
    "source_file",     # path relative to the study folder, " [sheet]" added when the source names a sheet
    "source_row",      # 1-based row as the user sees it in the file (Excel row, CSV line)
    "instructor",      # from a `role: instructor` column of the row, NA: the course's (courses.csv)
    "format",          # from a `role: format` column of the row, NA: the course's
    "style",           # from a `role: style` column of the row, NA: the course's
    "careless",        # bool: flagged as straight-lining or too fast (kept unless exclude_careless)
)

#: One row per submission x scale item (missing answers kept as NA).
ANSWERS = ("submission_id", "item_id", "value", "label")

#: One row per submission x text item with a non-empty, PII-masked text.
TEXTS = ("submission_id", "item_id", "text")

#: One row per multi-select choice made.
CHOICES = ("submission_id", "item_id", "option")

#: Every problem found in the input; nothing is dropped without a row here.
VALIDATION = ("source_file", "source_row", "column", "value", "problem", "action", "message")

#: Allowed values of validation.action.
ACTIONS = ("kept", "set_missing", "dropped", "error")

#: Allowed values of validation.problem (the reason vocabulary of counts).
PROBLEMS = (
    "empty_submission",      # no valid answer to any item -> dropped
    "duplicate_submission",  # older submission of the same key in course x wave -> dropped
    "excluded",              # matched an exclude rule of the codebook -> dropped
    "unknown_label",         # label not in the scale -> set_missing
    "invalid_value",         # two marks (2・3), non-numeric junk -> set_missing
    "out_of_range",          # number outside the scale -> set_missing
    "unknown_category",      # category label not in map (or vocabulary, for role items) -> kept (role: blank)
    "other_option",          # multi-select leftover text kept as "other" -> kept
    "missing_column",        # a column the codebook needs is absent -> error
    "missing_key",           # respondent key blank on a keyed source -> kept, unlinked
    "fuzzy_match",           # self-generated code matched with one differing character -> kept
    "bad_timestamp",         # timestamp not parsed -> kept, NaT
    "unreadable_source",     # file cannot be read (encoding, empty, corrupt) -> error
    "unknown_course",        # a course matching no course_id or title, or blank on a row with answers -> error
    "duplicate_header",      # two columns with the same header; the second gets " (2)" -> kept
    "row_names",             # R-style CSV: header one field short, first field read as row names -> kept
    "ragged_row",            # a record with more or fewer fields than the header -> kept (extra dropped)
    "unclosed_quote",        # a quote never closed, read as a plain character -> kept
    "undecodable_line",      # bytes not in the file's encoding (or NUL) on one line -> kept, line repaired
    "encoding_mismatch",     # a UTF-8 byte-order mark before cp932 text, read as cp932 -> kept
    "formula_without_value", # an xlsx formula cell without a saved value -> set_missing
    "bad_code",              # a respondent code that does not fit `width` -> kept as written
    "merged_spellings",      # labels differing only in case, width or spaces read as one label -> kept (info)
    "label_loss",            # an item lost more than 5 % of its answers to unknown labels -> error
    "unknown_wave",          # a `role: wave` value not in its map, or blank on a row with answers -> error
    "filtered",              # row left out by the source's `where:` filter -> dropped
    "same_column",           # one file listed for two waves reads the same column for both -> error
    "straight_lining",       # same answer to every item of a block of >= 8 Likert items -> kept/dropped
    "too_fast",              # completed in less than a third of the median time -> kept/dropped
)

#: Problems that mark a submission as careless (see ``exclude_careless``).
CARELESS = ("straight_lining", "too_fast")

#: Linkage per course (pre/post matching).
LINKAGE = ("course_id", "wave_a", "wave_b", "n_a", "n_b", "matched", "only_a", "only_b", "fuzzy")

WAVES = ("pre", "post", "followup", "then")


def wave_order(waves) -> list:
    """``waves`` in time order (pre, post, followup, then), unknown waves after them, sorted.

    Examples
    --------
    >>> wave_order(["then", "post", "x", "pre"])
    ['pre', 'post', 'then', 'x']
    """
    known = [w for w in WAVES if w in set(waves)]
    return known + sorted(set(waves) - set(known), key=str)


AUDIENCES = ("manager", "staff")     # the default audience codes (survey.yaml `audiences:` may change them)
ROLES = ("audience", "course", "wave", "instructor", "format", "style")
ITEM_TYPES = ("scale", "category", "multi", "text")
LEVELS = ("reaction", "learning", "behavior", "results")
