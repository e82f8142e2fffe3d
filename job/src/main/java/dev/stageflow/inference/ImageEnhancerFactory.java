package dev.stageflow.inference;

/** A family of image enhancers for the image-enhance stage; see {@link ModelFactory} for the contract. */
public interface ImageEnhancerFactory extends ModelFactory<ImageEnhancer> {}
