package dev.stageflow.inference;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

/**
 * Feeds equal-length token sequences to the MiniLM graph and turns its token states into sentence
 * vectors: mean pooling over the attention mask, then L2 normalisation (plain Java on the output
 * floats; the ONNX Runtime engine alone has no NDArray maths for it).
 */
final class TextEncoderTranslator implements NoBatchifyTranslator<Encoding[], float[][]> {

    private static final String MASKS = "masks";

    @Override
    public NDList processInput(TranslatorContext ctx, Encoding[] batch) {
        int length = batch[0].getIds().length;
        long[] ids = new long[batch.length * length];
        long[] mask = new long[batch.length * length];
        long[] types = new long[batch.length * length];
        int[][] masks = new int[batch.length][length];
        for (int b = 0; b < batch.length; b++) {
            if (batch[b].getIds().length != length) {
                throw new IllegalArgumentException("All sequences of one call must have the same length");
            }
            System.arraycopy(batch[b].getIds(), 0, ids, b * length, length);
            System.arraycopy(batch[b].getAttentionMask(), 0, mask, b * length, length);
            System.arraycopy(batch[b].getTypeIds(), 0, types, b * length, length);
            for (int t = 0; t < length; t++) {
                masks[b][t] = (int) batch[b].getAttentionMask()[t];
            }
        }
        ctx.setAttachment(MASKS, masks);
        NDManager manager = ctx.getNDManager();
        Shape shape = new Shape(batch.length, length);
        return new NDList(
                named(manager.create(ids, shape), "input_ids"),
                named(manager.create(mask, shape), "attention_mask"),
                named(manager.create(types, shape), "token_type_ids"));
    }

    @Override
    public float[][] processOutput(TranslatorContext ctx, NDList outputs) {
        NDArray tokenStates = outputs.get(0);
        int batch = (int) tokenStates.getShape().get(0);
        int length = (int) tokenStates.getShape().get(1);
        int dim = (int) tokenStates.getShape().get(2);
        float[] states = tokenStates.toFloatArray();
        int[][] masks = (int[][]) ctx.getAttachment(MASKS);
        float[][] vectors = new float[batch][];
        for (int b = 0; b < batch; b++) {
            vectors[b] = normalise(meanPool(states, masks[b], b * length * dim, length, dim));
        }
        return vectors;
    }

    private static float[] meanPool(float[] states, int[] mask, int offset, int length, int dim) {
        float[] sum = new float[dim];
        int count = 0;
        for (int t = 0; t < length; t++) {
            if (mask[t] == 0) {
                continue;
            }
            count++;
            int base = offset + t * dim;
            for (int d = 0; d < dim; d++) {
                sum[d] += states[base + d];
            }
        }
        for (int d = 0; d < dim; d++) {
            sum[d] /= Math.max(1, count);
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
