package dev.stageflow.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.ModelOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.inference.ModelKind;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.DeadLetterReason;
import dev.stageflow.model.PromptRecord;
import dev.stageflow.model.PromptRequest;
import dev.stageflow.model.StageFailure;
import dev.stageflow.model.StageOutcome;
import dev.stageflow.redis.CacheSettings;
import dev.stageflow.store.StoreSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.datastream.AsyncDataStream.OutputMode;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model stage's only state is what Flink's async operator checkpoints: the requests still in
 * flight, here still waiting in the dynamic batcher for their batch to fill. They must be in the
 * snapshot, and a fresh operator restored from it must compute them without new input, giving up
 * on a prompt the model fails on without failing the others.
 */
class ModelStageSnapshotTest {

    private static final TypeSerializer<PromptRequest> REQUESTS =
            TypeInformation.of(PromptRequest.class).createSerializer(new SerializerConfigImpl());

    /** Text encoding on the built-in model; batches wait up to {@code maxWait} to fill up to 16. */
    private OneInputStreamOperatorTestHarness<PromptRequest, PromptRecord> harness(Duration maxWait)
            throws Exception {
        BatchSettings batch = new BatchSettings(16, maxWait, -1, 1, 64, Duration.ofMinutes(1), 3, Duration.ofSeconds(10));
        Configuration encoder = new Configuration();
        encoder.set(ModelOptions.ENCODER_MAX_TOKENS, 64);
        TextEncodeStage stage = new TextEncodeStage(batch, ModelKind.TEXT_ENCODER.resolve(encoder, batch.threads),
                CacheSettings.from(new Configuration()), storeSettings());
        return new OneInputStreamOperatorTestHarness<>(
                new AsyncWaitOperatorFactory<>(stage, 60_000, 64, OutputMode.UNORDERED), REQUESTS);
    }

    private static final TypeSerializer<PromptRecord> RECORDS =
            TypeInformation.of(PromptRecord.class).createSerializer(new SerializerConfigImpl());

    @TempDir
    Path store;

    private StoreSettings storeSettings() {
        return storeSettings(store);
    }

    /** The store at {@code root}, a local directory. */
    static StoreSettings storeSettings(Path root) {
        Configuration conf = new Configuration();
        conf.set(StoreOptions.URI, root.toUri().toString());
        return StoreSettings.from(conf);
    }

    private OneInputStreamOperatorTestHarness<PromptRecord, PromptRecord> generateHarness(Duration maxWait)
            throws Exception {
        return generateHarness(storeSettings(), maxWait);
    }

    /** Image generation on the built-in model into {@code store}; batches of up to 4, waiting {@code maxWait} to fill. */
    static OneInputStreamOperatorTestHarness<PromptRecord, PromptRecord> generateHarness(
            StoreSettings store, Duration maxWait) throws Exception {
        BatchSettings batch = new BatchSettings(4, maxWait, -1, 1, 64, Duration.ofMinutes(1), 3, Duration.ofSeconds(10));
        ImageGenerateStage stage = new ImageGenerateStage(batch,
                ModelKind.IMAGE_GENERATOR.resolve(new Configuration(), batch.threads), store);
        return new OneInputStreamOperatorTestHarness<>(
                new AsyncWaitOperatorFactory<>(stage, 60_000, 64, OutputMode.UNORDERED), RECORDS);
    }

    static PromptRecord encoded(String id) {
        float[] embedding = new float[384];
        for (int i = 0; i < embedding.length; i++) {
            embedding[i] = (float) Math.sin(i + id.hashCode());
        }
        return new PromptRecord(prompt(id), embedding,
                new StageOutcome(TextEncodeStage.STAGE, "test", "test", false, 0, new ArtifactRef[0]));
    }

    private static PromptRequest prompt(String id) {
        return new PromptRequest(id, "text of " + id, 1, 64, 64, 2, "natural", 0);
    }

    @Test
    void requestsWaitingInTheBatcherAreSnapshottedAndComputedAfterRestore() throws Exception {
        OperatorSubtaskState snapshot = snapshotWhileQueued(harness(Duration.ofSeconds(10)),
                List.of(prompt("a"), prompt("b"), prompt("c")));

        List<PromptRecord> records = restoreAndDrain(harness(Duration.ZERO), snapshot, List.of());

        assertThat(records).extracting(r -> r.request.promptId).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(records).allSatisfy(r -> assertThat(r.embedding).hasSize(384));
    }

