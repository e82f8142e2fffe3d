package dev.stageflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.ModelOptions;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.inference.ModelKind;
import dev.stageflow.inference.RgbImage;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.Style;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.Hashing;
import dev.stageflow.store.StoreSettings;
import dev.stageflow.testing.TestJobs;
import dev.stageflow.testing.TestPrompts;
import dev.stageflow.testing.families.PosterizeEnhancer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model family that stageflow does not have, from a jar of its own (here the test classpath),
 * selected by options alone: the whole job runs it in the enhance stage, with its own option, and its
 * version keys the artifacts.
 */
class ModelFamiliesITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster();

    @TempDir
    Path dir;

    @Test
    void aFamilyOnTheClasspathRunsInTheJobWithItsOwnOptions() throws Exception {
        List<String> prompts = TestPrompts.valid("plugin", 6);
        Path input = Files.write(dir.resolve("prompts.jsonl"), prompts);
        Configuration conf = TestJobs.smallJob(dir.resolve("checkpoints"));
        conf.set(SourceOptions.PROMPTS, input.toUri().toString());
        conf.set(SinkOptions.OUTPUT_DIR, dir.resolve("out").toUri().toString());
        conf.set(StoreOptions.URI, dir.resolve("store").toUri().toString());
        conf.set(ModelOptions.ENHANCER.family, PosterizeEnhancer.FAMILY);
        conf.setString("enhancer.options.levels", "3");
        TestJobs.run(conf, "model-families");

        List<GenerationResult> results = CommittedOutput.results(TestJobs.flinkPath(dir.resolve("out")));
        assertThat(results).extracting(r -> r.promptId)
                .containsExactlyInAnyOrderElementsOf(TestJobs.validPromptIds(prompts, conf));
        ArtifactStore store = new ArtifactStore(StoreSettings.from(conf));
        for (GenerationResult result : results) {
            assertThat(result.enhance.model).isEqualTo(PosterizeEnhancer.FAMILY);
            assertThat(result.enhance.modelVersion).isEqualTo("test-posterize-v1-l3");
            assertThat(result.image.uri).contains("/image-enhance/test-posterize-v1-l3/");
            RgbImage generated = RgbImage.fromPng(store.read(result.generate.artifact("image")));
            byte[] expected = ModelKind.IMAGE_ENHANCER.create(ModelKind.IMAGE_ENHANCER.resolve(conf, 1))
                    .enhance(generated, Style.NATURAL).toPng();
            assertThat(result.image.sha256).as(result.promptId).isEqualTo(Hashing.sha256Hex(expected));
        }
    }
}
