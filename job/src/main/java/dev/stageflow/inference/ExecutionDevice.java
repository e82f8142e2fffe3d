package dev.stageflow.inference;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a model runs: the CPU, or CUDA device {@code index} through ONNX Runtime's CUDA execution
 * provider. Written {@code cpu}, {@code cuda:N}, or {@code cuda}: the GPU that Flink gave the
 * subtask's TaskManager as its external resource {@code gpu} (the first, if several), else GPU 0.
 *
 * @param cuda whether the device is a CUDA GPU
 * @param index the GPU's index (0 for the CPU), {@value #ASSIGNED} for the one Flink assigns
 */
public record ExecutionDevice(boolean cuda, int index) implements Serializable {

    public static final ExecutionDevice CPU = new ExecutionDevice(false, 0);
    public static final int ASSIGNED = -1;

    private static final Pattern CUDA = Pattern.compile("cuda(?::(\\d{1,3}))?");

    public ExecutionDevice {
        if (index < ASSIGNED || !cuda && index != 0) {
            throw new IllegalArgumentException("No such device: " + (cuda ? "cuda:" : "cpu:") + index);
        }
    }

    /** The device {@code text} names; fails naming what is allowed. */
    public static ExecutionDevice parse(String text) {
        String device = text.trim().toLowerCase(Locale.ROOT);
        if (device.equals("cpu")) {
            return CPU;
        }
        Matcher cuda = CUDA.matcher(device);
        if (cuda.matches()) {
            return new ExecutionDevice(true, cuda.group(1) == null ? ASSIGNED : Integer.parseInt(cuda.group(1)));
        }
        throw new IllegalArgumentException("'" + text + "' is not a device: 'cpu', or 'cuda:N' for GPU N");
    }

    /**
     * This device with {@code cuda} resolved: the first of {@code assignedGpus} (the indexes of the
     * GPUs Flink gave the TaskManager, as its GPU plugin reports them), else GPU 0.
     */
    public ExecutionDevice assign(List<Integer> assignedGpus) {
        if (!cuda || index != ASSIGNED) {
            return this;
        }
        return new ExecutionDevice(true, assignedGpus.isEmpty() ? 0 : assignedGpus.get(0));
    }

    @Override
    public String toString() {
        return !cuda ? "cpu" : index == ASSIGNED ? "cuda" : "cuda:" + index;
    }
}
