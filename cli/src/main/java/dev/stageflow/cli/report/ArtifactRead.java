package dev.stageflow.cli.report;

import dev.stageflow.model.ArtifactRef;
import dev.stageflow.store.ArtifactStore;

/**
 * An artifact read back and verified through the store, or why that failed.
 *
 * @param bytes the artifact's raw bytes, null if it could not be read
 * @param failure what went wrong (names the artifact's URI), null if it was read
 */
public record ArtifactRead(byte[] bytes, String failure) {

    /**
     * Reads {@code ref} with {@code store}, which checks every chunk's and the whole artifact's
     * SHA-256. Any failure is caught and kept, whatever its kind (missing manifest or chunk, corrupt
     * bytes, unknown codec, unreachable file system): the commands show it in the artifact's place
     * and go on with the others.
     */
    public static ArtifactRead of(ArtifactStore store, ArtifactRef ref) {
        try {
            return new ArtifactRead(store.read(ref), null);
        } catch (RuntimeException e) {
            return new ArtifactRead(null, describe(e));
        }
    }

    public boolean verified() {
        return failure == null;
    }

    /** An exception's message, or its type when it has none. */
    static String describe(RuntimeException e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
