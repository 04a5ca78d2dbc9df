"""Import direction (DESIGN §2): cli and pipeline -> reports -> stats -> ingest -> readers.

Read from the source with ast, so imports inside functions count too. privacy is a
leaf: its masking is used by ingest, its suppression and audit by stats, reports and
pipeline, and it imports no other part of dxsurvey.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "dxsurvey"

#: Layer of each top-level part of the package; a module may import only parts of a
#: layer at most its own.  ``dxsurvey`` (the package's __init__) offers load_study, so it
#: sits with ingest.
LAYERS = {
    "schema": 0, "provenance": 0, "privacy": 0,
    "readers": 1, "codebook": 1,
    "study": 2, "linkage": 2,
    "ingest": 3, "ideas": 3, "dxsurvey": 3, "demo": 3, "init_study": 3,
    "scoring": 4,
    "stats": 5, "plots": 5, "plan": 5, "freetext": 5,
    "reports": 6,
    "pipeline": 7,
    "cli": 8,
}


#: Imports allowed against the flow, each with its reason: privacy's optional name pass uses the
#: tokeniser's person-name tags (imported inside privacy.tagged_names, only when sudachipy is
#: installed; freetext imports privacy at import time, so the reverse import cannot be at the top).
EXCEPTIONS = {("dxsurvey.privacy", "dxsurvey.freetext.tokens")}


def _part(module: str) -> str:
    """``dxsurvey.reports.course`` -> ``reports``; ``dxsurvey`` -> ``dxsurvey``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute dxsurvey module) of every import in a file."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "dxsurvey"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "dxsurvey":
                continue
            if node.module is None:   # from . import x: x is a module (or a name of the package)
                out += [(node.lineno, f"{target}.{a.name}") for a in node.names]
            else:
                out.append((node.lineno, target))
    return out


def _violations() -> list[str]:
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        me = _part(_module_name(path))
        assert me in LAYERS, f"{path}: give {me} a layer in tests/test_layers.py"
        for line, target in _imports(path):
            other = _part(target)
            if other not in LAYERS:   # e.g. `from . import load_study` resolved to dxsurvey.load_study
                other = "dxsurvey"
            if LAYERS[other] > LAYERS[me] and (_module_name(path), target) not in EXCEPTIONS:
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {me} imports {target} (downstream)")
    return bad


def test_imports_flow_one_way():
    assert _violations() == []


def test_checker_sees_relative_and_nested_imports(tmp_path, monkeypatch):
    """The checker itself: an upstream module importing downstream, inside a function, is caught."""
    pkg = tmp_path / "dxsurvey"
    (pkg / "stats").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "stats" / "__init__.py").write_text("")
    (pkg / "stats" / "x.py").write_text("def f():\n    from ..reports import catalog\n    return catalog\n")
    (pkg / "ingest.py").write_text("from .stats import x\n")
    monkeypatch.setattr(f"{__name__}.PACKAGE", pkg)
    got = _violations()
    assert any("stats imports dxsurvey.reports" in v for v in got)
    assert any("ingest imports dxsurvey.stats" in v for v in got)


@pytest.mark.parametrize("name", sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb")))
def test_notebooks_import_only_dxsurvey(name):
    import nbformat

    nb = nbformat.read(PACKAGE.parent / "notebooks" / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] == "dxsurvey" for a in node.names), cell.source
            elif isinstance(node, ast.ImportFrom):
                assert (node.module or "").split(".")[0] == "dxsurvey", cell.source
