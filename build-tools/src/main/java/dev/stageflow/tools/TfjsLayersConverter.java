package dev.stageflow.tools;

import static dev.stageflow.tools.OnnxGraphBuilder.intsAttribute;
import static dev.stageflow.tools.OnnxGraphBuilder.stringAttribute;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts a TensorFlow.js <em>layers</em> model ({@code model.json} in the format the tfjs
 * converter writes for a Keras model, plus its weight shards) to an ONNX graph, exactly: the same
 * layers with the same weights, nothing fused or approximated.
 *
 * <p>Keras computes in NHWC, ONNX's {@code Conv} in NCHW. The ONNX graph is NCHW throughout: its
 * input {@code input} is [batch, channels, height, width] (the layout of the job's planar images),
 * its output {@code output} likewise, so no transposes run at inference. Weights change layout
 * instead: a Keras kernel [kh, kw, in, out] becomes ONNX's [out, in, kh, kw], and a concatenation
 * on the channel axis (3 or -1) concatenates on axis 1. Values keep the model's own range.
 *
 * <p>Only what the models we ship use is supported: a functional model with one input and one
 * output; {@code Conv2D} (stride 1, no dilation, one group, channels last; "same" padding as
 * TensorFlow does it, the odd pixel at the end for even kernels), {@code Activation} and the
 * activation of a Conv2D (linear, relu, sigmoid, tanh), {@code Concatenate} on channels, {@code
 * Add}, {@code UpSampling2D} (nearest), and float32 weights without quantization. Anything else
 * fails, naming the layer and what is wrong: a conversion is never approximate.
 */
final class TfjsLayersConverter {

    static final String INPUT = "input";
    static final String OUTPUT = "output";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path modelJson;
    private final OnnxGraphBuilder graph;
    private final Map<String, float[]> weights;
    private final Map<String, long[]> weightShapes = new HashMap<>();
    /** The ONNX tensor of each Keras layer's output. */
    private final Map<String, String> tensors = new HashMap<>();
    /** Channels of each layer's output, known for every layer (the input's are declared). */
    private final Map<String, Integer> channels = new HashMap<>();

    private TfjsLayersConverter(Path modelJson, String graphName, JsonNode artifacts) throws IOException {
        this.modelJson = modelJson;
        this.graph = new OnnxGraphBuilder(graphName, graphName);
        this.weights = readWeights(artifacts.path("weightsManifest"));
    }

    /** The ONNX model of {@code modelJson} (its shards are read from the same directory). */
    static ModelProto convert(Path modelJson, String graphName, String producerVersion) throws IOException {
        JsonNode artifacts = JSON.readTree(modelJson.toFile());
        String format = artifacts.path("format").asText();
        if (!"layers-model".equals(format)) {
            throw new IllegalArgumentException(modelJson + " is not a TF.js layers model (format: '" + format + "')");
        }
        TfjsLayersConverter converter = new TfjsLayersConverter(modelJson, graphName, artifacts);
        converter.convertTopology(artifacts.path("modelTopology").path("model_config"));
        return converter.graph.build(producerVersion);
    }

    private void convertTopology(JsonNode modelConfig) {
        JsonNode config = modelConfig.path("config");
        JsonNode inputs = config.path("input_layers");
        JsonNode outputs = config.path("output_layers");
        if (inputs.size() != 1 || outputs.size() != 1) {
            throw fail("the model", "has " + inputs.size() + " inputs and " + outputs.size()
                    + " outputs; only one of each is supported");
        }
        String outputLayer = outputs.get(0).get(0).asText();
        for (JsonNode layer : config.path("layers")) {
            String name = layer.path("name").asText();
            String tensor = name.equals(outputLayer) ? OUTPUT : name;
            tensors.put(name, convertLayer(layer, name, tensor));
        }
        if (!tensors.containsKey(outputLayer)) {
            throw fail("the model", "has no layer named " + outputLayer + ", its output");
        }
        graph.output(OUTPUT, "batch", channels.get(outputLayer), "output_height", "output_width");
    }

    private String convertLayer(JsonNode layer, String name, String tensor) {
        String kind = layer.path("class_name").asText();
        JsonNode config = layer.path("config");
        if (kind.equals("InputLayer")) {
            return input(name, config);
        }
        List<String> inbound = inbound(layer, name);
        return switch (kind) {
            case "Conv2D" -> conv2d(name, config, single(inbound, name), tensor);
            case "Activation" -> activation(name, config.path("activation").asText(), single(inbound, name), tensor);
            case "Concatenate" -> concatenate(name, config, inbound, tensor);
            case "Add" -> add(name, inbound, tensor);
            case "UpSampling2D" -> upSampling(name, config, single(inbound, name), tensor);
            default -> throw fail(name, "is a " + kind + ", a layer the converter does not support");
        };
    }

    private String input(String name, JsonNode config) {
        JsonNode shape = config.path("batch_input_shape");
        if (shape.size() != 4 || !shape.get(3).isInt()) {
            throw fail(name, "has input shape " + shape + "; expected [batch, height, width, channels]"
                    + " with a fixed channel count");
        }
        checkFloat32(name, config);
        channels.put(name, shape.get(3).asInt());
        graph.input(INPUT, "batch", shape.get(3).asInt(), "height", "width");
        return INPUT;
    }

    private String conv2d(String name, JsonNode config, String input, String tensor) {
        checkFloat32(name, config);
        expect(name, config, "data_format", "channels_last");
        expectPair(name, config, "strides", 1);
        expectPair(name, config, "dilation_rate", 1);
        if (config.path("groups").asInt(1) != 1) {
            throw fail(name, "has groups " + config.path("groups") + "; only 1 is supported");
        }
        int kernelHeight = config.path("kernel_size").get(0).asInt();
        int kernelWidth = config.path("kernel_size").get(1).asInt();
        int filters = config.path("filters").asInt();
        int inChannels = channels.get(input);
        float[] kernel = weight(name + "/kernel", kernelHeight, kernelWidth, inChannels, filters);
        List<String> inputs = new ArrayList<>(List.of(tensors.get(input),
                graph.floatTensor(name + "/kernel", toOihw(kernel, kernelHeight, kernelWidth, inChannels, filters),
                        filters, inChannels, kernelHeight, kernelWidth)));
        if (config.path("use_bias").asBoolean(true)) {
            inputs.add(graph.floatTensor(name + "/bias", weight(name + "/bias", filters), filters));
        }
        long[] pads = pads(name, config.path("padding").asText(), kernelHeight, kernelWidth);
        String activation = config.path("activation").asText("linear");
        String convOutput = activation.equals("linear") ? tensor : name + "/conv";
        graph.node("Conv", convOutput, inputs,
                intsAttribute("kernel_shape", kernelHeight, kernelWidth), intsAttribute("pads", pads));
        channels.put(name, filters);
        return activation.equals("linear") ? convOutput : activationNode(name, activation, convOutput, tensor);
    }

    /**
     * ONNX pads [top, left, bottom, right]. TensorFlow's "same" at stride 1 pads k - 1 in all, the
     * smaller half first; "valid" pads nothing.
     */
    private long[] pads(String name, String padding, int kernelHeight, int kernelWidth) {
        return switch (padding) {
            case "valid" -> new long[] {0, 0, 0, 0};
            case "same" -> new long[] {(kernelHeight - 1) / 2, (kernelWidth - 1) / 2,
                    kernelHeight / 2, kernelWidth / 2};
            default -> throw fail(name, "has padding '" + padding + "'; only 'same' and 'valid' are supported");
        };
    }

    private String activation(String name, String activation, String input, String tensor) {
        channels.put(name, channels.get(input));
        if (activation.equals("linear")) {
            return graph.node("Identity", tensor, tensors.get(input));
        }
        return activationNode(name, activation, tensors.get(input), tensor);
    }

    private String activationNode(String name, String activation, String input, String tensor) {
        String op = switch (activation) {
            case "relu" -> "Relu";
            case "sigmoid" -> "Sigmoid";
            case "tanh" -> "Tanh";
            default -> throw fail(name, "has activation '" + activation + "', which the converter does not support");
        };
        return graph.node(op, tensor, input);
    }

    private String concatenate(String name, JsonNode config, List<String> inbound, String tensor) {
        int axis = config.path("axis").asInt(-1);
        if (axis != 3 && axis != -1) {
            throw fail(name, "concatenates on axis " + axis + "; only the channel axis (3 or -1) is supported");
        }
        channels.put(name, inbound.stream().mapToInt(channels::get).sum());
        return graph.node("Concat", tensor, inbound.stream().map(tensors::get).toList(),
                OnnxGraphBuilder.intAttribute("axis", 1));
    }

    private String add(String name, List<String> inbound, String tensor) {
        if (inbound.size() < 2) {
            throw fail(name, "adds " + inbound.size() + " input; at least 2 are needed");
        }
        channels.put(name, channels.get(inbound.get(0)));
        String sum = tensors.get(inbound.get(0));
        for (int i = 1; i < inbound.size(); i++) {
            String output = i == inbound.size() - 1 ? tensor : name + "/sum" + i;
            sum = graph.node("Add", output, sum, tensors.get(inbound.get(i)));
        }
        return sum;
    }

    /** Nearest-neighbour upsampling by whole factors: each pixel repeated, as Keras does it. */
    private String upSampling(String name, JsonNode config, String input, String tensor) {
        expect(name, config, "data_format", "channels_last");
        expect(name, config, "interpolation", "nearest");
        int height = config.path("size").get(0).asInt();
        int width = config.path("size").get(1).asInt();
        channels.put(name, channels.get(input));
        String scales = graph.floatTensor(name + "/scales", new float[] {1, 1, height, width}, 4);
        return graph.node("Resize", tensor, List.of(tensors.get(input), "", scales),
                stringAttribute("mode", "nearest"),
                stringAttribute("coordinate_transformation_mode", "asymmetric"),
                stringAttribute("nearest_mode", "floor"));
    }

    private static float[] toOihw(float[] hwio, int kernelHeight, int kernelWidth, int in, int out) {
        float[] oihw = new float[hwio.length];
        for (int h = 0; h < kernelHeight; h++) {
            for (int w = 0; w < kernelWidth; w++) {
                for (int i = 0; i < in; i++) {
                    for (int o = 0; o < out; o++) {
                        oihw[((o * in + i) * kernelHeight + h) * kernelWidth + w] =
                                hwio[((h * kernelWidth + w) * in + i) * out + o];
                    }
                }
            }
        }
        return oihw;
    }

    private float[] weight(String name, long... shape) {
        float[] values = weights.get(name);
        if (values == null) {
            throw fail(name, "is not in the weights manifest");
        }
        if (!Arrays.equals(weightShapes.get(name), shape)) {
            throw fail(name, "has shape " + Arrays.toString(weightShapes.get(name)) + ", the layer needs "
                    + Arrays.toString(shape));
        }
        return values;
    }

    /**
     * Every weight of the manifest by name. A group's shards are one byte sequence, cut in manifest
     * order into little-endian float32 tensors (the tfjs converter's format).
     */
    private Map<String, float[]> readWeights(JsonNode manifest) throws IOException {
        Map<String, float[]> values = new HashMap<>();
        for (JsonNode group : manifest) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (JsonNode path : group.path("paths")) {
                bytes.write(Files.readAllBytes(modelJson.resolveSibling(path.asText())));
            }
            FloatBuffer floats = ByteBuffer.wrap(bytes.toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            for (JsonNode weight : group.path("weights")) {
                String name = weight.path("name").asText();
                if (!"float32".equals(weight.path("dtype").asText()) || weight.has("quantization")) {
                    throw fail(name, "is " + weight.path("dtype").asText()
                            + (weight.has("quantization") ? " quantized" : "") + "; only float32 weights are supported");
                }
                long[] shape = new long[weight.path("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = weight.path("shape").get(i).asLong();
                }
                float[] tensor = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact))];
                if (floats.remaining() < tensor.length) {
                    throw fail(name, "runs past the end of its weight shards");
                }
                floats.get(tensor);
                values.put(name, tensor);
                weightShapes.put(name, shape);
            }
            if (floats.hasRemaining()) {
                throw fail("weight group " + group.path("paths"), "has " + floats.remaining()
                        + " floats more than its manifest lists");
            }
        }
        return values;
    }

    private List<String> inbound(JsonNode layer, String name) {
        JsonNode nodes = layer.path("inbound_nodes");
        if (nodes.size() != 1) {
            throw fail(name, "is called " + nodes.size() + " times; only layers called once are supported");
        }
        List<String> inputs = new ArrayList<>();
        for (JsonNode inbound : nodes.get(0)) {
            String source = inbound.get(0).asText();
            if (!tensors.containsKey(source)) {
                throw fail(name, "reads " + source + ", which is not an earlier layer");
            }
            if (inbound.get(1).asInt() != 0 || inbound.get(2).asInt() != 0) {
                throw fail(name, "reads another than the first output of " + source);
            }
            inputs.add(source);
        }
        return inputs;
    }

    private String single(List<String> inbound, String name) {
        if (inbound.size() != 1) {
            throw fail(name, "has " + inbound.size() + " inputs; it takes one");
        }
        return inbound.get(0);
    }

    private void checkFloat32(String name, JsonNode config) {
        expect(name, config, "dtype", "float32");
    }

    private void expect(String name, JsonNode config, String field, String value) {
        if (config.has(field) && !value.equals(config.path(field).asText())) {
            throw fail(name, "has " + field + " '" + config.path(field).asText() + "'; only '" + value
                    + "' is supported");
        }
    }

    private void expectPair(String name, JsonNode config, String field, int value) {
        JsonNode pair = config.path(field);
        if (pair.isMissingNode()) {
            return;
        }
        if (pair.size() != 2 || pair.get(0).asInt() != value || pair.get(1).asInt() != value) {
            throw fail(name, "has " + field + " " + pair + "; only [" + value + ", " + value + "] is supported");
        }
    }

    private IllegalArgumentException fail(String what, String problem) {
        return new IllegalArgumentException("Cannot convert " + modelJson + ": " + what + " " + problem);
    }
}
