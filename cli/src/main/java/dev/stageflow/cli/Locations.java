package dev.stageflow.cli;

import java.net.URI;
import java.nio.file.Path;

/** Where a user's path or URI points, as the job needs it: one reading for every command. */
final class Locations {

    private Locations() {}

    /**
     * {@code pathOrUri} as a URI: a URI with a scheme as it is ({@code s3://b/p}, {@code file:///d}),
     * a bare path made an absolute {@code file:} URI, so messages and records say which directory.
     */
    static URI asUri(String pathOrUri) {
        if (pathOrUri.matches("[A-Za-z][A-Za-z0-9+.-]*:/.*")) {
            return URI.create(pathOrUri);
        }
        return Path.of(pathOrUri).toAbsolutePath().normalize().toUri();
    }

    /** How a command prints a location: a local file as its path, anything else as its URI. */
    static String display(URI location) {
        return "file".equals(location.getScheme()) ? location.getPath() : location.toString();
    }

    /** {@link #display(URI)} of a URI given as text. */
    static String display(String uri) {
        return display(URI.create(uri));
    }
}
