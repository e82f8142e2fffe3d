package dev.stageflow.stage;

import dev.stageflow.config.JobOperator;
import dev.stageflow.inference.EnhanceSettings;
import dev.stageflow.inference.ImageEnhancer;
import dev.stageflow.inference.RgbImage;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.PromptRecord;
import dev.stageflow.model.StageOutcome;
import dev.stageflow.model.Style;
import dev.stageflow.store.ArtifactKey;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.Codec;
import dev.stageflow.store.StoreSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the generated image from the store (verifying its checksum), upscales, sharpens, stretches
 * contrast and grades colour by style, and writes the final PNG at a content key. Runs {@code
 * enhancer.threads} workers, each on its own requests.
 */
public class ImageEnhanceStage extends BatchingStage<PromptRecord> {

    private static final long serialVersionUID = 1L;
    public static final String STAGE = JobOperator.IMAGE_ENHANCE.uid();
    public static final String IMAGE = "image";

    private final EnhanceSettings enhanceSettings;
    private final StoreSettings storeSettings;
    private transient ImageEnhancer enhancer;
    private transient ArtifactStore store;

    public ImageEnhanceStage(BatchSettings batch, EnhanceSettings enhanceSettings, StoreSettings storeSettings) {
        super(STAGE, batch);
        this.enhanceSettings = enhanceSettings;
        this.storeSettings = storeSettings;
    }

    @Override
    protected void openStage() {
        enhancer = new ImageEnhancer(enhanceSettings);
        store = new ArtifactStore(storeSettings);
    }

    @Override
    protected int workerCount() {
        return batch.threads;
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
        ArtifactRef source = record.generate.artifact(ImageGenerateStage.IMAGE);
        ArtifactKey key = ArtifactKey.of(STAGE, enhancer.version(), IMAGE,
                Map.of("source", source.sha256, "style", record.request.style));
        Optional<ArtifactRef> existing = store.lookup(key);
        recordLookup(existing.isPresent());
        ArtifactRef result = existing.orElseGet(() -> enhanceAndWrite(record, source, key));
        long millis = (System.nanoTime() - start) / 1_000_000;
        return record.withEnhance(new StageOutcome(
                STAGE, "enhance", enhancer.version(), existing.isPresent(), millis, new ArtifactRef[] {result}));
    }

    private ArtifactRef enhanceAndWrite(PromptRecord record, ArtifactRef source, ArtifactKey key) {
        Style style = Style.parse(record.request.style).orElseThrow();
        RgbImage generated = RgbImage.fromPng(store.read(source));
        recordModelInputs(1);
        long computeStart = System.nanoTime();
        RgbImage enhanced = enhancer.enhance(generated, style);
        recordCompute(computeStart);
        return store.put(key, enhanced.toPng(), "image.png", "image/png", Codec.NONE);
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
    protected void closeStage() {
        if (store != null) {
            store.close();
        }
    }
}
