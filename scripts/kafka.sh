#!/usr/bin/env bash
# A local Kafka broker (KRaft) to feed prompts: start | stop | status (stageflow servers ... kafka), and
# produce TOPIC | consume TOPIC with Kafka's console tools (consume: read_committed, from the start).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command="${1:-}"
[[ $# -gt 0 ]] && shift
case "$command" in
  start | stop | status) exec "$ROOT/stageflow" servers "$command" kafka "$@" ;;
  produce) tool=(org.apache.kafka.tools.ConsoleProducer) ;;
  consume) tool=(org.apache.kafka.tools.consumer.ConsoleConsumer --from-beginning --isolation-level read_committed) ;;
  *) sed -n '2,3p' "$0" >&2; exit 2 ;;
esac
ensure_built
topic="${1:?Usage: scripts/kafka.sh $command TOPIC [console tool options]}"
shift
exec java -Dlog4j2.configurationFile="$ROOT/servers/kafka/log4j2.properties" \
  -cp "$(cat "$ROOT/servers/target/classes/stageflow/servers/kafka.classpath")" "${tool[0]}" \
  --bootstrap-server "${KAFKA_BOOTSTRAP:-localhost:9092}" --topic "$topic" "${tool[@]:1}" "$@"
