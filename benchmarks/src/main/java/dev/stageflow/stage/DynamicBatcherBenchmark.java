package dev.stageflow.stage;

import dev.stageflow.benchmarks.BenchmarkBase;
import dev.stageflow.config.StageOptions;
import dev.stageflow.model.DeadLetterReason;
import dev.stageflow.model.StageFailure;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The dynamic batcher's own cost per request: a burst of {@value #BURST} requests submitted as the
 * async operator submits them (one {@link ResultFuture} each), grouped into calls and completed by
 * the workers, with a model call that costs nothing (it returns its inputs), so what is left is
 * queueing, grouping by batch key, the bookkeeping of attempts and the hand-over of results. Each
 * stage's default {@code batch.size}, {@code batch.max-wait} and {@code threads}: encoder 16 and
 * 20 ms, generator 4 and 20 ms, enhancer 1 and no wait.
 */
@State(Scope.Thread)
public class DynamicBatcherBenchmark extends BenchmarkBase {

    static final int BURST = 1024;

    @Param({"encoder", "generator", "enhancer"})
    public String stage;

    private DynamicBatcher<Integer, Integer> batcher;

    @Setup
    public void setUp() {
        BatchSettings settings = BatchSettings.from(new Configuration(), options(stage));
        // A cold stage: the lookup finds nothing, so every request is looked up and then batched.
        batcher = new DynamicBatcher<>(stage, settings.threads, settings, request -> "128x128", List::copyOf,
                requests -> Collections.nCopies(requests.size(), null), new PassThrough(), new Unobserved());
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void submitAndComplete() throws InterruptedException, TimeoutException {
        CountDownLatch answered = new CountDownLatch(BURST);
        List<Answer> answers = new ArrayList<>(BURST);
        for (int i = 0; i < BURST; i++) {
            Answer answer = new Answer(answered);
            answers.add(answer);
            batcher.submit(i, answer, 0);
        }
        if (!answered.await(1, TimeUnit.MINUTES)) {
            throw new TimeoutException(answered.getCount() + " of " + BURST + " requests are still unanswered");
        }
    }

    @TearDown
    public void tearDown() {
        batcher.close();
    }

    private static StageOptions options(String stage) {
        switch (stage) {
            case "encoder":
                return StageOptions.ENCODER;
            case "generator":
                return StageOptions.GENERATOR;
            case "enhancer":
                return StageOptions.ENHANCER;
            default:
                throw new IllegalArgumentException("Unknown stage " + stage);
        }
    }

    /** The async operator's handle of one request. */
    private static final class Answer implements ResultFuture<Integer> {
        private final CountDownLatch answered;

        Answer(CountDownLatch answered) {
            this.answered = answered;
        }

        @Override
        public void complete(Collection<Integer> result) {
            answered.countDown();
        }

        @Override
        public void completeExceptionally(Throwable error) {
            throw new IllegalStateException("A request of the benchmark failed", error);
        }

        @Override
        public void complete(CollectionSupplier<Integer> supplier) {
            try {
                complete(supplier.get());
            } catch (Exception e) {
                completeExceptionally(e);
            }
        }
    }

    private static final class PassThrough implements DynamicBatcher.Outcomes<Integer, Integer> {
        @Override
        public Integer failed(Integer input, StageFailure failure) {
            throw new IllegalStateException("The benchmark's model call cannot fail: " + failure.reason);
        }

        @Override
        public Integer attempted(Integer output, int attempts) {
            return output;
        }

        @Override
        public String describe(Integer input) {
            return "request " + input;
        }
    }

    private static final class Unobserved implements DynamicBatcher.Listener {
        @Override
        public void batch(int size) {}

        @Override
        public void retried(int requests) {}

        @Override
        public void gaveUp(DeadLetterReason reason) {}

        @Override
        public void finished(long nanos) {}
    }
}
