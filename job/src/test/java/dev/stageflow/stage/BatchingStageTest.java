package dev.stageflow.stage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class BatchingStageTest {

    @Test
    void aStoreRootIsAMetricLabelWithoutItsUserInfo() {
        assertThat(BatchingStage.storeLabel(URI.create("s3://bucket/store"))).isEqualTo("s3://bucket/store");
        assertThat(BatchingStage.storeLabel(URI.create("file:///data/store"))).isEqualTo("file:///data/store");
        assertThat(BatchingStage.storeLabel(URI.create("hdfs://user:secret@namenode:8020/store")))
                .isEqualTo("hdfs://namenode:8020/store");
    }
}
