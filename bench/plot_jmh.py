"""Plots bench/results/jmh.json (JMH's JSON result format, written by scripts/bench-jmh.sh) as a PNG:
one panel per benchmark class, mean time per operation on a log scale, whiskers from the fastest to the
slowest measured iteration (JMH's 99.9 % error is in the JSON and the README's table: with few iterations
it is often larger than the mean, which a log scale cannot draw)."""
import json
import sys
from collections import OrderedDict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

result_file, png_file = sys.argv[1], sys.argv[2]
with open(result_file) as f:
    runs = json.load(f)

TO_MICROS = {"ns/op": 1e-3, "us/op": 1.0, "ms/op": 1e3, "s/op": 1e6}


def label(run):
    method = run["benchmark"].rsplit(".", 1)[1]
    params = run.get("params") or {}
    return " ".join([method] + [f"{k}={v}" for k, v in params.items()])


def ratios(rows):
    """RgbImage against ImageIO on the same pixels, per image side."""
    by = {(r["benchmark"].rsplit(".", 1)[1], (r.get("params") or {}).get("side")): r for r in rows}
    notes = []
    for ours, theirs in (("toPng", "imageIoWrite"), ("fromPng", "imageIoRead")):
        for side in sorted({s for _, s in by}, key=lambda s: int(s or 0)):
            if (ours, side) in by and (theirs, side) in by:
                ratio = by[(theirs, side)]["primaryMetric"]["score"] / by[(ours, side)]["primaryMetric"]["score"]
                notes.append(f"{ours} {side}²: {ratio:.2f}x ImageIO's speed")
    return notes


groups = OrderedDict()
for run in runs:
    groups.setdefault(run["benchmark"].rsplit(".", 2)[1], []).append(run)

heights = [max(2, len(rows)) * 0.32 + (1.5 if name == "PngBenchmark" else 0.9) for name, rows in groups.items()]
fig, axes = plt.subplots(len(groups), 1, figsize=(11, sum(heights)), gridspec_kw={"height_ratios": heights},
                         squeeze=False)
for ax, (name, rows) in zip(axes[:, 0], groups.items()):
    scores, low, high, labels = [], [], [], []
    for run in rows:
        metric = run["primaryMetric"]
        scale = TO_MICROS[metric["scoreUnit"]]
        iterations = [x * scale for fork in metric["rawData"] for x in fork]
        scores.append(metric["score"] * scale)
        low.append(scores[-1] - min(iterations))
        high.append(max(iterations) - scores[-1])
        labels.append(label(run))
    ys = range(len(rows))
    ax.barh(ys, scores, xerr=[low, high], capsize=2, color="#4c72b0", error_kw={"alpha": 0.6})
    for y, score, above in zip(ys, scores, high):
        ax.text((score + above) * 1.15, y, f"{score / 1000:.3g} ms" if score >= 1000 else f"{score:.3g} µs", va="center",
                fontsize=7)
    ax.set_yticks(list(ys))
    ax.set_yticklabels(labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlim(min(scores) / 2, max(scores) * 8)
    title = name
    if name == "PngBenchmark":
        notes = ratios(rows)
        title += "\n" + "; ".join(notes[:2]) + "\n" + "; ".join(notes[2:])
    ax.set_title(title, fontsize=9, loc="left")
    ax.grid(axis="x", alpha=0.3)
first = runs[0]
fig.suptitle(f"stageflow JMH micro-benchmarks: mean µs per operation (log scale; whiskers: fastest to slowest iteration), "
             f"{first['forks']} fork(s), {first['measurementIterations']} x {first['measurementTime']}, "
             f"{first['vmName'].split()[0]} {first['jdkVersion']}", fontsize=9)
axes[-1, 0].set_xlabel("µs per operation")
fig.tight_layout(rect=(0, 0, 1, 0.985))
fig.savefig(png_file, dpi=90)
print("Wrote", png_file)
