package dev.stageflow.inference.sd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stageflow.model.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The settings of a diffusers {@code scheduler_config.json} that the schedulers here use, with
 * diffusers' defaults for the ones a file leaves out. A setting these schedulers cannot honour
 * (Karras sigmas, thresholding, zero-SNR rescaling, ...) is refused rather than ignored, because
 * ignoring it would give other images than the model's own pipeline.
 */
public final class SchedulerConfig {

    public static final String EULER_DISCRETE = "EulerDiscreteScheduler";
    public static final String DDIM = "DDIMScheduler";

    public final String className;
    public final int trainTimesteps;
    public final double betaStart;
    public final double betaEnd;
    public final String betaSchedule;
    public final String predictionType;
    public final String timestepSpacing;
    public final int stepsOffset;
    public final boolean setAlphaToOne;
    public final boolean clipSample;
    public final double clipSampleRange;
    /** Euler's σ after the last step: "zero", or "sigma_min" (σ of the first training timestep). */
    public final String finalSigmasType;

    private SchedulerConfig(JsonNode json, String source) {
        className = text(json, "_class_name", "");
        trainTimesteps = json.path("num_train_timesteps").asInt(1000);
        betaStart = json.path("beta_start").asDouble(0.0001);
        betaEnd = json.path("beta_end").asDouble(0.02);
        betaSchedule = oneOf(source, "beta_schedule", text(json, "beta_schedule", "linear"),
                List.of("linear", "scaled_linear"));
        predictionType = oneOf(source, "prediction_type", text(json, "prediction_type", "epsilon"),
                List.of("epsilon", "v_prediction", "sample"));
        timestepSpacing = oneOf(source, "timestep_spacing", text(json, "timestep_spacing", "leading"),
                List.of("leading", "trailing", "linspace"));
        stepsOffset = json.path("steps_offset").asInt(0);
        setAlphaToOne = json.path("set_alpha_to_one").asBoolean(true);
        clipSample = json.path("clip_sample").asBoolean(className.equals(DDIM));
        clipSampleRange = json.path("clip_sample_range").asDouble(1.0);
        finalSigmasType = oneOf(source, "final_sigmas_type", text(json, "final_sigmas_type", "zero"),
                List.of("zero", "sigma_min"));
        if (json.hasNonNull("trained_betas")) {
            throw unsupported(source, "trained_betas");
        }
        for (String flag : List.of("use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas",
                "thresholding", "rescale_betas_zero_snr")) {
            if (json.path(flag).asBoolean(false)) {
                throw unsupported(source, flag + ": true");
            }
        }
        String timestepType = text(json, "timestep_type", "discrete");
        if (!timestepType.equals("discrete")) {
            throw unsupported(source, "timestep_type: " + timestepType);
        }
        String interpolation = text(json, "interpolation_type", "linear");
        if (!interpolation.equals("linear")) {
            throw unsupported(source, "interpolation_type: " + interpolation);
        }
        if (trainTimesteps < 2 || betaStart <= 0 || betaEnd < betaStart || betaEnd >= 1) {
            throw new IllegalArgumentException(source + ": num_train_timesteps, beta_start and beta_end must"
                    + " satisfy 2 <= num_train_timesteps and 0 < beta_start <= beta_end < 1, got "
                    + trainTimesteps + ", " + betaStart + ", " + betaEnd);
        }
    }

    /** Parses {@code json}; {@code source} names it in messages (usually the file). */
    public static SchedulerConfig parse(String json, String source) {
        try {
            JsonNode node = Json.MAPPER.readTree(json);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(source + " is not a JSON object");
            }
            return new SchedulerConfig(node, source);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    public static SchedulerConfig read(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode json, String field, String defaultValue) {
        JsonNode node = json.get(field);
        return node == null || node.isNull() ? defaultValue : node.asText();
    }

    private static String oneOf(String source, String field, String value, List<String> allowed) {
        if (!allowed.contains(value)) {
            throw new IllegalArgumentException(source + ": " + field + " '" + value + "' is not supported; supported: "
                    + String.join(", ", allowed));
        }
        return value;
    }

    private static IllegalArgumentException unsupported(String source, String setting) {
        return new IllegalArgumentException(source + ": '" + setting + "' is not supported by stageflow's schedulers");
    }
}
