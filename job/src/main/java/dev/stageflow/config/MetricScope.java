package dev.stageflow.config;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.metrics.MetricGroup;

/**
 * Where below an operator's metric group a {@link StageflowMetric} lives: a path of groups, where
 * {@code key.<key>} is a key-value group ({@link MetricGroup#addGroup(String, String)}), which a
 * reporter shows as the label {@code key} (Prometheus) or as the variable {@code <key>}. The
 * names of the path are part of every reported name: never rename one.
 */
public enum MetricScope {
    /** The operator's own group. */
    OPERATOR(""),
    /** A model stage's group; its value is the stage id ({@link JobOperator#uid()}). */
    STAGE("stage.<stage>"),
    /** A model stage's Redis client (the text encoder's embedding cache). */
    STAGE_REDIS("stage.<stage>.redis"),
    /** One store a model stage writes or reads; its value is the store's root URI (without user info). */
    STAGE_STORE("stage.<stage>.store.<store>"),
    /** The Redis client of an operator that is not a model stage (commit-metadata). */
    REDIS("redis"),
    /** The dead letters of one reason code ({@code DeadLetterReason}). */
    DEAD_LETTER_REASON("reason.<reason>"),
    /** The group Flink's Kafka source reader gives its record deserializer. */
    KAFKA_DESERIALIZER("deserializer");

    /** How Flink's Prometheus reporter names an operator's metrics: this prefix, the scope's keys, the name. */
    public static final String PROMETHEUS_OPERATOR_PREFIX = "flink_taskmanager_job_task_operator";

    private final String path;
    private final List<String> keys = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();

    MetricScope(String path) {
        this.path = path;
        String[] segments = path.isEmpty() ? new String[0] : path.split("\\.");
        for (int i = 0; i < segments.length; i++) {
            keys.add(segments[i]);
            if (i + 1 < segments.length && segments[i + 1].equals("<" + segments[i] + ">")) {
                labels.add(segments[i]);
                i++;
            }
        }
    }

    /** The path as documented: {@code stage.<stage>.redis}. */
    public String path() {
        return path;
    }

    /** The keys of its key-value groups, in order: the labels a reporter attaches. */
    public List<String> labels() {
        return List.copyOf(labels);
    }

    /**
     * This scope's group below {@code operator}; {@code values} are the values of its key-value
     * groups, in the order of {@link #labels()}.
     */
    public MetricGroup open(MetricGroup operator, String... values) {
        if (values.length != labels.size()) {
            throw new IllegalArgumentException("Scope " + path + " takes " + labels.size() + " values, got " + values.length);
        }
        MetricGroup group = operator;
        int value = 0;
        for (String key : keys) {
            group = labels.contains(key) ? group.addGroup(key, values[value++]) : group.addGroup(key);
        }
        return group;
    }

    /** The Prometheus name of metric {@code name} in this scope of an operator. */
    public String prometheusName(String name) {
        StringBuilder prometheus = new StringBuilder(PROMETHEUS_OPERATOR_PREFIX);
        keys.forEach(key -> prometheus.append('_').append(key));
        return prometheus.append('_').append(name).toString();
    }
}
