"""Scale benchmark (issue 12): one Google-Forms-style export for every course.

Builds a study whose single source is one export of 20,000 rows x 40 Likert items over
60 courses, with the course (研修名, written as the title), the wave (回答時点: 事前/事後)
and the audience (職位: 主事/係長/課長/部長, an open vocabulary without a map) taken from
columns of each row; 3 % of the rows are careless (one level for all 40 items).  Then it
times ``dxsurvey validate`` and, unless ``--validate-only``, ``dxsurvey run all``, each
as its own process, and reports the peak memory of the process tree (sampled RSS sum of
the command and its kernels, with psutil).  Targets: validate <= 20 s; run all <= 180 s
and <= 3 GiB on 2 cores.

    python benchmarks/bench_scale.py [--rows 20000] [--items 40] [--courses 60] [--validate-only]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

LABELS = ["そう思わない", "あまりそう思わない", "どちらともいえない", "ややそう思う", "そう思う"]
RANKS = {"主事": "shuji", "係長": "kakaricho", "課長": "kacho", "部長": "bucho"}
INSTRUCTORS = ["元自治体幹部A", "ベンダーB", "コンサルC", "DX推進課D", "DX推進課E"]
FORMATS = ["対面", "オンライン", "ハイブリッド"]
STYLES = ["講義", "ワークショップ"]


def build(root: Path, n_rows: int, n_items: int, n_courses: int, careless: float = 0.03, seed: int = 12) -> dict:
    """Write the study; return what was planted (rows per course x wave, careless rows)."""
    rng = np.random.default_rng(seed)
    (root / "raw").mkdir(parents=True)
    lines = ["course_id,title,fiscal_year,audience,instructor,instructor_type,format,style,hours,invited"]
    for c in range(n_courses):
        teacher = INSTRUCTORS[c % len(INSTRUCTORS)] if c != 7 else "元自治体幹部A;ベンダーB"    # one co-taught
        lines.append(f"C{c:02d},DX研修 第{c + 1}回,2024,all,{teacher},external,{FORMATS[c % 3]},"
                     f"{STYLES[(c // 3) % 2]},3,{n_rows // n_courses}")
    (root / "courses.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    n_con = max(1, n_items // 8)
    items = "\n".join(f"  - {{id: q{i:02d}, column: 設問{i:02d} あてはまるものを選んでください, scale: agree5}}"
                      for i in range(n_items))
    constructs = "\n".join(f"  c{k}: {{label: 尺度{k}, items: [{', '.join(f'q{i:02d}' for i in range(k * 8, min(k * 8 + 8, n_items)))}]}}"
                           for k in range(n_con))
    (root / "survey.yaml").write_text(f"""survey: bench-scale
respondent_key: {{column: 職員番号, width: 6}}
audiences:
{chr(10).join(f'  {code}: {{ja: {label}, en: {code}}}' for label, code in RANKS.items())}
scales:
  agree5:
    levels: {{{', '.join(f'{v + 1}: [{lab}]' for v, lab in enumerate(LABELS))}}}
constructs:
{constructs}
items:
  - {{id: course, column: 研修名, type: category, role: course}}
  - {{id: timing, column: 回答時点, type: category, role: wave, map: {{事前: pre, 事後: post}}}}
  - {{id: rank, column: 職位, type: category, role: audience}}
{items}
  - {{id: comment, column: ご意見・ご感想, type: text}}
sources:
  - {{file: raw/all_courses.csv}}
