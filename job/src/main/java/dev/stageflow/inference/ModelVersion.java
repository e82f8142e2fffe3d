package dev.stageflow.inference;

import dev.stageflow.store.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A model's version: its name and a hash of the content of the files that determine its outputs,
 * never a name a user could leave stale. Artifact and cache keys carry it, so changed model files
 * never reuse the artifacts of the old ones.
 *
 * <p>Hashing a multi-gigabyte UNet takes seconds, and every subtask opens its model; a file's hash
 * is therefore remembered per JVM by path, size and modification time (a rewrite in place changes
 * the time).
 */
public final class ModelVersion {

    private static final int HASH_HEX_CHARS = 12;
    private static final Map<String, byte[]> FILE_HASHES = new ConcurrentHashMap<>();

    private ModelVersion() {}

    /**
     * {@code name} and 12 hex digits of the SHA-256 over the files' own hashes and their names
     * relative to {@code dir} (so that renaming files into other roles changes it too), plus any
     * {@code settings} that change outputs (e.g. a scheduler chosen by an option).
     */
    public static String of(String name, Path dir, String[] files, String... settings) {
        MessageDigest digest = Hashing.sha256();
        for (String file : files) {
            digest.update(file.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(fileDigest(dir.resolve(file)));
        }
        for (String setting : settings) {
            digest.update(setting.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
        }
        return name + "-" + HexFormat.of().formatHex(digest.digest()).substring(0, HASH_HEX_CHARS);
    }

    /**
     * 12 hex digits of the SHA-256 of {@code file}'s content, remembered like the hashes of {@link
     * #of}: for a version that names a single file's bits beside its own settings.
     */
    public static String fileHash(Path file) {
        return HexFormat.of().formatHex(fileDigest(file)).substring(0, HASH_HEX_CHARS);
    }

    private static byte[] fileDigest(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            String key = file.toAbsolutePath().normalize() + "|" + attributes.size() + "|"
                    + attributes.lastModifiedTime().toMillis();
            byte[] known = FILE_HASHES.get(key);
            if (known != null) {
                return known;
            }
            MessageDigest digest = Hashing.sha256();
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                for (int read; (read = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, read);
                }
            }
            byte[] hash = digest.digest();
            FILE_HASHES.put(key, hash);
            return hash;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read model file " + file, e);
        }
    }
}
