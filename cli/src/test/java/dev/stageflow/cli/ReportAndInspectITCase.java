package dev.stageflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.stageflow.config.CacheOptions;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.Json;
import dev.stageflow.redis.PromptMetadata;
import dev.stageflow.servers.RedisServer;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.testing.TestJobs;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * report and inspect on the output of a real run: the job commits a few prompts (one of them
 * carrying a script and an ampersand) and dead letters on a MiniCluster, with Redis for the prompt
 * metadata. The report is rendered by headless Chromium, which must load every image and run no
 * script; inspect must print exactly what the committed rows and Redis hold.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReportAndInspectITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster();

    private static final String XSS_ID = "xss-1";
    private static final List<String> VALID = List.of(
            "{\"promptId\": \"" + XSS_ID + "\", \"text\": \"<script>window.__xss = 1</script> fish & chips\"}",
            "{\"text\": \"a lighthouse on a rocky coast at dawn\", \"seed\": 7}",
            "{\"promptId\": \"fixed-2\", \"text\": \"a koi pond, top-down\", \"style\": \"vivid\", \"width\": 96}");
    private static final Map<String, String> INVALID = Map.of(
            "{\"text\": \"unterminated", "MALFORMED_JSON",
            "{\"prompt\": \"<b>typo</b>\"}", "UNKNOWN_FIELD",
            "{\"text\": \"odd\", \"style\": \"baroque\"}", "UNKNOWN_STYLE");

    /**
     * Loads the report in an iframe and, on load, writes what the browser made of it into {@code
     * #probe}: images and how many loaded, scripts in the report, whether the injected one ran, the
     * text each card shows, the dead-letter table's cells and the placeholders of unreadable images.
     * The report itself is not touched: its policy would stop any script in it.
     */
    private static final String PROBE = String.join("\n",
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>",
            "<iframe id=\"report\" src=\"report.html\"></iframe><pre id=\"probe\"></pre>",
            "<script>",
            "window.addEventListener('load', () => {",
            "  const frame = document.getElementById('report');",
            "  const doc = frame.contentDocument;",
            "  const images = [...doc.images];",
            "  document.getElementById('probe').textContent = JSON.stringify({",
            "    images: images.length,",
            "    loaded: images.filter(image => image.complete && image.naturalWidth > 0).length,",
            "    scripts: doc.scripts.length,",
            "    xss: frame.contentWindow.__xss === undefined ? null : frame.contentWindow.__xss,",
            "    texts: Object.fromEntries([...doc.querySelectorAll('article.card')]",
            "        .map(card => [card.dataset.promptId, card.querySelector('.text').textContent])),",
            "    deadLetters: [...doc.querySelectorAll('table.dead-letters tr')].slice(1)",
            "        .map(row => [...row.cells].map(cell => cell.textContent)),",
            "    unreadable: doc.querySelectorAll('.unreadable').length",
            "  });",
            "});",
            "</script></body></html>");

    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

    @TempDir
    static Path dir;

    private static RedisServer redis;
    private static Path out;
    private static List<GenerationResult> results;
    private static List<DeadLetter> deadLetters;

    @BeforeAll
    static void runTheJob() throws Exception {
        redis = RedisServer.start(dir.resolve("redis"));
        List<String> lines = new ArrayList<>(VALID);
        lines.addAll(INVALID.keySet());
        Path input = Files.write(dir.resolve("prompts.jsonl"), lines);
        out = dir.resolve("out");
        Configuration conf = TestJobs.smallJob(dir.resolve("checkpoints"));
        conf.set(SourceOptions.PROMPTS, input.toUri().toString());
        conf.set(SinkOptions.OUTPUT_DIR, out.toUri().toString());
        conf.set(StoreOptions.URI, dir.resolve("store").toUri().toString());
        conf.set(CacheOptions.REDIS_URI, redis.uri().toString());
        TestJobs.run(conf, "report-and-inspect");

        results = TestJobs.results(out);
        deadLetters = CommittedOutput.deadLetters(TestJobs.flinkPath(out));
        assertThat(results).extracting(result -> result.promptId)
                .containsExactlyInAnyOrderElementsOf(TestJobs.validPromptIds(VALID, conf));
        assertThat(deadLetters).extracting(deadLetter -> deadLetter.raw)
                .containsExactlyInAnyOrderElementsOf(INVALID.keySet());
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Test
    void reportLoadsEveryImageInABrowserShowsTheTextsAndDeadLettersAndRunsNoInjectedScript() throws Exception {
        Execution report = stageflow("report", "--out", out.toString());

        assertThat(report.status()).as(report.err()).isZero();
        assertThat(report.out()).isEqualTo(out.resolve("report.html") + System.lineSeparator());
        Files.writeString(out.resolve("probe.html"), PROBE);
        String dom = HeadlessChromium.dumpDom(out.resolve("probe.html"),
                Files.createDirectories(dir.resolve("browser")), Duration.ofSeconds(60));
        JsonNode probe = probe(dom);

        assertThat(probe.get("images").asInt()).as(dom).isEqualTo(2 * results.size());
        assertThat(probe.get("loaded").asInt()).as("images the browser loaded").isEqualTo(2 * results.size());
        assertThat(probe.get("unreadable").asInt()).isZero();
        assertThat(probe.get("scripts").asInt()).as("script elements in the report").isZero();
        assertThat(probe.get("xss").isNull()).as("the prompt's script did not run").isTrue();
        assertThat(Json.MAPPER.convertValue(probe.get("texts"), STRING_MAP)).isEqualTo(
                results.stream().collect(Collectors.toMap(result -> result.promptId, result -> result.text)));
        assertThat(results).filteredOn(result -> result.promptId.equals(XSS_ID)).extracting(result -> result.text)
                .containsExactly("<script>window.__xss = 1</script> fish & chips");
        List<List<String>> rows = new ArrayList<>();
        probe.get("deadLetters").forEach(row -> rows.add(List.of(row.get(0).asText(), row.get(1).asText(),
                row.get(2).asText())));
        assertThat(rows).containsExactlyInAnyOrderElementsOf(deadLetters.stream()
                .map(deadLetter -> List.of(deadLetter.reason, deadLetter.detail, deadLetter.raw)).toList());
        assertThat(rows).extracting(row -> Map.entry(row.get(2), row.get(0)))
                .containsExactlyInAnyOrderElementsOf(INVALID.entrySet());
    }

    @Test
    void inspectPrintsTheCommittedLineageVerifiesEveryArtifactAndShowsTheRedisHash() {
        GenerationResult row = committed(XSS_ID);

        Execution inspect = stageflow("inspect", XSS_ID, "--out", out.toString(), "--verify",
                "--redis.uri", redis.uri().toString());

        assertThat(inspect.status()).as(inspect.err()).isZero();
        String printed = inspect.out();
        assertThat(printed).startsWith(String.join(System.lineSeparator(),
                "Prompt       " + XSS_ID,
                "Run          " + out.toUri() + " (" + results.size() + " prompts committed)",
                "Text         <script>window.__xss = 1</script> fish & chips",
                "Parameters   style natural, seed " + row.seed + ", 64x64, 2 steps",
                "Submitted    "));
        List<ArtifactRef> artifacts = TestJobs.artifacts(row);
        assertThat(all(printed, "    uri          (\\S+)")).containsExactlyElementsOf(uris(artifacts));
        assertThat(all(printed, "    sha256       (\\S+)"))
                .containsExactlyElementsOf(artifacts.stream().map(ref -> ref.sha256).toList());
        assertThat(all(printed, "    raw size     (\\d+) B"))
                .containsExactlyElementsOf(artifacts.stream().map(ref -> Long.toString(ref.rawSize)).toList());
        assertThat(all(printed, "    stored size  (\\d+) B"))
                .containsExactlyElementsOf(artifacts.stream().map(ref -> Long.toString(ref.storedSize)).toList());
        assertThat(all(printed, "    verified     (.+)")).hasSize(artifacts.size())
                .containsOnly("yes, its checksums hold");
        assertThat(printed).contains("Final image  " + row.image.uri + System.lineSeparator())
                .contains("Redis        sf:prompt:" + XSS_ID + " at " + redis.uri() + System.lineSeparator());
        Map<String, String> hash = new LinkedHashMap<>();
        Matcher field = Pattern.compile("(?m)^  (\\S+) +(.*)$").matcher(printed.substring(printed.indexOf("Redis ")));
        field.results().forEach(match -> hash.put(match.group(1), match.group(2)));
        assertThat(hash).containsAllEntriesOf(PromptMetadata.fields(row));
        assertThat(hash.keySet()).isEqualTo(withCommitFields(PromptMetadata.fields(row).keySet()));
    }

    @Test
    void inspectJsonHoldsTheCommittedRowItsVerificationAndTheRedisHash() throws Exception {
        GenerationResult row = committed(XSS_ID);

        Execution inspect = stageflow("inspect", "--redis.uri", redis.uri().toString(), XSS_ID, "--json",
                "--verify", "--out", out.toString());

        assertThat(inspect.status()).as(inspect.err()).isZero();
        JsonNode json = Json.MAPPER.readTree(inspect.out());
        assertThat(json.get("outputDir").asText()).isEqualTo(out.toUri().toString());
        assertThat(json.get("committedPrompts").asInt()).isEqualTo(results.size());
        assertThat(Json.MAPPER.treeToValue(json.get("result"), GenerationResult.class)).isEqualTo(row);
        List<String> verified = new ArrayList<>();
        json.get("verification").forEach(v -> {
            assertThat(v.get("verified").asBoolean()).as(v.toString()).isTrue();
            verified.add(v.get("uri").asText());
        });
        assertThat(verified).containsExactlyElementsOf(uris(TestJobs.artifacts(row)));
        JsonNode hash = json.get("redis");
        assertThat(hash.get("status").asText()).isEqualTo("FOUND");
        assertThat(hash.get("key").asText()).isEqualTo(PromptMetadata.keyOf(XSS_ID));
        Map<String, String> fields = Json.MAPPER.convertValue(hash.get("fields"), STRING_MAP);
        assertThat(fields).containsAllEntriesOf(PromptMetadata.fields(row));
        assertThat(fields.keySet()).isEqualTo(withCommitFields(PromptMetadata.fields(row).keySet()));
    }

    @Test
    void inspectOfAnUnknownPromptFailsNamingTheRunAndItsPromptCount() {
        Execution inspect = stageflow("inspect", "no-such-prompt", "--out", out.toString());

        assertThat(inspect.status()).isEqualTo(1);
        assertThat(inspect.out()).isEmpty();
        assertThat(inspect.err()).isEqualTo("No committed prompt no-such-prompt in " + out.toUri() + ", which holds "
                + results.size() + " committed prompts" + System.lineSeparator());
    }

    private record Execution(int status, String out, String err) {}

    private static Execution stageflow(String command, String... args) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int status = CommandLines.execute(stdout, stderr, command, args);
        return new Execution(status, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    }

    /** The JSON the probe wrote into {@code #probe}, from the DOM Chromium dumped. */
    private static JsonNode probe(String dom) throws Exception {
        Matcher probe = Pattern.compile("<pre id=\"probe\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertThat(probe.find()).as("a #probe element in %s", dom).isTrue();
        assertThat(probe.group(1)).as("the probe's output (empty: its script failed) in %s", dom).isNotEmpty();
        String json = probe.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", "\u00a0")
                .replace("&amp;", "&");
        return Json.MAPPER.readTree(json);
    }

    private static GenerationResult committed(String promptId) {
        return results.stream().filter(result -> result.promptId.equals(promptId)).findFirst().orElseThrow();
    }

    private static List<String> all(String text, String regex) {
        return Pattern.compile("(?m)^" + regex + "$").matcher(text).results().map(match -> match.group(1)).toList();
    }

    private static List<String> uris(List<ArtifactRef> artifacts) {
        return artifacts.stream().map(ref -> ref.uri).toList();
    }

    /** The fields of a prompt's hash: its metadata and what the commit-metadata operator adds. */
    private static Set<String> withCommitFields(Set<String> metadata) {
        Set<String> fields = new HashSet<>(metadata);
        fields.addAll(Set.of("checkpointId", "committedAt"));
        return fields;
    }
}
