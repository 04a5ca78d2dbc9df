"""`dxsurvey validate --study data/demo`: exit 0, and its printed counts equal the generator's truth."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"

SOURCE_JA = re.compile(r"^(?P<file>\S+)(?: \[(?P<sheet>[^\]/]+)\])?\s+\[(?P<course>[^\]/]+) / (?P<wave>[\w+]+)\].*読込 (?P<rows>\d+) 行 → 有効 (?P<kept>\d+) 件"
                       r"（空欄 (?P<empty>\d+), 重複 (?P<dup>\d+), 除外 (?P<excl>\d+)）$")
LINK_JA = re.compile(r"^回答者の照合（(?P<course>\S+)）: pre–post 一致 (?P<matched>\d+) 人")


@pytest.fixture(scope="module")
def demo_copy(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("demo") / "demo"
    shutil.copytree(DEMO, dest, ignore=shutil.ignore_patterns(".dxsurvey_key"))
    return dest


def _validate(study: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dxsurvey.cli", "validate", "--study", str(study), *args],
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def test_validate_demo_counts_match_truth(demo_copy):
    truth = json.loads((DEMO / "truth.json").read_text(encoding="utf-8"))
    proc = _validate(demo_copy)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = {}
    matched = {}
    sheets = {}
    for line in proc.stdout.splitlines():
        if m := SOURCE_JA.match(line):
            sheets[m["file"]] = m["sheet"]
            got[m["file"]] = (m["course"], m["wave"], int(m["rows"]), int(m["kept"]), int(m["empty"]),
                              int(m["dup"]), int(m["excl"]))
        elif m := LINK_JA.match(line):
            matched[m["course"]] = int(m["matched"])
    # a file holding several waves (the shared form: course and wave in columns) is one line,
    # its waves joined in pre, post, followup, then order and its counts summed
    want = {}
    for s in truth["sources"]:
        course, waves, *counts = want.get(s["file"], (s["course_id"], [], 0, 0, 0, 0, 0))
        assert course == s["course_id"]
        add = (s["rows"], s["kept"], s["empty_submission"], s["duplicate_submission"], s["excluded"])
        want[s["file"]] = (course, waves + [s["wave"]], *(a + b for a, b in zip(counts, add)))
    order = ("pre", "post", "followup", "then")
    want = {f: (c, "+".join(sorted(w, key=order.index)), *n) for f, (c, w, *n) in want.items()}
    assert got == want
    assert got["raw/fy2025_c04_shared_form_google_sheet.csv"][:2] == ("C2025-04", "pre+post")
    # the paper source is one sheet of its workbook, and its line says which
    assert {f: sh for f, sh in sheets.items() if sh} == {"raw/fy2024_c03_post_paper.xlsx": "事後"}
    want_matched = {c: v["matched"] for c, v in truth["courses"].items() if v["keyed"]}
    assert matched == want_matched
    assert "検証 OK" in proc.stdout


def test_validate_english_and_error_exit(demo_copy, tmp_path):
    proc = _validate(demo_copy, "--lang", "en")
    assert proc.returncode == 0 and "Validation OK" in proc.stdout
    broken = tmp_path / "broken"
    shutil.copytree(demo_copy, broken)
    src = next((broken / "raw").glob("*_pre_google.csv"))
    src.write_bytes(b"")
    proc = _validate(broken)
    assert proc.returncode == 1
    assert f"raw/{src.name}" in proc.stdout and "読めないファイル" in proc.stdout
    (broken / "survey.yaml").write_text("survey: x\nitems: []\nsources: []\n", encoding="utf-8")
    proc = _validate(broken)
    assert proc.returncode == 2 and "items" in (proc.stdout + proc.stderr)
    assert "Traceback" not in proc.stderr
