package dev.stageflow.store;

import java.util.List;

/**
 * The commit marker of an artifact, written after all its chunks: an artifact exists exactly when
 * its manifest does. Checksums let every reader verify what it got.
 */
public class Manifest {

    public static final String FILE_NAME = "manifest.json";
    public static final int FORMAT_VERSION = 1;

    public int formatVersion = FORMAT_VERSION;
    public String stage;
    public String modelVersion;
    public String name;
    public String digest;
    /** Name a user would give the whole artifact once decompressed, e.g. {@code latent.npy}. */
    public String fileName;
    public String mediaType;
    public String codec;
    public long rawSize;
    public long storedSize;
    /** SHA-256 of the raw bytes of the whole artifact. */
    public String sha256;
    public long chunkSize;
    public List<Chunk> chunks;

    /** One stored piece of the artifact. */
    public static class Chunk {
        public String file;
        public long rawSize;
        public long storedSize;
        /** SHA-256 of the stored (compressed) bytes, checked before decompressing. */
        public String sha256;

        public Chunk() {}

        public Chunk(String file, long rawSize, long storedSize, String sha256) {
            this.file = file;
            this.rawSize = rawSize;
            this.storedSize = storedSize;
            this.sha256 = sha256;
        }
    }
}
