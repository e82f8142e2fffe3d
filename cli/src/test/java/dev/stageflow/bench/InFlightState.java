package dev.stageflow.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stageflow.StageflowJob;
import dev.stageflow.config.JobOperator;
import dev.stageflow.inference.ModelKind;
import dev.stageflow.inference.TextEncoder;
import dev.stageflow.inference.sd.SdPipelineFiles;
import dev.stageflow.model.Json;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.testing.JobRuns;
import dev.stageflow.testing.families.GatedEnhancer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Bytes of Flink state per prompt in flight, and checkpoint durations with them in flight: the real
 * job ({@link StageflowJob}: file source following a directory, the three model stages, the
 * exactly-once sinks) in a {@link BenchCluster} configured as {@code stageflow run}'s, with the
 * image-enhance stage's model replaced by {@link GatedEnhancer}, which holds every prompt that reaches
 * it until the benchmark opens its gate. One round is one job in three phases, each measured by
 * checkpoints the benchmark triggers (the periodic interval is set out of the way):
 *
 * <ol>
 *   <li><b>empty</b>: the job runs, no prompt has arrived yet;
 *   <li><b>held</b>: N prompts were published, encoded and generated, and all N wait in
 *       image-enhance's async queue (its {@code inFlight} gauge is N; its {@code max-in-flight} is 2N so
 *       the queue is never full, which would stop checkpoint barriers);
 *   <li><b>drained</b>: the gate is open, all N results are committed, nothing is in flight.
 * </ol>
 *
 * (held − drained) / N is the state a prompt in flight adds (the records in the async queues, all of
 * it in image-enhance here, each record at its largest: request, embedding, the generate stage's
 * artifact references); (drained − empty) / N is what the job keeps per prompt it has seen (dedupe's
 * promptIds for {@code dedupe.ttl}). Images are 64² in 2 steps, which changes no record's size.
 */
final class InFlightState {

    static final Map<String, Map<String, String>> SETUPS = Map.of(
            "builtin", Map.of(),
            // The built-in embeddings (1.5 KiB) as claim checks too, as sd-onnx's always are.
            "builtin-claim-check", Map.of("store.embedding.inline-max", "1kb"),
            "sd-tiny", Map.of("generator.family", "sd-onnx",
                    "generator.model", Path.of("examples/models/sd-tiny").toAbsolutePath().toString()));

    private final Path work;
    private final int prompts;
    private final int checkpointsPerPhase;
    private int embeddingFloats;
    private boolean negativeEmbedding;
    private ObjectNode anatomy;

    InFlightState(Path work, int prompts, int checkpointsPerPhase) {
        this.work = work;
        this.prompts = prompts;
        this.checkpointsPerPhase = checkpointsPerPhase;
    }

