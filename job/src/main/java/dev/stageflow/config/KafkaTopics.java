package dev.stageflow.config;

import java.util.List;
import java.util.Optional;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.kafka.common.internals.Topic;

/**
 * The topic names of the Kafka options, checked by Kafka's own rule (at most 249 of {@code
 * a-z A-Z 0-9 . _ -}, not {@code .} or {@code ..}) when the job is built: a name the broker refuses
 * would fail the source or sink only when it runs, and again after every restart.
 */
public final class KafkaTopics {

    private KafkaTopics() {}

    /** The topics of {@code option}, a list separated by ';', which must name at least one. */
    public static List<String> names(Configuration conf, ConfigOption<List<String>> option) {
        List<String> topics = conf.get(option);
        if (topics == null || topics.isEmpty()) {
            throw new IllegalConfigurationException("Option " + option.key()
                    + " must name one or more topics separated by ';', got '" + conf.getString(option.key(), "") + "'");
        }
        topics.forEach(topic -> check(option, topic, "Kafka topic names separated by ';'"));
        return topics;
    }

    /** The topic of {@code option}, if it is set. */
    public static Optional<String> name(Configuration conf, ConfigOption<String> option) {
        Optional<String> topic = conf.getOptional(option);
        topic.ifPresent(name -> check(option, name, "a Kafka topic name"));
        return topic;
    }

    private static void check(ConfigOption<?> option, String topic, String what) {
        Topic.validate(topic, "topic", reason -> {
            throw new IllegalConfigurationException("Option " + option.key() + " must be " + what + ", got '"
                    + topic + "': " + reason + (topic.contains(",")
                            ? "; ',' is not allowed in a topic name (topics are separated by ';')"
                            : ""));
        });
    }
}
