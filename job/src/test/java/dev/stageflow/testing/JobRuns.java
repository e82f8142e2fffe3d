package dev.stageflow.testing;

import dev.stageflow.sink.CommittedOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;

/** Running jobs in tests: publishing input, waiting on committed output, checkpoints and termination. */
public final class JobRuns {

    private JobRuns() {}

    /** Writes a hidden file (the source skips those) and renames it, so the source never sees half a file. */
    public static void publish(Path directory, String name, List<String> lines) throws IOException {
        Path hidden = Files.write(directory.resolve("." + name), lines);
        Files.move(hidden, directory.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Polls {@code condition} every 200 ms; fails naming {@code what} after {@code timeout}. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    /**
     * Polls {@code condition} every 200 ms while {@code job} runs; fails naming {@code what} as soon
     * as the job has ended (with its failure, if any), and after {@code timeout}.
     */
    public static void await(String what, Duration timeout, JobClient job, BooleanSupplier condition)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
                throw new AssertionError("Job " + job.getJobID() + " is " + status + " before " + what);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    /** Waits while {@code job} runs until at least {@code count} result rows are committed under {@code out}. */
    public static int awaitCommittedResults(Path out, int count, JobClient job, Duration timeout) throws Exception {
        await(count + " committed results", timeout, job,
                () -> CommittedOutput.results(TestJobs.flinkPath(out)).size() >= count);
        return CommittedOutput.results(TestJobs.flinkPath(out)).size();
    }

    /** Cancels {@code job} and returns once it has stopped. */
    public static void cancel(JobClient job) throws Exception {
        job.cancel().get(1, TimeUnit.MINUTES);
        awaitTermination(job);
    }

    /** Returns once the job has stopped, however it ended. */
    public static void awaitTermination(JobClient job) throws Exception {
        job.getJobExecutionResult().handle((result, failure) -> null).get(2, TimeUnit.MINUTES);
    }

    /** Waits for the first completed checkpoint of a job whose checkpoints go to {@code jobDir}. */
    public static org.apache.flink.core.fs.Path awaitCompletedCheckpoint(
            org.apache.flink.core.fs.Path jobDir, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<org.apache.flink.core.fs.Path> checkpoint = latestCompletedCheckpoint(jobDir);
            if (checkpoint.isPresent()) {
                return checkpoint.get();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("No completed checkpoint (chk-*/_metadata) below " + jobDir + " within " + timeout);
    }

    /** The newest chk-N directory holding {@code _metadata}, which Flink writes when a checkpoint completes. */
    public static Optional<org.apache.flink.core.fs.Path> latestCompletedCheckpoint(org.apache.flink.core.fs.Path jobDir)
            throws IOException {
        FileSystem fs = jobDir.getFileSystem();
        if (!fs.exists(jobDir)) {
            return Optional.empty();
        }
        List<org.apache.flink.core.fs.Path> completed = new ArrayList<>();
        for (FileStatus status : fs.listStatus(jobDir)) {
            org.apache.flink.core.fs.Path candidate = status.getPath();
            if (candidate.getName().startsWith("chk-")
                    && fs.exists(new org.apache.flink.core.fs.Path(candidate, "_metadata"))) {
                completed.add(candidate);
            }
        }
        return completed.stream().max(Comparator.comparingLong(JobRuns::checkpointNumber));
    }

    public static long checkpointNumber(org.apache.flink.core.fs.Path checkpoint) {
        return Long.parseLong(checkpoint.getName().substring("chk-".length()));
    }
}