    /** The figures of {@code setup} over {@code rounds} rounds. */
    ObjectNode measure(String setup, int rounds) throws Exception {
        Map<String, String> options = SETUPS.get(setup);
        if (options == null) {
            throw new IllegalArgumentException("Unknown setup " + setup + "; known: " + SETUPS.keySet());
        }
        ObjectNode figure = Json.MAPPER.createObjectNode();
        figure.put("setup", setup);
        figure.set("options", Json.MAPPER.valueToTree(options));
        figure.put("prompts", prompts);
        figure.put("checkpointsPerPhase", checkpointsPerPhase);
        putRecordPayload(figure, options);
        List<Double> perInFlight = new ArrayList<>();
        List<Double> perSeen = new ArrayList<>();
        List<Double> heldMillis = new ArrayList<>();
        List<Double> idleMillis = new ArrayList<>();
        Map<String, List<Double>> byOperator = new LinkedHashMap<>();
        ArrayNode runs = figure.putArray("rounds");
        for (int r = 0; r < rounds; r++) {
            Map<String, List<BenchCluster.Checkpoint>> phases = round(options);
            Phase empty = Phase.of(phases.get("empty"));
            Phase held = Phase.of(phases.get("held"));
            Phase drained = Phase.of(phases.get("drained"));
            double inFlight = StateFigures.perPrompt(held.stateBytes, drained.stateBytes, prompts);
            double seen = StateFigures.perPrompt(drained.stateBytes, empty.stateBytes, prompts);
            perInFlight.add(inFlight);
            perSeen.add(seen);
            phases.get("held").forEach(c -> heldMillis.add((double) c.durationMillis()));
            phases.get("empty").forEach(c -> idleMillis.add((double) c.durationMillis()));
            phases.get("drained").forEach(c -> idleMillis.add((double) c.durationMillis()));
            StateFigures.perPromptByOperator(held.byOperator, drained.byOperator, prompts)
                    .forEach((uid, bytes) -> byOperator.computeIfAbsent(uid, k -> new ArrayList<>()).add(bytes));
            ObjectNode run = runs.addObject();
            run.put("bytesPerInFlightPrompt", BenchFiles.round(inFlight));
            run.put("bytesRetainedPerPromptSeen", BenchFiles.round(seen));
            run.set("checkpoints", Json.MAPPER.valueToTree(phases));
            System.out.printf("%s round %d: %.0f B of state per prompt in flight, %.0f B kept per prompt seen;"
                            + " checkpoints with %d in flight %s ms, idle %s ms%n", setup, r + 1, inFlight, seen, prompts,
                    phases.get("held").stream().map(c -> Long.toString(c.durationMillis())).toList(),
                    phases.get("drained").stream().map(c -> Long.toString(c.durationMillis())).toList());
        }
        figure.set("recordAnatomy", anatomy);
        // Whether the records carried their embeddings is read off a committed result, not worked out again.
        boolean claimChecked = anatomy.get("embeddingsClaimChecked").asBoolean();
        figure.put("embeddingsClaimChecked", claimChecked);
        figure.put("embeddingBytesPerRecord", claimChecked ? 0 : StateFigures.floatBytes(embeddingFloats));
        figure.set("bytesPerInFlightPrompt", Json.MAPPER.valueToTree(Spread.of(perInFlight).toMap()));
        figure.set("bytesRetainedPerPromptSeen", Json.MAPPER.valueToTree(Spread.of(perSeen).toMap()));
        figure.set("checkpointMillisInFlight", Json.MAPPER.valueToTree(Spread.of(heldMillis).toMap()));
        figure.set("checkpointMillisIdle", Json.MAPPER.valueToTree(Spread.of(idleMillis).toMap()));
        ObjectNode operators = figure.putObject("bytesPerInFlightPromptByOperator");
        byOperator.forEach((uid, values) -> operators.put(uid, BenchFiles.round(Spread.of(values).median())));
        return figure;
    }

    /** The floats a record carries after text-encode, as the setup's encoder makes them. */
    private void putRecordPayload(ObjectNode figure, Map<String, String> options) {
        Configuration conf = SdPipelineFiles.withPairedTextEncoder(Configuration.fromMap(options));
        try (TextEncoder encoder = ModelKind.TEXT_ENCODER.create(conf, 1)) {
            negativeEmbedding = encoder.encodesNegativeText();
            int floats = encoder.dimension() * (negativeEmbedding ? 2 : 1);
            embeddingFloats = floats;
            figure.put("encoder", encoder.name());
            figure.put("embeddingFloatsPerRecord", floats);
        }
    }