""", encoding="utf-8")
    header = ["タイムスタンプ", "研修名", "回答時点", "職員番号", "職位",
              *[f"設問{i:02d} あてはまるものを選んでください" for i in range(n_items)], "ご意見・ご感想"]
    people = n_rows // 2
    course_of = rng.integers(0, n_courses, size=people)
    rank_of = rng.choice(list(RANKS), size=people, p=[0.5, 0.25, 0.15, 0.1])
    ability = rng.normal(size=people)
    t0 = dt.datetime(2024, 6, 1, 9)
    planted_careless = 0
    with open(root / "raw" / "all_courses.csv", "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        wr.writerow(header)
        for p in range(people):
            for w, wave in enumerate(("事前", "事後")):
                level = ability[p] + 0.4 * w
                vals = np.clip(np.round(3 + level + rng.normal(scale=0.9, size=n_items)), 1, 5).astype(int)
                if rng.random() < careless:
                    vals[:] = rng.integers(1, 6)
                    planted_careless += 1
                ts = t0 + dt.timedelta(days=int(course_of[p]) * 3 + w, seconds=p)
                h = ts.hour % 12 or 12
                stamp = f"{ts:%Y/%m/%d} {h}:{ts:%M:%S} {'午後' if ts.hour >= 12 else '午前'} GMT+9"
                wr.writerow([stamp, f"DX研修 第{course_of[p] + 1}回", wave, f"{p:06d}", rank_of[p],
                             *[LABELS[v - 1] for v in vals], "" if p % 7 else "業務の効率化の具体例が役立った"])
    return {"rows": people * 2, "careless": planted_careless}


class PeakRSS:
    """Sample the summed RSS of a process and its children (kernels) every 0.2 s."""

    def __init__(self, pid: int):
        import psutil
        self.proc = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        import psutil
        while not self._stop.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
            except psutil.Error:
                break
            self._stop.wait(0.2)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def timed(cmd: list[str]) -> tuple[float, int, int, str]:
    """(seconds, exit code, peak RSS bytes of the process tree, last lines of output)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8")
    try:
        peak = PeakRSS(proc.pid)
    except ImportError:
        peak = None
    out, _ = proc.communicate()
    seconds = time.perf_counter() - t
    return seconds, proc.returncode, peak.stop() if peak else -1, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--items", type=int, default=40)
    ap.add_argument("--courses", type=int, default=60)
    ap.add_argument("--validate-only", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "study"
        t = time.perf_counter()
        planted = build(root, args.rows, args.items, args.courses)
        size = (root / "raw" / "all_courses.csv").stat().st_size / 2**20
        print(f"built {planted['rows']} rows x {args.items} items over {args.courses} courses "
              f"({size:.1f} MiB, {planted['careless']} careless rows) in {time.perf_counter() - t:.1f} s")
        secs, code, peak, out = timed([sys.executable, "-m", "dxsurvey.cli", "validate", "--study", str(root)])
        # the console's count of straight-liners (Japanese by default: 全項目同一回答)
        summary = [line.strip() for line in out.splitlines()
                   if ("全項目同一回答" in line or "straight" in line.lower()) and line.startswith("  [")]
        print(f"validate: {secs:.1f} s (target 20 s), exit {code}, peak {peak / 2**20:.0f} MiB; {summary[:1]}")
        if code != 0:
            print(out[-3000:])
        if args.validate_only:
            return
        run_dir = Path(tmp) / "run"
        secs, code, peak, out = timed([sys.executable, "-m", "dxsurvey.cli", "run", "all", "--study", str(root),
                                       "--out", str(run_dir), "--quiet"])
        print(f"run all: {secs:.1f} s (target 180 s), exit {code}, peak {peak / 2**30:.2f} GiB (target 3 GiB)")
        if code != 0:
            print(out[-3000:])
        record = run_dir / "run.json"
        if record.is_file():       # where the time went: seconds per notebook (summed over its reports)
            import json
            reports = json.loads(record.read_text(encoding="utf-8"))["reports"]
            per: dict[str, list] = {}
            for r in reports:
                per.setdefault(r["notebook"], []).append(r["seconds"])
            for nb, secs_ in sorted(per.items(), key=lambda kv: -sum(kv[1])):
                print(f"  {nb}: {len(secs_)} report(s), {sum(secs_):.0f} s summed, longest {max(secs_):.0f} s")


if __name__ == "__main__":
    main()
