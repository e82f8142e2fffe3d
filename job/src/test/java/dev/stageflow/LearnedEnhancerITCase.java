package dev.stageflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.EnhanceOptions;
import dev.stageflow.config.ModelOptions;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.inference.ImageEnhancer;
import dev.stageflow.inference.ModelKind;
import dev.stageflow.inference.RgbImage;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.StoreSettings;
import dev.stageflow.testing.TestJobs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job with {@code --enhancer.model esrgan-slim-x2} on a MiniCluster: every prompt's final
 * image is the learned model's, twice the generated size, keyed by the model's version; a second
 * run over the same store is all cache hits with the same artifacts (same bytes); the classical
 * enhancer on the same store computes its own images rather than reusing the learned ones.
 */
class LearnedEnhancerITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster();

    private static final List<String> PROMPTS = List.of(
            "{\"text\": \"a lighthouse on a rocky coast at dawn\"}",
            "{\"text\": \"a red fox sleeping in fresh snow\", \"seed\": 7, \"style\": \"vivid\"}",
            "{\"text\": \"a bowl of ramen\", \"width\": 96, \"height\": 64, \"style\": \"mono\"}",
            "{\"text\": \"a koi pond, top-down\", \"width\": 64, \"height\": 128}");

    @TempDir
    static Path dir;

    @Test
    void runsEndToEndWithTheLearnedModelAndHitsTheCacheOnASecondRun() throws Exception {
        Path input = dir.resolve("prompts.jsonl");
        Files.write(input, PROMPTS);
        String version;
        try (ImageEnhancer enhancer = ModelKind.IMAGE_ENHANCER.create(learned(), 1)) {
            version = enhancer.version();
        }

        List<GenerationResult> first = run(input, "first", learned());

        assertThat(first).extracting(r -> r.promptId)
                .containsExactlyInAnyOrderElementsOf(TestJobs.validPromptIds(PROMPTS, TestJobs.smallJob(dir)));
        ArtifactStore store = new ArtifactStore(StoreSettings.from(storeConf()));
        assertThat(first).allSatisfy(r -> {
            assertThat(r.enhance.cacheHit).isFalse();
            assertThat(r.enhance.model).isEqualTo("esrgan-slim-x2");
            assertThat(r.enhance.modelVersion).isEqualTo(version).startsWith("esrgan-slim-x2-");
            RgbImage image = RgbImage.fromPng(store.read(r.image));
            assertThat(image.width()).isEqualTo(2 * r.width);
            assertThat(image.height()).isEqualTo(2 * r.height);
        });

        List<GenerationResult> second = run(input, "second", learned());

        assertThat(second).allSatisfy(r -> assertThat(r.enhance.cacheHit).isTrue());
        assertThat(images(second)).isEqualTo(images(first));

        Configuration classical = new Configuration();
        classical.set(ModelOptions.ENHANCER.model, EnhanceOptions.CLASSICAL);
        List<GenerationResult> third = run(input, "classical", classical);

        assertThat(third).allSatisfy(r -> {
            assertThat(r.generate.cacheHit).isTrue();
            assertThat(r.enhance.cacheHit).isFalse();
            assertThat(r.enhance.model).isEqualTo("classical");
        });
        assertThat(images(third).values()).doesNotContainAnyElementsOf(images(first).values());
    }

    private static Configuration learned() {
        Configuration conf = new Configuration();
        conf.set(ModelOptions.ENHANCER.model, "esrgan-slim-x2");
        return conf;
    }

    /** Runs the job with {@code options} on top of a small job's. */
    private static List<GenerationResult> run(Path input, String name, Configuration options) throws Exception {
        Path out = dir.resolve("out-" + name);
        Configuration conf = TestJobs.smallJob(dir.resolve("checkpoints-" + name));
        conf.addAll(options);
        conf.set(SourceOptions.PROMPTS, input.toUri().toString());
        conf.set(SinkOptions.OUTPUT_DIR, out.toUri().toString());
        conf.addAll(storeConf());
        TestJobs.run(conf, "learned-enhancer-" + name);
        return CommittedOutput.results(TestJobs.flinkPath(out));
    }

    private static Configuration storeConf() {
        Configuration conf = new Configuration();
        conf.set(StoreOptions.URI, dir.resolve("store").toUri().toString());
        return conf;
    }

    /** Each prompt's final image: its URI and SHA-256. */
    private static Map<String, String> images(List<GenerationResult> results) {
        return results.stream().collect(Collectors.toMap(r -> r.promptId, r -> imageOf(r.image)));
    }

    private static String imageOf(ArtifactRef ref) {
        return ref.uri + "@" + ref.sha256;
    }
}
