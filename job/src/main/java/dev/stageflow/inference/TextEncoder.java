package dev.stageflow.inference;

import java.util.List;

/**
 * Maps prompt texts to embeddings: the model of the text-encode stage, made by a {@link
 * TextEncoderFactory}. The embeddings are cached in Redis under {@link #version()} and feed the
 * generator, which must accept their {@link #dimension()}.
 *
 * <p>Besides the {@link ModelFactory} contract: one instance serves one subtask and is called by one
 * thread at a time; {@link #encode} gets the distinct texts the cache missed, up to {@code
 * encoder.batch.size} of them, and a text's embedding must not depend on the other texts of the call.
 */
public interface TextEncoder extends AutoCloseable {

    /** Model name, e.g. {@code all-minilm-l6-v2-q}. */
    String name();

    /** Model version; part of every cache key of its embeddings and of the artifacts made from them. */
    String version();

    /** Floats in every embedding (a sequence of token vectors is flattened, row by row). */
    int dimension();

    /** One embedding of {@link #dimension()} floats per text, in order. */
    float[][] encode(List<String> texts);

    /**
     * Whether the stage also encodes each prompt's {@code negativeText} (empty included) for the
     * generator: a family whose generator runs classifier-free guidance says yes. The negative
     * embedding then travels with the prompt and is part of its artifact keys.
     */
    default boolean encodesNegativeText() {
        return false;
    }

    @Override
    void close();
}
