"""reports.context, reports.export, reports.catalog and pipeline.py: Context, xlsx, HTML export, the papermill run folder."""
from __future__ import annotations

import io
import json
import re
import sys
import warnings
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from dxsurvey import pipeline
from dxsurvey.reports import catalog as texts
from dxsurvey.reports import context, export
from dxsurvey.reports.context import ReportTable
from pipeline_helpers import tiny_study, write_tiny_notebooks

REPO = Path(__file__).resolve().parents[1]
EXTERNAL_SRC = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


# ---------------------------------------------------------------------------- texts

def test_every_text_has_both_languages_and_same_placeholders():
    for key, entry in texts.TEXTS.items():
        assert set(entry) == set(texts.LANGUAGES), key
        assert all(isinstance(v, str) and v for v in entry.values()), key
        assert texts.placeholders(entry["ja"]) == texts.placeholders(entry["en"]), key


def test_text_errors():
    with pytest.raises(KeyError, match="report.table_label"):
        texts.text("report.table_labl", "ja")
    with pytest.raises(ValueError, match="ja, en"):
        texts.text("report.table_label", "fr", number=1)


# ---------------------------------------------------------------------------- Context

@pytest.fixture(scope="module")
def study(tmp_path_factory):
    import dxsurvey
    return dxsurvey.load_study(tiny_study(tmp_path_factory.mktemp("s") / "study"))


def test_context_open_resolves_language_and_min_cell(study, tmp_path):
    ctx = context.Context.open(study=study, out=tmp_path / "run", name="x")
    assert (ctx.language, ctx.min_cell) == (study.language, study.min_cell)
    assert (tmp_path / "run" / "tables").is_dir() and (tmp_path / "run" / "figures").is_dir()
    ctx = context.Context.open(study=study, out=tmp_path / "run", language="en", min_cell=study.min_cell + 3)
    assert (ctx.language, ctx.min_cell) == ("en", study.min_cell + 3)
    with pytest.raises(ValueError, match='"ja", "en"'):
        context.Context.open(study=study, out=tmp_path, language="jp")
    with pytest.raises(ValueError, match="min_cell"):
        context.Context.open(study=study, out=tmp_path, min_cell=-1)


def test_context_open_refuses_a_min_cell_below_the_codebook(study, tmp_path):
    """A notebook opened in JupyterLab with ``min_cell = 1`` in its parameter cell: before, the
    report ran with 1 and showed groups of 1-4 people that a pipeline run refuses to show."""
    from dxsurvey import privacy

    assert study.min_cell == 5
    for low in (1, 4):
        with pytest.raises(ValueError, match="below the codebook's min_cell 5"):
            context.Context.open(study=study, out=tmp_path, min_cell=low)
    assert context.Context.open(study=study, out=tmp_path, min_cell=5).min_cell == 5
    # the one rule, shared with the pipeline's -p min_cell
    assert [privacy.report_min_cell(v, 5) for v in (0, None, "", "7", 9)] == [5, 5, 5, 7, 9]
    with pytest.raises(ValueError, match="never lowered"):
        privacy.report_min_cell(2, 5)
    with pytest.raises(ValueError, match="whole number"):
        privacy.report_min_cell(2.5, 5)


def test_context_open_loads_a_study_path_once(study, tmp_path):
    a = context.Context.open(study=study.root, out=tmp_path)
    b = context.Context.open(study=str(study.root), out=tmp_path)
    assert a.study is b.study


def test_table_suppresses_writes_csv_and_numbers(study, tmp_path, capsys):
    ctx = context.Context.open(study=study, out=tmp_path, language="ja", min_cell=5)
    df = pd.DataFrame({"audience": ["manager", "staff"], "n": [3, 40], "mean": [4.0, 3.25]})
    shown = ctx.table(ReportTable(df, "by_audience", "col.audience", n_cols=("n",)))
    csv = tmp_path / "tables" / "by_audience.csv"
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")          # utf-8-sig: Excel reads Japanese
    written = pd.read_csv(csv, encoding="utf-8-sig")
    assert written.loc[0, ["n", "mean"]].isna().all()             # 3 < 5: hidden in the file too
    assert list(shown.columns) == ["対象", "人数", "平均"]
    assert shown.iloc[0]["人数"] == "—"
    out = capsys.readouterr().out
    assert "表1" in out and "対象" in out and "回答者が5人未満" in out
    ctx.table(ReportTable(df.assign(n=[30, 40]), "second", n_cols=("n",)))
    assert "表2" in capsys.readouterr().out
    assert hasattr(shown, "_ipython_display_")                   # not echoed a second time


