package dev.stageflow.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import java.util.Arrays;

/**
 * Feeds a batch of latents to the decoder model and splits its output into images: {@code latent}
 * [B, 4, h, w] and {@code coords} [B, 3, 8h, 8w] in, {@code image} [B, 3, 8h, 8w] in [0, 1] out.
 *
 * <p>The pixel coordinates (x and y from -1 to 1 at pixel centres, and r = √(x² + y²)) are made
 * here rather than in the graph, because they depend only on the image size and are plain Java
 * arithmetic, identical on every machine.
 */
final class DecoderTranslator implements NoBatchifyTranslator<LatentBatch, RgbImage[]> {

    static final int COORDINATE_CHANNELS = OnnxImageGenerator.COORDINATE_CHANNELS;

    @Override
    public NDList processInput(TranslatorContext ctx, LatentBatch latents) {
        NDArray latent = ctx.getNDManager().create(latents.values(), latents.shape());
        latent.setName("latent");
        int height = latents.height() * LatentBatch.PIXELS_PER_CELL;
        int width = latents.width() * LatentBatch.PIXELS_PER_CELL;
        NDArray coords = ctx.getNDManager().create(
                repeat(coordinates(width, height), latents.size()),
                new Shape(latents.size(), COORDINATE_CHANNELS, height, width));
        coords.setName("coords");
        return new NDList(latent, coords);
    }

    @Override
    public RgbImage[] processOutput(TranslatorContext ctx, NDList outputs) {
        NDArray image = outputs.singletonOrThrow();
        Shape shape = image.getShape();
        if (shape.dimension() != 4 || shape.get(1) != 3) {
            throw new IllegalStateException("Expected an image of shape [batch, 3, height, width], got "
                    + shape);
        }
        int height = (int) shape.get(2);
        int width = (int) shape.get(3);
        int length = 3 * height * width;
        float[] values = image.toFloatArray();
        RgbImage[] images = new RgbImage[(int) shape.get(0)];
        for (int i = 0; i < images.length; i++) {
            images[i] = new RgbImage(width, height, Arrays.copyOfRange(values, i * length, (i + 1) * length));
        }
        return images;
    }

    /** The x, y and r planes of one image. */
    private static float[] coordinates(int width, int height) {
        int plane = width * height;
        float[] coords = new float[COORDINATE_CHANNELS * plane];
        for (int row = 0; row < height; row++) {
            float y = centred(row, height);
            for (int column = 0; column < width; column++) {
                float x = centred(column, width);
                int pixel = row * width + column;
                coords[pixel] = x;
                coords[plane + pixel] = y;
                coords[2 * plane + pixel] = (float) Math.sqrt(x * x + y * y);
            }
        }
        return coords;
    }

    /** The centre of pixel {@code index} of {@code count}, mapped to [-1, 1]. */
    private static float centred(int index, int count) {
        return (2f * index + 1f) / count - 1f;
    }

    private static float[] repeat(float[] values, int times) {
        float[] repeated = new float[values.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(values, 0, repeated, i * values.length, values.length);
        }
        return repeated;
    }
}
