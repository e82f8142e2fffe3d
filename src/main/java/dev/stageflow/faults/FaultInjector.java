package dev.stageflow.faults;

import dev.stageflow.config.TestingOptions;
import java.io.Serializable;
import java.util.Locale;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * Fails one subtask of one operator on purpose, for the fault tests ({@code testing.fail.*}
 * options, off by default). The chosen subtask fails once it has received {@code after-records}
 * records in the current attempt, in the first {@code attempts} attempts of the job (Flink's attempt
 * number, so a restarted job fails again until the count is used up, and then runs through).
 *
 * <p>A model stage fails either before a batch reaches the model or in the middle of a batch: after
 * its first prompt is computed and written to the store, before the batch is emitted, which leaves
 * exactly the kind of half-done work a replay must find instead of redoing.
 */
public final class FaultInjector implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Operators that can fail: the three model stages and two plain operators. */
    public static final Set<String> STAGES =
            Set.of("parse-validate", "text-encode", "image-generate", "image-enhance", "result-rows");

    private static final Set<String> MODEL_STAGES = Set.of("text-encode", "image-generate", "image-enhance");

    /** Where in a batch the failure happens. */
    public enum Point {
        BEFORE_BATCH,
        MID_BATCH
    }

    private final String stage;
    private final boolean enabled;
    private final long afterRecords;
    private final Point point;
    private final int attempts;
    private final int subtask;

    private transient boolean active;
    private transient boolean armed;
    private transient long received;
    private transient int attempt;
    private transient ModelCallLog log;

    private FaultInjector(String stage, boolean enabled, long afterRecords, Point point, int attempts, int subtask) {
        this.stage = stage;
        this.enabled = enabled;
        this.afterRecords = afterRecords;
        this.point = point;
        this.attempts = attempts;
        this.subtask = subtask;
    }

    /** The injector of {@code stage}: active only if {@code testing.fail.stage} names it. */
    public static FaultInjector from(Configuration conf, String stage) {
        String target = conf.get(TestingOptions.FAIL_STAGE);
        if (target == null) {
            return disabled(stage);
        }
        if (!STAGES.contains(target)) {
            throw new IllegalConfigurationException("Option " + TestingOptions.FAIL_STAGE.key() + " must be one of "
                    + STAGES + ", not '" + target + "'");
        }
        Point point = parsePoint(conf.get(TestingOptions.FAIL_POINT));
        if (point == Point.MID_BATCH && !MODEL_STAGES.contains(target)) {
            throw new IllegalConfigurationException("Option " + TestingOptions.FAIL_POINT.key()
                    + " 'mid-batch' applies to the model stages " + MODEL_STAGES + ", not to " + target);
        }
        int afterRecords = conf.get(TestingOptions.FAIL_AFTER_RECORDS);
        int attempts = conf.get(TestingOptions.FAIL_ATTEMPTS);
        int subtask = conf.get(TestingOptions.FAIL_SUBTASK);
        check(afterRecords >= 1, TestingOptions.FAIL_AFTER_RECORDS.key(), ">= 1");
        check(attempts >= 1, TestingOptions.FAIL_ATTEMPTS.key(), ">= 1");
        check(subtask >= 0, TestingOptions.FAIL_SUBTASK.key(), ">= 0");
        return new FaultInjector(stage, target.equals(stage), afterRecords, point, attempts, subtask);
    }

    public static FaultInjector disabled(String stage) {
        return new FaultInjector(stage, false, Long.MAX_VALUE, Point.BEFORE_BATCH, 0, 0);
    }

    public String stage() {
        return stage;
    }

    public boolean isEnabled() {
        return enabled;
    }

    /** Arms this subtask's attempt; {@code log} records the failure when it happens. */
    public synchronized void open(int subtaskIndex, int attemptNumber, ModelCallLog log) {
        this.active = enabled && subtaskIndex == subtask && attemptNumber < attempts;
        this.attempt = attemptNumber;
        this.armed = false;
        this.received = 0;
        this.log = log;
    }

    /** Counts {@code records} received; fails here (before-batch) or arms the mid-batch failure. */
    public synchronized void beforeBatch(int records) {
        if (!active) {
            return;
        }
        received += records;
        if (received >= afterRecords) {
            if (point == Point.BEFORE_BATCH) {
                fail();
            }
            armed = true;
        }
    }

    /** Called after one prompt's work is written: fails here once the mid-batch failure is armed. */
    public synchronized void afterWrite() {
        if (active && armed) {
            fail();
        }
    }

    private void fail() {
        active = false;
        String what = "Injected failure in " + stage + " subtask " + subtask + ", attempt " + attempt + ", after "
                + received + " records (" + point.name().toLowerCase(Locale.ROOT).replace('_', '-') + "; "
                + TestingOptions.FAIL_STAGE.key() + ")";
        if (log != null) {
            log.fault(what);
        }
        throw new InjectedFailure(what);
    }

    private static Point parsePoint(String value) {
        return switch (value) {
            case "before-batch" -> Point.BEFORE_BATCH;
            case "mid-batch" -> Point.MID_BATCH;
            default -> throw new IllegalConfigurationException("Option " + TestingOptions.FAIL_POINT.key()
                    + " must be 'before-batch' or 'mid-batch', not '" + value + "'");
        };
    }

    private static void check(boolean condition, String key, String allowed) {
        if (!condition) {
            throw new IllegalConfigurationException("Option " + key + " must be " + allowed);
        }
    }

    /** The failure a test asked for; never thrown unless {@code testing.fail.stage} is set. */
    public static final class InjectedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFailure(String message) {
            super(message);
        }
    }
}
