package dev.stageflow.sink;

import dev.stageflow.config.JobOperator;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.StageOutcome;
import java.io.IOException;
import java.util.List;
import java.util.function.Function;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.parquet.ParquetBuilder;
import org.apache.flink.formats.parquet.ParquetWriterFactory;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * The lineage table ({@code sink.lineage.parquet.dir}): one Parquet row per committed {@link
 * GenerationResult}, written by a bulk-format {@link FileSink}. Bulk formats roll on every
 * checkpoint, so a part file becomes visible with the checkpoint that commits the same results to
 * {@code results/}: the table holds exactly the committed results, each once, across restarts.
 *
 * <p>Columns are snake_case, so SQL (DuckDB, Spark) needs no quoting, and flat wherever a row has
 * one value: the request ({@code prompt_id}, {@code text_sha256} (the text itself stays in {@code
 * results/}), {@code seed}, {@code width}, {@code height}, {@code steps}, {@code style}, {@code
 * submitted_at} as a UTC timestamp), each stage's {@code <stage>_model}, {@code _model_version},
 * {@code _cache_hit}, {@code _wall_millis} and {@code _attempts} ({@code <stage>} is the stage id
 * with underscores: {@code text_encode}, {@code image_generate}, {@code image_enhance}), and the
 * final image's {@code image_uri}, {@code image_sha256}, sizes and codec. The usual questions (which
 * model version made this image, the cache hit ratio of a stage) are then plain column filters in
 * DuckDB, Spark and pandas alike; pandas in particular does not flatten structs. Only a stage's
 * artifacts, whose number varies by stage, are a list of structs ({@code <stage>_artifacts}: name,
 * uri, sha256, raw_size, stored_size, codec, chunks, media_type), for {@code UNNEST} in DuckDB or
 * {@code explode} in Spark.
 *
 * <p>Written through Parquet's own {@link WriteSupport} ({@link LineageWriteSupport}), not Avro:
 * the stream stays one of {@link GenerationResult} POJOs (no {@code GenericRecord}, which Flink
 * would hand to Kryo, refused by {@code pipeline.generic-types: false}), and the job jar needs no
 * Avro.
 */
public final class LineageTable {

    /** A model stage of the table: its operator (whose stage id names its columns) and its outcome in a result. */
    record Stage(JobOperator operator, Function<GenerationResult, StageOutcome> outcome) {

        /** The prefix of the stage's columns: its stage id with underscores, {@code image_generate}. */
        String prefix() {
            return operator.uid().replace('-', '_');
        }
    }

    /** The model stages in pipeline order. */
    static final List<Stage> STAGES = List.of(
            new Stage(JobOperator.TEXT_ENCODE, result -> result.encode),
            new Stage(JobOperator.IMAGE_GENERATE, result -> result.generate),
            new Stage(JobOperator.IMAGE_ENHANCE, result -> result.enhance));

    /** The part files' suffix. */
    public static final String SUFFIX = ".parquet";

    static final String PART_PREFIX = "lineage";
    static final String ARTIFACT_NAME = "name";
    static final String FINAL_IMAGE = "image_";

    public static final MessageType SCHEMA = schema();

    private LineageTable() {}

    /** Exactly-once Parquet part files of the lineage table in {@code directory}. */
    public static FileSink<GenerationResult> sink(Path directory) {
        return FileSink.forBulkFormat(directory, writers())
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .withOutputFileConfig(
                        OutputFileConfig.builder().withPartPrefix(PART_PREFIX).withPartSuffix(SUFFIX).build())
                .build();
    }

    /** Writers of part files: one Parquet file each, with {@link #SCHEMA}. */
    static BulkWriter.Factory<GenerationResult> writers() {
        return new ParquetWriterFactory<>(new Builder());
    }

    /**
     * A writer of the table into one part file, without Hadoop (which a Flink image need not have):
     * Parquet's own configuration class, not Hadoop's, and Zstandard pages through {@link ZstdPages}.
     */
    private static final class Builder implements ParquetBuilder<GenerationResult> {

