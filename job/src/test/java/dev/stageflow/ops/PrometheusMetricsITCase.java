package dev.stageflow.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.StageflowJob;
import dev.stageflow.config.CacheOptions;
import dev.stageflow.config.JobOperator;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StageflowMetric;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.DeadLetterReason;
import dev.stageflow.servers.Ports;
import dev.stageflow.servers.RedisServer;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.testing.PrometheusScrape;
import dev.stageflow.testing.TestJobs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on a MiniCluster with Flink's Prometheus reporter on a free port, as {@code conf/config.yaml}
 * configures it, with Redis: while the job runs, its endpoint is scraped over HTTP, and every metric
 * of the job's catalogue ({@link StageflowMetric}) is there under the name the README's table gives,
 * and so is every metric the alert rules and the Grafana dashboard query.
 */
class PrometheusMetricsITCase {

    private static final String PORT_KEY = "metrics.reporter.prom.port";
    private static final int PROMETHEUS_PORT = Ports.free();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster(2, reporter(PROMETHEUS_PORT));

    private static final List<String> LINES = List.of(
            "{\"text\": \"a lighthouse on a rocky coast at dawn\"}",
            "{\"text\": \"a red fox sleeping in fresh snow\", \"seed\": 7}",
            "{\"text\": \"unterminated",
            "{\"text\": \"a bowl of ramen\", \"style\": \"warm\"}");

    @TempDir
    static Path dir;

    private static RedisServer redis;
    /** The endpoint's text, scraped while the job ran. */
    private static String scrape;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start(dir.resolve("redis"));
    }

    /**
     * The endpoint's text while the job runs; the job runs once, for the first test that asks (in a
     * test, not before all: only there does the MiniCluster extension make it the job's cluster).
     */
    private static synchronized String scrape() throws Exception {
        if (scrape == null) {
            scrape = scrapeWhileRunning();
        }
        return scrape;
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    /** The reporters of the checkout's conf/config.yaml, the Prometheus one on a free port instead of its range. */
    private static Configuration reporter(int port) {
        Configuration checkout = GlobalConfiguration.loadConfiguration(
                Path.of(System.getProperty("stageflow.root"), "conf").toString());
        Configuration conf = new Configuration();
        checkout.toMap().forEach((key, value) -> {
            if (key.startsWith("metrics.reporter.")) {
                conf.setString(key, value);
            }
        });
        assertThat(conf.toMap()).as("the reporter of conf/config.yaml").containsKey(PORT_KEY);
        conf.setString(PORT_KEY, Integer.toString(port));
        return conf;
    }

    @Test
    void exportsEveryMetricOfTheCatalogueWhileTheJobRuns() throws Exception {
        Set<String> exported = PrometheusScrape.names(scrape());

        Set<String> expected = new TreeSet<>();
        for (StageflowMetric metric : StageflowMetric.values()) {
            // This job reads files: the Kafka source's metrics are not registered.
            if (!metric.operators().contains(JobOperator.SOURCE_KAFKA)) {
                expected.addAll(metric.prometheusNames());
            }
        }
        assertThat(exported).containsAll(expected);
    }

    @Test
    void exportsEveryMetricTheAlertRulesQuery() throws Exception {
        Set<String> queried = OpsFiles.metricNames(OpsFiles.alertRules().stream().map(rule -> rule.path("expr").asText()).toList());

        assertThat(queried).as("metrics in " + OpsFiles.ALERTS).hasSizeGreaterThan(10);
        assertThat(PrometheusScrape.names(scrape())).containsAll(queried);
    }

    @Test
    void exportsEveryMetricTheDashboardQueries() throws Exception {
        Set<String> queried = OpsFiles.metricNames(OpsFiles.dashboardQueries());

        assertThat(queried).as("metrics in " + OpsFiles.DASHBOARD).hasSizeGreaterThan(20);
        assertThat(PrometheusScrape.names(scrape())).containsAll(queried);
    }

    @Test
    void labelsEachModelStageWithItsStageIdAndEachDeadLetterWithItsReason() throws Exception {
        assertThat(PrometheusScrape.labelValues(scrape(), StageflowMetric.LATENCY_MILLIS.prometheusNames().get(0) + "_count",
                "stage")).containsExactlyInAnyOrder(
                        JobOperator.TEXT_ENCODE.uid(), JobOperator.IMAGE_GENERATE.uid(), JobOperator.IMAGE_ENHANCE.uid());
        assertThat(PrometheusScrape.labelValues(scrape(), StageflowMetric.DEAD_LETTERS.prometheusNames().get(0), "reason"))
                .containsExactly(DeadLetterReason.MALFORMED_JSON.name());
    }

    /** Runs the job over {@link #LINES}, following them; scrapes once everything is committed, then cancels it. */
    private static String scrapeWhileRunning() throws Exception {
        Path input = dir.resolve("prompts.jsonl");
        Files.write(input, LINES);
        Path out = dir.resolve("out");
        Configuration conf = TestJobs.smallJob(dir.resolve("checkpoints"));
        conf.set(SourceOptions.PROMPTS, input.toUri().toString());
        conf.set(SourceOptions.FOLLOW, true);
        conf.set(SourceOptions.MONITOR_INTERVAL, Duration.ofMillis(200));
        conf.set(SinkOptions.OUTPUT_DIR, out.toUri().toString());
        conf.set(StoreOptions.URI, dir.resolve("store").toUri().toString());
        conf.set(CacheOptions.REDIS_URI, redis.uri().toString());
        JobClient job = TestJobs.start(conf, StageflowJob.JOB_NAME);
        try {
            while (CommittedOutput.rows(TestJobs.flinkPath(out)) < LINES.size()) {
                assertThat(job.getJobStatus().get()).as("job status").isNotIn(JobStatus.FAILED, JobStatus.FINISHED);
                Thread.sleep(200);
            }
            return PrometheusScrape.text(PROMETHEUS_PORT);
        } finally {
            job.cancel().get();
        }
    }
}
