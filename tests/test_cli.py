"""The `dxsurvey` command: demo end to end (session fixture), run/audit/validate/ingest/init."""
from __future__ import annotations

import json

import pytest

from dxsurvey import cli, pipeline
from dxsurvey.reports.export import sheet_names
from pipeline_helpers import tiny_study, write_tiny_notebooks


# ---------------------------------------------------------------------------- demo, end to end

def test_demo_end_to_end(demo_run):
    out = demo_run.out
    assert demo_run.returncode == 0, demo_run.stderr[-3000:]
    assert demo_run.stdout.strip().splitlines()[-1] == str(out.resolve() / "index.html")
    record = json.loads((out / "run.json").read_text("utf-8"))
    assert record["audit"] == [], record["audit"][:5]
    assert all(r["ok"] for r in record["reports"]), [r["error"] for r in record["reports"] if not r["ok"]]

    import dxsurvey
    study = dxsurvey.load_study(pipeline.demo_study())
    with_data = sorted(set(study.submissions["course_id"]))
    expected = [s for s in pipeline.REPORTS if not pipeline.REPORTS[s].get("per")]
    expected += [f"10_course_report_{c}" for c in with_data]
    for name in expected:
        assert (out / "html" / f"{name}.html").is_file(), name
        assert (out / "notebooks" / f"{name}.ipynb").is_file(), name
        # the tables' style is in the page head once, not repeated as a notebook output
        page = (out / "html" / f"{name}.html").read_text("utf-8")
        assert page.count("table.dx-table td.dx-num") == 1, name
        assert "table.dx-table" not in (out / "notebooks" / f"{name}.ipynb").read_text("utf-8"), name
    assert (out / "index.html").is_file()

    csvs = sorted((out / "tables").glob("*.csv"))
    assert csvs and all(p.stat().st_size > 3 for p in csvs)
    from openpyxl import load_workbook
    wb = load_workbook(out / "tables.xlsx", read_only=True)
    assert wb.sheetnames[0] == "目次" and len(wb.sheetnames) == len(set(wb.sheetnames)) > 20
    assert wb.sheetnames == sheet_names(wb.sheetnames)           # valid, unique, <= 31 characters

    pngs = {p.stem for p in (out / "figures").glob("*.png")}
    svgs = {p.stem for p in (out / "figures").glob("*.svg")}
    assert pngs and pngs == svgs
    # per-course outputs do not overwrite each other
    for cid in with_data:
        assert any(p.stem.endswith(f"_{cid}") for p in csvs), cid
    assert not list(out.parent.glob("*.partial-*"))


def test_demo_run_never_writes_raw(demo_run):
    assert demo_run.returncode == 0
    assert demo_run.raw_before == demo_run.raw_after, "data/demo/raw changed during `dxsurvey demo`"


def test_demo_outputs_show_no_group_under_min_cell(demo_run):
    """Every n-like column of every table (CSV and each xlsx sheet) is 0, blank, hidden or >= min_cell."""
    import pandas as pd

    min_cell = 5
    checked = 0
    for csv in sorted((demo_run.out / "tables").glob("*.csv")):
        df = pd.read_csv(csv, encoding="utf-8-sig", dtype=str)
        for col in df.columns:
            name = str(col)
            if not (name in ("n", "N", "人数", "回答数", "回答者数") or name.startswith(("n_", "n (", "N (", "人数"))
                    or name.endswith("(n)")) or "course" in name or "講座" in name:
                continue
            for v in df[col].dropna():
                if v.strip() in ("", "—"):
                    continue
                for part in v.replace(",", "").split("/"):     # "39 / 34": n of each group
                    x = float(part)
                    assert x == 0 or x >= min_cell, f"{csv.name}: column {name} shows {v}"
                    checked += 1
    assert checked > 100


def test_command_exits_with_mains_code_and_flushes_its_messages(tmp_path):
    """``command`` skips interpreter teardown (os._exit): the code and the piped messages survive."""
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, "-m", "dxsurvey.cli", "audit", "--lang", "en", str(tmp_path)],
                          capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 2 and f"No run.json in {tmp_path}" in proc.stderr, proc.stderr


