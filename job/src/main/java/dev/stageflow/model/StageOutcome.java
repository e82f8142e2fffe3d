package dev.stageflow.model;

import java.util.Arrays;
import java.util.Objects;

/** What one stage did for one prompt: which model, whether it was a cache hit, what it wrote. */
public class StageOutcome {

    public String stage;
    public String model;
    public String modelVersion;
    public boolean cacheHit;
    /** Wall time this stage spent on the prompt (its share of the batch it ran in). */
    public long wallMillis;
    public ArtifactRef[] artifacts;
    /** Model calls it took: 1, or more when an earlier one failed (a retry, or the batch it was in). */
    public int attempts;

    public StageOutcome() {}

    public StageOutcome(
            String stage,
            String model,
            String modelVersion,
            boolean cacheHit,
            long wallMillis,
            ArtifactRef[] artifacts) {
        this.stage = stage;
        this.model = model;
        this.modelVersion = modelVersion;
        this.cacheHit = cacheHit;
        this.wallMillis = wallMillis;
        this.artifacts = artifacts;
        this.attempts = 1;
    }

    /** The artifact with the given name; fails naming the stage if there is none. */
    public ArtifactRef artifact(String name) {
        ArtifactRef ref = artifactOrNull(name);
        if (ref == null) {
            throw new IllegalStateException("Stage " + stage + " has no artifact named " + name);
        }
        return ref;
    }

    /** The artifact with the given name, or null if the stage wrote none by that name. */
    public ArtifactRef artifactOrNull(String name) {
        if (artifacts != null) {
            for (ArtifactRef ref : artifacts) {
                if (ref.name.equals(name)) {
                    return ref;
                }
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof StageOutcome)) {
            return false;
        }
        StageOutcome that = (StageOutcome) o;
        return cacheHit == that.cacheHit
                && wallMillis == that.wallMillis
                && attempts == that.attempts
                && Objects.equals(stage, that.stage)
                && Objects.equals(model, that.model)
                && Objects.equals(modelVersion, that.modelVersion)
                && Arrays.equals(artifacts, that.artifacts);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stage, model, modelVersion, cacheHit, wallMillis, attempts)
                + 31 * Arrays.hashCode(artifacts);
    }

    @Override
    public String toString() {
        return stage + "[" + modelVersion + (cacheHit ? ", cache hit" : "") + ", " + wallMillis
                + " ms" + (attempts > 1 ? ", " + attempts + " attempts" : "") + ", " + Arrays.toString(artifacts) + "]";
    }
}
