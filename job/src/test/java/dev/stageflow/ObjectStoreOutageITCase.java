package dev.stageflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.servers.S3ProxyServer;
import dev.stageflow.stage.ImageEnhanceStage;
import dev.stageflow.stage.ImageGenerateStage;
import dev.stageflow.testing.ExactlyOnce;
import dev.stageflow.testing.JobRuns;
import dev.stageflow.testing.StageMetrics;
import dev.stageflow.testing.TestJobs;
import dev.stageflow.testing.TestPrompts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 endpoint of the store goes away for 30 s while the job runs and comes back on the same
 * port with the same data. S3A is set to try each request once, so store calls fail during the
 * outage, and the job has no restart strategy, so it must ride the outage out in place: the stages
 * retry their store calls, nothing restarts, and every valid prompt is committed exactly once with
 * artifacts that verify.
 */
class ObjectStoreOutageITCase {

    private static final StageMetrics METRICS = new StageMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = METRICS.miniCluster(2);

    private static final Duration OUTAGE = Duration.ofSeconds(30);
    private static final Duration STEP_DEADLINE = Duration.ofMinutes(3);

    @TempDir
    static Path dir;

    private static S3ProxyServer s3;

    @BeforeAll
    static void startS3() {
        s3 = S3ProxyServer.start(dir.resolve("s3"), "artifacts");
        Configuration conf = s3.flinkOptions();
        // S3A would otherwise ride out the outage with its own retries, inside one store call;
        // with one attempt the calls fail, and the stages' own retries are what is tested.
        conf.setString("s3.attempts.maximum", "1");
        conf.setString("s3.retry.limit", "1");
        conf.setString("s3.connection.establish.timeout", "2000");
        FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));
    }

    @AfterAll
    static void stopS3() {
        s3.close();
        S3ProxyServer.resetFlinkFileSystems();
    }

    @Test
    void stagesRetryThroughA30SecondOutageAndCommitEachPromptOnce() throws Exception {
        List<String> lines = Files.readAllLines(TestPrompts.examples());
        List<String> before = lines.subList(0, 12);
        List<String> during = lines.subList(12, lines.size());
        Path input = Files.createDirectories(dir.resolve("in"));
        Path out = dir.resolve("out");
        Configuration conf = conf(input, out);
        Set<String> expected = TestJobs.validPromptIds(lines, conf);

        JobRuns.publish(input, "part-1.jsonl", before);
        JobClient job = TestJobs.start(conf, "object-store-outage");
        JobRuns.await("a first committed result", STEP_DEADLINE, job, () -> !TestJobs.committedIds(out).isEmpty());
        int port = s3.port();
        s3.close();
        JobRuns.publish(input, "part-2.jsonl", during);
        Thread.sleep(OUTAGE.toMillis());
        s3 = S3ProxyServer.start(dir.resolve("s3"), "artifacts", port);
        JobRuns.await("every prompt committed after the outage", STEP_DEADLINE, job,
                () -> TestJobs.committedIds(out).containsAll(expected));
        job.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL).get();
        job.getJobExecutionResult().get();

        List<GenerationResult> results = ExactlyOnce.assertCommittedExactlyOnce(
                out, expected, TestJobs.deadLetterInputs(lines, conf), conf);
        assertThat(results).allSatisfy(result -> assertThat(result.image.uri).startsWith("s3://artifacts/store/"));
        long retries = METRICS.total(job.getJobID(), ImageGenerateStage.STAGE, "retries")
                + METRICS.total(job.getJobID(), ImageEnhanceStage.STAGE, "retries");
        assertThat(retries).as("store calls retried in place during the outage").isPositive();
        System.out.printf("S3 down for %s: %d results committed once each, %d stage retries, no restart%n",
                OUTAGE, results.size(), retries);
    }

    private static Configuration conf(Path input, Path out) {
        Configuration conf = TestJobs.smallJob(dir.resolve("checkpoints"));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(SourceOptions.PROMPTS, input.toUri().toString());
        conf.set(SourceOptions.FOLLOW, true);
        conf.set(SourceOptions.MONITOR_INTERVAL, Duration.ofMillis(200));
        conf.set(SinkOptions.OUTPUT_DIR, out.toUri().toString());
        conf.set(StoreOptions.URI, s3.uri("store").toString());
        return conf;
    }
}
