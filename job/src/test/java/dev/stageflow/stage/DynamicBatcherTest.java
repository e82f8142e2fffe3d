package dev.stageflow.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.model.DeadLetterReason;
import dev.stageflow.model.StageFailure;
import dev.stageflow.store.CorruptArtifactException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.junit.jupiter.api.Test;

class DynamicBatcherTest {

    /** A ResultFuture that exposes its single output as a CompletableFuture. */
    private static final class Result implements ResultFuture<String> {
        final CompletableFuture<String> value = new CompletableFuture<>();
        final AtomicInteger completions = new AtomicInteger();

        @Override
        public void complete(Collection<String> result) {
            completions.incrementAndGet();
            value.complete(result.iterator().next());
        }

        @Override
        public void completeExceptionally(Throwable error) {
            value.completeExceptionally(error);
        }

        @Override
        public void complete(CollectionSupplier<String> supplier) {
            try {
                complete(supplier.get());
            } catch (Exception e) {
                completeExceptionally(e);
            }
        }

        String get() throws Exception {
            return value.get(10, TimeUnit.SECONDS);
        }
    }

    private static final DynamicBatcher.Outcomes<String, String> OUTCOMES = new DynamicBatcher.Outcomes<>() {
        @Override
        public String failed(String input, StageFailure failure) {
            return "failed " + input + " " + failure.reason + " after " + failure.attempts;
        }

        @Override
        public String attempted(String output, int attempts) {
            return attempts == 1 ? output : output + "#" + attempts;
        }

        @Override
        public String describe(String input) {
            return input;
        }
    };

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<Long> finishedNanos = new CopyOnWriteArrayList<>();
    private final DynamicBatcher.Listener listener = new DynamicBatcher.Listener() {
        @Override
        public void batch(int size) {}

        @Override
        public void retried(int requests) {
            events.add("retried " + requests);
        }

        @Override
        public void gaveUp(DeadLetterReason reason) {
            events.add("gave up " + reason);
        }

        @Override
        public void finished(long nanos) {
            finishedNanos.add(nanos);
        }
    };

    private static BatchSettings settings(int maxSize, Duration maxWait, Duration timeout, Duration retryTime) {
        return new BatchSettings(maxSize, maxWait, -1, 1, 64, timeout, 3, retryTime);
    }

    private static BatchSettings settings(int maxSize, Duration maxWait) {
        return settings(maxSize, maxWait, Duration.ofMinutes(1), Duration.ofSeconds(10));
    }

    /** A lookup that finds nothing: every request goes to the model batches. */
    private static final DynamicBatcher.Lookup<String, String> NOTHING_MADE = inputs -> Collections.nCopies(inputs.size(), null);

    private DynamicBatcher<String, String> batcher(
            int workers, BatchSettings settings, DynamicBatcher.BatchProcessor<String, String> processor) {
        return batcher(workers, settings, processor, NOTHING_MADE);
    }

    private DynamicBatcher<String, String> batcher(int workers, BatchSettings settings,
            DynamicBatcher.BatchProcessor<String, String> processor, DynamicBatcher.Lookup<String, String> lookup) {
        return new DynamicBatcher<>("test", workers, settings, s -> s.charAt(0), processor, lookup, OUTCOMES, listener);
    }

    private static List<String> upperCase(List<String> batch) {
        return batch.stream().map(String::toUpperCase).toList();
    }

    @Test
    void groupsRequestsThatArriveTogetherUpToTheMaximumAndByKey() throws Exception {
        List<List<String>> batches = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        try (DynamicBatcher<String, String> batcher = batcher(1, settings(3, Duration.ofMillis(200)), batch -> {
            release.await(10, TimeUnit.SECONDS);
            batches.add(batch);
            return upperCase(batch);
        })) {
            List<Result> results = submit(batcher, "a1", "b1", "a2", "a3", "a4");
            release.countDown();

            assertThat(results.get(3).get()).isEqualTo("A3");
            assertThat(results.get(4).get()).isEqualTo("A4");
            assertThat(batches).containsExactly(List.of("a1", "a2"), List.of("b1"), List.of("a3", "a4"));
            assertThat(results.get(0).get()).isEqualTo("A1");
        }
    }

