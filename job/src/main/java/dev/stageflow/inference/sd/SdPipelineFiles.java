package dev.stageflow.inference.sd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stageflow.config.ModelOptions;
import dev.stageflow.inference.ExecutionDevice;
import dev.stageflow.inference.ModelSpec;
import dev.stageflow.inference.ModelVersion;
import dev.stageflow.model.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * A Stable Diffusion pipeline directory in the layout {@code optimum-cli export onnx} writes,
 * checked file by file: every message names the file and what does not fit. {@link #check} also
 * opens the three ONNX models and checks their declared inputs and outputs, so a directory that
 * does not fit fails when the job is built, not in a TaskManager.
 *
 * <p>Versions hash every file of a model's sub-directory (a large export keeps its weights in
 * {@code model.onnx_data} beside {@code model.onnx}), the tokenizer files, the scheduler config
 * and the VAE config, and the scheduler chosen by option.
 */
public final class SdPipelineFiles {

    /** The family's identifier, for {@code encoder.family} and {@code generator.family}. */
    public static final String FAMILY = "sd-onnx";
    /** The generator's family option naming a scheduler class: {@code generator.options.scheduler}. */
    public static final String SCHEDULER_OPTION = "scheduler";

    static final List<String> REQUIRED = List.of(SdLayout.MODEL_INDEX,
            SdLayout.TOKENIZER_DIR + "/" + ClipTokenizer.VOCAB_FILE,
            SdLayout.TOKENIZER_DIR + "/" + ClipTokenizer.MERGES_FILE,
            SdLayout.TOKENIZER_DIR + "/" + ClipTokenizer.CONFIG_FILE,
            SdLayout.TEXT_ENCODER, SdLayout.UNET, SdLayout.VAE_DECODER, SdLayout.SCHEDULER_CONFIG);

    private final Path dir;
    private final String name;
    private final String schedulerClass;
    private final Scheduler scheduler;
    private final double scalingFactor;

