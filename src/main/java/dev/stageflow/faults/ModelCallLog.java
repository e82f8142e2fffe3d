package dev.stageflow.faults;

import dev.stageflow.config.TestingOptions;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;

/**
 * The {@code testing.model-call-log}: each model stage subtask appends, to its own file in a local
 * directory, one tab-separated line per model call ({@code CALL}), per artifact written to the store
 * ({@code STORED}) and per injected failure ({@code FAULT}). Lines are flushed as they are written,
 * so the log survives the failure it records. Fault tests read it back with {@link #read} to count
 * calls and to check that no key is computed again once its artifact is stored. Off (every method a
 * no-op) unless the option is set.
 */
public final class ModelCallLog implements Serializable {

    private static final long serialVersionUID = 1L;

    /** What a line records. */
    public enum Kind {
        CALL,
        STORED,
        FAULT
    }

    /** One line of the log. */
    public record Event(long epochMillis, Kind kind, String stage, int subtask, int attempt, String key) {}

    private final String directory;
    private transient BufferedWriter out;
    private transient String prefix;

    private ModelCallLog(String directory) {
        this.directory = directory;
    }

    public static ModelCallLog from(Configuration conf) {
        return new ModelCallLog(conf.get(TestingOptions.MODEL_CALL_LOG));
    }

    public static ModelCallLog disabled() {
        return new ModelCallLog(null);
    }

    /** Opens this subtask's file; called once per subtask attempt. */
    public void open(String stage, int subtask, int attempt) {
        if (directory == null) {
            return;
        }
        prefix = stage + '\t' + subtask + '\t' + attempt + '\t';
        Path file = Path.of(directory, stage + "-" + subtask + "-" + attempt + "-" + UUID.randomUUID() + ".log");
        try {
            Files.createDirectories(file.getParent());
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the model call log " + file, e);
        }
    }

    /** Logs a call for each of {@code keys}; the stream is not consumed when the log is off. */
    public void calls(Stream<String> keys) {
        if (directory != null) {
            keys.forEach(key -> append(Kind.CALL, key));
        }
    }

    public void stored(String key) {
        append(Kind.STORED, key);
    }

    public void fault(String description) {
        append(Kind.FAULT, description);
    }

    private synchronized void append(Kind kind, String key) {
        if (out == null) {
            return;
        }
        try {
            out.write(System.currentTimeMillis() + "\t" + kind + '\t' + prefix + key + '\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot append to the model call log in " + directory, e);
        }
    }

    public synchronized void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot close the model call log in " + directory, e);
            } finally {
                out = null;
            }
        }
    }

    /** Every event of every file in {@code directory}, in file order (not sorted by time). */
    public static List<Event> read(Path directory) throws IOException {
        List<Event> events = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return events;
        }
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.sorted().toList()) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String[] f = line.split("\t", 6);
                    events.add(new Event(Long.parseLong(f[0]), Kind.valueOf(f[1]), f[2],
                            Integer.parseInt(f[3]), Integer.parseInt(f[4]), f[5]));
                }
            }
        }
        return events;
    }
}
