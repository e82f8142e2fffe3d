#!/usr/bin/env bash
# Chaos test of exactly-once on a real cluster (stageflow chaos --help), then the plot of its runs:
# bench/results/chaos.json and chaos.png.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
status=0
"$root/stageflow" chaos "$@" || status=$?
/usr/bin/python3 -c 'import matplotlib' 2> /dev/null || apt-get install -y -q python3-matplotlib > /dev/null \
  || { apt-get update -q > /dev/null && apt-get install -y -q python3-matplotlib > /dev/null; } || true
if [[ -f "$root/bench/results/chaos.json" ]] && /usr/bin/python3 -c 'import matplotlib' 2> /dev/null; then
  data_dir="$(sed -n 's/.*--data-dir[ =]\([^ ]*\).*/\1/p' <<< "$*")"
  /usr/bin/python3 "$root/bench/plot_chaos.py" "$root/bench/results/chaos.json" "${data_dir:-$root/data}/chaos" \
    "$root/bench/results/chaos.png" || echo "(plot failed; the figures are in bench/results/chaos.json)"
fi
exit "$status"
