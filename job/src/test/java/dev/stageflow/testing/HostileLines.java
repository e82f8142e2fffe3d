package dev.stageflow.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stageflow.model.Json;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import net.jqwik.api.sessions.JqwikSession;

/**
 * Input lines an adversary or a broken producer might send: well-formed prompts (any text, each
 * optional field present or not, in range or not), the same mutated byte by byte (flips, cuts,
 * insertions of lone surrogate escapes, bidi controls, control characters, trailing objects) and
 * random bytes.
 */
public final class HostileLines {

    private static final List<String> INSERTS = List.of(
            "\\ud800", "\\udfff", "\u202E", "\\u2066", "\u0007", "\u0000", "\"", "}", "{", ",", " trailing",
            "{\"text\":\"b\"}", "\uFEFF", "\\", "\r", "\u00e9", "\uD83E\uDD8A");

    private HostileLines() {}

    /** {@code count} lines drawn from {@link #lines()} in a jqwik session with {@code seed}: the same seed, the same lines. */
    public static List<byte[]> sample(long seed, int count) {
        JqwikSession.start(Long.toString(seed));
        try {
            return lines().sampleStream().limit(count).toList();
        } finally {
            JqwikSession.finish();
        }
    }

    /** The mix: half well-formed, two fifths mutated, a tenth random bytes. */
    public static Arbitrary<byte[]> lines() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, wellFormed().map(line -> line.getBytes(StandardCharsets.UTF_8))),
                Tuple.of(4, mutated()),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(80)));
    }

    /** Prompt objects with any text and each optional field present or not, in range or not. */
    private static Arbitrary<String> wellFormed() {
        Arbitrary<String> text = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(40)),
                Tuple.of(3, Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(60)),
                Tuple.of(1, Arbitraries.of("a red fox", "ｆｕｌｌ ｗｉｄｔｈ", "caf\u00e9 \u05E9\u05DC\u05D5\u05DD",
                        "  spaced   out  ", "a \u2066fox\u2069 hides", "abc\u202Edcb")));
        return Combinators.combine(
                text,
                Arbitraries.longs().between(-2, Long.MAX_VALUE).injectNull(0.5),
                Arbitraries.of(64, 128, 256, 512, 8, 100, 2048).injectNull(0.6),
                Arbitraries.integers().between(0, 60).injectNull(0.6),
                Arbitraries.of("natural", "vivid", "mono", "cool", "warm", "pastel", "baroque").injectNull(0.6),
                Arbitraries.oneOf(
                        Arbitraries.strings().withChars("aZ09._:-").ofMinLength(1).ofMaxLength(12),
                        Arbitraries.strings().withCharRange('!', '~').ofMaxLength(12)).injectNull(0.5))
                .as((t, seed, size, steps, style, promptId) -> {
                    ObjectNode json = Json.MAPPER.createObjectNode();
                    if (promptId != null) {
                        json.put("promptId", promptId);
                    }
                    json.put("text", t);
                    if (seed != null) {
                        json.put("seed", seed);
                    }
                    if (size != null) {
                        json.put("width", size);
                    }
                    if (steps != null) {
                        json.put("steps", steps);
                    }
                    if (style != null) {
                        json.put("style", style);
                    }
                    return json.toString();
                });
    }

    /** A well-formed line with one to three edits: byte flips, cuts, insertions of tricky text. */
    private static Arbitrary<byte[]> mutated() {
        Arbitrary<Edit> edit = Combinators.combine(
                Arbitraries.of(EditKind.class), Arbitraries.integers().between(0, 10_000),
                Arbitraries.bytes(), Arbitraries.of(INSERTS)).as(Edit::new);
        return Combinators.combine(wellFormed(), edit.list().ofMinSize(1).ofMaxSize(3)).as((line, edits) -> {
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            for (Edit e : edits) {
                bytes = e.apply(bytes);
            }
            return bytes;
        });
    }

    private enum EditKind { FLIP, CUT, INSERT_BYTE, INSERT_TEXT, APPEND_TEXT }

    private record Edit(EditKind kind, int at, byte value, String text) {

        byte[] apply(byte[] line) {
            int i = line.length == 0 ? 0 : at % line.length;
            return switch (kind) {
                case FLIP -> {
                    byte[] copy = line.clone();
                    if (copy.length > 0) {
                        copy[i] ^= value == 0 ? (byte) 0x80 : value;
                    }
                    yield copy;
                }
                case CUT -> Arrays.copyOf(line, i);
                case INSERT_BYTE -> insert(line, i, new byte[] {value});
                case INSERT_TEXT -> insert(line, i, text.getBytes(StandardCharsets.UTF_8));
                case APPEND_TEXT -> insert(line, line.length, text.getBytes(StandardCharsets.UTF_8));
            };
        }

        private static byte[] insert(byte[] line, int at, byte[] more) {
            byte[] out = new byte[line.length + more.length];
            System.arraycopy(line, 0, out, 0, at);
            System.arraycopy(more, 0, out, at, more.length);
            System.arraycopy(line, at, out, at + more.length, line.length - at);
            return out;
        }
    }
}
