package dev.stageflow.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.ModelOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.inference.ModelKind;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.PromptRecord;
import dev.stageflow.model.PromptRequest;
import dev.stageflow.redis.CacheSettings;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.Hashing;
import dev.stageflow.store.StoreSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.datastream.AsyncDataStream.OutputMode;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An embedding above {@code store.embedding.inline-max} leaves text-encode as a claim check in the
 * store: the record is small, the stored bytes are the embedding, and image-generate computes the
 * same content keys and images from it as from the embedding carried inline.
 */
class EmbeddingClaimCheckTest {

    private static final TypeSerializer<PromptRequest> REQUESTS =
            TypeInformation.of(PromptRequest.class).createSerializer(new SerializerConfigImpl());
    private static final TypeSerializer<PromptRecord> RECORDS =
            TypeInformation.of(PromptRecord.class).createSerializer(new SerializerConfigImpl());

    @TempDir
    Path inlineRoot;

    @TempDir
    Path claimCheckRoot;

    @Test
    void largeEmbeddingsTravelAsClaimChecksAndGiveTheSameImages() throws Exception {
        List<PromptRequest> prompts = List.of(prompt("a", "a red fox"), prompt("b", "a blue whale"),
                prompt("c", "a red fox"));
        StoreSettings inlineStore = store(inlineRoot, MemorySize.parse("8kb"));
        StoreSettings claimCheckStore = store(claimCheckRoot, MemorySize.ZERO);

        Map<String, PromptRecord> inline = byId(encode(inlineStore, prompts));
        Map<String, PromptRecord> claimChecked = byId(encode(claimCheckStore, prompts));

        try (ArtifactStore store = new ArtifactStore(claimCheckStore)) {
            for (String id : List.of("a", "b", "c")) {
                PromptRecord carried = inline.get(id);
                PromptRecord checked = claimChecked.get(id);
                assertThat(carried.embedding).hasSize(384);
                assertThat(carried.embeddingRef()).isNull();
                assertThat(checked.embedding).isNull();
                ArtifactRef ref = checked.embeddingRef();
                assertThat(ref.name).isEqualTo(PromptRecord.EMBEDDING);
                assertThat(ref.sha256).isEqualTo(Hashing.sha256Hex(carried.embedding));
                assertThat(Hashing.bytesToFloats(store.read(ref))).isEqualTo(carried.embedding);
                assertThat(serializedSize(checked)).as("record bytes with a claim check")
                        .isLessThan(serializedSize(carried) - 1000);
            }
        }
        assertThat(claimChecked.get("c").embeddingRef().uri)
                .as("one stored copy per text")
                .isEqualTo(claimChecked.get("a").embeddingRef().uri);

        Map<String, PromptRecord> generatedInline = byId(generate(inlineStore, inline.values()));
        Map<String, PromptRecord> generatedClaimChecked = byId(generate(claimCheckStore, claimChecked.values()));
        for (String id : List.of("a", "b", "c")) {
            ArtifactRef[] carried = generatedInline.get(id).generate.artifacts;
            ArtifactRef[] checked = generatedClaimChecked.get(id).generate.artifacts;
            assertThat(checked).extracting(r -> r.sha256).containsExactly(carried[0].sha256, carried[1].sha256);
            assertThat(checked).extracting(r -> relative(r.uri, claimCheckRoot))
                    .as("the same content keys")
                    .containsExactly(relative(carried[0].uri, inlineRoot), relative(carried[1].uri, inlineRoot));
        }
    }

    private static List<PromptRecord> encode(StoreSettings store, List<PromptRequest> prompts) throws Exception {
        BatchSettings batch = new BatchSettings(16, Duration.ZERO, -1, 1, 64, Duration.ofMinutes(1), 3,
                Duration.ofSeconds(10));
        Configuration encoder = new Configuration();
        encoder.set(ModelOptions.ENCODER_MAX_TOKENS, 64);
        TextEncodeStage stage = new TextEncodeStage(batch, ModelKind.TEXT_ENCODER.resolve(encoder, batch.threads),
                CacheSettings.from(new Configuration()), store);
        try (var harness = new OneInputStreamOperatorTestHarness<>(
                new AsyncWaitOperatorFactory<>(stage, 60_000, 64, OutputMode.UNORDERED), REQUESTS)) {
            return drain(harness, prompts);
        }
    }

    private static List<PromptRecord> generate(StoreSettings store, java.util.Collection<PromptRecord> records)
            throws Exception {
        try (var harness = ModelStageSnapshotTest.generateHarness(store, Duration.ZERO)) {
            return drain(harness, records.stream().sorted(Comparator.comparing(r -> r.request.promptId)).toList());
        }
    }

    private static <IN> List<PromptRecord> drain(OneInputStreamOperatorTestHarness<IN, PromptRecord> harness,
            List<IN> inputs) throws Exception {
        harness.open();
        synchronized (harness.getCheckpointLock()) {
            for (IN input : inputs) {
                harness.processElement(new StreamRecord<>(input));
            }
            harness.endInput();
        }
        List<PromptRecord> out = harness.extractOutputValues();
        assertThat(out).noneMatch(PromptRecord::isFailed);
        return out;
    }

    private static StoreSettings store(Path root, MemorySize inlineMax) {
        Configuration conf = new Configuration();
        conf.set(StoreOptions.URI, root.toUri().toString());
        conf.set(StoreOptions.EMBEDDING_INLINE_MAX, inlineMax);
        return StoreSettings.from(conf);
    }

    private static Map<String, PromptRecord> byId(List<PromptRecord> records) {
        return records.stream().collect(Collectors.toMap(r -> r.request.promptId, Function.identity()));
    }

    private static int serializedSize(PromptRecord record) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        RECORDS.serialize(record, out);
        return out.length();
    }

    private static String relative(String uri, Path root) {
        return java.net.URI.create(uri).getPath().substring(root.toUri().getPath().length());
    }

    private static PromptRequest prompt(String id, String text) {
        return new PromptRequest(id, text, 1, 64, 64, 2, "natural", 0);
    }
}
