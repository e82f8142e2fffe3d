package dev.stageflow.cli;

import dev.stageflow.servers.FlinkCluster;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Which cluster a command talks to: {@code --jobmanager}, else the local one, else localhost:8081. */
final class ClusterOption {

    static final String DEFAULT_ADDRESS = "localhost:8081";

    @Option(names = "--jobmanager", paramLabel = "HOST:PORT",
            description = "REST address of the cluster (default: the cluster 'stageflow cluster start' runs from the"
                    + " data directory, else " + DEFAULT_ADDRESS + ")")
    String jobmanager;

    @Mixin
    DataDirOption dataDir;

    String address() {
        return jobmanager != null ? jobmanager : FlinkCluster.restAddress(dataDir()).orElse(DEFAULT_ADDRESS);
    }

    Path dataDir() {
        return dataDir.get();
    }
}
