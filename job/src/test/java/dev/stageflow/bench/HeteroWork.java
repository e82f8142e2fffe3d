package dev.stageflow.bench;

import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.store.ArtifactKey;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.Codec;
import dev.stageflow.store.StoreSettings;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;

/**
 * The work of one hetero-bench stage on one input, in three steps: store I/O before, timed work,
 * store I/O after. The same work runs in a synchronous operator (all three on the operator
 * thread) or an asynchronous one (I/O on a pool of its own, so it overlaps timed work:
 * {@link HeteroStages}). Timed work holds a token of the run's {@link VirtualResources}; store
 * I/O is real work on the real machine and holds none.
 */
abstract class HeteroWork<I, M, O> implements Serializable {

    final String runId;
    final HeteroParams params;
    transient VirtualResources resources;

    HeteroWork(String runId, HeteroParams params) {
        this.runId = runId;
        this.params = params;
    }

    void open() {
        resources = VirtualResources.of(runId);
    }

    /** Store I/O the timed work needs first (inference reads its payload). */
    abstract M before(I input);

    /** The timed work, holding tokens. */
    abstract M timed(M input) throws InterruptedException;

    /** Store I/O after the timed work (a producer writes its payloads), giving the outputs. */
    abstract List<O> after(M input);

    void close() {}

    /** Work that reads or writes the run's store, opened per subtask. */
    abstract static class StoreWork<I, M, O> extends HeteroWork<I, M, O> {
        private final String storeUri;
        transient ArtifactStore store;

        StoreWork(String runId, HeteroParams params, String storeUri) {
            super(runId, params);
            this.storeUri = storeUri;
        }

        @Override
        void open() {
            super.open();
            Configuration conf = new Configuration();
            conf.set(StoreOptions.URI, storeUri);
            conf.set(StoreOptions.CODEC, Codec.NONE.id());
            store = new ArtifactStore(StoreSettings.from(conf));
        }

        @Override
        void close() {
            if (store != null) {
                store.close();
            }
        }
    }

    /** Works on a CPU for the producer's time units, then takes budget for its items and writes them to the store. */
    static final class Produce extends StoreWork<Long, Long, HeteroItem> {
        private final Duration pacing;
        private transient Pacer pacer;

        /** A producer that starts a task at most every {@code pacing} (zero: whenever it can). */
        Produce(String runId, HeteroParams params, String storeUri, Duration pacing) {
            super(runId, params, storeUri);
            this.pacing = pacing;
        }

        @Override
        void open() {
            super.open();
            pacer = new Pacer(pacing.toNanos());
        }

        @Override
        Long before(Long task) {
            return task;
        }

        @Override
        Long timed(Long task) throws InterruptedException {
            VirtualResources.parkUntil(pacer.nextStart());
            // A producer whose output does not fit the budget waits for it still holding its CPU,
            // as a task whose output cannot be put down is still running.
            resources.acquireTimed(resources.cpus);
            try {
                VirtualResources.parkFor(params.units(params.producerUnits()));
                resources.payloads.acquire(params.itemsPerTask());
            } finally {
                resources.releaseTimed(resources.cpus);
            }
            return task;
        }

        @Override
        List<HeteroItem> after(Long task) {
            int id = Math.toIntExact(task);
            List<HeteroItem> items = new ArrayList<>(params.itemsPerTask());
            for (int i = 0; i < params.itemsPerTask(); i++) {
                int item = id * params.itemsPerTask() + i;
                byte[] payload = new byte[params.payloadBytes()];
                Arrays.fill(payload, (byte) item);
                ArtifactKey key = ArtifactKey.of("hetero-produce", "v1", "payload", Map.of("run", runId, "item", Integer.toString(item)));
                long start = System.nanoTime();
                items.add(new HeteroItem(id, item, store.put(key, payload, "payload.bin", "application/octet-stream", Codec.NONE)));
                resources.storeWrites.add(start);
            }
            return items;
        }
    }

    /**
     * Start times on a fixed grid from the first start, {@code interval} apart: a task behind the
     * grid starts at once, so one late start does not delay the ones after it.
     */
    static final class Pacer {
        private final long interval;
        private long origin;
        private long started;

        Pacer(long interval) {
            this.interval = interval;
        }

        synchronized long nextStart() {
            long now = System.nanoTime();
            if (started == 0) {
                origin = now;
            }
            return Math.max(now, origin + interval * started++);
        }
    }

    /** Reads the item's payload from the store (before taking an accelerator), infers on an accelerator, gives the payload's budget back. */
    static final class Infer extends StoreWork<HeteroItem, HeteroItem, HeteroItem> {

        Infer(String runId, HeteroParams params, String storeUri) {
            super(runId, params, storeUri);
        }

        @Override
        HeteroItem before(HeteroItem item) {
            ArtifactRef ref = item.payload;
            long start = System.nanoTime();
            byte[] payload = store.read(ref);
            resources.storeReads.add(start);
            if (payload.length != params.payloadBytes() || payload[payload.length - 1] != (byte) item.item) {
                throw new IllegalStateException("payload of item " + item.item + " at " + ref.uri + " is not the one produced");
            }
            return new HeteroItem(item.task, item.item, null);
        }

        @Override
        HeteroItem timed(HeteroItem item) throws InterruptedException {
            resources.work(resources.accelerators, params.units(params.inferUnits()));
            resources.payloads.release(1);
            return item;
        }

        @Override
        List<HeteroItem> after(HeteroItem item) {
            return List.of(item);
        }
    }

    /** Writes the item's result on a CPU and records the item as done. */
    static final class Write extends HeteroWork<HeteroItem, HeteroItem, Integer> {

        Write(String runId, HeteroParams params) {
            super(runId, params);
        }

        @Override
        HeteroItem before(HeteroItem item) {
            return item;
        }

        @Override
        HeteroItem timed(HeteroItem item) throws InterruptedException {
            resources.work(resources.cpus, params.units(params.writeUnits()));
            resources.written(item.item);
            return item;
        }

        @Override
        List<Integer> after(HeteroItem item) {
            return List.of(item.item);
        }
    }
}
