package dev.stageflow.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.concurrent.ExecutorThreadFactory;

/** The two ways a hetero-bench stage runs its {@link HeteroWork} in a Flink operator. */
final class HeteroStages {

    /** On the operator thread, one input at a time: what a job written without care does. */
    static final class Sync<I, M, O> extends RichFlatMapFunction<I, O> {
        private final HeteroWork<I, M, O> work;

        Sync(HeteroWork<I, M, O> work) {
            this.work = work;
        }

        @Override
        public void open(OpenContext context) {
            work.open();
        }

        @Override
        public void flatMap(I input, Collector<O> out) throws Exception {
            work.after(work.timed(work.before(input))).forEach(out::collect);
        }

        @Override
        public void close() {
            work.close();
        }
    }

    /**
     * Timed work on a pool of {@code threads} workers per subtask, store I/O on a pool of {@code
     * ioThreads} beside it (a prefetch before, the writes after), all off the operator thread, so
     * the operator keeps taking inputs while work is parked and I/O never holds a token; the async
     * operator's capacity bounds what is in flight, and the run's tokens bound what works at once.
     */
    static final class Async<I, M, O> extends RichAsyncFunction<I, O> {
        private final HeteroWork<I, M, O> work;
        private final int threads;
        private final int ioThreads;
        private transient ExecutorService pool;
        private transient ExecutorService io;

        Async(HeteroWork<I, M, O> work, int threads, int ioThreads) {
            this.work = work;
            this.threads = threads;
            this.ioThreads = ioThreads;
        }

        @Override
        public void open(OpenContext context) {
            work.open();
            pool = Executors.newFixedThreadPool(threads, new ExecutorThreadFactory("hetero-" + work.getClass().getSimpleName()));
            io = Executors.newFixedThreadPool(ioThreads, new ExecutorThreadFactory("hetero-io-" + work.getClass().getSimpleName()));
        }

        @Override
        public void asyncInvoke(I input, ResultFuture<O> result) {
            CompletableFuture.supplyAsync(() -> work.before(input), io).thenApplyAsync(prepared -> {
                try {
                    return work.timed(prepared);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted in " + work.getClass().getSimpleName(), e);
                }
            }, pool).thenApplyAsync(work::after, io).whenComplete((outputs, error) -> {
                if (error == null) {
                    result.complete(outputs);
                } else {
                    result.completeExceptionally(error);
                }
            });
        }

        @Override
        public void close() {
            if (pool != null) {
                pool.shutdownNow();
                io.shutdownNow();
            }
            work.close();
        }
    }

    private HeteroStages() {}
}
