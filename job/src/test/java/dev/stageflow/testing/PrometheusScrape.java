package dev.stageflow.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Prometheus endpoint read over HTTP, as Prometheus scrapes it: its text format and the metric names in it. */
public final class PrometheusScrape {

    private PrometheusScrape() {}

    /** The text of {@code http://localhost:<port>/metrics}. */
    public static String text(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET /metrics on port " + port + " answered " + response.statusCode());
        }
        return response.body();
    }

    /** The distinct values of label {@code label} on the samples named {@code name} in {@code text}. */
    public static Set<String> labelValues(String text, String name, String label) {
        Set<String> values = new TreeSet<>();
        Pattern value = Pattern.compile("[{,]" + Pattern.quote(label) + "=\"((?:[^\"\\\\]|\\\\.)*)\"");
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "{")) {
                Matcher matcher = value.matcher(line.substring(0, line.lastIndexOf('}') + 1));
                if (matcher.find()) {
                    values.add(matcher.group(1));
                }
            }
        }
        return values;
    }

    /** The names of the samples in {@code text} (Prometheus text format): {@code flink_..._batchSize_count}. */
    public static Set<String> names(String text) {
        Set<String> names = new TreeSet<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int end = 0;
                while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                    end++;
                }
                names.add(line.substring(0, end));
            }
        }
        return names;
    }
}
