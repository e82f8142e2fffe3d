package dev.stageflow.testing;

import dev.stageflow.store.ArtifactKey;
import java.util.Map;
import java.util.Random;

/** Keys and payloads for the artifact store tests against real file systems. */
public final class TestArtifacts {

    private TestArtifacts() {}

    /** A content key in the image-generate stage of a test model. */
    public static ArtifactKey key(String name) {
        return ArtifactKey.of("image-generate", "test-v1", name, Map.of("seed", "1"));
    }

    /** {@code size} random bytes, the same for the same size. */
    public static byte[] payload(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
