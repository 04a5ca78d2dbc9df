"""The study folder is safe (issue 11, point 5): raw/ is never written by any command, sources
stay inside the study, a run's temporary files live in its partial folder and never outlive it,
a read-only study gets a clear message."""
from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import tree_sha256
from nbformat.v4 import new_code_cell
from pipeline_helpers import _nb, tiny_study

import dxsurvey
from dxsurvey import cli, pipeline
from dxsurvey.codebook import CodebookError
from dxsurvey.ingest import KEY_FILE, write_tables


def _notebooks(folder: Path, **cells: str) -> dict:
    """Notebooks named by the keyword, each one code cell; the registry."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, code in cells.items():
        nbformat.write(_nb([new_code_cell(code)]), str(folder / f"{name}.ipynb"))
    return {name: {} for name in cells}


@pytest.fixture
def study(tmp_path) -> Path:
    return tiny_study(tmp_path / "study")


@pytest.fixture
def tiny_reports(tmp_path, monkeypatch, study):
    """`dxsurvey run` runs one tiny notebook that reads the study (as every report does)."""
    registry = _notebooks(tmp_path / "nb", **{"01_read": (
        "from dxsurvey import reports\n"
        "ctx = reports.Context.open(study=study, out=out, language=language, min_cell=min_cell)\n"
        "print(len(ctx.study.submissions))")})
    monkeypatch.setattr(pipeline, "REPORTS", registry)
    monkeypatch.setattr(pipeline, "notebook_dir", lambda: tmp_path / "nb")
    return tmp_path


# ------------------------------------------------------------------------ raw/ is never written

def test_validate_ingest_and_run_leave_raw_unchanged(tmp_path, study, tiny_reports, capsys):
    """The bytes, names and modes below raw/ are the same after every command."""
    before = tree_sha256(study / "raw")
    assert cli.main(["validate", "--study", str(study)]) == 0
    assert cli.main(["ingest", "--study", str(study)]) == 0
    assert cli.main(["run", "--study", str(study), "--out", str(tmp_path / "run"), "--quiet"]) == 0
    assert (tmp_path / "run" / "index.html").is_file() and (study / "processed" / "answers.parquet").is_file()
    assert tree_sha256(study / "raw") == before


@pytest.mark.parametrize("out", ["raw", "raw/processed", "link_to_raw", "link_to_raw/sub"])
def test_ingest_refuses_to_write_into_raw(study, capsys, out):
    """`dxsurvey ingest --out STUDY/raw` wrote 7 Parquet files into raw/ (issue 11)."""
    (study / "link_to_raw").symlink_to(study / "raw", target_is_directory=True)
    before = tree_sha256(study / "raw")
    assert cli.main(["ingest", "--study", str(study), "--out", str(study / out)]) == 2
    err = capsys.readouterr().err
    assert "raw/ の中" in err and "別の出力フォルダ" in err and "Traceback" not in err
    assert tree_sha256(study / "raw") == before


def test_ingest_refuses_a_processed_folder_that_links_to_raw(study, capsys):
    (study / "processed").symlink_to(study / "raw", target_is_directory=True)
    before = tree_sha256(study / "raw")
    assert cli.main(["ingest", "--study", str(study), "--lang", "en"]) == 2
    assert "inside the study's raw/ folder" in capsys.readouterr().err
    assert tree_sha256(study / "raw") == before
    with pytest.raises(ValueError, match="raw/ is never written"):
        write_tables(dxsurvey.load_study(study), study / "processed")


def test_run_refuses_an_output_folder_that_links_into_raw(tmp_path, study, tiny_reports, capsys):
    (tmp_path / "reports").symlink_to(study / "raw", target_is_directory=True)
    before = tree_sha256(study / "raw")
    assert cli.main(["run", "--study", str(study), "--out", str(tmp_path / "reports" / "r"), "--quiet"]) == 2
    assert "raw/ の中" in capsys.readouterr().err
    assert tree_sha256(study / "raw") == before


# ------------------------------------------------------------------- sources inside the study

def test_a_source_that_links_outside_the_study_is_refused(tmp_path, study):
    outside = tmp_path / "outside.csv"
    outside.write_bytes((study / "raw" / "example_post.csv").read_bytes())
    (study / "raw" / "example_post.csv").unlink()
    (study / "raw" / "example_post.csv").symlink_to(outside)
    with pytest.raises(CodebookError, match=r"sources\[1\]\.file: 'raw/example_post\.csv' is outside the study"):
        dxsurvey.load_study(study)


def test_cli_names_a_source_outside_the_study(tmp_path, study, capsys):
    text = (study / "survey.yaml").read_text(encoding="utf-8")
    (study / "survey.yaml").write_text(text.replace("file: raw/example_post.csv", "file: /etc/passwd"),
                                       encoding="utf-8")
    assert cli.main(["validate", "--study", str(study)]) == 2
    err = capsys.readouterr().err
    assert "'/etc/passwd' は調査フォルダ" in err and "Traceback" not in err   # Japanese by default


# ------------------------------------------------------------------------- read-only study

def test_read_only_study_without_key_gets_a_clear_message(study, monkeypatch, capsys):
    """A PermissionError traceback before (issue 11). Tests run as root here, who may write
    anything: the failing write is simulated."""
    real = Path.write_bytes

    def refuse(self, data):
        if self.name.startswith(KEY_FILE):
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", refuse)
    assert not (study / KEY_FILE).exists()
    assert cli.main(["validate", "--study", str(study)]) == 2
    err = capsys.readouterr().err
    assert "書き込めません" in err and KEY_FILE in err and "Traceback" not in err
    assert cli.main(["validate", "--study", str(study), "--lang", "en"]) == 2
    assert "cannot be written" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_study_folder_for_real(study, capsys):   # pragma: no cover - not as root
    study.chmod(0o555)
    try:
        assert cli.main(["validate", "--study", str(study)]) == 2
        assert "書き込めません" in capsys.readouterr().err
    finally:
        study.chmod(0o755)


# ------------------------------------------------------------- the run's temporary files

def test_the_study_pickle_lives_in_the_partial_folder_and_is_removed(tmp_path, study):
    registry = _notebooks(tmp_path / "nb", **{"01_where": (
        "import os, pathlib\n"
        "from dxsurvey.reports.context import STUDY_CACHE_ENV\n"
        "pathlib.Path(out, 'tables', 'where.txt').write_text(os.environ[STUDY_CACHE_ENV])")})
    result = pipeline.run(["all"], study=study, out=tmp_path / "run", registry=registry, nb_dir=tmp_path / "nb",
                          jobs=1, progress=False)
    assert result.reports[0].ok, result.reports[0].error
    cache = Path((tmp_path / "run" / "tables" / "where.txt").read_text())
    assert cache.name == "study.pkl"
    assert cache.parent.parent.name.startswith("run.partial-")      # inside this run's partial folder
    assert not cache.exists() and not cache.parent.parent.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb", "run", "study"]
    assert not [p for p in (tmp_path / "run").rglob("*") if p.name.startswith(".")]


def test_a_failed_run_removes_its_partial_folder(tmp_path, study, monkeypatch):
    registry = _notebooks(tmp_path / "nb", **{"01_x": "x = 1"})
    import dxsurvey.reports.export

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dxsurvey.reports.export, "write_xlsx", broken)
    with pytest.raises(OSError, match="No space"):
        pipeline.run(["all"], study=study, out=tmp_path / "run", registry=registry, nb_dir=tmp_path / "nb",
                     jobs=1, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb", "study"]


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_new_run_removes_stale_partials_of_the_same_output_only(tmp_path, study):
    """A run killed with kill -9 left `<out>.partial-<pid>` with the study's pickle; the next run
    of that output removes it, but not a partial whose process still runs, nor another output's."""
    registry = _notebooks(tmp_path / "nb", **{"01_x": "x = 1"})
    stale = tmp_path / f"run.partial-{_dead_pid()}"
    (stale / ".cache").mkdir(parents=True)
    (stale / ".cache" / "study.pkl").write_bytes(pickle.dumps({"codes": ["0001"]}))
    stale_old = tmp_path / f"run.old-{_dead_pid()}"
    stale_old.mkdir()
    other_output = tmp_path / f"other.partial-{_dead_pid()}"
    other_output.mkdir()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        live = tmp_path / f"run.partial-{alive.pid}"
        live.mkdir()
        (live / ".owner.json").write_text(json.dumps(
            {"pid": alive.pid, "started": pipeline._process_started(alive.pid)}))
        # a pid reused by an unrelated process: the recorded start time differs
        reused = tmp_path / f"run.partial-{os.getppid()}"
        reused.mkdir()
        (reused / ".owner.json").write_text(json.dumps({"pid": os.getppid(), "started": "1"}))
        result = pipeline.run(["all"], study=study, out=tmp_path / "run", registry=registry,
                              nb_dir=tmp_path / "nb", jobs=1, progress=False)
        assert result.ok
        assert not stale.exists() and not stale_old.exists() and not reused.exists()
        assert live.exists() and other_output.exists()
    finally:
        alive.kill()
        alive.wait()


def test_a_concurrent_run_that_loses_says_so_and_leaves_nothing(tmp_path, study, monkeypatch, capsys):
    """Another run finishes the same output first: this run's copy was left as a complete
    `.partial-*` folder without a word (issue 11)."""
    registry = _notebooks(tmp_path / "nb", **{"01_race": (
        "import pathlib\n"
        "partial = pathlib.Path.cwd().parent\n"
        "final = partial.with_name(partial.name.split('.partial-')[0])\n"
        "final.mkdir()\n"
        "(final / 'run.json').write_text('{}')\n"
        "(final / 'index.html').write_text('the other run')")})
    monkeypatch.setattr(pipeline, "REPORTS", registry)
    monkeypatch.setattr(pipeline, "notebook_dir", lambda: tmp_path / "nb")
    out = tmp_path / "run"
    assert cli.main(["run", "--study", str(study), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "別の実行" in err and "破棄しました" in err and "--force" in err
    assert (out / "index.html").read_text() == "the other run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb", "run", "study"]
