package dev.stageflow.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The converter on small hand-written TF.js models, run on ONNX Runtime against values worked out
 * by hand with TensorFlow's rules (the ESRGAN models themselves are checked against TF.js by the
 * job's EsrganGoldenTest).
 */
class TfjsLayersConverterTest {

    /**
     * A 2×2 "same" convolution pads one row below and one column to the right (TensorFlow puts the
     * odd pixel at the end), and its kernel [kh, kw, in, out] lands as ONNX's [out, in, kh, kw].
     */
    @Test
    void evenKernelSamePaddingAndKernelLayoutFollowTensorFlow(@TempDir Path dir) throws Exception {
        // Kernel [2, 2, 1, 2]: output channel 0 takes the top-left tap only, channel 1 the bottom-right.
        float[] kernel = {1, 0, 0, 0, 0, 0, 0, 1};
        Path model = writeModel(dir, conv("same", 2, 2, "relu"), kernel, new float[] {0, -5});
        float[] input = {1, 2, 3, 4, 5, 6, 7, 8, 9};

        float[] output = run(TfjsLayersConverter.convert(model, "test", "test").toByteArray(), input, 3, 3);

        // Channel 0: each pixel itself. Channel 1: the pixel below-right, 0 past the edge, minus 5, relu.
        assertThat(output).containsExactly(
                1, 2, 3, 4, 5, 6, 7, 8, 9,
                0, 1, 0, 3, 4, 0, 0, 0, 0);
    }

    @Test
    void refusesALayerItDoesNotSupportNamingIt(@TempDir Path dir) throws IOException {
        Path model = writeModel(dir, """
                {"class_name": "Dense", "name": "dense_1", "config": {"name": "dense_1", "units": 2},
                 "inbound_nodes": [[["LR", 0, 0, {}]]]}""", new float[] {1, 1}, new float[] {0, 0});

        assertThatThrownBy(() -> TfjsLayersConverter.convert(model, "test", "test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dense_1 is a Dense, a layer the converter does not support");
    }

    @Test
    void refusesWeightsThatDoNotFillTheShards(@TempDir Path dir) throws IOException {
        Path model = writeModel(dir, conv("valid", 1, 1, "linear"), new float[] {1, 1}, new float[] {0, 0, 7});

        assertThatThrownBy(() -> TfjsLayersConverter.convert(model, "test", "test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has 1 floats more than its manifest lists");
    }

    private static String conv(String padding, int kernelHeight, int kernelWidth, String activation) {
        return """
                {"class_name": "Conv2D", "name": "conv", "config": {"name": "conv", "dtype": "float32",
                 "filters": 2, "kernel_size": [%d, %d], "strides": [1, 1], "padding": "%s",
                 "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1,
                 "activation": "%s", "use_bias": true},
                 "inbound_nodes": [[["LR", 0, 0, {}]]]}""".formatted(kernelHeight, kernelWidth, padding, activation);
    }

    /** A model of one input (1 channel) and {@code layer}, named "conv" or as it says, with its weights. */
    private static Path writeModel(Path dir, String layer, float[] kernel, float[] bias) throws IOException {
        String name = layer.contains("\"dense_1\"") ? "dense_1" : "conv";
        int kernelSize = kernel.length / 2;
        String json = """
                {"format": "layers-model", "modelTopology": {"model_config": {"class_name": "Functional",
                 "config": {"name": "m", "layers": [
                  {"class_name": "InputLayer", "name": "LR", "config": {"name": "LR", "dtype": "float32",
                   "batch_input_shape": [null, null, null, 1]}, "inbound_nodes": []},
                  %s],
                 "input_layers": [["LR", 0, 0]], "output_layers": [["%s", 0, 0]]}}},
                 "weightsManifest": [{"paths": ["weights.bin"], "weights": [
                  {"name": "conv/kernel", "shape": [%s, 1, 2], "dtype": "float32"},
                  {"name": "conv/bias", "shape": [2], "dtype": "float32"}]}]}
                """.formatted(layer, name, kernelSize == 4 ? "2, 2" : "1, 1");
        ByteBuffer weights = ByteBuffer.allocate(4 * (kernel.length + bias.length)).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : kernel) {
            weights.putFloat(value);
        }
        for (float value : bias) {
            weights.putFloat(value);
        }
        Files.write(dir.resolve("weights.bin"), weights.array());
        Path model = dir.resolve("model.json");
        Files.writeString(model, json);
        return model;
    }

    private static float[] run(byte[] onnx, float[] input, int height, int width) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions());
                OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {1, 1, height, width});
                OrtSession.Result result = session.run(Map.of(TfjsLayersConverter.INPUT, tensor))) {
            FloatBuffer output = ((OnnxTensor) result.get(TfjsLayersConverter.OUTPUT).orElseThrow()).getFloatBuffer();
            float[] values = new float[output.remaining()];
            output.get(values);
            return values;
        }
    }
}
