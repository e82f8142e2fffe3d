package dev.stageflow.stage;

import dev.stageflow.faults.FaultInjector;
import dev.stageflow.faults.ModelCallLog;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * A model stage: an async function whose requests a {@link DynamicBatcher} groups into batches.
 * The model is loaded per subtask in {@link #open} (via {@link #openStage}) and released in {@link
 * #close}; subclasses implement {@link #process} for one batch.
 *
 * <p>Every stage writes its artifacts at content keys and looks them up before computing, so a
 * request replayed after a failure finds the previous attempt's work instead of redoing it.
 */
public abstract class BatchingStage<IN, OUT> extends RichAsyncFunction<IN, OUT> {

    private static final long serialVersionUID = 1L;

    private final String stageName;
    protected final BatchSettings batch;
    private FaultInjector faults;
    private ModelCallLog callLog = ModelCallLog.disabled();
    private transient DynamicBatcher<IN, OUT> batcher;
    private transient Histogram batchSizes;
    private transient Counter cacheHits;
    private transient Counter cacheMisses;
    private transient Histogram computeMillis;

    protected BatchingStage(String stageName, BatchSettings batch) {
        this.stageName = stageName;
        this.batch = batch;
        this.faults = FaultInjector.disabled(stageName);
    }

    /**
     * Installs the fault-test hooks ({@code testing.*} options): an injector that may fail this
     * stage on purpose and a log of its model calls. Both do nothing unless their options are set.
     */
    public BatchingStage<IN, OUT> withTestHooks(FaultInjector faults, ModelCallLog callLog) {
        this.faults = faults;
        this.callLog = callLog;
        return this;
    }

    @Override
    public final void open(OpenContext openContext) throws Exception {
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("stage", stageName);
        batchSizes = metrics.histogram("batchSize", new DescriptiveStatisticsHistogram(1_000));
        computeMillis = metrics.histogram("computeMillis", new DescriptiveStatisticsHistogram(1_000));
        cacheHits = metrics.counter("cacheHits", new ThreadSafeSimpleCounter());
        cacheMisses = metrics.counter("cacheMisses", new ThreadSafeSimpleCounter());
        TaskInfo task = getRuntimeContext().getTaskInfo();
        callLog.open(stageName, task.getIndexOfThisSubtask(), task.getAttemptNumber());
        faults.open(task.getIndexOfThisSubtask(), task.getAttemptNumber(), callLog);
        openStage();
        batcher = new DynamicBatcher<>(
                stageName, workerCount(), batch.batchSize, batch.maxWait, this::batchKey, this::runBatch, this::recordBatchSize);
    }

    private List<OUT> runBatch(List<IN> inputs) throws Exception {
        faults.beforeBatch(inputs.size());
        return process(inputs);
    }

    /** Loads models and opens clients; runs once per subtask before the first request. */
    protected abstract void openStage() throws Exception;

    /** Runs one batch; returns one output per input, in order. Called from a batcher thread. */
    protected abstract List<OUT> process(List<IN> inputs) throws Exception;

    /** Releases what {@link #openStage} opened. */
    protected abstract void closeStage() throws Exception;

    /** Requests with equal keys may share a batch. */
    protected Object batchKey(IN input) {
        return "";
    }

    /** Batcher threads; one per model instance (models are not shared between threads). */
    protected int workerCount() {
        return 1;
    }

    @Override
    public final void asyncInvoke(IN input, ResultFuture<OUT> resultFuture) {
        batcher.submit(input, resultFuture);
    }

    @Override
    public void timeout(IN input, ResultFuture<OUT> resultFuture) {
        resultFuture.completeExceptionally(new TimeoutException(
                "Stage " + stageName + " did not finish " + input + " within " + batch.timeout));
    }

    @Override
    public final void close() throws Exception {
        if (batcher != null) {
            batcher.close();
        }
        try {
            closeStage();
        } finally {
            callLog.close();
        }
    }

    /**
     * Records that the model is about to compute the outputs of {@code keys} (the model call log);
     * the keys are computed only when the log is on.
     */
    protected void recordModelCall(Stream<String> keys) {
        callLog.calls(keys);
    }

    /**
     * Records that one prompt's outputs are written ({@code storedKeys}: its store artifacts, none for
     * the cache); a mid-batch fault injection fails here.
     */
    protected void recordWritten(String... storedKeys) {
        for (String key : storedKeys) {
            callLog.stored(key);
        }
        faults.afterWrite();
    }

    /** Counts one request as a cache hit or miss. */
    protected void recordLookup(boolean hit) {
        (hit ? cacheHits : cacheMisses).inc();
    }

    /** Records the model time of one call that started at {@code startNanos}. */
    protected void recordCompute(long startNanos) {
        synchronized (computeMillis) {
            computeMillis.update((System.nanoTime() - startNanos) / 1_000_000);
        }
    }

    private void recordBatchSize(int size) {
        synchronized (batchSizes) {
            batchSizes.update(size);
        }
    }

    /** One share of a batch's wall time per request, so per-prompt times add up to stage time. */
    protected static long shareOf(long batchMillis, Collection<?> batch) {
        return batchMillis / Math.max(1, batch.size());
    }
}
