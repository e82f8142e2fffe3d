package dev.stageflow.servers;

import java.net.URI;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.RestOptions;

/**
 * Where a REST client finds a Flink cluster, as the command line accepts and records it: {@code
 * host:port}, a JobManager's REST API, or {@code zookeeper://<quorum>[/<cluster-id>]}, a cluster
 * with ZooKeeper high availability. Flink's {@code RestClusterClient} under the latter's options
 * asks ZooKeeper which JobManager leads and follows the leader when it changes, so an address of
 * that form stays valid across a failover, where a JobManager's own host:port would not.
 */
public final class ClusterAddress {

    private static final String ZOOKEEPER = "zookeeper://";

    private ClusterAddress() {}

    /** The address of the cluster whose JobManagers elect their leader in ZooKeeper {@code quorum}. */
    public static String ofZooKeeper(String quorum) {
        return ZOOKEEPER + quorum;
    }

    /** The options of a {@code RestClusterClient} of the cluster at {@code address}. */
    public static Configuration clientConfiguration(String address) {
        Configuration conf = new Configuration();
        if (address.startsWith(ZOOKEEPER)) {
            String quorumAndId = address.substring(ZOOKEEPER.length());
            int slash = quorumAndId.indexOf('/');
            String quorum = slash < 0 ? quorumAndId : quorumAndId.substring(0, slash);
            if (quorum.isEmpty()) {
                throw invalid(address);
            }
            conf.set(HighAvailabilityOptions.HA_MODE, "zookeeper");
            conf.set(HighAvailabilityOptions.HA_ZOOKEEPER_QUORUM, quorum);
            if (slash >= 0 && slash < quorumAndId.length() - 1) {
                conf.set(HighAvailabilityOptions.HA_CLUSTER_ID, quorumAndId.substring(slash));
            }
            return conf;
        }
        URI uri = URI.create("http://" + address);
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw invalid(address);
        }
        conf.set(RestOptions.ADDRESS, uri.getHost());
        conf.set(RestOptions.PORT, uri.getPort());
        return conf;
    }

    private static IllegalArgumentException invalid(String address) {
        return new IllegalArgumentException("A cluster address is host:port (its REST API) or"
                + " zookeeper://host:port[,host:port...][/cluster-id] (a cluster with high availability), not '"
                + address + "'");
    }
}
