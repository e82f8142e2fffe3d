package dev.stageflow.inference;

import ai.djl.MalformedModelException;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

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
 * <p>One instance per subtask, used by one thread.
 */
public final class TextEncoder implements TextEmbedder {

    public static final int DIMENSION = 384;
    public static final String NAME = "all-minilm-l6-v2-q";
    private static final String MODEL_FILE = NAME + ".onnx";
    private static final String TOKENIZER_FILE = NAME + "-tokenizer.json";

    private final HuggingFaceTokenizer tokenizer;
    private final ZooModel<Encoding, float[]> model;
    private final Predictor<Encoding, float[]> predictor;
    private final String version;

    private TextEncoder(Path dir, int threads, int maxTokens) {
        try {
            tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(dir.resolve(TOKENIZER_FILE))
                    .optAddSpecialTokens(true)
                    .optTruncation(true)
                    .optPadding(false)
                    .optMaxLength(maxTokens)
                    .build();
            model = Criteria.builder()
                    .setTypes(Encoding.class, float[].class)
                    .optModelPath(dir)
                    .optModelName(NAME)
                    .optEngine("OnnxRuntime")
                    .optOption("interOpNumThreads", "1")
                    .optOption("intraOpNumThreads", String.valueOf(threads))
                    .optTranslator(new TextEncoderTranslator())
                    .build()
                    .loadModel();
            predictor = model.newPredictor();
            version = ModelVersion.of(NAME, dir, new String[] {MODEL_FILE, TOKENIZER_FILE});
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot load the text encoder from " + dir, e);
        } catch (ModelNotFoundException | MalformedModelException e) {
            throw new IllegalStateException("Cannot load the text encoder from " + dir, e);
        }
    }

    /** The model that ships in the langchain4j all-MiniLM-L6-v2-q Maven artifact. */
    public static TextEncoder builtin(int threads, int maxTokens) {
        Path model = ModelFiles.extract("/" + MODEL_FILE, NAME);
        ModelFiles.extract("/" + TOKENIZER_FILE, NAME);
        return new TextEncoder(model.getParent(), threads, maxTokens);
    }

    /** A directory holding {@code all-minilm-l6-v2-q.onnx} and its tokenizer JSON. */
    public static TextEncoder fromDirectory(Path dir, int threads, int maxTokens) {
        return new TextEncoder(dir, threads, maxTokens);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Model name and a hash of the model and tokenizer files; part of every cache key of its embeddings. */
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
}
