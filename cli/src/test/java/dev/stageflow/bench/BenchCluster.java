package dev.stageflow.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.OperatorIDPair;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.checkpoint.TaskStateStats;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.jobgraph.JobVertexID;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.testutils.InMemoryReporter;

/**
 * A MiniCluster in this JVM configured as {@code stageflow run} configures its own (conf/config.yaml
 * of {@code stageflow.conf.dir}: RocksDB, incremental and unaligned checkpoints, no chaining, one
 * TaskManager), without the Prometheus reporter, on a free REST port and without restarts. It runs one job, triggers
 * its checkpoints and reads Flink's statistics of each (what the web UI shows), and reads the job's
 * gauges through Flink's in-memory reporter.
 */
final class BenchCluster implements AutoCloseable {

    private final MiniCluster cluster;
    private final InMemoryReporter reporter;
    private JobID job;
    private Map<JobVertexID, String> vertexUids = Map.of();

    private BenchCluster(MiniCluster cluster, InMemoryReporter reporter) {
        this.cluster = cluster;
        this.reporter = reporter;
    }

    /** conf/config.yaml of {@code stageflow.conf.dir} (or an empty configuration) with {@code options} on top. */
    static Configuration configuration(Map<String, String> options) {
        Configuration conf = Optional.ofNullable(System.getProperty("stageflow.conf.dir"))
                .map(GlobalConfiguration::loadConfiguration)
                .orElseGet(Configuration::new);
        for (String key : List.copyOf(conf.keySet())) {
            if (key.startsWith("metrics.reporter.")) {
                conf.removeKey(key);
            }
        }
        conf.set(RestOptions.PORT, 0);
        // A failure ends the run with its cause: a restarted job would measure something else.
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        options.forEach(conf::setString);
        return conf;
    }

    /** A started cluster of {@code conf}. */
    static BenchCluster start(Configuration conf) throws Exception {
        InMemoryReporter reporter = InMemoryReporter.create();
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(reporter.addToConfiguration(new Configuration(conf)))
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(conf.get(TaskManagerOptions.NUM_TASK_SLOTS))
                .build());
        cluster.start();
        return new BenchCluster(cluster, reporter);
    }

    /** Submits {@code graph} and returns once every task runs. */
    void submit(JobGraph graph) throws Exception {
        Map<JobVertexID, String> uids = new HashMap<>();
        for (JobVertex vertex : graph.getVertices()) {
            List<OperatorIDPair> operators = vertex.getOperatorIDs();
            // A chain's operators are listed from its last to its first (head) operator.
            String head = operators.get(operators.size() - 1).getUserDefinedOperatorUid();
            uids.put(vertex.getID(), head != null ? head : vertex.getName());
        }
        vertexUids = uids;
        job = cluster.submitJob(graph).get(1, TimeUnit.MINUTES).getJobID();
        await("every task of job " + job + " running", Duration.ofMinutes(2), this::allRunning);
    }

    private boolean allRunning() {
        try {
            boolean any = false;
            for (AccessExecutionVertex vertex : cluster.getExecutionGraph(job).get(10, TimeUnit.SECONDS)
                    .getAllExecutionVertices()) {
                any = true;
                if (vertex.getExecutionState() != ExecutionState.RUNNING
                        && vertex.getExecutionState() != ExecutionState.FINISHED) {
                    return false;
                }
            }
            return any;
        } catch (Exception notYet) {
            return false;
        }
    }

    /** Triggers a checkpoint, waits for it to complete and returns Flink's statistics of it. */
    Checkpoint checkpoint() throws Exception {
        long id;
        try {
            id = cluster.triggerCheckpoint(job, CheckpointType.DEFAULT).get(5, TimeUnit.MINUTES);
        } catch (ExecutionException failed) {
            Thread.sleep(1000);
            requireRunning(); // the job's own failure, if it failed
            throw failed;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            AbstractCheckpointStats stats = cluster.getExecutionGraph(job).get(10, TimeUnit.SECONDS)
                    .getCheckpointStatsSnapshot().getHistory().getCheckpointById(id);
            if (stats instanceof CompletedCheckpointStats completed) {
                return Checkpoint.of(completed, vertexUids);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("No statistics of completed checkpoint " + id + " of job " + job);
            }
            Thread.sleep(50);
        }
    }

    /** The sum over the job's subtasks of gauge {@code name} of metric group {@code stage.<stage>}. */
    long stageGauge(String stage, String name) {
        long total = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> group : reporter.getMetricsByGroup().entrySet()) {
            List<String> scope = List.of(group.getKey().getScopeComponents());
            if (job.toString().equals(group.getKey().getAllVariables().get("<job_id>"))
                    && scope.size() >= 2 && scope.get(scope.size() - 2).equals("stage")
                    && scope.get(scope.size() - 1).equals(stage)
                    && group.getValue().get(name) instanceof Gauge<?> gauge) {
                total += ((Number) gauge.getValue()).longValue();
            }
        }
        return total;
    }

    /** Fails when the job has ended; for polling loops. */
    void requireRunning() throws Exception {
        JobStatus status = cluster.getJobStatus(job).get(10, TimeUnit.SECONDS);
        if (status.isGloballyTerminalState()) {
            try {
                cluster.requestJobResult(job).get(10, TimeUnit.SECONDS).toJobExecutionResult(getClass().getClassLoader());
            } catch (ExecutionException e) {
                throw new IllegalStateException("Job " + job + " ended: " + status, e);
            }
            throw new IllegalStateException("Job " + job + " ended: " + status);
        }
    }

    /** Polls {@code condition} every 100 ms while the job runs; fails naming {@code what} after {@code timeout}. */
    void awaitWhileRunning(String what, Duration timeout, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            requireRunning();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() throws Exception {
        if (job != null) {
            try {
                cluster.cancelJob(job).get(1, TimeUnit.MINUTES);
            } catch (ExecutionException alreadyEnded) {
                // nothing to cancel
            }
        }
        cluster.close();
    }

    /**
     * Flink's statistics of one completed checkpoint: the size of its full state (incremental
     * RocksDB state counted whole), of what this checkpoint wrote, of the in-flight network data it
     * persisted (unaligned), its duration from trigger to last acknowledgement, and the full state
     * size of each operator (by uid).
     */
    record Checkpoint(long id, long stateBytes, long checkpointedBytes, long persistedBytes, long durationMillis,
            Map<String, Long> stateBytesByOperator) {

        static Checkpoint of(CompletedCheckpointStats stats, Map<JobVertexID, String> uids) {
            Map<String, Long> byOperator = new HashMap<>();
            for (TaskStateStats task : stats.getAllTaskStateStats()) {
                byOperator.merge(uids.getOrDefault(task.getJobVertexId(), task.getJobVertexId().toString()),
                        task.getStateSize(), Long::sum);
            }
            return new Checkpoint(stats.getCheckpointId(), stats.getStateSize(), stats.getCheckpointedSize(),
                    stats.getPersistedData(), stats.getEndToEndDuration(), byOperator);
        }
    }
}
