#!/usr/bin/env bash
# A local single-node Kafka (4.2.0, KRaft: broker and controller in one JVM) for feeding prompts to
# stageflow, run from the Maven-resolved jars of servers/kafka/pom.xml (Maven Central, nothing else).
#
# Usage: scripts/kafka.sh start | stop | status
#        scripts/kafka.sh produce TOPIC [console-producer options...]   (one record per input line)
#        scripts/kafka.sh consume TOPIC [console-consumer options...]   (read_committed, from the beginning)
#
# Environment: KAFKA_PORT (default 9092) and KAFKA_CONTROLLER_PORT (9093) on KAFKA_HOST (localhost);
# KAFKA_DATA_DIR (data/kafka) holds the broker's data, server.properties and kafka.log.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
host="${KAFKA_HOST:-localhost}"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
data_dir="${KAFKA_DATA_DIR:-$ROOT/data/kafka}"
bootstrap="$host:$port"
pid_file="$data_dir/kafka.pid"
log4j="-Dlog4j2.configurationFile=$ROOT/servers/kafka/log4j2.properties"

usage() {
  sed -n '5,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# The broker's classpath, resolved by the build from servers/kafka/pom.xml.
classpath() {
  ensure_built
  cat "$ROOT/servers/target/classes/stageflow/servers/kafka.classpath"
}

running_pid() {
  [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null && cat "$pid_file"
}

write_properties() {
  mkdir -p "$data_dir"
  cat > "$data_dir/server.properties" <<EOF
# Written by scripts/kafka.sh on each start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$host:$controller_port
listeners=PLAINTEXT://$host:$port,CONTROLLER://$host:$controller_port
advertised.listeners=PLAINTEXT://$host:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data_dir/logs
num.partitions=2
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
}

start() {
  if pid="$(running_pid)"; then
    echo "Kafka is already running (pid $pid) on $bootstrap"
    return
  fi
  local cp
  cp="$(classpath)"
  write_properties
  if [[ ! -f "$data_dir/logs/meta.properties" ]]; then
    java $log4j -cp "$cp" kafka.tools.StorageTool format --cluster-id "$(java $log4j -cp "$cp" kafka.tools.StorageTool random-uuid)" \
      --config "$data_dir/server.properties" > "$data_dir/format.log" 2>&1 \
      || { cat "$data_dir/format.log" >&2; exit 1; }
  fi
  nohup java -Xmx512m $log4j -cp "$cp" kafka.Kafka "$data_dir/server.properties" > "$data_dir/kafka.log" 2>&1 &
  echo $! > "$pid_file"
  for _ in $(seq 1 120); do
    if grep -q "Kafka Server started" "$data_dir/kafka.log" 2>/dev/null; then
      echo "Kafka $(basename "$(tr ':' '\n' <<< "$cp" | grep '/kafka_2.13-')" .jar | sed 's/kafka_2.13-//') running (pid $(cat "$pid_file")) on $bootstrap; data and kafka.log in $data_dir"
      return
    fi
    if ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      echo "Kafka did not start; last lines of $data_dir/kafka.log:" >&2
      tail -20 "$data_dir/kafka.log" >&2
      rm -f "$pid_file"
      exit 1
    fi
    sleep 0.5
  done
  echo "Kafka did not start within 60 s; see $data_dir/kafka.log (pid $(cat "$pid_file") left running)" >&2
  exit 1
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    echo "Kafka is not running"
    rm -f "$pid_file"
    return
  fi
  kill "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pid_file"; echo "Kafka stopped"; return; }
    sleep 0.5
  done
  echo "Kafka did not stop within 30 s; killing pid $pid" >&2
  kill -9 "$pid"
  rm -f "$pid_file"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    echo "Kafka is running (pid $pid) on $bootstrap; topics:"
    java $log4j -cp "$(classpath)" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" --list \
      | sed '/^$/d; s/^/  /'
  else
    echo "Kafka is not running"
    return 3
  fi
}

command="${1:-}"
[[ $# -gt 0 ]] && shift
case "$command" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  produce)
    [[ $# -ge 1 ]] || usage
    topic="$1"; shift
    exec java $log4j -cp "$(classpath)" org.apache.kafka.tools.ConsoleProducer \
      --bootstrap-server "$bootstrap" --topic "$topic" "$@" ;;
  consume)
    [[ $# -ge 1 ]] || usage
    topic="$1"; shift
    exec java $log4j -cp "$(classpath)" org.apache.kafka.tools.consumer.ConsoleConsumer \
      --bootstrap-server "$bootstrap" --topic "$topic" --from-beginning --isolation-level read_committed "$@" ;;
  *) usage ;;
esac