        private static final long serialVersionUID = 1L;

        @Override
        public ParquetWriter<GenerationResult> createWriter(OutputFile out) throws IOException {
            return new WriterBuilder(out)
                    .withConf(new PlainParquetConfiguration())
                    .withCodecFactory(new ZstdPages())
                    .withCompressionCodec(CompressionCodecName.ZSTD)
                    .build();
        }
    }

    private static final class WriterBuilder extends ParquetWriter.Builder<GenerationResult, WriterBuilder> {

        WriterBuilder(OutputFile file) {
            super(file);
        }

        @Override
        protected WriterBuilder self() {
            return this;
        }

        @Override
        protected WriteSupport<GenerationResult> getWriteSupport(ParquetConfiguration conf) {
            return new LineageWriteSupport();
        }

        /** Parquet 1.15 still declares it abstract; {@link #withConf(ParquetConfiguration)} makes it unused. */
        @Override
        @SuppressWarnings("deprecation")
        protected WriteSupport<GenerationResult> getWriteSupport(org.apache.hadoop.conf.Configuration conf) {
            return new LineageWriteSupport();
        }
    }

    private static MessageType schema() {
        Types.MessageTypeBuilder table = Types.buildMessage();
        table.addField(string("prompt_id", Type.Repetition.REQUIRED))
                .addField(string("text_sha256", Type.Repetition.REQUIRED))
                .addField(Types.required(PrimitiveTypeName.INT64).named("seed"))
                .addField(Types.required(PrimitiveTypeName.INT32).named("width"))
                .addField(Types.required(PrimitiveTypeName.INT32).named("height"))
                .addField(Types.required(PrimitiveTypeName.INT32).named("steps"))
                .addField(string("style", Type.Repetition.OPTIONAL))
                .addField(Types.required(PrimitiveTypeName.INT64)
                        .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MILLIS))
                        .named("submitted_at"));
        for (Stage stage : STAGES) {
            String prefix = stage.prefix();
            GroupType artifact = Types.requiredGroup()
                    .addField(string(ARTIFACT_NAME, Type.Repetition.OPTIONAL))
                    .addFields(artifactColumns("").toArray(new Type[0]))
                    .named("element");
            table.addField(string(prefix + "_model", Type.Repetition.OPTIONAL))
                    .addField(string(prefix + "_model_version", Type.Repetition.OPTIONAL))
                    .addField(Types.required(PrimitiveTypeName.BOOLEAN).named(prefix + "_cache_hit"))
                    .addField(Types.required(PrimitiveTypeName.INT64).named(prefix + "_wall_millis"))
                    .addField(Types.required(PrimitiveTypeName.INT32).named(prefix + "_attempts"))
                    .addField(Types.requiredList().element(artifact).named(prefix + "_artifacts"));
        }
        artifactColumns(FINAL_IMAGE).forEach(table::addField);
        return table.named("lineage");
    }

    /** The columns of an artifact reference but its name, each named {@code prefix + column}. */
    private static List<Type> artifactColumns(String prefix) {
        return List.of(
                string(prefix + "uri", Type.Repetition.OPTIONAL),
                string(prefix + "sha256", Type.Repetition.OPTIONAL),
                Types.required(PrimitiveTypeName.INT64).named(prefix + "raw_size"),
                Types.required(PrimitiveTypeName.INT64).named(prefix + "stored_size"),
                string(prefix + "codec", Type.Repetition.OPTIONAL),
                Types.required(PrimitiveTypeName.INT32).named(prefix + "chunks"),
                string(prefix + "media_type", Type.Repetition.OPTIONAL));
    }

    private static Type string(String name, Type.Repetition repetition) {
        return Types.primitive(PrimitiveTypeName.BINARY, repetition)
                .as(LogicalTypeAnnotation.stringType())
                .named(name);
    }
}
