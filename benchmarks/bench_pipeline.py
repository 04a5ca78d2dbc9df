"""Wall time of `dxsurvey demo` against its floor: papermill running as many EMPTY notebooks.

    .venv/bin/python benchmarks/bench_pipeline.py [--jobs N]

1. ``python -m dxsurvey.cli demo --out <fresh tmp> --quiet --jobs N`` (a fresh process,
   fresh run folder: everything a user waits for, ingest and HTML export included);
2. the floor, in a fresh process too: papermill executing the same number of
   notebooks with one trivial cell, ``jobs`` at once, in threads like the pipeline,
   with the same kernel (the current interpreter's ipykernel).

Each is run ``--repeat`` times, alternating (machine noise moves the floor between
5 and 13 s here); prints the medians, every run, and the ratio of the medians.
Targets: demo < 60 s on 2 cores, within 2x of the floor.

    .venv/bin/python benchmarks/bench_pipeline.py --baseline-commit 80d051f [--jobs N]

compares this tree with an earlier commit instead of the floor (issue 10: the demo's median
wall time grows by at most 10 %).  The commit is checked out in a temporary ``git worktree``
and run by the same interpreter with ``PYTHONPATH`` set to it (its own ``dxsurvey``, the
same installed libraries; the kernels inherit the variable).  Like is compared with like:
both trees run the reports they have in common (``dxsurvey run <those> --study
<its own data/demo>``), alternating, then this tree runs ``dxsurvey demo`` (every
report) as a third figure.  Each run records its wall time, the CPU seconds of the
process and its kernels, and the 1-minute load average when it started.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR = r"""
import sys, time, nbformat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import papermill
from dxsurvey.pipeline import _kernel_manager_class
n, jobs, folder = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
nb = nbformat.v4.new_notebook()
nb.cells = [nbformat.v4.new_code_cell("x = 1")]
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
src = folder / "empty.ipynb"
nbformat.write(nb, str(src))
def one(i):
    papermill.execute_notebook(str(src), str(folder / f"out{i}.ipynb"), kernel_name="python3",
                               progress_bar=False, kernel_manager_class=_kernel_manager_class(),
                               resources={"metadata": {"path": str(folder)}})
with ThreadPoolExecutor(jobs) as pool:
    list(pool.map(one, range(n)))
"""


CPU: list[float] = []   # CPU seconds of each timed command and its kernels (POSIX)


LOAD: list[float] = []  # 1-minute load average when each timed command started


def _timed(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> float:
    LOAD.append(os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan"))
    before = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", env=env, cwd=cwd)
    seconds = time.perf_counter() - t0
    CPU.append(_children_cpu() - before)
    if proc.returncode not in (0, 1):       # 1 = a report failed / audit finding: still timed
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    return seconds


def _children_cpu() -> float:
    try:
        import resource
    except ImportError:  # Windows: no CPU figure
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=5,
                        help="runs of each, alternating; medians are compared (default 5)")
    parser.add_argument("--baseline-commit", metavar="REV", default="",
                        help="compare with this commit (a git worktree of it) instead of the floor")
    args = parser.parse_args(argv)
    if args.baseline_commit:
        return _against_baseline(args.baseline_commit, args.jobs, args.repeat)
    demos, floors, n, failed = [], [], 0, []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="dxbench-") as tmp:
            out = Path(tmp) / "demo"
            demos.append(_timed([sys.executable, "-m", "dxsurvey.cli", "demo", "--out", str(out), "--quiet",
                                 "--jobs", str(args.jobs)]))
            record = json.loads((out / "run.json").read_text(encoding="utf-8"))
            n = len(record["reports"])
            failed = [r["name"] for r in record["reports"] if not r["ok"]]
            floor_dir = Path(tmp) / "floor"
            floor_dir.mkdir()
            floors.append(_timed([sys.executable, "-c", FLOOR, str(n), str(args.jobs), str(floor_dir)]))
    demo, floor = statistics.median(demos), statistics.median(floors)
    runs = lambda xs: ", ".join(f"{x:.1f}" for x in xs)  # noqa: E731
    print(f"cores={os.cpu_count()} jobs={args.jobs} notebooks={n} repeats={args.repeat}"
          + (f" (failed: {', '.join(failed)})" if failed else ""))
    print(f"dxsurvey demo : {demo:6.1f} s median ({runs(demos)})   (target < 60 s on 2 cores)")
    print(f"floor (empty) : {floor:6.1f} s median ({runs(floors)})   ({n} one-cell notebooks, same jobs)")
    print(f"ratio         : {demo / floor:6.2f}   (target <= 2)")
    # the floor's slow runs are papermill waiting for a kernel's graceful shutdown (up to
    # several seconds, now and then); its fastest run is the floor without those stalls
    print(f"ratio to the fastest floor run ({min(floors):.1f} s): {demo / min(floors):.2f}")
    # CPU time drifts less than wall time on a shared machine: compare versions with it
    print(f"CPU (all processes): demo {statistics.median(CPU[0::2]):.1f} s, "
          f"floor {statistics.median(CPU[1::2]):.1f} s (medians)")
    return 0


REPO = Path(__file__).resolve().parents[1]
_REPORTS = "from dxsurvey.pipeline import REPORTS; print(' '.join(REPORTS))"


def _env(tree: Path) -> dict:
    """This process's environment with ``tree``'s dxsurvey first on the path (commands run with
    ``cwd=tree`` too: ``python -m`` puts the working folder before PYTHONPATH)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tree), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _reports(tree: Path) -> list[str]:
    out = subprocess.run([sys.executable, "-c", _REPORTS], capture_output=True, text=True, check=True,
                         env=_env(tree), cwd=str(tree))
    return out.stdout.split()


