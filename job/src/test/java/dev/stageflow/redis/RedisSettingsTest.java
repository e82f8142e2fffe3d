package dev.stageflow.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.config.CacheOptions;
import java.net.URI;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.junit.jupiter.api.Test;

class RedisSettingsTest {

    @Test
    void takesTheDatabaseFromTheUriOrTheOption() {
        assertThat(RedisTestSettings.of(URI.create("redis://h:7000/5")).database).isEqualTo(5);
        assertThat(RedisTestSettings.of(URI.create("redis://h:7000"),
                Map.of(CacheOptions.REDIS_DATABASE.key(), "2")).database).isEqualTo(2);
        assertThat(RedisTestSettings.of(URI.create("redis://h")).port).isEqualTo(6379);
    }

    @Test
    void rejectsADatabaseOptionThatDisagreesWithTheUri() {
        assertThatThrownBy(() -> RedisTestSettings.of(URI.create("redis://h:7000/1"),
                        Map.of(CacheOptions.REDIS_DATABASE.key(), "2")))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("redis.database");
    }

    @Test
    void usesTlsForRedissOrTheSslOption() {
        assertThat(RedisTestSettings.of(URI.create("rediss://h:7000")).ssl).isTrue();
        assertThat(RedisTestSettings.of(URI.create("redis://h:7000"), Map.of(CacheOptions.REDIS_SSL.key(), "true")).ssl)
                .isTrue();
        assertThat(RedisTestSettings.of(URI.create("redis://h:7000")).ssl).isFalse();
    }

    @Test
    void refusesCredentialsInTheUriWithoutRepeatingThem() {
        assertThatThrownBy(() -> RedisTestSettings.of(URI.create("redis://user:hunter2@h:7000/0")))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("redis.uri")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void keepsThePasswordOutOfItsDescription() {
        RedisSettings settings = RedisTestSettings.of(URI.create("redis://h:7000/0"),
                Map.of(CacheOptions.REDIS_USERNAME.key(), "app", CacheOptions.REDIS_PASSWORD.key(), "hunter2"));

        assertThat(settings.hasPassword()).isTrue();
        assertThat(settings.toString()).isEqualTo("redis://h:7000/0 as app");
    }

    @Test
    void withoutAUriThereIsNoRedis() {
        assertThat(RedisSettings.from(new Configuration())).isEmpty();
    }
}
