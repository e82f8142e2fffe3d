#!/usr/bin/env bash
# Chaos test of exactly-once on a real cluster: runs N seeded prompts through a clean run and then
# through a run whose TaskManagers are killed with kill -9 K times, each at a random point after a
# checkpoint completed, and verifies the outcome (ChaosVerifier and the logs). Uses its own cluster
# on free loopback ports and its own data directory, and stops everything it started. --help.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'EOF'
Usage: scripts/chaos.sh [--prompts N] [--kills K] [--seed S] [--data-dir DIR] [--timeout SECONDS] [--key value ...]
  --prompts N        prompts to run (default 500; 2000 for a longer test)
  --kills K          TaskManager kills during the chaos run (default 3)
  --seed S           seed of the prompts, the kill delays and which TaskManager dies (default 42)
  --data-dir DIR     working directory, emptied first (default: data/chaos)
  --timeout SECONDS  longest wait for each phase (default 1200)
  --key value        job option for both runs (default: --request.default-width 256 --request.default-height 256)
Steps: a cluster of 1 JobManager + 2 TaskManagers on free ports; a clean run of the prompts (no
kills) into its own output and store; the chaos run into another, during which a TaskManager is
killed (kill -9) K times, each 0-3 s after a checkpoint completed, and restarted at once; both runs
end with stop-with-savepoint once all prompts are committed. Then it checks: every prompt committed
exactly once in both runs, every artifact byte-identical to the clean run's, no exception in the
logs outside the allow-list below. Figures go to bench/results/chaos.json (and chaos.png).
Exits non-zero on any violation. Needs curl and jq.
EOF
}

prompts=500 kills=3 seed=42 data_dir="$ROOT/data/chaos" timeout=1200
# 256x256 images (default 128) make a run of 500 prompts last long enough for 3 kills and their
# recoveries on 2 cores; options given on the command line come after and win.
declare -a job_options=(--request.default-width 256 --request.default-height 256)
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --prompts) prompts="$2"; shift 2 ;;
    --kills) kills="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --data-dir) data_dir="$(realpath -m "$2")"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    --*) [[ $# -ge 2 ]] || { echo "Option $1 needs a value" >&2; exit 2; }
         job_options+=("$1" "$2"); shift 2 ;;
    *) echo "Unexpected argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
require_commands curl jq

# Exceptions that killing a TaskManager causes by design; any other exception line is a violation.
# Each entry is an extended regular expression matched against a log line that names an exception.
ALLOWED_AFTER_KILLS=(
  # RPCs to the dead process: Pekko's association, and the checkpoint trigger sent to it.
  'Association with remote system \[pekko\.tcp://flink@localhost:[0-9]+\] has failed'
  'RecipientUnreachableException: Could not send message \[RemoteRpcInvocation\(TaskExecutorGateway\.triggerCheckpoint'
  'CheckpointException: Trigger checkpoint failure'
  # The JobMaster's and the ResourceManager's records of the lost TaskManager.
  '(JobMasterException|ResourceManagerException): TaskManager with id taskmanager-[0-9]+-[0-9]+ is no longer reachable'
)
# Exceptions of a job's normal start and stop-with-savepoint.
ALLOWED_ALWAYS=(
  # A checkpoint triggered while tasks are still deploying (job start, restart) is declined.
  'CheckpointException: .*(Checkpoint was declined \(tasks not ready\)|Checkpoint Coordinator is suspending|TaskManager received a checkpoint request for unknown task)'
  'Triggering Checkpoint [0-9]+ for job [0-9a-f]+ failed due to org\.apache\.flink\.runtime\.(checkpoint\.CheckpointException|rpc\.exceptions\.RecipientUnreachableException)'
  # scripts/cluster.sh stop: a TaskManager tells its JobManager it is going.
  'FlinkExpectedException: The TaskExecutor is shutting down'
)

RANDOM="$seed"
work_started=$SECONDS
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

