package dev.stageflow.testing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;

/**
 * The metrics an operator under a test harness registers, by their path below its operator group
 * ({@code metadataPending}, {@code redis.breakerState}, {@code stage.image-generate.batchSize} for
 * a key-value group): what a user sees in the web UI, read in a test instead of through accessors
 * the operator would need only for tests.
 */
public final class RecordedMetrics {

    private final Map<String, Metric> metrics = new ConcurrentHashMap<>();

    /** A task environment whose operator group records here. */
    public MockEnvironment environment() {
        InterceptingTaskMetricGroup task = new InterceptingTaskMetricGroup() {
            @Override
            public InternalOperatorMetricGroup getOrAddOperator(
                    OperatorID operatorID, String name, Map<String, String> additionalVariables) {
                return new Recording("");
            }
        };
        return new MockEnvironmentBuilder().setMetricGroup(task).build();
    }

    /** The value of gauge {@code path}, e.g. {@code redis.breakerState}. */
    public Object gauge(String path) {
        Metric metric = metrics.get(path);
        if (!(metric instanceof Gauge<?> gauge)) {
            throw new AssertionError("No gauge " + path + " among " + metrics.keySet());
        }
        return gauge.getValue();
    }

    /** The count of counter {@code path}. */
    public long counter(String path) {
        if (!(metrics.get(path) instanceof Counter counter)) {
            throw new AssertionError("No counter " + path + " among " + metrics.keySet());
        }
        return counter.getCount();
    }

    /** The number of values histogram {@code path} has seen. */
    public long histogramCount(String path) {
        if (!(metrics.get(path) instanceof Histogram histogram)) {
            throw new AssertionError("No histogram " + path + " among " + metrics.keySet());
        }
        return histogram.getCount();
    }

    /** An operator group, or a group below it, that records the metrics added to it. */
    private final class Recording extends InterceptingOperatorMetricGroup {
        private final String prefix;

        Recording(String prefix) {
            this.prefix = prefix;
        }

        @Override
        protected void addMetric(String name, Metric metric) {
            metrics.put(prefix + name, metric);
        }

        @Override
        public MetricGroup addGroup(String name) {
            return new Recording(prefix + name + ".");
        }

        @Override
        public MetricGroup addGroup(String key, String value) {
            return new Recording(prefix + key + "." + value + ".");
        }
    }
}
