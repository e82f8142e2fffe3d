package dev.stageflow.inference;

/**
 * What a stage needs to know of its model before it runs it: the name and version its outputs
 * are keyed by, and for a text encoder the {@link TextEncoder#dimension()} and {@link
 * TextEncoder#encodesNegativeText()} of its embeddings (0 and false for the other kinds).
 */
public record ModelIdentity(String name, String version, int dimension, boolean encodesNegativeText) {

    /** The identity of an image generator or enhancer. */
    public static ModelIdentity of(String name, String version) {
        return new ModelIdentity(name, version, 0, false);
    }
}
