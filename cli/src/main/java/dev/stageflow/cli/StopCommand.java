package dev.stageflow.cli;

import org.apache.flink.api.common.JobID;
import picocli.CommandLine.Command;

/** {@code stageflow stop}: stop-with-savepoint; the run then resumes from that savepoint. */
@Command(name = "stop",
        header = "Stops a running job with a savepoint.",
        mixinStandardHelpOptions = true,
        description = "Stops a running job with a savepoint (the newest run's, or RUN's, or --job's);"
                + " 'stageflow resume' continues the run from it.")
final class StopCommand extends SavepointCommand {

    @Override
    String take(FlinkRest rest, JobID job, String directory) {
        return rest.stopWithSavepoint(job, directory);
    }

    @Override
    void record(RunRecord run, String path) {
        run.addSavepoint(path);
        run.markStatus(RunRecord.STOPPED);
    }

    @Override
    String done(JobID job, String path) {
        return "Job " + job + " stopped with savepoint " + path;
    }
}
