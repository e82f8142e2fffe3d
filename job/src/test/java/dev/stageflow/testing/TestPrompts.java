package dev.stageflow.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Deterministic prompt lines for the fault tests: distinct valid prompts, invalid lines, repeats. */
public final class TestPrompts {

    private static final String[] SUBJECTS = {"lighthouse", "red fox", "koi pond", "night market", "old library",
        "mountain lake", "desert road", "glass city"};
    private static final String[] STYLES = {"natural", "vivid", "pastel", "mono", "warm", "cool"};

    /** One reason of each kind that parse-validate rejects. */
    public static final List<String> INVALID = List.of(
            "{\"text\": \"unterminated",
            "[\"an\", \"array\"]",
            "{\"prompt\": \"typo\"}",
            "{\"text\": \"too wide\", \"width\": 4096}",
            "{\"text\": \"odd\", \"style\": \"baroque\"}");

    private TestPrompts() {}

    /** A file of the checkout, e.g. {@code examples/prompts.jsonl} (the build passes its root). */
    public static Path projectFile(String relative) {
        String root = System.getProperty("stageflow.root");
        if (root == null) {
            throw new IllegalStateException("System property stageflow.root (the checkout) is not set: run the"
                    + " tests with Maven, which sets it");
        }
        return Path.of(root).resolve(relative);
    }

    /** The example prompts of the checkout. */
    public static Path examples() {
        return projectFile("examples/prompts.jsonl");
    }

    /**
     * {@code count} valid prompts {@code p-0000…} with distinct texts and seeds (so no two share an
     * artifact), named by {@code prefix}.
     */
    public static List<String> valid(String prefix, int count) {
        List<String> lines = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            lines.add(String.format(Locale.ROOT,
                    "{\"promptId\": \"%s-%04d\", \"text\": \"%s %s number %d\", \"seed\": %d, \"style\": \"%s\"}",
                    prefix, i, SUBJECTS[i % SUBJECTS.length], prefix, i, 1000 + i, STYLES[i % STYLES.length]));
        }
        return lines;
    }

    /**
     * The valid prompts with the invalid lines spread among them and, at the end, a repeat of the
     * first two valid lines (dropped by dedupe: neither results nor dead letters).
     */
    public static List<String> mixed(String prefix, int validCount) {
        List<String> valid = valid(prefix, validCount);
        List<String> lines = new ArrayList<>(valid);
        for (int i = 0; i < INVALID.size(); i++) {
            lines.add(Math.min(lines.size(), 1 + i * (validCount / INVALID.size())), INVALID.get(i));
        }
        lines.addAll(valid.subList(0, Math.min(2, valid.size())));
        return lines;
    }
}
