package dev.stageflow.stage;

import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.PromptRecord;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The end of the model stages: a record that went through all of them becomes its result row; a
 * record a stage gave up on becomes a dead letter on {@link ParseValidateStage#DEAD_LETTERS}
 * naming the stage, the reason and the attempts. Each prompt is exactly one of the two.
 */
public class SplitOutcomes extends ProcessFunction<PromptRecord, GenerationResult> {

    private static final long serialVersionUID = 1L;

    @Override
    public void processElement(PromptRecord record, Context ctx, Collector<GenerationResult> out) {
        if (record.isFailed()) {
            ctx.output(ParseValidateStage.DEAD_LETTERS,
                    DeadLetter.ofStageFailure(record, ctx.timerService().currentProcessingTime()));
        } else {
            out.collect(GenerationResult.of(record, ImageEnhanceStage.IMAGE));
        }
    }
}
