package dev.stageflow.inference;

import static dev.stageflow.inference.OnnxGraphBuilder.intAttribute;
import static dev.stageflow.inference.OnnxGraphBuilder.intsAttribute;
import static dev.stageflow.inference.OnnxGraphBuilder.stringAttribute;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the built-in generator's two ONNX models into the build output (run by Maven in
 * {@code process-classes}), so the job ships a real, CPU-friendly "diffusion-like" model without
 * downloading anything.
 *
 * <p>The denoiser refines a latent towards a target computed by two 3×3 convolutions from the
 * latent and the text embedding; the decoder is a CPPN (a per-pixel network of the pixel's
 * coordinates and the upsampled latent), which turns random weights into smooth, colourful
 * abstract images. Weights are pseudo-random but fixed by their names, so every build writes
 * byte-identical files.
 *
 * <p>Changing anything here changes every generated image: give the models a new
 * {@link OnnxImageGenerator#BUILTIN_VERSION} then, because artifacts are stored under the version
 * and the extracted model files are reused by name and size.
 */
public final class BuiltinGeneratorWriter {

    private static final int CONDITION_GRID = 4;
    private static final int HIDDEN_CHANNELS = 32;
    private static final float STEP_SIZE = 0.35f;

    private static final double CONDITION_GAIN = 1.5;
    private static final double DENOISER_GAIN = 2.0;
    private static final double DENOISER_BIAS = 0.2;
    private static final double CPPN_INPUT_GAIN = 2.5;
    private static final double CPPN_SINE_GAIN = 3.0;
    private static final double CPPN_HIDDEN_GAIN = 1.5;
    private static final double CPPN_COLOUR_GAIN = 2.5;
    private static final double CPPN_BIAS = 1.0;

    private BuiltinGeneratorWriter() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("Usage: BuiltinGeneratorWriter <classes output directory>");
        }
        write(Paths.get(args[0]).resolve(OnnxImageGenerator.BUILTIN_RESOURCE_DIR));
    }

    /** Writes {@code denoiser.onnx} and {@code decoder.onnx} into {@code dir}. */
    static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        writeIfChanged(dir.resolve(OnnxImageGenerator.DENOISER_FILE), denoiser().toByteArray());
        writeIfChanged(dir.resolve(OnnxImageGenerator.DECODER_FILE), decoder().toByteArray());
    }

    static ModelProto denoiser() {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("denoiser", OnnxImageGenerator.BUILTIN_VERSION + "/denoiser");
        int channels = LatentBatch.CHANNELS;
        graph.input("latent", "batch", channels, "height", "width");
        graph.input("embedding", "batch", OnnxImageGenerator.EMBEDDING_SIZE);

        String condition = resizeLinear(graph, "condition", conditionGrid(graph), graph.node("Shape", "latent_shape", "latent"));
        String features = concatChannels(graph, "denoiser_features", "latent", condition);
        String hidden = graph.node("Tanh", "hidden", conv(graph, "conv1", features, 2 * channels, HIDDEN_CHANNELS, 3, DENOISER_GAIN, DENOISER_BIAS));
        String target = graph.node("Tanh", "target", conv(graph, "conv2", hidden, HIDDEN_CHANNELS, channels, 3, DENOISER_GAIN, DENOISER_BIAS));
        String towardsTarget = graph.node("Sub", "towards_target", target, "latent");
        String step = graph.node("Mul", "step", towardsTarget, graph.floatScalar("step_size", STEP_SIZE));
        graph.node("Add", "next_latent", "latent", step);

        graph.output("next_latent", "batch", channels, "height", "width");
        return graph.build(OnnxImageGenerator.BUILTIN_VERSION);
    }

    static ModelProto decoder() {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("decoder", OnnxImageGenerator.BUILTIN_VERSION + "/decoder");
        graph.input("latent", "batch", LatentBatch.CHANNELS, "height", "width");
        graph.input("coords", "batch", 3, "image_height", "image_width");

        String batchAndChannels = graph.node("Shape", "latent_batch_channels", List.of("latent"), intAttribute("end", 2));
        String imageSize = graph.node("Shape", "image_size", List.of("coords"), intAttribute("start", 2));
        String upsampledSize = graph.node("Concat", "upsampled_size", List.of(batchAndChannels, imageSize), intAttribute("axis", 0));
        String upsampled = resizeLinear(graph, "latent_upsampled", "latent", upsampledSize);
        String features = concatChannels(graph, "cppn_features", upsampled, "coords");

        int inputs = LatentBatch.CHANNELS + 3;
        String layer1 = graph.node("Tanh", "cppn1", conv(graph, "cppn1_conv", features, inputs, HIDDEN_CHANNELS, 1, CPPN_INPUT_GAIN, CPPN_BIAS));
        String layer2 = graph.node("Sin", "cppn2", conv(graph, "cppn2_conv", layer1, HIDDEN_CHANNELS, HIDDEN_CHANNELS, 1, CPPN_SINE_GAIN, CPPN_BIAS));
        String layer3 = graph.node("Tanh", "cppn3", conv(graph, "cppn3_conv", layer2, HIDDEN_CHANNELS, HIDDEN_CHANNELS, 1, CPPN_HIDDEN_GAIN, CPPN_BIAS));
        graph.node("Sigmoid", "image", conv(graph, "colour_conv", layer3, HIDDEN_CHANNELS, 3, 1, CPPN_COLOUR_GAIN, CPPN_BIAS));

        graph.output("image", "batch", 3, "image_height", "image_width");
        return graph.build(OnnxImageGenerator.BUILTIN_VERSION);
    }

    /**
     * The embedding projected to a coarse 4×4 grid per latent channel: [B, 4, 4, 4]. Embeddings
     * have unit norm rather than unit spread per value, hence the √384 in the gain.
     */
    private static String conditionGrid(OnnxGraphBuilder graph) {
        int gridValues = LatentBatch.CHANNELS * CONDITION_GRID * CONDITION_GRID;
        int embeddingSize = OnnxImageGenerator.EMBEDDING_SIZE;
        String weight = graph.weight("condition_w", CONDITION_GAIN * Math.sqrt(embeddingSize), gridValues, embeddingSize);
        String bias = graph.bias("condition_b", CONDITION_GAIN, gridValues);
        String flat = graph.node("Gemm", "condition_flat", List.of("embedding", weight, bias), intAttribute("transB", 1));
        String gridShape = graph.int64Vector("condition_grid_shape", -1, LatentBatch.CHANNELS, CONDITION_GRID, CONDITION_GRID);
        return graph.node("Reshape", "condition_grid", flat, gridShape);
    }

    /** A convolution with "same" padding; its bias spread is {@code biasRatio} times that of its weighted input. */
    private static String conv(OnnxGraphBuilder graph, String name, String input, int inChannels, int outChannels,
            int kernel, double gain, double biasRatio) {
        String weight = graph.weight(name + "_w", gain, outChannels, inChannels, kernel, kernel);
        String bias = graph.bias(name + "_b", gain * biasRatio, outChannels);
        long pad = kernel / 2;
        return graph.node("Conv", name, List.of(input, weight, bias), intsAttribute("pads", pad, pad, pad, pad));
    }

    private static String resizeLinear(OnnxGraphBuilder graph, String output, String input, String sizes) {
        return graph.node("Resize", output, List.of(input, "", "", sizes), stringAttribute("mode", "linear"));
    }

    private static String concatChannels(OnnxGraphBuilder graph, String output, String first, String second) {
        return graph.node("Concat", output, List.of(first, second), intAttribute("axis", 1));
    }

    private static void writeIfChanged(Path file, byte[] bytes) throws IOException {
        if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), bytes)) {
            return;
        }
        Files.write(file, bytes);
    }
}