    @Test
    void handsOnWhatTheLookupFindsInLookupsLargerThanABatchAndBatchesOnlyTheMisses() throws Exception {
        List<List<String>> lookups = new CopyOnWriteArrayList<>();
        List<List<String>> batches = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        DynamicBatcher.Lookup<String, String> madeBefore = inputs -> {
            release.await(10, TimeUnit.SECONDS);
            lookups.add(inputs);
            return inputs.stream().map(input -> input.startsWith("h") ? "found " + input : null).toList();
        };
        try (DynamicBatcher<String, String> batcher = batcher(1, settings(2, Duration.ofMillis(20)), batch -> {
            batches.add(batch);
            return upperCase(batch);
        }, madeBefore)) {
            List<Result> results = submit(batcher, "h0", "h1", "m1", "h2", "h3", "m2", "h4", "m3", "h5");
            release.countDown();

            assertThat(results).extracting(Result::get).containsExactly("found h0", "found h1", "M1", "found h2",
                    "found h3", "M2", "found h4", "M3", "found h5");
            assertThat(lookups).as("the first lookup waits; the rest is looked up at once").hasSizeLessThanOrEqualTo(2);
            assertThat(lookups).flatExtracting(lookup -> lookup)
                    .containsExactly("h0", "h1", "m1", "h2", "h3", "m2", "h4", "m3", "h5");
            assertThat(batches).flatExtracting(batch -> batch).containsExactly("m1", "m2", "m3");
            assertThat(batches).allSatisfy(batch -> assertThat(batch).hasSizeLessThanOrEqualTo(2));
            assertThat(finishedNanos).hasSize(9);
        }
    }

    @Test
    void aLookupThatFailsLeavesItsRequestsToTheModelBatches() throws Exception {
        List<List<String>> batches = new CopyOnWriteArrayList<>();
        try (DynamicBatcher<String, String> batcher = batcher(1, settings(8, Duration.ofMillis(50)), batch -> {
            batches.add(batch);
            return upperCase(batch);
        }, inputs -> {
            throw new UncheckedIOException(new IOException("store unreachable"));
        })) {
            List<Result> results = submit(batcher, "a1", "a2");

            assertThat(results).extracting(Result::get).containsExactly("A1", "A2");
            assertThat(batches).flatExtracting(batch -> batch).containsExactly("a1", "a2");
        }
    }

    @Test
    void aRequestAProcessDiedWithSkipsTheLookupAndRunsInARecordedCall() throws Exception {
        List<List<String>> batches = new CopyOnWriteArrayList<>();
        try (DynamicBatcher<String, String> batcher = batcher(1, settings(8, Duration.ofMillis(50)), batch -> {
            batches.add(batch);
            return upperCase(batch);
        }, inputs -> inputs.stream().map(input -> "found " + input).toList())) {
            Result suspect = new Result();
            batcher.submit("s1", suspect, 1);

            assertThat(suspect.get()).isEqualTo("S1#2");
            assertThat(batches).containsExactly(List.of("s1"));
            assertThat(submit(batcher, "h1").get(0).get()).isEqualTo("found h1");
        }
    }

    @Test
    void aModelThatCannotBeLoadedFailsTheRequestsSoTheJobRestartsInsteadOfGivingPromptsUp() throws Exception {
        try (DynamicBatcher<String, String> batcher = batcher(1, settings(8, Duration.ofMillis(50)), batch -> {
            throw new ModelLoadException("Cannot load the generator model builtin", new IOException("no such file"));
        })) {
            List<Result> results = submit(batcher, "a1", "a2");

            for (Result result : results) {
                assertThatThrownBy(result::get).hasRootCauseMessage("no such file");
            }
            assertThat(events).isEmpty();
        }
    }

