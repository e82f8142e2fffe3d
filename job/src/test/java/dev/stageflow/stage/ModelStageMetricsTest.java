package dev.stageflow.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.inference.ModelKind;
import dev.stageflow.model.PromptRecord;
import dev.stageflow.store.StoreSettings;
import dev.stageflow.testing.RecordedMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.AsyncDataStream.OutputMode;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What image-generate reports of its work, read as a reporter reads it: prompts finished with their
 * latency, inputs computed, the model loaded, the stored bytes written, and on a second run over
 * the same store the artifacts reused instead, with no model loaded.
 */
class ModelStageMetricsTest {

    private static final String STAGE = "stage." + ImageGenerateStage.STAGE + ".";
    private static final List<String> IDS = List.of("m1", "m2", "m3");

    @TempDir
    Path store;

    @Test
    void countsPromptsLatencyModelWorkAndStoreBytesAndOnASecondRunTheReusedArtifacts() throws Exception {
        StoreSettings settings = ModelStageSnapshotTest.storeSettings(store);
        String storeGroup = STAGE + "store." + BatchingStage.storeLabel(settings.root) + ".";

        RecordedMetrics first = new RecordedMetrics();
        List<PromptRecord> generated = generate(settings, first);

        assertThat(first.histogramCount(STAGE + "latencyMillis")).isEqualTo(IDS.size());
        assertThat(first.gauge(STAGE + "inFlight")).isEqualTo(0);
        assertThat(first.counter(STAGE + "modelInputs")).isEqualTo(IDS.size());
        assertThat(first.counter(STAGE + "modelLoads")).as("loaded at the first miss").isEqualTo(1);
        assertThat(first.counter(STAGE + "cacheMisses")).isEqualTo(IDS.size());
        assertThat(first.counter(STAGE + "computeMillisTotal")).isPositive();
        assertThat(first.counter(storeGroup + "bytesWritten")).isEqualTo(generated.stream()
                .flatMap(r -> Stream.of(r.generate.artifacts)).mapToLong(ref -> ref.storedSize).sum());
        assertThat(first.counter(storeGroup + "artifactsReused")).isZero();

        RecordedMetrics second = new RecordedMetrics();
        generate(settings, second);

        assertThat(second.counter(STAGE + "cacheHits")).isEqualTo(IDS.size());
        assertThat(second.counter(STAGE + "modelInputs")).isZero();
        assertThat(second.counter(STAGE + "modelLoads")).as("every prompt a hit: the model is never loaded").isZero();
        assertThat(second.counter(storeGroup + "bytesWritten")).isZero();
        assertThat(second.counter(storeGroup + "artifactsReused")).as("a latent and an image each").isEqualTo(2L * IDS.size());
    }

    /** Image generation of {@link #IDS} into {@code settings}' store, its metrics recorded in {@code metrics}. */
    private static List<PromptRecord> generate(StoreSettings settings, RecordedMetrics metrics) throws Exception {
        BatchSettings batch = new BatchSettings(4, Duration.ofMillis(50), -1, 1, 64, Duration.ofMinutes(1), 3, Duration.ofSeconds(10));
        try (OneInputStreamOperatorTestHarness<PromptRecord, PromptRecord> harness = new OneInputStreamOperatorTestHarness<>(
                new AsyncWaitOperatorFactory<>(new ImageGenerateStage(batch, ModelKind.IMAGE_GENERATOR.resolve(new Configuration(), 1), settings), 60_000, 64,
                        OutputMode.UNORDERED),
                TypeInformation.of(PromptRecord.class).createSerializer(new SerializerConfigImpl()),
                metrics.environment())) {
            harness.open();
            synchronized (harness.getCheckpointLock()) {
                for (String id : IDS) {
                    harness.processElement(new StreamRecord<>(ModelStageSnapshotTest.encoded(id)));
                }
                harness.endInput();
            }
            return harness.extractOutputValues();
        }
    }
}
