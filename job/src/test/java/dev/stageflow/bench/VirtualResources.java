package dev.stageflow.bench;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The modelled machine of one hetero-bench run, shared by every subtask in the JVM (the benchmark
 * runs in one MiniCluster): CPU and accelerator tokens, held while an item is worked on, and the
 * budget of payloads in flight. Timed work parks its thread while it holds a token, so two real
 * cores can model eight virtual ones and no job configuration can use more concurrency than the
 * modelled machine has, whatever its parallelism or thread pools.
 *
 * <p>Runs register under an id ({@link #register}); the job's functions carry the id and look the
 * run up in the subtask, since Flink serializes functions and a token pool must be one object.
 */
public final class VirtualResources {

    private static final Map<String, VirtualResources> RUNS = new ConcurrentHashMap<>();

    final Pool cpus;
    final Pool accelerators;
    final PayloadBudget payloads;
    private final AtomicLong firstWorkStart = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong lastWorkEnd = new AtomicLong(Long.MIN_VALUE);
    private final Map<Integer, AtomicInteger> written = new ConcurrentHashMap<>();
    final StoreTime storeWrites = new StoreTime();
    final StoreTime storeReads = new StoreTime();

    VirtualResources(HeteroParams params) {
        this.cpus = new Pool("cpu", params.cpus());
        this.accelerators = new Pool("accelerator", params.accelerators());
        this.payloads = new PayloadBudget(params.inFlightPayloads(), params.payloadBytes());
    }

    /** Registers a new run with the machine of {@code params}. */
    public static VirtualResources register(String runId, HeteroParams params) {
        VirtualResources resources = new VirtualResources(params);
        if (RUNS.putIfAbsent(runId, resources) != null) {
            throw new IllegalStateException("hetero-bench run " + runId + " is registered already");
        }
        return resources;
    }

    public static VirtualResources of(String runId) {
        VirtualResources resources = RUNS.get(runId);
        if (resources == null) {
            throw new IllegalStateException("hetero-bench run " + runId + " is not registered in this JVM");
        }
        return resources;
    }

    public static void unregister(String runId) {
        RUNS.remove(runId);
    }

    /** Works for {@code time} on one token of {@code pool}: waits for a token, parks, gives it back. */
    void work(Pool pool, Duration time) throws InterruptedException {
        acquireTimed(pool);
        try {
            parkFor(time);
        } finally {
            releaseTimed(pool);
        }
    }

    /** Takes a token of {@code pool} for timed work; the run's makespan starts with the first. */
    void acquireTimed(Pool pool) throws InterruptedException {
        pool.acquire();
        firstWorkStart.accumulateAndGet(System.nanoTime(), Math::min);
    }

    /** Gives back a token taken with {@link #acquireTimed}; the run's makespan ends with the last. */
    void releaseTimed(Pool pool) {
        lastWorkEnd.accumulateAndGet(System.nanoTime(), Math::max);
        pool.release();
    }

    /** Parks the calling thread for {@code time}, however often it wakes early. */
    static void parkFor(Duration time) throws InterruptedException {
        parkUntil(System.nanoTime() + time.toNanos());
    }

    /** Parks the calling thread until {@link System#nanoTime()} reaches {@code deadline}. */
    static void parkUntil(long deadline) throws InterruptedException {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    /** Records that the write stage finished {@code item}; a second finish of one item counts as a duplicate. */
    void written(int item) {
        written.computeIfAbsent(item, i -> new AtomicInteger()).incrementAndGet();
    }

    int itemsWritten() {
        return written.size();
    }

    long duplicates() {
        return written.values().stream().mapToLong(count -> count.get() - 1).sum();
    }

    /** From the first token taken to the last given back: the run's makespan, without job start-up. */
    Duration makespan() {
        long first = firstWorkStart.get();
        long last = lastWorkEnd.get();
        return first == Long.MAX_VALUE ? Duration.ZERO : Duration.ofNanos(last - first);
    }

    /** Real time spent in store calls of one kind, which no token covers. */
    static final class StoreTime {
        private final AtomicLong nanos = new AtomicLong();
        private final AtomicInteger calls = new AtomicInteger();

        void add(long start) {
            nanos.addAndGet(System.nanoTime() - start);
            calls.incrementAndGet();
        }

        double meanMillis() {
            return calls.get() == 0 ? 0 : nanos.get() / 1e6 / calls.get();
        }
    }

    /** Tokens of one kind of virtual resource, first come first served, with the most ever held at once. */
    static final class Pool {
        final String name;
        final int size;
        private final Semaphore tokens;
        private final AtomicInteger held = new AtomicInteger();
        private final AtomicInteger peak = new AtomicInteger();
        private final AtomicLong busyNanos = new AtomicLong();
        private final ThreadLocal<Long> since = new ThreadLocal<>();

        Pool(String name, int size) {
            this.name = name;
            this.size = size;
            this.tokens = new Semaphore(size, true);
        }

        void acquire() throws InterruptedException {
            tokens.acquire();
            peak.accumulateAndGet(held.incrementAndGet(), Math::max);
            since.set(System.nanoTime());
        }

        void release() {
            busyNanos.addAndGet(System.nanoTime() - since.get());
            held.decrementAndGet();
            tokens.release();
        }

        int peak() {
            return peak.get();
        }

        /** Token time used, in nanoseconds summed over tokens. */
        long busyNanos() {
            return busyNanos.get();
        }
    }

    /**
     * Payloads in flight: a producer takes a permit per payload before it writes it to the store
     * and inference gives it back once it has consumed the payload, so at most {@code limit}
     * payloads exist at once, as in the paper, where the object store holds 30 blocks.
     */
    static final class PayloadBudget {
        final int limit;
        final int payloadBytes;
        private final Semaphore permits;
        private final AtomicInteger inFlight = new AtomicInteger();
        private final AtomicInteger peak = new AtomicInteger();

        PayloadBudget(int limit, int payloadBytes) {
            this.limit = limit;
            this.payloadBytes = payloadBytes;
            this.permits = new Semaphore(limit, true);
        }

        void acquire(int count) throws InterruptedException {
            permits.acquire(count);
            peak.accumulateAndGet(inFlight.addAndGet(count), Math::max);
        }

        void release(int count) {
            inFlight.addAndGet(-count);
            permits.release(count);
        }

        int peak() {
            return peak.get();
        }

        long peakBytes() {
            return (long) peak() * payloadBytes;
        }
    }
}
