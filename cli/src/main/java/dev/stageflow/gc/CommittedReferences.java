package dev.stageflow.gc;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.Json;
import dev.stageflow.model.StageOutcome;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.store.ArtifactLocation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Every artifact that a committed result row references, read from the {@code results/}
 * directories of the given output directories. Reading is all or nothing: a missing results
 * directory, a file that cannot be listed or read, a line that is not a complete result row, or an
 * artifact URI outside the store layout ends the read with a {@link GcRefusedException}, because
 * an incomplete set of references would make live artifacts look like orphans.
 *
 * <p>Files whose names start with {@code .} or {@code _} are FileSink's in-progress and pending
 * part files: not committed, so they protect nothing, but they are counted, since they mean that a
 * job is running or was stopped before committing them.
 */
final class CommittedReferences {

    final Set<ArtifactLocation> locations;
    final long rows;
    /** Uncommitted (in-progress or pending) part files, e.g. {@code .results-...inprogress...}. */
    final List<Path> uncommittedFiles;

    private CommittedReferences(Set<ArtifactLocation> locations, long rows, List<Path> uncommittedFiles) {
        this.locations = locations;
        this.rows = rows;
        this.uncommittedFiles = uncommittedFiles;
    }

    static CommittedReferences read(List<Path> outputDirs) {
        if (outputDirs.isEmpty()) {
            throw new GcRefusedException("No output directory given or recorded in the store roots: without committed results every artifact"
                    + " would look like an orphan");
        }
        Set<ArtifactLocation> locations = new HashSet<>();
        List<Path> uncommitted = new ArrayList<>();
        long rows = 0;
        for (Path outputDir : outputDirs) {
            Path resultsDir = new Path(outputDir, CommittedOutput.RESULTS);
            for (FileStatus file : listResults(resultsDir)) {
                if (CommittedOutput.isUncommitted(file.getPath().getName())) {
                    uncommitted.add(file.getPath());
                } else if (file.isDir()) {
                    throw new GcRefusedException("Unexpected directory " + file.getPath() + " among the committed"
                            + " results: gc reads results files only and cannot vouch for what it holds");
                } else {
                    rows += readFile(file.getPath(), locations);
                }
            }
        }
        return new CommittedReferences(locations, rows, uncommitted);
    }

    private static FileStatus[] listResults(Path resultsDir) {
        try {
            FileSystem fs = resultsDir.getFileSystem();
            if (!fs.exists(resultsDir)) {
                throw new GcRefusedException("No committed results at " + resultsDir + ": the output.dir is wrong,"
                        + " or its job has not committed anything yet. (A job recorded as a writer whose output is gone"
                        + " for good: remove its record from the store root's " + ArtifactLocation.WRITERS_DIR + "/.)");
            }
            FileStatus[] files = fs.listStatus(resultsDir);
            if (files == null) {
                throw new GcRefusedException("Cannot list the committed results in " + resultsDir);
            }
            return files;
        } catch (IOException e) {
            throw new GcRefusedException("Cannot list the committed results in " + resultsDir, e);
        }
    }

    /** Adds the locations the rows of {@code file} reference; returns the number of rows. */
    private static long readFile(Path file, Set<ArtifactLocation> locations) {
        long rows = 0;
        long lineNumber = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                file.getFileSystem().open(file), StandardCharsets.UTF_8.newDecoder()))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lineNumber++;
                if (!line.isBlank()) {
                    references(parse(line), file, lineNumber).forEach(locations::add);
                    rows++;
                }
            }
        } catch (IOException e) {
            throw new GcRefusedException("Cannot read committed results file " + file
                    + (lineNumber > 0 ? " after line " + lineNumber : ""), e);
        } catch (GcRefusedException e) {
            throw e;
        } catch (RuntimeException e) {
            String why = e.getCause() instanceof JsonProcessingException json ? json.getOriginalMessage() : e.toString();
            throw new GcRefusedException("Committed results file " + file + " line " + lineNumber
                    + " is not a result row: " + why);
        }
        return rows;
    }

    private static GenerationResult parse(String line) {
        return Json.read(line, GenerationResult.class);
    }

    private static Stream<ArtifactLocation> references(GenerationResult row, Path file, long lineNumber) {
        if (row.promptId == null || row.generate == null || row.enhance == null || row.image == null) {
            throw new GcRefusedException("Committed results file " + file + " line " + lineNumber
                    + " lacks its promptId, generate or enhance outcome or final image: not a complete result row");
        }
        return Stream.concat(Stream.of(row.encode, row.generate, row.enhance).flatMap(CommittedReferences::refs),
                        Stream.of(row.image))
                .map(ref -> locate(ref, file, lineNumber, row.promptId));
    }

    private static Stream<ArtifactRef> refs(StageOutcome outcome) {
        return outcome == null || outcome.artifacts == null ? Stream.empty() : Stream.of(outcome.artifacts);
    }

    private static ArtifactLocation locate(ArtifactRef ref, Path file, long lineNumber, String promptId) {
        return ArtifactLocation.ofUri(ref == null ? null : ref.uri).orElseThrow(() -> new GcRefusedException(
                "Committed results file " + file + " line " + lineNumber + " (prompt " + promptId
                        + ") references " + (ref == null ? "a null artifact" : "'" + ref.uri + "'")
                        + ", which is not an artifact directory of the store layout"));
    }
}