    @Test
    void countsARequestInFlightFromItsSubmissionUntilItsOutputIsHandedOn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (DynamicBatcher<String, String> batcher = batcher(1, settings(8, Duration.ofMillis(50)), batch -> {
            release.await(10, TimeUnit.SECONDS);
            if (batch.contains("xbad")) {
                throw new IllegalStateException("model failed on xbad");
            }
            return upperCase(batch);
        })) {
            List<Result> results = submit(batcher, "x1", "xbad", "y1");

            assertThat(batcher.inFlight()).isEqualTo(3);
            assertThat(finishedNanos).isEmpty();
            release.countDown();
            for (Result result : results) {
                result.get();
            }
            assertThat(batcher.inFlight()).isZero();
            assertThat(finishedNanos).hasSize(3).allSatisfy(nanos -> assertThat(nanos).isPositive());
        }
    }

    @Test
    void aPromptTheModelFailsOnIsGivenUpAfterMaxAttemptsAndTheOthersOfItsBatchSucceed() throws Exception {
        List<List<String>> calls = new CopyOnWriteArrayList<>();
        try (DynamicBatcher<String, String> batcher = batcher(1, settings(8, Duration.ofMillis(100)), batch -> {
            calls.add(batch);
            if (batch.contains("xbad")) {
                throw new IllegalStateException("model failed on xbad");
            }
            return upperCase(batch);
        })) {
            List<Result> results = submit(batcher, "x1", "xbad", "x2");

            assertThat(results.get(1).get()).isEqualTo("failed xbad MODEL_ERROR after 3");
            assertThat(results.get(0).get()).isEqualTo("X1#2");
            assertThat(results.get(2).get()).isEqualTo("X2#2");
            assertThat(calls).containsExactly(List.of("x1", "xbad", "x2"), List.of("x1"), List.of("xbad"),
                    List.of("xbad"), List.of("x2"));
            assertThat(events).containsExactly("retried 3", "retried 1", "gave up MODEL_ERROR");
        }
    }

    @Test
    void aCorruptInputArtifactIsGivenUpAsCorruptArtifact() throws Exception {
        try (DynamicBatcher<String, String> batcher = batcher(1, settings(1, Duration.ZERO), batch -> {
            throw new IllegalStateException("enhance failed",
                    new CorruptArtifactException("file:/store/x", "holds sha256 a, the reference expects b"));
        })) {
            assertThat(submit(batcher, "c").get(0).get()).isEqualTo("failed c CORRUPT_ARTIFACT after 3");
        }
    }

    @Test
    void aTransientErrorRetriesTheWholeBatchInPlace() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (DynamicBatcher<String, String> batcher = batcher(1, settings(4, Duration.ofMillis(100)), batch -> {
            if (calls.incrementAndGet() <= 2) {
                throw new UncheckedIOException("store unreachable", new ConnectException("Connection refused"));
            }
            return upperCase(batch);
        })) {
            List<Result> results = submit(batcher, "t1", "t2");

            assertThat(results.get(0).get()).isEqualTo("T1#3");
            assertThat(results.get(1).get()).isEqualTo("T2#3");
            assertThat(events).containsExactly("retried 2", "retried 2");
        }
    }

    @Test
    void aTransientErrorThatOutlastsTheRetryTimeFailsTheRequestsSoTheJobRestarts() throws Exception {
        BatchSettings shortRetries = settings(4, Duration.ZERO, Duration.ofMinutes(1), Duration.ofMillis(300));
        try (DynamicBatcher<String, String> batcher = batcher(1, shortRetries, batch -> {
            throw new UncheckedIOException(new IOException("store down"));
        })) {
            assertThatThrownBy(submit(batcher, "d").get(0)::get)
                    .isInstanceOf(ExecutionException.class).hasRootCauseMessage("store down");
        }
    }

    @Test
    void runningOutOfMemoryOnOnePromptIsAModelErrorOfThatPromptOnly() throws Exception {
        try (DynamicBatcher<String, String> batcher = batcher(1, settings(4, Duration.ofMillis(100)), batch -> {
            if (batch.contains("oom")) {
                throw new OutOfMemoryError("Java heap space");
            }
            return batch;
        })) {
            List<Result> results = submit(batcher, "oom", "ok");

            assertThat(results.get(0).get()).isEqualTo("failed oom MODEL_ERROR after 3");
            assertThat(results.get(1).get()).isEqualTo("ok#2");
        }
    }

    @Test
    void anErrorThatIsNeitherAnExceptionNorTooBigAPromptFailsTheRequestsAndTheWorkerGoesOn() throws Exception {
        try (DynamicBatcher<String, String> batcher = batcher(1, settings(1, Duration.ZERO), batch -> {
            if (batch.get(0).equals("linkage")) {
                throw new NoClassDefFoundError("ai/onnxruntime/OrtSession");
            }
            return batch;
        })) {
            List<Result> results = submit(batcher, "linkage", "ok");

            assertThatThrownBy(results.get(0)::get).isInstanceOf(ExecutionException.class)
                    .hasRootCauseMessage("ai/onnxruntime/OrtSession");
            assertThat(results.get(1).get()).isEqualTo("ok");
        }
    }

    @Test
    void aCallThatRunsLongerThanTheTimeoutGivesItsPromptsUpAndItsLateAnswerIsIgnored() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        BatchSettings settings = settings(1, Duration.ZERO, Duration.ofMillis(200), Duration.ZERO);
        try (DynamicBatcher<String, String> batcher = batcher(1, settings, batch -> {
            started.countDown();
            release.await(10, TimeUnit.SECONDS);
            return upperCase(batch);
        })) {
            Result slow = submit(batcher, "slow").get(0);
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

            batcher.timedOut(slow);

            assertThat(slow.get()).isEqualTo("failed slow STAGE_TIMEOUT after 1");
            release.countDown();
            Result next = submit(batcher, "next").get(0);
            assertThat(next.get()).isEqualTo("NEXT");
            assertThat(slow.completions).hasValue(1);
        }
    }

    @Test
    void aQueuedRequestWhoseTimerFiresWaitsWhileAWorkerMakesProgress() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        BatchSettings settings = settings(1, Duration.ZERO, Duration.ofSeconds(5), Duration.ZERO);
        try (DynamicBatcher<String, String> batcher = batcher(1, settings, batch -> {
            release.await(10, TimeUnit.SECONDS);
            return upperCase(batch);
        })) {
            List<Result> results = submit(batcher, "busy", "queued");

            batcher.timedOut(results.get(1));
            release.countDown();

            assertThat(results.get(1).get()).isEqualTo("QUEUED");
            assertThat(results.get(0).get()).isEqualTo("BUSY");
        }
    }

    @Test
    void aQueuedRequestFailsWhenEveryWorkerIsStuckLongerThanTheTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        BatchSettings settings = settings(1, Duration.ZERO, Duration.ofMillis(100), Duration.ZERO);
        try (DynamicBatcher<String, String> batcher = batcher(1, settings, batch -> {
            release.await(10, TimeUnit.SECONDS);
            return batch;
        })) {
            List<Result> results = submit(batcher, "stuck", "queued");
            Thread.sleep(300);

            batcher.timedOut(results.get(1));

            assertThatThrownBy(results.get(1)::get).isInstanceOf(ExecutionException.class)
                    .hasRootCauseInstanceOf(TimeoutException.class);
            release.countDown();
        }
    }

    @Test
    void aStoppingTaskThatRejectsCompletionsFailsNothingAndTheWorkerGoesOn() throws Exception {
        try (DynamicBatcher<String, String> batcher = batcher(1, settings(2, Duration.ofMillis(100)), batch -> batch)) {
            List<String> failures = new CopyOnWriteArrayList<>();
            batcher.submit("stopping-1", closedMailbox(failures), 0);
            batcher.submit("stopping-2", closedMailbox(failures), 0);
            Thread.sleep(300);

            assertThat(submit(batcher, "later").get(0).get()).isEqualTo("later");
            assertThat(failures).as("nothing failed for requests the stopping task rejected").isEmpty();
        }
    }

    @Test
    void severalWorkersShareTheQueue() throws Exception {
        CountDownLatch bothRunning = new CountDownLatch(2);
        try (DynamicBatcher<String, String> batcher = batcher(2, settings(1, Duration.ZERO), batch -> {
            bothRunning.countDown();
            assertThat(bothRunning.await(10, TimeUnit.SECONDS)).isTrue();
            return batch;
        })) {
            List<Result> results = submit(batcher, "x", "y");

            assertThat(results.get(0).get()).isEqualTo("x");
            assertThat(results.get(1).get()).isEqualTo("y");
        }
    }

    private static List<Result> submit(DynamicBatcher<String, String> batcher, String... inputs) {
        List<Result> results = new ArrayList<>();
        for (String input : inputs) {
            Result result = new Result();
            results.add(result);
            batcher.submit(input, result, 0);
        }
        return results;
    }

    private static ResultFuture<String> closedMailbox(List<String> failures) {
        return new ResultFuture<>() {
            @Override
            public void complete(Collection<String> result) {
                throw new RejectedExecutionException("Mailbox is in state QUIESCED");
            }

            @Override
            public void completeExceptionally(Throwable error) {
                failures.add(error.toString());
            }

            @Override
            public void complete(CollectionSupplier<String> supplier) {
                throw new RejectedExecutionException("Mailbox is in state QUIESCED");
            }
        };
    }
}
