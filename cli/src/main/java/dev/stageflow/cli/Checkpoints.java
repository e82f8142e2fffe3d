package dev.stageflow.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Retained checkpoints as Flink writes them, {@code <checkpoint dir>/<job id>/chk-<n>/_metadata},
 * on any Flink file system: what a resume restores from when the cluster no longer knows the job.
 */
final class Checkpoints {

    private static final String PREFIX = "chk-";
    private static final String METADATA = "_metadata";

    private Checkpoints() {}

    /** The newest completed checkpoint ({@code chk-N} holding {@code _metadata}) of job {@code jobId}. */
    static Optional<String> latest(String checkpointDir, String jobId) {
        Path jobDir = new Path(new Path(checkpointDir), jobId);
        try {
            FileSystem fs = jobDir.getFileSystem();
            if (!fs.exists(jobDir)) {
                return Optional.empty();
            }
            FileStatus[] entries = fs.listStatus(jobDir);
            return Stream.of(entries == null ? new FileStatus[0] : entries)
                    .map(FileStatus::getPath)
                    .filter(path -> path.getName().startsWith(PREFIX) && completed(fs, path))
                    .max(Comparator.comparingLong(Checkpoints::number))
                    .map(Path::toString);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the checkpoints in " + jobDir, e);
        }
    }

    private static boolean completed(FileSystem fs, Path checkpoint) {
        try {
            return fs.exists(new Path(checkpoint, METADATA));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + checkpoint, e);
        }
    }

    private static long number(Path checkpoint) {
        return Long.parseLong(checkpoint.getName().substring(PREFIX.length()));
    }
}
