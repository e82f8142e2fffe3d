package dev.stageflow.inference;

import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.stageflow.config.ModelOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * An {@link ImageGenerator} made of two ONNX models run by ONNX Runtime through DJL: a denoiser
 * that refines a latent {@code steps} times, conditioned on the text embedding, and a decoder that
 * turns the latent into an image 8× its size. The built-in models are written by the build tools'
 * {@code BuiltinGeneratorWriter} and checked in as resources; a user's own export with the same file and tensor names loads with
 * {@link #fromDirectory}.
 *
 * <p>Determinism, which replay relies on: the initial latent comes from the seed in Java
 * ({@link GaussianNoise}), never from the engine, and ONNX Runtime's CPU kernels for the ops used
 * here give an input the same bits alone or in a batch, with 1, 2 or 4 threads (measured, and
 * tested with 1 and 2). That holds for one ONNX Runtime version on one CPU kind: it picks kernels
 * by instruction set (AVX2, AVX-512, ...), so machines of different kinds may differ in the last
 * bits. A user's export with other ops needs the same test.
 *
 * <p>The family {@value #FAMILY}: {@code generator.model} is {@code builtin} or a directory.
 */
public final class OnnxImageGenerator implements ImageGenerator {

    public static final String FAMILY = "cppn";

    public static final int EMBEDDING_SIZE = 384;
    public static final int MAX_IMAGE_SIDE = 2048;

    /** Channels of a latent: [batch, 4, height / 8, width / 8]. */
    public static final int LATENT_CHANNELS = 4;
    /** The decoder's per-pixel inputs besides the latent: x, y and the distance from the centre. */
    public static final int COORDINATE_CHANNELS = 3;

    static final String BUILTIN_NAME = "builtin-cppn";
    /**
     * The generation of the built-in models: their resource directory and the seed of their weights.
     * Not their version in artifact keys, which is a hash of the files.
     */
    public static final String BUILTIN_VERSION = "builtin-cppn-v1";
    /** Where the job's resources hold the built-in models (written by the build tools' writer). */
    public static final String BUILTIN_RESOURCE_DIR = "stageflow/models/" + BUILTIN_VERSION;
    public static final String DENOISER_FILE = "denoiser.onnx";
    public static final String DECODER_FILE = "decoder.onnx";

    private static final String PROPERTIES_FILE = "model.properties";
    private static final String[] MODEL_FILES = {DENOISER_FILE, DECODER_FILE};

    private final String name;
    private final String version;
    private final ZooModel<DenoiserTranslator.Step, LatentBatch> denoiserModel;
    private final ZooModel<LatentBatch, RgbImage[]> decoderModel;
    private final Predictor<DenoiserTranslator.Step, LatentBatch> denoiser;
    private final Predictor<LatentBatch, RgbImage[]> decoder;

    private OnnxImageGenerator(String name, String version, Path dir, ModelSpec spec) {
        this.name = name;
        this.version = version;
        this.denoiserModel = OnnxModels.load(dir, modelName(DENOISER_FILE), DenoiserTranslator.Step.class,
                LatentBatch.class, new DenoiserTranslator(), spec);
        try {
            this.decoderModel = OnnxModels.load(dir, modelName(DECODER_FILE), LatentBatch.class, RgbImage[].class,
                    new DecoderTranslator(), spec);
        } catch (RuntimeException e) {
            denoiserModel.close();
            throw e;
        }
        this.denoiser = denoiserModel.newPredictor();
        this.decoder = decoderModel.newPredictor();
    }

    /** The built-in models from the project's own resources, on the CPU; ONNX Runtime uses {@code threads} per model. */
    public static OnnxImageGenerator builtin(int threads) {
        return builtin(ModelSpec.of(FAMILY, ModelOptions.BUILTIN, threads));
    }

    private static OnnxImageGenerator builtin(ModelSpec spec) {
        Path dir = builtinDir();
        return new OnnxImageGenerator(BUILTIN_NAME, ModelVersion.of(BUILTIN_NAME, dir, MODEL_FILES), dir, spec);
    }

    private static Path builtinDir() {
        Path denoiser = ModelFiles.extract("/" + BUILTIN_RESOURCE_DIR + "/" + DENOISER_FILE, BUILTIN_VERSION);
        ModelFiles.extract("/" + BUILTIN_RESOURCE_DIR + "/" + DECODER_FILE, BUILTIN_VERSION);
        return denoiser.getParent();
    }

    /**
     * A user's export in {@code dir}: {@code denoiser.onnx} and {@code decoder.onnx} with the
     * built-in models' tensor names. The name comes from {@code model.properties} if it has one,
     * else it is the directory's; the version is always the name and a hash of both model files
     * (a {@code version} in {@code model.properties} is ignored: a user could leave it stale when
     * the files change, and stale artifacts would be reused).
     */
    public static OnnxImageGenerator fromDirectory(Path dir, int threads) {
        return fromDirectory(dir, ModelSpec.of(FAMILY, dir.toString(), threads));
    }

    private static OnnxImageGenerator fromDirectory(Path dir, ModelSpec spec) {
        String name = nameOf(dir);
        return new OnnxImageGenerator(name, ModelVersion.of(name, dir, MODEL_FILES), dir, spec);
    }

    private static String nameOf(Path dir) {
        Properties properties = readProperties(dir.resolve(PROPERTIES_FILE));
        String dirName = dir.toAbsolutePath().normalize().getFileName().toString();
        return properties.getProperty("name", dirName);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public List<Generated> generate(List<GenerationInput> batch) {
        if (batch.isEmpty()) {
            return List.of();
        }
        GenerationInput first = batch.get(0);
        batch.forEach(input -> validate(input, first));
        float[] embeddings = concatenatedEmbeddings(batch);
        LatentBatch latents = initialNoise(batch);
        for (int step = 0; step < first.steps; step++) {
            latents = predict(denoiser, new DenoiserTranslator.Step(latents, embeddings), "denoiser", first);
        }
        RgbImage[] images = predict(decoder, latents, "decoder", first);
        List<Generated> results = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            results.add(new Generated(latents.item(i), latents.itemShape(), images[i]));
        }
        return results;
    }

    @Override
    public void close() {
        denoiser.close();
        decoder.close();
        denoiserModel.close();
        decoderModel.close();
    }

    private static void validate(GenerationInput input, GenerationInput first) {
        if (input.embedding.length != EMBEDDING_SIZE) {
            throw new IllegalArgumentException("Embedding has " + input.embedding.length
                    + " values, the generator expects " + EMBEDDING_SIZE);
        }
        input.checkShape(first, LatentBatch.PIXELS_PER_CELL, MAX_IMAGE_SIDE);
    }

    private static float[] concatenatedEmbeddings(List<GenerationInput> batch) {
        float[] embeddings = new float[batch.size() * EMBEDDING_SIZE];
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(batch.get(i).embedding, 0, embeddings, i * EMBEDDING_SIZE, EMBEDDING_SIZE);
        }
        return embeddings;
    }

    private static LatentBatch initialNoise(List<GenerationInput> batch) {
        int height = batch.get(0).height / LatentBatch.PIXELS_PER_CELL;
        int width = batch.get(0).width / LatentBatch.PIXELS_PER_CELL;
        int itemLength = LatentBatch.CHANNELS * height * width;
        float[] values = new float[batch.size() * itemLength];
        for (int i = 0; i < batch.size(); i++) {
            float[] noise = GaussianNoise.sample(batch.get(i).seed, itemLength);
            System.arraycopy(noise, 0, values, i * itemLength, itemLength);
        }
        return new LatentBatch(batch.size(), height, width, values);
    }

    private <I, O> O predict(Predictor<I, O> predictor, I input, String model, GenerationInput first) {
        try {
            return predictor.predict(input);
        } catch (TranslateException e) {
            throw new IllegalStateException("The " + model + " of " + version + " failed on a batch of "
                    + first.shapeKey(), e);
        }
    }

    private static String modelName(String file) {
        return file.substring(0, file.length() - ".onnx".length());
    }

    private static Properties readProperties(Path file) {
        Properties properties = new Properties();
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                properties.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + file, e);
            }
        }
        return properties;
    }

    /** The family {@value #FAMILY}, registered for {@link java.util.ServiceLoader}. */
    public static final class Factory implements ImageGeneratorFactory {

        @Override
        public String family() {
            return FAMILY;
        }

        @Override
        public Set<String> builtinModels() {
            return Set.of(ModelOptions.BUILTIN);
        }

        @Override
        public void validate(ModelSpec spec) {
            if (!ModelOptions.BUILTIN.equals(spec.model())) {
                ModelFiles.requireFiles(spec, DENOISER_FILE, DECODER_FILE);
            }
        }

        @Override
        public Optional<ModelIdentity> identify(ModelSpec spec) {
            if (ModelOptions.BUILTIN.equals(spec.model())) {
                return Optional.of(ModelIdentity.of(BUILTIN_NAME, ModelVersion.of(BUILTIN_NAME, builtinDir(), MODEL_FILES)));
            }
            String name = nameOf(spec.modelPath());
            return Optional.of(ModelIdentity.of(name, ModelVersion.of(name, spec.modelPath(), MODEL_FILES)));
        }

        @Override
        public ImageGenerator create(ModelSpec spec) {
            return ModelOptions.BUILTIN.equals(spec.model()) ? builtin(spec) : fromDirectory(spec.modelPath(), spec);
        }
    }
}
