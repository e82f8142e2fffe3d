package dev.stageflow.cli.report;

import dev.stageflow.config.JobOperator;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.StageOutcome;
import java.util.function.Function;

/** The model stages of a result row in pipeline order, with where each one's outcome is in the row. */
public enum ModelStage {
    TEXT_ENCODE(JobOperator.TEXT_ENCODE, result -> result.encode),
    IMAGE_GENERATE(JobOperator.IMAGE_GENERATE, result -> result.generate),
    IMAGE_ENHANCE(JobOperator.IMAGE_ENHANCE, result -> result.enhance);

    private final JobOperator operator;
    private final Function<GenerationResult, StageOutcome> outcome;

    ModelStage(JobOperator operator, Function<GenerationResult, StageOutcome> outcome) {
        this.operator = operator;
        this.outcome = outcome;
    }

    /** The stage id, as result rows, metrics and the store layout name it. */
    public String id() {
        return operator.uid();
    }

    public StageOutcome outcomeOf(GenerationResult result) {
        return outcome.apply(result);
    }
}
