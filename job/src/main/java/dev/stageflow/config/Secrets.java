package dev.stageflow.config;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Which options hold secrets, and keeping the job's secrets out of the configuration Flink is
 * given. A secret is an option Flink hides ({@link GlobalConfiguration#isSensitive}: keys with
 * {@code password}, {@code secret}, {@code jaas.config}, {@code token}, ...), or a Kafka client
 * property that Kafka types as a password, which Flink's rule misses ({@code ssl.keystore.key},
 * {@code sasl.oauthbearer.assertion.private.key.passphrase}, ...); a whole property map given as
 * one option may hold any of them, so it is one too.
 *
 * <p>Why the job's secrets stay out of Flink's configuration: Flink shows its configuration in the
 * web UI and REST API ({@code /jobmanager/config}, {@code /jobs/<id>/jobmanager/config}) and may log
 * it, hiding only what its own rule calls sensitive. The job reads its secrets once, when it is
 * built, and they travel inside its operators to the tasks that need them.
 */
public final class Secrets {

    /** Each Kafka property option, with the Kafka properties that are passwords. */
    private static final Map<ConfigOption<Map<String, String>>, Set<String>> KAFKA_PASSWORDS = Map.of(
            KafkaOptions.SOURCE_PROPERTIES, passwords(ConsumerConfig.configDef()),
            KafkaOptions.SINK_PROPERTIES, passwords(ProducerConfig.configDef()));

    private Secrets() {}

    /** Whether the value of {@code key} is a secret: never shown, logged or recorded. */
    public static boolean isSecret(String key) {
        return GlobalConfiguration.isSensitive(key) || KAFKA_PASSWORDS.entrySet().stream().anyMatch(kafka -> {
            String prefix = kafka.getKey().key();
            return key.equals(prefix)
                    || key.startsWith(prefix + ".") && kafka.getValue().contains(key.substring(prefix.length() + 1));
        });
    }

    /**
     * {@code conf} without the job's secrets ({@code redis.password}, secret Kafka properties), for
     * Flink: build the job from {@code conf}, give Flink this.
     */
    public static Configuration withoutJobSecrets(Configuration conf) {
        Configuration forFlink = new Configuration(conf);
        conf.keySet().stream()
                .filter(key -> isSecret(key) && StageflowOptions.isJobKey(key))
                .forEach(forFlink::removeKey);
        return forFlink;
    }

    private static Set<String> passwords(ConfigDef client) {
        return client.configKeys().values().stream()
                .filter(key -> key.type == ConfigDef.Type.PASSWORD)
                .map(key -> key.name)
                .collect(Collectors.toUnmodifiableSet());
    }
}
