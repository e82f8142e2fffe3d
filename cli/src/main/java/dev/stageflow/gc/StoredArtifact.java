package dev.stageflow.gc;

import dev.stageflow.store.ArtifactLocation;
import java.time.Instant;
import org.apache.flink.core.fs.Path;

/**
 * An artifact directory found in a store root.
 *
 * @param complete whether it holds its manifest; one without (a writer died) is never read, and
 *     is an orphan like any other unreferenced artifact
 * @param bytes the sum of the sizes of its files
 * @param lastModified the newest modification time of its files (of the directory, if empty):
 *     a writer rewriting it makes it young again
 */
public record StoredArtifact(
        Path directory, ArtifactLocation location, boolean complete, long bytes, Instant lastModified) {}
