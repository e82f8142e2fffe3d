package dev.stageflow.stage;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeoutException;
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
    private transient DynamicBatcher<IN, OUT> batcher;
    private transient Histogram batchSizes;
    private transient Counter cacheHits;
    private transient Counter cacheMisses;
    private transient Counter modelInputs;
    private transient Histogram computeMillis;

    protected BatchingStage(String stageName, BatchSettings batch) {
        this.stageName = stageName;
        this.batch = batch;
    }

    @Override
    public final void open(OpenContext openContext) throws Exception {
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("stage", stageName);
        batchSizes = metrics.histogram("batchSize", new DescriptiveStatisticsHistogram(1_000));
        computeMillis = metrics.histogram("computeMillis", new DescriptiveStatisticsHistogram(1_000));
        cacheHits = metrics.counter("cacheHits", new ThreadSafeSimpleCounter());
        cacheMisses = metrics.counter("cacheMisses", new ThreadSafeSimpleCounter());
        modelInputs = metrics.counter("modelInputs", new ThreadSafeSimpleCounter());
        openStage();
        batcher = new DynamicBatcher<>(
                stageName, workerCount(), batch.batchSize, batch.maxWait, this::batchKey, this::process, this::recordBatchSize);
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
        closeStage();
    }

    /**
     * Counts {@code count} inputs handed to the model ({@code modelInputs}): the work paid for,
     * which a replay that finds its earlier work in the store or the cache does not pay again.
     */
    protected void recordModelInputs(int count) {
        modelInputs.inc(count);
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
