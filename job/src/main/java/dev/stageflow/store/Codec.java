package dev.stageflow.store;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.xerial.snappy.Snappy;

/**
 * How a chunk's bytes are compressed in the store. Compression is deterministic for a given level,
 * so rewriting an artifact rewrites the same bytes.
 */
public enum Codec {
    ZSTD(".zst"),
    GZIP(".gz"),
    SNAPPY(".snappy"),
    NONE("");

    private final String extension;

    Codec(String extension) {
        this.extension = extension;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** File-name suffix of a chunk in this codec, e.g. {@code .zst}. */
    public String extension() {
        return extension;
    }

    public static Codec parse(String id) {
        for (Codec codec : values()) {
            if (codec.id().equals(id)) {
                return codec;
            }
        }
        throw new IllegalArgumentException(
                "Unknown codec '" + id + "'; allowed: "
                        + Arrays.stream(values()).map(Codec::id).collect(Collectors.joining(", ")));
    }

    /** Whether {@link #compress} takes a level (snappy has none). */
    public boolean hasLevels() {
        return this == ZSTD || this == GZIP;
    }

    public byte[] compress(byte[] raw, int level) {
        switch (this) {
            case ZSTD:
                return Zstd.compress(raw, level);
            case GZIP:
                return gzip(raw, level);
            case SNAPPY:
                return snappy(raw);
            default:
                return raw;
        }
    }

    public byte[] decompress(byte[] stored, int rawSize) {
        switch (this) {
            case ZSTD:
                return Zstd.decompress(stored, rawSize);
            case GZIP:
                return gunzip(stored, rawSize);
            case SNAPPY:
                return unsnappy(stored, rawSize);
            default:
                return stored;
        }
    }

    private static byte[] gzip(byte[] raw, int level) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 2 + 64);
        try (GZIPOutputStream gzip = new LeveledGzipOutputStream(out, level)) {
            gzip.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] stored, int rawSize) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(stored))) {
            byte[] raw = in.readNBytes(rawSize);
            if (raw.length != rawSize || in.read() != -1) {
                throw new IllegalStateException("gzip chunk does not hold " + rawSize + " bytes");
            }
            return raw;
        } catch (IOException e) {
            throw new UncheckedIOException("Corrupt gzip chunk", e);
        }
    }

    private static byte[] snappy(byte[] raw) {
        try {
            return Snappy.compress(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] unsnappy(byte[] stored, int rawSize) {
        try {
            if (!Snappy.isValidCompressedBuffer(stored) || Snappy.uncompressedLength(stored) != rawSize) {
                throw new IllegalStateException("snappy chunk does not hold " + rawSize + " bytes");
            }
            return Snappy.uncompress(stored);
        } catch (IOException e) {
            throw new UncheckedIOException("Corrupt snappy chunk", e);
        }
    }

    /** GZIPOutputStream with a chosen level (its constructor has none). */
    private static final class LeveledGzipOutputStream extends GZIPOutputStream {
        LeveledGzipOutputStream(ByteArrayOutputStream out, int level) throws IOException {
            super(out);
            def.setLevel(level);
        }
    }

    static void checkLevel(Codec codec, int level) {
        int max = codec == ZSTD ? Zstd.maxCompressionLevel() : Deflater.BEST_COMPRESSION;
        if (codec.hasLevels() && (level < 1 || level > max)) {
            throw new IllegalArgumentException(
                    codec.id() + " level " + level + " is outside 1.." + max);
        }
    }
}
