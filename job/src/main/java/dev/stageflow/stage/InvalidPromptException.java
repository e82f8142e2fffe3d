package dev.stageflow.stage;

import dev.stageflow.model.DeadLetterReason;

/** An input line that is not a valid prompt, with the reason code its dead letter carries. */
public class InvalidPromptException extends Exception {

    private static final long serialVersionUID = 1L;

    private final DeadLetterReason reason;

    public InvalidPromptException(DeadLetterReason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public DeadLetterReason reason() {
        return reason;
    }
}