def test_table_english_headers_and_p_format(study, tmp_path, capsys):
    ctx = context.Context.open(study=study, out=tmp_path, language="en")
    df = pd.DataFrame({"item_id": ["q1"], "n": [20], "p_val": [0.0004], "diff": [0.123456]})
    shown = ctx.table(ReportTable(df, "p", n_cols=("n",)))
    assert list(shown.columns) == ["Item", "n", "p", "Difference"]
    assert shown.iloc[0]["p"] == "<0.001" and shown.iloc[0]["Difference"] == "0.12"
    assert "Table 1" in capsys.readouterr().out


def test_table_shows_unknown_counts_blank_not_na_marker(study, tmp_path, monkeypatch):
    shown_html = []
    monkeypatch.setattr(context, "_display", lambda obj: shown_html.append(obj._repr_html_()))
    ctx = context.Context.open(study=study, out=tmp_path, language="ja", min_cell=5)
    df = pd.DataFrame({"course_id": ["C1", "C2"], "n": [30, 3],
                       "matched": pd.array([pd.NA, 20], dtype="Int64")})    # C1: anonymous, no linkage
    shown = ctx.table(ReportTable(df, "linkage", n_cols=("n", "matched"), group_cols=("course_id",)))
    assert "&lt;NA&gt;" not in shown_html[0] and "<NA>" not in shown_html[0]
    assert [str(v) for v in shown["照合数"]] == ["", "—"]


@pytest.mark.parametrize("column", ["respondent_key", "submission_id", "source_row"])
def test_table_refuses_identifying_columns(study, tmp_path, column):
    ctx = context.Context.open(study=study, out=tmp_path)
    with pytest.raises(ValueError, match=column):
        ctx.table(ReportTable(pd.DataFrame({column: ["a"], "n": [10]}), "bad", n_cols=("n",)))
    assert not (tmp_path / "tables" / "bad.csv").exists()


def test_table_bad_name_and_missing_n_cols(study, tmp_path):
    ctx = context.Context.open(study=study, out=tmp_path)
    with pytest.raises(ValueError, match="file name"):
        ctx.table(ReportTable(pd.DataFrame({"n": [10]}), "../escape", n_cols=("n",)))
    with pytest.raises(ValueError, match="n_b"):
        ctx.table(ReportTable(pd.DataFrame({"n_a": [10]}), "x", n_cols=("n_a", "n_b")))
    with pytest.raises(ValueError, match="ReportTable"):
        ctx.table(pd.DataFrame({"n": [10]}))        # a bare frame says nothing about who it counts
    with pytest.raises(ValueError, match="n_cols"):
        ReportTable(pd.DataFrame({"n": [10]}), "x", n_cols=None)    # no opt-out


