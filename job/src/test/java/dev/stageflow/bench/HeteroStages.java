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
    static final class Sync<I, O> extends RichFlatMapFunction<I, O> {
        private final HeteroWork<I, O> work;

        Sync(HeteroWork<I, O> work) {
            this.work = work;
        }

        @Override
        public void open(OpenContext context) {
            work.open();
        }

        @Override
        public void flatMap(I input, Collector<O> out) throws Exception {
            work.apply(input).forEach(out::collect);
        }

        @Override
        public void close() {
            work.close();
        }
    }

    /**
     * On a pool of {@code threads} workers per subtask, off the operator thread, so the operator
     * keeps taking inputs while work is parked; the async operator's capacity bounds what is in
     * flight, and the run's tokens bound what works at once.
     */
    static final class Async<I, O> extends RichAsyncFunction<I, O> {
        private final HeteroWork<I, O> work;
        private final int threads;
        private transient ExecutorService pool;

        Async(HeteroWork<I, O> work, int threads) {
            this.work = work;
            this.threads = threads;
        }

        @Override
        public void open(OpenContext context) {
            work.open();
            pool = Executors.newFixedThreadPool(threads, new ExecutorThreadFactory("hetero-" + work.getClass().getSimpleName()));
        }

        @Override
        public void asyncInvoke(I input, ResultFuture<O> result) {
            CompletableFuture.supplyAsync(() -> {
                try {
                    return work.apply(input);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, pool).whenComplete((outputs, error) -> {
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
            }
            work.close();
        }
    }

    private HeteroStages() {}
}
