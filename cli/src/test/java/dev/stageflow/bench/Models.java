package dev.stageflow.bench;

import dev.stageflow.config.RequestOptions;
import dev.stageflow.inference.ImageEnhancer;
import dev.stageflow.inference.ImageGenerator;
import dev.stageflow.inference.ImageGenerator.Generated;
import dev.stageflow.inference.ImageGenerator.GenerationInput;
import dev.stageflow.inference.ModelKind;
import dev.stageflow.inference.TextEncoder;
import dev.stageflow.model.Style;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;

/**
 * One set of the three stages' models, made from the same options as the job's (so the same model
 * families, resolved by {@link ModelKind}), one compute thread each, and the model calls the stages
 * make: one text per encoder call, the negative text's embedding once, images at the request
 * defaults.
 */
final class Models implements AutoCloseable {

    final TextEncoder encoder;
    final ImageGenerator generator;
    final ImageEnhancer enhancer;
    private final int width;
    private final int height;
    private final int steps;
    private final double guidance;
    private float[] negative;

    Models(Map<String, String> options) {
        Configuration conf = Configuration.fromMap(options);
        encoder = ModelKind.TEXT_ENCODER.create(conf, 1);
        generator = ModelKind.IMAGE_GENERATOR.create(conf, 1);
        enhancer = ModelKind.IMAGE_ENHANCER.create(conf, 1);
        width = conf.get(RequestOptions.DEFAULT_WIDTH);
        height = conf.get(RequestOptions.DEFAULT_HEIGHT);
        steps = conf.get(RequestOptions.DEFAULT_STEPS);
        guidance = conf.get(RequestOptions.DEFAULT_GUIDANCE);
    }

    float[] encode(String text) {
        return encoder.encode(List.of(text))[0];
    }

    /** The generator's output for {@code texts} (seeds {@code firstSeed}, +1, ...) in one call. */
    List<Generated> generate(List<String> texts, long firstSeed) {
        List<GenerationInput> inputs = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            inputs.add(input(encode(texts.get(i)), firstSeed + i));
        }
        return generator.generate(inputs);
    }

    private GenerationInput input(float[] embedding, long seed) {
        if (!encoder.encodesNegativeText()) {
            return new GenerationInput(embedding, seed, width, height, steps);
        }
        if (negative == null) {
            negative = encode("");
        }
        return new GenerationInput(embedding, negative, guidance, seed, width, height, steps);
    }

    @Override
    public void close() {
        encoder.close();
        generator.close();
        enhancer.close();
    }

    static Style style() {
        return Style.NATURAL;
    }
}
