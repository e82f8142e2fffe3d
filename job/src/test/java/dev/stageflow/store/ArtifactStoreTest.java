package dev.stageflow.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ArtifactStoreTest {

    private static final int CHUNK = 4096;

    @TempDir
    Path root;

    private ArtifactStore store(Codec codec) {
        return new ArtifactStore(StoreSettings.from(conf(codec)));
    }

    private Configuration conf(Codec codec) {
        Configuration conf = new Configuration();
        conf.set(StoreOptions.URI, root.toUri().toString());
        conf.set(StoreOptions.CODEC, codec.id());
        conf.set(StoreOptions.CHUNK_SIZE, MemorySize.parse(CHUNK + "b"));
        return conf;
    }

    private static ArtifactKey key(String name) {
        return ArtifactKey.of("image-generate", "test-v1", name, Map.of("seed", "1"));
    }

    private static byte[] payload(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        for (int i = 0; i < size; i += 3) {
            bytes[i] = 7;
        }
        return bytes;
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void roundTripsChunkedArtifactsAndDescribesThemInTheManifest(Codec codec) throws IOException {
        ArtifactStore store = store(codec);
        byte[] raw = payload(3 * CHUNK + 100);

        ArtifactRef ref = store.put(key("latent"), raw, "latent.npy", "application/x-npy", codec);

        assertThat(ref.chunks).isEqualTo(4);
        assertThat(ref.rawSize).isEqualTo(raw.length);
        assertThat(ref.sha256).isEqualTo(Hashing.sha256Hex(raw));
        assertThat(ref.codec).isEqualTo(codec.id());
        assertThat(store.read(ref)).isEqualTo(raw);
        Manifest manifest = Json.MAPPER.readValue(Path.of(URI.create(ref.uri)).resolve("manifest.json").toFile(), Manifest.class);
        assertThat(manifest.chunks).extracting(c -> c.file).containsExactly(
                "latent.npy.00000" + codec.extension(), "latent.npy.00001" + codec.extension(),
                "latent.npy.00002" + codec.extension(), "latent.npy.00003" + codec.extension());
        assertThat(manifest.chunks).extracting(c -> c.rawSize).containsExactly(4096L, 4096L, 4096L, 100L);
        assertThat(manifest.storedSize).isEqualTo(ref.storedSize);
    }

    @Test
    void roundTripsAnArtifactOfManyChunksWrittenConcurrently() {
        ArtifactStore store = store(Codec.SNAPPY);
        byte[] raw = payload(64 * CHUNK + 1);

        ArtifactRef ref = store.put(key("latent"), raw, "latent.npy", "application/x-npy", Codec.SNAPPY);

        assertThat(ref.chunks).isEqualTo(65);
        assertThat(store.read(ref)).isEqualTo(raw);
    }

    @Test
    void readsAnArtifactThatAnotherStoreRootHolds(@TempDir Path otherRoot) {
        ArtifactStore generated = store(Codec.ZSTD);
        Configuration conf = new Configuration();
        conf.set(StoreOptions.URI, otherRoot.toUri().toString());
        ArtifactStore enhanced = new ArtifactStore(StoreSettings.from(conf));
        byte[] raw = payload(2 * CHUNK);
        ArtifactRef ref = generated.put(key("image"), raw, "image.png", "image/png", Codec.NONE);

        assertThat(enhanced.read(ref)).isEqualTo(raw);
        assertThat(enhanced.lookup(key("image"))).isEmpty();
    }

    @Test
    void countsTheStoredBytesItWritesAndReadsAndTheArtifactsItFinds() {
        StoreMetrics metrics = StoreMetrics.unregistered();
        ArtifactStore store = new ArtifactStore(StoreSettings.from(conf(Codec.ZSTD)), metrics);
        byte[] raw = payload(2 * CHUNK + 10);

        ArtifactRef ref = store.put(key("latent"), raw, "latent.npy", "application/x-npy", Codec.ZSTD);
        assertThat(metrics.bytesWritten().getCount()).isEqualTo(ref.storedSize).isLessThan(raw.length);
        assertThat(metrics.bytesRead().getCount()).isZero();

        store.read(ref);
        store.read(ref);
        assertThat(metrics.bytesRead().getCount()).isEqualTo(2 * ref.storedSize);

        assertThat(store.lookup(key("latent"))).contains(ref);
        assertThat(store.lookup(key("image"))).isEmpty();
        assertThat(metrics.artifactsReused().getCount()).isEqualTo(1);
        assertThat(metrics.quarantined().getCount()).isZero();
    }

    @Test
    void aSingleChunkKeepsTheArtifactsOwnFileName() {
        ArtifactRef ref = store(Codec.NONE).put(key("image"), payload(100), "image.png", "image/png", Codec.NONE);

        assertThat(Path.of(URI.create(ref.uri)).resolve("image.png")).hasBinaryContent(payload(100));
    }

    @Test
    void compressesWithZstd() {
        byte[] compressible = new byte[10 * CHUNK];
        ArtifactRef ref = store(Codec.ZSTD).put(key("latent"), compressible, "latent.npy", "application/x-npy", Codec.ZSTD);

        assertThat(ref.storedSize).isLessThan(ref.rawSize / 20);
    }

    @Test
    void lookupFindsOnlyCompleteArtifacts() throws IOException {
        ArtifactStore store = store(Codec.ZSTD);
        assertThat(store.lookup(key("latent"))).isEmpty();

        ArtifactRef ref = store.put(key("latent"), payload(100), "latent.npy", "application/x-npy", Codec.ZSTD);

        assertThat(store.lookup(key("latent"))).contains(ref);
    }

    @Test
    void writingTheSameKeyTwiceWritesTheSameBytes() throws IOException {
        ArtifactStore store = store(Codec.ZSTD);
        ArtifactRef first = store.put(key("latent"), payload(2 * CHUNK), "latent.npy", "application/x-npy", Codec.ZSTD);
        Map<Path, byte[]> before = snapshot();

        ArtifactRef second = store.put(key("latent"), payload(2 * CHUNK), "latent.npy", "application/x-npy", Codec.ZSTD);

        assertThat(second).isEqualTo(first);
        assertThat(snapshot()).containsOnlyKeys(before.keySet());
        before.forEach((file, bytes) -> assertThat(file).hasBinaryContent(bytes));
    }

    @Test
    void chunksWithoutManifestAreInvisibleAndRewritten() throws IOException {
        ArtifactStore store = store(Codec.NONE);
        ArtifactRef ref = store.put(key("image"), payload(2 * CHUNK), "image.png", "image/png", Codec.NONE);
        Path dir = Path.of(URI.create(ref.uri));
        Files.delete(dir.resolve("manifest.json"));
        Files.write(dir.resolve("image.png.00001"), new byte[] {1, 2, 3});

        assertThat(store.lookup(key("image"))).isEmpty();
        ArtifactRef rewritten = store.put(key("image"), payload(2 * CHUNK), "image.png", "image/png", Codec.NONE);

        assertThat(rewritten).isEqualTo(ref);
        assertThat(store.read(rewritten)).isEqualTo(payload(2 * CHUNK));
    }

    @Test
    void readingAFlippedByteFailsNamingTheArtifactAndChunk() throws IOException {
        ArtifactStore store = store(Codec.ZSTD);
        ArtifactRef ref = store.put(key("latent"), payload(2 * CHUNK), "latent.npy", "application/x-npy", Codec.ZSTD);
        Path chunk = Path.of(URI.create(ref.uri)).resolve("latent.npy.00001.zst");
        byte[] bytes = Files.readAllBytes(chunk);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(chunk, bytes);

        assertThatThrownBy(() -> store.read(ref))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining(ref.uri)
                .hasMessageContaining("corrupt chunk latent.npy.00001.zst");
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void anArtifactInOneChunkOrManyNamesTheHashesOfItsFiles(Codec codec, @TempDir Path bigChunks) throws IOException {
        byte[] raw = payload(300 * 1024 + 7);
        Configuration oneChunk = conf(codec);
        oneChunk.set(StoreOptions.URI, bigChunks.toUri().toString());
        oneChunk.set(StoreOptions.CHUNK_SIZE, MemorySize.parse("1mb"));
        ArtifactStore single = new ArtifactStore(StoreSettings.from(oneChunk));

        for (ArtifactStore store : List.of(single, store(codec))) {
            ArtifactRef ref = store.put(key("image"), raw, "image.png", "image/png", codec);

            assertThat(ref.sha256).isEqualTo(Hashing.sha256Hex(raw));
            Path dir = Path.of(URI.create(ref.uri));
            Manifest manifest = Json.MAPPER.readValue(dir.resolve("manifest.json").toFile(), Manifest.class);
            assertThat(manifest.chunks).hasSize(store == single ? 1 : 76);
            for (Manifest.Chunk chunk : manifest.chunks) {
                assertThat(chunk.sha256).isEqualTo(Hashing.sha256Hex(Files.readAllBytes(dir.resolve(chunk.file))));
            }
            assertThat(store.read(ref)).isEqualTo(raw);
        }
    }

    @Test
    void aChunkLongerThanItsManifestSaysFailsTheRead() throws IOException {
        ArtifactStore store = store(Codec.NONE);
        ArtifactRef ref = store.put(key("image"), payload(1000), "image.png", "image/png", Codec.NONE);
        Path chunk = Path.of(URI.create(ref.uri)).resolve("image.png");
        Files.write(chunk, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);

        assertThatThrownBy(() -> store.read(ref))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining("corrupt chunk image.png");
    }

    @Test
    void aSingleChunkIsCheckedAgainstTheWholeArtifactsHashOfItsManifest() throws IOException {
        ArtifactStore store = store(Codec.NONE);
        ArtifactRef ref = store.put(key("image"), payload(1000), "image.png", "image/png", Codec.NONE);
        Path manifestFile = Path.of(URI.create(ref.uri)).resolve("manifest.json");
        Manifest manifest = Json.MAPPER.readValue(manifestFile.toFile(), Manifest.class);
        manifest.sha256 = Hashing.sha256Hex("other");
        Files.writeString(manifestFile, Json.write(manifest));
        ArtifactRef agreeing = new ArtifactRef(ref.name, ref.uri, manifest.sha256, ref.rawSize,
                ref.storedSize, ref.codec, ref.chunks, ref.mediaType);

        assertThatThrownBy(() -> store.read(agreeing))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining("does not match its manifest");
    }

    @Test
    void readingAMissingChunkFailsNamingIt() throws IOException {
        ArtifactStore store = store(Codec.NONE);
        ArtifactRef ref = store.put(key("image"), payload(2 * CHUNK), "image.png", "image/png", Codec.NONE);
        Files.delete(Path.of(URI.create(ref.uri)).resolve("image.png.00000"));

        assertThatThrownBy(() -> store.read(ref))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining(ref.uri)
                .hasMessageContaining("missing chunk image.png.00000");
    }

    @Test
    void readingWithoutManifestFailsAndLookupSaysAbsent() throws IOException {
        ArtifactStore store = store(Codec.NONE);
        ArtifactRef ref = store.put(key("image"), payload(10), "image.png", "image/png", Codec.NONE);
        Files.delete(Path.of(URI.create(ref.uri)).resolve("manifest.json"));

        assertThat(store.lookup(key("image"))).isEmpty();
        assertThatThrownBy(() -> store.read(ref))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining("has no manifest");
    }

    @Test
    void aHitWithAMissingOrTruncatedChunkIsQuarantinedAndReportedAbsent() throws IOException {
        StoreMetrics metrics = StoreMetrics.unregistered();
        ArtifactStore store = new ArtifactStore(StoreSettings.from(conf(Codec.NONE)), metrics);
        ArtifactRef missing = store.put(key("image"), payload(2 * CHUNK), "image.png", "image/png", Codec.NONE);
        ArtifactRef truncated = store.put(key("latent"), payload(CHUNK), "latent.npy", "application/x-npy", Codec.NONE);
        Files.delete(Path.of(URI.create(missing.uri)).resolve("image.png.00001"));
        Path chunk = Path.of(URI.create(truncated.uri)).resolve("latent.npy");
        Files.write(chunk, Arrays.copyOf(Files.readAllBytes(chunk), CHUNK - 1));

        assertThat(store.lookup(key("image"))).isEmpty();
        assertThat(store.lookup(key("latent"))).isEmpty();

        assertThat(metrics.quarantined().getCount()).isEqualTo(2);
        assertThat(Path.of(URI.create(missing.uri))).doesNotExist();
        assertThat(quarantinedDirectories()).hasSize(2).allSatisfy(dir -> assertThat(dir.toString())
                .contains(ArtifactLocation.QUARANTINE_DIR + "/image-generate/test-v1/"));
        assertThat(store.put(key("image"), payload(2 * CHUNK), "image.png", "image/png", Codec.NONE)).isEqualTo(missing);
        assertThat(store.lookup(key("image"))).contains(missing);
    }

    @Test
    void aFlippedByteIsFoundOnAHitOnlyWithVerifyOnHit() throws IOException {
        ArtifactRef ref = store(Codec.NONE).put(key("image"), payload(CHUNK), "image.png", "image/png", Codec.NONE);
        Path chunk = Path.of(URI.create(ref.uri)).resolve("image.png");
        byte[] bytes = Files.readAllBytes(chunk);
        bytes[10] ^= 0x01;
        Files.write(chunk, bytes);

        assertThat(store(Codec.NONE).lookup(key("image"))).as("sizes match: a hit").contains(ref);
        Configuration verifying = conf(Codec.NONE);
        verifying.set(StoreOptions.VERIFY_ON_HIT, true);
        assertThat(new ArtifactStore(StoreSettings.from(verifying)).lookup(key("image"))).isEmpty();
        assertThat(quarantinedDirectories()).hasSize(1);
    }

    @Test
    void anUnreadableManifestIsQuarantinedOnAHit() throws IOException {
        ArtifactStore store = store(Codec.NONE);
        ArtifactRef ref = store.put(key("image"), payload(10), "image.png", "image/png", Codec.NONE);
        Files.writeString(Path.of(URI.create(ref.uri)).resolve("manifest.json"), "{\"chunks\": [");

        assertThat(store.lookup(key("image"))).isEmpty();
        assertThat(quarantinedDirectories()).hasSize(1);
    }

    @Test
    void aHitRefreshesTheLeaseOnlyWhenTheArtifactWasNotWrittenOrUsedWithinTheRefreshTime() throws IOException {
        ArtifactRef ref = store(Codec.NONE).put(key("image"), payload(10), "image.png", "image/png", Codec.NONE);
        Path lease = Path.of(URI.create(ref.uri)).resolve(ArtifactLocation.LEASE_FILE);

        store(Codec.NONE).lookup(key("image"));
        assertThat(lease).as("written just now: no lease yet").doesNotExist();

        Configuration eager = conf(Codec.NONE);
        eager.set(StoreOptions.LEASE_REFRESH, Duration.ZERO);
        for (Path file : List.of(lease.resolveSibling("image.png"), lease.resolveSibling("manifest.json"))) {
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofDays(3))));
        }
        assertThat(new ArtifactStore(StoreSettings.from(eager)).lookup(key("image"))).contains(ref);
        assertThat(lease).exists();
        assertThat(Files.getLastModifiedTime(lease).toInstant()).isAfter(Instant.now().minus(Duration.ofMinutes(1)));
    }

    private List<Path> quarantinedDirectories() throws IOException {
        Path quarantine = root.resolve(ArtifactLocation.QUARANTINE_DIR);
        if (!Files.exists(quarantine)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(quarantine)) {
            return files.filter(path -> path.getFileName().toString().matches("[0-9a-f]{64}\\.[0-9]+")).toList();
        }
    }

    @Test
    void aReferenceWithAnotherChecksumIsRejected() {
        ArtifactStore store = store(Codec.NONE);
        ArtifactRef ref = store.put(key("image"), payload(10), "image.png", "image/png", Codec.NONE);
        ArtifactRef stale = new ArtifactRef(ref.name, ref.uri, Hashing.sha256Hex("other"), ref.rawSize,
                ref.storedSize, ref.codec, ref.chunks, ref.mediaType);

        assertThatThrownBy(() -> store.read(stale)).isInstanceOf(CorruptArtifactException.class);
    }

    private Map<Path, byte[]> snapshot() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).collect(java.util.stream.Collectors.toMap(p -> p, p -> {
                try {
                    return Files.readAllBytes(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
        }
    }
}
