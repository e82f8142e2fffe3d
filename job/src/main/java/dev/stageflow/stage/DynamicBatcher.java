package dev.stageflow.stage;

import dev.stageflow.model.DeadLetterReason;
import dev.stageflow.model.StageFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
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
 *
 * <p>A failed call is handled by what failed ({@link StageErrors}), so that one prompt can never
 * stop the others:
 *
 * <ul>
 *   <li>a transient error (store, Redis, network) retries the whole group in place, backing off
 *       from 100 ms to 5 s, for at most {@code *.retry-time}; after that the requests fail and the
 *       job restarts from its checkpoint, as it must when a dependency is down for long;
 *   <li>any other error runs each request of a group of several on its own, so the innocent ones
 *       succeed, and retries a request that fails on its own until it has made {@code
 *       *.max-attempts} attempts; then it is given up on: its output is the stage's failed record
 *       ({@code MODEL_ERROR}, or {@code CORRUPT_ARTIFACT} for a corrupt input artifact), which
 *       becomes a dead letter;
 *   <li>a call that runs longer than {@code *.timeout} (counted from the start of the attempt, not
 *       from the arrival in the queue) gives its requests up as {@code STAGE_TIMEOUT}; the
 *       worker's late answer is ignored. A request still queued when the operator's timer fires
 *       waits on, unless every worker has been stuck in one call for longer than the timeout: then
 *       it fails and the job restarts.
 * </ul>
 *
 * <p>Before a request joins a batch, its output may already exist (the embedding cache, the store):
 * a lookup thread takes every request waiting for it, up to {@code *.max-in-flight} at once, asks
 * the stage's {@link Lookup} for all of them in one go and hands each hit on at once; only the
 * misses queue for the model batches, whose call looks them up again under the rules above. So
 * cache hits are found in batches as large as the queue, never bounded by {@code *.batch.size},
 * and cost no model call, no {@link CallLedger} record and no model (see {@link StageModel}). A
 * lookup that fails sends its requests to the batches, where the rules above decide; a request a
 * process died with before skips the lookup, so that it runs alone and recorded.
 *
 * <p>Running out of memory or stack counts as a model error (one input too big is the usual cause);
 * other errors that are not exceptions, and a model that cannot be loaded ({@link ModelLoadException}),
 * fail the requests of the call, and the job restarts. A request whose earlier calls a process died in ({@link CallLedger}) counts those as
 * attempts and runs alone.
 */
