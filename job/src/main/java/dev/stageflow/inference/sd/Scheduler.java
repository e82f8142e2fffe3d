package dev.stageflow.inference.sd;

/**
 * A diffusion sampler built from a diffusers scheduler config: for a number of inference steps, the
 * timesteps the UNet sees and the update of the latent from the UNet's prediction. Pure Java and
 * double precision with {@link StrictMath}, so a schedule is the same on every JVM.
 */
public interface Scheduler {

    /** The schedule of a run with {@code steps} inference steps; immutable, shared by a batch. */
    Schedule schedule(int steps);

    /** Euler discrete or DDIM, by {@code className} if given, else by the config's {@code _class_name}. */
    static Scheduler of(SchedulerConfig config, String className, String source) {
        String name = className == null || className.isEmpty() ? config.className : className;
        switch (name) {
            case SchedulerConfig.EULER_DISCRETE:
                return new EulerDiscreteScheduler(config);
            case SchedulerConfig.DDIM:
                return new DdimScheduler(config);
            default:
                throw new IllegalArgumentException(source + ": scheduler '" + name + "' is not supported; supported: "
                        + SchedulerConfig.EULER_DISCRETE + ", " + SchedulerConfig.DDIM
                        + " (a config's betas and prediction type work with either: choose one with"
                        + " generator.options.scheduler)");
        }
    }

    /** One run's steps. Step indexes run from 0 to {@code steps() - 1}. */
    interface Schedule {

        int steps();

        /** The UNet's timestep at each step (fractional for Euler with linspace spacing). */
        double[] timesteps();

        /** The spread of the initial noise: the latent starts as N(0, 1) times this. */
        double initNoiseSigma();

        /** The factor the latent is multiplied by before it goes into the UNet at {@code step}. */
        double inputScale(int step);

        /** Replaces {@code sample} (the latent before {@code step}) by the latent after it. */
        void step(float[] modelOutput, int step, float[] sample);
    }
}
