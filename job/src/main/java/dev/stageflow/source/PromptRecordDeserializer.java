package dev.stageflow.source;

import dev.stageflow.config.StageflowMetric;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Kafka records as {@link KafkaPromptRecord}s, key and value as bytes (decoded, strictly, by
 * {@link ApplyRecordKey} and parse-validate, as for files). A record
 * with a null value (a tombstone, which deletes a key in a compacted topic) is no prompt: it is
 * skipped and counted in the {@code tombstones} metric. Nothing a record holds fails the job.
 */
public final class PromptRecordDeserializer implements KafkaRecordDeserializationSchema<KafkaPromptRecord> {

    private static final long serialVersionUID = 1L;

    private transient Counter tombstones;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        tombstones = StageflowMetric.TOMBSTONES.counter(context.getMetricGroup());
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<KafkaPromptRecord> out) {
        if (record.value() == null) {
            tombstones.inc();
            return;
        }
        out.collect(new KafkaPromptRecord(
                record.key(), record.value(), record.topic(), record.partition(), record.offset()));
    }

    @Override
    public TypeInformation<KafkaPromptRecord> getProducedType() {
        return TypeInformation.of(KafkaPromptRecord.class);
    }
}
