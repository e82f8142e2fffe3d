package dev.stageflow.inference;

import java.util.List;

/**
 * Maps a text embedding, a seed and generation parameters to a latent tensor and an RGB image.
 *
 * <p>Implementations are deterministic: the same inputs on the same {@link #version()} give
 * bit-identical latents and images, because replay after a failure relies on it. One instance
 * serves one subtask; it is not shared between threads.
 */
public interface ImageGenerator extends AutoCloseable {

    /** Model name, e.g. {@code builtin-cppn}. */
    String name();

    /** Model version; part of every artifact key the generator's outputs are stored under. */
    String version();

    /** Generates a batch. All inputs of one batch share width, height and steps. */
    List<Generated> generate(List<GenerationInput> batch);

    @Override
    void close();

    /**
     * One request to the generator. A family with classifier-free guidance gets the negative
     * prompt's embedding and the guidance scale; for others {@code negativeEmbedding} is null.
     */
    final class GenerationInput {
        public final float[] embedding;
        public final float[] negativeEmbedding;
        public final double guidance;
        public final long seed;
        public final int width;
        public final int height;
        public final int steps;

        public GenerationInput(float[] embedding, long seed, int width, int height, int steps) {
            this(embedding, null, 0, seed, width, height, steps);
        }

        public GenerationInput(float[] embedding, float[] negativeEmbedding, double guidance, long seed, int width,
                int height, int steps) {
            this.embedding = embedding;
            this.negativeEmbedding = negativeEmbedding;
            this.guidance = guidance;
            this.seed = seed;
            this.width = width;
            this.height = height;
            this.steps = steps;
        }

        /**
         * Checks that width and height are multiples of {@code cell} from {@code cell} to {@code
         * maxSide}, that there is a step, and that this input may share a batch with {@code first}.
         */
        public void checkShape(GenerationInput first, int cell, int maxSide) {
            checkSide("width", width, cell, maxSide);
            checkSide("height", height, cell, maxSide);
            if (steps < 1) {
                throw new IllegalArgumentException("Steps must be at least 1, got " + steps);
            }
            if (!shapeKey().equals(first.shapeKey())) {
                throw new IllegalArgumentException("A batch must share width, height and steps"
                        + (first.negativeEmbedding == null ? "" : " and guidance") + ", got " + first.shapeKey()
                        + " and " + shapeKey());
            }
        }

        private static void checkSide(String side, int pixels, int cell, int maxSide) {
            if (pixels < cell || pixels > maxSide || pixels % cell != 0) {
                throw new IllegalArgumentException("Image " + side + " must be a multiple of " + cell + " from "
                        + cell + " to " + maxSide + ", got " + pixels);
            }
        }

        /** Inputs with the same shape key can run in one batch (with guidance: the same scale too). */
        public String shapeKey() {
            return shapeKey(width, height, steps, negativeEmbedding != null, guidance);
        }

        /** The {@link #shapeKey()} of an input with these parameters, before its embeddings are at hand. */
        public static String shapeKey(int width, int height, int steps, boolean guided, double guidance) {
            String size = width + "x" + height + "x" + steps;
            return guided ? size + "xg" + guidance : size;
        }
    }

    /** The latent tensor (with its shape, e.g. {@code [4, h, w]}) and the decoded image. */
    final class Generated {
        public final float[] latent;
        public final int[] latentShape;
        public final RgbImage image;

        public Generated(float[] latent, int[] latentShape, RgbImage image) {
            this.latent = latent;
            this.latentShape = latentShape;
            this.image = image;
        }
    }
}
