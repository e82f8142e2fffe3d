package dev.stageflow.stage;

import dev.stageflow.config.StageOptions;
import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;

/** Validated {@link StageOptions} of one stage. */
public final class BatchSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    public final int batchSize;
    public final Duration maxWait;
    public final int parallelism;
    public final int threads;
    public final int maxInFlight;
    public final Duration timeout;

    public BatchSettings(
            int batchSize, Duration maxWait, int parallelism, int threads, int maxInFlight, Duration timeout) {
        this.batchSize = batchSize;
        this.maxWait = maxWait;
        this.parallelism = parallelism;
        this.threads = threads;
        this.maxInFlight = maxInFlight;
        this.timeout = timeout;
    }

    public static BatchSettings from(Configuration conf, StageOptions options) {
        BatchSettings settings = new BatchSettings(
                conf.get(options.batchSize),
                conf.get(options.batchMaxWait),
                conf.get(options.parallelism),
                conf.get(options.threads),
                conf.get(options.maxInFlight),
                conf.get(options.timeout));
        check(settings.batchSize >= 1 && settings.batchSize <= 1024, options.batchSize.key(), "1..1024");
        check(!settings.maxWait.isNegative() && settings.maxWait.toMillis() <= 10_000, options.batchMaxWait.key(), "0..10s");
        check(settings.parallelism == -1 || settings.parallelism >= 1, options.parallelism.key(), "-1 or >= 1");
        check(settings.threads >= 1 && settings.threads <= 64, options.threads.key(), "1..64");
        check(settings.maxInFlight >= settings.batchSize, options.maxInFlight.key(), ">= " + options.batchSize.key());
        check(settings.timeout.toMillis() >= 1_000, options.timeout.key(), ">= 1s");
        return settings;
    }

    private static void check(boolean condition, String key, String allowed) {
        if (!condition) {
            throw new IllegalConfigurationException("Option " + key + " must be " + allowed);
        }
    }
}
