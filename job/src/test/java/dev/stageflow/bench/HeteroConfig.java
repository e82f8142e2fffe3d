package dev.stageflow.bench;

/**
 * How a hetero-bench job is laid out: per stage its parallelism and, when {@code async}, the
 * worker threads and the async capacity (inputs in flight) of each subtask. With {@code
 * slotGroups} each stage gets a slot-sharing group of its own (and so a task of its own, never
 * chained to its neighbours).
 */
public record HeteroConfig(String name, boolean async, boolean slotGroups, Stage produce, Stage infer, Stage write) {

    /** One stage: subtasks, worker threads per subtask and async capacity per subtask. */
    public record Stage(int parallelism, int threads, int capacity) {}

    /**
     * A static job as written without care: every stage at parallelism 1 on the operator thread,
     * chained into one task, so nothing overlaps.
     */
    public static HeteroConfig naive() {
        return new HeteroConfig("naive", false, false, new Stage(1, 1, 1), new Stage(1, 1, 1), new Stage(1, 1, 1));
    }

    /**
     * Each stage sized to the modelled machine. The accelerators get one worker each; the CPUs
     * are split between producers and writers in the ratio of their work (the paper's shape:
     * 800 producer units, 800 write units, so 4 + 4 of 8); inference may queue the whole payload
     * budget, so an accelerator never waits for a record it could have had. Each stage is async
     * in a task of its own.
     */
    public static HeteroConfig tuned(HeteroParams params) {
        long producerWork = (long) params.producerTasks() * params.producerUnits();
        int producers = (int) Math.max(1, Math.min(params.cpus() - 1,
                Math.round((double) params.cpus() * producerWork / params.cpuWorkUnits())));
        int writers = params.cpus() - producers;
        return new HeteroConfig("tuned", true, true,
                new Stage(1, producers, producers),
                new Stage(1, params.accelerators(), params.inFlightPayloads()),
                new Stage(1, writers, 2 * writers));
    }
}
