package dev.stageflow.model;

import java.util.Objects;

/**
 * An input that did not become a result: the raw input (bounded), why, and when. A prompt a model
 * stage gave up on also names its promptId, the stage and the attempts, and its raw input is the
 * prompt as parse-validate understood it.
 */
public class DeadLetter {

    /** Longest raw input kept in a dead letter, in characters. */
    public static final int MAX_RAW_CHARS = 1024;

    public String reason;
    public String detail;
    public String raw;
    public boolean rawTruncated;
    public long at;
    /** Set for a stage failure, null for an input rejected by parse-validate. */
    public String promptId;
    public String stage;
    public Integer attempts;

    public DeadLetter() {}

    public DeadLetter(DeadLetterReason reason, String detail, String raw, long at) {
        this.reason = reason.name();
        this.detail = detail;
        this.rawTruncated = raw.length() > MAX_RAW_CHARS;
        this.raw = rawTruncated ? raw.substring(0, MAX_RAW_CHARS) : raw;
        this.at = at;
    }

    /** The dead letter of a prompt a stage gave up on ({@link PromptRecord#failure} set). */
    public static DeadLetter ofStageFailure(PromptRecord record, long at) {
        StageFailure failure = record.failure;
        DeadLetter deadLetter = new DeadLetter(DeadLetterReason.valueOf(failure.reason), failure.message,
                Json.write(record.request), at);
        deadLetter.promptId = record.request.promptId;
        deadLetter.stage = failure.stage;
        deadLetter.attempts = failure.attempts;
        return deadLetter;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DeadLetter)) {
            return false;
        }
        DeadLetter that = (DeadLetter) o;
        return rawTruncated == that.rawTruncated
                && at == that.at
                && Objects.equals(reason, that.reason)
                && Objects.equals(detail, that.detail)
                && Objects.equals(raw, that.raw)
                && Objects.equals(promptId, that.promptId)
                && Objects.equals(stage, that.stage)
                && Objects.equals(attempts, that.attempts);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reason, detail, raw, rawTruncated, at, promptId, stage, attempts);
    }

    @Override
    public String toString() {
        return "DeadLetter{" + reason + ": " + detail + "}";
    }
}
