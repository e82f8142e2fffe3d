package dev.stageflow.testing.faults;

import java.util.ArrayList;
import java.util.List;

/**
 * The failures the test injectors ({@link FailingFileSystem}, {@link FailingMap}) threw, so a fault
 * test can check that it failed as often as it asked: a test whose fault never fired proves nothing.
 */
public final class InjectedFailures {

    private static final List<String> FAILURES = new ArrayList<>();

    private InjectedFailures() {}

    static synchronized void record(String description) {
        FAILURES.add(description);
    }

    /** Descriptions of the failures injected since the last {@link #reset}, in order. */
    public static synchronized List<String> all() {
        return List.copyOf(FAILURES);
    }

    public static synchronized void reset() {
        FAILURES.clear();
    }
}
