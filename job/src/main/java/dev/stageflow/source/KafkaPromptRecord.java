package dev.stageflow.source;

/**
 * A prompt record as read from Kafka: key and value as bytes, not yet decoded (so invalid UTF-8
 * gets its dead letter downstream instead of being replaced silently), and where it came from
 * (for error messages). A Flink POJO, so it travels without Kryo.
 */
public class KafkaPromptRecord {

    /** The record key, or null when the record has none. */
    public byte[] key;
    public byte[] value;
    public String topic;
    public int partition;
    public long offset;

    public KafkaPromptRecord() {}

    public KafkaPromptRecord(byte[] key, byte[] value, String topic, int partition, long offset) {
        this.key = key;
        this.value = value;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
    }

    /** {@code topic-partition@offset}, as Kafka's tools print a record's position. */
    public String position() {
        return topic + "-" + partition + "@" + offset;
    }
}
