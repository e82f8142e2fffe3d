package dev.stageflow.sink;

import dev.stageflow.model.GenerationResult;
import java.io.IOException;
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
import org.apache.parquet.schema.MessageType;

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

    /** The part files' suffix. */
    public static final String SUFFIX = ".parquet";

    static final String PART_PREFIX = "lineage";

    /** The table's schema ({@link LineageColumns}). */
    public static final MessageType SCHEMA = LineageColumns.SCHEMA;

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
}
