package dev.stageflow.store;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;

/**
 * What an {@link ArtifactStore} counts: the artifacts it quarantines, the stored bytes of the
 * chunks it writes and reads, and the artifacts a lookup found sound. The counters are thread-safe:
 * chunks are written and read on the store's I/O pool.
 */
public record StoreMetrics(Counter quarantined, Counter bytesWritten, Counter bytesRead, Counter artifactsReused) {

    /** Counters that no reporter sees, for a store used outside a job (tests, gc, the command line). */
    public static StoreMetrics unregistered() {
        return new StoreMetrics(
                new ThreadSafeSimpleCounter(), new ThreadSafeSimpleCounter(), new ThreadSafeSimpleCounter(),
                new ThreadSafeSimpleCounter());
    }
}
