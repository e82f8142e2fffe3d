#!/usr/bin/env bash
# A standalone Flink session cluster on this machine: one JobManager (web UI and REST API) and
# TaskManagers, each its own JVM, run from the project's Maven-resolved Flink jars (servers/flink/pom.xml)
# and conf/config.yaml with conf/cluster.yaml laid over it. --help lists the commands.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_commands curl

usage() {
  cat <<'EOF'
Usage: scripts/cluster.sh start|stop|status|start-taskmanager N [options]
  start                 start a JobManager and the TaskManagers; waits until all are registered
  stop                  stop every process this cluster started (SIGTERM, SIGKILL after 30 s)
  status                processes, TaskManagers, slots and jobs
  start-taskmanager N   (re)start TaskManager number N of a running cluster, e.g. after a crash
Options:
  --data-dir DIR        root of the cluster's files (default: data); they go to DIR/cluster/:
                        conf/, log/ (one .log and .out per process), checkpoints/, savepoints/, tmp/
  --rest-port PORT      web UI and REST API port (default: rest.port of conf/config.yaml, 8081)
  --rpc-port PORT       JobManager RPC port (default: 6123)
  --taskmanagers N      number of TaskManagers (default: 2)
  --key value           any further Flink option for the cluster's config.yaml, e.g.
                        --taskmanager.numberOfTaskSlots 4 --heartbeat.timeout 20000
The web UI is at http://localhost:<rest-port>. Submit jobs with scripts/submit.sh.
EOF
}

command="${1:-}"
[[ -n "$command" ]] && shift
data_dir="$ROOT/data"
rest_port="" rpc_port="6123" taskmanagers=2 tm_index=""
declare -a extra_options=()
if [[ "$command" == "start-taskmanager" ]]; then
  tm_index="${1:?start-taskmanager needs a TaskManager number}"
  shift
fi
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data-dir) data_dir="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    --rest-port) rest_port="$2"; shift 2 ;;
    --rpc-port) rpc_port="$2"; shift 2 ;;
    --taskmanagers) taskmanagers="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    --*) [[ $# -ge 2 ]] || { echo "Option $1 needs a value" >&2; exit 2; }
         extra_options+=("${1#--}: $2"); shift 2 ;;
    *) echo "Unexpected argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

cluster_dir="$data_dir/cluster"
conf_dir="$cluster_dir/conf"
log_dir="$cluster_dir/log"
pid_dir="$cluster_dir/pids"
state_file="$cluster_dir/cluster.env"

# The pid in FILE if that process is alive and is one of this cluster's JVMs (a recycled pid is not).
live_pid() {
  local file="$1" pid
  [[ -f "$file" ]] || return 1
  pid="$(cat "$file")"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "--configDir $conf_dir" || return 1
  echo "$pid"
}

rest_url() {
  # shellcheck disable=SC1090
  source "$state_file"
  echo "http://localhost:$REST_PORT"
}

# The cluster's config.yaml: conf/config.yaml without the keys that conf/cluster.yaml, the ports,
# the directories and --key value options set, followed by those.
write_config() {
  local overrides="$cluster_dir/overrides.yaml"
  {
    cat "$ROOT/conf/cluster.yaml"
    echo
    echo "# --- written by scripts/cluster.sh start ---"
    echo "rest.port: $rest_port"
    echo "rest.address: localhost"
    echo "rest.bind-address: localhost"
    echo "jobmanager.rpc.address: localhost"
    echo "jobmanager.rpc.port: $rpc_port"
    echo "jobmanager.bind-host: localhost"
    echo "taskmanager.bind-host: localhost"
    echo "taskmanager.host: localhost"
    echo "execution.checkpointing.dir: file://$cluster_dir/checkpoints"
    echo "execution.checkpointing.savepoint-dir: file://$cluster_dir/savepoints"
    echo "io.tmp.dirs: $cluster_dir/tmp"
    echo "blob.storage.directory: $cluster_dir/tmp/blobs"
    echo "web.upload.dir: $cluster_dir/tmp/web-upload"
    echo "web.tmpdir: $cluster_dir/tmp/web"
    # RocksDB's own LOG files (one per state instance) would otherwise land next to Flink's logs.
    echo "state.backend.rocksdb.log.dir: $cluster_dir/tmp/rocksdb-logs"
    for option in "${extra_options[@]}"; do
      echo "$option"
    done
  } > "$overrides"
  mkdir -p "$conf_dir"
  awk 'NR == FNR { if (match($0, /^[A-Za-z0-9_.-]+:/)) set[substr($0, 1, RLENGTH)] = 1; next }
       { if (match($0, /^[A-Za-z0-9_.-]+:/) && (substr($0, 1, RLENGTH) in set)) next; print }' \
    "$overrides" "$ROOT/conf/config.yaml" > "$conf_dir/config.yaml"
  cat "$overrides" >> "$conf_dir/config.yaml"
  rm "$overrides"
}

