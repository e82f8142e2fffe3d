package dev.stageflow.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stageflow.cli.CommandLines;
import dev.stageflow.config.CacheOptions;
import dev.stageflow.model.Json;
import dev.stageflow.redis.CacheSettings;
import dev.stageflow.redis.EmbeddingCache;
import dev.stageflow.servers.RedisServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;

/**
 * Issue 15's benchmarks 2, 3 and 4, each a ratio measured in one round against its baseline beside
 * it, repeated: the pipeline ({@code stageflow run} in this JVM, from the command line's start to its
 * summary, over a fresh data directory) against its compute-only bound ({@link ComputeBound}) and
 * against the naive baseline ({@link NaiveBaseline}); a warm rerun (same data directory: every
 * stage a cache hit) against the cold run; and the embedding cache's hit latency against a real
 * Redis. The pipeline against its bound is also given with the run's fixed cost excluded: each
 * round also times a run of {@value #SMALL_RUN} prompts (a fresh data directory, the same options),
 * and the steady rate is the remaining prompts over the remaining time; the bound, too, does not
 * time loading its models. Writes {@code pipeline-vs-compute.json}, {@code pipeline-vs-naive.json} and {@code
 * cache.json} to the results directory. Usage: {@code PipelineBenchmark <work-dir> <results-dir>
 * <prompts> <cache-prompts> <repeats> <setup,...>} (prompts 0: no pipeline figures; cache-prompts 0: no cache figures) with setups {@code classical}, {@code classical-enhancer-threads-2}, {@code classical-stage-slots}
 * (each model stage in a slot-sharing group, and so a task, of its own), {@code
 * classical-embedding-claim-check} (the built-in embeddings as claim checks), {@code esrgan-x2},
 * {@code sd-tiny}.
 */
public final class PipelineBenchmark {

    static final Map<String, Map<String, String>> SETUPS = Map.of(
            "classical", Map.of(),
            "classical-enhancer-threads-2", Map.of("enhancer.threads", "2"),
            "classical-embedding-claim-check", Map.of("store.embedding.inline-max", "1kb"),
            "classical-stage-slots", Map.of("encoder.slot-sharing-group", "encode",
                    "generator.slot-sharing-group", "generate", "enhancer.slot-sharing-group", "enhance"),
            "esrgan-x2", Map.of("enhancer.model", "esrgan-slim-x2"),
            "sd-tiny", Map.of("generator.family", "sd-onnx",
                    "generator.model", Paths.get("examples/models/sd-tiny").toAbsolutePath().toString()));
    private static final int THREADS = Runtime.getRuntime().availableProcessors();
    /** Prompts of the run whose time stands for a run's fixed cost (start-up, model loading, the end). */
    static final int SMALL_RUN = 10;

