package dev.stageflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.DeadLetterReason;
import dev.stageflow.model.GenerationResult;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report command on hand-written runs: cards in promptId order up to the limit, a placeholder
 * naming the artifact for every image that cannot be read, untrusted text escaped.
 */
class ReportCommandTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void showsAPlaceholderForEachUnreadableImageAndLeavesOutRowsBeyondTheLimit() throws Exception {
        Path store = dir.resolve("store");
        GenerationResult fine = HandWrittenRuns.row(store, "p-a", "fish <script>alert(1)</script> & chips", 16);
        GenerationResult corrupt = HandWrittenRuns.row(store, "p-b", "a corrupt enhanced image", 16);
        GenerationResult missing = HandWrittenRuns.row(store, "p-c", "a missing generated image", 16);
        GenerationResult beyond = HandWrittenRuns.row(store, "p-d", "beyond the limit", 16);
        HandWrittenRuns.corrupt(corrupt.image);
        HandWrittenRuns.deleteManifest(missing.generate.artifacts[0]);
        DeadLetter deadLetter = new DeadLetter(DeadLetterReason.MALFORMED_JSON, "Unexpected end-of-input",
                "{\"text\": \"<img src=x onerror=alert(2)>", 5);
        HandWrittenRuns.write(dir.resolve("out"), List.of(beyond, missing, fine, corrupt), List.of(deadLetter));

        int status = CommandLines.execute(out, err, "report", "--out", dir.resolve("out").toString(), "--limit", "3");

        assertThat(status).as(err()).isZero();
        Path report = dir.resolve("out").resolve("report.html");
        assertThat(out()).isEqualTo(report + System.lineSeparator());
        String page = Files.readString(report);
        assertThat(all(page, "data-prompt-id=\"([^\"]+)\"")).containsExactly("p-a", "p-b", "p-c");
        assertThat(page).contains("Showing 3 of 4 prompts, the first by promptId; 1 left out (--limit).");
        assertThat(all(page, "<img src=\"data:image/png;base64,[A-Za-z0-9+/=]+\" width=\"(\\d+)\"")).hasSize(4);
        assertThat(all(page, "<div class=\"unreadable\">cannot show this image: ([^<]*)</div>")).containsExactly(
                "Artifact " + corrupt.image.uri + " has a corrupt chunk image.png (sha256 "
                        + HandWrittenRuns.chunkSha256(corrupt.image) + ", expected " + corrupt.image.sha256 + ")",
                "Artifact " + missing.generate.artifacts[0].uri + " has no manifest (missing or never completed)");
        assertThat(page).contains("<p class=\"text\">fish &lt;script&gt;alert(1)&lt;/script&gt; &amp; chips</p>")
                .contains("<td class=\"raw\">{&quot;text&quot;: &quot;&lt;img src=x onerror=alert(2)&gt;</td>")
                .doesNotContain("<script").doesNotContain("<img src=x");
        assertThat(page).contains("<tr><th>Prompts committed</th><td class=\"n\">4</td></tr>")
                .contains("<tr><th class=\"part\">MALFORMED_JSON</th><td class=\"n\">1</td></tr>")
                .contains("<tr><td>text-encode</td><td class=\"n\">4/4</td><td class=\"n\">12</td>"
                        + "<td class=\"n\">3.0</td></tr>");
    }

    @Test
    void aDirectoryThatIsNoRunsOutputFailsAndABadLimitIsAUsageError() throws Exception {
        Files.createDirectories(dir.resolve("empty"));

        assertThat(CommandLines.execute(out, err, "report", "--out", dir.resolve("empty").toString())).isEqualTo(1);
        assertThat(err()).isEqualTo(dir.resolve("empty").toUri() + " is not the output.dir of a run: it holds"
                + " neither results/ nor dead-letters/" + System.lineSeparator());
        assertThat(CommandLines.execute(out, err, "report", "--out", dir.toString(), "--limit", "0")).isEqualTo(2);
        assertThat(err()).contains("--limit must be at least 1, got 0");
    }

    private static List<String> all(String page, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(page);
        return matcher.results().map(match -> match.group(1)).toList();
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
