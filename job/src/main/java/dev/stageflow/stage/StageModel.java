package dev.stageflow.stage;

import dev.stageflow.inference.ModelIdentity;
import dev.stageflow.inference.ModelKind;
import dev.stageflow.inference.ModelSpec;
import java.util.Optional;

/**
 * A stage's model in one subtask, loaded once: when the subtask opens if its identity (the version
 * its outputs are keyed by) cannot be known without loading it ({@link ModelKind#identify}: a
 * family that cannot tell, or a model on a GPU), else by the first call that needs it, a cache
 * miss, on the batcher thread that has it. A run whose every prompt is a cache hit never loads
 * such a model. A model that fails to load then fails the job ({@link ModelLoadException}), as a
 * failure in {@code open()} does; so does a loaded model whose identity is not the one its family
 * announced, since outputs were keyed by that.
 */
final class StageModel<M extends AutoCloseable> implements AutoCloseable {

    private final ModelKind<M, ?> kind;
    private final ModelSpec spec;
    private final Runnable onLoad;
    private final ModelIdentity identity;
    private volatile M model;
    private boolean closed;

    private StageModel(ModelKind<M, ?> kind, ModelSpec spec, Runnable onLoad, ModelIdentity identity, M model) {
        this.kind = kind;
        this.spec = spec;
        this.onLoad = onLoad;
        this.identity = identity;
        this.model = model;
    }

    /** The model {@code spec} asks for, loaded now or later (see the class comment); {@code onLoad} runs once it is loaded. */
    static <M extends AutoCloseable> StageModel<M> open(ModelKind<M, ?> kind, ModelSpec spec, Runnable onLoad) {
        Optional<ModelIdentity> known = kind.identify(spec);
        if (known.isPresent()) {
            return new StageModel<>(kind, spec, onLoad, known.get(), null);
        }
        M model = kind.create(spec);
        onLoad.run();
        return new StageModel<>(kind, spec, onLoad, kind.identityOf(model), model);
    }

    ModelIdentity identity() {
        return identity;
    }

    /** The model, loaded by the first caller. */
    M get() {
        M loaded = model;
        return loaded != null ? loaded : load();
    }

    private synchronized M load() {
        if (model != null) {
            return model;
        }
        if (closed) {
            throw new IllegalStateException("The " + kind.options().prefix + " model " + spec.model() + " is closed");
        }
        M made;
        try {
            made = kind.create(spec);
        } catch (RuntimeException e) {
            throw new ModelLoadException("Cannot load the " + kind.options().prefix + " model " + spec.model()
                    + " (family " + spec.family() + "): " + e.getMessage(), e);
        }
        ModelIdentity actual = kind.identityOf(made);
        if (!actual.equals(identity)) {
            ModelLoadException mismatch = new ModelLoadException("The " + spec.family() + " family said the " + kind.options().prefix
                    + " model " + spec.model() + " is " + identity + " before loading it, and the loaded model says "
                    + actual + "; its outputs would be stored under the wrong version", null);
            try {
                made.close();
            } catch (Exception e) {
                mismatch.addSuppressed(e);
            }
            throw mismatch;
        }
        model = made;
        onLoad.run();
        return made;
    }

    @Override
    public synchronized void close() throws Exception {
        closed = true;
        if (model != null) {
            model.close();
        }
    }
}
