package dev.stageflow.gc;

import dev.stageflow.store.StoreWriters;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Finds and removes orphans: artifact directories in the store roots that no committed result row
 * references and that nobody has written for longer than the grace period. Artifacts become orphans
 * when their prompt never commits (a cancelled run that is never resumed, work done for a model
 * version that was replaced, abandoned inputs).
 *
 * <p>Safety rules, each guarding against deleting live data:
 *
 * <ol>
 *   <li><b>Complete references or nothing.</b> The references are the committed results of every
 *       given output directory. If any results directory is missing, any file cannot be listed or
 *       read, any line is not a complete result row, or any store root cannot be listed, collection
 *       refuses ({@link GcRefusedException}) and deletes nothing. A partial view of the references
 *       makes live artifacts look like orphans, and deleting them breaks committed results for good:
 *       the job does not recompute what a committed row points to. For the same reason the output
 *       directories are not only those given: every job records itself in the roots it writes
 *       into ({@link StoreWriters}) before it writes, and a record that cannot be read refuses too.
 *   <li><b>Grace period.</b> An artifact any of whose files was modified within the grace period is
 *       never touched, referenced or not. This protects the work of a running job, whose results
 *       commit only with its next checkpoint, and of a job stopped with a retained checkpoint, whose
 *       pending results are committed on resume without recomputing their artifacts (FileSink's
 *       pending files are invisible on object stores, so they cannot be read as references). The
 *       grace period must exceed the longest time such a job stays stopped.
 *   <li><b>Identity by content key.</b> A reference protects the artifact at the same
 *       {@code <stage>/<model-version>/../<k>} in every root, whatever the spelling of its URI: an
 *       unrecognised spelling must never turn a referenced artifact into an orphan.
 *   <li><b>Scan first, read references second, read them again before deleting.</b> A result
 *       committed while gc runs is seen, and an orphan that a result started to reference after the
 *       scan is skipped.
 *   <li><b>A cache hit is a use.</b> A job reusing an artifact rewrites its lease file when the
 *       artifact was not written or used within {@code store.lease-refresh}, so an artifact in use
 *       is young. Right before deleting, each orphan's files are listed again, and one used since
 *       the scan is kept. This needs the grace period to exceed {@code store.lease-refresh} (1 h
 *       by default).
 *   <li><b>Only the layout.</b> Only directories of the store layout are candidates; anything else
 *       below a root is counted and left alone, and so are the emptied prefix directories, which a
 *       concurrent writer may be creating a new artifact in. The store's own directories ({@code
 *       _quarantine}, {@code _writers}) are skipped: quarantined artifacts are for a person to
 *       look at and delete.
 * </ol>
 */
public final class OrphanCollector {

    private final List<Path> storeRoots;
    private final List<Path> outputDirs;
    private final Duration grace;
    private final Clock clock;

    /** {@code outputDirs}: the output directories to read besides those the roots record as writers. */
    public OrphanCollector(List<Path> storeRoots, List<Path> outputDirs, Duration grace, Clock clock) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("The grace period must not be negative, got " + grace);
        }
        this.storeRoots = List.copyOf(new LinkedHashSet<>(storeRoots));
        this.outputDirs = List.copyOf(new LinkedHashSet<>(outputDirs));
        this.grace = grace;
        this.clock = clock;
    }

    /** Scans the store roots and the committed results; deletes nothing. */
    public Plan plan() {
        List<StoredArtifact> stored = new ArrayList<>();
        long foreign = 0;
        for (Path root : storeRoots) {
            StoreScanner scan = StoreScanner.scan(root);
            stored.addAll(scan.artifacts());
            foreign += scan.foreignEntries();
        }
        List<Path> writers = writers();
        CommittedReferences references = CommittedReferences.read(writers);
        Instant cutoff = clock.instant().minus(grace);
        List<StoredArtifact> orphans = new ArrayList<>();
        long referenced = 0;
        long young = 0;
        for (StoredArtifact artifact : stored) {
            if (references.locations.contains(artifact.location())) {
                referenced++;
            } else if (artifact.lastModified().isAfter(cutoff)) {
                young++;
            } else {
                orphans.add(artifact);
            }
        }
        return new Plan(writers, orphans, referenced, young, foreign, references.rows, references.uncommittedFiles);
    }

    /** The output directories given, and those the store roots record as their writers ({@link StoreWriters}). */
    private List<Path> writers() {
        Set<Path> writers = new LinkedHashSet<>(outputDirs);
        for (Path root : storeRoots) {
            try {
                StoreWriters.outputDirs(root).forEach(dir -> writers.add(new Path(dir)));
            } catch (IOException e) {
                throw new GcRefusedException("Cannot read the writers recorded in store root " + root + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(writers);
    }

    /**
     * Deletes the orphans of {@code plan} that are still unreferenced when the committed results
     * are read again (refusing like {@link #plan()} if they cannot be), and returns what happened
     * to each.
     */
    public List<Deletion> delete(Plan plan) {
        CommittedReferences references = CommittedReferences.read(writers());
        Instant cutoff = clock.instant().minus(grace);
        List<Deletion> deletions = new ArrayList<>();
        for (StoredArtifact orphan : plan.orphans()) {
            if (references.locations.contains(orphan.location())) {
                deletions.add(new Deletion(orphan, Optional.of("now referenced by a committed result; kept")));
            } else if (StoreScanner.lastModified(orphan.directory()).isAfter(cutoff)) {
                deletions.add(new Deletion(orphan, Optional.of("used since the scan (a cache hit renewed its lease); kept")));
            } else {
                deletions.add(new Deletion(orphan, deleteDirectory(orphan.directory())));
            }
        }
        return deletions;
    }

    /** Empty if deleted, else why not. */
    private static Optional<String> deleteDirectory(Path directory) {
        try {
            FileSystem fs = directory.getFileSystem();
            return fs.delete(directory, true) || !fs.exists(directory)
                    ? Optional.empty()
                    : Optional.of("the file system did not delete it");
        } catch (IOException e) {
            return Optional.of(e.toString());
        }
    }

    /** What a scan found; {@code writers} are the output directories whose committed results were read. */
    public record Plan(
            List<Path> writers,
            List<StoredArtifact> orphans,
            long referenced,
            long young,
            long foreignEntries,
            long resultRows,
            List<Path> uncommittedResultFiles) {}

    /** One orphan and the reason it was not deleted; an empty reason: it was. */
    public record Deletion(StoredArtifact orphan, Optional<String> failure) {

        public boolean deleted() {
            return failure.isEmpty();
        }
    }
}
