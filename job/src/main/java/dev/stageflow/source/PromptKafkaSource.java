package dev.stageflow.source;

import dev.stageflow.config.KafkaClientProperties;
import dev.stageflow.config.KafkaOptions;
import dev.stageflow.config.KafkaTopics;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Prompts from Kafka topics as an unbounded {@link KafkaSource}. Partition offsets are part of
 * every checkpoint, so a restored job continues exactly where the checkpoint left off; they are
 * also committed to the consumer group when a checkpoint completes (for lag monitoring and for a
 * new job starting at the committed offsets). Reads with {@code isolation.level=read_committed}
 * unless told otherwise, so prompts of aborted transactions are never generated.
 */
public final class PromptKafkaSource {

    /** Consumer properties that have their own option. */
    private static final Map<String, String> OWN_OPTIONS = Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaOptions.SOURCE_BOOTSTRAP_SERVERS.key(),
            ConsumerConfig.GROUP_ID_CONFIG, KafkaOptions.SOURCE_GROUP_ID.key());
    private static final Set<String> FIXED = Set.of(
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);

    private PromptKafkaSource() {}

    /** Whether {@code conf} asks for Kafka input ({@code source.kafka.topics} is set). */
    public static boolean isConfigured(Configuration conf) {
        return conf.contains(KafkaOptions.SOURCE_TOPICS);
    }

    public static KafkaSource<KafkaPromptRecord> from(Configuration conf) {
        List<String> topics = KafkaTopics.names(conf, KafkaOptions.SOURCE_TOPICS);
        String bootstrapServers = conf.getOptional(KafkaOptions.SOURCE_BOOTSTRAP_SERVERS)
                .orElseThrow(() -> new IllegalConfigurationException("Option "
                        + KafkaOptions.SOURCE_BOOTSTRAP_SERVERS.key() + " is required with "
                        + KafkaOptions.SOURCE_TOPICS.key() + ": the Kafka brokers, host:port[,host:port...]"));
        Properties properties = new Properties();
        properties.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.putAll(KafkaClientProperties.of(conf, KafkaOptions.SOURCE_PROPERTIES, OWN_OPTIONS, FIXED));
        return KafkaSource.<KafkaPromptRecord>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(topics)
                .setGroupId(conf.get(KafkaOptions.SOURCE_GROUP_ID))
                .setStartingOffsets(startingOffsets(conf.get(KafkaOptions.SOURCE_STARTING_OFFSETS)))
                .setDeserializer(new PromptRecordDeserializer())
                .setProperties(properties)
                .build();
    }

    private static OffsetsInitializer startingOffsets(KafkaOptions.StartingOffsets startingOffsets) {
        switch (startingOffsets) {
            case EARLIEST:
                return OffsetsInitializer.earliest();
            case LATEST:
                return OffsetsInitializer.latest();
            case COMMITTED:
            default:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        }
    }
}
