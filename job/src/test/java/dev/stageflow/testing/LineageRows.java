package dev.stageflow.testing;

import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.StageOutcome;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.sink.LineageTable;
import dev.stageflow.store.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.parquet.ParquetInputFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.Type;

/**
 * The lineage table read back with Parquet's own reader (parquet-hadoop's example {@link Group}s,
 * schema-driven: every column of a file, whatever the writer meant), and the row a committed result
 * should be, spelled out column by column from the result's JSON, so a test compares what was
 * written with what should have been, not the writer with itself.
 */
public final class LineageRows {

    private LineageRows() {}

    /** The rows of the committed part files under the local directory {@code dir}. */
    public static List<Map<String, Object>> read(java.nio.file.Path dir) {
        return read(TestJobs.flinkPath(dir));
    }

    /** The rows of the committed part files under {@code dir}, on any Flink file system, one map of column to value each. */
    public static List<Map<String, Object>> read(Path dir) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (FileStatus file : committedFiles(dir)) {
            try (ParquetReader<Group> reader = new GroupReader(file).withConf(new Configuration()).build()) {
                for (Group row = reader.read(); row != null; row = reader.read()) {
                    rows.add(values(row));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read lineage file " + file.getPath(), e);
            }
        }
        return rows;
    }

    /** Parquet's reader of example {@link Group}s, reading through Flink's file system (s3:// and hdfs:// too). */
    private static final class GroupReader extends ParquetReader.Builder<Group> {

        GroupReader(FileStatus file) throws IOException {
            super(new ParquetInputFile(file.getPath().getFileSystem().open(file.getPath()), file.getLen()));
        }

        @Override
        protected ReadSupport<Group> getReadSupport() {
            return new GroupReadSupport();
        }
    }

    /** The committed part files under {@code dir}: visible, ending in {@code .parquet}. */
    public static List<FileStatus> committedFiles(Path dir) {
        try {
            FileSystem fs = dir.getFileSystem();
            if (!fs.exists(dir)) {
                return List.of();
            }
            return Stream.of(fs.listStatus(dir))
                    .filter(file -> !CommittedOutput.isUncommitted(file.getPath().getName())
                            && file.getPath().getName().endsWith(LineageTable.SUFFIX))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list lineage files in " + dir, e);
        }
    }

    /** The row {@code result} should have in the table. */
    public static Map<String, Object> expected(GenerationResult result) {
        Map<String, Object> row = new TreeMap<>();
        row.put("prompt_id", result.promptId);
        row.put("text_sha256", Hashing.sha256Hex(result.text));
        row.put("seed", result.seed);
        row.put("width", result.width);
        row.put("height", result.height);
        row.put("steps", result.steps);
        row.put("style", result.style);
        row.put("submitted_at", result.submittedAt);
        stage(row, "text_encode_", result.encode);
        stage(row, "image_generate_", result.generate);
        stage(row, "image_enhance_", result.enhance);
        row.putAll(artifact("image_", result.image));
        return row;
    }

    private static void stage(Map<String, Object> row, String prefix, StageOutcome outcome) {
        row.put(prefix + "model", outcome.model);
        row.put(prefix + "model_version", outcome.modelVersion);
        row.put(prefix + "cache_hit", outcome.cacheHit);
        row.put(prefix + "wall_millis", outcome.wallMillis);
        row.put(prefix + "attempts", outcome.attempts);
        List<Map<String, Object>> artifacts = new ArrayList<>();
        for (ArtifactRef ref : outcome.artifacts) {
            Map<String, Object> element = new TreeMap<>();
            element.put("name", ref.name);
            element.putAll(artifact("", ref));
            artifacts.add(element);
        }
        row.put(prefix + "artifacts", artifacts);
    }

    private static Map<String, Object> artifact(String prefix, ArtifactRef ref) {
        Map<String, Object> columns = new LinkedHashMap<>();
        columns.put(prefix + "uri", ref.uri);
        columns.put(prefix + "sha256", ref.sha256);
        columns.put(prefix + "raw_size", ref.rawSize);
        columns.put(prefix + "stored_size", ref.storedSize);
        columns.put(prefix + "codec", ref.codec);
        columns.put(prefix + "chunks", ref.chunks);
        columns.put(prefix + "media_type", ref.mediaType);
        return columns;
    }

    /** A group's columns by name: strings, longs, ints, booleans, a LIST as a list of maps, null when missing. */
    private static Map<String, Object> values(Group group) {
        Map<String, Object> values = new TreeMap<>();
        GroupType type = group.getType();
        for (int i = 0; i < type.getFieldCount(); i++) {
            Type field = type.getType(i);
            values.put(field.getName(), group.getFieldRepetitionCount(i) == 0 ? null : value(group, i, field));
        }
        return values;
    }

    private static Object value(Group group, int index, Type field) {
        if (field.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
            Group list = group.getGroup(index, 0);
            List<Map<String, Object>> elements = new ArrayList<>();
            for (int i = 0; i < list.getFieldRepetitionCount(0); i++) {
                elements.add(values(list.getGroup(0, i).getGroup(0, 0)));
            }
            return elements;
        }
        return switch (field.asPrimitiveType().getPrimitiveTypeName()) {
            case BINARY -> group.getString(index, 0);
            case INT64 -> group.getLong(index, 0);
            case INT32 -> group.getInteger(index, 0);
            case BOOLEAN -> group.getBoolean(index, 0);
            default -> throw new IllegalStateException("Unexpected column type of " + field);
        };
    }
}
