package dev.stageflow.config;

import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Every operator of the job, in one place. The uid names the operator's state in checkpoints and
 * savepoints: it must never change for an existing operator (auto-generated uids are refused in
 * the tests). The display name is what the web UI shows and may change: nothing may match on it.
 * A model stage's uid is also its stage id: its metric group ({@code stage.<id>}), its directory in
 * the store layout and the {@code stage} of its outcome in a result row.
 */
public enum JobOperator {
    SOURCE_FILES("source-files", "Prompt files"),
    SOURCE_KAFKA("source-kafka", "Kafka prompts"),
    KAFKA_RECORD_KEY("kafka-record-key", "Apply record key"),
    PARSE_VALIDATE("parse-validate", "Parse and validate"),
    DEDUPE("dedupe", "Dedupe by promptId"),
    TEXT_ENCODE("text-encode", "Text encode"),
    IMAGE_GENERATE("image-generate", "Image generate"),
    IMAGE_ENHANCE("image-enhance", "Image enhance"),
    RESULT_ROWS("result-rows", "Result rows"),
    RESULTS_JSON("results-json", "Results as JSON"),
    COMMIT_RESULTS("commit-results", "Commit results"),
    DEAD_LETTERS_JSON("dead-letters-json", "Dead letters as JSON"),
    COMMIT_DEAD_LETTERS("commit-dead-letters", "Commit dead letters"),
    PUBLISH_RESULTS_KAFKA("publish-results-kafka", "Publish results to Kafka"),
    PUBLISH_DEAD_LETTERS_KAFKA("publish-dead-letters-kafka", "Publish dead letters to Kafka"),
    COMMIT_METADATA("commit-metadata", "Commit metadata"),
    COMMIT_LINEAGE("commit-lineage", "Commit lineage table");

    private final String uid;
    private final String displayName;

    JobOperator(String uid, String displayName) {
        this.uid = uid;
        this.displayName = displayName;
    }

    public String uid() {
        return uid;
    }

    public String displayName() {
        return displayName;
    }

    /** {@code operator} with this operator's uid and name. */
    public <T> SingleOutputStreamOperator<T> identify(SingleOutputStreamOperator<T> operator) {
        return operator.uid(uid).name(displayName);
    }

    /** {@code sink} with this operator's uid and name. */
    public <T> DataStreamSink<T> identify(DataStreamSink<T> sink) {
        return sink.uid(uid).name(displayName);
    }
}
