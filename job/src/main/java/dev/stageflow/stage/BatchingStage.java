package dev.stageflow.stage;

import dev.stageflow.config.MetricScope;
import dev.stageflow.config.StageflowMetric;
import dev.stageflow.inference.ModelKind;
import dev.stageflow.inference.ModelSpec;
import dev.stageflow.model.DeadLetterReason;
import dev.stageflow.model.PromptRecord;
import dev.stageflow.model.StageFailure;
import dev.stageflow.model.StageOutcome;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.StoreMetrics;
import dev.stageflow.store.StoreSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * A model stage: an async function whose requests a {@link DynamicBatcher} groups into batches.
 * The model is opened per subtask in {@link #open} (via {@link #openStage}, as a {@link StageModel}:
 * loaded there, or at the first cache miss) and released in {@link #close}; subclasses implement
 * {@link #lookup} for the requests whose outputs exist already and {@link #process} for one batch.
 *
 * <p>Every stage writes its artifacts at content keys and looks them up before computing, so a
 * request replayed after a failure finds the previous attempt's work instead of redoing it, and a
 * rerun finds the earlier run's: {@link #lookup} hands those on in large batches without the model.
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
    private transient MetricGroup metrics;
    private transient Histogram batchSizes;
    private transient Histogram latencyMillis;
    private transient Counter cacheHits;
    private transient Counter cacheMisses;
    private transient Counter modelInputs;
    private transient Counter modelLoads;
    private transient Counter retries;
    private transient Counter failures;
    private transient Counter quarantined;
    private transient Histogram computeMillis;
    private transient Counter computeMillisTotal;
    /** The metrics of each store root this stage opened, shared by the stores of one root. */
    private transient Map<String, StoreMetrics> storeMetrics;

    /** {@code ledgerStore}: the store whose root holds the stage's {@link CallLedger}. */
    protected BatchingStage(String stageName, BatchSettings batch, StoreSettings ledgerStore) {
        this.stageName = stageName;
        this.batch = batch;
        this.ledgerStore = ledgerStore;
    }

    @Override
    public final void open(OpenContext openContext) throws Exception {
        metrics = MetricScope.STAGE.open(getRuntimeContext().getMetricGroup(), stageName);
        batchSizes = StageflowMetric.BATCH_SIZE.histogram(metrics);
        latencyMillis = StageflowMetric.LATENCY_MILLIS.histogram(metrics);
        computeMillis = StageflowMetric.COMPUTE_MILLIS.histogram(metrics);
        computeMillisTotal = StageflowMetric.COMPUTE_MILLIS_TOTAL.counter(metrics);
        StageflowMetric.IN_FLIGHT.gauge(metrics, () -> batcher == null ? 0 : batcher.inFlight());
        cacheHits = StageflowMetric.CACHE_HITS.counter(metrics);
        cacheMisses = StageflowMetric.CACHE_MISSES.counter(metrics);
        modelInputs = StageflowMetric.MODEL_INPUTS.counter(metrics);
        modelLoads = StageflowMetric.MODEL_LOADS.counter(metrics);
        retries = StageflowMetric.RETRIES.counter(metrics);
        failures = StageflowMetric.STAGE_DEAD_LETTERS.counter(metrics);
        quarantined = StageflowMetric.QUARANTINED.counter(metrics);
        storeMetrics = new HashMap<>();
        openStage();
        ledger = new CallLedger(new Path(ledgerStore.root), stageName,
                getRuntimeContext().getJobInfo().getJobId() + "." + getRuntimeContext().getTaskInfo().getAttemptNumber(),
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() + "-" + ProcessHandle.current().pid() + "-"
                        + UUID.randomUUID());
        crashes = ledger.crashes();
        batcher = new DynamicBatcher<>(stageName, workerCount(), batch, this::batchKey, this::recordedCall, this::lookup,
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

                    @Override
                    public void finished(long nanos) {
                        synchronized (latencyMillis) {
                            latencyMillis.update(nanos / 1_000_000);
                        }
                    }
                });
    }

    /** Opens models ({@link #openModel}) and clients; runs once per subtask before the first request. */
    protected abstract void openStage() throws Exception;

    /**
     * The outputs of {@code inputs} found already made (cache, store), without the model: one per
     * input, in order, null for a miss, which then joins a batch for {@link #process}. Counts each
     * hit ({@link #recordLookup}), not the misses, which {@link #process} counts. Called from the
     * batcher's lookup thread with up to {@code *.max-in-flight} inputs.
     */
    protected abstract List<PromptRecord> lookup(List<IN> inputs) throws Exception;

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

    /** The model {@code spec} asks for on this TaskManager, loaded now or at its first use ({@link StageModel}); counted in {@code modelLoads}. */
    protected final <M extends AutoCloseable> StageModel<M> openModel(ModelKind<M, ?> kind, ModelSpec spec) {
        return StageModel.open(kind, onThisTaskManager(spec), modelLoads::inc);
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

    /** This stage's metric group ({@code stage.<id>}), for the metrics of one stage only. */
    protected MetricGroup stageMetrics() {
        return metrics;
    }

    /**
     * A store for this stage to write into: it counts what it quarantines in the stage's {@code
     * quarantined} metric and its bytes and reused artifacts in the metrics of its root, and the job is
     * recorded as one of its writers before anything is written.
     */
    protected ArtifactStore openStore(StoreSettings settings) {
        ArtifactStore store = new ArtifactStore(settings, storeMetrics.computeIfAbsent(storeLabel(settings.root), root -> {
            MetricGroup group = MetricScope.STAGE_STORE.open(getRuntimeContext().getMetricGroup(), stageName, root);
            return new StoreMetrics(quarantined, StageflowMetric.BYTES_WRITTEN.counter(group),
                    StageflowMetric.BYTES_READ.counter(group), StageflowMetric.ARTIFACTS_REUSED.counter(group));
        }));
        if (settings.jobOutputDir != null) {
            store.registerWriter(settings.jobOutputDir);
        }
        return store;
    }

    /** A store root as a metric label: without user info, which could hold a credential. */
    static String storeLabel(URI root) {
        if (root.getUserInfo() == null) {
            return root.toString();
        }
        try {
            return new URI(root.getScheme(), null, root.getHost(), root.getPort(), root.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Not a store root: " + root.getScheme() + "://" + root.getHost(), e);
        }
    }

    /** Counts one request as a cache hit or miss. */
    protected void recordLookup(boolean hit) {
        (hit ? cacheHits : cacheMisses).inc();
    }

    /** Records the model time of one call that started at {@code startNanos}. */
    protected void recordCompute(long startNanos) {
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        computeMillisTotal.inc(millis);
        synchronized (computeMillis) {
            computeMillis.update(millis);
        }
    }

    /** One share of a batch's wall time per request, so per-prompt times add up to stage time. */
    protected static long shareOf(long batchMillis, Collection<?> batch) {
        return batchMillis / Math.max(1, batch.size());
    }
}
