package dev.stageflow.inference;

import dev.stageflow.config.EnhanceOptions;
import java.util.Arrays;
import java.util.Optional;

/**
 * The learned super-resolution models the job ships: ESRGAN-slim of the npm package
 * {@code @upscalerjs/esrgan-slim} 1.0.0 (MIT licence, {@link #LICENSE_RESOURCE}), converted to ONNX
 * by the build tools' {@code EsrganModelWriter} and checked in as resources. The ONNX graph takes
 * and gives [1, 3, height, width] planar RGB in the model's own range, 0 to 255.
 */
public enum EsrganModel {
    X2(EnhanceOptions.ESRGAN_SLIM_X2, 2),
    X4(EnhanceOptions.ESRGAN_SLIM_X4, 4);

    /** The npm package the models come from, pinned by the build tools' {@code esrgan/model/package-lock.json}. */
    public static final String PACKAGE = "@upscalerjs/esrgan-slim@1.0.0";
    public static final String FAMILY = "esrgan-slim";
    public static final String MODEL_FILE = "model.onnx";
    public static final String LICENSE_RESOURCE = "stageflow/models/" + FAMILY + "/LICENSE";
    /** The models' pixel range: UpscalerJS feeds this architecture ("rdn") 0..255 and clips its output to it. */
    static final float PIXEL_RANGE = 255f;

    private final String optionValue;
    private final int scale;

    EsrganModel(String optionValue, int scale) {
        this.optionValue = optionValue;
        this.scale = scale;
    }

    /** The value of {@code enhancer.model} that selects this model, e.g. {@code esrgan-slim-x2}. */
    public String optionValue() {
        return optionValue;
    }

    public int scale() {
        return scale;
    }

    /** Where the job's resources hold the model file (written by the build tools' writer). */
    public String resourceDir() {
        return "stageflow/models/" + optionValue();
    }

    public static Optional<EsrganModel> byOptionValue(String value) {
        return Arrays.stream(values()).filter(model -> model.optionValue().equals(value)).findFirst();
    }
}
