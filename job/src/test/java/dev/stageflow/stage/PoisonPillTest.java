package dev.stageflow.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.ModelOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.PromptRecord;
import dev.stageflow.store.ArtifactLocation;
import dev.stageflow.store.StoreSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
 * A prompt that kills its TaskManager: the call ledgers that earlier attempts of the job left in
 * the store (as a process that dies in a call leaves them: written, never deleted) are what a new
 * attempt of image-generate finds when it opens. The prompt in three such calls is given up as a
 * POISON_PILL without another call; its batch-mate of the first crash runs alone and is generated;
 * a new prompt is generated as usual; and an attempt that ends normally leaves no record.
 */
class PoisonPillTest {

    @TempDir
    Path store;

    @Test
    void aPromptInThreeCrashedCallsIsGivenUpAndItsBatchMateRunsAlone() throws Exception {
        org.apache.flink.core.fs.Path root = new org.apache.flink.core.fs.Path(store.toUri());
        new CallLedger(root, ImageGenerateStage.STAGE, "crashed-job.0", "0-a").calling(List.of("poison", "mate"));
        new CallLedger(root, ImageGenerateStage.STAGE, "crashed-job.1", "0-b").calling(List.of("poison"));
        new CallLedger(root, ImageGenerateStage.STAGE, "crashed-job.2", "1-c").calling(List.of("poison"));
        assertThat(new CallLedger(root, ImageGenerateStage.STAGE, "next-job.0", "0-d").crashes())
                .isEqualTo(Map.of("poison", 3, "mate", 1));

        List<PromptRecord> records;
        try (var harness = generateHarness()) {
            harness.open();
            synchronized (harness.getCheckpointLock()) {
                for (String id : List.of("poison", "mate", "fresh")) {
                    harness.processElement(new StreamRecord<>(ModelStageSnapshotTest.encoded(id)));
                }
                harness.endInput();
            }
            records = harness.extractOutputValues();
        }

        assertThat(records).filteredOn(r -> r.request.promptId.equals("poison")).singleElement().satisfies(r -> {
            assertThat(r.generate).isNull();
            assertThat(r.failure.reason).isEqualTo("POISON_PILL");
            assertThat(r.failure.attempts).isEqualTo(3);
            assertThat(r.failure.message).isEqualTo("a process died in each of the 3 image-generate calls this prompt was in");
        });
        assertThat(records).filteredOn(r -> r.request.promptId.equals("mate")).singleElement()
                .satisfies(r -> assertThat(r.generate.attempts).isEqualTo(2));
        assertThat(records).filteredOn(r -> r.request.promptId.equals("fresh")).singleElement()
                .satisfies(r -> assertThat(r.generate.attempts).isEqualTo(1));
        try (Stream<Path> files = Files.list(store.resolve(ArtifactLocation.CALLS_DIR).resolve(ImageGenerateStage.STAGE))) {
            assertThat(files.map(file -> file.getFileName().toString()))
                    .as("only the records of the crashed attempts remain").hasSize(3)
                    .allMatch(name -> name.startsWith("crashed-job."));
        }
    }

    private OneInputStreamOperatorTestHarness<PromptRecord, PromptRecord> generateHarness() throws Exception {
        Configuration conf = new Configuration();
        conf.set(StoreOptions.URI, store.toUri().toString());
        BatchSettings batch = new BatchSettings(4, Duration.ofMillis(100), -1, 1, 64, Duration.ofMinutes(1), 3,
                Duration.ofSeconds(10));
        ImageGenerateStage stage = new ImageGenerateStage(batch, ModelOptions.BUILTIN, StoreSettings.from(conf));
        return new OneInputStreamOperatorTestHarness<>(new AsyncWaitOperatorFactory<>(stage, 60_000, 64,
                OutputMode.UNORDERED), TypeInformation.of(PromptRecord.class).createSerializer(new SerializerConfigImpl()));
    }
}
