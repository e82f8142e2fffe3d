package dev.stageflow.model;

import java.util.Objects;

/** The committed output row: one per valid prompt, written exactly once. */
public class GenerationResult {

    public String promptId;
    public String text;
    public long seed;
    public int width;
    public int height;
    public int steps;
    public String style;
    public long submittedAt;
    public StageOutcome encode;
    public StageOutcome generate;
    public StageOutcome enhance;
    /** The final image, the same reference as the enhance stage's {@code image} artifact. */
    public ArtifactRef image;

    public GenerationResult() {}

    public static GenerationResult of(PromptRecord record, String finalArtifactName) {
        GenerationResult result = new GenerationResult();
        PromptRequest request = record.request;
        result.promptId = request.promptId;
        result.text = request.text;
        result.seed = request.seed;
        result.width = request.width;
        result.height = request.height;
        result.steps = request.steps;
        result.style = request.style;
        result.submittedAt = request.submittedAt;
        result.encode = record.encode;
        result.generate = record.generate;
        result.enhance = record.enhance;
        result.image = record.enhance.artifact(finalArtifactName);
        return result;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof GenerationResult)) {
            return false;
        }
        GenerationResult that = (GenerationResult) o;
        return seed == that.seed
                && width == that.width
                && height == that.height
                && steps == that.steps
                && submittedAt == that.submittedAt
                && Objects.equals(promptId, that.promptId)
                && Objects.equals(text, that.text)
                && Objects.equals(style, that.style)
                && Objects.equals(encode, that.encode)
                && Objects.equals(generate, that.generate)
                && Objects.equals(enhance, that.enhance)
                && Objects.equals(image, that.image);
    }

    @Override
    public int hashCode() {
        return Objects.hash(promptId, seed, width, height, steps, style, encode, generate, enhance);
    }

    @Override
    public String toString() {
        return "GenerationResult{" + promptId + ", image=" + image + "}";
    }
}
