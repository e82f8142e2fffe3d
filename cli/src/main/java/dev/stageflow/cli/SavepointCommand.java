package dev.stageflow.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stageflow savepoint}: a savepoint of a running job, which keeps running. */
@Command(name = "savepoint",
        header = "Takes a savepoint of a running job.",
        mixinStandardHelpOptions = true,
        description = "Takes a savepoint of a running job (the newest run's, or RUN's, or --job's); the job keeps running.")
final class SavepointCommand implements Callable<Integer> {

    @Mixin
    JobTarget target;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "where the savepoint goes (default: the run's savepoints/, else the cluster's savepoint directory)")
    String directory;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        JobTarget.Target job = target.resolve();
        try (FlinkRest rest = FlinkRest.connect(job.address())) {
            String path = rest.triggerSavepoint(job.job(), SavepointDirectory.of(directory, job));
            job.run().ifPresent(run -> run.addSavepoint(path));
            spec.commandLine().getOut().println("Savepoint of job " + job.job() + ": " + path);
        }
        return 0;
    }
}
