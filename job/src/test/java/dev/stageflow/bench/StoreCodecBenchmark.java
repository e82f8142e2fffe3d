package dev.stageflow.bench;

import static dev.stageflow.bench.BenchFiles.deleteRecursively;
import static dev.stageflow.bench.BenchFiles.round;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.inference.ClassicalEnhancer;
import dev.stageflow.inference.EnhanceSettings;
import dev.stageflow.inference.ImageGenerator.Generated;
import dev.stageflow.inference.ImageGenerator.GenerationInput;
import dev.stageflow.inference.MiniLmTextEncoder;
import dev.stageflow.inference.OnnxImageGenerator;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.Json;
import dev.stageflow.model.Style;
import dev.stageflow.servers.S3ProxyServer;
import dev.stageflow.store.ArtifactKey;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.Codec;
import dev.stageflow.store.Npy;
import dev.stageflow.store.StoreSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystem.WriteMode;

/**
 * The artifact store against a raw write of the same bytes to the same file system, for every
 * codec × chunk size, on the project's own artifacts: latent tensors ({@code .npy}, float16) and
 * enhanced PNG images generated from the example prompts.
 *
 * <p>Each cell (file system × artifacts × codec × chunk size) is measured in {@code repeats}
 * interleaved rounds after an unrecorded warm-up round. A pass of a cell writes every artifact to
 * a fresh store root and reads it back (verified, as stages read), and right beside it the raw
 * baseline writes the same bytes through the same Flink {@link FileSystem} (one create, write and
 * close per artifact, into one directory) and reads them back (one open and one read of the known
 * length per file); which of the two goes first alternates. A round keeps the best of a few passes
 * of each figure (as many as fit in about 0.3 s, at most 9), and its ratios compare the store with
 * the raw baseline of the same round. Both are driven by the one benchmark thread, one artifact at
 * a time, as a stage worker calls the store; the store may use its own I/O pool inside a call
 * ({@code store.io-threads}: concurrent chunks, and the hash of a large artifact beside its
 * writes), the raw write needs none. Artifact keys are computed before the clock starts;
 * directories are deleted after it stops. Nothing is synced, for either: on a disk both write into
 * the page cache, and reads come from it.
 *
 * <p>Usage: {@code StoreCodecBenchmark <prompts.jsonl> <name=dir,...> <result.json> [prompts]
 * [size] [repeats]}; each {@code name=dir} is a file system to measure on (e.g. {@code
 * disk=job/target/bench-store,shm=/dev/shm/stageflow-bench-store}), {@code name=s3proxy:dir} an
 * S3 API server (S3Proxy, its blobs in {@code dir}) reached through Flink's s3 file system.
 */
public final class StoreCodecBenchmark {

    private static final List<String> CHUNK_SIZES = List.of("64kb", "256kb", "1mb", "4mb");
    private static final String LATENTS = "latent-npy-float16";
    private static final String IMAGES = "enhanced-png";
    /** Latents are small (32 KiB at 512²): each is stored this many times under distinct keys, so a set takes long enough to time. */
    private static final int LATENT_COPIES = 4;
    private static final String S3PROXY = "s3proxy:";
    /** About how long one cell is measured per round (its passes together). */
    private static final long CELL_NANOS = 300_000_000L;
    private static final int MAX_PASSES = 9;

    private record Artifact(String name, byte[] bytes, String fileName, String mediaType) {}

    /** A file system to measure on: a root for the store and the raw files, and the S3 server behind it, if any. */
    private record Target(String name, URI root, AutoCloseable server) {

        org.apache.flink.core.fs.Path path(String child) {
            return new org.apache.flink.core.fs.Path(root.toString() + "/" + child);
        }

