package dev.stageflow.cli;

import static dev.stageflow.cli.ClusterUser.committedIds;
import static dev.stageflow.cli.ClusterUser.lines;
import static dev.stageflow.cli.ClusterUser.withSmall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.servers.FlinkCluster;
import dev.stageflow.testing.JobRuns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JobManager high availability as a user runs it: {@code cluster start --ha} (a ZooKeeper server,
 * two JobManagers and two TaskManagers, separate JVMs on free ports), a followed submission, and
 * {@code kill -9} of the leading JobManager once results are committed, with new prompts arriving
 * while it is down. Nobody intervenes: the standby takes over and recovers the same job from its
 * latest checkpoint, the commands find the new leader through ZooKeeper, and the job, stopped with
 * a savepoint, has committed each prompt exactly once. {@code cluster stop} leaves no process,
 * ZooKeeper's included. ({@code stageflow chaos --kill jobmanager} is the longer run of this.)
 */
class JobManagerFailoverITCase {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    private ClusterUser user;

    @BeforeEach
    void user() {
        user = new ClusterUser(dir.resolve("data"));
    }

    @AfterEach
    void stopCluster() {
        user.run("cluster", "stop");
    }

    @Test
    void standbyRecoversTheJobWhenTheLeaderIsKilledAndEachPromptIsCommittedOnce() throws Exception {
        assertThat(user.run("cluster", "start", "--ha", "--rest-port", "0")).as(user.printed()).isZero();
        FlinkCluster cluster = new FlinkCluster(user.dataDir());
        FlinkCluster.State state = cluster.state().orElseThrow();
        String leader = cluster.leader(state).orElseThrow();
        assertThat(user.run("cluster", "status")).as(user.printed()).isZero();
        assertThat(user.printed()).contains("jobmanager-1: running", "jobmanager-2: running", "zookeeper: running",
                "Leader: " + leader, "2 TaskManagers registered");

        Path prompts = Files.createDirectories(dir.resolve("prompts"));
        JobRuns.publish(prompts, "first.jsonl", lines(1, 6));
        assertThat(user.run(withSmall("submit", "--prompts", prompts.toString(), "--follow",
                "--source.monitor-interval", "200 ms"))).as(user.printed()).isZero();
        RunRecord run = user.newestRun();
        assertThat(run.restAddress).startsWith("zookeeper://");
        ClusterUser.awaitCommitted(run, 6, TIMEOUT);

        cluster.kill(leader);
        JobRuns.publish(prompts, "second.jsonl", lines(7, 12));
        ClusterUser.awaitCommitted(run, 12, TIMEOUT);

        assertThat(user.run("status")).as(user.printed()).isZero();
        assertThat(user.printed()).contains("RUNNING", "12 results and 0 dead letters committed", "1 restored");
        assertThat(user.run("cluster", "status")).as(user.printed()).isZero();
        String standby = state.jobManagers().stream().filter(name -> !name.equals(leader)).findFirst().orElseThrow();
        assertThat(user.printed()).contains(leader + ": not running", "Leader: " + standby);
        assertThat(user.run("stop")).as(user.printed()).isZero();
        assertThat(user.printed()).contains("stopped with savepoint");

        RunRecord stopped = user.newestRun();
        assertThat(stopped.jobs).as("the same job, recovered, not resubmitted").hasSize(1);
        assertThat(committedIds(stopped)).as("each prompt committed once")
                .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 12).mapToObj(ClusterUser::id).toList());

        Map<String, Long> processes = cluster.running();
        assertThat(processes).containsOnlyKeys(standby, "taskmanager-1", "taskmanager-2", FlinkCluster.ZOOKEEPER);
        assertThat(user.run("cluster", "stop")).isZero();
        assertThat(processes.values()).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isEmpty());
        assertThat(user.run("cluster", "status")).isEqualTo(3);
    }
}
