package dev.stageflow.store;

/** An artifact that is missing pieces or does not match its checksums. Names the artifact URI. */
public class CorruptArtifactException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String artifactUri;
    private final String problem;

    public CorruptArtifactException(String artifactUri, String problem) {
        super("Artifact " + artifactUri + " " + problem);
        this.artifactUri = artifactUri;
        this.problem = problem;
    }

    public CorruptArtifactException(String artifactUri, String problem, Throwable cause) {
        this(artifactUri, problem);
        initCause(cause);
    }

    public String artifactUri() {
        return artifactUri;
    }

    /** What is wrong, without the URI: "has a corrupt chunk …". */
    public String problem() {
        return problem;
    }
}
