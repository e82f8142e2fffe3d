package dev.stageflow.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommittedOutputTest {

    @TempDir
    java.nio.file.Path out;

    /**
     * The file sink renames an in-progress file to its committed name while a run counts its rows.
     * Flink's local file system lists names and then looks each one up, so a file renamed in
     * between used to fail the count (and with it {@code stageflow run}) with a FileNotFoundException.
     */
    private static java.nio.file.Path inProgress(java.nio.file.Path results, int part) {
        return results.resolve(".part-" + part + ".jsonl.inprogress");
    }

    @Test
    void countsWhileTheSinkCommitsFilesBesideIt() throws Exception {
        java.nio.file.Path results = Files.createDirectories(out.resolve(CommittedOutput.RESULTS));
        // Many files make each listing slow, and so the window between its two steps wide.
        int before = 300;
        for (int i = 0; i < before; i++) {
            Files.writeString(results.resolve("earlier-" + i + ".jsonl"), "{\"promptId\": \"e" + i + "\"}\n");
        }
        int files = 3_000;
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger committed = new AtomicInteger();
        Thread sink = new Thread(() -> {
            try {
                // Like a sink with several parts open: each in-progress file is committed a while later.
                int open = 50;
                for (int i = 0; i < files + open; i++) {
                    if (i < files) {
                        Files.writeString(inProgress(results, i), "{\"promptId\": \"p" + i + "\"}\n");
                    }
                    if (i >= open) {
                        int part = i - open;
                        Files.move(inProgress(results, part), results.resolve("part-" + part + ".jsonl"),
                                StandardCopyOption.ATOMIC_MOVE);
                        committed.incrementAndGet();
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                done.set(true);
            }
        });
        sink.start();
        long counts = 0;
        while (!done.get()) {
            long rows = CommittedOutput.rows(new Path(out.toUri()));
            assertThat(rows).isBetween((long) before, (long) before + files);
            counts++;
        }
        sink.join();

        assertThat(committed).hasValue(files);
        assertThat(counts).as("counts made while the files were committed").isPositive();
        assertThat(CommittedOutput.rows(new Path(out.toUri()))).isEqualTo(before + files);
    }
}
