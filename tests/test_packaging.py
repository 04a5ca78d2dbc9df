"""pyproject.toml is the single source of versions; environment.yml must agree with it."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[;]", req, maxsplit=1)[0].strip().lower().replace("_", "-")


def _pins(reqs) -> dict[str, str]:
    return {_name(r): r[len(_name(r)):].strip() for r in reqs}


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda_pins = {k: v for k, v in _pins(conda).items() if k not in ("python", "pip")}
    assert conda_pins == _pins(project["dependencies"]), "environment.yml and pyproject.toml disagree"
    assert "conda-forge" in env["channels"]
    assert pip == ["-e ."]
    py = next(d for d in conda if d.startswith("python"))
    assert py.replace("python", "") == project["requires-python"]


#: Pinned exactly, as a pair: the Sudachi analyzer and its dictionary (a dictionary build and the
#: user dictionaries compiled against it go with one analyzer range, and a new build changes counts).
EXACT_PINS = {"sudachipy", "sudachidict-core"}


def test_every_dependency_has_a_lower_bound_and_a_reason():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    project = tomllib.loads(text)["project"]
    reqs = project["dependencies"] + [r for rs in project["optional-dependencies"].values() for r in rs]
    for req in reqs:
        if _name(req) in EXACT_PINS:
            assert "==" in req, f"{req}: the Sudachi pair is pinned exactly"
            assert "pinned" in text.split(f'"{req}"', 1)[1].splitlines()[0], f"{req}: say why it is pinned"
        else:
            assert ">=" in req and "==" not in req, f"{req}: pin a lower bound, not an exact version"
        line = next(line for line in text.splitlines() if f'"{req}"' in line)
        assert "#" in line and len(line.split("#", 1)[1].strip()) > 10, f"{req}: say why it is needed"


def test_console_script_and_test_extra():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["dxsurvey"] == "dxsurvey.cli:command"
    assert "pytest" in {_name(r) for r in project["optional-dependencies"]["test"]}
