package dev.stageflow.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The checkout's monitoring files under {@code ops/}, and the queries in them. */
final class OpsFiles {

    static final Path ROOT = Path.of(System.getProperty("stageflow.root"));
    static final Path PROMETHEUS = ROOT.resolve("ops/prometheus");
    static final Path ALERTS = PROMETHEUS.resolve("stageflow-alerts.yml");
    static final Path ALERT_TESTS = PROMETHEUS.resolve("stageflow-alerts.test.yml");
    static final Path SCRAPE_CONFIG = PROMETHEUS.resolve("prometheus.yml");
    static final Path DASHBOARD = ROOT.resolve("ops/grafana/stageflow.json");

    /** A metric name in PromQL: Flink's reporter names every metric {@code flink_...}. */
    private static final Pattern METRIC = Pattern.compile("\\bflink_[A-Za-z0-9_:]+");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private OpsFiles() {}

    static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    static JsonNode dashboard() {
        try {
            return JSON.readTree(DASHBOARD.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + DASHBOARD, e);
        }
    }

    /** The panels of the dashboard, those inside collapsed rows too. */
    static List<JsonNode> dashboardPanels() {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard().path("panels")) {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        }
        return panels;
    }

    /** Every PromQL query of the dashboard: its panels' targets and its template variables' queries. */
    static List<String> dashboardQueries() {
        List<String> queries = new ArrayList<>();
        dashboardPanels().forEach(panel -> panel.path("targets").forEach(target -> queries.add(target.path("expr").asText())));
        dashboard().path("templating").path("list").forEach(variable -> {
            if (variable.has("definition")) {
                queries.add(variable.path("definition").asText());
            }
        });
        return queries;
    }

    /** The alert rules of {@link #ALERTS}, each a rule node ({@code alert}, {@code expr}, ...). */
    static List<JsonNode> alertRules() {
        List<JsonNode> rules = new ArrayList<>();
        yaml(ALERTS).path("groups").forEach(group -> group.path("rules").forEach(rules::add));
        return rules;
    }

    /** The metric names the PromQL {@code expressions} query. */
    static Set<String> metricNames(Iterable<String> expressions) {
        Set<String> names = new TreeSet<>();
        for (String expression : expressions) {
            Matcher matcher = METRIC.matcher(expression);
            while (matcher.find()) {
                names.add(matcher.group());
            }
        }
        return names;
    }
}
