"""The validation report's tables (issue 10): response rates are not blanked for courses of 22-45
respondents, true small linkage cells still are; the 説明 column and the source formats are in the
report's language, without codes."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from dxsurvey.reports import Context, validation
from dxsurvey.reports.format import DASH
from statsdata import make_study


def _study():
    """C1: 30 pre, 28 post, 27 linked (pre only 3, post only 1: small cells); C2: 12 and 12, all linked."""
    rows = []
    for i in range(30):
        rows.append(("C1", "pre", f"a{i}", 3))
    for i in list(range(27)) + [99]:
        rows.append(("C1", "post", f"a{i}", 4))
    for i in range(12):
        rows += [("C2", "pre", f"b{i}", 2), ("C2", "post", f"b{i}", 3)]
    st = make_study(pd.DataFrame(rows, columns=["course_id", "wave", "respondent_key", "q1"]),
                    constructs={"att": ("q1",)}, min_cell=5)
    st.courses["invited"] = pd.array([40, 15], dtype="Int64")
    st.linkage = pd.DataFrame({"course_id": ["C1", "C2"], "wave_a": "pre", "wave_b": "post",
                               "n_a": [30, 12], "n_b": [28, 12], "matched": [27, 12], "only_a": [3, 0],
                               "only_b": [1, 0], "fuzzy": 0})
    return st


def test_response_rates_shown_and_small_linkage_cells_hidden(tmp_path):
    ctx = Context.open(study=_study(), out=tmp_path, language="ja")
    resp = ctx.table(validation.table_response(ctx))
    assert resp["事前回答数"].tolist() == ["30", "12"] or resp["事前回答数"].tolist() == [30, 12]
    assert DASH not in resp.astype(str).to_numpy()            # nothing blanked: every count >= 5
    link = ctx.table(validation.table_linkage(ctx)).astype(str)
    c1, c2 = link.iloc[0], link.iloc[1]
    # C1: pre only 3 and post only 1 are small, and matched = n_pre - pre only would give them back
    assert (c1["照合数"], c1["事前のみ"], c1["事後のみ"]) == (DASH, DASH, DASH)
    assert (c2["照合数"], c2["事前のみ"], c2["事後のみ"]) == ("12", "0", "0")


def test_demo_response_table_blanks_no_course(tmp_path):
    from dxsurvey import pipeline
    ctx = Context.open(study=pipeline.demo_study(), out=tmp_path, language="ja")
    resp = ctx.table(validation.table_response(ctx)).astype(str)
    assert len(resp) == 8 and DASH not in resp.to_numpy()     # 22-45 respondents per course: all shown


def test_source_formats_and_explanations_are_words_of_the_report_language(tmp_path):
    from dxsurvey import pipeline
    from dxsurvey.reports.context import load_study_cached
    st = load_study_cached(pipeline.demo_study())
    ja = validation.source_table(st, "ja")
    assert {"Google フォーム", "Microsoft Forms"} <= set(ja["format"])
    assert not ({"google_forms", "ms_forms"} & set(ja["format"]))
    ex_ja = validation.problem_examples(st, n=len(st.validation), lang="ja")
    assert not re.search(r"[A-Za-z]{3,}", " ".join(ex_ja["message"]))
    ex_en = validation.problem_examples(st, n=len(st.validation), lang="en")
    joined = " ".join(ex_en["message"])
    assert "outside the scale (1 'そう思わない' to 5 'そう思う')" in joined   # the scale's levels, as the data name them
    # a label with its anchor (1（苦手）) is data too: the longest first, before "1" alone
    for lab in sorted({sc.label_of(v) for sc in st.codebook.scales.values() for v in sc.values}, key=len, reverse=True):
        joined = joined.replace(lab, "")
    for sc in st.codebook.scales.values():                # labels come from the data: allowed in either language
        for labels in sc.levels.values():
            for lab in labels:
                joined = joined.replace(lab, "")
    assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", joined)
    assert not re.search(r"\b[a-z]+_[a-z0-9_]+\b", joined)   # no scale ids (agree5_paper) or item ids
