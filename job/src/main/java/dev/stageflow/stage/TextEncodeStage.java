package dev.stageflow.stage;

import dev.stageflow.config.JobOperator;
import dev.stageflow.config.MetricScope;
import dev.stageflow.inference.ModelIdentity;
import dev.stageflow.inference.ModelKind;
import dev.stageflow.inference.ModelSpec;
import dev.stageflow.inference.TextEncoder;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.PromptRecord;
import dev.stageflow.model.PromptRequest;
import dev.stageflow.model.StageOutcome;
import dev.stageflow.redis.CacheSettings;
import dev.stageflow.redis.EmbeddingCache;
import dev.stageflow.store.ArtifactKey;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.Codec;
import dev.stageflow.store.Hashing;
import dev.stageflow.store.StoreSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Prompt text to an embedding, with the {@link TextEncoder} of the configured family (and the
 * negative text's too, for a family that {@linkplain TextEncoder#encodesNegativeText() asks for
 * it}). Looks each text up in the two-tier {@link EmbeddingCache} first and runs the encoder once
 * per batch on the distinct texts it missed. With Redis down (its circuit breaker open) every Redis
 * lookup is a miss without waiting, and the encoder computes the embedding. A prompt is a cache hit
 * when all its texts were.
 *
 * <p>An embedding larger than {@code store.embedding.inline-max} does not travel in the record: it
 * is written to the store once per text and encoder version, and the record carries its claim
 * check (see {@link PromptRecord}).
 */
public class TextEncodeStage extends BatchingStage<PromptRequest> {

    private static final long serialVersionUID = 1L;
    public static final String STAGE = JobOperator.TEXT_ENCODE.uid();

    private final ModelSpec model;
    private final CacheSettings cacheSettings;
    private final StoreSettings storeSettings;
    private transient StageModel<TextEncoder> encoder;
    private transient EmbeddingCache cache;
    private transient ArtifactStore store;

    /**
     * {@code storeSettings}: the store that holds the stage's call ledger and the embeddings too big
     * to travel in records (image-generate's).
     */
    public TextEncodeStage(BatchSettings batch, ModelSpec model, CacheSettings cacheSettings,
            StoreSettings storeSettings) {
        super(STAGE, batch, storeSettings);
        this.model = model;
        this.cacheSettings = cacheSettings;
        this.storeSettings = storeSettings;
    }

    @Override
    protected void openStage() {
        encoder = openModel(ModelKind.TEXT_ENCODER, model);
        cache = new EmbeddingCache(cacheSettings, encoder.identity().version(), encoder.identity().dimension());
        cache.registerMetrics(MetricScope.STAGE_REDIS.open(getRuntimeContext().getMetricGroup(), STAGE));
        store = openStore(storeSettings);
    }

    @Override
    protected List<PromptRecord> lookup(List<PromptRequest> requests) {
        long start = System.nanoTime();
        List<String> texts = textsOf(requests);
        Map<String, float[]> cached = cache.getAll(texts);
        Map<String, ArtifactRef> claimChecks = claimChecks(texts, cached, Map.of());
        long share = shareOf((System.nanoTime() - start) / 1_000_000, requests);
        List<PromptRecord> records = new ArrayList<>(requests.size());
        for (PromptRequest request : requests) {
            boolean hit = isHit(request, cached);
            if (hit) {
                recordLookup(true);
            }
            records.add(hit ? record(request, cached, Map.of(), claimChecks, true, share) : null);
        }
        return records;
    }

    @Override
    protected List<PromptRecord> process(List<PromptRequest> requests) {
        long start = System.nanoTime();
        List<String> texts = textsOf(requests);
        Map<String, float[]> cached = cache.getAll(texts);
        List<String> missing = texts.stream().filter(t -> !cached.containsKey(t)).toList();
        Map<String, float[]> computed = new HashMap<>();
        if (!missing.isEmpty()) {
            recordModelInputs(missing.size());
            long modelStart = System.nanoTime();
            float[][] vectors = encoder.get().encode(missing);
            recordCompute(modelStart);
            for (int i = 0; i < missing.size(); i++) {
                computed.put(missing.get(i), vectors[i]);
            }
            cache.putAll(computed);
        }
        Map<String, ArtifactRef> claimChecks = claimChecks(texts, cached, computed);
        long share = shareOf((System.nanoTime() - start) / 1_000_000, requests);
        List<PromptRecord> records = new ArrayList<>(requests.size());
        for (PromptRequest request : requests) {
            boolean hit = isHit(request, cached);
            recordLookup(hit);
            records.add(record(request, cached, computed, claimChecks, hit, share));
        }
        return records;
    }

