package dev.stageflow.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stageflow.config.RequestOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.Json;
import dev.stageflow.servers.FlinkCluster;
import dev.stageflow.sink.CommittedOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointStatistics.CompletedCheckpointStatistics;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo.JobVertexDetailsInfo;
import org.apache.flink.runtime.rest.messages.taskmanager.TaskManagerInfo;
import org.apache.flink.util.FileUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code stageflow chaos}: exactly-once on a real cluster under {@code kill -9}. It runs seeded
 * prompts through a clean run and then through a run in which K times, each at a random point after
 * a checkpoint completed, a busy TaskManager, the leading JobManager or both are killed and started
 * again at once, on its own cluster on free loopback ports (with JobManager high availability when
 * JobManagers die: the standby takes over, and the restarted JobManager is the next kill's standby).
 * Both runs follow the prompt file (so checkpoints keep completing to the end) and stop with a
 * savepoint once everything is committed. The verdict: every prompt committed exactly once in both
 * runs, every artifact byte-identical to the clean run's ({@link ChaosVerifier}), no exception in
 * the logs that the kills do not explain ({@link ChaosLogJudge}). Figures and verdict go to {@code
 * bench/results/chaos.json}, the two runs' timelines next to the run's data.
 */
@Command(
        name = "chaos",
        header = "Chaos test: kill -9 TaskManagers or JobManagers mid-run, then verify exactly-once.",
        mixinStandardHelpOptions = true,
        description = {
            "Chaos test of exactly-once: a clean run and a run in which a TaskManager, the leading JobManager or both"
                    + " are killed (kill -9) K times, on a cluster of its own; then every prompt must be committed exactly"
                    + " once, every artifact byte-identical to the clean run's and the logs free of unexplained exceptions. Writes"
                    + " bench/results/chaos.json; exit status 1 on any violation. Any further --key value is a job option"
                    + " for both runs (default: --request.default-width 256 --request.default-height 256)."
        })
final class ChaosCommand extends JobOptionsCommand {

    private static final Duration POLL = Duration.ofMillis(200);
    private static final int TASK_MANAGERS = 2;

    @Option(names = "--prompts", paramLabel = "N", defaultValue = "500",
            description = "prompts to run (default: ${DEFAULT-VALUE}; 2000 for a longer test)")
    int prompts;

    @Option(names = "--kills", paramLabel = "K", defaultValue = "3",
            description = "kills during the chaos run (default: ${DEFAULT-VALUE})")
    int kills;

    @Option(names = "--kill", paramLabel = "WHAT", defaultValue = "taskmanager",
            description = "what each kill takes: taskmanager (a busy one), jobmanager (the leader; implies --ha) or both"
                    + " at once (default: ${DEFAULT-VALUE})")
    ChaosKill kill;

    @Option(names = "--ha", description = "run the cluster with JobManager high availability (implied by --kill"
            + " jobmanager and --kill both)")
    boolean highAvailability;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
            description = "seed of the prompts, the kill delays and which TaskManager dies (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "20 min",
            description = "longest wait for each phase (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--results", paramLabel = "FILE", defaultValue = "bench/results/chaos.json",
            description = "where the figures and the verdict go (default: ${DEFAULT-VALUE})")
    Path results;

    @Mixin
    DataDirOption dataDir;

    private Path dir;

    @Override
    public Integer call() throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        // 256x256 images (default 128) make a run of 500 prompts last long enough for 3 kills and
        // their recoveries on 2 cores; options given on the command line win.
        options.put(RequestOptions.DEFAULT_WIDTH.key(), "256");
        options.put(RequestOptions.DEFAULT_HEIGHT.key(), "256");
        options.putAll(submittedJobOptions());
        dir = dataDir.get().resolve("chaos");
        FileUtils.deleteDirectory(dir.toFile());
        Files.createDirectories(dir);
        long started = System.nanoTime();
        Path promptFile = dir.resolve("prompts.jsonl");
        ChaosPrompts.write(prompts, seed, promptFile);
        out().printf("== Prompts: %d (seed %d) in %s%n", prompts, seed, promptFile);

        FlinkCluster cluster = new FlinkCluster(dir);
        ObjectNode report = Json.MAPPER.createObjectNode();
        ChaosLogJudge logs = new ChaosLogJudge(cluster.directory().resolve("log"), kill);
        boolean ha = withHighAvailability();
        try {
            FlinkCluster.State state = cluster.start(Path.of(Configurations.confDir()), 0, 0, TASK_MANAGERS, ha, Map.of());
            try (FlinkRest rest = FlinkRest.connect(state.clientAddress())) {
                out().printf("== Cluster%s: web UI %s%n", ha ? " with high availability, " + cluster.leader(state)
                        .orElse("no JobManager") + " leads" : "", rest.webInterface());
                double cleanSeconds = completeRun(rest, "clean", promptFile, options, (job, timeline) -> { });
                logs.mark();
                ArrayNode killRecords = Json.MAPPER.createArrayNode();
                double chaosSeconds = completeRun(rest, "chaos", promptFile, options,
                        (job, timeline) -> killRecords.addAll(kill(rest, cluster, state, job, timeline)));
                report.put("cleanRunSeconds", Math.round(cleanSeconds * 10) / 10.0);
                report.put("chaosRunSeconds", Math.round(chaosSeconds * 10) / 10.0);
                report.set("kills", killRecords);
            }
        } finally {
            cluster.stop();
        }

        out().println("== Verifying");
        ChaosVerifier.Verification verification = ChaosVerifier.verify(promptFile, dir.resolve("clean/out"),
                dir.resolve("clean/store"), dir.resolve("chaos/out"), dir.resolve("chaos/store"));
        List<String> unexplained = logs.unexplained();
        verification.violations().forEach(violation -> out().println("VIOLATION: " + violation));
        unexplained.stream().limit(40).forEach(line -> out().println("VIOLATION: log line " + line));
        boolean passed = verification.violations().isEmpty() && unexplained.isEmpty();
        writeResults(report, verification, unexplained.size(), options, passed, started);
        out().println(passed ? "Chaos test passed" : "Chaos test FAILED");
        return passed ? 0 : Stageflow.FAILED;
    }

    private boolean withHighAvailability() {
        return highAvailability || kill.killsJobManager();
    }

    /** What happens to a run's job while it runs. */
    private interface Ordeal {
        void apply(JobID job, Timeline timeline) throws Exception;
    }

    /**
     * Submits a run of the prompts into {@code <name>/out} and {@code <name>/store}, applies {@code
     * ordeal}, waits until every prompt is committed and stops the job with a savepoint; returns
     * the seconds from submission to the stop.
     */
    private double completeRun(FlinkRest rest, String name, Path promptFile, Map<String, String> options, Ordeal ordeal)
            throws Exception {
        out().println("== " + name + " run");
        Map<String, String> runOptions = new LinkedHashMap<>(options);
        runOptions.put(StoreOptions.URI.key(), dir.resolve(name).resolve("store").toUri().toString());
        Path runData = dir.resolve(name);
        RunRecord run = RunRecord.create(runData, RunRecord.Target.CLUSTER, runOptions);
        run.describeInput(promptFile.toString(), true, runOptions);
        run.outputDir = runData.resolve("out").toUri().toString();
        Timeline timeline = new Timeline(dir.resolve(name + ".timeline.tsv"), run);
        JobID job = Submission.submit(rest, run, runOptions, Optional.empty());
        ordeal.apply(job, timeline);
        await(name + ": all " + prompts + " prompts committed", () -> {
            timeline.sample();
            JobStatus status = answered(() -> rest.status(job)).orElse(JobStatus.RESTARTING);
            if (status.isGloballyTerminalState()) {
                throw new CommandFailedException(name + ": job " + job + " is " + status);
            }
            return timeline.committed() >= prompts;
        });
        rest.stopWithSavepoint(job, run.savepointDir());
        double seconds = timeline.elapsedSeconds();
        out().printf("   %d prompts committed in %.1f s (job %s)%n", prompts, seconds, job);
        return seconds;
    }

    /**
     * Kills what {@code --kill} names K times, each 0-3 s after a checkpoint completed with every
     * process up (with JobManager kills: the standby's REST API answering, as it does once it
     * contends for leadership), starts the killed processes again at once and measures each recovery.
     */
    private ArrayNode kill(FlinkRest rest, FlinkCluster cluster, FlinkCluster.State state, JobID job, Timeline timeline)
            throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        ArrayNode records = Json.MAPPER.createArrayNode();
        long checkpointSeen = -1;
        for (int k = 1; k <= kills; k++) {
            long seen = checkpointSeen;
            await("a completed checkpoint with the job running before kill " + k, () -> {
                timeline.sample();
                return answered(() -> allRunning(rest, job) && rest.taskManagers().size() == TASK_MANAGERS
                                && latestCheckpointId(rest, job) > seen).orElse(false)
                        && state.jobManagers().stream().allMatch(name -> cluster.answers(state, name))
                        && timeline.committed() > 0;
            });
            Thread.sleep(random.nextInt(3000));
            timeline.sample();
            long before = timeline.committed();
            if (before >= prompts) {
                throw new CommandFailedException("All prompts were committed before kill " + k
                        + ": run more prompts (--prompts) or slower ones");
            }
            List<String> victims = victims(rest, cluster, state, job, random);
            Instant killed = Instant.now();
            double at = timeline.elapsedSeconds();
            for (String victim : victims) {
                out().printf("   kill %d: %s (pid %d) at %.1f s, %d committed%n", k, victim, cluster.kill(victim), at, before);
            }
            for (String victim : victims) {
                if (victim.startsWith(FlinkCluster.JOBMANAGER)) {
                    cluster.startJobManager(victim);
                } else {
                    cluster.startTaskManager(Integer.parseInt(victim.substring("taskmanager-".length())));
                }
            }
            // The job's tasks may look running until the cluster notices the loss: wait for the
            // failure record (a TaskManager kill) or the standby's leadership (a JobManager kill)
            // first, then for every task to run again, then for new results.
            Instant[] detected = {null};
            String[] leader = {null};
            if (kill.killsJobManager()) {
                await("a new leader after kill " + k, () -> {
                    timeline.sample();
                    leader[0] = state.jobManagerAt(rest.webInterface()).filter(name -> !victims.contains(name))
                            .orElse(null);
                    return leader[0] != null;
                });
                detected[0] = Instant.now();
            } else {
                await("the failure of kill " + k + " in the job's exception history", () -> {
                    timeline.sample();
                    detected[0] = rest.lastFailure(job).filter(failure -> failure.isAfter(killed)).orElse(null);
                    return detected[0] != null;
                });
            }
            await("all tasks running after kill " + k, () -> {
                timeline.sample();
                return answered(() -> allRunning(rest, job)).orElse(false);
            });
            Instant running = Instant.now();
            await("new results after kill " + k, () -> {
                timeline.sample();
                return timeline.committed() > before;
            });
            Instant flowing = Instant.now();
            ObjectNode record = records.addObject();
            record.put("kill", k);
            record.set("killed", Json.MAPPER.valueToTree(victims));
            record.put("atSeconds", Math.round(at * 10) / 10.0);
            record.put("committedBefore", before);
            record.put("failureDetectedSeconds", seconds(Duration.between(killed, detected[0])));
            record.put("runningAgainSeconds", seconds(Duration.between(killed, running)));
            record.put("resultsFlowingSeconds", seconds(Duration.between(killed, flowing)));
            out().printf("   recovered: %s after %.1f s, all tasks running after %.1f s, new results after %.1f s%n",
                    leader[0] != null ? leader[0] + " leads" : "failure detected",
                    record.get("failureDetectedSeconds").asDouble(), record.get("runningAgainSeconds").asDouble(),
                    record.get("resultsFlowingSeconds").asDouble());
            checkpointSeen = answered(() -> latestCheckpointId(rest, job)).orElse(seen);
        }
        return records;
    }

    /** The processes to kill: the leading JobManager, a TaskManager that runs tasks of the job, or both. */
    private List<String> victims(FlinkRest rest, FlinkCluster cluster, FlinkCluster.State state, JobID job,
            SplittableRandom random) {
        List<String> victims = new ArrayList<>();
        if (kill.killsJobManager()) {
            victims.add(state.jobManagerAt(rest.webInterface())
                    .orElseThrow(() -> new CommandFailedException("No JobManager leads the cluster in " + dir)));
        }
        if (kill.killsTaskManager()) {
            List<String> busy = rest.taskManagers().stream()
                    .filter(tm -> tm.getNumberAvailableSlots() < tm.getNumberSlots())
                    .map(ChaosCommand::processName)
                    .sorted()
                    .toList();
            if (busy.isEmpty()) {
                throw new CommandFailedException("No TaskManager runs tasks of job " + job);
            }
            victims.add(busy.get(random.nextInt(busy.size())));
        }
        return victims;
    }

    /** The id of the job's newest completed checkpoint, -1 if none; ids go on across a JobManager failover, counts do not. */
    private static long latestCheckpointId(FlinkRest rest, JobID job) {
        return Optional.ofNullable(rest.checkpoints(job).getLatestCheckpoints().getCompletedCheckpointStatistics())
                .map(CompletedCheckpointStatistics::getId)
                .orElse(-1L);
    }

    /**
     * What {@code call} answers; empty if the cluster does not answer, as it may not while a
     * JobManager fails over (with TaskManager kills only, the JobManager must answer).
     */
    private <T> Optional<T> answered(Supplier<T> call) {
        try {
            return Optional.of(call.get());
        } catch (CommandFailedException noAnswer) {
            if (!kill.killsJobManager()) {
                throw noAnswer;
            }
            return Optional.empty();
        }
    }

    private static boolean allRunning(FlinkRest rest, JobID job) {
        var details = rest.details(job);
        return details.getJobStatus() == JobStatus.RUNNING && details.getJobVertexInfos().stream()
                .map(JobVertexDetailsInfo::getExecutionState).allMatch(state -> state == ExecutionState.RUNNING);
    }

    /** {@code taskmanager-<n>} of a resource id {@code taskmanager-<n>-<start time>}. */
    private static String processName(TaskManagerInfo taskManager) {
        String id = taskManager.getResourceId().getResourceIdString();
        return id.substring(0, id.lastIndexOf('-'));
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new CommandFailedException("Timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private void writeResults(ObjectNode figures, ChaosVerifier.Verification verification, int logViolations,
            Map<String, String> options, boolean passed, long started) throws IOException {
        ObjectNode report = Json.MAPPER.createObjectNode();
        report.put("date", Instant.now().toString());
        report.put("cores", Runtime.getRuntime().availableProcessors());
        report.put("prompts", prompts);
        report.put("seed", seed);
        report.set("jobOptions", Json.MAPPER.valueToTree(options));
        report.put("kill", kill.name().toLowerCase(Locale.ROOT));
        report.put("highAvailability", withHighAvailability());
        report.put("killsRequested", kills);
        report.set("kills", figures.get("kills"));
        ObjectNode chaos = (ObjectNode) verification.report().get("chaos");
        report.put("committed", chaos.get("committed").asLong());
        report.put("duplicates", chaos.get("duplicates").asLong());
        report.put("lost", chaos.get("lost").asLong());
        report.put("byteIdentical", verification.report().get("store").get("byteIdentical").asBoolean());
        report.put("logLinesWithUnexpectedExceptions", logViolations);
        report.put("cleanRunSeconds", figures.get("cleanRunSeconds").asDouble());
        report.put("chaosRunSeconds", figures.get("chaosRunSeconds").asDouble());
        report.put("totalSeconds", Math.round((System.nanoTime() - started) / 1e9));
        report.put("passed", passed);
        report.set("verification", verification.report());
        Files.createDirectories(results.toAbsolutePath().getParent());
        Files.writeString(results, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        out().println("Figures in " + results.toAbsolutePath() + "; timelines in " + dir);
    }

    private static double seconds(Duration duration) {
        return Math.round(duration.toMillis() / 100.0) / 10.0;
    }

    /** A run's committed prompts over time, as {@code epoch-seconds<TAB>committed} lines for the plot. */
    private static final class Timeline {
        private final Path file;
        private final org.apache.flink.core.fs.Path outputDir;
        private final long startNanos = System.nanoTime();
        private long committed;

        Timeline(Path file, RunRecord run) {
            this.file = file;
            this.outputDir = new org.apache.flink.core.fs.Path(run.outputDir);
            append();
        }

        /** Counts the committed prompts now and records the count. */
        void sample() {
            committed = CommittedOutput.rows(outputDir);
            append();
        }

        long committed() {
            return committed;
        }

        double elapsedSeconds() {
            return (System.nanoTime() - startNanos) / 1e9;
        }

        private void append() {
            String line = String.format(Locale.ROOT, "%.3f\t%d%n", System.currentTimeMillis() / 1000.0, committed);
            try {
                Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write " + file, e);
            }
        }
    }
}
