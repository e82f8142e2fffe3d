package dev.stageflow.cli;

import static dev.stageflow.cli.ClusterUser.committedIds;
import static dev.stageflow.cli.ClusterUser.lines;
import static dev.stageflow.cli.ClusterUser.withSmall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.StageflowMetric;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.servers.FlinkCluster;
import dev.stageflow.servers.Ports;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.testing.JobRuns;
import dev.stageflow.testing.PrometheusScrape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster commands as a user runs them: a standalone cluster (a JobManager and two
 * TaskManagers, separate JVMs on free ports), a bounded submission waited for, a followed one
 * that takes a savepoint, is stopped with one, resumed from it with new prompts arriving while it
 * was down, and cancelled: exact results each time, and no process left after {@code cluster stop}.
 * Each process serves its metrics to Prometheus.
 */
class ClusterCommandsITCase {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);

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
    void submitsWaitsStopsResumesAndCancelsWithEachPromptCommittedOnce() throws Exception {
        Set<Integer> prometheusPorts = new TreeSet<>();
        while (prometheusPorts.size() < 3) {
            prometheusPorts.add(Ports.free());
        }
        assertThat(user.run("cluster", "start", "--rest-port", "0", "--rpc-port", "0", "--metrics.reporter.prom.port",
                prometheusPorts.stream().map(String::valueOf).collect(Collectors.joining(",")))).as(user.printed()).isZero();
        assertThat(user.run("cluster", "status")).as(user.printed()).isZero();
        assertThat(user.printed()).contains("taskmanager-1: running", "taskmanager-2: running", "2 TaskManagers registered");

        Path bounded = dir.resolve("bounded.jsonl");
        ChaosPrompts.write(3, 1, bounded);
        assertThat(user.run(withSmall("submit", "--prompts", bounded.toString(), "--wait"))).as(user.printed()).isZero();
        assertThat(user.printed()).contains("FINISHED");
        assertThat(committedIds(user.newestRun())).containsExactlyInAnyOrder("chaos-00001", "chaos-00002", "chaos-00003");

        Path prompts = Files.createDirectories(dir.resolve("prompts"));
        List<String> first = lines(1, 6);
        first.add("not json");
        JobRuns.publish(prompts, "first.jsonl", first);
        assertThat(user.run(withSmall("submit", "--prompts", prompts.toString(), "--follow",
                "--source.monitor-interval", "200 ms"))).as(user.printed()).isZero();
        RunRecord run = user.newestRun();
        ClusterUser.awaitCommitted(run, 3, TIMEOUT);
        assertEveryProcessServesItsMetrics(prometheusPorts);
        assertThat(user.run("savepoint")).as(user.printed()).isZero();
        assertThat(user.printed()).contains("Savepoint of job " + run.lastJob().orElseThrow().jobId);
        assertThat(user.run("stop")).as(user.printed()).isZero();
        assertThat(user.printed()).contains("stopped with savepoint");
        assertThat(user.newestRun().status).isEqualTo(RunRecord.STOPPED);

        JobRuns.publish(prompts, "second.jsonl", lines(7, 10));
        assertThat(user.run("resume")).as(user.printed()).isZero();
        assertThat(user.printed()).contains("resumed as job");
        ClusterUser.awaitCommitted(run, 10 + 1, TIMEOUT);
        assertThat(user.run("status")).as(user.printed()).isZero();
        assertThat(user.printed()).contains("RUNNING", "10 results and 1 dead letters committed", "Checkpoints:");
        assertThat(user.run("cancel")).as(user.printed()).isZero();
        assertThat(user.printed()).contains("CANCELED");

        RunRecord resumed = user.newestRun();
        assertThat(resumed.jobs).hasSize(2);
        assertThat(resumed.jobs.get(1).restoredFrom).isEqualTo(resumed.savepoints.get(1));
        assertThat(committedIds(resumed)).as("each prompt committed once")
                .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 10).mapToObj(ClusterUser::id).toList());
        assertThat(CommittedOutput.deadLetters(new org.apache.flink.core.fs.Path(resumed.outputDir)))
                .extracting((DeadLetter d) -> d.reason).containsExactly("MALFORMED_JSON");

        Map<String, Long> processes = new FlinkCluster(dir.resolve("data")).running();
        assertThat(processes).hasSize(3);
        assertThat(user.run("cluster", "stop")).isZero();
        assertThat(processes.values()).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isEmpty());
        assertThat(user.run("cluster", "status")).isEqualTo(3);
    }

    /**
     * The Prometheus reporter of conf/config.yaml runs in each process of the cluster, each on its
     * own port of the range: the JobManager serves the job's metrics, each TaskManager those of its
     * tasks, the model stages among them.
     */
    private static void assertEveryProcessServesItsMetrics(Set<Integer> ports) throws Exception {
        Set<String> names = new TreeSet<>();
        Set<String> taskManagers = new TreeSet<>();
        String latency = StageflowMetric.LATENCY_MILLIS.prometheusNames().get(0) + "_count";
        for (int port : ports) {
            String scrape = PrometheusScrape.text(port);
            names.addAll(PrometheusScrape.names(scrape));
            taskManagers.addAll(PrometheusScrape.labelValues(scrape, latency, "tm_id"));
        }
        assertThat(names).contains("flink_jobmanager_job_uptime", latency);
        assertThat(taskManagers).as("TaskManagers serving the model stages' metrics").hasSize(2);
    }
}
