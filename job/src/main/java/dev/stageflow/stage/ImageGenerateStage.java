package dev.stageflow.stage;

import dev.stageflow.config.JobOperator;
import dev.stageflow.inference.ImageGenerator.Generated;
import dev.stageflow.inference.ImageGenerator.GenerationInput;
import dev.stageflow.inference.ModelIdentity;
import dev.stageflow.inference.ModelKind;
import dev.stageflow.inference.ModelSpec;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.PromptRecord;
import dev.stageflow.model.StageOutcome;
import dev.stageflow.store.ArtifactKey;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.StoreSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * Embedding + seed + parameters to a latent tensor ({@code latent.npy}, compressed) and a decoded
 * RGB image ({@code image.png}), both written to the store at content keys. A prompt whose two
 * artifacts already exist and are sound (an earlier run, or this run before a failure) is not
 * recomputed; a corrupt one is quarantined by the store and computed again.
 */
public class ImageGenerateStage extends BatchingStage<PromptRecord> {

    private static final long serialVersionUID = 1L;
    public static final String STAGE = JobOperator.IMAGE_GENERATE.uid();
    public static final String LATENT = ImageGeneration.LATENT;
    public static final String IMAGE = ImageGeneration.IMAGE;

    private final ModelSpec model;
    private final StoreSettings storeSettings;
    private transient ImageGeneration generation;
    private transient ArtifactStore store;

    public ImageGenerateStage(BatchSettings batch, ModelSpec model, StoreSettings storeSettings) {
        super(STAGE, batch, storeSettings);
        this.model = model;
        this.storeSettings = storeSettings;
    }

    @Override
    protected void openStage() {
        store = openStore(storeSettings);
        generation = new ImageGeneration(openModel(ModelKind.IMAGE_GENERATOR, model), storeSettings, store);
    }

    @Override
    protected List<PromptRecord> lookup(List<PromptRecord> records) {
        long start = System.nanoTime();
        List<ArtifactRef[]> found = new ArrayList<>(records.size());
        for (PromptRecord record : records) {
            found.add(generation.lookup(generation.keys(record)).orElse(null));
        }
        long share = shareOf((System.nanoTime() - start) / 1_000_000, records);
        List<PromptRecord> out = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            ArtifactRef[] refs = found.get(i);
            if (refs != null) {
                recordLookup(true);
            }
            out.add(refs == null ? null : withOutcome(records.get(i), true, share, refs));
        }
        return out;
    }

    @Override
    protected Object batchKey(PromptRecord record) {
        return ImageGeneration.shapeKey(record);
    }

    @Override
    protected List<PromptRecord> process(List<PromptRecord> records) {
        long start = System.nanoTime();
        ArtifactRef[][] refs = new ArtifactRef[records.size()][];
        ArtifactKey[][] keys = new ArtifactKey[records.size()][];
        List<Integer> misses = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            keys[i] = generation.keys(records.get(i));
            refs[i] = generation.lookup(keys[i]).orElse(null);
            if (refs[i] == null) {
                misses.add(i);
            }
        }
        if (!misses.isEmpty()) {
            List<Generated> generated = generate(records, misses);
            for (int m = 0; m < misses.size(); m++) {
                int i = misses.get(m);
                refs[i] = generation.write(keys[i], generated.get(m));
            }
        }
        long share = shareOf((System.nanoTime() - start) / 1_000_000, records);
        List<PromptRecord> out = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            boolean hit = !misses.contains(i);
            recordLookup(hit);
            out.add(withOutcome(records.get(i), hit, share, refs[i]));
        }
        return out;
    }

    private PromptRecord withOutcome(PromptRecord record, boolean hit, long millis, ArtifactRef[] refs) {
        ModelIdentity generator = generation.identity();
        return record.withGenerate(new StageOutcome(STAGE, generator.name(), generator.version(), hit, millis, refs));
    }

    private List<Generated> generate(List<PromptRecord> records, List<Integer> misses) {
        List<GenerationInput> inputs = new ArrayList<>(misses.size());
        misses.forEach(i -> inputs.add(generation.input(records.get(i))));
        recordModelInputs(inputs.size());
        long modelStart = System.nanoTime();
        List<Generated> generated = generation.generate(inputs);
        recordCompute(modelStart);
        return generated;
    }

    @Override
    protected PromptRecord failedRecord(PromptRecord record) {
        return record;
    }

    @Override
    protected StageOutcome ownOutcome(PromptRecord record) {
        return record.generate;
    }

    @Override
    protected void closeStage() throws Exception {
        if (generation != null) {
            generation.close();
        }
        if (store != null) {
            store.close();
        }
    }
}
