package dev.stageflow.inference.sd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.stageflow.inference.GaussianNoise;
import dev.stageflow.inference.sd.Scheduler.Schedule;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The schedulers against the published formulas for the SD 1.5 configuration (scaled_linear betas
 * from 0.00085 to 0.012, 1,000 training steps), computed here independently of the main code,
 * and a few values checked by hand against diffusers' {@code set_timesteps}.
 */
class SchedulerTest {

    private static final int TRAIN_STEPS = 1000;

    private static String config(String className, String spacing, String prediction, int stepsOffset) {
        return "{\"_class_name\": \"" + className + "\", \"beta_start\": 0.00085, \"beta_end\": 0.012,"
                + " \"beta_schedule\": \"scaled_linear\", \"num_train_timesteps\": 1000,"
                + " \"timestep_spacing\": \"" + spacing + "\", \"prediction_type\": \"" + prediction + "\","
                + " \"steps_offset\": " + stepsOffset + ", \"set_alpha_to_one\": false, \"clip_sample\": false}";
    }

    private static Scheduler scheduler(String className, String spacing, String prediction, int stepsOffset) {
        return Scheduler.of(SchedulerConfig.parse(config(className, spacing, prediction, stepsOffset), "test"),
                null, "test");
    }

    /** ᾱ_t = Π (1 − β_s), β_s = (√0.00085 + s/999 · (√0.012 − √0.00085))². */
    private static double alphaBar(int t) {
        double product = 1;
        for (int s = 0; s <= t; s++) {
            double root = Math.sqrt(0.00085) + s / 999.0 * (Math.sqrt(0.012) - Math.sqrt(0.00085));
            product *= 1 - root * root;
        }
        return product;
    }

    private static double sigma(int t) {
        return Math.sqrt((1 - alphaBar(t)) / alphaBar(t));
    }

    @Test
    void sd15TrainingSigmasSpanTheWellKnownRange() {
        // σ_max ≈ 14.6146 and σ_min ≈ 0.0292 are the figures k-diffusion and ComfyUI print for SD 1.x.
        assertThat(sigma(999)).isCloseTo(14.6146, within(1e-3));
        assertThat(sigma(0)).isCloseTo(0.0292, within(1e-4));
        EulerDiscreteScheduler.EulerSchedule schedule = (EulerDiscreteScheduler.EulerSchedule)
                scheduler("EulerDiscreteScheduler", "linspace", "epsilon", 0).schedule(TRAIN_STEPS);
        assertThat(schedule.sigmas()[0]).isCloseTo(sigma(999), within(1e-9));
        assertThat(schedule.sigmas()[TRAIN_STEPS - 1]).isCloseTo(sigma(0), within(1e-12));
    }

    @Test
    void leadingSpacingWithStepsOffsetAsSd15Runs() {
        // SD 1.5's config: leading, steps_offset 1; diffusers gives 981, 961, ..., 21, 1 for 50 steps.
        Schedule schedule = scheduler("DDIMScheduler", "leading", "epsilon", 1).schedule(50);
        double[] timesteps = schedule.timesteps();
        assertThat(timesteps).hasSize(50);
        for (int i = 0; i < 50; i++) {
            assertThat(timesteps[i]).isEqualTo(981 - 20 * i);
        }
        EulerDiscreteScheduler.EulerSchedule euler = (EulerDiscreteScheduler.EulerSchedule)
                scheduler("EulerDiscreteScheduler", "leading", "epsilon", 1).schedule(50);
        assertThat(euler.timesteps()).containsExactly(timesteps);
        assertThat(euler.sigmas()[0]).isCloseTo(sigma(981), within(1e-9));
        assertThat(euler.sigmas()[49]).isCloseTo(sigma(1), within(1e-12));
        assertThat(euler.sigmas()[50]).isZero();
        assertThat(euler.initNoiseSigma()).isCloseTo(Math.sqrt(sigma(981) * sigma(981) + 1), within(1e-9));
        assertThat(euler.inputScale(3)).isCloseTo(1 / Math.sqrt(sigma(921) * sigma(921) + 1), within(1e-12));
    }

    @Test
    void trailingSpacingAsSdTurboRuns() {
        // diffusers: np.round(np.arange(1000, 0, -1000 / 4)) - 1 = 999, 749, 499, 249.
        Schedule euler = scheduler("EulerDiscreteScheduler", "trailing", "epsilon", 0).schedule(4);
        assertThat(euler.timesteps()).containsExactly(999, 749, 499, 249);
        assertThat(euler.initNoiseSigma()).isCloseTo(sigma(999), within(1e-9));
        // 3 steps: arange(1000, 0, -333.33) = 1000, 666.67, 333.33, rounded 1000, 667, 333, minus 1.
        assertThat(scheduler("DDIMScheduler", "trailing", "epsilon", 0).schedule(3).timesteps())
                .containsExactly(999, 666, 332);
        assertThat(euler.initNoiseSigma()).isEqualTo(((EulerDiscreteScheduler.EulerSchedule) euler).sigmas()[0]);
    }

    @Test
    void linspaceSpacingIsFractionalForEulerAndRoundedForDdim() {
        // np.linspace(0, 999, 4)[::-1] = 999, 666, 333, 0; with 7 steps 999, 832.5, 666, ...
        Schedule euler = scheduler("EulerDiscreteScheduler", "linspace", "epsilon", 0).schedule(7);
        assertThat(euler.timesteps()).containsExactly(999, 832.5, 666, 499.5, 333, 166.5, 0);
        double interpolated = sigma(832) + 0.5 * (sigma(833) - sigma(832));
        assertThat(((EulerDiscreteScheduler.EulerSchedule) euler).sigmas()[1]).isCloseTo(interpolated, within(1e-9));
        assertThat(euler.initNoiseSigma()).isCloseTo(sigma(999), within(1e-9));
        // numpy rounds half to even: 832.5 → 832, 499.5 → 500, 166.5 → 166.
        assertThat(scheduler("DDIMScheduler", "linspace", "epsilon", 0).schedule(7).timesteps())
                .containsExactly(999, 832, 666, 500, 333, 166, 0);
    }

