package dev.stageflow.stage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups requests that arrive close together into one model call, the way inference servers do:
 * a worker takes the first waiting request, then keeps collecting for at most {@code maxWait} or
 * until {@code maxSize} requests, splits what it got by batch key (requests of different shapes
 * cannot share a tensor) and runs each group at once.
 *
 * <p>The Flink operator thread only enqueues; the workers complete each request's {@link
 * ResultFuture}. In-flight requests belong to the async operator's checkpoint, so a request
 * queued here when the job fails is replayed after the restore.
 */
final class DynamicBatcher<IN, OUT> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DynamicBatcher.class);

    /** Runs one group of requests; returns one output per input, in order. */
    interface BatchProcessor<IN, OUT> {
        List<OUT> process(List<IN> batch) throws Exception;
    }

    private final BlockingQueue<Pending<IN, OUT>> queue = new LinkedBlockingQueue<>();
    private final int maxSize;
    private final long maxWaitNanos;
    private final Function<IN, Object> batchKey;
    private final BatchProcessor<IN, OUT> processor;
    private final Consumer<Integer> batchSizeListener;
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running = true;

    DynamicBatcher(
            String name,
            int workerCount,
            int maxSize,
            Duration maxWait,
            Function<IN, Object> batchKey,
            BatchProcessor<IN, OUT> processor,
            Consumer<Integer> batchSizeListener) {
        this.maxSize = maxSize;
        this.maxWaitNanos = maxWait.toNanos();
        this.batchKey = batchKey;
        this.processor = processor;
        this.batchSizeListener = batchSizeListener;
        for (int i = 0; i < workerCount; i++) {
            Thread worker = new Thread(this::work, name + "-batcher-" + i);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
    }

    void submit(IN input, ResultFuture<OUT> result) {
        queue.add(new Pending<>(input, result));
    }

    private void work() {
        try {
            while (running) {
                List<Pending<IN, OUT>> collected = collect();
                for (List<Pending<IN, OUT>> group : groupByKey(collected)) {
                    run(group);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<Pending<IN, OUT>> collect() throws InterruptedException {
        List<Pending<IN, OUT>> batch = new ArrayList<>(maxSize);
        batch.add(queue.take());
        long deadline = System.nanoTime() + maxWaitNanos;
        while (batch.size() < maxSize) {
            long remaining = deadline - System.nanoTime();
            Pending<IN, OUT> next = remaining > 0 ? queue.poll(remaining, TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null) {
                break;
            }
            batch.add(next);
        }
        return batch;
    }

    private List<List<Pending<IN, OUT>>> groupByKey(List<Pending<IN, OUT>> batch) {
        Map<Object, List<Pending<IN, OUT>>> groups = new LinkedHashMap<>();
        for (Pending<IN, OUT> pending : batch) {
            groups.computeIfAbsent(batchKey.apply(pending.input), k -> new ArrayList<>()).add(pending);
        }
        return new ArrayList<>(groups.values());
    }

    private void run(List<Pending<IN, OUT>> group) {
        List<IN> inputs = new ArrayList<>(group.size());
        group.forEach(p -> inputs.add(p.input));
        batchSizeListener.accept(inputs.size());
        List<OUT> outputs;
        try {
            outputs = processor.process(inputs);
        } catch (Throwable e) {
            if (running) {
                LOG.warn("A batch of {} failed; the job will restart from its last checkpoint", inputs.size(), e);
            }
            for (Pending<IN, OUT> pending : group) {
                if (!deliver(() -> pending.result.completeExceptionally(e))) {
                    return;
                }
            }
            return;
        }
        for (int i = 0; i < group.size(); i++) {
            OUT output = outputs.get(i);
            ResultFuture<OUT> result = group.get(i).result;
            if (!deliver(() -> result.complete(List.of(output)))) {
                return;
            }
        }
    }

    /**
     * Hands a completion to the operator; false once the task's mailbox is closed. That happens when
     * the task stops after a savepoint (stop-with-savepoint) or is cancelled: the requests of this
     * batch are in that snapshot and will be sent again after a restore, so they are dropped here
     * rather than failing a task that is already stopping.
     */
    private boolean deliver(Runnable completion) {
        try {
            completion.run();
            return true;
        } catch (RejectedExecutionException stopping) {
            LOG.debug("The task is stopping; the rest of this batch is left to its snapshot", stopping);
            return false;
        }
    }

    /** Stops the workers; requests still queued are left to the checkpoint to replay. */
    @Override
    public void close() {
        running = false;
        workers.forEach(Thread::interrupt);
        try {
            for (Thread worker : workers) {
                worker.join(TimeUnit.SECONDS.toMillis(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Pending<IN, OUT> {
        final IN input;
        final ResultFuture<OUT> result;

        Pending(IN input, ResultFuture<OUT> result) {
            this.input = input;
            this.result = result;
        }
    }
}
