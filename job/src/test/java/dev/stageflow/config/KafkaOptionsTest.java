package dev.stageflow.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.StageflowJob;
import dev.stageflow.sink.KafkaOutputs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** The Kafka options are validated when the job is built, each error naming the option. */
class KafkaOptionsTest {

    @Test
    void clientPropertiesComeFromPrefixedKeys() {
        Configuration conf = Configuration.fromMap(Map.of(
                "source.kafka.properties.security.protocol", "SASL_SSL",
                "source.kafka.properties.sasl.mechanism", "PLAIN"));

        assertThat(conf.get(KafkaOptions.SOURCE_PROPERTIES))
                .containsExactlyInAnyOrderEntriesOf(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN"));
        assertThat(new Configuration().get(KafkaOptions.SINK_PROPERTIES)).isEmpty();
    }

    @Test
    void topicsAreSeparatedBySemicolons() {
        Configuration conf = Configuration.fromMap(Map.of("source.kafka.topics", "prompts;more-prompts"));

        assertThat(conf.get(KafkaOptions.SOURCE_TOPICS)).containsExactly("prompts", "more-prompts");
    }

    @Test
    void aCommaBetweenTopicsFailsSayingTopicsAreSeparatedBySemicolons() {
        assertBuildFails(Map.of("source.kafka.topics", "prompts,badprompts", "source.kafka.bootstrap-servers", "127.0.0.1:9"),
                "Option source.kafka.topics must be Kafka topic names separated by ';', got 'prompts,badprompts':"
                        + " topic is invalid: 'prompts,badprompts' contains one or more characters other than ASCII"
                        + " alphanumerics, '.', '_' and '-'; ',' is not allowed in a topic name (topics are separated"
                        + " by ';')");
    }

    @Test
    void topicNamesKafkaRefusesFailAtBuildNamingTheOption() {
        assertBuildFails(Map.of("source.kafka.topics", "prompts;..", "source.kafka.bootstrap-servers", "127.0.0.1:9"),
                "Option source.kafka.topics must be Kafka topic names separated by ';', got '..': topic is invalid:"
                        + " '..' is not allowed");
        assertBuildFails(Map.of("source.kafka.topics", "prompts;;more", "source.kafka.bootstrap-servers", "127.0.0.1:9"),
                "Option source.kafka.topics must be Kafka topic names separated by ';', got '': topic is invalid:"
                        + " the empty string is not allowed");
        Configuration sink = Configuration.fromMap(Map.of("sink.kafka.bootstrap-servers", "127.0.0.1:9",
                "sink.kafka.results-topic", "x".repeat(250), "sink.kafka.dead-letters-topic", "dead letters"));

        assertThatThrownBy(() -> KafkaOutputs.from(sink, Duration.ofSeconds(3)))
                .hasMessageStartingWith("Option sink.kafka.results-topic must be a Kafka topic name, got 'xxx")
                .hasMessageEndingWith("is longer than the max allowed length 249");
        sink.setString("sink.kafka.results-topic", "results_1.v2-a");
        assertThatThrownBy(() -> KafkaOutputs.from(sink, Duration.ofSeconds(3)))
                .hasMessage("Option sink.kafka.dead-letters-topic must be a Kafka topic name, got 'dead letters': topic is"
                        + " invalid: 'dead letters' contains one or more characters other than ASCII alphanumerics, '.',"
                        + " '_' and '-'");
    }

    @Test
    void startingOffsetsAreCaseInsensitive() {
        Configuration conf = Configuration.fromMap(Map.of("source.kafka.starting-offsets", "earliest"));

        assertThat(conf.get(KafkaOptions.SOURCE_STARTING_OFFSETS)).isEqualTo(KafkaOptions.StartingOffsets.EARLIEST);
    }

    @Test
    void aClientPropertyWithItsOwnOptionIsRefused() {
        Configuration conf = Configuration.fromMap(Map.of("sink.kafka.properties.bootstrap.servers", "x:9092"));

        assertThatThrownBy(() -> KafkaClientProperties.of(conf, KafkaOptions.SINK_PROPERTIES,
                        Map.of("bootstrap.servers", "sink.kafka.bootstrap-servers"), Set.of()))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage("Option sink.kafka.properties.bootstrap.servers is not allowed: set"
                        + " sink.kafka.bootstrap-servers instead");
    }

    @Test
    void exactlyOneSourceMustBeSet() {
        assertBuildFails(Map.of(), "Set exactly one of source.prompts (files) and source.kafka.topics (Kafka)");
        assertBuildFails(Map.of("source.prompts", "/tmp/p", "source.kafka.topics", "prompts",
                        "source.kafka.bootstrap-servers", "127.0.0.1:9"),
                "Set exactly one of source.prompts (files) and source.kafka.topics (Kafka), not both");
    }

    @Test
    void topicsNeedBootstrapServers() {
        assertBuildFails(Map.of("source.kafka.topics", "prompts"),
                "Option source.kafka.bootstrap-servers is required with source.kafka.topics");
    }

    @Test
    void kafkaOutputNeedsCheckpointsAndATransactionTimeoutLongerThanTheirInterval() {
        Configuration conf = Configuration.fromMap(Map.of(
                "sink.kafka.results-topic", "results", "sink.kafka.bootstrap-servers", "127.0.0.1:9",
                "sink.kafka.transaction-timeout", "10 s"));

        assertThatThrownBy(() -> KafkaOutputs.from(conf, null))
                .hasMessageContaining("set execution.checkpointing.interval");
        assertThatThrownBy(() -> KafkaOutputs.from(conf, Duration.ofSeconds(10)))
                .hasMessage("Option sink.kafka.transaction-timeout (PT10S) must be longer than"
                        + " execution.checkpointing.interval (PT10S): a transaction stays open for at least one interval");
        assertThat(KafkaOutputs.from(conf, Duration.ofSeconds(3))).isPresent();
        assertThat(KafkaOutputs.from(new Configuration(), null)).isEmpty();
    }

    @Test
    void sinkBrokersDefaultToTheSourceBrokers() {
        Configuration conf = Configuration.fromMap(Map.of("source.kafka.bootstrap-servers", "127.0.0.1:9"));

        assertThat(conf.get(KafkaOptions.SINK_BOOTSTRAP_SERVERS)).isEqualTo("127.0.0.1:9");
        assertThat(List.of(KafkaOptions.SINK_RESULTS_TOPIC.key(), KafkaOptions.SINK_DEAD_LETTERS_TOPIC.key()))
                .allMatch(key -> key.startsWith("sink.kafka."));
    }

    private static void assertBuildFails(Map<String, String> options, String message) {
        Configuration conf = Configuration.fromMap(Map.of("output.dir", "/tmp/out"));
        options.forEach(conf::setString);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());

        assertThatThrownBy(() -> StageflowJob.build(env, conf))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageStartingWith(message);
    }
}