# The lines BashJavaUtils prints for a process's memory: JVM flags, then -D dynamic properties (the
# computation flink-dist's jobmanager.sh and taskmanager.sh do).
resource_params() {
  local output
  if ! output="$(java -cp "$CLUSTER_CP" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$conf_dir" 2>&1)"; then
    echo "Cannot compute the memory settings with BashJavaUtils $1:" >&2
    echo "$output" >&2
    exit 1
  fi
  grep '^BASH_JAVA_UTILS_EXEC_RESULT:' <<< "$output" | tail -2 | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://'
}

# Starts one Flink process in the background: NAME MAIN_CLASS RESOURCE_PARAMS_COMMAND [-D key=value ...].
start_process() {
  local name="$1" main="$2" params jvm_args dynamic_properties
  params="$(resource_params "$3")"
  shift 3
  jvm_args="$(sed -n 1p <<< "$params")"
  dynamic_properties="$(sed -n 2p <<< "$params") $*"
  mkdir -p "$log_dir" "$pid_dir"
  echo "=== $(date '+%F %T') starting $name" >> "$log_dir/$name.out"
  # shellcheck disable=SC2086 # the JVM flags and -D properties are separate words
  DJL_CACHE_DIR="$DJL_CACHE_DIR" FLINK_PLUGINS_DIR="$FLINK_PLUGINS_DIR" FLINK_CONF_DIR="$conf_dir" \
    nohup java $jvm_args "@$ROOT/conf/java17-opens.args" -Dai.djl.offline=true \
      -Daws.java.v1.disableDeprecationAnnouncement=true \
      "-Dlog.file=$log_dir/$name.log" "-Dlog4j.configurationFile=$ROOT/conf/log4j-cluster.properties" \
      -cp "$CLUSTER_CP" "$main" --configDir "$conf_dir" $dynamic_properties \
      >> "$log_dir/$name.out" 2>&1 < /dev/null &
  echo $! > "$pid_dir/$name.pid"
}

start_taskmanager() {
  local name="taskmanager-$1"
  if pid="$(live_pid "$pid_dir/$name.pid")"; then
    echo "$name is already running (pid $pid)" >&2
    return 1
  fi
  # A readable id in the web UI and the REST API (taskmanager-<N>-<start time>), new for each start.
  start_process "$name" org.apache.flink.runtime.taskexecutor.TaskManagerRunner GET_TM_RESOURCE_PARAMS \
    -D "taskmanager.resource-id=$name-$(date +%s)"
  echo "Started $name (pid $(cat "$pid_dir/$name.pid"))"
}

# Registered TaskManagers according to the REST API, or nothing if it does not answer.
registered_taskmanagers() {
  curl -sf --max-time 2 "$(rest_url)/overview" | sed -n 's/.*"taskmanagers":\([0-9]*\).*/\1/p'
}

