package dev.stageflow.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.testing.MiniHdfs;
import dev.stageflow.testing.TestArtifacts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The artifact store on a real HDFS, reached through Flink's Hadoop file system support as a job
 * would: round trips, corruption and loss detected by checksums, the manifest committed by rename,
 * and the replication factor of written files.
 */
class HdfsArtifactStoreITCase {

    private static final int CHUNK = 4096;

    @RegisterExtension
    static final MiniHdfs HDFS = new MiniHdfs(3);

    private static ArtifactStore store(String root, Integer replication) {
        Configuration conf = new Configuration();
        conf.set(StoreOptions.URI, HDFS.uri().resolve(root).toString());
        conf.set(StoreOptions.CHUNK_SIZE, MemorySize.parse(CHUNK + "b"));
        if (replication != null) {
            conf.set(StoreOptions.HDFS_REPLICATION, replication);
        }
        return new ArtifactStore(StoreSettings.from(conf));
    }

    /** A store root of its own per test, so tests do not see each other's artifacts. */
    private static String rootFor(TestInfo test) {
        return "/stageflow/" + test.getTestMethod().orElseThrow().getName();
    }


    private static Path pathOf(ArtifactRef ref, String file) {
        return new Path(URI.create(ref.uri + "/" + file));
    }

    private static List<LocatedFileStatus> filesUnder(String root) throws IOException {
        List<LocatedFileStatus> files = new ArrayList<>();
        RemoteIterator<LocatedFileStatus> it = HDFS.hadoopFileSystem().listFiles(new Path(root), true);
        while (it.hasNext()) {
            files.add(it.next());
        }
        return files;
    }

    @Test
    void roundTripsAMultiChunkArtifact(TestInfo test) throws IOException {
        ArtifactStore store = store(rootFor(test), null);
        byte[] raw = TestArtifacts.payload(3 * CHUNK + 100);

        ArtifactRef ref = store.put(TestArtifacts.key("latent"), raw, "latent.npy", "application/x-npy", Codec.ZSTD);

        assertThat(ref.uri).startsWith(HDFS.uri().resolve(rootFor(test)).toString());
        assertThat(ref.chunks).isEqualTo(4);
        assertThat(store.lookup(TestArtifacts.key("latent"))).contains(ref);
        assertThat(store.read(ref)).isEqualTo(raw);
        assertThat(store.lookup(TestArtifacts.key("absent"))).isEmpty();
    }

    @Test
    void commitsTheManifestByRenameAndLeavesNoTemporaryFile(TestInfo test) throws IOException {
        ArtifactStore store = store(rootFor(test), null);

        ArtifactRef ref = store.put(TestArtifacts.key("image"), TestArtifacts.payload(2 * CHUNK), "image.png", "image/png", Codec.NONE);

        assertThat(filesUnder(rootFor(test)))
                .extracting(status -> status.getPath().getName())
                .containsExactlyInAnyOrder("image.png.00000", "image.png.00001", Manifest.FILE_NAME);
        assertThat(HDFS.hadoopFileSystem().exists(pathOf(ref, Manifest.FILE_NAME))).isTrue();
    }

    @Test
    void readNamesTheArtifactWhenAChunkHasAFlippedByte(TestInfo test) throws IOException {
        ArtifactStore store = store(rootFor(test), null);
        ArtifactRef ref = store.put(TestArtifacts.key("latent"), TestArtifacts.payload(2 * CHUNK), "latent.npy", "application/x-npy", Codec.NONE);
        Path chunk = pathOf(ref, "latent.npy.00001");
        byte[] bytes;
        try (InputStream in = HDFS.hadoopFileSystem().open(chunk)) {
            bytes = in.readAllBytes();
        }
        bytes[17] ^= 0x01;
        try (OutputStream out = HDFS.hadoopFileSystem().create(chunk, true)) {
            out.write(bytes);
        }

        assertThatThrownBy(() -> store.read(ref))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining(ref.uri)
                .hasMessageContaining("corrupt chunk latent.npy.00001");
    }

    @Test
    void readNamesTheArtifactWhenAChunkIsDeleted(TestInfo test) throws IOException {
        ArtifactStore store = store(rootFor(test), null);
        ArtifactRef ref = store.put(TestArtifacts.key("latent"), TestArtifacts.payload(2 * CHUNK), "latent.npy", "application/x-npy", Codec.GZIP);

        assertThat(HDFS.hadoopFileSystem().delete(pathOf(ref, "latent.npy.00000.gz"), false)).isTrue();

        assertThatThrownBy(() -> store.read(ref))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining(ref.uri)
                .hasMessageContaining("missing chunk latent.npy.00000.gz");
    }

    @Test
    void aDeletedManifestHidesTheArtifactUntilTheNextPutRewritesIt(TestInfo test) throws IOException {
        ArtifactStore store = store(rootFor(test), null);
        byte[] raw = TestArtifacts.payload(CHUNK + 1);
        ArtifactRef ref = store.put(TestArtifacts.key("latent"), raw, "latent.npy", "application/x-npy", Codec.ZSTD);

        assertThat(HDFS.hadoopFileSystem().delete(pathOf(ref, Manifest.FILE_NAME), false)).isTrue();

        assertThat(store.lookup(TestArtifacts.key("latent"))).isEmpty();
        assertThat(store.put(TestArtifacts.key("latent"), raw, "latent.npy", "application/x-npy", Codec.ZSTD)).isEqualTo(ref);
        assertThat(store.lookup(TestArtifacts.key("latent"))).contains(ref);
        assertThat(store.read(ref)).isEqualTo(raw);
    }

    @Test
    void writesEveryFileWithTheConfiguredReplication(TestInfo test) throws IOException {
        ArtifactStore store = store(rootFor(test), 2);

        ArtifactRef ref = store.put(TestArtifacts.key("latent"), TestArtifacts.payload(2 * CHUNK), "latent.npy", "application/x-npy", Codec.ZSTD);

        assertThat(store.read(ref)).hasSize(2 * CHUNK);
        assertThat(filesUnder(rootFor(test)))
                .hasSize(3)
                .extracting(FileStatus::getReplication)
                .containsOnly((short) 2);
    }

    @Test
    void leavesReplicationToTheHadoopConfigurationWhenUnset(TestInfo test) throws IOException {
        ArtifactStore store = store(rootFor(test), null);

        store.put(TestArtifacts.key("latent"), TestArtifacts.payload(CHUNK), "latent.npy", "application/x-npy", Codec.ZSTD);

        // Flink's Hadoop client finds no hdfs-site.xml here: Hadoop's built-in dfs.replication, 3.
        assertThat(filesUnder(rootFor(test)))
                .hasSize(2)
                .extracting(FileStatus::getReplication)
                .containsOnly((short) 3);
    }
}
