package dev.stageflow.inference;

import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * The latents of a batch in the layout of the models' {@code latent} tensors: [batch, 4, height,
 * width], row-major in one array, so that it goes to and from ONNX Runtime without reshuffling.
 */
record LatentBatch(int size, int height, int width, float[] values) {

    static final int CHANNELS = OnnxImageGenerator.LATENT_CHANNELS;

    /** Image pixels per latent cell along each axis: the decoder's image is 8× the latent. */
    static final int PIXELS_PER_CELL = 8;

    LatentBatch {
        if (values.length != size * CHANNELS * height * width) {
            throw new IllegalArgumentException(values.length + " latent values do not fit "
                    + Arrays.toString(new int[] {size, CHANNELS, height, width}));
        }
    }

    /** Wraps values of an NCHW tensor of {@code shape}; fails if it is not [batch, 4, height, width]. */
    static LatentBatch of(Shape shape, float[] values) {
        if (shape.dimension() != 4 || shape.get(1) != CHANNELS) {
            throw new IllegalArgumentException("Expected a latent of shape [batch, 4, height, width], got "
                    + shape);
        }
        return new LatentBatch((int) shape.get(0), (int) shape.get(2), (int) shape.get(3), values);
    }

    Shape shape() {
        return new Shape(size, CHANNELS, height, width);
    }

    int[] itemShape() {
        return new int[] {CHANNELS, height, width};
    }

    float[] item(int index) {
        int length = CHANNELS * height * width;
        return Arrays.copyOfRange(values, index * length, (index + 1) * length);
    }
}
