package dev.stageflow.stage;

import static dev.stageflow.model.DeadLetterReason.BIDI_CONTROL;
import static dev.stageflow.model.DeadLetterReason.CONTROL_CHARACTERS;
import static dev.stageflow.model.DeadLetterReason.EMPTY_TEXT;
import static dev.stageflow.model.DeadLetterReason.INVALID_ENCODING;
import static dev.stageflow.model.DeadLetterReason.INVALID_PROMPT_ID;
import static dev.stageflow.model.DeadLetterReason.LINE_TOO_LONG;
import static dev.stageflow.model.DeadLetterReason.MALFORMED_JSON;
import static dev.stageflow.model.DeadLetterReason.MISSING_FIELD;
import static dev.stageflow.model.DeadLetterReason.NOT_AN_OBJECT;
import static dev.stageflow.model.DeadLetterReason.OUT_OF_RANGE;
import static dev.stageflow.model.DeadLetterReason.TEXT_TOO_LONG;
import static dev.stageflow.model.DeadLetterReason.UNKNOWN_FIELD;
import static dev.stageflow.model.DeadLetterReason.UNKNOWN_STYLE;
import static dev.stageflow.model.DeadLetterReason.WRONG_TYPE;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.stageflow.model.InputLine;
import dev.stageflow.model.Json;
import dev.stageflow.model.PromptRequest;
import dev.stageflow.model.Style;
import dev.stageflow.store.Hashing;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns one JSON input line into a {@link PromptRequest} or says exactly why it cannot.
 *
 * <p>The format is {@code {"promptId"?, "text", "negativeText"?, "guidance"?, "seed"?, "width"?,
 * "height"?, "steps"?, "style"?}}. Texts are NFKC-normalised with whitespace runs collapsed, so
 * visually equal prompts are equal; {@code negativeText} may be empty (its default). A missing promptId is derived from the hash of the canonical content (so a
 * resubmitted prompt is the same prompt) and a missing seed from the promptId (never random, so a
 * replay regenerates the same image).
 */
public final class PromptParser {

    private static final Set<String> FIELDS =
            Set.of("promptId", "text", "negativeText", "guidance", "seed", "width", "height", "steps", "style");
    private static final Pattern PROMPT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern WHITESPACE_RUN = Pattern.compile("[\\s\\p{Z}]+");
    /**
     * The control characters {@link #WHITESPACE_RUN} turns into spaces ({@code \s}); every other
     * one is refused, including U+001C..U+001F, which {@code Character.isWhitespace} calls
     * whitespace but no pattern collapses.
     */
    private static final Set<Character> COLLAPSED_CONTROLS = Set.of('\t', '\n', '\u000B', '\f', '\r');

    private final RequestLimits limits;

    public PromptParser(RequestLimits limits) {
        this.limits = limits;
    }

    /**
     * The prompt of an input line, or empty for a blank line (which is skipped, not a dead letter).
     * The line limit and the encoding are checked on the bytes, before anything is decoded.
     */
    public Optional<PromptRequest> parse(InputLine line, long submittedAt) throws InvalidPromptException {
        if (line.length > limits.maxLineBytes) {
            throw new InvalidPromptException(LINE_TOO_LONG,
                    "line has " + line.length + " bytes, the limit is " + limits.maxLineBytes);
        }
        String text = decodeUtf8(line.bytes, "line");
        return text.isBlank() ? Optional.empty() : Optional.of(parse(text, submittedAt));
    }

    /** The prompt of one decoded, non-blank line. */
    public PromptRequest parse(String line, long submittedAt) throws InvalidPromptException {
        JsonNode json = readObject(line);
        checkFields(json);
        String text = normalise(requiredString(json, "text"));
        String negativeText = present(json, "negativeText") ? normaliseOptional(stringField(json, "negativeText")) : "";
        Double givenGuidance = guidance(json);
        Style style = style(json);
        int width = size(json, "width", limits.defaultWidth);
        int height = size(json, "height", limits.defaultHeight);
        int steps = intField(json, "steps", limits.defaultSteps);
        if (steps < 1 || steps > limits.maxSteps) {
            throw new InvalidPromptException(OUT_OF_RANGE, "steps " + steps + " is outside 1.." + limits.maxSteps);
        }
        Long givenSeed = seed(json);
        String canonical = canonical(text, width, height, steps, style, givenSeed)
                + (negativeText.isEmpty() ? "" : "\nnegative=" + negativeText)
                + (givenGuidance == null ? "" : "\nguidance=" + givenGuidance);
        String promptId = promptId(json, canonical);
        long seed = givenSeed != null ? givenSeed : deriveSeed(promptId);
        double guidance = givenGuidance != null ? givenGuidance : limits.defaultGuidance;
        return new PromptRequest(promptId, text, negativeText, guidance, seed, width, height, steps, style.id(),
                submittedAt);
    }

