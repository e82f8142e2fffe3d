package dev.stageflow.inference;

import java.util.SplittableRandom;

/**
 * Standard normal samples for a seed, identical on every JDK and CPU.
 *
 * <p>Why not {@code SplittableRandom.nextGaussian()}: its algorithm is not part of the
 * specification and may change between JDK releases, and generated images (and the built-in
 * model's weights) must never change for a given seed. {@link SplittableRandom}'s sequence and
 * {@link StrictMath} are fully specified, so this Box–Muller transform over them is stable.
 */
public final class GaussianNoise {

    private GaussianNoise() {}

    /** {@code count} samples of N(0, 1), the same for the same seed forever. */
    public static float[] sample(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] samples = new float[count];
        for (int i = 0; i < count; i += 2) {
            double radius = StrictMath.sqrt(-2 * StrictMath.log(1 - random.nextDouble()));
            double angle = 2 * StrictMath.PI * random.nextDouble();
            samples[i] = (float) (radius * StrictMath.cos(angle));
            if (i + 1 < count) {
                samples[i + 1] = (float) (radius * StrictMath.sin(angle));
            }
        }
        return samples;
    }
}
