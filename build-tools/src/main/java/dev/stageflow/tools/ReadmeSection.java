package dev.stageflow.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A generated part of the README, between a begin and an end marker; the rest of the file is the author's. */
record ReadmeSection(String begin, String end) {

    /** {@code readme} with the text between the markers replaced by {@code generated}. */
    String fill(String readme, String generated) {
        int from = readme.indexOf(begin);
        int to = readme.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("README has no " + begin + " ... " + end + " section");
        }
        return readme.substring(0, from + begin.length()) + "\n" + generated + readme.substring(to);
    }

    /** Rewrites this section of the README at {@code args[0]} (default {@code README.md}) with {@code generated}. */
    void rewrite(String[] args, String generated) throws IOException {
        Path readme = Path.of(args.length > 0 ? args[0] : "README.md");
        Files.writeString(readme, fill(Files.readString(readme, StandardCharsets.UTF_8), generated), StandardCharsets.UTF_8);
    }
}
