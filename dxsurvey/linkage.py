"""Respondent linkage: pre/post matching counts and fuzzy matching of self-made codes."""
from __future__ import annotations

import pandas as pd

from .schema import LINKAGE, VALIDATION

__all__ = ["linkage_table", "apply_fuzzy_matching", "WAVE_PAIRS", "hamming1"]

#: Wave pairs reported in the linkage table, in this order.
WAVE_PAIRS = (("pre", "post"), ("post", "followup"), ("pre", "followup"), ("pre", "then"), ("then", "post"),
              ("then", "followup"))


def linkage_table(submissions: pd.DataFrame, fuzzy: dict | None = None) -> pd.DataFrame:
    """Matched, only-a and only-b counts per course and wave pair (keyed submissions only).

    Anonymous courses (no respondent key at all) have no rows.  ``fuzzy`` maps a course
    to the number of codes linked by fuzzy matching (reported on its pre-post row).

    Examples
    --------
    >>> s = pd.DataFrame({"course_id": ["C1"] * 5, "wave": ["pre", "pre", "post", "post", "post"],
    ...                   "respondent_key": ["a", "b", "a", "c", "d"]})
    >>> linkage_table(s)[["course_id", "matched", "only_a", "only_b"]].values.tolist()
    [['C1', 1, 1, 2]]
    """
    rows = []
    keyed = submissions[submissions["respondent_key"].notna()]
    for course, g in keyed.groupby("course_id", sort=True):
        sets = {w: set(gw["respondent_key"]) for w, gw in g.groupby("wave")}
        for a, b in WAVE_PAIRS:
            if a in sets and b in sets:
                sa, sb = sets[a], sets[b]
                rows.append({"course_id": course, "wave_a": a, "wave_b": b, "n_a": len(sa), "n_b": len(sb),
                             "matched": len(sa & sb), "only_a": len(sa - sb), "only_b": len(sb - sa),
                             "fuzzy": int((fuzzy or {}).get(course, 0)) if (a, b) == ("pre", "post") else 0})
    return pd.DataFrame(rows, columns=list(LINKAGE))


def hamming1(a: str, b: str) -> bool:
    """True when two codes of equal length differ in exactly one character.

    >>> hamming1("1234", "1284"), hamming1("1234", "1234"), hamming1("123", "1234")
    (True, False, False)
    """
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1


def apply_fuzzy_matching(kept: pd.DataFrame, *, max_distance: int = 1):
    """Link self-generated codes that differ by one character, within a course.

    A code seen in only one wave of a course is re-labelled to a code of another wave
    of the same course when exactly one candidate differs from it by one character and
    that candidate is itself unmatched and has no other such candidate.  Every re-label
    is logged (problem ``fuzzy_match``, action ``kept``).

    Parameters
    ----------
    kept : DataFrame
        Submissions with columns course_id, wave, code, source_file, source_row.

    Returns
    -------
    (DataFrame, DataFrame)
        The submissions with codes re-labelled, and the validation rows.
    """
    if max_distance not in (0, 1):
        raise ValueError("max_distance must be 0 or 1")
    log = []
    kept = kept.copy()
    if max_distance == 0:
        return kept, pd.DataFrame(columns=["course_id", *VALIDATION])
    for course, g in kept[kept["code"].notna()].groupby("course_id"):
        waves = {w: set(gw["code"]) for w, gw in g.groupby("wave")}
        if len(waves) < 2:
            continue
        everywhere = set.union(*waves.values())
        count = {c: sum(c in s for s in waves.values()) for c in everywhere}
        lonely = sorted(c for c, k in count.items() if k == 1)
        wave_of = {c: next(w for w, s in waves.items() if c in s) for c in lonely}
        cands = {c: [d for d in lonely if d != c and wave_of[d] != wave_of[c] and hamming1(c, d)] for c in lonely}
        done = set()
        for c in lonely:
            if c in done or len(cands[c]) != 1:
                continue
            d = cands[c][0]
            if d in done or len(cands[d]) != 1:
                continue
            # relabel the later wave's code to the earlier wave's code
            order = ("pre", "then", "post", "followup")
            early, late = (c, d) if order.index(wave_of[c]) < order.index(wave_of[d]) else (d, c)
            sel = (kept["course_id"] == course) & (kept["code"] == late)
            for r in kept[sel].itertuples():
                log.append({"course_id": course, "source_file": r.source_file, "source_row": r.source_row, "column": None,
                            "value": late, "problem": "fuzzy_match", "action": "kept",
                            "message": f"code {late!r} matched to {early!r} of wave {wave_of[early]} "
                                       f"(one character differs)."})
            kept.loc[sel, "code"] = early
            done |= {c, d}
    return kept, pd.DataFrame(log, columns=["course_id", *VALIDATION])
