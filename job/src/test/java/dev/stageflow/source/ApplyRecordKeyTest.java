package dev.stageflow.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.model.DeadLetterReason;
import dev.stageflow.model.PromptRequest;
import dev.stageflow.stage.InvalidPromptException;
import dev.stageflow.stage.PromptParser;
import dev.stageflow.stage.RequestLimits;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class ApplyRecordKeyTest {

    private final PromptParser parser = new PromptParser(RequestLimits.from(new Configuration()));

    @Test
    void withoutKeyTheValueIsTheLine() throws Exception {
        assertThat(ApplyRecordKey.line(record(null, "{\"text\": \"a fox\"}"))).isEqualTo("{\"text\": \"a fox\"}");
        assertThat(ApplyRecordKey.line(record("", "{\"text\": \"a fox\"}"))).isEqualTo("{\"text\": \"a fox\"}");
    }

    @Test
    void keyBecomesThePromptIdOfAValueWithoutOne() throws Exception {
        String line = ApplyRecordKey.line(record("order-17", "  {\"text\": \"a fox\", \"seed\": 3}"));

        assertThat(line).isEqualTo("  {\"promptId\":\"order-17\",\"text\": \"a fox\", \"seed\": 3}");
        PromptRequest request = parser.parse(line, 0);
        assertThat(request.promptId).isEqualTo("order-17");
        assertThat(request.seed).isEqualTo(3);
    }

    @Test
    void keyOfAnEmptyObjectStillMakesValidJson() throws Exception {
        assertThat(ApplyRecordKey.line(record("k", "{ }"))).isEqualTo("{\"promptId\":\"k\" }");
    }

    @Test
    void keyEqualToThePromptIdLeavesTheValueAsItIs() throws Exception {
        String value = "{\"promptId\": \"same\", \"text\": \"a fox\"}";
        assertThat(ApplyRecordKey.line(record("same", value))).isEqualTo(value);
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
        assertThat(ApplyRecordKey.line(record("k", "{\"text\": \"unterminated"))).isEqualTo("{\"text\": \"unterminated");
        assertThat(ApplyRecordKey.line(record("k", "[1, 2]"))).isEqualTo("[1, 2]");
        assertThat(ApplyRecordKey.line(record("k", "{\"text\": \"a\", \"text\": \"b\"}")))
                .isEqualTo("{\"text\": \"a\", \"text\": \"b\"}");
    }

    @Test
    void keyThatIsNoValidPromptIdIsRejectedByParseValidate() throws Exception {
        String line = ApplyRecordKey.line(record("has spaces", "{\"text\": \"a fox\"}"));

        assertThatThrownBy(() -> parser.parse(line, 0))
                .isInstanceOfSatisfying(InvalidPromptException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.INVALID_PROMPT_ID));
    }

    private static void assertMismatch(KafkaPromptRecord record, String detail) {
        assertThatThrownBy(() -> ApplyRecordKey.line(record))
                .isInstanceOfSatisfying(InvalidPromptException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DeadLetterReason.PROMPT_ID_MISMATCH);
                    assertThat(e.getMessage()).isEqualTo(detail);
                });
    }

    private static KafkaPromptRecord record(String key, String value) {
        return new KafkaPromptRecord(key, value, "prompts", 1, 42);
    }
}
