package dev.stageflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.store.ArtifactKey;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.Codec;
import dev.stageflow.store.StoreSettings;
import dev.stageflow.testing.TestArtifacts;
import dev.stageflow.testing.TestResults;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gc command line: store roots from the job's options, exit status, refusal before deleting. */
class GcCommandTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void scansTheStageRootsOnceEachAndDeletesTheirOrphans() {
        Path generateRoot = dir.resolve("generate");
        Path enhanceRoot = dir.resolve("enhance");
        ArtifactRef latent = put(generateRoot, "image-generate", "latent");
        ArtifactRef image = put(enhanceRoot, "image-enhance", "image");
        ArtifactRef orphanedLatent = put(generateRoot, "image-generate", "orphan");
        ArtifactRef orphanedImage = put(enhanceRoot, "image-enhance", "orphan");
        TestResults.writeResults(dir.resolve("out"), "results-0.jsonl", List.of(TestResults.row("p1", image, latent)));

        int status = run("--store.uri", generateRoot.toUri().toString(),
                "--store.generate.uri", generateRoot.toUri().toString(),
                "--store.enhance.uri", enhanceRoot.toUri().toString(),
                "--output.dir", dir.resolve("out").toString(), "--delete");

        assertThat(status).as(err()).isZero();
        assertThat(out()).contains("2 artifacts referenced, 0 written within the grace period, 2 orphans")
                .contains("Deleted 2 orphans");
        assertThat(TestResults.directory(orphanedLatent)).doesNotExist();
        assertThat(TestResults.directory(orphanedImage)).doesNotExist();
        assertThat(TestResults.directory(latent)).isDirectory();
        assertThat(TestResults.directory(image)).isDirectory();
    }

    @Test
    void refusesAndDeletesNothingWhenAResultsLineIsCorrupt() {
        Path root = dir.resolve("store");
        ArtifactRef orphan = put(root, "image-generate", "orphan");
        TestResults.writeResults(dir.resolve("out"), "results-0.jsonl", List.of("{\"promptId\": \"p1\", \"ima"));

        int status = run("--store.uri", root.toUri().toString(), "--output.dir", dir.resolve("out").toString(),
                "--delete", "--grace", "0");

        assertThat(status).isEqualTo(1);
        assertThat(err()).startsWith("gc refused to run, nothing was deleted: Committed results file")
                .contains("line 1 is not a result row");
        assertThat(TestResults.directory(orphan)).isDirectory();
    }

    @Test
    void withoutAnOutputDirectoryGivenOrRecordedGcRefuses() {
        String store = dir.resolve("store").toUri().toString();

        assertThat(run("--store.uri", store)).isEqualTo(1);
        assertThat(err()).contains("gc refused to run, nothing was deleted: No output directory given or recorded");
    }

    @Test
    void theOutputDirectoryARootRecordsIsReadWithoutBeingGiven() throws Exception {
        Path root = dir.resolve("store");
        ArtifactRef kept = put(root, "image-enhance", "kept");
        ArtifactRef orphan = put(root, "image-enhance", "orphan");
        TestResults.writeResults(dir.resolve("out"), "results-0.jsonl", List.of(TestResults.row("p1", kept)));
        Configuration conf = new Configuration();
        conf.set(StoreOptions.URI, root.toUri().toString());
        try (ArtifactStore store = new ArtifactStore(StoreSettings.from(conf))) {
            store.registerWriter(dir.resolve("out").toUri().toString());
        }

        int status = run("--store.uri", root.toUri().toString(), "--delete", "--grace", "0");

        assertThat(status).as(err()).isZero();
        assertThat(out()).contains("Committed results of: file:" + dir.resolve("out"));
        assertThat(TestResults.directory(kept)).isDirectory();
        assertThat(TestResults.directory(orphan)).doesNotExist();
    }

    @Test
    void anAmbiguousDeleteOrNoStoreRootIsAUsageError() {
        String store = dir.resolve("store").toUri().toString();

        assertThat(run("--store.uri", store, "--output.dir", dir.toString(), "--delete", "yes")).isEqualTo(2);
        assertThat(err()).contains("Unexpected argument 'yes'");
        assertThat(run("--output.dir", dir.toString())).isEqualTo(2);
        assertThat(err()).contains("No store root");
    }

    private int run(String... args) {
        return CommandLines.execute(out, err, "gc", args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** An artifact written three days ago below {@code root}. */
    private static ArtifactRef put(Path root, String stage, String name) {
        Configuration conf = new Configuration();
        conf.set(StoreOptions.URI, root.toUri().toString());
        try (ArtifactStore store = new ArtifactStore(StoreSettings.from(conf))) {
            ArtifactRef ref = store.put(ArtifactKey.of(stage, "test-v1", name, Map.of()), TestArtifacts.payload(5000),
                    name + ".bin", "application/octet-stream", Codec.NONE);
            TestResults.age(TestResults.directory(ref), Duration.ofDays(3));
            return ref;
        }
    }
}
