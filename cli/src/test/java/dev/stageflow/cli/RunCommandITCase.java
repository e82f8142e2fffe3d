package dev.stageflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.StageflowJob;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.Json;
import dev.stageflow.redis.PromptMetadata;
import dev.stageflow.servers.RedisServer;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.testing.PrometheusScrape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * {@code stageflow run} end to end, as the README's first command starts it: its own Redis, a
 * watched source that stops itself with a savepoint once the committed output holds every result
 * and dead letter of the input, the summary, the run record that {@code status} reads, and the
 * embeddings and metadata that its persistent Redis keeps after the run (asked of a restarted
 * server, whichever Redis version lays out the append-only file).
 */
class RunCommandITCase {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void runsThePromptsStopsByItselfAndSummarisesWhatWasCommitted() throws Exception {
        Path prompts = dir.resolve("prompts.jsonl");
        Files.write(prompts, List.of(
                "{\"text\": \"a lighthouse at dawn\"}",
                "{\"text\": \"a red fox in snow\", \"style\": \"warm\"}",
                "{\"text\": \"a lighthouse at dawn\"}",
                "not json",
                "{\"text\": \"a koi pond\", \"seed\": 3}"));

        int exit = CommandLines.execute(out, err, "run", "--prompts", prompts.toString(), "--data-dir",
                dir.resolve("data").toString(), "--rest.port", "0", "--request.default-width", "32",
                "--request.default-height", "32", "--request.default-steps", "1");

        String output = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(output + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(output).contains("5 prompt lines", "Committed   3 prompts (3 distinct)", "Dead letters 1 {MALFORMED_JSON=1}");
        Path run;
        try (Stream<Path> runs = Files.list(dir.resolve("data/runs"))) {
            run = runs.findFirst().orElseThrow();
        }
        RunRecord record = Json.MAPPER.readValue(run.resolve(RunRecord.FILE).toFile(), RunRecord.class);
        assertThat(record.status).isEqualTo("FINISHED");
        assertThat(record.jobs).hasSize(1);
        assertThat(record.savepoints).as("the run stopped itself with a savepoint").hasSize(1);
        List<GenerationResult> results =
                CommittedOutput.results(new org.apache.flink.core.fs.Path(run.resolve("out").toUri()));
        assertThat(results).extracting(r -> r.text)
                .containsExactlyInAnyOrder("a lighthouse at dawn", "a red fox in snow", "a koi pond");
        try (RedisServer redis = RedisServer.start(dir.resolve("data").resolve(LocalRun.REDIS_DIR), true);
                Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            assertThat(jedis.keys(PromptMetadata.KEY_PREFIX + "*")).as("the metadata outlives the run's Redis")
                    .containsExactlyInAnyOrderElementsOf(results.stream().map(r -> PromptMetadata.keyOf(r.promptId)).toList());
            assertThat(jedis.keys("sf:emb:*")).as("one cached embedding per distinct text").hasSize(3);
        }

        out.reset();
        assertThat(CommandLines.execute(out, err, "status", "--data-dir", dir.resolve("data").toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("Run " + record.runId + " (local", "FINISHED", "3 results and 1 dead letters committed");
    }

    /** The run prints its Prometheus endpoint (conf/config.yaml configures the reporter), which serves the job's metrics while it runs. */
    @Test
    void servesItsMetricsToPrometheusWhileItRuns() throws Exception {
        Path prompts = dir.resolve("prompts.jsonl");
        Files.write(prompts, List.of("{\"text\": \"a lighthouse at dawn\"}", "{\"text\": \"a koi pond\"}"));
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> CommandLines.execute(out, err, "run",
                "--prompts", prompts.toString(), "--data-dir", dir.resolve("data").toString(), "--rest.port", "0",
                "--request.default-width", "32", "--request.default-height", "32", "--request.default-steps", "1"));
        Pattern endpoint = Pattern.compile("Prometheus metrics: http://localhost:(\\d+)/metrics");
        Set<String> jobs = new TreeSet<>();
        while (!run.isDone() && jobs.isEmpty()) {
            Matcher printed = endpoint.matcher(out.toString(StandardCharsets.UTF_8));
            if (printed.find()) {
                try {
                    jobs.addAll(PrometheusScrape.labelValues(PrometheusScrape.text(Integer.parseInt(printed.group(1))),
                            "flink_jobmanager_job_uptime", "job_name"));
                } catch (IOException notServingYet) {
                    // The reporter starts with the MiniCluster, a moment after the line is printed.
                }
            }
            Thread.sleep(100);
        }

        assertThat(run.get()).as(out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(jobs).containsExactly(StageflowJob.JOB_NAME);
    }
}
