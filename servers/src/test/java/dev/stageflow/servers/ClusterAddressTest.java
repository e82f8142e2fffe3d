package dev.stageflow.servers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.RestOptions;
import org.junit.jupiter.api.Test;

class ClusterAddressTest {

    @Test
    void hostAndPortIsAJobManagersRestApi() {
        Configuration conf = ClusterAddress.clientConfiguration("localhost:8081");

        assertThat(conf.get(RestOptions.ADDRESS)).isEqualTo("localhost");
        assertThat(conf.get(RestOptions.PORT)).isEqualTo(8081);
        assertThat(conf.get(HighAvailabilityOptions.HA_MODE)).isEqualTo("NONE");
    }

    @Test
    void aZooKeeperAddressFindsTheLeaderThroughTheQuorum() {
        Configuration conf = ClusterAddress.clientConfiguration(ClusterAddress.ofZooKeeper("127.0.0.1:2181,127.0.0.1:2182"));

        assertThat(conf.get(HighAvailabilityOptions.HA_MODE)).isEqualTo("zookeeper");
        assertThat(conf.get(HighAvailabilityOptions.HA_ZOOKEEPER_QUORUM)).isEqualTo("127.0.0.1:2181,127.0.0.1:2182");
        assertThat(conf.get(HighAvailabilityOptions.HA_CLUSTER_ID)).isEqualTo("/default");
    }

    @Test
    void aZooKeeperAddressMayNameTheClusterId() {
        Configuration conf = ClusterAddress.clientConfiguration("zookeeper://zk:2181/stageflow-prod");

        assertThat(conf.get(HighAvailabilityOptions.HA_ZOOKEEPER_QUORUM)).isEqualTo("zk:2181");
        assertThat(conf.get(HighAvailabilityOptions.HA_CLUSTER_ID)).isEqualTo("/stageflow-prod");
    }

    @Test
    void anythingElseIsRefusedWithTheFormsItMayTake() {
        for (String address : new String[] {"localhost", "zookeeper://", "zookeeper:///id", "http://localhost:8081"}) {
            assertThatThrownBy(() -> ClusterAddress.clientConfiguration(address))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("host:port")
                    .hasMessageContaining("zookeeper://")
                    .hasMessageContaining(address);
        }
    }
}
