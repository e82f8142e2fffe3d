package dev.stageflow.cli.report;

import dev.stageflow.redis.PromptMetadata;
import dev.stageflow.redis.RedisClient;
import dev.stageflow.redis.RedisSettings;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A committed prompt's Redis hash {@code sf:prompt:<promptId>} (see {@link PromptMetadata}) as
 * found when asked, or why there is none to show.
 *
 * @param server the Redis server, without credentials
 * @param key the hash's key
 * @param status whether the hash was found
 * @param fields its fields by name, empty unless found
 */
public record RedisHash(String server, String key, Status status, Map<String, String> fields) {

    /** What asking Redis gave. */
    public enum Status {
        FOUND,
        /** Redis answered, without this hash: the prompt's metadata was not (yet) written there. */
        NO_HASH,
        /** Redis did not answer within its timeout (refused, down, wrong credentials). */
        UNREACHABLE
    }

    /** Asks the Redis of {@code settings} once for the hash of {@code promptId}. */
    public static RedisHash read(RedisSettings settings, String promptId) {
        String key = PromptMetadata.keyOf(promptId);
        try (RedisClient redis = new RedisClient(settings)) {
            Optional<Map<String, String>> fields = redis.call("HGETALL " + key, jedis -> jedis.hgetAll(key));
            Status status = fields.isEmpty()
                    ? Status.UNREACHABLE
                    : fields.get().isEmpty() ? Status.NO_HASH : Status.FOUND;
            return new RedisHash(settings.toString(), key, status, new TreeMap<>(fields.orElse(Map.of())));
        }
    }
}
