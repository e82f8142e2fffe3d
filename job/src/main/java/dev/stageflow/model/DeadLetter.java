package dev.stageflow.model;

import java.util.Objects;

/** An input that could not become a prompt: the raw input (bounded), why, and when. */
public class DeadLetter {

    /** Longest raw input kept in a dead letter, in characters. */
    public static final int MAX_RAW_CHARS = 1024;

    public String reason;
    public String detail;
    public String raw;
    public boolean rawTruncated;
    public long at;

    public DeadLetter() {}

    public DeadLetter(DeadLetterReason reason, String detail, String raw, long at) {
        this.reason = reason.name();
        this.detail = detail;
        this.rawTruncated = raw.length() > MAX_RAW_CHARS;
        this.raw = rawTruncated ? raw.substring(0, MAX_RAW_CHARS) : raw;
        this.at = at;
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
                && Objects.equals(raw, that.raw);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reason, detail, raw, rawTruncated, at);
    }

    @Override
    public String toString() {
        return "DeadLetter{" + reason + ": " + detail + "}";
    }
}
