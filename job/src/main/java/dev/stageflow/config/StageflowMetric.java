package dev.stageflow.config;

import static dev.stageflow.config.JobOperator.COMMIT_METADATA;
import static dev.stageflow.config.JobOperator.DEAD_LETTERS_JSON;
import static dev.stageflow.config.JobOperator.DEDUPE;
import static dev.stageflow.config.JobOperator.IMAGE_ENHANCE;
import static dev.stageflow.config.JobOperator.IMAGE_GENERATE;
import static dev.stageflow.config.JobOperator.PARSE_VALIDATE;
import static dev.stageflow.config.JobOperator.SOURCE_KAFKA;
import static dev.stageflow.config.JobOperator.TEXT_ENCODE;

import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Every metric the job registers, in one place: the registering code takes name and kind from here
 * ({@link #counter}, {@link #gauge}, {@link #histogram}) and the README's metric table is generated
 * from here (build-tools' {@code MetricsReference}), so the documented names cannot drift from the
 * reported ones. Reported names are what dashboards and alert rules query: never rename one.
 *
 * <p>Flink's own operator metrics ({@code numRecordsIn}, {@code numRecordsOut} and their rates,
 * busy and back-pressured time) and job metrics (checkpoints, restarts, uptime) come on top.
 */
public enum StageflowMetric {
    BATCH_SIZE("batchSize", Kind.HISTOGRAM, MetricScope.STAGE, Stages.ALL,
            "Prompts in each model call (after splitting by batch key)."),
    LATENCY_MILLIS("latencyMillis", Kind.HISTOGRAM, MetricScope.STAGE, Stages.ALL,
            "Milliseconds from a prompt's arrival at the stage to its output: queueing, batching, cache"
                    + " lookups, retries and the model call. Its count is the prompts the stage has finished."),
    COMPUTE_MILLIS("computeMillis", Kind.HISTOGRAM, MetricScope.STAGE, Stages.ALL,
            "Milliseconds of each model call."),
    COMPUTE_MILLIS_TOTAL("computeMillisTotal", Kind.COUNTER, MetricScope.STAGE, Stages.ALL,
            "Milliseconds spent in model calls, summed: its rate over time is the model's busy share"
                    + " (1000 per second is one model thread always busy)."),
    IN_FLIGHT("inFlight", Kind.GAUGE, MetricScope.STAGE, Stages.ALL,
            "Prompts in the stage now: waiting for a batch, or in a model call."),
    MODEL_INPUTS("modelInputs", Kind.COUNTER, MetricScope.STAGE, Stages.ALL,
            "Inputs handed to the model: the work paid for, which a prompt found in the cache or store does not"
                    + " cost again."),
    MODEL_LOADS("modelLoads", Kind.COUNTER, MetricScope.STAGE, Stages.ALL,
            "Models the stage loaded: when it opened, or at its first cache miss for a model on the CPU whose"
                    + " family knows its version without loading it (0 on a run whose every prompt was a hit)."),
    CACHE_HITS("cacheHits", Kind.COUNTER, MetricScope.STAGE, Stages.ALL,
            "Prompts whose output the stage found already made: in the embedding cache (text-encode) or"
                    + " in the store (image stages)."),
    CACHE_MISSES("cacheMisses", Kind.COUNTER, MetricScope.STAGE, Stages.ALL,
            "Prompts whose output the stage had to compute."),
    RETRIES("retries", Kind.COUNTER, MetricScope.STAGE, Stages.ALL,
            "Prompts of a model call that was run again: after a transient error, or one by one after"
                    + " the call failed."),
    STAGE_DEAD_LETTERS("deadLetters", Kind.COUNTER, MetricScope.STAGE, Stages.ALL,
            "Prompts the stage gave up on (MODEL_ERROR, STAGE_TIMEOUT, CORRUPT_ARTIFACT, POISON_PILL)."),
    QUARANTINED("quarantined", Kind.COUNTER, MetricScope.STAGE, Stages.ALL,
            "Corrupt or incomplete artifacts the stage moved to _quarantine/ (to be computed again)."),
    REPAIRED_INPUTS("repairedInputs", Kind.COUNTER, MetricScope.STAGE, List.of(IMAGE_ENHANCE),
            "Corrupt generated images image-enhance generated again before enhancing them."),
    BYTES_WRITTEN("bytesWritten", Kind.COUNTER, MetricScope.STAGE_STORE, Stages.IMAGES,
            "Artifact bytes the stage wrote to the store, as stored (compressed)."),
    BYTES_READ("bytesRead", Kind.COUNTER, MetricScope.STAGE_STORE, Stages.IMAGES,
            "Artifact bytes the stage read from the store, as stored (image-enhance reads the generated"
                    + " images)."),
    ARTIFACTS_REUSED("artifactsReused", Kind.COUNTER, MetricScope.STAGE_STORE, Stages.IMAGES,
            "Artifacts found sound in the store and used instead of computed: an earlier run's, or this"
                    + " run's own work replayed after a failure."),
    REDIS_HITS("hits", Kind.COUNTER, MetricScope.STAGE_REDIS, List.of(TEXT_ENCODE),
            "Embeddings found in Redis (after a miss in the JVM's own cache)."),
    REDIS_MISSES("misses", Kind.COUNTER, MetricScope.STAGE_REDIS, List.of(TEXT_ENCODE),
            "Embeddings not in Redis, or not asked for because Redis failed or its breaker is open."),
    REDIS_ERRORS("errors", Kind.COUNTER, List.of(MetricScope.STAGE_REDIS, MetricScope.REDIS),
            List.of(TEXT_ENCODE, COMMIT_METADATA), "Failed Redis calls (errors and timeouts)."),
    REDIS_BREAKER_STATE("breakerState", Kind.GAUGE, List.of(MetricScope.STAGE_REDIS, MetricScope.REDIS),
            List.of(TEXT_ENCODE, COMMIT_METADATA), "The Redis circuit breaker: 0 closed, 1 half-open, 2 open."),
    INVALID_INPUTS("deadLetters", Kind.COUNTER, MetricScope.OPERATOR, List.of(PARSE_VALIDATE),
            "Input lines that are no valid prompt (dead letters with an input reason code)."),
    DUPLICATES_DROPPED("duplicatesDropped", Kind.COUNTER, MetricScope.OPERATOR, List.of(DEDUPE),
            "Prompts dropped as repeats of an accepted prompt (same promptId, same content)."),
    PROMPT_ID_CONFLICTS("promptIdConflicts", Kind.COUNTER, MetricScope.OPERATOR, List.of(DEDUPE),
            "Prompts reusing an accepted promptId for other content (PROMPT_ID_CONFLICT dead letters)."),
    DEAD_LETTERS("deadLetters", Kind.COUNTER, MetricScope.DEAD_LETTER_REASON, List.of(DEAD_LETTERS_JSON),
            "Every dead letter on its way to the dead-letter files, by reason code; a reason appears with"
                    + " its first dead letter."),
    METADATA_WRITTEN("metadataWritten", Kind.COUNTER, MetricScope.OPERATOR, List.of(COMMIT_METADATA),
            "Prompt metadata hashes written to Redis after their checkpoint."),
    METADATA_PENDING("metadataPending", Kind.GAUGE, MetricScope.OPERATOR, List.of(COMMIT_METADATA),
            "Prompt metadata hashes waiting for their checkpoint or for Redis."),
    TOMBSTONES("tombstones", Kind.COUNTER, MetricScope.KAFKA_DESERIALIZER, List.of(SOURCE_KAFKA),
            "Kafka records with a null value (tombstones), skipped.");

    /** What a metric is, as Flink registers it. */
    public enum Kind {
        COUNTER,
        GAUGE,
        HISTOGRAM
    }

    /** Samples a histogram keeps for its quantiles. */
    public static final int HISTOGRAM_WINDOW = 1_000;

    private final String name;
    private final Kind kind;
    private final List<MetricScope> scopes;
    private final List<JobOperator> operators;
    private final String description;

    StageflowMetric(String name, Kind kind, MetricScope scope, List<JobOperator> operators, String description) {
        this(name, kind, List.of(scope), operators, description);
    }

    StageflowMetric(String name, Kind kind, List<MetricScope> scopes, List<JobOperator> operators, String description) {
        this.name = name;
        this.kind = kind;
        this.scopes = scopes;
        this.operators = operators;
        this.description = description;
    }

    /** The name within its scope's group. */
    public String metricName() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    /** The scopes it is registered in (a Redis client's metrics are a model stage's or an operator's). */
    public List<MetricScope> scopes() {
        return scopes;
    }

    /** The operators that register it. */
    public List<JobOperator> operators() {
        return operators;
    }

    public String description() {
        return description;
    }

    /** Its names in Flink's Prometheus reporter, one per scope. */
    public List<String> prometheusNames() {
        return scopes.stream().map(scope -> scope.prometheusName(name)).toList();
    }

    /** A new thread-safe counter registered in {@code group}. */
    public Counter counter(MetricGroup group) {
        return counter(group, new ThreadSafeSimpleCounter());
    }

    /** {@code counter} registered in {@code group}. */
    public Counter counter(MetricGroup group, Counter counter) {
        return group.counter(name, expect(Kind.COUNTER, counter));
    }

    /** {@code gauge} registered in {@code group}. */
    public <T, G extends Gauge<T>> G gauge(MetricGroup group, G gauge) {
        return group.gauge(name, expect(Kind.GAUGE, gauge));
    }

    /**
     * A new histogram of the last {@link #HISTOGRAM_WINDOW} values registered in {@code group}; not
     * thread-safe: updates from several threads synchronize on it.
     */
    public Histogram histogram(MetricGroup group) {
        return group.histogram(name, expect(Kind.HISTOGRAM, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW)));
    }

    private <M> M expect(Kind registered, M metric) {
        if (kind != registered) {
            throw new IllegalStateException("Metric " + this + " is a " + kind + ", not a " + registered);
        }
        return metric;
    }

    /** The operators of the model stages. */
    private static final class Stages {
        static final List<JobOperator> ALL = List.of(TEXT_ENCODE, IMAGE_GENERATE, IMAGE_ENHANCE);
        static final List<JobOperator> IMAGES = List.of(IMAGE_GENERATE, IMAGE_ENHANCE);
    }
}
