package dev.stageflow.cli;

import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stageflow savepoint}: a savepoint of a running job, which keeps running; see {@link StopCommand}. */
@Command(name = "savepoint",
        header = "Takes a savepoint of a running job.",
        mixinStandardHelpOptions = true,
        description = "Takes a savepoint of a running job (the newest run's, or RUN's, or --job's); the job keeps running.")
class SavepointCommand implements Callable<Integer> {

    @Mixin
    JobTarget target;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "where the savepoint goes (default: the run's savepoints/, else the cluster's savepoint directory)")
    String directory;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        JobTarget.Target job = target.resolve();
        String dir = directory != null ? Locations.asUri(directory).toString() : job.run().map(RunRecord::savepointDir).orElse(null);
        try (FlinkRest rest = FlinkRest.connect(job.address())) {
            String path = take(rest, job.job(), dir);
            job.run().ifPresent(run -> record(run, path));
            spec.commandLine().getOut().println(done(job.job(), path));
        }
        return 0;
    }

    /** Takes the savepoint into {@code directory} (null: the cluster's default); returns its path. */
    String take(FlinkRest rest, JobID job, String directory) {
        return rest.triggerSavepoint(job, directory);
    }

    void record(RunRecord run, String path) {
        run.addSavepoint(path);
    }

    String done(JobID job, String path) {
        return "Savepoint of job " + job + ": " + path;
    }
}
