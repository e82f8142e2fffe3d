package dev.stageflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.stageflow.config.EnhanceOptions;
import dev.stageflow.config.ModelOptions;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.Json;
import dev.stageflow.model.PromptRequest;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.store.ArtifactLocation;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.StoreSettings;
import dev.stageflow.stage.ImageGenerateStage;
import dev.stageflow.testing.GeneratorExports;
import dev.stageflow.testing.TestJobs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prompts a model stage fails on, every time, on real models and real artifacts, with restarts
 * switched off: each such prompt becomes exactly one dead letter naming the stage, the reason and
 * the attempts, every other prompt exactly one result, and the job finishes without a restart. A
 * corrupt artifact that can be generated again is repaired instead.
 */
class StageFailureITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster();

    @TempDir
    Path dir;

    @Test
    void promptsTheGeneratorFailsOnAreModelErrorsAndTheOthersAreGenerated() throws Exception {
        List<String> lines = new ArrayList<>(prompts("fits", 12, 64));
        List<String> tooWide = prompts("too wide", 3, 96);
        lines.addAll(tooWide);
        Configuration conf = job(lines, "fixed-shape");
        conf.set(ModelOptions.GENERATOR.model, GeneratorExports.fixedShape(dir.resolve("generator-64"), 64).toString());

        TestJobs.run(conf, "model-errors");

        assertThat(results("fixed-shape")).extracting(r -> r.promptId).containsExactlyInAnyOrderElementsOf(ids("fits", 12));
        assertThat(deadLetters("fixed-shape")).extracting(d -> d.promptId, d -> d.reason, d -> d.stage, d -> d.attempts)
                .containsExactlyInAnyOrderElementsOf(ids("too wide", 3).stream()
                        .map(id -> tuple(id, "MODEL_ERROR", ImageGenerateStage.STAGE, 3)).toList());
        assertThat(deadLetters("fixed-shape")).allSatisfy(deadLetter -> {
            assertThat(deadLetter.detail).contains("decoder", "Got invalid dimensions for input");
            assertThat(Json.read(deadLetter.raw, PromptRequest.class).width).isEqualTo(96);
        });
    }

    @Test
    void aCorruptGeneratedImageIsQuarantinedAndGeneratedAgain() throws Exception {
        List<String> lines = prompts("corrupt", 10, 64);
        TestJobs.run(job(lines, "first"), "corrupt-first");
        Path image = flipAByteOfTheGeneratedImage("first", "corrupt-4");

        TestJobs.run(enhancedDifferently(lines, "second"), "corrupt-second");

        List<GenerationResult> results = results("second");
        assertThat(results).extracting(r -> r.promptId).containsExactlyInAnyOrderElementsOf(ids("corrupt", 10));
        assertThat(deadLetters("second")).isEmpty();
        GenerationResult repaired = results.stream().filter(r -> r.promptId.equals("corrupt-4")).findFirst().orElseThrow();
        try (ArtifactStore store = new ArtifactStore(StoreSettings.from(job(lines, "check")))) {
            assertThat(store.read(repaired.generate.artifact(ImageGenerateStage.IMAGE))).isNotEmpty();
            assertThat(store.read(repaired.image)).isNotEmpty();
        }
        assertThat(quarantined()).singleElement().asString()
                .contains("_quarantine/image-generate/", image.getParent().getFileName().toString());
    }

    @Test
    void aRetrainedGeneratorClaimingTheOldVersionGetsItsOwnAndReusesNoArtifact() throws Exception {
        List<String> lines = prompts("replaced", 6, 64);
        TestJobs.run(job(lines, "first"), "replaced-first");

        Configuration second = job(lines, "second");
        second.set(ModelOptions.GENERATOR.model,
                GeneratorExports.retrainedUnderTheSameVersion(dir.resolve("generator-replaced")).toString());
        TestJobs.run(second, "replaced-second");

        String firstVersion = results("first").get(0).generate.modelVersion;
        assertThat(results("second")).extracting(r -> r.promptId).containsExactlyInAnyOrderElementsOf(ids("replaced", 6));
        assertThat(deadLetters("second")).isEmpty();
        assertThat(results("second")).allSatisfy(result -> {
            assertThat(result.generate.cacheHit).isFalse();
            assertThat(result.generate.modelVersion).isNotEqualTo(firstVersion);
        });
    }

    /** Flips one byte in the middle of the stored generated image of {@code promptId}; returns the chunk. */
    private Path flipAByteOfTheGeneratedImage(String run, String promptId) throws Exception {
        Path image = storedImage(run, promptId);
        byte[] bytes = Files.readAllBytes(image);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(image, bytes);
        return image;
    }

    /** The job over {@code lines} with another sharpening, so image-enhance must read every generated image. */
    private Configuration enhancedDifferently(List<String> lines, String name) throws Exception {
        Configuration conf = job(lines, name);
        conf.set(EnhanceOptions.SHARPEN_AMOUNT, 0.25);
        return conf;
    }

    private List<Path> quarantined() throws Exception {
        try (Stream<Path> files = Files.walk(dir.resolve("store").resolve(ArtifactLocation.QUARANTINE_DIR), ArtifactLocation.DEPTH + 1)) {
            return files.filter(path -> path.getFileName().toString().matches("[0-9a-f]{64}\\.[0-9]+")).toList();
        }
    }

    /** The job over {@code lines} with its own output, the shared store, and no restarts. */
    private Configuration job(List<String> lines, String name) throws Exception {
        Path prompts = dir.resolve(name + ".jsonl");
        Files.write(prompts, lines);
        Configuration conf = TestJobs.smallJob(dir.resolve("checkpoints-" + name));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(SourceOptions.PROMPTS, prompts.toUri().toString());
        conf.set(SinkOptions.OUTPUT_DIR, dir.resolve("out-" + name).toUri().toString());
        conf.set(StoreOptions.URI, dir.resolve("store").toUri().toString());
        return conf;
    }

    private List<GenerationResult> results(String name) {
        return CommittedOutput.results(TestJobs.flinkPath(dir.resolve("out-" + name)));
    }

    private List<DeadLetter> deadLetters(String name) {
        return CommittedOutput.deadLetters(TestJobs.flinkPath(dir.resolve("out-" + name)));
    }

    /** The single chunk of the generated image of {@code promptId}, found through its committed result. */
    private Path storedImage(String run, String promptId) {
        GenerationResult result = results(run).stream().filter(r -> r.promptId.equals(promptId)).findFirst().orElseThrow();
        Path artifact = Path.of(URI.create(result.generate.artifact(ImageGenerateStage.IMAGE).uri));
        return artifact.resolve("image.png");
    }

    private static List<String> prompts(String label, int count, int width) {
        return IntStream.range(0, count)
                .mapToObj(i -> String.format("{\"promptId\": \"%s-%d\", \"text\": \"%s prompt %d\", \"width\": %d}",
                        label.replace(' ', '-'), i, label, i, width))
                .toList();
    }

    private static List<String> ids(String label, int count) {
        return IntStream.range(0, count).mapToObj(i -> label.replace(' ', '-') + "-" + i).toList();
    }
}
