package dev.stageflow.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.net.JarURLConnection;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.apache.flink.annotation.docs.Documentation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * The keys a submission may give the job ({@code --key value} on the command line and to the
 * job's {@code main}): options of the job or of Flink. Any other key is refused, naming the nearest
 * known one, so that a typo fails the submission instead of silently leaving a default in force.
 *
 * <p>Known are the keys of the job's options ({@link StageflowOptions}) and of Flink's: every
 * {@code *Options} class in Flink's configuration packages on the classpath (on a cluster:
 * flink-dist), each option with its deprecated and fallback keys; below a map option any key
 * ({@code source.kafka.properties.<name>}, {@code pipeline.global-job-parameters.<name>}); below
 * the prefixes Flink documents for named entries ({@code metrics.reporter.<name>.*}, {@code
 * external-resource.<name>.*}); and {@link #FREE_PREFIXES}, where plugins and modules outside this
 * classpath take their keys. A cluster's own configuration ({@code config.yaml}) is never checked:
 * only what a submission adds to it.
 */
public final class OptionKeys {

    /** Where Flink declares the options a job or cluster is configured with (not the Table API's connector options). */
    private static final List<String> FLINK_PACKAGES = List.of(
            "org/apache/flink/configuration/",
            "org/apache/flink/state/",
            "org/apache/flink/changelog/",
            "org/apache/flink/client/cli/",
            "org/apache/flink/runtime/shuffle/",
            "org/apache/flink/runtime/highavailability/");

    /**
     * Prefixes of keys read by what is not on the job's classpath: file system plugins (which
     * mirror {@code s3.*} into Hadoop's {@code fs.s3a.*}, take {@code fs.<scheme>.*} limits, and
     * {@code flink.hadoop.*} for any Hadoop key), and Flink's Kubernetes, YARN, Table and Python
     * modules.
     */
    static final List<String> FREE_PREFIXES = List.of(
            "s3.", "s3a.", "s3p.", "presto.s3.", "gs.", "fs.", "flink.hadoop.",
            "kubernetes.", "high-availability.kubernetes.", "yarn.", "table.", "python.");

    private static final LevenshteinDistance DISTANCE = LevenshteinDistance.getDefaultInstance();

    private OptionKeys() {}

    /**
     * Fails unless every key of {@code keys} is known; the message names each unknown key, with
     * the nearest known key when one is close: {@code Unknown option 'request.max-line-lenght';
     * did you mean 'request.max-line-bytes'?}
     */
    public static void check(Collection<String> keys) {
        List<String> unknown = keys.stream().filter(key -> !Known.INSTANCE.accepts(key)).map(OptionKeys::refusal).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalConfigurationException(String.join("\n", unknown));
        }
    }

    private static String refusal(String key) {
        return Known.INSTANCE.nearest(key)
                .map(nearest -> "Unknown option '" + key + "'; did you mean '" + nearest + "'?")
                .orElse("Unknown option '" + key + "': not an option of stageflow (README.md, \"Options\") or of Flink");
    }

    /** The known keys, read once per JVM. */
    private static final class Known {
        static final Known INSTANCE = new Known();

        /** Every exact key, with the key to suggest for it (a deprecated key suggests its option's key). */
        private final Map<String, String> keys = new LinkedHashMap<>();
        private final Set<String> prefixes = new TreeSet<>(FREE_PREFIXES);

        private Known() {
            List<ConfigOption<?>> fallbacks = new ArrayList<>();
            for (StageflowOptions.Declared declared : StageflowOptions.all()) {
                add(declared, fallbacks);
            }
            for (Class<?> holder : flinkOptionClasses()) {
                for (Field field : holder.getFields()) {
                    if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigOption.class) {
                        addFlink(field, fallbacks);
                    }
                }
            }
            // After every option's own key: a fallback key that is another option's key suggests that option.
            for (ConfigOption<?> option : fallbacks) {
                for (FallbackKey fallback : option.fallbackKeys()) {
                    keys.putIfAbsent(fallback.getKey(), option.key());
                }
            }
        }

        private void addFlink(Field field, List<ConfigOption<?>> fallbacks) {
            ConfigOption<?> option = (ConfigOption<?>) read(field);
            Documentation.SuffixOption suffix = field.getAnnotation(Documentation.SuffixOption.class);
            if (suffix != null) {
                prefixes.add(beforePlaceholder(suffix.value() + "."));
            } else if (option.key().contains("<")) {
                prefixes.add(beforePlaceholder(option.key()));
            } else {
                add(new StageflowOptions.Declared(option,
                        ((ParameterizedType) field.getGenericType()).getActualTypeArguments()[0]), fallbacks);
            }
        }

        private void add(StageflowOptions.Declared declared, List<ConfigOption<?>> fallbacks) {
            keys.put(declared.option().key(), declared.option().key());
            fallbacks.add(declared.option());
            if (declared.isMap()) {
                prefixes.add(declared.option().key() + ".");
            }
        }

        boolean accepts(String key) {
            return keys.containsKey(key)
                    || prefixes.stream().anyMatch(prefix -> key.startsWith(prefix) && key.length() > prefix.length());
        }

        /** The known key nearest to {@code key}, if it is near enough to be what was meant. */
        Optional<String> nearest(String key) {
            int threshold = Math.max(2, key.length() / 3);
            return keys.keySet().stream()
                    .map(known -> Map.entry(known, DISTANCE.apply(key, known)))
                    .filter(candidate -> candidate.getValue() <= threshold)
                    .min(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue)
                            .thenComparing(Map.Entry::getKey))
                    .map(candidate -> keys.get(candidate.getKey()));
        }

        private static String beforePlaceholder(String template) {
            int placeholder = template.indexOf('<');
            return placeholder < 0 ? template : template.substring(0, placeholder);
        }

        private static Object read(Field field) {
            try {
                return field.get(null);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("Cannot read Flink option " + field, e);
            }
        }
    }

    /** The {@code *Options} classes of {@link #FLINK_PACKAGES} in the jars of the classpath. */
    private static List<Class<?>> flinkOptionClasses() {
        ClassLoader loader = OptionKeys.class.getClassLoader();
        List<Class<?>> classes = new ArrayList<>();
        for (URL jar : flinkJars(loader)) {
            for (String name : optionClassNames(jar)) {
                try {
                    classes.add(Class.forName(name, false, loader));
                } catch (ClassNotFoundException | LinkageError missingDependency) {
                    // Its module is only partly on this classpath: nothing of it can be configured here.
                }
            }
        }
        return classes;
    }

    private static Set<URL> flinkJars(ClassLoader loader) {
        Set<URL> jars = new LinkedHashSet<>();
        try {
            for (String pkg : FLINK_PACKAGES) {
                for (URL url : Collections.list(loader.getResources(pkg.substring(0, pkg.length() - 1)))) {
                    if ("jar".equals(url.getProtocol())) {
                        jars.add(((JarURLConnection) url.openConnection()).getJarFileURL());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list Flink's option packages on the classpath", e);
        }
        return jars;
    }

    private static List<String> optionClassNames(URL jarUrl) {
        try {
            JarURLConnection connection = (JarURLConnection) new URL("jar:" + jarUrl + "!/").openConnection();
            connection.setUseCaches(false);
            try (JarFile jar = connection.getJarFile()) {
                return jar.stream().map(JarEntry::getName)
                        .filter(name -> name.endsWith("Options.class") && !name.contains("$")
                                && FLINK_PACKAGES.stream().anyMatch(name::startsWith))
                        .map(name -> name.substring(0, name.length() - ".class".length()).replace('/', '.'))
                        .toList();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + jarUrl, e);
        }
    }
}
