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

    private static byte[] lines(String... lines) {
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
