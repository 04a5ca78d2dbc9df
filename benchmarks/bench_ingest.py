"""Ingest benchmark: a CSV-sourced study of 100,000 submissions x 30 items.

Builds the study in a temporary folder (Google Forms CSVs, 10 courses x pre/post,
Japanese labels, a few dirty cells and blank answers), then times
``dxsurvey.load_study`` and reports its peak memory: the process's max RSS (which
includes the interpreter and imported libraries; tracemalloc is not used because it
slows pandas several-fold and would distort the time).  Target (issue #2): under 20 s and 2 GiB
on 2 cores.

    python benchmarks/bench_ingest.py [--submissions 100000] [--items 30]

With ``--study PATH`` it times an existing study folder instead (the demo, or the one
``bench_scale.py`` builds): one warm-up load, then the CPU seconds (``time.process_time``;
the machine's load changes wall time) of ``--repeat`` loads and their median.

    python benchmarks/bench_ingest.py --study data/demo [--repeat 5]
"""
from __future__ import annotations

import argparse
import csv
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

LABELS = ["そう思わない", "あまりそう思わない", "どちらともいえない", "ややそう思う", "そう思う"]


def build(root: Path, n_sub: int, n_items: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    (root / "raw").mkdir(parents=True)
    n_courses = 10
    courses = ["course_id,title,audience,format,style,instructor,invited"]
    for c in range(n_courses):
        courses.append(f"C{c:02d},研修{c},all,online,lecture,講師{c % 3},{n_sub // n_courses}")
    (root / "courses.csv").write_text("\n".join(courses) + "\n", encoding="utf-8")
    items = "\n".join(f"  - {{id: q{i}, column: 設問{i}について当てはまるものを選んでください, scale: agree5}}"
                      for i in range(n_items))
    sources = []
    per_file = n_sub // (n_courses * 2)
    header = ["タイムスタンプ", "回答者コード", "役職"] + [f"設問{i}について当てはまるものを選んでください"
                                                  for i in range(n_items)]
    for c in range(n_courses):
        for w, wave in enumerate(("pre", "post")):
            name = f"raw/c{c:02d}_{wave}.csv"
            sources.append(f"  - {{file: {name}, course: C{c:02d}, wave: {wave}}}")
            codes = rng.permutation(per_file * 2)[:per_file]
            answers = rng.integers(0, 5, size=(per_file, n_items))
            blank = rng.random((per_file, n_items)) < 0.02
            with open(root / name, "w", encoding="utf-8", newline="") as f:
                wr = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
                wr.writerow(header)
                for r in range(per_file):
                    ts = f"2024/06/{1 + w:02d} {1 + r % 11}:{r % 60:02d}:{r % 60:02d} 午後 GMT+9"
                    row = [ts, f"{codes[r]:06d}", "主事" if r % 5 else "課長"]
                    row += ["" if blank[r, i] else LABELS[answers[r, i]] for i in range(n_items)]
                    if r % 997 == 0:
                        row[3] = "2・3"
                    wr.writerow(row)
    (root / "survey.yaml").write_text(f"""survey: bench
respondent_key: {{column: 回答者コード, width: 6}}
scales:
  agree5:
    levels: {{1: [そう思わない], 2: [あまりそう思わない], 3: [どちらともいえない], 4: [ややそう思う], 5: [そう思う]}}
items:
  - {{id: role, column: 役職, type: category, role: audience, map: {{主事: staff, 課長: manager}}}}
{items}
sources:
{chr(10).join(sources)}
""", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--submissions", type=int, default=100_000)
    ap.add_argument("--items", type=int, default=30)
    ap.add_argument("--study", type=Path, help="time this existing study folder instead of building one")
    ap.add_argument("--repeat", type=int, default=5, help="loads timed with --study (default 5)")
    args = ap.parse_args()
    import dxsurvey

    if args.study is not None:
        time_study(args.study, args.repeat)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "study"
        t0 = time.perf_counter()
        build(root, args.submissions, args.items)
        print(f"built study: {args.submissions:,} submissions x {args.items} items "
              f"({sum(p.stat().st_size for p in (root / 'raw').iterdir()) / 1e6:.1f} MB CSV) "
              f"in {time.perf_counter() - t0:.1f} s")
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
        t0 = time.perf_counter()
        study = dxsurvey.load_study(root)
        wall = time.perf_counter() - t0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"ingest wall time: {wall:.2f} s  (target < 20 s)")
        print(f"peak memory: {rss:.0f} MiB max RSS of the whole process "
              f"({rss0:.0f} MiB before ingest)  (target < 2048 MiB)")
        print(f"submissions {len(study.submissions):,}, answers {len(study.answers):,}, "
              f"validation rows {len(study.validation):,}")


def time_study(path: Path, repeat: int) -> None:
    """CPU seconds of ``load_study(path)``: one warm-up load, then ``repeat`` timed loads."""
    import dxsurvey

    dxsurvey.load_study(path)
    times = []
    for _ in range(max(1, repeat)):
        t0 = time.process_time()
        study = dxsurvey.load_study(path)
        times.append(time.process_time() - t0)
    print(f"load_study({path}): median {statistics.median(times):.2f} s CPU over {len(times)} loads "
          f"({', '.join(f'{t:.2f}' for t in times)})")
    print(f"submissions {len(study.submissions):,}, answers {len(study.answers):,}, "
          f"validation rows {len(study.validation):,}")


if __name__ == "__main__":
    main()
