package dev.stageflow.store;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The content address of an artifact: derived only from what determines its bytes (stage, model
 * version, artifact name and the stage's inputs), never from wall time, random ids or prompt text.
 * Equal inputs give equal keys in every run and every JVM, which is what makes replays idempotent
 * and the store a cross-run cache.
 */
public final class ArtifactKey {

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}");

    private final String stage;
    private final String modelVersion;
    private final String name;
    private final String digest;

    private ArtifactKey(String stage, String modelVersion, String name, String digest) {
        this.stage = checkSegment("stage", stage);
        this.modelVersion = checkSegment("model version", modelVersion);
        this.name = checkSegment("artifact name", name);
        this.digest = digest;
    }

    /**
     * The key of artifact {@code name} of {@code stage} run by {@code modelVersion} on {@code
     * inputs}. Input values should themselves be hashes or parameters, not user text.
     */
    public static ArtifactKey of(
            String stage, String modelVersion, String name, Map<String, String> inputs) {
        StringBuilder canonical = new StringBuilder();
        canonical.append("stage=").append(stage).append('\n');
        canonical.append("model=").append(modelVersion).append('\n');
        canonical.append("artifact=").append(name).append('\n');
        new TreeMap<>(inputs).forEach((k, v) -> canonical.append(k).append('=').append(v).append('\n'));
        return new ArtifactKey(stage, modelVersion, name, Hashing.sha256Hex(canonical.toString()));
    }

    public String stage() {
        return stage;
    }

    public String modelVersion() {
        return modelVersion;
    }

    public String name() {
        return name;
    }

    public String digest() {
        return digest;
    }

    /** Where the artifact sits below a store root. */
    public ArtifactLocation location() {
        return new ArtifactLocation(stage, modelVersion, digest);
    }

    /** Path of the artifact directory relative to the store root. */
    public String relativePath() {
        return location().relativePath();
    }

    /** Whether {@code value} can be the stage or model version segment of a key's path. */
    public static boolean isValidSegment(String value) {
        return value != null && SEGMENT.matcher(value).matches();
    }

    private static String checkSegment(String what, String value) {
        if (!isValidSegment(value)) {
            throw new IllegalArgumentException(
                    "Invalid " + what + " '" + value + "' for an artifact key: use 1-100 of"
                            + " [A-Za-z0-9._-], not starting with a dot");
        }
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArtifactKey && ((ArtifactKey) o).relativePath().equals(relativePath());
    }

    @Override
    public int hashCode() {
        return Objects.hash(stage, modelVersion, digest);
    }

    @Override
    public String toString() {
        return relativePath();
    }
}
