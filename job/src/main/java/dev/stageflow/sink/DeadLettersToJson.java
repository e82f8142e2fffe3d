package dev.stageflow.sink;

import dev.stageflow.config.MetricScope;
import dev.stageflow.config.StageflowMetric;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.Json;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/**
 * A dead letter as one JSON line, counted by its reason code ({@code reason.<reason>.deadLetters}):
 * every dead letter of the job passes here, whichever operator made it, so this one metric tells
 * what goes wrong how often. A reason's counter appears with its first dead letter.
 */
public final class DeadLettersToJson extends RichMapFunction<DeadLetter, String> {

    private static final long serialVersionUID = 1L;

    private transient Map<String, Counter> byReason;

    @Override
    public void open(OpenContext openContext) {
        byReason = new HashMap<>();
    }

    @Override
    public String map(DeadLetter deadLetter) {
        byReason.computeIfAbsent(deadLetter.reason, reason -> StageflowMetric.DEAD_LETTERS.counter(
                MetricScope.DEAD_LETTER_REASON.open(getRuntimeContext().getMetricGroup(), reason))).inc();
        return Json.write(deadLetter);
    }
}
