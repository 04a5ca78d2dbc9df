"""Benchmark: vectorised ``prepost`` against a straightforward per-group scipy/pingouin loop.

Builds a Study of about 1,000,000 submissions x 20 items (4 constructs of 5 items) in
1,000 course x audience groups (500 courses x 2 audiences, waves pre and post; half the
courses linked by respondent key, half anonymous; group sizes 6-994 per wave so small
groups take the exact and bootstrap paths), then

1. times ``prepost(study)`` (peak memory: ``resource.getrusage`` max RSS of the process,
   which includes building the data);
2. times a per-group loop (pandas groupby, scipy / pingouin per measure, scipy bootstrap
   for small groups) on a random subset of groups; when the projected full loop exceeds
   10 minutes the loop time is extrapolated linearly from the subset (printed as such);
3. cross-checks n, means, diff, statistic, p_val and effect on the groups both ran.

Run: ``python benchmarks/bench_stats.py [--submissions 1000000] [--subset 60]``.
Targets: prepost < 120 s, >= 5x faster than the loop, < 6 GiB.
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dxsurvey.codebook import Codebook, Construct, Item, RespondentKey, Scale  # noqa: E402
from dxsurvey.scoring import construct_scores, item_matrix  # noqa: E402
from dxsurvey.stats import prepost  # noqa: E402
from dxsurvey.study import Study  # noqa: E402

N_COURSES = 500
N_ITEMS = 20
CONSTRUCTS = {f"c{j}": tuple(f"q{j * 5 + i + 1:02d}" for i in range(5)) for j in range(4)}
REVERSE = {"q05", "q10", "q15", "q20"}


def build_study(n_submissions: int, seed: int = 1) -> Study:
    rng = np.random.default_rng(seed)
    G = N_COURSES * 2
    mean_size = n_submissions / (2 * G)
    sizes = rng.integers(6, int(2 * mean_size) - 5, G)                  # per wave
    course = np.repeat(np.arange(N_COURSES), 2)
    audience = np.tile(np.array(["manager", "staff"], dtype=object), N_COURSES)
    linked = course % 2 == 0                                                 # half the courses
    parts = []
    for wave in ("pre", "post"):
        n = sizes.sum()
        gidx = np.repeat(np.arange(G), sizes)
        within = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        if wave == "post":   # 85% of pre respondents come back, the rest are new people
            back = rng.random(n) < 0.85
            within = np.where(back, within, within + 10_000)
        key = np.where(linked[gidx],
                       pd.Series(course[gidx]).astype(str).str.cat(
                           [pd.Series(audience[gidx]), pd.Series(within).astype(str)], sep="-").to_numpy(),
                       None)
        parts.append(pd.DataFrame({"course_id": pd.Series(course[gidx]).map("C{:03d}".format).to_numpy(),
                                   "wave": wave, "respondent_key": key, "audience": audience[gidx],
                                   "g": gidx}))
    subs = pd.concat(parts, ignore_index=True)
    n = len(subs)
    subs.insert(0, "submission_id", np.arange(1, n + 1, dtype=np.int64))
    subs["submitted_at"] = pd.NaT
    subs["source_file"] = "raw/bench.csv"
    subs["source_row"] = np.arange(n) + 2
    # answers: latent person level + item noise + a planted post effect that varies by group
    person = rng.normal(0, 0.8, n)
    effect = np.where(subs["wave"].to_numpy() == "post", rng.normal(0.4, 0.3, G)[subs["g"].to_numpy()], 0.0)
    vals = np.empty((n, N_ITEMS), dtype=np.int8)
    for j in range(N_ITEMS):
        item_id = f"q{j + 1:02d}"
        latent = 3 + person + effect + rng.normal(0, 0.9, n)
        if item_id in REVERSE:
            latent = 6 - latent
        vals[:, j] = np.clip(np.rint(latent), 1, 5)
    missing = rng.random((n, N_ITEMS)) < 0.03
    answers = pd.DataFrame({
        "submission_id": np.repeat(subs["submission_id"].to_numpy(), N_ITEMS),
        "item_id": pd.Categorical(np.tile([f"q{j + 1:02d}" for j in range(N_ITEMS)], n)),
        "value": pd.arrays.IntegerArray(vals.ravel().astype(np.int64), missing.ravel()),
        "label": None,
    })
    scale = Scale("agree5", {v: (str(v),) for v in range(1, 6)})
    items = [Item(f"q{j + 1:02d}", (f"Q{j + 1}",), scale="agree5", reverse=f"q{j + 1:02d}" in REVERSE)
             for j in range(N_ITEMS)]
    cb = Codebook("bench", Path("."), respondent_key=RespondentKey(("code",)), scales={"agree5": scale},
                  items=items, constructs={c: Construct(c, c, its) for c, its in CONSTRUCTS.items()})
    courses = pd.DataFrame({"course_id": [f"C{c:03d}" for c in range(N_COURSES)]})
    courses["title"] = courses["course_id"]
    return Study(Path("."), cb, courses, subs.drop(columns="g"), answers, pd.DataFrame(), pd.DataFrame())


# --------------------------------------------------------------------------- the loop baseline


def _rbc_paired(y, x):
    d = np.asarray(y) - np.asarray(x)
    d = d[d != 0]
    if len(d) == 0:
        return np.nan
    r = stats.rankdata(np.abs(d))
    return (r[d > 0].sum() - r[d < 0].sum()) / r.sum()


def _delta(y, x):
    return np.sign(np.subtract.outer(np.asarray(y), np.asarray(x))).mean()


def loop_prepare(study):
    """The straightforward way: pivot answers wide, add construct scores (pandas)."""
    import pingouin  # noqa: F401  (import time counted in preparation)
    mat, ids = item_matrix(study)
    wide = pd.DataFrame(mat, columns=ids)
    scores = construct_scores(study)
    return pd.concat([scores, wide], axis=1)


def loop_group(key, sub, *, keyed=True, min_cell=5, n_boot=2000, boot_max_n=30, seed=20241):
    import pingouin as pg
    rows = []
    a_all = sub[sub["wave"] == "pre"]
    b_all = sub[sub["wave"] == "post"]
    pairs = (a_all.dropna(subset=["respondent_key"]).merge(
        b_all.dropna(subset=["respondent_key"]), on="respondent_key", suffixes=("_a", "_b"))
        if keyed else pd.DataFrame())
    paired = keyed and len(pairs) >= min_cell
    measures = [(f"q{j + 1:02d}", "item") for j in range(N_ITEMS)] + [(c, "construct") for c in CONSTRUCTS]
    for mid, mtype in measures:
        if paired:
            pr = pairs[[f"{mid}_a", f"{mid}_b"]].dropna()
            x, y = pr[f"{mid}_a"].to_numpy(), pr[f"{mid}_b"].to_numpy()
            n = len(x)
        else:
            x, y = a_all[mid].dropna().to_numpy(), b_all[mid].dropna().to_numpy()
            n = min(len(x), len(y))
        row = dict(course_id=key[0], audience=key[1], measure_id=mid, design="paired" if paired else "independent",
                   n_a=len(x), n_b=len(y), mean_a=np.mean(x) if len(x) else np.nan,
                   mean_b=np.mean(y) if len(y) else np.nan,
                   sd_a=np.std(x, ddof=1) if len(x) > 1 else np.nan, sd_b=np.std(y, ddof=1) if len(y) > 1 else np.nan,
                   median_a=np.median(x) if len(x) else np.nan, median_b=np.median(y) if len(y) else np.nan,
                   top2_a=np.mean(x >= 4) if len(x) else np.nan, top2_b=np.mean(y >= 4) if len(y) else np.nan)
        row["diff"] = row["mean_b"] - row["mean_a"]
        if n < min_cell:
            rows.append(row)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if mtype == "item" and paired:
                d = y - x
                dnz = d[d != 0]
                r = stats.rankdata(np.abs(dnz))
                row["statistic"] = r[dnz > 0].sum()
                res = pg.wilcoxon(y, x)
                row["p_val"], row["effect"] = res["p_val"].iloc[0], res["RBC"].iloc[0]
                ci = stats.ttest_rel(y, x).confidence_interval()
                stat_fn, boot_paired = _rbc_paired, True
            elif mtype == "item":
                res = pg.mwu(y, x)
                row["statistic"], row["p_val"], row["effect"] = res["U_val"].iloc[0], res["p_val"].iloc[0], res["RBC"].iloc[0]
                ci = stats.ttest_ind(y, x, equal_var=False).confidence_interval()
                stat_fn, boot_paired = _delta, False
            elif paired:
                t = stats.ttest_rel(y, x)
                row["statistic"], row["p_val"] = t.statistic, t.pvalue
                row["effect"] = pg.compute_effsize(y, x, paired=True, eftype="cohen_dz")
                row["hedges_g_av"] = pg.compute_effsize(y, x, paired=True, eftype="hedges")
                ci = t.confidence_interval()
                stat_fn, boot_paired = (lambda yy, xx: pg.compute_effsize(yy, xx, paired=True, eftype="cohen_dz")), True
            else:
                t = stats.ttest_ind(y, x, equal_var=False)
                row["statistic"], row["p_val"] = t.statistic, t.pvalue
                row["effect"] = pg.compute_effsize(y, x, eftype="hedges")
                ci = t.confidence_interval()
                stat_fn, boot_paired = (lambda yy, xx: pg.compute_effsize(yy, xx, eftype="hedges")), False
            row["diff_ci_low"], row["diff_ci_high"] = ci.low, ci.high
            if n <= boot_max_n:
                b = stats.bootstrap((y, x), stat_fn, paired=boot_paired, vectorized=False, n_resamples=n_boot,
                                    method="percentile", random_state=seed)
                row["effect_ci_low"], row["effect_ci_high"] = b.confidence_interval
        rows.append(row)
    return rows


def run_loop(data, group_keys):
    from statsmodels.stats.multitest import multipletests
    rows = []
    grouped = data[data["wave"].isin(["pre", "post"])].groupby(["course_id", "audience"], sort=True)
    for key in group_keys:
        rows += loop_group(key, grouped.get_group(key))
    out = pd.DataFrame(rows)
    out["measure_type"] = np.where(out["measure_id"].str.startswith("q"), "item", "construct")
    out["p_adj"] = np.nan
    for _, idx in out.groupby(["course_id", "audience", "measure_type"]).groups.items():
        p = out.loc[idx, "p_val"]
        ok = p.notna()
        if ok.any():
            out.loc[p[ok].index, "p_adj"] = multipletests(p[ok], method="holm")[1]
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--submissions", type=int, default=1_000_000)
    ap.add_argument("--subset", type=int, default=60, help="groups timed in the loop before projecting")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    study = build_study(args.submissions)
    print(f"data: {len(study.submissions):,} submissions, {len(study.answers):,} answer rows, "
          f"built in {time.perf_counter() - t0:.1f} s")
    rss_data = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

    t0 = time.perf_counter()
    ours = prepost(study)
    t_ours = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    n_groups = ours[["course_id", "audience"]].drop_duplicates().shape[0]
    print(f"prepost: {t_ours:.1f} s for {len(ours):,} rows ({n_groups} groups; "
          f"{(ours['ci_method'] == 'bootstrap').sum()} bootstrap CIs, "
          f"{(ours['design'] == 'paired').sum()} paired rows)")
    print(f"peak memory (max RSS, whole process incl. data): {rss:.2f} GiB (after building data: {rss_data:.2f} GiB)")
    import tracemalloc
    tracemalloc.start()
    prepost(study)
    peak = tracemalloc.get_traced_memory()[1] / 2**30
    tracemalloc.stop()
    print(f"peak memory allocated by prepost itself (tracemalloc, second run): {peak:.2f} GiB")

    t0 = time.perf_counter()
    data = loop_prepare(study)
    t_prep = time.perf_counter() - t0
    keys = list(ours[["course_id", "audience"]].drop_duplicates().itertuples(index=False, name=None))
    rng = np.random.default_rng(0)
    order = [keys[i] for i in rng.permutation(len(keys))]
    subset = order[: args.subset]
    t0 = time.perf_counter()
    base = run_loop(data, subset)
    t_sub = time.perf_counter() - t0
    projected = t_prep + t_sub * len(keys) / len(subset)
    if projected <= 600:
        t0 = time.perf_counter()
        base = run_loop(data, order)
        t_loop = t_prep + time.perf_counter() - t0
        how = f"measured on all {len(keys)} groups"
    else:
        t_loop = projected
        how = (f"EXTRAPOLATED linearly: preparation {t_prep:.1f} s + loop {t_sub:.1f} s on a random "
               f"{len(subset)} of {len(keys)} groups x {len(keys) / len(subset):.1f}")
    print(f"per-group scipy/pingouin loop: {t_loop:.1f} s ({how})")
    print(f"speed-up: {t_loop / t_ours:.1f}x")

    cols = ["n_a", "n_b", "mean_a", "mean_b", "median_b", "top2_b", "diff", "diff_ci_low", "statistic",
            "p_val", "p_adj", "effect", "hedges_g_av"]
    merged = ours.merge(base, on=["course_id", "audience", "measure_id"], suffixes=("", "_loop"))
    assert (merged["design"] == merged["design_loop"]).all()
    print(f"cross-check on {len(merged):,} rows ({merged[['course_id', 'audience']].drop_duplicates().shape[0]} groups):")
    worst = 0.0
    for c in cols:
        a, b = merged[c].to_numpy(float), merged[f"{c}_loop"].to_numpy(float)
        both = ~np.isnan(a) & ~np.isnan(b)
        mism = int((np.isnan(a) != np.isnan(b)).sum())
        diff = float(np.max(np.abs(a[both] - b[both]))) if both.any() else 0.0
        worst = max(worst, diff if c != "p_val" else 0)
        print(f"  {c:12s} max |ours - loop| = {diff:.2e}   NaN mismatches: {mism}")
    rel_p = merged[["p_val", "p_val_loop"]].dropna()
    rel = (np.abs(rel_p["p_val"] - rel_p["p_val_loop"]) / rel_p["p_val_loop"].clip(lower=1e-300)).max()
    print(f"  p_val max relative difference: {rel:.2e}")
    print("targets: prepost < 120 s: %s; >= 5x faster: %s; < 6 GiB: %s" % (
        t_ours < 120, t_loop / t_ours >= 5, rss < 6))


if __name__ == "__main__":
    main()
