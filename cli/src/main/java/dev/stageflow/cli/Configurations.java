package dev.stageflow.cli;

import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;

/** How the commands read their configuration, in one place. */
final class Configurations {

    /** Set by the launcher to the checkout's {@code conf/}; else {@code FLINK_CONF_DIR} is read. */
    static final String CONF_DIR_PROPERTY = "stageflow.conf.dir";

    private Configurations() {}

    /**
     * {@code config.yaml} of {@code stageflow.conf.dir} (or {@code FLINK_CONF_DIR}, or nothing) with
     * {@code options} on top, as the job reads them.
     */
    static Configuration load(Map<String, String> options) {
        Configuration conf = Optional.ofNullable(System.getProperty(CONF_DIR_PROPERTY))
                .or(() -> Optional.ofNullable(System.getenv("FLINK_CONF_DIR")))
                .map(GlobalConfiguration::loadConfiguration)
                .orElseGet(Configuration::new);
        options.forEach(conf::setString);
        return conf;
    }

    /** The checkout's {@code conf/} directory, which the launcher names. */
    static String confDir() {
        String dir = System.getProperty(CONF_DIR_PROPERTY);
        if (dir == null) {
            throw new CommandFailedException("System property " + CONF_DIR_PROPERTY + " (the checkout's conf/) is not"
                    + " set: run the command line with ./stageflow");
        }
        return dir;
    }

    /**
     * Passes {@code conf}'s file system options ({@code s3.*}) to Flink's file systems and loads the
     * s3 plugin from {@code FLINK_PLUGINS_DIR}, as a TaskManager does; a MiniCluster does not.
     */
    static void initializeFileSystems(Configuration conf) {
        FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));
    }
}
