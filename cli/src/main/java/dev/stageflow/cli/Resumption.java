package dev.stageflow.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;

/**
 * Continues a run that did not finish: the same input, output and options (secrets given again),
 * restored from a savepoint the user names or from the latest retained checkpoint of the run's
 * last job, locally or on its cluster.
 */
final class Resumption {

    private Resumption() {}

    static int resume(Path dataDir, Optional<String> runId, Map<String, String> given, Optional<String> savepoint,
            PrintWriter out) throws Exception {
        RunRecord run = RunRecord.find(dataDir, runId, candidate -> !candidate.isFinished() && candidate.lastJob().isPresent(),
                "unfinished run to resume");
        Map<String, String> options = run.optionsWith(given);
        String restoreFrom = savepoint.map(path -> Locations.asUri(path).toString())
                .or(() -> RunRecord.STOPPED.equals(run.status) ? run.lastSavepoint() : Optional.empty())
                .orElseGet(() -> latestCheckpoint(run));
        if (run.target == RunRecord.Target.LOCAL) {
            return new LocalRun(run, dataDir, out).execute(options, Optional.of(restoreFrom));
        }
        try (FlinkRest rest = FlinkRest.connect(run.restAddress)) {
            JobID job = Submission.submit(rest, run, options, Optional.of(restoreFrom));
            out.printf("Run %s resumed as job %s from %s%n  web UI: %s%n", run.runId, job, restoreFrom, rest.webUi(job));
        }
        return 0;
    }

    /**
     * The newest completed checkpoint of the run's last job: as its cluster reports it while it
     * still knows the job (which must have ended), else found in the run's checkpoint directory.
     */
    private static String latestCheckpoint(RunRecord run) {
        String jobId = run.lastJob().orElseThrow().jobId;
        Optional<String> fromCluster = run.target == RunRecord.Target.CLUSTER
                ? clusterCheckpoint(run, JobID.fromHexString(jobId))
                : Optional.empty();
        return fromCluster.or(() -> Checkpoints.latest(run.checkpointDir, jobId)).orElseThrow(() ->
                new CommandFailedException("No completed checkpoint of job " + jobId + " of run " + run.runId + " in "
                        + run.checkpointDir + ": nothing to resume from (give --savepoint PATH)"));
    }

    /** What the cluster reports as the job's latest checkpoint; empty if it is unreachable or forgot the job. */
    private static Optional<String> clusterCheckpoint(RunRecord run, JobID job) {
        Optional<JobStatus> status;
        try (FlinkRest rest = FlinkRest.connect(run.restAddress)) {
            if (!rest.knows(job)) {
                return Optional.empty();
            }
            status = Optional.of(rest.status(job));
            if (status.get().isGloballyTerminalState()) {
                return rest.latestCheckpoint(job);
            }
        } catch (CommandFailedException unreachable) {
            return Optional.empty();
        }
        throw new CommandFailedException("Job " + job + " of run " + run.runId + " is still " + status.get()
                + ": stop it first (stageflow stop " + run.runId + ", or stageflow cancel " + run.runId + ")");
    }
}
