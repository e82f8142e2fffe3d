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

/**
 * The console progress bar of a local run. It reads per-operator record counts from the job's
 * REST API (the same numbers the web UI shows), so it reports what Flink did, not a guess.
 */
final class ProgressReporter implements AutoCloseable {

    /** Operator name prefixes in the web UI, with the short labels the bar uses. */
    private static final Map<String, String> STAGES = new LinkedHashMap<>();

    static {
        STAGES.put("Parse and validate", "parsed");
        STAGES.put("Text encode", "encoded");
        STAGES.put("Image generate", "generated");
        STAGES.put("Image enhance", "enhanced");
        STAGES.put("Commit results", "written");
        STAGES.put("Commit dead letters", "dead");
    }

    private static final int BAR_WIDTH = 30;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI jobUri;
    private final long total;
    private final PrintStream out;
    private final boolean interactive;
    private final long startNanos = System.nanoTime();
    private final Thread thread;
    private volatile boolean running = true;
    private String lastLine = "";

    ProgressReporter(int restPort, String jobId, long total, PrintStream out) {
        this.jobUri = URI.create("http://localhost:" + restPort + "/jobs/" + jobId);
        this.total = total;
        this.out = out;
        this.interactive = System.console() != null;
        this.thread = new Thread(this::loop, "progress");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(interactive ? 500 : 5_000);
                print(render(fetchCounts()));
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                // The REST endpoint is briefly unavailable while the job starts or restarts.
            }
        }
    }

    private Map<String, Long> fetchCounts() throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(HttpRequest.newBuilder(jobUri).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
        JsonNode job = Json.MAPPER.readTree(response.body());
        Map<String, Long> counts = new LinkedHashMap<>();
        for (JsonNode vertex : job.path("vertices")) {
            String name = vertex.path("name").asText();
            JsonNode metrics = vertex.path("metrics");
            if (name.startsWith("Dedupe")) {
                counts.put("duplicates", metrics.path("read-records").asLong() - metrics.path("write-records").asLong());
            }
            STAGES.forEach((prefix, label) -> {
                if (name.startsWith(prefix)) {
                    String metric = label.equals("parsed") ? "read-records" : recordsMetric(name);
                    counts.merge(label, metrics.path(metric).asLong(), Math::max);
                }
            });
        }
        return counts;
    }

    /** Sinks are measured by what they received, the other operators by what they emitted. */
    private static String recordsMetric(String vertexName) {
        return vertexName.startsWith("Commit") ? "read-records" : "write-records";
    }

    private String render(Map<String, Long> counts) {
        long done = counts.getOrDefault("written", 0L) + counts.getOrDefault("dead", 0L)
                + counts.getOrDefault("duplicates", 0L);
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
        line.append(String.format("%.1f prompts/s  %.0fs", counts.getOrDefault("written", 0L) / Math.max(seconds, 1e-3), seconds));
        return line.toString();
    }

    private synchronized void print(String line) {
        if (line.equals(lastLine)) {
            return;
        }
        lastLine = line;
        if (interactive) {
            out.print("\r" + line + "\u001B[K");
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (interactive) {
            out.println();
        }
    }
}
