package dev.stageflow.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.model.PromptRecord;
import dev.stageflow.store.ArtifactLocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
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
        try (var harness = ModelStageSnapshotTest.generateHarness(
                ModelStageSnapshotTest.storeSettings(store), Duration.ofMillis(100))) {
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
}
