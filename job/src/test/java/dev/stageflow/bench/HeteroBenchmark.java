package dev.stageflow.bench;

import static dev.stageflow.bench.BenchFiles.deleteRecursively;
import static dev.stageflow.bench.BenchFiles.round;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stageflow.model.Json;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.ToDoubleFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * hetero-bench: the paper's CPU → accelerator → CPU microbenchmark on stageflow's operators with
 * timed work (see {@link HeteroParams}, {@link VirtualResources}). Runs the naive, the static
 * (the paper's Flink layout) and the tuned layout ({@link HeteroConfig}) in interleaved rounds after one unrecorded warm-up, each in a
 * fresh local MiniCluster in this JVM, and reports each run's makespan (first token taken to last
 * given back) as a fraction of the ideal computed from the parameters, with the peak heap of the
 * JVM and the peak of payloads in flight. Usage: {@code HeteroBenchmark <work-dir> <result.json>
 * [time unit ms] [payload bytes] [repeats]} (defaults 10, 65536, 3); the store is a directory
 * below {@code work-dir}.
 */
public final class HeteroBenchmark {

    public static void main(String[] args) throws Exception {
        Path workDir = Paths.get(args[0]).toAbsolutePath();
        Path resultFile = Paths.get(args[1]);
        Duration unit = Duration.ofMillis(args.length > 2 ? Long.parseLong(args[2]) : 10);
        int payloadBytes = args.length > 3 ? Integer.parseInt(args[3]) : 64 * 1024;
        int repeats = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        HeteroParams params = HeteroParams.paper().scaled(unit, payloadBytes);
        List<HeteroConfig> configs = List.of(HeteroConfig.naive(), HeteroConfig.staticLayout(params), HeteroConfig.tuned(params));

        ObjectNode result = Json.MAPPER.createObjectNode();
        result.put("benchmark", "hetero-bench");
        result.put("cores", Runtime.getRuntime().availableProcessors());
        result.put("loadAverageAtStart", round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        ObjectNode model = result.putObject("params");
        model.put("cpus", params.cpus());
        model.put("accelerators", params.accelerators());
        model.put("producerTasks", params.producerTasks());
        model.put("itemsPerTask", params.itemsPerTask());
        model.put("producerUnits", params.producerUnits());
        model.put("inferUnits", params.inferUnits());
        model.put("writeUnits", params.writeUnits());
        model.put("inFlightPayloads", params.inFlightPayloads());
        model.put("payloadBytes", params.payloadBytes());
        result.put("timeUnitMs", unit.toNanos() / 1e6);
        result.put("cpuBoundUnits", round(params.cpuBoundUnits()));
        result.put("acceleratorBoundUnits", round(params.acceleratorBoundUnits()));
        result.put("idealUnits", round(params.idealUnits()));
        result.put("idealSeconds", round(params.ideal().toNanos() / 1e9));
        result.put("repeats", repeats);
        result.put("target", 0.95);
        ObjectNode anchors = result.putObject("anchors");
        anchors.put("rayData", 0.73);
        anchors.putArray("flink").add(0.24).add(0.32);

        System.out.printf("hetero-bench: ideal %.0f units = %.2f s (CPU bound %.0f, accelerator bound with fill %.0f)%n",
                params.idealUnits(), params.ideal().toNanos() / 1e9, params.cpuBoundUnits(), params.acceleratorBoundUnits());
        run(HeteroConfig.tuned(params), params, workDir);
        Map<String, List<ObjectNode>> runs = new LinkedHashMap<>();
        for (int round = 0; round < repeats; round++) {
            for (HeteroConfig config : configs) {
                ObjectNode run = run(config, params, workDir);
                System.out.printf("round %d %-6s makespan %6.2f s, %.3f of ideal, wall %6.2f s, peak heap %d MB, peak in flight %d payloads%n",
                        round, config.name(), run.get("makespanSeconds").asDouble(), run.get("fractionOfIdeal").asDouble(),
                        run.get("wallSeconds").asDouble(), run.get("peakHeapBytes").asLong() >> 20, run.get("peakPayloadsInFlight").asInt());
                runs.computeIfAbsent(config.name(), name -> new ArrayList<>()).add(run);
            }
        }
        ArrayNode rows = result.putArray("configs");
        for (HeteroConfig config : configs) {
            List<ObjectNode> configRuns = runs.get(config.name());
            ObjectNode row = rows.addObject();
            row.put("name", config.name());
            row.set("layout", Json.MAPPER.valueToTree(config));
            putStats(row.putObject("fractionOfIdeal"), configRuns, run -> run.get("fractionOfIdeal").asDouble());
            putStats(row.putObject("makespanSeconds"), configRuns, run -> run.get("makespanSeconds").asDouble());
            putStats(row.putObject("wallSeconds"), configRuns, run -> run.get("wallSeconds").asDouble());
            putStats(row.putObject("acceleratorOvershootPercent"), configRuns, run -> run.get("acceleratorOvershootPercent").asDouble());
            row.put("peakHeapBytes", configRuns.stream().mapToLong(run -> run.get("peakHeapBytes").asLong()).max().orElse(0));
            row.put("peakInFlightBytes", configRuns.stream().mapToLong(run -> run.get("peakInFlightBytes").asLong()).max().orElse(0));
            row.set("runs", Json.MAPPER.valueToTree(configRuns));
            System.out.printf("%-6s fraction of ideal: median %.3f (min %.3f, max %.3f)%n", config.name(),
                    row.get("fractionOfIdeal").get("median").asDouble(), row.get("fractionOfIdeal").get("min").asDouble(),
                    row.get("fractionOfIdeal").get("max").asDouble());
        }
        Files.createDirectories(resultFile.toAbsolutePath().getParent());
        Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(resultFile.toFile(), result);
        Files.deleteIfExists(workDir);
        System.out.println("Wrote " + resultFile);
    }

    /** One run of {@code config} in a fresh MiniCluster; fails when an item is missing or written twice. */
    static ObjectNode run(HeteroConfig config, HeteroParams params, Path workDir) throws Exception {
        String runId = config.name() + "-" + UUID.randomUUID().toString().substring(0, 8);
        Path store = workDir.resolve(runId);
        VirtualResources resources = VirtualResources.register(runId, params);
        HeapSampler heap = new HeapSampler();
        try {
            Configuration conf = new Configuration();
            conf.set(TaskManagerOptions.NUM_TASK_SLOTS, 8);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
            HeteroJob.build(env, config, params, runId, store.toUri().toString());
            heap.start();
            long start = System.nanoTime();
            env.execute("hetero-bench " + runId);
            long wall = System.nanoTime() - start;
            heap.stop();
            if (resources.itemsWritten() != params.items() || resources.duplicates() != 0) {
                throw new IllegalStateException("run " + runId + " wrote " + resources.itemsWritten() + " of " + params.items()
                        + " items, " + resources.duplicates() + " twice");
            }
            double makespan = resources.makespan().toNanos() / 1e9;
            ObjectNode run = Json.MAPPER.createObjectNode();
            run.put("makespanSeconds", round(makespan));
            run.put("wallSeconds", round(wall / 1e9));
            run.put("fractionOfIdeal", round(params.ideal().toNanos() / 1e9 / makespan));
            run.put("acceleratorUtilization", round(resources.accelerators.busyNanos() / 1e9 / (params.accelerators() * makespan)));
            run.put("cpuUtilization", round(resources.cpus.busyNanos() / 1e9 / (params.cpus() * makespan)));
            // Parking overshoots its deadline (timer slack, a loaded scheduler): the emulation's own
            // error, shown beside the figure it inflates.
            double nominal = params.acceleratorWorkUnits() * params.timeUnit().toNanos();
            run.put("acceleratorOvershootPercent", round(100 * (resources.accelerators.busyNanos() / nominal - 1)));
            run.put("peakCpusBusy", resources.cpus.peak());
            run.put("peakAcceleratorsBusy", resources.accelerators.peak());
            run.put("peakPayloadsInFlight", resources.payloads.peak());
            run.put("peakInFlightBytes", resources.payloads.peakBytes());
            run.put("peakHeapBytes", heap.peak());
            run.put("storeWriteMsPerPayload", round(resources.storeWrites.meanMillis()));
            run.put("storeReadMsPerPayload", round(resources.storeReads.meanMillis()));
            return run;
        } finally {
            heap.stop();
            VirtualResources.unregister(runId);
            deleteRecursively(store);
        }
    }

    private static void putStats(ObjectNode node, List<ObjectNode> runs, ToDoubleFunction<ObjectNode> value) {
        double[] values = runs.stream().mapToDouble(value).sorted().toArray();
        int mid = values.length / 2;
        node.put("median", round(values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2));
        node.put("min", round(values[0]));
        node.put("max", round(values[values.length - 1]));
    }

    private HeteroBenchmark() {}
}
