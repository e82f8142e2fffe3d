package dev.stageflow.inference;

import java.util.Optional;
import java.util.Set;

/**
 * A model family: what makes the models of one stage kind from a {@link ModelSpec}. The stage kinds
 * each have their own factory interface ({@link TextEncoderFactory}, {@link ImageGeneratorFactory},
 * {@link ImageEnhancerFactory}); an implementation is registered for {@link java.util.ServiceLoader}
 * in {@code META-INF/services/<that interface>} of its jar, and selected by the stage's {@code
 * *.family} option. A family in a user's own jar joins the job's classpath (the job jar's, or a jar
 * the submission ships: README.md, "Model families") without a change to stageflow.
 *
 * <p>What every family guarantees:
 *
 * <ul>
 *   <li><b>A version that names the bits.</b> {@code version()} of what {@link #create} makes is part of
 *       every cache and artifact key of its outputs. It must change whenever an output could change:
 *       derive it from the content of the model files and of every setting that shapes the output, never
 *       from a name a user can leave stale, or a replaced model reuses the old model's artifacts.
 *   <li><b>Determinism per version.</b> The same input on the same version gives the same bits, alone or in
 *       a batch, at any thread count, on every run: recovery replays prompts and finds their artifacts by
 *       content key. Randomness comes from the prompt's seed, never from the engine or the clock.
 *   <li><b>Failures by kind.</b> An {@link java.io.IOException} (or {@link java.io.UncheckedIOException})
 *       means the call may succeed if retried; any other exception means the model cannot do this input,
 *       and the stage splits the batch and gives the prompt up after {@code *.max-attempts}.
 * </ul>
 *
 * <p>A factory is stateless and cheap to construct: the job finds it again in every subtask.
 *
 * @param <M> what the family makes
 */
public interface ModelFactory<M extends AutoCloseable> {

    /** The family's identifier, the value of {@code *.family} that selects it: lower case, e.g. {@code sd-onnx}. */
    String family();

    /**
     * Models the family loads by name rather than from a path. A {@code *.model} among them selects
     * this family when {@code *.family} is not set.
     */
    default Set<String> builtinModels() {
        return Set.of();
    }

    /**
     * Checks {@code spec} when the job is built, before anything runs: a model the family cannot load
     * (a missing file, an input it does not have) fails here with a message naming the file and what is
     * wrong, or the option. A path that is not on this machine (it is on the cluster's) is not checked.
     */
    default void validate(ModelSpec spec) {}

    /**
     * The identity of the model {@link #create} would make from {@code spec}, found without loading
     * it (from the spec and the files' hashes), if the family can tell it: it must equal what the
     * model's own {@code name()}, {@code version()} (and a text encoder's {@code dimension()} and
     * {@code encodesNegativeText()}) say. Then a stage on the CPU loads the model only when a
     * prompt misses the cache, and a run whose every prompt is a hit never loads it. Empty (the
     * default): the stage loads the model when it opens.
     */
    default Optional<ModelIdentity> identify(ModelSpec spec) {
        return Optional.empty();
    }

    /**
     * A model for one subtask, made once (when the subtask opens, or at its first cache miss: {@link
     * #identify}) and closed when the subtask closes, running on
     * {@link ModelSpec#device()} with at most {@link ModelSpec#threads()} compute threads. A device it
     * cannot use fails here, unless {@link ModelSpec#fallbackToCpu()}.
     */
    M create(ModelSpec spec);
}
