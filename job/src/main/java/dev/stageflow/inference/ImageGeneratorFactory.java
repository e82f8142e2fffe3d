package dev.stageflow.inference;

/** A family of image generators for the image-generate stage; see {@link ModelFactory} for the contract. */
public interface ImageGeneratorFactory extends ModelFactory<ImageGenerator> {}
