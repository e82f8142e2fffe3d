package dev.stageflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.stageflow.config.CacheOptions;
import dev.stageflow.config.ModelOptions;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.inference.RgbImage;
import dev.stageflow.inference.sd.SdPipelineFiles;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.PromptRecord;
import dev.stageflow.redis.CacheSettings;
import dev.stageflow.redis.EmbeddingCache;
import dev.stageflow.servers.RedisServer;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.stage.ImageGenerateStage;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.Npy;
import dev.stageflow.store.StoreSettings;
import dev.stageflow.testing.TestJobs;
import dev.stageflow.testing.TestPrompts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The whole job with {@code generator.family: sd-onnx} on the tiny Stable Diffusion pipeline the
 * build tools write, with a real Redis and a file store: each valid prompt committed exactly once
 * with a latent {@code .npy} of [4, h/8, w/8] and an image; the 77 × hidden embeddings of texts and
 * negative texts cached in Redis; a second run all cache hits with the same artifacts.
 */
class SdPipelineITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster();

    private static final Path TINY = TestPrompts.projectFile("examples/models/sd-tiny");
    private static final int HIDDEN = 32;

    private static final List<String> VALID = List.of(
            "{\"promptId\": \"cat\", \"text\": \"a photo of a cat\", \"seed\": 1}",
            "{\"promptId\": \"cat-negative\", \"text\": \"a photo of a cat\", \"negativeText\": \"a dog\", \"seed\": 1}",
            "{\"promptId\": \"cat-turbo\", \"text\": \"a photo of a cat\", \"guidance\": 0, \"seed\": 1}",
            "{\"promptId\": \"fox\", \"text\": \"a red fox in the snow\", \"negativeText\": \"blurry\", \"seed\": 2}",
            "{\"promptId\": \"fox-wide\", \"text\": \"a red fox in the snow\", \"width\": 96, \"height\": 32}",
            "{\"promptId\": \"coast\", \"text\": \"a lighthouse on the coast at night\", \"steps\": 3}",
            "{\"promptId\": \"city\", \"text\": \"a city street in the rain\", \"guidance\": 2.5}");
    private static final String INVALID = "{\"promptId\": \"bad\", \"text\": \"x\", \"guidance\": 1000}";

    @TempDir
    static Path dir;

    private static RedisServer redis;
    private static Path input;

    @BeforeAll
    static void startRedisAndWriteInput() throws Exception {
        redis = RedisServer.start(dir.resolve("redis"));
        input = dir.resolve("prompts.jsonl");
        Files.write(input, Stream.concat(VALID.stream(), Stream.of(INVALID, VALID.get(0))).toList());
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Test
    void generatesEachPromptOnceCachesEmbeddingsAndReusesEverythingOnASecondRun() throws Exception {
        Path firstOut = dir.resolve("out-1");
        TestJobs.run(job(firstOut, "first"), "sd-first");

        List<GenerationResult> results = CommittedOutput.results(TestJobs.flinkPath(firstOut));
        assertThat(results).extracting(r -> r.promptId).containsExactlyInAnyOrder(
                "cat", "cat-negative", "cat-turbo", "fox", "fox-wide", "coast", "city");
        assertThat(CommittedOutput.deadLetters(TestJobs.flinkPath(firstOut))).extracting(d -> d.raw, d -> d.reason)
                .containsExactly(tuple(INVALID, "OUT_OF_RANGE"));
        assertThat(results).allSatisfy(r -> {
            assertThat(r.encode.model).isEqualTo("sd-tiny");
            assertThat(r.generate.modelVersion).matches("sd-tiny-[0-9a-f]{12}");
            assertThat(r.generate.cacheHit).as(r.promptId).isFalse();
        });
        assertArtifacts(results);
        assertEmbeddingsInRedis(results.get(0).encode.modelVersion,
                List.of("a photo of a cat", "a dog", "", "a red fox in the snow", "blurry"));
        Map<String, String> images = imageHashes(results);
        assertThat(images.get("cat")).as("negative text changes the image").isNotEqualTo(images.get("cat-negative"))
                .as("guidance changes the image").isNotEqualTo(images.get("cat-turbo"));

        Path secondOut = dir.resolve("out-2");
        TestJobs.run(job(secondOut, "second"), "sd-second");
        List<GenerationResult> again = CommittedOutput.results(TestJobs.flinkPath(secondOut));
        assertThat(again).hasSameSizeAs(results);
        assertThat(again).allSatisfy(r -> assertThat(List.of(r.encode.cacheHit, r.generate.cacheHit, r.enhance.cacheHit))
                .as(r.promptId).containsOnly(true));
        assertThat(artifactsById(again)).isEqualTo(artifactsById(results));
    }

    @Test
    void refusesAnSdModelDirectoryThatDoesNotFitWhenTheJobIsBuilt() throws Exception {
        Path broken = dir.resolve("broken");
        Files.createDirectories(broken);
        Files.copy(TINY.resolve("model_index.json"), broken.resolve("model_index.json"));
        Configuration conf = job(dir.resolve("out-broken"), "broken");
        conf.set(ModelOptions.GENERATOR.model, broken.toString());
        assertThatThrownBy(() -> TestJobs.run(conf, "sd-broken"))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("generator.model").hasMessageContaining("has no tokenizer/vocab.json");
    }

    private static Configuration job(Path out, String name) {
        Configuration conf = TestJobs.smallJob(dir.resolve("checkpoints-" + name));
        conf.set(SourceOptions.PROMPTS, input.toUri().toString());
        conf.set(SinkOptions.OUTPUT_DIR, out.toUri().toString());
        conf.set(StoreOptions.URI, dir.resolve("store").toUri().toString());
        conf.set(CacheOptions.REDIS_URI, redis.uri().toString());
        conf.set(ModelOptions.GENERATOR.family, SdPipelineFiles.FAMILY);
        conf.set(ModelOptions.GENERATOR.model, TINY.toString());
        return conf;
    }

    private static void assertArtifacts(List<GenerationResult> results) {
        Configuration storeConf = new Configuration();
        storeConf.set(StoreOptions.URI, dir.resolve("store").toUri().toString());
        try (ArtifactStore store = new ArtifactStore(StoreSettings.from(storeConf))) {
            for (GenerationResult result : results) {
                // 77 x 32 floats are 9.6 KiB, above store.embedding.inline-max: both travelled as claim checks.
                assertThat(result.encode.artifacts).extracting(a -> a.name).as(result.promptId)
                        .containsExactly(PromptRecord.EMBEDDING, PromptRecord.NEGATIVE_EMBEDDING);
                for (ArtifactRef embedding : result.encode.artifacts) {
                    assertThat(store.read(embedding)).hasSize(77 * HIDDEN * Float.BYTES);
                }
                Npy.NpyArray latent = Npy.read(store.read(result.generate.artifact(ImageGenerateStage.LATENT)));
                assertThat(latent.shape()).as(result.promptId).containsExactly(4, result.height / 8, result.width / 8);
                RgbImage generated = RgbImage.fromPng(store.read(result.generate.artifact(ImageGenerateStage.IMAGE)));
                assertThat(generated.width()).isEqualTo(result.width);
                assertThat(generated.height()).isEqualTo(result.height);
                RgbImage enhanced = RgbImage.fromPng(store.read(result.image));
                assertThat(enhanced.width()).isEqualTo(2 * result.width);
            }
        }
    }

    /** Each distinct text and negative text has its [77, hidden] embedding in Redis, little-endian floats. */
    private static void assertEmbeddingsInRedis(String encoderVersion, List<String> texts) {
        try (EmbeddingCache keys = new EmbeddingCache(CacheSettings.from(new Configuration()), encoderVersion, 77 * HIDDEN);
                Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            for (String text : texts) {
                byte[] value = jedis.get(keys.keyOf(text).getBytes(StandardCharsets.UTF_8));
                assertThat(value).as("embedding of '%s'", text).hasSize(77 * HIDDEN * Float.BYTES);
            }
        }
    }

    private static Map<String, String> imageHashes(List<GenerationResult> results) {
        return results.stream().collect(Collectors.toMap(r -> r.promptId,
                r -> r.generate.artifact(ImageGenerateStage.IMAGE).sha256));
    }

    private static Map<String, List<ArtifactRef>> artifactsById(List<GenerationResult> results) {
        return results.stream().collect(Collectors.toMap(r -> r.promptId, TestJobs::artifacts));
    }
}
