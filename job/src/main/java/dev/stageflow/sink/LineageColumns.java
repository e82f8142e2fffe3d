package dev.stageflow.sink;

import dev.stageflow.config.JobOperator;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.StageOutcome;
import dev.stageflow.store.Hashing;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * The lineage table's columns ({@link LineageTable} says why they are what they are), each defined
 * once: its name and Parquet type, and how a result's value is written into it. The schema and
 * the writer ({@link LineageWriteSupport}) both come from here, so they cannot disagree.
 */
final class LineageColumns {

    /** A column of rows of type {@code T}: its Parquet type, whether a row has a value, how the value is written. */
    record Column<T>(Type type, Predicate<T> present, BiConsumer<RecordConsumer, T> write) {}

    /** A model stage: its operator, whose stage id with underscores prefixes its columns, and its outcome in a result. */
    private record Stage(JobOperator operator, Function<GenerationResult, StageOutcome> outcome) {

        String prefix() {
            return operator.uid().replace('-', '_') + "_";
        }
    }

    private static final List<Stage> STAGES = List.of(
            new Stage(JobOperator.TEXT_ENCODE, result -> result.encode),
            new Stage(JobOperator.IMAGE_GENERATE, result -> result.generate),
            new Stage(JobOperator.IMAGE_ENHANCE, result -> result.enhance));

    /** The columns of a row, in order. */
    static final List<Column<GenerationResult>> ROW = row();

    static final MessageType SCHEMA = new MessageType("lineage", ROW.stream().map(Column::type).toList());

    private LineageColumns() {}

    /** Writes {@code row}'s value of each of {@code columns}, the fields of the group being written. */
    static <T> void write(RecordConsumer out, List<Column<T>> columns, T row) {
        for (int index = 0; index < columns.size(); index++) {
            Column<T> column = columns.get(index);
            if (column.present().test(row)) {
                out.startField(column.type().getName(), index);
                column.write().accept(out, row);
                out.endField(column.type().getName(), index);
            }
        }
    }

    private static List<Column<GenerationResult>> row() {
        List<Column<GenerationResult>> columns = new ArrayList<>(List.of(
                string("prompt_id", Type.Repetition.REQUIRED, result -> result.promptId),
                string("text_sha256", Type.Repetition.REQUIRED, result -> Hashing.sha256Hex(result.text)),
                int64("seed", result -> result.seed),
                int32("width", result -> result.width),
                int32("height", result -> result.height),
                int32("steps", result -> result.steps),
                string("style", Type.Repetition.OPTIONAL, result -> result.style),
                timestampMillis("submitted_at", result -> result.submittedAt)));
        for (Stage stage : STAGES) {
            String prefix = stage.prefix();
            Function<GenerationResult, StageOutcome> outcome = stage.outcome();
            columns.add(string(prefix + "model", Type.Repetition.OPTIONAL, result -> outcome.apply(result).model));
            columns.add(string(prefix + "model_version", Type.Repetition.OPTIONAL,
                    result -> outcome.apply(result).modelVersion));
            columns.add(bool(prefix + "cache_hit", result -> outcome.apply(result).cacheHit));
            columns.add(int64(prefix + "wall_millis", result -> outcome.apply(result).wallMillis));
            columns.add(int32(prefix + "attempts", result -> outcome.apply(result).attempts));
            columns.add(list(prefix + "artifacts", artifact(),
                    result -> Arrays.asList(outcome.apply(result).artifacts)));
        }
        columns.addAll(artifactColumns("image_", result -> result.image));
        return columns;
    }

    /** The fields of an element of a stage's artifact list. */
    private static List<Column<ArtifactRef>> artifact() {
        List<Column<ArtifactRef>> fields = new ArrayList<>();
        fields.add(string("name", Type.Repetition.OPTIONAL, ref -> ref.name));
        fields.addAll(artifactColumns("", Function.identity()));
        return fields;
    }

    /** The columns of the artifact {@code ref} of a row but its name, each named {@code prefix + column}. */
    private static <T> List<Column<T>> artifactColumns(String prefix, Function<T, ArtifactRef> ref) {
        return List.of(
                string(prefix + "uri", Type.Repetition.OPTIONAL, row -> ref.apply(row).uri),
                string(prefix + "sha256", Type.Repetition.OPTIONAL, row -> ref.apply(row).sha256),
                int64(prefix + "raw_size", row -> ref.apply(row).rawSize),
                int64(prefix + "stored_size", row -> ref.apply(row).storedSize),
                string(prefix + "codec", Type.Repetition.OPTIONAL, row -> ref.apply(row).codec),
                int32(prefix + "chunks", row -> ref.apply(row).chunks),
                string(prefix + "media_type", Type.Repetition.OPTIONAL, row -> ref.apply(row).mediaType));
    }

    /** A string; a null is a missing value, which only an optional column may have. */
    private static <T> Column<T> string(String name, Type.Repetition repetition, Function<T, String> value) {
        Type type = Types.primitive(PrimitiveTypeName.BINARY, repetition)
                .as(LogicalTypeAnnotation.stringType())
                .named(name);
        return new Column<>(type, row -> value.apply(row) != null,
                (out, row) -> out.addBinary(Binary.fromString(value.apply(row))));
    }

    private static <T> Column<T> int64(String name, ToLongFunction<T> value) {
        return new Column<>(Types.required(PrimitiveTypeName.INT64).named(name), row -> true,
                (out, row) -> out.addLong(value.applyAsLong(row)));
    }

    /** Epoch milliseconds, read as a UTC timestamp. */
    private static <T> Column<T> timestampMillis(String name, ToLongFunction<T> value) {
        Type type = Types.required(PrimitiveTypeName.INT64)
                .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MILLIS))
                .named(name);
        return new Column<>(type, row -> true, (out, row) -> out.addLong(value.applyAsLong(row)));
    }

    private static <T> Column<T> int32(String name, ToIntFunction<T> value) {
        return new Column<>(Types.required(PrimitiveTypeName.INT32).named(name), row -> true,
                (out, row) -> out.addInteger(value.applyAsInt(row)));
    }

    private static <T> Column<T> bool(String name, Predicate<T> value) {
        return new Column<>(Types.required(PrimitiveTypeName.BOOLEAN).named(name), row -> true,
                (out, row) -> out.addBoolean(value.test(row)));
    }

    /**
     * A list of groups with the fields {@code element}, in Parquet's standard three levels: the
     * column's group holds a repeated group {@code list}, each holding one group {@code element}.
     */
    private static <T, E> Column<T> list(String name, List<Column<E>> element, Function<T, List<E>> values) {
        Type elementType = Types.requiredGroup()
                .addFields(element.stream().map(Column::type).toArray(Type[]::new))
                .named("element");
        Type type = Types.requiredList().element(elementType).named(name);
        return new Column<>(type, row -> true, (out, row) -> {
            List<E> elements = values.apply(row);
            out.startGroup();
            if (!elements.isEmpty()) {
                out.startField("list", 0);
                for (E value : elements) {
                    out.startGroup();
                    out.startField("element", 0);
                    out.startGroup();
                    write(out, element, value);
                    out.endGroup();
                    out.endField("element", 0);
                    out.endGroup();
                }
                out.endField("list", 0);
            }
            out.endGroup();
        });
    }
}
