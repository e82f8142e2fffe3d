package dev.stageflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.testing.TestPrompts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/cluster.sh} and {@code scripts/submit.sh} as a user runs them: a JobManager and
 * two TaskManagers as separate JVMs on free ports, the job jar submitted over REST, exact results,
 * and no process left after {@code stop}.
 */
class ClusterScriptsITCase {

    private static final Path ROOT = TestPrompts.projectFile("");

    @TempDir
    Path dir;

    private Path log;

    @AfterEach
    void stopCluster() throws Exception {
        script("cluster.sh", "stop", "--data-dir", dir.toString());
    }

    @Test
    void startsSubmitsCommitsEachPromptOnceAndStops() throws Exception {
        log = dir.resolve("scripts.log");
        Path prompts = dir.resolve("prompts.jsonl");
        ChaosPrompts.write(6, 1, prompts);
        Files.writeString(prompts, "not json\n", StandardOpenOption.APPEND);

        assertThat(script("cluster.sh", "start", "--data-dir", dir.toString(),
                "--rest-port", Integer.toString(freePort()), "--rpc-port", Integer.toString(freePort())))
                .as(logText()).isZero();
        assertThat(script("cluster.sh", "status", "--data-dir", dir.toString())).as(logText()).isZero();
        assertThat(logText()).contains("\"taskmanagers\":2", "taskmanager-1: running", "taskmanager-2: running");

        Path out = dir.resolve("out");
        assertThat(script("submit.sh", "--data-dir", dir.toString(), "--prompts", prompts.toString(),
                "--out", out.toString(), "--wait", "--request.default-width", "32", "--request.default-height", "32",
                "--request.default-steps", "1")).as(logText()).isZero();

        org.apache.flink.core.fs.Path output = new org.apache.flink.core.fs.Path(out.toUri());
        assertThat(CommittedOutput.results(output)).extracting((GenerationResult r) -> r.promptId)
                .containsExactlyInAnyOrder("chaos-00001", "chaos-00002", "chaos-00003", "chaos-00004", "chaos-00005",
                        "chaos-00006");
        assertThat(CommittedOutput.deadLetters(output)).extracting((DeadLetter d) -> d.reason)
                .containsExactly("MALFORMED_JSON");
        assertThat(dir.resolve("cluster/log/jobmanager.log")).content().contains("switched from state RUNNING to FINISHED");

        List<String> pids = new ArrayList<>();
        try (var files = Files.list(dir.resolve("cluster/pids"))) {
            for (Path pid : files.toList()) {
                pids.add(Files.readString(pid).trim());
            }
        }
        assertThat(pids).hasSize(3);
        assertThat(script("cluster.sh", "stop", "--data-dir", dir.toString())).isZero();
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(Long.parseLong(pid))).isEmpty());
        assertThat(script("cluster.sh", "status", "--data-dir", dir.toString())).isEqualTo(3);
    }

    private int script(String name, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", ROOT.resolve("scripts").resolve(name).toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo((log == null ? dir.resolve("stop.log") : log).toFile()))
                .start();
        if (!process.waitFor(4, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(name + " did not end within 4 minutes\n" + logText());
        }
        return process.exitValue();
    }

    private String logText() {
        try {
            return log != null && Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
