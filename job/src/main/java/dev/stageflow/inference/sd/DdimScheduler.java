package dev.stageflow.inference.sd;

/**
 * diffusers' {@code DDIMScheduler} with η = 0 (deterministic, its default): from the prediction it
 * takes x₀ and ε, and steps to x_prev = √ᾱ_prev·x₀ + √(1 − ᾱ_prev)·ε, where the step before the
 * first training timestep uses ᾱ = 1 if {@code set_alpha_to_one}, else ᾱ_0.
 */
final class DdimScheduler implements Scheduler {

    private final SchedulerConfig config;
    private final double[] alphasCumprod;
    private final double finalAlphaCumprod;

    DdimScheduler(SchedulerConfig config) {
        this.config = config;
        this.alphasCumprod = BetaSchedule.alphasCumprod(config);
        this.finalAlphaCumprod = config.setAlphaToOne ? 1.0 : alphasCumprod[0];
    }

    @Override
    public Schedule schedule(int steps) {
        double[] timesteps = BetaSchedule.timesteps(config, steps, true);
        int stride = config.trainTimesteps / steps;
        double[] alphas = new double[steps];
        double[] previousAlphas = new double[steps];
        for (int i = 0; i < steps; i++) {
            int t = (int) timesteps[i];
            int previous = t - stride;
            alphas[i] = alphasCumprod[t];
            previousAlphas[i] = previous >= 0 ? alphasCumprod[previous] : finalAlphaCumprod;
        }
        return new DdimSchedule(timesteps, alphas, previousAlphas, config);
    }

    private static final class DdimSchedule implements Schedule {
        private final double[] timesteps;
        private final double[] alphas;
        private final double[] previousAlphas;
        private final String predictionType;
        private final boolean clip;
        private final double clipRange;

        DdimSchedule(double[] timesteps, double[] alphas, double[] previousAlphas, SchedulerConfig config) {
            this.timesteps = timesteps;
            this.alphas = alphas;
            this.previousAlphas = previousAlphas;
            this.predictionType = config.predictionType;
            this.clip = config.clipSample;
            this.clipRange = config.clipSampleRange;
        }

        @Override
        public int steps() {
            return timesteps.length;
        }

        @Override
        public double[] timesteps() {
            return timesteps.clone();
        }

        @Override
        public double initNoiseSigma() {
            return 1;
        }

        @Override
        public double inputScale(int step) {
            return 1;
        }

        @Override
        public void step(float[] modelOutput, int step, float[] sample) {
            double alpha = alphas[step];
            double sqrtAlpha = StrictMath.sqrt(alpha);
            double sqrtBeta = StrictMath.sqrt(1 - alpha);
            double sqrtPrevious = StrictMath.sqrt(previousAlphas[step]);
            double sqrtPreviousBeta = StrictMath.sqrt(1 - previousAlphas[step]);
            for (int i = 0; i < sample.length; i++) {
                double x = sample[i];
                double out = modelOutput[i];
                double original;
                double epsilon;
                switch (predictionType) {
                    case "epsilon":
                        original = (x - sqrtBeta * out) / sqrtAlpha;
                        epsilon = out;
                        break;
                    case "v_prediction":
                        original = sqrtAlpha * x - sqrtBeta * out;
                        epsilon = sqrtAlpha * out + sqrtBeta * x;
                        break;
                    default:
                        original = out;
                        epsilon = (x - sqrtAlpha * original) / sqrtBeta;
                        break;
                }
                if (clip) {
                    original = Math.max(-clipRange, Math.min(clipRange, original));
                }
                sample[i] = (float) (sqrtPrevious * original + sqrtPreviousBeta * epsilon);
            }
        }
    }
}
