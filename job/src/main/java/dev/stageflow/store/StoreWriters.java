package dev.stageflow.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.stageflow.model.Json;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The jobs that write into a store root, recorded in the root itself: {@code
 * _writers/<sha256 of the output directory>.json} holding the job's {@code output.dir}. A stage
 * records its job when it opens, before it writes an artifact, so gc learns every output directory
 * whose committed results may reference the root's artifacts instead of trusting a person to list
 * them all; a forgotten one would make every artifact of that job an orphan. {@link
 * ArtifactStore#registerWriter} writes a record, as the store writes its files.
 */
public final class StoreWriters {

    private StoreWriters() {}

    /** One recorded writer: the job's output directory. */
    public static class Writer {
        public String outputDir;

        public Writer() {}

        Writer(String outputDir) {
            this.outputDir = outputDir;
        }
    }

    /** Where the record of the job with output directory {@code outputDir} is, below {@code root}. */
    static Path recordPath(Path root, String outputDir) {
        return new Path(new Path(root, ArtifactLocation.WRITERS_DIR), Hashing.sha256Hex(outputDir) + ".json");
    }

    /** The record of the job with output directory {@code outputDir}. */
    static byte[] record(String outputDir) {
        return Json.write(new Writer(outputDir)).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The output directories recorded in {@code root}; none when it has no records. A record that
     * cannot be read fails the call: a missing writer would hide references.
     */
    public static List<String> outputDirs(Path root) throws IOException {
        Path dir = new Path(root, ArtifactLocation.WRITERS_DIR);
        FileSystem fs = dir.getFileSystem();
        FileStatus[] records;
        try {
            records = fs.exists(dir) ? fs.listStatus(dir) : new FileStatus[0];
        } catch (FileNotFoundException gone) {
            return List.of();
        }
        List<String> outputDirs = new ArrayList<>();
        for (FileStatus record : records == null ? new FileStatus[0] : records) {
            if (record.isDir() || record.getPath().getName().startsWith(".")) {
                continue;
            }
            try (InputStream in = fs.open(record.getPath())) {
                Writer writer = Json.MAPPER.readValue(in, Writer.class);
                if (writer.outputDir == null) {
                    throw new IOException("no outputDir in " + record.getPath());
                }
                outputDirs.add(writer.outputDir);
            } catch (JsonProcessingException e) {
                throw new IOException("Cannot read writer record " + record.getPath() + ": " + e.getOriginalMessage(), e);
            }
        }
        return outputDirs;
    }
}