def test_figure_png_svg_caption_and_close(study, tmp_path, capsys):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ctx = context.Context.open(study=study, out=tmp_path, language="ja")
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([1, 2], [3, 4])
    paths = ctx.figure(fig, "line", caption="折れ線")
    assert [p.name for p in paths] == ["line.png", "line.svg"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and b"<svg" in paths[1].read_bytes()
    assert "図1" in capsys.readouterr().out
    assert not plt.fignum_exists(fig.number)


@pytest.mark.parametrize("case", ["on_canvas", "beyond_edge", "closed"])
def test_save_figure_matches_savefig_tight_and_restores_the_figure(tmp_path, monkeypatch, case):
    """The PNG is savefig(bbox_inches="tight")'s: cropped from one draw when everything lies
    on the canvas (same size, pixels up to sub-pixel placement; also for a figure already
    closed), rendered by savefig (the very same pixels) when something is drawn beyond the
    figure's edge."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image
    context.setup_matplotlib()
    crops = []
    crop = export._crop
    monkeypatch.setattr(export, "_crop", lambda *a: crops.append(1) or crop(*a))

    def draw():
        fig, ax = plt.subplots(figsize=(5, 2.5), layout="constrained")
        ax.barh(["事前", "事後"], [30, 60], label="そう思う")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))      # outside the axes: needs the tight box
        ax.set_xlabel("回答の割合（%）")
        if case == "beyond_edge":   # beyond the figure's right edge (constrained layout leaves figure texts alone)
            fig.text(1.02, 0.5, "欄外の注記")
        return fig

    fig = draw()
    if case == "closed":
        plt.close(fig)
    engine, dpi, canvas = fig.get_layout_engine(), fig.dpi, fig.canvas
    png, svg = export.save_figure(fig, tmp_path / "a.png", tmp_path / "a.svg")
    assert fig.get_layout_engine() is engine and fig.dpi == dpi and fig.canvas is canvas
    ref = draw()
    ref.savefig(tmp_path / "ref.png", dpi=export.FIGURE_DPI, bbox_inches="tight")
    ours, ref = (np.asarray(Image.open(p).convert("L")).astype(int) for p in (png, tmp_path / "ref.png"))
    assert ours.shape == ref.shape
    if case == "beyond_edge":
        assert not crops and (ours == ref).all()
        assert (ours[:, -60:] < 128).any()                           # the note is in the picture
    else:
        assert crops
        diff = np.abs(ours - ref)
        assert diff.mean() < 2.5 and (diff > 64).mean() < 0.01      # antialiased edges only
        for shift in ((1, 0), (-1, 0), (0, 1), (0, -1)):              # aligned: no shift fits better
            moved = np.abs(np.roll(ours, shift, axis=(0, 1)) - ref)[2:-2, 2:-2].mean()
            assert moved > diff[2:-2, 2:-2].mean()
    # the SVG carries no timestamp: the same figure gives the same bytes
    first = svg.read_bytes()
    export.save_figure(draw(), tmp_path / "b.png", tmp_path / "b.svg")
    assert b"<dc:date>" not in first and (tmp_path / "b.svg").read_bytes() == first
    plt.close("all")


def test_tall_figure_png_is_saved_at_a_lower_resolution(tmp_path):
    """A figure of 9 x 40 inches (a Likert chart of 40 items over two waves) would have 8
    million pixels at 150 dpi; it is saved with at most FIGURE_MAX_PIXELS, at no less than 96
    dpi, and the same picture as savefig at that dpi.  A usual figure keeps 150 dpi."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image
    context.setup_matplotlib()

    def draw(height):
        fig, ax = plt.subplots(figsize=(9, height), layout="constrained")
        ax.barh([f"設問{i}" for i in range(40)], range(40))
        return fig

    png, _ = export.save_figure(draw(40), tmp_path / "tall.png", tmp_path / "tall.svg")
    dpi = export.figure_dpi(9, 40)
    assert export.FIGURE_MIN_DPI <= dpi < export.FIGURE_DPI
    with Image.open(png) as im:
        w, h = im.size
    assert w * h <= export.FIGURE_MAX_PIXELS * 1.05 and h > w        # (the tight box adds its padding)
    ref = draw(40)
    ref.savefig(tmp_path / "ref.png", dpi=dpi, bbox_inches="tight")
    with Image.open(tmp_path / "ref.png") as im:
        assert im.size == (w, h)
    png, _ = export.save_figure(draw(6), tmp_path / "usual.png", tmp_path / "usual.svg")
    with Image.open(png) as im:
        assert im.size[0] > 9 * export.FIGURE_DPI * 0.9          # 150 dpi (cropped to the tight box)
    assert export.figure_dpi(9, 400) == export.FIGURE_MIN_DPI
    plt.close("all")


def test_svg_text_is_text_with_japanese_fallback_fonts(tmp_path):
    """An SVG figure keeps its text as text (editable, searchable by the audit, smaller than
    glyph outlines) and names Japanese fallback fonts for a viewer without IPAexGothic."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    context.setup_matplotlib()
    fig, ax = plt.subplots(layout="constrained")
    ax.set_title("DXの必要性 <&>")
    ax.bar(["管理職", "一般職員"], [3.5, 1.2])
    _, svg = export.save_figure(fig, tmp_path / "t.png", tmp_path / "t.svg")
    plt.close(fig)
    text = svg.read_text(encoding="utf-8")
    assert ">DXの必要性 &lt;&amp;&gt;</text>" in text and ">管理職</text>" in text
    families = set(re.findall(r"font-family: ([^;\"]*)", text))
    assert families == {f"'IPAexGothic', 'DejaVu Sans', {export.SVG_FONT_FALLBACK}"}, families
    assert export.SVG_FONT_FALLBACK.endswith("sans-serif")


def test_japanese_glyphs_render_without_missing_glyph_warnings():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    context.setup_matplotlib()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.set_title("DXの必要性を理解している（事前・事後）")
        ax.set_xlabel("そう思う／あまりそう思わない −1")
        ax.bar(["管理職", "一般職員"], [3.5, -1.2])
        for fmt in ("png", "svg"):
            fig.savefig(io.BytesIO(), format=fmt)
        plt.close(fig)
    bad = [str(w.message) for w in caught if "missing from font" in str(w.message) or "Glyph" in str(w.message)]
    assert not bad, bad
    assert matplotlib.rcParams["font.family"][0] == "IPAexGothic"


# ---------------------------------------------------------------------------- files

def test_atomic_output_keeps_old_file_on_failure(tmp_path):
    target = tmp_path / "a.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with export.atomic_output(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]


def test_write_xlsx_sheets_headers_widths(tmp_path):
    from openpyxl import load_workbook
    tables = tmp_path / "tables"
    tables.mkdir()
    pd.DataFrame({"course_id": ["C1", "C2"], "n": [12, 30], "mean": [3.5, 4.25],
                  "title": ["管理職向けDX研修（オンライン）", "x"]}).to_csv(
        tables / "course_overview.csv", index=False, encoding="utf-8-sig")
    long = "a_very_long_table_name_that_exceeds_excel_limits"
    for n, stem in ((5, long + "_1"), (6, long + "_2"), (6, "same_as_2")):   # sorted: same_as_2 last
        pd.DataFrame({"n": [n]}).to_csv(tables / f"{stem}.csv", index=False, encoding="utf-8-sig")
    path = export.write_xlsx(tmp_path, language="ja")
    wb = load_workbook(path)
    # the contents first, then a sheet per table (CSVs without metadata: named after their stem)
    assert len(wb.sheetnames) == 4 and len(set(s.lower() for s in wb.sheetnames)) == 4
    assert wb.sheetnames[0] == "目次" and all(len(s) <= 31 for s in wb.sheetnames)
    # a table with the same contents as another shares its sheet; the contents row names both files
    contents = [[c.value for c in row] for row in wb["目次"].iter_rows(min_row=2)]
    assert len(contents) == 3 and [r[0] for r in contents] == wb.sheetnames[1:]
    assert [r[4] for r in contents if "same_as_2.csv" in r[4]] == [f"{long}_2.csv, same_as_2.csv"]
    assert all(wb["目次"].cell(row=i, column=1).hyperlink.location == f"'{r[0]}'!A1"
               for i, r in enumerate(contents, start=2))
    ws = wb[next(s for s in wb.sheetnames if s.endswith("course_overview"))]
    assert ws["A1"].value == "course_overview"                         # the caption row
    assert [c.value for c in ws[2]] == ["研修ID", "人数", "平均", "研修名"]
    assert all(c.font.bold for c in ws[2])
    assert ws.freeze_panes == "A3" and ws.print_title_rows == "$1:$2"
    assert ws["B3"].value == 12 and ws["C4"].value == 4.25              # numbers stay numbers
    assert ws["B3"].number_format == "0" and ws["C4"].number_format == "0.00"
    assert ws.column_dimensions["D"].width >= 2 * len("管理職向けDX研修（オンライン）") - 4
    assert export.write_xlsx(tmp_path / "nothing") is None


def test_export_html_offline_code_hidden(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 見出し $x^2$"),
                nbformat.v4.new_code_cell("secret_code_line = 1")]
    nb.cells[1].execution_count = 7
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", {"text/html": "<table><tr><td>1</td></tr></table>"}),
                           nbformat.v4.new_output("execute_result", {"text/plain": "5"}, execution_count=7),
                           nbformat.v4.new_output("stream", name="stderr", text="a warning\n")]
    src = tmp_path / "n.ipynb"
    nbformat.write(nb, str(src))
    html = export.export_html(src, tmp_path / "html" / "n.html", "題名", language="ja").read_text("utf-8")
    assert not EXTERNAL_SRC.search(html)
    assert "require.js" not in html and "mathjax" not in html.lower()
    assert '<html lang="ja">' in html and "<title>題名</title>" in html
    assert '"Yu Gothic", "Meiryo", "Noto Sans JP", sans-serif' in html
    assert "secret_code_line" not in html and "a warning" not in html and "見出し" in html
    assert "[7]" not in html                                           # no In/Out prompts


def test_export_html_same_page_as_stock_nbconvert(tmp_path):
    """Skipping nbconvert's BeautifulSoup pass changes no element, text or attribute."""
    import copy

    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("## 結果 &amp; 考察\n\n本文 **強調** &#12354;"), nbformat.v4.new_code_cell("x")]
    nb.cells[1].outputs = [
        nbformat.v4.new_output("display_data", {"text/html": "<table><tr><td>1 &lt; 2</td></tr></table>"}),
        nbformat.v4.new_output("display_data", {"image/png": "iVBORw0KGgo="}, metadata={"image/png": {"alt": "図1"}}),
        nbformat.v4.new_output("display_data", {"image/png": "iVBORw0KGgo="}),       # no alt: stock default
        nbformat.v4.new_output("stream", name="stdout", text="printed <b>\n")]
    src = tmp_path / "n.ipynb"
    nbformat.write(nb, str(src))
    ours = export.export_html(src, tmp_path / "n.html", "題名", language="ja").read_text("utf-8")
    ref_nb = copy.deepcopy(nb)
    ref_nb.metadata["title"] = "題名"
    stock, _ = HTMLExporter(template_name="lab", template_file=str(export.TEMPLATES / "dx_report.html.j2"),
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            embed_images=True, language_code="ja").from_notebook_node(
        ref_nb, resources={"dx_font_stack": export.FONT_STACK})
    ours_soup, stock_soup = BeautifulSoup(ours, "html.parser"), BeautifulSoup(stock, "html.parser")
    assert len(stock_soup.select("[tabindex]")) >= 3
    # the one difference allowed: an image without alt gets no English placeholder
    for img in stock_soup.select("img"):
        if img.get("alt") == "No description has been provided for this image":
            del img["alt"]
    assert str(ours_soup) == str(stock_soup)
    assert "結果 &amp; 考察" in ours and "printed &lt;b&gt;" in ours       # characters, not &#32080;


