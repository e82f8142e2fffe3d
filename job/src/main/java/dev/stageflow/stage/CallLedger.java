package dev.stageflow.stage;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.stageflow.model.Json;
import dev.stageflow.store.ArtifactLocation;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystem.WriteMode;
import org.apache.flink.core.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model calls a stage's subtask is making, recorded in the store while they run: before a
 * call its worker writes the call's promptIds to its own file, after the call it deletes the file,
 * and a subtask that closes (a stop, a cancel, a restart that Flink drives) deletes its files. So
 * a file of an earlier attempt that is still there is a call its process died in: a TaskManager
 * killed by the prompt (a native crash, the JVM out of memory) or by something else while the
 * prompt was in a call.
 *
 * <p>Why not Flink state: a checkpoint holds what was true when it was taken, and a prompt that
 * kills its TaskManager often arrived after the last one, so the restored state cannot know it
 * was tried. The record has to be written before the call, outside the checkpoint.
 *
 * <p>{@link #crashes} counts, per promptId, the files of earlier attempts that name it: the calls
 * it was in when a process died. The files stay as the record of those crashes (so the count
 * grows with each one), one small file per worker and crash, below the store root's {@code
 * _calls/<stage>/}.
 */
final class CallLedger implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CallLedger.class);
    private static final TypeReference<List<String>> PROMPT_IDS = new TypeReference<>() {};

    private final Path dir;
    private final String attempt;
    private final String instance;
    private final Set<Path> written = ConcurrentHashMap.newKeySet();
    private final FileSystem fs;

    /**
     * The ledger of stage {@code stage} below store root {@code root}, for the subtask instance
     * {@code instance} (subtask index, process id, a random part: a record names the process a
     * crash killed) of job attempt {@code attempt} (job id and attempt number: what this attempt's
     * subtasks share). A record's file is {@code <attempt>.<instance>.<worker thread>.json}.
     */
    CallLedger(Path root, String stage, String attempt, String instance) {
        this.dir = new Path(new Path(root, ArtifactLocation.CALLS_DIR), stage);
        this.attempt = attempt;
        this.instance = instance;
        try {
            this.fs = dir.getFileSystem();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the file system of " + dir, e);
        }
    }

    /** How many calls that a process died in named each promptId, as this attempt starts. */
    Map<String, Integer> crashes() {
        Map<String, Integer> counts = new HashMap<>();
        for (FileStatus file : list()) {
            String name = file.getPath().getName();
            if (name.startsWith(attempt + ".") || name.startsWith(".")) {
                continue;
            }
            try (InputStream in = fs.open(file.getPath())) {
                Json.MAPPER.readValue(in, PROMPT_IDS).forEach(id -> counts.merge(id, 1, Integer::sum));
            } catch (FileNotFoundException gone) {
                // deleted by its own subtask, which was not dead after all
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the model call record " + file.getPath(), e);
            }
        }
        return counts;
    }

    /**
     * Records that the calling worker thread starts a call for {@code promptIds}. The record is a
     * safeguard, not a condition of the work: when the store cannot take it (an outage), the call
     * goes on unrecorded, and a crash during it is not counted.
     */
    void calling(List<String> promptIds) {
        Path file = file();
        try (OutputStream out = fs.create(file, WriteMode.OVERWRITE)) {
            out.write(Json.write(promptIds).getBytes(StandardCharsets.UTF_8));
            written.add(file);
        } catch (IOException e) {
            LOG.warn("Cannot record a model call in {}; the call goes on unrecorded: {}", file, e.toString());
        }
    }

    /**
     * Records that the calling worker thread's call is over. A record that cannot be deleted is
     * logged, not thrown: the call's outputs stand, and the record only makes its prompts run alone
     * once after a restart.
     */
    void called() {
        try {
            delete(file());
        } catch (UncheckedIOException e) {
            LOG.warn("Cannot delete the model call record {}; its prompts will count one crash after a restart",
                    file(), e);
        }
    }

    /** Deletes this instance's records: it ends without dying in a call. */
    @Override
    public void close() {
        written.forEach(this::delete);
    }

    private Path file() {
        return new Path(dir, attempt + "." + instance + "." + Thread.currentThread().getName() + ".json");
    }

    private void delete(Path file) {
        try {
            fs.delete(file, false);
            written.remove(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete the model call record " + file, e);
        }
    }

    private FileStatus[] list() {
        try {
            FileStatus[] files = fs.exists(dir) ? fs.listStatus(dir) : null;
            return files == null ? new FileStatus[0] : files;
        } catch (FileNotFoundException gone) {
            return new FileStatus[0];
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the model call records in " + dir, e);
        }
    }
}
