package dev.stageflow.config;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/**
 * The options every model stage has, under the stage's prefix ({@code encoder.}, {@code
 * generator.}, {@code enhancer.}): how requests are batched, how many run at once, and how long
 * one may take.
 */
@OptionsSection(title = "Model stages (batching, parallelism, timeouts)", position = 60)
public final class StageOptions {

    public static final StageOptions ENCODER = new StageOptions("encoder", JobOperator.TEXT_ENCODE, 16, 20, 1);
    public static final StageOptions GENERATOR =
            new StageOptions("generator", JobOperator.IMAGE_GENERATE, 4, 20, 1);
    public static final StageOptions ENHANCER =
            new StageOptions("enhancer", JobOperator.IMAGE_ENHANCE, 1, 0, 1);

    public static final List<StageOptions> ALL = List.of(ENCODER, GENERATOR, ENHANCER);

    public final String prefix;
    public final ConfigOption<Integer> batchSize;
    public final ConfigOption<Duration> batchMaxWait;
    public final ConfigOption<Integer> parallelism;
    public final ConfigOption<Integer> threads;
    public final ConfigOption<Integer> maxInFlight;
    public final ConfigOption<Duration> timeout;
    public final ConfigOption<Integer> maxAttempts;
    public final ConfigOption<Duration> retryTime;
    public final ConfigOption<String> slotSharingGroup;
    public final ConfigOption<Double> slotCpuCores;
    public final ConfigOption<MemorySize> slotTaskHeapMemory;
    public final ConfigOption<Double> slotGpus;

    private StageOptions(
            String prefix, JobOperator operator, int batchSize, long maxWaitMillis, int threads) {
        String stage = operator.uid();
        this.prefix = prefix;
        this.batchSize =
                ConfigOptions.key(prefix + ".batch.size")
                        .intType()
                        .defaultValue(batchSize)
                        .withDescription(
                                "Most requests the " + stage + " stage runs in one model call.");
        this.batchMaxWait =
                ConfigOptions.key(prefix + ".batch.max-wait")
                        .durationType()
                        .defaultValue(Duration.ofMillis(maxWaitMillis))
                        .withDescription(
                                "How long the " + stage + " stage waits for more requests to"
                                        + " fill a batch once it has one.");
        this.parallelism =
                ConfigOptions.key(prefix + ".parallelism")
                        .intType()
                        .defaultValue(-1)
                        .withDescription(
                                "Parallelism of the " + stage + " operator; -1 uses the job's"
                                        + " default parallelism.");
        this.threads =
                ConfigOptions.key(prefix + ".threads")
                        .intType()
                        .defaultValue(threads)
                        .withDescription(
                                "Compute threads of one " + stage + " subtask (model intra-op"
                                        + " threads).");
        this.maxInFlight =
                ConfigOptions.key(prefix + ".max-in-flight")
                        .intType()
                        .defaultValue(256)
                        .withDescription(
                                "Requests one " + stage + " subtask holds at once (async I/O"
                                        + " capacity); they are part of its checkpoint. Large"
                                        + " enough to hold the backlog, so checkpoint barriers"
                                        + " are never stuck behind a full queue; at the end of a"
                                        + " bounded input the stage finishes them all before the"
                                        + " final checkpoint.");
        this.timeout =
                ConfigOptions.key(prefix + ".timeout")
                        .durationType()
                        .defaultValue(Duration.ofMinutes(2))
                        .withDescription(
                                "Longest one " + stage + " call may run for a prompt, counted from the start of"
                                        + " the call (time queued does not count). A call that runs longer makes"
                                        + " its prompts STAGE_TIMEOUT dead letters; only when every worker is"
                                        + " stuck that long does the job restart from its last checkpoint.");
        this.maxAttempts =
                ConfigOptions.key(prefix + ".max-attempts")
                        .intType()
                        .defaultValue(3)
                        .withDescription(
                                "Attempts the " + stage + " stage makes for a prompt it fails on (the model"
                                        + " fails on the input, or an input artifact is corrupt) before the"
                                        + " prompt becomes a MODEL_ERROR or CORRUPT_ARTIFACT dead letter. A"
                                        + " failed batch is first split, so other prompts never share the"
                                        + " failure.");
        this.retryTime =
                ConfigOptions.key(prefix + ".retry-time")
                        .durationType()
                        .defaultValue(Duration.ofMinutes(1))
                        .withDescription(
                                "How long the " + stage + " stage retries a call that fails on the store,"
                                        + " Redis or the network, in place with backoff from 100 ms to 5 s,"
                                        + " before the job restarts from its last checkpoint. Shorter than "
                                        + prefix + ".timeout.");
        this.slotSharingGroup =
                ConfigOptions.key(prefix + ".slot-sharing-group")
                        .stringType()
                        .noDefaultValue()
                        .withDescription(
                                "The slot-sharing group of the " + stage + " operator. Unset: Flink's"
                                        + " default group, which every operator shares, one subtask of each"
                                        + " per slot. A group of its own puts the stage's subtasks in slots of"
                                        + " their own, which " + prefix + ".slot.* can size.");
        this.slotCpuCores =
                ConfigOptions.key(prefix + ".slot.cpu-cores")
                        .doubleType()
                        .noDefaultValue()
                        .withDescription(
                                "CPU cores of a slot of " + prefix + ".slot-sharing-group (Flink's"
                                        + " fine-grained resource management); set with "
                                        + prefix + ".slot.task-heap-memory.");
        this.slotTaskHeapMemory =
                ConfigOptions.key(prefix + ".slot.task-heap-memory")
                        .memoryType()
                        .noDefaultValue()
                        .withDescription(
                                "Task heap memory of a slot of " + prefix + ".slot-sharing-group; set"
                                        + " with " + prefix + ".slot.cpu-cores.");
        this.slotGpus =
                ConfigOptions.key(prefix + ".slot.gpus")
                        .doubleType()
                        .defaultValue(0.0)
                        .withDescription(
                                "GPUs (Flink's external resource 'gpu') of a slot of " + prefix
                                        + ".slot-sharing-group, so each GPU runs one " + stage + " subtask;"
                                        + " needs " + prefix + ".slot.cpu-cores and "
                                        + prefix + ".slot.task-heap-memory, and TaskManagers that declare"
                                        + " the resource (README.md, \"GPUs\").");
    }
}
