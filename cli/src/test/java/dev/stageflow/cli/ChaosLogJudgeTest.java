package dev.stageflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos verdict's log judge on lines the cluster logged in real runs (2026-11-30): what a kill
 * explains is allowed in the chaos run's part of the logs only, and only for the kind of kill the
 * run makes.
 */
class ChaosLogJudgeTest {

    /** Pekko's advice that closes every RPC timeout message. */
    private static final String TIMEOUT_ADVICE = " This is usually caused by: 1) Pekko failed sending the message silently,"
            + " due to problems like oversized payload or serialization failures. In that case, you should find detailed"
            + " error information in the logs. 2) The recipient needs more time for responding, due to problems like slow"
            + " machines or network jitters. In that case, you can try to increase pekko.ask.timeout.";
    private static final String TRIGGER_TIMEOUT = "java.util.concurrent.TimeoutException: Invocation of"
            + " [RemoteRpcInvocation(TaskExecutorGateway.triggerCheckpoint(ExecutionAttemptID, long, long, CheckpointOptions))]"
            + " at recipient [pekko.tcp://flink@localhost:43609/user/rpc/taskmanager_0] timed out." + TIMEOUT_ADVICE;

    /**
     * A checkpoint triggered on a TaskManager that dies before it acknowledges: the trigger times
     * out 10 s later (pekko.ask.timeout). Caught with a TaskManager stopped (SIGSTOP) between a
     * trigger and its acknowledgement and then killed.
     */
    private static final String TRIGGER_TIMED_OUT = "2026-11-30 13:02:34,740 INFO  org.apache.flink.runtime.checkpoint."
            + "CheckpointCoordinator    [] - Triggering Checkpoint 15 for job 921219304c8edb54d57973593dce666f failed due to "
            + TRIGGER_TIMEOUT;
    /**
     * The same timeout as the cause under "Failed to trigger or complete checkpoint", as the
     * coordinator logs it while the checkpoint is still pending: the line the reported chaos run
     * (--prompts 1000 --kills 4 --seed 7) failed on. The form is the one measured for the trigger
     * RPC that finds the dead TaskManager unreachable, with the exception of the line above.
     */
    private static final String TRIGGER_TIMEOUT_CAUSE = "Caused by: " + TRIGGER_TIMEOUT;
    private static final String TRIGGER_UNREACHABLE_CAUSE = "Caused by: org.apache.flink.runtime.rpc.exceptions."
            + "RecipientUnreachableException: Could not send message [RemoteRpcInvocation(TaskExecutorGateway.triggerCheckpoint"
            + "(ExecutionAttemptID, long, long, CheckpointOptions))] from sender [Actor[pekko://flink/temp/taskmanager_0$Q4]]"
            + " to recipient [Actor[pekko.tcp://flink@localhost:41739/user/rpc/taskmanager_0#1733542444]], because the"
            + " recipient is unreachable. This can either mean that the recipient has been terminated or that the remote"
            + " RpcService is currently not reachable.";
    private static final String TASKMANAGER_LOST = "org.apache.flink.runtime.jobmaster.JobMasterException: TaskManager with"
            + " id taskmanager-1-1796042185750 is no longer reachable.";

    /** A task on the survivor that reads from the killed TaskManager fails on the closed connection. */
    private static final String UPSTREAM_GONE = "org.apache.flink.runtime.io.network.netty.exception.RemoteTransportException:"
            + " Connection unexpectedly closed by remote task manager 'localhost/127.0.0.1:33545 [ taskmanager-2-1796044152725 ] '."
            + " This might indicate that the remote task manager was lost.";

    /** A TaskManager fails the job's tasks when the leading JobManager dies (chaos --kill jobmanager). */
    private static final String JOB_LEADER_GONE = "org.apache.flink.util.FlinkException: Disconnect from JobManager"
            + " responsible for 02049c479e8ea554178a7f8fbe5a0467.";
    private static final String JOB_LEADER_LOST = "Caused by: java.lang.Exception: Job leader for job id"
            + " 02049c479e8ea554178a7f8fbe5a0467 lost leadership.";
    private static final String FINAL_STATE_UNSENT = "org.apache.flink.runtime.rpc.exceptions.RecipientUnreachableException:"
            + " Could not send message [RemoteFencedMessage(b4c2ade377594a7cd227dff1bf8a4520, RemoteRpcInvocation(JobMasterGateway"
            + ".updateTaskExecutionState(TaskExecutionState)))] from sender [Actor[pekko://flink/temp/jobmanager_3$Oe]] to"
            + " recipient [Actor[pekko.tcp://flink@localhost:36869/user/rpc/jobmanager_3#693335597]], because the recipient"
            + " is unreachable. This can either mean that the recipient has been terminated or that the remote RpcService is"
            + " currently not reachable.";