    @ParameterizedTest
    @CsvSource({
        "EulerDiscreteScheduler, leading, epsilon", "EulerDiscreteScheduler, trailing, epsilon",
        "EulerDiscreteScheduler, linspace, v_prediction", "EulerDiscreteScheduler, trailing, v_prediction",
        "DDIMScheduler, leading, epsilon", "DDIMScheduler, trailing, v_prediction",
        "DDIMScheduler, linspace, epsilon", "EulerDiscreteScheduler, leading, sample"})
    void aModelThatPredictsTheExactNoiseRecoversTheCleanSample(String className, String spacing, String prediction) {
        String json = config(className, spacing, prediction, 1).replace("\"set_alpha_to_one\": false",
                "\"set_alpha_to_one\": true");
        Schedule schedule = Scheduler.of(SchedulerConfig.parse(json, "test"), null, "test").schedule(10);
        float[] clean = GaussianNoise.sample(1, 64);
        float[] noise = GaussianNoise.sample(2, 64);
        boolean euler = className.startsWith("Euler");
        int first = (int) schedule.timesteps()[0];
        float[] sample = noised(clean, noise, first, euler);
        for (int step = 0; step < schedule.steps(); step++) {
            double t = schedule.timesteps()[step];
            schedule.step(perfectPrediction(prediction, clean, sample, t, euler), step, sample);
        }
        for (int i = 0; i < clean.length; i++) {
            assertThat(sample[i]).as("value %d", i).isCloseTo(clean[i], within(2e-3f));
        }
    }

    /** x_t: Euler works in σ-space (x₀ + σε), DDIM in √ᾱ·x₀ + √(1 − ᾱ)·ε. */
    private static float[] noised(float[] clean, float[] noise, int t, boolean euler) {
        float[] sample = new float[clean.length];
        double a = alphaBar(t);
        for (int i = 0; i < clean.length; i++) {
            sample[i] = euler
                    ? (float) (clean[i] + sigma(t) * noise[i])
                    : (float) (Math.sqrt(a) * clean[i] + Math.sqrt(1 - a) * noise[i]);
        }
        return sample;
    }

    /**
     * What a perfect model outputs at timestep {@code t}: the exact noise ε of the current sample
     * (x = √ᾱ·x₀ + √(1 − ᾱ)·ε, in Euler's σ-space x = x₀ + σε), v = √ᾱ·ε − √(1 − ᾱ)·x₀, or x₀.
     */
    private static float[] perfectPrediction(String type, float[] clean, float[] sample, double t, boolean euler) {
        float[] out = new float[clean.length];
        double a = t == Math.floor(t) ? alphaBar((int) t) : interpolatedAlphaBar(t);
        double sigma = Math.sqrt((1 - a) / a);
        for (int i = 0; i < out.length; i++) {
            double noise = euler
                    ? (sample[i] - clean[i]) / sigma
                    : (sample[i] - Math.sqrt(a) * clean[i]) / Math.sqrt(1 - a);
            switch (type) {
                case "epsilon" -> out[i] = (float) noise;
                case "v_prediction" -> out[i] = (float) (Math.sqrt(a) * noise - Math.sqrt(1 - a) * clean[i]);
                default -> out[i] = clean[i];
            }
        }
        return out;
    }

    /** ᾱ of the σ interpolated between two training steps, as the Euler schedule sees it. */
    private static double interpolatedAlphaBar(double t) {
        int low = (int) Math.floor(t);
        double s = sigma(low) + (t - low) * (sigma(low + 1) - sigma(low));
        return 1 / (s * s + 1);
    }

    @Test
    void refusesWhatItCannotHonourNamingTheFileAndTheSetting() {
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"use_karras_sigmas\": true}", "scheduler/scheduler_config.json"))
                .hasMessageContaining("scheduler/scheduler_config.json").hasMessageContaining("use_karras_sigmas");
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"beta_schedule\": \"squaredcos_cap_v2\"}", "f.json"))
                .hasMessageContaining("beta_schedule").hasMessageContaining("scaled_linear");
        assertThatThrownBy(() -> Scheduler.of(SchedulerConfig.parse("{\"_class_name\": \"PNDMScheduler\"}", "f.json"),
                null, "f.json"))
                .hasMessageContaining("PNDMScheduler").hasMessageContaining("generator.options.scheduler");
        assertThat(Scheduler.of(SchedulerConfig.parse("{\"_class_name\": \"PNDMScheduler\"}", "f.json"),
                "DDIMScheduler", "f.json")).isInstanceOf(DdimScheduler.class);
        assertThatThrownBy(() -> SchedulerConfig.parse("[1]", "f.json")).hasMessageContaining("not a JSON object");
    }

    @Test
    void linearBetasAreEvenlySpaced() {
        SchedulerConfig config = SchedulerConfig.parse(
                "{\"beta_start\": 0.0001, \"beta_end\": 0.02, \"beta_schedule\": \"linear\"}", "f.json");
        double[] alphaBar = BetaSchedule.alphasCumprod(config);
        assertThat(alphaBar[0]).isCloseTo(1 - 0.0001, within(1e-15));
        assertThat(alphaBar[1] / alphaBar[0]).isCloseTo(1 - (0.0001 + 0.0199 / 999), within(1e-15));
        assertThat(alphaBar[999] / alphaBar[998]).isCloseTo(1 - 0.02, within(1e-15));
    }
}
