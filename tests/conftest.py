"""Shared fixtures.  ``demo_run``: `dxsurvey demo` executed ONCE per test session (CLI, end to end)."""
from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:            # helper modules beside the tests (pipeline_helpers, ...)
    sys.path.insert(0, str(TESTS))


@dataclass
class DemoRun:
    out: Path
    returncode: int
    stdout: str
    stderr: str
    raw_before: str = ""
    raw_after: str = ""


def tree_sha256(folder: Path) -> str:
    """One SHA-256 over every file's relative path, bytes and mode below ``folder``."""
    import hashlib

    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        h.update(p.relative_to(folder).as_posix().encode())
        if p.is_file():
            h.update(p.read_bytes())
            h.update(oct(p.stat().st_mode).encode())
    return h.hexdigest()


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> DemoRun:
    """The demo study's full run folder, made by ``python -m dxsurvey.cli demo --out ...``."""
    out = tmp_path_factory.mktemp("demo_run") / "demo"
    raw = Path(__file__).resolve().parents[1] / "data" / "demo" / "raw"
    before = tree_sha256(raw)
    proc = subprocess.run([sys.executable, "-m", "dxsurvey.cli", "demo", "--out", str(out), "--quiet"],
                          capture_output=True, text=True, encoding="utf-8", timeout=2400)
    return DemoRun(out, proc.returncode, proc.stdout, proc.stderr, before, tree_sha256(raw))
