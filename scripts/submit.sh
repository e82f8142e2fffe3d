#!/usr/bin/env bash
# Submits the stageflow job jar to a Flink cluster through its REST API (upload, run), the cluster
# of scripts/cluster.sh by default or any other with --jobmanager. Every submission is recorded in
# DATA_DIR/submissions/<id>/ (its options and job ids), so --resume and --savepoint can continue it.
# Needs curl and jq. --help lists the options.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'EOF'
Usage: scripts/submit.sh [--jobmanager HOST:PORT] [--prompts PATH] [--follow] [--out DIR] [--data-dir DIR]
                         [--resume | --savepoint PATH] [--allow-non-restored-state] [--wait] [--jar JAR]
                         [--key value ...]
  --jobmanager HOST:PORT  REST address of the cluster (default: the cluster scripts/cluster.sh runs from
                          DATA_DIR, else localhost:8081)
  --prompts PATH          JSON-lines file or directory of them (default: examples/prompts.jsonl); a local
                          path becomes a file:// URI, so on a remote cluster give a URI it can read
  --follow                keep watching the directory for new files (the job runs until cancelled)
  --out DIR               where results/ and dead-letters/ go (default: DATA_DIR/submissions/<id>/out)
  --data-dir DIR          where submissions are recorded and, unless --store.uri says otherwise, the
                          artifact store is (DATA_DIR/store, shared with scripts/run-local.sh); default: data
  --resume                submit the newest submission again, restored from the latest retained
                          checkpoint of its last job (which must have failed or been cancelled)
  --savepoint PATH        submit the newest submission again, restored from this savepoint or checkpoint
  --allow-non-restored-state  let --resume/--savepoint skip state that no operator of the job claims
  --wait                  wait until the job ends; exit 0 only if it FINISHED (--wait-timeout SECONDS, 3600)
  --jar JAR               the job jar (default: job/target/stageflow-job-<version>-job.jar, built if needed)
  --key value             any job option, e.g. --store.uri s3://bucket/stageflow --generator.batch.size 8
With --resume or --savepoint, the newest submission's options apply, overridden by those given here.
EOF
}

require_commands curl jq

data_dir="$ROOT/data" jobmanager="" jar="" restore="" savepoint="" allow_non_restored=false
wait_for_end=false wait_timeout=3600
declare -A options=()
declare -a option_order=()

set_option() {
  [[ -v "options[$1]" ]] || option_order+=("$1")
  options[$1]="$2"
}

as_uri() {
  if [[ "$1" =~ ^[A-Za-z][A-Za-z0-9+.-]*:/ ]]; then echo "$1"; else echo "file://$(realpath -m "$1")"; fi
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --follow) set_option source.follow true; shift ;;
    --resume) restore=latest; shift ;;
    --allow-non-restored-state) allow_non_restored=true; shift ;;
    --wait) wait_for_end=true; shift ;;
    --*)
      [[ $# -ge 2 ]] || { echo "Option $1 needs a value" >&2; usage >&2; exit 2; }
      case "$1" in
        --jobmanager) jobmanager="$2" ;;
        --data-dir) data_dir="$(realpath -m "$2")" ;;
        --jar) jar="$(realpath "$2")" ;;
        --savepoint) restore=savepoint; savepoint="$(as_uri "$2")" ;;
        --wait-timeout) wait_timeout="$2" ;;
        --prompts) set_option source.prompts "$(as_uri "$2")" ;;
        --out) set_option output.dir "$(as_uri "$2")" ;;
        *) set_option "${1#--}" "$2" ;;
      esac
      shift 2 ;;
    *) echo "Unexpected argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

if [[ -z "$jobmanager" ]]; then
  jobmanager="localhost:8081"
  if [[ -f "$data_dir/cluster/cluster.env" ]]; then
    # shellcheck disable=SC1091
    jobmanager="localhost:$(source "$data_dir/cluster/cluster.env" && echo "$REST_PORT")"
  fi
fi
url="http://$jobmanager"

# REST call; prints the response body, fails with the cluster's error message.
rest() {
  local method="$1" path="$2" response status
  shift 2
  response="$(curl -sS --max-time 300 -X "$method" -w '\n%{http_code}' "$@" "$url$path")" \
    || { echo "Cannot reach the Flink REST API at $url$path" >&2; return 1; }
  status="${response##*$'\n'}"
  response="${response%$'\n'*}"
  if [[ "$status" != 2* ]]; then
    # The first line of the cluster's error and its root cause; the full trace is in the JobManager's log.
    echo "$method $path: HTTP $status $(jq -r '.errors // [] | join("\n")' <<< "$response" 2> /dev/null \
      | grep -v -e $'^\t' -e '^$' | sed -n '1p;$p' || echo "$response")" >&2
    return 1
  fi
  echo "$response"
}

