package dev.stageflow.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.StageflowMetric;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MetricsReferenceTest {

    private static final Path README = Path.of(System.getProperty("stageflow.root"), "README.md");

    @Test
    void readmeListsEveryMetricAsTheCatalogueDeclaresIt() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);

        assertThat(readme)
                .as("README.md metric table is stale: run scripts/generate.sh")
                .isEqualTo(MetricsReference.withReference(readme));
    }

    @Test
    void aRowNamesTheMetricAsPrometheusAndAsFlinkShowIt() {
        assertThat(MetricsReference.markdown())
                .contains("| `flink_taskmanager_job_task_operator_stage_latencyMillis` | histogram (summary: `quantile`,"
                        + " `_count`) | `stage` | `stage.<stage>.latencyMillis` | text-encode, image-generate, image-enhance |")
                .contains("`redis.breakerState`")
                .hasLineCount(StageflowMetric.values().length + 4);
    }
}
