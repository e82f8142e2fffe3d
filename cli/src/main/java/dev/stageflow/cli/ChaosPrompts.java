package dev.stageflow.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stageflow.model.Json;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The chaos test's input: {@code count} valid prompts with ids
 * {@code chaos-00001...}, texts and seeds drawn from a seeded generator, so every run of the same
 * count and seed gets the same file byte for byte.
 */
final class ChaosPrompts {

    private static final String[] SUBJECTS = {
        "a lighthouse", "a red fox", "an old oak tree", "a paper boat", "a mountain village", "a glass teapot",
        "a sleeping cat", "a desert caravan", "a clockwork bird", "a harbour crane", "a field of tulips",
        "a stone bridge", "a snowy owl", "a tram at night", "a copper kettle", "a coral reef"};
    private static final String[] SETTINGS = {
        "at dawn", "in heavy rain", "under a full moon", "in autumn fog", "at noon", "in a snowstorm",
        "at golden hour", "by candlelight", "in spring bloom", "after a thunderstorm"};
    private static final String[] MANNERS = {
        "soft light", "watercolour", "oil painting", "high contrast", "pastel tones", "wide angle",
        "close-up", "muted colours", "long shadows", "minimalist"};
    private static final String[] STYLES = {"natural", "vivid", "pastel", "mono", "warm", "cool"};

    private ChaosPrompts() {}

    static void write(int count, long seed, Path file) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 1; i <= count; i++) {
                ObjectNode prompt = Json.MAPPER.createObjectNode();
                prompt.put("promptId", String.format("chaos-%05d", i));
                prompt.put("text", pick(random, SUBJECTS) + " " + pick(random, SETTINGS) + ", " + pick(random, MANNERS));
                prompt.put("seed", random.nextLong(1L << 40));
                prompt.put("style", pick(random, STYLES));
                out.write(Json.MAPPER.writeValueAsString(prompt));
                out.write('\n');
            }
        }
    }

    private static String pick(SplittableRandom random, String[] choices) {
        return choices[random.nextInt(choices.length)];
    }
}