# ---------------------------------------------------------------------------- registry

def test_registry_notebooks_found_in_package_location():
    folder = pipeline.notebook_dir()
    assert folder == (REPO / "notebooks").resolve()
    assert (REPO / "dxsurvey" / "notebooks").resolve() == folder   # package data = repo folder
    for stem in pipeline.REPORTS:
        assert (folder / f"{stem}.ipynb").is_file(), stem


def _notebooks():
    return sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.stem)
def test_committed_notebook_has_no_outputs_and_a_parameters_cell(path):
    nb = nbformat.read(str(path), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), \
        f"{path.name}: clear the outputs before committing"
    assert "parameters" in code[0].metadata.get("tags", []), f"{path.name}: first code cell must be tagged"
    assert path.stem in pipeline.REPORTS, f"{path.name} is not in pipeline.REPORTS"


@pytest.mark.parametrize("stem", list(pipeline.REPORTS))
def test_registry_notebook_declares_contract_parameters(stem):
    """papermill itself (``--help-notebook``, inspect_notebook) must see every parameter."""
    import papermill
    declared = papermill.inspect_notebook(str(pipeline.notebook_dir() / f"{stem}.ipynb"))
    expected = {"study", "out", "language", "min_cell"}
    if pipeline.REPORTS[stem].get("per") == "course":
        expected.add("course_id")
    assert expected <= set(declared), (
        f"papermill does not see {sorted(expected - set(declared))} in {stem}.ipynb: "
        "a trailing comment must not contain '=' (papermill skips such lines)")
    assert declared["min_cell"]["default"] == "0"


