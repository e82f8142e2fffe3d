package dev.stageflow.gc;

import dev.stageflow.store.ArtifactLocation;
import dev.stageflow.store.Manifest;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Lists the artifact directories below a store root (the layout of {@link ArtifactLocation}),
 * with one listing per directory, which every Flink file system supports. Entries that do not fit
 * the layout are counted as foreign and never become candidates for deletion.
 */
final class StoreScanner {

    private final List<StoredArtifact> artifacts = new ArrayList<>();
    private long foreignEntries;

    /** Scans {@code root}; a root that does not exist holds no artifacts. */
    static StoreScanner scan(Path root) {
        StoreScanner scanner = new StoreScanner();
        try {
            FileSystem fs = root.getFileSystem();
            if (!fs.exists(root)) {
                return scanner;
            }
            if (!fs.getFileStatus(root).isDir()) {
                throw new GcRefusedException("Store root " + root + " is not a directory");
            }
            scanner.walk(fs, root, new ArrayList<>());
        } catch (IOException e) {
            throw new GcRefusedException("Cannot list store root " + root, e);
        }
        return scanner;
    }

    List<StoredArtifact> artifacts() {
        return artifacts;
    }

    long foreignEntries() {
        return foreignEntries;
    }

    private void walk(FileSystem fs, Path dir, List<String> segments) throws IOException {
        FileStatus[] entries;
        try {
            entries = list(fs, dir);
        } catch (FileNotFoundException gone) {
            // Emptied while scanning (a quarantine or a deletion moved its last artifact away): on an
            // object store a prefix exists only while something is below it, or a listing lags.
            return;
        }
        for (FileStatus entry : entries) {
            if (segments.isEmpty() && entry.isDir() && ArtifactLocation.isStoreDirectory(entry.getPath().getName())) {
                continue;
            }
            if (!entry.isDir()) {
                foreignEntries++;
                continue;
            }
            segments.add(entry.getPath().getName());
            if (segments.size() < ArtifactLocation.DEPTH) {
                walk(fs, entry.getPath(), segments);
            } else {
                ArtifactLocation.of(segments.get(0), segments.get(1), segments.get(2), segments.get(3), segments.get(4))
                        .ifPresentOrElse(
                                location -> artifacts.add(artifact(fs, entry, location)),
                                () -> foreignEntries++);
            }
            segments.remove(segments.size() - 1);
        }
    }

    /** When any file of the artifact in {@code directory} was last written; refuses if it cannot be listed. */
    static Instant lastModified(Path directory) {
        try {
            FileSystem fs = directory.getFileSystem();
            long newest = Long.MIN_VALUE;
            for (FileStatus file : list(fs, directory)) {
                newest = Math.max(newest, file.getModificationTime());
            }
            return Instant.ofEpochMilli(newest == Long.MIN_VALUE ? fs.getFileStatus(directory).getModificationTime() : newest);
        } catch (IOException e) {
            throw new GcRefusedException("Cannot list artifact directory " + directory, e);
        }
    }

    private static StoredArtifact artifact(FileSystem fs, FileStatus dir, ArtifactLocation location) {
        boolean complete = false;
        long bytes = 0;
        long lastModified = dir.getModificationTime();
        FileStatus[] files;
        try {
            files = list(fs, dir.getPath());
        } catch (IOException e) {
            throw new GcRefusedException("Cannot list artifact directory " + dir.getPath(), e);
        }
        if (files.length > 0) {
            lastModified = Long.MIN_VALUE;
        }
        for (FileStatus file : files) {
            complete |= file.getPath().getName().equals(Manifest.FILE_NAME);
            bytes += file.isDir() ? 0 : file.getLen();
            lastModified = Math.max(lastModified, file.getModificationTime());
        }
        return new StoredArtifact(dir.getPath(), location, complete, bytes, Instant.ofEpochMilli(lastModified));
    }

    private static FileStatus[] list(FileSystem fs, Path dir) throws IOException {
        FileStatus[] entries = fs.listStatus(dir);
        if (entries == null) {
            throw new IOException("listing " + dir + " returned nothing (not a directory, or gone)");
        }
        return entries;
    }
}