    /** The distinct texts of {@code requests} to embed: each prompt's, and its negative text's when the encoder asks for it. */
    private List<String> textsOf(List<PromptRequest> requests) {
        boolean negative = encoder.identity().encodesNegativeText();
        LinkedHashSet<String> distinct = new LinkedHashSet<>();
        for (PromptRequest request : requests) {
            distinct.add(request.text);
            if (negative) {
                distinct.add(request.negativeText);
            }
        }
        return new ArrayList<>(distinct);
    }

    /** Whether all of {@code request}'s texts are {@code cached}. */
    private boolean isHit(PromptRequest request, Map<String, float[]> cached) {
        return cached.containsKey(request.text)
                && (!encoder.identity().encodesNegativeText() || cached.containsKey(request.negativeText));
    }

    private PromptRecord record(PromptRequest request, Map<String, float[]> cached, Map<String, float[]> computed,
            Map<String, ArtifactRef> claimChecks, boolean hit, long share) {
        ModelIdentity identity = encoder.identity();
        List<ArtifactRef> artifacts = new ArrayList<>(2);
        float[] embedding = inlineOrClaimCheck(request.text, PromptRecord.EMBEDDING, cached, computed, claimChecks,
                artifacts);
        float[] negativeEmbedding = identity.encodesNegativeText()
                ? inlineOrClaimCheck(request.negativeText, PromptRecord.NEGATIVE_EMBEDDING, cached, computed,
                        claimChecks, artifacts)
                : null;
        StageOutcome outcome = new StageOutcome(STAGE, identity.name(), identity.version(), hit, share,
                artifacts.toArray(new ArtifactRef[0]));
        return new PromptRecord(request, embedding, negativeEmbedding, outcome);
    }

    /** The claim checks of those {@code texts} whose embeddings are too big to travel in records. */
    private Map<String, ArtifactRef> claimChecks(List<String> texts, Map<String, float[]> cached,
            Map<String, float[]> computed) {
        Map<String, ArtifactRef> claimChecks = new HashMap<>();
        for (String text : texts) {
            float[] embedding = embeddingOf(text, cached, computed);
            if (embedding != null && (long) embedding.length * Float.BYTES > storeSettings.embeddingInlineMax) {
                claimChecks.put(text, claimCheck(text, embedding));
            }
        }
        return claimChecks;
    }

    /** The embedding of {@code text} in the store, written unless an earlier prompt or run wrote it. */
    private ArtifactRef claimCheck(String text, float[] embedding) {
        ArtifactKey key = ArtifactKey.of(STAGE, encoder.identity().version(), PromptRecord.EMBEDDING,
                Map.of("text", Hashing.sha256Hex(text)));
        return store.lookup(key).orElseGet(() -> store.put(key, Hashing.floatsToBytes(embedding), "embedding.f32",
                "application/octet-stream", Codec.NONE));
    }

    /**
     * {@code text}'s embedding if it travels in the record; else null, and its claim check is added
     * to {@code artifacts}.
     */
    private static float[] inlineOrClaimCheck(String text, String name, Map<String, float[]> cached,
            Map<String, float[]> computed, Map<String, ArtifactRef> claimChecks, List<ArtifactRef> artifacts) {
        ArtifactRef ref = claimChecks.get(text);
        if (ref == null) {
            return embeddingOf(text, cached, computed);
        }
        artifacts.add(ref.withName(name));
        return null;
    }

    private static float[] embeddingOf(String text, Map<String, float[]> cached, Map<String, float[]> computed) {
        float[] embedding = cached.get(text);
        return embedding != null ? embedding : computed.get(text);
    }

    @Override
    protected PromptRecord failedRecord(PromptRequest request) {
        return new PromptRecord(request, null, null);
    }

    @Override
    protected StageOutcome ownOutcome(PromptRecord record) {
        return record.encode;
    }

    @Override
    protected void closeStage() throws Exception {
        if (cache != null) {
            cache.close();
        }
        if (store != null) {
            store.close();
        }
        if (encoder != null) {
            encoder.close();
        }
    }
}