    /** One job through the three phases; the checkpoints of each. */
    private Map<String, List<BenchCluster.Checkpoint>> round(Map<String, String> setupOptions) throws Exception {
        String gateName = "memory-bench-" + UUID.randomUUID();
        Path dir = work.resolve(gateName);
        Path input = Files.createDirectories(dir.resolve("input"));
        Path out = dir.resolve("out");
        Map<String, String> options = new LinkedHashMap<>();
        options.put("source.prompts", input.toUri().toString());
        options.put("source.follow", "true");
        options.put("source.monitor-interval", "200 ms");
        options.put("output.dir", out.toUri().toString());
        options.put("store.uri", dir.resolve("store").toUri().toString());
        options.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        // Checkpoints are triggered by the benchmark; the periodic one is out of the way.
        options.put("execution.checkpointing.interval", "1 h");
        options.put("request.default-width", "64");
        options.put("request.default-height", "64");
        options.put("request.default-steps", "2");
        options.put("enhancer.family", GatedEnhancer.FAMILY);
        options.put("enhancer.options." + GatedEnhancer.GATE, gateName);
        options.put("enhancer.max-in-flight", Integer.toString(2 * prompts));
        options.put("enhancer.timeout", "30 min");
        options.put("enhancer.retry-time", "1 min");
        options.putAll(setupOptions);
        Configuration conf = BenchCluster.configuration(options);
        GatedEnhancer.Gate gate = GatedEnhancer.gate(gateName);
        Map<String, List<BenchCluster.Checkpoint>> phases = new LinkedHashMap<>();
        try (BenchCluster cluster = BenchCluster.start(conf)) {
            StreamExecutionEnvironment env = new StreamExecutionEnvironment(conf);
            cluster.submit(StageflowJob.streamGraph(env, conf).getJobGraph());
            phases.put("empty", checkpoints(cluster));
            JobRuns.publish(input, "prompts.jsonl", promptLines());
            String enhance = JobOperator.IMAGE_ENHANCE.uid();
            cluster.awaitWhileRunning(prompts + " prompts held in " + enhance, Duration.ofMinutes(20),
                    () -> cluster.stageGauge(enhance, "inFlight") >= prompts);
            phases.put("held", checkpoints(cluster));
            gate.open();
            org.apache.flink.core.fs.Path outDir = new org.apache.flink.core.fs.Path(out.toUri());
            cluster.awaitWhileRunning("the held prompts to finish", Duration.ofMinutes(10),
                    () -> cluster.stageGauge(enhance, "inFlight") == 0);
            while (CommittedOutput.results(outDir).size() < prompts) {
                cluster.requireRunning();
                cluster.checkpoint();
                Thread.sleep(200);
            }
            int committed = CommittedOutput.results(outDir).size();
            int deadLetters = CommittedOutput.deadLetters(outDir).size();
            if (committed != prompts || deadLetters != 0) {
                throw new IllegalStateException("Committed " + committed + " results and " + deadLetters
                        + " dead letters of " + prompts + " prompts");
            }
            phases.put("drained", checkpoints(cluster));
            anatomy = RecordAnatomy.of(CommittedOutput.results(outDir).get(0), embeddingFloats, negativeEmbedding);
        } finally {
            GatedEnhancer.remove(gateName);
            BenchFiles.deleteRecursively(dir);
        }
        return phases;
    }

    private List<BenchCluster.Checkpoint> checkpoints(BenchCluster cluster) throws Exception {
        List<BenchCluster.Checkpoint> checkpoints = new ArrayList<>();
        for (int i = 0; i < checkpointsPerPhase; i++) {
            checkpoints.add(cluster.checkpoint());
        }
        return checkpoints;
    }

    private List<String> promptLines() {
        List<String> lines = new ArrayList<>();
        List<String> texts = PipelineBenchmark.texts(prompts);
        for (int i = 0; i < prompts; i++) {
            lines.add(Json.MAPPER.createObjectNode().put("promptId", "mem-" + i).put("text", texts.get(i)).toString());
        }
        return lines;
    }

    /** The median full state size of a phase's checkpoints, in all and by operator. */
    private record Phase(long stateBytes, Map<String, Long> byOperator) {
        static Phase of(List<BenchCluster.Checkpoint> checkpoints) {
            long state = StateFigures.median(checkpoints.stream().map(BenchCluster.Checkpoint::stateBytes).toList());
            Map<String, List<Long>> values = new LinkedHashMap<>();
            checkpoints.forEach(c -> c.stateBytesByOperator()
                    .forEach((uid, bytes) -> values.computeIfAbsent(uid, k -> new ArrayList<>()).add(bytes)));
            Map<String, Long> byOperator = new LinkedHashMap<>();
            values.forEach((uid, sizes) -> byOperator.put(uid, StateFigures.median(sizes)));
            return new Phase(state, byOperator);
        }
    }
}
