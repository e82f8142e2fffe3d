package dev.stageflow.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.config.StoreOptions;
import dev.stageflow.gc.OrphanCollector.Deletion;
import dev.stageflow.gc.OrphanCollector.Plan;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.store.ArtifactKey;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.Codec;
import dev.stageflow.store.StoreSettings;
import dev.stageflow.testing.TestArtifacts;
import dev.stageflow.testing.TestResults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Orphan collection on a local store: what is an orphan (unreferenced and older than the grace
 * period, complete or not), what is never touched, and every incomplete view of the committed
 * results that makes it refuse.
 */
class OrphanCollectorTest {

    private static final Duration GRACE = Duration.ofHours(24);
    private static final Duration OLD = Duration.ofDays(3);

    @TempDir
    Path dir;

    private Path root;
    private Path out;
    private ArtifactStore store;

    @BeforeEach
    void openStore() {
        root = dir.resolve("store");
        out = dir.resolve("out");
        Configuration conf = new Configuration();
        conf.set(StoreOptions.URI, root.toUri().toString());
        store = new ArtifactStore(StoreSettings.from(conf));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void reportsExactlyTheUnreferencedArtifactsOlderThanTheGracePeriod() throws IOException {
        ArtifactRef latent = put("image-generate", "test-v1", "latent", OLD);
        ArtifactRef image = put("image-enhance", "test-v1", "image", OLD);
        ArtifactRef retired = put("image-generate", "retired-v0", "latent", OLD);
        ArtifactRef young = put("image-generate", "test-v1", "young", Duration.ofHours(1));
        Path partial = partial("image-enhance", "test-v1", "half-written", OLD);
        Files.writeString(root.resolve("README.txt"), "not an artifact");
        TestResults.writeResults(out, "results-0.jsonl", List.of(TestResults.row("p1", image, latent)));

        Plan plan = collector(GRACE).plan();

        assertThat(directories(plan.orphans())).containsExactlyInAnyOrder(TestResults.directory(retired), partial);
        assertThat(plan.orphans()).filteredOn(StoredArtifact::complete).extracting(StoredArtifact::directory)
                .extracting(p -> Path.of(p.toUri())).containsExactly(TestResults.directory(retired));
        assertThat(plan.referenced()).isEqualTo(2);
        assertThat(plan.young()).isEqualTo(1);
        assertThat(plan.foreignEntries()).isEqualTo(1);
        assertThat(plan.resultRows()).isEqualTo(1);
        assertThat(Files.isDirectory(TestResults.directory(young))).isTrue();
    }

    @Test
    void deletesOrphansAndNothingThatIsReferencedOrYoung() {
        ArtifactRef latent = put("image-generate", "test-v1", "latent", OLD);
        ArtifactRef image = put("image-enhance", "test-v1", "image", OLD);
        ArtifactRef retired = put("image-generate", "retired-v0", "latent", OLD);
        ArtifactRef young = put("image-generate", "test-v1", "young", Duration.ofHours(1));
        Path partial = partial("image-enhance", "test-v1", "half-written", OLD);
        TestResults.writeResults(out, "results-0.jsonl", List.of(TestResults.row("p1", image, latent)));
        OrphanCollector collector = collector(GRACE);

        List<Deletion> deletions = collector.delete(collector.plan());

        assertThat(deletions).allMatch(Deletion::deleted);
        assertThat(deletions.stream().map(d -> Path.of(d.orphan().directory().toUri())))
                .containsExactlyInAnyOrder(TestResults.directory(retired), partial);
        assertThat(TestResults.directory(retired)).doesNotExist();
        assertThat(partial).doesNotExist();
        assertThat(store.read(latent)).hasSize((int) latent.rawSize);
        assertThat(store.read(image)).hasSize((int) image.rawSize);
        assertThat(store.read(young)).hasSize((int) young.rawSize);
        assertThat(collector.plan().orphans()).isEmpty();
    }

    @Test
    void withGraceZeroEveryUnreferencedArtifactIsAnOrphan() {
        ArtifactRef image = put("image-enhance", "test-v1", "image", OLD);
        ArtifactRef young = put("image-generate", "test-v1", "young", Duration.ZERO);
        TestResults.writeResults(out, "results-0.jsonl", List.of(TestResults.row("p1", image)));

        Plan plan = collector(Duration.ZERO).plan();

        assertThat(directories(plan.orphans())).containsExactly(TestResults.directory(young));
        assertThat(plan.young()).isZero();
    }

    @Test
    void aPartialArtifactIsAsYoungAsItsNewestFile() throws IOException {
        Path partial = partial("image-generate", "test-v1", "in-flight", OLD);
        Files.write(partial.resolve("latent.npy.00001.zst"), new byte[] {1, 2, 3});
        TestResults.writeResults(out, "results-0.jsonl", List.of());

        Plan plan = collector(GRACE).plan();

        assertThat(plan.orphans()).isEmpty();
        assertThat(plan.young()).isEqualTo(1);
    }

    @Test
    void aReferenceProtectsItsContentKeyWhateverTheSpellingOfItsUri() {
        ArtifactRef image = put("image-enhance", "test-v1", "image", OLD);
        ArtifactRef spelledOtherwise = copy(image, "file://" + TestResults.directory(image) + "/");
        TestResults.writeResults(out, "results-0.jsonl", List.of(TestResults.row("p1", spelledOtherwise)));

        Plan plan = collector(Duration.ZERO).plan();

        assertThat(plan.orphans()).isEmpty();
        assertThat(plan.referenced()).isEqualTo(1);
    }

    @Test
    void uncommittedResultFilesProtectNothingButAreReported() throws IOException {
        ArtifactRef committed = put("image-enhance", "test-v1", "image", OLD);
        ArtifactRef pending = put("image-enhance", "test-v1", "pending", OLD);
        Path results = TestResults.writeResults(out, "results-0.jsonl", List.of(TestResults.row("p1", committed)))
                .getParent();
        Path inProgress = results.resolve(".results-1.jsonl.inprogress.0b7d");
        Files.writeString(inProgress, TestResults.row("p2", pending) + "\n{\"promptId\": \"p3\", \"te");

        Plan plan = collector(GRACE).plan();

        assertThat(directories(plan.orphans())).containsExactly(TestResults.directory(pending));
        assertThat(plan.uncommittedResultFiles()).extracting(p -> Path.of(p.toUri())).containsExactly(inProgress);
    }

    @Test
    void refusesOnACorruptResultsLine() {
        ArtifactRef image = put("image-enhance", "test-v1", "image", OLD);
        Path file = TestResults.writeResults(out, "results-0.jsonl",
                List.of(TestResults.row("p1", image), "{\"promptId\": \"p2\", \"generate\": {\"stage\""));

        assertThatThrownBy(() -> collector(GRACE).plan())
                .isInstanceOf(GcRefusedException.class)
                .hasMessageContaining(file.getFileName().toString())
                .hasMessageContaining("line 2");
    }

    @Test
    void refusesOnARowWithoutItsArtifacts() {
        TestResults.writeResults(out, "results-0.jsonl", List.of("{\"promptId\": \"p1\", \"text\": \"x\"}"));

        assertThatThrownBy(() -> collector(GRACE).plan())
                .isInstanceOf(GcRefusedException.class)
                .hasMessageContaining("line 1")
                .hasMessageContaining("not a complete result row");
    }

    @Test
    void refusesOnAFileThatIsNotUtf8() throws IOException {
        put("image-enhance", "test-v1", "image", OLD);
        Path file = TestResults.writeResults(out, "results-0.jsonl", List.of());
        Files.write(file, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}', '\n'});

        assertThatThrownBy(() -> collector(GRACE).plan())
                .isInstanceOf(GcRefusedException.class)
                .hasMessageContaining("Cannot read committed results file")
                .hasMessageContaining("MalformedInput");
    }

    @Test
    void refusesOnAReferenceOutsideTheStoreLayout() {
        ArtifactRef image = put("image-enhance", "test-v1", "image", OLD);
        TestResults.writeResults(out, "results-0.jsonl",
                List.of(TestResults.row("p1", copy(image, "file:/somewhere/else/image"))));

        assertThatThrownBy(() -> collector(GRACE).plan())
                .isInstanceOf(GcRefusedException.class)
                .hasMessageContaining("prompt p1")
                .hasMessageContaining("file:/somewhere/else/image");
    }

    @Test
    void refusesWhenAnOutputDirectoryHasNoResults() throws IOException {
        ArtifactRef image = put("image-enhance", "test-v1", "image", OLD);
        TestResults.writeResults(out, "results-0.jsonl", List.of(TestResults.row("p1", image)));
        Path other = Files.createDirectories(dir.resolve("other-job-out"));

        assertThatThrownBy(() -> new OrphanCollector(List.of(flink(root)), List.of(flink(out), flink(other)),
                        GRACE, Clock.systemUTC()).plan())
                .isInstanceOf(GcRefusedException.class)
                .hasMessageContaining("No committed results at " + flink(other.resolve("results")));
    }

    @Test
    void refusesWhenAStoreRootIsNotADirectory() throws IOException {
        TestResults.writeResults(out, "results-0.jsonl", List.of());
        Path file = Files.writeString(dir.resolve("not-a-root"), "x");

        assertThatThrownBy(() -> new OrphanCollector(List.of(flink(file)), List.of(flink(out)), GRACE,
                        Clock.systemUTC()).plan())
                .isInstanceOf(GcRefusedException.class)
                .hasMessageContaining("is not a directory");
    }

    @Test
    void refusesToDeleteWhenTheResultsBecomeUnreadableAfterThePlan() throws IOException {
        ArtifactRef retired = put("image-generate", "retired-v0", "latent", OLD);
        Path file = TestResults.writeResults(out, "results-0.jsonl", List.of());
        OrphanCollector collector = collector(GRACE);
        Plan plan = collector.plan();
        Files.writeString(file, "{\"broken");

        assertThatThrownBy(() -> collector.delete(plan)).isInstanceOf(GcRefusedException.class);
        assertThat(TestResults.directory(retired)).isDirectory();
    }

    @Test
    void keepsAnOrphanThatACommittedResultReferencesByTheTimeOfDeletion() {
        ArtifactRef image = put("image-enhance", "test-v1", "image", OLD);
        TestResults.writeResults(out, "results-0.jsonl", List.of());
        OrphanCollector collector = collector(GRACE);
        Plan plan = collector.plan();
        TestResults.writeResults(out, "results-1.jsonl", List.of(TestResults.row("p1", image)));

        List<Deletion> deletions = collector.delete(plan);

        assertThat(deletions).singleElement().satisfies(d -> assertThat(d.failure()).isPresent());
        assertThat(store.read(image)).hasSize((int) image.rawSize);
    }

    private OrphanCollector collector(Duration grace) {
        return new OrphanCollector(List.of(flink(root)), List.of(flink(out)), grace, Clock.systemUTC());
    }

    private ArtifactRef put(String stage, String modelVersion, String name, Duration age) {
        ArtifactKey key = ArtifactKey.of(stage, modelVersion, name, Map.of("seed", "1"));
        ArtifactRef ref = store.put(key, TestArtifacts.payload(5000), name + ".bin", "application/octet-stream",
                Codec.ZSTD);
        TestResults.age(TestResults.directory(ref), age);
        return ref;
    }

    /** Chunks without a manifest, as a writer leaves them when it dies. */
    private Path partial(String stage, String modelVersion, String name, Duration age) {
        ArtifactKey key = ArtifactKey.of(stage, modelVersion, name, Map.of("seed", "1"));
        Path artifactDir = root.resolve(key.relativePath());
        try {
            Files.createDirectories(artifactDir);
            Files.write(artifactDir.resolve("latent.npy.00000.zst"), TestArtifacts.payload(100));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        TestResults.age(artifactDir, age);
        return artifactDir;
    }

    private static ArtifactRef copy(ArtifactRef ref, String uri) {
        return new ArtifactRef(ref.name, uri, ref.sha256, ref.rawSize, ref.storedSize, ref.codec, ref.chunks,
                ref.mediaType);
    }

    private static Set<Path> directories(List<StoredArtifact> artifacts) {
        return artifacts.stream().map(a -> Path.of(a.directory().toUri())).collect(Collectors.toSet());
    }

    private static org.apache.flink.core.fs.Path flink(Path path) {
        return new org.apache.flink.core.fs.Path(path.toUri());
    }
}
