package dev.stageflow.testing;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.stageflow.inference.OnnxImageGenerator;
import dev.stageflow.stage.RequestLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A generator export ({@code denoiser.onnx}, {@code decoder.onnx}) made from the built-in one, but
 * whose decoder declares a fixed latent size, as many real exports do. ONNX Runtime refuses a
 * latent of any other size, so a prompt of another image size fails in the model, every time, on
 * a real model: a per-prompt model error without a fault hook.
 */
public final class FixedShapeGenerator {

    private FixedShapeGenerator() {}

    /** The export in {@code dir}, for images of {@code side}×{@code side} pixels only. */
    public static Path write(Path dir, int side) {
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve(OnnxImageGenerator.DENOISER_FILE), builtin(OnnxImageGenerator.DENOISER_FILE));
            ModelProto decoder = ModelProto.parseFrom(builtin(OnnxImageGenerator.DECODER_FILE));
            ModelProto.Builder fixed = decoder.toBuilder();
            ValueInfoProto.Builder latent = fixed.getGraphBuilder().getInputBuilder(0);
            TensorShapeProto.Builder shape = latent.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
            int cells = side / RequestLimits.SIZE_MULTIPLE;
            shape.setDim(2, TensorShapeProto.Dimension.newBuilder().setDimValue(cells));
            shape.setDim(3, TensorShapeProto.Dimension.newBuilder().setDimValue(cells));
            Files.write(dir.resolve(OnnxImageGenerator.DECODER_FILE), fixed.build().toByteArray());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write a fixed-shape generator to " + dir, e);
        }
    }

    private static byte[] builtin(String file) throws IOException {
        String resource = "/" + OnnxImageGenerator.BUILTIN_RESOURCE_DIR + "/" + file;
        try (InputStream in = FixedShapeGenerator.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("No resource " + resource);
            }
            return in.readAllBytes();
        }
    }
}
