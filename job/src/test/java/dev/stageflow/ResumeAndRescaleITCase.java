package dev.stageflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.stage.ImageEnhanceStage;
import dev.stageflow.testing.ExactlyOnce;
import dev.stageflow.testing.JobRuns;
import dev.stageflow.testing.TestJobs;
import dev.stageflow.testing.TestPrompts;
import dev.stageflow.testing.faults.FailingFileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping and starting the job while prompt files are followed: cancelled mid-run and resumed from
 * the retained checkpoint, and stopped with a savepoint at parallelism 2, resumed at 4, stopped
 * again and resumed at 1. Each time more prompt files arrive while the job is down. At the end,
 * exactly the valid prompts of all files are committed, each once, with verified artifacts, and no
 * artifact was computed and written twice (the store is a {@link FailingFileSystem}, which records
 * every artifact written, and fails nothing here). Operator uids are required (auto-generated uids
 * are off), so a missing uid fails the job at submission.
 */
class ResumeAndRescaleITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster(4);

    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    private final List<String> lines = new ArrayList<>();

    @BeforeEach
    void forgetEarlierRuns() {
        FailingFileSystem.reset();
    }

    @Test
    void cancelledJobResumesFromItsRetainedCheckpoint() throws Exception {
        Configuration conf = jobConfig();
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        addPromptFile("first", 32);

        JobClient first = start(conf, 2, null);
        int committedAtCancel = JobRuns.awaitCommittedResults(out(), 1, first, TIMEOUT);
        JobRuns.cancel(first);
        org.apache.flink.core.fs.Path checkpoint = JobRuns.latestCompletedCheckpoint(
                        new org.apache.flink.core.fs.Path(checkpoints().toUri().toString(), first.getJobID().toString()))
                .orElseThrow(() -> new AssertionError("no retained checkpoint of the cancelled job"));
        addPromptFile("second", 8);

        JobClient resumed = start(conf, 2, checkpoint.toString());
        JobRuns.awaitCommittedResults(out(), expectedIds(conf).size(), resumed, TIMEOUT);
        JobRuns.cancel(resumed);

        assertExactlyOnce(conf);
        System.out.printf("cancel-and-resume: %d of %d results committed at cancel, resumed from %s%n",
                committedAtCancel, expectedIds(conf).size(), checkpoint.getName());
    }

    @Test
    void savepointsRescaleFromTwoToFourToOne() throws Exception {
        Configuration conf = jobConfig();
        String savepoints = dir.resolve("savepoints").toUri().toString();
        addPromptFile("first", 96);

        JobClient atTwo = start(conf, 2, null);
        JobRuns.awaitCommittedResults(out(), 1, atTwo, TIMEOUT);
        String savepoint1 = stopWithSavepoint(atTwo, savepoints);
        int afterTwo = TestJobs.results(out()).size();
        addPromptFile("second", 24);

        JobClient atFour = start(conf, 4, savepoint1);
        JobRuns.awaitCommittedResults(out(), afterTwo + 1, atFour, TIMEOUT);
        String savepoint2 = stopWithSavepoint(atFour, savepoints);
        int afterFour = TestJobs.results(out()).size();
        addPromptFile("third", 8);

        JobClient atOne = start(conf, 1, savepoint2);
        JobRuns.awaitCommittedResults(out(), expectedIds(conf).size(), atOne, TIMEOUT);
        JobRuns.cancel(atOne);

        assertExactlyOnce(conf);
        System.out.printf("rescale 2 -> 4 -> 1: %d of 96, then %d of 120, then %d results committed%n",
                afterTwo, afterFour, expectedIds(conf).size());
    }

    private Configuration jobConfig() {
        Configuration conf = TestJobs.smallJob(checkpoints());
        conf.set(SourceOptions.PROMPTS, dir.resolve("prompts").toUri().toString());
        conf.set(SourceOptions.FOLLOW, true);
        conf.set(SourceOptions.MONITOR_INTERVAL, Duration.ofMillis(200));
        conf.set(SinkOptions.OUTPUT_DIR, out().toUri().toString());
        conf.set(StoreOptions.URI, FailingFileSystem.uri(dir.resolve("store")).toString());
        conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        return conf;
    }

    private JobClient start(Configuration conf, int parallelism, String restoreFrom) throws Exception {
        Configuration run = new Configuration(conf);
        if (restoreFrom != null) {
            run.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(run);
        env.setParallelism(parallelism);
        StageflowJob.build(env, run);
        return env.executeAsync("stageflow-p" + parallelism);
    }

    private static String stopWithSavepoint(JobClient job, String savepoints) throws Exception {
        String savepoint = job.stopWithSavepoint(false, savepoints, SavepointFormatType.CANONICAL)
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        JobRuns.awaitTermination(job);
        return savepoint;
    }

    private void addPromptFile(String name, int validPrompts) throws Exception {
        List<String> fileLines = TestPrompts.mixed(name, validPrompts);
        JobRuns.publish(Files.createDirectories(dir.resolve("prompts")), name + ".jsonl", fileLines);
        lines.addAll(fileLines);
    }

    private void assertExactlyOnce(Configuration conf) throws Exception {
        ExactlyOnce.assertCommittedExactlyOnce(out(), expectedIds(conf), TestJobs.deadLetterInputs(lines, conf), conf);
        assertThat(ExactlyOnce.assertEachArtifactStoredOnce())
                .containsEntry(ImageEnhanceStage.STAGE, (long) expectedIds(conf).size());
    }

    private java.util.Set<String> expectedIds(Configuration conf) {
        return TestJobs.validPromptIds(lines, conf);
    }

    private Path out() {
        return dir.resolve("out");
    }

    private Path checkpoints() {
        return dir.resolve("checkpoints");
    }

}
