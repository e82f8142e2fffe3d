package dev.stageflow.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

class StageflowMetricTest {

    @Test
    void everyReportedNameIsUnique() {
        Set<String> names = new HashSet<>();
        for (StageflowMetric metric : StageflowMetric.values()) {
            for (String name : metric.prometheusNames()) {
                assertThat(names.add(name)).as("%s reported as %s twice", metric, name).isTrue();
            }
        }
    }

    @Test
    void aScopeNamesItsKeysAndLabelsAsFlinksReporterDoes() {
        assertThat(MetricScope.STAGE_STORE.labels()).containsExactly("stage", "store");
        assertThat(MetricScope.STAGE_REDIS.labels()).containsExactly("stage");
        assertThat(MetricScope.OPERATOR.labels()).isEmpty();
        assertThat(StageflowMetric.BYTES_WRITTEN.prometheusNames())
                .containsExactly("flink_taskmanager_job_task_operator_stage_store_bytesWritten");
        assertThat(StageflowMetric.REDIS_BREAKER_STATE.prometheusNames()).containsExactly(
                "flink_taskmanager_job_task_operator_stage_redis_breakerState",
                "flink_taskmanager_job_task_operator_redis_breakerState");
        assertThat(StageflowMetric.METADATA_PENDING.prometheusNames())
                .containsExactly("flink_taskmanager_job_task_operator_metadataPending");
    }

    @Test
    void opensKeyValueGroupsForTheLabelsOfItsScope() {
        List<String> groups = new ArrayList<>();
        MetricGroup operator = new UnregisteredMetricsGroup() {
            @Override
            public MetricGroup addGroup(String name) {
                groups.add(name);
                return this;
            }

            @Override
            public MetricGroup addGroup(String key, String value) {
                groups.add(key + "=" + value);
                return this;
            }
        };

        MetricScope.STAGE_STORE.open(operator, "image-generate", "s3://bucket/store");

        assertThat(groups).containsExactly("stage=image-generate", "store=s3://bucket/store");
        assertThatThrownBy(() -> MetricScope.STAGE.open(operator)).hasMessageContaining("takes 1 values");
    }

    @Test
    void registersAMetricOnlyAsItsKind() {
        assertThatThrownBy(() -> StageflowMetric.BATCH_SIZE.counter(new UnregisteredMetricsGroup()))
                .hasMessageContaining("BATCH_SIZE is a HISTOGRAM, not a COUNTER");
    }
}