    /**
     * {@code bytes} decoded as UTF-8, refusing (as INVALID_ENCODING, naming the byte offset) any
     * byte sequence that is not UTF-8, including overlong forms and encoded surrogates.
     */
    public static String decodeUtf8(byte[] bytes, String what) throws InvalidPromptException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new InvalidPromptException(INVALID_ENCODING,
                    what + " is not valid UTF-8: " + result.length() + " bad byte(s) at byte offset " + in.position());
        }
        return out.flip().toString();
    }

    /**
     * The id of a prompt without one: "p-" and 96 bits of the SHA-256 of its canonical content
     * (normalised text and every parameter after defaults, the seed only if given; a negative text
     * and a guidance scale only if given, so ids of prompts without them are what they always were).
     */
    public static String derivePromptId(String text, int width, int height, int steps, Style style, Long seed) {
        return idOf(canonical(text, width, height, steps, style, seed));
    }

    private static String canonical(String text, int width, int height, int steps, Style style, Long seed) {
        return "text=" + text + "\nwidth=" + width + "\nheight=" + height + "\nsteps=" + steps
                + "\nstyle=" + style.id() + "\nseed=" + (seed == null ? "" : seed.toString());
    }

    private static String idOf(String canonical) {
        return "p-" + Hashing.sha256Hex(canonical).substring(0, 24);
    }

    /** The seed of a prompt without one: 63 bits of the SHA-256 of its promptId. */
    public static long deriveSeed(String promptId) {
        byte[] hash = HexFormat.of().parseHex(Hashing.sha256Hex("seed:" + promptId));
        return ByteBuffer.wrap(hash).getLong() & Long.MAX_VALUE;
    }

    private static JsonNode readObject(String line) throws InvalidPromptException {
        JsonNode json;
        try {
            json = Json.STRICT.readTree(line);
        } catch (JsonProcessingException e) {
            throw new InvalidPromptException(MALFORMED_JSON, e.getOriginalMessage());
        }
        if (json == null || !json.isObject()) {
            throw new InvalidPromptException(NOT_AN_OBJECT,
                    "expected a JSON object, got " + (json == null ? "nothing" : typeName(json)));
        }
        return json;
    }

    private static void checkFields(JsonNode json) throws InvalidPromptException {
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new InvalidPromptException(UNKNOWN_FIELD,
                        "unknown field '" + name + "'; allowed: promptId, text, negativeText, guidance, seed, width,"
                                + " height, steps, style");
            }
        }
    }

    private String normalise(String raw) throws InvalidPromptException {
        String text = normaliseOptional(raw);
        if (text.isEmpty()) {
            throw new InvalidPromptException(EMPTY_TEXT, "text is empty");
        }
        return text;
    }

    /** A text normalised and checked as {@code text} is, but possibly empty (a negative prompt). */
    private String normaliseOptional(String raw) throws InvalidPromptException {
        checkSurrogates(raw);
        String nfkc = Normalizer.normalize(raw, Normalizer.Form.NFKC);
        for (int i = 0; i < nfkc.length(); i++) {
            char c = nfkc.charAt(i);
            if (Character.getType(c) == Character.CONTROL && !COLLAPSED_CONTROLS.contains(c)) {
                throw new InvalidPromptException(CONTROL_CHARACTERS,
                        String.format("text contains control character U+%04X at index %d", (int) c, i));
            }
        }
        checkBidiControls(nfkc);
        String text = WHITESPACE_RUN.matcher(nfkc).replaceAll(" ").strip();
        int codePoints = text.codePointCount(0, text.length());
        if (codePoints > limits.maxTextLength) {
            throw new InvalidPromptException(TEXT_TOO_LONG,
                    "text has " + codePoints + " code points, the limit is " + limits.maxTextLength);
        }
        return text;
    }

    /** A JSON escape such as <code>"&#92;ud800"</code> can name half a character; it is no text. */
    private static void checkSurrogates(String text) throws InvalidPromptException {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidPromptException(INVALID_ENCODING,
                        String.format("text contains a lone surrogate U+%04X at index %d", (int) c, i));
            }
        }
    }

    /**
     * Bidi embeddings, overrides and isolates make text display in an order other than the one it
     * is read in (the "Trojan Source" trick), so what a reviewer sees is not what the model gets.
     */
    private static void checkBidiControls(String text) throws InvalidPromptException {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')) {
                throw new InvalidPromptException(BIDI_CONTROL,
                        String.format("text contains bidi control U+%04X at index %d", (int) c, i));
            }
        }
    }

    private Style style(JsonNode json) throws InvalidPromptException {
        if (!present(json, "style")) {
            return limits.defaultStyle;
        }
        String id = stringField(json, "style");
        return Style.parse(id).orElseThrow(() -> new InvalidPromptException(UNKNOWN_STYLE,
                "style '" + id + "' is not one of " + Style.allowedIds()));
    }

    private int size(JsonNode json, String field, int defaultValue) throws InvalidPromptException {
        int value = intField(json, field, defaultValue);
        if (!limits.isValidSize(value)) {
            throw new InvalidPromptException(OUT_OF_RANGE, field + " " + value + " is not a multiple of "
                    + RequestLimits.SIZE_MULTIPLE + " in " + limits.minSize + ".." + limits.maxSize);
        }
        return value;
    }

    private static Long seed(JsonNode json) throws InvalidPromptException {
        if (!present(json, "seed")) {
            return null;
        }
        JsonNode node = json.get("seed");
        if (!node.isIntegralNumber()) {
            throw new InvalidPromptException(WRONG_TYPE, "seed must be an integer, got " + typeName(node));
        }
        if (!node.canConvertToLong() || node.asLong() < 0) {
            throw new InvalidPromptException(OUT_OF_RANGE, "seed " + node.asText() + " is outside 0.." + Long.MAX_VALUE);
        }
        return node.asLong();
    }

    private static Double guidance(JsonNode json) throws InvalidPromptException {
        if (!present(json, "guidance")) {
            return null;
        }
        JsonNode node = json.get("guidance");
        if (!node.isNumber()) {
            throw new InvalidPromptException(WRONG_TYPE, "guidance must be a number, got " + typeName(node));
        }
        double guidance = node.asDouble();
        if (!RequestLimits.isValidGuidance(guidance)) {
            throw new InvalidPromptException(OUT_OF_RANGE, "guidance " + node.asText() + " is outside 0.."
                    + RequestLimits.MAX_GUIDANCE);
        }
        return guidance;
    }

    private static String promptId(JsonNode json, String canonical) throws InvalidPromptException {
        if (!present(json, "promptId")) {
            return idOf(canonical);
        }
        String id = stringField(json, "promptId");
        if (!PROMPT_ID.matcher(id).matches()) {
            throw new InvalidPromptException(INVALID_PROMPT_ID, "promptId must be 1-128 of [A-Za-z0-9._:-]");
        }
        return id;
    }

    private static int intField(JsonNode json, String field, int defaultValue) throws InvalidPromptException {
        if (!present(json, field)) {
            return defaultValue;
        }
        JsonNode node = json.get(field);
        if (!node.isIntegralNumber()) {
            throw new InvalidPromptException(WRONG_TYPE, field + " must be an integer, got " + typeName(node));
        }
        if (!node.canConvertToInt()) {
            throw new InvalidPromptException(OUT_OF_RANGE, field + " " + node.asText() + " is far out of range");
        }
        return node.intValue();
    }

    private static String requiredString(JsonNode json, String field) throws InvalidPromptException {
        if (!present(json, field)) {
            throw new InvalidPromptException(MISSING_FIELD, "field '" + field + "' is required");
        }
        return stringField(json, field);
    }

    private static String stringField(JsonNode json, String field) throws InvalidPromptException {
        JsonNode node = json.get(field);
        if (!node.isTextual()) {
            throw new InvalidPromptException(WRONG_TYPE, field + " must be a string, got " + typeName(node));
        }
        return node.textValue();
    }

    private static String typeName(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private static boolean present(JsonNode json, String field) {
        JsonNode node = json.get(field);
        return node != null && !node.isNull();
    }
}
