package dev.stageflow.store;

/** An artifact that is missing pieces or does not match its checksums. Names the artifact URI. */
public class CorruptArtifactException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String artifactUri;

    public CorruptArtifactException(String artifactUri, String problem) {
        super("Artifact " + artifactUri + " " + problem);
        this.artifactUri = artifactUri;
    }

    public String artifactUri() {
        return artifactUri;
    }
}
