package dev.stageflow.inference.sd;

import ai.djl.engine.Engine;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.stageflow.inference.ExecutionDevice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX model on ONNX Runtime, with the names, element types and shapes of its inputs and
 * outputs as the model itself declares them (the session's metadata), and checks of them that
 * name the file and what does not fit.
 */
final class OrtModel implements AutoCloseable {

    private final Path file;
    private final String displayName;
    private final OrtSession session;
    private final Map<String, TensorInfo> inputs = new LinkedHashMap<>();
    private final Map<String, TensorInfo> outputs = new LinkedHashMap<>();

    private OrtModel(Path file, String displayName, OrtSession session) throws OrtException {
        this.file = file;
        this.displayName = displayName;
        this.session = session;
        collect(session.getInputInfo(), inputs);
        collect(session.getOutputInfo(), outputs);
    }

    /**
     * Opens {@code file} on {@code device} (the CUDA execution provider for a GPU, which needs the
     * onnxruntime_gpu build) with {@code threads} intra-op threads; {@code metadataOnly} skips graph
     * optimisation, for a check at job build time that only reads the declared tensors.
     */
    static OrtModel open(Path file, String displayName, ExecutionDevice device, int threads, boolean metadataOnly) {
        OrtEnvironment environment = environment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setInterOpNumThreads(1);
            options.setIntraOpNumThreads(threads);
            if (device.cuda()) {
                options.addCUDA(device.assign(List.of()).index());
            }
            if (metadataOnly) {
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            }
            OrtSession session = environment.createSession(file.toString(), options);
            try {
                return new OrtModel(file, displayName, session);
            } catch (OrtException | RuntimeException e) {
                session.close();
                throw e;
            }
        } catch (OrtException e) {
            throw new IllegalArgumentException(displayName + " is not a model ONNX Runtime can load on " + device + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * ONNX Runtime's one environment per JVM, always created by DJL's engine: DJL sets its thread
     * pool when it creates the environment and fails if one exists already, so a family on DJL
     * (minilm, cppn) in the same TaskManager would fail after this one had created it.
     */
    static OrtEnvironment environment() {
        Engine.getEngine("OnnxRuntime");
        return OrtEnvironment.getEnvironment();
    }

    String displayName() {
        return displayName;
    }

    /** The declared input {@code name}, checked against the allowed element types and ranks. */
    TensorInfo input(String name, Set<OnnxJavaType> types, int... ranks) {
        return check("input", inputs, name, types, ranks);
    }

    /** The declared output {@code name}, checked as {@link #input}. */
    TensorInfo output(String name, Set<OnnxJavaType> types, int... ranks) {
        return check("output", outputs, name, types, ranks);
    }

    /** Refuses a model with inputs beyond {@code fed}: nothing would feed them. */
    void requireOnlyInputs(Set<String> fed, String hint) {
        List<String> extra = new ArrayList<>();
        for (String name : inputs.keySet()) {
            if (!fed.contains(name)) {
                extra.add(name);
            }
        }
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException(displayName + " has inputs " + extra + " that the sd-onnx family does"
                    + " not feed (" + hint + "); its inputs are " + describe(inputs));
        }
    }

    /** A fixed dimension, or -1 if the model leaves it dynamic. */
    static long dimension(TensorInfo info, int axis) {
        return info.getShape()[axis];
    }

    /** Runs the model; the caller closes the result. Inputs are closed here. */
    OrtSession.Result run(Map<String, OnnxTensor> feeds) {
        try {
            return session.run(feeds);
        } catch (OrtException e) {
            throw new IllegalStateException(displayName + " failed: " + e.getMessage(), e);
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    /** The float values of output {@code name} of {@code result} (float32 or float16 in the model). */
    static float[] floats(OrtSession.Result result, String name) {
        OnnxValue value = result.get(name).orElseThrow(() -> new IllegalStateException("No output " + name));
        return Tensors.toFloats((OnnxTensor) value);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("Cannot close " + file, e);
        }
    }

    private TensorInfo check(String kind, Map<String, TensorInfo> declared, String name, Set<OnnxJavaType> types,
            int... ranks) {
        TensorInfo info = declared.get(name);
        if (info == null) {
            throw new IllegalArgumentException(displayName + " has no " + kind + " '" + name + "'; its " + kind
                    + "s are " + describe(declared));
        }
        if (!types.contains(info.type)) {
            throw new IllegalArgumentException(displayName + ": " + kind + " '" + name + "' is " + info.type
                    + ", expected one of " + types);
        }
        if (Arrays.stream(ranks).noneMatch(rank -> rank == info.getShape().length)) {
            throw new IllegalArgumentException(displayName + ": " + kind + " '" + name + "' has rank "
                    + info.getShape().length + " " + Arrays.toString(info.getShape()) + ", expected rank "
                    + Arrays.toString(ranks));
        }
        return info;
    }

    private static String describe(Map<String, TensorInfo> declared) {
        List<String> parts = new ArrayList<>();
        declared.forEach((name, info) -> parts.add(name + " " + info.type + Arrays.toString(info.getShape())));
        return parts.toString();
    }

    private static void collect(Map<String, NodeInfo> nodes, Map<String, TensorInfo> into) {
        nodes.forEach((name, node) -> {
            if (node.getInfo() instanceof TensorInfo tensor) {
                into.put(name, tensor);
            }
        });
    }
}
