package dev.stageflow.inference;

import dev.stageflow.model.Style;

/**
 * What the image-enhance stage runs on each image, chosen by {@code enhancer.model}: the
 * {@link ClassicalEnhancer} or a learned {@link EsrganEnhancer}.
 *
 * <p>An implementation is deterministic per {@link #version()}: the same pixels and style give the
 * same output, whatever the thread, batch or machine load, because replay and the stage cache
 * rely on it. {@link #enhance} may be called by several threads at once.
 */
public interface ImageEnhancer extends AutoCloseable {

    /** Part of the content key of every output, so it names everything that shapes the pixels. */
    String version();

    /** A new image, {@code scale} times the size of {@code input}; the input is left unchanged. */
    RgbImage enhance(RgbImage input, Style style);

    /** Releases what the enhancer holds (a model session); the classical one holds nothing. */
    @Override
    default void close() {}

    /** The enhancer {@code settings} choose; a learned one loads its model here, once. */
    static ImageEnhancer create(EnhanceSettings settings) {
        return EsrganModel.byOptionValue(settings.model())
                .<ImageEnhancer>map(model -> new EsrganEnhancer(model, settings))
                .orElseGet(() -> new ClassicalEnhancer(settings));
    }
}
