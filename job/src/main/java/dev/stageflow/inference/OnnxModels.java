package dev.stageflow.inference;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.Translator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * How the project's families load an ONNX model: ONNX Runtime through DJL, on the spec's device (the
 * CUDA execution provider for {@code cuda:N}), one inter-op thread and {@code threads} intra-op threads.
 */
final class OnnxModels {

    private OnnxModels() {}

    /** The model {@code dir/name.onnx}, with {@code translator}, on {@code spec}'s device. */
    static <I, O> ZooModel<I, O> load(Path dir, String name, Class<I> input, Class<O> output,
            Translator<I, O> translator, ModelSpec spec) {
        Criteria<I, O> criteria = Criteria.builder()
                .setTypes(input, output)
                .optModelPath(dir)
                .optModelName(name)
                .optEngine("OnnxRuntime")
                .optDevice(device(spec.device().assign(List.of())))
                .optOption("interOpNumThreads", "1")
                .optOption("intraOpNumThreads", String.valueOf(spec.threads()))
                .optTranslator(translator)
                .build();
        try {
            return criteria.loadModel();
        } catch (IOException | ModelNotFoundException | MalformedModelException | RuntimeException e) {
            throw new IllegalStateException("Cannot load model " + dir.resolve(name + ".onnx") + " on "
                    + spec.device() + ": " + innermost(e), e);
        }
    }

    private static Device device(ExecutionDevice device) {
        return device.cuda() ? Device.gpu(device.index()) : Device.cpu();
    }

    /** The innermost cause's message: DJL wraps what ONNX Runtime said (a missing provider, a bad graph). */
    private static String innermost(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getName();
    }
}