    private SdPipelineFiles(Path dir, String schedulerClass) {
        this.dir = dir;
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("sd-onnx model " + dir + " is not a directory; expected one written by"
                    + " 'optimum-cli export onnx --model <model> <dir>'");
        }
        for (String file : REQUIRED) {
            if (!Files.isRegularFile(dir.resolve(file))) {
                throw new IllegalArgumentException("sd-onnx model " + dir + " has no " + file + "; a directory written"
                        + " by 'optimum-cli export onnx' holds " + String.join(", ", REQUIRED));
            }
        }
        readObject(dir.resolve(SdLayout.MODEL_INDEX));
        SchedulerConfig config = SchedulerConfig.read(dir.resolve(SdLayout.SCHEDULER_CONFIG));
        this.schedulerClass = schedulerClass == null || schedulerClass.isEmpty() ? config.className : schedulerClass;
        this.scheduler = Scheduler.of(config, schedulerClass, dir.resolve(SdLayout.SCHEDULER_CONFIG).toString());
        this.scalingFactor = readScalingFactor(dir.resolve(SdLayout.VAE_DECODER_CONFIG));
        this.name = dir.toAbsolutePath().normalize().getFileName().toString();
    }

    /**
     * The job's options with text-encode on image-generate's export when {@code generator.family}
     * is {@value #FAMILY} and the encoder is not set: an SD UNet takes its own CLIP text encoder's
     * hidden states and nothing else, so a user names the export once. An encoder of another
     * family is refused.
     */
    public static Configuration withPairedTextEncoder(Configuration conf) {
        if (!conf.getOptional(ModelOptions.GENERATOR.family).filter(FAMILY::equals).isPresent()) {
            return conf;
        }
        String encoderFamily = conf.getOptional(ModelOptions.ENCODER.family).orElse(FAMILY);
        if (!encoderFamily.equals(FAMILY)) {
            throw new IllegalConfigurationException(ModelOptions.ENCODER.family.key() + " is " + encoderFamily + ", but "
                    + ModelOptions.GENERATOR.family.key() + " " + FAMILY + " takes the embeddings of its own CLIP text"
                    + " encoder: leave " + ModelOptions.ENCODER.family.key() + " unset, or set it to " + FAMILY);
        }
        Configuration paired = new Configuration(conf);
        paired.set(ModelOptions.ENCODER.family, FAMILY);
        if (conf.getOptional(ModelOptions.ENCODER.model).isEmpty()) {
            Path dir = Paths.get(conf.get(ModelOptions.GENERATOR.model));
            if (Files.exists(dir)) {
                try {
                    of(dir);
                } catch (IllegalArgumentException e) {
                    throw new IllegalConfigurationException(ModelOptions.GENERATOR.model.key() + ": " + e.getMessage(), e);
                }
            }
            paired.set(ModelOptions.ENCODER.model, dir.toString());
        }
        return paired;
    }

    public static SdPipelineFiles of(Path dir) {
        return new SdPipelineFiles(dir, null);
    }

    /** {@code schedulerClass}: a diffusers scheduler class name replacing the config's, or null/empty. */
    public static SdPipelineFiles of(Path dir, String schedulerClass) {
        return new SdPipelineFiles(dir, schedulerClass);
    }

    /**
     * Checks the whole directory, ONNX models included (their declared tensors only: loaded
     * without graph optimisation and closed again); throws with the file and the problem.
     */
    public static void check(Path dir, String schedulerClass) {
        SdPipelineFiles files = of(dir, schedulerClass);
        new SdTextEncoder(files, ExecutionDevice.CPU, 1, true).close();
        new SdImageGenerator(files, ExecutionDevice.CPU, 1, 1, true).close();
    }

    /**
     * A factory's check at job build time: refuses family options other than {@code allowedOptions},
     * then runs {@code check} on the directory, unless it is not on this machine (it may be on the
     * cluster's). A problem fails naming the option and the file.
     */
    static void validate(ModelSpec spec, ModelOptions stage, Set<String> allowedOptions, Consumer<SdPipelineFiles> check) {
        for (String option : spec.familyOptions().keySet()) {
            if (!allowedOptions.contains(option)) {
                throw new IllegalConfigurationException(stage.familyOptions.key() + "." + option + " is not an option"
                        + " of the " + FAMILY + " family" + (allowedOptions.isEmpty() ? ", which takes none"
                        : "; it takes " + allowedOptions));
            }
        }
        if (!Files.exists(spec.modelPath())) {
            return;
        }
        try {
            check.accept(of(spec.modelPath(), spec.familyOptions().get(SCHEDULER_OPTION)));
        } catch (IllegalArgumentException e) {
            throw new IllegalConfigurationException(stage.model.key() + ": " + e.getMessage(), e);
        }
    }

    String name() {
        return name;
    }

    Path file(String relative) {
        return dir.resolve(relative);
    }

    Path tokenizerDir() {
        return dir.resolve(SdLayout.TOKENIZER_DIR);
    }

    /** A file's name in messages: the directory and the file in it. */
    String describe(String relative) {
        return dir.resolve(relative).toString();
    }

    Scheduler scheduler() {
        return scheduler;
    }

    double scalingFactor() {
        return scalingFactor;
    }

    String textEncoderVersion() {
        List<String> files = new ArrayList<>(filesUnder(SdLayout.TOKENIZER_DIR));
        files.addAll(filesUnder(parent(SdLayout.TEXT_ENCODER)));
        return ModelVersion.of(name, dir, files.toArray(String[]::new));
    }

    /** {@code settings}: what else changes the generator's outputs, e.g. its batch rows. */
    String generatorVersion(String... settings) {
        List<String> files = new ArrayList<>(filesUnder(parent(SdLayout.UNET)));
        files.addAll(filesUnder(parent(SdLayout.VAE_DECODER)));
        files.add(SdLayout.SCHEDULER_CONFIG);
        String[] all = new String[settings.length + 1];
        all[0] = "scheduler=" + schedulerClass;
        System.arraycopy(settings, 0, all, 1, settings.length);
        return ModelVersion.of(name, dir, files.toArray(String[]::new), all);
    }

    private static String parent(String relative) {
        return relative.substring(0, relative.lastIndexOf('/'));
    }

    /** The regular files under a sub-directory, relative to the pipeline directory, sorted. */
    private List<String> filesUnder(String subDir) {
        try (Stream<Path> walk = Files.walk(dir.resolve(subDir))) {
            return walk.filter(Files::isRegularFile)
                    .map(path -> dir.relativize(path).toString().replace('\\', '/'))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + dir.resolve(subDir), e);
        }
    }

    private static double readScalingFactor(Path config) {
        if (!Files.isRegularFile(config)) {
            return SdLayout.DEFAULT_SCALING_FACTOR;
        }
        JsonNode factor = readObject(config).get("scaling_factor");
        if (factor == null || factor.isNull()) {
            return SdLayout.DEFAULT_SCALING_FACTOR;
        }
        if (!factor.isNumber() || factor.asDouble() <= 0) {
            throw new IllegalArgumentException(config + ": scaling_factor must be a positive number, got " + factor);
        }
        return factor.asDouble();
    }

    /** A JSON file that must hold an object; the message names the file. */
    static JsonNode readObject(Path file) {
        try {
            JsonNode node = Json.MAPPER.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(file + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage(), e);
        }
    }
}
