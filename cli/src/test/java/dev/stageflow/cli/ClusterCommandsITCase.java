package dev.stageflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.Json;
import dev.stageflow.servers.FlinkCluster;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.testing.JobRuns;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster commands as a user runs them: a standalone cluster (a JobManager and two
 * TaskManagers, separate JVMs on free ports), a bounded submission waited for, a followed one
 * that takes a savepoint, is stopped with one, resumed from it with new prompts arriving while it
 * was down, and cancelled: exact results each time, and no process left after {@code cluster stop}.
 */
class ClusterCommandsITCase {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final String[] SMALL = {"--request.default-width", "32", "--request.default-height", "32",
        "--request.default-steps", "1"};

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterEach
    void stopCluster() {
        stageflow("cluster", "stop");
    }

    @Test
    void submitsWaitsStopsResumesAndCancelsWithEachPromptCommittedOnce() throws Exception {
        assertThat(stageflow("cluster", "start", "--rest-port", "0", "--rpc-port", "0")).as(printed()).isZero();
        assertThat(stageflow("cluster", "status")).as(printed()).isZero();
        assertThat(printed()).contains("taskmanager-1: running", "taskmanager-2: running", "2 TaskManagers registered");

        Path bounded = dir.resolve("bounded.jsonl");
        ChaosPrompts.write(3, 1, bounded);
        assertThat(stageflow(withSmall("submit", "--prompts", bounded.toString(), "--wait"))).as(printed()).isZero();
        assertThat(printed()).contains("FINISHED");
        assertThat(committedIds(newestRun())).containsExactlyInAnyOrder("chaos-00001", "chaos-00002", "chaos-00003");

        Path prompts = Files.createDirectories(dir.resolve("prompts"));
        List<String> first = lines(1, 6);
        first.add("not json");
        JobRuns.publish(prompts, "first.jsonl", first);
        assertThat(stageflow(withSmall("submit", "--prompts", prompts.toString(), "--follow",
                "--source.monitor-interval", "200 ms"))).as(printed()).isZero();
        RunRecord run = newestRun();
        awaitCommitted(run, 3);
        assertThat(stageflow("savepoint")).as(printed()).isZero();
        assertThat(printed()).contains("Savepoint of job " + run.lastJob().orElseThrow().jobId);
        assertThat(stageflow("stop")).as(printed()).isZero();
        assertThat(printed()).contains("stopped with savepoint");
        assertThat(newestRun().status).isEqualTo(RunRecord.STOPPED);

        JobRuns.publish(prompts, "second.jsonl", lines(7, 10));
        assertThat(stageflow("resume")).as(printed()).isZero();
        assertThat(printed()).contains("resumed as job");
        awaitCommitted(run, 10 + 1);
        assertThat(stageflow("status")).as(printed()).isZero();
        assertThat(printed()).contains("RUNNING", "10 results and 1 dead letters committed", "Checkpoints:");
        assertThat(stageflow("cancel")).as(printed()).isZero();
        assertThat(printed()).contains("CANCELED");

        RunRecord resumed = newestRun();
        assertThat(resumed.jobs).hasSize(2);
        assertThat(resumed.jobs.get(1).restoredFrom).isEqualTo(resumed.savepoints.get(1));
        assertThat(committedIds(resumed)).as("each prompt committed once")
                .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 10).mapToObj(ClusterCommandsITCase::id).toList());
        assertThat(CommittedOutput.deadLetters(new org.apache.flink.core.fs.Path(resumed.outputDir)))
                .extracting((DeadLetter d) -> d.reason).containsExactly("MALFORMED_JSON");

        Map<String, Long> processes = new FlinkCluster(dir.resolve("data")).running();
        assertThat(processes).hasSize(3);
        assertThat(stageflow("cluster", "stop")).isZero();
        assertThat(processes.values()).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isEmpty());
        assertThat(stageflow("cluster", "status")).isEqualTo(3);
    }

    /** Runs {@code stageflow} with this test's data directory; what it printed is in {@link #printed}. */
    private int stageflow(String... args) {
        out.reset();
        err.reset();
        List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
        rest.addAll(List.of("--data-dir", dir.resolve("data").toString()));
        return CommandLines.execute(out, err, args[0], rest.toArray(String[]::new));
    }

    private static String[] withSmall(String... args) {
        return Stream.concat(Stream.of(args), Stream.of(SMALL)).toArray(String[]::new);
    }

    private String printed() {
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }

    private RunRecord newestRun() throws Exception {
        try (Stream<Path> runs = Files.list(dir.resolve("data").resolve(RunRecord.RUNS))) {
            Path newest = runs.max(Path::compareTo).orElseThrow();
            return Json.MAPPER.readValue(newest.resolve(RunRecord.FILE).toFile(), RunRecord.class);
        }
    }

    private void awaitCommitted(RunRecord run, long rows) throws InterruptedException {
        JobRuns.await(rows + " committed rows of run " + run.runId, TIMEOUT,
                () -> CommittedOutput.rows(new org.apache.flink.core.fs.Path(run.outputDir)) >= rows);
    }

    private static List<String> committedIds(RunRecord run) {
        return CommittedOutput.results(new org.apache.flink.core.fs.Path(run.outputDir)).stream()
                .map((GenerationResult r) -> r.promptId).toList();
    }

    private static List<String> lines(int from, int to) {
        List<String> lines = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            lines.add("{\"promptId\": \"" + id(i) + "\", \"text\": \"prompt number " + i + "\"}");
        }
        return lines;
    }

    private static String id(int i) {
        return String.format("p-%02d", i);
    }
}
