package dev.stageflow.inference.sd;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.stageflow.config.ModelOptions;
import dev.stageflow.inference.ExecutionDevice;
import dev.stageflow.inference.ModelSpec;
import dev.stageflow.inference.TextEncoder;
import dev.stageflow.inference.TextEncoderFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The text side of a Stable Diffusion pipeline: its CLIP tokenizer and text encoder. A text's
 * embedding is the encoder's {@code last_hidden_state}, [77, hidden] flattened row by row: what
 * the UNet attends to and what the embedding cache holds.
 *
 * <p>Each text is its own model call, so a text's embedding never depends on the batch it came in
 * with (kernels may pick other blockings for other batch sizes), and artifact keys hash it.
 * One instance per subtask, used by one thread.
 */
public final class SdTextEncoder implements TextEncoder {

    private final ClipTokenizer tokenizer;
    private final OrtModel model;
    private final OnnxJavaType idsType;
    private final int hidden;
    private final String name;
    private final String version;

    SdTextEncoder(SdPipelineFiles files, ExecutionDevice device, int threads, boolean metadataOnly) {
        this.tokenizer = ClipTokenizer.fromDirectory(files.tokenizerDir());
        this.model = OrtModel.open(files.file(SdLayout.TEXT_ENCODER), files.describe(SdLayout.TEXT_ENCODER),
                device, threads, metadataOnly);
        try {
            TensorInfo ids = model.input(SdLayout.INPUT_IDS, Tensors.INTEGERS, 2);
            model.requireOnlyInputs(Set.of(SdLayout.INPUT_IDS), "a CLIP text encoder takes input_ids only");
            TensorInfo last = model.output(SdLayout.LAST_HIDDEN_STATE, Tensors.FLOATS, 3);
            long sequence = OrtModel.dimension(ids, 1);
            if (sequence > 0 && sequence != tokenizer.maxLength()) {
                throw new IllegalArgumentException(model.displayName() + " takes " + sequence + " tokens, the"
                        + " tokenizer's model_max_length is " + tokenizer.maxLength());
            }
            long hiddenSize = OrtModel.dimension(last, 2);
            if (hiddenSize <= 0) {
                throw new IllegalArgumentException(model.displayName() + ": the hidden size (last dimension of "
                        + SdLayout.LAST_HIDDEN_STATE + ") must be fixed, got " + Arrays.toString(last.getShape()));
            }
            this.idsType = ids.type;
            this.hidden = (int) hiddenSize;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        this.name = files.name();
        this.version = files.textEncoderVersion();
    }

    /** Opens the text side of the pipeline in {@code dir} for running on the CPU. */
    public static SdTextEncoder open(Path dir, int threads) {
        return new SdTextEncoder(SdPipelineFiles.of(dir), ExecutionDevice.CPU, threads, false);
    }

    @Override
    public String name() {
        return name;
    }

    /** Hash of the tokenizer files and the text encoder model; part of every cache key. */
    @Override
    public String version() {
        return version;
    }

    /** Floats per embedding: 77 × hidden size. */
    @Override
    public int dimension() {
        return tokenizer.maxLength() * hidden;
    }

    public int hiddenSize() {
        return hidden;
    }

    /** One embedding per text, in order. */
    @Override
    public float[][] encode(List<String> texts) {
        float[][] embeddings = new float[texts.size()][];
        for (int i = 0; i < embeddings.length; i++) {
            embeddings[i] = encode(texts.get(i));
        }
        return embeddings;
    }

    private float[] encode(String text) {
        int[] ids = tokenizer.encode(text);
        long[] values = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            values[i] = ids[i];
        }
        OnnxTensor input = Tensors.integers(values, new long[] {1, ids.length}, idsType);
        try (OrtSession.Result result = model.run(Map.of(SdLayout.INPUT_IDS, input))) {
            float[] embedding = OrtModel.floats(result, SdLayout.LAST_HIDDEN_STATE);
            if (embedding.length != dimension()) {
                throw new IllegalStateException(model.displayName() + " returned " + embedding.length
                        + " values, expected " + dimension());
            }
            return embedding;
        }
    }

    /** The negative prompt's embedding is the unconditional input of classifier-free guidance. */
    @Override
    public boolean encodesNegativeText() {
        return true;
    }

    @Override
    public void close() {
        model.close();
    }

    /**
     * The family {@value SdPipelineFiles#FAMILY} for text-encode, registered for {@link
     * java.util.ServiceLoader}: {@code encoder.model} is the export's directory (the same as
     * {@code generator.model}; StageflowPipeline pairs them when only the generator is set).
     */
    public static final class Factory implements TextEncoderFactory {

        @Override
        public String family() {
            return SdPipelineFiles.FAMILY;
        }

        @Override
        public void validate(ModelSpec spec) {
            SdPipelineFiles.validate(spec, ModelOptions.ENCODER, Set.of(),
                    files -> new SdTextEncoder(files, ExecutionDevice.CPU, 1, true).close());
        }

        @Override
        public TextEncoder create(ModelSpec spec) {
            return new SdTextEncoder(SdPipelineFiles.of(spec.modelPath()), spec.device(), spec.threads(), false);
        }
    }
}
