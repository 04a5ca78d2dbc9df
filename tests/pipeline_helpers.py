"""Tiny notebooks and studies for the pipeline tests (no dependency on notebooks/)."""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

PARAMS = ('study = "../data/demo"  # study folder\n'
          'out = "../reports/interactive"  # run folder\n'
          'language = ""  # "": the codebook\'s language\n'
          'min_cell = 0  # 0: the codebook\'s\n')


def _nb(cells, params=PARAMS):
    nb = new_notebook()
    p = new_code_cell(params)
    p.metadata["tags"] = ["parameters"]
    nb.cells = [p, *cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def write_tiny_notebooks(folder: Path) -> dict:
    """Notebooks: a per-course report, one that fails, one that records the kernel
    (the registry returned), and 04_same / 05_same that write the same table name.
    """
    folder.mkdir(parents=True, exist_ok=True)
    tiny = _nb([
        new_code_cell('from dxsurvey import reports\n'
                      'ctx = reports.Context.open(study=study, out=out, language=language, '
                      'min_cell=min_cell, name="01_tiny")'),
        new_markdown_cell("# 小さなレポート"),
        new_code_cell('sub = ctx.study.submissions\n'
                      't = sub.groupby(["course_id", "wave"]).size().rename("n").reset_index()\n'
                      'ctx.table(reports.ReportTable(t, "tiny_counts", "col.count", n_cols=("n",)))'),
        new_code_cell('import matplotlib.pyplot as plt\n'
                      'fig, ax = plt.subplots(figsize=(4, 3))\n'
                      'ax.bar(["事前", "事後"], [1, 2])\n'
                      'ax.set_title("回答数（事前・事後）")\n'
                      'ctx.figure(fig, "tiny_bar", caption="回答数の棒グラフ")'),
    ], PARAMS + 'course_id = ""  # "": the first course with data\n')
    fail = _nb([new_code_cell("raise RuntimeError('わざと失敗')")])
    kernel = _nb([new_code_cell('import sys, pathlib\n'
                                'pathlib.Path(out, "kernel.txt").write_text(sys.executable)\n'
                                'print(pathlib.Path.cwd())')])
    same = _nb([new_code_cell('from dxsurvey import reports\nimport pandas as pd\n'
                              'ctx = reports.Context.open(study=study, out=out, name="same")\n'
                              'ctx.table(reports.ReportTable(pd.DataFrame({"n": [10]}), "same_name", n_cols=("n",)))')])
    nbformat.write(same, str(folder / "04_same.ipynb"))
    nbformat.write(same, str(folder / "05_same.ipynb"))
    nbformat.write(tiny, str(folder / "01_tiny.ipynb"))
    nbformat.write(fail, str(folder / "02_fail.ipynb"))
    nbformat.write(kernel, str(folder / "03_kernel.ipynb"))
    return {"01_tiny": {"per": "course"}, "02_fail": {}, "03_kernel": {}}


def tiny_study(folder: Path) -> Path:
    """The `dxsurvey init` template study: one course, three people before and after."""
    from dxsurvey.init_study import init_study
    return init_study(folder)
