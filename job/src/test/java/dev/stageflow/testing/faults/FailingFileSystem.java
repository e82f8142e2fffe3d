package dev.stageflow.testing.faults;

import dev.stageflow.store.Manifest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.local.LocalFileSystem;

/**
 * The local file system under the scheme {@code failing://} (registered for the tests only, in
 * {@code META-INF/services}), for store roots of fault tests, as Paimon tests with a failing
 * FileIO. It records every artifact that is committed (its manifest renamed into place), so a test
 * can prove that no artifact was computed and written twice, and it fails on request: {@link
 * #failOpen} and {@link #failCreate} make the n-th matching open or create throw, which fails the
 * stage that does it in the middle of its work.
 *
 * <p>Its state is static: the MiniCluster's tasks run in the test's JVM. Call {@link #reset} before
 * each test.
 */
public final class FailingFileSystem extends LocalFileSystem {

    public static final String SCHEME = "failing";

    private static final List<Commit> COMMITS = new ArrayList<>();
    private static final List<Fault> FAULTS = new ArrayList<>();

    /** An artifact committed at {@code epochMillis}: its directory (the store layout below the root). */
    public record Commit(long epochMillis, String artifact) {}

    /** What to fail: the {@code after + 1}-th matching call (counting anew after each failure), {@code times} times. */
    private static final class Fault {
        final Operation operation;
        final String description;
        final Predicate<String> matches;
        final int after;
        int remaining;
        int seen;

        Fault(Operation operation, String description, Predicate<String> matches, int after, int times) {
            this.operation = operation;
            this.description = description;
            this.matches = matches;
            this.after = after;
            this.remaining = times;
        }
    }

    private enum Operation {
        OPEN,
        CREATE
    }

    /** {@code failing:///<dir>}: the local directory {@code dir} on this file system. */
    public static URI uri(Path dir) {
        return URI.create(SCHEME + "://" + dir.toAbsolutePath().toUri().getPath());
    }

    /** Forgets commits, faults and injected failures. */
    public static synchronized void reset() {
        COMMITS.clear();
        FAULTS.clear();
        InjectedFailures.reset();
    }

    /**
     * Makes opening a file whose path matches {@code pathPattern} fail once {@code after} such opens
     * succeeded, {@code times} times (e.g. a stage's manifest lookups: it fails before its model runs).
     */
    public static synchronized void failOpen(String label, String pathPattern, int after, int times) {
        FAULTS.add(new Fault(Operation.OPEN, label, Pattern.compile(pathPattern).asPredicate(), after, times));
    }

    /**
     * Makes creating a file whose path matches {@code pathPattern} fail once {@code after} such files
     * were created, {@code times} times (e.g. a stage's first chunk of an artifact: it fails after its
     * model ran and earlier prompts of its batch were written).
     */
    public static synchronized void failCreate(String label, String pathPattern, int after, int times) {
        FAULTS.add(new Fault(Operation.CREATE, label, Pattern.compile(pathPattern).asPredicate(), after, times));
    }

    /** Fails nothing more (faults not used up stay unused). */
    public static synchronized void stopFailing() {
        FAULTS.clear();
    }

    /** Every artifact commit so far, in order. */
    public static synchronized List<Commit> commits() {
        return List.copyOf(COMMITS);
    }

    /** How often each artifact directory was committed, by directory. */
    public static synchronized Map<String, Long> commitCounts() {
        return COMMITS.stream().collect(Collectors.groupingBy(Commit::artifact, TreeMap::new, Collectors.counting()));
    }

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public FSDataInputStream open(org.apache.flink.core.fs.Path file) throws IOException {
        check(Operation.OPEN, file);
        return super.open(file);
    }

    @Override
    public FSDataOutputStream create(org.apache.flink.core.fs.Path file, WriteMode overwrite) throws IOException {
        check(Operation.CREATE, file);
        return super.create(file, overwrite);
    }

    @Override
    public boolean rename(org.apache.flink.core.fs.Path src, org.apache.flink.core.fs.Path dst) throws IOException {
        boolean renamed = super.rename(src, dst);
        if (renamed && dst.getName().equals(Manifest.FILE_NAME)) {
            synchronized (FailingFileSystem.class) {
                COMMITS.add(new Commit(System.currentTimeMillis(), dst.getParent().getPath()));
            }
        }
        return renamed;
    }

    private static void check(Operation operation, org.apache.flink.core.fs.Path file) throws IOException {
        String path = file.getPath();
        String failure = null;
        synchronized (FailingFileSystem.class) {
            for (Fault fault : FAULTS) {
                if (fault.operation != operation || fault.remaining == 0 || !fault.matches.test(path)) {
                    continue;
                }
                if (fault.seen++ == fault.after) {
                    fault.seen = 0;
                    fault.remaining--;
                    failure = "Injected failure (" + fault.description + "): " + operation.name().toLowerCase(Locale.ROOT) + " "
                            + path;
                    InjectedFailures.record(fault.description);
                }
            }
        }
        if (failure != null) {
            throw new IOException(failure);
        }
    }
}
