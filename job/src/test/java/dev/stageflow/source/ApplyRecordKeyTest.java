package dev.stageflow.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.model.DeadLetterReason;
import dev.stageflow.model.InputLine;
import dev.stageflow.model.PromptRequest;
import dev.stageflow.stage.InvalidPromptException;
import dev.stageflow.stage.PromptParser;
import dev.stageflow.stage.RequestLimits;
import java.nio.charset.StandardCharsets;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class ApplyRecordKeyTest {

    private static final int LIMIT = 64;

    private final PromptParser parser = new PromptParser(RequestLimits.from(new Configuration()));

    @Test
    void withoutKeyTheValueIsTheLine() throws Exception {
        assertThat(line(record(null, "{\"text\": \"a fox\"}"))).isEqualTo("{\"text\": \"a fox\"}");
        assertThat(line(record("", "{\"text\": \"a fox\"}"))).isEqualTo("{\"text\": \"a fox\"}");
    }

    @Test
    void keyBecomesThePromptIdOfAValueWithoutOne() throws Exception {
        String line = line(record("order-17", "  {\"text\": \"a fox\", \"seed\": 3}"));

        assertThat(line).isEqualTo("  {\"promptId\":\"order-17\",\"text\": \"a fox\", \"seed\": 3}");
        PromptRequest request = parser.parse(line, 0);
        assertThat(request.promptId).isEqualTo("order-17");
        assertThat(request.seed).isEqualTo(3);
    }

    @Test
    void keyOfAnEmptyObjectStillMakesValidJson() throws Exception {
        assertThat(line(record("k", "{ }"))).isEqualTo("{\"promptId\":\"k\" }");
    }

    @Test
    void keyEqualToThePromptIdLeavesTheValueAsItIs() throws Exception {
        String value = "{\"promptId\": \"same\", \"text\": \"a fox\"}";
        assertThat(line(record("same", value))).isEqualTo(value);
    }

    @Test
    void keyDifferentFromThePromptIdIsAMismatch() {
        assertMismatch(record("key-1", "{\"promptId\": \"other\", \"text\": \"a fox\"}"),
                "record key \"key-1\" and promptId \"other\" in the value differ (prompts-1@42)");
        assertMismatch(record("key-1", "{\"promptId\": null, \"text\": \"a fox\"}"),
                "record key \"key-1\" and promptId null in the value differ (prompts-1@42)");
        assertMismatch(record("7", "{\"promptId\": 7, \"text\": \"a fox\"}"),
                "record key \"7\" and promptId 7 in the value differ (prompts-1@42)");
    }

    @Test
    void valueThatIsNoJsonObjectIsLeftToParseValidate() throws Exception {
        assertThat(line(record("k", "{\"text\": \"unterminated"))).isEqualTo("{\"text\": \"unterminated");
        assertThat(line(record("k", "[1, 2]"))).isEqualTo("[1, 2]");
        assertThat(line(record("k", "{\"text\": \"a\", \"text\": \"b\"}")))
                .isEqualTo("{\"text\": \"a\", \"text\": \"b\"}");
    }

    @Test
    void keyThatIsNoValidPromptIdIsRejectedByParseValidate() throws Exception {
        String line = line(record("has spaces", "{\"text\": \"a fox\"}"));

        assertThatThrownBy(() -> parser.parse(line, 0))
                .isInstanceOfSatisfying(InvalidPromptException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.INVALID_PROMPT_ID));
    }

    private static void assertMismatch(KafkaPromptRecord record, String detail) {
        assertThatThrownBy(() -> line(record))
                .isInstanceOfSatisfying(InvalidPromptException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DeadLetterReason.PROMPT_ID_MISMATCH);
                    assertThat(e.getMessage()).isEqualTo(detail);
                });
    }

    @Test
    void keyThatIsNotUtf8IsInvalidEncoding() {
        KafkaPromptRecord record = new KafkaPromptRecord(
                new byte[] {'k', (byte) 0xC3}, bytes("{\"text\": \"a fox\"}"), "prompts", 1, 42);

        assertThatThrownBy(() -> line(record))
                .isInstanceOfSatisfying(InvalidPromptException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DeadLetterReason.INVALID_ENCODING);
                    assertThat(e.getMessage())
                            .isEqualTo("record key (prompts-1@42) is not valid UTF-8: 1 bad byte(s) at byte offset 1");
                });
    }

    @Test
    void valueThatIsNotUtf8OrTooLongIsPassedOnAsItIs() throws Exception {
        byte[] notUtf8 = {'{', '"', 't', (byte) 0xFF, '"', '}'};
        InputLine invalid = ApplyRecordKey.line(new KafkaPromptRecord(bytes("k"), notUtf8, "prompts", 1, 42), LIMIT);
        assertThat(invalid).isEqualTo(new InputLine(notUtf8, notUtf8.length));

        String big = "{\"text\": \"" + "x".repeat(LIMIT) + "\"}";
        InputLine head = ApplyRecordKey.line(record("k", big), LIMIT);
        assertThat(head.isTruncated()).isTrue();
        assertThat(head.length).isEqualTo(big.length());
        assertThat(head.bytes).hasSize(LIMIT);
    }

    private static String line(KafkaPromptRecord record) throws InvalidPromptException {
        return ApplyRecordKey.line(record, LIMIT).lenientText();
    }

    private static KafkaPromptRecord record(String key, String value) {
        return new KafkaPromptRecord(key == null ? null : bytes(key), bytes(value), "prompts", 1, 42);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
