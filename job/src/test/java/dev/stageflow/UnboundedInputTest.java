package dev.stageflow;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job whose input never ends refuses to be built without checkpoints: its exactly-once sinks
 * commit only when a checkpoint completes, so it would run and never commit anything.
 */
class UnboundedInputTest {

    @TempDir
    Path dir;

    @Test
    void kafkaInputNeedsCheckpoints() {
        Map<String, String> kafka = Map.of("source.kafka.topics", "prompts", "source.kafka.bootstrap-servers", "127.0.0.1:9");

        assertThatThrownBy(() -> build(kafka, false))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage("Option execution.checkpointing.interval is required with source.kafka.topics (Kafka topics"
                        + " are read until the job is stopped): results, dead letters and Kafka output are committed only"
                        + " when a checkpoint completes (exactly-once sinks), so without checkpoints nothing would ever"
                        + " be committed");
        assertThatCode(() -> build(kafka, true)).doesNotThrowAnyException();
    }

    @Test
    void followedFilesNeedCheckpoints() {
        Map<String, String> followed = Map.of("source.prompts", dir.toUri().toString(), "source.follow", "true");

        assertThatThrownBy(() -> build(followed, false))
                .hasMessageStartingWith("Option execution.checkpointing.interval is required with source.follow (files"
                        + " are followed until the job is stopped)");
        assertThatCode(() -> build(followed, true)).doesNotThrowAnyException();
    }

    @Test
    void filesReadOnceNeedNone() {
        assertThatCode(() -> build(Map.of("source.prompts", dir.toUri().toString()), false)).doesNotThrowAnyException();
    }

    private void build(Map<String, String> input, boolean checkpoints) {
        Configuration conf = Configuration.fromMap(input);
        conf.setString("output.dir", dir.resolve("out").toUri().toString());
        conf.setString("store.uri", dir.resolve("store").toUri().toString());
        if (checkpoints) {
            conf.setString("execution.checkpointing.interval", "1 s");
        }
        StageflowJob.build(StreamExecutionEnvironment.getExecutionEnvironment(conf), conf);
    }
}
