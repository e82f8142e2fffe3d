package dev.stageflow.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The logs half of {@code stageflow chaos}'s verdict: every log line of the cluster that names an
 * exception (stack frames aside) must be one that the run explains. Some are part of any job's
 * start and stop; others are what killing a TaskManager or a JobManager causes by design, allowed
 * only in the chaos run's part of the logs and only for the kind of kill the run makes. Each
 * allowed line is a pattern measured on real runs.
 */
final class ChaosLogJudge {

    /** Exceptions of a job's normal start and stop-with-savepoint. */
    private static final List<Pattern> ALWAYS = patterns(
            // A checkpoint triggered while tasks are still deploying (job start, restart) is declined.
            "CheckpointException: .*(Checkpoint was declined \\(tasks not ready\\)|Checkpoint Coordinator is suspending"
                    + "|TaskManager received a checkpoint request for unknown task)",
            "Triggering Checkpoint [0-9]+ for job [0-9a-f]+ failed due to org\\.apache\\.flink\\.runtime\\."
                    + "(checkpoint\\.CheckpointException|rpc\\.exceptions\\.RecipientUnreachableException)",
            // cluster stop: a TaskManager tells its JobManager it is going.
            "FlinkExpectedException: The TaskExecutor is shutting down");

    /** Exceptions that killing any process of the cluster causes by design. */
    private static final List<Pattern> AFTER_ANY_KILL = patterns(
            // Pekko's association with the dead process, from each process that sends it RPCs.
            "Association with remote system \\[pekko\\.tcp://flink@localhost:[0-9]+\\] has failed");

    /** Exceptions that killing a TaskManager causes by design. */
    private static final List<Pattern> AFTER_TASKMANAGER_KILLS = patterns(
            // The checkpoint trigger sent to the dead process.
            "RecipientUnreachableException: Could not send message \\[RemoteRpcInvocation\\(TaskExecutorGateway\\.triggerCheckpoint",
            "CheckpointException: Trigger checkpoint failure",
            // A checkpoint triggered just before the kill waits for the dead process until its RPC times
            // out: the coordinator's INFO line, and the cause under "Failed to trigger or complete checkpoint".
            "(failed due to |Caused by: )java\\.util\\.concurrent\\.TimeoutException: "
                    + "Invocation of \\[RemoteRpcInvocation\\(TaskExecutorGateway\\.triggerCheckpoint",
            // The JobMaster's and the ResourceManager's records of the lost TaskManager.
            "(JobMasterException|ResourceManagerException): TaskManager with id taskmanager-[0-9]+-[0-9]+ is no longer reachable",
            // A task on the surviving TaskManager that reads from the dead one fails on the closed
            // connection, in its own log and in the JobManager's record of the task, unless the
            // JobMaster cancelled it first (slots spread over both TaskManagers make this common).
            "RemoteTransportException: Connection unexpectedly closed by remote task manager "
                    + "'localhost/127\\.0\\.0\\.1:[0-9]+ \\[ taskmanager-[0-9]+-[0-9]+ \\] '");

    /** Exceptions that killing the leading JobManager causes by design. */
    private static final List<Pattern> AFTER_JOBMANAGER_KILLS = patterns(
            // Each TaskManager fails the job's tasks once the job's leader is gone (the JobMaster's
            // leadership ended with the dead JobManager's ZooKeeper session) ...
            "FlinkException: Disconnect from JobManager responsible for [0-9a-f]{32}\\.$",
            "Caused by: java\\.lang\\.Exception: Job leader for job id [0-9a-f]{32} lost leadership\\.$",
            // ... and cannot send their final states to the dead JobMaster.
            "RecipientUnreachableException: Could not send message \\[RemoteFencedMessage\\([0-9a-f]{32}, "
                    + "RemoteRpcInvocation\\(JobMasterGateway\\.updateTaskExecutionState");

    private static final Pattern NAMES_AN_EXCEPTION = Pattern.compile("(Exception|Error)\\b");
    private static final Pattern STACK_FRAME = Pattern.compile("^\\s+at |^\\s*\\.\\.\\. [0-9]+ more");

    private final Path logDir;
    private final List<Pattern> afterKills;
    private final Map<Path, Integer> linesAtMark = new HashMap<>();

    ChaosLogJudge(Path logDir, ChaosKill kill) {
        this.logDir = logDir;
        List<Pattern> allowed = new ArrayList<>(AFTER_ANY_KILL);
        if (kill.killsTaskManager()) {
            allowed.addAll(AFTER_TASKMANAGER_KILLS);
        }
        if (kill.killsJobManager()) {
            allowed.addAll(AFTER_JOBMANAGER_KILLS);
        }
        this.afterKills = List.copyOf(allowed);
    }

    /** Marks where the clean run's part of the logs ends and the chaos run's begins. */
    void mark() {
        logs().forEach(log -> linesAtMark.put(log, lines(log).size()));
    }

    /** Log lines (file: line) that name an exception the runs do not explain. */
    List<String> unexplained() {
        List<String> violations = new ArrayList<>();
        for (Path log : logs()) {
            List<String> lines = lines(log);
            int mark = linesAtMark.getOrDefault(log, lines.size());
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                boolean chaosPart = i >= mark;
                if (NAMES_AN_EXCEPTION.matcher(line).find() && !STACK_FRAME.matcher(line).find()
                        && !matches(ALWAYS, line) && !(chaosPart && matches(afterKills, line))) {
                    violations.add(log.getFileName() + ": " + line);
                }
            }
        }
        return violations;
    }

    private List<Path> logs() {
        try (Stream<Path> files = Files.list(logDir)) {
            return files.filter(file -> file.toString().endsWith(".log") || file.toString().endsWith(".out"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the cluster's logs in " + logDir, e);
        }
    }

    private static List<String> lines(Path log) {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + log, e);
        }
    }

    private static boolean matches(List<Pattern> allowed, String line) {
        return allowed.stream().anyMatch(pattern -> pattern.matcher(line).find());
    }

    private static List<Pattern> patterns(String... regexes) {
        return Stream.of(regexes).map(Pattern::compile).toList();
    }
}
