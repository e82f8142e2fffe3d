package dev.stageflow.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stageflow.model.Json;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.List;

/**
 * Issue 15's benchmark 6, memory and checkpoints, in two parts that each write their section of one
 * result file (other sections are kept, so the parts can run in JVMs of different heap sizes):
 *
 * <ul>
 *   <li>{@code state <prompts> <rounds> <checkpoints per phase> <setup,...>}: bytes of Flink state per
 *       prompt in flight and checkpoint durations with them in flight ({@link InFlightState}); setups
 *       {@code builtin}, {@code builtin-claim-check} ({@code store.embedding.inline-max} 1kb), {@code sd-tiny};
 *   <li>{@code artifacts <MB per artifact> <artifacts> <rounds>}: the heap with large artifacts held in
 *       the store between two stages against one at a time ({@link ArtifactHeap}).
 * </ul>
 *
 * Usage: {@code MemoryBenchmark <work-dir> <result.json> state|artifacts ...}.
 */
public final class MemoryBenchmark {

    static final double TARGET_BYTES_PER_IN_FLIGHT_PROMPT = 2048;
    static final double TARGET_CHECKPOINT_MILLIS = 1000;

    public static void main(String[] args) throws Exception {
        Path work = Paths.get(args[0]).toAbsolutePath();
        Path resultFile = Paths.get(args[1]);
        ObjectNode result = Files.exists(resultFile)
                ? (ObjectNode) Json.MAPPER.readTree(resultFile.toFile())
                : Json.MAPPER.createObjectNode().put("benchmark", "memory-and-checkpoints");
        Files.createDirectories(work);
        ObjectNode part;
        switch (args[2]) {
            case "state" -> {
                int prompts = Integer.parseInt(args[3]);
                int rounds = Integer.parseInt(args[4]);
                int checkpoints = Integer.parseInt(args[5]);
                part = header(result.putObject("inFlightState"), rounds);
                part.put("targetBytesPerInFlightPrompt", TARGET_BYTES_PER_IN_FLIGHT_PROMPT);
                part.put("targetCheckpointMillis", TARGET_CHECKPOINT_MILLIS);
                part.put("sd15EmbeddingBytesPerRecord", StateFigures.floatBytes(StateFigures.sd15Floats(true)));
                ArrayNode setups = part.putArray("setups");
                InFlightState state = new InFlightState(work, prompts, checkpoints);
                for (String setup : List.of(args[6].split(","))) {
                    ObjectNode figure = state.measure(setup, rounds);
                    setups.add(figure);
                    System.out.printf("%s: %s B per prompt in flight (target <= %.0f), checkpoints with %d in flight %s ms"
                                    + " (target < %.0f), idle %s ms%n", setup, spread(figure, "bytesPerInFlightPrompt"),
                            TARGET_BYTES_PER_IN_FLIGHT_PROMPT, prompts, spread(figure, "checkpointMillisInFlight"),
                            TARGET_CHECKPOINT_MILLIS, spread(figure, "checkpointMillisIdle"));
                }
            }
            case "artifacts" -> {
                int megabytes = Integer.parseInt(args[3]);
                int artifacts = Integer.parseInt(args[4]);
                int rounds = Integer.parseInt(args[5]);
                part = header(result.putObject("artifactHeap"), rounds);
                part.setAll(new ArtifactHeap(work, megabytes << 20, artifacts).measure(rounds));
                System.out.printf("artifacts: held/streaming peak heap after GC %s, max heap %d MB, held %d MB%n",
                        spread(part, "heldOverStreamingPeakHeapAfterGc"), part.get("maxHeapBytes").asLong() >> 20,
                        part.get("heldBytes").asLong() >> 20);
            }
            default -> throw new IllegalArgumentException("Unknown part " + args[2] + "; known: state, artifacts");
        }
        Files.createDirectories(resultFile.toAbsolutePath().getParent());
        Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(resultFile.toFile(), result);
        BenchFiles.deleteRecursively(work);
        System.out.println("Wrote " + resultFile);
    }

    private static ObjectNode header(ObjectNode part, int rounds) {
        int cores = Runtime.getRuntime().availableProcessors();
        part.put("rounds", rounds);
        part.put("machine", System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", " + cores
                + " cores, Java " + Runtime.version());
        part.put("loadAverageAtStart", BenchFiles.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        part.put("measuredAt", Instant.now().toString());
        return part;
    }

    private static String spread(ObjectNode node, String field) {
        ObjectNode spread = (ObjectNode) node.get(field);
        return String.format("%.3g (%.3g–%.3g)", spread.get("median").asDouble(), spread.get("min").asDouble(),
                spread.get("max").asDouble());
    }

    private MemoryBenchmark() {}
}
