package dev.stageflow.inference;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.stageflow.config.ModelOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Sentence embeddings with all-MiniLM-L6-v2 (quantized ONNX) on ONNX Runtime through DJL: 384
 * floats, mean-pooled over the tokens and L2-normalised.
 *
 * <p>Each text is its own model call. The quantized graph quantizes activations dynamically, with
 * one scale computed over the whole input tensor, so in a batched call a text's vector depends on
 * the other texts of the batch (up to 0.02 per component, measured). The artifact keys downstream
 * hash these vectors and a replay must find them again, so a text must always get the same bits.
 * The stage still batches everything around the model: cache lookups and writes.
 *
 * <p>The family {@value #FAMILY}: {@code encoder.model} is {@code builtin} (the model of the
 * langchain4j all-MiniLM-L6-v2-q Maven artifact) or a directory holding the same two files.
 */
public final class MiniLmTextEncoder implements TextEncoder {

    public static final String FAMILY = "minilm";
    public static final int DIMENSION = 384;
    public static final String NAME = "all-minilm-l6-v2-q";
    private static final String MODEL_FILE = NAME + ".onnx";
    private static final String TOKENIZER_FILE = NAME + "-tokenizer.json";

    private final HuggingFaceTokenizer tokenizer;
    private final ZooModel<Encoding, float[]> model;
    private final Predictor<Encoding, float[]> predictor;
    private final String version;

    private MiniLmTextEncoder(Path dir, ModelSpec spec, int maxTokens) {
        try {
            tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(dir.resolve(TOKENIZER_FILE))
                    .optAddSpecialTokens(true)
                    .optTruncation(true)
                    .optPadding(false)
                    .optMaxLength(maxTokens)
                    .build();
            model = OnnxModels.load(dir, NAME, Encoding.class, float[].class, new TextEncoderTranslator(), spec);
            predictor = model.newPredictor();
            version = versionOf(dir, maxTokens);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot load the text encoder from " + dir, e);
        }
    }

    /** The model that ships in the langchain4j all-MiniLM-L6-v2-q Maven artifact, on the CPU. */
    public static MiniLmTextEncoder builtin(int threads, int maxTokens) {
        return create(ModelSpec.of(FAMILY, ModelOptions.BUILTIN, threads), maxTokens);
    }

    private static MiniLmTextEncoder create(ModelSpec spec, int maxTokens) {
        return new MiniLmTextEncoder(modelDir(spec), spec, maxTokens);
    }

    /** The directory of {@code spec}'s two files: the built-in ones extracted, or the user's. */
    private static Path modelDir(ModelSpec spec) {
        if (!ModelOptions.BUILTIN.equals(spec.model())) {
            return spec.modelPath();
        }
        Path model = ModelFiles.extract("/" + MODEL_FILE, NAME);
        ModelFiles.extract("/" + TOKENIZER_FILE, NAME);
        return model.getParent();
    }

    private static String versionOf(Path dir, int maxTokens) {
        return ModelVersion.of(NAME, dir, new String[] {MODEL_FILE, TOKENIZER_FILE}, "max-tokens=" + maxTokens);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Model name and a hash of the model file; part of every cache key of its embeddings. */
    @Override
    public String version() {
        return version;
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    /** One unit vector of {@link #DIMENSION} floats per text, in order. */
    @Override
    public float[][] encode(List<String> texts) {
        float[][] vectors = new float[texts.size()][];
        for (int i = 0; i < vectors.length; i++) {
            vectors[i] = encode(texts.get(i));
        }
        return vectors;
    }

    private float[] encode(String text) {
        try {
            return predictor.predict(tokenizer.encode(text));
        } catch (TranslateException e) {
            throw new IllegalStateException("Text encoder " + version + " failed on a text", e);
        }
    }

    @Override
    public void close() {
        predictor.close();
        model.close();
        tokenizer.close();
    }

    /** The family {@value #FAMILY}, registered for {@link java.util.ServiceLoader}. */
    public static final class Factory implements TextEncoderFactory {

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
                ModelFiles.requireFiles(spec, MODEL_FILE, TOKENIZER_FILE);
            }
        }

        @Override
        public Optional<ModelIdentity> identify(ModelSpec spec) {
            int maxTokens = spec.configuration().get(ModelOptions.ENCODER_MAX_TOKENS);
            return Optional.of(new ModelIdentity(NAME, versionOf(modelDir(spec), maxTokens), DIMENSION, false));
        }

        @Override
        public TextEncoder create(ModelSpec spec) {
            return MiniLmTextEncoder.create(spec, spec.configuration().get(ModelOptions.ENCODER_MAX_TOKENS));
        }
    }
}
