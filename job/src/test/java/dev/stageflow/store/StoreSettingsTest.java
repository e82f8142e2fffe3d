package dev.stageflow.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.config.StoreOptions;
import java.net.URI;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.junit.jupiter.api.Test;

class StoreSettingsTest {

    private static Configuration conf(String storeUri) {
        Configuration conf = new Configuration();
        conf.set(StoreOptions.URI, storeUri);
        return conf;
    }

    @Test
    void stageRootsFallBackToTheStoreRoot() {
        Configuration conf = conf("file:///data/store/");

        assertThat(StoreSettings.from(conf, StoreOptions.GENERATE_URI).root).isEqualTo(URI.create("file:///data/store"));
        assertThat(StoreSettings.from(conf, StoreOptions.ENHANCE_URI).root).isEqualTo(URI.create("file:///data/store"));
    }

    @Test
    void aStageRootOverridesTheStoreRoot() {
        Configuration conf = conf("file:///data/store");
        conf.set(StoreOptions.GENERATE_URI, "s3://bucket/generated");
        conf.set(StoreOptions.ENHANCE_URI, "hdfs://127.0.0.1:9000/enhanced");

        assertThat(StoreSettings.from(conf, StoreOptions.GENERATE_URI).root).isEqualTo(URI.create("s3://bucket/generated"));
        assertThat(StoreSettings.from(conf, StoreOptions.ENHANCE_URI).root)
                .isEqualTo(URI.create("hdfs://127.0.0.1:9000/enhanced"));
        assertThat(StoreSettings.from(conf).root).isEqualTo(URI.create("file:///data/store"));
    }

    @Test
    void aStageRootAloneIsEnoughForThatStage() {
        Configuration conf = new Configuration();
        conf.set(StoreOptions.ENHANCE_URI, "file:///enhanced");

        assertThat(StoreSettings.from(conf, StoreOptions.ENHANCE_URI).root).isEqualTo(URI.create("file:///enhanced"));
        assertThatThrownBy(() -> StoreSettings.from(conf, StoreOptions.GENERATE_URI))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("store.generate.uri is required");
    }

    @Test
    void aRootWithoutSchemeNamesTheOption() {
        Configuration conf = conf("file:///data");
        conf.set(StoreOptions.GENERATE_URI, "/tmp/generated");

        assertThatThrownBy(() -> StoreSettings.from(conf, StoreOptions.GENERATE_URI))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("store.generate.uri '/tmp/generated' needs a scheme");
    }

    @Test
    void snappyNeedsNoLevelAndUnknownCodecsAreListed() {
        Configuration conf = conf("file:///data");
        conf.set(StoreOptions.CODEC, "snappy");
        assertThat(StoreSettings.from(conf).intermediateCodec).isEqualTo(Codec.SNAPPY);

        conf.set(StoreOptions.CODEC, "lz4");
        assertThatThrownBy(() -> StoreSettings.from(conf))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("Unknown codec 'lz4'; allowed: zstd, gzip, snappy, none");
    }

    @Test
    void rejectsLevelsAndSizesOutOfRange() {
        Configuration zstd = conf("file:///data");
        zstd.set(StoreOptions.ZSTD_LEVEL, 40);
        assertThatThrownBy(() -> StoreSettings.from(zstd)).hasMessageContaining("zstd level 40 is outside 1..");

        Configuration threads = conf("file:///data");
        threads.set(StoreOptions.IO_THREADS, 0);
        assertThatThrownBy(() -> StoreSettings.from(threads)).hasMessageContaining("store.io-threads must be at least 1");
    }
}