free_port() {
  local port
  for _ in $(seq 100); do
    port="$(shuf -i 20000-60999 -n 1)"
    (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null || { echo "$port"; return 0; }
  done
  echo "No free port found" >&2
  return 1
}

cluster() { "$ROOT/scripts/cluster.sh" "$@" --data-dir "$data_dir"; }
cleanup() { cluster stop > /dev/null 2>&1 || true; }
trap cleanup EXIT

ensure_built
rm -rf "$data_dir"
mkdir -p "$data_dir"
rest_port="$(free_port)" rpc_port="$(free_port)"
url="http://localhost:$rest_port"
rest() { curl -sSf --max-time 10 "$@"; }

echo "== Prompts: $prompts (seed $seed) in $data_dir/prompts.jsonl"
java -cp "$(local_classpath)" dev.stageflow.cli.ChaosPrompts "$prompts" "$seed" "$data_dir/prompts.jsonl"
echo "== Cluster on ports $rest_port (web UI) and $rpc_port (RPC)"
cluster start --rest-port "$rest_port" --rpc-port "$rpc_port"
pid_dir="$data_dir/cluster/pids"

committed() { cat "$1"/results/results-* 2> /dev/null | wc -l; }
job_state() { rest "$url/jobs/$1" | jq -r .state; }
all_running() { rest "$url/jobs/$1" | jq -e '.state == "RUNNING" and ([.vertices[].status] | all(. == "RUNNING"))' > /dev/null; }
completed_checkpoints() { rest "$url/jobs/$1/checkpoints" | jq -r .counts.completed; }
restarts() { rest "$url/jobs/$1/metrics?get=numRestarts" | jq -r '.[0].value // "0"'; }

# Submits a run that follows the prompt file (so checkpoints keep completing until the end; a
# bounded input would finish its last prompts without checkpoints) and prints the job id.
submit() {
  local name="$1"
  "$ROOT/scripts/submit.sh" --jobmanager "localhost:$rest_port" --data-dir "$data_dir/$name" \
    --prompts "$data_dir/prompts.jsonl" --follow --out "$data_dir/$name/out" \
    --store.uri "file://$data_dir/$name/store" "${job_options[@]}" > "$data_dir/$name.submit.log"
  tail -1 "$data_dir/$name/submissions"/*/jobs
}

# Waits until all prompts of the run are committed, then stops the job with a savepoint.
finish() {
  local name="$1" job="$2" deadline=$((SECONDS + timeout))
  until (( $(committed "$data_dir/$name/out") >= prompts )); do
    (( SECONDS < deadline )) || { echo "$name: only $(committed "$data_dir/$name/out") of $prompts committed after $timeout s" >&2; exit 1; }
    [[ "$(job_state "$job")" =~ ^(RUNNING|RESTARTING|CREATED|INITIALIZING)$ ]] || { echo "$name: job $job is $(job_state "$job")" >&2; exit 1; }
    printf '%s\t%s\n' "$(now)" "$(committed "$data_dir/$name/out")" >> "$data_dir/$name.timeline.tsv"
    sleep 0.5
  done
  rest -X POST -H 'Content-Type: application/json' -d "{\"drain\": false, \"targetDirectory\": \"file://$data_dir/$name/savepoint\"}" \
    "$url/jobs/$job/stop" > /dev/null
  until [[ "$(job_state "$job")" == FINISHED ]]; do
    (( SECONDS < deadline )) || { echo "$name: job $job did not stop with a savepoint" >&2; exit 1; }
    sleep 0.5
  done
}

echo "== Clean run"
clean_start="$(now)"
printf '%s\t0\n' "$clean_start" > "$data_dir/clean.timeline.tsv"
clean_job="$(submit clean)"
finish clean "$clean_job"
clean_seconds="$(elapsed "$clean_start" "$(now)")"
echo "   $prompts prompts committed in $clean_seconds s (job $clean_job)"

declare -A log_lines_before_chaos=()
for log in "$data_dir"/cluster/log/*.{log,out}; do log_lines_before_chaos[$log]="$(wc -l < "$log")"; done

echo "== Chaos run: $kills kills"
chaos_start="$(now)"
printf '%s\t0\n' "$chaos_start" > "$data_dir/chaos.timeline.tsv"
chaos_job="$(submit chaos)"
out="$data_dir/chaos/out"
kill_records="[]"
for ((k = 1; k <= kills; k++)); do
  deadline=$((SECONDS + timeout))
  # A checkpoint must complete with the job running (and, after a kill, after its recovery).
  until all_running "$chaos_job" && (( $(completed_checkpoints "$chaos_job") > ${checkpoints_seen:-0} )) \
        && [[ "$(rest "$url/overview" | jq -r .taskmanagers)" == 2 ]] \
        && (( $(committed "$out") > 0 )); do
    (( SECONDS < deadline )) || { echo "No checkpoint completed before kill $k within $timeout s" >&2; exit 1; }
    printf '%s\t%s\n' "$(now)" "$(committed "$out")" >> "$data_dir/chaos.timeline.tsv"
    sleep 0.2
  done
  sleep "$(awk -v r=$((RANDOM % 3000)) 'BEGIN { printf "%.3f", r / 1000 }')"
  before="$(committed "$out")"
  if (( before >= prompts )); then
    echo "All prompts were committed before kill $k: run more prompts (--prompts) or slower ones" >&2
    exit 1
  fi
  # The victim is a TaskManager that runs tasks of the job (after a recovery, all of them may run on one).
  mapfile -t busy < <(rest "$url/taskmanagers" \
    | jq -r '.taskmanagers[] | select(.freeSlots < .slotsNumber) | .id | capture("^taskmanager-(?<n>[0-9]+)-").n' | sort -n)
  (( ${#busy[@]} > 0 )) || { echo "No TaskManager runs tasks of job $chaos_job" >&2; exit 1; }
  tm="${busy[RANDOM % ${#busy[@]}]}"
  restarts_before="$(restarts "$chaos_job")"
  pid="$(cat "$pid_dir/taskmanager-$tm.pid")"
  kill_time="$(now)"
  kill -9 "$pid"
  echo "   kill $k: taskmanager-$tm (pid $pid) at $(elapsed "$chaos_start" "$kill_time") s, $before committed"
  while kill -0 "$pid" 2> /dev/null; do sleep 0.05; done
  cluster start-taskmanager "$tm" > /dev/null
  running_time="" flowing_time="" restart_deadline=$((SECONDS + 120))
  until [[ -n "$running_time" && -n "$flowing_time" ]]; do
    (( SECONDS < deadline )) || { echo "The job did not recover from kill $k within $timeout s" >&2; exit 1; }
    (( SECONDS < restart_deadline || $(restarts "$chaos_job") > restarts_before )) \
      || { echo "The job did not restart within 120 s of kill $k" >&2; exit 1; }
    t="$(now)" count="$(committed "$out")"
    printf '%s\t%s\n' "$t" "$count" >> "$data_dir/chaos.timeline.tsv"
    if [[ -z "$running_time" ]] && (( $(restarts "$chaos_job") > restarts_before )) && all_running "$chaos_job"; then
      running_time="$t"
    fi
    if [[ -n "$running_time" && -z "$flowing_time" ]] && (( count > before )); then
      flowing_time="$t"
    fi
    sleep 0.2
  done
  failure_ms="$(rest "$url/jobs/$chaos_job/exceptions" | jq -r '.exceptionHistory.entries[0].timestamp')"
  detected="$(awk -v f="$failure_ms" -v k="$kill_time" 'BEGIN { printf "%.1f", f / 1000 - k }')"
  running="$(elapsed "$kill_time" "$running_time")"
  flowing="$(elapsed "$kill_time" "$flowing_time")"
  echo "   recovered: failure detected after $detected s, all tasks running after $running s, new results after $flowing s"
  kill_records="$(jq -c --argjson k "$k" --argjson tm "$tm" --argjson at "$(elapsed "$chaos_start" "$kill_time")" \
    --argjson before "$before" --argjson detected "$detected" --argjson running "$running" --argjson flowing "$flowing" \
    '. + [{kill: $k, taskmanager: $tm, atSeconds: $at, committedBefore: $before, failureDetectedSeconds: $detected,
           runningAgainSeconds: $running, resultsFlowingSeconds: $flowing}]' <<< "$kill_records")"
  checkpoints_seen="$(completed_checkpoints "$chaos_job")"
done
finish chaos "$chaos_job"
chaos_seconds="$(elapsed "$chaos_start" "$(now)")"
echo "   $prompts prompts committed in $chaos_seconds s (job $chaos_job)"
cluster stop > /dev/null

echo "== Verifying"
verdict=0
java -cp "$(local_classpath)" -Dlog4j2.level=WARN dev.stageflow.cli.ChaosVerifier "$data_dir/prompts.jsonl" \
  "$data_dir/clean/out" "$data_dir/clean/store" "$data_dir/chaos/out" "$data_dir/chaos/store" \
  "$data_dir/verification.json" || verdict=1

# The part of a log written during the clean run (before the chaos run), or during the chaos run.
log_part() {
  local phase="$1" log="$2" before="${log_lines_before_chaos[$2]:-0}"
  if [[ "$phase" == clean ]]; then head -n "$before" "$log"; else tail -n "+$((before + 1))" "$log"; fi
}

# Log lines of PHASE that name an exception (stack frames aside) and match none of the patterns given.
unexpected_exceptions() {
  local phase="$1" log allowed
  shift
  allowed="$(IFS='|'; echo "$*")"
  for log in "$data_dir"/cluster/log/*.{log,out}; do
    log_part "$phase" "$log" | grep -E '(Exception|Error)\b' | grep -vE '^\s+at |^\s*\.\.\. [0-9]+ more' \
      | grep -vE "$allowed" | sed "s|^|$(basename "$log"): |" || true
  done
}
clean_violations="$(unexpected_exceptions clean "${ALLOWED_ALWAYS[@]}")"
chaos_violations="$(unexpected_exceptions chaos "${ALLOWED_ALWAYS[@]}" "${ALLOWED_AFTER_KILLS[@]}")"
log_violations="$(printf '%s\n%s' "$clean_violations" "$chaos_violations" | grep -c . || true)"
if (( log_violations > 0 )); then
  verdict=1
  echo "VIOLATION: $log_violations log lines with exceptions outside the allow-list:"
  printf '%s\n%s\n' "$clean_violations" "$chaos_violations" | grep . | cut -c1-400 | sort | uniq -c | sort -rn | head -40
fi

mkdir -p "$ROOT/bench/results"
jq -n --argjson verification "$(cat "$data_dir/verification.json")" --argjson kills "$kill_records" \
  --argjson prompts "$prompts" --argjson seed "$seed" --argjson cleanSeconds "$clean_seconds" \
  --argjson chaosSeconds "$chaos_seconds" --argjson totalSeconds "$((SECONDS - work_started))" \
  --argjson logViolations "$log_violations" --arg date "$(date -u +%FT%TZ)" --arg cores "$(nproc)" \
  --arg options "${job_options[*]}" \
  '{date: $date, cores: ($cores | tonumber), prompts: $prompts, seed: $seed, jobOptions: $options,
    killsRequested: ($kills | length), kills: $kills,
    committed: $verification.chaos.committed, duplicates: $verification.chaos.duplicates,
    lost: $verification.chaos.lost, byteIdentical: $verification.store.byteIdentical,
    logLinesWithUnexpectedExceptions: $logViolations,
    cleanRunSeconds: $cleanSeconds, chaosRunSeconds: $chaosSeconds, totalSeconds: $totalSeconds,
    passed: ($verification.passed and $logViolations == 0), verification: $verification}' \
  > "$ROOT/bench/results/chaos.json"
if [[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import matplotlib' 2> /dev/null; then
  /usr/bin/python3 "$ROOT/bench/plot_chaos.py" "$ROOT/bench/results/chaos.json" "$data_dir" "$ROOT/bench/results/chaos.png" \
    || echo "(plot failed; the figures are in bench/results/chaos.json)"
fi
jq '{prompts, kills: [.kills[] | {taskmanager, atSeconds, failureDetectedSeconds, runningAgainSeconds, resultsFlowingSeconds}],
     committed, duplicates, lost, byteIdentical, logLinesWithUnexpectedExceptions, cleanRunSeconds, chaosRunSeconds, totalSeconds, passed}' \
  "$ROOT/bench/results/chaos.json"
exit "$verdict"
