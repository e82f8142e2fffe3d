package dev.stageflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.Json;
import dev.stageflow.sink.CommittedOutput;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local run end to end, as {@code scripts/run-local.sh} starts it: its own Redis, a watched
 * source that stops itself with a savepoint once every line is accounted for, and the summary.
 */
class LocalRunnerITCase {

    @TempDir
    Path dir;

    @Test
    void runsThePromptsStopsByItselfAndSummarisesWhatWasCommitted() throws Exception {
        Path prompts = dir.resolve("prompts.jsonl");
        Files.write(prompts, List.of(
                "{\"text\": \"a lighthouse at dawn\"}",
                "{\"text\": \"a red fox in snow\", \"style\": \"warm\"}",
                "{\"text\": \"a lighthouse at dawn\"}",
                "not json",
                "{\"text\": \"a koi pond\", \"seed\": 3}"));
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        int exit = LocalRunner.run(LocalRunner.Arguments.parse(new String[] {
            "--prompts", prompts.toString(), "--data-dir", dir.resolve("data").toString(), "--rest.port", "0",
            "--request.default-width", "32", "--request.default-height", "32", "--request.default-steps", "1"}),
                new PrintStream(console, true, StandardCharsets.UTF_8));

        String output = console.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(output).isZero();
        assertThat(output).contains("5 prompt lines", "Committed   3 prompts (3 distinct)", "Dead letters 1 {MALFORMED_JSON=1}");
        Path run = Files.list(dir.resolve("data/runs")).findFirst().orElseThrow();
        assertThat(Json.MAPPER.readTree(run.resolve("run.json").toFile()).path("status").asText()).isEqualTo("FINISHED");
        List<GenerationResult> results =
                CommittedOutput.results(new org.apache.flink.core.fs.Path(run.resolve("out").toUri()));
        assertThat(results).extracting(r -> r.text)
                .containsExactlyInAnyOrder("a lighthouse at dawn", "a red fox in snow", "a koi pond");
        assertThat(dir.resolve("data/redis/appendonly.aof")).exists();
    }
}
