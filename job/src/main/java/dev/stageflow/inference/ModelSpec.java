package dev.stageflow.inference;

import java.io.Serializable;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;

/**
 * What a model stage asks its {@link ModelFactory} for, resolved and checked when the job is built
 * ({@link ModelFamilies#resolve}) and shipped with the operator.
 *
 * @param family the selected family, {@code *.family}
 * @param model what the family loads, {@code *.model}: a built-in model's name or a path
 * @param device where the model runs, {@code *.device}
 * @param fallbackToCpu whether a device that cannot be used falls back to the CPU, {@code *.device-fallback}
 * @param threads compute threads of one subtask, {@code *.threads}
 * @param stageOptions every option under the stage's prefix (e.g. {@code enhancer.sharpen-amount}), keys unchanged
 * @param familyOptions the family's own options, {@code *.options.<name>}, keyed by name
 */
public record ModelSpec(String family, String model, ExecutionDevice device, boolean fallbackToCpu, int threads,
        Map<String, String> stageOptions, Map<String, String> familyOptions) implements Serializable {

    public ModelSpec {
        stageOptions = new TreeMap<>(stageOptions);
        familyOptions = new TreeMap<>(familyOptions);
    }

    /** A spec with no options, for code that makes a model outside a job. */
    public static ModelSpec of(String family, String model, int threads) {
        return new ModelSpec(family, model, ExecutionDevice.CPU, false, threads, Map.of(), Map.of());
    }

    /** The stage's options as a configuration, to read with their {@code ConfigOption}s. */
    public Configuration configuration() {
        return Configuration.fromMap(stageOptions);
    }

    /** {@link #model()} as a path. */
    public Path modelPath() {
        return Paths.get(model);
    }

    /** This spec with {@code threads} compute threads. */
    public ModelSpec withThreads(int threads) {
        return new ModelSpec(family, model, device, fallbackToCpu, threads, stageOptions, familyOptions);
    }

    /** This spec on {@code device}. */
    public ModelSpec on(ExecutionDevice device) {
        return new ModelSpec(family, model, device, fallbackToCpu, threads, stageOptions, familyOptions);
    }

    /** This spec on the CPU: what a factory loads when the device fails and {@link #fallbackToCpu()}. */
    public ModelSpec onCpu() {
        return on(ExecutionDevice.CPU);
    }
}
