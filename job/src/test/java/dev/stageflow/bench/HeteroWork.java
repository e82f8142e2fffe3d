package dev.stageflow.bench;

import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.store.ArtifactKey;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.Codec;
import dev.stageflow.store.StoreSettings;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;

/**
 * The work of one hetero-bench stage on one input, giving its outputs; the same work runs in a
 * synchronous or an asynchronous operator ({@link HeteroStages}). Timed work holds a token of the
 * run's {@link VirtualResources}; store I/O is real work on the real machine and holds none.
 */
abstract class HeteroWork<I, O> implements Serializable {

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

    abstract List<O> apply(I input) throws Exception;

    void close() {}

    /** Works on a CPU for the producer's time units, then takes budget for its items and writes them to the store. */
    static final class Produce extends HeteroWork<Long, HeteroItem> {
        private final String storeUri;
        private transient ArtifactStore store;

        Produce(String runId, HeteroParams params, String storeUri) {
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
        List<HeteroItem> apply(Long task) throws InterruptedException {
            int id = Math.toIntExact(task);
            // A producer whose output does not fit the budget waits for it still holding its CPU,
            // as a task whose output cannot be put down is still running.
            resources.acquireTimed(resources.cpus);
            try {
                VirtualResources.parkFor(params.units(params.producerUnits()));
                resources.payloads.acquire(params.itemsPerTask());
            } finally {
                resources.releaseTimed(resources.cpus);
            }
            List<HeteroItem> items = new ArrayList<>(params.itemsPerTask());
            for (int i = 0; i < params.itemsPerTask(); i++) {
                int item = id * params.itemsPerTask() + i;
                byte[] payload = new byte[params.payloadBytes()];
                Arrays.fill(payload, (byte) item);
                ArtifactKey key = ArtifactKey.of("hetero-produce", "v1", "payload", Map.of("run", runId, "item", Integer.toString(item)));
                items.add(new HeteroItem(id, item, store.put(key, payload, "payload.bin", "application/octet-stream", Codec.NONE)));
            }
            return items;
        }

        @Override
        void close() {
            if (store != null) {
                store.close();
            }
        }
    }

    /** Reads the item's payload from the store (before taking an accelerator), infers on an accelerator, gives the payload's budget back. */
    static final class Infer extends HeteroWork<HeteroItem, HeteroItem> {
        private transient ArtifactStore store;
        private final String storeUri;

        Infer(String runId, HeteroParams params, String storeUri) {
            super(runId, params);
            this.storeUri = storeUri;
        }

        @Override
        void open() {
            super.open();
            Configuration conf = new Configuration();
            conf.set(StoreOptions.URI, storeUri);
            store = new ArtifactStore(StoreSettings.from(conf));
        }

        @Override
        List<HeteroItem> apply(HeteroItem item) throws InterruptedException {
            ArtifactRef ref = item.payload;
            byte[] payload = store.read(ref);
            if (payload.length != params.payloadBytes() || payload[payload.length - 1] != (byte) item.item) {
                throw new IllegalStateException("payload of item " + item.item + " at " + ref.uri + " is not the one produced");
            }
            resources.work(resources.accelerators, params.units(params.inferUnits()));
            resources.payloads.release(1);
            return List.of(new HeteroItem(item.task, item.item, null));
        }

        @Override
        void close() {
            if (store != null) {
                store.close();
            }
        }
    }

    /** Writes the item's result on a CPU and records the item as done. */
    static final class Write extends HeteroWork<HeteroItem, Integer> {

        Write(String runId, HeteroParams params) {
            super(runId, params);
        }

        @Override
        List<Integer> apply(HeteroItem item) throws InterruptedException {
            resources.work(resources.cpus, params.units(params.writeUnits()));
            resources.written(item.item);
            return List.of(item.item);
        }
    }
}