    public static void main(String[] args) throws Exception {
        Path work = Paths.get(args[0]).toAbsolutePath();
        Path results = Paths.get(args[1]);
        int prompts = Integer.parseInt(args[2]);
        int cachePrompts = Integer.parseInt(args[3]);
        int repeats = Integer.parseInt(args[4]);
        List<String> setups = List.of(args[5].split(","));
        Files.createDirectories(results);
        deleteTree(work);
        // Untimed: the first run in a JVM also loads and compiles Flink's classes.
        runSeconds(promptFile(work, texts(10)), work.resolve("warm-up"), Map.of(), 10);

        ObjectNode vsCompute = header("Pipeline vs compute bound", prompts, repeats, 0.90);
        ObjectNode vsNaive = header("Pipeline vs naive", prompts, repeats, 5.0);
        ObjectNode cache = header("Cache", cachePrompts, repeats, 20.0);
        for (String setup : prompts > 0 ? setups : List.<String>of()) {
            Map<String, String> options = SETUPS.get(setup);
            if (options == null) {
                throw new IllegalArgumentException("Unknown setup " + setup + "; known: " + SETUPS.keySet());
            }
            List<String> texts = texts(prompts);
            Path promptFile = promptFile(work, texts);
            Path smallFile = promptFile(work, texts(SMALL_RUN));
            List<Double> toCompute = new ArrayList<>();
            List<Double> steadyToCompute = new ArrayList<>();
            List<Double> toNaive = new ArrayList<>();
            ArrayNode computeRuns = Json.MAPPER.createArrayNode();
            ArrayNode steadyRuns = Json.MAPPER.createArrayNode();
            ArrayNode naiveRuns = Json.MAPPER.createArrayNode();
            for (int r = 0; r < repeats; r++) {
                Path dir = work.resolve(setup + "-" + r);
                double fixedSeconds = runSeconds(smallFile, dir.resolve("small"), options, SMALL_RUN);
                double seconds = runSeconds(promptFile, dir.resolve("data"), options, prompts);
                double pipeline = prompts / seconds;
                double steady = steadyRate(prompts, seconds, fixedSeconds);
                double compute = ComputeBound.promptsPerSecond(options, texts, THREADS);
                double naive = NaiveBaseline.promptsPerSecond(options, texts, dir.resolve("naive-store"));
                deleteTree(dir);
                toCompute.add(pipeline / compute);
                if (!Double.isNaN(steady)) {
                    steadyToCompute.add(steady / compute);
                }
                toNaive.add(pipeline / naive);
                computeRuns.add(run("pipelinePromptsPerSecond", pipeline, "computeBoundPromptsPerSecond", compute,
                        pipeline / compute));
                steadyRuns.add(run("steadyPromptsPerSecond", steady, "computeBoundPromptsPerSecond", compute,
                        steady / compute).put("fixedSeconds", fixedSeconds).put("pipelineSeconds", seconds));
                naiveRuns.add(run("pipelinePromptsPerSecond", pipeline, "naivePromptsPerSecond", naive, pipeline / naive));
                System.out.printf("%s round %d: pipeline %.1f/s, compute bound %.1f/s (%.2f), steady %.1f/s (%.2f;"
                        + " %d-prompt run %.2f s), naive %.1f/s (%.2f×)%n", setup, r + 1, pipeline, compute,
                        pipeline / compute, steady, steady / compute, SMALL_RUN, fixedSeconds, naive, pipeline / naive);
            }
            figure(vsCompute, setup, options, Spread.of(toCompute), computeRuns);
            if (!steadyToCompute.isEmpty()) {
                figure(vsCompute, setup + ", fixed cost excluded", options, Spread.of(steadyToCompute), steadyRuns);
            }
            figure(vsNaive, setup, options, Spread.of(toNaive), naiveRuns);
        }
        if (prompts > 0) {
            write(results.resolve("pipeline-vs-compute.json"), vsCompute);
            write(results.resolve("pipeline-vs-naive.json"), vsNaive);
        }
        if (cachePrompts > 0) {
            cacheFigures(cache, work, cachePrompts, repeats);
            write(results.resolve("cache.json"), cache);
        }
        deleteTree(work);
    }

    /** Warm rerun vs cold run with the default models; the embedding cache's hit latency. */
    private static void cacheFigures(ObjectNode cache, Path work, int prompts, int repeats) throws Exception {
        Path promptFile = promptFile(work, texts(prompts));
        List<Double> speedups = new ArrayList<>();
        ArrayNode runs = Json.MAPPER.createArrayNode();
        for (int r = 0; r < repeats; r++) {
            Path data = work.resolve("cache-" + r).resolve("data");
            double cold = runSeconds(promptFile, data, Map.of(), prompts);
            double warm = runSeconds(promptFile, data, Map.of(), prompts);
            deleteTree(data.getParent());
            speedups.add(cold / warm);
            runs.add(run("coldSeconds", cold, "warmSeconds", warm, cold / warm));
            System.out.printf("cache round %d: cold %.2f s, warm %.2f s (%.1f×)%n", r + 1, cold, warm, cold / warm);
        }
        figure(cache, "warm vs cold", Map.of(), Spread.of(speedups), runs);
        cache.set("embeddingHitLatency", redisLatency(work.resolve("redis"), repeats));
    }

    /** p50 and p99 of one text's embedding lookup: from Redis (no JVM tier), and from the JVM tier. */
    private static ObjectNode redisLatency(Path dir, int repeats) throws Exception {
        int texts = 1_000;
        int lookups = 20_000;
        Map<String, List<Double>> figures = new LinkedHashMap<>();
        try (RedisServer redis = RedisServer.start(dir)) {
            Configuration conf = new Configuration();
            conf.set(CacheOptions.REDIS_URI, redis.uri().toString());
            for (int l1 : new int[] {0, texts}) {
                conf.set(CacheOptions.L1_ENTRIES, l1);
                String tier = l1 == 0 ? "redis" : "jvm";
                try (EmbeddingCache cache = new EmbeddingCache(CacheSettings.from(conf), "bench", 384)) {
                    Map<String, float[]> embeddings = new HashMap<>();
                    for (int i = 0; i < texts; i++) {
                        embeddings.put("text " + i, new float[384]);
                    }
                    cache.putAll(embeddings);
                    for (int r = -1; r < repeats; r++) {
                        double[] micros = new double[lookups];
                        for (int i = 0; i < lookups; i++) {
                            String text = "text " + (i % texts);
                            long start = System.nanoTime();
                            if (cache.getAll(List.of(text)).size() != 1) {
                                throw new IllegalStateException("A cached embedding was missed: " + text);
                            }
                            micros[i] = (System.nanoTime() - start) / 1e3;
                        }
                        if (r < 0) {
                            continue; // warm-up round
                        }
                        figures.computeIfAbsent(tier + "P50Micros", k -> new ArrayList<>()).add(Spread.percentile(micros, 50));
                        figures.computeIfAbsent(tier + "P99Micros", k -> new ArrayList<>()).add(Spread.percentile(micros, 99));
                    }
                }
            }
        }
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("lookupsPerRound", lookups);
        figures.forEach((name, values) -> {
            node.set(name, Json.MAPPER.valueToTree(Spread.of(values).toMap()));
            System.out.printf("embedding hit %s: %s µs%n", name, Spread.of(values));
        });
        return node;
    }

