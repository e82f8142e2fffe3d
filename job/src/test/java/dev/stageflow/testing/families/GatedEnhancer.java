package dev.stageflow.testing.families;

import dev.stageflow.inference.ImageEnhancer;
import dev.stageflow.inference.ImageEnhancerFactory;
import dev.stageflow.inference.ModelSpec;
import dev.stageflow.inference.RgbImage;
import dev.stageflow.model.Style;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * A test family that holds prompts in the image-enhance stage: {@link #enhance} waits until the
 * {@link Gate} named by {@code enhancer.options.gate} is open, then returns its input unchanged.
 * Registered on the test classpath only, like {@link PosterizeEnhancer}. With the gate closed, every
 * prompt that reaches the stage stays in its async queue (and so in its checkpoints): what the
 * memory benchmark measures. Gates are JVM-wide, so it works in a MiniCluster in the caller's JVM.
 */
public final class GatedEnhancer implements ImageEnhancer {

    public static final String FAMILY = "test-gated";
    public static final String GATE = "gate";

    private static final Map<String, Gate> GATES = new ConcurrentHashMap<>();

    private final Gate gate;

    GatedEnhancer(Gate gate) {
        this.gate = gate;
    }

    /** The gate named {@code name}, closed when first asked for. */
    public static Gate gate(String name) {
        return GATES.computeIfAbsent(name, n -> new Gate());
    }

    /** Forgets the gate named {@code name} (opening it first, so nothing waits on it for ever). */
    public static void remove(String name) {
        Gate gate = GATES.remove(name);
        if (gate != null) {
            gate.open();
        }
    }

    @Override
    public String name() {
        return FAMILY;
    }

    @Override
    public String version() {
        return FAMILY + "-v1";
    }

    @Override
    public RgbImage enhance(RgbImage input, Style style) {
        gate.await();
        return input;
    }

    /** Closed until opened; {@link #waiting} tells how many calls wait on it now. */
    public static final class Gate {
        private boolean open;
        private int waiting;

        public synchronized void open() {
            open = true;
            notifyAll();
        }

        public synchronized int waiting() {
            return waiting;
        }

        synchronized void await() {
            waiting++;
            try {
                while (!open) {
                    wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the gate", e);
            } finally {
                waiting--;
            }
        }
    }

    /** The family, found by {@link java.util.ServiceLoader}. */
    public static final class Factory implements ImageEnhancerFactory {

        @Override
        public String family() {
            return FAMILY;
        }

        @Override
        public void validate(ModelSpec spec) {
            gateName(spec);
        }

        @Override
        public ImageEnhancer create(ModelSpec spec) {
            return new GatedEnhancer(gate(gateName(spec)));
        }

        private static String gateName(ModelSpec spec) {
            String name = spec.familyOptions().get(GATE);
            if (name == null || name.isBlank()) {
                throw new IllegalConfigurationException("Option enhancer.options.gate must name the gate");
            }
            return name;
        }
    }
}
