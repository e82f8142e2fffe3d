package dev.stageflow.inference.sd;

/**
 * diffusers' {@code EulerDiscreteScheduler} without churn (its default): the latent lives in the
 * σ-space x = x₀ + σ·ε with σ_t = √((1 − ᾱ_t) / ᾱ_t), the UNet sees x / √(σ² + 1), and each step
 * moves x along the predicted direction (x − x₀) / σ to the next σ, the last one 0 (or σ_min).
 */
final class EulerDiscreteScheduler implements Scheduler {

    private final SchedulerConfig config;
    private final double[] trainSigmas;

    EulerDiscreteScheduler(SchedulerConfig config) {
        this.config = config;
        double[] alphasCumprod = BetaSchedule.alphasCumprod(config);
        trainSigmas = new double[alphasCumprod.length];
        for (int t = 0; t < alphasCumprod.length; t++) {
            trainSigmas[t] = StrictMath.sqrt((1 - alphasCumprod[t]) / alphasCumprod[t]);
        }
    }

    @Override
    public Schedule schedule(int steps) {
        double[] timesteps = BetaSchedule.timesteps(config, steps, false);
        double[] sigmas = new double[steps + 1];
        for (int i = 0; i < steps; i++) {
            sigmas[i] = interpolate(timesteps[i]);
        }
        sigmas[steps] = config.finalSigmasType.equals("sigma_min") ? trainSigmas[0] : 0;
        double maxSigma = sigmas[0];
        boolean leading = config.timestepSpacing.equals("leading");
        double initNoiseSigma = leading ? StrictMath.sqrt(maxSigma * maxSigma + 1) : maxSigma;
        return new EulerSchedule(timesteps, sigmas, initNoiseSigma, config.predictionType);
    }

    /** σ at a fractional training timestep, linear between the neighbours (numpy's interp). */
    private double interpolate(double t) {
        int last = trainSigmas.length - 1;
        if (t <= 0) {
            return trainSigmas[0];
        }
        if (t >= last) {
            return trainSigmas[last];
        }
        int low = (int) Math.floor(t);
        double fraction = t - low;
        return trainSigmas[low] + fraction * (trainSigmas[low + 1] - trainSigmas[low]);
    }

    static final class EulerSchedule implements Schedule {
        private final double[] timesteps;
        private final double[] sigmas;
        private final double initNoiseSigma;
        private final String predictionType;

        EulerSchedule(double[] timesteps, double[] sigmas, double initNoiseSigma, String predictionType) {
            this.timesteps = timesteps;
            this.sigmas = sigmas;
            this.initNoiseSigma = initNoiseSigma;
            this.predictionType = predictionType;
        }

        @Override
        public int steps() {
            return timesteps.length;
        }

        @Override
        public double[] timesteps() {
            return timesteps.clone();
        }

        /** σ at each step and a final 0. */
        double[] sigmas() {
            return sigmas.clone();
        }

        @Override
        public double initNoiseSigma() {
            return initNoiseSigma;
        }

        @Override
        public double inputScale(int step) {
            double sigma = sigmas[step];
            return 1 / StrictMath.sqrt(sigma * sigma + 1);
        }

        @Override
        public void step(float[] modelOutput, int step, float[] sample) {
            double sigma = sigmas[step];
            double dt = sigmas[step + 1] - sigma;
            double vScale = -sigma / StrictMath.sqrt(sigma * sigma + 1);
            double vSampleScale = 1 / (sigma * sigma + 1);
            for (int i = 0; i < sample.length; i++) {
                double x = sample[i];
                double predictedOriginal;
                switch (predictionType) {
                    case "epsilon":
                        predictedOriginal = x - sigma * modelOutput[i];
                        break;
                    case "v_prediction":
                        predictedOriginal = modelOutput[i] * vScale + x * vSampleScale;
                        break;
                    default:
                        predictedOriginal = modelOutput[i];
                        break;
                }
                double derivative = (x - predictedOriginal) / sigma;
                sample[i] = (float) (x + derivative * dt);
            }
        }
    }
}
