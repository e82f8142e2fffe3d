package dev.stageflow.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded pool on which an {@link ArtifactStore} compresses, writes and reads the chunks of
 * one artifact concurrently. A single chunk runs on the caller's thread: no hand-off for the
 * common small artifact. Idle threads time out, so a store that is rarely used costs nothing.
 */
final class ChunkIo implements AutoCloseable {

    /** One chunk's work: index in, result out; may throw unchecked exceptions only. */
    @FunctionalInterface
    interface ChunkTask<T> {
        T run(int index);
    }

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ThreadPoolExecutor pool;

    ChunkIo(int threads, String storeName) {
        int poolId = POOLS.incrementAndGet();
        AtomicInteger threadIds = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread thread = new Thread(task, "store-io-" + poolId + "-" + threadIds.incrementAndGet() + " " + storeName);
            thread.setDaemon(true);
            return thread;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Runs {@code task} for indexes {@code 0..count-1} and returns the results in index order.
     * The first failure is rethrown as it was thrown (a {@link CorruptArtifactException} stays
     * one) and the remaining tasks are cancelled.
     */
    <T> List<T> invokeAll(int count, ChunkTask<T> task) {
        List<T> results = new ArrayList<>(count);
        if (count == 1) {
            results.add(task.run(0));
            return results;
        }
        List<Future<T>> futures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int index = i;
            futures.add(pool.submit(() -> task.run(index)));
        }
        try {
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for chunk I/O", e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } finally {
            futures.forEach(future -> future.cancel(true));
        }
    }

    private static RuntimeException rethrow(Throwable cause) {
        if (cause instanceof RuntimeException) {
            throw (RuntimeException) cause;
        }
        if (cause instanceof Error) {
            throw (Error) cause;
        }
        return new IllegalStateException("Chunk I/O failed", cause);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
