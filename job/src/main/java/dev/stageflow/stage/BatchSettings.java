package dev.stageflow.stage;

import static dev.stageflow.config.OptionChecks.require;

import dev.stageflow.config.StageOptions;
import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;

/** Validated {@link StageOptions} of one stage. */
public final class BatchSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    public final int batchSize;
    public final Duration maxWait;
    public final int parallelism;
    public final int threads;
    public final int maxInFlight;
    public final Duration timeout;
    public final int maxAttempts;
    public final Duration retryTime;

    public BatchSettings(int batchSize, Duration maxWait, int parallelism, int threads, int maxInFlight,
            Duration timeout, int maxAttempts, Duration retryTime) {
        this.batchSize = batchSize;
        this.maxWait = maxWait;
        this.parallelism = parallelism;
        this.threads = threads;
        this.maxInFlight = maxInFlight;
        this.timeout = timeout;
        this.maxAttempts = maxAttempts;
        this.retryTime = retryTime;
    }

    public static BatchSettings from(Configuration conf, StageOptions options) {
        BatchSettings settings = new BatchSettings(
                conf.get(options.batchSize),
                conf.get(options.batchMaxWait),
                conf.get(options.parallelism),
                conf.get(options.threads),
                conf.get(options.maxInFlight),
                conf.get(options.timeout),
                conf.get(options.maxAttempts),
                conf.get(options.retryTime));
        require(settings.batchSize >= 1 && settings.batchSize <= 1024, options.batchSize, "1..1024", settings.batchSize);
        require(!settings.maxWait.isNegative() && settings.maxWait.toMillis() <= 10_000, options.batchMaxWait, "0..10s",
                settings.maxWait);
        require(settings.parallelism == -1 || settings.parallelism >= 1, options.parallelism, "-1 or >= 1",
                settings.parallelism);
        require(settings.threads >= 1 && settings.threads <= 64, options.threads, "1..64", settings.threads);
        require(settings.maxInFlight >= settings.batchSize, options.maxInFlight, ">= " + options.batchSize.key(),
                settings.maxInFlight);
        require(settings.timeout.toMillis() >= 1_000, options.timeout, ">= 1s", settings.timeout);
        require(settings.maxAttempts >= 1 && settings.maxAttempts <= 100, options.maxAttempts, "1..100",
                settings.maxAttempts);
        require(!settings.retryTime.isNegative() && settings.retryTime.compareTo(settings.timeout) < 0, options.retryTime,
                "from 0 to less than " + options.timeout.key() + " (" + settings.timeout + ")", settings.retryTime);
        return settings;
    }
}