# ---------------------------------------------------------------------------- expand

@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    registry = write_tiny_notebooks(root / "nb")
    return root, registry


def test_parameter_papermill_cannot_read_is_still_declared(tmp_path, caplog):
    from pipeline_helpers import _nb
    nb = _nb([], 'study = ""  # folder\nout = ""  # run\nmin_cell = 0  # 0 = the codebook\'s\n')
    nbformat.write(nb, str(tmp_path / "x.ipynb"))
    declared = pipeline._declared(tmp_path / "x.ipynb")
    assert declared["min_cell"]["inferred_type_name"] == "int"
    assert "x.ipynb: papermill cannot read the parameter(s) min_cell" in caplog.text
    nb = _nb([], 'study = ""  # folder\n')
    nb.cells[0].metadata["tags"] = []
    nbformat.write(nb, str(tmp_path / "y.ipynb"))
    with pytest.raises(ValueError, match="no code cell tagged 'parameters'"):
        pipeline._declared(tmp_path / "y.ipynb")


def test_expand_checks_parameters(study, tiny):
    root, registry = tiny
    kw = dict(study=study, registry=registry, nb_dir=root / "nb")
    jobs = pipeline.expand(["all"], **kw)
    assert [j.name for j in jobs] == ["01_tiny_C2025-01", "02_fail", "03_kernel"]
    with pytest.raises(ValueError, match="'colour'.*declared: course_id, language, min_cell"):
        pipeline.expand(["all"], parameters={"colour": "red"}, **kw)
    with pytest.raises(ValueError, match="--study"):
        pipeline.expand(["all"], parameters={"study": "x"}, **kw)
    with pytest.raises(ValueError, match="unknown notebook 'nope'; allowed: all, 01_tiny"):
        pipeline.expand(["nope"], **kw)
    with pytest.raises(ValueError, match="min_cell.*int"):
        pipeline.expand(["01_tiny"], parameters={"min_cell": "ten"}, **kw)
    with pytest.raises(ValueError, match="C9.*has no data"):
        pipeline.expand(["01_tiny"], parameters={"course_id": "C9"}, **kw)
    (job,) = pipeline.expand(["01_tiny.ipynb"], parameters={"min_cell": "10"}, **kw)
    assert job.params == {"min_cell": 10, "course_id": "C2025-01"}
    # a parameter goes only to the notebooks that declare it
    jobs = pipeline.expand(["all"], parameters={"course_id": "C2025-01"}, **kw)
    assert [j.params for j in jobs] == [{"course_id": "C2025-01"}, {}, {}]


