package dev.stageflow.stage;

import dev.stageflow.benchmarks.BenchmarkBase;
import dev.stageflow.benchmarks.Fixtures;
import dev.stageflow.config.ModelOptions;
import dev.stageflow.config.RequestOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.inference.ClassicalEnhancer;
import dev.stageflow.inference.EnhanceSettings;
import dev.stageflow.inference.MiniLmTextEncoder;
import dev.stageflow.inference.ModelKind;
import dev.stageflow.inference.ModelSpec;
import dev.stageflow.inference.OnnxImageGenerator;
import dev.stageflow.model.PromptRecord;
import dev.stageflow.model.PromptRequest;
import dev.stageflow.model.Style;
import dev.stageflow.redis.CacheSettings;
import dev.stageflow.redis.EmbeddingCache;
import dev.stageflow.store.ArtifactKey;
import dev.stageflow.store.Hashing;
import dev.stageflow.store.StoreSettings;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The content keys a prompt gets on its way, each as its stage derives it: its id and seed
 * (parse-validate, for a prompt without them), the dedupe fingerprint, the embedding cache's Redis
 * key (text-encode), the latent's and the image's keys from the embedding's bits and the request's
 * parameters (image-generate), the enhanced image's key from its source's hash and the style
 * (image-enhance). All of them are SHA-256 of a canonical string; image-generate's also hashes the
 * 384-float embedding (1.5 KB). A default request: 128², the default steps and style.
 */
public class KeyDerivationBenchmark extends BenchmarkBase {

    /** The prompt as parse-validate makes it: a derived id and seed, defaults for the rest. */
    @State(Scope.Thread)
    public static class Prompt {
        PromptRequest request;
        Style style;
        int steps;

        @Setup
        public void setUp() {
            Configuration defaults = new Configuration();
            style = Style.parse(defaults.get(RequestOptions.DEFAULT_STYLE)).orElseThrow();
            steps = defaults.get(RequestOptions.DEFAULT_STEPS);
            int side = defaults.get(RequestOptions.DEFAULT_WIDTH);
            String promptId = PromptParser.derivePromptId(Fixtures.PROMPT, side, side, steps, style, null);
            request = new PromptRequest(promptId, Fixtures.PROMPT, PromptParser.deriveSeed(promptId), side, side, steps,
                    style.id(), 0L);
        }
    }

    /** The text-encode stage's cache, in-JVM tier only, keyed by the built-in encoder's version. */
    @State(Scope.Thread)
    public static class EncodeStage {
        EmbeddingCache cache;

        @Setup
        public void setUp() {
            try (MiniLmTextEncoder encoder = MiniLmTextEncoder.builtin(1, 128)) {
                cache = new EmbeddingCache(new CacheSettings(null, Duration.ofDays(1), 0), encoder.version(),
                        encoder.dimension());
            }
        }

        @TearDown
        public void tearDown() {
            cache.close();
        }
    }

    /** The image-generate stage's key derivation, with the built-in generator. */
    @State(Scope.Thread)
    public static class GenerateStage {
        ImageGeneration generation;
        PromptRecord record;

        @Setup
        public void setUp(Prompt prompt) {
            Configuration conf = new Configuration();
            conf.set(StoreOptions.URI, Paths.get(System.getProperty("java.io.tmpdir"), "stageflow-jmh-unused").toUri().toString());
            generation = new ImageGeneration(StageModel.open(ModelKind.IMAGE_GENERATOR,
                    ModelSpec.of(OnnxImageGenerator.FAMILY, ModelOptions.BUILTIN, 1), () -> { }),
                    StoreSettings.from(conf), null);
            record = new PromptRecord(prompt.request, Fixtures.embedding(), null);
        }

        @TearDown
        public void tearDown() throws Exception {
            generation.close();
        }
    }

    /** The image-enhance stage's inputs: the classical enhancer's version and the source image's hash. */
    @State(Scope.Thread)
    public static class EnhanceStage {
        String enhancerVersion;
        String sourceSha256;

        @Setup
        public void setUp() {
            enhancerVersion = new ClassicalEnhancer(EnhanceSettings.defaults()).version();
            sourceSha256 = Hashing.sha256Hex(Fixtures.png(128));
        }
    }

    @Benchmark
    public long promptIdAndSeed(Prompt prompt) {
        PromptRequest r = prompt.request;
        String promptId = PromptParser.derivePromptId(r.text, r.width, r.height, prompt.steps, prompt.style, null);
        return PromptParser.deriveSeed(promptId);
    }

    @Benchmark
    public String dedupeFingerprint(Prompt prompt) {
        return DedupeStage.fingerprint(prompt.request);
    }

    @Benchmark
    public String embeddingCacheKey(Prompt prompt, EncodeStage stage) {
        return stage.cache.keyOf(prompt.request.text);
    }

    @Benchmark
    public ArtifactKey[] imageGenerateKeys(GenerateStage stage) {
        return stage.generation.keys(stage.record);
    }

    /** As ImageEnhanceStage derives it (inside its private {@code enhance}). */
    @Benchmark
    public ArtifactKey imageEnhanceKey(Prompt prompt, EnhanceStage stage) {
        return ArtifactKey.of(ImageEnhanceStage.STAGE, stage.enhancerVersion, ImageEnhanceStage.IMAGE,
                Map.of("source", stage.sourceSha256, "style", prompt.request.style));
    }
}
