package dev.stageflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.stageflow.config.CacheOptions;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.inference.RgbImage;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.servers.RedisServer;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.stage.ImageEnhanceStage;
import dev.stageflow.stage.ImageGenerateStage;
import dev.stageflow.stage.TextEncodeStage;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.StoreSettings;
import dev.stageflow.testing.StageMetrics;
import dev.stageflow.testing.TestJobs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job on a MiniCluster with RocksDB checkpoints, file source, file sinks, a real Redis and
 * a file store: exactly the valid prompts are committed, each once; exactly the invalid lines and
 * the reuse of a promptId for other content are dead letters with the right reasons; every artifact verifies; a second run is all cache hits and loads no model.
 */
class PipelineITCase {

    private static final StageMetrics METRICS = new StageMetrics();
    private static final List<String> MODEL_STAGES =
            List.of(TextEncodeStage.STAGE, ImageGenerateStage.STAGE, ImageEnhanceStage.STAGE);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = METRICS.miniCluster(2);

    private static final Map<String, String> INVALID = new LinkedHashMap<>();
    private static final List<String> VALID = new ArrayList<>();

    static {
        VALID.add("{\"text\": \"a lighthouse on a rocky coast at dawn\"}");
        VALID.add("{\"text\": \"a red fox sleeping in fresh snow\", \"seed\": 7}");
        VALID.add("{\"promptId\": \"fixed-1\", \"text\": \"an astronaut riding a horse\", \"style\": \"vivid\"}");
        VALID.add("{\"text\": \"a bowl of ramen\", \"width\": 96, \"height\": 64}");
        VALID.add("{\"text\": \"a cyberpunk street market\", \"steps\": 3, \"style\": \"mono\"}");
        VALID.add("{\"text\": \"watercolor mountain lake\", \"style\": \"pastel\"}");
        VALID.add("{\"text\": \"a cat in a wizard hat\", \"style\": \"warm\"}");
        VALID.add("{\"text\": \"a futuristic skyline\", \"style\": \"cool\"}");
        VALID.add("{\"text\": \"an old library\", \"seed\": 123456789}");
        VALID.add("{\"text\": \"sunflowers under a stormy sky\"}");
        VALID.add("{\"text\": \"a red fox sleeping in fresh snow\", \"seed\": 8}");
        VALID.add("{\"text\": \"Ein Leuchtturm im Morgengrauen\"}");
        VALID.add("{\"text\": \"夜の雨の中の市場\", \"width\": 64, \"height\": 96}");
        VALID.add("{\"promptId\": \"fixed-2\", \"text\": \"a koi pond, top-down\"}");
        INVALID.put("{\"text\": \"unterminated", "MALFORMED_JSON");
        INVALID.put("[\"an\", \"array\"]", "NOT_AN_OBJECT");
        INVALID.put("{\"prompt\": \"typo\"}", "UNKNOWN_FIELD");
        INVALID.put("{\"text\": \"   \"}", "EMPTY_TEXT");
        INVALID.put("{\"text\": \"too wide\", \"width\": 4096}", "OUT_OF_RANGE");
        INVALID.put("{\"text\": \"bad seed\", \"seed\": \"x\"}", "WRONG_TYPE");
        INVALID.put("{\"text\": \"odd\", \"style\": \"baroque\"}", "UNKNOWN_STYLE");
        INVALID.put("{\"text\": \"bell \\u0007\"}", "CONTROL_CHARACTERS");
    }

    /** Repeats of earlier prompts: dropped by dedupe, neither committed again nor dead letters. */
    private static final List<String> DUPLICATES = List.of(
            "{\"text\": \"  a lighthouse   on a rocky coast at dawn \"}",
            "{\"promptId\": \"fixed-1\", \"text\": \"an astronaut   riding a horse\", \"style\": \"vivid\"}");

    /** An earlier prompt's id with other content: a dead letter, and the first prompt keeps the id. */
    private static final String CONFLICT = "{\"promptId\": \"fixed-1\", \"text\": \"another text, same id\"}";

    @TempDir
    static Path dir;

    private static RedisServer redis;
    private static Path input;

