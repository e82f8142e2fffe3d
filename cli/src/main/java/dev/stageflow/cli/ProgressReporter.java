package dev.stageflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stageflow.model.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The console progress bar of a local run. It reads per-operator record counts from the job's
 * REST API (the same numbers the web UI shows), so it reports what Flink did, not a guess.
 */
final class ProgressReporter {

    /** Operator name prefixes in the web UI, with the short labels the bar uses. */
    private static final Map<String, String> STAGES = new LinkedHashMap<>();

    static {
        STAGES.put("Parse and validate", "parsed");
        STAGES.put("Text encode", "encoded");
        STAGES.put("Image generate", "generated");
        STAGES.put("Image enhance", "enhanced");
        STAGES.put("Commit results: Writer", "written");
        STAGES.put("Commit dead letters: Writer", "dead");
    }

    private static final int BAR_WIDTH = 30;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI jobUri;
    private final long total;
    private final PrintStream out;
    private final boolean interactive = System.console() != null;
    private final long startNanos = System.nanoTime();
    private long lastPrintNanos;
    private String lastLine = "";

    ProgressReporter(int restPort, String jobId, long total, PrintStream out) {
        this.jobUri = URI.create("http://localhost:" + restPort + "/jobs/" + jobId);
        this.total = total;
        this.out = out;
    }

    /** Record counts per stage label, or empty while the REST endpoint is not answering. */
    Optional<Map<String, Long>> poll() {
        try {
            Map<String, Long> counts = fetchCounts();
            print(render(counts));
            return Optional.of(counts);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Prompt lines fully handled: committed-to-be results, dead letters and dropped duplicates. */
    static long accountedFor(Map<String, Long> counts) {
        return counts.getOrDefault("written", 0L) + counts.getOrDefault("dead", 0L)
                + counts.getOrDefault("duplicates", 0L);
    }

    private Map<String, Long> fetchCounts() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(jobUri).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + " from " + jobUri);
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        for (JsonNode vertex : Json.MAPPER.readTree(response.body()).path("vertices")) {
            String name = vertex.path("name").asText();
            JsonNode metrics = vertex.path("metrics");
            if (name.startsWith("Dedupe")) {
                counts.put("duplicates", metrics.path("read-records").asLong() - metrics.path("write-records").asLong());
            }
            STAGES.forEach((prefix, label) -> {
                if (name.startsWith(prefix)) {
                    counts.put(label, metrics.path(recordsMetric(name)).asLong());
                }
            });
        }
        return counts;
    }

    /** Sinks and the parser are measured by what they received, the stages by what they emitted. */
    private static String recordsMetric(String vertexName) {
        return vertexName.startsWith("Commit") || vertexName.startsWith("Parse") ? "read-records" : "write-records";
    }

    private String render(Map<String, Long> counts) {
        long done = accountedFor(counts);
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        StringBuilder line = new StringBuilder();
        if (total > 0) {
            int filled = (int) Math.min(BAR_WIDTH, done * BAR_WIDTH / total);
            line.append('[').append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ");
            line.append(String.format("%d/%d  ", done, total));
        } else {
            line.append(String.format("%d done  ", done));
        }
        counts.forEach((label, count) -> line.append(label).append(' ').append(count).append("  "));
        line.append(String.format("%.1f prompts/s  %.0fs",
                counts.getOrDefault("written", 0L) / Math.max(seconds, 1e-3), seconds));
        return line.toString();
    }

    private void print(String line) {
        long now = System.nanoTime();
        boolean due = interactive || now - lastPrintNanos > Duration.ofSeconds(5).toNanos();
        if (line.equals(lastLine) || !due) {
            return;
        }
        lastLine = line;
        lastPrintNanos = now;
        out.print(interactive ? "\r" + line + "\u001B[K" : line + "\n");
        out.flush();
    }

    /** Ends the progress line. */
    void finish() {
        if (interactive) {
            out.println();
        }
    }
}
