package dev.stageflow.inference;

import java.util.List;

/**
 * What text-encode runs: texts to embeddings of a fixed length. Deterministic per {@link
 * #version()}, which keys the embedding cache. One instance per subtask, used by one thread.
 */
public interface TextEmbedder extends AutoCloseable {

    String name();

    /** Name and a hash of the files that determine the embeddings. */
    String version();

    /** Floats per embedding. */
    int dimension();

    /** One embedding per text, in order. */
    float[][] encode(List<String> texts);

    @Override
    void close();
}
