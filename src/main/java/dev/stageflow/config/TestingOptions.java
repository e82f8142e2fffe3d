package dev.stageflow.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Hooks for fault tests, all off by default: fail a chosen operator to exercise recovery, and log
 * every model call so a test can prove that no work committed to the store is computed again.
 * Never set them in production.
 */
public final class TestingOptions {

    public static final ConfigOption<String> FAIL_STAGE =
            ConfigOptions.key("testing.fail.stage")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "For fault tests only: the operator that fails on purpose, one of"
                                    + " parse-validate, text-encode, image-generate, image-enhance,"
                                    + " result-rows. The job then restarts from its last checkpoint."
                                    + " Unset (the default), nothing fails.");

    public static final ConfigOption<Integer> FAIL_AFTER_RECORDS =
            ConfigOptions.key("testing.fail.after-records")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "The failing subtask fails once it has received this many records in"
                                    + " the current attempt.");

    public static final ConfigOption<String> FAIL_POINT =
            ConfigOptions.key("testing.fail.point")
                    .stringType()
                    .defaultValue("before-batch")
                    .withDescription(
                            "Where a model stage fails: 'before-batch' (the batch never reaches"
                                    + " the model) or 'mid-batch' (after the first prompt of the batch"
                                    + " is computed and written, before the batch is emitted). Other"
                                    + " operators fail on the record itself.");

    public static final ConfigOption<Integer> FAIL_ATTEMPTS =
            ConfigOptions.key("testing.fail.attempts")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "How many attempts of the job fail: 1 fails once, n fails the first n"
                                    + " attempts (the job restarts n times).");

    public static final ConfigOption<Integer> FAIL_SUBTASK =
            ConfigOptions.key("testing.fail.subtask")
                    .intType()
                    .defaultValue(0)
                    .withDescription("The subtask of the failing operator that fails.");

    public static final ConfigOption<String> MODEL_CALL_LOG =
            ConfigOptions.key("testing.model-call-log")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "For fault tests only: a local directory where each model stage"
                                    + " subtask appends a line per model call, per artifact written"
                                    + " and per injected failure (time, event, stage, subtask,"
                                    + " attempt, content key).");

    private TestingOptions() {}
}
