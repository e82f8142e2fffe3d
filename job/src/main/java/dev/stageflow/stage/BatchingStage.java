package dev.stageflow.stage;

import dev.stageflow.inference.ModelSpec;
import dev.stageflow.model.DeadLetterReason;
import dev.stageflow.model.PromptRecord;
import dev.stageflow.model.StageFailure;
import dev.stageflow.model.StageOutcome;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.StoreSettings;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.core.fs.Path;
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
 *
 * <p>A prompt the stage gives up on (see {@link DynamicBatcher} for when) leaves it as a failed
 * {@link PromptRecord}; a failed record arriving from an earlier stage is passed on untouched. Each
 * model call is recorded in the stage's {@link CallLedger} while it runs, so a prompt that keeps
 * killing its TaskManager is recognised after the restarts and given up as {@code POISON_PILL}.
 */
public abstract class BatchingStage<IN> extends RichAsyncFunction<IN, PromptRecord> {

    private static final long serialVersionUID = 1L;

    /** The name of the external resource that GPUs are in Flink's configuration ({@code external-resources}). */
    public static final String GPU_RESOURCE = "gpu";

    /** One suspect's call at a time per JVM (the classes of a job are shared by its tasks on a TaskManager). */
    private static final Semaphore SUSPECT_CALLS = new Semaphore(1);

    private final String stageName;
    protected final BatchSettings batch;
    private final StoreSettings ledgerStore;
    private transient DynamicBatcher<IN, PromptRecord> batcher;
    private transient CallLedger ledger;
    private transient Map<String, Integer> crashes;
    private transient Histogram batchSizes;
    private transient Counter cacheHits;
    private transient Counter cacheMisses;
    private transient Counter modelInputs;
    private transient Counter retries;
    private transient Counter failures;
    private transient Counter quarantined;
    private transient Histogram computeMillis;

    /** {@code ledgerStore}: the store whose root holds the stage's {@link CallLedger}. */
    protected BatchingStage(String stageName, BatchSettings batch, StoreSettings ledgerStore) {
        this.stageName = stageName;
        this.batch = batch;
        this.ledgerStore = ledgerStore;
    }

    @Override
    public final void open(OpenContext openContext) throws Exception {
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("stage", stageName);
        batchSizes = metrics.histogram("batchSize", new DescriptiveStatisticsHistogram(1_000));
        computeMillis = metrics.histogram("computeMillis", new DescriptiveStatisticsHistogram(1_000));
        cacheHits = metrics.counter("cacheHits", new ThreadSafeSimpleCounter());
        cacheMisses = metrics.counter("cacheMisses", new ThreadSafeSimpleCounter());
        modelInputs = metrics.counter("modelInputs", new ThreadSafeSimpleCounter());
        retries = metrics.counter("retries", new ThreadSafeSimpleCounter());
        failures = metrics.counter("deadLetters", new ThreadSafeSimpleCounter());
        quarantined = metrics.counter("quarantined", new ThreadSafeSimpleCounter());
        openStage();
        ledger = new CallLedger(new Path(ledgerStore.root), stageName,
                getRuntimeContext().getJobInfo().getJobId() + "." + getRuntimeContext().getTaskInfo().getAttemptNumber(),
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() + "-" + ProcessHandle.current().pid() + "-"
                        + UUID.randomUUID());
        crashes = ledger.crashes();
        batcher = new DynamicBatcher<>(stageName, workerCount(), batch, this::batchKey, this::recordedCall,
                new DynamicBatcher.Outcomes<>() {
                    @Override
                    public PromptRecord failed(IN input, StageFailure failure) {
                        return failedRecord(input).withFailure(failure);
                    }

                    @Override
                    public PromptRecord attempted(PromptRecord output, int attempts) {
                        ownOutcome(output).attempts = attempts;
                        return output;
                    }

                    @Override
                    public String describe(IN input) {
                        return "prompt " + promptIdOf(input);
                    }
                },
                new DynamicBatcher.Listener() {
                    @Override
                    public void batch(int size) {
                        synchronized (batchSizes) {
                            batchSizes.update(size);
                        }
                    }

                    @Override
                    public void retried(int requests) {
                        retries.inc(requests);
                    }

                    @Override
                    public void gaveUp(DeadLetterReason reason) {
                        failures.inc();
                    }
                });
    }

