"""Plots one result of PipelineBenchmark (pipeline-vs-compute, pipeline-vs-naive or cache JSON) as a PNG:
the ratio of each figure (median, bars min-max over the rounds) beside the target."""
import json
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

result_file, png_file = sys.argv[1], sys.argv[2]
with open(result_file) as f:
    result = json.load(f)
figures = result["figures"]
labels = ["\n".join(textwrap.wrap(fig["label"], 18)) for fig in figures]
medians = [fig["ratio"]["median"] for fig in figures]
low = [fig["ratio"]["median"] - fig["ratio"]["min"] for fig in figures]
high = [fig["ratio"]["max"] - fig["ratio"]["median"] for fig in figures]

fig, ax = plt.subplots(figsize=(1.8 + 1.6 * len(figures), 4))
ax.bar(range(len(figures)), medians, 0.6, yerr=[low, high], capsize=4, color="tab:blue")
for i, m in enumerate(medians):
    ax.annotate(f"{m:.2f}", (i, m), textcoords="offset points", xytext=(10, 3), fontsize="small")
ax.axhline(result["target"], color="tab:red", linestyle="--", label=f"target {result['target']:g}")
ax.set_xticks(range(len(figures)))
ax.set_xticklabels(labels)
ax.set_ylabel("ratio")
ax.grid(axis="y", alpha=0.3)
ax.legend(loc="upper right", fontsize="small")
ax.set_title(f"{result['title']}: {result['prompts']} prompts\nmedian of {result['repeats']} rounds (bars: min-max)",
             fontsize="medium")
fig.tight_layout()
fig.savefig(png_file, dpi=90)
print("Wrote", png_file)
