package dev.stageflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.Json;
import dev.stageflow.servers.FlinkCluster;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.stage.ImageGenerateStage;
import dev.stageflow.store.ArtifactLocation;
import dev.stageflow.testing.JobRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A prompt that kills its TaskManager, on a real cluster of separate JVMs: each time its
 * image-generate call is running (its call record is in the store), the TaskManager making the call
 * is killed with SIGKILL and started again, three times. The job restarts each time; at the fourth attempt
 * the prompt is a POISON_PILL dead letter instead of a fourth crash, and every other prompt is
 * committed exactly once.
 */
class PoisonPillClusterITCase {

    private static final Duration STEP = Duration.ofMinutes(3);
    private static final String POISON = "poison";

    @TempDir
    Path dir;

    private ClusterUser user;

    @BeforeEach
    void user() {
        user = new ClusterUser(dir.resolve("data"));
    }

    @AfterEach
    void stopCluster() {
        user.run("cluster", "stop");
    }

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void aPromptWhoseCallsKeepKillingTheTaskManagerIsAPoisonPill() throws Exception {
        assertThat(user.run("cluster", "start", "--rest-port", "0", "--rpc-port", "0")).as(user.printed()).isZero();
        Path prompts = dir.resolve("prompts.jsonl");
        List<String> lines = new ArrayList<>();
        IntStream.rangeClosed(1, 8).forEach(i -> lines.add(
                "{\"promptId\": \"p-" + i + "\", \"text\": \"small prompt " + i + "\", \"width\": 32, \"height\": 32}"));
        // Big and many steps: its generate call runs long enough to be seen, and killed, while it runs.
        lines.add("{\"promptId\": \"" + POISON + "\", \"text\": \"a huge one\", \"width\": 1024, \"height\": 1024,"
                + " \"steps\": 50}");
        Files.write(prompts, lines);
        Path store = dir.resolve("store");
        assertThat(user.run("submit", "--prompts", prompts.toString(), "--store.uri", store.toUri().toString(),
                "--request.default-steps", "1", "--request.max-steps", "50")).as(user.printed()).isZero();

        FlinkCluster cluster = new FlinkCluster(user.dataDir());
        Path calls = store.resolve(ArtifactLocation.CALLS_DIR).resolve(ImageGenerateStage.STAGE);
        Set<String> killedIn = new HashSet<>();
        for (int crash = 1; crash <= 3; crash++) {
            String record = awaitCallRecordNaming(calls, killedIn);
            killedIn.add(record);
            String taskManager = taskManagerOf(cluster, record);
            cluster.kill(taskManager);
            assertThat(user.run("cluster", "start-taskmanager", taskManager.substring(taskManager.lastIndexOf('-') + 1)))
                    .as(user.printed()).isZero();
        }

        RunRecord run = user.newestRun();
        org.apache.flink.core.fs.Path output = new org.apache.flink.core.fs.Path(run.outputDir);
        JobRuns.await("8 results and the poison pill committed", Duration.ofMinutes(3),
                () -> CommittedOutput.rows(output) >= 9);
        assertThat(CommittedOutput.results(output)).extracting((GenerationResult r) -> r.promptId)
                .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 8).mapToObj(i -> "p-" + i).toList());
        List<DeadLetter> deadLetters = CommittedOutput.deadLetters(output);
        assertThat(deadLetters).hasSize(1);
        assertThat(deadLetters.get(0).promptId).isEqualTo(POISON);
        assertThat(deadLetters.get(0).reason).isEqualTo("POISON_PILL");
        assertThat(deadLetters.get(0).stage).isEqualTo(ImageGenerateStage.STAGE);
        assertThat(deadLetters.get(0).attempts).isEqualTo(3);
        assertThat(killedIn).hasSize(3);
    }

    /**
     * The TaskManager whose process made the call of {@code record}: as a crash the prompt caused
     * would, the kill takes that process only, with whatever else it was running.
     */
    private static String taskManagerOf(FlinkCluster cluster, String record) {
        long pid = Long.parseLong(record.split("\\.")[2].split("-")[1]);
        return cluster.running().entrySet().stream().filter(process -> process.getValue() == pid)
                .map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new AssertionError("No TaskManager with pid " + pid + " made call " + record));
    }

    /** The name of a call record of image-generate, not in {@code seen}, that names the poison prompt. */
    private static String awaitCallRecordNaming(Path calls, Set<String> seen) throws Exception {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> record = callRecordNaming(calls, seen);
            if (record.isPresent()) {
                return record.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("No image-generate call of " + POISON + " after " + STEP + " (records: " + seen + ")");
    }

    private static Optional<String> callRecordNaming(Path calls, Set<String> seen) throws IOException {
        if (!Files.isDirectory(calls)) {
            return Optional.empty();
        }
        try (Stream<Path> records = Files.list(calls)) {
            for (Path record : records.toList()) {
                String name = record.getFileName().toString();
                if (seen.contains(name) || name.startsWith(".")) {
                    continue;
                }
                try {
                    if (Json.MAPPER.readValue(record.toFile(), List.class).contains(POISON)) {
                        return Optional.of(name);
                    }
                } catch (IOException deletedOrBeingWritten) {
                    // a finished call's record, deleted while listing, or one still being written
                }
            }
        }
        return Optional.empty();
    }
}
