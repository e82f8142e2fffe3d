package dev.stageflow.stage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stageflow.model.InputLine;
import dev.stageflow.model.Json;
import dev.stageflow.model.PromptRequest;
import dev.stageflow.model.Style;
import dev.stageflow.testing.HostileLines;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The parser over {@link HostileLines}. Every line must end as exactly one outcome, a valid prompt, a skipped blank line
 * or a dead letter with a reason, and never as any other exception; a valid prompt must satisfy
 * every rule the parser promises, and parse to itself again.
 */
class PromptParserPropertiesTest {

    private static final RequestLimits LIMITS = RequestLimits.defaults();
    private static final Pattern PROMPT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final PromptParser parser = new PromptParser(LIMITS);

    @Property(tries = 12_000)
    void everyLineEndsAsExactlyOnePromptOrOneDeadLetter(@ForAll("lines") byte[] bytes) {
        String outcome = outcome(bytes);
        assertThat(outcome(bytes)).as("the same line, parsed again").isEqualTo(outcome);
        Statistics.label("outcome").collect(outcome.startsWith("valid") ? "valid" : outcome);
        Statistics.label("outcome").coverage(checker -> {
            checker.check("valid").percentage(p -> p > 10);
            checker.check("MALFORMED_JSON").percentage(p -> p > 5);
            checker.check("INVALID_ENCODING").percentage(p -> p > 2);
            checker.check("BIDI_CONTROL").percentage(p -> p > 0.5);
        });
    }

    /** "valid …", "blank" or the reason code; fails the property on any other exception or a broken promise. */
    private String outcome(byte[] bytes) {
        Optional<PromptRequest> request;
        try {
            request = parser.parse(new InputLine(bytes, bytes.length), 0);
        } catch (InvalidPromptException e) {
            assertThat(e.reason()).isNotNull();
            assertThat(e.getMessage()).isNotBlank();
            return e.reason().name();
        }
        if (request.isEmpty()) {
            assertThat(new String(bytes, StandardCharsets.UTF_8)).isBlank();
            return "blank";
        }
        assertKeepsEveryRule(request.get());
        return "valid " + request.get().promptId + " " + request.get().seed;
    }

    private void assertKeepsEveryRule(PromptRequest request) {
        assertThat(request.promptId).matches(PROMPT_ID);
        assertThat(request.text).isNotBlank().isEqualTo(request.text.strip());
        assertThat(request.text.codePointCount(0, request.text.length())).isLessThanOrEqualTo(LIMITS.maxTextLength);
        assertThat(request.text.codePoints()).noneMatch(c -> Character.getType(c) == Character.CONTROL
                        || Character.getType(c) == Character.SURROGATE
                        || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069));
        assertThat(LIMITS.isValidSize(request.width) && LIMITS.isValidSize(request.height)).isTrue();
        assertThat(request.steps).isBetween(1, LIMITS.maxSteps);
        assertThat(request.seed).isNotNegative();
        assertThat(Style.parse(request.style)).isPresent();
        ObjectNode again = Json.MAPPER.createObjectNode()
                .put("promptId", request.promptId).put("text", request.text).put("seed", request.seed)
                .put("width", request.width).put("height", request.height).put("steps", request.steps)
                .put("style", request.style);
        try {
            assertThat(parser.parse(InputLine.of(again.toString()), 0)).as("a valid prompt parses to itself")
                    .contains(request);
        } catch (InvalidPromptException e) {
            throw new AssertionError("a valid prompt, written out again, is " + e.reason() + ": " + e.getMessage(), e);
        }
    }

    @Provide
    Arbitrary<byte[]> lines() {
        return HostileLines.lines();
    }
}
