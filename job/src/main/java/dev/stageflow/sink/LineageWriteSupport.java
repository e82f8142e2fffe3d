package dev.stageflow.sink;

import dev.stageflow.model.GenerationResult;
import java.util.Map;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.RecordConsumer;

/** Writes a {@link GenerationResult} as one row of the lineage table, column by column ({@link LineageColumns}). */
final class LineageWriteSupport extends WriteSupport<GenerationResult> {

    private RecordConsumer out;

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
        return new WriteContext(LineageColumns.SCHEMA, Map.of());
    }

    /** Parquet 1.15 still declares it abstract; the writer's Parquet configuration calls the other. */
    @Override
    @SuppressWarnings("deprecation")
    public WriteContext init(org.apache.hadoop.conf.Configuration configuration) {
        return new WriteContext(LineageColumns.SCHEMA, Map.of());
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        this.out = recordConsumer;
    }

    @Override
    public void write(GenerationResult result) {
        out.startMessage();
        LineageColumns.write(out, LineageColumns.ROW, result);
        out.endMessage();
    }
}
