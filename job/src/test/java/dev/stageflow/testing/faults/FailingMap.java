package dev.stageflow.testing.faults;

import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * A test-only operator that passes records through and fails one subtask on purpose: once it has
 * seen {@code afterRecords} records, in each of the job's first {@code attempts} attempts (Flink's
 * attempt number, so the restarted job fails again until the count is used up). A test puts it at
 * the pipeline's seam, in front of its input or behind its results, where it chains into the task
 * of the operator next to it, so that task fails.
 */
public final class FailingMap<T> extends RichMapFunction<T, T> {

    private static final long serialVersionUID = 1L;

    private final String label;
    private final int afterRecords;
    private final int attempts;
    private final int subtask;
    private transient boolean active;
    private transient long seen;

    private FailingMap(String label, int afterRecords, int attempts, int subtask) {
        this.label = label;
        this.afterRecords = afterRecords;
        this.attempts = attempts;
        this.subtask = subtask;
    }

    /** {@code stream} behind a failing pass-through operator (uid {@code testing-fail-<label>}). */
    public static <T> DataStream<T> behind(DataStream<T> stream, String label, int afterRecords, int attempts) {
        return stream.map(new FailingMap<T>(label, afterRecords, attempts, 0))
                .returns(stream.getType())
                .uid("testing-fail-" + label)
                .name("Injected failures (" + label + ")");
    }

    @Override
    public void open(OpenContext openContext) {
        TaskInfo task = getRuntimeContext().getTaskInfo();
        active = task.getIndexOfThisSubtask() == subtask && task.getAttemptNumber() < attempts;
        seen = 0;
    }

    @Override
    public T map(T record) {
        if (active && ++seen >= afterRecords) {
            active = false;
            InjectedFailures.record(label);
            throw new IllegalStateException("Injected failure (" + label + ") in subtask " + subtask + " after " + seen
                    + " records");
        }
        return record;
    }
}
