package dev.stageflow.stage;

import dev.stageflow.config.JobOperator;
import dev.stageflow.config.StageflowMetric;
import dev.stageflow.inference.ImageEnhancer;
import dev.stageflow.inference.ModelIdentity;
import dev.stageflow.inference.ModelKind;
import dev.stageflow.inference.ModelSpec;
import dev.stageflow.inference.RgbImage;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.PromptRecord;
import dev.stageflow.model.StageOutcome;
import dev.stageflow.model.Style;
import dev.stageflow.store.ArtifactKey;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.Codec;
import dev.stageflow.store.CorruptArtifactException;
import dev.stageflow.store.StoreSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.metrics.Counter;

/**
 * Reads the generated image from the store (verifying its checksum), enhances it with the {@link
 * ImageEnhancer} of {@code enhancer.model} (upscale, then contrast and colour grading by style), and
 * writes the final PNG at a content key. Runs {@code enhancer.threads} workers, each on its own
 * requests, sharing the subtask's one enhancer (a learned one holds one model session).
 *
 * <p>A generated image that turns out corrupt is repaired, not given up on: it is quarantined and
 * generated again from the record (embedding, seed, size and steps are all there, and generation
 * is deterministic), with the configured generator, loaded the first time a repair needs it. Only
 * when the new image differs from the one referenced (another generator made it) does the prompt
 * become a CORRUPT_ARTIFACT dead letter.
 */
public class ImageEnhanceStage extends BatchingStage<PromptRecord> {

    private static final long serialVersionUID = 1L;
    public static final String STAGE = JobOperator.IMAGE_ENHANCE.uid();
    public static final String IMAGE = "image";

    private final ModelSpec model;
    private final StoreSettings storeSettings;
    private final ModelSpec generatorModel;
    private final StoreSettings generateStoreSettings;
    private transient StageModel<ImageEnhancer> enhancer;
    private transient ArtifactStore store;
    private transient ArtifactStore generateStore;
    private transient ImageGeneration repairs;
    private transient Counter repaired;

    /** {@code generatorModel}: image-generate's, to generate a corrupt input again (on one thread). */
    public ImageEnhanceStage(BatchSettings batch, ModelSpec model, StoreSettings storeSettings,
            ModelSpec generatorModel, StoreSettings generateStoreSettings) {
        super(STAGE, batch, storeSettings);
        this.model = model;
        this.storeSettings = storeSettings;
        this.generatorModel = generatorModel;
        this.generateStoreSettings = generateStoreSettings;
    }

    @Override
    protected void openStage() {
        enhancer = openModel(ModelKind.IMAGE_ENHANCER, model);
        store = openStore(storeSettings);
        generateStore = openStore(generateStoreSettings);
        repaired = StageflowMetric.REPAIRED_INPUTS.counter(stageMetrics());
    }

    @Override
    protected int workerCount() {
        return batch.threads;
    }

    @Override
    protected List<PromptRecord> lookup(List<PromptRecord> records) {
        List<PromptRecord> out = new ArrayList<>(records.size());
        for (PromptRecord record : records) {
            long start = System.nanoTime();
            Optional<ArtifactRef> existing = store.lookup(keyOf(record));
            existing.ifPresent(ref -> recordLookup(true));
            out.add(existing.map(ref -> withOutcome(record, true, start, ref)).orElse(null));
        }
        return out;
    }

    @Override
    protected List<PromptRecord> process(List<PromptRecord> records) {
        List<PromptRecord> out = new ArrayList<>(records.size());
        for (PromptRecord record : records) {
            out.add(enhance(record));
        }
        return out;
    }

    private PromptRecord enhance(PromptRecord record) {
        long start = System.nanoTime();
        ArtifactKey key = keyOf(record);
        Optional<ArtifactRef> existing = store.lookup(key);
        recordLookup(existing.isPresent());
        ArtifactRef result = existing.orElseGet(() -> enhanceAndWrite(record, sourceOf(record), key));
        return withOutcome(record, existing.isPresent(), start, result);
    }

    private ArtifactKey keyOf(PromptRecord record) {
        return ArtifactKey.of(STAGE, enhancer.identity().version(), IMAGE,
                Map.of("source", sourceOf(record).sha256, "style", record.request.style));
    }

    private static ArtifactRef sourceOf(PromptRecord record) {
        return record.generate.artifact(ImageGenerateStage.IMAGE);
    }

    private PromptRecord withOutcome(PromptRecord record, boolean hit, long startNanos, ArtifactRef result) {
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        ModelIdentity identity = enhancer.identity();
        return record.withEnhance(new StageOutcome(
                STAGE, identity.name(), identity.version(), hit, millis, new ArtifactRef[] {result}));
    }

    private ArtifactRef enhanceAndWrite(PromptRecord record, ArtifactRef source, ArtifactKey key) {
        Style style = Style.parse(record.request.style).orElseThrow();
        RgbImage generated = RgbImage.fromPng(readOrRepair(record, source));
        recordModelInputs(1);
        long computeStart = System.nanoTime();
        RgbImage enhanced = enhancer.get().enhance(generated, style);
        recordCompute(computeStart);
        return store.put(key, enhanced.toPng(), "image.png", "image/png", Codec.NONE);
    }

    /**
     * The generated image {@code source}, generated again if the stored one is corrupt (see the class
     * comment). Read through the generate store, whose metrics count what is read from it.
     */
    private byte[] readOrRepair(PromptRecord record, ArtifactRef source) {
        try {
            return generateStore.read(source);
        } catch (CorruptArtifactException corrupt) {
            generateStore.quarantine(source, corrupt.problem());
            ArtifactRef again;
            try {
                again = repairs().regenerate(record)[1];
            } catch (RuntimeException failed) {
                if (StageErrors.classify(failed) == StageErrors.Kind.TRANSIENT) {
                    throw failed;
                }
                throw new CorruptArtifactException(source.uri, corrupt.problem() + "; generating it again failed: "
                        + StageErrors.describe(failed), failed);
            }
            if (!again.sha256.equals(source.sha256)) {
                throw new CorruptArtifactException(source.uri, corrupt.problem() + "; generated again by "
                        + repairs().identity().version() + " it has sha256 " + again.sha256
                        + ", not the referenced one: another generator made it");
            }
            repaired.inc();
            return generateStore.read(again);
        }
    }

    private synchronized ImageGeneration repairs() {
        if (repairs == null) {
            repairs = new ImageGeneration(openModel(ModelKind.IMAGE_GENERATOR, generatorModel.withThreads(1)),
                    generateStoreSettings, generateStore);
        }
        return repairs;
    }

    @Override
    protected PromptRecord failedRecord(PromptRecord record) {
        return record;
    }

    @Override
    protected StageOutcome ownOutcome(PromptRecord record) {
        return record.enhance;
    }

    @Override
    protected void closeStage() throws Exception {
        if (enhancer != null) {
            enhancer.close();
        }
        if (repairs != null) {
            repairs.close();
        }
        if (generateStore != null) {
            generateStore.close();
        }
        if (store != null) {
            store.close();
        }
    }
}
