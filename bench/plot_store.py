"""Plots bench/results/store-codecs.json (written by StoreCodecBenchmark) as a PNG."""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

result_file, png_file = sys.argv[1], sys.argv[2]
with open(result_file) as f:
    result = json.load(f)
rows = result["results"]
datasets = sorted({r["dataset"] for r in rows})
codecs = ["none", "snappy", "zstd", "gzip"]
chunks = ["64kb", "256kb", "1mb", "4mb"]

fig, axes = plt.subplots(len(datasets), 3, figsize=(15, 4.2 * len(datasets)), squeeze=False)
width = 0.8 / len(chunks)
for row_axes, dataset in zip(axes, datasets):
    for ax, metric, label in zip(row_axes, ["sizeRatio", "writeMBps", "readMBps"],
                                 ["stored / raw size", "write MB/s (raw)", "read MB/s (raw, verified)"]):
        for j, chunk in enumerate(chunks):
            values, low, high = [], [], []
            for codec in codecs:
                r = next(x for x in rows if x["dataset"] == dataset and x["codec"] == codec and x["chunkSize"] == chunk)
                if metric == "sizeRatio":
                    values.append(r[metric]); low.append(0); high.append(0)
                else:
                    m = r[metric]
                    values.append(m["median"]); low.append(m["median"] - m["min"]); high.append(m["max"] - m["median"])
            xs = [i + (j - (len(chunks) - 1) / 2) * width for i in range(len(codecs))]
            ax.bar(xs, values, width, yerr=[low, high] if metric != "sizeRatio" else None, capsize=2, label=chunk)
        ax.set_xticks(range(len(codecs)))
        ax.set_xticklabels(codecs)
        ax.set_title(f"{dataset}: {label}")
        ax.grid(axis="y", alpha=0.3)
    row_axes[0].legend(title="chunk size", loc="lower left", fontsize="small")
fig.suptitle(f"stageflow store: codecs x chunk sizes, {result['prompts']} prompts at {result['imageSide']}px, "
             f"median of {result['repeats']} runs (bars: min-max), {result['cores']} cores")
fig.tight_layout()
fig.savefig(png_file, dpi=90)
print("Wrote", png_file)
