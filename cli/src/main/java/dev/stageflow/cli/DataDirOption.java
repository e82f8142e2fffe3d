package dev.stageflow.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code --data-dir}: where runs are recorded, the local store, Redis data and local servers live. */
final class DataDirOption {

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data", scope = ScopeType.INHERIT,
            description = "root of runs, store, Redis data and local servers (default: ${DEFAULT-VALUE})")
    Path dataDir;

    Path get() {
        return dataDir.toAbsolutePath();
    }
}
