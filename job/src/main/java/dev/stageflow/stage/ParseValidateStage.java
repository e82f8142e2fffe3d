package dev.stageflow.stage;

import dev.stageflow.config.StageflowMetric;
import dev.stageflow.config.JobOperator;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.InputLine;
import dev.stageflow.model.PromptRequest;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Parses and validates input lines. Valid prompts go on; everything else becomes a {@link
 * DeadLetter} on {@link #DEAD_LETTERS} with a reason code. Blank lines are skipped. Nothing an
 * input line contains can fail the job.
 */
public class ParseValidateStage extends ProcessFunction<InputLine, PromptRequest> {

    public static final String STAGE = JobOperator.PARSE_VALIDATE.uid();

    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private final RequestLimits limits;
    private transient PromptParser parser;
    private transient Counter deadLetters;

    public ParseValidateStage(RequestLimits limits) {
        this.limits = limits;
    }

    @Override
    public void open(OpenContext openContext) {
        parser = new PromptParser(limits);
        deadLetters = StageflowMetric.INVALID_INPUTS.counter(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(InputLine line, Context ctx, Collector<PromptRequest> out) {
        long now = ctx.timerService().currentProcessingTime();
        try {
            parser.parse(line, now).ifPresent(out::collect);
        } catch (InvalidPromptException e) {
            deadLetters.inc();
            ctx.output(DEAD_LETTERS, new DeadLetter(e.reason(), e.getMessage(), line.lenientText(), now));
        }
    }
}
