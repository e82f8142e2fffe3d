"""Plots bench/results/memory-checkpoints.json (written by MemoryBenchmark) as a PNG."""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

result_file, png_file = sys.argv[1], sys.argv[2]
with open(result_file) as f:
    result = json.load(f)
state = result.get("inFlightState")
heap = result.get("artifactHeap")


def bars(ax, xs, spreads, width=0.6, offset=0.0, **kwargs):
    medians = [s["median"] for s in spreads]
    ax.bar([x + offset for x in xs], medians, width,
           yerr=[[m - s["min"] for m, s in zip(medians, spreads)], [s["max"] - m for m, s in zip(medians, spreads)]],
           capsize=4, **kwargs)
    return medians


fig, (per_prompt, durations, memory) = plt.subplots(1, 3, figsize=(16, 5))
if state:
    setups = state["setups"]
    labels = [f"{s['setup']}\n({s['embeddingFloatsPerRecord']} floats"
              f"{', claim-checked' if s.get('embeddingsClaimChecked') else ' inline'})" for s in setups] \
        + ["SD 1.5 inline\n(estimate)"]
    xs = list(range(len(setups)))
    medians = bars(per_prompt, xs, [s["bytesPerInFlightPrompt"] for s in setups], color="#4c72b0",
                   label="measured (median, bars: min-max)")
    sd15 = state["sd15EmbeddingBytesPerRecord"]
    per_prompt.bar([len(setups)], [sd15], 0.6, color="white", edgecolor="#4c72b0", hatch="//",
                   label="SD 1.5 embeddings if carried inline (2 x 77 x 768 floats)")
    for x, m in zip(xs + [len(setups)], medians + [sd15]):
        per_prompt.text(x, m * 1.15, f"{m:,.0f} B", ha="center")
    per_prompt.axhline(state["targetBytesPerInFlightPrompt"], color="green", linestyle="--", label="target <= 2 KB")
    per_prompt.set_yscale("log")
    per_prompt.set_ylim(100, sd15 * 10)
    per_prompt.set_xticks(xs + [len(setups)])
    per_prompt.set_xticklabels(labels)
    per_prompt.set_ylabel("bytes of checkpointed state per prompt in flight")
    per_prompt.set_title(f"state per in-flight prompt ({setups[0]['prompts']:,} held, {state['rounds']} rounds)")
    per_prompt.legend(loc="upper left", fontsize="small")
    per_prompt.grid(axis="y", alpha=0.3)

    width = 0.38
    bars(durations, xs, [s["checkpointMillisInFlight"] for s in setups], width, -width / 2, color="#c44e52",
         label=f"{setups[0]['prompts']:,} prompts in flight")
    bars(durations, xs, [s["checkpointMillisIdle"] for s in setups], width, width / 2, color="#8c8c8c",
         label="nothing in flight")
    durations.axhline(state["targetCheckpointMillis"], color="green", linestyle="--", label="target < 1 s")
    durations.set_xticks(xs)
    durations.set_xticklabels([s["setup"] for s in setups])
    durations.set_ylabel("checkpoint end-to-end duration (ms)")
    durations.set_title("checkpoint duration (median, bars: min-max)")
    durations.legend(loc="upper left", fontsize="small")
    durations.grid(axis="y", alpha=0.3)

if heap:
    modes = heap["modes"]
    xs = list(range(len(modes)))
    width = 0.27
    mib = 2 ** 20
    scaled = lambda spread: {k: v / mib for k, v in spread.items()}  # noqa: E731
    bars(memory, xs, [scaled(m["peakHeapBytes"]) for m in modes], width, -width, color="#dd8452",
         label="peak heap in use (MiB)")
    bars(memory, xs, [scaled(m["peakHeapAfterGcBytes"]) for m in modes], width, 0, color="#55a868",
         label="peak heap after GC (MiB)")
    bars(memory, xs, [scaled(m["peakInFlightBytes"]) for m in modes], width, width, color="#8172b2",
         label="artifacts in flight (MiB)")
    memory.axhline(heap["maxHeapBytes"] / mib, color="black", linestyle=":", label="-Xmx")
    memory.set_ylim(0, max(heap["maxHeapBytes"], heap["heldBytes"]) / mib * 1.45)
    memory.set_ylabel("MiB")
    memory.set_xticks(xs)
    memory.set_xticklabels([f"{m['mode']}\n(peak {m['peakArtifactsInFlight']['max']:.0f} in flight)" for m in modes])
    memory.set_title(f"{heap['artifacts']} artifacts of {heap['artifactBytes'] // mib} MiB, {heap['rounds']} rounds")
    memory.legend(loc="upper left", fontsize="small")
    memory.grid(axis="y", alpha=0.3)

machine = (state or heap)["machine"]
fig.suptitle(f"Memory and checkpoints: RocksDB, unaligned checkpoints, as stageflow run ({machine})")
fig.tight_layout()
fig.savefig(png_file, dpi=90)
print("Wrote", png_file)
