package dev.stageflow.cli;

import java.util.Optional;
import org.apache.flink.api.common.JobID;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Which job a command acts on: {@code --job ID} on the cluster of {@code --jobmanager}, else the last
 * job of the run named (or of the newest run), on the cluster (or local run) it ran on.
 */
final class JobTarget {

    /** A job and where its REST API is; the run it belongs to, if known. */
    record Target(String address, JobID job, Optional<RunRecord> run) {}

    @Parameters(arity = "0..1", paramLabel = "RUN", description = "a run id (default: the newest run)")
    String runId;

    @Option(names = "--job", paramLabel = "JOB_ID", description = "a job id instead of a run")
    String jobId;

    @Mixin
    ClusterOption cluster;

    Target resolve() {
        if (jobId != null) {
            return new Target(cluster.address(), JobID.fromHexString(jobId), Optional.empty());
        }
        RunRecord run = RunRecord.find(cluster.dataDir(), Optional.ofNullable(runId), r -> r.lastJob().isPresent(),
                "run with a job");
        String address = cluster.jobmanager != null ? cluster.jobmanager : run.restAddress;
        return new Target(address, JobID.fromHexString(run.lastJob().orElseThrow().jobId), Optional.of(run));
    }
}
