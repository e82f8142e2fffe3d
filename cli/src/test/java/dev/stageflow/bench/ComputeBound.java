package dev.stageflow.bench;

import dev.stageflow.config.StageOptions;
import dev.stageflow.inference.ImageGenerator.Generated;
import dev.stageflow.inference.RgbImage;
import dev.stageflow.store.Npy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.flink.configuration.Configuration;

/**
 * The compute-only bound of the pipeline: the same model calls and image operations the three
 * stages make for each prompt (encode the text; generate in batches of {@code generator.batch.size};
 * serialise the latent as {@code .npy} and encode the image as PNG; decode it, enhance it, encode the
 * result as PNG), back to back on {@code threads} threads with a set of models each, no Flink, no
 * store, no cache. Model loading is not timed. Prompts per second of this is what the pipeline could
 * reach on these cores if nothing else cost anything.
 */
final class ComputeBound {

    private ComputeBound() {}

    /** Prompts per second over {@code texts}, split evenly over {@code threads}. */
    static double promptsPerSecond(Map<String, String> options, List<String> texts, int threads) throws Exception {
        int batch = Configuration.fromMap(options).get(StageOptions.GENERATOR.batchSize);
        List<Models> models = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) {
                models.add(new Models(options));
            }
            for (Models m : models) {
                work(m, texts.subList(0, Math.min(texts.size(), 2 * batch)), batch); // warm-up
            }
            long start = System.nanoTime();
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<String> share = texts.subList(t * texts.size() / threads, (t + 1) * texts.size() / threads);
                Models m = models.get(t);
                done.add(pool.submit(() -> work(m, share, batch)));
            }
            int prompts = 0;
            for (Future<Integer> f : done) {
                prompts += f.get();
            }
            return prompts / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
            models.forEach(Models::close);
        }
    }

    private static int work(Models models, List<String> texts, int batch) {
        long sink = 0;
        for (int i = 0; i < texts.size(); i += batch) {
            List<Generated> generated = models.generate(texts.subList(i, Math.min(texts.size(), i + batch)), i);
            for (Generated g : generated) {
                sink += Npy.write(g.latent, g.latentShape, Npy.NpyDType.parse("float16")).length;
                RgbImage image = RgbImage.fromPng(g.image.toPng());
                sink += models.enhancer.enhance(image, Models.style()).toPng().length;
            }
        }
        return sink > 0 ? texts.size() : 0;
    }
}
