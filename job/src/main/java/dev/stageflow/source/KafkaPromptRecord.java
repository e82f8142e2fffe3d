package dev.stageflow.source;

/**
 * A prompt record as read from Kafka: key and value as text, and where it came from (for error
 * messages). A Flink POJO, so it travels without Kryo.
 */
public class KafkaPromptRecord {

    /** The record key, or null when the record has none. */
    public String key;
    public String value;
    public String topic;
    public int partition;
    public long offset;

    public KafkaPromptRecord() {}

    public KafkaPromptRecord(String key, String value, String topic, int partition, long offset) {
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
