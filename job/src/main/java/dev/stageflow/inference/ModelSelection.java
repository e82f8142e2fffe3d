package dev.stageflow.inference;

import dev.stageflow.config.ModelOptions;
import dev.stageflow.config.OptionChecks;
import dev.stageflow.config.StageOptions;
import dev.stageflow.inference.sd.SdImageGenerator;
import dev.stageflow.inference.sd.SdPipelineFiles;
import dev.stageflow.inference.sd.SdTextEncoder;
import java.io.Serializable;
import java.nio.file.Paths;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * Which models text-encode and image-generate run, from the options, checked when the job is
 * built: the {@code builtin} family (MiniLM and the denoiser/decoder pair) or {@code sd-onnx} (a
 * Stable Diffusion export, whose own tokenizer and text encoder then run in text-encode, so the
 * embeddings fit its UNet). A directory that does not fit fails here, naming the file.
 */
public final class ModelSelection implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final List<String> FAMILIES = List.of(ModelOptions.BUILTIN, ModelOptions.SD_ONNX);

    private final String encoderModel;
    private final int encoderMaxTokens;
    private final String generatorFamily;
    private final String generatorModel;
    private final String scheduler;
    private final int generatorRows;

    private ModelSelection(Configuration conf) {
        encoderModel = conf.get(ModelOptions.ENCODER_MODEL);
        encoderMaxTokens = conf.get(ModelOptions.ENCODER_MAX_TOKENS);
        generatorFamily = conf.get(ModelOptions.GENERATOR_FAMILY);
        generatorModel = conf.get(ModelOptions.GENERATOR_MODEL);
        scheduler = conf.get(ModelOptions.GENERATOR_SCHEDULER);
        generatorRows = conf.get(StageOptions.GENERATOR.batchSize);
        OptionChecks.require(FAMILIES.contains(generatorFamily), ModelOptions.GENERATOR_FAMILY,
                "one of " + FAMILIES, generatorFamily);
        if (isSd()) {
            if (ModelOptions.BUILTIN.equals(generatorModel)) {
                throw new IllegalConfigurationException(ModelOptions.GENERATOR_MODEL.key() + " must name the directory"
                        + " of an 'optimum-cli export onnx' export when " + ModelOptions.GENERATOR_FAMILY.key()
                        + " is " + ModelOptions.SD_ONNX);
            }
            try {
                SdPipelineFiles.check(Paths.get(generatorModel), scheduler);
            } catch (IllegalArgumentException e) {
                throw new IllegalConfigurationException(ModelOptions.GENERATOR_MODEL.key() + ": " + e.getMessage(), e);
            }
        }
    }

    /** The models the options select; throws {@link IllegalConfigurationException} naming the option or file. */
    public static ModelSelection from(Configuration conf) {
        return new ModelSelection(conf);
    }

    /** Whether text-encode also encodes the negative prompt (a family with classifier-free guidance). */
    public boolean encodesNegativeText() {
        return isSd();
    }

    public TextEmbedder openTextEncoder(int threads) {
        if (isSd()) {
            return SdTextEncoder.open(Paths.get(generatorModel), threads);
        }
        return ModelOptions.BUILTIN.equals(encoderModel)
                ? TextEncoder.builtin(threads, encoderMaxTokens)
                : TextEncoder.fromDirectory(Paths.get(encoderModel), threads, encoderMaxTokens);
    }

    public ImageGenerator openGenerator(int threads) {
        if (isSd()) {
            return SdImageGenerator.open(Paths.get(generatorModel), threads, scheduler, generatorRows);
        }
        return ModelOptions.BUILTIN.equals(generatorModel)
                ? OnnxImageGenerator.builtin(threads)
                : OnnxImageGenerator.fromDirectory(Paths.get(generatorModel), threads);
    }

    private boolean isSd() {
        return ModelOptions.SD_ONNX.equals(generatorFamily);
    }
}