    /** Loads models and opens clients; runs once per subtask before the first request. */
    protected abstract void openStage() throws Exception;

    /** Runs one batch; returns one output per input, in order. Called from a batcher thread. */
    protected abstract List<PromptRecord> process(List<IN> inputs) throws Exception;

    /** Releases what {@link #openStage} opened. */
    protected abstract void closeStage() throws Exception;

    /** The record of {@code input} as it stands before this stage, to carry a failure on. */
    protected abstract PromptRecord failedRecord(IN input);

    /** This stage's outcome in a record it made. */
    protected abstract StageOutcome ownOutcome(PromptRecord record);

    /** Requests with equal keys may share a batch. */
    protected Object batchKey(IN input) {
        return "";
    }

    /**
     * {@code spec} on this TaskManager: a {@code cuda} device without an index becomes the GPU Flink
     * gave the TaskManager as its external resource {@value #GPU_RESOURCE} (README.md, "GPUs").
     */
    protected final ModelSpec onThisTaskManager(ModelSpec spec) {
        List<Integer> gpus = getRuntimeContext().getExternalResourceInfos(GPU_RESOURCE).stream()
                .flatMap(info -> info.getProperty("index").stream())
                .map(Integer::valueOf)
                .sorted()
                .toList();
        return spec.on(spec.device().assign(gpus));
    }

    /** Batcher threads; one per model instance (models are not shared between threads). */
    protected int workerCount() {
        return 1;
    }

    @Override
    public final void asyncInvoke(IN input, ResultFuture<PromptRecord> resultFuture) {
        if (input instanceof PromptRecord record && record.isFailed()) {
            resultFuture.complete(List.of(record));
            return;
        }
        batcher.submit(input, resultFuture, crashes.getOrDefault(promptIdOf(input), 0));
    }

    /**
     * One model call, recorded in the {@link CallLedger} while it runs. The call of a suspect (a
     * prompt a process died with before) waits until no other suspect's call runs in this JVM, of
     * any stage of the job: then a crash during it names one suspect, and a prompt that happened to
     * be in flight beside a poison pill at its first crash is not counted again at the next ones.
     */
    private List<PromptRecord> recordedCall(List<IN> inputs) throws Exception {
        boolean suspect = inputs.size() == 1 && crashes.getOrDefault(promptIdOf(inputs.get(0)), 0) > 0;
        if (suspect) {
            SUSPECT_CALLS.acquire();
        }
        try {
            ledger.calling(inputs.stream().map(this::promptIdOf).toList());
            try {
                return process(inputs);
            } finally {
                ledger.called();
            }
        } finally {
            if (suspect) {
                SUSPECT_CALLS.release();
            }
        }
    }

    private String promptIdOf(IN input) {
        return failedRecord(input).request.promptId;
    }

    /** See {@link DynamicBatcher}: a call running too long gives its prompts up, a queued request waits on. */
    @Override
    public final void timeout(IN input, ResultFuture<PromptRecord> resultFuture) {
        batcher.timedOut(resultFuture);
    }

    @Override
    public final void close() throws Exception {
        if (batcher != null) {
            batcher.close();
        }
        if (ledger != null) {
            ledger.close();
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

    /**
     * A store for this stage to write into: it counts what it quarantines in the stage's {@code
     * quarantined} metric, and the job is recorded as one of its writers before anything is written.
     */
    protected ArtifactStore openStore(StoreSettings settings) {
        ArtifactStore store = new ArtifactStore(settings, quarantined);
        if (settings.jobOutputDir != null) {
            store.registerWriter(settings.jobOutputDir);
        }
        return store;
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

    /** One share of a batch's wall time per request, so per-prompt times add up to stage time. */
    protected static long shareOf(long batchMillis, Collection<?> batch) {
        return batchMillis / Math.max(1, batch.size());
    }
}
