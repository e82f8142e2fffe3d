package dev.stageflow.cli;

import dev.stageflow.StageflowJob;
import dev.stageflow.config.CacheOptions;
import dev.stageflow.config.KafkaOptions;
import dev.stageflow.config.Secrets;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.servers.Ports;
import dev.stageflow.servers.RedisServer;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.stage.RequestLimits;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.util.NetUtils;

/**
 * A run of the job on a Flink MiniCluster in this JVM, with the web UI, its {@link StoreLayout}
 * (by default a file store under the data directory), a persistent Redis there (unless {@code redis.uri} names one) and checkpoints in the
 * run's directory. It shows progress and ends with a summary of what was committed.
 *
 * <p>Why a run over local files follows them and stops itself: a bounded source would end the
 * input, and at the end of input every model stage finishes all its queued prompts before a
 * checkpoint can pass, so a long run would have no checkpoint to resume from. So the source keeps
 * watching, and once the committed output holds every result and dead letter the files call for
 * ({@link ExpectedOutput}), the run stops with a savepoint. That count is of committed files, so it
 * holds across restarts and for a resumed run too. Once every outstanding result and dead letter
 * has reached the commit operators, the run triggers a checkpoint that commits them, instead of
 * waiting up to {@code execution.checkpointing.interval} for the next periodic one: exactly once is
 * untouched (it is one more checkpoint), and a small or fully cached input does not pay the cadence.
 */
final class LocalRun {

    /** The local runs' persistent Redis, below the data directory: the embedding cache outlives a run. */
    static final String REDIS_DIR = "redis";
    /** The port (or range) of the Prometheus reporter {@code prom} that conf/config.yaml configures. */
    static final String PROMETHEUS_PORT = "metrics.reporter.prom.port";

    /** How often the run looks at the committed output and the job's progress. */
    private static final long POLL_MILLIS = 200;

    private final RunRecord run;
    private final Path dataDir;
    private final PrintWriter out;

    LocalRun(RunRecord run, Path dataDir, PrintWriter out) {
        this.run = run;
        this.dataDir = dataDir.toAbsolutePath();
        this.out = out;
    }

