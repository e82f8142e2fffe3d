package dev.stageflow.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stageflow stop}: stop-with-savepoint; the run then resumes from that savepoint. */
@Command(name = "stop",
        header = "Stops a running job with a savepoint.",
        mixinStandardHelpOptions = true,
        description = "Stops a running job with a savepoint (the newest run's, or RUN's, or --job's);"
                + " 'stageflow resume' continues the run from it.")
final class StopCommand implements Callable<Integer> {

    @Mixin
    JobTarget target;

    @Option(names = "--savepoint-dir", paramLabel = "DIR",
            description = "where the savepoint goes (default: the run's savepoints/, else the cluster's savepoint directory)")
    String directory;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        JobTarget.Target job = target.resolve();
        try (FlinkRest rest = FlinkRest.connect(job.address())) {
            String path = rest.stopWithSavepoint(job.job(), SavepointDirectory.of(directory, job));
            job.run().ifPresent(run -> {
                run.addSavepoint(path);
                run.markStatus(RunRecord.STOPPED);
            });
            spec.commandLine().getOut().println("Job " + job.job() + " stopped with savepoint " + path);
        }
        return 0;
    }
}
