package dev.stageflow.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

/**
 * Feeds one refinement step of a whole batch to the denoiser model: {@code latent} [B, 4, h, w]
 * and {@code embedding} [B, 384] in, {@code next_latent} [B, 4, h, w] out. Inputs are passed by
 * name, which is how ONNX Runtime matches them, so a user's export may declare them in any order.
 */
final class DenoiserTranslator implements NoBatchifyTranslator<DenoiserTranslator.Step, LatentBatch> {

    /** The current latents and the batch's embeddings, concatenated ([B × 384]). */
    record Step(LatentBatch latents, float[] embeddings) {}

    @Override
    public NDList processInput(TranslatorContext ctx, Step step) {
        LatentBatch latents = step.latents();
        NDArray latent = ctx.getNDManager().create(latents.values(), latents.shape());
        latent.setName("latent");
        NDArray embedding = ctx.getNDManager()
                .create(step.embeddings(), new Shape(latents.size(), OnnxImageGenerator.EMBEDDING_SIZE));
        embedding.setName("embedding");
        return new NDList(latent, embedding);
    }

    @Override
    public LatentBatch processOutput(TranslatorContext ctx, NDList outputs) {
        NDArray nextLatent = outputs.singletonOrThrow();
        return LatentBatch.of(nextLatent.getShape(), nextLatent.toFloatArray());
    }
}
