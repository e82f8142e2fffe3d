package dev.stageflow.tools;

import static dev.stageflow.inference.OnnxImageGenerator.BUILTIN_VERSION;
import static dev.stageflow.inference.OnnxImageGenerator.COORDINATE_CHANNELS;
import static dev.stageflow.inference.OnnxImageGenerator.DECODER_FILE;
import static dev.stageflow.inference.OnnxImageGenerator.DENOISER_FILE;
import static dev.stageflow.inference.OnnxImageGenerator.EMBEDDING_SIZE;
import static dev.stageflow.inference.OnnxImageGenerator.LATENT_CHANNELS;
import static dev.stageflow.tools.OnnxGraphBuilder.intAttribute;
import static dev.stageflow.tools.OnnxGraphBuilder.intsAttribute;
import static dev.stageflow.tools.OnnxGraphBuilder.stringAttribute;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.stageflow.inference.OnnxImageGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the built-in generator's two ONNX models, a real, CPU-friendly "diffusion-like" model the
 * job ships without downloading anything. The files are checked in under the job's resources
 * ({@link OnnxImageGenerator#BUILTIN_RESOURCE_DIR}); {@code BuiltinModelsAreCurrentTest} fails when
 * they differ from what this writes, and {@code scripts/generate.sh} rewrites them.
 *
 * <p>The denoiser refines a latent towards a target computed by two 3×3 convolutions from the
 * latent and the text embedding; the decoder is a CPPN (a per-pixel network of the pixel's
 * coordinates and the upsampled latent), which turns random weights into smooth, colourful
 * abstract images. Weights are pseudo-random but fixed by their names, so every run writes
 * byte-identical files.
 *
 * <p>Changing anything here changes every generated image: give the models a new
 * {@link OnnxImageGenerator#BUILTIN_VERSION} then, because artifacts are stored under the version:
 * the old version's cached artifacts would otherwise be reused for the new model.
 */
public final class BuiltinGeneratorWriter {


    private static final int CONDITION_GRID = 4;
    private static final int HIDDEN_CHANNELS = 32;
    private static final float STEP_SIZE = 0.35f;
    /** Binomial 3×3 blur, the spatial profile of every denoiser kernel. */
    private static final float[] BLUR_PROFILE = {1, 2, 1, 2, 4, 2, 1, 2, 1};
    private static final float BLUR_PROFILE_SUM = 16;

    // Tuned by looking at images: the embedding sets the composition, the seed varies it, and
    // colours are saturated without clipping.
    private static final double CONDITION_GAIN = 0.4;
    private static final double DENOISER_GAIN = 3.0;
    private static final double DENOISER_BIAS_SPREAD = 0.1;
    private static final double CPPN_INPUT_GAIN = 1.0;
    private static final double CPPN_SINE_GAIN = 3.0;
    private static final double CPPN_HIDDEN_GAIN = 1.5;
    private static final double CPPN_COLOUR_GAIN = 3.0;
    private static final double CPPN_BIAS_RATIO = 0.5;

    private BuiltinGeneratorWriter() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("Usage: BuiltinGeneratorWriter <job resources directory>");
        }
        write(Paths.get(args[0]).resolve(OnnxImageGenerator.BUILTIN_RESOURCE_DIR));
    }

    /** Writes {@code denoiser.onnx} and {@code decoder.onnx} into {@code dir}. */
    public static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        writeIfChanged(dir.resolve(DENOISER_FILE), denoiser().toByteArray());
        writeIfChanged(dir.resolve(DECODER_FILE), decoder().toByteArray());
    }

    static ModelProto denoiser() {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("denoiser", BUILTIN_VERSION + "/denoiser");
        int channels = LATENT_CHANNELS;
        graph.input("latent", "batch", channels, "height", "width");
        graph.input("embedding", "batch", EMBEDDING_SIZE);

        String latentShape = graph.node("Shape", "latent_shape", "latent");
        String condition = resizeLinear(graph, "condition", conditionGrid(graph), latentShape);
        String features = concatChannels(graph, "denoiser_features", "latent", condition);
        String hidden = graph.node("Tanh", "hidden",
                smoothConv(graph, "conv1", features, 2 * channels, HIDDEN_CHANNELS));
        String target = graph.node("Tanh", "target",
                smoothConv(graph, "conv2", hidden, HIDDEN_CHANNELS, channels));
        String towardsTarget = graph.node("Sub", "towards_target", target, "latent");
        String stepSize = graph.floatTensor("step_size", new float[] {STEP_SIZE});
        graph.node("Add", "next_latent", "latent", graph.node("Mul", "step", towardsTarget, stepSize));

        graph.output("next_latent", "batch", channels, "height", "width");
        return graph.build(BUILTIN_VERSION);
    }

    static ModelProto decoder() {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("decoder", BUILTIN_VERSION + "/decoder");
        graph.input("latent", "batch", LATENT_CHANNELS, "height", "width");
        graph.input("coords", "batch", COORDINATE_CHANNELS, "image_height", "image_width");

        String batchAndChannels = graph.node("Shape", "latent_batch_channels", List.of("latent"),
                intAttribute("end", 2));
        String imageSize = graph.node("Shape", "image_size", List.of("coords"), intAttribute("start", 2));
        String upsampledShape = graph.node("Concat", "upsampled_shape", List.of(batchAndChannels, imageSize),
                intAttribute("axis", 0));
        String upsampled = resizeLinear(graph, "latent_upsampled", "latent", upsampledShape);
        String features = concatChannels(graph, "cppn_features", upsampled, "coords");

        int inputs = LATENT_CHANNELS + COORDINATE_CHANNELS;
        int hidden = HIDDEN_CHANNELS;
        String layer1 = graph.node("Tanh", "cppn1",
                pointwiseConv(graph, "cppn1_conv", features, inputs, hidden, CPPN_INPUT_GAIN));
        String layer2 = graph.node("Sin", "cppn2",
                pointwiseConv(graph, "cppn2_conv", layer1, hidden, hidden, CPPN_SINE_GAIN));
        String layer3 = graph.node("Tanh", "cppn3",
                pointwiseConv(graph, "cppn3_conv", layer2, hidden, hidden, CPPN_HIDDEN_GAIN));
        graph.node("Sigmoid", "image",
                pointwiseConv(graph, "colour_conv", layer3, hidden, 3, CPPN_COLOUR_GAIN));

        graph.output("image", "batch", 3, "image_height", "image_width");
        return graph.build(BUILTIN_VERSION);
    }

    /**
     * The embedding projected to a coarse 4×4 grid per latent channel: [B, 4, 4, 4]. Embeddings
     * have unit norm rather than unit spread per value, hence the √384 in the gain.
     */
    private static String conditionGrid(OnnxGraphBuilder graph) {
        int gridValues = LATENT_CHANNELS * CONDITION_GRID * CONDITION_GRID;
        double gain = CONDITION_GAIN * Math.sqrt(EMBEDDING_SIZE);
        String weight = graph.weight("condition_w", gain, gridValues, EMBEDDING_SIZE);
        String bias = graph.bias("condition_b", CONDITION_GAIN, gridValues);
        String flat = graph.node("Gemm", "condition_flat", List.of("embedding", weight, bias),
                intAttribute("transB", 1));
        String gridShape = graph.int64Vector("condition_grid_shape",
                -1, LATENT_CHANNELS, CONDITION_GRID, CONDITION_GRID);
        return graph.node("Reshape", "condition_grid", flat, gridShape);
    }

    /**
     * A 3×3 convolution whose kernels are a random channel mix times one blur profile. With plain
     * random kernels the latent settled into stripes one cell wide; the low-pass profile makes it
     * settle into smooth blobs, alike in every direction. Small biases keep the dynamics nearly
     * symmetric, so the seed's noise (not the bias) decides which way each region settles.
     */
    private static String smoothConv(OnnxGraphBuilder graph, String name, String input, int inChannels,
            int outChannels) {
        int taps = BLUR_PROFILE.length;
        float[] mix = graph.randomValues(name + "_w", DENOISER_GAIN / Math.sqrt(inChannels),
                outChannels * inChannels);
        float[] kernels = new float[mix.length * taps];
        for (int i = 0; i < kernels.length; i++) {
            kernels[i] = mix[i / taps] * BLUR_PROFILE[i % taps] / BLUR_PROFILE_SUM;
        }
        String weight = graph.floatTensor(name + "_w", kernels, outChannels, inChannels, 3, 3);
        String bias = graph.bias(name + "_b", DENOISER_BIAS_SPREAD, outChannels);
        return conv(graph, name, List.of(input, weight, bias), 1);
    }

    private static String pointwiseConv(OnnxGraphBuilder graph, String name, String input, int inChannels,
            int outChannels, double gain) {
        String weight = graph.weight(name + "_w", gain, outChannels, inChannels, 1, 1);
        String bias = graph.bias(name + "_b", gain * CPPN_BIAS_RATIO, outChannels);
        return conv(graph, name, List.of(input, weight, bias), 0);
    }

    private static String conv(OnnxGraphBuilder graph, String name, List<String> inputWeightBias, long pad) {
        return graph.node("Conv", name, inputWeightBias, intsAttribute("pads", pad, pad, pad, pad));
    }

    private static String resizeLinear(OnnxGraphBuilder graph, String output, String input, String shape) {
        return graph.node("Resize", output, List.of(input, "", "", shape), stringAttribute("mode", "linear"));
    }

    private static String concatChannels(OnnxGraphBuilder graph, String output, String first, String second) {
        return graph.node("Concat", output, List.of(first, second), intAttribute("axis", 1));
    }

    /** Writes {@code bytes} to {@code file} unless it holds them already (its time then stays). */
    static void writeIfChanged(Path file, byte[] bytes) throws IOException {
        if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), bytes)) {
            return;
        }
        Files.write(file, bytes);
    }
}
