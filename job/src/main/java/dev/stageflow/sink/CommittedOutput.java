package dev.stageflow.sink;

import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.local.LocalFileSystem;

/**
 * Reads what a run has committed under {@code output.dir}: the visible part files only. In-progress
 * and pending files start with a dot and are not (yet) part of the output.
 */
public final class CommittedOutput {

    public static final String RESULTS = "results";
    public static final String DEAD_LETTERS = "dead-letters";

    private CommittedOutput() {}

    public static List<GenerationResult> results(Path outputDir) {
        return read(new Path(outputDir, RESULTS), GenerationResult.class);
    }

    public static List<DeadLetter> deadLetters(Path outputDir) {
        return read(new Path(outputDir, DEAD_LETTERS), DeadLetter.class);
    }

    /** The committed rows, results and dead letters, without parsing them: how far a run got. */
    public static long rows(Path outputDir) {
        return countLines(new Path(outputDir, RESULTS)) + countLines(new Path(outputDir, DEAD_LETTERS));
    }

    /**
     * Whether a file named {@code name} in {@code results/} or {@code dead-letters/} is an
     * uncommitted part file: FileSink's in-progress and pending files start with a dot (or an
     * underscore), and become visible under their final name when their checkpoint completes.
     */
    public static boolean isUncommitted(String name) {
        return name.startsWith(".") || name.startsWith("_");
    }

    private static <T> List<T> read(Path dir, Class<T> type) {
        List<T> rows = new ArrayList<>();
        forEachLine(dir, line -> rows.add(Json.read(line, type)));
        return rows;
    }

    private static long countLines(Path dir) {
        long[] count = {0};
        forEachLine(dir, line -> count[0]++);
        return count[0];
    }

    /**
     * The committed part files in {@code dir}. On the local file system by their names alone:
     * Flink's {@code LocalFileSystem.listStatus} lists the names and then looks each one up, so an
     * in-progress file the sink renames in between (committing it) would fail the listing.
     */
    private static List<Path> committedFiles(FileSystem fs, Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        if (fs instanceof LocalFileSystem local) {
            try (DirectoryStream<java.nio.file.Path> entries = Files.newDirectoryStream(local.pathToFile(dir).toPath())) {
                for (java.nio.file.Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (!isUncommitted(name) && Files.isRegularFile(entry)) {
                        files.add(new Path(dir, name));
                    }
                }
            }
            return files;
        }
        for (FileStatus file : fs.listStatus(dir)) {
            if (!file.isDir() && !isUncommitted(file.getPath().getName())) {
                files.add(file.getPath());
            }
        }
        return files;
    }

    /** Every non-blank line of the committed files in {@code dir}. */
    private static void forEachLine(Path dir, Consumer<String> action) {
        try {
            FileSystem fs = dir.getFileSystem();
            if (!fs.exists(dir)) {
                return;
            }
            for (Path file : committedFiles(fs, dir)) {
                try (BufferedReader reader = new BufferedReader(
                        new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                        if (!line.isBlank()) {
                            action.accept(line);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read committed output in " + dir, e);
        }
    }
}
