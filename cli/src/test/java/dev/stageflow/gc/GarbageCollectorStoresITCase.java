package dev.stageflow.gc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.servers.S3ProxyServer;
import dev.stageflow.store.ArtifactKey;
import dev.stageflow.store.ArtifactLocation;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.Codec;
import dev.stageflow.store.StoreSettings;
import dev.stageflow.testing.MiniHdfs;
import dev.stageflow.testing.TestArtifacts;
import dev.stageflow.testing.TestResults;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * gc on the distributed store roots, {@code s3://} (S3Proxy, through Flink's s3 plugin) and {@code
 * hdfs://} (a MiniDFSCluster): of a referenced artifact, an artifact that only another job's
 * results reference (that job not given, but recorded in the root as a writer), a quarantined
 * artifact and an orphan, exactly the orphan is deleted.
 */
class GarbageCollectorStoresITCase {

    @RegisterExtension
    static final MiniHdfs HDFS = new MiniHdfs(1);

    @TempDir
    static Path dir;

    private static S3ProxyServer s3;
    private static Configuration s3Conf;

    @BeforeAll
    static void startS3() {
        s3 = S3ProxyServer.start(dir.resolve("s3"), "artifacts");
        s3Conf = s3.initializeFlinkFileSystems();
    }

    @AfterAll
    static void stopS3() {
        s3.close();
        S3ProxyServer.resetFlinkFileSystems();
    }

    @Test
    void onS3DeletesExactlyTheOrphan() throws IOException {
        collectsExactlyTheOrphan(s3.uri("gc-root").toString(), "s3");
    }

    @Test
    void onHdfsDeletesExactlyTheOrphan() throws IOException {
        collectsExactlyTheOrphan(HDFS.uri().resolve("/gc-root").toString(), "hdfs");
    }

    private void collectsExactlyTheOrphan(String rootUri, String name) throws IOException {
        Configuration conf = new Configuration(s3Conf);
        conf.set(StoreOptions.URI, rootUri);
        org.apache.flink.core.fs.Path root = new org.apache.flink.core.fs.Path(rootUri);
        Path given = dir.resolve(name + "-out-given");
        Path recorded = dir.resolve(name + "-out-recorded");
        ArtifactRef referenced;
        ArtifactRef otherJobs;
        ArtifactRef orphan;
        ArtifactRef corrupt;
        try (ArtifactStore store = new ArtifactStore(StoreSettings.from(conf))) {
            referenced = put(store, "referenced");
            otherJobs = put(store, "other-jobs");
            orphan = put(store, "orphan");
            corrupt = put(store, "corrupt");
            store.quarantine(corrupt, "is corrupt on purpose");
            store.registerWriter(recorded.toUri().toString());
        }
        TestResults.writeResults(given, "results-0.jsonl", List.of(TestResults.row("p1", referenced)));
        TestResults.writeResults(recorded, "results-0.jsonl", List.of(TestResults.row("p2", otherJobs)));
        Clock later = Clock.fixed(Instant.now().plus(Duration.ofDays(2)), ZoneOffset.UTC);
        OrphanCollector collector = new OrphanCollector(
                List.of(root), List.of(new org.apache.flink.core.fs.Path(given.toUri())), Duration.ofDays(1), later);

        OrphanCollector.Plan plan = collector.plan();

        assertThat(plan.orphans()).extracting(StoredArtifact::location).containsExactly(location(orphan));
        assertThat(plan.referenced()).isEqualTo(2);
        assertThat(plan.foreignEntries()).as("the quarantine and the writer records are the store's own").isZero();
        assertThat(plan.writers()).hasSize(2);
        assertThat(collector.delete(plan)).allMatch(OrphanCollector.Deletion::deleted).hasSize(1);
        FileSystem fs = root.getFileSystem();
        assertThat(fs.exists(dirOf(orphan))).isFalse();
        for (ArtifactRef kept : List.of(referenced, otherJobs)) {
            assertThat(fs.exists(dirOf(kept))).as(kept.uri).isTrue();
        }
        assertThat(fs.exists(new org.apache.flink.core.fs.Path(root, ArtifactLocation.QUARANTINE_DIR))).isTrue();
    }

    private static ArtifactRef put(ArtifactStore store, String name) {
        return store.put(ArtifactKey.of("image-enhance", "test-v1", name, Map.of()), TestArtifacts.payload(5000),
                name + ".png", "image/png", Codec.NONE);
    }

    private static ArtifactLocation location(ArtifactRef ref) {
        return ArtifactLocation.ofUri(ref.uri).orElseThrow();
    }

    private static org.apache.flink.core.fs.Path dirOf(ArtifactRef ref) {
        return new org.apache.flink.core.fs.Path(URI.create(ref.uri));
    }
}
