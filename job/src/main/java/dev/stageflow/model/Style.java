package dev.stageflow.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The colour grading applied by the enhance stage. Input JSON names them in lower case. */
public enum Style {
    NATURAL,
    VIVID,
    PASTEL,
    MONO,
    WARM,
    COOL;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Style> parse(String id) {
        for (Style style : values()) {
            if (style.id().equals(id)) {
                return Optional.of(style);
            }
        }
        return Optional.empty();
    }

    public static String allowedIds() {
        return Arrays.stream(values()).map(Style::id).collect(Collectors.joining(", "));
    }
}
