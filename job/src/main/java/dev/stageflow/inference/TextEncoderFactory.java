package dev.stageflow.inference;

/** A family of text encoders for the text-encode stage; see {@link ModelFactory} for the contract. */
public interface TextEncoderFactory extends ModelFactory<TextEncoder> {}
