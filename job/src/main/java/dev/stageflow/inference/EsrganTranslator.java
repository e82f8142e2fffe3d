package dev.stageflow.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

/**
 * Feeds one tile to an ESRGAN model and takes its output: {@code input} [1, 3, h, w] in, {@code
 * output} [1, 3, scale·h, scale·w] out, planar, both in the model's own range.
 */
final class EsrganTranslator implements NoBatchifyTranslator<EsrganTranslator.Planes, EsrganTranslator.Planes> {

    /** Three planar channels of {@code width} × {@code height} values. */
    record Planes(int width, int height, float[] values) {}

    @Override
    public NDList processInput(TranslatorContext ctx, Planes input) {
        NDArray array = ctx.getNDManager().create(input.values(), new Shape(1, 3, input.height(), input.width()));
        array.setName("input");
        return new NDList(array);
    }

    @Override
    public Planes processOutput(TranslatorContext ctx, NDList outputs) {
        NDArray output = outputs.singletonOrThrow();
        Shape shape = output.getShape();
        if (shape.dimension() != 4 || shape.get(0) != 1 || shape.get(1) != 3) {
            throw new IllegalStateException("Expected an output of shape [1, 3, height, width], got " + shape);
        }
        return new Planes((int) shape.get(3), (int) shape.get(2), output.toFloatArray());
    }
}
