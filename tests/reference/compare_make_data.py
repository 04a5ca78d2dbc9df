"""Make the fixed data of the compare reference tests (run once; output is committed).

Writes, beside this script:

* ``compare_courses.csv``: 8 courses, 3 instructors crossed with 2 formats.
* ``compare_answers.csv``: one row per submission (course_id, respondent_key, wave,
  audience, q1, q2, q3); q3 is a reverse item (answered as 6 - value).  Each course has
  10-16 respondents with both waves, plus one pre-only and one post-only respondent.

``compare_reference.R`` reads both files and prints the R values pasted into
``tests/test_compare.py``.
"""
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent


def main() -> None:
    rng = np.random.default_rng(20240401)
    courses = pd.DataFrame({
        "course_id": [f"K0{i}" for i in range(1, 9)],
        "instructor": ["元市職員", "元市職員", "ベンダーA", "ベンダーA", "DX推進課", "DX推進課",
                       "元市職員", "ベンダーA"],
        "format": ["in_person", "online", "in_person", "online", "in_person", "online",
                   "in_person", "online"],
    })
    courses["title"] = "DX研修 " + courses["course_id"]
    course_effect = rng.normal(0, 0.35, len(courses))
    instr_effect = {"元市職員": 0.3, "ベンダーA": 0.0, "DX推進課": 0.15}
    rows = []
    for c, (cid, instr, fmt) in enumerate(courses[["course_id", "instructor", "format"]].itertuples(index=False)):
        n = int(rng.integers(10, 17))
        for r in range(n + 2):
            key = f"{cid}-{r:02d}"
            audience = "manager" if rng.random() < 0.4 else "staff"
            ability = rng.normal(0, 0.8)
            gain = 0.4 + instr_effect[instr] + (0.25 if fmt == "in_person" else 0.0) + course_effect[c]
            waves = ["pre", "post"]
            if r == n:
                waves = ["pre"]
            elif r == n + 1:
                waves = ["post"]
            for wave in waves:
                mu = 2.8 + ability + (gain if wave == "post" else 0.0)
                q = np.clip(np.rint(mu + rng.normal(0, 0.6, 3)), 1, 5).astype(int)
                q[2] = 6 - q[2]      # reverse item: answered in the opposite direction
                rows.append((cid, key, wave, audience, *q))
    answers = pd.DataFrame(rows, columns=["course_id", "respondent_key", "wave", "audience",
                                          "q1", "q2", "q3"])
    courses[["course_id", "title", "instructor", "format"]].to_csv(
        HERE / "compare_courses.csv", index=False)
    answers.to_csv(HERE / "compare_answers.csv", index=False)


if __name__ == "__main__":
    main()
