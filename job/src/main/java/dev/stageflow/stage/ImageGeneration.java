package dev.stageflow.stage;

import dev.stageflow.inference.ImageGenerator;
import dev.stageflow.inference.ImageGenerator.Generated;
import dev.stageflow.inference.ImageGenerator.GenerationInput;
import dev.stageflow.inference.ModelIdentity;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.PromptRecord;
import dev.stageflow.model.PromptRequest;
import dev.stageflow.store.ArtifactKey;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.Codec;
import dev.stageflow.store.Hashing;
import dev.stageflow.store.Npy;
import dev.stageflow.store.StoreSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The work of image generation, shared by image-generate (its job) and image-enhance (which
 * recomputes a generated image it finds corrupt): the content keys of a prompt's latent and image,
 * looking them up, running the generator, writing the artifacts. The generator is deterministic,
 * so the same prompt gives the same bytes wherever this runs.
 */
final class ImageGeneration implements AutoCloseable {

    static final String LATENT = "latent";
    static final String IMAGE = "image";

    private final StageModel<ImageGenerator> generator;
    private final StoreSettings storeSettings;
    private final ArtifactStore store;

    ImageGeneration(StageModel<ImageGenerator> generator, StoreSettings storeSettings, ArtifactStore store) {
        this.generator = generator;
        this.storeSettings = storeSettings;
        this.store = store;
    }

    /** The generator's name and version, known without loading it when its family can tell. */
    ModelIdentity identity() {
        return generator.identity();
    }

    /**
     * The content keys of the latent and the image: the embedding's exact bits, seed, size and
     * steps determine both, with classifier-free guidance also the negative embedding's bits and
     * the scale (the tensor element type only the latent's bytes). Never the prompt text. A
     * claim-checked embedding's hash is its reference's, so the keys are the same either way and
     * the embedding is not read.
     */
    ArtifactKey[] keys(PromptRecord record) {
        PromptRequest request = record.request;
        Map<String, String> inputs = new HashMap<>(Map.of(
                "embedding", hashOf(record.embedding, record.embeddingRef()),
                "seed", Long.toString(request.seed),
                "width", Integer.toString(request.width),
                "height", Integer.toString(request.height),
                "steps", Integer.toString(request.steps)));
        if (record.hasNegativeEmbedding()) {
            inputs.put("negative", hashOf(record.negativeEmbedding, record.negativeEmbeddingRef()));
            inputs.put("guidance", Double.toString(request.guidance));
        }
        String version = generator.identity().version();
        ArtifactKey image = ArtifactKey.of(ImageGenerateStage.STAGE, version, IMAGE, inputs);
        inputs.put("dtype", storeSettings.tensorDtype.name());
        ArtifactKey latent = ArtifactKey.of(ImageGenerateStage.STAGE, version, LATENT, inputs);
        return new ArtifactKey[] {latent, image};
    }

    /** Both artifacts ({@code keys}: latent, image) if both exist and are sound. */
    Optional<ArtifactRef[]> lookup(ArtifactKey[] keys) {
        Optional<ArtifactRef> latent = store.lookup(keys[0]);
        Optional<ArtifactRef> image = store.lookup(keys[1]);
        return latent.isPresent() && image.isPresent()
                ? Optional.of(new ArtifactRef[] {latent.get(), image.get()})
                : Optional.empty();
    }

    List<Generated> generate(List<GenerationInput> inputs) {
        return generator.get().generate(inputs);
    }

    ArtifactRef[] write(ArtifactKey[] keys, Generated generated) {
        byte[] npy = Npy.write(generated.latent, generated.latentShape, storeSettings.tensorDtype);
        ArtifactRef latent = store.put(keys[0], npy, "latent.npy", "application/x-npy", storeSettings.intermediateCodec);
        ArtifactRef image = store.put(keys[1], generated.image.toPng(), "image.png", "image/png", Codec.NONE);
        return new ArtifactRef[] {latent, image};
    }

    /** Generates {@code record}'s latent and image again and writes them; returns their references. */
    ArtifactRef[] regenerate(PromptRecord record) {
        return write(keys(record), generate(List.of(input(record))).get(0));
    }

    /** The generator's input for {@code record}, with its claim-checked embeddings read from the store. */
    GenerationInput input(PromptRecord record) {
        PromptRequest r = record.request;
        float[] negative = record.hasNegativeEmbedding()
                ? embedding(record.negativeEmbedding, record.negativeEmbeddingRef())
                : null;
        return new GenerationInput(embedding(record.embedding, record.embeddingRef()), negative, r.guidance, r.seed,
                r.width, r.height, r.steps);
    }

    /** The batch a record may share: {@link GenerationInput#shapeKey()}, without reading its embeddings. */
    static String shapeKey(PromptRecord record) {
        PromptRequest r = record.request;
        return GenerationInput.shapeKey(r.width, r.height, r.steps, record.hasNegativeEmbedding(), r.guidance);
    }

    private float[] embedding(float[] inline, ArtifactRef claimCheck) {
        return inline != null ? inline : Hashing.bytesToFloats(store.read(claimCheck));
    }

    /** The SHA-256 of an embedding's float32 little-endian bytes, which a claim check's reference names. */
    private static String hashOf(float[] inline, ArtifactRef claimCheck) {
        return inline != null ? Hashing.sha256Hex(inline) : claimCheck.sha256;
    }

    @Override
    public void close() throws Exception {
        generator.close();
    }
}