    /**
     * Prompts per second of a run of {@code prompts} beyond what a run of {@value #SMALL_RUN} prompts
     * took: the rate once the run's fixed cost is paid. NaN when the small run took as long (noise
     * on a run hardly bigger than it); such a round is left out of the figure.
     */
    static double steadyRate(int prompts, double seconds, double smallRunSeconds) {
        if (prompts <= SMALL_RUN) {
            throw new IllegalArgumentException("A steady rate needs more than " + SMALL_RUN + " prompts, got " + prompts);
        }
        return seconds > smallRunSeconds ? (prompts - SMALL_RUN) / (seconds - smallRunSeconds) : Double.NaN;
    }

    /** Seconds of one {@code stageflow run} over {@code prompts}, checking it committed them all. */
    private static double runSeconds(Path prompts, Path data, Map<String, String> options, int expected) {
        List<String> args = new ArrayList<>(List.of("--prompts", prompts.toString(), "--data-dir", data.toString(),
                "--rest.port", "0"));
        options.forEach((key, value) -> args.addAll(List.of("--" + key, value)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long start = System.nanoTime();
        int exit = CommandLines.execute(out, err, "run", args.toArray(String[]::new));
        double seconds = (System.nanoTime() - start) / 1e9;
        String output = out.toString(StandardCharsets.UTF_8);
        if (exit != 0 || !output.contains("Committed   " + expected + " prompts")) {
            throw new IllegalStateException("stageflow run did not commit " + expected + " prompts:\n" + output
                    + err.toString(StandardCharsets.UTF_8));
        }
        return seconds;
    }

    /** {@code count} distinct prompt texts, made from the example prompts' subjects. */
    static List<String> texts(int count) {
        String[] subjects = {"a lighthouse on a rocky coast at dawn", "a red fox sleeping in fresh snow",
            "an astronaut riding a horse on the moon", "a koi pond under cherry blossoms", "a city street in the rain"};
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            texts.add(subjects[i % subjects.length] + ", study " + i);
        }
        return texts;
    }

    private static Path promptFile(Path work, List<String> texts) throws IOException {
        Path file = work.resolve("prompts-" + texts.size() + ".jsonl");
        Files.createDirectories(work);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            ObjectNode line = Json.MAPPER.createObjectNode().put("promptId", "bench-" + i).put("text", texts.get(i));
            lines.add(Json.MAPPER.writeValueAsString(line));
        }
        Files.write(file, lines);
        return file;
    }

    private static ObjectNode header(String title, int prompts, int repeats, double target) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("title", title);
        node.put("target", target);
        node.put("prompts", prompts);
        node.put("repeats", repeats);
        node.put("cores", THREADS);
        node.put("machine", System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", " + THREADS
                + " cores, Java " + Runtime.version());
        node.put("measuredAt", Instant.now().toString());
        node.putArray("figures");
        return node;
    }

    private static ObjectNode run(String a, double aValue, String b, double bValue, double ratio) {
        return Json.MAPPER.createObjectNode().put(a, aValue).put(b, bValue).put("ratio", ratio);
    }

    private static void figure(ObjectNode result, String label, Map<String, String> options, Spread ratio, ArrayNode runs) {
        ObjectNode figure = ((ArrayNode) result.get("figures")).addObject();
        figure.put("label", label);
        figure.set("options", Json.MAPPER.valueToTree(options));
        figure.set("ratio", Json.MAPPER.valueToTree(ratio.toMap()));
        figure.set("runs", runs);
        System.out.printf("%s, %s: %s (target %s)%n", result.get("title").asText(), label, ratio, result.get("target"));
    }

    private static void write(Path file, ObjectNode result) throws IOException {
        Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), result);
        System.out.println("Wrote " + file);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.delete(p);
            }
        }
    }
}
