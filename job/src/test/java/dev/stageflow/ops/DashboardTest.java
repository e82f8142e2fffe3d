package dev.stageflow.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard ({@code ops/grafana/stageflow.json}) is one a Grafana can import: unique
 * panel ids, panels that do not overlap on its 24-column grid, each on the chosen Prometheus data
 * source and each query on the chosen job. That its metrics exist is checked against a running job
 * by {@code PrometheusMetricsITCase}.
 */
class DashboardTest {

    /** A metric selector: a name and its label matchers. */
    private static final Pattern SELECTOR = Pattern.compile("\\b(flink_[A-Za-z0-9_:]+)(\\{[^}]*})?");

    @Test
    void panelsHaveUniqueIdsAndDoNotOverlap() {
        Set<Integer> ids = new HashSet<>();
        List<int[]> placed = new ArrayList<>();
        for (JsonNode panel : OpsFiles.dashboardPanels()) {
            assertThat(ids.add(panel.path("id").asInt())).as("id of %s", panel.path("title")).isTrue();
            JsonNode grid = panel.path("gridPos");
            int[] box = {grid.path("x").asInt(), grid.path("y").asInt(), grid.path("w").asInt(), grid.path("h").asInt()};
            assertThat(box[0] + box[2]).as("right edge of %s", panel.path("title")).isLessThanOrEqualTo(24);
            for (int[] other : placed) {
                boolean overlap = box[0] < other[0] + other[2] && other[0] < box[0] + box[2]
                        && box[1] < other[1] + other[3] && other[1] < box[1] + box[3];
                assertThat(overlap).as("%s overlaps another panel", panel.path("title")).isFalse();
            }
            placed.add(box);
        }
    }

    @Test
    void everyPanelQueriesTheChosenJobOnTheChosenDataSource() {
        List<JsonNode> panels = OpsFiles.dashboardPanels().stream().filter(p -> !"row".equals(p.path("type").asText())).toList();

        assertThat(panels).hasSizeGreaterThan(15).allSatisfy(panel -> {
            assertThat(panel.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
            assertThat(panel.path("targets")).as("targets of %s", panel.path("title")).isNotEmpty();
            panel.path("targets").forEach(target -> {
                Matcher selector = SELECTOR.matcher(target.path("expr").asText());
                int selectors = 0;
                while (selector.find()) {
                    selectors++;
                    assertThat(selector.group(2)).as("%s in %s", selector.group(1), panel.path("title"))
                            .contains("job_name=\"$job_name\"");
                }
                assertThat(selectors).as("metrics in %s", target.path("expr")).isPositive();
            });
        });
    }

    @Test
    void showsWhatAnOperatorLooksFor() {
        assertThat(OpsFiles.dashboardPanels()).extracting(panel -> panel.path("title").asText()).contains(
                "Throughput per stage", "Latency per stage", "Cache hit ratio", "Checkpoint duration", "Checkpoint size",
                "Dead letters by reason", "Bytes stored", "Restarts per 5 minutes");
    }
}
