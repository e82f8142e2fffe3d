package dev.stageflow.store;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The store layout, written and read here only: an artifact sits below any store root at {@code
 * <stage>/<model-version>/<k[0:2]>/<k[2:4]>/<k>}.
 * The digest {@code k} hashes stage, model version, artifact name and inputs, so this tail names
 * one content, whichever root or URI spelling ({@code file:/} or {@code file:///}, a NameNode with
 * or without its port) a reference uses.
 */
public record ArtifactLocation(String stage, String modelVersion, String digest) {

    /** Directory levels from a store root down to an artifact. */
    public static final int DEPTH = 5;

    /**
     * Where corrupt artifacts are moved, below a store root: {@code _quarantine/<layout>.<millis>}.
     * No stage id starts with {@code _}, so the store's own directories never collide with a stage.
     */
    public static final String QUARANTINE_DIR = "_quarantine";

    /** Where the jobs writing into a store root are recorded ({@link StoreWriters}), below the root. */
    public static final String WRITERS_DIR = "_writers";

    /** Where the model stages record the calls they are making (their call ledger), below a store root. */
    public static final String CALLS_DIR = "_calls";

    /** The file a cache hit rewrites so that gc sees the artifact as used. */
    public static final String LEASE_FILE = "lease";

    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");

    /** The artifact directory, relative to the store root. */
    public String relativePath() {
        return stage + "/" + modelVersion + "/" + digest.substring(0, 2) + "/" + digest.substring(2, 4) + "/" + digest;
    }

    /** The location if the five segments are an artifact directory of the store layout. */
    public static Optional<ArtifactLocation> of(String stage, String modelVersion, String k01, String k23, String digest) {
        boolean valid = ArtifactKey.isValidSegment(stage)
                && ArtifactKey.isValidSegment(modelVersion)
                && DIGEST.matcher(digest).matches()
                && k01.equals(digest.substring(0, 2))
                && k23.equals(digest.substring(2, 4));
        return valid ? Optional.of(new ArtifactLocation(stage, modelVersion, digest)) : Optional.empty();
    }

    /** The location an {@code ArtifactRef} URI points to, if its path ends in the store layout. */
    public static Optional<ArtifactLocation> ofUri(String uri) {
        if (uri == null) {
            return Optional.empty();
        }
        String path;
        try {
            path = URI.create(uri).getPath();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (path == null) {
            return Optional.empty();
        }
        List<String> segments = List.of(path.replaceAll("/+$", "").split("/+"));
        if (segments.size() < DEPTH) {
            return Optional.empty();
        }
        List<String> tail = segments.subList(segments.size() - DEPTH, segments.size());
        return of(tail.get(0), tail.get(1), tail.get(2), tail.get(3), tail.get(4));
    }

    /** Whether a directory directly below a store root is the store's own (quarantine, writers, calls), not a stage. */
    public static boolean isStoreDirectory(String name) {
        return name.startsWith("_");
    }

    /** Where this artifact, found corrupt at {@code epochMillis}, is kept, relative to the store root. */
    public String quarantinePath(long epochMillis) {
        return QUARANTINE_DIR + "/" + relativePath() + "." + epochMillis;
    }

    /** What the artifact is, as far as its path tells: {@code image-generate/onnx-v1}. */
    public String kind() {
        return stage + "/" + modelVersion;
    }
}
