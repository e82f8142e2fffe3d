package dev.stageflow.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.config.StoreOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.junit.jupiter.api.Test;

class HdfsReplicationOptionTest {

    private static Configuration store(String uri, int replication) {
        Configuration conf = new Configuration();
        conf.set(StoreOptions.URI, uri);
        conf.set(StoreOptions.HDFS_REPLICATION, replication);
        return conf;
    }

    @Test
    void carriesTheReplicationOfAnHdfsStore() {
        assertThat(StoreSettings.from(store("hdfs://127.0.0.1:8020/stageflow", 2)).hdfsReplication).isEqualTo(2);
    }

    @Test
    void leavesItUnsetByDefault() {
        Configuration conf = new Configuration();
        conf.set(StoreOptions.URI, "hdfs://127.0.0.1:8020/stageflow");

        assertThat(StoreSettings.from(conf).hdfsReplication).isNull();
    }

    @Test
    void appliesOnlyToTheStageStoresOnHdfs() {
        Configuration conf = store("file:///tmp/stageflow", 2);
        conf.set(StoreOptions.ENHANCE_URI, "hdfs://127.0.0.1:8020/enhanced");

        assertThat(StoreSettings.from(conf, StoreOptions.GENERATE_URI).hdfsReplication).isNull();
        assertThat(StoreSettings.from(conf, StoreOptions.ENHANCE_URI).hdfsReplication).isEqualTo(2);
    }

    @Test
    void rejectsAReplicationBelowOne() {
        assertThatThrownBy(() -> StoreSettings.from(store("hdfs://127.0.0.1:8020/stageflow", 0)))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("store.hdfs.replication must be between 1 and 32767, got 0");
    }
}
