package dev.stageflow.tools;

import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import dev.stageflow.inference.GaussianNoise;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Builds a small ONNX model in memory, with weights that are pseudo-random but fixed.
 *
 * <p>Build time only: the ONNX protobuf classes come from tribuo-util-onnx in "provided" scope and
 * are not in the job jar. The result is deterministic, because each weight tensor is drawn from a
 * seed derived from {@code weightSeedPrefix} and the tensor's name, and protobuf-java serializes
 * fields in field-number order (these messages have no maps, whose order could vary).
 */
final class OnnxGraphBuilder {

    private static final long IR_VERSION = 8;
    private static final long OPSET_VERSION = 17;

    private final String weightSeedPrefix;
    private final GraphProto.Builder graph;

    OnnxGraphBuilder(String graphName, String weightSeedPrefix) {
        this.weightSeedPrefix = weightSeedPrefix;
        this.graph = GraphProto.newBuilder().setName(graphName);
    }

    /** Declares a float graph input; a dimension is an {@code Integer}, or a {@code String} if dynamic. */
    void input(String name, Object... dims) {
        graph.addInput(valueInfo(name, TensorProto.DataType.FLOAT, dims));
    }

    /** Declares a graph input of element type {@code type}, dimensions as for {@link #input(String, Object...)}. */
    void input(String name, TensorProto.DataType type, Object... dims) {
        graph.addInput(valueInfo(name, type, dims));
    }

    /** Declares a float graph output, dimensions as for {@link #input}. */
    void output(String name, Object... dims) {
        graph.addOutput(valueInfo(name, TensorProto.DataType.FLOAT, dims));
    }

    /** Declares a graph output of element type {@code type}. */
    void output(String name, TensorProto.DataType type, Object... dims) {
        graph.addOutput(valueInfo(name, type, dims));
    }

    /**
     * A weight tensor drawn from N(0, 1)·gain/√fanIn, where fanIn is the product of all dimensions
     * but the first (the output channels of a Conv, or of a Gemm with {@code transB = 1}), so that a
     * layer's output has a spread of about {@code gain} for inputs of unit spread.
     */
    String weight(String name, double gain, long... shape) {
        long fanIn = Arrays.stream(shape).skip(1).reduce(1, Math::multiplyExact);
        return randomTensor(name, gain / Math.sqrt(fanIn), shape);
    }

    /** A bias vector drawn from N(0, 1)·scale. */
    String bias(String name, double scale, long length) {
        return randomTensor(name, scale, length);
    }

    /** {@code count} values drawn from N(0, 1)·scale, fixed by {@code tensorName}. */
    float[] randomValues(String tensorName, double scale, int count) {
        float[] values = GaussianNoise.sample(seedOf(tensorName), count);
        for (int i = 0; i < count; i++) {
            values[i] = (float) (values[i] * scale);
        }
        return values;
    }

    /** A float initializer of {@code shape}; an empty shape makes a scalar. */
    String floatTensor(String name, float[] values, long... shape) {
        graph.addInitializer(TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.FLOAT.getNumber())
                .addAllDims(Arrays.stream(shape).boxed().toList())
                .setRawData(littleEndian(values.length * Float.BYTES, buffer -> {
                    for (float value : values) {
                        buffer.putFloat(value);
                    }
                })));
        return name;
    }

    String int64Vector(String name, long... values) {
        graph.addInitializer(TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.INT64.getNumber())
                .addDims(values.length)
                .setRawData(littleEndian(values.length * Long.BYTES, buffer -> {
                    for (long value : values) {
                        buffer.putLong(value);
                    }
                })));
        return name;
    }

    /** Adds a node without attributes; returns its output's name. */
    String node(String opType, String output, String... inputs) {
        return node(opType, output, List.of(inputs));
    }

    /** Adds a node; an empty input name skips an optional input. Returns its output's name. */
    String node(String opType, String output, List<String> inputs, AttributeProto... attributes) {
        graph.addNode(NodeProto.newBuilder()
                .setName(output)
                .setOpType(opType)
                .addAllInput(inputs)
                .addOutput(output)
                .addAllAttribute(List.of(attributes)));
        return output;
    }

    static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value).build();
    }

    static AttributeProto intsAttribute(String name, long... values) {
        AttributeProto.Builder attribute = AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeType.INTS);
        Arrays.stream(values).forEach(attribute::addInts);
        return attribute.build();
    }

    static AttributeProto stringAttribute(String name, String value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value))
                .build();
    }

    ModelProto build(String producerVersion) {
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET_VERSION))
                .setProducerName("stageflow")
                .setProducerVersion(producerVersion)
                .setGraph(graph)
                .build();
    }

    private String randomTensor(String name, double scale, long... shape) {
        int count = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        return floatTensor(name, randomValues(name, scale, count), shape);
    }

    private long seedOf(String tensorName) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((weightSeedPrefix + "/" + tensorName).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required on every Java platform", e);
        }
    }

    /** ONNX raw_data is always little-endian, whatever the platform. */
    private static ByteString littleEndian(int bytes, Consumer<ByteBuffer> writer) {
        ByteBuffer buffer = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        writer.accept(buffer);
        return ByteString.copyFrom(buffer.array());
    }

    private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object dim : dims) {
            shape.addDim(dim instanceof String symbol
                    ? TensorShapeProto.Dimension.newBuilder().setDimParam(symbol)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue((Integer) dim));
        }
        TypeProto.Tensor tensorType = TypeProto.Tensor.newBuilder()
                .setElemType(type.getNumber())
                .setShape(shape)
                .build();
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder().setTensorType(tensorType))
                .build();
    }
}
