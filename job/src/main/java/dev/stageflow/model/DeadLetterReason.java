package dev.stageflow.model;

/**
 * Why an input line did not become a result: rejected as input, or given up on by a model stage.
 * Stable codes: users filter dead letters by them.
 */
public enum DeadLetterReason {
    /** The line is not valid JSON. */
    MALFORMED_JSON,
    /** The line is JSON but not an object. */
    NOT_AN_OBJECT,
    /** The line is longer than the configured limit (in bytes). */
    LINE_TOO_LONG,
    /** The line (or a Kafka record key) is not valid UTF-8, or a JSON escape names a lone surrogate. */
    INVALID_ENCODING,
    /** A field that is not part of the input format (often a typo). */
    UNKNOWN_FIELD,
    /** A required field is absent or null. */
    MISSING_FIELD,
    /** A field has the wrong JSON type. */
    WRONG_TYPE,
    /** The prompt text is empty after normalisation. */
    EMPTY_TEXT,
    /** The prompt text is longer than the configured limit. */
    TEXT_TOO_LONG,
    /** The prompt text contains control characters. */
    CONTROL_CHARACTERS,
    /** The prompt text contains bidi embeddings, overrides or isolates (U+202A–U+202E, U+2066–U+2069). */
    BIDI_CONTROL,
    /** A numeric parameter is outside its allowed range. */
    OUT_OF_RANGE,
    /** The style is not one of the known styles. */
    UNKNOWN_STYLE,
    /** A given promptId does not match the allowed pattern. */
    INVALID_PROMPT_ID,
    /** A Kafka record whose key and the promptId in its value differ. */
    PROMPT_ID_MISMATCH,
    /** A promptId already accepted with different content; the first one is generated, this one is not. */
    PROMPT_ID_CONFLICT,
    /** A model stage failed on this prompt every time it tried ({@code *.max-attempts}). */
    MODEL_ERROR,
    /** A model stage's call for this prompt ran longer than its {@code *.timeout}. */
    STAGE_TIMEOUT,
    /** An artifact this prompt needs is corrupt or incomplete and cannot be recomputed. */
    CORRUPT_ARTIFACT,
    /** A process died (its TaskManager crashed) in each of {@code *.max-attempts} calls this prompt was in. */
    POISON_PILL
}
