package dev.stageflow.model;

import java.util.Objects;

/**
 * A validated generation request. {@code text} is already Unicode-normalised; every parameter has
 * its final value (defaults applied, seed derived), so downstream stages never guess.
 */
public class PromptRequest {

    public String promptId;
    public String text;
    public long seed;
    public int width;
    public int height;
    public int steps;
    public String style;
    public long submittedAt;
    /** What the image should not show (classifier-free guidance's negative prompt); empty if none. */
    public String negativeText = "";
    /** Classifier-free guidance scale; 1 or less runs no unconditional pass. */
    public double guidance;

    public PromptRequest() {}

    public PromptRequest(
            String promptId,
            String text,
            long seed,
            int width,
            int height,
            int steps,
            String style,
            long submittedAt) {
        this.promptId = promptId;
        this.text = text;
        this.seed = seed;
        this.width = width;
        this.height = height;
        this.steps = steps;
        this.style = style;
        this.submittedAt = submittedAt;
    }

    public PromptRequest(String promptId, String text, String negativeText, double guidance, long seed, int width,
            int height, int steps, String style, long submittedAt) {
        this(promptId, text, seed, width, height, steps, style, submittedAt);
        this.negativeText = negativeText;
        this.guidance = guidance;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PromptRequest)) {
            return false;
        }
        PromptRequest that = (PromptRequest) o;
        return seed == that.seed
                && width == that.width
                && height == that.height
                && steps == that.steps
                && submittedAt == that.submittedAt
                && Double.compare(guidance, that.guidance) == 0
                && Objects.equals(negativeText, that.negativeText)
                && Objects.equals(promptId, that.promptId)
                && Objects.equals(text, that.text)
                && Objects.equals(style, that.style);
    }

    @Override
    public int hashCode() {
        return Objects.hash(promptId, text, negativeText, guidance, seed, width, height, steps, style, submittedAt);
    }

    @Override
    public String toString() {
        return "PromptRequest{promptId='" + promptId + "', seed=" + seed + ", " + width + "x" + height
                + ", steps=" + steps + ", guidance=" + guidance + ", style='" + style + "'}";
    }
}