        void delete(String child) throws IOException {
            org.apache.flink.core.fs.Path path = path(child);
            FileSystem fs = path.getFileSystem();
            if (fs.exists(path)) {
                fs.delete(path, true);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        List<Target> targets = targets(args[1]);
        try {
            run(args, targets);
        } finally {
            for (Target target : targets) {
                if (target.server != null) {
                    target.server.close();
                }
            }
        }
    }

    private static void run(String[] args, List<Target> targets) throws Exception {
        Path prompts = Paths.get(args[0]);
        Path resultFile = Paths.get(args[2]);
        int count = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        int size = args.length > 4 ? Integer.parseInt(args[4]) : 512;
        int repeats = args.length > 5 ? Integer.parseInt(args[5]) : 3;

        List<String> texts = new ArrayList<>();
        for (String line : Files.readAllLines(prompts)) {
            String text = textOf(line);
            if (!text.isBlank() && texts.size() < count) {
                texts.add(text);
            }
        }
        Map<String, List<Artifact>> datasets = artifacts(texts, size);

        ObjectNode result = Json.MAPPER.createObjectNode();
        result.put("prompts", texts.size());
        result.put("imageSide", size);
        result.put("repeats", repeats);
        result.put("cores", Runtime.getRuntime().availableProcessors());
        result.put("java", System.getProperty("java.version"));
        result.put("loadAverageAtStart", round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        ObjectNode defaults = result.putObject("defaults");
        defaults.put("latentCodec", defaultCodec(LATENTS).id());
        defaults.put("imageCodec", defaultCodec(IMAGES).id());
        defaults.put("chunkSize", StoreOptions.CHUNK_SIZE.defaultValue().toString());
        defaults.put("ioThreads", StoreOptions.IO_THREADS.defaultValue());
        ArrayNode fileSystems = result.putArray("fileSystems");
        List<Cell> cells = new ArrayList<>();
        for (Target target : targets) {
            fileSystems.addObject().put("name", target.name).put("root", target.root.toString())
                    .put("server", target.server == null ? "none" : "S3Proxy (filesystem backend) in a child JVM on loopback");
            for (Map.Entry<String, List<Artifact>> dataset : datasets.entrySet()) {
                for (Codec codec : Codec.values()) {
                    for (String chunkSize : CHUNK_SIZES) {
                        cells.add(new Cell(target, dataset.getKey(), dataset.getValue(), codec, chunkSize, repeats));
                    }
                }
            }
        }
        // Round-robin: every round measures every cell once, so drift on a noisy machine spreads
        // over all cells alike; round -1 warms up the JIT and the page cache and is not recorded.
        for (int round = -1; round < repeats; round++) {
            for (Cell cell : cells) {
                cell.measure(round);
            }
            System.out.println("round " + (round + 1) + " of " + repeats + " done");
        }
        ArrayNode rows = result.putArray("results");
        for (Cell cell : cells) {
            rows.add(cell.toJson(find(cells, cell.target, cell.dataset, Codec.NONE, cell.chunkSize)));
        }
        ArrayNode headline = result.putArray("headline");
        for (Target target : targets) {
            headline.add(headline(target, cells));
        }
        for (Target target : targets) {
            target.delete("");
        }
        Files.createDirectories(resultFile.toAbsolutePath().getParent());
        Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(resultFile.toFile(), result);
        System.out.println("Wrote " + resultFile);
    }

    /**
     * The default configuration as the pipeline uses it: latents in {@code store.codec}'s default,
     * images as they are, chunks of the default size; each set on its own and both together
     * (a prompt's latent and its image), as ratios of the raw baseline's time in the same round.
     */
    private static ObjectNode headline(Target target, List<Cell> cells) {
        String chunk = defaultChunk();
        Cell latents = find(cells, target, LATENTS, defaultCodec(LATENTS), chunk);
        Cell images = find(cells, target, IMAGES, defaultCodec(IMAGES), chunk);
        int repeats = latents.storeWrite.length;
        double[] write = new double[repeats];
        double[] read = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            write[i] = (latents.rawWrite[i] + images.rawWrite[i]) / (latents.storeWrite[i] + images.storeWrite[i]);
            read[i] = (latents.rawRead[i] + images.rawRead[i]) / (latents.storeRead[i] + images.storeRead[i]);
        }
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("fileSystem", target.name);
        putStats(node.putObject("writeVsRaw"), write);
        putStats(node.putObject("readVsRaw"), read);
        for (Cell cell : List.of(latents, images)) {
            ObjectNode part = node.putObject(cell.dataset);
            part.put("codec", cell.codec.id());
            putStats(part.putObject("writeVsRaw"), ratios(cell.rawWrite, cell.storeWrite));
            putStats(part.putObject("readVsRaw"), ratios(cell.rawRead, cell.storeRead));
        }
        System.out.printf("%-5s default configuration: store/raw write %.2f (%.2f-%.2f), read %.2f (%.2f-%.2f)%n", target.name,
                median(write), min(write), max(write), median(read), min(read), max(read));
        return node;
    }

    private static Codec defaultCodec(String dataset) {
        return dataset.equals(LATENTS) ? Codec.parse(StoreOptions.CODEC.defaultValue()) : Codec.NONE;
    }

    private static String defaultChunk() {
        return CHUNK_SIZES.stream()
                .filter(chunk -> MemorySize.parse(chunk).equals(StoreOptions.CHUNK_SIZE.defaultValue()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("The default chunk size is not among " + CHUNK_SIZES));
    }

    private static Cell find(List<Cell> cells, Target target, String dataset, Codec codec, String chunkSize) {
        return cells.stream()
                .filter(c -> c.target.equals(target) && c.dataset.equals(dataset) && c.codec == codec && c.chunkSize.equals(chunkSize))
                .findFirst()
                .orElseThrow();
    }

    /**
     * {@code name=dir} is a local directory; {@code name=s3proxy:dir} starts S3Proxy (its blobs in
     * {@code dir}) on a free loopback port and measures on {@code s3://} through Flink's s3 file
     * system plugin ({@code FLINK_PLUGINS_DIR}).
     */
    private static List<Target> targets(String spec) throws IOException {
        List<Target> targets = new ArrayList<>();
        for (String entry : spec.split(",")) {
            String[] parts = entry.split("=", 2);
            if (parts.length != 2) {
                throw new IllegalArgumentException("File systems are name=dir or name=s3proxy:dir, comma-separated; got " + entry);
            }
            if (parts[1].startsWith(S3PROXY)) {
                Path blobs = Paths.get(parts[1].substring(S3PROXY.length())).toAbsolutePath();
                deleteRecursively(blobs);
                S3ProxyServer s3 = S3ProxyServer.start(blobs, "bench");
                s3.initializeFlinkFileSystems();
                targets.add(new Target(parts[0], s3.uri("store-bench"), () -> {
                    s3.close();
                    deleteRecursively(blobs);
                }));
            } else {
                targets.add(new Target(parts[0], Paths.get(parts[1]).toAbsolutePath().toUri(), null));
            }
        }
        return targets;
    }

    /** The prompt text of a JSON line; empty for the examples' deliberately invalid lines. */
    private static String textOf(String line) {
        try {
            return Json.MAPPER.readTree(line).path("text").asText("");
        } catch (JsonProcessingException e) {
            return "";
        }
    }

    /** Latents and enhanced images of {@code texts}, as the pipeline would store them. */
    private static Map<String, List<Artifact>> artifacts(List<String> texts, int size) {
        List<Artifact> latents = new ArrayList<>();
        List<Artifact> images = new ArrayList<>();
        ClassicalEnhancer enhancer = new ClassicalEnhancer(EnhanceSettings.defaults());
        try (MiniLmTextEncoder encoder = MiniLmTextEncoder.builtin(1, 128);
                OnnxImageGenerator generator = OnnxImageGenerator.builtin(2)) {
            for (int i = 0; i < texts.size(); i++) {
                float[] embedding = encoder.encode(List.of(texts.get(i)))[0];
                Generated generated = generator.generate(List.of(new GenerationInput(embedding, i, size, size, 8))).get(0);
                byte[] npy = Npy.write(generated.latent, generated.latentShape, Npy.NpyDType.FLOAT16);
                for (int copy = 0; copy < LATENT_COPIES; copy++) {
                    latents.add(new Artifact("latent-" + i + "-" + copy, npy, "latent.npy", "application/x-npy"));
                }
                images.add(new Artifact("image-" + i,
                        enhancer.enhance(generated.image, Style.values()[i % Style.values().length]).toPng(),
                        "image.png", "image/png"));
            }
        }
        Map<String, List<Artifact>> datasets = new LinkedHashMap<>();
        datasets.put(LATENTS, latents);
        datasets.put(IMAGES, images);
        return datasets;
    }

    /** One file system × artifacts × codec × chunk size, store and raw baseline measured once per round. */
    private static final class Cell {
        final Target target;
        final String dataset;
        final List<Artifact> artifacts;
        final Codec codec;
        final String chunkSize;
        final long rawBytes;
        final List<ArtifactKey> keys = new ArrayList<>();
        final double[] storeWrite;
        final double[] storeRead;
        final double[] rawWrite;
        final double[] rawRead;
        long storedBytes;
        int passes = 1;

        Cell(Target target, String dataset, List<Artifact> artifacts, Codec codec, String chunkSize, int repeats) {
            this.target = target;
            this.dataset = dataset;
            this.artifacts = artifacts;
            this.codec = codec;
            this.chunkSize = chunkSize;
            this.rawBytes = artifacts.stream().mapToLong(a -> a.bytes.length).sum();
            for (Artifact artifact : artifacts) {
                keys.add(ArtifactKey.of("bench", "v1", artifact.name, Map.of("codec", codec.id())));
            }
            this.storeWrite = new double[repeats];
            this.storeRead = new double[repeats];
            this.rawWrite = new double[repeats];
            this.rawRead = new double[repeats];
        }

        /**
         * One round: the best of {@link #passes} passes of each figure, each pass the store and the
         * raw baseline back to back (alternating which goes first). The warm-up round sets the
         * number of passes so that a cell takes about {@link #CELL_NANOS}: one pass of a fast cell
         * lasts milliseconds, and on a shared machine another process stalls some of them.
         */
        void measure(int round) throws IOException {
            String storeRoot = "store-" + dataset + "-" + codec.id() + "-" + chunkSize;
            String rawRoot = "raw-" + dataset;
            double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
            long started = System.nanoTime();
            for (int pass = 0; pass < passes; pass++) {
                target.delete(storeRoot);
                target.delete(rawRoot);
                long[] store;
                long[] raw;
                if (((round + pass) & 1) == 0) {
                    raw = raw(rawRoot);
                    store = store(storeRoot);
                } else {
                    store = store(storeRoot);
                    raw = raw(rawRoot);
                }
                best[0] = Math.min(best[0], store[0]);
                best[1] = Math.min(best[1], store[1]);
                best[2] = Math.min(best[2], raw[0]);
                best[3] = Math.min(best[3], raw[1]);
            }
            target.delete(storeRoot);
            target.delete(rawRoot);
            if (round < 0) {
                passes = (int) Math.max(1, Math.min(MAX_PASSES, CELL_NANOS / (System.nanoTime() - started)));
                return;
            }
            storeWrite[round] = best[0];
            storeRead[round] = best[1];
            rawWrite[round] = best[2];
            rawRead[round] = best[3];
        }

        /** Nanoseconds to write and to read back the artifacts through the store. */
        private long[] store(String root) {
            try (ArtifactStore store = new ArtifactStore(StoreSettings.from(conf(target.path(root), codec, chunkSize)))) {
                List<ArtifactRef> refs = new ArrayList<>(artifacts.size());
                long start = System.nanoTime();
                for (int i = 0; i < artifacts.size(); i++) {
                    Artifact artifact = artifacts.get(i);
                    refs.add(store.put(keys.get(i), artifact.bytes, artifact.fileName, artifact.mediaType, codec));
                }
                long writeNanos = System.nanoTime() - start;
                List<byte[]> read = new ArrayList<>(refs.size());
                start = System.nanoTime();
                for (ArtifactRef ref : refs) {
                    read.add(store.read(ref));
                }
                long readNanos = System.nanoTime() - start;
                checkSame(read, "store");
                storedBytes = refs.stream().mapToLong(ref -> ref.storedSize).sum();
                return new long[] {writeNanos, readNanos};
            }
        }

        /** Nanoseconds to write and to read back the same bytes as plain files, through the same Flink file system. */
        private long[] raw(String root) throws IOException {
            org.apache.flink.core.fs.Path dir = target.path(root);
            FileSystem fs = dir.getFileSystem();
            fs.mkdirs(dir);
            List<org.apache.flink.core.fs.Path> files = new ArrayList<>(artifacts.size());
            for (Artifact artifact : artifacts) {
                files.add(new org.apache.flink.core.fs.Path(dir, artifact.name + "-" + artifact.fileName));
            }
            long start = System.nanoTime();
            for (int i = 0; i < artifacts.size(); i++) {
                try (OutputStream out = fs.create(files.get(i), WriteMode.OVERWRITE)) {
                    out.write(artifacts.get(i).bytes);
                }
            }
            long writeNanos = System.nanoTime() - start;
            List<byte[]> read = new ArrayList<>(files.size());
            start = System.nanoTime();
            for (int i = 0; i < files.size(); i++) {
                byte[] bytes = new byte[artifacts.get(i).bytes.length];
                try (InputStream in = fs.open(files.get(i))) {
                    if (in.readNBytes(bytes, 0, bytes.length) != bytes.length) {
                        throw new IOException("Short read of " + files.get(i));
                    }
                }
                read.add(bytes);
            }
            long readNanos = System.nanoTime() - start;
            checkSame(read, "raw baseline");
            return new long[] {writeNanos, readNanos};
        }

        private void checkSame(List<byte[]> read, String what) {
            for (int i = 0; i < artifacts.size(); i++) {
                if (!Arrays.equals(read.get(i), artifacts.get(i).bytes)) {
                    throw new IllegalStateException("The " + what + " read other bytes for " + artifacts.get(i).name);
                }
            }
        }

        /** Absolute figures, and the per-round ratios to the raw baseline and to {@code none} (same chunks). */
        ObjectNode toJson(Cell none) {
            ObjectNode row = Json.MAPPER.createObjectNode();
            row.put("fileSystem", target.name);
            row.put("dataset", dataset);
            row.put("codec", codec.id());
            row.put("chunkSize", chunkSize);
            row.put("artifacts", artifacts.size());
            row.put("passesPerRound", passes);
            row.put("rawBytes", rawBytes);
            row.put("storedBytes", storedBytes);
            row.put("sizeRatio", round((double) storedBytes / rawBytes));
            putStats(row.putObject("writeMBps"), megabytesPerSecond(rawBytes, storeWrite));
            putStats(row.putObject("readMBps"), megabytesPerSecond(rawBytes, storeRead));
            putStats(row.putObject("rawWriteMBps"), megabytesPerSecond(rawBytes, rawWrite));
            putStats(row.putObject("rawReadMBps"), megabytesPerSecond(rawBytes, rawRead));
            putStats(row.putObject("writeVsRaw"), ratios(rawWrite, storeWrite));
            putStats(row.putObject("readVsRaw"), ratios(rawRead, storeRead));
            putStats(row.putObject("writeVsNone"), ratios(none.storeWrite, storeWrite));
            putStats(row.putObject("readVsNone"), ratios(none.storeRead, storeRead));
            System.out.printf("%-5s %-20s %-6s %-6s size %.3f write %7.1f MB/s (%.2f x raw) read %7.1f MB/s (%.2f x raw)%n",
                    target.name, dataset, codec.id(), chunkSize, (double) storedBytes / rawBytes,
                    median(megabytesPerSecond(rawBytes, storeWrite)), median(ratios(rawWrite, storeWrite)),
                    median(megabytesPerSecond(rawBytes, storeRead)), median(ratios(rawRead, storeRead)));
            return row;
        }
    }

    /** Per round, {@code baselineNanos / nanos}: the speed of {@code nanos} as a fraction of the baseline's. */
    private static double[] ratios(double[] baselineNanos, double[] nanos) {
        double[] ratios = new double[nanos.length];
        for (int i = 0; i < nanos.length; i++) {
            ratios[i] = baselineNanos[i] / nanos[i];
        }
        return ratios;
    }

    private static double[] megabytesPerSecond(long bytes, double[] nanos) {
        return Arrays.stream(nanos).map(n -> bytes / 1e6 / (n / 1e9)).toArray();
    }

    private static Configuration conf(org.apache.flink.core.fs.Path root, Codec codec, String chunkSize) {
        Configuration conf = new Configuration();
        conf.set(StoreOptions.URI, root.toUri().toString());
        conf.set(StoreOptions.CODEC, codec.id());
        conf.set(StoreOptions.CHUNK_SIZE, MemorySize.parse(chunkSize));
        return conf;
    }

    private static void putStats(ObjectNode node, double[] values) {
        node.put("median", round(median(values)));
        node.put("min", round(min(values)));
        node.put("max", round(max(values)));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(0);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(0);
    }

    private StoreCodecBenchmark() {}
}