# ---------------------------------------------------------------------------- run

@pytest.fixture(scope="module")
def tiny_run(tiny, tmp_path_factory):
    root, registry = tiny
    study_dir = tiny_study(tmp_path_factory.mktemp("tstudy") / "study")
    out = tmp_path_factory.mktemp("runs") / "run1"
    result = pipeline.run(["all"], study=study_dir, out=out, registry=registry, nb_dir=root / "nb",
                          jobs=2, progress=False)
    return result, study_dir, out, root, registry


def test_run_folder_layout(tiny_run):
    result, study_dir, out, *_ = tiny_run
    assert result.run_dir == out.resolve()
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {"index.html", "run.json", "tables.xlsx", "html/01_tiny_C2025-01.html",
            "notebooks/01_tiny_C2025-01.ipynb", "tables/tiny_counts_C2025-01.csv",
            "figures/tiny_bar_C2025-01.png", "figures/tiny_bar_C2025-01.svg"} <= names
    assert not list(out.parent.glob("*.partial-*"))
    assert not any(p.name.startswith(".") for p in out.rglob("*"))      # no temp files left
    assert not list((study_dir / "raw").glob("*.ipynb"))


def test_failing_notebook_does_not_stop_the_others(tiny_run):
    result, _, out, *_ = tiny_run
    status = {r.name: r.ok for r in result.reports}
    assert status == {"01_tiny_C2025-01": True, "02_fail": False, "03_kernel": True}
    failed = result.failed[0]
    assert "RuntimeError: わざと失敗" in failed.error and not result.ok
    index = (out / "index.html").read_text("utf-8")
    assert "わざと失敗" in index and "失敗" in index
    assert (out / "html" / "02_fail.html").is_file()         # still exported: shows where it stopped


def test_kernel_is_this_interpreter_and_cwd_is_the_notebooks_folder(tiny_run):
    result, _, out, *_ = tiny_run
    assert Path((out / "kernel.txt").read_text()).resolve() == Path(sys.executable).resolve()
    nb = nbformat.read(str(out / "notebooks" / "03_kernel.ipynb"), as_version=4)
    cwd = Path("".join(o.get("text", "") for o in nb.cells[-1].outputs).strip())
    assert cwd.name == "notebooks" and cwd.parent.name.startswith(out.name + ".partial-")


def test_executed_notebooks_carry_no_absolute_paths(tiny_run):
    result, study_dir, out, *_ = tiny_run
    nb = nbformat.read(str(out / "notebooks" / "01_tiny_C2025-01.ipynb"), as_version=4)
    pm = nb.metadata["papermill"]
    assert pm["input_path"] == "notebooks/01_tiny.ipynb"
    assert pm["output_path"] == "notebooks/01_tiny_C2025-01.ipynb"
    assert pm["parameters"]["out"] == ".." and not Path(pm["parameters"]["study"]).is_absolute()
    assert (out / "notebooks" / pm["parameters"]["study"]).resolve() == study_dir.resolve()


def test_index_and_run_record(tiny_run):
    result, study_dir, out, *_ = tiny_run
    record = json.loads((out / "run.json").read_text("utf-8"))
    files = {f["file"]: f["sha256"] for f in record["inputs"]}
    import hashlib
    assert files["survey.yaml"] == hashlib.sha256((study_dir / "survey.yaml").read_bytes()).hexdigest()
    assert {"courses.csv", "raw/example_pre.csv", "raw/example_post.csv"} <= set(files)
    assert {"dxsurvey", "python", "pandas", "scipy", "statsmodels", "seaborn", "papermill"} <= set(record["versions"])
    index = (out / "index.html").read_text("utf-8")
    assert '<html lang="ja">' in index and not EXTERNAL_SRC.search(index)
    for needle in [files["courses.csv"], 'href="html/01_tiny_C2025-01.html"', 'href="tables.xlsx"',
                   record["versions"]["pandas"], "個人情報チェック", "min_cell"]:
        assert needle in index, needle
    assert record["audit"] == [] and result.findings == []


