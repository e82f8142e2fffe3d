package dev.stageflow.inference.sd;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.stageflow.store.Float16;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.Set;

/**
 * Java arrays to ONNX Runtime tensors of the element type a model declares, and back. Float16 is
 * converted here, in Java ({@link Float16}, round to nearest even), so the bits never depend on the
 * engine's own conversion.
 */
final class Tensors {

    static final Set<OnnxJavaType> FLOATS = Set.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16);
    static final Set<OnnxJavaType> INTEGERS = Set.of(OnnxJavaType.INT32, OnnxJavaType.INT64);
    static final Set<OnnxJavaType> TIMESTEPS =
            Set.of(OnnxJavaType.INT32, OnnxJavaType.INT64, OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16);

    private Tensors() {}

    /** {@code values} as a tensor of {@code shape}, float32 or float16 as {@code type} says. */
    static OnnxTensor floats(float[] values, long[] shape, OnnxJavaType type) {
        try {
            OrtEnvironment environment = OrtModel.environment();
            if (type == OnnxJavaType.FLOAT16) {
                ShortBuffer halves = direct(values.length * Short.BYTES).asShortBuffer();
                for (float value : values) {
                    halves.put(Float16.fromFloat(value));
                }
                return OnnxTensor.createTensor(environment, halves.flip(), shape, OnnxJavaType.FLOAT16);
            }
            FloatBuffer buffer = direct(values.length * Float.BYTES).asFloatBuffer().put(values).flip();
            return OnnxTensor.createTensor(environment, buffer, shape);
        } catch (OrtException e) {
            throw new IllegalStateException("Cannot create a " + type + " tensor", e);
        }
    }

    /** Token ids as int32 or int64. */
    static OnnxTensor integers(long[] values, long[] shape, OnnxJavaType type) {
        try {
            OrtEnvironment environment = OrtModel.environment();
            if (type == OnnxJavaType.INT32) {
                IntBuffer buffer = direct(values.length * Integer.BYTES).asIntBuffer();
                for (long value : values) {
                    buffer.put(Math.toIntExact(value));
                }
                return OnnxTensor.createTensor(environment, buffer.flip(), shape);
            }
            LongBuffer buffer = direct(values.length * Long.BYTES).asLongBuffer().put(values).flip();
            return OnnxTensor.createTensor(environment, buffer, shape);
        } catch (OrtException e) {
            throw new IllegalStateException("Cannot create a " + type + " tensor", e);
        }
    }

    /**
     * A timestep in the model's element type: an integer type truncates it, as diffusers' ONNX
     * pipeline does with numpy's {@code astype}; {@code count} copies, or a scalar if the shape is [].
     */
    static OnnxTensor timestep(double timestep, long[] shape, OnnxJavaType type) {
        int count = shape.length == 0 ? 1 : Math.toIntExact(shape[0]);
        if (type == OnnxJavaType.FLOAT || type == OnnxJavaType.FLOAT16) {
            float[] values = new float[count];
            Arrays.fill(values, (float) timestep);
            return floats(values, shape, type);
        }
        long[] values = new long[count];
        Arrays.fill(values, (long) timestep);
        return integers(values, shape, type);
    }

    /** The values of a float32 or float16 tensor as floats. */
    static float[] toFloats(OnnxTensor tensor) {
        OnnxJavaType type = tensor.getInfo().type;
        if (type == OnnxJavaType.FLOAT16) {
            ShortBuffer halves = tensor.getShortBuffer();
            float[] values = new float[halves.remaining()];
            for (int i = 0; i < values.length; i++) {
                values[i] = Float16.toFloat(halves.get(i));
            }
            return values;
        }
        if (type != OnnxJavaType.FLOAT) {
            throw new IllegalStateException("Expected a float tensor, got " + type);
        }
        FloatBuffer buffer = tensor.getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
    }

    private static ByteBuffer direct(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }
}
