package dev.stageflow.gc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.cli.CommandLines;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.store.ArtifactKey;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.Codec;
import dev.stageflow.store.StoreSettings;
import dev.stageflow.testing.JobRuns;
import dev.stageflow.testing.TestArtifacts;
import dev.stageflow.testing.TestJobs;
import dev.stageflow.testing.TestPrompts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * gc around a cancelled run. The job follows a directory of the example prompts and is cancelled
 * once some results are committed while other prompts' artifacts are in the store uncommitted;
 * planted orphans (an artifact of a retired model version, a half-written artifact) are added. A
 * dry run must report exactly the artifacts that no committed row references and delete nothing.
 * The run is then resumed from its retained checkpoint until every prompt is committed, which must
 * reference every artifact the cancelled run left behind, and {@code gc --delete --grace 0} must
 * delete exactly the planted orphans and leave every committed artifact readable and verified.
 */
class GarbageCollectorITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster();

    private static final Duration STEP_DEADLINE = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void reportsExactlyTheOrphansOfACancelledRunAndDeletesNoReferencedArtifactAfterResume() throws Exception {
        List<String> lines = Files.readAllLines(TestPrompts.examples());
        Path input = Files.createDirectories(dir.resolve("in"));
        Path out = dir.resolve("out");
        Path store = dir.resolve("store");
        Path checkpoints = dir.resolve("checkpoints");

        JobClient first = TestJobs.start(conf(input, out, store, checkpoints), "gc-first");
        JobRuns.publish(input, "part-1.jsonl", lines.subList(0, 10));
        JobRuns.await("a checkpoint committing results", STEP_DEADLINE, () -> !TestJobs.committedIds(out).isEmpty());
        JobRuns.publish(input, "part-2.jsonl", lines.subList(10, lines.size()));
        JobRuns.await("artifacts of uncommitted prompts", STEP_DEADLINE,
                () -> !unreferenced(store, out).isEmpty());
        first.cancel().get();
        first.getJobExecutionResult().handle((result, cancelled) -> null).get();
        org.apache.flink.core.fs.Path retained = JobRuns.latestCompletedCheckpoint(
                new org.apache.flink.core.fs.Path(checkpoints.resolve(first.getJobID().toString()).toUri()))
                .orElseThrow();

        Set<Path> planted = Set.of(retiredModelArtifact(store), halfWrittenArtifact(store));
        Set<Path> storedAfterCancel = artifactDirectories(store);
        Set<Path> orphansAfterCancel = unreferenced(store, out);
        Set<Path> uncommittedWork = new HashSet<>(orphansAfterCancel);
        uncommittedWork.removeAll(planted);
        assertThat(orphansAfterCancel).containsAll(planted);
        assertThat(uncommittedWork).as("artifacts the cancelled run wrote for uncommitted prompts").isNotEmpty();

        assertThat(listed("orphan", gc(0, "--store.uri", uri(store), "--output.dir", uri(out), "--grace", "0")))
                .isEqualTo(orphansAfterCancel);
        assertThat(listed("orphan", gc(0, "--store.uri", uri(store), "--output.dir", uri(out))))
                .as("with the default grace period everything is too young").isEmpty();
        assertThat(artifactDirectories(store)).as("a dry run deletes nothing").isEqualTo(storedAfterCancel);

        // Followed again: a file published after the retained checkpoint is found by a new scan,
        // which a bounded source restored from that checkpoint would not do.
        Configuration resume = conf(input, out, store, checkpoints);
        resume.set(StateRecoveryOptions.SAVEPOINT_PATH, retained.toString());
        JobClient resumed = TestJobs.start(resume, "gc-resumed");
        Set<String> validIds = TestJobs.validPromptIds(lines, resume);
        JobRuns.await("every prompt committed", STEP_DEADLINE, () -> TestJobs.committedIds(out).containsAll(validIds));
        resumed.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get();
        resumed.getJobExecutionResult().get();

        List<GenerationResult> results = TestJobs.results(out);
        assertThat(results).extracting(r -> r.promptId).containsExactlyInAnyOrderElementsOf(validIds);
        assertThat(referencedDirectories(results))
                .as("the resumed run commits what the cancelled run left uncommitted").containsAll(uncommittedWork);

        String deleted = gc(0, "--store.uri", uri(store), "--output.dir", uri(out), "--grace", "0", "--delete");
        assertThat(listed("deleted", deleted)).isEqualTo(planted);
        assertThat(artifactDirectories(store)).isEqualTo(referencedDirectories(results));
        assertThat(listed("orphan", gc(0, "--store.uri", uri(store), "--output.dir", uri(out), "--grace", "0")))
                .isEmpty();
        try (ArtifactStore reader = new ArtifactStore(StoreSettings.from(storeConf(store)))) {
            for (GenerationResult result : results) {
                for (ArtifactRef ref : allRefs(result)) {
                    assertThat(reader.read(ref)).as(ref.uri).hasSize((int) ref.rawSize);
                }
            }
        }
    }

    private static Configuration conf(Path input, Path out, Path store, Path checkpoints) {
        Configuration conf = TestJobs.smallJob(checkpoints);
        conf.set(SourceOptions.PROMPTS, input.toUri().toString());
        conf.set(SourceOptions.FOLLOW, true);
        conf.set(SourceOptions.MONITOR_INTERVAL, Duration.ofMillis(200));
        conf.set(SinkOptions.OUTPUT_DIR, out.toUri().toString());
        conf.set(StoreOptions.URI, store.toUri().toString());
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        return conf;
    }

    /** Runs the gc command, expects {@code status}, returns what it printed. */
    private static String gc(int status, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int actual = CommandLines.execute(out, err, "gc", args);
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(actual).as("gc %s%n%s%s", String.join(" ", args), printed, err.toString(StandardCharsets.UTF_8))
                .isEqualTo(status);
        return printed;
    }

    /** The artifact directories on the lines of gc's output that start with {@code verb}. */
    private static Set<Path> listed(String verb, String printed) {
        return printed.lines()
                .filter(line -> line.startsWith(verb + " "))
                .map(line -> Path.of(URI.create(line.substring(verb.length()).trim().split("\\s+")[0])))
                .collect(Collectors.toSet());
    }

    /** An artifact of a model version no run uses any more. */
    private static Path retiredModelArtifact(Path store) {
        try (ArtifactStore writer = new ArtifactStore(StoreSettings.from(storeConf(store)))) {
            ArtifactKey key = ArtifactKey.of("image-generate", "retired-v0", "latent", Map.of("seed", "1"));
            ArtifactRef ref = writer.put(key, TestArtifacts.payload(10_000), "latent.npy", "application/x-npy", Codec.ZSTD);
            return Path.of(URI.create(ref.uri));
        }
    }

    /** Chunks without a manifest, as a writer that died leaves them. */
    private static Path halfWrittenArtifact(Path store) throws IOException {
        ArtifactKey key = ArtifactKey.of("image-enhance", "retired-v0", "image", Map.of("seed", "2"));
        Path artifact = Files.createDirectories(store.resolve(key.relativePath()));
        Files.write(artifact.resolve("image.png.00000"), TestArtifacts.payload(4096));
        return artifact;
    }

    /** Every directory at the depth of the layout {@code <stage>/<model>/<k0-2>/<k2-4>/<k>}, by its own walk. */
    private static Set<Path> artifactDirectories(Path store) {
        if (!Files.isDirectory(store)) {
            return Set.of();
        }
        try (Stream<Path> paths = Files.walk(store, 5)) {
            return paths.filter(p -> store.relativize(p).getNameCount() == 5 && Files.isDirectory(p))
                    .collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<Path> referencedDirectories(List<GenerationResult> results) {
        return results.stream().flatMap(r -> allRefs(r).stream())
                .map(ref -> Path.of(URI.create(ref.uri)))
                .collect(Collectors.toSet());
    }

    private static Set<Path> unreferenced(Path store, Path out) {
        Set<Path> directories = new HashSet<>(artifactDirectories(store));
        directories.removeAll(referencedDirectories(TestJobs.results(out)));
        return directories;
    }

    private static List<ArtifactRef> allRefs(GenerationResult result) {
        List<ArtifactRef> refs = new ArrayList<>(TestJobs.artifacts(result));
        refs.add(result.image);
        return refs;
    }

    private static Configuration storeConf(Path store) {
        Configuration conf = new Configuration();
        conf.set(StoreOptions.URI, store.toUri().toString());
        return conf;
    }

    private static String uri(Path path) {
        return path.toUri().toString();
    }
}
