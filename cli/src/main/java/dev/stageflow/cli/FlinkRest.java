package dev.stageflow.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import dev.stageflow.servers.ClusterAddress;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.rest.messages.ClusterConfigurationInfoHeaders;
import org.apache.flink.runtime.rest.messages.EmptyMessageParameters;
import org.apache.flink.runtime.rest.messages.EmptyRequestBody;
import org.apache.flink.runtime.rest.messages.JobExceptionsHeaders;
import org.apache.flink.runtime.rest.messages.JobMessageParameters;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointStatistics.CompletedCheckpointStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatisticsHeaders;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo;
import org.apache.flink.runtime.rest.messages.job.JobExceptionsMessageParameters;
import org.apache.flink.runtime.rest.messages.taskmanager.TaskManagerInfo;
import org.apache.flink.runtime.rest.messages.taskmanager.TaskManagersHeaders;
import org.apache.flink.util.ExceptionUtils;

/**
 * A Flink cluster's REST API through Flink's own {@link RestClusterClient}: every cluster call of
 * the command line goes through here, with a timeout on each and the cluster's own error message
 * (its root cause) when a call fails. With a {@code zookeeper://} address ({@link ClusterAddress})
 * the client asks ZooKeeper for the leading JobManager before each call, so it follows a failover.
 */
final class FlinkRest implements AutoCloseable {

    private static final Duration CALL_TIMEOUT = Duration.ofMinutes(2);

    private final String address;
    private final RestClusterClient<StandaloneClusterId> client;

    private FlinkRest(String address, RestClusterClient<StandaloneClusterId> client) {
        this.address = address;
        this.client = client;
    }

    /** A client of the cluster at {@code address}: {@code host:port} or {@code zookeeper://quorum[/cluster-id]}. */
    static FlinkRest connect(String address) {
        Configuration conf = ClusterAddress.clientConfiguration(address);
        conf.set(RestOptions.RETRY_MAX_ATTEMPTS, 2);
        try {
            return new FlinkRest(address, new RestClusterClient<>(conf, StandaloneClusterId.getInstance()));
        } catch (Exception e) {
            throw new CommandFailedException("Cannot create a REST client for " + address + ": " + e.getMessage(), e);
        }
    }

    String address() {
        return address;
    }

    /** The web UI of the (leading) JobManager, {@code http://host:port}. */
    String webInterface() {
        return client.getWebInterfaceURL();
    }

    String webUi(JobID job) {
        return webInterface() + "/#/job/running/" + job;
    }

    /** The cluster's configuration, as its JobManager runs with it. */
    Configuration clusterConfiguration() {
        Configuration conf = new Configuration();
        call("read the cluster's configuration", client.sendRequest(ClusterConfigurationInfoHeaders.getInstance(),
                EmptyMessageParameters.getInstance(), EmptyRequestBody.getInstance()))
                .forEach(entry -> conf.setString(entry.getKey(), entry.getValue()));
        return conf;
    }

    JobID submit(JobGraph graph) {
        return call("submit job " + graph.getName(), client.submitJob(graph));
    }

    JobStatus status(JobID job) {
        return call("get the status of job " + job, client.getJobStatus(job));
    }

    JobDetailsInfo details(JobID job) {
        return call("get the details of job " + job, client.getJobDetails(job));
    }

    CheckpointingStatistics checkpoints(JobID job) {
        JobMessageParameters parameters = new JobMessageParameters();
        parameters.jobPathParameter.resolve(job);
        return call("get the checkpoints of job " + job,
                client.sendRequest(CheckpointingStatisticsHeaders.getInstance(), parameters, EmptyRequestBody.getInstance()));
    }

    /** The path of the newest completed checkpoint the cluster knows of {@code job}. */
    Optional<String> latestCheckpoint(JobID job) {
        return Optional.ofNullable(checkpoints(job).getLatestCheckpoints().getCompletedCheckpointStatistics())
                .map(CompletedCheckpointStatistics::getExternalPath);
    }

    /** Whether the cluster still knows {@code job} (a restarted session cluster forgets its jobs). */
    boolean knows(JobID job) {
        return call("list the jobs", client.listJobs()).stream().anyMatch(status -> status.getJobId().equals(job));
    }

    /** The registered TaskManagers with their slots. */
    Collection<TaskManagerInfo> taskManagers() {
        return call("list the TaskManagers", client.sendRequest(TaskManagersHeaders.getInstance(),
                EmptyMessageParameters.getInstance(), EmptyRequestBody.getInstance())).getTaskManagerInfos();
    }

    /** When {@code job} last failed (the newest entry of its exception history), if it has. */
    Optional<Instant> lastFailure(JobID job) {
        JobExceptionsMessageParameters parameters = new JobExceptionsMessageParameters();
        parameters.jobPathParameter.resolve(job);
        return call("get the exceptions of job " + job, client.sendRequest(JobExceptionsHeaders.getInstance(), parameters,
                        EmptyRequestBody.getInstance()))
                .getExceptionHistory().getEntries().stream()
                .map(entry -> Instant.ofEpochMilli(entry.getTimestamp()))
                .max(Instant::compareTo);
    }

    String triggerSavepoint(JobID job, String directory) {
        return call("take a savepoint of job " + job,
                client.triggerSavepoint(job, directory, SavepointFormatType.CANONICAL));
    }

    String stopWithSavepoint(JobID job, String directory) {
        return call("stop job " + job + " with a savepoint",
                client.stopWithSavepoint(job, false, directory, SavepointFormatType.CANONICAL));
    }

    /** Triggers a checkpoint of {@code job} now, besides the periodic ones; completes with its id. */
    CompletableFuture<Long> triggerCheckpoint(JobID job) {
        return client.triggerCheckpoint(job, CheckpointType.CONFIGURED);
    }

    void cancel(JobID job) {
        call("cancel job " + job, client.cancel(job));
    }

    /** Waits until {@code job} has ended, polling; returns its final status. */
    JobStatus awaitEnd(JobID job, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JobStatus status = status(job);
        while (!status.isGloballyTerminalState()) {
            if (System.nanoTime() > deadline) {
                throw new CommandFailedException("Job " + job + " is still " + status + " after " + timeout);
            }
            Thread.sleep(1000);
            status = status(job);
        }
        return status;
    }

    private <T> T call(String what, CompletableFuture<T> future) {
        try {
            return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailedException("Interrupted while trying to " + what, e);
        } catch (ExecutionException e) {
            Throwable cause = ExceptionUtils.stripExecutionException(e);
            throw new CommandFailedException("Cannot " + what + " at " + address + ": " + rootMessage(cause), cause);
        } catch (TimeoutException e) {
            throw new CommandFailedException("No answer from " + address + " within " + CALL_TIMEOUT + " to " + what, e);
        }
    }

    /** The first line of the cluster's error and of its root cause; the full trace is in the JobManager's log. */
    private static String rootMessage(Throwable failure) {
        Throwable root = rootCause(failure);
        String message = String.valueOf(root.getMessage());
        return message.lines().filter(line -> !line.isBlank() && !line.startsWith("\t")).findFirst().orElse(root.toString());
    }

    /** The innermost cause of a failure, the one that names what went wrong. */
    static Throwable rootCause(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    @Override
    public void close() {
        client.close();
    }
}
