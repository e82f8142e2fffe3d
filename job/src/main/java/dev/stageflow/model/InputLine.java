package dev.stageflow.model;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One input line as bytes, before any decoding: what the prompt sources emit and parse-validate
 * reads. A line longer than the limit its source was given keeps only its head, and {@code length}
 * says how long it really was, so no source ever holds an overlong line in memory.
 */
public class InputLine {

    /** The line's bytes without its line separator; only the head when {@link #isTruncated}. */
    public byte[] bytes;
    /** The line's length in bytes. */
    public long length;

    public InputLine() {}

    public InputLine(byte[] bytes, long length) {
        this.bytes = bytes;
        this.length = length;
    }

    /** A whole line of UTF-8 text. */
    public static InputLine of(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new InputLine(bytes, bytes.length);
    }

    /** {@code bytes}, keeping at most {@code maxBytes} of them. */
    public static InputLine of(byte[] bytes, int maxBytes) {
        return new InputLine(bytes.length > maxBytes ? Arrays.copyOf(bytes, maxBytes) : bytes, bytes.length);
    }

    public boolean isTruncated() {
        return length > bytes.length;
    }

    /** The bytes kept, decoded leniently (invalid bytes as U+FFFD): for messages, never for parsing. */
    public String lenientText() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InputLine that && length == that.length && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(length) + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "InputLine{" + length + " bytes: " + lenientText() + (isTruncated() ? "…" : "") + "}";
    }
}
