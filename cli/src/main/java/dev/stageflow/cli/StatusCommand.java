package dev.stageflow.cli;

import dev.stageflow.sink.CommittedOutput;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointStatistics.CompletedCheckpointStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo.JobVertexDetailsInfo;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code stageflow status}: a run or a job as its cluster sees it (state, operators with their
 * records, checkpoints) and, for a run, what it has committed. The operators are listed by the
 * names the web UI shows; nothing here depends on them.
 */
@Command(name = "status",
        header = "Shows a run or job: state, operators, checkpoints, committed output.",
        mixinStandardHelpOptions = true,
        description = "Shows a run (the newest, or RUN) or a job (--job): its state, its operators' records, its"
                + " checkpoints and what it has committed.")
final class StatusCommand implements Callable<Integer> {

    @Mixin
    JobTarget target;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        JobTarget.Target job = target.resolve();
        job.run().ifPresent(run -> printRun(run, out));
        try (FlinkRest rest = FlinkRest.connect(job.address())) {
            if (!rest.knows(job.job())) {
                out.println("The cluster at " + job.address() + " does not know job " + job.job() + " (any more).");
                return job.run().isPresent() ? 0 : Stageflow.FAILED;
            }
            printJob(rest.details(job.job()), rest.webUi(job.job()), out);
            printCheckpoints(rest.checkpoints(job.job()), out);
        } catch (CommandFailedException unreachable) {
            if (job.run().isEmpty()) {
                throw unreachable;
            }
            out.println("No answer from " + job.address() + ": " + unreachable.getMessage());
        }
        return 0;
    }

    private static void printRun(RunRecord run, PrintWriter out) {
        out.printf("Run %s (%s at %s): %s, %d job(s), last %s%n", run.runId, run.target.name().toLowerCase(java.util.Locale.ROOT),
                run.restAddress, run.status, run.jobs.size(), run.lastJob().map(j -> j.jobId).orElse("-"));
        out.println("  prompts   " + Locations.display(run.prompts));
        Path outputDir = new Path(run.outputDir);
        out.printf("  output    %s: %d results and %d dead letters committed%n", Locations.display(run.outputDir),
                CommittedOutput.results(outputDir).size(), CommittedOutput.deadLetters(outputDir).size());
        run.lastSavepoint().ifPresent(savepoint -> out.println("  savepoint " + savepoint));
    }

    private static void printJob(JobDetailsInfo details, String webUi, PrintWriter out) {
        out.printf("Job %s %s: %s for %s%n", details.getJobId(), details.getName(), details.getJobStatus(),
                Formats.age(Duration.ofMillis(details.getDuration())));
        out.println("  web UI    " + webUi);
        out.printf("  %-44s %11s  %-12s %12s %12s%n", "operator", "parallelism", "state", "records in", "records out");
        for (JobVertexDetailsInfo vertex : details.getJobVertexInfos()) {
            out.printf("  %-44.44s %11d  %-12s %12d %12d%n", vertex.getName(), vertex.getParallelism(),
                    vertex.getExecutionState(), vertex.getJobVertexMetrics().getRecordsRead(),
                    vertex.getJobVertexMetrics().getRecordsWritten());
        }
    }

    private static void printCheckpoints(CheckpointingStatistics checkpoints, PrintWriter out) {
        CheckpointingStatistics.Counts counts = checkpoints.getCounts();
        out.printf("Checkpoints: %d completed, %d failed, %d in progress, %d restored%n",
                counts.getNumberCompletedCheckpoints(), counts.getNumberFailedCheckpoints(),
                counts.getNumberInProgressCheckpoints(), counts.getNumberRestoredCheckpoints());
        CompletedCheckpointStatistics latest = checkpoints.getLatestCheckpoints().getCompletedCheckpointStatistics();
        if (latest != null) {
            out.printf("  latest    %d, %s ago, %s, took %d ms: %s%n", latest.getId(),
                    Formats.age(Duration.between(Instant.ofEpochMilli(latest.getLatestAckTimestamp()), Instant.now())),
                    Formats.size(latest.getStateSize()), latest.getDuration(), latest.getExternalPath());
        }
    }
}
