package dev.stageflow.testing;

import dev.stageflow.StageflowJob;
import dev.stageflow.config.RequestOptions;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.DeadLetterReason;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.InputLine;
import dev.stageflow.model.Json;
import dev.stageflow.model.PromptRequest;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.source.PromptFileOutcomes;
import dev.stageflow.stage.RequestLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** What the job ITCases share: a small, fast job configuration, running it, and the expected outputs of an input. */
public final class TestJobs {

    private TestJobs() {}

    /** A MiniCluster of one TaskManager with two slots, shared by the tests of a class. */
    public static MiniClusterExtension miniCluster() {
        return miniCluster(2);
    }

    /** A MiniCluster of one TaskManager with {@code slots} slots. */
    public static MiniClusterExtension miniCluster(int slots) {
        return miniCluster(slots, new Configuration());
    }

    /** A MiniCluster of one TaskManager with {@code slots} slots and the cluster options {@code conf}. */
    public static MiniClusterExtension miniCluster(int slots, Configuration conf) {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setConfiguration(conf)
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(slots)
                .build());
    }

    /**
     * 64×64 images in 2 steps, no Kryo, RocksDB checkpoints every 500 ms into {@code checkpoints};
     * source, sink and store are the caller's.
     */
    public static Configuration smallJob(Path checkpoints) {
        Configuration conf = new Configuration();
        conf.set(RequestOptions.DEFAULT_WIDTH, 64);
        conf.set(RequestOptions.DEFAULT_HEIGHT, 64);
        conf.set(RequestOptions.DEFAULT_STEPS, 2);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        return conf;
    }

    /** Runs the stageflow job of {@code conf} at parallelism 2 until it ends; a failure of the job is thrown. */
    public static void run(Configuration conf, String name) throws Exception {
        environment(conf).execute(name);
    }

    /** Starts the stageflow job of {@code conf} at parallelism 2; the caller waits for it, or cancels it. */
    public static JobClient start(Configuration conf, String name) throws Exception {
        return environment(conf).executeAsync(name);
    }

    private static StreamExecutionEnvironment environment(Configuration conf) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        StageflowJob.build(env, conf);
        return env;
    }

    /** The distinct promptIds of the valid lines, as parse-validate and dedupe let them through. */
    public static Set<String> validPromptIds(List<String> lines, Configuration conf) {
        PromptFileOutcomes.Judge judge = new PromptFileOutcomes.Judge(RequestLimits.from(conf));
        Set<String> ids = new LinkedHashSet<>();
        for (String line : lines) {
            PromptFileOutcomes.Verdict verdict = judge.judge(InputLine.of(line));
            if (verdict.request() != null && verdict.deadLetter() == null) {
                ids.add(verdict.request().promptId);
            }
        }
        return ids;
    }

    /**
     * What the dead letters of {@code lines} stand for ({@link #rawOrConflictingText}): each invalid
     * line, and the text of each line that reuses an accepted promptId for other content.
     */
    public static List<String> deadLetterInputs(List<String> lines, Configuration conf) {
        PromptFileOutcomes.Judge judge = new PromptFileOutcomes.Judge(RequestLimits.from(conf));
        List<String> deadLetters = new ArrayList<>();
        for (String line : lines) {
            PromptFileOutcomes.Verdict verdict = judge.judge(InputLine.of(line));
            if (verdict.deadLetter() != null) {
                deadLetters.add(verdict.request() != null ? verdict.request().text : line);
            }
        }
        return deadLetters;
    }

    /**
     * What a dead letter stands for in a test's expectations: its raw input, or for a
     * PROMPT_ID_CONFLICT (which holds the prompt it would have been) that prompt's text.
     */
    public static String rawOrConflictingText(DeadLetter deadLetter) {
        return deadLetter.reason.equals(DeadLetterReason.PROMPT_ID_CONFLICT.name())
                ? Json.read(deadLetter.raw, PromptRequest.class).text
                : deadLetter.raw;
    }

    /** The committed result rows under the output directory {@code out}. */
    public static List<GenerationResult> results(Path out) {
        return CommittedOutput.results(flinkPath(out));
    }

    public static Set<String> committedIds(Path out) {
        return results(out).stream().map(r -> r.promptId).collect(Collectors.toSet());
    }

    /** Every artifact of a result: embedding (none today), latent and image, final image. */
    public static List<ArtifactRef> artifacts(GenerationResult result) {
        return Stream.of(result.encode, result.generate, result.enhance)
                .flatMap(outcome -> Stream.of(outcome.artifacts))
                .toList();
    }

    public static org.apache.flink.core.fs.Path flinkPath(Path path) {
        return new org.apache.flink.core.fs.Path(path.toUri());
    }
}
