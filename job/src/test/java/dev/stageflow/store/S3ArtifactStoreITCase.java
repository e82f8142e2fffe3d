package dev.stageflow.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.servers.S3ProxyServer;
import dev.stageflow.testing.TestArtifacts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem.WriteMode;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The artifact store on {@code s3://} against a real S3 API server (S3Proxy), through Flink's s3
 * file system loaded as a plugin, exactly as a TaskManager loads it: round trip, absence, and
 * corruption detected in objects changed behind the store's back.
 */
class S3ArtifactStoreITCase {

    private static final int CHUNK = 4096;

    @TempDir
    static Path dir;

    private static S3ProxyServer s3;
    private static ArtifactStore store;

    @BeforeAll
    static void startS3() {
        s3 = S3ProxyServer.start(dir.resolve("s3"), "artifacts");
        Configuration conf = s3.initializeFlinkFileSystems();
        conf.set(StoreOptions.URI, s3.uri("root").toString());
        conf.setString(StoreOptions.CHUNK_SIZE.key(), CHUNK + "b");
        store = new ArtifactStore(StoreSettings.from(conf));
    }

    @AfterAll
    static void stopS3() {
        s3.close();
        S3ProxyServer.resetFlinkFileSystems();
    }

    @Test
    void roundTripsAMultiChunkArtifactAsObjectsBelowTheRoot() throws IOException {
        byte[] raw = TestArtifacts.payload(3 * CHUNK + 100);

        ArtifactRef ref = store.put(TestArtifacts.key("round-trip"), raw, "latent.npy", "application/x-npy", Codec.ZSTD);

        assertThat(ref.uri).startsWith("s3://artifacts/root/image-generate/test-v1/");
        assertThat(ref.chunks).isEqualTo(4);
        assertThat(store.lookup(TestArtifacts.key("round-trip"))).contains(ref);
        assertThat(store.read(ref)).isEqualTo(raw);
        assertThat(objectNames(ref)).containsExactlyInAnyOrder(
                "latent.npy.00000.zst", "latent.npy.00001.zst", "latent.npy.00002.zst", "latent.npy.00003.zst",
                "manifest.json");
    }

    @Test
    void lookupOfAnAbsentKeyIsEmpty() {
        assertThat(store.lookup(TestArtifacts.key("never-written"))).isEmpty();
    }

    @Test
    void aFlippedByteInAChunkObjectFailsTheReadNamingTheArtifact() throws IOException {
        ArtifactRef ref = store.put(TestArtifacts.key("flipped"), TestArtifacts.payload(2 * CHUNK), "latent.npy", "application/x-npy", Codec.NONE);
        org.apache.flink.core.fs.Path chunk = object(ref, "latent.npy.00001");
        byte[] bytes = readObject(chunk);
        bytes[bytes.length / 2] ^= 0x01;
        writeObject(chunk, bytes);

        assertThatThrownBy(() -> store.read(ref))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining(ref.uri)
                .hasMessageContaining("corrupt chunk latent.npy.00001");
    }

    @Test
    void aMissingChunkObjectFailsTheReadNamingTheArtifact() throws IOException {
        ArtifactRef ref = store.put(TestArtifacts.key("missing-chunk"), TestArtifacts.payload(2 * CHUNK), "image.png", "image/png", Codec.NONE);
        delete(object(ref, "image.png.00000"));

        assertThatThrownBy(() -> store.read(ref))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining(ref.uri)
                .hasMessageContaining("missing chunk image.png.00000");
    }

    @Test
    void withoutItsManifestObjectAnArtifactIsAbsent() throws IOException {
        ArtifactRef ref = store.put(TestArtifacts.key("no-manifest"), TestArtifacts.payload(100), "image.png", "image/png", Codec.NONE);
        delete(object(ref, "manifest.json"));

        assertThat(store.lookup(TestArtifacts.key("no-manifest"))).isEmpty();
        assertThatThrownBy(() -> store.read(ref))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining(ref.uri)
                .hasMessageContaining("has no manifest");
    }

    /**
     * Keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY alone, none in the Flink options: the
     * default S3A credential chain reads them. Needs a fresh JVM for its own environment; wrong
     * keys in the same set-up are refused, so the server really checks them.
     */
    @Test
    void takesCredentialsFromTheEnvironment() throws Exception {
        assertThat(runEnvCredentialsCheck(S3ProxyServer.SECRET_KEY)).endsWith("round trip ok");
        assertThat(runEnvCredentialsCheck("not-the-secret")).contains("403");
    }

    private static String runEnvCredentialsCheck(String secretKey) throws Exception {
        Path output = Files.createTempFile(dir, "env-credentials", ".log");
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                EnvCredentialsCheck.class.getName(), s3.endpoint(), s3.uri("env-credentials").toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY);
        builder.environment().put("AWS_SECRET_ACCESS_KEY", secretKey);
        Process process = builder.start();
        try {
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("check finished within 120 s").isTrue();
        } finally {
            process.destroyForcibly();
        }
        return Files.readString(output, StandardCharsets.UTF_8).trim();
    }

    /** Puts and reads one artifact with only the endpoint configured; prints the outcome. */
    public static final class EnvCredentialsCheck {
        public static void main(String[] args) {
            Configuration conf = S3ProxyServer.serverOptions(args[0]);
            // Fail on the first refusal instead of backing off through the retry policy.
            conf.setString("s3.attempts.maximum", "1");
            conf.setString("s3.retry.limit", "1");
            initializeFileSystems(conf);
            conf.set(StoreOptions.URI, args[1]);
            try {
                ArtifactStore store = new ArtifactStore(StoreSettings.from(conf));
                byte[] raw = TestArtifacts.payload(100);
                byte[] read = store.read(store.put(TestArtifacts.key("env"), raw, "image.png", "image/png", Codec.NONE));
                System.out.println(Arrays.equals(raw, read) ? "round trip ok" : "round trip returned other bytes");
            } catch (RuntimeException e) {
                System.out.println("failed:");
                e.printStackTrace(System.out);
                System.exit(1);
            }
        }
    }

    private static void initializeFileSystems(Configuration conf) {
        FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));
    }


    private static org.apache.flink.core.fs.Path object(ArtifactRef ref, String name) {
        return new org.apache.flink.core.fs.Path(URI.create(ref.uri + "/" + name));
    }

    private static List<String> objectNames(ArtifactRef ref) throws IOException {
        org.apache.flink.core.fs.Path artifactDir = new org.apache.flink.core.fs.Path(URI.create(ref.uri));
        List<String> names = new ArrayList<>();
        for (FileStatus status : artifactDir.getFileSystem().listStatus(artifactDir)) {
            names.add(status.getPath().getName());
        }
        return names;
    }

    private static byte[] readObject(org.apache.flink.core.fs.Path path) throws IOException {
        try (InputStream in = path.getFileSystem().open(path)) {
            return in.readAllBytes();
        }
    }

    private static void writeObject(org.apache.flink.core.fs.Path path, byte[] bytes) throws IOException {
        try (OutputStream out = path.getFileSystem().create(path, WriteMode.OVERWRITE)) {
            out.write(bytes);
        }
    }

    private static void delete(org.apache.flink.core.fs.Path path) throws IOException {
        assertThat(path.getFileSystem().delete(path, false)).as("deleted %s", path).isTrue();
    }
}
