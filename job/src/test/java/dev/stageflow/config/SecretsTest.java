package dev.stageflow.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** Which options are secrets, and that the job's never reach Flink's configuration. */
class SecretsTest {

    @Test
    void secretsAreWhatFlinkHidesAndTheKafkaPropertiesKafkaTypesAsPasswords() {
        assertThat(Secrets.isSecret("redis.password")).isTrue();
        assertThat(Secrets.isSecret("s3.secret-key")).isTrue();
        assertThat(Secrets.isSecret("source.kafka.properties.sasl.jaas.config")).isTrue();
        assertThat(Secrets.isSecret("sink.kafka.properties.ssl.keystore.password")).isTrue();
        assertThat(Secrets.isSecret("sink.kafka.properties.ssl.keystore.key")).as("a PEM private key").isTrue();
        assertThat(Secrets.isSecret("source.kafka.properties.sasl.oauthbearer.assertion.private.key.passphrase")).isTrue();
        assertThat(Secrets.isSecret("source.kafka.properties")).as("a whole map may hold any property").isTrue();

        assertThat(Secrets.isSecret("redis.uri")).isFalse();
        assertThat(Secrets.isSecret("s3.access-key")).isFalse();
        assertThat(Secrets.isSecret("source.kafka.properties.security.protocol")).isFalse();
        assertThat(Secrets.isSecret("ssl.keystore.key")).as("only below the Kafka property options").isFalse();
    }

    @Test
    void flinkIsGivenEverythingButTheJobsSecrets() {
        Configuration conf = Configuration.fromMap(Map.of(
                "redis.uri", "redis://127.0.0.1:6379/0",
                "redis.password", "pw",
                "sink.kafka.properties.ssl.keystore.key", "pem",
                "sink.kafka.properties.security.protocol", "SSL",
                "s3.secret-key", "flink's own",
                "execution.checkpointing.interval", "3 s"));

        assertThat(Secrets.withoutJobSecrets(conf).toMap()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "redis.uri", "redis://127.0.0.1:6379/0",
                "sink.kafka.properties.security.protocol", "SSL",
                "s3.secret-key", "flink's own",
                "execution.checkpointing.interval", "3 s"));
        assertThat(conf.toMap()).containsEntry("redis.password", "pw");
    }
}
