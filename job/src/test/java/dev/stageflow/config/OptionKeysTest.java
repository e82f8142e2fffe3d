package dev.stageflow.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.StageflowJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A submission's keys are the job's or Flink's; a typo fails, naming the nearest key. */
class OptionKeysTest {

    @Test
    void aTypoOfAnOptionNamesItsCurrentKey() {
        assertThatThrownBy(() -> OptionKeys.check(List.of("request.max-line-lenght")))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage("Unknown option 'request.max-line-lenght'; did you mean 'request.max-line-bytes'?");
        assertThatThrownBy(() -> OptionKeys.check(List.of("source.kafka.topic")))
                .hasMessage("Unknown option 'source.kafka.topic'; did you mean 'source.kafka.topics'?");
    }

    @Test
    void aTypoOfAFlinkKeyNamesTheFlinkKey() {
        assertThatThrownBy(() -> OptionKeys.check(List.of("execution.checkpointing.intervall")))
                .hasMessage("Unknown option 'execution.checkpointing.intervall'; did you mean"
                        + " 'execution.checkpointing.interval'?");
    }

    @Test
    void aKeyNearNothingSaysWhereTheOptionsAre() {
        assertThatThrownBy(() -> OptionKeys.check(List.of("colour")))
                .hasMessage("Unknown option 'colour': not an option of stageflow (README.md, \"Options\") or of Flink");
    }

    @Test
    void everyUnknownKeyIsNamed() {
        assertThatThrownBy(() -> OptionKeys.check(List.of("store.url", "rest.port", "generator.batch.sise")))
                .hasMessage("Unknown option 'store.url'; did you mean 'store.uri'?\n"
                        + "Unknown option 'generator.batch.sise'; did you mean 'generator.batch.size'?");
    }

    @Test
    void everyOptionOfTheJobAndItsDeprecatedKeysAreKnown() {
        List<String> keys = StageflowOptions.all().stream().map(declared -> declared.option().key()).toList();

        assertThatCode(() -> OptionKeys.check(keys)).doesNotThrowAnyException();
        assertThatCode(() -> OptionKeys.check(List.of("request.max-line-length"))).doesNotThrowAnyException();
    }

    @Test
    void kafkaClientPropertiesAreKeysBelowTheirMapOption() {
        assertThatCode(() -> OptionKeys.check(List.of("source.kafka.properties.sasl.jaas.config",
                "sink.kafka.properties.security.protocol", "source.kafka.properties")))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> OptionKeys.check(List.of("source.kafka.properties.")))
                .hasMessageStartingWith("Unknown option 'source.kafka.properties.'");
    }

    @Test
    void flinkOptionsTheirDeprecatedKeysAndNamedEntriesAreKnown() {
        assertThatCode(() -> OptionKeys.check(List.of(
                "execution.checkpointing.interval", "state.checkpoints.dir", "parallelism.default", "rest.port",
                "taskmanager.numberOfTaskSlots", "restart-strategy.type", "sink.committer.retries", "client.timeout",
                "state.backend.rocksdb.localdir", "pipeline.global-job-parameters.team",
                "metrics.reporter.prom.factory.class", "metrics.reporter.prom.port", "external-resource.gpu.amount")))
                .doesNotThrowAnyException();
    }

    @Test
    void keysOfFileSystemPluginsAndOtherModulesAreKnown() {
        assertThatCode(() -> OptionKeys.check(List.of("s3.access-key", "s3.secret-key", "s3.endpoint",
                "fs.s3a.connection.maximum", "flink.hadoop.dfs.replication", "kubernetes.cluster-id")))
                .doesNotThrowAnyException();
    }

    @Test
    void everyKeyOfTheCheckoutsFlinkConfigurationsIsKnown(@TempDir Path dir) throws Exception {
        Path conf = Path.of(System.getProperty("stageflow.root"), "conf");
        Files.copy(conf.resolve("cluster.yaml"), dir.resolve(GlobalConfiguration.FLINK_CONF_FILENAME));

        assertThatCode(() -> OptionKeys.check(GlobalConfiguration.loadConfiguration(conf.toString()).keySet()))
                .doesNotThrowAnyException();
        assertThatCode(() -> OptionKeys.check(GlobalConfiguration.loadConfiguration(dir.toString()).keySet()))
                .doesNotThrowAnyException();
    }

    @Test
    void theJobsMainRefusesAnUnknownKeyBeforeBuildingAnything() {
        assertThatThrownBy(() -> StageflowJob.main(new String[] {"--request.max-line-lenght", "100"}))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage("Unknown option 'request.max-line-lenght'; did you mean 'request.max-line-bytes'?");
    }
}
