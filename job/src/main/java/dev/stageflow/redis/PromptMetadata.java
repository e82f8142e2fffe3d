package dev.stageflow.redis;

import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.StageOutcome;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The Redis hash {@code sf:prompt:<promptId>} of a committed prompt: status, parameters, and per
 * stage ({@code encode}, {@code generate}, {@code enhance}) the model, version, cache hit, time and
 * each artifact's URI and SHA-256. The prompt text is left out: the committed result row has it,
 * and Redis is shared more widely than the output directory. Absent values are left out.
 */
public final class PromptMetadata {

    public static final String KEY_PREFIX = "sf:prompt:";
    public static final String COMMITTED = "committed";

    private PromptMetadata() {}

    public static String keyOf(String promptId) {
        return KEY_PREFIX + promptId;
    }

    /** The hash fields of {@code result}, in a stable order. */
    public static Map<String, String> fields(GenerationResult result) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("status", COMMITTED);
        fields.put("promptId", result.promptId);
        fields.put("seed", Long.toString(result.seed));
        fields.put("width", Integer.toString(result.width));
        fields.put("height", Integer.toString(result.height));
        fields.put("steps", Integer.toString(result.steps));
        fields.put("style", result.style);
        fields.put("submittedAt", Long.toString(result.submittedAt));
        stage(fields, "encode", result.encode);
        stage(fields, "generate", result.generate);
        stage(fields, "enhance", result.enhance);
        fields.put("image.uri", result.image.uri);
        fields.put("image.sha256", result.image.sha256);
        fields.values().removeIf(Objects::isNull);
        return fields;
    }

    private static void stage(Map<String, String> fields, String name, StageOutcome outcome) {
        fields.put(name + ".model", outcome.model);
        fields.put(name + ".modelVersion", outcome.modelVersion);
        fields.put(name + ".cacheHit", Boolean.toString(outcome.cacheHit));
        fields.put(name + ".millis", Long.toString(outcome.wallMillis));
        for (ArtifactRef artifact : outcome.artifacts) {
            fields.put(name + "." + artifact.name + ".uri", artifact.uri);
            fields.put(name + "." + artifact.name + ".sha256", artifact.sha256);
        }
    }
}
