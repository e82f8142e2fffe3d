package dev.stageflow.testing;

import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * The model stages' {@code stage.<name>} counters of every attempt of every subtask of a job, from
 * Flink's in-memory reporter with retained metrics: a counter keeps its last value after its task
 * failed, so {@link #total} is what a stage did in a whole run, restarts included (for example the
 * prompts its model computed, {@code modelInputs}, replays included). One per MiniCluster: the
 * reporter closes with its cluster.
 */
public final class StageMetrics {

    private final InMemoryReporter reporter = InMemoryReporter.createWithRetainedMetrics();

    /** A MiniCluster of one TaskManager with {@code slots} slots, reporting its metrics here. */
    public MiniClusterExtension miniCluster(int slots) {
        return TestJobs.miniCluster(slots, reporter.addToConfiguration(new Configuration()));
    }

    /** The sum of counter {@code name} of {@code stage} over every subtask and attempt of {@code job}. */
    public long total(JobID job, String stage, String name) {
        long total = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> group : reporter.getMetricsByGroup().entrySet()) {
            if (isStageGroup(group.getKey(), job, stage) && group.getValue().get(name) instanceof Counter counter) {
                total += counter.getCount();
            }
        }
        return total;
    }

    private static boolean isStageGroup(MetricGroup group, JobID job, String stage) {
        List<String> scope = List.of(group.getScopeComponents());
        return job.toString().equals(group.getAllVariables().get("<job_id>"))
                && scope.size() >= 2
                && scope.get(scope.size() - 2).equals("stage")
                && scope.get(scope.size() - 1).equals(stage);
    }
}
