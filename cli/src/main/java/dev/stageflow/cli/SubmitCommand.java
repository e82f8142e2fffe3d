package dev.stageflow.cli;

import dev.stageflow.config.StoreOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stageflow submit}: the job on a Flink cluster, recorded as a run. */
@Command(
        name = "submit",
        header = "Submits the job to a Flink cluster as a recorded run.",
        mixinStandardHelpOptions = true,
        description = {
            "Submits the job to a Flink cluster through its REST API: the cluster of 'stageflow cluster start', or any"
                    + " other with --jobmanager. The run is recorded (<data-dir>/runs/<run>/run.json), so resume, status,"
                    + " savepoint, stop, cancel, inspect and report find it. Any further --key value is a job option,"
                    + " e.g. --store.uri s3://bucket/stageflow --generator.batch.size 8."
        })
final class SubmitCommand extends JobOptionsCommand {

    @Option(names = "--prompts", paramLabel = "PATH", defaultValue = "examples/prompts.jsonl",
            description = "JSON-lines file or directory of them (default: ${DEFAULT-VALUE}); a local path becomes a"
                    + " file:// URI of this machine, so on a remote cluster give a URI it can read")
    String prompts;

    @Option(names = "--follow", description = "keep watching the directory for new files (the job runs until stopped)")
    boolean follow;

    @Option(names = "--out", paramLabel = "DIR", description = "where results/ and dead-letters/ go (default: the run's directory)")
    String outputDir;

    @Mixin
    ClusterOption cluster;

    @Mixin
    WaitOption waiting;

    @Override
    public Integer call() throws Exception {
        Map<String, String> options = submittedJobOptions();
        options.putIfAbsent(StoreOptions.URI.key(), cluster.dataDir().resolve("store").toUri().toString());
        RunRecord run = RunRecord.create(cluster.dataDir(), RunRecord.Target.CLUSTER, options);
        run.describeInput(prompts, follow, options);
        if (outputDir != null) {
            run.outputDir = Locations.asUri(outputDir).toString();
        }
        PrintWriter out = out();
        try (FlinkRest rest = FlinkRest.connect(cluster.address())) {
            JobID job = Submission.submit(rest, run, options, Optional.empty());
            out.printf("Run %s: job %s submitted%n  web UI:  %s%n  results: %s%n  record:  %s%n", run.runId, job,
                    rest.webUi(job), Locations.display(run.outputDir), run.dir().resolve(RunRecord.FILE));
            return waiting.await(rest, run, job, out);
        }
    }

    /** {@code --wait}: wait until the job ends, and say how. */
    static final class WaitOption {

        @Option(names = "--wait", description = "wait until the job ends; exit 0 only if it FINISHED")
        boolean wait;

        @Option(names = "--wait-timeout", paramLabel = "DURATION", defaultValue = "1 h",
                description = "longest wait (default: ${DEFAULT-VALUE})")
        Duration timeout;

        int await(FlinkRest rest, RunRecord run, JobID job, PrintWriter out) throws InterruptedException {
            if (!wait) {
                return 0;
            }
            JobStatus status = rest.awaitEnd(job, timeout);
            run.markStatus(status.name());
            out.println("Job " + job + " " + status);
            if (status != JobStatus.FINISHED) {
                throw new CommandFailedException("Job " + job + " ended " + status + "; see the web UI's exceptions tab");
            }
            return 0;
        }
    }
}
