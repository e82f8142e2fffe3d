package dev.stageflow.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code stageflow cancel}: cancels a job; its retained checkpoints stay for a resume. */
@Command(name = "cancel",
        header = "Cancels a running job; its retained checkpoints stay for a resume.",
        mixinStandardHelpOptions = true,
        description = "Cancels a running job (the newest run's, or RUN's, or --job's). Its retained checkpoints stay:"
                + " 'stageflow resume' continues the run from the latest.")
final class CancelCommand implements Callable<Integer> {

    @Mixin
    JobTarget target;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        JobTarget.Target job = target.resolve();
        try (FlinkRest rest = FlinkRest.connect(job.address())) {
            rest.cancel(job.job());
            JobStatus status = rest.awaitEnd(job.job(), Duration.ofMinutes(2));
            job.run().ifPresent(run -> run.markStatus(status.name()));
            spec.commandLine().getOut().println("Job " + job.job() + " " + status);
        }
        return 0;
    }
}