def test_command_start_imports_no_pandas():
    """`dxsurvey run` starts its kernels before the parent loads pandas: the CLI and the
    pipeline module import only the standard library until a study is read."""
    import subprocess
    import sys
    code = ("import sys, dxsurvey, dxsurvey.cli, dxsurvey.pipeline; "
            "dxsurvey.cli.build_parser(); print(sorted(m for m in ('pandas', 'numpy', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_demo_run_folder_passes_audit_command(demo_run, capsys):
    assert cli.main(["audit", str(demo_run.out)]) == 0
    assert "問題なし" in capsys.readouterr().err


# ---------------------------------------------------------------------------- tiny registry

@pytest.fixture()
def tiny_env(tmp_path, monkeypatch):
    registry = write_tiny_notebooks(tmp_path / "nb")
    study = tiny_study(tmp_path / "study")
    monkeypatch.setattr(pipeline, "REPORTS", {"03_kernel": registry["03_kernel"]})
    monkeypatch.setattr(pipeline, "notebook_dir", lambda: tmp_path / "nb")
    monkeypatch.setattr(pipeline, "demo_study", lambda: study)
    return tmp_path, study


def test_demo_twice_replaces_its_output(tiny_env, capsys):
    root, _ = tiny_env
    out = root / "reports" / "demo"
    assert cli.main(["demo", "--out", str(out), "--quiet"]) == 0
    (out / "old.txt").write_text("x")
    assert cli.main(["demo", "--out", str(out), "--quiet"]) == 0
    assert not (out / "old.txt").exists()
    assert capsys.readouterr().out.strip().splitlines()[-1] == str(out.resolve() / "index.html")


def test_run_refuses_existing_folder_with_japanese_message(tiny_env, capsys):
    root, study = tiny_env
    out = root / "run"
    args = ["run", "--study", str(study), "--out", str(out), "--quiet"]
    assert cli.main(args) == 0
    capsys.readouterr()
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "既にあります" in err and "--force" in err and "Traceback" not in err
    assert cli.main(args + ["--force", "--lang", "en"]) == 0


def test_run_unknown_parameter_is_named(tiny_env, capsys):
    root, study = tiny_env
    code = cli.main(["run", "--study", str(study), "--out", str(root / "r"), "-p", "colour", "red"])
    assert code == 2
    err = capsys.readouterr().err
    assert "入力エラー" in err and "'colour'" in err
    assert not (root / "r").exists()


def test_audit_lists_findings_and_exits_1(tiny_env, capsys):
    root, study = tiny_env
    out = root / "run"
    assert cli.main(["run", "--study", str(study), "--out", str(out), "--quiet"]) == 0
    (out / "tables" / "leak.csv").write_text("comment,n\nyamada.taro@city.example.jp,12\n", encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["audit", str(out)]) == 1
    captured = capsys.readouterr()
    assert "tables/leak.csv" in captured.out and "メール" in captured.out
    assert cli.main(["audit", str(root)]) == 2                   # not a run folder


# ---------------------------------------------------------------------------- study commands

def test_init_validate_ingest(tmp_path, capsys):
    study = tmp_path / "study"
    assert cli.main(["init", str(study)]) == 0
    assert (study / "survey.yaml").is_file()
    assert cli.main(["init", str(study)]) == 2                  # not overwritten
    capsys.readouterr()
    assert cli.main(["validate", "--study", str(study)]) == 0
    assert "検証 OK" in capsys.readouterr().out
    assert cli.main(["ingest", "--study", str(study)]) == 0
    assert (study / "processed" / "answers.parquet").is_file()


def test_validate_errors_exit_1_and_codebook_errors_exit_2(tmp_path, capsys):
    study = tiny_study(tmp_path / "study")
    (study / "raw" / "example_post.csv").write_bytes(b"")       # an unreadable (empty) source
    assert cli.main(["validate", "--study", str(study)]) == 1
    capsys.readouterr()
    (study / "survey.yaml").write_text("survey: x\nitems: 3\n", encoding="utf-8")
    assert cli.main(["validate", "--study", str(study)]) == 2
    err = capsys.readouterr().err
    assert err.strip() and "Traceback" not in err


def test_run_messages_follow_the_report_language(tiny_env, capsys):
    root, study = tiny_env
    code = cli.main(["run", "--study", str(study), "--out", str(root / "en"), "--quiet", "-p", "language", "en"])
    err = capsys.readouterr()
    assert code in (0, 1)
    assert "Done (" in err.out + err.err and "完了しました" not in err.out + err.err


# ------------------------------------------------------- exit codes when the input has errors

def test_run_with_an_unreadable_source_exits_1_and_builds_nothing(tiny_env, capsys):
    """`dxsurvey run` used to exit 0 with only 完了しました when a source failed to load."""
    root, study = tiny_env
    (study / "raw" / "example_post.csv").write_bytes(b"")       # an unreadable (empty) source
    out = root / "run"
    assert cli.main(["run", "--study", str(study), "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "raw/example_post.csv" in err and "読めないファイル" in err
    assert "レポートは作成していません" in err and "--keep-going" in err and "完了しました" not in err
    assert not out.exists() and not list(root.glob("run.partial-*"))


def test_run_keep_going_builds_and_index_names_the_errors(tiny_env, capsys):
    root, study = tiny_env
    (study / "raw" / "example_post.csv").write_bytes(b"")
    out = root / "run"
    code = cli.main(["run", "--study", str(study), "--out", str(out), "--quiet", "--keep-going", "--lang", "en"])
    assert code == 1                                           # went on, but the input is still wrong
    err = capsys.readouterr().err
    assert "raw/example_post.csv" in err and "--keep-going" in err and "Done (" in err
    index = (out / "index.html").read_text("utf-8")
    assert 'id="input-errors"' in index and "raw/example_post.csv" in index and "--keep-going" in index
    record = json.loads((out / "run.json").read_text("utf-8"))
    assert len(record["input_errors"]) == 1 and "--keep-going" in record["command"]


def test_ingest_and_validate_name_the_errors_on_the_console(tmp_path, capsys):
    study = tiny_study(tmp_path / "study")
    (study / "raw" / "example_post.csv").write_bytes(b"")
    assert cli.main(["ingest", "--study", str(study)]) == 1
    err = capsys.readouterr().err
    assert "raw/example_post.csv" in err and "エラーが 1 件" in err
    assert cli.main(["validate", "--study", str(study), "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert "raw/example_post.csv: the file is empty" in err and "There are 1 errors" in err


# ---------------------------------------------------------------------------- help and argparse's words

@pytest.mark.parametrize("argv", [["-h"], ["run", "-h"], ["demo", "-h"], ["audit", "-h"], ["validate", "-h"],
                                  ["ingest", "-h"], ["init", "-h"]])
def test_help_is_japanese_by_default_and_english_with_lang_en(argv, capsys):
    import re
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 0
    ja = capsys.readouterr().out
    assert ja.startswith("使い方: dxsurvey")
    # no English prose: words of 3+ letters other than the metavariables, options and names
    prose = [w for w in re.findall(r"(?<![-\w./<])[a-z]{3,}(?![\w./>])", ja)
             if w not in {"dxsurvey", "all", "data", "demo", "run", "audit", "validate", "ingest", "init",
                          "lang", "min_cell", "raw", "processed", "reports", "csv", "yaml"}]
    assert not prose, (prose, ja)
    with pytest.raises(SystemExit):
        cli.main(argv + ["--lang", "en"])
    en = capsys.readouterr().out
    assert en.startswith("usage: dxsurvey") and not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", en), en


def test_argparse_errors_follow_the_language(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["run", "--jobs", "x"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "dxsurvey run: エラー: 引数 --jobs:" in err and "invalid" not in err and err.startswith("使い方:")
    with pytest.raises(SystemExit):
        cli.main(["init"])
    assert "次の引数が必要です: DIR" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["init", "--lang=en"])
    assert "the following arguments are required: DIR" in capsys.readouterr().err
    import argparse
    assert argparse._("usage: ") == "usage: "      # a library user's argparse is left as it was


def test_notebook_libraries_skip_the_iri_grammar_compilation():
    """papermill and nbconvert import nbformat -> jsonschema, whose optional IRI check from
    rfc3987-syntax compiles Lark grammars at import (about 4 s of every run before the first
    notebook).  Imported after dxsurvey, the check is left out and the import is fast; nbformat
    still validates notebooks."""
    import subprocess
    import sys
    code = ("import sys, time; t = time.process_time(); import dxsurvey, papermill, nbconvert, nbformat; "
            "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')]); nbformat.validate(nb); "
            "print(sys.modules.get('rfc3987_syntax', 'absent'), 'lark' in sys.modules, time.process_time() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[:2] == ["None", "False"], out
    assert float(out[2]) < 3.0, out        # about 1 s here; 5 s with the grammars compiled


def test_run_parent_does_not_import_the_scientific_stack():
    """``dxsurvey run`` reads the study while its report kernels start and import scipy,
    statsmodels, networkx and matplotlib: on 2 cores the parent importing them too delayed the
    first report by about 4 s.  What the parent uses (the pipeline, ingest with its masking
    of names in free text, the report context, export) must not import them."""
    import subprocess
    import sys
    code = ("import sys; import dxsurvey.cli, dxsurvey.pipeline, dxsurvey.ingest, dxsurvey.reports.context, "
            "dxsurvey.reports.export, dxsurvey.freetext.tokens, dxsurvey.privacy; "
            "print(*sorted(m for m in ('scipy', 'statsmodels', 'networkx', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == [], out
    # the lazy names still resolve, to the functions (not to modules of the same name)
    from dxsurvey import freetext as ft
    assert callable(ft.kwic) and callable(ft.documents) and callable(ft.table_test)
    assert ft.Network.__name__ == "Network" and callable(ft.correspondence)
