package dev.stageflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.config.TestingOptions;
import dev.stageflow.faults.ModelCallLog.Event;
import dev.stageflow.testing.ExactlyOnce;
import dev.stageflow.testing.TestJobs;
import dev.stageflow.testing.TestPrompts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each operator of the job fails on purpose (the {@code testing.fail.*} injector), once or on
 * repeated attempts, before a batch or in the middle of one, while prompt files are read. The job
 * restarts from its last checkpoint and must end with exactly the valid prompts committed, each
 * once, every artifact matching its sha256, exactly the invalid lines dead-lettered, and no model
 * call for an artifact that was already in the store.
 */
class FaultToleranceITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster();

    private static final int PROMPTS = 24;

    @TempDir
    Path dir;

    /**
     * Parallelism 1 where the failing operator is chained to the file source: a single file is one
     * split, read by whichever source subtask asks first, so subtask 0 might see no record at all.
     * Behind dedupe, promptIds spread over both subtasks by their (fixed) key groups.
     */
    @ParameterizedTest(name = "{0} fails {2}x {1} after {3} records, parallelism {4}")
    @CsvSource({
        "parse-validate, before-batch, 1, 9, 1",
        "text-encode, mid-batch, 2, 4, 2",
        "image-generate, before-batch, 1, 3, 2",
        "image-generate, mid-batch, 2, 5, 2",
        "image-enhance, mid-batch, 2, 4, 2",
        "result-rows, before-batch, 1, 6, 2"
    })
    void fileSourceCommitsEachPromptOnceAfterInjectedFailures(
            String stage, String point, int attempts, int afterRecords, int parallelism) throws Exception {
        List<String> lines = TestPrompts.mixed("file", PROMPTS);
        Path input = Files.write(dir.resolve("prompts.jsonl"), lines);
        Path out = dir.resolve("out");
        Path callLog = dir.resolve("model-calls");
        Configuration conf = TestJobs.smallJob(dir.resolve("checkpoints"));
        conf.set(SourceOptions.PROMPTS, input.toUri().toString());
        conf.set(SinkOptions.OUTPUT_DIR, out.toUri().toString());
        conf.set(StoreOptions.URI, dir.resolve("store").toUri().toString());
        conf.set(TestingOptions.MODEL_CALL_LOG, callLog.toString());
        conf.set(TestingOptions.FAIL_STAGE, stage);
        conf.set(TestingOptions.FAIL_POINT, point);
        conf.set(TestingOptions.FAIL_ATTEMPTS, attempts);
        conf.set(TestingOptions.FAIL_AFTER_RECORDS, afterRecords);
        restartQuickly(conf, attempts + 3);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        StageflowJob.build(env, conf);
        env.executeAsync("faults-" + stage).getJobExecutionResult().get(4, TimeUnit.MINUTES);

        List<Event> faults = ExactlyOnce.faults(callLog);
        assertThat(faults).as("injected failures").hasSize(attempts)
                .allSatisfy(f -> assertThat(f.stage()).isEqualTo(stage));
        assertThat(faults).extracting(Event::attempt).containsExactlyInAnyOrderElementsOf(
                java.util.stream.IntStream.range(0, attempts).boxed().toList());
        ExactlyOnce.assertCommittedExactlyOnce(out, TestJobs.validPromptIds(lines, conf),
                TestJobs.invalidLines(lines, conf), conf);
        Map<String, Long> calls = ExactlyOnce.assertNothingComputedAgainOnceStored(callLog);
        Map<String, Long> distinct = ExactlyOnce.distinctCalls(callLog);
        assertThat(distinct).as("every image was computed").containsEntry("image-generate", 2L * PROMPTS)
                .containsEntry("image-enhance", (long) PROMPTS);
        System.out.printf("%s %s x%d: model calls %s, distinct %s%n", stage, point, attempts, calls, distinct);
    }

    static void restartQuickly(Configuration conf, int attempts) {
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, attempts);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
    }
}
