package dev.stageflow.gc;

/**
 * gc cannot see the complete set of committed references or the complete store, so it must not
 * delete anything. The message says what could not be read and why.
 */
public final class GcRefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    GcRefusedException(String message) {
        super(message);
    }

    GcRefusedException(String message, Throwable cause) {
        super(message + ": " + cause, cause);
    }
}
