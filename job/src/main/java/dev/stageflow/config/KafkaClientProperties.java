package dev.stageflow.config;

import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * The Kafka client properties passed through a {@code ...kafka.properties.<name>} option, checked
 * so that none silently fights a setting the job makes itself.
 */
public final class KafkaClientProperties {

    private KafkaClientProperties() {}

    /**
     * The properties under {@code option}. A property listed in {@code ownOptions} (Kafka name →
     * option key) or in {@code fixed} (set by the job) is an error naming the option to use.
     */
    public static Map<String, String> of(Configuration conf, ConfigOption<Map<String, String>> option,
            Map<String, String> ownOptions, Set<String> fixed) {
        Map<String, String> properties = conf.get(option);
        for (String name : properties.keySet()) {
            if (ownOptions.containsKey(name)) {
                throw new IllegalConfigurationException("Option " + option.key() + "." + name + " is not allowed: set "
                        + ownOptions.get(name) + " instead");
            }
            if (fixed.contains(name)) {
                throw new IllegalConfigurationException("Option " + option.key() + "." + name
                        + " is not allowed: the job sets " + name + " itself");
            }
        }
        return properties;
    }
}
