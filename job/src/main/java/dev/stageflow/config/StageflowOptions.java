package dev.stageflow.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.flink.configuration.ConfigOption;

/**
 * Every options class of the job, in one list, and how their options are read from them. The
 * unknown-key check ({@link OptionKeys}) knows the job's keys from here; the README's reference
 * generator reads each section's options the same way and fails when this list misses a section
 * of the job.
 */
public final class StageflowOptions {

    /** The {@link OptionsSection} classes of the job. */
    public static final List<Class<?>> CLASSES = List.of(
            SourceOptions.class,
            SinkOptions.class,
            KafkaOptions.class,
            RequestOptions.class,
            ModelOptions.class,
            StageOptions.class,
            EnhanceOptions.class,
            StoreOptions.class,
            CacheOptions.class);

    private StageflowOptions() {}

    /** An option and its value type ({@code Duration} for a {@code ConfigOption<Duration>}). */
    public record Declared(ConfigOption<?> option, Type valueType) {

        /** Whether the option is a map, whose entries may also be given one key each: {@code <key>.<name>}. */
        public boolean isMap() {
            Type raw = valueType instanceof ParameterizedType parameterized ? parameterized.getRawType() : valueType;
            return raw == Map.class;
        }
    }

    /**
     * Whether {@code key} is the job's: the key or a deprecated or fallback key of one of its
     * options, or an entry of one of its map options ({@code source.kafka.properties.<name>}).
     */
    public static boolean isJobKey(String key) {
        return all().stream().anyMatch(declared -> declared.option().key().equals(key)
                || declared.isMap() && key.startsWith(declared.option().key() + ".")
                || StreamSupport.stream(declared.option().fallbackKeys().spliterator(), false)
                        .anyMatch(fallback -> fallback.getKey().equals(key)));
    }

    /** Every option of the job's classes. */
    public static List<Declared> all() {
        List<Declared> all = new ArrayList<>();
        CLASSES.forEach(holder -> all.addAll(declaredIn(holder)));
        return all;
    }

    /**
     * The static options of {@code holder} and the instance options of its static instances (one
     * {@code StageOptions} per model stage), in declaration order.
     */
    public static List<Declared> declaredIn(Class<?> holder) {
        List<Declared> options = new ArrayList<>();
        for (Field field : holder.getFields()) {
            if (!Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            if (field.getType() == ConfigOption.class) {
                options.add(declared(field, null));
            } else if (field.getType() == holder) {
                Object instance = read(field, null);
                for (Field instanceField : holder.getFields()) {
                    if (!Modifier.isStatic(instanceField.getModifiers()) && instanceField.getType() == ConfigOption.class) {
                        options.add(declared(instanceField, instance));
                    }
                }
            }
        }
        return options;
    }

    private static Declared declared(Field field, Object instance) {
        Type valueType = ((ParameterizedType) field.getGenericType()).getActualTypeArguments()[0];
        return new Declared((ConfigOption<?>) read(field, instance), valueType);
    }

    private static Object read(Field field, Object instance) {
        try {
            return field.get(instance);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot read option field " + field, e);
        }
    }
}
