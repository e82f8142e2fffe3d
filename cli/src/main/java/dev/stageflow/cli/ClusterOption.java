package dev.stageflow.cli;

import dev.stageflow.servers.ClusterAddress;
import dev.stageflow.servers.FlinkCluster;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Which cluster a command talks to: {@code --jobmanager}, else the local one, else localhost:8081. An
 * address is a {@link ClusterAddress}: host:port, or zookeeper://quorum for a cluster with high availability.
 */
final class ClusterOption {

    static final String DEFAULT_ADDRESS = "localhost:8081";

    @Option(names = "--jobmanager", paramLabel = "ADDRESS",
            description = "REST address of the cluster, HOST:PORT or, with high availability, zookeeper://QUORUM[/CLUSTER-ID]"
                    + " (default: the cluster 'stageflow cluster start' runs from the data directory, else "
                    + DEFAULT_ADDRESS + ")")
    String jobmanager;

    @Mixin
    DataDirOption dataDir;

    String address() {
        return jobmanager != null ? jobmanager : FlinkCluster.clientAddress(dataDir()).orElse(DEFAULT_ADDRESS);
    }

    Path dataDir() {
        return dataDir.get();
    }
}
