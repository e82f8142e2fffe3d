package dev.stageflow.cli;

import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.Json;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.testing.JobRuns;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A user of the cluster commands in a test: runs {@code stageflow} commands in the test JVM with one
 * data directory, keeps what the last one printed, and reads the runs they record.
 */
final class ClusterUser {

    /** Job options that make prompts quick: tiny images, one step. */
    static final String[] SMALL = {"--request.default-width", "32", "--request.default-height", "32",
        "--request.default-steps", "1"};

    private final Path dataDir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    ClusterUser(Path dataDir) {
        this.dataDir = dataDir;
    }

    Path dataDir() {
        return dataDir;
    }

    /** Runs {@code stageflow args...} with this user's data directory; what it printed is in {@link #printed}. */
    int run(String... args) {
        out.reset();
        err.reset();
        List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
        rest.addAll(List.of("--data-dir", dataDir.toString()));
        return CommandLines.execute(out, err, args[0], rest.toArray(String[]::new));
    }

    /** What the last command printed, standard output and error. */
    String printed() {
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }

    static String[] withSmall(String... args) {
        return Stream.concat(Stream.of(args), Stream.of(SMALL)).toArray(String[]::new);
    }

    RunRecord newestRun() throws Exception {
        try (Stream<Path> runs = Files.list(dataDir.resolve(RunRecord.RUNS))) {
            Path newest = runs.max(Path::compareTo).orElseThrow();
            return Json.MAPPER.readValue(newest.resolve(RunRecord.FILE).toFile(), RunRecord.class);
        }
    }

    static void awaitCommitted(RunRecord run, long rows, Duration timeout) throws InterruptedException {
        JobRuns.await(rows + " committed rows of run " + run.runId, timeout,
                () -> CommittedOutput.rows(new org.apache.flink.core.fs.Path(run.outputDir)) >= rows);
    }

    static List<String> committedIds(RunRecord run) {
        return CommittedOutput.results(new org.apache.flink.core.fs.Path(run.outputDir)).stream()
                .map((GenerationResult r) -> r.promptId).toList();
    }

    /** Prompt lines {@code p-<from>} to {@code p-<to>}. */
    static List<String> lines(int from, int to) {
        List<String> lines = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            lines.add("{\"promptId\": \"" + id(i) + "\", \"text\": \"prompt number " + i + "\"}");
        }
        return lines;
    }

    static String id(int i) {
        return String.format("p-%02d", i);
    }
}
