package dev.stageflow.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.DeadLetterReason;
import dev.stageflow.model.Json;
import dev.stageflow.stage.InvalidPromptException;
import dev.stageflow.stage.ParseValidateStage;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns a Kafka prompt record into an input line for parse-validate, the record key being the
 * promptId. The key is the prompt's identity in Kafka (it picks the partition and survives log
 * compaction), so it must not silently disagree with the value:
 *
 * <ul>
 *   <li>no key (null or empty): the value is the line, as it is;
 *   <li>a key and a value object without promptId: the line is the value with {@code "promptId":
 *       <key>} added as its first field (the rest of the text unchanged);
 *   <li>a key and the same promptId in the value: the value, as it is;
 *   <li>a key and a different (or non-string, or null) promptId in the value: a {@code
 *       PROMPT_ID_MISMATCH} dead letter naming both and the record's position; neither wins.
 * </ul>
 *
 * A value that is not a JSON object is passed on as it is: parse-validate gives it its reason.
 */
public final class ApplyRecordKey extends ProcessFunction<KafkaPromptRecord, String> {

    private static final long serialVersionUID = 1L;

    @Override
    public void processElement(KafkaPromptRecord record, Context ctx, Collector<String> out) {
        try {
            out.collect(line(record));
        } catch (InvalidPromptException e) {
            ctx.output(ParseValidateStage.DEAD_LETTERS,
                    new DeadLetter(e.reason(), e.getMessage(), record.value, ctx.timerService().currentProcessingTime()));
        }
    }

    /** The input line of {@code record}; see the class comment. */
    public static String line(KafkaPromptRecord record) throws InvalidPromptException {
        String key = record.key;
        if (key == null || key.isEmpty()) {
            return record.value;
        }
        JsonNode json;
        try {
            // Read as parse-validate reads, so a value with a field given twice stays malformed.
            json = Json.STRICT.readTree(record.value);
        } catch (JsonProcessingException notJson) {
            return record.value;
        }
        if (json == null || !json.isObject()) {
            return record.value;
        }
        JsonNode promptId = json.get("promptId");
        if (promptId == null) {
            int brace = record.value.indexOf('{');
            String rest = record.value.substring(brace + 1);
            return record.value.substring(0, brace + 1) + "\"promptId\":" + Json.write(key)
                    + (json.isEmpty() ? "" : ",") + rest;
        }
        if (promptId.isTextual() && promptId.textValue().equals(key)) {
            return record.value;
        }
        throw new InvalidPromptException(DeadLetterReason.PROMPT_ID_MISMATCH, "record key " + Json.write(key)
                + " and promptId " + promptId + " in the value differ (" + record.position() + ")");
    }
}
