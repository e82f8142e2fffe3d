package dev.stageflow.faults;

import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Passes records through and fails on purpose as its {@link FaultInjector} says. The pipeline
 * chains it right behind a plain operator (parse-validate, result-rows) only when a fault test
 * targets that operator, so the failure happens in the operator's own task.
 */
public final class FaultInjectingMap<T> extends RichMapFunction<T, T> {

    private static final long serialVersionUID = 1L;

    private final FaultInjector faults;
    private final ModelCallLog log;

    public FaultInjectingMap(FaultInjector faults, ModelCallLog log) {
        this.faults = faults;
        this.log = log;
    }

    @Override
    public void open(OpenContext openContext) {
        TaskInfo task = getRuntimeContext().getTaskInfo();
        log.open(faults.stage(), task.getIndexOfThisSubtask(), task.getAttemptNumber());
        faults.open(task.getIndexOfThisSubtask(), task.getAttemptNumber(), log);
    }

    @Override
    public T map(T record) {
        faults.beforeBatch(1);
        return record;
    }

    @Override
    public void close() {
        log.close();
    }
}
