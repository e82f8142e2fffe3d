package dev.stageflow.testing;

import dev.stageflow.config.RequestOptions;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.stage.InvalidPromptException;
import dev.stageflow.stage.PromptParser;
import dev.stageflow.stage.RequestLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** What the job ITCases share: a small, fast job configuration and the expected outputs of an input. */
public final class TestJobs {

    private TestJobs() {}

    /** A MiniCluster of one TaskManager with two slots, shared by the tests of a class. */
    public static MiniClusterExtension miniCluster() {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(2)
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

    /** The distinct promptIds of the valid lines, as parse-validate and dedupe let them through. */
    public static Set<String> validPromptIds(List<String> lines, Configuration conf) {
        PromptParser parser = new PromptParser(RequestLimits.from(conf));
        Set<String> ids = new LinkedHashSet<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            try {
                ids.add(parser.parse(line, 0).promptId);
            } catch (InvalidPromptException invalid) {
                // a dead letter, not a result
            }
        }
        return ids;
    }

    /** The lines that must become dead letters. */
    public static List<String> invalidLines(List<String> lines, Configuration conf) {
        PromptParser parser = new PromptParser(RequestLimits.from(conf));
        List<String> invalid = new ArrayList<>();
        for (String line : lines) {
            try {
                if (!line.isBlank()) {
                    parser.parse(line, 0);
                }
            } catch (InvalidPromptException e) {
                invalid.add(line);
            }
        }
        return invalid;
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

    /** Writes a hidden file (the source skips those) and renames it, so the source never sees half a file. */
    public static void publish(Path directory, String name, List<String> lines) throws IOException {
        Path hidden = Files.write(directory.resolve("." + name), lines);
        Files.move(hidden, directory.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Polls {@code condition} every 200 ms; fails naming {@code what} after {@code timeout}. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    /** The newest chk-N directory holding {@code _metadata}, which Flink writes when a checkpoint completes. */
    public static Optional<org.apache.flink.core.fs.Path> latestCompletedCheckpoint(org.apache.flink.core.fs.Path jobDir) {
        try {
            FileSystem fs = jobDir.getFileSystem();
            if (!fs.exists(jobDir)) {
                return Optional.empty();
            }
            List<org.apache.flink.core.fs.Path> completed = new ArrayList<>();
            for (FileStatus status : fs.listStatus(jobDir)) {
                org.apache.flink.core.fs.Path candidate = status.getPath();
                if (candidate.getName().startsWith("chk-")
                        && fs.exists(new org.apache.flink.core.fs.Path(candidate, "_metadata"))) {
                    completed.add(candidate);
                }
            }
            return completed.stream().max(Comparator.comparingLong(TestJobs::checkpointNumber));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the checkpoints in " + jobDir, e);
        }
    }

    public static long checkpointNumber(org.apache.flink.core.fs.Path checkpoint) {
        return Long.parseLong(checkpoint.getName().substring("chk-".length()));
    }
}