    /** Runs the job with {@code options}, restored from {@code restoreFrom} if given; returns the exit status. */
    int execute(Map<String, String> options, Optional<String> restoreFrom) throws Exception {
        System.setProperty("stageflow.log.file", run.logFile().toString());
        Map<String, String> withLayout = new LinkedHashMap<>(run.layout.options(dataDir, out));
        withLayout.putAll(options);
        Configuration conf = Configurations.load(withLayout);
        URI prompts = URI.create(run.prompts);
        // Local files are counted and followed, so the run can stop itself; anything else runs as asked.
        boolean countable = !run.follow && "file".equals(prompts.getScheme());
        if (!run.readsKafka()) {
            conf.set(SourceOptions.PROMPTS, run.prompts);
            conf.set(SourceOptions.FOLLOW, run.follow || countable);
        }
        conf.set(SinkOptions.OUTPUT_DIR, run.outputDir);
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, run.checkpointDir);
        conf.set(RestOptions.PORT, restPort(conf.get(RestOptions.PORT)));
        prometheusPort(conf).ifPresent(port -> out.printf("Prometheus metrics: http://localhost:%d/metrics%n", port));
        restoreFrom.ifPresent(path -> conf.set(StateRecoveryOptions.SAVEPOINT_PATH, path));
        Optional<ExpectedOutput> expected = countable
                ? Optional.of(ExpectedOutput.of(Path.of(prompts), RequestLimits.from(conf)))
                : Optional.empty();
        Configurations.initializeFileSystems(conf);
        try (RedisServer redis = conf.contains(CacheOptions.REDIS_URI) ? null : RedisServer.start(dataDir.resolve(REDIS_DIR), true)) {
            if (redis != null) {
                conf.set(CacheOptions.REDIS_URI, redis.uri().toString());
                out.printf("Redis: %s (redis-cli -p %d)%n", redis.uri(), redis.port());
            }
            return execute(conf, expected, restoreFrom);
        }
    }

    private int execute(Configuration conf, Optional<ExpectedOutput> expected, Optional<String> restoreFrom)
            throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(Secrets.withoutJobSecrets(conf));
        StreamGraph graph = StageflowJob.streamGraph(env, conf);
        JobGraph jobGraph = graph.getJobGraph();
        long start = System.nanoTime();
        JobClient job = env.executeAsync(graph);
        run.addJob(job.getJobID().toString(), "localhost:" + conf.get(RestOptions.PORT), restoreFrom.orElse(null));
        restoreFrom.ifPresent(path -> out.println("Resuming run " + run.runId + " from " + path));
        if (run.readsKafka()) {
            out.printf("Run %s: reading Kafka topics %s at %s until Ctrl-C (continue with: stageflow resume)%n",
                    run.runId, conf.get(KafkaOptions.SOURCE_TOPICS), conf.get(KafkaOptions.SOURCE_BOOTSTRAP_SERVERS));
        } else {
            out.printf("Run %s: %s from %s%n", run.runId, expected.map(e -> e.lines() + " prompt lines").orElse("following"),
                    run.prompts);
        }
        out.printf("Flink web UI: http://%s/#/job/running/%s%n", run.restAddress, job.getJobID());
        boolean complete;
        try (FlinkRest rest = FlinkRest.connect(run.restAddress)) {
            complete = awaitCompletion(job, rest, new JobProgress(jobGraph, out), expected);
        } catch (Exception e) {
            JobStatus status = job.getJobStatus().handle((s, failure) -> s == null ? JobStatus.FAILED : s).get();
            run.markStatus(status.name());
            String what = status == JobStatus.CANCELED ? "The job was cancelled" : "The job failed: " + FlinkRest.rootCause(e);
            throw new CommandFailedException(what + "\nDetails in " + run.logFile() + "; continue with: stageflow resume", e);
        }
        // A job that neither completed its input nor reads a bounded one was stopped from outside.
        boolean bounded = !conf.get(SourceOptions.FOLLOW) && !run.readsKafka();
        run.markStatus(complete || bounded ? JobStatus.FINISHED.name() : RunRecord.STOPPED);
        double seconds = (System.nanoTime() - start) / 1e9;
        org.apache.flink.core.fs.Path outputDir = new org.apache.flink.core.fs.Path(run.outputDir);
        new RunSummary(CommittedOutput.results(outputDir), CommittedOutput.deadLetters(outputDir), seconds)
                .print(out, run.outputDir, conf.get(StoreOptions.URI), run.logFile());
        return 0;
    }

    /**
     * Shows progress until the job ends; stops it with a savepoint once the expected output is
     * committed. Returns whether it did (else the job was stopped from outside, by {@code stageflow stop}).
     */
    private boolean awaitCompletion(JobClient job, FlinkRest rest, JobProgress progress, Optional<ExpectedOutput> expected)
            throws Exception {
        CompletableFuture<JobExecutionResult> result = job.getJobExecutionResult();
        org.apache.flink.core.fs.Path outputDir = new org.apache.flink.core.fs.Path(run.outputDir);
        long total = expected.map(ExpectedOutput::total).orElse(0L);
        CompletableFuture<String> savepoint = null;
        CompletableFuture<Long> checkpoint = CompletableFuture.completedFuture(0L);
        while (!result.isDone()) {
            long committed = CommittedOutput.rows(outputDir);
            if (savepoint == null && expected.isPresent() && committed >= total) {
                savepoint = job.stopWithSavepoint(false, run.savepointDir(), SavepointFormatType.CANONICAL);
                savepoint.thenAccept(run::addSavepoint);
            }
            try {
                JobDetailsInfo details = rest.details(job.getJobID());
                progress.show(details, committed, total);
                // Everything is at the sinks: commit it now rather than at the next periodic checkpoint.
                if (savepoint == null && checkpoint.isDone() && expected.isPresent()
                        && expected.get().awaitsOnlyACheckpoint(progress.atCommit(details), committed)) {
                    checkpoint = rest.triggerCheckpoint(job.getJobID());
                }
            } catch (CommandFailedException notAnsweringYet) {
                // The web UI starts with the job: no progress to show for a moment.
            }
            Thread.sleep(POLL_MILLIS);
        }
        progress.finish();
        result.get();
        return savepoint != null;
    }

    /**
     * The port of the Prometheus reporter of {@code conf/config.yaml} ({@value #PROMETHEUS_PORT}), if
     * one is configured and free: the first free port of its range, set as its only port, so that the
     * run can say where its metrics are.
     */
    private Optional<Integer> prometheusPort(Configuration conf) {
        String range = conf.toMap().get(PROMETHEUS_PORT);
        if (range == null) {
            return Optional.empty();
        }
        Iterator<Integer> ports = NetUtils.getPortRangeFromString(range);
        while (ports.hasNext()) {
            int port = ports.next();
            if (Ports.isFree(port)) {
                conf.setString(PROMETHEUS_PORT, Integer.toString(port));
                return Optional.of(port);
            }
        }
        out.println("No port of " + PROMETHEUS_PORT + " " + range + " is free; the run's metrics are not exported.");
        return Optional.empty();
    }

    /** The configured web UI port if it is free, else (or for 0) a free one. */
    private int restPort(int configured) {
        if (configured > 0) {
            if (Ports.isFree(configured)) {
                return configured;
            }
            out.println("Port " + configured + " is in use; the web UI takes a free port instead.");
        }
        return Ports.free();
    }
}
