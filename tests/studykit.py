"""The small study codebook several test modules build their studies on."""
from __future__ import annotations

import textwrap


def survey_yaml(survey: str, sources: list[str], *, language: str | None = None, constructs: bool = True,
                missing: tuple[str, ...] = ("無回答",)) -> str:
    """survey.yaml text: two agree5 items (q2 reverse), the audience role, a comment; keyed by 回答者コード.

    ``sources`` are the YAML flow mappings of the sources, e.g. ``"{file: raw/a.csv, course: C1, wave: pre}"``.
    """
    head = f"survey: {survey}\n" + (f"language: {language}\n" if language else "")
    body = textwrap.dedent(f"""\
        respondent_key: {{column: 回答者コード, width: 4}}
        scales:
          agree5:
            levels: {{1: [そう思わない], 2: [あまりそう思わない], 3: [どちらともいえない], 4: [ややそう思う], 5: [そう思う]}}
            missing: [{", ".join(missing)}]
        """)
    if constructs:
        body += "constructs:\n  necessity: {label: DXの必要性, items: [q1, q2]}\n"
    body += textwrap.dedent("""\
        items:
          - {id: q1, column: DXの必要性を理解している, scale: agree5}
          - {id: q2, column: DXは自分の仕事とは関係ない, scale: agree5, reverse: true}
          - {id: role, column: 役職, type: category, role: audience, map: {課長: manager, 主事: staff}}
          - {id: comment, column: ご意見・ご感想, type: text}
        exclude:
          - {column: 回答者コード, values: ["0000"], reason: test submission}
        sources:
        """)
    return head + body + "".join(f"  - {s}\n" for s in sources)
