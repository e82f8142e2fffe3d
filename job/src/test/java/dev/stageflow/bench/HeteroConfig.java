package dev.stageflow.bench;

/**
 * How a hetero-bench job is laid out: per stage its parallelism and, when {@code async}, the
 * worker threads (timed work), the store I/O threads and the async capacity (inputs in flight) of
 * each subtask. With {@code slotGroups} each stage gets a slot-sharing group of its own (and so a
 * task of its own, never chained to its neighbours); {@code bufferTimeoutMs} is how long a record
 * may wait in a network buffer before it is sent (Flink's default is 100 ms, an eternity next to a
 * time unit: 0 sends each record at once); producer tasks start at most every {@code
 * producerPacingUnits} time units (0: whenever a producer is free).
 */
public record HeteroConfig(
        String name,
        boolean async,
        boolean slotGroups,
        long bufferTimeoutMs,
        double producerPacingUnits,
        Stage produce,
        Stage infer,
        Stage write) {

    /** One stage: subtasks, and per subtask its worker threads, store I/O threads and async capacity. */
    public record Stage(int parallelism, int threads, int ioThreads, int capacity) {}

    /**
     * A static job as written without care: every stage at parallelism 1 on the operator thread,
     * chained into one task, so nothing overlaps.
     */
    public static HeteroConfig naive() {
        return new HeteroConfig("naive", false, false, 100, 0, new Stage(1, 1, 1, 1), new Stage(1, 1, 1, 1), new Stage(1, 1, 1, 1));
    }

    /**
     * The layout of the paper's Flink baseline (ray-data-eval's {@code is_flink} variant): static
     * parallelism, half the CPUs for producers, one subtask per accelerator, half the CPUs for
     * writers, each subtask synchronous on its operator thread, Flink's defaults otherwise (so
     * stages of equal parallelism are chained into one task).
     */
    public static HeteroConfig staticLayout(HeteroParams params) {
        int half = Math.max(1, params.cpus() / 2);
        return new HeteroConfig("static", false, false, 100, 0,
                new Stage(half, 1, 1, 1), new Stage(params.accelerators(), 1, 1, 1), new Stage(half, 1, 1, 1));
    }

    /**
     * Each stage sized to the modelled machine. The accelerators get one worker each; the CPUs
     * are split between producers and writers in the ratio of their work (the paper's shape:
     * 800 producer units, 800 write units, so 4 + 4 of 8); inference may queue the whole payload
     * budget, so an accelerator never waits for a record it could have had, and its payloads are
     * read ahead on I/O threads of their own while the accelerators work. Each stage is async in
     * a task of its own, and records leave their network buffers at once. Producer tasks start
     * no faster than the accelerators take their output (one task's items ÷ accelerators × an
     * item's inference: 2.5 units), so the producers' outputs arrive spread out instead of in
     * bursts that fill the payload budget and stall producers holding CPUs (the budget still
     * fills when the accelerators fall behind). Producer and
     * write stages admit twice as many inputs as they have workers, so a worker finds its next
     * task queued while the one before is still being written to the store and emitted.
     */
    public static HeteroConfig tuned(HeteroParams params) {
        long producerWork = (long) params.producerTasks() * params.producerUnits();
        int producers = (int) Math.max(1, Math.min(params.cpus() - 1,
                Math.round((double) params.cpus() * producerWork / params.cpuWorkUnits())));
        int writers = params.cpus() - producers;
        double pacing = (double) params.itemsPerTask() * params.inferUnits() / params.accelerators();
        return new HeteroConfig("tuned", true, true, 0, pacing,
                new Stage(1, producers, producers, 2 * producers),
                new Stage(1, params.accelerators(), params.accelerators(), params.inFlightPayloads()),
                new Stage(1, writers, 1, 2 * writers));
    }
}
