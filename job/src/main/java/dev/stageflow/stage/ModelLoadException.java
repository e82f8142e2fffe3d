package dev.stageflow.stage;

/**
 * A stage's model could not be loaded. No prompt is at fault, so no prompt becomes a dead letter
 * for it: the call's requests fail and the job restarts (and fails for good once its restart
 * strategy gives up), as when a model failed to load in the subtask's {@code open()}.
 */
final class ModelLoadException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
