package dev.stageflow.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.config.StoreOptions;
import java.net.URI;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        conf.set(StoreOptions.GENERATE_URI, "file:///generated");
        conf.set(StoreOptions.ENHANCE_URI, "hdfs://127.0.0.1:9000/enhanced");

        assertThat(StoreSettings.from(conf, StoreOptions.GENERATE_URI).root).isEqualTo(URI.create("file:///generated"));
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
    void checkingTheFileSystemCreatesNothing(@TempDir Path dir) {
        Path root = dir.resolve("store");

        assertThat(StoreSettings.from(conf(root.toUri().toString())).root.getScheme()).isEqualTo("file");
        assertThat(root).doesNotExist();
    }

    @Test
    void aSchemeWithoutAFlinkFileSystemFailsAtBuildNamingTheOption() {
        Configuration conf = conf("file:///data");
        conf.set(StoreOptions.ENHANCE_URI, "s4://bucket/enhanced");

        assertThat(StoreSettings.from(conf, StoreOptions.GENERATE_URI).root).isEqualTo(URI.create("file:///data"));
        assertThatThrownBy(() -> StoreSettings.from(conf, StoreOptions.ENHANCE_URI))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageStartingWith("Option store.enhance.uri 's4://bucket/enhanced' has a scheme that no Flink"
                        + " file system supports here: Could not find a file system implementation for scheme 's4'");
        assertThatThrownBy(() -> StoreSettings.from(conf("s4://x")))
                .hasMessageStartingWith("Option store.uri 's4://x' has a scheme that no Flink file system supports here");
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
