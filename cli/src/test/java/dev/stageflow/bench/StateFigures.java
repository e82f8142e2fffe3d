package dev.stageflow.bench;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** The arithmetic of the memory benchmark: state per prompt from two checkpoints, the bytes of a record's floats. */
final class StateFigures {

    /** Stable Diffusion 1.x's text encoder (CLIP ViT-L/14): 77 tokens of 768 floats. */
    static final int SD15_TOKENS = 77;
    static final int SD15_HIDDEN = 768;

    private StateFigures() {}

    /** The bytes per prompt that {@code prompts} prompts add to a state of {@code without} bytes, making it {@code with}. */
    static double perPrompt(long with, long without, int prompts) {
        if (prompts <= 0) {
            throw new IllegalArgumentException("prompts must be positive: " + prompts);
        }
        return (double) (with - without) / prompts;
    }

    /** {@link #perPrompt} of each operator; an operator missing on one side has no state there. Only non-zero figures. */
    static Map<String, Double> perPromptByOperator(Map<String, Long> with, Map<String, Long> without, int prompts) {
        Map<String, Double> figures = new TreeMap<>();
        TreeSet<String> operators = new TreeSet<>(with.keySet());
        operators.addAll(without.keySet());
        for (String operator : operators) {
            double figure = perPrompt(with.getOrDefault(operator, 0L), without.getOrDefault(operator, 0L), prompts);
            if (figure != 0) {
                figures.put(operator, figure);
            }
        }
        return figures;
    }

    /** The lower median of {@code values} (a size that was measured, not an average of two). */
    static long median(List<Long> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("No values");
        }
        return values.stream().sorted().toList().get((values.size() - 1) / 2);
    }

    /** The bytes of {@code floats} 32-bit floats. */
    static long floatBytes(long floats) {
        return 4 * floats;
    }

    /** The floats of a Stable Diffusion 1.x record: the prompt's embedding, and with guidance the negative prompt's. */
    static long sd15Floats(boolean guidance) {
        return (long) SD15_TOKENS * SD15_HIDDEN * (guidance ? 2 : 1);
    }
}
