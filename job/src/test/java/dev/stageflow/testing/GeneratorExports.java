package dev.stageflow.testing;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import com.google.protobuf.ByteString;
import dev.stageflow.inference.OnnxImageGenerator;
import dev.stageflow.stage.RequestLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Generator exports ({@code denoiser.onnx}, {@code decoder.onnx} in a directory, as users give
 * them with {@code generator.model}) made from the built-in models with one change, to make real
 * models fail or differ in the ways real exports do.
 */
public final class GeneratorExports {

    private GeneratorExports() {}

    /**
     * The built-in generator whose decoder declares a fixed latent size, as many real exports do:
     * ONNX Runtime refuses a latent of any other size, so a prompt of another image size fails in
     * the model, every time.
     */
    public static Path fixedShape(Path dir, int side) {
        int cells = side / RequestLimits.SIZE_MULTIPLE;
        return write(dir, decoder -> {
            ModelProto.Builder fixed = decoder.toBuilder();
            TensorShapeProto.Builder shape = fixed.getGraphBuilder().getInputBuilder(0)
                    .getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
            shape.setDim(2, TensorShapeProto.Dimension.newBuilder().setDimValue(cells));
            shape.setDim(3, TensorShapeProto.Dimension.newBuilder().setDimValue(cells));
            return fixed.build();
        });
    }

    /**
     * The built-in generator with one decoder weight changed, claiming the built-in's version in
     * its {@code model.properties}: model files replaced without a new version, which the job must
     * not believe (versions are hashes of the files).
     */
    public static Path retrainedUnderTheSameVersion(Path dir) {
        write(dir, decoder -> {
            ModelProto.Builder changed = decoder.toBuilder();
            TensorProto.Builder weight = changed.getGraphBuilder().getInitializerBuilderList().stream()
                    .filter(tensor -> tensor.getDataType() == TensorProto.DataType.FLOAT.getNumber()
                            && tensor.getRawData().size() >= 4)
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("The decoder has no float weight"));
            ByteBuffer raw = ByteBuffer.wrap(weight.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
            raw.putFloat(0, raw.getFloat(0) + 0.5f);
            weight.setRawData(ByteString.copyFrom(raw.array()));
            return changed.build();
        });
        try {
            Files.writeString(dir.resolve("model.properties"), "version=" + OnnxImageGenerator.BUILTIN_VERSION + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    private static Path write(Path dir, UnaryOperator<ModelProto> decoderChange) {
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve(OnnxImageGenerator.DENOISER_FILE), builtin(OnnxImageGenerator.DENOISER_FILE));
            ModelProto decoder = ModelProto.parseFrom(builtin(OnnxImageGenerator.DECODER_FILE));
            Files.write(dir.resolve(OnnxImageGenerator.DECODER_FILE), decoderChange.apply(decoder).toByteArray());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write a generator export to " + dir, e);
        }
    }

    private static byte[] builtin(String file) throws IOException {
        String resource = "/" + OnnxImageGenerator.BUILTIN_RESOURCE_DIR + "/" + file;
        try (InputStream in = GeneratorExports.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("No resource " + resource);
            }
            return in.readAllBytes();
        }
    }
}
