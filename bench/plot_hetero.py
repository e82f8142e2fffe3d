"""Plots bench/results/hetero-bench.json (written by HeteroBenchmark) as a PNG."""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

result_file, png_file = sys.argv[1], sys.argv[2]
with open(result_file) as f:
    result = json.load(f)
configs = result["configs"]
names = [c["name"] for c in configs]
xs = range(len(configs))

fig, (ax, mem) = plt.subplots(1, 2, figsize=(13, 4.8), gridspec_kw={"width_ratios": [3, 2]})
fraction = [c["fractionOfIdeal"] for c in configs]
medians = [f["median"] for f in fraction]
ax.bar(xs, medians, 0.6, yerr=[[m - f["min"] for m, f in zip(medians, fraction)],
                               [f["max"] - m for m, f in zip(medians, fraction)]],
       capsize=4, color="#4c72b0", label="stageflow (median, bars: min-max)")
for x, m in zip(xs, medians):
    ax.text(x, m + 0.02, f"{m:.3f}", ha="center")
ax.axhline(result["target"], color="green", linestyle="--", label=f"target {result['target']}")
ax.axhline(result["anchors"]["rayData"], color="orange", linestyle=":", label="Ray Data (paper) 0.73")
low, high = result["anchors"]["flink"]
ax.axhspan(low, high, color="red", alpha=0.12, label=f"Flink (paper) {low}-{high}")
ax.set_xticks(list(xs))
ax.set_xticklabels(names)
ax.set_ylim(0, 1.1)
ax.set_ylabel("ideal time / measured makespan")
ax.set_title(f"fraction of ideal ({result['idealUnits']:.0f} units = {result['idealSeconds']} s), "
             f"{result['repeats']} runs each")
ax.legend(loc="upper left", fontsize="small")
ax.grid(axis="y", alpha=0.3)

width = 0.38
heap = [c["peakHeapBytes"] / 2**20 for c in configs]
in_flight = [c["peakInFlightBytes"] / 2**20 for c in configs]
mem.bar([x - width / 2 for x in xs], heap, width, label="peak JVM heap (MiB)")
mem.bar([x + width / 2 for x in xs], in_flight, width, label="peak payloads in flight (MiB)")
mem.set_xticks(list(xs))
mem.set_xticklabels(names)
mem.set_yscale("log")
mem.set_title("memory (max over runs)")
mem.legend(loc="center right", fontsize="small")
mem.grid(axis="y", alpha=0.3)

p = result["params"]
fig.suptitle(f"hetero-bench: {p['producerTasks']}x{p['itemsPerTask']} items, {p['cpus']} virtual CPUs, "
             f"{p['accelerators']} virtual accelerators, time unit {result['timeUnitMs']:g} ms, "
             f"payload {p['payloadBytes'] // 1024} KiB (budget {p['inFlightPayloads']}), "
             f"{result['cores']} real cores, load {result['loadAverageAtStart']} at start")
fig.tight_layout()
fig.savefig(png_file, dpi=90)
print("Wrote", png_file)
