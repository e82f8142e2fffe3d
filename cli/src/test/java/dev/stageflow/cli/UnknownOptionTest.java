package dev.stageflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A command that runs the job refuses an unknown option before it starts, records or contacts anything. */
class UnknownOptionTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"run", "submit", "resume"})
    void aTypoFailsTheCommandNamingTheNearestOption(String command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int exit = CommandLines.execute(out, err, command, "--data-dir", dir.toString(),
                "--request.max-line-lenght", "100", "--rest.port", "0");

        assertThat(exit).isEqualTo(Stageflow.FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8).strip())
                .isEqualTo("Unknown option 'request.max-line-lenght'; did you mean 'request.max-line-bytes'?");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(dir).isEmptyDirectory();
    }
}
