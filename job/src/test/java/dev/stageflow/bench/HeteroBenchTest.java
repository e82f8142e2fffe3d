package dev.stageflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HeteroBenchTest {

    private static final Duration UNIT = Duration.ofMillis(1);

    @Test
    void paperParametersAreAcceleratorBoundWithTheirFill() {
        HeteroParams paper = HeteroParams.paper();
        assertThat(paper.cpuWorkUnits()).isEqualTo(80 * 10 + 800);
        assertThat(paper.cpuBoundUnits()).isEqualTo(200.0);
        // 200 units of inference per accelerator, none before the first producer task ends (10),
        // and the last item inferred is still to be written (1).
        assertThat(paper.acceleratorBoundUnits()).isEqualTo(211.0);
        assertThat(paper.idealUnits()).isEqualTo(211.0);
        assertThat(paper.ideal()).isEqualTo(Duration.ofMillis(105_500));
        assertThat(paper.scaled(Duration.ofMillis(10), 1024).ideal()).isEqualTo(Duration.ofMillis(2_110));
    }

    @Test
    void fewerCpusMakeTheCpuTheBound() {
        HeteroParams params = new HeteroParams(2, 4, 80, 10, 10, 1, 1, 30, 1024, UNIT);
        assertThat(params.cpuBoundUnits()).isEqualTo(800.0);
        assertThat(params.idealUnits()).isEqualTo(800.0);
    }

    @Test
    void itemsAreNotDividedBetweenAccelerators() {
        HeteroParams params = new HeteroParams(64, 4, 1, 10, 2, 5, 1, 10, 1024, UNIT);
        // 10 items on 4 accelerators: the busiest infers 3 of them.
        assertThat(params.acceleratorBoundUnits()).isEqualTo(2 + 3 * 5 + 1);
        assertThat(params.idealUnits()).isEqualTo(18.0);
    }

    @Test
    void refusesABudgetThatCannotHoldOneTasksOutput() {
        assertThatThrownBy(() -> new HeteroParams(8, 4, 80, 10, 10, 1, 1, 9, 1024, UNIT))
                .hasMessageContaining("in-flight budget (9 payloads)");
    }

    @Test
    void tunedLayoutSplitsTheCpusByWorkAndNeverExceedsThem() {
        HeteroConfig paper = HeteroConfig.tuned(HeteroParams.paper());
        assertThat(paper.produce().threads()).isEqualTo(4);
        assertThat(paper.write().threads()).isEqualTo(4);
        assertThat(paper.infer().threads()).isEqualTo(4);
        assertThat(paper.infer().capacity()).isEqualTo(30);
        HeteroConfig producerHeavy = HeteroConfig.tuned(new HeteroParams(8, 4, 80, 10, 30, 1, 1, 30, 1024, UNIT));
        assertThat(producerHeavy.produce().threads()).isEqualTo(6);
        assertThat(producerHeavy.write().threads()).isEqualTo(2);
    }

    @Test
    void noMoreWorkersHoldATokenThanThePoolHas() throws Exception {
        VirtualResources resources = new VirtualResources(new HeteroParams(3, 1, 1, 1, 1, 1, 1, 1, 1, UNIT));
        List<Thread> workers = new ArrayList<>();
        AtomicBoolean failed = new AtomicBoolean();
        for (int i = 0; i < 12; i++) {
            Thread worker = new Thread(() -> {
                try {
                    for (int n = 0; n < 5; n++) {
                        resources.work(resources.cpus, Duration.ofMillis(5));
                    }
                } catch (InterruptedException e) {
                    failed.set(true);
                }
            });
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        assertThat(failed).isFalse();
        assertThat(resources.cpus.peak()).isBetween(1, 3);
        assertThat(resources.cpus.busyNanos()).isGreaterThanOrEqualTo(Duration.ofMillis(5).toNanos() * 60);
        assertThat(resources.makespan()).isPositive();
    }

    @Test
    void aProducerWaitsForPayloadBudgetUntilInferenceGivesItBack() throws Exception {
        VirtualResources resources = new VirtualResources(new HeteroParams(8, 4, 4, 10, 1, 1, 1, 30, 1000, UNIT));
        for (int task = 0; task < 3; task++) {
            resources.payloads.acquire(10);
        }
        AtomicBoolean fourthWrote = new AtomicBoolean();
        Thread fourth = new Thread(() -> {
            try {
                resources.payloads.acquire(10);
                fourthWrote.set(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        fourth.start();
        while (fourth.getState() != Thread.State.WAITING && !fourthWrote.get()) {
            Thread.onSpinWait();
        }
        assertThat(fourthWrote).isFalse();
        resources.payloads.release(9);
        assertThat(fourth.getState()).isEqualTo(Thread.State.WAITING);
        resources.payloads.release(1);
        fourth.join();
        assertThat(fourthWrote).isTrue();
        assertThat(resources.payloads.peak()).isEqualTo(30);
        assertThat(resources.payloads.peakBytes()).isEqualTo(30_000);
    }

    @Test
    void producerStartsFollowAGridFromTheFirstAndUnpacedOnesStartAtOnce() throws Exception {
        long hour = Duration.ofHours(1).toNanos();
        HeteroWork.Pacer pacer = new HeteroWork.Pacer(hour);
        long first = pacer.nextStart();
        assertThat(pacer.nextStart()).isEqualTo(first + hour);
        assertThat(pacer.nextStart()).isEqualTo(first + 2 * hour);
        HeteroWork.Pacer unpaced = new HeteroWork.Pacer(0);
        long before = System.nanoTime();
        unpaced.nextStart();
        assertThat(unpaced.nextStart()).isGreaterThanOrEqualTo(before).isLessThanOrEqualTo(System.nanoTime());
    }

    @Test
    void writtenItemsCountDuplicates() {
        VirtualResources resources = new VirtualResources(HeteroParams.paper());
        resources.written(1);
        resources.written(2);
        resources.written(2);
        assertThat(resources.itemsWritten()).isEqualTo(2);
        assertThat(resources.duplicates()).isEqualTo(1);
    }
}
