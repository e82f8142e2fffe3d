package dev.stageflow.redis;

import dev.stageflow.config.CacheOptions;
import java.net.URI;
import java.util.Map;
import org.apache.flink.configuration.Configuration;

/** Redis settings for tests, built through the real option parsing and validation. */
public final class RedisTestSettings {

    private RedisTestSettings() {}

    /** Settings for {@code uri} with a 500 ms timeout and the given extra options. */
    public static RedisSettings of(URI uri, Map<String, String> options) {
        Configuration conf = new Configuration();
        conf.set(CacheOptions.REDIS_URI, uri.toString());
        conf.setString(CacheOptions.REDIS_TIMEOUT.key(), "500ms");
        options.forEach(conf::setString);
        return RedisSettings.from(conf).orElseThrow();
    }

    public static RedisSettings of(URI uri) {
        return of(uri, Map.of());
    }
}
