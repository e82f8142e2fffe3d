package dev.stageflow.inference;

import dev.stageflow.model.Style;

/**
 * Maps a generated image to its final form: the model of the image-enhance stage, made by an {@link
 * ImageEnhancerFactory}.
 *
 * <p>Besides the {@link ModelFactory} contract: one instance serves one subtask, whose {@code
 * enhancer.threads} workers call {@link #enhance} at once, so an implementation is thread-safe (the
 * classical one holds no mutable state; ONNX Runtime sessions may run concurrently). The input is left
 * unchanged.
 */
public interface ImageEnhancer extends AutoCloseable {

    /** Model name, e.g. {@code classical}. */
    String name();

    /** Part of the content key of every output, so it names everything that shapes the pixels. */
    String version();

    /** A new image made from {@code input} in {@code style}. */
    RgbImage enhance(RgbImage input, Style style);

    @Override
    default void close() {}
}
