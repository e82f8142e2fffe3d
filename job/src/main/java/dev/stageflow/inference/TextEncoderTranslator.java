package dev.stageflow.inference;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

/**
 * Feeds one token sequence to the MiniLM graph and turns its token states into a sentence vector:
 * mean pooling over the tokens, then L2 normalisation (plain Java on the output floats; the ONNX
 * Runtime engine alone has no NDArray maths for it).
 */
final class TextEncoderTranslator implements NoBatchifyTranslator<Encoding, float[]> {

    @Override
    public NDList processInput(TranslatorContext ctx, Encoding encoding) {
        NDManager manager = ctx.getNDManager();
        Shape shape = new Shape(1, encoding.getIds().length);
        return new NDList(
                named(manager.create(encoding.getIds(), shape), "input_ids"),
                named(manager.create(encoding.getAttentionMask(), shape), "attention_mask"),
                named(manager.create(encoding.getTypeIds(), shape), "token_type_ids"));
    }

    @Override
    public float[] processOutput(TranslatorContext ctx, NDList outputs) {
        NDArray tokenStates = outputs.get(0);
        int tokens = (int) tokenStates.getShape().get(1);
        int dim = (int) tokenStates.getShape().get(2);
        return normalise(meanPool(tokenStates.toFloatArray(), tokens, dim));
    }

    private static float[] meanPool(float[] states, int tokens, int dim) {
        float[] sum = new float[dim];
        for (int t = 0; t < tokens; t++) {
            for (int d = 0; d < dim; d++) {
                sum[d] += states[t * dim + d];
            }
        }
        for (int d = 0; d < dim; d++) {
            sum[d] /= tokens;
        }
        return sum;
    }

    private static float[] normalise(float[] vector) {
        double squares = 0;
        for (float v : vector) {
            squares += (double) v * v;
        }
        float scale = (float) (1.0 / Math.max(Math.sqrt(squares), 1e-12));
        for (int d = 0; d < vector.length; d++) {
            vector[d] *= scale;
        }
        return vector;
    }

    private static NDArray named(NDArray array, String name) {
        array.setName(name);
        return array;
    }
}
