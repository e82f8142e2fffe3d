package dev.stageflow.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.model.DeadLetterReason;
import dev.stageflow.model.InputLine;
import dev.stageflow.model.PromptRequest;
import dev.stageflow.model.Style;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PromptParserTest {

    private final PromptParser parser = new PromptParser(RequestLimits.defaults());

    @Test
    void appliesDefaultsAndDerivesIdAndSeedFromContent() throws Exception {
        PromptRequest request = parser.parse("{\"text\": \"a red fox\"}", 7L);

        assertThat(request.text).isEqualTo("a red fox");
        assertThat(request.width).isEqualTo(128);
        assertThat(request.height).isEqualTo(128);
        assertThat(request.steps).isEqualTo(8);
        assertThat(request.style).isEqualTo("natural");
        assertThat(request.submittedAt).isEqualTo(7L);
        assertThat(request.promptId)
                .isEqualTo(PromptParser.derivePromptId("a red fox", 128, 128, 8, Style.NATURAL, null))
                .matches("p-[0-9a-f]{24}");
        assertThat(request.seed).isEqualTo(PromptParser.deriveSeed(request.promptId)).isNotNegative();
    }

    @Test
    void keepsGivenIdSeedAndParameters() throws Exception {
        PromptRequest request = parser.parse(
                "{\"promptId\":\"job-7:a\",\"text\":\"x\",\"seed\":42,\"width\":64,\"height\":96,\"steps\":3,\"style\":\"mono\"}", 0);

        assertThat(request).isEqualTo(new PromptRequest("job-7:a", "x", "", 7.5, 42, 64, 96, 3, "mono", 0));
    }

    @Test
    void readsNegativeTextAndGuidanceWithTheirDefaults() throws Exception {
        PromptRequest plain = parser.parse("{\"text\": \"a red fox\"}", 0);
        assertThat(plain.negativeText).isEmpty();
        assertThat(plain.guidance).isEqualTo(RequestLimits.defaults().defaultGuidance).isEqualTo(7.5);

        PromptRequest given = parser.parse(
                "{\"text\": \"a red fox\", \"negativeText\": \"  blurry,\\tlow   quality \", \"guidance\": 0}", 0);
        assertThat(given.negativeText).isEqualTo("blurry, low quality");
        assertThat(given.guidance).isZero();
        assertThat(given.promptId).isNotEqualTo(plain.promptId);
        assertThat(parser.parse("{\"text\": \"a red fox\", \"negativeText\": \" \"}", 0).promptId)
                .as("an empty negative text is no negative text").isEqualTo(plain.promptId);
        assertThat(parser.parse("{\"text\": \"a red fox\", \"guidance\": 7.5}", 0).promptId)
                .as("a given guidance is part of the content").isNotEqualTo(plain.promptId);
    }

    @Test
    void refusesGuidanceThatIsNoNumberOrOutOfRange() {
        assertThatThrownBy(() -> parser.parse("{\"text\": \"x\", \"guidance\": \"high\"}", 0))
                .isInstanceOfSatisfying(InvalidPromptException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.WRONG_TYPE));
        assertThatThrownBy(() -> parser.parse("{\"text\": \"x\", \"guidance\": -1}", 0))
                .isInstanceOfSatisfying(InvalidPromptException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.OUT_OF_RANGE));
        assertThatThrownBy(() -> parser.parse("{\"text\": \"x\", \"negativeText\": 3}", 0))
                .isInstanceOfSatisfying(InvalidPromptException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.WRONG_TYPE));
    }

    @Test
    void sameCanonicalContentGivesSameIdWhateverTheSpelling() throws Exception {
        PromptRequest plain = parser.parse("{\"text\": \"a red fox\"}", 0);
        PromptRequest spelled = parser.parse(
                "{\"width\": 128, \"text\": \"  a   red\\tfox \", \"style\": \"natural\", \"steps\": 8}", 0);
        PromptRequest fullWidth = parser.parse("{\"text\": \"ａ red fox\"}", 0);

        assertThat(spelled.promptId).isEqualTo(plain.promptId);
        assertThat(fullWidth.promptId).isEqualTo(plain.promptId);
        assertThat(spelled.seed).isEqualTo(plain.seed);
    }

    @Test
    void differentContentOrSeedGivesDifferentIds() throws Exception {
        String base = parser.parse("{\"text\": \"a red fox\"}", 0).promptId;

        assertThat(parser.parse("{\"text\": \"a red fox\", \"seed\": 1}", 0).promptId).isNotEqualTo(base);
        assertThat(parser.parse("{\"text\": \"a red fox\", \"style\": \"vivid\"}", 0).promptId).isNotEqualTo(base);
        assertThat(parser.parse("{\"text\": \"a red fox!\"}", 0).promptId).isNotEqualTo(base);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "MALFORMED_JSON     | {\"text\": \"open",
        "MALFORMED_JSON     | {\"text\": \"a\", \"text\": \"b\"}",
        "NOT_AN_OBJECT      | [1, 2]",
        "NOT_AN_OBJECT      | \"just a string\"",
        "UNKNOWN_FIELD      | {\"text\": \"a\", \"prompt\": \"b\"}",
        "MISSING_FIELD      | {\"seed\": 3}",
        "MISSING_FIELD      | {\"text\": null}",
        "WRONG_TYPE         | {\"text\": 5}",
        "WRONG_TYPE         | {\"text\": \"a\", \"seed\": \"42\"}",
        "WRONG_TYPE         | {\"text\": \"a\", \"width\": 64.5}",
        "WRONG_TYPE         | {\"text\": \"a\", \"style\": 3}",
        "EMPTY_TEXT         | {\"text\": \"   \\n \"}",
        "CONTROL_CHARACTERS | {\"text\": \"a\\u0007b\"}",
        "CONTROL_CHARACTERS | {\"text\": \"file\\u001cseparator\"}",
        "INVALID_ENCODING   | {\"text\": \"lone \\ud800 surrogate\"}",
        "INVALID_ENCODING   | {\"text\": \"lone \\udc00 low surrogate\"}",
        "INVALID_ENCODING   | {\"text\": \"reversed \\udc00\\ud800 pair\"}",
        "MALFORMED_JSON     | {\"text\": \"a\"} trailing",
        "MALFORMED_JSON     | {\"text\": \"a\"}{\"text\": \"b\"}",
        "BIDI_CONTROL       | {\"text\": \"abc\u202Edcb\"}",
        "BIDI_CONTROL       | {\"text\": \"abc\\u2066isolated\\u2069\"}",
        "OUT_OF_RANGE       | {\"text\": \"a\", \"width\": 100}",
        "OUT_OF_RANGE       | {\"text\": \"a\", \"height\": 2048}",
        "OUT_OF_RANGE       | {\"text\": \"a\", \"width\": 8}",
        "OUT_OF_RANGE       | {\"text\": \"a\", \"steps\": 0}",
        "OUT_OF_RANGE       | {\"text\": \"a\", \"steps\": 51}",
        "OUT_OF_RANGE       | {\"text\": \"a\", \"seed\": -1}",
        "OUT_OF_RANGE       | {\"text\": \"a\", \"seed\": 99999999999999999999}",
        "UNKNOWN_STYLE      | {\"text\": \"a\", \"style\": \"baroque\"}",
        "INVALID_PROMPT_ID  | {\"text\": \"a\", \"promptId\": \"has space\"}",
        "INVALID_PROMPT_ID  | {\"text\": \"a\", \"promptId\": \"\"}",
    })
    void rejectsWithReason(DeadLetterReason reason, String line) {
        assertThatThrownBy(() -> parser.parse(InputLine.of(line), 0))
                .isInstanceOf(InvalidPromptException.class)
                .satisfies(e -> assertThat(((InvalidPromptException) e).reason()).isEqualTo(reason));
    }

    @Test
    void rejectsTooLongTextAndLinesCountingBytes() {
        String longText = "{\"text\": \"" + "é".repeat(1001) + "\"}";
        String longLine = "{\"text\": \"" + "é".repeat(8_200) + "\"}";

        assertThatThrownBy(() -> parser.parse(longText, 0))
                .satisfies(e -> assertThat(((InvalidPromptException) e).reason()).isEqualTo(DeadLetterReason.TEXT_TOO_LONG));
        assertThat(longLine.length()).isLessThan(RequestLimits.defaults().maxLineBytes);
        assertThatThrownBy(() -> parser.parse(InputLine.of(longLine), 0))
                .isInstanceOfSatisfying(InvalidPromptException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DeadLetterReason.LINE_TOO_LONG);
                    assertThat(e.getMessage()).isEqualTo("line has 16412 bytes, the limit is 16384");
                });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "truncated two-byte sequence | 7B C3 7D                | 1 bad byte(s) at byte offset 1",
        "stray continuation byte     | 41 80 42                | 1 bad byte(s) at byte offset 1",
        "overlong slash              | 22 C0 AF 22             | 1 bad byte(s) at byte offset 1",
        "encoded surrogate D800      | 22 ED A0 80 22          | 3 bad byte(s) at byte offset 1",
        "beyond U+10FFFF             | 22 F4 90 80 80 22       | 1 bad byte(s) at byte offset 1",
        "invalid byte FF at the end  | 7B 7D FF                | 1 bad byte(s) at byte offset 2",
    })
    void rejectsBytesThatAreNotUtf8NamingTheOffset(String name, String hex, String detail) {
        byte[] bytes = HexFormat.ofDelimiter(" ").parseHex(hex);

        assertThatThrownBy(() -> parser.parse(new InputLine(bytes, bytes.length), 0))
                .isInstanceOfSatisfying(InvalidPromptException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DeadLetterReason.INVALID_ENCODING);
                    assertThat(e.getMessage()).isEqualTo("line is not valid UTF-8: " + detail);
                });
    }

    @Test
    void blankLinesAreSkippedNotDeadLettered() throws Exception {
        assertThat(parser.parse(InputLine.of(" \t "), 0)).isEmpty();
        assertThat(parser.parse(InputLine.of(""), 0)).isEmpty();
    }

    @Test
    void acceptsValidUtf8IncludingTheReplacementCharacterAndJoiners() throws Exception {
        String text = "caf\u00e9 \uFFFD \uD83D\uDC69\u200D\uD83D\uDCBB \u05E9\u05DC\u05D5\u05DD";

        assertThat(parser.parse(InputLine.of("{\"text\": \"" + text + "\"}"), 0)).get()
                .extracting(request -> request.text).isEqualTo(text);
    }

    @Test
    void acceptsTextAtTheLimitCountingCodePoints() throws Exception {
        String emoji = "\uD83E\uDD8A".repeat(1000);

        assertThat(parser.parse("{\"text\": \"" + emoji + "\"}", 0).text).isEqualTo(emoji);
    }
}
