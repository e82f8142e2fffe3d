"""Plots scripts/chaos.sh's runs: committed prompts over time, clean run and chaos run, with the kills.

Usage: plot_chaos.py CHAOS_JSON DATA_DIR OUT_PNG (DATA_DIR holds clean.timeline.tsv and chaos.timeline.tsv).
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def timeline(path):
    rows = [line.split("\t") for line in open(path) if line.strip()]
    start = float(rows[0][0])
    return [float(t) - start for t, _ in rows], [int(c) for _, c in rows]


def short(process):
    """taskmanager-2 -> TM2, jobmanager-1 -> JM1."""
    kind, number = process.rsplit("-", 1)
    return ("TM" if kind == "taskmanager" else "JM") + number


def main(chaos_json, data_dir, out_png):
    figures = json.load(open(chaos_json))
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for name, colour in (("clean", "tab:blue"), ("chaos", "tab:red")):
        xs, ys = timeline(f"{data_dir}/{name}.timeline.tsv")
        ax.step(xs, ys, where="post", color=colour, label=f"{name} run")
    for kill in figures["kills"]:
        ax.axvline(kill["atSeconds"], color="black", linestyle="--", linewidth=0.8)
        victims = ", ".join(short(name) for name in kill["killed"])
        ax.annotate(f"kill -9 {victims}\nresults again +{kill['resultsFlowingSeconds']:.1f} s",
                    (kill["atSeconds"], 0), xytext=(3, 10), textcoords="offset points", fontsize=8)
    ax.set_xlabel("seconds since submission")
    ax.set_ylabel("committed prompts")
    kinds = {"taskmanager": "TaskManager", "jobmanager": "JobManager", "both": "JobManager+TaskManager"}
    ax.set_title(f"{figures['prompts']} prompts, {len(figures['kills'])} {kinds[figures['kill']]} kills: "
                 f"duplicates {figures['duplicates']}, lost {figures['lost']}, "
                 f"byte-identical {figures['byteIdentical']}")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(out_png, dpi=110)


if __name__ == "__main__":
    main(*sys.argv[1:])