    @BeforeAll
    static void startRedisAndWriteInput() throws Exception {
        redis = RedisServer.start(dir.resolve("redis"));
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < VALID.size(); i++) {
            lines.add(VALID.get(i));
            if (i < INVALID.size()) {
                lines.add(new ArrayList<>(INVALID.keySet()).get(i));
            }
        }
        lines.add("");
        lines.addAll(DUPLICATES);
        lines.add(CONFLICT);
        input = dir.resolve("prompts.jsonl");
        Files.write(input, lines);
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Test
    void commitsEachValidPromptOnceAndReusesEveryArtifactOnASecondRun() throws Exception {
        Path firstOut = dir.resolve("out-1");
        JobID first = run(firstOut, "first");

        List<GenerationResult> results = CommittedOutput.results(TestJobs.flinkPath(firstOut));
        assertThat(results).extracting(r -> r.promptId).containsExactlyInAnyOrderElementsOf(expectedPromptIds());
        List<Tuple> deadLetters = new ArrayList<>(INVALID.entrySet().stream()
                .map(e -> tuple(e.getKey(), e.getValue())).toList());
        deadLetters.add(tuple("another text, same id", "PROMPT_ID_CONFLICT"));
        assertThat(CommittedOutput.deadLetters(TestJobs.flinkPath(firstOut)))
                .extracting(TestJobs::rawOrConflictingText, d -> d.reason)
                .containsExactlyInAnyOrderElementsOf(deadLetters);
        assertArtifactsVerify(results);
        assertNothingReusedButEmbeddingsOfRepeatedTexts(results);

        assertThat(MODEL_STAGES).allSatisfy(stage ->
                assertThat(METRICS.total(first, stage, "modelLoads")).as(stage).isBetween(1L, 2L));

        Path secondOut = dir.resolve("out-2");
        JobID second = run(secondOut, "second");

        List<GenerationResult> again = CommittedOutput.results(TestJobs.flinkPath(secondOut));
        assertThat(again).hasSameSizeAs(results);
        assertThat(again).allSatisfy(r -> assertThat(cacheHits(r)).containsOnly(true));
        assertThat(artifactsById(again)).isEqualTo(artifactsById(results));
        assertThat(MODEL_STAGES).as("every prompt a hit: no stage loads its model").allSatisfy(stage ->
                assertThat(METRICS.total(second, stage, "modelLoads")).as(stage).isZero());
    }

    private static JobID run(Path out, String name) throws Exception {
        Configuration conf = TestJobs.smallJob(dir.resolve("checkpoints-" + name));
        conf.set(SourceOptions.PROMPTS, input.toUri().toString());
        conf.set(SinkOptions.OUTPUT_DIR, out.toUri().toString());
        conf.set(StoreOptions.URI, dir.resolve("store").toUri().toString());
        conf.set(CacheOptions.REDIS_URI, redis.uri().toString());
        return TestJobs.start(conf, "pipeline-" + name).getJobExecutionResult().get().getJobID();
    }

    private static Set<String> expectedPromptIds() {
        return TestJobs.validPromptIds(VALID, TestJobs.smallJob(dir));
    }

    private static void assertArtifactsVerify(List<GenerationResult> results) {
        ArtifactStore store = new ArtifactStore(StoreSettings.from(storeConf()));
        for (GenerationResult result : results) {
            for (ArtifactRef ref : TestJobs.artifacts(result)) {
                assertThat(store.read(ref)).hasSize((int) ref.rawSize);
            }
            RgbImage image = RgbImage.fromPng(store.read(result.image));
            assertThat(image.width()).isEqualTo(2 * result.width);
            assertThat(image.height()).isEqualTo(2 * result.height);
        }
    }

    private static Configuration storeConf() {
        Configuration conf = new Configuration();
        conf.set(StoreOptions.URI, dir.resolve("store").toUri().toString());
        return conf;
    }

    /**
     * A first run computes every image. Only an embedding may come from the cache, when another
     * prompt has the same text (the fox, with two seeds) and was encoded first.
     */
    private static void assertNothingReusedButEmbeddingsOfRepeatedTexts(List<GenerationResult> results) {
        Map<String, Long> prompts = results.stream().collect(Collectors.groupingBy(r -> r.text, Collectors.counting()));
        assertThat(results).allSatisfy(r -> {
            assertThat(r.generate.cacheHit).as(r.promptId).isFalse();
            assertThat(r.enhance.cacheHit).as(r.promptId).isFalse();
            if (r.encode.cacheHit) {
                assertThat(prompts.get(r.text)).as("prompts with the text of %s", r.promptId).isGreaterThan(1);
            }
        });
    }

    private static List<Boolean> cacheHits(GenerationResult result) {
        return Stream.of(result.encode, result.generate, result.enhance).map(o -> o.cacheHit).toList();
    }

    private static Map<String, List<ArtifactRef>> artifactsById(List<GenerationResult> results) {
        return results.stream().collect(Collectors.toMap(r -> r.promptId, TestJobs::artifacts));
    }

}