    @Test
    void encodedPromptsWaitingForImageGenerationSurviveRestoreAndAreGenerated() throws Exception {
        OperatorSubtaskState snapshot = snapshotWhileQueued(generateHarness(Duration.ofSeconds(10)),
                List.of(encoded("x"), encoded("y")));

        List<PromptRecord> records = restoreAndDrain(generateHarness(Duration.ZERO), snapshot, List.of());

        assertThat(records).extracting(r -> r.request.promptId).containsExactlyInAnyOrder("x", "y");
        assertThat(records).allSatisfy(r -> {
            assertThat(r.embedding).isEqualTo(encoded(r.request.promptId).embedding);
            assertThat(r.generate.artifacts).extracting(a -> a.name).containsExactly("latent", "image");
        });
    }

    @Test
    void aPromptTheGeneratorFailsOnIsGivenUpAfterRestoreAndAFailedRecordPassesUntouched() throws Exception {
        PromptRecord broken = encoded("broken");
        broken.embedding = new float[10];
        PromptRecord failedEarlier = encoded("failed-earlier").withFailure(
                new StageFailure(TextEncodeStage.STAGE, DeadLetterReason.MODEL_ERROR, 3, "the encoder failed"));
        OperatorSubtaskState snapshot = snapshotWhileQueued(generateHarness(Duration.ofSeconds(10)),
                List.of(encoded("fine"), broken));

        List<PromptRecord> records = restoreAndDrain(generateHarness(Duration.ZERO), snapshot, List.of(failedEarlier));

        assertThat(records).extracting(r -> r.request.promptId)
                .containsExactlyInAnyOrder("fine", "broken", "failed-earlier");
        assertThat(records).filteredOn(r -> r.request.promptId.equals("failed-earlier")).singleElement()
                .isEqualTo(failedEarlier);
        assertThat(records).filteredOn(r -> r.request.promptId.equals("fine")).singleElement()
                .satisfies(r -> assertThat(r.isFailed()).isFalse())
                .satisfies(r -> assertThat(r.generate.attempts).as("2 when it shared the failing call").isBetween(1, 2));
        assertThat(records).filteredOn(r -> r.request.promptId.equals("broken")).singleElement()
                .satisfies(r -> {
                    assertThat(r.generate).isNull();
                    assertThat(r.failure.stage).isEqualTo(ImageGenerateStage.STAGE);
                    assertThat(r.failure.reason).isEqualTo("MODEL_ERROR");
                    assertThat(r.failure.attempts).isEqualTo(3);
                    assertThat(r.failure.message).contains("Embedding has 10");
                });
    }

    /** Opens {@code before}, gives it {@code inputs} and snapshots it while they wait for their batch to fill. */
    private static <IN> OperatorSubtaskState snapshotWhileQueued(
            OneInputStreamOperatorTestHarness<IN, PromptRecord> before, List<IN> inputs) throws Exception {
        try (before) {
            before.open();
            OperatorSubtaskState snapshot;
            synchronized (before.getCheckpointLock()) {
                for (IN input : inputs) {
                    before.processElement(new StreamRecord<>(input));
                }
                snapshot = before.snapshot(1L, 1L);
            }
            assertThat(before.extractOutputValues()).as("nothing emitted while the batch is filling").isEmpty();
            return snapshot;
        }
    }

    /** Restores {@code after} from {@code snapshot}, gives it {@code more}, ends its input and returns all it emitted. */
    private static <IN> List<PromptRecord> restoreAndDrain(
            OneInputStreamOperatorTestHarness<IN, PromptRecord> after, OperatorSubtaskState snapshot, List<IN> more)
            throws Exception {
        try (after) {
            after.initializeState(snapshot);
            after.open();
            synchronized (after.getCheckpointLock()) {
                for (IN input : more) {
                    after.processElement(new StreamRecord<>(input));
                }
                after.endInput();
            }
            return after.extractOutputValues();
        }
    }
}
