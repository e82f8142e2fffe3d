package dev.stageflow.bench;

import static dev.stageflow.bench.BenchFiles.deleteRecursively;
import static dev.stageflow.bench.BenchFiles.round;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.inference.EnhanceSettings;
import dev.stageflow.inference.ClassicalEnhancer;
import dev.stageflow.inference.ImageGenerator.Generated;
import dev.stageflow.inference.ImageGenerator.GenerationInput;
import dev.stageflow.inference.OnnxImageGenerator;
import dev.stageflow.inference.MiniLmTextEncoder;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.Json;
import dev.stageflow.model.Style;
import dev.stageflow.store.ArtifactKey;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.Codec;
import dev.stageflow.store.Npy;
import dev.stageflow.store.StoreSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

/**
 * Codecs × chunk sizes on the project's own artifacts: latent tensors ({@code .npy}, float16) and
 * enhanced PNG images generated from the example prompts. For each combination it writes every
 * artifact to a fresh {@code file://} store and reads it back (verified), in {@code repeats}
 * interleaved rounds after a warm-up round,
 * and reports the stored/raw size ratio, the median, min and max raw MB/s of writing and
 * reading, and the same for the ratio to {@code none} with the same chunk size in the same round. Reads come from the page cache, so they measure decompression and verification, not
 * the disk. Usage: {@code StoreCodecBenchmark <prompts.jsonl> <work-dir> <result.json> [prompts]
 * [size] [repeats]}.
 */
public final class StoreCodecBenchmark {

    private static final List<String> CHUNK_SIZES = List.of("64kb", "256kb", "1mb", "4mb");

    private record Artifact(String name, byte[] bytes, String fileName, String mediaType) {}

