package dev.stageflow;

import dev.stageflow.config.JobOperator;
import dev.stageflow.config.RequestOptions;
import dev.stageflow.config.StageOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.inference.ModelKind;
import dev.stageflow.inference.ModelSpec;
import dev.stageflow.inference.sd.SdPipelineFiles;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.InputLine;
import dev.stageflow.model.PromptRecord;
import dev.stageflow.model.PromptRequest;
import dev.stageflow.redis.CacheSettings;
import dev.stageflow.stage.BatchSettings;
import dev.stageflow.stage.BatchingStage;
import dev.stageflow.stage.DedupeStage;
import dev.stageflow.stage.ImageEnhanceStage;
import dev.stageflow.stage.ImageGenerateStage;
import dev.stageflow.stage.ParseValidateStage;
import dev.stageflow.stage.RequestLimits;
import dev.stageflow.stage.SplitOutcomes;
import dev.stageflow.stage.StageSlots;
import dev.stageflow.stage.TextEncodeStage;
import dev.stageflow.store.StoreSettings;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.operators.SlotSharingGroup;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The generation graph between a stream of input lines and its two outputs. Sources and sinks are
 * the caller's ({@link StageflowJob#input} and {@link StageflowJob#commit} for the job), so a test
 * can feed its own input, put its own operators in front of the graph or behind it, and collect the
 * outputs. Every option is read and validated here, at build time: a bad setting fails before
 * anything runs, naming the option.
 */
public final class StageflowPipeline {

    /** What the pipeline produces: result rows and dead letters, to be committed. */
    public record Outputs(DataStream<GenerationResult> results, DataStream<DeadLetter> deadLetters) {

        /** These outputs with {@code more} dead letters (of the source) among them. */
        public Outputs withDeadLetters(Optional<DataStream<DeadLetter>> more) {
            return more.map(extra -> new Outputs(results, deadLetters.union(extra))).orElse(this);
        }
    }

    /** Flink's default slot-sharing group, which operators are in unless they are given another. */
    static final String DEFAULT_SLOT_SHARING_GROUP = "default";

    private StageflowPipeline() {}

    public static Outputs build(DataStream<InputLine> lines, Configuration options) {
        Configuration conf = SdPipelineFiles.withPairedTextEncoder(options);
        RequestLimits limits = RequestLimits.from(conf);
        StoreSettings generateStore = StoreSettings.from(conf, StoreOptions.GENERATE_URI);
        StoreSettings enhanceStore = StoreSettings.from(conf, StoreOptions.ENHANCE_URI);
        CacheSettings cache = CacheSettings.from(conf);

        SingleOutputStreamOperator<PromptRequest> valid =
                JobOperator.PARSE_VALIDATE.identify(lines.process(new ParseValidateStage(limits)));

        SingleOutputStreamOperator<PromptRequest> unique = JobOperator.DEDUPE.identify(valid
                .keyBy(request -> request.promptId)
                .process(new DedupeStage(conf.get(RequestOptions.DEDUPE_TTL))));

        BatchSettings encodeBatch = BatchSettings.from(conf, StageOptions.ENCODER);
        ModelSpec encoder = ModelKind.TEXT_ENCODER.resolve(conf, encodeBatch.threads);
        DataStream<PromptRecord> encoded = async(unique,
                new TextEncodeStage(encodeBatch, encoder, cache, generateStore),
                encodeBatch, StageSlots.from(conf, StageOptions.ENCODER), JobOperator.TEXT_ENCODE);

        BatchSettings generateBatch = BatchSettings.from(conf, StageOptions.GENERATOR);
        ModelSpec generator = ModelKind.IMAGE_GENERATOR.resolve(conf, generateBatch.threads);
        DataStream<PromptRecord> generated = async(encoded,
                new ImageGenerateStage(generateBatch, generator, generateStore),
                generateBatch, StageSlots.from(conf, StageOptions.GENERATOR), JobOperator.IMAGE_GENERATE);

        BatchSettings enhanceBatch = BatchSettings.from(conf, StageOptions.ENHANCER);
        ModelSpec enhancer = ModelKind.IMAGE_ENHANCER.resolve(conf, enhanceBatch.threads);
        DataStream<PromptRecord> enhanced = async(generated,
                new ImageEnhanceStage(enhanceBatch, enhancer, enhanceStore, generator, generateStore),
                enhanceBatch, StageSlots.from(conf, StageOptions.ENHANCER), JobOperator.IMAGE_ENHANCE);

        SingleOutputStreamOperator<GenerationResult> results =
                JobOperator.RESULT_ROWS.identify(enhanced.process(new SplitOutcomes()));
        return new Outputs(results, valid.getSideOutput(ParseValidateStage.DEAD_LETTERS)
                .union(unique.getSideOutput(ParseValidateStage.DEAD_LETTERS),
                        results.getSideOutput(ParseValidateStage.DEAD_LETTERS)));
    }

    private static <IN> DataStream<PromptRecord> async(DataStream<IN> input, BatchingStage<IN> stage,
            BatchSettings batch, Optional<SlotSharingGroup> slots, JobOperator operator) {
        SingleOutputStreamOperator<PromptRecord> out = operator.identify(AsyncDataStream.unorderedWait(
                input, stage, batch.timeout.toMillis(), TimeUnit.MILLISECONDS, batch.maxInFlight));
        if (batch.parallelism > 0) {
            out.setParallelism(batch.parallelism);
        }
        // Explicitly, since an operator would otherwise join its input's group: the stages after one
        // with a group of its own would follow it into its slots.
        out.slotSharingGroup(slots.orElseGet(() -> SlotSharingGroup.newBuilder(DEFAULT_SLOT_SHARING_GROUP).build()));
        return out;
    }
}
