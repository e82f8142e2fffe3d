package dev.stageflow.sink;

import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.StageOutcome;
import dev.stageflow.store.Hashing;
import java.util.Map;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.GroupType;

/**
 * Writes a {@link GenerationResult} as one row of {@link LineageTable#SCHEMA}. Columns are found by
 * name in the schema, so a name that is not in it fails the first write (and the tests), never
 * writes a wrong column. A null string is a missing value; numbers and flags are never null.
 */
final class LineageWriteSupport extends WriteSupport<GenerationResult> {

    private RecordConsumer out;

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
        return new WriteContext(LineageTable.SCHEMA, Map.of());
    }

    /** Parquet 1.15 still declares it abstract; the writer's Parquet configuration calls the other. */
    @Override
    @SuppressWarnings("deprecation")
    public WriteContext init(org.apache.hadoop.conf.Configuration configuration) {
        return new WriteContext(LineageTable.SCHEMA, Map.of());
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        this.out = recordConsumer;
    }

    @Override
    public void write(GenerationResult result) {
        GroupType row = LineageTable.SCHEMA;
        out.startMessage();
        string(row, "prompt_id", result.promptId);
        string(row, "text_sha256", Hashing.sha256Hex(result.text));
        int64(row, "seed", result.seed);
        int32(row, "width", result.width);
        int32(row, "height", result.height);
        int32(row, "steps", result.steps);
        string(row, "style", result.style);
        int64(row, "submitted_at", result.submittedAt);
        for (LineageTable.Stage stage : LineageTable.STAGES) {
            stage(row, stage.prefix() + "_", stage.outcome().apply(result));
        }
        artifact(row, LineageTable.FINAL_IMAGE, result.image);
        out.endMessage();
    }

    private void stage(GroupType row, String prefix, StageOutcome outcome) {
        string(row, prefix + "model", outcome.model);
        string(row, prefix + "model_version", outcome.modelVersion);
        field(row, prefix + "cache_hit", () -> out.addBoolean(outcome.cacheHit));
        int64(row, prefix + "wall_millis", outcome.wallMillis);
        int32(row, prefix + "attempts", outcome.attempts);
        String artifacts = prefix + "artifacts";
        // A LIST column: a group holding a repeated group "list", each holding one "element".
        GroupType list = row.getType(artifacts).asGroupType();
        GroupType repeated = list.getType(0).asGroupType();
        GroupType element = repeated.getType(0).asGroupType();
        group(row, artifacts, () -> {
            if (outcome.artifacts.length > 0) {
                field(list, repeated.getName(), () -> {
                    for (ArtifactRef ref : outcome.artifacts) {
                        out.startGroup();
                        group(repeated, element.getName(), () -> {
                            string(element, LineageTable.ARTIFACT_NAME, ref.name);
                            artifact(element, "", ref);
                        });
                        out.endGroup();
                    }
                });
            }
        });
    }

    /** {@code ref}'s columns but its name, each named {@code prefix + column}, in {@code group}. */
    private void artifact(GroupType group, String prefix, ArtifactRef ref) {
        string(group, prefix + "uri", ref.uri);
        string(group, prefix + "sha256", ref.sha256);
        int64(group, prefix + "raw_size", ref.rawSize);
        int64(group, prefix + "stored_size", ref.storedSize);
        string(group, prefix + "codec", ref.codec);
        int32(group, prefix + "chunks", ref.chunks);
        string(group, prefix + "media_type", ref.mediaType);
    }

    /** A group value of field {@code name} of {@code parent}, its fields written by {@code fields}. */
    private void group(GroupType parent, String name, Runnable fields) {
        field(parent, name, () -> {
            out.startGroup();
            fields.run();
            out.endGroup();
        });
    }

    private void string(GroupType group, String name, String value) {
        if (value != null) {
            field(group, name, () -> out.addBinary(Binary.fromString(value)));
        }
    }

    private void int64(GroupType group, String name, long value) {
        field(group, name, () -> out.addLong(value));
    }

    private void int32(GroupType group, String name, int value) {
        field(group, name, () -> out.addInteger(value));
    }

    private void field(GroupType group, String name, Runnable values) {
        int index = group.getFieldIndex(name);
        out.startField(name, index);
        values.run();
        out.endField(name, index);
    }
}
