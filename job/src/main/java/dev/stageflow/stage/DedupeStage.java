package dev.stageflow.stage;

import dev.stageflow.config.StageflowMetric;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.DeadLetterReason;
import dev.stageflow.model.Json;
import dev.stageflow.model.PromptRequest;
import dev.stageflow.store.Hashing;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Lets each promptId through once within {@code dedupe.ttl}. Keyed by promptId; the content
 * fingerprint of the first prompt accepted lives in keyed state, so it survives restores and
 * rescaling. A later prompt with the same id and the same content is a duplicate, dropped and
 * counted; with different content it is a {@code PROMPT_ID_CONFLICT} dead letter on {@link
 * ParseValidateStage#DEAD_LETTERS}, since an id names one prompt and the first one keeps it.
 */
public class DedupeStage extends KeyedProcessFunction<String, PromptRequest, PromptRequest> {

    private static final long serialVersionUID = 1L;

    private final Duration ttl;
    private transient ValueState<String> accepted;
    private transient Counter duplicates;
    private transient Counter conflicts;

    public DedupeStage(Duration ttl) {
        this.ttl = ttl;
    }

    /**
     * The SHA-256 of everything that decides the output: normalised text and every parameter (the
     * negative text only when there is one).
     */
    public static String fingerprint(PromptRequest request) {
        return Hashing.sha256Hex("text=" + request.text + "\nseed=" + request.seed + "\nwidth=" + request.width
                + "\nheight=" + request.height + "\nsteps=" + request.steps + "\nstyle=" + request.style
                + "\nguidance=" + request.guidance
                + (request.negativeText == null || request.negativeText.isEmpty() ? "" : "\nnegative=" + request.negativeText));
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<String> descriptor = new ValueStateDescriptor<>("accepted-fingerprint", String.class);
        descriptor.enableTimeToLive(
                StateTtlConfig.newBuilder(ttl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .build());
        accepted = getRuntimeContext().getState(descriptor);
        duplicates = StageflowMetric.DUPLICATES_DROPPED.counter(getRuntimeContext().getMetricGroup());
        conflicts = StageflowMetric.PROMPT_ID_CONFLICTS.counter(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(PromptRequest request, Context ctx, Collector<PromptRequest> out)
            throws Exception {
        String fingerprint = fingerprint(request);
        String first = accepted.value();
        if (first == null) {
            accepted.update(fingerprint);
            out.collect(request);
        } else if (first.equals(fingerprint)) {
            duplicates.inc();
        } else {
            conflicts.inc();
            ctx.output(ParseValidateStage.DEAD_LETTERS, new DeadLetter(DeadLetterReason.PROMPT_ID_CONFLICT,
                    "promptId " + request.promptId + " was accepted before with different content"
                            + " (text or parameters); an id names one prompt, the first one keeps it",
                    Json.write(request), request.submittedAt));
        }
    }
}
