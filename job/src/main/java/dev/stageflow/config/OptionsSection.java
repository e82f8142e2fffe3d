package dev.stageflow.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an {@code *Options} class, whose {@code ConfigOption} fields the README's option reference
 * lists under {@link #title}. The reference generator finds every such class on the classpath and
 * refuses an option declared anywhere else, so a new option cannot be left out of the docs.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface OptionsSection {

    /** The section's title in the README. */
    String title();

    /**
     * Sections appear by increasing position: the path of a prompt through the job (input,
     * stages, store, outputs), then the tools.
     */
    int position();
}
