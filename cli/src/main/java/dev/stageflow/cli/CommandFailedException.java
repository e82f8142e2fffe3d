package dev.stageflow.cli;

/** A command could not do what was asked, for a reason its message tells the user (exit status 1). */
public final class CommandFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CommandFailedException(String message) {
        super(message);
    }

    public CommandFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