    public static void main(String[] args) throws Exception {
        Path prompts = Paths.get(args[0]);
        Path workDir = Paths.get(args[1]);
        Path resultFile = Paths.get(args[2]);
        int count = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        int size = args.length > 4 ? Integer.parseInt(args[4]) : 512;
        int repeats = args.length > 5 ? Integer.parseInt(args[5]) : 5;

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
        List<Cell> cells = new ArrayList<>();
        for (Map.Entry<String, List<Artifact>> dataset : datasets.entrySet()) {
            for (Codec codec : Codec.values()) {
                for (String chunkSize : CHUNK_SIZES) {
                    cells.add(new Cell(dataset.getKey(), dataset.getValue(), codec, chunkSize, repeats));
                }
            }
        }
        // Round-robin: every round measures every cell once, so drift on a noisy machine spreads
        // over all cells alike; round -1 warms up the JIT and the page cache and is not recorded.
        for (int round = -1; round < repeats; round++) {
            for (Cell cell : cells) {
                cell.measure(round, workDir);
            }
        }
        ArrayNode rows = result.putArray("results");
        for (Cell cell : cells) {
            Cell baseline = cells.stream()
                    .filter(c -> c.dataset.equals(cell.dataset) && c.codec == Codec.NONE && c.chunkSize.equals(cell.chunkSize))
                    .findFirst()
                    .orElseThrow();
            rows.add(cell.toJson(baseline));
        }
        Files.createDirectories(resultFile.toAbsolutePath().getParent());
        Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(resultFile.toFile(), result);
        System.out.println("Wrote " + resultFile);
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
                latents.add(new Artifact("latent-" + i,
                        Npy.write(generated.latent, generated.latentShape, Npy.NpyDType.FLOAT16),
                        "latent.npy", "application/x-npy"));
                images.add(new Artifact("image-" + i,
                        enhancer.enhance(generated.image, Style.values()[i % Style.values().length]).toPng(),
                        "image.png", "image/png"));
            }
        }
        return Map.of("latent-npy-float16", latents, "enhanced-png", images);
    }

    /** One dataset × codec × chunk size, measured once per round. */
    private static final class Cell {
        final String dataset;
        final List<Artifact> artifacts;
        final Codec codec;
        final String chunkSize;
        final long rawBytes;
        final double[] writeMbs;
        final double[] readMbs;
        long storedBytes;

        Cell(String dataset, List<Artifact> artifacts, Codec codec, String chunkSize, int repeats) {
            this.dataset = dataset;
            this.artifacts = artifacts;
            this.codec = codec;
            this.chunkSize = chunkSize;
            this.rawBytes = artifacts.stream().mapToLong(a -> a.bytes.length).sum();
            this.writeMbs = new double[repeats];
            this.readMbs = new double[repeats];
        }

        void measure(int round, Path workDir) throws IOException {
            Path root = workDir.resolve(dataset + "-" + codec.id() + "-" + chunkSize);
            deleteRecursively(root);
            try (ArtifactStore store = new ArtifactStore(StoreSettings.from(conf(root, codec, chunkSize)))) {
                List<ArtifactRef> refs = new ArrayList<>(artifacts.size());
                long start = System.nanoTime();
                for (Artifact artifact : artifacts) {
                    ArtifactKey key = ArtifactKey.of("bench", "v1", artifact.name, Map.of("codec", codec.id()));
                    refs.add(store.put(key, artifact.bytes, artifact.fileName, artifact.mediaType, codec));
                }
                long writeNanos = System.nanoTime() - start;
                start = System.nanoTime();
                for (ArtifactRef ref : refs) {
                    store.read(ref);
                }
                long readNanos = System.nanoTime() - start;
                storedBytes = refs.stream().mapToLong(ref -> ref.storedSize).sum();
                if (round >= 0) {
                    writeMbs[round] = megabytesPerSecond(rawBytes, writeNanos);
                    readMbs[round] = megabytesPerSecond(rawBytes, readNanos);
                }
            }
            deleteRecursively(root);
        }

        /** Absolute figures, and the per-round ratios to {@code baseline} (no codec, same chunks). */
        ObjectNode toJson(Cell baseline) {
            ObjectNode row = Json.MAPPER.createObjectNode();
            row.put("dataset", dataset);
            row.put("codec", codec.id());
            row.put("chunkSize", chunkSize);
            row.put("artifacts", artifacts.size());
            row.put("rawBytes", rawBytes);
            row.put("storedBytes", storedBytes);
            row.put("sizeRatio", round((double) storedBytes / rawBytes));
            putStats(row.putObject("writeMBps"), writeMbs);
            putStats(row.putObject("readMBps"), readMbs);
            putStats(row.putObject("writeVsNone"), ratios(writeMbs, baseline.writeMbs));
            putStats(row.putObject("readVsNone"), ratios(readMbs, baseline.readMbs));
            System.out.printf("%-20s %-6s %-6s ratio %.3f write %7.1f MB/s (%.2f x none) read %7.1f MB/s (%.2f x none)%n",
                    dataset, codec.id(), chunkSize, (double) storedBytes / rawBytes, median(writeMbs),
                    median(ratios(writeMbs, baseline.writeMbs)), median(readMbs), median(ratios(readMbs, baseline.readMbs)));
            return row;
        }
    }

    private static double[] ratios(double[] values, double[] baseline) {
        double[] ratios = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            ratios[i] = values[i] / baseline[i];
        }
        return ratios;
    }

    private static Configuration conf(Path root, Codec codec, String chunkSize) {
        Configuration conf = new Configuration();
        conf.set(StoreOptions.URI, root.toUri().toString());
        conf.set(StoreOptions.CODEC, codec.id());
        conf.set(StoreOptions.CHUNK_SIZE, MemorySize.parse(chunkSize));
        return conf;
    }

    private static void putStats(ObjectNode node, double[] values) {
        node.put("median", round(median(values)));
        node.put("min", round(Arrays.stream(values).min().orElse(0)));
        node.put("max", round(Arrays.stream(values).max().orElse(0)));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static double megabytesPerSecond(long bytes, long nanos) {
        return bytes / 1e6 / (nanos / 1e9);
    }

    private StoreCodecBenchmark() {}
}
