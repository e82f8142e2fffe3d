package dev.stageflow.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Prompts from Kafka topics, and results and dead letters to Kafka topics in addition to the files
 * under {@code output.dir}.
 */
@OptionsSection(title = "Kafka input and output", position = 30)
public final class KafkaOptions {

    /** Where a job without restored state starts reading its topics. */
    public enum StartingOffsets {
        /** The group's committed offsets; partitions without one from the earliest offset. */
        COMMITTED,
        /** The earliest offset of every partition. */
        EARLIEST,
        /** The end of every partition: only prompts written after the job started. */
        LATEST
    }

    public static final ConfigOption<String> SOURCE_BOOTSTRAP_SERVERS =
            ConfigOptions.key("source.kafka.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Kafka brokers to read prompts from, host:port[,host:port...].");

    public static final ConfigOption<List<String>> SOURCE_TOPICS =
            ConfigOptions.key("source.kafka.topics")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "Topics of prompts, separated by ';'. Each record value is one JSON prompt"
                                    + " object (the input format of the files); a record key, when present,"
                                    + " is the promptId (a value whose promptId differs becomes a"
                                    + " PROMPT_ID_MISMATCH dead letter); records with a null value"
                                    + " (tombstones) are skipped. Exactly one of source.prompts and this"
                                    + " must be set. With it the job runs until it is stopped, and needs"
                                    + " execution.checkpointing.interval. Names follow Kafka's rule (up to 249"
                                    + " of a-z A-Z 0-9 . _ -, not . or ..); both are checked when the job is"
                                    + " built.");

    public static final ConfigOption<String> SOURCE_GROUP_ID =
            ConfigOptions.key("source.kafka.group-id")
                    .stringType()
                    .defaultValue("stageflow")
                    .withDescription(
                            "Consumer group of the source. The job commits its offsets to the group when"
                                    + " a checkpoint completes (for monitoring and for starting-offsets"
                                    + " 'committed'); its own position lives in the checkpoint.");

    public static final ConfigOption<StartingOffsets> SOURCE_STARTING_OFFSETS =
            ConfigOptions.key("source.kafka.starting-offsets")
                    .enumType(StartingOffsets.class)
                    .defaultValue(StartingOffsets.COMMITTED)
                    .withDescription(
                            "Where a job that does not restore a checkpoint or savepoint starts: 'committed'"
                                    + " (the group's offsets, 'earliest' for partitions without one),"
                                    + " 'earliest' or 'latest'. A restored job continues from the offsets in"
                                    + " its checkpoint.");

    public static final ConfigOption<Map<String, String>> SOURCE_PROPERTIES =
            ConfigOptions.key("source.kafka.properties")
                    .mapType()
                    .defaultValue(Map.of())
                    .withDescription(
                            "Kafka consumer properties, one option each: source.kafka.properties.<name>,"
                                    + " e.g. source.kafka.properties.security.protocol: SASL_SSL,"
                                    + " source.kafka.properties.sasl.jaas.config: ... (secrets, i.e. keys with"
                                    + " password or jaas.config and the properties Kafka types as passwords"
                                    + " such as ssl.keystore.key, are never recorded, logged or shown)."
                                    + " isolation.level is read_committed unless set here;"
                                    + " partition.discovery.interval.ms (default 5 min) finds new partitions."
                                    + " bootstrap.servers and group.id come from their own options.");

    public static final ConfigOption<String> SINK_BOOTSTRAP_SERVERS =
            ConfigOptions.key("sink.kafka.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withFallbackKeys(SOURCE_BOOTSTRAP_SERVERS.key())
                    .withDescription(
                            "Kafka brokers for the result and dead-letter topics. Default:"
                                    + " source.kafka.bootstrap-servers.");

    public static final ConfigOption<String> SINK_RESULTS_TOPIC =
            ConfigOptions.key("sink.kafka.results-topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Topic that receives each committed result row (the JSON of results/), keyed by"
                                    + " promptId, exactly once for read_committed consumers. In addition to"
                                    + " the files under output.dir. Unset: no Kafka output of results. Checked"
                                    + " against Kafka's rule for names when the job is built.");

    public static final ConfigOption<String> SINK_DEAD_LETTERS_TOPIC =
            ConfigOptions.key("sink.kafka.dead-letters-topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Topic that receives each dead letter (the JSON of dead-letters/, no key),"
                                    + " exactly once for read_committed consumers. Unset: none. Checked"
                                    + " against Kafka's rule for names when the job is built.");

    public static final ConfigOption<String> SINK_TRANSACTIONAL_ID_PREFIX =
            ConfigOptions.key("sink.kafka.transactional-id-prefix")
                    .stringType()
                    .defaultValue("stageflow")
                    .withDescription(
                            "Prefix of the Kafka transactional ids of the sinks ('-results' and"
                                    + " '-dead-letters' are appended). Must be unique per job among all"
                                    + " jobs writing to the same Kafka cluster, and kept when the job is"
                                    + " restored, so that it can commit or abort its open transactions.");

    public static final ConfigOption<Duration> SINK_TRANSACTION_TIMEOUT =
            ConfigOptions.key("sink.kafka.transaction-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(15))
                    .withDescription(
                            "Producer transaction.timeout.ms. A transaction stays open from one checkpoint"
                                    + " to the commit after the next, so this must exceed the checkpoint"
                                    + " interval (checked) plus the longest time a failed job needs to come"
                                    + " back; the broker aborts a transaction open longer than this, losing"
                                    + " its records. Must not exceed the broker's transaction.max.timeout.ms"
                                    + " (default 15 min), or the sink fails at start.");

    public static final ConfigOption<Map<String, String>> SINK_PROPERTIES =
            ConfigOptions.key("sink.kafka.properties")
                    .mapType()
                    .defaultValue(Map.of())
                    .withDescription(
                            "Kafka producer properties, one option each: sink.kafka.properties.<name> (e.g."
                                    + " security.protocol, ssl.truststore.location, sasl.jaas.config; secrets"
                                    + " among them are never recorded, logged or shown)."
                                    + " bootstrap.servers, transactional.id and transaction.timeout.ms come"
                                    + " from their own options.");

    private KafkaOptions() {}
}