def _against_baseline(rev: str, jobs: int, repeat: int) -> int:
    """Alternate: the baseline commit's reports, this tree's same reports, this tree's demo."""
    with tempfile.TemporaryDirectory(prefix="dxbench-base-") as tmp:
        tree = Path(tmp) / "baseline"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), rev],
                       check=True, capture_output=True)
        try:
            sha = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True,
                                 text=True, check=True).stdout.strip()
            ours, theirs = _reports(REPO), _reports(tree)
            common = [r for r in theirs if r in ours]
            if not common:
                sys.exit(f"no report in common between {rev} ({theirs}) and this tree ({ours})")
            times: dict[str, list[float]] = {"base": [], "same": [], "all": []}
            cpu: dict[str, list[float]] = {"base": [], "same": [], "all": []}
            load: dict[str, list[float]] = {"base": [], "same": [], "all": []}
            for i in range(repeat):
                for kind in ("base", "same", "all"):
                    out = Path(tmp) / f"{kind}{i}"
                    root = tree if kind == "base" else REPO
                    cmd = [sys.executable, "-m", "dxsurvey.cli"]
                    cmd += (["demo", "--out", str(out)] if kind == "all" else
                            ["run", *common, "--study", str(root / "data" / "demo"), "--out", str(out)])
                    cmd += ["--quiet", "--jobs", str(jobs)]
                    times[kind].append(_timed(cmd, env=_env(root), cwd=root))
                    cpu[kind].append(CPU[-1])
                    load[kind].append(LOAD[-1])
                    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
                    failed = [r["name"] for r in record["reports"] if not r["ok"]]
                    if failed:
                        print(f"  ({kind} run {i + 1}: failed reports {', '.join(failed)})")
                    shutil.rmtree(out, ignore_errors=True)
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                           capture_output=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    runs = lambda xs: ", ".join(f"{x:.1f}" for x in xs)  # noqa: E731
    print(f"cores={os.cpu_count()} jobs={jobs} repeats={repeat}; reports in common: {' '.join(common)}")
    names = {"base": f"{rev} ({sha})", "same": "this tree, same reports", "all": "this tree, dxsurvey demo"}
    for kind in ("base", "same", "all"):
        print(f"{names[kind]:<28s}: {med[kind]:6.1f} s median wall ({runs(times[kind])}); "
              f"CPU {statistics.median(cpu[kind]):6.1f} s median ({runs(cpu[kind])}); "
              f"load {runs(load[kind])}")
    growth = med["same"] / med["base"] - 1
    cpu_growth = statistics.median(cpu["same"]) / statistics.median(cpu["base"]) - 1
    print(f"same reports: wall {growth:+.1%}, CPU {cpu_growth:+.1%} against {rev}   (target: wall <= +10 %)")
    print(f"every report: wall {med['all'] / med['base'] - 1:+.1%}, "
          f"CPU {statistics.median(cpu['all']) / statistics.median(cpu['base']) - 1:+.1%} against {rev}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