submissions="$data_dir/submissions"
previous=""
if [[ -n "$restore" ]]; then
  previous="$(find "$submissions" -mindepth 2 -maxdepth 2 -name jobs 2> /dev/null | sort | tail -1 | xargs -r dirname)"
  [[ -n "$previous" ]] || { echo "Nothing to continue: no submission under $submissions" >&2; exit 1; }
  declare -A given=()
  for key in "${option_order[@]}"; do given[$key]="${options[$key]}"; done
  options=() option_order=()
  while IFS= read -r line; do
    set_option "${line%%=*}" "${line#*=}"
  done < "$previous/options"
  for key in "${!given[@]}"; do set_option "$key" "${given[$key]}"; done
fi

# The newest retained checkpoint of JOB: what the cluster reports, or, when the cluster no longer
# knows the job (restarted), the newest chk-N/_metadata under a local checkpoint directory.
latest_checkpoint() {
  local job="$1" status path dir
  if status="$(rest GET "/jobs/$job" 2> /dev/null)"; then
    case "$(jq -r .state <<< "$status")" in
      FAILED|CANCELED|FINISHED) ;;
      *) echo "Job $job is still $(jq -r .state <<< "$status") on $url: cancel it first" \
              "(curl -X PATCH '$url/jobs/$job?mode=cancel')" >&2; return 1 ;;
    esac
    path="$(rest GET "/jobs/$job/checkpoints" | jq -r '.latest.completed.external_path // empty')"
    [[ -n "$path" ]] && { echo "$path"; return 0; }
  fi
  dir="${options[execution.checkpointing.dir]:-file://$data_dir/cluster/checkpoints}"
  dir="${dir#file://}"
  dir="${dir#file:}"
  path="$(find "$dir/$job" -maxdepth 2 -path '*/chk-*/_metadata' 2> /dev/null \
            | sed 's:.*/chk-\([0-9]*\)/_metadata$:\1 &:' | sort -n | tail -1 | cut -d' ' -f2 | xargs -r dirname)"
  [[ -n "$path" ]] || { echo "No retained checkpoint of job $job (not on $url, not in $dir/$job)" >&2; return 1; }
  echo "file://$path"
}

if [[ "$restore" == latest ]]; then
  savepoint="$(latest_checkpoint "$(tail -1 "$previous/jobs")")"
fi

submission="${previous:-$submissions/$(date +%Y%m%d-%H%M%S)}"
while [[ -z "$previous" && -e "$submission" ]]; do submission="$submission-2"; done
[[ -v "options[source.prompts]" ]] || set_option source.prompts "$(as_uri "$ROOT/examples/prompts.jsonl")"
[[ -v "options[output.dir]" ]] || set_option output.dir "file://$submission/out"
[[ -v "options[store.uri]" ]] || set_option store.uri "file://$data_dir/store"

if [[ -z "$jar" ]]; then
  ensure_built
  jar="$(ls "$ROOT"/job/target/stageflow-job-*-job.jar)"
fi

declare -a program_args=()
for key in "${option_order[@]}"; do program_args+=("--$key" "${options[$key]}"); done

# The REST API runs a jar with parallelism 1 unless the request names one (it does not read the
# cluster's parallelism.default): send the one given here, else the cluster's.
parallelism="${options[parallelism.default]:-$(rest GET /jobmanager/config \
  | jq -r '[.[] | select(.key == "parallelism.default") | .value][0] // "1"')}"

echo "Uploading $(basename "$jar") to $url ..."
jar_id="$(rest POST /jars/upload -H 'Expect:' -F "jarfile=@$jar" | jq -r .filename | xargs basename)"
request="$(jq -n --arg savepoint "$savepoint" --argjson allow "$allow_non_restored" --argjson parallelism "$parallelism" \
  '{entryClass: "dev.stageflow.StageflowJob", programArgsList: $ARGS.positional, parallelism: $parallelism}
   + (if $savepoint == "" then {} else {savepointPath: $savepoint, allowNonRestoredState: $allow} end)' \
  --args -- "${program_args[@]}")"
run_status=0
response="$(rest POST "/jars/$jar_id/run" -H 'Content-Type: application/json' -d "$request")" || run_status=$?
rest DELETE "/jars/$jar_id" > /dev/null || true
(( run_status == 0 )) || exit 1
job="$(jq -r .jobid <<< "$response")"

mkdir -p "$submission"
for key in "${option_order[@]}"; do echo "$key=${options[$key]}"; done > "$submission/options"
echo "$job" >> "$submission/jobs"
echo "Job $job submitted${savepoint:+, restored from $savepoint}"
echo "  web UI:  $url/#/job/running/$job"
echo "  results: ${options[output.dir]}/results"
echo "  record:  $submission"

if [[ "$wait_for_end" == true ]]; then
  deadline=$((SECONDS + wait_timeout)) state=""
  while (( SECONDS < deadline )); do
    state="$(rest GET "/jobs/$job" | jq -r .state)"
    case "$state" in
      FINISHED) echo "Job $job FINISHED"; exit 0 ;;
      FAILED|CANCELED) echo "Job $job $state; see the web UI's exceptions tab" >&2; exit 1 ;;
    esac
    sleep 2
  done
  echo "Job $job still $state after $wait_timeout s" >&2
  exit 1
fi
