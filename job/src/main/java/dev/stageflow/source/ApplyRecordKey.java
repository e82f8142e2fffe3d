package dev.stageflow.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.DeadLetterReason;
import dev.stageflow.model.InputLine;
import dev.stageflow.model.Json;
import dev.stageflow.stage.InvalidPromptException;
import dev.stageflow.stage.ParseValidateStage;
import dev.stageflow.stage.PromptParser;
import java.nio.charset.StandardCharsets;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns a Kafka prompt record into an input line for parse-validate, the record key being the
 * promptId. The key is the prompt's identity in Kafka (it picks the partition and survives log
 * compaction), so it must not silently disagree with the value:
 *
 * <ul>
 *   <li>no key (null or empty): the value is the line, as it is;
 *   <li>a key that is not valid UTF-8: an {@code INVALID_ENCODING} dead letter;
 *   <li>a key and a value object without promptId: the line is the value with {@code "promptId":
 *       <key>} added as its first field (the rest of the text unchanged);
 *   <li>a key and the same promptId in the value: the value, as it is;
 *   <li>a key and a different (or non-string, or null) promptId in the value: a {@code
 *       PROMPT_ID_MISMATCH} dead letter naming both and the record's position; neither wins.
 * </ul>
 *
 * A value that is over the line limit, not UTF-8 or not a JSON object is passed on as it is (only
 * its head when too long): parse-validate gives it its reason.
 */
public final class ApplyRecordKey extends ProcessFunction<KafkaPromptRecord, InputLine> {

    private static final long serialVersionUID = 1L;

    private final int maxLineBytes;

    public ApplyRecordKey(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public void processElement(KafkaPromptRecord record, Context ctx, Collector<InputLine> out) {
        try {
            out.collect(line(record, maxLineBytes));
        } catch (InvalidPromptException e) {
            ctx.output(ParseValidateStage.DEAD_LETTERS, new DeadLetter(e.reason(), e.getMessage(),
                    new String(record.value, StandardCharsets.UTF_8), ctx.timerService().currentProcessingTime()));
        }
    }

    /** The input line of {@code record}; see the class comment. */
    public static InputLine line(KafkaPromptRecord record, int maxLineBytes) throws InvalidPromptException {
        InputLine asItIs = InputLine.of(record.value, maxLineBytes);
        if (record.key == null || record.key.length == 0) {
            return asItIs;
        }
        String key = PromptParser.decodeUtf8(record.key, "record key (" + record.position() + ")");
        if (asItIs.isTruncated()) {
            return asItIs;
        }
        String value;
        JsonNode json;
        try {
            value = PromptParser.decodeUtf8(record.value, "value");
            // Read as parse-validate reads, so a value with a field given twice stays malformed.
            json = Json.STRICT.readTree(value);
        } catch (InvalidPromptException | JsonProcessingException invalid) {
            return asItIs;
        }
        if (json == null || !json.isObject()) {
            return asItIs;
        }
        JsonNode promptId = json.get("promptId");
        if (promptId == null) {
            int brace = value.indexOf('{');
            String rest = value.substring(brace + 1);
            return InputLine.of(value.substring(0, brace + 1) + "\"promptId\":" + Json.write(key)
                    + (json.isEmpty() ? "" : ",") + rest);
        }
        if (promptId.isTextual() && promptId.textValue().equals(key)) {
            return asItIs;
        }
        throw new InvalidPromptException(DeadLetterReason.PROMPT_ID_MISMATCH, "record key " + Json.write(key)
                + " and promptId " + promptId + " in the value differ (" + record.position() + ")");
    }
}
