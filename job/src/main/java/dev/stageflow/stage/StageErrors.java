package dev.stageflow.stage;

import dev.stageflow.model.DeadLetterReason;
import dev.stageflow.store.CorruptArtifactException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import redis.clients.jedis.exceptions.JedisConnectionException;

/** What a failed model-stage call says about its prompts: whether a retry can help, and whose fault it is. */
final class StageErrors {

    enum Kind {
        /** The store, Redis or the network failed: nobody's prompt is at fault; retry, then restart. */
        TRANSIENT(null),
        /** An artifact a prompt needs is corrupt or incomplete. */
        CORRUPT_ARTIFACT(DeadLetterReason.CORRUPT_ARTIFACT),
        /** Anything else: the model (or the stage's code) fails on these inputs. */
        MODEL_ERROR(DeadLetterReason.MODEL_ERROR);

        private final DeadLetterReason reason;

        Kind(DeadLetterReason reason) {
            this.reason = reason;
        }

        DeadLetterReason reason() {
            return reason;
        }
    }

    private StageErrors() {}

    /**
     * The kind of {@code error}, judged by the first exception in its cause chain that says: a
     * corrupt artifact before an I/O error, because reading a corrupt artifact is also I/O.
     */
    static Kind classify(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof CorruptArtifactException) {
                return Kind.CORRUPT_ARTIFACT;
            }
        }
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof IOException || e instanceof TimeoutException || e instanceof JedisConnectionException) {
                return Kind.TRANSIENT;
            }
        }
        return Kind.MODEL_ERROR;
    }

    /** {@code error} and its causes in one line: what a dead letter and a log line show. */
    static String describe(Throwable error) {
        StringBuilder text = new StringBuilder(error.toString());
        for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append("; caused by ").append(cause);
        }
        return text.toString();
    }
}
