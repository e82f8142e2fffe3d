package dev.stageflow.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.Json;
import dev.stageflow.store.ArtifactKey;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.StoreSettings;
import dev.stageflow.testing.JobRuns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Large artifacts through the artifact store as claim checks, with checkpoints: a job in a {@link
 * BenchCluster} configured as {@code stageflow run}'s, where a write stage puts one artifact of
 * {@code artifactBytes} incompressible bytes per input line into an {@link ArtifactStore} (the
 * store's codec, chunked, on its I/O pool) and passes its {@link ArtifactRef} on, and a read stage
 * reads it back (every chunk's and the whole SHA-256 verified), checks its size and deletes it. Both
 * are async operators on one worker thread each, like the model stages. In the <b>streaming</b> mode
 * the read stage takes each artifact as it comes, so about one is in flight; in the <b>held</b> mode
 * it waits until all {@code artifacts} are written, so all are in flight at once, and the benchmark
 * checkpoints then. Same artifacts, same work, in each mode; what differs is how many wait in the
 * store between the stages. The heap is sampled throughout ({@link HeapSampler}); with claim checks it
 * holds the artifacts being written or read, never those waiting, so its peak does not grow with
 * them, and {@code -Xmx} below artifacts × size shows that it could not.
 */
final class ArtifactHeap {

    private static final Map<String, Progress> RUNS = new ConcurrentHashMap<>();

    private final Path work;
    private final int artifactBytes;
    private final int artifacts;

    ArtifactHeap(Path work, int artifactBytes, int artifacts) {
        this.work = work;
        this.artifactBytes = artifactBytes;
        this.artifacts = artifacts;
    }

    /** Both modes in each of {@code rounds} rounds, interleaved. */
    ObjectNode measure(int rounds) throws Exception {
        ObjectNode figure = Json.MAPPER.createObjectNode();
        figure.put("artifactBytes", artifactBytes);
        figure.put("artifacts", artifacts);
        figure.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        figure.put("heldBytes", (long) artifactBytes * artifacts);
        List<Double> ratios = new ArrayList<>();
        ArrayNode modes = figure.putArray("modes");
        ObjectNode streaming = modes.addObject().put("mode", "streaming");
        ObjectNode held = modes.addObject().put("mode", "held");
        for (ObjectNode mode : List.of(streaming, held)) {
            mode.putArray("runs");
        }
        for (int r = 0; r < rounds; r++) {
            ObjectNode one = run(false);
            ObjectNode all = run(true);
            ((ArrayNode) streaming.get("runs")).add(one);
            ((ArrayNode) held.get("runs")).add(all);
            ratios.add((double) all.get("peakHeapAfterGcBytes").asLong() / one.get("peakHeapAfterGcBytes").asLong());
            System.out.printf("artifacts round %d: streaming peak %d in flight, heap %d MB (after GC %d MB); held %d in flight"
                            + " (%d MB), heap %d MB (after GC %d MB), checkpoints %s ms%n", r + 1,
                    one.get("peakArtifactsInFlight").asInt(), one.get("peakHeapBytes").asLong() >> 20,
                    one.get("peakHeapAfterGcBytes").asLong() >> 20, all.get("peakArtifactsInFlight").asInt(),
                    all.get("peakInFlightBytes").asLong() >> 20, all.get("peakHeapBytes").asLong() >> 20,
                    all.get("peakHeapAfterGcBytes").asLong() >> 20, all.get("checkpointMillis"));
        }
        for (ObjectNode mode : List.of(streaming, held)) {
            for (String field : List.of("peakHeapBytes", "peakHeapAfterGcBytes", "peakArtifactsInFlight", "peakInFlightBytes")) {
                List<Double> values = new ArrayList<>();
                mode.get("runs").forEach(run -> values.add(run.get(field).asDouble()));
                mode.set(field, Json.MAPPER.valueToTree(Spread.of(values).toMap()));
            }
            List<Double> millis = new ArrayList<>();
            List<Double> state = new ArrayList<>();
            mode.get("runs").forEach(run -> {
                run.get("checkpointMillis").forEach(value -> millis.add(value.asDouble()));
                run.get("checkpointStateBytes").forEach(value -> state.add(value.asDouble()));
            });
            mode.set("checkpointMillis", Json.MAPPER.valueToTree(Spread.of(millis).toMap()));
            mode.set("checkpointStateBytes", Json.MAPPER.valueToTree(Spread.of(state).toMap()));
        }
        figure.set("heldOverStreamingPeakHeapAfterGc", Json.MAPPER.valueToTree(Spread.of(ratios).toMap()));
        return figure;
    }

    private ObjectNode run(boolean hold) throws Exception {
        String runId = "artifacts-" + UUID.randomUUID();
        Path dir = work.resolve(runId);
        Path input = Files.createDirectories(dir.resolve("input"));
        Configuration conf = BenchCluster.configuration(Map.of(
                "execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString(),
                "execution.checkpointing.interval", "1 h",
                StoreOptions.URI.key(), dir.resolve("store").toUri().toString()));
        Progress progress = new Progress(hold);
        RUNS.put(runId, progress);
        HeapSampler heap = new HeapSampler();
        List<BenchCluster.Checkpoint> checkpoints = new ArrayList<>();
        System.gc();
        try (BenchCluster cluster = BenchCluster.start(conf)) {
            StreamExecutionEnvironment env = new StreamExecutionEnvironment(conf);
            build(env, runId, input, StoreSettings.from(conf));
            cluster.submit(env.getStreamGraph().getJobGraph());
            heap.start();
            JobRuns.publish(input, "ids.txt", IntStream.range(0, artifacts).mapToObj(i -> "artifact-" + i).toList());
            if (hold) {
                cluster.awaitWhileRunning(artifacts + " artifacts written", Duration.ofMinutes(20),
                        () -> progress.written.get() == artifacts);
                for (int i = 0; i < 3; i++) {
                    checkpoints.add(cluster.checkpoint());
                }
                progress.gate.countDown();
            }
            while (progress.read.get() < artifacts) {
                cluster.requireRunning();
                if (!hold) {
                    checkpoints.add(cluster.checkpoint());
                }
                Thread.sleep(hold ? 100 : 500);
            }
            heap.stop();
        } finally {
            heap.stop();
            RUNS.remove(runId);
            BenchFiles.deleteRecursively(dir);
        }
        ObjectNode run = Json.MAPPER.createObjectNode();
        run.put("peakArtifactsInFlight", progress.peakInFlight.get());
        run.put("peakInFlightBytes", (long) progress.peakInFlight.get() * artifactBytes);
        run.put("peakHeapBytes", heap.peak());
        run.put("peakHeapAfterGcBytes", heap.peakAfterGc());
        ArrayNode millis = run.putArray("checkpointMillis");
        ArrayNode state = run.putArray("checkpointStateBytes");
        checkpoints.forEach(c -> {
            millis.add(c.durationMillis());
            state.add(c.stateBytes());
        });
        return run;
    }

    private void build(StreamExecutionEnvironment env, String runId, Path input, StoreSettings store) {
        FileSource<String> source = FileSource.forRecordStreamFormat(new TextLineInputFormat(),
                        new org.apache.flink.core.fs.Path(input.toUri()))
                .monitorContinuously(Duration.ofMillis(200))
                .build();
        DataStream<String> ids = env.fromSource(source, WatermarkStrategy.noWatermarks(), "Artifact ids").uid("artifact-ids");
        // Queues deeper than the artifacts, so a checkpoint barrier never waits behind a full one.
        DataStream<ArtifactRef> written = AsyncDataStream.unorderedWait(ids,
                new WriteArtifact(runId, store, artifactBytes), 1, TimeUnit.HOURS, 2 * artifacts)
                .uid("write-artifact").name("Write artifact");
        AsyncDataStream.unorderedWait(written, new ReadArtifact(runId, store), 1, TimeUnit.HOURS, 2 * artifacts)
                .uid("read-artifact").name("Read artifact")
                .sinkTo(new DiscardingSink<>()).uid("discard").name("Discard");
    }

    /** What the stages of one run did, JVM-wide (the job runs in this JVM). */
    private static final class Progress {
        final AtomicInteger written = new AtomicInteger();
        final AtomicInteger read = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger peakInFlight = new AtomicInteger();
        final CountDownLatch gate;

        Progress(boolean hold) {
            gate = new CountDownLatch(hold ? 1 : 0);
        }

        void written() {
            written.incrementAndGet();
            peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        }

        void read() {
            inFlight.decrementAndGet();
            read.incrementAndGet();
        }
    }

    /** An async stage with its store and one worker thread. */
    private abstract static class StoreStage<IN, OUT> extends RichAsyncFunction<IN, OUT> {
        final String runId;
        final StoreSettings settings;
        transient ArtifactStore store;
        transient ExecutorService worker;

        StoreStage(String runId, StoreSettings settings) {
            this.runId = runId;
            this.settings = settings;
        }

        @Override
        public void open(OpenContext openContext) {
            store = new ArtifactStore(settings);
            worker = Executors.newSingleThreadExecutor();
        }

        @Override
        public void asyncInvoke(IN input, ResultFuture<OUT> result) {
            worker.execute(() -> {
                try {
                    result.complete(List.of(work(input, RUNS.get(runId))));
                } catch (Throwable failure) {
                    result.completeExceptionally(failure);
                }
            });
        }

        abstract OUT work(IN input, Progress progress) throws Exception;

        @Override
        public void close() {
            if (worker != null) {
                worker.shutdownNow();
            }
            if (store != null) {
                store.close();
            }
        }
    }

    /** Puts {@code bytes} pseudo-random bytes per id into the store. */
    private static final class WriteArtifact extends StoreStage<String, ArtifactRef> {
        private final int bytes;

        WriteArtifact(String runId, StoreSettings settings, int bytes) {
            super(runId, settings);
            this.bytes = bytes;
        }

        @Override
        ArtifactRef work(String id, Progress progress) {
            byte[] payload = new byte[bytes];
            new SplittableRandom(id.hashCode()).nextBytes(payload);
            ArtifactRef ref = store.put(ArtifactKey.of("memory-bench", "v1", "payload", Map.of("id", id)), payload,
                    "payload.bin", "application/octet-stream", settings.intermediateCodec);
            progress.written();
            return ref;
        }
    }

    /** Reads an artifact back (verified by the store), checks its size and deletes it. */
    private static final class ReadArtifact extends StoreStage<ArtifactRef, Long> {

        ReadArtifact(String runId, StoreSettings settings) {
            super(runId, settings);
        }

        @Override
        Long work(ArtifactRef ref, Progress progress) throws Exception {
            progress.gate.await();
            byte[] payload = store.read(ref);
            if (payload.length != ref.rawSize) {
                throw new IllegalStateException("Read " + payload.length + " bytes of " + ref.uri + ", expected " + ref.rawSize);
            }
            org.apache.flink.core.fs.Path dir = new org.apache.flink.core.fs.Path(ref.uri);
            dir.getFileSystem().delete(dir, true);
            progress.read();
            return (long) payload.length;
        }
    }
}
