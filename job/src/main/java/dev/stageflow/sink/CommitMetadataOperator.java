package dev.stageflow.sink;

import dev.stageflow.config.MetricScope;
import dev.stageflow.config.StageflowMetric;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.redis.PromptMetadata;
import dev.stageflow.redis.RedisClient;
import dev.stageflow.redis.RedisSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import redis.clients.jedis.Pipeline;

/**
 * The {@code commit-metadata} operator: writes each committed prompt's hash {@code
 * sf:prompt:<promptId>} (see {@link PromptMetadata}) to Redis.
 *
 * <p>Safety rules. A row is written only after the checkpoint that commits its result row
 * completes: rows wait in operator list state tagged with the id of the first checkpoint taken after
 * them (the same checkpoint whose completion commits the FileSink's file holding the row), and
 * {@link #notifyCheckpointComplete} writes the rows of that checkpoint and all earlier ones. A
 * failed write, or a refusal by the open circuit breaker, leaves the rows pending; they go into the
 * next checkpoint and are written after a later one completes, so a Redis outage delays metadata
 * but loses none. Writes are idempotent ({@code HSET} of fixed values; {@code committedAt} with
 * {@code HSETNX}, so the first write's time stays), which makes the rewrite of rows restored from a
 * checkpoint whose notification already wrote them harmless. Bounded input ends with a final
 * checkpoint, whose notification writes the last rows; only when checkpointing is off (the sink
 * then commits at the end of input too) are rows written at the end of input.
 *
 * <p>Why not a Sink V2 committer ({@code SupportsCommitter}): since FLINK-36455 (Flink 2.0, so in
 * 2.2) a committable whose commit calls {@code retryLater()} is retried synchronously, {@code
 * sink.committer.retries} times (10) within the same checkpoint notification, and then the
 * committer operator throws and the job fails over. Rows cannot stay pending until a later
 * checkpoint, so a Redis outage longer than those retries would restart the job in a loop instead
 * of delaying metadata.
 */
public final class CommitMetadataOperator extends AbstractStreamOperator<Void>
        implements OneInputStreamOperator<GenerationResult, Void>, BoundedOneInput {

    private static final long serialVersionUID = 1L;
    /** Rows per pipelined round trip: bounded so one round trip stays well inside the read timeout. */
    static final int ROWS_PER_PIPELINE = 500;

    private final RedisSettings settings;
    private final boolean checkpointing;
    private transient RedisClient redis;
    private transient ListState<PendingMetadata> state;
    private transient List<PendingMetadata> pending;
    private transient Counter written;

    public CommitMetadataOperator(RedisSettings settings, boolean checkpointing) {
        this.settings = settings;
        this.checkpointing = checkpointing;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        state = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("pending-metadata", TypeInformation.of(PendingMetadata.class)));
        pending = new ArrayList<>();
        state.get().forEach(pending::add);
    }

    @Override
    public void open() throws Exception {
        super.open();
        redis = new RedisClient(settings);
        MetricGroup metrics = getMetricGroup();
        written = StageflowMetric.METADATA_WRITTEN.counter(metrics);
        StageflowMetric.METADATA_PENDING.gauge(metrics, () -> pending.size());
        redis.registerMetrics(MetricScope.REDIS.open(metrics));
    }

    @Override
    public void processElement(StreamRecord<GenerationResult> element) {
        GenerationResult result = element.getValue();
        pending.add(new PendingMetadata(result.promptId, PromptMetadata.fields(result)));
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        for (PendingMetadata row : pending) {
            if (row.checkpointId == PendingMetadata.UNASSIGNED) {
                row.checkpointId = context.getCheckpointId();
            }
        }
        state.update(pending);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        writeUpTo(checkpointId);
    }

    @Override
    public void endInput() {
        if (!checkpointing) {
            writeUpTo(PendingMetadata.UNASSIGNED);
        }
    }

    private void writeUpTo(long checkpointId) {
        List<PendingMetadata> due = pending.stream().filter(row -> row.checkpointId <= checkpointId).toList();
        Set<PendingMetadata> done = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int from = 0; from < due.size(); from += ROWS_PER_PIPELINE) {
            List<PendingMetadata> chunk = due.subList(from, Math.min(due.size(), from + ROWS_PER_PIPELINE));
            if (!redis.run("prompt metadata write", jedis -> write(jedis.pipelined(), chunk))) {
                break;
            }
            done.addAll(chunk);
        }
        pending.removeIf(done::contains);
        written.inc(done.size());
    }

    private static void write(Pipeline pipeline, List<PendingMetadata> rows) {
        String now = Long.toString(System.currentTimeMillis());
        for (PendingMetadata row : rows) {
            String key = PromptMetadata.keyOf(row.promptId);
            pipeline.hset(key, row.fieldMap());
            if (row.checkpointId != PendingMetadata.UNASSIGNED) {
                pipeline.hset(key, "checkpointId", Long.toString(row.checkpointId));
            }
            pipeline.hsetnx(key, "committedAt", now);
        }
        RedisClient.syncOrThrow(pipeline);
    }

    @Override
    public void close() throws Exception {
        if (redis != null) {
            redis.close();
        }
        super.close();
    }
}
