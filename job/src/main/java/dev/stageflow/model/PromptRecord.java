package dev.stageflow.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * A prompt on its way through the model stages. Each stage fills in its outcome; everything big is
 * an {@link ArtifactRef}. The embedding (384 floats for the built-in family) travels with the
 * record when it is small ({@code store.embedding.inline-max}); a larger one (77 × hidden for
 * sd-onnx, which also has the negative prompt's) is an artifact of text-encode, named {@value
 * #EMBEDDING} and {@value #NEGATIVE_EMBEDDING} in its outcome, and the fields here are null. A
 * record a stage gave up on carries its {@link StageFailure} instead, and the later stages pass it
 * on untouched.
 */
public class PromptRecord {

    /** The artifact name of a claim-checked embedding in the encode outcome. */
    public static final String EMBEDDING = "embedding";
    /** The artifact name of a claim-checked negative prompt's embedding in the encode outcome. */
    public static final String NEGATIVE_EMBEDDING = "negative-embedding";

    public PromptRequest request;
    public float[] embedding;
    /** The negative prompt's embedding, for a family with classifier-free guidance; else null. */
    public float[] negativeEmbedding;
    public StageOutcome encode;
    public StageOutcome generate;
    public StageOutcome enhance;
    /** Set when a stage gave up on this prompt; it then becomes a dead letter, not a result. */
    public StageFailure failure;

    public PromptRecord() {}

    public PromptRecord(PromptRequest request, float[] embedding, StageOutcome encode) {
        this.request = request;
        this.embedding = embedding;
        this.encode = encode;
    }

    public PromptRecord(PromptRequest request, float[] embedding, float[] negativeEmbedding, StageOutcome encode) {
        this(request, embedding, encode);
        this.negativeEmbedding = negativeEmbedding;
    }

    public PromptRecord withGenerate(StageOutcome outcome) {
        PromptRecord next = copy();
        next.generate = outcome;
        return next;
    }

    public PromptRecord withEnhance(StageOutcome outcome) {
        PromptRecord next = copy();
        next.enhance = outcome;
        return next;
    }

    public PromptRecord withFailure(StageFailure stageFailure) {
        PromptRecord next = copy();
        next.failure = stageFailure;
        return next;
    }

    /** The claim check of the embedding when it travels in the store, else null. */
    public ArtifactRef embeddingRef() {
        return encodeArtifact(EMBEDDING);
    }

    /** The claim check of the negative prompt's embedding when it travels in the store, else null. */
    public ArtifactRef negativeEmbeddingRef() {
        return encodeArtifact(NEGATIVE_EMBEDDING);
    }

    /** Whether the prompt has a negative prompt's embedding (a family with classifier-free guidance). */
    public boolean hasNegativeEmbedding() {
        return negativeEmbedding != null || negativeEmbeddingRef() != null;
    }

    private ArtifactRef encodeArtifact(String name) {
        return encode == null ? null : encode.artifactOrNull(name);
    }

    public boolean isFailed() {
        return failure != null;
    }

    private PromptRecord copy() {
        PromptRecord next = new PromptRecord(request, embedding, negativeEmbedding, encode);
        next.generate = generate;
        next.enhance = enhance;
        next.failure = failure;
        return next;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PromptRecord)) {
            return false;
        }
        PromptRecord that = (PromptRecord) o;
        return Objects.equals(request, that.request)
                && Arrays.equals(embedding, that.embedding)
                && Arrays.equals(negativeEmbedding, that.negativeEmbedding)
                && Objects.equals(encode, that.encode)
                && Objects.equals(generate, that.generate)
                && Objects.equals(enhance, that.enhance)
                && Objects.equals(failure, that.failure);
    }

    @Override
    public int hashCode() {
        return Objects.hash(request, encode, generate, enhance, failure) + 31 * Arrays.hashCode(embedding)
                + 17 * Arrays.hashCode(negativeEmbedding);
    }

    @Override
    public String toString() {
        return "PromptRecord{" + request + ", encode=" + encode + ", generate=" + generate
                + ", enhance=" + enhance + (failure == null ? "" : ", failure=" + failure) + "}";
    }
}
