package dev.stageflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.RequestOptions;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.source.PromptFileOutcomes;
import dev.stageflow.stage.RequestLimits;
import dev.stageflow.testing.HostileLines;
import dev.stageflow.testing.TestJobs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file of {@link HostileLines} (invalid UTF-8, trailing objects, lone surrogates, bidi
 * controls, an overlong line, reused promptIds with other content) through the whole job: the job
 * finishes, and the committed results and dead letters are exactly what parse-validate and dedupe
 * make of each line ({@link PromptFileOutcomes}), one outcome per line. (A generated line that
 * holds a line separator is two lines, for the job and the expectation alike.)
 */
class HostileInputITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster();

    private static final int LINES = 400;

    @TempDir
    Path dir;

    @Test
    void everyHostileLineEndsAsExactlyOneResultOrDeadLetter() throws Exception {
        Configuration conf = TestJobs.smallJob(dir.resolve("checkpoints"));
        conf.set(RequestOptions.MAX_SIZE, 128);
        conf.set(RequestOptions.MAX_STEPS, 4);
        conf.set(RequestOptions.MAX_LINE_BYTES, 2_048);
        List<byte[]> lines = new ArrayList<>(HostileLines.sample(20261130L, LINES));
        lines.add(("{\"text\": \"" + "long ".repeat(1_000) + "\"}").getBytes());
        lines.add("{\"promptId\": \"shared-id\", \"text\": \"first\"}".getBytes());
        lines.add("{\"promptId\": \"shared-id\", \"text\": \"second\"}".getBytes());
        Path prompts = write(lines);
        PromptFileOutcomes expected = PromptFileOutcomes.of(List.of(prompts), RequestLimits.from(conf));
        assertThat(expected.deadLetters()).extracting(Enum::name).contains("INVALID_ENCODING", "MALFORMED_JSON", "BIDI_CONTROL",
                "LINE_TOO_LONG", "PROMPT_ID_CONFLICT");
        assertThat(expected.promptIds()).hasSizeGreaterThan(20);

        conf.set(SourceOptions.PROMPTS, prompts.toUri().toString());
        conf.set(SinkOptions.OUTPUT_DIR, dir.resolve("out").toUri().toString());
        conf.set(StoreOptions.URI, dir.resolve("store").toUri().toString());
        TestJobs.run(conf, "hostile-input");

        List<GenerationResult> results = CommittedOutput.results(TestJobs.flinkPath(dir.resolve("out")));
        List<DeadLetter> deadLetters = CommittedOutput.deadLetters(TestJobs.flinkPath(dir.resolve("out")));
        assertThat(results).extracting(r -> r.promptId).containsExactlyInAnyOrderElementsOf(expected.promptIds());
        assertThat(deadLetters).extracting(d -> d.reason)
                .containsExactlyInAnyOrderElementsOf(expected.deadLetters().stream().map(Enum::name).toList());
        System.out.printf("%d hostile lines (%d non-blank after splitting at line separators): %d results, %d dead letters%n",
                lines.size(), expected.lines(), results.size(), deadLetters.size());
    }

    private Path write(List<byte[]> lines) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        for (byte[] line : lines) {
            file.write(line);
            file.write('\n');
        }
        Path prompts = dir.resolve("hostile.jsonl");
        Files.write(prompts, file.toByteArray());
        return prompts;
    }
}
