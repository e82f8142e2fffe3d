package dev.stageflow.bench;

import dev.stageflow.inference.ImageGenerator.Generated;
import dev.stageflow.inference.RgbImage;
import dev.stageflow.store.Hashing;
import dev.stageflow.store.Npy;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The baseline the seed design's sample code implies: a loop over the prompts, one at a time,
 * each model called on that prompt alone (no batching, no cache: every text is encoded again), each
 * artifact gzip-compressed and uploaded synchronously (written and synced to disk before the next
 * step), the enhancer reading the generated image back from the store. One thread; model loading is
 * timed, as it is part of the pipeline's run too.
 */
final class NaiveBaseline {

    private NaiveBaseline() {}

    /** Prompts per second over {@code texts}, writing under {@code storeDir}. */
    static double promptsPerSecond(Map<String, String> options, List<String> texts, Path storeDir) throws IOException {
        long start = System.nanoTime();
        try (Models models = new Models(options)) {
            for (int i = 0; i < texts.size(); i++) {
                String text = texts.get(i);
                Generated generated = models.generate(List.of(text), i).get(0);
                String id = Hashing.sha256Hex(text + "/" + i);
                upload(storeDir.resolve(id + "-latent.npy.gz"), Npy.write(generated.latent, generated.latentShape,
                        Npy.NpyDType.parse("float32")));
                Path image = storeDir.resolve(id + "-image.png.gz");
                upload(image, generated.image.toPng());
                RgbImage read = RgbImage.fromPng(download(image));
                upload(storeDir.resolve(id + "-enhanced.png.gz"), models.enhancer.enhance(read, Models.style()).toPng());
            }
        }
        return texts.size() / ((System.nanoTime() - start) / 1e9);
    }

    static void upload(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        try (FileOutputStream out = new FileOutputStream(file.toFile())) {
            GZIPOutputStream gzip = new GZIPOutputStream(out);
            gzip.write(bytes);
            gzip.finish();
            out.getFD().sync();
        }
    }

    static byte[] download(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            return bytes.toByteArray();
        }
    }
}