def test_existing_run_folder_needs_force(tiny_run):
    result, study_dir, out, root, registry = tiny_run
    kw = dict(study=study_dir, registry=registry, nb_dir=root / "nb", progress=False)
    with pytest.raises(pipeline.RunExistsError, match="force"):
        pipeline.run(["03_kernel"], out=out, **kw)
    other = out.parent / "not_a_run"
    other.mkdir()
    (other / "precious.txt").write_text("keep")
    with pytest.raises(pipeline.RunExistsError, match="not a dxsurvey run folder"):
        pipeline.run(["03_kernel"], out=other, force=True, **kw)
    assert (other / "precious.txt").read_text() == "keep"
    with pytest.raises(ValueError, match="raw"):
        pipeline.run(["03_kernel"], out=study_dir / "raw" / "x", **kw)


def test_two_notebooks_writing_one_table_name_is_an_error(tiny_run, tmp_path):
    result, study_dir, out, root, registry = tiny_run
    r = pipeline.run(["all"], study=study_dir, out=tmp_path / "same", registry={"04_same": {}, "05_same": {}},
                     nb_dir=root / "nb", jobs=1, progress=False)
    assert [x.ok for x in r.reports] == [True, False]
    assert "'same_name' is already written by notebook 04_same" in r.reports[1].error


def test_force_replaces_a_run(tiny_run, tmp_path):
    result, study_dir, out, root, registry = tiny_run
    target = tmp_path / "again"
    kw = dict(study=study_dir, registry=registry, nb_dir=root / "nb", progress=False)
    pipeline.run(["03_kernel"], out=target, **kw)
    (target / "stale.txt").write_text("old run")
    r = pipeline.run(["03_kernel"], out=target, force=True, **kw)
    assert r.ok and not (target / "stale.txt").exists()
    assert not list(tmp_path.glob("again.*"))


