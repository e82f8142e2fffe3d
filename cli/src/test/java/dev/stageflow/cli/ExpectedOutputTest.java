package dev.stageflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.stage.RequestLimits;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExpectedOutputTest {

    @TempDir
    Path dir;

    @Test
    void countsInvalidBytesConflictsAndDuplicatesAsTheJobDoes() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(lines(
                "{\"promptId\": \"a\", \"text\": \"a fox\"}",
                "",
                "{\"promptId\": \"a\", \"text\": \"a  fox\"}",
                "{\"promptId\": \"a\", \"text\": \"another fox\"}",
                "{\"text\": \"a cat\"} and more"));
        file.writeBytes(new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xFF, '"', '}', '\n'});
        file.writeBytes(lines("{\"text\": \"an owl\"}"));
        Files.write(dir.resolve("prompts.jsonl"), file.toByteArray());
        Files.write(dir.resolve(".hidden.jsonl"), lines("{\"text\": \"never read\"}"));

        ExpectedOutput expected = ExpectedOutput.of(dir, RequestLimits.defaults());

        // a and the owl are results; the conflict, the trailing text and the bad byte are dead letters.
        assertThat(expected).isEqualTo(new ExpectedOutput(6, 2, 3));
    }

    @Test
    void awaitsOnlyACheckpointOnceEverythingUncommittedIsAtTheSinks() {
        ExpectedOutput expected = new ExpectedOutput(12, 10, 2);

        assertThat(expected.awaitsOnlyACheckpoint(11, 0)).as("one prompt still on its way").isFalse();
        assertThat(expected.awaitsOnlyACheckpoint(12, 0)).isTrue();
        assertThat(expected.awaitsOnlyACheckpoint(12, 8)).as("some committed by a periodic checkpoint").isTrue();
        assertThat(expected.awaitsOnlyACheckpoint(4, 8)).as("after a restore: the uncommitted four replayed").isTrue();
        assertThat(expected.awaitsOnlyACheckpoint(3, 8)).isFalse();
        assertThat(expected.awaitsOnlyACheckpoint(12, 12)).as("all committed: the savepoint's turn").isFalse();
    }

    private static byte[] lines(String... lines) {
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
