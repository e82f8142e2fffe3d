package dev.stageflow.inference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stageflow.config.EnhanceOptions;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The converted ONNX models compute what the npm package's own model computes: the golden files
 * (job/src/test/resources/esrgan/golden-x*.json) are the outputs of {@code @upscalerjs/esrgan-slim}
 * 1.0.0 on {@code @tensorflow/tfjs} 4.11.0's pure-JavaScript CPU backend for a fixed 16×16 input,
 * written by {@code scripts/esrgan-golden.sh}.
 *
 * <p>Tolerance: 0.01 on the model's 0..255 scale (4e-5 of the range), per value. Both run float32
 * convolutions, summing in different orders; the largest differences measured are 1.4e-4 (×2)
 * and 2.4e-4 (×4). A wrong weight layout, padding side or upsampling mode gives differences of
 * whole grey levels.
 */
class EsrganGoldenTest {

    private static final float TOLERANCE = 0.01f;

    @ParameterizedTest
    @EnumSource(EsrganModel.class)
    void convertedModelMatchesTheTensorFlowJsOutput(EsrganModel model) throws IOException {
        JsonNode golden = golden(model);
        assertThat(golden.path("package").asText()).isEqualTo(EsrganModel.PACKAGE);
        assertThat(golden.path("backend").asText()).isEqualTo("cpu");
        assertThat(golden.path("inputRange").toString()).isEqualTo("[0,255]");
        float[] input = floats(golden.path("input").path("values"));
        float[] expected = floats(golden.path("output").path("values"));
        int size = golden.path("input").path("shape").get(3).asInt();
        float[] planes = new float[input.length];
        for (int i = 0; i < input.length; i++) {
            planes[i] = input[i] / EsrganModel.PIXEL_RANGE;
        }

        RgbImage upscaled;
        // One tile without overlap is one model call on the image as it is, as TF.js ran it.
        EnhanceSettings oneCall = new EnhanceSettings(model.optionValue(), model.scale(), 0.8f, 1f, 0.005f, size, 0);
        try (EsrganEnhancer enhancer = new EsrganEnhancer(model, oneCall)) {
            upscaled = enhancer.upscale(new RgbImage(size, size, planes));
        }

        assertThat(upscaled.width()).isEqualTo(size * model.scale());
        float[] actual = upscaled.planes();
        assertThat(actual).hasSize(expected.length);
        float maxDifference = 0;
        for (int i = 0; i < expected.length; i++) {
            float clipped = Math.max(0f, Math.min(EsrganModel.PIXEL_RANGE, expected[i]));
            maxDifference = Math.max(maxDifference, Math.abs(actual[i] * EsrganModel.PIXEL_RANGE - clipped));
        }
        assertThat(maxDifference).as("largest difference from the TF.js output, on 0..255").isLessThan(TOLERANCE);
    }

    static EnhanceSettings settings(EsrganModel model) {
        return new EnhanceSettings(model.optionValue(), model.scale(), 0.8f, 1f, 0.005f,
                EnhanceOptions.TILE_SIZE.defaultValue(), EnhanceOptions.TILE_OVERLAP.defaultValue());
    }

    private static JsonNode golden(EsrganModel model) throws IOException {
        try (InputStream in = EsrganGoldenTest.class.getResourceAsStream("/esrgan/golden-x" + model.scale() + ".json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static float[] floats(JsonNode values) {
        float[] floats = new float[values.size()];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = (float) values.get(i).asDouble();
        }
        return floats;
    }
}
