package dev.stageflow.inference;

import static dev.stageflow.config.OptionChecks.require;

import dev.stageflow.config.ModelOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One kind of model stage: its options, its factory interface, and its default family. Finds the
 * families on the classpath with {@link ServiceLoader} (through the thread's context class loader,
 * which in a Flink task is the job's), resolves a stage's options to a {@link ModelSpec} when the job
 * is built, and makes the model in the subtask.
 *
 * @param <M> the model
 * @param <F> its factory interface
 */
public final class ModelKind<M extends AutoCloseable, F extends ModelFactory<M>> {

    public static final ModelKind<TextEncoder, TextEncoderFactory> TEXT_ENCODER =
            new ModelKind<>(ModelOptions.ENCODER, TextEncoderFactory.class, MiniLmTextEncoder.FAMILY,
                    encoder -> new ModelIdentity(encoder.name(), encoder.version(), encoder.dimension(),
                            encoder.encodesNegativeText()));
    public static final ModelKind<ImageGenerator, ImageGeneratorFactory> IMAGE_GENERATOR =
            new ModelKind<>(ModelOptions.GENERATOR, ImageGeneratorFactory.class, OnnxImageGenerator.FAMILY,
                    generator -> ModelIdentity.of(generator.name(), generator.version()));
    public static final ModelKind<ImageEnhancer, ImageEnhancerFactory> IMAGE_ENHANCER =
            new ModelKind<>(ModelOptions.ENHANCER, ImageEnhancerFactory.class, ClassicalEnhancer.FAMILY,
                    enhancer -> ModelIdentity.of(enhancer.name(), enhancer.version()));

    private static final Logger LOG = LoggerFactory.getLogger(ModelKind.class);
    private static final String CPU_FALLBACK = "cpu";

    private final ModelOptions options;
    private final Class<F> factoryType;
    private final String defaultFamily;
    private final Function<M, ModelIdentity> identityOf;

    private ModelKind(ModelOptions options, Class<F> factoryType, String defaultFamily,
            Function<M, ModelIdentity> identityOf) {
        this.options = options;
        this.factoryType = factoryType;
        this.defaultFamily = defaultFamily;
        this.identityOf = identityOf;
    }

    public ModelOptions options() {
        return options;
    }

    /**
     * The stage's spec from the job's options: the family (given, or the one whose built-in models
     * include {@code *.model}, or the default), checked by the family. Fails naming the option.
     */
    public ModelSpec resolve(Configuration conf, int threads) {
        String model = conf.get(options.model);
        Map<String, F> factories = factories();
        String family = conf.getOptional(options.family).orElseGet(() -> familyOf(model, factories));
        require(factories.containsKey(family), options.family, "one of " + factories.keySet()
                + " (the families on the classpath)", family);
        ExecutionDevice device;
        try {
            device = ExecutionDevice.parse(conf.get(options.device));
        } catch (IllegalArgumentException e) {
            throw new IllegalConfigurationException("Option " + options.device.key() + ": " + e.getMessage(), e);
        }
        String fallback = conf.get(options.deviceFallback);
        require(fallback.equals("none") || fallback.equals(CPU_FALLBACK), options.deviceFallback, "none or cpu",
                fallback);
        ModelSpec spec = new ModelSpec(family, model, device, fallback.equals(CPU_FALLBACK), threads,
                stageOptions(conf), conf.getOptional(options.familyOptions).orElse(Map.of()));
        factories.get(family).validate(spec);
        return spec;
    }

    /**
     * The model {@code spec} asks for, made by its family. A device the family cannot use falls back to
     * the CPU, with a warning, only when the spec allows it.
     */
    public M create(ModelSpec spec) {
        F factory = factories().get(spec.family());
        if (factory == null) {
            throw new IllegalStateException("No " + options.prefix + " family '" + spec.family() + "' on the"
                    + " classpath of this TaskManager; it has " + factories().keySet());
        }
        try {
            return factory.create(spec);
        } catch (RuntimeException e) {
            if (!spec.device().cuda()) {
                throw e;
            }
            if (!spec.fallbackToCpu()) {
                throw new IllegalStateException(options.device.key() + " is " + spec.device() + ", and the "
                        + spec.family() + " family cannot run " + spec.model() + " there: " + e.getMessage()
                        + ". Run on a machine with that GPU and the onnxruntime_gpu build (README.md, \"GPUs\"),"
                        + " or set " + options.deviceFallback.key() + ": cpu.", e);
            }
            LOG.warn("{} is {}, and the {} family cannot run {} there ({}); running on the CPU, as {} allows",
                    options.device.key(), spec.device(), spec.family(), spec.model(), e.getMessage(),
                    options.deviceFallback.key());
            return factory.create(spec.onCpu());
        }
    }

    /**
     * The identity of the model {@code spec} asks for without loading it ({@link
     * ModelFactory#identify}), if its family can tell it and the model runs on the CPU. A model on a
     * GPU is loaded when its subtask opens, so that a missing GPU fails the job (or falls back to
     * the CPU) at its start, whatever the cache holds.
     */
    public Optional<ModelIdentity> identify(ModelSpec spec) {
        if (spec.device().cuda()) {
            return Optional.empty();
        }
        F factory = factories().get(spec.family());
        return factory == null ? Optional.empty() : factory.identify(spec);
    }

    /** The identity of a loaded {@code model}: what it says of itself. */
    public ModelIdentity identityOf(M model) {
        return identityOf.apply(model);
    }

    /** The model the options {@code conf} ask for, outside a job (tools, benchmarks): {@link #resolve}, then {@link #create}. */
    public M create(Configuration conf, int threads) {
        return create(resolve(conf, threads));
    }

    /** The families on the classpath, by identifier. */
    public Map<String, F> factories() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Map<String, F> factories = new LinkedHashMap<>();
        List<String> clashes = new ArrayList<>();
        for (F factory : ServiceLoader.load(factoryType, loader != null ? loader : factoryType.getClassLoader())) {
            F earlier = factories.putIfAbsent(factory.family(), factory);
            if (earlier != null && earlier.getClass() != factory.getClass()) {
                clashes.add(factory.family() + " (" + earlier.getClass().getName() + ", "
                        + factory.getClass().getName() + ")");
            }
        }
        if (!clashes.isEmpty()) {
            throw new IllegalStateException("Two " + factoryType.getSimpleName() + "s on the classpath claim the"
                    + " same family: " + String.join("; ", clashes));
        }
        return factories;
    }

    private String familyOf(String model, Map<String, F> factories) {
        List<String> claiming = factories.values().stream()
                .filter(factory -> factory.builtinModels().contains(model))
                .map(ModelFactory::family)
                .collect(Collectors.toList());
        if (claiming.size() > 1) {
            throw new IllegalConfigurationException("The families " + claiming + " each have a built-in model "
                    + model + "; set " + options.family.key() + " to say which");
        }
        return claiming.isEmpty() ? defaultFamily : claiming.get(0);
    }

    private Map<String, String> stageOptions(Configuration conf) {
        Map<String, String> stage = new LinkedHashMap<>();
        conf.toMap().forEach((key, value) -> {
            if (key.startsWith(options.prefix + ".")) {
                stage.put(key, value);
            }
        });
        return stage;
    }
}