    /** Either kill: Pekko's association with the dead process. */
    private static final String ASSOCIATION_FAILED = "2026-11-30 12:49:03,117 WARN  org.apache.pekko.remote."
            + "ReliableDeliverySupervisor           [] - Association with remote system [pekko.tcp://flink@localhost:36869]"
            + " has failed, address is now gated for [50] ms. Reason: [Association failed with"
            + " [pekko.tcp://flink@localhost:36869]] Caused by: [org.apache.flink.shaded.netty4.io.netty.channel."
            + "AbstractChannel$AnnotatedConnectException: Connection refused: localhost/127.0.0.1:36869, caused by:"
            + " java.net.ConnectException: Connection refused]";

    private static final List<String> TASKMANAGER_KILL_LINES = List.of(TRIGGER_TIMED_OUT, TRIGGER_TIMEOUT_CAUSE,
            TRIGGER_UNREACHABLE_CAUSE, TASKMANAGER_LOST, UPSTREAM_GONE, ASSOCIATION_FAILED);
    private static final List<String> JOBMANAGER_KILL_LINES = List.of(JOB_LEADER_GONE, JOB_LEADER_LOST,
            FINAL_STATE_UNSENT, ASSOCIATION_FAILED);

    @TempDir
    Path logDir;

    @Test
    void aTaskManagerKillExplainsTheCheckpointTriggerThatTimesOutOnTheDeadTaskManager() throws IOException {
        assertThat(judge(ChaosKill.TASKMANAGER, List.of(), TASKMANAGER_KILL_LINES)).isEmpty();
    }

    @Test
    void aJobManagerKillExplainsTaskManagersLosingTheJobLeader() throws IOException {
        assertThat(judge(ChaosKill.JOBMANAGER, List.of(), JOBMANAGER_KILL_LINES)).isEmpty();
    }

    @Test
    void killingBothExplainsWhatEitherKillCauses() throws IOException {
        List<String> both = new java.util.ArrayList<>(TASKMANAGER_KILL_LINES);
        both.addAll(JOBMANAGER_KILL_LINES);
        assertThat(judge(ChaosKill.BOTH, List.of(), both)).isEmpty();
    }

    @Test
    void whatAKillExplainsIsAViolationInTheCleanRun() throws IOException {
        assertThat(judge(ChaosKill.BOTH, List.of(TRIGGER_TIMEOUT_CAUSE, JOB_LEADER_GONE), List.of()))
                .containsExactly("jobmanager.log: " + TRIGGER_TIMEOUT_CAUSE, "jobmanager.log: " + JOB_LEADER_GONE);
    }

    @Test
    void whatTheOtherKindOfKillExplainsIsAViolation() throws IOException {
        assertThat(judge(ChaosKill.TASKMANAGER, List.of(), List.of(JOB_LEADER_GONE, JOB_LEADER_LOST)))
                .containsExactly("jobmanager.log: " + JOB_LEADER_GONE, "jobmanager.log: " + JOB_LEADER_LOST);
        assertThat(judge(ChaosKill.JOBMANAGER, List.of(), List.of(TRIGGER_TIMEOUT_CAUSE, TASKMANAGER_LOST)))
                .containsExactly("jobmanager.log: " + TRIGGER_TIMEOUT_CAUSE, "jobmanager.log: " + TASKMANAGER_LOST);
    }

    @Test
    void stackFramesAndLinesWithoutExceptionsAreNotJudged() throws IOException {
        List<String> lines = List.of(
                "\tat org.apache.flink.runtime.checkpoint.CheckpointCoordinator.lambda$triggerCheckpointRequest$10"
                        + "(CheckpointCoordinator.java:811) ~[flink-runtime-2.2.0.jar:2.2.0]",
                "\t... 36 more",
                "2026-11-30 12:39:37,667 WARN  org.apache.flink.runtime.checkpoint.CheckpointFailureManager [] - Failed to"
                        + " trigger or complete checkpoint 14 for job 5655e01e7b78bc1b6c6b33a851ecedbe. (0 consecutive failed"
                        + " attempts so far)");
        assertThat(judge(ChaosKill.TASKMANAGER, lines, lines)).isEmpty();
    }

    /** Writes {@code clean} to a JobManager log, marks, appends {@code chaos}; returns the judge's violations. */
    private List<String> judge(ChaosKill kill, List<String> clean, List<String> chaos) throws IOException {
        Path log = logDir.resolve("jobmanager.log");
        Files.deleteIfExists(log);
        Files.write(log, clean);
        ChaosLogJudge judge = new ChaosLogJudge(logDir, kill);
        judge.mark();
        Files.write(log, chaos, StandardOpenOption.APPEND);
        return judge.unexplained();
    }
}
