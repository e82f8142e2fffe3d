package dev.stageflow.stage;

import dev.stageflow.config.JobOperator;
import dev.stageflow.config.ModelOptions;
import dev.stageflow.inference.ImageGenerator.Generated;
import dev.stageflow.inference.ImageGenerator.GenerationInput;
import dev.stageflow.inference.ImageGenerator;
import dev.stageflow.inference.OnnxImageGenerator;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.PromptRecord;
import dev.stageflow.model.PromptRequest;
import dev.stageflow.model.StageOutcome;
import dev.stageflow.store.ArtifactKey;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.Codec;
import dev.stageflow.store.Hashing;
import dev.stageflow.store.Npy;
import dev.stageflow.store.StoreSettings;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Embedding + seed + parameters to a latent tensor ({@code latent.npy}, compressed) and a decoded
 * RGB image ({@code image.png}), both written to the store at content keys. A prompt whose two
 * artifacts already exist (an earlier run, or this run before a failure) is not recomputed.
 */
public class ImageGenerateStage extends BatchingStage<PromptRecord> {

    private static final long serialVersionUID = 1L;
    public static final String STAGE = JobOperator.IMAGE_GENERATE.uid();
    public static final String LATENT = "latent";
    public static final String IMAGE = "image";

    private final String model;
    private final StoreSettings storeSettings;
    private transient ImageGenerator generator;
    private transient ArtifactStore store;

    public ImageGenerateStage(BatchSettings batch, String model, StoreSettings storeSettings) {
        super(STAGE, batch);
        this.model = model;
        this.storeSettings = storeSettings;
    }

    @Override
    protected void openStage() {
        generator = ModelOptions.BUILTIN.equals(model)
                ? OnnxImageGenerator.builtin(batch.threads)
                : OnnxImageGenerator.fromDirectory(Paths.get(model), batch.threads);
        store = new ArtifactStore(storeSettings);
    }

    @Override
    protected Object batchKey(PromptRecord record) {
        return input(record).shapeKey();
    }

    @Override
    protected List<PromptRecord> process(List<PromptRecord> records) {
        long start = System.nanoTime();
        ArtifactRef[][] refs = new ArtifactRef[records.size()][];
        ArtifactKey[][] keys = new ArtifactKey[records.size()][];
        List<Integer> misses = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            keys[i] = keys(records.get(i));
            refs[i] = lookup(keys[i]);
            if (refs[i] == null) {
                misses.add(i);
            }
        }
        if (!misses.isEmpty()) {
            List<Generated> generated = generate(records, misses);
            for (int m = 0; m < misses.size(); m++) {
                int i = misses.get(m);
                refs[i] = write(keys[i], generated.get(m));
            }
        }
        long share = shareOf((System.nanoTime() - start) / 1_000_000, records);
        List<PromptRecord> out = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            boolean hit = !misses.contains(i);
            recordLookup(hit);
            out.add(records.get(i).withGenerate(
                    new StageOutcome(STAGE, generator.name(), generator.version(), hit, share, refs[i])));
        }
        return out;
    }

    private List<Generated> generate(List<PromptRecord> records, List<Integer> misses) {
        List<GenerationInput> inputs = new ArrayList<>(misses.size());
        misses.forEach(i -> inputs.add(input(records.get(i))));
        recordModelInputs(inputs.size());
        long modelStart = System.nanoTime();
        List<Generated> generated = generator.generate(inputs);
        recordCompute(modelStart);
        return generated;
    }

    /** Both artifacts ({@code keys}: latent, image) if both exist, else null. */
    private ArtifactRef[] lookup(ArtifactKey[] keys) {
        Optional<ArtifactRef> latent = store.lookup(keys[0]);
        Optional<ArtifactRef> image = store.lookup(keys[1]);
        return latent.isPresent() && image.isPresent() ? new ArtifactRef[] {latent.get(), image.get()} : null;
    }

    private ArtifactRef[] write(ArtifactKey[] keys, Generated generated) {
        byte[] npy = Npy.write(generated.latent, generated.latentShape, storeSettings.tensorDtype);
        ArtifactRef latent = store.put(keys[0], npy, "latent.npy", "application/x-npy", storeSettings.intermediateCodec);
        ArtifactRef image = store.put(keys[1], generated.image.toPng(), "image.png", "image/png", Codec.NONE);
        return new ArtifactRef[] {latent, image};
    }

    /**
     * The content keys of the latent and the image: the embedding's exact bits, seed, size and
     * steps determine both (the tensor element type only the latent's bytes). Never the prompt text.
     */
    private ArtifactKey[] keys(PromptRecord record) {
        PromptRequest request = record.request;
        Map<String, String> inputs = new HashMap<>(Map.of(
                "embedding", Hashing.sha256Hex(record.embedding),
                "seed", Long.toString(request.seed),
                "width", Integer.toString(request.width),
                "height", Integer.toString(request.height),
                "steps", Integer.toString(request.steps)));
        ArtifactKey image = ArtifactKey.of(STAGE, generator.version(), IMAGE, inputs);
        inputs.put("dtype", storeSettings.tensorDtype.name());
        ArtifactKey latent = ArtifactKey.of(STAGE, generator.version(), LATENT, inputs);
        return new ArtifactKey[] {latent, image};
    }

    private static GenerationInput input(PromptRecord record) {
        PromptRequest r = record.request;
        return new GenerationInput(record.embedding, r.seed, r.width, r.height, r.steps);
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
    protected void closeStage() {
        if (generator != null) {
            generator.close();
        }
        if (store != null) {
            store.close();
        }
    }
}