def test_reused_kernel_starts_each_notebook_clean(tmp_path, tiny, monkeypatch):
    """Notebooks share a warm kernel per worker: the namespace, figures and execution counter are
    reset between them, and a notebook that kills its kernel does not take the next one down.
    The kernels keep their input history in memory: report code is not written to the user's
    IPython history database."""
    import nbformat
    from nbformat.v4 import new_code_cell
    from pipeline_helpers import _nb

    nb_dir = tmp_path / "nb"
    nb_dir.mkdir()
    nbformat.write(_nb([new_code_cell("leaked = 42\nimport matplotlib.pyplot as plt\nplt.figure()")]),
                   str(nb_dir / "01_set.ipynb"))
    nbformat.write(_nb([new_code_cell(
        "import matplotlib.pyplot as plt\n"
        "assert 'leaked' not in globals(), 'namespace not reset'\n"
        "assert not plt.get_fignums(), 'figures not closed'\n"
        "assert str(get_ipython().history_manager.hist_file) == ':memory:'")]), str(nb_dir / "02_check.ipynb"))
    nbformat.write(_nb([new_code_cell("import os\nos._exit(1)")]), str(nb_dir / "03_die.ipynb"))
    nbformat.write(_nb([new_code_cell("x = 1")]), str(nb_dir / "04_after.ipynb"))
    registry = {"01_set": {}, "02_check": {}, "03_die": {}, "04_after": {}}
    study_dir = tiny_study(tmp_path / "study")
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    # the kernel that replaces the dead one waits as long as the product waits under load (a
    # loaded 2-core machine took more than papermill's 60 s): the pipeline's own constant
    import papermill
    waits = []
    execute = papermill.execute_notebook

    def recording(*args, **kwargs):
        waits.append(kwargs.get("start_timeout"))
        return execute(*args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", recording)
    result = pipeline.run(["all"], study=study_dir, out=tmp_path / "run", registry=registry, nb_dir=nb_dir,
                          jobs=1, progress=False)
    assert not list((tmp_path / "ipython").rglob("history.sqlite"))
    ok = {r.name: r.ok for r in result.reports}
    assert ok == {"01_set": True, "02_check": True, "03_die": False, "04_after": True}, \
        [(r.name, r.error) for r in result.reports]
    assert waits == [pipeline.KERNEL_START_TIMEOUT] * 4 and pipeline.KERNEL_START_TIMEOUT >= 300
    import json
    nb = json.loads((tmp_path / "run" / "notebooks" / "02_check.ipynb").read_text("utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
    assert not [o for c in code for o in c["outputs"]], "nothing printed by the kernel reset"


def test_a_kernel_that_answers_late_is_ready():
    """Under load a kernel answered each kernel_info request after the next one was sent; the
    client waited for the reply to its latest request only and chased them until the deadline
    ("Kernel didn't respond in 60 seconds", then in 300), so a replacement kernel never started."""
    import asyncio
    from queue import Empty

    class Channel:
        def __init__(self):
            self.queue = []

        async def get_msg(self, timeout=None):
            if not self.queue:
                raise Empty
            return self.queue.pop(0)

    class LaggingKernel:
        def __init__(self):
            self.sent, self.shell, self.iopub, self.handled = [], Channel(), Channel(), []

        def kernel_info(self):
            if self.sent:   # the previous request is answered now, when the next one arrives
                parent = {"msg_id": self.sent[-1]}
                self.shell.queue.append({"msg_type": "kernel_info_reply", "parent_header": parent})
                self.iopub.queue += [{"msg_type": "status", "parent_header": parent, "content": {"execution_state": s}}
                                     for s in ("busy", "idle")]
            self.sent.append(f"m{len(self.sent) + 1}")
            return self.sent[-1]

        @property
        def shell_channel(self):
            return self.shell

        @property
        def iopub_channel(self):
            return self.iopub

        async def _async_is_alive(self):
            return True

        def _handle_kernel_info_reply(self, reply):
            self.handled.append(reply["parent_header"]["msg_id"])

    kernel = LaggingKernel()
    client = pipeline._quick_ready_client()
    asyncio.run(client.wait_for_ready(kernel, timeout=3))
    assert kernel.handled == ["m1"] and len(kernel.sent) == 2


def test_failed_run_shuts_down_kernels_that_are_still_starting(tmp_path, tiny):
    """A run that stops before its first notebook (here: the folder exists) still shuts down the
    kernels it prestarted, including ones that have not finished starting."""
    import threading

    root, registry = tiny
    study_dir = tiny_study(tmp_path / "study")
    out = tmp_path / "exists"
    out.mkdir()
    (out / "keep.txt").write_text("x", encoding="utf-8")
    before = threading.active_count()
    with pytest.raises(pipeline.RunExistsError):
        pipeline.run(["all"], study=study_dir, out=out, registry=registry, nb_dir=root / "nb",
                     jobs=2, progress=False)
    assert threading.active_count() <= before + 1   # no prestart thread left waiting
    assert (out / "keep.txt").read_text(encoding="utf-8") == "x"


def test_table_html_marks_numbers_short_and_long_text():
    """Numbers right-aligned on one line, short labels on one line, long wording wrapped in
    a box; the table scrolls sideways rather than squeezing its columns."""
    from dxsurvey.reports.context import _table_html
    src = pd.DataFrame({"対象": ["管理職"], "内容": ["デジタル技術で業務や住民サービスがどう変わるかイメージできる"],
                        "n": [12], "mean": [3.25]})
    shown = src.assign(mean=["3.25"])
    out = _table_html(shown, src)
    assert out.startswith('<div class="dx-table-scroll"><table class="dx-table">')
    assert '<td class="dx-short">管理職</td>' in out
    assert '<td class="dx-long"><div class="dx-long-text">デジタル技術で' in out
    assert '<td class="dx-num">12</td>' in out and '<td class="dx-num">3.25</td>' in out
    assert out.count("<th ") == 4 and "<thead>" in out


def test_tables_read_ahead_pass_over_files_being_written(tmp_path, monkeypatch):
    """While one report finishes, another kernel writes its tables through hidden temporary
    files that are renamed away: listing them, or a file gone before it is looked at, must not
    fail the run (a demo run failed so: FileNotFoundError on a .tmp CSV)."""
    import pathlib
    import time

    from dxsurvey import pipeline

    tables = tmp_path / "tables"
    tables.mkdir()
    for name in ("a.csv", ".b.tmp-1.csv", "gone.csv"):
        (tables / name).write_text("x\n1\n", encoding="utf-8")
    stat = pathlib.Path.stat

    def vanishing(self, *a, **k):
        if self.name in (".b.tmp-1.csv", "gone.csv"):
            raise FileNotFoundError(2, "No such file or directory", str(self))
        return stat(self, *a, **k)

    monkeypatch.setattr(pathlib.Path, "stat", vanishing)
    assert pipeline._fresh_tables(tables, time.time() - 60) == [tables / "a.csv"]
    assert pipeline._fresh_tables(tables, time.time() + 60) == []
