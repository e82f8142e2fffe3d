package dev.stageflow.sink;

import dev.stageflow.config.KafkaClientProperties;
import dev.stageflow.config.KafkaOptions;
import dev.stageflow.config.KafkaTopics;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.GenerationResult;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Results and dead letters to Kafka topics, exactly once: each sink writes in a Kafka transaction
 * that commits when the checkpoint containing its records completes, so a {@code read_committed}
 * consumer sees every row once, also across failures and restores (an uncommitted transaction of a
 * failed attempt is aborted on restore). A transaction lives from one checkpoint to the commit
 * after the next: {@code sink.kafka.transaction-timeout} must outlast that and the time a failed
 * job needs to come back, or the broker aborts it and its rows are lost.
 */
public final class KafkaOutputs {

    private static final Map<String, String> OWN_OPTIONS = Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaOptions.SINK_BOOTSTRAP_SERVERS.key(),
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, KafkaOptions.SINK_TRANSACTIONAL_ID_PREFIX.key(),
            ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, KafkaOptions.SINK_TRANSACTION_TIMEOUT.key());
    private static final Set<String> FIXED = Set.of(
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);

    private final Configuration conf;
    private final String bootstrapServers;
    private final Properties producerProperties;
    private final Optional<String> resultsTopic;
    private final Optional<String> deadLettersTopic;

    private KafkaOutputs(Configuration conf, String bootstrapServers, Properties producerProperties,
            Optional<String> resultsTopic, Optional<String> deadLettersTopic) {
        this.conf = conf;
        this.bootstrapServers = bootstrapServers;
        this.producerProperties = producerProperties;
        this.resultsTopic = resultsTopic;
        this.deadLettersTopic = deadLettersTopic;
    }

    /**
     * The Kafka outputs {@code conf} asks for, validated; empty when it sets neither topic.
     * {@code checkpointInterval} is the job's (null when checkpointing is off).
     */
    public static Optional<KafkaOutputs> from(Configuration conf, Duration checkpointInterval) {
        Optional<String> resultsTopic = KafkaTopics.name(conf, KafkaOptions.SINK_RESULTS_TOPIC);
        Optional<String> deadLettersTopic = KafkaTopics.name(conf, KafkaOptions.SINK_DEAD_LETTERS_TOPIC);
        if (resultsTopic.isEmpty() && deadLettersTopic.isEmpty()) {
            return Optional.empty();
        }
        String bootstrapServers = conf.getOptional(KafkaOptions.SINK_BOOTSTRAP_SERVERS)
                .orElseThrow(() -> new IllegalConfigurationException("Option " + KafkaOptions.SINK_BOOTSTRAP_SERVERS.key()
                        + " (or " + KafkaOptions.SOURCE_BOOTSTRAP_SERVERS.key() + ") is required with a Kafka output topic"));
        if (checkpointInterval == null) {
            throw new IllegalConfigurationException("Kafka outputs (" + KafkaOptions.SINK_RESULTS_TOPIC.key() + ", "
                    + KafkaOptions.SINK_DEAD_LETTERS_TOPIC.key() + ") commit on checkpoints: set "
                    + CheckpointingOptions.CHECKPOINTING_INTERVAL.key());
        }
        Duration timeout = conf.get(KafkaOptions.SINK_TRANSACTION_TIMEOUT);
        if (timeout.compareTo(checkpointInterval) <= 0) {
            throw new IllegalConfigurationException("Option " + KafkaOptions.SINK_TRANSACTION_TIMEOUT.key() + " ("
                    + timeout + ") must be longer than " + CheckpointingOptions.CHECKPOINTING_INTERVAL.key() + " ("
                    + checkpointInterval + "): a transaction stays open for at least one interval");
        }
        if (conf.get(KafkaOptions.SINK_TRANSACTIONAL_ID_PREFIX).isBlank()) {
            throw new IllegalConfigurationException("Option " + KafkaOptions.SINK_TRANSACTIONAL_ID_PREFIX.key()
                    + " must not be blank");
        }
        Properties properties = new Properties();
        properties.putAll(KafkaClientProperties.of(conf, KafkaOptions.SINK_PROPERTIES, OWN_OPTIONS, FIXED));
        properties.setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, String.valueOf(timeout.toMillis()));
        return Optional.of(new KafkaOutputs(conf, bootstrapServers, properties, resultsTopic, deadLettersTopic));
    }

    /** The sink of result rows, keyed by promptId, if {@code sink.kafka.results-topic} is set. */
    public Optional<KafkaSink<GenerationResult>> results() {
        return resultsTopic.map(topic -> sink(new JsonRecordSerializer<>(topic, new PromptIdOf()), "-results"));
    }

    /** The sink of dead letters (no key), if {@code sink.kafka.dead-letters-topic} is set. */
    public Optional<KafkaSink<DeadLetter>> deadLetters() {
        return deadLettersTopic.map(topic -> sink(new JsonRecordSerializer<DeadLetter>(topic, null), "-dead-letters"));
    }

    private <T> KafkaSink<T> sink(JsonRecordSerializer<T> serializer, String idSuffix) {
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(producerProperties)
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(conf.get(KafkaOptions.SINK_TRANSACTIONAL_ID_PREFIX) + idSuffix)
                .build();
    }

    /** A result's record key. */
    private static final class PromptIdOf implements SerializableFunction<GenerationResult, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String apply(GenerationResult result) {
            return result.promptId;
        }
    }
}
