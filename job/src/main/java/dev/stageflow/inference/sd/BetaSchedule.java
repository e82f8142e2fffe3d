package dev.stageflow.inference.sd;

/** The training noise schedule of a config: ᾱ_t, the cumulative product of 1 − β_t. */
final class BetaSchedule {

    private BetaSchedule() {}

    /**
     * ᾱ_t for t = 0 .. num_train_timesteps − 1. β is linspace(beta_start, beta_end) for "linear"
     * and linspace(√beta_start, √beta_end)² for "scaled_linear", as diffusers defines them.
     */
    static double[] alphasCumprod(SchedulerConfig config) {
        int n = config.trainTimesteps;
        boolean scaled = config.betaSchedule.equals("scaled_linear");
        double start = scaled ? StrictMath.sqrt(config.betaStart) : config.betaStart;
        double end = scaled ? StrictMath.sqrt(config.betaEnd) : config.betaEnd;
        double[] alphasCumprod = new double[n];
        double product = 1;
        for (int t = 0; t < n; t++) {
            double beta = start + (end - start) * t / (n - 1);
            if (scaled) {
                beta *= beta;
            }
            product *= 1 - beta;
            alphasCumprod[t] = product;
        }
        return alphasCumprod;
    }

    /**
     * The inference timesteps by {@code timestep_spacing}, from the noisiest down, as diffusers'
     * {@code set_timesteps}: "linspace" evenly from T − 1 to 0 (fractional, rounded by DDIM),
     * "leading" multiples of T / steps (integer division) plus {@code steps_offset}, "trailing"
     * T − 1 down in steps of T / steps (real division, rounded).
     */
    static double[] timesteps(SchedulerConfig config, int steps, boolean integral) {
        if (steps < 1 || steps > config.trainTimesteps) {
            throw new IllegalArgumentException("Steps must be from 1 to " + config.trainTimesteps + ", got " + steps);
        }
        int n = config.trainTimesteps;
        double[] timesteps = new double[steps];
        for (int i = 0; i < steps; i++) {
            int k = steps - 1 - i;
            double t;
            switch (config.timestepSpacing) {
                case "linspace":
                    // numpy's linspace: i · (stop / (num − 1)), the last value exactly stop.
                    t = steps == 1 ? 0 : k == steps - 1 ? n - 1 : k * ((double) (n - 1) / (steps - 1));
                    if (integral) {
                        t = Math.rint(t);
                    }
                    break;
                case "leading":
                    t = (double) k * (n / steps) + config.stepsOffset;
                    break;
                case "trailing":
                    t = Math.rint(n - i * ((double) n / steps)) - 1;
                    break;
                default:
                    throw new IllegalStateException(config.timestepSpacing);
            }
            timesteps[i] = t;
        }
        return timesteps;
    }
}
