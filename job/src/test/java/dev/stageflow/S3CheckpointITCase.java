package dev.stageflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.servers.S3ProxyServer;
import dev.stageflow.testing.JobRuns;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.LongStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RocksDB checkpoints (incremental) on {@code s3://} against a real S3 API server: a job is
 * cancelled after its first completed checkpoint, and a second job restored from that checkpoint
 * continues the source and the keyed state exactly where the checkpoint left them.
 */
class S3CheckpointITCase {

    private static final long RECORDS = 2_000;
    private static final int KEYS = 4;
    /** What the running job emitted; the sink runs in this JVM (local MiniCluster). */
    private static final Queue<String> OUTPUT = new ConcurrentLinkedQueue<>();

    @TempDir
    static Path dir;

    private static S3ProxyServer s3;

    @BeforeAll
    static void startS3() {
        s3 = S3ProxyServer.start(dir.resolve("s3"), "state");
        s3.initializeFlinkFileSystems();
    }

    @AfterAll
    static void stopS3() {
        s3.close();
        S3ProxyServer.resetFlinkFileSystems();
    }

    @Test
    void restoresSourcePositionAndKeyedStateFromACheckpointOnS3() throws Exception {
        org.apache.flink.core.fs.Path checkpoints = new org.apache.flink.core.fs.Path(s3.uri("checkpoints"));

        JobClient first = countingJob(jobConfig(checkpoints), RateLimiterStrategy.perSecond(100)).executeAsync("count");
        org.apache.flink.core.fs.Path checkpoint = JobRuns.awaitCompletedCheckpoint(
                new org.apache.flink.core.fs.Path(checkpoints, first.getJobID().toString()), Duration.ofSeconds(120));
        first.cancel().get();
        JobRuns.awaitTermination(first);
        OUTPUT.clear();
        org.apache.flink.core.fs.Path retained = JobRuns.latestCompletedCheckpoint(
                new org.apache.flink.core.fs.Path(checkpoints, first.getJobID().toString())).orElseThrow();
        assertThat(JobRuns.checkpointNumber(retained)).isGreaterThanOrEqualTo(JobRuns.checkpointNumber(checkpoint));

        Configuration restore = jobConfig(checkpoints);
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, retained.toString());
        countingJob(restore, RateLimiterStrategy.noOp()).execute("count-restored");

        List<String> output = new ArrayList<>(OUTPUT);
        long resumedAt = output.stream().mapToLong(line -> Long.parseLong(line.split(":")[0])).min().orElseThrow();
        assertThat(resumedAt).as("the restored source starts after the records the checkpoint covers").isPositive();
        // Keyed state restored: each value's count includes the values of its key before the checkpoint.
        assertThat(output).containsExactlyInAnyOrderElementsOf(LongStream.range(resumedAt, RECORDS)
                .mapToObj(value -> value + ":" + (value / KEYS + 1)).toList());
    }

    private static Configuration jobConfig(org.apache.flink.core.fs.Path checkpoints) {
        Configuration conf = new Configuration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 1);
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toString());
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        return conf;
    }

    /** Values 0..RECORDS-1, keyed by value mod KEYS; emits "value:count of its key so far". */
    private static StreamExecutionEnvironment countingJob(Configuration conf, RateLimiterStrategy<?> rate) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        DataGeneratorSource<Long> source = new DataGeneratorSource<>(index -> index, RECORDS, rate, Types.LONG);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "numbers").uid("numbers")
                .keyBy(value -> value % KEYS)
                .process(new CountPerKey()).uid("count-per-key")
                .sinkTo(new OutputSink()).uid("output");
        return env;
    }

    private static final class CountPerKey extends KeyedProcessFunction<Long, Long, String> {
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext openContext) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public void processElement(Long value, Context ctx, Collector<String> out) throws IOException {
            long next = count.value() == null ? 1 : count.value() + 1;
            count.update(next);
            out.collect(value + ":" + next);
        }
    }

    /** Collects the output of the job that runs (one at a time). */
    private static final class OutputSink implements Sink<String> {
        @Override
        public SinkWriter<String> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(String element, Context context) {
                    OUTPUT.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
