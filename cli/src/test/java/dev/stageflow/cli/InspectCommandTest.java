package dev.stageflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.model.GenerationResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inspect command on a hand-written run: arguments in any order, a corrupt artifact failing
 * --verify by name, Redis that does not answer, unknown and missing prompt ids.
 */
class InspectCommandTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private GenerationResult fine;
    private GenerationResult corrupt;

    @BeforeEach
    void writeRun() throws IOException {
        Path store = dir.resolve("store");
        fine = HandWrittenRuns.row(store, "p-a", "a lighthouse", 16);
        corrupt = HandWrittenRuns.row(store, "p-b", "a corrupt enhanced image", 16);
        HandWrittenRuns.corrupt(corrupt.image);
        HandWrittenRuns.write(dir.resolve("out"), List.of(fine, corrupt), List.of());
    }

    @Test
    void aJobOptionBeforeThePromptIdIsNotTakenForItAndUnreachableRedisIsSaidSo() throws IOException {
        String redis = "redis://127.0.0.1:" + closedPort() + "/0";

        int status = run("--redis.uri", redis, "p-a", "--out", dir.resolve("out").toString(), "--verify");

        assertThat(status).as(err()).isZero();
        assertThat(out()).startsWith("Prompt       p-a" + System.lineSeparator())
                .contains("    verified     yes, its checksums hold")
                .endsWith("Redis        " + redis + " is not reachable; sf:prompt:p-a not read"
                        + System.lineSeparator());
    }

    @Test
    void verifyFailsNamingTheArtifactWhoseChecksumsDoNotHold() throws IOException {
        int status = run("p-b", "--out", dir.resolve("out").toString(), "--verify");

        assertThat(status).isEqualTo(1);
        assertThat(out()).contains("    verified     yes, its checksums hold" + System.lineSeparator())
                .contains("    verified     NO: Artifact " + corrupt.image.uri + " has a corrupt chunk image.png"
                        + " (sha256 " + HandWrittenRuns.chunkSha256(corrupt.image) + ", expected "
                        + corrupt.image.sha256 + ")");
        assertThat(err()).isEqualTo("Some artifacts of p-b do not verify (see \"verified\")" + System.lineSeparator());
    }

    @Test
    void anUnknownPromptFailsNamingTheRunAndAMissingOneIsAUsageError() {
        assertThat(run("p-z", "--out", dir.resolve("out").toString())).isEqualTo(1);
        assertThat(err()).isEqualTo("No committed prompt p-z in " + dir.resolve("out").toUri()
                + ", which holds 2 committed prompts" + System.lineSeparator());

        assertThat(run("--out", dir.resolve("out").toString())).isEqualTo(2);
        assertThat(err()).contains("Missing PROMPT_ID");
        assertThat(run("p-a", "p-b", "--out", dir.resolve("out").toString())).isEqualTo(2);
        assertThat(err()).contains("One PROMPT_ID only, got [p-a, p-b]");
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return CommandLines.execute(out, err, "inspect", args);
    }

    /** A loopback port nothing listens on: connections to it are refused at once. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
