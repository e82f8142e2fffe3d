package dev.stageflow.cli;

import dev.stageflow.config.StoreOptions;
import dev.stageflow.inference.RgbImage;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.Json;
import dev.stageflow.model.StageOutcome;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.stage.ImageEnhanceStage;
import dev.stageflow.stage.ImageGenerateStage;
import dev.stageflow.store.ArtifactKey;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.Codec;
import dev.stageflow.store.Hashing;
import dev.stageflow.store.StoreSettings;
import dev.stageflow.testing.TestResults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;

/**
 * A run's committed output written by the test instead of the job, for the command tests that need
 * no cluster: result rows whose images are real PNG artifacts in a file store, and dead letters.
 */
final class HandWrittenRuns {

    private HandWrittenRuns() {}

    /** A committed row of {@code promptId} with a {@code side}² generated and a 2·{@code side}² enhanced image. */
    static GenerationResult row(Path store, String promptId, String text, int side) {
        GenerationResult result = new GenerationResult();
        result.promptId = promptId;
        result.text = text;
        result.seed = 7;
        result.width = side;
        result.height = side;
        result.steps = 2;
        result.style = "natural";
        result.submittedAt = 1_700_000_000_000L;
        ArtifactRef generated = image(store, ImageGenerateStage.STAGE, ImageGenerateStage.IMAGE, promptId, side);
        ArtifactRef enhanced = image(store, ImageEnhanceStage.STAGE, ImageEnhanceStage.IMAGE, promptId, 2 * side);
        result.encode = new StageOutcome("text-encode", "encoder", "enc-v1", true, 3, new ArtifactRef[0]);
        result.generate = new StageOutcome(ImageGenerateStage.STAGE, "generator", "gen-v1", false, 40,
                new ArtifactRef[] {generated});
        result.enhance = new StageOutcome(ImageEnhanceStage.STAGE, "enhancer", "enh-v1", false, 9,
                new ArtifactRef[] {enhanced});
        result.image = enhanced;
        return result;
    }

    /** Writes {@code rows} and {@code deadLetters} as committed files of the output directory {@code out}. */
    static void write(Path out, List<GenerationResult> rows, List<DeadLetter> deadLetters) throws IOException {
        TestResults.writeResults(out, "results-0.jsonl", rows.stream().map(Json::write).toList());
        Path dir = Files.createDirectories(out.resolve(CommittedOutput.DEAD_LETTERS));
        Files.write(dir.resolve("dead-letters-0.jsonl"), deadLetters.stream().map(Json::write).toList());
    }

    /** Flips a byte of the artifact's only chunk, as a bad disk would. */
    static void corrupt(ArtifactRef ref) throws IOException {
        Path chunk = TestResults.directory(ref).resolve("image.png");
        byte[] bytes = Files.readAllBytes(chunk);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(chunk, bytes);
    }

    /** The SHA-256 of the artifact's only chunk as it is on disk now. */
    static String chunkSha256(ArtifactRef ref) throws IOException {
        return Hashing.sha256Hex(Files.readAllBytes(TestResults.directory(ref).resolve("image.png")));
    }

    /** Deletes the artifact's manifest, so that it is missing for a reader. */
    static void deleteManifest(ArtifactRef ref) throws IOException {
        Files.delete(TestResults.directory(ref).resolve("manifest.json"));
    }

    private static ArtifactRef image(Path store, String stage, String name, String promptId, int side) {
        float[] planes = new float[3 * side * side];
        Arrays.fill(planes, 0, side * side, 1f);
        byte[] png = new RgbImage(side, side, planes).toPng();
        Configuration conf = new Configuration();
        conf.set(StoreOptions.URI, store.toUri().toString());
        try (ArtifactStore writer = new ArtifactStore(StoreSettings.from(conf))) {
            return writer.put(ArtifactKey.of(stage, "test-v1", name, Map.of("promptId", promptId)), png, "image.png",
                    "image/png", Codec.NONE);
        }
    }
}