final class DynamicBatcher<IN, OUT> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DynamicBatcher.class);
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** Runs one group of requests; returns one output per input, in order. */
    interface BatchProcessor<IN, OUT> {
        List<OUT> process(List<IN> batch) throws Exception;
    }

    /** Finds outputs made before, many requests at once: one per input, in order, null for a miss. */
    interface Lookup<IN, OUT> {
        List<OUT> lookup(List<IN> inputs) throws Exception;
    }

    /** What the stage makes of a request it gave up on, and of one that took several attempts. */
    interface Outcomes<IN, OUT> {
        /** The output standing for {@code input} given up on: its dead letter to be. */
        OUT failed(IN input, StageFailure failure);

        /** {@code output}, made in the {@code attempts}-th attempt. */
        OUT attempted(OUT output, int attempts);

        /** {@code input} in a log line: a name, not the whole record. */
        String describe(IN input);
    }

    /** Told of each call's size, each retry, each request given up on and each output (for metrics). */
    interface Listener {
        void batch(int size);

        void retried(int requests);

        void gaveUp(DeadLetterReason reason);

        /** A request's output (a result, or its failed record) is handed on, {@code nanos} after it was submitted. */
        void finished(long nanos);
    }

    private final String name;
    private final BlockingQueue<Pending<IN, OUT>> queue = new LinkedBlockingQueue<>();
    private final BlockingQueue<Pending<IN, OUT>> lookups = new LinkedBlockingQueue<>();
    private final Map<ResultFuture<OUT>, Pending<IN, OUT>> pending = new ConcurrentHashMap<>();
    private final BatchSettings settings;
    private final Function<IN, Object> batchKey;
    private final BatchProcessor<IN, OUT> processor;
    private final Lookup<IN, OUT> lookup;
    private final Thread lookupThread;
    private final Outcomes<IN, OUT> outcomes;
    private final Listener listener;
    private final List<Worker> workers = new ArrayList<>();
    private final ScheduledExecutorService timeouts;
    private volatile boolean running = true;

    DynamicBatcher(
            String name,
            int workerCount,
            BatchSettings settings,
            Function<IN, Object> batchKey,
            BatchProcessor<IN, OUT> processor,
            Lookup<IN, OUT> lookup,
            Outcomes<IN, OUT> outcomes,
            Listener listener) {
        this.name = name;
        this.settings = settings;
        this.batchKey = batchKey;
        this.processor = processor;
        this.lookup = lookup;
        this.outcomes = outcomes;
        this.listener = listener;
        this.timeouts = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name + "-timeouts");
            thread.setDaemon(true);
            return thread;
        });
        for (int i = 0; i < workerCount; i++) {
            Worker worker = new Worker(name + "-batcher-" + i);
            workers.add(worker);
            worker.thread.start();
        }
        lookupThread = new Thread(this::lookUp, name + "-lookup");
        lookupThread.setDaemon(true);
        lookupThread.start();
    }

    /**
     * Queues {@code input}, of which a process died in {@code crashes} calls (see {@link
     * CallLedger}). Those count as attempts: a request that reached {@code *.max-attempts} that way
     * is given up as {@code POISON_PILL} at once, and one that has crashed at all runs alone, so
     * that it cannot take others down with it again.
     */
    void submit(IN input, ResultFuture<OUT> result, int crashes) {
        Pending<IN, OUT> request = new Pending<>(input, result, crashes);
        pending.put(result, request);
        if (crashes >= settings.maxAttempts) {
            giveUp(request, DeadLetterReason.POISON_PILL,
                    "a process died in each of the " + crashes + " " + name + " calls this prompt was in");
            return;
        }
        (crashes > 0 ? queue : lookups).add(request);
    }

    /** Requests submitted and not yet answered: queued, or in a call. */
    int inFlight() {
        return pending.size();
    }

    /** The operator's timer for {@code result} fired; see the class comment. */
    void timedOut(ResultFuture<OUT> result) {
        Pending<IN, OUT> request = pending.get(result);
        if (request == null || request.done.get()) {
            return;
        }
        long timeoutNanos = settings.timeout.toNanos();
        long started = request.startedNanos;
        if (started != 0) {
            long runningNanos = System.nanoTime() - started;
            if (runningNanos >= timeoutNanos) {
                giveUp(request, DeadLetterReason.STAGE_TIMEOUT, "the " + name + " call for this prompt ran for more than "
                        + settings.timeout + " (attempt " + request.attempts + ")");
            } else {
                recheck(result, timeoutNanos - runningNanos);
            }
        } else if (allWorkersStuckFor(timeoutNanos)) {
            fail(request, new TimeoutException("Every " + name + " worker has been in one call for more than "
                    + settings.timeout + "; " + outcomes.describe(request.input) + " cannot be started"));
        } else {
            LOG.debug("{} is still queued after {}; it waits for a worker", outcomes.describe(request.input),
                    settings.timeout);
            recheck(result, timeoutNanos);
        }
    }

    private void recheck(ResultFuture<OUT> result, long delayNanos) {
        if (running) {
            timeouts.schedule(() -> timedOut(result), delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private boolean allWorkersStuckFor(long nanos) {
        long now = System.nanoTime();
        return workers.stream().allMatch(worker -> worker.busySinceNanos != 0 && now - worker.busySinceNanos >= nanos);
    }

    private final class Worker implements Runnable {
        final Thread thread;
        volatile long busySinceNanos;

        Worker(String threadName) {
            thread = new Thread(this, threadName);
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            try {
                while (running) {
                    List<Pending<IN, OUT>> collected = collect();
                    busySinceNanos = System.nanoTime();
                    for (List<Pending<IN, OUT>> group : groupByKey(collected)) {
                        attempt(group);
                    }
                    busySinceNanos = 0;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The lookup thread: hands on what is found made, queues the rest for the model batches. */
    private void lookUp() {
        try {
            while (running) {
                List<Pending<IN, OUT>> waiting = new ArrayList<>();
                waiting.add(lookups.take());
                lookups.drainTo(waiting, settings.maxInFlight - 1);
                List<OUT> found = find(waiting);
                for (int i = 0; i < waiting.size(); i++) {
                    Pending<IN, OUT> request = waiting.get(i);
                    OUT output = found.get(i);
                    if (output == null) {
                        queue.add(request);
                    } else if (!complete(request, outcomes.attempted(output, request.attempts + 1))) {
                        break;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The lookup's outputs for {@code waiting}, all null when it fails, even with an error: the
     * batches' call meets the same failure and deals with it by the rules of the class comment.
     */
    private List<OUT> find(List<Pending<IN, OUT>> waiting) {
        List<IN> inputs = new ArrayList<>(waiting.size());
        waiting.forEach(request -> inputs.add(request.input));
        try {
            return lookup.lookup(inputs);
        } catch (Throwable e) {
            LOG.debug("A {} lookup of {} failed; the model batches look them up again: {}", name, inputs.size(),
                    StageErrors.describe(e));
            return Collections.nCopies(inputs.size(), null);
        }
    }

    private List<Pending<IN, OUT>> collect() throws InterruptedException {
        List<Pending<IN, OUT>> batch = new ArrayList<>(settings.batchSize);
        batch.add(queue.take());
        long deadline = System.nanoTime() + settings.maxWait.toNanos();
        while (batch.size() < settings.batchSize) {
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
        List<List<Pending<IN, OUT>>> alone = new ArrayList<>();
        for (Pending<IN, OUT> request : batch) {
            if (request.attempts > 0) {
                alone.add(new ArrayList<>(List.of(request)));
            } else {
                groups.computeIfAbsent(batchKey.apply(request.input), k -> new ArrayList<>()).add(request);
            }
        }
        alone.addAll(groups.values());
        return alone;
    }

    /** Runs {@code group} until each of its requests has an output or is given up on. */
    private void attempt(List<Pending<IN, OUT>> group) throws InterruptedException {
        Backoff backoff = new Backoff(settings.retryTime);
        while (running) {
            group.removeIf(request -> request.done.get());
            if (group.isEmpty()) {
                return;
            }
            Optional<Exception> error = call(group);
            if (error.isEmpty() || !running || !retryAfter(group, error.get(), backoff)) {
                return;
            }
            listener.retried(group.size());
            backoff.sleep();
        }
    }

    /**
     * One model call for {@code group}: completes each request with its output and returns empty,
     * or returns the exception it failed with. A fatal error (not an exception) fails the requests.
     */
    private Optional<Exception> call(List<Pending<IN, OUT>> group) {
        List<IN> inputs = new ArrayList<>(group.size());
        for (Pending<IN, OUT> request : group) {
            request.start();
            inputs.add(request.input);
        }
        listener.batch(inputs.size());
        try {
            List<OUT> outputs = processor.process(inputs);
            for (int i = 0; i < group.size(); i++) {
                Pending<IN, OUT> request = group.get(i);
                if (!complete(request, outcomes.attempted(outputs.get(i), request.attempts))) {
                    break;
                }
            }
            return Optional.empty();
        } catch (ModelLoadException noModel) {
            LOG.error("The {} model failed to load; the job restarts from its last checkpoint", name, noModel);
            group.forEach(request -> fail(request, noModel));
            return Optional.empty();
        } catch (Exception e) {
            return Optional.of(e);
        } catch (OutOfMemoryError | StackOverflowError tooBig) {
            return Optional.of(new PromptTooBigException(tooBig));
        } catch (Throwable fatal) {
            LOG.error("A {} call of {} failed fatally; the job restarts from its last checkpoint", name, inputs.size(),
                    fatal);
            group.forEach(request -> fail(request, fatal));
            return Optional.empty();
        }
    }

    /**
     * Decides what {@code error} means for {@code group} (see the class comment): true to call
     * again after a backoff; false when every request of the group has been dealt with.
     */
    private boolean retryAfter(List<Pending<IN, OUT>> group, Exception error, Backoff backoff)
            throws InterruptedException {
        StageErrors.Kind kind = StageErrors.classify(error);
        if (kind == StageErrors.Kind.TRANSIENT) {
            if (backoff.exhausted()) {
                LOG.warn("A {} call of {} still fails after retrying for {}; the job restarts from its last"
                        + " checkpoint", name, group.size(), settings.retryTime, error);
                group.forEach(request -> fail(request, error));
                return false;
            }
            LOG.warn("A {} call of {} failed; retrying in {}: {}", name, group.size(), backoff, StageErrors.describe(error));
            return true;
        }
        if (group.size() > 1) {
            LOG.warn("A {} call of {} failed; running each of them on its own: {}", name, group.size(),
                    StageErrors.describe(error));
            listener.retried(group.size());
            for (Pending<IN, OUT> request : group) {
                attempt(new ArrayList<>(List.of(request)));
            }
            return false;
        }
        Pending<IN, OUT> request = group.get(0);
        if (request.attempts >= settings.maxAttempts) {
            giveUp(request, kind.reason(), StageErrors.describe(error));
            return false;
        }
        LOG.warn("{} failed on {} (attempt {} of {}); retrying in {}: {}", name, outcomes.describe(request.input),
                request.attempts, settings.maxAttempts, backoff, StageErrors.describe(error));
        return true;
    }

    /**
     * A call that ran out of memory or stack: most often one input too big for it, so it is
     * handled like a model error (split, retried alone, given up), never a restart that would
     * meet the same input again. The error is released with the call's data before the retry.
     */
    static final class PromptTooBigException extends Exception {
        private static final long serialVersionUID = 1L;

        PromptTooBigException(Error cause) {
            super("the call ran out of " + (cause instanceof OutOfMemoryError ? "memory" : "stack"), cause);
        }
    }

    /** Waits between attempts: from 100 ms doubling to 5 s; exhausted once the next wait would end past the retry time. */
    private static final class Backoff {
        private final long deadlineNanos;
        private long nextNanos = FIRST_BACKOFF_NANOS;

        Backoff(Duration retryTime) {
            this.deadlineNanos = System.nanoTime() + retryTime.toNanos();
        }

        boolean exhausted() {
            return System.nanoTime() + nextNanos > deadlineNanos;
        }

        void sleep() throws InterruptedException {
            TimeUnit.NANOSECONDS.sleep(nextNanos);
            nextNanos = Math.min(2 * nextNanos, MAX_BACKOFF_NANOS);
        }

        @Override
        public String toString() {
            return TimeUnit.NANOSECONDS.toMillis(nextNanos) + " ms";
        }
    }

    private void giveUp(Pending<IN, OUT> request, DeadLetterReason reason, String message) {
        LOG.warn("{} gives up on {} after {} attempt(s): {} {}", name, outcomes.describe(request.input), request.attempts,
                reason, message);
        if (complete(request, outcomes.failed(request.input, new StageFailure(name, reason, request.attempts, message)))) {
            listener.gaveUp(reason);
        }
    }

    /** Hands {@code output} to the operator once; false if the task is stopping (see {@link #deliver}). */
    private boolean complete(Pending<IN, OUT> request, OUT output) {
        if (!request.finish(pending)) {
            return true;
        }
        listener.finished(System.nanoTime() - request.submittedNanos);
        return deliver(() -> request.result.complete(List.of(output)));
    }

    private void fail(Pending<IN, OUT> request, Throwable error) {
        if (request.finish(pending)) {
            deliver(() -> request.result.completeExceptionally(error));
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
        timeouts.shutdownNow();
        workers.forEach(worker -> worker.thread.interrupt());
        lookupThread.interrupt();
        try {
            lookupThread.join(TimeUnit.SECONDS.toMillis(30));
            for (Worker worker : workers) {
                worker.thread.join(TimeUnit.SECONDS.toMillis(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Pending<IN, OUT> {
        final IN input;
        final ResultFuture<OUT> result;
        final AtomicBoolean done = new AtomicBoolean();
        final long submittedNanos = System.nanoTime();
        /** When the current attempt started (System.nanoTime), or 0 while queued. */
        volatile long startedNanos;
        /** Attempts made, counting the calls a process died in before this attempt of the job. */
        volatile int attempts;

        Pending(IN input, ResultFuture<OUT> result, int earlierAttempts) {
            this.input = input;
            this.result = result;
            this.attempts = earlierAttempts;
        }

        void start() {
            attempts++;
            startedNanos = System.nanoTime();
        }

        /** Marks this request done, once: true for the caller that did. */
        boolean finish(Map<ResultFuture<OUT>, Pending<IN, OUT>> pending) {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            pending.remove(result);
            return true;
        }
    }
}
