package dev.stageflow.model;

import java.util.Objects;

/**
 * Why a model stage gave up on one prompt: the stage, the reason code its dead letter carries
 * ({@link DeadLetterReason#MODEL_ERROR}, {@link DeadLetterReason#STAGE_TIMEOUT} or {@link
 * DeadLetterReason#CORRUPT_ARTIFACT}), how many attempts it made and the last error. A failed
 * {@link PromptRecord} passes the later stages untouched and is committed as a dead letter.
 */
public class StageFailure {

    /** Longest error message kept, in characters. */
    public static final int MAX_MESSAGE_CHARS = 2048;

    public String stage;
    public String reason;
    public int attempts;
    public String message;

    public StageFailure() {}

    public StageFailure(String stage, DeadLetterReason reason, int attempts, String message) {
        this.stage = stage;
        this.reason = reason.name();
        this.attempts = attempts;
        this.message = message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) : message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StageFailure that
                && attempts == that.attempts
                && Objects.equals(stage, that.stage)
                && Objects.equals(reason, that.reason)
                && Objects.equals(message, that.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stage, reason, attempts, message);
    }

    @Override
    public String toString() {
        return stage + " " + reason + " after " + attempts + " attempt(s): " + message;
    }
}
