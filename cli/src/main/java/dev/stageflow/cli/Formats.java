package dev.stageflow.cli;

import java.time.Duration;
import java.util.Locale;

/** How the commands print sizes and durations. */
final class Formats {

    private Formats() {}

    /** {@code 512 B}, {@code 3.2 MiB}. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** {@code 42 s}, {@code 3 min 5 s}, {@code 2 d 4 h}: the two largest units. */
    static String age(Duration age) {
        Duration positive = age.isNegative() ? Duration.ZERO : age;
        if (positive.toDays() > 0) {
            return positive.toDays() + " d " + positive.toHoursPart() + " h";
        }
        if (positive.toHours() > 0) {
            return positive.toHours() + " h " + positive.toMinutesPart() + " min";
        }
        if (positive.toMinutes() > 0) {
            return positive.toMinutes() + " min " + positive.toSecondsPart() + " s";
        }
        return positive.toSeconds() + " s";
    }
}
