"""Plots bench/results/store-codecs.json (written by StoreCodecBenchmark) as a PNG: per file system and
artifact set, the store's write and read MB/s for every codec x chunk size beside the raw baseline, and
store / raw per cell against the 0.8 target."""
import json
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

result_file, png_file = sys.argv[1], sys.argv[2]
with open(result_file) as f:
    result = json.load(f)
rows = result["results"]
file_systems = [fs["name"] for fs in result["fileSystems"]]
datasets = list(dict.fromkeys(r["dataset"] for r in rows))
codecs = ["none", "snappy", "zstd", "gzip"]
chunks = ["64kb", "256kb", "1mb", "4mb"]
TARGET = 0.8

panels = [("writeMBps", "rawWriteMBps", "write MB/s (store bars, raw line)"),
          ("readMBps", "rawReadMBps", "read MB/s, verified (store bars, raw line)"),
          ("writeVsRaw", None, "store / raw, write"),
          ("readVsRaw", None, "store / raw, read")]
pairs = [(fs, ds) for fs in file_systems for ds in datasets]
fig, axes = plt.subplots(len(pairs), len(panels), figsize=(20, 3.4 * len(pairs)), squeeze=False)
width = 0.8 / len(chunks)
for row_axes, (fs, dataset) in zip(axes, pairs):
    cells = {(r["codec"], r["chunkSize"]): r for r in rows if r["fileSystem"] == fs and r["dataset"] == dataset}
    for ax, (metric, raw_metric, label) in zip(row_axes, panels):
        for j, chunk in enumerate(chunks):
            values, low, high = [], [], []
            for codec in codecs:
                m = cells[(codec, chunk)][metric]
                values.append(m["median"])
                low.append(m["median"] - m["min"])
                high.append(m["max"] - m["median"])
            xs = [i + (j - (len(chunks) - 1) / 2) * width for i in range(len(codecs))]
            ax.bar(xs, values, width, yerr=[low, high], capsize=2, label=chunk)
        if raw_metric:
            raw = statistics.median(c[raw_metric]["median"] for c in cells.values())
            ax.axhline(raw, color="black", linestyle="--", linewidth=1, label=f"raw {raw:.0f}")
            ax.set_yscale("log")
        else:
            ax.axhline(TARGET, color="red", linestyle="--", linewidth=1, label=f"target {TARGET}")
            ax.axhline(1.0, color="grey", linewidth=0.5)
        ax.set_xticks(range(len(codecs)))
        ax.set_xticklabels([f"{c}\n(size {cells[(c, '4mb')]['sizeRatio']:.3f})" for c in codecs])
        ax.set_title(f"{fs}, {dataset}: {label}", fontsize="medium")
        ax.grid(axis="y", alpha=0.3)
        ax.legend(title="chunk size", loc="upper right", fontsize="x-small", title_fontsize="x-small")
heads = "; ".join(
    f"{h['fileSystem']}: write {h['writeVsRaw']['median']:.2f}, read {h['readVsRaw']['median']:.2f}"
    for h in result["headline"])
fig.suptitle(f"stageflow store vs raw writes of the same bytes, {result['prompts']} prompts at {result['imageSide']}px, "
             f"median of {result['repeats']} rounds (bars: min-max), {result['cores']} cores\n"
             f"default configuration (latents {result['defaults']['latentCodec']}, images as they are, "
             f"{result['defaults']['chunkSize']} chunks), store / raw: {heads}")
fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / len(pairs) / 3.4))
fig.savefig(png_file, dpi=80)
print("Wrote", png_file)
