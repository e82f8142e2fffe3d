package dev.stageflow.bench;

import java.io.Serializable;
import java.time.Duration;

/**
 * The machine and the work that hetero-bench models: the CPU → accelerator → CPU microbenchmark of
 * ray-data-eval ({@code microbenchmarks/raydata/cpu-gpu-cpu.py}, arXiv 2501.12407). Work is counted
 * in time units; {@code timeUnit} and {@code payloadBytes} scale the paper's 0.5 s and 100 MB down
 * so a run fits a small machine.
 *
 * @param cpus virtual CPUs
 * @param accelerators virtual accelerators
 * @param producerTasks producer tasks
 * @param itemsPerTask items a producer task emits once its work is done
 * @param producerUnits CPU time units of one producer task
 * @param inferUnits accelerator time units per item
 * @param writeUnits CPU time units per item of the write stage
 * @param inFlightPayloads payloads that may exist at once (written by a producer, not yet consumed by inference)
 * @param payloadBytes bytes of one payload
 * @param timeUnit wall time of one time unit
 */
public record HeteroParams(
        int cpus,
        int accelerators,
        int producerTasks,
        int itemsPerTask,
        int producerUnits,
        int inferUnits,
        int writeUnits,
        int inFlightPayloads,
        int payloadBytes,
        Duration timeUnit)
        implements Serializable {

    public HeteroParams {
        if (cpus < 1 || accelerators < 1 || producerTasks < 1 || itemsPerTask < 1) {
            throw new IllegalArgumentException("cpus, accelerators, producer tasks and items per task must be at least 1");
        }
        if (producerUnits < 0 || inferUnits < 0 || writeUnits < 0 || timeUnit.isNegative() || timeUnit.isZero()) {
            throw new IllegalArgumentException("work units must not be negative and the time unit must be positive");
        }
        if (inFlightPayloads < itemsPerTask) {
            throw new IllegalArgumentException("the in-flight budget (" + inFlightPayloads
                    + " payloads) must hold one producer task's output (" + itemsPerTask + " items)");
        }
    }

    /** The paper's parameters (8 CPUs, 4 accelerators, 80 × 10 items, 30 payloads of 100 MB in flight, 0.5 s units). */
    public static HeteroParams paper() {
        return new HeteroParams(8, 4, 80, 10, 10, 1, 1, 30, 100 * 1024 * 1024, Duration.ofMillis(500));
    }

    /** These parameters with another time unit and payload size. */
    public HeteroParams scaled(Duration unit, int bytes) {
        return new HeteroParams(cpus, accelerators, producerTasks, itemsPerTask, producerUnits, inferUnits, writeUnits,
                inFlightPayloads, bytes, unit);
    }

    public int items() {
        return producerTasks * itemsPerTask;
    }

    /** CPU time units of the whole run: every producer task and every item's write. */
    public long cpuWorkUnits() {
        return (long) producerTasks * producerUnits + (long) items() * writeUnits;
    }

    /** Accelerator time units of the whole run. */
    public long acceleratorWorkUnits() {
        return (long) items() * inferUnits;
    }

    /** No schedule ends before its CPUs have done all the CPU work: CPU work / CPUs. */
    public double cpuBoundUnits() {
        return (double) cpuWorkUnits() / cpus;
    }

    /**
     * No schedule ends before its accelerators have done their work after the first item exists
     * and before the last item is written: the busiest accelerator infers ⌈items / accelerators⌉
     * items (items are not divisible), none can start before the first producer task has finished,
     * and the last item inferred still has to be written.
     */
    public double acceleratorBoundUnits() {
        long perAccelerator = ((long) items() + accelerators - 1) / accelerators;
        return producerUnits + perAccelerator * inferUnits + writeUnits;
    }

    /** The ideal run time in time units: the larger of the CPU bound and the accelerator bound with its fill. */
    public double idealUnits() {
        return Math.max(cpuBoundUnits(), acceleratorBoundUnits());
    }

    /** The ideal run time at this time unit. */
    public Duration ideal() {
        return Duration.ofNanos(Math.round(idealUnits() * timeUnit.toNanos()));
    }

    public Duration units(int count) {
        return timeUnit.multipliedBy(count);
    }
}
