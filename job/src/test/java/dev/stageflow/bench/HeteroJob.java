package dev.stageflow.bench;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Builds the hetero-bench job: producer tasks → produce → infer → write, laid out by a {@link HeteroConfig}. */
final class HeteroJob {

    static void build(StreamExecutionEnvironment env, HeteroConfig config, HeteroParams params, String runId, String storeUri) {
        env.setBufferTimeout(config.bufferTimeoutMs());
        DataStream<Long> tasks = env.fromSequence(0, params.producerTasks() - 1).name("hetero-tasks").setParallelism(1);
        DataStream<HeteroItem> produced = stage(tasks, config, config.produce(), "hetero-produce",
                new HeteroWork.Produce(runId, params, storeUri,
                        Duration.ofNanos(Math.round(config.producerPacingUnits() * params.timeUnit().toNanos()))), TypeInformation.of(HeteroItem.class));
        DataStream<HeteroItem> inferred = stage(produced, config, config.infer(), "hetero-infer",
                new HeteroWork.Infer(runId, params, storeUri), TypeInformation.of(HeteroItem.class));
        DataStream<Integer> written = stage(inferred, config, config.write(), "hetero-write",
                new HeteroWork.Write(runId, params), Types.INT);
        written.sinkTo(new DiscardingSink<>()).name("hetero-done").uid("hetero-done").setParallelism(config.write().parallelism());
    }

    private static <I, M, O> DataStream<O> stage(DataStream<I> input, HeteroConfig config, HeteroConfig.Stage stage, String name,
            HeteroWork<I, M, O> work, TypeInformation<O> type) {
        DataStream<I> in = input.getParallelism() == stage.parallelism() ? input : input.rebalance();
        SingleOutputStreamOperator<O> out = config.async()
                ? AsyncDataStream.unorderedWait(in, new HeteroStages.Async<>(work, stage.threads(), stage.ioThreads()), 1, TimeUnit.HOURS, stage.capacity())
                : in.flatMap(new HeteroStages.Sync<>(work), type);
        out = out.returns(type).name(name).uid(name).setParallelism(stage.parallelism());
        return config.slotGroups() ? out.slotSharingGroup(name) : out;
    }

    private HeteroJob() {}
}
