package dev.stageflow.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.Json;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem.WriteMode;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Content-addressed artifacts on any Flink {@link FileSystem} ({@code file://}, {@code s3://},
 * {@code hdfs://}).
 *
 * <p>Safety rules, in the order they are relied on:
 *
 * <ol>
 *   <li>Chunks are written first, the manifest last. An artifact exists only once its manifest
 *       does; a directory with chunks but no manifest (a writer died) is invisible and is simply
 *       overwritten by the next writer.
 *   <li>The manifest appears atomically: written to a temporary name and renamed on file systems
 *       that rename atomically, written in one PUT on object stores (where a new object becomes
 *       visible only when complete).
 *   <li>Keys are content addresses, so two writers of the same key write the same bytes; a
 *       replay after a failure rewrites identical files instead of creating a second copy.
 *   <li>Readers verify the SHA-256 of every chunk and of the whole artifact, and fail naming the
 *       artifact URI. An artifact stored as it is in one chunk is its chunk: one hash of its bytes
 *       serves as both, computed once when written and checked once when read.
 *   <li>A cache hit is checked before it is reused: the manifest reads and every chunk it names
 *       exists with its size (every checksum too with {@code store.verify-on-hit}). An artifact that
 *       fails is moved to the quarantine, never deleted, and computed again; since keys are content
 *       addresses, the new artifact is the one the old references expect.
 * </ol>
 *
 * <p>Chunks of one artifact are compressed, written and read concurrently on a bounded pool of
 * {@code store.io-threads}; the calling stage worker waits for its artifact, never the operator
 * thread, which only hands requests to the stage's batcher.
 */
public final class ArtifactStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ArtifactStore.class);
    private static final Set<String> OBJECT_STORE_SCHEMES =
            Set.of("s3", "s3a", "s3p", "gs", "oss", "wasb", "wasbs", "abfs", "abfss");

    private final StoreSettings settings;
    private final Path root;
    private final FileSystem fs;
    private final boolean objectStore;
    private final ChunkIo io;
    private final StoreMetrics metrics;

    public ArtifactStore(StoreSettings settings) {
        this(settings, StoreMetrics.unregistered());
    }

    /** A store that counts what it quarantines, writes, reads and finds in {@code metrics}. */
    public ArtifactStore(StoreSettings settings, StoreMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.root = new Path(settings.root);
        this.fs = fileSystemOf(root);
        this.objectStore = OBJECT_STORE_SCHEMES.contains(settings.root.getScheme());
        this.io = new ChunkIo(settings.ioThreads, settings.root.toString());
    }

    /**
     * The artifact at {@code key} if it is there and sound: its manifest reads, each chunk it names
     * exists with the size it names, and with {@code store.verify-on-hit} every checksum matches.
     * An artifact that fails a check is quarantined ({@link #quarantine}) and reported absent, so
     * the caller computes it again. A hit on an artifact not written or used within {@code
     * store.lease-refresh} rewrites its lease file, which gc reads as a use.
     */
    public Optional<ArtifactRef> lookup(ArtifactKey key) {
        Path dir = directory(key);
        Path manifestPath = new Path(dir, Manifest.FILE_NAME);
        Manifest manifest;
        try (InputStream in = fs.open(manifestPath)) {
            manifest = Json.MAPPER.readValue(in, Manifest.class);
        } catch (FileNotFoundException e) {
            return Optional.empty();
        } catch (JsonProcessingException e) {
            quarantine(fs, dir, "has an unreadable manifest: " + e.getOriginalMessage());
            return Optional.empty();
        } catch (IOException e) {
            if (!exists(manifestPath)) {
                return Optional.empty();
            }
            throw new UncheckedIOException("Cannot read manifest of artifact " + dir, e);
        }
        FileStatus[] files = list(dir);
        Optional<String> problem = problemOf(dir, manifest, files);
        if (problem.isPresent()) {
            quarantine(fs, dir, problem.get());
            return Optional.empty();
        }
        refreshLease(dir, files);
        metrics.artifactsReused().inc();
        return Optional.of(toRef(dir, manifest));
    }

    /**
     * Moves the artifact {@code ref} points to aside, below its store root's {@link
     * ArtifactLocation#QUARANTINE_DIR}, where a person can look at it and gc leaves it alone; the
     * next lookup of its key finds nothing and the artifact is computed again. Counted in the
     * {@code quarantined} metric and logged with {@code problem}.
     */
    public void quarantine(ArtifactRef ref, String problem) {
        Path dir = new Path(URI.create(ref.uri));
        quarantine(fileSystemOf(dir), dir, problem);
    }

    /**
     * Writes {@code raw} as artifact {@code key}: chunks of {@code store.chunk-size}, each
     * compressed with {@code codec} and written concurrently on the store's I/O pool, then the
     * manifest once every chunk is durable.
     */
    public ArtifactRef put(ArtifactKey key, byte[] raw, String fileName, String mediaType, Codec codec) {
        Path dir = directory(key);
        Manifest manifest = newManifest(key, raw, fileName, mediaType, codec);
        int chunkCount = Math.max(1, (raw.length + settings.chunkSize - 1) / settings.chunkSize);
        manifest.chunks = io.invokeAll(chunkCount, i -> {
            int from = i * settings.chunkSize;
            int to = Math.min(raw.length, from + settings.chunkSize);
            byte[] stored = codec.compress(slice(raw, from, to), settings.level(codec));
            String file = chunkFileName(fileName, codec, i, chunkCount);
            write(new Path(dir, file), stored);
            metrics.bytesWritten().inc(stored.length);
            // A single uncompressed chunk is the artifact itself: its hash is the whole one.
            String sha256 = stored == raw ? manifest.sha256 : Hashing.sha256Hex(stored);
            return new Manifest.Chunk(file, to - from, stored.length, sha256);
        });
        manifest.storedSize = manifest.chunks.stream().mapToLong(chunk -> chunk.storedSize).sum();
        writeManifest(dir, manifest);
        return toRef(dir, manifest);
    }

    /**
     * Reads and verifies the artifact that {@code ref} points to. The reference may point into
     * another store (image-enhance reads what image-generate wrote, possibly on another file
     * system); its own URI decides the file system.
     */
    public byte[] read(ArtifactRef ref) {
        Path dir = new Path(URI.create(ref.uri));
        FileSystem refFs = fileSystemOf(dir);
        Manifest manifest = readManifest(refFs, dir);
        if (!manifest.sha256.equals(ref.sha256)) {
            throw new CorruptArtifactException(ref.uri, "holds sha256 " + manifest.sha256 + ", the reference expects " + ref.sha256);
        }
        return readVerified(refFs, dir, manifest);
    }

    /** Records the job whose output directory is {@code outputDir} as a writer of this store ({@link StoreWriters}). */
    public void registerWriter(String outputDir) {
        Path record = StoreWriters.recordPath(root, outputDir);
        if (!exists(record)) {
            writeAtomically(record, StoreWriters.record(outputDir), "record the job writing to " + outputDir + " in");
        }
    }

    /** Stops the I/O pool; the store cannot be used afterwards. */
    @Override
    public void close() {
        io.close();
    }

    private byte[] readVerified(FileSystem refFs, Path dir, Manifest manifest) {
        if (manifest.rawSize > Integer.MAX_VALUE) {
            throw new CorruptArtifactException(dir.toString(), "is too large to read at once");
        }
        Codec codec = Codec.parse(manifest.codec);
        List<byte[]> pieces = io.invokeAll(manifest.chunks.size(), i -> {
            Manifest.Chunk chunk = manifest.chunks.get(i);
            byte[] stored = readChunk(refFs, dir, chunk);
            metrics.bytesRead().inc(stored.length);
            return codec.decompress(stored, (int) chunk.rawSize);
        });
        if (pieces.size() == 1 && pieces.get(0).length == manifest.rawSize) {
            return verifiedWhole(dir, manifest, codec, pieces.get(0));
        }
        byte[] raw = new byte[(int) manifest.rawSize];
        MessageDigest whole = Hashing.sha256();
        int offset = 0;
        for (byte[] piece : pieces) {
            if (offset + piece.length > raw.length) {
                throw new CorruptArtifactException(dir.toString(), "has more bytes than its manifest says");
            }
            System.arraycopy(piece, 0, raw, offset, piece.length);
            whole.update(piece);
            offset += piece.length;
        }
        checkWhole(dir, manifest, HexFormat.of().formatHex(whole.digest()), offset);
        return raw;
    }

    /**
     * A single chunk holding the whole artifact, checked against the manifest's hash. Stored as it
     * is, it was already checked by its own hash ({@link #readChunk}): when the manifest names the
     * same hash for the whole, hashing the same bytes again would prove nothing new.
     */
    private static byte[] verifiedWhole(Path dir, Manifest manifest, Codec codec, byte[] raw) {
        if (codec != Codec.NONE || !manifest.chunks.get(0).sha256.equals(manifest.sha256)) {
            checkWhole(dir, manifest, Hashing.sha256Hex(raw), raw.length);
        }
        return raw;
    }

    private static void checkWhole(Path dir, Manifest manifest, String actual, long bytes) {
        if (bytes != manifest.rawSize || !actual.equals(manifest.sha256)) {
            throw new CorruptArtifactException(
                    dir.toString(), "does not match its manifest (sha256 " + actual + ", " + bytes + " bytes)");
        }
    }

    private FileStatus[] list(Path dir) {
        try {
            FileStatus[] files = fs.listStatus(dir);
            return files == null ? new FileStatus[0] : files;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list artifact " + dir, e);
        }
    }

    /** What is wrong with the artifact in {@code dir}, if anything. */
    private Optional<String> problemOf(Path dir, Manifest manifest, FileStatus[] files) {
        Map<String, Long> sizes = new HashMap<>();
        for (FileStatus file : files) {
            sizes.put(file.getPath().getName(), file.getLen());
        }
        for (Manifest.Chunk chunk : manifest.chunks) {
            Long size = sizes.get(chunk.file);
            if (size == null) {
                return Optional.of("is missing chunk " + chunk.file);
            }
            if (size != chunk.storedSize) {
                return Optional.of("has chunk " + chunk.file + " of " + size + " bytes, its manifest says " + chunk.storedSize);
            }
        }
        if (settings.verifyOnHit) {
            try {
                readVerified(fs, dir, manifest);
            } catch (CorruptArtifactException e) {
                return Optional.of(e.problem());
            }
        }
        return Optional.empty();
    }

    private void refreshLease(Path dir, FileStatus[] files) {
        long now = System.currentTimeMillis();
        long lastWritten = Arrays.stream(files).mapToLong(FileStatus::getModificationTime).max().orElse(0);
        if (now - lastWritten > settings.leaseRefresh.toMillis()) {
            write(new Path(dir, ArtifactLocation.LEASE_FILE), Long.toString(now).getBytes(StandardCharsets.UTF_8));
        }
    }

    private void quarantine(FileSystem dirFs, Path dir, String problem) {
        ArtifactLocation location = ArtifactLocation.ofUri(dir.toUri().toString())
                .orElseThrow(() -> new IllegalArgumentException(dir + " is not an artifact of the store layout"));
        Path storeRoot = dir;
        for (int i = 0; i < ArtifactLocation.DEPTH; i++) {
            storeRoot = storeRoot.getParent();
        }
        Path target = new Path(storeRoot, location.quarantinePath(System.currentTimeMillis()));
        try {
            dirFs.mkdirs(target.getParent());
            if (!dirFs.rename(dir, target) && dirFs.exists(dir)) {
                throw new IOException("rename returned false");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot quarantine artifact " + dir + ", which " + problem, e);
        }
        metrics.quarantined().inc();
        LOG.warn("Artifact {} {}: moved to {}; it will be computed again", dir, problem, target);
    }

    private Path directory(ArtifactKey key) {
        return new Path(root, key.relativePath());
    }

    private Manifest newManifest(ArtifactKey key, byte[] raw, String fileName, String mediaType, Codec codec) {
        Manifest manifest = new Manifest();
        manifest.stage = key.stage();
        manifest.modelVersion = key.modelVersion();
        manifest.name = key.name();
        manifest.digest = key.digest();
        manifest.fileName = fileName;
        manifest.mediaType = mediaType;
        manifest.codec = codec.id();
        manifest.rawSize = raw.length;
        manifest.sha256 = Hashing.sha256Hex(raw);
        manifest.chunkSize = settings.chunkSize;
        return manifest;
    }

    /** {@code latent.npy.zst} for a single chunk, {@code latent.npy.00001.zst} for several. */
    private static String chunkFileName(String fileName, Codec codec, int index, int count) {
        return count == 1
                ? fileName + codec.extension()
                : String.format("%s.%05d%s", fileName, index, codec.extension());
    }

    private static Manifest readManifest(FileSystem refFs, Path dir) {
        try (InputStream in = refFs.open(new Path(dir, Manifest.FILE_NAME))) {
            return Json.MAPPER.readValue(in, Manifest.class);
        } catch (FileNotFoundException e) {
            throw new CorruptArtifactException(dir.toString(), "has no manifest (missing or never completed)");
        } catch (JsonProcessingException e) {
            throw new CorruptArtifactException(dir.toString(), "has an unreadable manifest: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the manifest of artifact " + dir, e);
        }
    }

    private static byte[] readChunk(FileSystem refFs, Path dir, Manifest.Chunk chunk) {
        byte[] stored;
        try (InputStream in = refFs.open(new Path(dir, chunk.file))) {
            stored = readExpected(in, chunk.storedSize);
        } catch (FileNotFoundException e) {
            throw new CorruptArtifactException(dir.toString(), "is missing chunk " + chunk.file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read chunk " + chunk.file + " of artifact " + dir, e);
        }
        String actual = Hashing.sha256Hex(stored);
        if (stored.length != chunk.storedSize || !actual.equals(chunk.sha256)) {
            throw new CorruptArtifactException(
                    dir.toString(), "has a corrupt chunk " + chunk.file + " (sha256 " + actual + ", expected " + chunk.sha256 + ")");
        }
        return stored;
    }

    /**
     * The stream's bytes, read into one array of the size the manifest expects (large reads, no
     * copy; {@code readAllBytes} reads in 8 KiB pieces and copies them together). A stream with
     * other than {@code expected} bytes gives what it has, one byte more at most, so the checksum
     * check names it.
     */
    private static byte[] readExpected(InputStream in, long expected) throws IOException {
        if (expected < 0 || expected > Integer.MAX_VALUE - 8) {
            return in.readAllBytes();
        }
        byte[] bytes = new byte[(int) expected];
        int read = in.readNBytes(bytes, 0, bytes.length);
        if (read < bytes.length) {
            return Arrays.copyOf(bytes, read);
        }
        int extra = in.read();
        if (extra < 0) {
            return bytes;
        }
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        longer[bytes.length] = (byte) extra;
        return longer;
    }

    private void writeManifest(Path dir, Manifest manifest) {
        writeAtomically(new Path(dir, Manifest.FILE_NAME), Json.write(manifest).getBytes(StandardCharsets.UTF_8),
                "commit the manifest of");
    }

    /**
     * Writes {@code target} so that it appears complete or not at all: in one PUT on object stores,
     * elsewhere to a temporary name and renamed. Writers of one target write the same bytes (content
     * addresses, one record per output directory), so when another writer's rename came first, the
     * target is already right.
     */
    private void writeAtomically(Path target, byte[] bytes, String what) {
        if (objectStore) {
            write(target, bytes);
            return;
        }
        Path temp = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        write(temp, bytes);
        try {
            if (!fs.rename(temp, target)) {
                fs.delete(temp, false);
                if (!fs.exists(target)) {
                    throw new IOException("rename returned false");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot " + what + " " + target.getParent(), e);
        }
    }

    private void write(Path path, byte[] bytes) {
        try (OutputStream out = create(path)) {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + path, e);
        }
    }

    private static FileSystem fileSystemOf(Path path) {
        try {
            return path.getFileSystem();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the file system of " + path, e);
        }
    }

    private OutputStream create(Path path) throws IOException {
        return settings.hdfsReplication == null
                ? fs.create(path, WriteMode.OVERWRITE)
                : HdfsFiles.createReplicated(fs, path, settings.hdfsReplication.shortValue());
    }

    private boolean exists(Path path) {
        try {
            return fs.exists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot check " + path, e);
        }
    }

    private static ArtifactRef toRef(Path dir, Manifest manifest) {
        return new ArtifactRef(
                manifest.name,
                dir.toUri().toString(),
                manifest.sha256,
                manifest.rawSize,
                manifest.storedSize,
                manifest.codec,
                manifest.chunks.size(),
                manifest.mediaType);
    }

    private static byte[] slice(byte[] raw, int from, int to) {
        if (from == 0 && to == raw.length) {
            return raw;
        }
        byte[] piece = new byte[to - from];
        System.arraycopy(raw, from, piece, 0, piece.length);
        return piece;
    }
}
