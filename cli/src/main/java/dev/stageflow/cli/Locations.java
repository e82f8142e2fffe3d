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

    /** {@code uri} for a reader: a local file's path, anything else as it is. */
    static String display(String uri) {
        URI parsed = URI.create(uri);
        return "file".equals(parsed.getScheme()) ? parsed.getPath() : uri;
    }
}