await_taskmanagers() {
  local want="$1" deadline=$((SECONDS + 90)) have=""
  while (( SECONDS < deadline )); do
    have="$(registered_taskmanagers || true)"
    [[ "$have" == "$want" ]] && return 0
    live_pid "$pid_dir/jobmanager.pid" > /dev/null \
      || { echo "The JobManager died; see $log_dir/jobmanager.log and .out" >&2; return 1; }
    sleep 1
  done
  echo "Only ${have:-0} of $want TaskManagers registered within 90 s; see $log_dir" >&2
  return 1
}

any_running() {
  local file
  for file in "$pid_dir"/*.pid; do
    [[ -e "$file" ]] && live_pid "$file" > /dev/null && return 0
  done
  return 1
}

do_start() {
  if any_running; then
    echo "A cluster is already running from $cluster_dir (scripts/cluster.sh status)" >&2
    exit 1
  fi
  ensure_built
  CLUSTER_CP="$(cluster_classpath)"
  [[ -n "$rest_port" ]] || rest_port="$(sed -n 's/^rest\.port: *\([0-9]*\).*/\1/p' "$ROOT/conf/config.yaml")"
  for port in "$rest_port" "$rpc_port"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
      echo "Port $port is in use; choose another with --rest-port / --rpc-port" >&2
      exit 1
    fi
  done
  mkdir -p "$cluster_dir"/{checkpoints,savepoints,tmp}
  write_config
  printf 'REST_PORT=%s\nRPC_PORT=%s\nTASKMANAGERS=%s\n' "$rest_port" "$rpc_port" "$taskmanagers" > "$state_file"
  start_process jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint GET_JM_RESOURCE_PARAMS
  echo "Started jobmanager (pid $(cat "$pid_dir/jobmanager.pid"))"
  for ((i = 1; i <= taskmanagers; i++)); do
    start_taskmanager "$i"
  done
  if ! await_taskmanagers "$taskmanagers"; then
    do_stop
    exit 1
  fi
  echo "Flink cluster running: web UI http://localhost:$rest_port, $taskmanagers TaskManagers, logs in $log_dir"
}

do_stop() {
  local file pid name deadline stopped=0
  for file in "$pid_dir"/taskmanager-*.pid "$pid_dir"/jobmanager.pid; do
    [[ -e "$file" ]] || continue
    name="$(basename "$file" .pid)"
    if pid="$(live_pid "$file")"; then
      kill -TERM "$pid" 2> /dev/null || true
      deadline=$((SECONDS + 30))
      while kill -0 "$pid" 2> /dev/null && (( SECONDS < deadline )); do sleep 0.5; done
      if kill -0 "$pid" 2> /dev/null; then
        echo "$name (pid $pid) did not stop within 30 s: SIGKILL" >&2
        kill -KILL "$pid" 2> /dev/null || true
      fi
      echo "Stopped $name (pid $pid)"
      stopped=1
    fi
    rm -f "$file"
  done
  (( stopped )) || echo "No cluster running from $cluster_dir"
}

do_status() {
  local file pid running=1
  for file in "$pid_dir"/jobmanager.pid "$pid_dir"/taskmanager-*.pid; do
    [[ -e "$file" ]] || continue
    if pid="$(live_pid "$file")"; then
      echo "$(basename "$file" .pid): running (pid $pid)"
      running=0
    else
      echo "$(basename "$file" .pid): not running"
    fi
  done
  if (( running != 0 )); then
    echo "No cluster running from $cluster_dir"
    return 3
  fi
  local overview
  if overview="$(curl -sf --max-time 5 "$(rest_url)/overview")"; then
    echo "Web UI: $(rest_url)"
    echo "REST /overview: $overview"
  else
    echo "The REST API at $(rest_url) does not answer (yet)"
    return 1
  fi
}

case "$command" in
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
  start-taskmanager)
    [[ -f "$state_file" ]] && live_pid "$pid_dir/jobmanager.pid" > /dev/null \
      || { echo "No cluster running from $cluster_dir" >&2; exit 1; }
    CLUSTER_CP="$(cluster_classpath)"
    start_taskmanager "$tm_index" ;;
  -h|--help) usage ;;
  *) usage >&2; exit 2 ;;
esac
