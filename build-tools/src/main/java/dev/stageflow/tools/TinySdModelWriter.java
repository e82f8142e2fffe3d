package dev.stageflow.tools;

import static dev.stageflow.inference.sd.SdLayout.ENCODER_HIDDEN_STATES;
import static dev.stageflow.inference.sd.SdLayout.INPUT_IDS;
import static dev.stageflow.inference.sd.SdLayout.LAST_HIDDEN_STATE;
import static dev.stageflow.inference.sd.SdLayout.LATENT_CHANNELS;
import static dev.stageflow.inference.sd.SdLayout.LATENT_SAMPLE;
import static dev.stageflow.inference.sd.SdLayout.OUT_SAMPLE;
import static dev.stageflow.inference.sd.SdLayout.POOLER_OUTPUT;
import static dev.stageflow.inference.sd.SdLayout.SAMPLE;
import static dev.stageflow.inference.sd.SdLayout.TIMESTEP;
import static dev.stageflow.inference.sd.SdLayout.VAE_SCALE;
import static dev.stageflow.tools.OnnxGraphBuilder.intAttribute;
import static dev.stageflow.tools.OnnxGraphBuilder.intsAttribute;
import static dev.stageflow.tools.OnnxGraphBuilder.stringAttribute;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.stageflow.inference.sd.ClipTokenizer;
import dev.stageflow.inference.sd.SdLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes tiny Stable Diffusion pipelines with random but fixed weights, in exactly the layout and
 * with the tensor names, ranks and element types of an {@code optimum-cli export onnx} of SD 1.5 /
 * SD-Turbo, so the {@code sd-onnx} family is tested end to end without a 2 GB download. They are
 * checked in under {@code examples/models/}; {@code TinySdModelsAreCurrentTest} fails when they
 * differ from what this writes, and {@code scripts/generate.sh} rewrites them.
 *
 * <ul>
 *   <li>{@code sd-tiny}: float32; {@code input_ids} int32 (as Optimum exports CLIP), timestep int64
 *       of shape [batch]; Euler discrete, trailing spacing, epsilon (SD-Turbo's scheduler).
 *   <li>{@code sd-tiny-fp16}: float16 inputs and outputs (weights float32 behind casts); {@code
 *       input_ids} int64, a float16 scalar timestep (what newer Optimum versions export); DDIM,
 *       leading spacing with steps_offset 1, v_prediction.
 * </ul>
 *
 * <p>The networks are small but real (embedding, layer norms, MatMul, convolutions, sinusoidal
 * time embedding), so outputs depend on every input. Weights are drawn from seeds named by the
 * tensor, so every run writes byte-identical files.
 */
public final class TinySdModelWriter {

    public static final String TINY = "sd-tiny";
    public static final String TINY_FP16 = "sd-tiny-fp16";
    /** Where the tiny models are checked in, relative to the checkout. */
    public static final String MODELS_DIR = "examples/models";

    static final int HIDDEN = 32;
    static final int MAX_POSITIONS = 77;
    private static final int UNET_CHANNELS = 16;
    private static final int VAE_CHANNELS = 16;
    private static final double UNET_RESIDUAL_GAIN = 0.05;

    /** Words the small vocabulary spells in one token each; everything else falls back to bytes. */
    private static final List<String> WORDS = List.of(
            "a", "an", "the", "of", "in", "on", "at", "with", "and", "by", "photo", "painting", "cat", "dog",
            "fox", "red", "blue", "green", "golden", "light", "night", "sea", "coast", "lighthouse", "snow",
            "mountain", "forest", "city", "street", "rain", "sun", "moon", "sky", "portrait", "studio");

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"));

    private TinySdModelWriter() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("Usage: TinySdModelWriter <checkout directory>");
        }
        writeAll(Paths.get(args[0]).resolve(MODELS_DIR));
    }

    /** Writes both tiny pipelines under {@code modelsDir}. */
    public static void writeAll(Path modelsDir) throws IOException {
        write(modelsDir.resolve(TINY), false);
        write(modelsDir.resolve(TINY_FP16), true);
    }

    static void write(Path dir, boolean fp16) throws IOException {
        Vocabulary vocabulary = Vocabulary.build(WORDS);
        String name = fp16 ? TINY_FP16 : TINY;
        writeFile(dir.resolve(SdLayout.MODEL_INDEX), json(modelIndex(fp16)));
        writeFile(dir.resolve(SdLayout.SCHEDULER_CONFIG), json(schedulerConfig(fp16)));
        writeFile(dir.resolve(SdLayout.VAE_DECODER_CONFIG), json(vaeConfig()));
        Path tokenizer = dir.resolve(SdLayout.TOKENIZER_DIR);
        writeFile(tokenizer.resolve("vocab.json"), json(vocabulary.ids));
        writeFile(tokenizer.resolve("merges.txt"), ("#version: 0.2\n" + String.join("\n", vocabulary.merges) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        writeFile(tokenizer.resolve("special_tokens_map.json"), json(specialTokens(fp16)));
        writeFile(tokenizer.resolve("tokenizer_config.json"), json(tokenizerConfig(fp16)));
        writeFile(dir.resolve(SdLayout.TEXT_ENCODER), textEncoder(name, vocabulary.ids.size(), fp16).toByteArray());
        writeFile(dir.resolve(SdLayout.UNET), unet(name, fp16).toByteArray());
        writeFile(dir.resolve(SdLayout.VAE_DECODER), vaeDecoder(name, fp16).toByteArray());
    }

    static ModelProto textEncoder(String name, int vocabularySize, boolean fp16) {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("text_encoder", name + "/text_encoder");
        graph.input(INPUT_IDS, fp16 ? DataType.INT64 : DataType.INT32, "batch_size", "sequence_length");
        String tokens = graph.node("Gather", "token_embeddings",
                graph.weight("token_embedding", 1.0, vocabularySize, HIDDEN), INPUT_IDS);
        String length = graph.node("Shape", "sequence_length", List.of(INPUT_IDS),
                intAttribute("start", 1), intAttribute("end", 2));
        String positions = graph.node("Slice", "position_embeddings", List.of(
                graph.weight("position_embedding", 0.5, MAX_POSITIONS, HIDDEN), graph.int64Vector("zero", 0),
                length, graph.int64Vector("axis0", 0)));
        String embedded = graph.node("Add", "embedded", tokens, positions);
        String normed = layerNorm(graph, "ln_1", embedded);
        String context = graph.node("MatMul", "context", List.of(
                graph.node("ReduceMean", "token_mean", List.of(normed), intsAttribute("axes", 1),
                        intAttribute("keepdims", 1)),
                graph.weight("context_w", 1.0, HIDDEN, HIDDEN)));
        String hidden = graph.node("Tanh", "mlp_hidden", graph.node("Add", "mlp_in",
                linear(graph, "fc1", normed, HIDDEN, HIDDEN), context));
        String residual = graph.node("Add", "residual", embedded, linear(graph, "fc2", hidden, HIDDEN, HIDDEN));
        String last = layerNorm(graph, "final_layer_norm", residual);
        String pooled = graph.node("ReduceMean", "pooled", List.of(last), intsAttribute("axes", 1),
                intAttribute("keepdims", 0));
        output(graph, last, LAST_HIDDEN_STATE, fp16, "batch_size", "sequence_length", HIDDEN);
        output(graph, pooled, POOLER_OUTPUT, fp16, "batch_size", HIDDEN);
        return graph.build(name);
    }

    static ModelProto unet(String name, boolean fp16) {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("unet", name + "/unet");
        String sample = input(graph, SAMPLE, fp16, "batch_size", LATENT_CHANNELS, "height", "width");
        String timestep;
        if (fp16) {
            graph.input(TIMESTEP, DataType.FLOAT16);
            timestep = graph.node("Cast", "timestep_float", List.of(TIMESTEP), intAttribute("to", DataType.FLOAT_VALUE));
        } else {
            graph.input(TIMESTEP, DataType.INT64, "steps");
            timestep = graph.node("Cast", "timestep_float", List.of(TIMESTEP), intAttribute("to", DataType.FLOAT_VALUE));
        }
        String context = input(graph, ENCODER_HIDDEN_STATES, fp16, "batch_size", "sequence_length", HIDDEN);

        String time = timeEmbedding(graph, timestep);
        String condition = graph.node("Reshape", "condition", graph.node("MatMul", "condition_flat", List.of(
                graph.node("ReduceMean", "context_mean", List.of(context), intsAttribute("axes", 1),
                        intAttribute("keepdims", 0)),
                graph.weight("condition_w", 2.0, HIDDEN, UNET_CHANNELS))),
                graph.int64Vector("channel_shape", -1, UNET_CHANNELS, 1, 1));
        String features = graph.node("Add", "conditioned", graph.node("Add", "timed",
                conv(graph, "conv_in", sample, LATENT_CHANNELS, UNET_CHANNELS, 3, 1.0), time), condition);
        String hidden = silu(graph, "act_1", features);
        hidden = silu(graph, "act_2", conv(graph, "conv_mid", hidden, UNET_CHANNELS, UNET_CHANNELS, 3, 1.5));
        String delta = conv(graph, "conv_out", hidden, UNET_CHANNELS, LATENT_CHANNELS, 3, UNET_RESIDUAL_GAIN);
        String out = graph.node("Add", "unet_out", sample, delta);
        output(graph, out, OUT_SAMPLE, fp16, "batch_size", LATENT_CHANNELS, "height", "width");
        return graph.build(name);
    }

    static ModelProto vaeDecoder(String name, boolean fp16) {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("vae_decoder", name + "/vae_decoder");
        String latent = input(graph, LATENT_SAMPLE, fp16, "batch_size", LATENT_CHANNELS, "latent_height", "latent_width");
        String hidden = silu(graph, "act_in", conv(graph, "conv_in", latent, LATENT_CHANNELS, VAE_CHANNELS, 1, 0.3));
        String upsampled = graph.node("Resize", "upsampled",
                List.of(hidden, "", graph.floatTensor("scales", new float[] {1, 1, VAE_SCALE, VAE_SCALE}, 4)),
                stringAttribute("mode", "linear"));
        hidden = silu(graph, "act_mid", conv(graph, "conv_mid", upsampled, VAE_CHANNELS, VAE_CHANNELS, 3, 1.5));
        String image = graph.node("Tanh", "image", conv(graph, "conv_out", hidden, VAE_CHANNELS, 3, 3, 2.0));
        output(graph, image, SAMPLE, fp16, "batch_size", 3, "height", "width");
        return graph.build(name);
    }

    /** Sinusoidal features of the timestep (any rank, one value per row), mixed to the UNet's channels. */
    private static String timeEmbedding(OnnxGraphBuilder graph, String timestep) {
        int half = UNET_CHANNELS / 2;
        float[] frequencies = new float[half];
        for (int i = 0; i < half; i++) {
            frequencies[i] = (float) StrictMath.exp(-StrictMath.log(10_000) * i / half);
        }
        String column = graph.node("Reshape", "timestep_column", timestep, graph.int64Vector("column_shape", -1, 1));
        String angles = graph.node("Mul", "time_angles", column, graph.floatTensor("frequencies", frequencies, 1, half));
        String features = graph.node("Concat", "time_features", List.of(graph.node("Sin", "time_sin", angles),
                graph.node("Cos", "time_cos", angles)), intAttribute("axis", 1));
        String mixed = silu(graph, "time_act", graph.node("MatMul", "time_mixed", features,
                graph.weight("time_w", 1.0, UNET_CHANNELS, UNET_CHANNELS)));
        return graph.node("Reshape", "time_embedding", mixed, graph.int64Vector("time_shape", -1, UNET_CHANNELS, 1, 1));
    }

    private static String input(OnnxGraphBuilder graph, String name, boolean fp16, Object... dims) {
        if (!fp16) {
            graph.input(name, dims);
            return name;
        }
        graph.input(name, DataType.FLOAT16, dims);
        return graph.node("Cast", name + "_float", List.of(name), intAttribute("to", DataType.FLOAT_VALUE));
    }

    private static void output(OnnxGraphBuilder graph, String value, String name, boolean fp16, Object... dims) {
        if (fp16) {
            graph.node("Cast", name, List.of(value), intAttribute("to", DataType.FLOAT16_VALUE));
            graph.output(name, DataType.FLOAT16, dims);
        } else {
            graph.node("Identity", name, value);
            graph.output(name, dims);
        }
    }

    private static String layerNorm(OnnxGraphBuilder graph, String name, String input) {
        float[] ones = new float[HIDDEN];
        Arrays.fill(ones, 1);
        return graph.node("LayerNormalization", name, List.of(input, graph.floatTensor(name + "_scale", ones, HIDDEN),
                graph.bias(name + "_bias", 0.1, HIDDEN)), intAttribute("axis", -1));
    }

    /** x·W + b with W of [in, out]. */
    private static String linear(OnnxGraphBuilder graph, String name, String input, int in, int out) {
        String weight = graph.floatTensor(name + "_w",
                graph.randomValues(name + "_w", 1.0 / Math.sqrt(in), in * out), in, out);
        return graph.node("Add", name, graph.node("MatMul", name + "_mm", input, weight),
                graph.bias(name + "_b", 0.1, out));
    }

    private static String conv(OnnxGraphBuilder graph, String name, String input, int in, int out, int kernel,
            double gain) {
        String weight = graph.weight(name + "_w", gain, out, in, kernel, kernel);
        String bias = graph.bias(name + "_b", 0.1 * gain, out);
        long pad = kernel / 2;
        AttributeProto pads = intsAttribute("pads", pad, pad, pad, pad);
        return graph.node("Conv", name, List.of(input, weight, bias), pads);
    }

    private static String silu(OnnxGraphBuilder graph, String name, String input) {
        return graph.node("Mul", name, input, graph.node("Sigmoid", name + "_gate", input));
    }

    private static Map<String, Object> modelIndex(boolean fp16) {
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("_class_name", "StableDiffusionPipeline");
        index.put("_diffusers_version", "0.30.0");
        index.put("feature_extractor", Arrays.asList(null, null));
        index.put("requires_safety_checker", false);
        index.put("safety_checker", Arrays.asList(null, null));
        index.put("scheduler", List.of("diffusers", fp16 ? "DDIMScheduler" : "EulerDiscreteScheduler"));
        index.put("text_encoder", List.of("transformers", "CLIPTextModel"));
        index.put("tokenizer", List.of("transformers", "CLIPTokenizer"));
        index.put("unet", List.of("diffusers", "UNet2DConditionModel"));
        index.put("vae", List.of("diffusers", "AutoencoderKL"));
        return index;
    }

    private static Map<String, Object> schedulerConfig(boolean fp16) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("_class_name", fp16 ? "DDIMScheduler" : "EulerDiscreteScheduler");
        config.put("_diffusers_version", "0.30.0");
        config.put("beta_end", 0.012);
        config.put("beta_schedule", "scaled_linear");
        config.put("beta_start", 0.00085);
        config.put("clip_sample", false);
        config.put("num_train_timesteps", 1000);
        config.put("prediction_type", fp16 ? "v_prediction" : "epsilon");
        config.put("set_alpha_to_one", false);
        config.put("steps_offset", 1);
        config.put("timestep_spacing", fp16 ? "leading" : "trailing");
        return config;
    }

    private static Map<String, Object> vaeConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("_class_name", "AutoencoderKL");
        config.put("latent_channels", LATENT_CHANNELS);
        config.put("scaling_factor", SdLayout.DEFAULT_SCALING_FACTOR);
        return config;
    }

    /** SD 1.x pads with the end token, SD 2.x and Turbo with "!": one of each. */
    private static Map<String, Object> specialTokens(boolean fp16) {
        Map<String, Object> tokens = new LinkedHashMap<>();
        tokens.put("bos_token", Vocabulary.BOS);
        tokens.put("eos_token", Vocabulary.EOS);
        tokens.put("pad_token", fp16 ? "!" : Vocabulary.EOS);
        tokens.put("unk_token", Vocabulary.EOS);
        return tokens;
    }

    private static Map<String, Object> tokenizerConfig(boolean fp16) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("do_lower_case", true);
        config.put("model_max_length", MAX_POSITIONS);
        config.put("pad_token", fp16 ? "!" : Vocabulary.EOS);
        config.put("tokenizer_class", "CLIPTokenizer");
        return config;
    }

    private static byte[] json(Object value) throws IOException {
        return (JSON.writer(PRETTY).writeValueAsString(value) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void writeFile(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        BuiltinGeneratorWriter.writeIfChanged(file, bytes);
    }

    /** A CLIP-style byte-level BPE vocabulary: the byte alphabet, the same with {@code </w>}, merges, specials. */
    static final class Vocabulary {
        static final String BOS = "<|startoftext|>";
        static final String EOS = "<|endoftext|>";

        final Map<String, Integer> ids = new LinkedHashMap<>();
        final List<String> merges = new ArrayList<>();

        static Vocabulary build(List<String> words) {
            Vocabulary vocabulary = new Vocabulary();
            List<String> alphabet = ClipTokenizer.byteAlphabet();
            alphabet.forEach(vocabulary::add);
            alphabet.forEach(symbol -> vocabulary.add(symbol + "</w>"));
            Set<String> merges = new LinkedHashSet<>();
            for (String word : words) {
                String current = String.valueOf(word.charAt(0));
                for (int i = 1; i < word.length(); i++) {
                    String next = word.charAt(i) + (i == word.length() - 1 ? "</w>" : "");
                    merges.add(current + " " + next);
                    current = current + next;
                }
            }
            for (String merge : merges) {
                vocabulary.merges.add(merge);
                vocabulary.add(merge.replace(" ", ""));
            }
            vocabulary.add(BOS);
            vocabulary.add(EOS);
            return vocabulary;
        }

        private void add(String token) {
            ids.putIfAbsent(token, ids.size());
        }
    }
}
