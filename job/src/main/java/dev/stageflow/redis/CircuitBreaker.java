package dev.stageflow.redis;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Keeps a subtask from waiting on a Redis that is down. Closed: every call goes through; {@code
 * failureThreshold} consecutive failures open it. Open: no call goes through until {@code coolDown}
 * has passed; then exactly one caller gets a probe (half-open). The probe's success closes the
 * breaker, its failure opens it for another cool-down. While the probe runs, other callers are
 * refused rather than queued, so nobody waits on a timeout during an outage.
 *
 * <p>Thread-safe; the clock is injectable so tests need no sleeps.
 */
public final class CircuitBreaker {

    /** The breaker's state; {@link #code} is what the metric gauge shows. */
    public enum State {
        CLOSED(0),
        HALF_OPEN(1),
        OPEN(2);

        public final int code;

        State(int code) {
            this.code = code;
        }
    }

    /** What a caller may do now. */
    public enum Permit {
        /** Breaker closed: call as usual. */
        CALL,
        /** Cool-down over: this caller probes whether Redis is back. */
        PROBE,
        /** Open, or another caller is probing: treat Redis as unavailable without calling it. */
        REFUSED
    }

    private final int failureThreshold;
    private final long coolDownNanos;
    private final LongSupplier nanoClock;
    private State state = State.CLOSED;
    private int consecutiveFailures;
    private long openedAt;

    public CircuitBreaker(int failureThreshold, Duration coolDown, LongSupplier nanoClock) {
        if (failureThreshold < 1 || coolDown.isNegative()) {
            throw new IllegalArgumentException(
                    "failureThreshold must be >= 1 and coolDown >= 0, got " + failureThreshold + ", " + coolDown);
        }
        this.failureThreshold = failureThreshold;
        this.coolDownNanos = coolDown.toNanos();
        this.nanoClock = nanoClock;
    }

    public CircuitBreaker(int failureThreshold, Duration coolDown) {
        this(failureThreshold, coolDown, System::nanoTime);
    }

    public synchronized Permit acquire() {
        switch (state) {
            case CLOSED:
                return Permit.CALL;
            case OPEN:
                if (nanoClock.getAsLong() - openedAt >= coolDownNanos) {
                    state = State.HALF_OPEN;
                    return Permit.PROBE;
                }
                return Permit.REFUSED;
            default:
                return Permit.REFUSED;
        }
    }

    public synchronized void recordSuccess() {
        consecutiveFailures = 0;
        state = State.CLOSED;
    }

    public synchronized void recordFailure() {
        consecutiveFailures++;
        if (state == State.HALF_OPEN || consecutiveFailures >= failureThreshold) {
            state = State.OPEN;
            openedAt = nanoClock.getAsLong();
        }
    }

    public synchronized State state() {
        return state;
    }
}
