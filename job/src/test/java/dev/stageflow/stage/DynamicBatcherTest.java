package dev.stageflow.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.junit.jupiter.api.Test;

class DynamicBatcherTest {

    /** A ResultFuture that exposes its single output as a CompletableFuture. */
    private static final class Result implements ResultFuture<String> {
        final CompletableFuture<String> value = new CompletableFuture<>();

        @Override
        public void complete(Collection<String> result) {
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

    @Test
    void groupsRequestsThatArriveTogetherUpToTheMaximumAndByKey() throws Exception {
        List<List<String>> batches = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        DynamicBatcher<String, String> batcher = new DynamicBatcher<>("test", 1, 3, Duration.ofMillis(200),
                s -> s.charAt(0),
                batch -> {
                    release.await(10, TimeUnit.SECONDS);
                    batches.add(batch);
                    return batch.stream().map(String::toUpperCase).toList();
                },
                size -> {});
        try {
            List<Result> results = new ArrayList<>();
            for (String input : List.of("a1", "b1", "a2", "a3", "a4")) {
                Result result = new Result();
                results.add(result);
                batcher.submit(input, result);
            }
            release.countDown();

            assertThat(results.get(3).get()).isEqualTo("A3");
            assertThat(results.get(4).get()).isEqualTo("A4");
            assertThat(batches).containsExactly(List.of("a1", "a2"), List.of("b1"), List.of("a3", "a4"));
            assertThat(results.get(0).get()).isEqualTo("A1");
        } finally {
            batcher.close();
        }
    }

    @Test
    void aFailingBatchFailsEachOfItsRequestsAndTheWorkerGoesOn() throws Exception {
        DynamicBatcher<String, String> batcher = new DynamicBatcher<>("test", 1, 1, Duration.ZERO, s -> "",
                batch -> {
                    if (batch.get(0).equals("bad")) {
                        throw new IllegalStateException("model failed");
                    }
                    return batch;
                },
                size -> {});
        try {
            Result bad = new Result();
            Result good = new Result();
            batcher.submit("bad", bad);
            batcher.submit("good", good);

            assertThatThrownBy(bad::get).isInstanceOf(ExecutionException.class).hasRootCauseMessage("model failed");
            assertThat(good.get()).isEqualTo("good");
        } finally {
            batcher.close();
        }
    }

    @Test
    void aStoppingTaskThatRejectsCompletionsFailsNothingAndTheWorkerGoesOn() throws Exception {
        DynamicBatcher<String, String> batcher = new DynamicBatcher<>("test", 1, 2, Duration.ofMillis(100), s -> "",
                batch -> batch, size -> {});
        try {
            List<String> failures = new CopyOnWriteArrayList<>();
            ResultFuture<String> closedMailbox = new ResultFuture<>() {
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
            batcher.submit("stopping-1", closedMailbox);
            batcher.submit("stopping-2", closedMailbox);
            Thread.sleep(300);
            Result later = new Result();
            batcher.submit("later", later);

            assertThat(later.get()).isEqualTo("later");
            assertThat(failures).as("nothing failed for requests the stopping task rejected").isEmpty();
        } finally {
            batcher.close();
        }
    }

    @Test
    void severalWorkersShareTheQueue() throws Exception {
        CountDownLatch bothRunning = new CountDownLatch(2);
        DynamicBatcher<String, String> batcher = new DynamicBatcher<>("test", 2, 1, Duration.ZERO, s -> "",
                batch -> {
                    bothRunning.countDown();
                    assertThat(bothRunning.await(10, TimeUnit.SECONDS)).isTrue();
                    return batch;
                },
                size -> {});
        try {
            Result first = new Result();
            Result second = new Result();
            batcher.submit("x", first);
            batcher.submit("y", second);

            assertThat(first.get()).isEqualTo("x");
            assertThat(second.get()).isEqualTo("y");
        } finally {
            batcher.close();
        }
    }
}
